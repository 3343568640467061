/**
 * The verifier fuzzer's program generator: {@link generate}(seed) builds one small program
 * (5..60 instruction slots) in the assembler dialect of src/isa/asm.ts, biased towards what the
 * verifier reasons about, as a {@link VerifierCase} named `fuzz-<seed>`. Same seed, same case.
 *
 * A program is a prologue (`r6 = ctx`), one to three *blocks* drawn from {@link BLOCKS}, and an
 * epilogue (`r0 = K; exit`, plus a `fail:` exit when a block jumped there and the subprograms
 * some blocks call). Each block is a small idiom the verifier has a rule for (a packet bounds
 * check, a map lookup, an ALU chain feeding a variable offset, a loop, a helper call, ...) and
 * picks, with probability {@link P_BAD}, one of its wrong variants (missing or wrong check, an
 * offset one byte too far, an argument of the wrong type, ...). Whether the kernel accepts the
 * result is never assumed: the generator only records its intent in the case's `what`
 * (`name(variant)`, a `!` marking an intended fault), which the diff report groups by.
 *
 * Registers: r6 holds the ctx for the whole program; blocks use r0..r5 as temporaries and may
 * leave a pointer or a bounded scalar in r7..r9 for a later block ({@link Live}).
 */
import { assemble } from '../../../src/isa/asm.js';
import { Prng } from '../../isa/prng.js';
import type { CaseMap, VerifierCase } from '../corpus/types.js';
import { lockValue, type LockField, type LockValue } from './lock-value.js';

/** Probability that a block takes one of its wrong variants. */
export const P_BAD = 0.32;
/** Bounds on the instruction slots of a generated program. */
export const MIN_SLOTS = 5;
export const MAX_SLOTS = 60;

/** A generated case: the corpus case plus the seed and the block tags it was built from. */
export interface FuzzCase extends VerifierCase {
  readonly seed: number;
  /** `block(variant)` per block; `!` marks a variant meant to be refused. */
  readonly tags: readonly string[];
}

// --- Program types --------------------------------------------------------------------------------

/** A program type as the generator uses it (uapi ctx offsets: struct xdp_md, struct __sk_buff). */
interface ProgKind {
  readonly name: 'xdp' | 'tc' | 'sk';
  readonly progType: number;
  /** ctx offsets of data / data_end / data_meta (u32 fields). */
  readonly data: number;
  readonly dataEnd: number;
  readonly dataMeta: number;
  /** Readable u32 scalar fields. */
  readonly scalars: readonly number[];
  /** Writable u32 fields (__sk_buff cb[], mark). */
  readonly writable: readonly number[];
  /** Return values the generator normally uses. */
  readonly rets: readonly number[];
}

const XDP: ProgKind = { name: 'xdp', progType: 6, data: 0, dataEnd: 4, dataMeta: 8, scalars: [12, 16], writable: [], rets: [0, 1, 2, 3] };
const TC: ProgKind = { name: 'tc', progType: 3, data: 76, dataEnd: 80, dataMeta: 140, scalars: [0, 4, 8, 16, 32, 40, 68], writable: [8, 48, 52, 56, 60, 64], rets: [0, 1, 2] };
const SK: ProgKind = { name: 'sk', progType: 1, data: 76, dataEnd: 80, dataMeta: 140, scalars: [0, 4, 8, 16, 32, 40], writable: [48, 52, 56, 60, 64], rets: [0, 64, 0xffff] };

// --- Helper ids (include/uapi/linux/bpf.h, enum bpf_func_id) -------------------------------------

const H = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  ktime_get_ns: 5,
  trace_printk: 6,
  get_prandom_u32: 7,
  get_smp_processor_id: 8,
  skb_store_bytes: 9,
  tail_call: 12,
  redirect: 23,
  skb_load_bytes: 26,
  csum_diff: 28,
  xdp_adjust_head: 44,
  redirect_map: 51,
  xdp_adjust_tail: 65,
  probe_read_kernel: 113,
  ringbuf_output: 130,
  ringbuf_reserve: 131,
  ringbuf_submit: 132,
  ringbuf_discard: 133,
  loop: 181,
  sk_lookup_tcp: 84,
  sk_release: 86,
  spin_lock: 93,
  spin_unlock: 94,
} as const;

/** enum bpf_map_type values used here. */
const MAP = { hash: 1, array: 2, prog_array: 3, percpu_hash: 5, percpu_array: 6, lru_hash: 9, ringbuf: 27 } as const;

// --- The builder ----------------------------------------------------------------------------------

/** What a block left in a callee-saved register for later blocks. */
type Live =
  | { readonly kind: 'pkt'; readonly range: number }
  | { readonly kind: 'map_value'; readonly size: number; readonly maybeNull: boolean }
  | { readonly kind: 'scalar'; readonly max: number }
  | { readonly kind: 'stack'; readonly off: number };

const MEM = ['b', 'h', 'w', 'dw'] as const;
const SIZE: Readonly<Record<(typeof MEM)[number], number>> = { b: 1, h: 2, w: 4, dw: 8 };

class Builder {
  readonly lines: string[] = [];
  /** Subprograms, emitted after the main program's exits. */
  readonly tail: string[] = [];
  readonly maps: CaseMap[] = [];
  readonly tags: string[] = [];
  readonly live = new Map<number, Live>();
  progFlags = 0;
  /** Give the program BTF func_info (one FUNC per subprogram; callbacks need it). */
  btfFuncs = false;
  failUsed = false;
  private nLabel = 0;
  private stackUsed = 0;

  constructor(
    readonly r: Prng,
    readonly k: ProgKind,
  ) {}

  e(...ls: string[]): void {
    this.lines.push(...ls);
  }

  /** A fresh label. */
  l(what: string): string {
    return `${what}_${this.nLabel++}`;
  }

  at(label: string): void {
    this.lines.push(`${label}:`);
  }

  /** The label of the program's second exit (`r0 = 0; exit`). */
  fail(): string {
    this.failUsed = true;
    return 'fail';
  }

  /** Add a map (an identical one is shared); returns its index for `lddw rX, map_fd N`. */
  map(m: CaseMap): number {
    const same = this.maps.findIndex((x) => JSON.stringify(x) === JSON.stringify(m));
    if (same >= 0) return same;
    this.maps.push(m);
    return this.maps.length - 1;
  }

  /** A stack area of n bytes (n rounded up to 8): its offset from r10 (negative). Wraps when full. */
  stack(n: number): number {
    const size = (n + 7) & ~7;
    if (this.stackUsed + size > 512) this.stackUsed = 0;
    this.stackUsed += size;
    return -this.stackUsed;
  }

  /** Whether this block takes a wrong variant. */
  bad(): boolean {
    return this.r.chance(P_BAD);
  }

  /** Record a block: `name(variant)`, `name(!variant)` when meant to be refused, `name(?variant)` when the generator cannot tell. */
  tag(name: string, variant: string, bad: boolean | 'unsure'): void {
    this.tags.push(`${name}(${bad === 'unsure' ? '?' : bad ? '!' : ''}${variant})`);
  }

  pick<T>(xs: readonly T[]): T {
    return this.r.pick(xs);
  }

  int(lo: number, hi: number): number {
    return this.r.int(lo, hi);
  }

  chance(p: number): boolean {
    return this.r.chance(p);
  }

  /** Forget callee-saved values (a block whose path may skip the write). */
  kill(reg: number): void {
    this.live.delete(reg);
  }
}

/** A block: a name, a weight per program kind, and its emitter. */
interface Block {
  readonly name: string;
  readonly weight: Readonly<Record<ProgKind['name'], number>>;
  emit(b: Builder): void;
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** `mov rD, rS; add rD, n` (a pointer n bytes further). */
function ptrPlus(b: Builder, d: number, s: number, n: number): void {
  b.e(`mov r${d}, r${s}`);
  if (n !== 0) b.e(`add r${d}, ${n}`);
}

/**
 * Load data and data_end into rD and rE and prove `n` bytes with a check jumping to `skip` when
 * the packet is shorter; `how` picks the comparison shape (the wrong ones prove nothing).
 */
function pktCheck(b: Builder, d: number, e: number, t: number, n: number, skip: string, how: string, meta = false): void {
  // With meta: data_meta checked against data (the metadata area in front of the packet).
  b.e(`ldxw r${d}, [r6+${meta ? b.k.dataMeta : b.k.data}]`, `ldxw r${e}, [r6+${meta ? b.k.data : b.k.dataEnd}]`);
  ptrPlus(b, t, d, n);
  switch (how) {
    case 'gt':
      b.e(`jgt r${t}, r${e}, ${skip}`);
      break;
    case 'ge':
      b.e(`jge r${t}, r${e}, ${skip}`);
      break;
    case 'lt':
      b.e(`jlt r${e}, r${t}, ${skip}`);
      break;
    case 'le': {
      const ok = b.l('ok');
      b.e(`jle r${t}, r${e}, ${ok}`, `ja ${skip}`);
      b.at(ok);
      break;
    }
    case 'sgt':
      b.e(`jsgt r${t}, r${e}, ${skip}`);
      break;
    case 'wrongdir':
      b.e(`jle r${t}, r${e}, ${skip}`);
      break;
    case 'wrongreg':
      b.e(`jgt r${t}, r${d}, ${skip}`);
      break;
    case 'jmp32':
      b.e(`jgt32 r${t}, r${e}, ${skip}`);
      break;
    case 'none':
      break;
    default:
      throw new Error(`pktCheck: ${how}`);
  }
}

const GOOD_CHECKS = ['gt', 'gt', 'ge', 'lt', 'le'] as const;
const BAD_CHECKS = ['none', 'wrongdir', 'wrongreg', 'jmp32', 'sgt'] as const;

/**
 * An unknown scalar in register `reg`; returns an upper bound of its unsigned value when one is
 * known to the generator (a u32 ctx field: 0xffffffff), else -1. `call` allows helper calls
 * (which clobber r1..r5).
 */
/** The low byte of a u32 ctx field in `reg`: a narrow load where allowed (__sk_buff), else load and mask (xdp_md refuses narrow loads). */
function ctxByte(b: Builder, reg: number): void {
  const off = b.pick(b.k.scalars);
  if (b.k.name === 'xdp') b.e(`ldxw r${reg}, [r6+${off}]`, `and r${reg}, 0xff`);
  else b.e(`ldxb r${reg}, [r6+${off}]`);
}

function scalar(b: Builder, reg: number, call: boolean): { src: string; max: number } {
  const opts = call ? ['ctx', 'ctx', 'prandom', 'stack', 'ctxh', 'const', 'cpu'] : ['ctx', 'ctx', 'stack', 'ctxh', 'const'];
  const src = b.pick(opts);
  switch (src) {
    case 'ctx':
      b.e(`ldxw r${reg}, [r6+${b.pick(b.k.scalars)}]`);
      return { src, max: 0xffffffff };
    case 'ctxh':
      ctxByte(b, reg);
      return { src, max: 0xff };
    case 'prandom':
      b.e(`call ${H.get_prandom_u32}`);
      if (reg !== 0) b.e(`mov r${reg}, r0`);
      return { src, max: -1 };
    case 'cpu':
      b.e(`call ${H.get_smp_processor_id}`);
      if (reg !== 0) b.e(`mov r${reg}, r0`);
      return { src, max: 0xffffffff };
    case 'stack': {
      // A spilled-then-filled unknown: an 8-byte value read back from the stack.
      const off = b.stack(8);
      b.e(`ldxw r${reg}, [r6+${b.pick(b.k.scalars)}]`, `stxdw [r10${off}], r${reg}`, `ldxdw r${reg}, [r10${off}]`);
      return { src, max: 0xffffffff };
    }
    default: {
      const v = b.pick([0, 1, 7, 15, 16, 63, 255, -1, -8, 0x7fffffff]);
      b.e(`mov r${reg}, ${v}`);
      return { src: 'const', max: v < 0 ? -1 : v };
    }
  }
}

// --- Blocks ---------------------------------------------------------------------------------------

/** Direct packet access behind a bounds check against data_end (good, missing, wrong, one byte too far). */
const pkt: Block = {
  name: 'pkt',
  weight: { xdp: 5, tc: 4, sk: 0.3 },
  emit(b) {
    const bad = b.bad();
    const site = bad ? b.pick(['check', 'check', 'access', 'access', 'ctxsize']) : '';
    const n = b.pick([1, 2, 4, 8, 14, 20, 34, 42, 54, 64]);
    const toFail = b.chance(0.5);
    const end = b.l('pkt_end');
    const skip = toFail ? b.fail() : end;
    const how = site === 'check' ? b.pick(BAD_CHECKS) : b.pick(GOOD_CHECKS);
    const meta = b.k.name !== 'sk' && b.chance(0.12);
    if (site === 'ctxsize') {
      b.e(`ldxdw r2, [r6+${b.k.data}]`, `ldxw r3, [r6+${b.k.dataEnd}]`);
      ptrPlus(b, 4, 2, n);
      b.e(`jgt r4, r3, ${skip}`);
    } else pktCheck(b, 2, 3, 4, n, skip, how, meta);
    const accesses = b.int(1, 3);
    const far = site === 'access' ? b.int(0, accesses - 1) : -1;
    let variant = (meta ? 'meta,' : '') + (site === 'ctxsize' ? 'ldxdw-data' : how);
    for (let i = 0; i < accesses; i++) {
      const sz = b.pick(MEM.filter((m) => SIZE[m] <= n || i === far));
      let off: number;
      if (i === far) {
        const kind = b.pick(['over', 'over', 'neg', 'big']);
        off = kind === 'over' ? n - SIZE[sz] + 1 : kind === 'neg' ? -b.int(1, 4) : n + b.int(0, 100);
        variant += `,${kind}`;
      } else off = b.int(0, n - SIZE[sz]);
      // Through the data pointer, or through the checked end pointer with a negative offset.
      const viaEnd = b.chance(0.25);
      const base = viaEnd ? 4 : 2;
      const o = viaEnd ? off - n : off;
      const write = b.k.name !== 'sk' && b.chance(0.3);
      const oo = o < 0 ? `${o}` : `+${o}`;
      b.e(write ? `st${sz} [r${base}${oo}], ${b.int(0, 255)}` : `ldx${sz} r5, [r${base}${oo}]`);
    }
    if (toFail && !meta && b.chance(0.5)) {
      b.e('mov r7, r2');
      b.live.set(7, { kind: 'pkt', range: n });
    } else b.kill(7);
    b.at(end);
    b.tag('pkt', variant, bad || b.k.name === 'sk');
  },
};

/** A variable offset into the packet: a loaded byte, masked or not, added to data, checked again. */
const pktVar: Block = {
  name: 'pktvar',
  weight: { xdp: 3, tc: 2, sk: 0.1 },
  emit(b) {
    const bad = b.bad();
    const site = bad ? b.pick(['mask', 'mask', 'recheck', 'access']) : '';
    const skip = b.chance(0.5) ? b.fail() : b.l('pv_end');
    pktCheck(b, 2, 3, 4, 1, skip, 'gt');
    let mask: string;
    if (site === 'mask') mask = b.pick(['none-w', 'none-dw', 'sub', 'neg', 'and-big', 'add32']);
    else mask = b.pick(['b', 'and', 'and', 'rsh', 'jgt', 'h-and']);
    const lim = b.pick([0xf, 0x3f, 0xff, 0x7ff]);
    switch (mask) {
      case 'b':
        b.e('ldxb r5, [r2+0]');
        break;
      case 'and':
        b.e('ldxb r5, [r2+0]', `and r5, ${hex(lim)}`);
        break;
      case 'h-and':
        b.e(`ldxw r5, [r6+${b.pick(b.k.scalars)}]`, `and r5, ${hex(lim)}`);
        break;
      case 'rsh':
        b.e(`ldxw r5, [r6+${b.pick(b.k.scalars)}]`, `rsh r5, ${b.pick([20, 24, 28])}`);
        break;
      case 'jgt':
        b.e(`ldxw r5, [r6+${b.pick(b.k.scalars)}]`, `jgt r5, ${lim}, ${skip}`);
        break;
      case 'none-w':
        b.e(`ldxw r5, [r6+${b.pick(b.k.scalars)}]`);
        break;
      case 'none-dw':
        b.e('call 7', 'mov r5, r0');
        pktCheck(b, 2, 3, 4, 1, skip, 'gt');
        break;
      case 'sub':
        b.e('ldxb r5, [r2+0]', 'sub r5, 4');
        break;
      case 'neg':
        b.e('ldxb r5, [r2+0]', 'neg r5');
        break;
      case 'and-big':
        b.e(`ldxw r5, [r6+${b.pick(b.k.scalars)}]`, 'and r5, 0x3ffffff');
        break;
      case 'add32':
        b.e('ldxb r5, [r2+0]', 'add32 r2, r5');
        break;
    }
    if (mask !== 'add32') b.e(b.chance(0.7) ? 'add r2, r5' : 'add r5, r2\nmov r2, r5');
    const n = b.pick([1, 2, 4, 8, 16]);
    const recheck = site === 'recheck' ? b.pick(['none', 'stale', 'wrongdir']) : 'ok';
    if (recheck === 'none') {
      // no second check: the variable offset reset the proven range
    } else if (recheck === 'stale') {
      b.e(`mov r4, r2`, `add r4, ${n}`, `jgt r4, r3, ${skip}`, 'ldxw r2, [r6+' + b.k.data + ']');
    } else {
      ptrPlus(b, 4, 2, n);
      b.e(recheck === 'wrongdir' ? `jle r4, r3, ${skip}` : `jgt r4, r3, ${skip}`);
    }
    const sz = b.pick(MEM.filter((m) => SIZE[m] <= n));
    const off = site === 'access' ? n - SIZE[sz] + b.int(1, 3) : b.int(0, n - SIZE[sz]);
    b.e(b.k.name !== 'sk' && b.chance(0.3) ? `st${sz} [r2+${off}], 1` : `ldx${sz} r0, [r2+${off}]`);
    if (skip !== 'fail') b.at(skip);
    b.kill(7);
    b.tag('pktvar', `${mask},${recheck}${site === 'access' ? ',over' : ''}`, bad || b.k.name === 'sk');
  },
};

/** An array or hash map for a lookup block. */
function valueMap(b: Builder): { idx: number; type: number; key: number; value: number; max: number } {
  const type = b.pick([MAP.array, MAP.array, MAP.hash, MAP.percpu_array, MAP.lru_hash, MAP.percpu_hash]);
  const key = type === MAP.array || type === MAP.percpu_array ? 4 : b.pick([4, 8]);
  const value = b.pick([4, 8, 12, 16, 24, 32, 48, 64]);
  const max = b.pick([1, 4, 16, 256]);
  return { idx: b.map({ type, keySize: key, valueSize: value, maxEntries: max }), type, key, value, max };
}

/** Key on the stack, lookup, null check, accesses at constant or variable offsets into the value. */
const mapLookup: Block = {
  name: 'map',
  weight: { xdp: 5, tc: 4, sk: 4 },
  emit(b) {
    const bad = b.bad();
    const site = bad ? b.pick(['null', 'null', 'access', 'access', 'varoff', 'key', 'arg1']) : '';
    const m = valueMap(b);
    const ko = b.stack(8);
    const end = b.l('map_end');
    let variant = '';
    // Key.
    if (site === 'key') {
      const k = b.pick(['r10', 'scalar', 'ctx', 'deep', 'pastfp']);
      variant += `key-${k}`;
      if (k === 'r10') b.e('mov r2, r10');
      else if (k === 'scalar') b.e('mov r2, 0');
      else if (k === 'ctx') b.e('mov r2, r6');
      else if (k === 'deep') b.e('mov r2, r10', 'add r2, -516');
      else b.e('mov r2, r10', `add r2, ${-m.key + b.int(1, m.key - 1)}`);
    } else {
      if (b.chance(0.85)) b.e(m.key === 4 ? `stw [r10${ko}], ${b.int(0, m.max + 1)}` : `stdw [r10${ko}], ${b.int(0, 9)}`);
      b.e('mov r2, r10', `add r2, ${ko}`);
    }
    if (site === 'arg1') {
      const a = b.pick(['ctx', 'fp', 'zero']);
      variant += `map-${a}`;
      b.e(a === 'ctx' ? 'mov r1, r6' : a === 'fp' ? 'mov r1, r10' : 'mov r1, 0');
    } else b.e(`lddw r1, map_fd ${m.idx}`);
    b.e(`call ${H.map_lookup_elem}`);
    // Null check.
    const copy = b.chance(0.25);
    if (copy) b.e('mov r8, r0');
    const nr = copy && b.chance(0.5) ? 8 : 0;
    const nullc = site === 'null' ? b.pick(['none', 'inverted', 'jmp32', 'gt1']) : b.pick(['eq', 'eq', 'ne']);
    variant += (variant === '' ? '' : ',') + nullc;
    const skip = b.chance(0.3) ? b.fail() : end;
    switch (nullc) {
      case 'eq':
        b.e(`jeq r${nr}, 0, ${skip}`);
        break;
      case 'ne': {
        const ok = b.l('nn');
        b.e(`jne r${nr}, 0, ${ok}`, `ja ${skip}`);
        b.at(ok);
        break;
      }
      case 'inverted':
        b.e(`jne r${nr}, 0, ${skip}`);
        break;
      case 'jmp32':
        b.e(`jeq32 r${nr}, 0, ${skip}`);
        break;
      case 'gt1':
        b.e(`jgt r${nr}, 1, ${skip}`);
        break;
      default:
        break;
    }
    // Accesses.
    const base = copy && b.chance(0.5) ? 8 : 0;
    const n = b.int(1, 2);
    for (let i = 0; i < n; i++) {
      const sz = b.pick(MEM.filter((x) => SIZE[x] <= m.value));
      const isBad = site === 'access' && i === n - 1;
      let off = b.int(0, m.value - SIZE[sz]);
      if (isBad) {
        const how = b.pick(['over', 'neg', 'far']);
        off = how === 'over' ? m.value - SIZE[sz] + b.int(1, SIZE[sz]) : how === 'neg' ? -b.int(1, 8) : m.value + b.int(0, 64);
        variant += `,acc-${how}`;
      }
      const oo = off < 0 ? `${off}` : `+${off}`;
      const w = b.int(0, 2);
      if (w === 0) b.e(`ldx${sz} r3, [r${base}${oo}]`);
      else if (w === 1) b.e(`st${sz} [r${base}${oo}], ${b.int(-5, 100)}`);
      else b.e(`mov r3, ${b.int(0, 9)}`, `stx${sz} [r${base}${oo}], r3`);
    }
    if (site === 'varoff' || b.chance(0.4)) {
      // A variable index into the value, bounded (or not) by a mask or a branch.
      const w = site === 'varoff' ? b.pick(['and', 'jgt', 'jge', 'jlt', 'mod']) : b.pick(['and', 'jgt', 'jge', 'jlt']);
      const okLim = m.value - 1;
      const lim = site === 'varoff' ? b.pick([m.value, m.value + 3, 0xff, -1]) : b.pick([okLim, Math.max(0, okLim - b.int(0, 3))]);
      b.e(`ldxb r4, [r${base}+0]`);
      if (lim === -1) variant += ',var-unbounded';
      else if (w === 'and') b.e(`and r4, ${lim}`);
      else if (w === 'jgt') b.e(`jgt r4, ${lim}, ${end}`);
      else if (w === 'jge') b.e(`jge r4, ${lim + 1}, ${end}`);
      else if (w === 'jlt') {
        const ok = b.l('in');
        b.e(`jlt r4, ${lim + 1}, ${ok}`, `ja ${end}`);
        b.at(ok);
      } else b.e(`mod r4, ${lim + 1}`);
      if (site === 'varoff' && lim !== -1) variant += `,var-${w}-${lim}`;
      b.e(`add r${base}, r4`, `ldxb r3, [r${base}+0]`);
    }
    if (skip === 'fail' && base === 0 && b.chance(0.4)) {
      b.e('mov r8, r0');
      b.live.set(8, { kind: 'map_value', size: m.value, maybeNull: false });
    } else if (copy) b.live.set(8, { kind: 'map_value', size: m.value, maybeNull: true });
    else b.kill(8);
    b.at(end);
    b.tag('map', variant, bad);
  },
};

/** ALU operations on a scalar with an immediate; 32-bit variants take a `32` suffix. */
const ALU_K = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'lsh', 'rsh', 'arsh', 'div', 'mod'] as const;

/** One random ALU step on `reg` (r2 may be used as a second operand); returns its text. */
function aluStep(b: Builder, reg: number, allowBad: boolean): string {
  const w32 = b.chance(0.3);
  const sfx = w32 ? '32' : '';
  const width = w32 ? 32 : 64;
  const kind = b.int(0, 9);
  if (kind <= 5) {
    const op = b.pick(ALU_K);
    let k: number;
    switch (op) {
      case 'lsh':
      case 'rsh':
      case 'arsh':
        k = allowBad && b.chance(0.15) ? b.pick([width, width + 1, -1]) : b.int(0, width - 1);
        break;
      case 'div':
      case 'mod':
        k = allowBad && b.chance(0.15) ? 0 : b.pick([1, 2, 3, 7, 16, 100]);
        break;
      case 'and':
        k = b.pick([0xf, 0xff, 0x3f, 0x7, 0xffff, 0x1f0, -8, 0x7fffffff]);
        break;
      case 'mul':
        k = b.pick([1, 2, 3, 4, 8, 0x10000, -1]);
        break;
      default:
        k = b.pick([0, 1, 2, 4, 7, 8, 16, 100, -1, -4, -16, 0x7fffffff, -0x80000000]);
    }
    const text = `${op}${sfx} r${reg}, ${k}`;
    b.e(text);
    return text;
  }
  if (kind === 6) {
    const t = b.pick([`neg${sfx} r${reg}`, `mov32 r${reg}, r${reg}`, `movsx832 r${reg}, r${reg}`, `movsx1664 r${reg}, r${reg}`, `movsx3264 r${reg}, r${reg}`, `be16 r${reg}`, `le32 r${reg}`, `bswap64 r${reg}`]);
    b.e(t);
    return t;
  }
  // With a register operand: a constant, or another bounded scalar.
  const op = b.pick(['add', 'sub', 'and', 'or', 'mul', 'rsh', 'lsh', 'xor']);
  if (b.chance(0.5)) b.e(`mov r2, ${b.pick([0, 1, 3, 8, 0xff])}`);
  else {
    ctxByte(b, 2);
    b.e(`and r2, ${b.pick([3, 7, 0xf])}`);
  }
  const t = `${op}${sfx} r${reg}, r2`;
  b.e(t);
  return t;
}

/**
 * Use a scalar as a variable offset into a 16..64-byte stack buffer (or a map value) with a
 * byte access: accepted exactly when the verifier's bounds on `reg` stay inside the buffer.
 */
function boundedUse(b: Builder, reg: number, size = b.pick([16, 32, 64]), top = b.chance(0.65)): string {
  // At the top of the frame an index >= size reaches r10; at the bottom a negative one passes -512.
  const off = top ? -size : -512;
  const how = b.pick(['ldxb', 'stb', 'stxb']);
  b.e('mov r3, r10', `add r3, ${off}`, `add r3, r${reg}`);
  if (how === 'ldxb') b.e('ldxb r0, [r3+0]');
  else if (how === 'stb') b.e('stb [r3+0], 1');
  else b.e(`stxb [r3+0], r${reg}`);
  return `${how}@${top ? '' : 'bottom:'}${size}`;
}

/** A chain of ALU operations on an unknown scalar, optionally clamped, then a bound-dependent access. */
const aluChain: Block = {
  name: 'alu',
  weight: { xdp: 5, tc: 5, sk: 5 },
  emit(b) {
    const bad = b.bad();
    const { src } = scalar(b, 1, true);
    if (b.chance(0.5)) b.e('mov r0, 0');
    const steps = b.int(1, 5);
    const ops: string[] = [];
    for (let i = 0; i < steps; i++) ops.push(aluStep(b, 1, bad).replace(/ r\d, /, ' ').replace(/ r1$/, ''));
    // A clamp makes the access safe whatever the chain did (unless this block is a bad one).
    let clamp = 'none';
    if (!bad && b.chance(0.6)) {
      clamp = b.pick(['and', 'jgt', 'jge']);
      const end = b.l('alu_end');
      if (clamp === 'and') b.e('and r1, 15');
      else if (clamp === 'jgt') b.e(`jgt r1, 15, ${end}`, 'mov r0, 0');
      else b.e(`jge r1, 16, ${end}`, 'mov r0, 0');
      const use = boundedUse(b, 1);
      b.at(end);
      b.tag('alu', `${src}:${ops.join(';')}:${clamp}:${use}`, false);
      return;
    }
    if (b.chance(0.6)) {
      const use = boundedUse(b, 1);
      b.tag('alu', `${src}:${ops.join(';')}:${use}`, bad || 'unsure');
    } else {
      // Just keep the scalar for a later block, with the verifier's view unknown to us.
      b.e('mov r9, r1');
      b.live.set(9, { kind: 'scalar', max: -1 });
      b.tag('alu', `${src}:${ops.join(';')}:keep`, bad || 'unsure');
    }
  },
};

const JOPS = ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jsgt', 'jsge', 'jslt', 'jsle', 'jset'] as const;

/** Branches that narrow a scalar's range (every jump op, JMP32 too), then a bound-dependent access. */
const branches: Block = {
  name: 'branch',
  weight: { xdp: 6, tc: 6, sk: 6 },
  emit(b) {
    const { src } = scalar(b, 1, true);
    const end = b.l('br_end');
    const size = b.pick([16, 32, 64]);
    const conds: string[] = [];
    /** `op r1, k`: skip the use when it holds, or (into) reach the use only when it holds. */
    const cond = (op: string, k: number | string, into: boolean): void => {
      if (into) {
        const body = b.l('br_in');
        b.e(`${op} r1, ${k}, ${body}`, `ja ${end}`);
        b.at(body);
      } else b.e(`${op} r1, ${k}, ${end}`);
      conds.push(`${into ? '+' : '-'}${op}:${k}`);
    };
    const random = (): void => {
      const op = b.pick(JOPS) + (b.chance(0.25) ? '32' : '');
      let k: number | string;
      if (op.startsWith('jset')) k = b.pick([0xf0, -16, 0xfffffff0, 0x80000000, 1, -64]);
      else if (op.startsWith('js')) k = b.pick([0, 1, 15, 16, 63, -1, -16]);
      else k = b.pick([0, 1, 7, 15, 16, 31, 63, 64, 255]);
      if (b.chance(0.2)) {
        // A register bound: a constant in r2, or another ctx scalar.
        if (b.chance(0.6)) b.e(`mov r2, ${k}`);
        else ctxByte(b, 2);
        k = 'r2';
      }
      cond(op, k, b.chance(0.35));
    };
    const before = b.int(0, b.chance(0.4) ? 2 : 0);
    for (let i = 0; i < before; i++) random();
    if (b.chance(0.65)) {
      // A condition meant to bound r1 to [0, size-1]; ob: one too many, or a shape that bounds one side only.
      const ob = b.chance(0.25) ? b.pick([1, size]) : 0;
      const shape = b.pick(['jgt', 'jge', 'jlt', 'jle', 'jset', 'signed', 'signed-only', 'jgt32', 'reg', 'jeq']);
      const m = size - 1 + ob;
      switch (shape) {
        case 'jgt':
          cond('jgt', m, false);
          break;
        case 'jge':
          cond('jge', m + 1, false);
          break;
        case 'jlt':
          cond('jlt', m + 1, true);
          break;
        case 'jle':
          cond('jle', m, true);
          break;
        case 'jset':
          cond('jset', ob === 0 ? -size : -2 * size, false);
          break;
        case 'signed':
          cond('jsgt', m, false);
          cond(b.pick(['jslt', 'jsle']), b.pick([0, -1]), false);
          break;
        case 'signed-only':
          cond('jsgt', m, false);
          break;
        case 'jgt32':
          cond('jgt32', m, false);
          break;
        case 'reg':
          b.e(`mov r2, ${m}`);
          cond(b.pick(['jgt', 'jge']), 'r2', false);
          break;
        default:
          cond('jeq', b.int(0, m), true);
      }
    }
    const after = b.int(0, 1);
    for (let i = 0; i < after; i++) random();
    let use: string;
    if (b.chance(0.2)) {
      // Also use the scalar as a helper size (ARG_CONST_SIZE_OR_ZERO): probe_read_kernel into the buffer.
      const off = b.stack(size);
      b.e('mov r2, r1', 'mov r1, r10', `add r1, ${off}`, 'mov r3, 0', `call ${H.probe_read_kernel}`);
      use = `size@${size}`;
    } else use = boundedUse(b, 1, size);
    b.at(end);
    b.tag('branch', `${src}:${conds.join(';')}:${use}`, 'unsure');
  },
};

/** Spill a pointer or scalar to the stack, maybe clobber part of the slot, fill it back, use it. */
const spill: Block = {
  name: 'spill',
  weight: { xdp: 4, tc: 4, sk: 3 },
  emit(b) {
    const bad = b.bad();
    const site = bad ? b.pick(['misalign', 'partial', 'clobber', 'fill32', 'out']) : '';
    const what = b.pick(b.k.name === 'sk' ? ['ctx', 'fp', 'scalar', 'const'] : ['ctx', 'fp', 'scalar', 'const', 'pkt']);
    const end = b.l('sp_end');
    switch (what) {
      case 'ctx':
        b.e('mov r1, r6');
        break;
      case 'fp':
        b.e('mov r1, r10', `add r1, ${b.stack(16)}`);
        break;
      case 'scalar':
        b.e(`ldxw r1, [r6+${b.pick(b.k.scalars)}]`, `and r1, ${b.pick([7, 15])}`);
        break;
      case 'const':
        b.e(`mov r1, ${b.int(0, 15)}`);
        break;
      case 'pkt':
        pktCheck(b, 1, 3, 4, 8, end, 'gt');
        break;
    }
    let slot = b.stack(8);
    if (site === 'misalign') slot += b.pick([2, 4]);
    if (site === 'out') slot = b.pick([0, 8, -520]);
    const so = slot < 0 ? `${slot}` : `+${slot}`;
    if (site === 'partial') b.e(`stxw [r10${so}], r1`);
    else b.e(`stxdw [r10${so}], r1`);
    if (b.chance(0.3)) b.e('mov r1, 0');
    if (site === 'clobber') {
      const at = slot + b.int(0, 7);
      b.e(`stb [r10${at < 0 ? at : slot}], 0`);
    }
    if (site === 'fill32') b.e(`ldxw r5, [r10${so}]`);
    else b.e(`ldxdw r5, [r10${so}]`);
    // Use the filled value as what it was.
    switch (what) {
      case 'ctx':
        b.e(`ldxw r0, [r5+${b.pick(b.k.scalars)}]`);
        break;
      case 'fp':
        b.e('stdw [r5+0], 1', 'ldxdw r0, [r5+8]');
        break;
      case 'scalar':
      case 'const':
        boundedUse(b, 5);
        break;
      case 'pkt':
        b.e(`ldxdw r0, [r5+0]`);
        break;
    }
    b.at(end);
    b.tag('spill', `${what}${site === '' ? '' : ',' + site}`, bad);
  },
};

/** Small loops: bounded counters (const or range-bounded), infinite ones, may_goto, bpf_loop. */
const loop: Block = {
  name: 'loop',
  weight: { xdp: 4, tc: 4, sk: 4 },
  emit(b) {
    const bad = b.bad();
    const kind = bad ? b.pick(['infinite', 'spin', 'overrun', 'unbounded', 'cbret', 'cbnobtf']) : b.pick(['const', 'const', 'range', 'maygoto', 'down', 'bpfloop']);
    const top = b.l('loop');
    const done = b.l('loop_done');
    switch (kind) {
      case 'const':
      case 'overrun': {
        // r1 counts 0..N step S; the body writes buf[r1] of a 16..64-byte stack buffer.
        const size = b.pick([16, 32, 64]);
        const step = b.pick([1, 1, 2, 4]);
        const n = kind === 'overrun' ? size + step * b.int(1, 2) : b.int(1, Math.min(size, 24));
        const off = b.stack(size);
        const op = b.pick(['jlt', 'jle', 'jne', 'jslt']);
        const last = op === 'jle' ? n - 1 : n;
        const bound = op === 'jne' ? Math.ceil(last / step) * step : last;
        b.e('mov r1, 0');
        b.at(top);
        b.e('mov r2, r10', `add r2, ${off}`, 'add r2, r1', 'stb [r2+0], 0', `add r1, ${step}`, `${op} r1, ${bound}, ${top}`);
        b.tag('loop', `${kind},${op},n=${bound},step=${step},buf=${size}`, bad);
        return;
      }
      case 'range':
      case 'unbounded': {
        // A counter starting from a masked (or unmasked) unknown counts down to zero.
        b.e(`ldxw r1, [r6+${b.pick(b.k.scalars)}]`);
        if (kind === 'range') b.e(`and r1, ${b.pick([7, 15, 31])}`);
        b.e('mov r0, 0');
        b.at(top);
        b.e('add r0, 1', `jeq r1, 0, ${done}`, 'sub r1, 1', `ja ${top}`);
        b.at(done);
        b.tag('loop', kind, bad);
        return;
      }
      case 'down': {
        const n = b.int(1, 40);
        b.e(`mov r1, ${n}`, 'mov r0, 0');
        b.at(top);
        b.e('add r0, r1', 'sub r1, 1', `jsgt r1, 0, ${top}`);
        b.tag('loop', `down,n=${n}`, false);
        return;
      }
      case 'infinite': {
        b.at(top);
        b.e(`ldxw r1, [r6+${b.pick(b.k.scalars)}]`, `jgt r1, ${b.int(0, 10)}, ${top}`);
        b.tag('loop', kind, bad);
        return;
      }
      case 'spin': {
        b.e('mov r1, 0');
        b.at(top);
        b.e('mov r1, 0', `jeq r1, 0, ${top}`);
        b.tag('loop', kind, bad);
        return;
      }
      case 'maygoto': {
        b.e('mov r1, 0');
        b.at(top);
        b.e(`may_goto ${done}`, 'add r1, 1', `ja ${top}`);
        b.at(done);
        b.tag('loop', kind, false);
        return;
      }
      default: {
        // bpf_loop(nr, callback, ctx, 0); the callback returns 0 or 1 (cbret: 2 or its index, refused).
        // A callback needs BTF func_info ("missing btf func_info" without it: cbnobtf).
        if (kind !== 'cbnobtf') b.btfFuncs = true;
        const cb = b.l('cb');
        const nr = b.pick([1, 10, 100, 1000]);
        const ctxArg = b.pick(['0', 'fp']);
        const bufOff = b.stack(8);
        b.e(`mov r1, ${nr}`, `lddw r2, code ${cb}`);
        if (ctxArg === 'fp') b.e(`stdw [r10${bufOff}], 0`, 'mov r3, r10', `add r3, ${bufOff}`);
        else b.e('mov r3, 0');
        b.e('mov r4, 0', `call ${H.loop}`);
        const ret = kind === 'cbret' ? b.pick(['2', 'r1']) : `${b.pick([0, 1])}`;
        const body = ctxArg === 'fp' && b.chance(0.5) ? ['ldxdw r3, [r2+0]', 'add r3, 1', 'stxdw [r2+0], r3'] : [];
        b.tail.push(`${cb}:`, ...body, `mov r0, ${ret}`, 'exit');
        b.tag('loop', `${kind},nr=${nr},ctx=${ctxArg},ret=${ret}`, bad);
      }
    }
  },
};

/** One helper call with the right arguments or one wrong one (type, size, map type, availability). */
const helper: Block = {
  name: 'helper',
  weight: { xdp: 5, tc: 5, sk: 5 },
  emit(b) {
    const bad = b.bad();
    const names: string[] = ['printk', 'probe_read', 'csum_diff', 'update', 'delete', 'redirect', 'ringbuf_output', 'tail_call', 'ktime', 'unavailable'];
    if (b.k.name === 'xdp') names.push('adjust_head', 'adjust_head', 'adjust_tail', 'redirect_map');
    if (b.k.name !== 'xdp') names.push('load_bytes', 'load_bytes');
    if (b.k.name === 'tc') names.push('store_bytes');
    const h = b.pick(names);
    const buf = b.stack(32);
    let variant = h;
    const badArg = (vs: string[]): string => {
      const v = b.pick(vs);
      variant += `,${v}`;
      return v;
    };
    switch (h) {
      case 'printk': {
        const v = bad ? badArg(['size0', 'sizebig', 'sizevar', 'fmtscalar']) : '';
        b.e(`stdw [r10${buf}], 0x0a6425`, `stdw [r10${buf + 8}], 0`);
        b.e(v === 'fmtscalar' ? 'mov r1, 0' : 'mov r1, r10', v === 'fmtscalar' ? '' : `add r1, ${buf}`);
        if (v === 'sizevar') b.e(`ldxw r2, [r6+${b.pick(b.k.scalars)}]`);
        else b.e(`mov r2, ${v === 'size0' ? 0 : v === 'sizebig' ? -buf + 1 : b.pick([4, 8, 16])}`);
        b.e('mov r3, 7', `call ${H.trace_printk}`);
        break;
      }
      case 'probe_read': {
        const v = bad ? badArg(['dstctx', 'sizeneg', 'sizebig', 'dstscalar']) : '';
        if (v === 'dstctx') b.e('mov r1, r6');
        else if (v === 'dstscalar') b.e('mov r1, 8');
        else b.e('mov r1, r10', `add r1, ${buf}`);
        b.e(`mov r2, ${v === 'sizeneg' ? -1 : v === 'sizebig' ? 40 : b.pick([0, 1, 8, 32])}`);
        b.e(`ldxw r3, [r6+${b.pick(b.k.scalars)}]`, `call ${H.probe_read_kernel}`);
        break;
      }
      case 'csum_diff': {
        const v = bad ? badArg(['oddsize', 'fromfp-oob', 'toscalar']) : '';
        b.e(`stdw [r10${buf}], 1`, `stdw [r10${buf + 8}], 2`);
        b.e('mov r1, r10', `add r1, ${v === 'fromfp-oob' ? buf + 24 : buf}`, 'mov r2, 16');
        b.e(v === 'toscalar' ? 'mov r3, 64' : 'mov r3, 0', `mov r4, ${v === 'oddsize' ? 3 : v === 'toscalar' ? 4 : 0}`, 'mov r5, 0', `call ${H.csum_diff}`);
        break;
      }
      case 'update':
      case 'delete': {
        const m = valueMap(b);
        const v = bad ? badArg(h === 'update' ? ['value-short', 'value-ctx', 'key-scalar', 'map-ringbuf'] : ['key-scalar', 'map-ringbuf', 'map-r10']) : '';
        const vo = b.stack(m.value);
        const ko = b.stack(8);
        b.e(`stdw [r10${ko}], ${b.int(0, 3)}`);
        if (v === 'map-ringbuf') b.e(`lddw r1, map_fd ${b.map({ type: MAP.ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096 })}`);
        else if (v === 'map-r10') b.e('mov r1, r10');
        else b.e(`lddw r1, map_fd ${m.idx}`);
        b.e(v === 'key-scalar' ? 'mov r2, 4' : 'mov r2, r10', v === 'key-scalar' ? '' : `add r2, ${ko}`);
        if (h === 'update') {
          if (v === 'value-ctx') b.e('mov r3, r6');
          else b.e('mov r3, r10', `add r3, ${v === 'value-short' ? -b.int(1, Math.min(m.value, 8)) : vo}`);
          b.e(`mov r4, ${b.pick([0, 1, 2])}`, `call ${H.map_update_elem}`);
        } else b.e(`call ${H.map_delete_elem}`);
        break;
      }
      case 'redirect': {
        const v = bad ? badArg(['uninit-r2', 'ptr']) : '';
        b.e(v === 'ptr' ? 'mov r1, r10' : `mov r1, ${b.int(1, 4)}`);
        if (v !== 'uninit-r2') b.e('mov r2, 0');
        b.e(`call ${H.redirect}`);
        if (v === 'uninit-r2') b.tags.push('uninit');
        break;
      }
      case 'ringbuf_output': {
        const v = bad ? badArg(['map-array', 'size-var', 'size-big', 'data-scalar']) : '';
        const rb = v === 'map-array' ? valueMap(b).idx : b.map({ type: MAP.ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096 });
        b.e(`stdw [r10${buf}], 7`, `lddw r1, map_fd ${rb}`);
        b.e(v === 'data-scalar' ? 'mov r2, 0' : 'mov r2, r10', v === 'data-scalar' ? '' : `add r2, ${buf}`);
        if (v === 'size-var') b.e(`ldxw r3, [r6+${b.pick(b.k.scalars)}]`);
        else b.e(`mov r3, ${v === 'size-big' ? 48 : b.pick([8, 16, 32])}`);
        b.e('mov r4, 0', `call ${H.ringbuf_output}`);
        break;
      }
      case 'tail_call': {
        const v = bad ? badArg(['map-array', 'ctx-fp']) : '';
        const pa = v === 'map-array' ? valueMap(b).idx : b.map({ type: MAP.prog_array, keySize: 4, valueSize: 4, maxEntries: b.pick([1, 4, 8]) });
        b.e(v === 'ctx-fp' ? 'mov r1, r10' : 'mov r1, r6', `lddw r2, map_fd ${pa}`, `mov r3, ${b.int(0, 3)}`, `call ${H.tail_call}`);
        break;
      }
      case 'ktime':
        if (bad) variant += ',use-r1';
        b.e(`call ${H.ktime_get_ns}`);
        if (bad) b.e('add r0, r1');
        break;
      case 'unavailable': {
        // bpf_override_return (58) is for kprobes only; 212 is past the last helper id.
        const id = b.pick([58, 300, 212, b.k.name === 'xdp' ? H.skb_load_bytes : H.xdp_adjust_head]);
        variant += `,#${id}`;
        b.e('mov r1, r6', 'mov r2, 0', `call ${id}`);
        b.tag('helper', variant, true);
        return;
      }
      case 'adjust_head':
      case 'adjust_tail': {
        // Changes packet data: every packet pointer is invalidated (a saved one in r7 too).
        const v = bad ? badArg(['stale', 'ctx-fp', 'delta-ptr']) : '';
        const skip = b.fail();
        const hadLive = b.live.get(7)?.kind === 'pkt';
        if (v === 'stale' && !hadLive) {
          pktCheck(b, 7, 3, 4, 4, skip, 'gt');
        }
        b.e(v === 'ctx-fp' ? 'mov r1, r10' : 'mov r1, r6', v === 'delta-ptr' ? 'mov r2, r10' : `mov r2, ${b.pick([-14, -4, 4, 14])}`);
        b.e(`call ${h === 'adjust_head' ? H.xdp_adjust_head : H.xdp_adjust_tail}`);
        b.kill(7);
        if (v === 'stale') b.e('ldxb r0, [r7+0]');
        else {
          pktCheck(b, 2, 3, 4, 2, skip, 'gt');
          b.e('ldxh r0, [r2+0]');
        }
        break;
      }
      case 'redirect_map': {
        const v = bad ? badArg(['map-array']) : '';
        const m = v === 'map-array' ? valueMap(b).idx : b.map({ type: b.pick([14, 16]), keySize: 4, valueSize: 4, maxEntries: 4 });
        b.e(`lddw r1, map_fd ${m}`, 'mov r2, 0', 'mov r3, 0', `call ${H.redirect_map}`);
        break;
      }
      case 'load_bytes':
      case 'store_bytes': {
        const v = bad ? badArg(['len0', 'lenbig', 'to-ctx', 'len-var']) : '';
        b.e('mov r1, r6', `mov r2, ${b.int(0, 20)}`);
        b.e(v === 'to-ctx' ? 'mov r3, r6' : 'mov r3, r10', v === 'to-ctx' ? '' : `add r3, ${buf}`);
        if (v === 'len-var') b.e(`ldxw r4, [r6+${b.pick(b.k.scalars)}]`);
        else b.e(`mov r4, ${v === 'len0' ? 0 : v === 'lenbig' ? 33 : b.pick([1, 4, 14, 32])}`);
        if (h === 'store_bytes') b.e(`stdw [r10${buf}], 0`, `stdw [r10${buf + 8}], 0`, 'mov r5, 0', `call ${H.skb_store_bytes}`);
        else b.e(`call ${H.skb_load_bytes}`);
        break;
      }
    }
    // Helper calls clobber r1..r5; r0 is its result (none after bpf_tail_call).
    if (h !== 'tail_call' && b.chance(0.2)) b.e(`jeq r0, 0, ${b.fail()}`);
    b.tag('helper', variant, bad || (b.k.name === 'sk' && ['redirect', 'csum_diff'].includes(h) ? 'unsure' : false));
  },
};

/** ringbuf_reserve / submit: a reference that must be released exactly once. */
const ringbuf: Block = {
  name: 'ringbuf',
  weight: { xdp: 2, tc: 2, sk: 2 },
  emit(b) {
    const bad = b.bad();
    const site = bad ? b.pick(['nonull', 'leak', 'oob', 'double', 'sizevar', 'submit-fp']) : '';
    const rb = b.map({ type: MAP.ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096 });
    const size = b.pick([8, 16, 24, 64]);
    const end = b.l('rb_end');
    b.e(`lddw r1, map_fd ${rb}`);
    if (site === 'sizevar') b.e(`ldxw r2, [r6+${b.pick(b.k.scalars)}]`);
    else b.e(`mov r2, ${size}`);
    b.e('mov r3, 0', `call ${H.ringbuf_reserve}`);
    if (site !== 'nonull') b.e(`jeq r0, 0, ${end}`);
    const off = site === 'oob' ? size - 4 + b.int(1, 4) : b.int(0, size / 4 - 1) * 4;
    b.e(`stw [r0+${off}], ${b.int(0, 99)}`);
    if (site === 'leak') {
      // no submit: the reference is still held at exit
    } else {
      const rel = b.pick([H.ringbuf_submit, H.ringbuf_discard]);
      b.e(site === 'submit-fp' ? 'mov r1, r10' : 'mov r1, r0', 'mov r2, 0', `call ${rel}`);
      if (site === 'double') b.e('mov r1, r0', 'mov r2, 0', `call ${rel}`);
    }
    b.at(end);
    b.tag('ringbuf', site === '' ? `${size}` : site, bad);
  },
};

/** Pointer arithmetic the verifier allows (constant or bounded steps within the object) and refuses. */
const ptrArith: Block = {
  name: 'ptr',
  weight: { xdp: 4, tc: 4, sk: 4 },
  emit(b) {
    const bad = b.bad();
    // Good: the stack pointer moved within the frame, a ctx copy, neg; bad: everything else.
    const base = bad ? b.pick(['fp', 'fp', 'ctx', 'map_ptr', 'pkt_end']) : b.pick(['fp', 'fp', 'fp', 'ctx']);
    let op: string;
    if (!bad) op = base === 'ctx' ? b.pick(['copy', 'neg']) : b.pick(['const', 'const', 'bounded', 'neg']);
    else if (base === 'map_ptr' || base === 'pkt_end') op = b.pick(['const', 'sub-ptr', 'add32']);
    else if (base === 'ctx') op = b.pick(['const', 'add32', 'and', 'mul', 'ptr+ptr', 'scalar-ptr', 'unbounded', 'mov32']);
    else op = b.pick(['add32', 'and', 'mul', 'ptr+ptr', 'scalar-ptr', 'sub-ptr', 'unbounded', 'oob', 'oob', 'mov32', 'lsh']);
    switch (base) {
      case 'fp':
        b.e('mov r1, r10');
        break;
      case 'ctx':
        b.e('mov r1, r6');
        break;
      case 'map_ptr':
        b.e(`lddw r1, map_fd ${valueMap(b).idx}`);
        break;
      default:
        b.e(`ldxw r1, [r6+${b.k.dataEnd}]`);
    }
    const deref = (): void => {
      if (base === 'fp') b.e('stdw [r1+0], 0', 'ldxdw r0, [r1+0]');
      else if (base === 'ctx') b.e(`ldxw r0, [r1+${b.pick(b.k.scalars)}]`);
      else b.e('ldxw r0, [r1+0]');
    };
    switch (op) {
      case 'copy':
        b.e('mov r2, r1', `ldxw r0, [r2+${b.pick(b.k.scalars)}]`);
        break;
      case 'const':
        b.e(`add r1, ${base === 'fp' ? -8 * b.int(1, 64) : b.pick([4, 8, 16])}`);
        deref();
        break;
      case 'bounded':
        b.e(`ldxw r2, [r6+${b.pick(b.k.scalars)}]`, 'and r2, 0x38', 'add r1, -64', 'add r1, r2', 'ldxdw r0, [r1+0]');
        break;
      case 'oob':
        b.e(`add r1, ${b.pick([0, 8, -520, -513, -516])}`);
        deref();
        break;
      case 'unbounded':
        b.e(`ldxw r2, [r6+${b.pick(b.k.scalars)}]`, 'lsh r2, 32', 'arsh r2, 32', 'add r1, r2');
        deref();
        break;
      case 'add32':
        b.e('add32 r1, 8');
        deref();
        break;
      case 'mov32':
        b.e('mov32 r1, r1');
        deref();
        break;
      case 'and':
        b.e('and r1, -8');
        deref();
        break;
      case 'mul':
        b.e('mul r1, 2');
        break;
      case 'lsh':
        b.e('lsh r1, 1');
        break;
      case 'ptr+ptr':
        b.e('mov r2, r10', 'add r1, r2');
        break;
      case 'scalar-ptr':
        b.e('mov r2, 64', 'sub r2, r1');
        break;
      case 'neg':
        b.e('neg r1', 'mov r0, 0');
        break;
      default:
        // ptr - ptr: refused from the stack pointer and the map/packet-end pointers.
        b.e('mov r2, r1', 'sub r2, r1', 'ldxb r0, [r2+0]');
    }
    b.tag('ptr', `${base},${op}`, bad);
  },
};

/**
 * Two paths that join with different constants in r2 before r2 is used as an offset: the join
 * must not be pruned as equal once r2 is precise (precision tracking through movs, ALU and spills).
 */
const join: Block = {
  name: 'join',
  weight: { xdp: 4, tc: 4, sk: 4 },
  emit(b) {
    const bad = b.bad();
    const size = b.pick([16, 32, 64]);
    const top = b.chance(0.6);
    const inRange = (): number => b.int(0, size - 1);
    const outRange = (): number => (top ? b.pick([size, size + b.int(1, 8)]) : b.pick([-1, -b.int(2, 8)]));
    const paths = b.int(2, 3);
    const badAt = bad ? b.int(0, paths - 1) : -1;
    const vals = Array.from({ length: paths }, (_, i) => (i === badAt ? outRange() : inRange()));
    const { src } = scalar(b, 1, true);
    const join = b.l('join');
    b.e(`mov r2, ${vals[0]}`);
    for (let i = 1; i < paths; i++) {
      const op = b.pick(JOPS) + (b.chance(0.2) ? '32' : '');
      b.e(`${op} r1, ${b.pick([0, 1, 7, 16, 255, -1])}, ${join}`, `mov r2, ${vals[i]}`);
    }
    b.at(join);
    // Carry r2 to the use: directly, through a copy, an ALU step, or a stack spill.
    const via = b.pick(['direct', 'mov', 'add', 'spill', 'spill32']);
    let reg = 2;
    if (via === 'mov') {
      b.e('mov r4, r2');
      reg = 4;
    } else if (via === 'add') {
      // r4 = r2 + 1 - 1: a constant round trip the verifier must track exactly.
      b.e('mov r4, r2', 'add r4, 1', 'sub r4, 1');
      reg = 4;
    } else if (via === 'spill' || via === 'spill32') {
      const o = b.stack(8);
      b.e(via === 'spill' ? `stxdw [r10${o}], r2` : `stxw [r10${o}], r2`, via === 'spill' ? `ldxdw r4, [r10${o}]` : `ldxw r4, [r10${o}]`);
      reg = 4;
    }
    const use = boundedUse(b, reg, size, top);
    // A constant condition source decides the branches (fewer paths); a 32-bit spill loses the sign.
    b.tag('join', `${vals.join('|')},${via},${use}`, src === 'const' || (via === 'spill32' && vals.some((v) => v < 0)) ? 'unsure' : bad);
  },
};

/**
 * A branch the verifier can decide from a constant or a masked range, with a wrong instruction on
 * the side never taken (skipped: accepted); the bad variant's branch cannot be decided.
 */
const dead: Block = {
  name: 'dead',
  weight: { xdp: 3, tc: 3, sk: 3 },
  emit(b) {
    const bad = b.bad();
    const m = b.pick([0, 1, 7, 15, 255]);
    const known = b.chance(0.4);
    if (known) b.e(`mov r1, ${m}`);
    else {
      scalar(b, 1, true);
      b.e(`and r1, ${m}`);
    }
    // Conditions true for every value in [0, m] (or exactly m), and their never-true negations.
    const w = b.chance(0.25) ? '32' : '';
    const d = bad ? -b.int(1, Math.max(1, m)) : b.int(0, 3);
    const always = known
      ? [`jle${w} r1, ${m + d}`, `jge${w} r1, ${bad ? m + 1 : Math.max(0, m - d)}`, `jeq${w} r1, ${bad ? m + 1 : m}`, `jsle${w} r1, ${m + d}`]
      : [`jle${w} r1, ${m + d}`, `jlt${w} r1, ${m + 1 + d}`, `jsge${w} r1, ${bad ? 1 : 0}`, `jne${w} r1, ${m + 1 + Math.max(0, d)}`];
    const never = known ? [`jgt${w} r1, ${m + d}`, `jne${w} r1, ${bad ? m + 1 : m}`, `jset${w} r1, ${bad ? m | 1 : ~m & 0xff00}`] : [`jgt${w} r1, ${m + d}`, `jsgt${w} r1, ${m + d}`, `jset${w} r1, ${bad && m > 0 ? m : 0x100}`];
    const wrong = b.pick(['ldxw r0, [r1+0]', 'stw [r10+8], 0', 'lsh r10, 1', 'ldxdw r0, [r10-520]', 'call 212']);
    const skip = b.l('live');
    if (b.chance(0.5)) {
      const c = b.pick(always);
      if (bad && /^jne/.test(c) && !known) {
        // jne with a constant outside the range is always taken; inside it is not decided.
        b.e(c.replace(/, \d+$/, `, ${Math.max(0, m - 1)}`) + `, ${skip}`);
      } else b.e(`${c}, ${skip}`);
      b.e(wrong);
      b.tag('dead', `${known ? 'const' : 'range'}:${m}:${c}`, bad);
    } else {
      const deadL = b.l('dead');
      const c = b.pick(never);
      b.e(`${c}, ${deadL}`, `ja ${skip}`);
      b.at(deadL);
      b.e(wrong, `ja ${skip}`);
      b.tag('dead', `${known ? 'const' : 'range'}:${m}:${c}`, bad);
    }
    b.at(skip);
  },
};

/** Stack stores and loads at constant offsets: inside, misaligned, past r10, below -512. */
const stack: Block = {
  name: 'stack',
  weight: { xdp: 3, tc: 3, sk: 3 },
  emit(b) {
    const bad = b.bad();
    const n = b.int(1, 4);
    const badAt = bad ? b.int(0, n - 1) : -1;
    const vs: string[] = [];
    for (let i = 0; i < n; i++) {
      const sz = b.pick(MEM);
      let off = b.stack(8);
      if (i === badAt) {
        const how = b.pick(['misalign', 'above', 'below', 'straddle']);
        off = how === 'misalign' ? off + (SIZE[sz] === 1 ? 0 : b.int(1, SIZE[sz] - 1)) : how === 'above' ? b.pick([0, 8]) : how === 'below' ? -512 - SIZE[sz] : -SIZE[sz] + 1;
        if (how === 'misalign' && SIZE[sz] === 1) off = 1;
        vs.push(`${how}-${sz}`);
      } else vs.push(sz);
      const oo = off < 0 ? `${off}` : `+${off}`;
      const k = b.int(0, 3);
      if (k === 0) b.e(`st${sz} [r10${oo}], ${b.int(-9, 9)}`);
      else if (k === 1) b.e(`mov r1, ${b.int(0, 255)}`, `stx${sz} [r10${oo}], r1`);
      else if (k === 2) b.e(`ldx${sz} r1, [r10${oo}]`);
      else b.e(`st${sz} [r10${oo}], 3`, `ldx${sz} r1, [r10${oo}]`, `jgt r1, 3, ${b.fail()}`);
    }
    b.tag('stack', vs.join(','), bad);
  },
};

/** Reading a register that holds nothing: never written, clobbered by a call, or r0 at exit. */
const uninit: Block = {
  name: 'uninit',
  weight: { xdp: 1.2, tc: 1.2, sk: 1.2 },
  emit(b) {
    const bad = b.chance(0.8);
    if (!bad) {
      b.e(`call ${H.get_prandom_u32}`, 'mov r1, r0', 'add r1, 1');
      b.tag('uninit', 'ok', false);
      return;
    }
    const how = b.pick(['clobbered', 'never', 'fp-write', 'r0-after-void']);
    switch (how) {
      case 'clobbered':
        b.e('mov r3, 1', `call ${H.get_prandom_u32}`, 'add r0, r3');
        break;
      case 'never': {
        const free = [7, 8, 9].filter((x) => !b.live.has(x));
        b.e(free.length > 0 ? `mov r0, r${b.pick(free)}` : 'mov r0, r5');
        break;
      }
      case 'fp-write':
        b.e(b.pick(['mov r10, 0', 'add r10, -8']));
        break;
      default: {
        // bpf_tail_call returns nothing (RET_VOID): r0 is unreadable after it.
        const pa = b.map({ type: MAP.prog_array, keySize: 4, valueSize: 4, maxEntries: 4 });
        b.e('mov r1, r6', `lddw r2, map_fd ${pa}`, 'mov r3, 0', `call ${H.tail_call}`, 'add r0, 1');
      }
    }
    b.tag('uninit', how, true);
  },
};

/** Use what an earlier block left in r7..r9 (after a call or a helper that changed the packet). */
const reuse: Block = {
  name: 'reuse',
  weight: { xdp: 3, tc: 3, sk: 3 },
  emit(b) {
    const regs = [...b.live.keys()];
    if (regs.length === 0) {
      const { src } = scalar(b, 9, true);
      b.e(`and r9, ${b.pick([7, 15, 31, 63])}`);
      b.live.set(9, { kind: 'scalar', max: 63 });
      b.tag('reuse', `set-r9:${src}`, false);
      return;
    }
    const r = b.pick(regs);
    const v = b.live.get(r)!;
    const bad = b.bad();
    if (b.chance(0.3)) b.e(`call ${H.ktime_get_ns}`);
    const end = b.l('ru_end');
    let variant: string = v.kind;
    switch (v.kind) {
      case 'pkt': {
        const sz = b.pick(MEM.filter((m) => SIZE[m] <= v.range));
        const off = bad ? v.range - SIZE[sz] + 1 : b.int(0, v.range - SIZE[sz]);
        b.e(`ldx${sz} r0, [r${r}+${off}]`);
        variant += `,range=${v.range},${sz}@${off}`;
        break;
      }
      case 'map_value': {
        if (!bad || !v.maybeNull) b.e(`jeq r${r}, 0, ${end}`);
        const off = bad && !v.maybeNull ? v.size : b.int(0, v.size - 1);
        b.e(`ldxb r0, [r${r}+${off}]`);
        variant += `,vs=${v.size},@${off}${v.maybeNull ? ',maybenull' : ''}`;
        break;
      }
      case 'scalar': {
        if (!bad) b.e(`and r${r}, 15`);
        variant += `,max=${v.max}`;
        boundedUse(b, r);
        break;
      }
      case 'stack':
        b.e(`ldxdw r0, [r${r}+0]`);
        break;
    }
    b.at(end);
    b.tag('reuse', variant, bad);
  },
};

/** Atomic operations on the stack, a map value, the packet or the ctx. */
const atomic: Block = {
  name: 'atomic',
  weight: { xdp: 2, tc: 2, sk: 2 },
  emit(b) {
    const bad = b.bad();
    const target = bad ? b.pick(['pkt', 'ctx', 'misalign', 'uninit-cmpxchg', 'ro-value']) : b.pick(['stack', 'stack', 'map']);
    const op = b.pick(['add', 'fetch add', 'or', 'fetch xor', 'xchg', 'cmpxchg', 'and']);
    const w = b.pick(['', '32']);
    const end = b.l('at_end');
    let reg = 1;
    switch (target) {
      case 'stack':
      case 'misalign':
      case 'uninit-cmpxchg': {
        const slot = b.stack(8);
        b.e(`stdw [r10${slot}], 0`, 'mov r1, r10', `add r1, ${slot + (target === 'misalign' ? b.pick([2, 4]) : 0)}`);
        break;
      }
      case 'map':
      case 'ro-value': {
        const m = target === 'ro-value' ? b.map({ type: MAP.array, keySize: 4, valueSize: 16, maxEntries: 1, flags: 1 << 7 }) : b.map({ type: MAP.array, keySize: 4, valueSize: 16, maxEntries: 1 });
        const ko = b.stack(8);
        b.e(`stw [r10${ko}], 0`, 'mov r2, r10', `add r2, ${ko}`, `lddw r1, map_fd ${m}`, `call ${H.map_lookup_elem}`, `jeq r0, 0, ${end}`, 'mov r1, r0');
        break;
      }
      case 'pkt':
        pktCheck(b, 1, 3, 4, 8, end, 'gt');
        break;
      default:
        b.e('mov r1, r6');
        reg = 1;
    }
    const o = target === 'ctx' ? b.pick(b.k.scalars) : 0;
    if (op === 'cmpxchg' && target !== 'uninit-cmpxchg') b.e('mov r0, 0');
    b.e('mov r2, 1', `lock ${target === 'uninit-cmpxchg' ? 'cmpxchg' : op}${w} [r${reg}+${o}], r2`);
    b.at(end);
    b.tag('atomic', `${target},${op}${w}`, bad);
  },
};

/** Division and modulo: by a register (fine), by a zero immediate (refused). */
const divide: Block = {
  name: 'div',
  weight: { xdp: 1, tc: 1, sk: 1 },
  emit(b) {
    const bad = b.bad();
    const op = b.pick(['div', 'mod', 'sdiv', 'smod']);
    const w = b.pick(['', '32']);
    scalar(b, 1, false);
    if (bad) b.e(`${op}${w} r1, 0`);
    else if (b.chance(0.5)) b.e(`ldxw r2, [r6+${b.pick(b.k.scalars)}]`, `${op}${w} r1, r2`);
    else b.e(`${op}${w} r1, ${b.pick([1, 3, -7, 1000])}`);
    b.tag('div', `${op}${w}${bad ? ',by0' : ''}`, bad);
  },
};

/** Legacy packet loads (ld_abs/ld_ind): only socket filters and tc; they clobber r1..r5. */
const ldAbs: Block = {
  name: 'ldabs',
  weight: { xdp: 0.4, tc: 1.5, sk: 3 },
  emit(b) {
    const sz = b.pick(['b', 'h', 'w']);
    if (b.chance(0.5)) b.e(`ldabs${sz} ${b.int(0, 60)}`);
    else b.e(`ldxw r1, [r6+${b.pick(b.k.scalars)}]`, `and r1, 63`, `ldind${sz} r1, ${b.int(0, 20)}`);
    b.tag('ldabs', sz, b.k.name === 'xdp');
  },
};

/** A bpf-to-bpf call passing a stack pointer, a scalar or the ctx to a static subprogram. */
const subcall: Block = {
  name: 'subcall',
  weight: { xdp: 2, tc: 2, sk: 2 },
  emit(b) {
    const bad = b.bad();
    const site = bad ? b.pick(['callee-r6', 'no-r0', 'callee-oob', 'arg-uninit']) : '';
    const sub = b.l('sub');
    const off = b.stack(16);
    b.e(`stdw [r10${off}], 5`);
    if (site !== 'arg-uninit') b.e('mov r1, r10', `add r1, ${off}`);
    b.e(`call local ${sub}`);
    if (b.chance(0.4)) b.btfFuncs = true;
    if (b.chance(0.5)) b.e(`jgt r0, 100, ${b.fail()}`);
    const body: string[] = [];
    if (site === 'callee-r6') body.push('ldxw r0, [r6+0]');
    else if (site === 'callee-oob') body.push(`ldxdw r0, [r1+${-off}]`);
    else body.push('ldxdw r0, [r1+0]', 'add r0, 1', 'stxdw [r1+8], r0');
    if (site === 'no-r0') body.splice(0, body.length, 'ldxdw r2, [r1+0]');
    b.tail.push(`${sub}:`, ...body, 'exit');
    b.tag('subcall', site === '' ? 'ok' : site, bad);
  },
};

/**
 * References across calls: a socket from bpf_sk_lookup_tcp released by bpf_sk_release (not in
 * socket filters: xdp and tc), a ringbuf record held across a bpf_tail_call, and a bpf_loop
 * callback that reserves a record or tail-calls. Wrong variants: a leak, a release without the
 * NULL check, a double release, a use after release, a tail call holding a reference, a
 * callback that keeps its record or tail-calls.
 */
const refs: Block = {
  name: 'refs',
  weight: { xdp: 4, tc: 4, sk: 2 },
  emit(b) {
    const bad = b.bad();
    const shapes = b.k.name === 'sk' ? ['tail', 'cb'] : ['sock', 'sock', 'tail', 'cb'];
    const shape = b.pick(shapes);
    const end = b.l('ref_end');
    if (shape === 'sock') {
      const site = bad ? b.pick(['leak', 'nonull', 'double', 'uaf']) : '';
      const tuple = b.stack(16);
      b.e(`stdw [r10${tuple}], 0`, `stdw [r10${tuple + 8}], 0`, 'mov r1, r6', 'mov r2, r10', `add r2, ${tuple}`, 'mov r3, 12', 'mov r4, -1', 'mov r5, 0', `call ${H.sk_lookup_tcp}`);
      if (site !== 'nonull') b.e(`jeq r0, 0, ${end}`);
      b.e('mov r7, r0');
      if (site !== 'leak') b.e('mov r1, r7', `call ${H.sk_release}`);
      if (site === 'double') b.e('mov r1, r7', `call ${H.sk_release}`);
      if (site === 'uaf') b.e('ldxw r0, [r7+4]');
      b.at(end);
      b.tag('refs', site === '' ? 'sock' : `sock-${site}`, bad);
      return;
    }
    if (shape === 'tail') {
      // a ringbuf record held (bad) or discarded (good) across a tail call
      const rb = b.map({ type: MAP.ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096 });
      const pa = b.map({ type: MAP.prog_array, keySize: 4, valueSize: 4, maxEntries: 2 });
      b.e(`lddw r1, map_fd ${rb}`, 'mov r2, 8', 'mov r3, 0', `call ${H.ringbuf_reserve}`, `jeq r0, 0, ${end}`, 'mov r7, r0');
      if (!bad) b.e('mov r1, r7', 'mov r2, 0', `call ${H.ringbuf_discard}`);
      b.e('mov r1, r6', `lddw r2, map_fd ${pa}`, `mov r3, ${b.int(0, 1)}`, `call ${H.tail_call}`);
      if (bad) b.e('mov r1, r7', 'mov r2, 0', `call ${H.ringbuf_discard}`);
      b.at(end);
      b.tag('refs', bad ? 'tail-held' : 'tail', bad);
      return;
    }
    // bpf_loop callback that reserves (and submits or keeps) a record, or tail-calls
    b.btfFuncs = true;
    const site = bad ? b.pick(['cb-leak', 'cb-tail']) : 'cb-ref';
    const cb = b.l('cb');
    const cbEnd = b.l('cb_end');
    b.e(`mov r1, ${b.pick([1, 4])}`, `lddw r2, code ${cb}`, 'mov r3, 0', 'mov r4, 0', `call ${H.loop}`);
    const body: string[] = [];
    if (site === 'cb-tail') {
      const pa = b.map({ type: MAP.prog_array, keySize: 4, valueSize: 4, maxEntries: 2 });
      body.push(`lddw r2, map_fd ${pa}`, 'mov r3, 0', `call ${H.tail_call}`);
    } else {
      const rb = b.map({ type: MAP.ringbuf, keySize: 0, valueSize: 0, maxEntries: 4096 });
      body.push(`lddw r1, map_fd ${rb}`, 'mov r2, 8', 'mov r3, 0', `call ${H.ringbuf_reserve}`, `jeq r0, 0, ${cbEnd}`);
      if (site === 'cb-ref') body.push('mov r1, r0', 'mov r2, 0', `call ${H.ringbuf_submit}`);
      body.push(`${cbEnd}:`);
    }
    b.tail.push(`${cb}:`, ...body, 'mov r0, 0', 'exit');
    b.tag('refs', site, bad);
  },
};

/** Value layouts with a `struct bpf_spin_lock` (lock at 0, 4, 8 and 20). */
const LOCK_LAYOUTS: readonly (readonly LockField[])[] = [
  ['long', 'lock', 'int'],
  ['lock', 'int', 'long'],
  ['long', 'long', 'int', 'lock'],
  ['int', 'lock', 'long', 'long'],
];

/** A hash or array map of a lock-holding value (the only two types 6.18 lets hold one in a program's map). */
function lockMap(b: Builder, v: LockValue): number {
  const type = b.pick([MAP.hash, MAP.array]);
  return b.map({ type, keySize: 4, valueSize: v.size, maxEntries: 4, btf: v.btf });
}

/** `rReg = bpf_map_lookup_elem(map, &key)`, jumping to `nul` when NULL (unless `nul` is ''). */
function lookupInto(b: Builder, map: number, reg: number, nul: string, key = 0): string[] {
  const off = b.stack(8);
  const out = [`stw [r10${off}], ${key}`, `lddw r1, map_fd ${map}`, 'mov r2, r10', `add r2, ${off}`, `call ${H.map_lookup_elem}`];
  if (nul !== '') out.push(`jeq r0, 0, ${nul}`);
  out.push(`mov r${reg}, r0`);
  return out;
}

const lockCall = (reg: number, off: number, unlock = false): string[] => [`mov r1, r${reg}`, ...(off !== 0 ? [`add r1, ${off}`] : []), `call ${unlock ? H.spin_unlock : H.spin_lock}`];

/**
 * bpf_spin_lock/unlock pairing on a map value whose BTF holds a `struct bpf_spin_lock`: a locked
 * section writing the value's fields (possibly with another block's code inside), locked on both
 * arms of a branch, around a static subprogram call, inside a bpf_loop callback. Wrong (or
 * unsure) variants: no unlock (exit with the lock held), a second lock, an unlock without lock,
 * a lock at a non-lock offset or at a variable offset, a lock on a value without one, an unlock
 * of a different value's lock, the lock word read or written directly, a lock before the NULL
 * check, helper calls inside the section (refused ones and bpf_loop / tail call), the lock taken
 * or dropped by a subprogram, a callback returning with its lock held.
 */
const locks: Block = {
  name: 'locks',
  weight: { xdp: 3, tc: 3, sk: 3 },
  emit(b) {
    const bad = b.bad();
    const v = lockValue(b.pick(LOCK_LAYOUTS));
    const m = lockMap(b, v);
    const end = b.l('lock_end');
    const fieldStore = (reg: number): string => {
      const f = b.pick(v.fields);
      return f.size === 8 ? `stdw [r${reg}+${f.off}], ${b.int(0, 9)}` : `stw [r${reg}+${f.off}], ${b.int(0, 9)}`;
    };
    const site = bad
      ? b.pick(['no-unlock', 'double', 'unlock-only', 'bad-off', 'var-off', 'nolock-map', 'other-value', 'direct-read', 'direct-write', 'nonull', 'helper', 'helper', 'loop-held', 'tail-held', 'sub-lock', 'sub-unlock', 'cb-held', 'ldabs'])
      : b.pick(['ok', 'ok', 'ok-body', 'ok-branch', 'ok-sub', 'ok-cb', 'ok-two', 'ok-read']);
    let sure: boolean | 'unsure' = bad;
    if (site === 'ok-cb' || site === 'cb-held') {
      b.btfFuncs = true;
      const cb = b.l('lock_cb');
      const cbEnd = b.l('lock_cb_end');
      b.e(`mov r1, ${b.pick([1, 3])}`, `lddw r2, code ${cb}`, 'mov r3, 0', 'mov r4, 0', `call ${H.loop}`);
      const body = [...lookupInto(b, m, 6, cbEnd), ...lockCall(6, v.lockOff), fieldStore(6)];
      if (site === 'ok-cb') body.push(...lockCall(6, v.lockOff, true));
      b.tail.push(`${cb}:`, ...body, `${cbEnd}:`, 'mov r0, 0', 'exit');
      b.tag('locks', site, sure);
      return;
    }
    b.e(...lookupInto(b, m, 9, site === 'nonull' ? '' : end));
    if (site === 'nolock-map') {
      const plain = b.map({ type: MAP.array, keySize: 4, valueSize: v.size, maxEntries: 1 });
      b.e(...lookupInto(b, plain, 8, end), ...lockCall(8, v.lockOff), ...lockCall(8, v.lockOff, true));
    } else if (site === 'unlock-only') b.e(fieldStore(9), ...lockCall(9, v.lockOff, true));
    else if (site === 'bad-off') b.e(...lockCall(9, b.pick([v.lockOff + 4, v.fields[0]!.off, v.size])), ...lockCall(9, v.lockOff, true));
    else if (site === 'var-off') {
      b.e('call 7', 'and r0, 4', 'mov r1, r9', `add r1, ${v.lockOff}`, 'add r1, r0', `call ${H.spin_lock}`, ...lockCall(9, v.lockOff, true));
    } else if (site === 'other-value') {
      const m2 = b.chance(0.5) ? m : lockMap(b, v);
      b.e(...lookupInto(b, m2, 8, end, 1), ...lockCall(9, v.lockOff), fieldStore(9), ...lockCall(8, v.lockOff, true));
    } else if (site === 'ok-two') {
      const m2 = lockMap(b, lockValue(b.pick(LOCK_LAYOUTS)));
      const v2 = b.maps[m2]!;
      const lo2 = LOCK_LAYOUTS.map(lockValue).find((x) => x.btf.hex === v2.btf!.hex)!.lockOff;
      b.e(...lookupInto(b, m2, 8, end, 1), ...lockCall(9, v.lockOff), fieldStore(9), ...lockCall(9, v.lockOff, true), ...lockCall(8, lo2), ...lockCall(8, lo2, true));
    } else if (site === 'ok-branch') {
      const other = b.l('lock_else');
      const join = b.l('lock_join');
      b.e(`ldxw r1, [r6+${b.pick(b.k.scalars)}]`, `jgt r1, ${b.int(0, 100)}, ${other}`, ...lockCall(9, v.lockOff), fieldStore(9), ...lockCall(9, v.lockOff, true), `ja ${join}`);
      b.at(other);
      b.e(...lockCall(9, v.lockOff), ...lockCall(9, v.lockOff, true));
      b.at(join);
    } else if (site === 'ok-sub' || site === 'sub-lock' || site === 'sub-unlock') {
      // a static subprogram called with the lock held (6.18 allows it), taking the lock, or dropping it
      const sub = b.l('lock_sub');
      if (b.chance(0.5)) b.btfFuncs = true;
      if (site === 'ok-sub') {
        b.e(...lockCall(9, v.lockOff), 'mov r1, r9', `call local ${sub}`, ...lockCall(9, v.lockOff, true));
        b.tail.push(`${sub}:`, fieldStore(1), 'mov r0, 0', 'exit');
      } else if (site === 'sub-lock') {
        b.e('mov r1, r9', `call local ${sub}`, ...lockCall(9, v.lockOff, true));
        b.tail.push(`${sub}:`, ...(v.lockOff !== 0 ? [`add r1, ${v.lockOff}`] : []), `call ${H.spin_lock}`, 'mov r0, 0', 'exit');
      } else {
        b.e(...lockCall(9, v.lockOff), 'mov r1, r9', `call local ${sub}`);
        b.tail.push(`${sub}:`, ...(v.lockOff !== 0 ? [`add r1, ${v.lockOff}`] : []), `call ${H.spin_unlock}`, 'mov r0, 0', 'exit');
      }
      sure = site === 'ok-sub' ? false : 'unsure';
    } else {
      b.e(...lockCall(9, site === 'nonull' ? v.lockOff : v.lockOff));
      if (site === 'double') b.e(...lockCall(9, v.lockOff));
      else if (site === 'direct-read') b.e(`ldxw r0, [r9+${v.lockOff}]`);
      else if (site === 'direct-write') b.e(`stw [r9+${v.lockOff}], 0`);
      else if (site === 'helper') b.e(`call ${b.pick([H.ktime_get_ns, H.get_prandom_u32, H.get_smp_processor_id])}`);
      else if (site === 'loop-held') {
        const cb = b.l('lock_cb');
        b.btfFuncs = true;
        b.e('mov r1, 1', `lddw r2, code ${cb}`, 'mov r3, 0', 'mov r4, 0', `call ${H.loop}`);
        b.tail.push(`${cb}:`, 'mov r0, 0', 'exit');
      } else if (site === 'tail-held') {
        const pa = b.map({ type: MAP.prog_array, keySize: 4, valueSize: 4, maxEntries: 2 });
        b.e('mov r1, r6', `lddw r2, map_fd ${pa}`, 'mov r3, 0', `call ${H.tail_call}`);
      } else if (site === 'ldabs') b.e('ldabsb 0');
      else if (site === 'ok-read') b.e(`ldx${v.fields[0]!.size === 8 ? 'dw' : 'w'} r0, [r9+${v.fields[0]!.off}]`, `stx${v.fields[0]!.size === 8 ? 'dw' : 'w'} [r9+${v.fields[0]!.off}], r0`);
      else b.e(fieldStore(9));
      if (site === 'ok-body') {
        // another block's code inside the section: refused when it calls a helper
        const inner = pickBlock(b);
        if (inner !== locks) inner.emit(b);
        sure = 'unsure';
      }
      if (site !== 'no-unlock') b.e(...lockCall(9, v.lockOff, true));
    }
    b.at(end);
    b.kill(8);
    b.kill(9);
    b.tag('locks', site, sure);
  },
};

/** Every block, with its weight per program kind. */
export const BLOCKS: readonly Block[] = [pkt, pktVar, mapLookup, aluChain, branches, spill, loop, helper, ringbuf, ptrArith, stack, uninit, reuse, atomic, divide, ldAbs, subcall, join, dead, refs, locks];

// --- Programs -------------------------------------------------------------------------------------

function pickBlock(b: Builder): Block {
  const total = BLOCKS.reduce((s, x) => s + x.weight[b.k.name], 0);
  let t = (b.r.u32() / 0x100000000) * total;
  for (const x of BLOCKS) {
    t -= x.weight[b.k.name];
    if (t < 0) return x;
  }
  return BLOCKS[BLOCKS.length - 1]!;
}

/**
 * What a run generates: `standard` draws every block by weight; `locks` makes one block of each
 * program (at a random position) the {@link locks} block, the others drawn as usual.
 */
export type Shape = 'standard' | 'locks';
export const SHAPES: readonly Shape[] = ['standard', 'locks'];

/** One attempt: the program text, or undefined when it does not fit the slot bounds. */
function attempt(r: Prng, nBlocks: number, shape: Shape): { b: Builder; asm: string; slots: number } | undefined {
  const kind = r.pick([XDP, XDP, XDP, XDP, XDP, TC, TC, TC, SK, SK]);
  const b = new Builder(r, kind);
  b.e('mov r6, r1');
  if (r.chance(0.08)) b.progFlags = 1; // BPF_F_STRICT_ALIGNMENT
  const forced = shape === 'locks' ? r.int(0, nBlocks - 1) : -1;
  for (let i = 0; i < nBlocks; i++) (i === forced ? locks : pickBlock(b)).emit(b);
  // Epilogue: a return value (rarely none, or a pointer).
  const ret = r.int(0, 39);
  if (ret === 0) b.tags.push('ret(!none)');
  else if (ret === 1) {
    b.e('mov r0, r10');
    b.tags.push('ret(ptr)');
  } else b.e(`mov r0, ${r.pick(kind.rets)}`);
  b.e('exit');
  if (b.failUsed) b.e('fail:', 'mov r0, 0', 'exit');
  b.e(...b.tail);
  const asm = b.lines.filter((l) => l !== '').join('\n') + '\n';
  const slots = assemble(asm).length;
  if (slots > MAX_SLOTS) return undefined;
  if (slots < MIN_SLOTS) {
    // Pad with a harmless scalar op before the prologue's end.
    const pad = Array.from({ length: MIN_SLOTS - slots }, () => `mov r${r.int(1, 5)}, ${r.int(0, 9)}`);
    const lines = [b.lines[0]!, ...pad, ...b.lines.slice(1)].filter((l) => l !== '');
    return { b, asm: lines.join('\n') + '\n', slots: MIN_SLOTS };
  }
  return { b, asm, slots };
}

/** The program of a seed and shape (deterministic); named `fuzz-<seed>` (standard) or `fuzz-<shape>-<seed>`. */
export function generate(seed: number, shape: Shape = 'standard'): FuzzCase {
  const r = new Prng(seed);
  const want = r.pick([1, 1, 2, 2, 2, 3, 3]);
  for (let n = want, tries = 0; ; tries++) {
    const got = attempt(r, n, shape);
    if (got !== undefined) {
      const { b, asm } = got;
      const c: { -readonly [K in keyof FuzzCase]: FuzzCase[K] } = {
        name: shape === 'standard' ? `fuzz-${seed}` : `fuzz-${shape}-${seed}`,
        rule: 'fuzz',
        what: `${b.k.name}: ${b.tags.join(' ')}`,
        progType: b.k.progType,
        asm,
        seed,
        tags: b.tags,
      };
      if (b.maps.length > 0) c.maps = b.maps;
      if (b.progFlags !== 0) c.progFlags = b.progFlags;
      if (b.btfFuncs) c.btfFuncs = true;
      return c;
    }
    if (tries % 3 === 2 && n > 1) n--;
  }
}

/** The cases of seeds start, start+1, ..., start+count-1. */
export function generateMany(start: number, count: number, shape: Shape = 'standard'): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; i < count; i++) out.push(generate((start + i) >>> 0, shape));
  return out;
}

/** A stable 32-bit FNV-1a hash of a case's program and setup (the CI slice checks generator drift). */
export function caseHash(c: VerifierCase): string {
  const text = JSON.stringify([c.progType, c.progFlags ?? 0, c.asm, c.maps ?? [], c.btfFuncs === true]);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
