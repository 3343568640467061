/**
 * Tests for src/verifier/scalar.ts, in three layers:
 *
 * 1. Golden replay: verbatim level-2 verifier logs printed by Linux 6.18.44 (x86-64, root) are
 *    replayed instruction by instruction; before each instruction the registers take the state
 *    the kernel printed last, the instruction is applied with scalar.ts, and the result must
 *    print exactly as the kernel printed it. Branch decisions are checked too (which successors
 *    the kernel explored). The logs (end of this file) were obtained by loading raw instruction
 *    sequences with bpf(BPF_PROG_LOAD) as BPF_PROG_TYPE_SOCKET_FILTER with log_level 2 (a small C
 *    loader, plus an ARRAY map for the load case) and keeping the instruction lines and the
 *    `from N to M:` lines. The curated programs name what they probe; the "random program"
 *    entries are randomly generated ALU/jump sequences over four unknown scalars.
 * 2. Soundness against brute force: scalars built from small concrete value sets; every concrete
 *    result of an op on members must be a member of the abstract result, branch decisions must
 *    never contradict a concrete pair, and narrowing must keep every pair that takes that side.
 * 3. API details (constructors, formatting rules, sync/sanity, pruning helpers).
 */
import { describe, expect, it } from 'vitest';
import * as S from '../../src/verifier/scalar.js';
import type { Scalar } from '../../src/verifier/scalar.js';
import { tnumConst, tnumIsConst } from '../../src/verifier/tnum.js';

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;
const u64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const s64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const u32 = (x: bigint): bigint => BigInt.asUintN(32, x);
const s32 = (x: bigint): bigint => BigInt.asIntN(32, x);

// --- reading the kernel's text ----------------------------------------------------------------

/** A register as printed: a scalar, or anything else (pointers, fp, ctx). */
type RegText = { kind: 'scalar'; s: Scalar; id: string | null } | { kind: 'other' };

/** Parses a number as the log prints it: decimal (maybe negative) or `0x` hex bit pattern. */
function parseNum(t: string): bigint {
  return t.startsWith('0x') ? BigInt(t) : BigInt(t);
}

/**
 * Rebuilds the five views from the kernel's text (the text is lossless: omitted views are the
 * defaults, grouped names share one value, hex signed values are bit patterns of their width).
 */
function parseRegText(text: string): RegText {
  const t = text.replace(/^P/, '');
  if (/^-?\d+$/.test(t) || /^0x[0-9a-f]+$/.test(t)) {
    const v = parseNum(t);
    return { kind: 'scalar', s: S.scalarConst(v), id: null };
  }
  const m = /^scalar\((.*)\)$/.exec(t);
  if (!m) return { kind: 'other' };
  const f = {
    smin: -(1n << 63n),
    smax: (1n << 63n) - 1n,
    umin: 0n,
    umax: M64,
    s32min: -(1n << 31n),
    s32max: (1n << 31n) - 1n,
    u32min: 0n,
    u32max: M32,
    var: { value: 0n, mask: M64 },
  };
  let id: string | null = null;
  const body = m[1]!;
  const varOff = /var_off=\((0x[0-9a-f]+); (0x[0-9a-f]+)\)/.exec(body);
  if (varOff) f.var = { value: BigInt(varOff[1]!), mask: BigInt(varOff[2]!) };
  for (const part of body.replace(/,?var_off=\([^)]*\)/, '').split(',')) {
    if (part === '') continue;
    const names = part.split('=');
    const val = names.pop()!;
    if (names[0] === 'id') {
      id = val;
      continue;
    }
    const v = parseNum(val);
    for (const n of names) {
      if (n === 'smin' || n === 'smax') f[n] = s64(v);
      else if (n === 'umin' || n === 'umax') f[n] = u64(v);
      else if (n === 'smin32') f.s32min = s32(v);
      else if (n === 'smax32') f.s32max = s32(v);
      else if (n === 'umin32') f.u32min = u32(v);
      else if (n === 'umax32') f.u32max = u32(v);
      else throw new Error(`unknown attribute ${n} in ${text}`);
    }
  }
  return { kind: 'scalar', s: f, id };
}

/** The kernel's text without what the caller adds (the `P` mark and the `id=` attribute). */
function normalize(text: string): string {
  return text
    .replace(/^P/, '')
    .replace(/id=\d+(?:[-+]\d+)?,?/, '')
    .replace(/,\)$/, ')');
}

const REG_RE = /R(\d+)=((?:[^ (]|\((?:[^()]|\([^()]*\))*\))+)/g;

function parseRegs(text: string | undefined): Map<number, string> {
  const out = new Map<number, string>();
  if (text) for (const x of text.matchAll(REG_RE)) out.set(Number(x[1]), x[2]!);
  return out;
}

interface InsnLine {
  kind: 'insn';
  pc: number;
  code: number;
  text: string;
  regs: Map<number, string>;
  /** `verifier bug: ...` lines printed while the instruction was checked. */
  bugs: string[];
}
interface FromLine {
  kind: 'from';
  from: number;
  to: number;
  regs: Map<number, string>;
}
type Line = InsnLine | FromLine;

function parseLog(log: string): Line[] {
  const out: Line[] = [];
  for (const l of log.split('\n')) {
    if (l === '') continue;
    if (l.startsWith('verifier bug: ')) {
      const last = out[out.length - 1];
      if (last?.kind !== 'insn') throw new Error(`stray line: ${l}`);
      last.bugs.push(l);
      continue;
    }
    let m = /^(\d+): \(([0-9a-f]{2})\) (.*?)(?:\s+; (.*))?$/.exec(l);
    if (m) {
      out.push({ kind: 'insn', pc: Number(m[1]), code: parseInt(m[2]!, 16), text: m[3]!, regs: parseRegs(m[4]), bugs: [] });
      continue;
    }
    m = /^from (\d+) to (\d+): (.*)$/.exec(l);
    if (m) {
      out.push({ kind: 'from', from: Number(m[1]), to: Number(m[2]), regs: parseRegs(m[3]) });
      continue;
    }
    throw new Error(`unparsed log line: ${l}`);
  }
  return out;
}

const ALU_OPS: Record<string, number> = {
  '+=': S.BPF_ADD,
  '-=': S.BPF_SUB,
  '*=': S.BPF_MUL,
  '/=': S.BPF_DIV,
  's/=': S.BPF_DIV,
  '|=': S.BPF_OR,
  '&=': S.BPF_AND,
  '<<=': S.BPF_LSH,
  '>>=': S.BPF_RSH,
  '%=': S.BPF_MOD,
  's%=': S.BPF_MOD,
  '^=': S.BPF_XOR,
  's>>=': S.BPF_ARSH,
};

/** What replaying one golden log found. */
interface ReplayResult {
  mismatches: string[];
  compared: number;
  branches: number;
  forks: number;
}

/**
 * Replays a kernel log. Register state between instructions is whatever the kernel printed last
 * (so each comparison checks one operation, and linked-register updates the core does are not
 * needed); a register that changed without being printed is "stale" and not compared.
 */
function replay(log: string): ReplayResult {
  const lines = parseLog(log);
  type St = Map<number, RegText | 'stale'>;
  let st: St = new Map([
    [1, { kind: 'other' }],
    [10, { kind: 'other' }],
  ]);
  const pending = new Map<number, Map<number, Scalar>>();
  const res: ReplayResult = { mismatches: [], compared: 0, branches: 0, forks: 0 };
  const check = (where: string, reg: number, want: Scalar, printed: string | undefined): void => {
    if (printed === undefined) return;
    res.compared++;
    const got = S.formatScalar(want);
    if (got !== normalize(printed)) res.mismatches.push(`${where} R${reg}: kernel ${printed}, scalar.ts ${got}`);
  };
  const adopt = (regs: Map<number, string>): void => {
    for (const [r, t] of regs) st.set(r, parseRegText(t));
  };
  const scalarOf = (r: number): Scalar | null => {
    const x = st.get(r);
    return x && x !== 'stale' && x.kind === 'scalar' ? x.s : null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.kind === 'from') {
      const want = pending.get(line.from);
      if (want) for (const [r, s] of want) check(`from ${line.from}`, r, s, line.regs.get(r));
      st = new Map([[10, { kind: 'other' }]]);
      adopt(line.regs);
      continue;
    }
    const { pc, code, text, regs } = line;
    const cls = code & 7;
    const where = `${pc}: ${text}`;
    if (cls === 4 || cls === 7) {
      const is64 = cls === 7;
      const op = code & 0xf0;
      let m: RegExpExecArray | null;
      let dst: number;
      let result: Scalar | null = null;
      if (op === S.BPF_END) {
        m = /^r(\d+) = (be|le|bswap)(\d+) r\d+$/.exec(text)!;
        dst = Number(m[1]);
        const d = scalarOf(dst);
        if (d) result = S.scalarEnd(m[2] as 'be' | 'le' | 'bswap', Number(m[3]) as 16 | 32 | 64, d);
      } else if (op === S.BPF_NEG) {
        m = /^[rw](\d+) = -[rw]\d+$/.exec(text)!;
        dst = Number(m[1]);
        const d = scalarOf(dst);
        if (d) result = S.scalarAlu(S.BPF_NEG, d, d, is64);
      } else if (op === S.BPF_MOV) {
        m = /^[rw](\d+) = (?:\(s(\d+)\))?(?:[rw](\d+)|(-?\d+))$/.exec(text)!;
        dst = Number(m[1]);
        const off = m[2] ? Number(m[2]) : 0;
        const src = m[3] !== undefined ? scalarOf(Number(m[3])) : S.scalarConst(BigInt(m[4]!));
        if (src) result = S.scalarAlu(S.BPF_MOV, S.scalarUnknown(), src, is64, off);
      } else {
        m = /^[rw](\d+) (\S+) (?:[rw](\d+)|(-?\d+))$/.exec(text)!;
        dst = Number(m[1]);
        const d = scalarOf(dst);
        const src = m[3] !== undefined ? scalarOf(Number(m[3])) : S.scalarConst(BigInt(m[4]!));
        const aop = ALU_OPS[m[2]!];
        if (aop === undefined) throw new Error(`unknown ALU text ${text}`);
        if (d && src) {
          // and/or by a constant may split the path: the pushed state re-runs this instruction.
          const fork = S.maybeForkScalars(aop, d, src);
          if (fork) {
            res.forks++;
            pending.set(pc, new Map([[dst, fork.pushed]]));
          }
          result = S.scalarAlu(aop, fork ? fork.cur : d, src, is64, m[2]!.startsWith('s/') || m[2]!.startsWith('s%') ? 1 : 0);
        }
      }
      if (result) check(where, dst, result, regs.get(dst));
      else st.set(dst, 'stale');
    } else if (code === 0x18) {
      const m = /^r(\d+) = (0x[0-9a-f]+)$/.exec(text)!;
      const t = regs.get(Number(m[1]));
      if (t && parseRegText(t).kind === 'scalar') check(where, Number(m[1]), S.scalarConst(BigInt(m[2]!)), t);
    } else if (cls === 1) {
      const m = /^r(\d+) = \*\(([us])(\d+) \*\)\(r\d+ [+-]\d+\)$/.exec(text)!;
      const bytes = (Number(m[3]) / 8) as 1 | 2 | 4 | 8;
      const t = regs.get(Number(m[1]));
      if (t && parseRegText(t).kind === 'scalar') check(where, Number(m[1]), S.scalarFromWidth(bytes, m[2] === 's'), t);
    } else if (cls === 5 || cls === 6) {
      let m = /^call (\w+)#(\d+)$/.exec(text);
      if (m) {
        for (let r = 1; r <= 5; r++) st.set(r, 'stale');
        if (m[1] === 'bpf_get_prandom_u32') check(where, 0, S.scalarUnknown(), regs.get(0));
      } else if (text === 'exit') {
        // nothing
      } else {
        m = /^if ([rw])(\d+) (\S+) (?:[rw](\d+)|0x([0-9a-f]+)) goto pc([+-]\d+)$/.exec(text);
        if (!m) throw new Error(`unknown jump text ${text}`);
        const is32 = cls === 6;
        const op = code & 0xf0;
        const dst = Number(m[2]);
        const srcReg = m[4] !== undefined ? Number(m[4]) : null;
        const a = scalarOf(dst);
        const b = srcReg !== null ? scalarOf(srcReg) : S.scalarConst(BigInt.asIntN(32, BigInt(`0x${m[5]!}`)));
        const target = pc + 1 + Number(m[6]);
        let next: Line | undefined;
        for (let j = i + 1; j < lines.length && !next; j++) if (lines[j]!.kind === 'insn') next = lines[j];
        const fallThrough = next !== undefined && next.kind === 'insn' && next.pc === pc + 1;
        const takenFrom = lines.some((x) => x.kind === 'from' && x.from === pc);
        const kernelPred = fallThrough ? (takenFrom ? -1 : 0) : 1;
        if (a && b) {
          res.branches++;
          const pred = S.isBranchTaken(op, a, b, is32);
          if (pred !== kernelPred) res.mismatches.push(`${where}: kernel decided ${kernelPred}, scalar.ts ${pred}`);
          else if (pred === -1) {
            const sameReg = srcReg === dst;
            const n = S.regSetMinMax(op, a, b, is32, sameReg);
            const [fa, fb] = n.fallThrough;
            const [ta, tb] = n.taken;
            res.compared += line.bugs.length + n.log.length;
            if (n.log.join('\n') !== line.bugs.join('\n')) res.mismatches.push(`${where}: kernel logged ${JSON.stringify(line.bugs)}, scalar.ts ${JSON.stringify(n.log)}`);
            check(`${where} (fall-through)`, dst, fa, regs.get(dst));
            if (srcReg !== null && !sameReg) check(`${where} (fall-through)`, srcReg, fb, regs.get(srcReg));
            const want = new Map([[dst, ta]]);
            if (srcReg !== null && !sameReg) want.set(srcReg, tb);
            pending.set(pc, want);
            // Registers linked to the narrowed ones changed without being printed.
            for (const r of [dst, srcReg]) {
              const x = r === null ? undefined : st.get(r);
              if (x && x !== 'stale' && x.kind === 'scalar' && x.id !== null) {
                for (const [o, y] of st) if (o !== r && y !== 'stale' && y.kind === 'scalar' && y.id?.split(/[-+]/)[0] === x.id.split(/[-+]/)[0]) st.set(o, 'stale');
              }
            }
          }
        }
        void target;
      }
    }
    adopt(regs);
  }
  return res;
}

describe('golden replay of Linux 6.18.44 verifier logs', () => {
  let compared = 0;
  let branches = 0;
  let forks = 0;
  for (const g of GOLDEN) {
    it(g.name, () => {
      const r = replay(g.log);
      expect(r.mismatches).toEqual([]);
      expect(r.compared).toBeGreaterThan(0);
      compared += r.compared;
      branches += r.branches;
      forks += r.forks;
    });
  }
  it('notices a wrong number and a wrong branch decision', () => {
    const log = GOLDEN[0]!.log;
    expect(replay(log.replace('smax32=254', 'smax32=253')).mismatches.length).toBeGreaterThan(0);
    // Drop the fall-through lines of `if r6 > 0xa`: the kernel would then have decided "taken".
    expect(replay(log.replace(/^6: .*\n7: .*\n/m, '')).mismatches.join()).toContain('kernel decided 1');
  });
  it('compared many registers and branches', () => {
    expect(compared).toBeGreaterThan(500);
    expect(branches).toBeGreaterThan(80);
    expect(forks).toBeGreaterThanOrEqual(3);
  });
});

// --- soundness against brute force ------------------------------------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const BASES = [0n, 1n, 5n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn, 1n << 32n, (1n << 63n) - 1n, 1n << 63n, M64, u64(-3n), u64(-200n)];

/** A small set of u64 values clustered around an interesting base. */
function randValues(r: () => number): bigint[] {
  const base = r() < 0.75 ? BASES[Math.floor(r() * BASES.length)]! : (BigInt(Math.floor(r() * 0x100000000)) << 32n) | BigInt(Math.floor(r() * 0x100000000));
  const spread = [2, 8, 64, 300, 70000][Math.floor(r() * 5)]!;
  const n = 1 + Math.floor(r() * 5);
  const out = new Set<bigint>();
  for (let i = 0; i < n; i++) out.add(u64(base + BigInt(Math.floor(r() * spread) - Math.floor(spread / 2))));
  return [...out];
}

/**
 * An abstract scalar holding `vals`: the exact hull of each view, optionally loosened (some
 * views forgotten) so the ops also see imprecise inputs, then synced.
 */
function abstractOf(vals: readonly bigint[], r: () => number, loosen = true): Scalar {
  const minmax = (xs: bigint[]): [bigint, bigint] => [xs.reduce((a, b) => (a < b ? a : b)), xs.reduce((a, b) => (a > b ? a : b))];
  const [umin, umax] = minmax([...vals]);
  const [smin, smax] = minmax(vals.map(s64));
  const [u32min, u32max] = minmax(vals.map(u32));
  const [s32min, s32max] = minmax(vals.map((v) => s32(v)));
  let same = M64;
  for (const v of vals) same &= ~(v ^ vals[0]!) & M64;
  const s: { -readonly [K in keyof Scalar]: Scalar[K] } = {
    var: { value: vals[0]! & same, mask: ~same & M64 },
    smin,
    smax,
    umin,
    umax,
    s32min,
    s32max,
    u32min,
    u32max,
  };
  if (loosen && r() < 0.3) s.var = { value: 0n, mask: M64 };
  if (loosen && r() < 0.2) [s.umin, s.umax] = [0n, M64];
  if (loosen && r() < 0.2) [s.smin, s.smax] = [-(1n << 63n), (1n << 63n) - 1n];
  if (loosen && r() < 0.3) [s.u32min, s.u32max, s.s32min, s.s32max] = [0n, M32, -(1n << 31n), (1n << 31n) - 1n];
  const synced = S.boundsSync(s);
  if (synced === null) throw new Error('sync of a sound abstraction failed');
  return synced;
}

function sext(v: bigint, bits: number): bigint {
  return BigInt.asIntN(bits, v);
}

/** RFC 9669 ALU semantics (independent of scalar.ts); results are u64. */
function concreteAlu(op: number, a: bigint, b: bigint, is64: boolean, off: number): bigint {
  const bits = is64 ? 64 : 32;
  const w = (x: bigint): bigint => BigInt.asUintN(bits, x);
  const sw = (x: bigint): bigint => BigInt.asIntN(bits, x);
  const x = w(a);
  const y = w(b);
  const sh = BigInt(Number(y) & (bits - 1));
  switch (op) {
    case S.BPF_ADD:
      return w(x + y);
    case S.BPF_SUB:
      return w(x - y);
    case S.BPF_MUL:
      return w(x * y);
    case S.BPF_DIV:
      if (y === 0n) return 0n;
      return off === 1 ? w(sw(x) / sw(y)) : x / y;
    case S.BPF_MOD:
      if (y === 0n) return x;
      return off === 1 ? w(sw(x) % sw(y)) : x % y;
    case S.BPF_OR:
      return x | y;
    case S.BPF_AND:
      return x & y;
    case S.BPF_XOR:
      return x ^ y;
    case S.BPF_LSH:
      return w(x << sh);
    case S.BPF_RSH:
      return x >> sh;
    case S.BPF_ARSH:
      return w(sw(x) >> sh);
    case S.BPF_NEG:
      return w(-x);
    case S.BPF_MOV:
      return off === 0 ? y : w(sext(b, off));
    default:
      throw new Error(`op ${op}`);
  }
}

function swapBytes(v: bigint, bytes: number): bigint {
  let out = 0n;
  for (let i = 0; i < bytes; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Whether `a OP b` holds at run time (64-bit or JMP32). */
function concreteCond(op: number, a: bigint, b: bigint, is32: boolean): boolean {
  const x = is32 ? u32(a) : a;
  const y = is32 ? u32(b) : b;
  const sx = is32 ? s32(a) : s64(a);
  const sy = is32 ? s32(b) : s64(b);
  switch (op) {
    case S.BPF_JEQ:
      return x === y;
    case S.BPF_JNE:
      return x !== y;
    case S.BPF_JGT:
      return x > y;
    case S.BPF_JGE:
      return x >= y;
    case S.BPF_JLT:
      return x < y;
    case S.BPF_JLE:
      return x <= y;
    case S.BPF_JSGT:
      return sx > sy;
    case S.BPF_JSGE:
      return sx >= sy;
    case S.BPF_JSLT:
      return sx < sy;
    case S.BPF_JSLE:
      return sx <= sy;
    case S.BPF_JSET:
      return (x & y) !== 0n;
    default:
      throw new Error(`jmp ${op}`);
  }
}

const ALU_CASES: [number, number][] = [
  [S.BPF_ADD, 0],
  [S.BPF_SUB, 0],
  [S.BPF_MUL, 0],
  [S.BPF_DIV, 0],
  [S.BPF_DIV, 1],
  [S.BPF_MOD, 0],
  [S.BPF_MOD, 1],
  [S.BPF_OR, 0],
  [S.BPF_AND, 0],
  [S.BPF_XOR, 0],
  [S.BPF_LSH, 0],
  [S.BPF_RSH, 0],
  [S.BPF_ARSH, 0],
  [S.BPF_NEG, 0],
  [S.BPF_MOV, 0],
  [S.BPF_MOV, 8],
  [S.BPF_MOV, 16],
  [S.BPF_MOV, 32],
];
const JMPS = [S.BPF_JEQ, S.BPF_JNE, S.BPF_JGT, S.BPF_JGE, S.BPF_JLT, S.BPF_JLE, S.BPF_JSGT, S.BPF_JSGE, S.BPF_JSLT, S.BPF_JSLE, S.BPF_JSET];

describe('soundness against brute force', () => {
  const TRIALS = 160;

  it('every concrete ALU result is a member of the abstract result (64- and 32-bit)', () => {
    const r = rng(1234);
    for (let t = 0; t < TRIALS; t++) {
      const va = randValues(r);
      // Shift amounts: half the time a small constant set so the shift is actually computed.
      const vb = r() < 0.3 ? [BigInt(Math.floor(r() * 64))] : randValues(r);
      const a = abstractOf(va, r);
      const b = abstractOf(vb, r);
      for (const is64 of [true, false]) {
        for (const [op, off] of ALU_CASES) {
          if (op === S.BPF_MOV && off === 32 && !is64) continue;
          const res = S.scalarAlu(op, a, b, is64, off);
          for (const x of va) {
            for (const y of vb) {
              const c = concreteAlu(op, x, y, is64, off);
              if (!S.scalarContains(res, c)) {
                throw new Error(
                  `op ${op.toString(16)} off ${off} is64 ${is64}: ${x} op ${y} = ${c} not in ${S.formatScalar(res)} (a=${S.formatScalar(a)} b=${S.formatScalar(b)})`,
                );
              }
            }
          }
        }
      }
    }
  });

  it('byte swaps, truncation, sign extension and zero extension contain every concrete result', () => {
    const r = rng(77);
    for (let t = 0; t < TRIALS; t++) {
      const va = randValues(r);
      const a = abstractOf(va, r);
      for (const x of va) {
        for (const bits of [16, 32, 64] as const) {
          const mask = (1n << BigInt(bits)) - 1n;
          expect(S.scalarContains(S.scalarEnd('bswap', bits, a), swapBytes(x, bits / 8))).toBe(true);
          expect(S.scalarContains(S.scalarEnd('be', bits, a), swapBytes(x, bits / 8))).toBe(true);
          expect(S.scalarContains(S.scalarEnd('le', bits, a), x & mask)).toBe(true);
        }
        for (const bytes of [1, 2, 4] as const) {
          const m = (1n << BigInt(bytes * 8)) - 1n;
          expect(S.scalarContains(S.scalarCoerce(a, bytes), x & m)).toBe(true);
          expect(S.scalarContains(S.scalarCoerceSx(a, bytes), u64(sext(x, bytes * 8)))).toBe(true);
        }
        for (const bytes of [1, 2] as const) {
          expect(S.scalarContains(S.scalarCoerceSubregSx(a, bytes), u32(sext(x, bytes * 8)))).toBe(true);
        }
        expect(S.scalarContains(S.scalarZext32(a), u32(x))).toBe(true);
      }
    }
  });

  it('branch decisions never contradict a concrete pair, and narrowing keeps every pair on its side', () => {
    const r = rng(4321);
    let decided = 0;
    let narrowed = 0;
    for (let t = 0; t < TRIALS * 1.5; t++) {
      const va = randValues(r);
      const vb = r() < 0.5 ? [va[Math.floor(r() * va.length)]! + BigInt(Math.floor(r() * 3)) - 1n].map(u64) : randValues(r);
      const a = abstractOf(va, r);
      const b = abstractOf(vb, r);
      for (const is32 of [false, true]) {
        for (const op of JMPS) {
          const pred = S.isBranchTaken(op, a, b, is32);
          const pairs = va.flatMap((x) => vb.map((y) => [x, y, concreteCond(op, x, y, is32)] as const));
          if (pred === 1) expect(pairs.every((p) => p[2])).toBe(true);
          if (pred === 0) expect(pairs.every((p) => !p[2])).toBe(true);
          if (pred !== -1) {
            decided++;
            continue;
          }
          for (const side of [true, false]) {
            const n = S.narrowBranch(op, a, b, is32, side);
            const onSide = pairs.filter((p) => p[2] === side);
            if (n === null) throw new Error('narrowBranch never gives up a side in 6.18.44');
            narrowed++;
            for (const [x, y] of onSide) {
              if (!S.scalarContains(n[0], x) || !S.scalarContains(n[1], y)) {
                throw new Error(`jmp ${op.toString(16)} is32 ${is32} side ${side}: (${x}, ${y}) lost: ${S.formatScalar(n[0])} / ${S.formatScalar(n[1])}`);
              }
            }
          }
        }
      }
    }
    expect(decided).toBeGreaterThan(100);
    expect(narrowed).toBeGreaterThan(100);
  });

  it('same-register compares (if rX OP rX) keep every value on its side', () => {
    const r = rng(2468);
    for (let t = 0; t < TRIALS / 2; t++) {
      const va = randValues(r);
      const a = abstractOf(va, r);
      for (const is32 of [false, true]) {
        for (const op of JMPS) {
          const n = S.regSetMinMax(op, a, a, is32, true);
          for (const x of va) {
            const side = concreteCond(op, x, x, is32);
            const [p, q] = side ? n.taken : n.fallThrough;
            expect(S.scalarContains(p, x) && S.scalarContains(q, x)).toBe(true);
          }
        }
      }
    }
  });

  it('sync never drops a member and within() accepts every narrower state', () => {
    const r = rng(999);
    for (let t = 0; t < TRIALS * 2; t++) {
      const va = randValues(r);
      const a = abstractOf(va, r);
      for (const x of va) expect(S.scalarContains(a, x)).toBe(true);
      expect(S.scalarWithin(S.scalarUnknown(), a)).toBe(true);
      expect(S.scalarWithin(a, a)).toBe(true);
      const sub = abstractOf([va[0]!], r, false);
      expect(S.scalarWithin(a, sub)).toBe(true);
      if (!tnumIsConst(a.var)) expect(S.scalarWithin(sub, a)).toBe(false);
    }
  });
});

// --- API details ------------------------------------------------------------------------------

describe('scalar API', () => {
  it('constants print as bare numbers: decimal in [-32768, 32767], else the u64 in hex', () => {
    expect(S.formatScalar(S.scalarConst(0n))).toBe('0');
    expect(S.formatScalar(S.scalarConst(-3n))).toBe('-3');
    expect(S.formatScalar(S.scalarConst(32767n))).toBe('32767');
    expect(S.formatScalar(S.scalarConst(32768n))).toBe('0x8000');
    expect(S.formatScalar(S.scalarConst(-32769n))).toBe('0xffffffffffff7fff');
    expect(S.formatScalar(S.scalarConst(250000n))).toBe('0x3d090');
    expect(S.formatScalar(S.scalarConst(5n), { precise: true })).toBe('P5');
    expect(S.formatScalar(S.scalarConst(5n), { attrs: ['id=1'] })).toBe('5');
  });

  it('ranges print grouped, with defaults omitted and the caller attributes first', () => {
    const u8 = S.scalarFromWidth(1, false);
    expect(S.formatScalar(u8)).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))');
    expect(S.formatScalar(u8, { attrs: ['id=2'], precise: true })).toBe(
      'Pscalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))',
    );
    expect(S.formatScalar(S.scalarUnknown())).toBe('scalar()');
    expect(S.formatScalar(S.scalarUnknown(), { attrs: ['id=1-1'] })).toBe('scalar(id=1-1)');
    // A negative s32 minimum is not grouped with a positive 64-bit one.
    expect(S.formatScalar(S.scalarFromWidth(1, true))).toBe('scalar(smin=smin32=-128,smax=smax32=127)');
  });

  it('constructors', () => {
    expect(S.scalarConst(-1n).umin).toBe(M64);
    expect(S.scalarConst(-1n).s32min).toBe(-1n);
    expect(S.formatScalar(S.scalarRange(0n, 10n))).toBe('scalar(smin=smin32=0,smax=umax=smax32=umax32=10,var_off=(0x0; 0xf))');
    expect(S.formatScalar(S.scalarFromWidth(4, false))).toBe('scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))');
    expect(S.formatScalar(S.scalarFromWidth(8, true))).toBe('scalar()');
    expect(S.scalarIsConst(S.scalarRange(7n, 7n))).toBe(true);
  });

  it('boundsSync reports inconsistent views as null; the sanity check names the kernel message', () => {
    expect(S.boundsSync({ ...S.scalarUnknown(), s32min: 3n, s32max: 2n })).toBeNull();
    // Like the kernel, the sync turns an empty u64 range into the one value the tnum step finds.
    expect(S.boundsSync({ ...S.scalarRange(0n, 10n), umin: 20n })).toEqual(S.scalarConst(15n));
    expect(S.scalarSanityCheck({ ...S.scalarConst(5n), umax: 6n })).toBe('const tnum out of sync with range bounds');
    expect(S.scalarSanityCheck({ ...S.scalarUnknown(), s32min: 3n, s32max: 2n })).toBe('range bounds violation');
    expect(S.scalarSanityCheck(S.scalarRange(3n, 9n))).toBeNull();
    expect(S.formatScalar(S.scalarMarkUnbounded(S.scalarRange(0n, 10n)))).toBe('scalar(var_off=(0x0; 0xf))');
    const k = S.kernelSanityCheck({ ...S.scalarRange(0n, 10n), s32min: 5n, s32max: 4n }, 'alu');
    expect(k.log).toBe(
      'verifier bug: REG INVARIANTS VIOLATION (alu): range bounds violation u64=[0x0, 0xa] s64=[0x0, 0xa] u32=[0x0, 0xa] s32=[0x5, 0x4] var_off=(0x0, 0xf)',
    );
    expect(S.formatScalar(k.s)).toBe('scalar(var_off=(0x0; 0xf))');
    expect(S.kernelSanityCheck(S.scalarRange(0n, 10n), 'alu').log).toBeNull();
  });

  it('shifts by an unknown or too large amount, and div/mod, give an unknown scalar', () => {
    const u8 = S.scalarFromWidth(1, false);
    expect(S.formatScalar(S.scalarAlu(S.BPF_LSH, u8, S.scalarRange(0n, 3n), true))).toBe('scalar()');
    expect(S.formatScalar(S.scalarAlu(S.BPF_LSH, u8, S.scalarConst(40n), false))).toBe('scalar()');
    expect(S.formatScalar(S.scalarAlu(S.BPF_DIV, S.scalarConst(100n), S.scalarConst(7n), true))).toBe('scalar()');
    expect(S.formatScalar(S.scalarAlu(S.BPF_MOD, u8, S.scalarConst(7n), false))).toBe('scalar()');
  });

  it('equality and the JSET/JNE refinements on constants', () => {
    expect(S.scalarEquals(S.scalarConst(3n), S.scalarRange(3n, 3n))).toBe(true);
    expect(S.scalarEquals(S.scalarConst(3n), S.scalarConst(4n))).toBe(false);
    const u8 = S.scalarFromWidth(1, false);
    const [t] = S.narrowBranchRaw(S.BPF_JSET, u8, S.scalarConst(8n), false, true);
    expect(S.formatScalar(t)).toBe('scalar(smin=umin=smin32=umin32=8,smax=umax=smax32=umax32=255,var_off=(0x8; 0xf7))');
    const [n] = S.narrowBranchRaw(S.BPF_JNE, u8, S.scalarConst(0n), false, true);
    expect(S.formatScalar(n)).toBe('scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))');
    expect(S.isBranchTaken(S.BPF_JEQ, S.scalarConst(5n), S.scalarConst(5n), false)).toBe(1);
    expect(S.isBranchTaken(S.BPF_JEQ, S.scalarConst(0x100000005n), S.scalarConst(5n), true)).toBe(1);
    expect(S.scalarWidth(u8)).toBe(8);
    expect(tnumConst(1n).mask).toBe(0n);
  });
});

// --- golden logs --------------------------------------------------------------------------------
// Linux 6.18.44-fc-v1300 x86-64, root. Each log: raw instructions loaded with bpf(BPF_PROG_LOAD),
// prog type SOCKET_FILTER, log_level 2; only the instruction lines and the `from N to M:` lines
// are kept (the liveness table, `mark_precise:` lines and full-state prints are dropped). In the
// curated programs "if ... goto pc+2" is followed by "r0 = 0; exit", so the taken side carries on.

const GOLDEN: readonly { name: string; log: string }[] = [
  {
    name: "u8 mask, w -= 1, r6 > 10 both branches, neg",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (b7) r0 = 0                        ; R0=0
3: (57) r6 &= 255                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
4: (14) w6 -= 1                       ; R6=scalar(smin=0,smax=umax=0xffffffff,smin32=-1,smax32=254,var_off=(0x0; 0xffffffff))
5: (25) if r6 > 0xa goto pc+2         ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=10,var_off=(0x0; 0xf))
6: (b7) r0 = 0                        ; R0=0
7: (95) exit
from 5 to 8: R0=0 R6=scalar(smin=umin=umin32=11,smax=umax=0xffffffff,smin32=-1,smax32=254,var_off=(0x0; 0xffffffff)) R10=fp0
8: (87) r6 = -r6                      ; R6=scalar(smin=0xffffffff00000001,smax=-11,umin=0xffffffff00000001,umax=0xfffffffffffffff5,smin32=-254,smax32=1,umin32=1,umax32=0xfffffff5,var_off=(0xffffffff00000000; 0xffffffff))
9: (b7) r0 = 0                        ; R0=0
10: (95) exit
`,
  },
  {
    name: "map value loads u8 u16 u32 u64 s8 s16 s32",
    log: `
0: (18) r1 = 0xffff888125479800       ; R1=map_ptr(ks=4,vs=64)
2: (bf) r2 = r10                      ; R2=fp0 R10=fp0
3: (07) r2 += -4                      ; R2=fp-4
4: (62) *(u32 *)(r10 -4) = 0          ; R10=fp0 fp-8=0000????
5: (85) call bpf_map_lookup_elem#1    ; R0=map_value(ks=4,vs=64)
6: (55) if r0 != 0x0 goto pc+2        ; R0=map_value(ks=4,vs=64)
9: (71) r1 = *(u8 *)(r0 +0)           ; R0=map_value(ks=4,vs=64) R1=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
10: (69) r2 = *(u16 *)(r0 +0)         ; R0=map_value(ks=4,vs=64) R2=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
11: (61) r3 = *(u32 *)(r0 +0)         ; R0=map_value(ks=4,vs=64) R3=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
12: (79) r4 = *(u64 *)(r0 +0)         ; R0=map_value(ks=4,vs=64) R4=scalar()
13: (91) r5 = *(s8 *)(r0 +0)          ; R0=map_value(ks=4,vs=64) R5=scalar(smin=smin32=-128,smax=smax32=127)
14: (89) r6 = *(s16 *)(r0 +0)         ; R0=map_value(ks=4,vs=64) R6=scalar(smin=smin32=-32768,smax=smax32=32767)
15: (81) r7 = *(s32 *)(r0 +0)         ; R0=map_value(ks=4,vs=64) R7=scalar(smin=0xffffffff80000000,smax=0x7fffffff)
16: (b7) r0 = 0                       ; R0=0
17: (95) exit
`,
  },
  {
    name: "movsx of [0,4], of [256,496], of s32 [-5,5]",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (b7) r0 = 0                        ; R0=0
7: (b5) if r6 <= 0x4 goto pc+2        ; R6=scalar(id=1,umin=5)
8: (b7) r0 = 0                        ; R0=0
9: (95) exit
from 7 to 10: R0=0 R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=4,var_off=(0x0; 0x7)) R7=scalar(id=2) R8=scalar(id=3) R10=fp0
10: (bf) r1 = (s8)r6                  ; R1=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=4,var_off=(0x0; 0x7)) R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=4,var_off=(0x0; 0x7))
11: (bc) w2 = (s8)w6                  ; R2=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=4,var_off=(0x0; 0x7)) R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=4,var_off=(0x0; 0x7))
12: (57) r7 &= 496                    ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=496,var_off=(0x0; 0x1f0))
13: (47) r7 |= 256                    ; R7=scalar(smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xf0))
14: (bf) r3 = (s8)r7                  ; R3=scalar(smin=smin32=-128,smax=smax32=127) R7=scalar(smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xf0))
15: (bf) r4 = (s16)r7                 ; R4=scalar(id=4,smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xff)) R7=scalar(id=4,smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xf0))
16: (bc) w5 = (s8)w7                  ; R5=scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff)) R7=scalar(id=4,smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xf0))
17: (bc) w1 = (s16)w7                 ; R1=scalar(id=4,smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xff)) R7=scalar(id=4,smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xf0))
18: (d6) if w8 s<= 0x5 goto pc+2      ; R8=scalar(id=3,smin=0x8000000000000006,smax=0x7fffffff7fffffff,umin=smin32=umin32=6,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff))
19: (b7) r0 = 0                       ; R0=0
20: (95) exit
from 18 to 21: R0=0 R1=scalar(id=4,smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xff)) R2=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=4,var_off=(0x0; 0x7)) R3=scalar(smin=smin32=-128,smax=smax32=127) R4=scalar(id=4,smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xff)) R5=scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff)) R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=4,var_off=(0x0; 0x7)) R7=scalar(id=4,smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xf0)) R8=scalar(id=3,smax32=5) R10=fp0
21: (76) if w8 s>= 0xfffffffb goto pc+2       ; R8=scalar(id=3,smin=0x8000000080000000,smax=0x7ffffffffffffffa,umin=umin32=0x80000000,umax=0xfffffffffffffffa,smax32=-6,umax32=0xfffffffa,var_off=(0x80000000; 0xffffffff7fffffff))
22: (b7) r0 = 0                       ; R0=0
23: (95) exit
from 21 to 24: R0=0 R1=scalar(id=4,smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xff)) R2=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=4,var_off=(0x0; 0x7)) R3=scalar(smin=smin32=-128,smax=smax32=127) R4=scalar(id=4,smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xff)) R5=scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff)) R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=4,var_off=(0x0; 0x7)) R7=scalar(id=4,smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=496,var_off=(0x100; 0xf0)) R8=scalar(id=3,smin32=-5,smax32=5) R10=fp0
24: (bf) r1 = (s8)r8                  ; R1=scalar(smin=smin32=-5,smax=smax32=5) R8=scalar(id=3,smin32=-5,smax32=5)
25: (bf) r2 = (s16)r8                 ; R2=scalar(smin=smin32=-5,smax=smax32=5) R8=scalar(id=3,smin32=-5,smax32=5)
26: (bf) r3 = (s32)r8                 ; R3=scalar(smin=smin32=-5,smax=smax32=5) R8=scalar(id=3,smin32=-5,smax32=5)
27: (bc) w4 = (s8)w8                  ; R4=scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff)) R8=scalar(id=3,smin32=-5,smax32=5)
28: (b7) r0 = 0                       ; R0=0
29: (95) exit
`,
  },
  {
    name: "movsx keeps u32 bounds of a fitting s32 range",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (b7) r0 = 0                        ; R0=0
3: (d6) if w6 s<= 0x5 goto pc+2       ; R6=scalar(id=1,smin=0x8000000000000006,smax=0x7fffffff7fffffff,umin=smin32=umin32=6,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff))
4: (b7) r0 = 0                        ; R0=0
5: (95) exit
from 3 to 6: R0=0 R6=scalar(id=1,smax32=5) R10=fp0
6: (76) if w6 s>= 0xfffffffb goto pc+2        ; R6=scalar(id=1,smin=0x8000000080000000,smax=0x7ffffffffffffffa,umin=umin32=0x80000000,umax=0xfffffffffffffffa,smax32=-6,umax32=0xfffffffa,var_off=(0x80000000; 0xffffffff7fffffff))
7: (b7) r0 = 0                        ; R0=0
8: (95) exit
from 6 to 9: R0=0 R6=scalar(id=1,smin32=-5,smax32=5) R10=fp0
9: (36) if w6 >= 0x3 goto pc+2        ; R6=scalar(id=1,smax=0x7fffffff00000002,umax=0xffffffff00000002,smin32=0,smax32=umax32=2,var_off=(0x0; 0xffffffff00000003))
10: (b7) r0 = 0                       ; R0=0
11: (95) exit
from 9 to 12: R0=0 R6=scalar(id=1,smin=0x8000000000000003,umin=umin32=3,smin32=-5,smax32=5) R10=fp0
12: (bf) r1 = (s8)r6                  ; R1=scalar(smin=smin32=-5,smax=smax32=5,umin=umin32=3) R6=scalar(id=1,smin=0x8000000000000003,umin=umin32=3,smin32=-5,smax32=5)
13: (bc) w2 = (s8)w6                  ; R2=scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff)) R6=scalar(id=1,smin=0x8000000000000003,umin=umin32=3,smin32=-5,smax32=5)
14: (bf) r3 = (s32)r6                 ; R3=scalar(smin=smin32=-5,smax=smax32=5,umin=umin32=3) R6=scalar(id=1,smin=0x8000000000000003,umin=umin32=3,smin32=-5,smax32=5)
15: (18) r7 = 0x100000080             ; R7=0x100000080
17: (57) r6 &= 127                    ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f))
18: (4f) r6 |= r7                     ; R6=scalar(smin=umin=0x100000080,smax=umax=0x1000000ff,smin32=umin32=128,smax32=umax32=255,var_off=(0x100000080; 0x7f)) R7=0x100000080
19: (bf) r4 = (s8)r6                  ; R4=scalar(smin=smin32=-128,smax=smax32=-1,umin=0xffffffffffffff80,umin32=0xffffff80,var_off=(0xffffffffffffff80; 0x7f)) R6=scalar(smin=umin=0x100000080,smax=umax=0x1000000ff,smin32=umin32=128,smax32=umax32=255,var_off=(0x100000080; 0x7f))
20: (bf) r5 = (s32)r6                 ; R5=scalar(smin=umin=smin32=umin32=128,smax=umax=smax32=umax32=255,var_off=(0x80; 0x7f)) R6=scalar(smin=umin=0x100000080,smax=umax=0x1000000ff,smin32=umin32=128,smax32=umax32=255,var_off=(0x100000080; 0x7f))
21: (bc) w1 = (s8)w6                  ; R1=scalar(smin=umin=umin32=0xffffff80,smax=umax=0xffffffff,smin32=-128,smax32=-1,var_off=(0xffffff80; 0x7f)) R6=scalar(smin=umin=0x100000080,smax=umax=0x1000000ff,smin32=umin32=128,smax32=umax32=255,var_off=(0x100000080; 0x7f))
22: (b7) r0 = 0                       ; R0=0
23: (95) exit
`,
  },
  {
    name: "byte swaps le/be/bswap 16/32/64",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (b7) r0 = 0                        ; R0=0
5: (57) r6 &= 255                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
6: (57) r7 &= 16128                   ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00))
7: (bf) r1 = r6                       ; R1=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
8: (dc) r1 = be16 r1                  ; R1=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xff00,var_off=(0x0; 0xff00))
9: (bf) r2 = r6                       ; R2=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
10: (dc) r2 = be32 r2                 ; R2=scalar(smin=0,smax=umax=umax32=0xff000000,smax32=0x7f000000,var_off=(0x0; 0xff000000))
11: (bf) r3 = r6                      ; R3=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
12: (dc) r3 = be64 r3                 ; R3=scalar(smax=0x7f00000000000000,umax=0xff00000000000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0xff00000000000000))
13: (bf) r4 = r7                      ; R4=scalar(id=4,smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00)) R7=scalar(id=4,smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00))
14: (d7) r4 = bswap16 r4              ; R4=scalar(smin=smin32=0,smax=umax=smax32=umax32=63,var_off=(0x0; 0x3f))
15: (bf) r5 = r7                      ; R5=scalar(id=4,smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00)) R7=scalar(id=4,smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00))
16: (d4) r5 = le16 r5                 ; R5=scalar(smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00))
17: (bf) r8 = r7                      ; R7=scalar(id=4,smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00)) R8=scalar(id=4,smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00))
18: (d4) r8 = le64 r8                 ; R8=scalar(id=4,smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00))
19: (bf) r9 = r7                      ; R7=scalar(id=4,smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00)) R9=scalar(id=4,smin=smin32=0,smax=umax=smax32=umax32=16128,var_off=(0x0; 0x3f00))
20: (d7) r9 = bswap64 r9              ; R9=scalar(smin=smin32=0,smax=umax=0x3f000000000000,smax32=umax32=0,var_off=(0x0; 0x3f000000000000))
21: (d7) r7 = bswap32 r7              ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0x3f0000,var_off=(0x0; 0x3f0000))
22: (b7) r0 = 0                       ; R0=0
23: (95) exit
`,
  },
  {
    name: "arsh of constants and ranges, 64 and 32 bit",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (b7) r0 = 0                        ; R0=0
5: (b7) r1 = -5                       ; R1=-5
6: (c7) r1 s>>= 1                     ; R1=-3
7: (57) r6 &= 255                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
8: (17) r6 -= 128                     ; R6=scalar(smin=smin32=-128,smax=smax32=127)
9: (c7) r6 s>>= 3                     ; R6=scalar(smin=smin32=-16,smax=smax32=15)
10: (57) r7 &= 65535                  ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
11: (14) w7 -= 32768                  ; R7=scalar(smin=0,smax=umax=0xffffffff,smin32=-32768,smax32=32767,var_off=(0x0; 0xffffffff))
12: (c4) w7 s>>= 4                    ; R7=scalar(smin=0,smax=umax=0xffffffff,smin32=-2048,smax32=2047,var_off=(0x0; 0xffffffff))
13: (bf) r8 = r7                      ; R7=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-2048,smax32=2047,var_off=(0x0; 0xffffffff)) R8=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-2048,smax32=2047,var_off=(0x0; 0xffffffff))
14: (c7) r8 s>>= 63                   ; R8=0
15: (b7) r0 = 0                       ; R0=0
16: (95) exit
`,
  },
  {
    name: "mul: exact, 32-bit overflow, signed products",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (b7) r0 = 0                        ; R0=0
7: (57) r6 &= 65535                   ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
8: (27) r6 *= 65537                   ; R6=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
9: (54) w7 &= 65535                   ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
10: (24) w7 *= 65536                  ; R7=scalar(smin=0,smax=umax=umax32=0xffff0000,smax32=0x7fff0000,var_off=(0x0; 0xffff0000))
11: (24) w7 *= 2                      ; R7=scalar(smin=0,smax=umax=umax32=0xfffe0000,smax32=0x7ffe0000,var_off=(0x0; 0xfffe0000))
12: (57) r8 &= 7                      ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))
13: (17) r8 -= 3                      ; R8=scalar(smin=smin32=-3,smax=smax32=4)
14: (27) r8 *= -5                     ; R8=scalar(smin=smin32=-20,smax=smax32=15)
15: (2f) r8 *= r8                     ; R8=scalar(smin=smin32=-300,smax=smax32=400)
16: (57) r6 &= 2                      ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=2,var_off=(0x0; 0x2))
17: (47) r6 |= 1                      ; R6=scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=3,var_off=(0x1; 0x2))
18: (27) r6 *= 3                      ; R6=scalar(smin=umin=smin32=umin32=3,smax=umax=smax32=umax32=9,var_off=(0x1; 0xa))
19: (24) w6 *= -3                     ; R6=scalar(smin=umin=umin32=0xffffffe5,smax=umax=umax32=0xfffffff7,smin32=-27,smax32=-9,var_off=(0xffffffe5; 0x1a))
20: (b7) r0 = 0                       ; R0=0
21: (95) exit
`,
  },
  {
    name: "add/sub overflow in 64 and 32 bits",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (b7) r0 = 0                        ; R0=0
5: (57) r6 &= 255                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
6: (18) r1 = 0x7fffffffffffff80       ; R1=0x7fffffffffffff80
8: (0f) r6 += r1                      ; R1=0x7fffffffffffff80 R6=scalar(umin=0x7fffffffffffff80,umax=0x800000000000007f,smin32=-128,smax32=127)
9: (0f) r6 += r1                      ; R1=0x7fffffffffffff80 R6=scalar(smin=smin32=-256,smax=smax32=-1,umin=0xffffffffffffff00,umin32=0xffffff00,var_off=(0xffffffffffffff00; 0xff))
10: (54) w7 &= 255                    ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
11: (04) w7 += 2147483520             ; R7=scalar(smin=umin=umin32=0x7fffff80,smax=umax=umax32=0x8000007f,var_off=(0x0; 0xffffffff))
12: (04) w7 += 2147483520             ; R7=scalar(smin=umin=umin32=0xffffff00,smax=umax=0xffffffff,smin32=-256,smax32=-1,var_off=(0xffffff00; 0xff))
13: (14) w7 -= -1                     ; R7=scalar(smin=0,smax=umax=0xffffffff,smin32=-255,smax32=0,var_off=(0x0; 0xffffffff))
14: (bf) r8 = r7                      ; R7=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-255,smax32=0,var_off=(0x0; 0xffffffff)) R8=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-255,smax32=0,var_off=(0x0; 0xffffffff))
15: (1f) r8 -= r7                     ; R7=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-255,smax32=0,var_off=(0x0; 0xffffffff)) R8=scalar(smin=0xffffffff00000001,smax=0xffffffff,smin32=-255,smax32=255)
16: (57) r6 &= 15                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))
17: (18) r2 = 0xfffffffffffffff8      ; R2=-8
19: (0f) r6 += r2                     ; R2=-8 R6=scalar(smin=smin32=-8,smax=smax32=7)
20: (b7) r0 = 0                       ; R0=0
21: (95) exit
`,
  },
  {
    name: "div, mod, sdiv, smod give unknown",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (b7) r0 = 0                        ; R0=0
3: (b7) r5 = 100                      ; R5=100
4: (37) r5 /= 7                       ; R5=scalar()
5: (b7) r4 = 100                      ; R4=100
6: (94) w4 %= 3                       ; R4=scalar()
7: (57) r6 &= 255                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
8: (37) r6 s/= 2                      ; R6=scalar()
9: (b7) r3 = -7                       ; R3=-7
10: (97) r3 s%= 2                     ; R3=scalar()
11: (b7) r0 = 0                       ; R0=0
12: (95) exit
`,
  },
  {
    name: "shifts by constants and by an unknown register",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (b7) r0 = 0                        ; R0=0
5: (57) r6 &= 255                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
6: (bf) r1 = r6                       ; R1=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
7: (67) r1 <<= 4                      ; R1=scalar(smin=smin32=0,smax=umax=smax32=umax32=4080,var_off=(0x0; 0xff0))
8: (bf) r2 = r6                       ; R2=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
9: (67) r2 <<= 60                     ; R2=scalar(smax=0x7000000000000000,umax=0xf000000000000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0xf000000000000000))
10: (bf) r3 = r6                      ; R3=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
11: (64) w3 <<= 24                    ; R3=scalar(smin=0,smax=umax=umax32=0xff000000,smax32=0x7f000000,var_off=(0x0; 0xff000000))
12: (bf) r4 = r6                      ; R4=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
13: (77) r4 >>= 3                     ; R4=scalar(smin=smin32=0,smax=umax=smax32=umax32=31,var_off=(0x0; 0x1f))
14: (57) r7 &= 7                      ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))
15: (bf) r5 = r6                      ; R5=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
16: (6f) r5 <<= r7                    ; R5=scalar() R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))
17: (bf) r8 = r6                      ; R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R8=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
18: (7c) w8 >>= w7                    ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7)) R8=scalar()
19: (bf) r9 = r6                      ; R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R9=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
20: (17) r9 -= 1                      ; R9=scalar(id=3-1,smin=smin32=-1,smax=smax32=254)
21: (74) w9 >>= 1                     ; R9=scalar(smin=smin32=0,smax=umax=umax32=0x7fffffff,var_off=(0x0; 0x7fffffff))
22: (b7) r0 = 0                       ; R0=0
23: (95) exit
`,
  },
  {
    name: "JSET narrowing: single bit and mask, 64 and 32",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (b7) r0 = 0                        ; R0=0
5: (45) if r6 & 0x8 goto pc+2         ; R6=scalar(id=1,smax=0x7ffffffffffffff7,umax=0xfffffffffffffff7,smax32=0x7ffffff7,umax32=0xfffffff7,var_off=(0x0; 0xfffffffffffffff7))
6: (b7) r0 = 0                        ; R0=0
7: (95) exit
from 5 to 8: R0=0 R6=scalar(id=1,smin=0x8000000000000008,umin=umin32=8,smin32=0x80000008,var_off=(0x8; 0xfffffffffffffff7)) R7=scalar(id=2) R10=fp0
8: (57) r6 &= 255                     ; R6=scalar(smin=umin=smin32=umin32=8,smax=umax=smax32=umax32=255,var_off=(0x8; 0xf7))
9: (45) if r6 & 0x30 goto pc+2        ; R6=scalar(smin=umin=smin32=umin32=8,smax=umax=smax32=umax32=207,var_off=(0x8; 0xc7))
10: (b7) r0 = 0                       ; R0=0
11: (95) exit
from 9 to 12: R0=0 R6=scalar(smin=umin=smin32=umin32=8,smax=umax=smax32=umax32=255,var_off=(0x8; 0xf7)) R7=scalar(id=2) R10=fp0
12: (57) r7 &= 65535                  ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
13: (46) if w7 & 0x100 goto pc+2      ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xfeff,var_off=(0x0; 0xfeff))
14: (b7) r0 = 0                       ; R0=0
15: (95) exit
from 13 to 16: R0=0 R6=scalar(smin=umin=smin32=umin32=8,smax=umax=smax32=umax32=255,var_off=(0x8; 0xf7)) R7=scalar(smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=0xffff,var_off=(0x100; 0xfeff)) R10=fp0
16: (45) if r7 & 0x7f00 goto pc+2
19: (b7) r0 = 0                       ; R0=0
20: (95) exit
`,
  },
  {
    name: "JNE shaving, JEQ against a range, jmp32 signed",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (b7) r0 = 0                        ; R0=0
5: (57) r6 &= 255                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
6: (55) if r6 != 0x0 goto pc+2        ; R6=0
7: (b7) r0 = 0                        ; R0=0
8: (95) exit
from 6 to 9: R0=0 R6=scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R7=scalar(id=2) R10=fp0
9: (55) if r6 != 0xff goto pc+2       ; R6=255
10: (b7) r0 = 0                       ; R0=0
11: (95) exit
from 9 to 12: R0=0 R6=scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=254,var_off=(0x0; 0xff)) R7=scalar(id=2) R10=fp0
12: (57) r7 &= 127                    ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f))
13: (1d) if r7 == r6 goto pc+2        ; R6=scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=254,var_off=(0x0; 0xff)) R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f))
14: (b7) r0 = 0                       ; R0=0
15: (95) exit
from 13 to 16: R0=0 R6=scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R7=scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R10=fp0
16: (66) if w7 s> 0xfffffffd goto pc+2
19: (c6) if w6 s< 0x64 goto pc+2      ; R6=scalar(smin=umin=smin32=umin32=100,smax=umax=smax32=umax32=127,var_off=(0x60; 0x1f))
20: (b7) r0 = 0                       ; R0=0
21: (95) exit
from 19 to 22: R0=0 R6=scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=99,var_off=(0x0; 0x7f)) R7=scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R10=fp0
22: (b7) r0 = 0                       ; R0=0
23: (95) exit
`,
  },
  {
    name: "w = w; <<= 32; s>>= 32 on a negative s32 range",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (b7) r0 = 0                        ; R0=0
3: (d6) if w6 s<= 0x5 goto pc+2       ; R6=scalar(id=1,smin=0x8000000000000006,smax=0x7fffffff7fffffff,umin=smin32=umin32=6,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff))
4: (b7) r0 = 0                        ; R0=0
5: (95) exit
from 3 to 6: R0=0 R6=scalar(id=1,smax32=5) R10=fp0
6: (76) if w6 s>= 0xfffffffb goto pc+2        ; R6=scalar(id=1,smin=0x8000000080000000,smax=0x7ffffffffffffffa,umin=umin32=0x80000000,umax=0xfffffffffffffffa,smax32=-6,umax32=0xfffffffa,var_off=(0x80000000; 0xffffffff7fffffff))
7: (b7) r0 = 0                        ; R0=0
8: (95) exit
from 6 to 9: R0=0 R6=scalar(id=1,smin32=-5,smax32=5) R10=fp0
9: (bc) w1 = w6                       ; R1=scalar(smin=0,smax=umax=0xffffffff,smin32=-5,smax32=5,var_off=(0x0; 0xffffffff)) R6=scalar(id=1,smin32=-5,smax32=5)
10: (67) r1 <<= 32                    ; R1=scalar(smin=0xfffffffb00000000,smax=0x500000000,umax=0xffffffff00000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0xffffffff00000000))
11: (c7) r1 s>>= 32                   ; R1=scalar(smin=smin32=-5,smax=smax32=5)
12: (b7) r0 = 0                       ; R0=0
13: (95) exit
`,
  },
  {
    name: "tnum and range meet in one value",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (b7) r0 = 0                        ; R0=0
3: (57) r6 &= 17                      ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=17,var_off=(0x0; 0x11))
4: (25) if r6 > 0x1 goto pc+2         ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=1,var_off=(0x0; 0x1))
5: (b7) r0 = 0                        ; R0=0
6: (95) exit
from 4 to 7: R0=0 R6=scalar(smin=umin=smin32=umin32=2,smax=umax=smax32=umax32=17,var_off=(0x0; 0x11)) R10=fp0
7: (a5) if r6 < 0x10 goto pc+2        ; R6=scalar(smin=umin=smin32=umin32=16,smax=umax=smax32=umax32=17,var_off=(0x10; 0x1))
8: (b7) r0 = 0                        ; R0=0
9: (95) exit
from 7 to 10: R0=0 R6=1 R10=fp0
10: (b7) r0 = 0                       ; R0=0
11: (95) exit
`,
  },
  {
    name: "constant printing",
    log: `
0: (b7) r1 = 250000                   ; R1=0x3d090
1: (b7) r2 = -40000                   ; R2=0xffffffffffff63c0
2: (b7) r3 = 32767                    ; R3=32767
3: (b7) r4 = -32768                   ; R4=-32768
4: (b7) r5 = 65535                    ; R5=0xffff
5: (18) r6 = 0x8000000000000000       ; R6=0x8000000000000000
7: (b7) r7 = -1                       ; R7=-1
8: (b4) w7 = -1                       ; R7=0xffffffff
9: (b7) r8 = 65536                    ; R8=0x10000
10: (b7) r9 = -32769                  ; R9=0xffffffffffff7fff
11: (b7) r0 = 0                       ; R0=0
12: (95) exit
`,
  },
  {
    name: "or and xor with ranges",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (b7) r0 = 0                        ; R0=0
5: (57) r6 &= 240                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0))
6: (57) r7 &= 15                      ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))
7: (bf) r1 = r6                       ; R1=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0))
8: (4f) r1 |= r7                      ; R1=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))
9: (bf) r2 = r6                       ; R2=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0))
10: (af) r2 ^= r7                     ; R2=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))
11: (bf) r3 = r6                      ; R3=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0))
12: (a4) w3 ^= -1                     ; R3=scalar(smin=umin=umin32=0xffffff0f,smax=umax=0xffffffff,smin32=-241,smax32=-1,var_off=(0xffffff0f; 0xf0))
13: (bf) r4 = r6                      ; R4=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0))
14: (a7) r4 ^= -1                     ; R4=scalar(smin=smin32=-241,smax=smax32=-1,umin=0xffffffffffffff0f,umin32=0xffffff0f,var_off=(0xffffffffffffff0f; 0xf0))
15: (bf) r5 = r6                      ; R5=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0)) R6=scalar(id=3,smin=smin32=0,smax=umax=smax32=umax32=240,var_off=(0x0; 0xf0))
16: (47) r5 |= -16                    ; R5=-16
17: (b7) r0 = 0                       ; R0=0
18: (95) exit
`,
  },
  {
    name: "jmp32 compares leave wide 64-bit bounds",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (b7) r0 = 0                        ; R0=0
5: (26) if w6 > 0x20 goto pc+2        ; R6=scalar(id=1,smax=0x7fffffff00000020,umax=0xffffffff00000020,smin32=0,smax32=umax32=32,var_off=(0x0; 0xffffffff0000003f))
6: (b7) r0 = 0                        ; R0=0
7: (95) exit
from 5 to 8: R0=0 R6=scalar(id=1,smin=0x8000000000000021,umin=umin32=33) R7=scalar(id=2) R10=fp0
8: (a6) if w6 < 0x10 goto pc+2
9: (b7) r0 = 0                        ; R0=0
10: (95) exit
`,
  },
  {
    name: "signed 64-bit compares",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (b7) r0 = 0                        ; R0=0
5: (65) if r6 s> 0xfffffff6 goto pc+2         ; R6=scalar(id=1,smax=-10,umin=0x8000000000000000,umax=0xfffffffffffffff6,var_off=(0x8000000000000000; 0x7fffffffffffffff))
6: (b7) r0 = 0                        ; R0=0
7: (95) exit
from 5 to 8: R0=0 R6=scalar(id=1,smin=-9) R7=scalar(id=2) R10=fp0
8: (c5) if r6 s< 0xa goto pc+2        ; R6=scalar(id=1,smin=umin=10,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff))
9: (b7) r0 = 0                        ; R0=0
10: (95) exit
from 8 to 11: R0=0 R6=scalar(id=1,smin=smin32=-9,smax=smax32=9) R7=scalar(id=2) R10=fp0
11: (7d) if r7 s>= r6 goto pc+2       ; R6=scalar(id=1,smin=smin32=-9,smax=smax32=9) R7=scalar(id=2,smax=8)
12: (b7) r0 = 0                       ; R0=0
13: (95) exit
from 11 to 14: R0=0 R6=scalar(id=1,smin=smin32=-9,smax=smax32=9) R7=scalar(id=2,smin=-9) R10=fp0
14: (d5) if r7 s<= 0xfffffffd goto pc+2       ; R7=scalar(id=2,smin=-2)
15: (b7) r0 = 0                       ; R0=0
16: (95) exit
from 14 to 17: R0=0 R6=scalar(id=1,smin=smin32=-9,smax=smax32=9) R7=scalar(id=2,smin=smin32=-9,smax=smax32=-3,umin=0xfffffffffffffff7,umax=0xfffffffffffffffd,umin32=0xfffffff7,umax32=0xfffffffd,var_off=(0xfffffffffffffff0; 0xf)) R10=fp0
17: (b7) r0 = 0                       ; R0=0
18: (95) exit
`,
  },
  {
    name: "unknown-amount arsh and lsh by register const",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (b7) r0 = 0                        ; R0=0
3: (b7) r1 = 3                        ; R1=3
4: (57) r6 &= 255                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
5: (bf) r2 = r6                       ; R2=scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
6: (cf) r2 s>>= r1                    ; R1=3 R2=scalar(smin=smin32=0,smax=umax=smax32=umax32=31,var_off=(0x0; 0x1f))
7: (bf) r3 = r6                       ; R3=scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
8: (6c) w3 <<= w1                     ; R1=3 R3=scalar(smin=smin32=0,smax=umax=smax32=umax32=2040,var_off=(0x0; 0x7f8))
9: (b7) r4 = 40                       ; R4=40
10: (bf) r5 = r6                      ; R5=scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R6=scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
11: (6c) w5 <<= w4                    ; R4=40 R5=scalar()
12: (b7) r0 = 0                       ; R0=0
13: (95) exit
`,
  },
  {
    name: "same register on both sides: if r6 == r6, if r6 > r6, if r6 & r6",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (b7) r0 = 0                        ; R0=0
3: (57) r6 &= 255                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
4: (1d) if r6 == r6 goto pc+2         ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
5: (b7) r0 = 0                        ; R0=0
6: (95) exit
from 4 to 7: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0
7: (2d) if r6 > r6 goto pc+2          ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
8: (b7) r0 = 0                        ; R0=0
9: (95) exit
from 7 to 10: R0=0 R6=scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=254,var_off=(0x0; 0xff)) R10=fp0
10: (07) r6 += 1                      ; R6=scalar(smin=umin=smin32=umin32=2,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
11: (4d) if r6 & r6 goto pc+2         ; R6=scalar(smin=umin=smin32=umin32=2,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
12: (b7) r0 = 0                       ; R0=0
13: (95) exit
from 11 to 14: R0=0 R6=scalar(smin=umin=smin32=umin32=2,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0
14: (de) if w6 s<= w6 goto pc+2       ; R6=scalar(smin=umin=smin32=umin32=3,smax=umax=smax32=umax32=254,var_off=(0x0; 0xff))
15: (b7) r0 = 0                       ; R0=0
16: (95) exit
from 14 to 17: R0=0 R6=scalar(smin=umin=smin32=umin32=2,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R10=fp0
17: (b7) r0 = 0                       ; R0=0
18: (95) exit
`,
  },
  {
    name: "contradictory jmp32 refinement: REG INVARIANTS VIOLATION, both sides kept",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (b7) r0 = 0                        ; R0=0
5: (d6) if w6 s<= 0x1a goto pc+2      ; R6=scalar(id=1,smin=0x800000000000001b,smax=0x7fffffff7fffffff,umin=smin32=umin32=27,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff))
6: (b7) r0 = 0                        ; R0=0
7: (95) exit
from 5 to 8: R0=0 R6=scalar(id=1,smax32=26) R7=scalar(id=2) R10=fp0
8: (76) if w6 s>= 0xfffffffa goto pc+2        ; R6=scalar(id=1,smin=0x8000000080000000,smax=0x7ffffffffffffff9,umin=umin32=0x80000000,umax=0xfffffffffffffff9,smax32=-7,umax32=0xfffffff9,var_off=(0x80000000; 0xffffffff7fffffff))
9: (b7) r0 = 0                        ; R0=0
10: (95) exit
from 8 to 11: R0=0 R6=scalar(id=1,smin32=-6,smax32=26) R7=scalar(id=2) R10=fp0
11: (36) if w6 >= 0xd goto pc+2       ; R6=scalar(id=1,smax=0x7fffffff0000000c,umax=0xffffffff0000000c,smin32=0,smax32=umax32=12,var_off=(0x0; 0xffffffff0000000f))
12: (b7) r0 = 0                       ; R0=0
13: (95) exit
from 11 to 14: R0=0 R6=scalar(id=1,smin=0x800000000000000d,umin=umin32=13,smin32=-6,smax32=26) R7=scalar(id=2) R10=fp0
14: (b6) if w6 <= 0xfffffffa goto pc+2        ; R6=scalar(id=1,smin=0x80000000fffffffb,umin=umin32=0xfffffffb,smin32=-5,smax32=-1,var_off=(0xfffffff8; 0xffffffff00000007))
15: (b7) r0 = 0                       ; R0=0
16: (95) exit
from 14 to 17: R0=0 R6=scalar(id=1,smin=0x800000000000000d,smax=0x7ffffffffffffffa,umin=umin32=13,umax=0xfffffffffffffffa,smin32=-6,smax32=26,umax32=0xfffffffa) R7=scalar(id=2) R10=fp0
17: (d6) if w7 s<= 0x1 goto pc+2      ; R7=scalar(id=2,smin=0x8000000000000002,smax=0x7fffffff7fffffff,umin=smin32=umin32=2,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff))
18: (b7) r0 = 0                       ; R0=0
19: (95) exit
from 17 to 20: R0=0 R6=scalar(id=1,smin=0x800000000000000d,smax=0x7ffffffffffffffa,umin=umin32=13,umax=0xfffffffffffffffa,smin32=-6,smax32=26,umax32=0xfffffffa) R7=scalar(id=2,smax32=1) R10=fp0
20: (76) if w7 s>= 0xfffffffb goto pc+2       ; R7=scalar(id=2,smin=0x8000000080000000,smax=0x7ffffffffffffffa,umin=umin32=0x80000000,umax=0xfffffffffffffffa,smax32=-6,umax32=0xfffffffa,var_off=(0x80000000; 0xffffffff7fffffff))
21: (b7) r0 = 0                       ; R0=0
22: (95) exit
from 20 to 23: R0=0 R6=scalar(id=1,smin=0x800000000000000d,smax=0x7ffffffffffffffa,umin=umin32=13,umax=0xfffffffffffffffa,smin32=-6,smax32=26,umax32=0xfffffffa) R7=scalar(id=2,smin32=-5,smax32=1) R10=fp0
23: (1e) if w6 == w7 goto pc+2
verifier bug: REG INVARIANTS VIOLATION (true_reg1): range bounds violation u64=[0xd, 0xffffffff00000001] s64=[0x800000000000000d, 0x7fffffff00000001] u32=[0xd, 0x1] s32=[0xd, 0x1] var_off=(0x0, 0xffffffff0000000f)
verifier bug: REG INVARIANTS VIOLATION (true_reg2): range bounds violation u64=[0xd, 0xffffffff00000001] s64=[0x800000000000000d, 0x7fffffff00000001] u32=[0xd, 0x1] s32=[0xd, 0x1] var_off=(0x0, 0xffffffff0000000f)
24: (b7) r0 = 0                       ; R0=0
25: (95) exit
from 23 to 26: R0=0 R6=scalar(id=1,var_off=(0x0; 0xffffffff0000000f)) R7=scalar(id=2,var_off=(0x0; 0xffffffff0000000f)) R10=fp0
26: (07) r6 += 1                      ; R6=scalar(id=1+1,smax=0x7fffffff0000001f,umax=0xffffffff0000001f,smin32=0,smax32=umax32=31,var_off=(0x0; 0xffffffff0000001f))
27: (b7) r0 = 0                       ; R0=0
28: (95) exit
`,
  },
  {
    name: "and/or by a constant split a [-1,0] register (maybe_fork_scalars)",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (b7) r0 = 0                        ; R0=0
5: (c4) w6 s>>= 31                    ; R6=scalar(smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff))
6: (bf) r1 = r6                       ; R1=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff))
7: (54) w1 &= 31                      ; R1=31
8: (c7) r7 s>>= 63                    ; R7=scalar(smin=smin32=-1,smax=smax32=0)
9: (bf) r2 = r7                       ; R2=scalar(id=4,smin=smin32=-1,smax=smax32=0) R7=scalar(id=4,smin=smin32=-1,smax=smax32=0)
10: (47) r2 |= 12                     ; R2=-1
11: (bf) r3 = r6                      ; R3=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff))
12: (57) r3 &= -2                     ; R3=0xfffffffe
13: (b7) r0 = 0                       ; R0=0
14: (95) exit
from 12 to 12: R0=0 R1=31 R2=-1 R3=0 R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R7=scalar(id=4,smin=smin32=-1,smax=smax32=0) R10=fp0
12: (57) r3 &= -2                     ; R3=0
13: (b7) r0 = 0                       ; R0=0
14: (95) exit
from 10 to 10: R0=0 R1=31 R2=0 R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R7=scalar(id=4,smin=smin32=-1,smax=smax32=0) R10=fp0
10: (47) r2 |= 12                     ; R2=12
11: (bf) r3 = r6                      ; R3=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff))
12: (57) r3 &= -2                     ; R3=0xfffffffe
13: (b7) r0 = 0                       ; R0=0
14: (95) exit
from 12 to 12: R0=0 R1=31 R2=12 R3=0 R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R7=scalar(id=4,smin=smin32=-1,smax=smax32=0) R10=fp0
12: (57) r3 &= -2                     ; R3=0
13: (b7) r0 = 0                       ; R0=0
14: (95) exit
from 7 to 7: R0=0 R1=0 R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R7=scalar(id=2) R10=fp0
7: (54) w1 &= 31                      ; R1=0
8: (c7) r7 s>>= 63                    ; R7=scalar(smin=smin32=-1,smax=smax32=0)
9: (bf) r2 = r7                       ; R2=scalar(id=5,smin=smin32=-1,smax=smax32=0) R7=scalar(id=5,smin=smin32=-1,smax=smax32=0)
10: (47) r2 |= 12                     ; R2=-1
11: (bf) r3 = r6                      ; R3=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff))
12: (57) r3 &= -2                     ; R3=0xfffffffe
13: (b7) r0 = 0                       ; R0=0
14: (95) exit
from 12 to 12: R0=0 R1=0 R2=-1 R3=0 R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R7=scalar(id=5,smin=smin32=-1,smax=smax32=0) R10=fp0
12: (57) r3 &= -2                     ; R3=0
13: (b7) r0 = 0                       ; R0=0
14: (95) exit
from 10 to 10: R0=0 R1=0 R2=0 R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R7=scalar(id=5,smin=smin32=-1,smax=smax32=0) R10=fp0
10: (47) r2 |= 12                     ; R2=12
11: (bf) r3 = r6                      ; R3=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff))
12: (57) r3 &= -2                     ; R3=0xfffffffe
13: (b7) r0 = 0                       ; R0=0
14: (95) exit
from 12 to 12: R0=0 R1=0 R2=12 R3=0 R6=scalar(id=3,smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff)) R7=scalar(id=5,smin=smin32=-1,smax=smax32=0) R10=fp0
12: (57) r3 &= -2                     ; R3=0
13: (b7) r0 = 0                       ; R0=0
14: (95) exit
`,
  },
  {
    name: "unsigned numbers print in decimal up to 65535",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (b7) r0 = 0                        ; R0=0
3: (35) if r6 >= 0x9c40 goto pc+2     ; R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=0x9c3f,var_off=(0x0; 0xffff))
4: (b7) r0 = 0                        ; R0=0
5: (95) exit
from 3 to 6: R0=0 R6=scalar(id=1,umin=40000) R10=fp0
6: (35) if r6 >= 0xffff goto pc+2     ; R6=scalar(id=1,smin=umin=smin32=umin32=0x9c40,smax=umax=smax32=umax32=0xfffe,var_off=(0x8000; 0x7fff))
7: (b7) r0 = 0                        ; R0=0
8: (95) exit
from 6 to 9: R0=0 R6=scalar(id=1,umin=65535) R10=fp0
9: (35) if r6 >= 0x10000 goto pc+2    ; R6=0xffff
10: (b7) r0 = 0                       ; R0=0
11: (95) exit
from 9 to 12: R0=0 R6=scalar(id=1,umin=0x10000) R10=fp0
12: (b7) r0 = 0                       ; R0=0
13: (95) exit
`,
  },
  {
    name: "random program 1",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (77) r9 >>= 32                     ; R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
10: (d4) r8 = le16 r8                 ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
11: (c6) if w8 s< 0xfffffff goto pc+2
14: (d7) r6 = bswap16 r6              ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
15: (a4) w7 ^= 16128                  ; R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
16: (d6) if w9 s<= 0x40 goto pc+2     ; R9=scalar(smin=umin=smin32=umin32=65,smax=umax=umax32=0x7fffffff,var_off=(0x0; 0x7fffffff))
17: (b7) r0 = 0                       ; R0=0
18: (95) exit
from 16 to 19: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R9=scalar(smin=0,smax=umax=0xffffffff,smax32=64,var_off=(0x0; 0xffffffff)) R10=fp0
19: (77) r6 >>= 20                    ; R6=0
20: (04) w6 += 29843                  ; R6=29843
21: (07) r6 += 65536                  ; R6=0x17493
22: (97) r9 s%= -1418978816           ; R9=scalar()
23: (5c) w7 &= w8                     ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
24: (97) r7 %= 65536                  ; R7=scalar()
25: (57) r9 &= 255                    ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
26: (07) r6 += -2                     ; R6=0x17491
27: (b7) r0 = 0                       ; R0=0
28: (95) exit
`,
  },
  {
    name: "random program 2",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (6e) if w7 s> w8 goto pc+2         ; R7=scalar(id=2) R8=scalar(id=3)
10: (b7) r0 = 0                       ; R0=0
11: (95) exit
from 9 to 12: R0=0 R6=scalar(id=1) R7=scalar(id=2,smin32=0x80000001) R8=scalar(id=3,smax32=0x7ffffffe) R9=scalar(id=4) R10=fp0
12: (04) w9 += 268435455              ; R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
13: (d7) r9 = bswap32 r9              ; R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
14: (77) r7 >>= 48                    ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
15: (1f) r6 -= r8                     ; R6=scalar() R8=scalar(id=3,smax32=0x7ffffffe)
16: (a7) r7 ^= 255                    ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
17: (c5) if r9 s< 0xa1005000 goto pc+2
18: (b7) r0 = 0                       ; R0=0
19: (95) exit
`,
  },
  {
    name: "random program 3",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (54) w9 &= 100000                  ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=0x186a0,var_off=(0x0; 0x186a0))
10: (44) w6 |= 127                    ; R6=scalar(smin=umin=umin32=127,smax=umax=0xffffffff,smin32=0x8000007f,var_off=(0x7f; 0xffffff80))
11: (84) w6 = -w6                     ; R6=scalar(smin=umin=umin32=1,smax=umax=umax32=0xffffff81,smin32=0x80000001,smax32=0x7fffff81,var_off=(0x1; 0xffffff80))
12: (97) r8 s%= 31                    ; R8=scalar()
13: (1c) w9 -= w8                     ; R8=scalar() R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
14: (d7) r9 = bswap16 r9              ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
15: (cd) if r7 s< r9 goto pc+2        ; R7=scalar(id=2,smin=0,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff)) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
16: (b7) r0 = 0                       ; R0=0
17: (95) exit
from 15 to 18: R0=0 R6=scalar(smin=umin=umin32=1,smax=umax=umax32=0xffffff81,smin32=0x80000001,smax32=0x7fffff81,var_off=(0x1; 0xffffff80)) R7=scalar(id=2,smax=0xfffe) R8=scalar() R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R10=fp0
18: (07) r8 += 14100                  ; R8=scalar()
19: (47) r9 |= 268435455              ; R9=0xfffffff
20: (54) w7 &= 16                     ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=16,var_off=(0x0; 0x10))
21: (6f) r8 <<= r7                    ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=16,var_off=(0x0; 0x10)) R8=scalar()
22: (57) r7 &= 8                      ; R7=0
23: (54) w6 &= -1073741824            ; R6=scalar(smin=0,smax=umax=umax32=0xc0000000,smax32=0x40000000,var_off=(0x0; 0xc0000000))
24: (de) if w8 s<= w7 goto pc+2       ; R7=0 R8=scalar(smin=0x8000000000000001,smax=0x7fffffff7fffffff,umin=smin32=umin32=1,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff))
25: (b7) r0 = 0                       ; R0=0
26: (95) exit
from 24 to 27: R0=0 R6=scalar(smin=0,smax=umax=umax32=0xc0000000,smax32=0x40000000,var_off=(0x0; 0xc0000000)) R7=0 R8=scalar(smax32=0) R9=0xfffffff R10=fp0
27: (b7) r0 = 0                       ; R0=0
28: (95) exit
`,
  },
  {
    name: "random program 4",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (25) if r7 > 0xf goto pc+2         ; R7=scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))
10: (b7) r0 = 0                       ; R0=0
11: (95) exit
from 9 to 12: R0=0 R6=scalar(id=1) R7=scalar(id=2,umin=16) R8=scalar(id=3) R9=scalar(id=4) R10=fp0
12: (bc) w6 = (s8)w8                  ; R6=scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff)) R8=scalar(id=3)
13: (b4) w7 = 936121856               ; R7=0x37cc1600
14: (35) if r9 >= 0xf0ff4000 goto pc+2        ; R9=scalar(id=4,umax=0xfffffffff0ff3fff)
15: (b7) r0 = 0                       ; R0=0
16: (95) exit
from 14 to 17: R0=0 R6=scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff)) R7=0x37cc1600 R8=scalar(id=3) R9=scalar(id=4,smin=0xfffffffff0ff4000,smax=smax32=-1,umin=0xfffffffff0ff4000,smin32=umin32=0xf0ff4000,var_off=(0xfffffffff0000000; 0xfffffff)) R10=fp0
17: (55) if r7 != 0xee53a000 goto pc+2
20: (55) if r8 != 0xeb627e00 goto pc+2        ; R8=0xffffffffeb627e00
21: (b7) r0 = 0                       ; R0=0
22: (95) exit
from 20 to 23: R0=0 R6=scalar(smin=0,smax=umax=0xffffffff,smin32=-128,smax32=127,var_off=(0x0; 0xffffffff)) R7=0x37cc1600 R8=scalar(id=3) R9=scalar(id=4,smin=0xfffffffff0ff4000,smax=smax32=-1,umin=0xfffffffff0ff4000,smin32=umin32=0xf0ff4000,var_off=(0xfffffffff0000000; 0xfffffff)) R10=fp0
23: (75) if r9 s>= 0xff goto pc+2
24: (b7) r0 = 0                       ; R0=0
25: (95) exit
`,
  },
  {
    name: "random program 5",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (14) w9 -= 1                       ; R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
10: (57) r9 &= 65535                  ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
11: (07) r7 += 31                     ; R7=scalar(id=2+31)
12: (0f) r8 += r6                     ; R6=scalar(id=1) R8=scalar()
13: (27) r8 *= -1                     ; R8=scalar()
14: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
15: (bf) r9 = r0                      ; R0=scalar(id=5) R9=scalar(id=5)
16: (b7) r0 = 0                       ; R0=0
17: (dc) r6 = be64 r6                 ; R6=scalar()
18: (b7) r9 = 127                     ; R9=127
19: (dd) if r6 s<= r9 goto pc+2       ; R6=scalar(smin=umin=128,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff)) R9=127
20: (b7) r0 = 0                       ; R0=0
21: (95) exit
from 19 to 22: R0=0 R6=scalar(smax=127) R7=scalar(id=2+31) R8=scalar() R9=127 R10=fp0
22: (0f) r9 += r7                     ; R7=scalar(id=2+31) R9=scalar()
23: (97) r6 %= 8                      ; R6=scalar()
24: (75) if r6 s>= 0xffff goto pc+2   ; R6=scalar(smax=0xfffe)
25: (b7) r0 = 0                       ; R0=0
26: (95) exit
from 24 to 27: R0=0 R6=scalar(smin=umin=0xffff,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff)) R7=scalar(id=2+31) R8=scalar() R9=scalar() R10=fp0
27: (87) r9 = -r9                     ; R9=scalar()
28: (35) if r9 >= 0x3 goto pc+2       ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=2,var_off=(0x0; 0x3))
29: (b7) r0 = 0                       ; R0=0
30: (95) exit
from 28 to 31: R0=0 R6=scalar(smin=umin=0xffff,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff)) R7=scalar(id=2+31) R8=scalar() R9=scalar(umin=3) R10=fp0
31: (b7) r0 = 0                       ; R0=0
32: (95) exit
`,
  },
  {
    name: "random program 6",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (b5) if r7 <= 0xff goto pc+2       ; R7=scalar(id=2,umin=256)
10: (b7) r0 = 0                       ; R0=0
11: (95) exit
from 9 to 12: R0=0 R6=scalar(id=1) R7=scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R8=scalar(id=3) R9=scalar(id=4) R10=fp0
12: (c4) w7 s>>= 1                    ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f))
13: (ad) if r6 < r8 goto pc+2         ; R6=scalar(id=1) R8=scalar(id=3)
14: (b7) r0 = 0                       ; R0=0
15: (95) exit
from 13 to 16: R0=0 R6=scalar(id=1,umax=0xfffffffffffffffe) R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R8=scalar(id=3,umin=1) R9=scalar(id=4) R10=fp0
16: (b6) if w6 <= 0x87fab200 goto pc+2        ; R6=scalar(id=1,smin=0x8000000087fab201,umin=smin32=umin32=0x87fab201,umax=0xfffffffffffffffe,smax32=-1,var_off=(0x80000000; 0xffffffff7fffffff))
17: (b7) r0 = 0                       ; R0=0
18: (95) exit
from 16 to 19: R0=0 R6=scalar(id=1,smax=0x7fffffff87fab200,umax=0xffffffff87fab200,umax32=0x87fab200) R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R8=scalar(id=3,umin=1) R9=scalar(id=4) R10=fp0
19: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
20: (bf) r8 = r0                      ; R0=scalar(id=5) R8=scalar(id=5)
21: (b7) r0 = 0                       ; R0=0
22: (5c) w6 &= w7                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f))
23: (27) r8 *= 1869281280             ; R8=scalar(smax=0x7ffffffffffff800,umax=0xfffffffffffff800,smax32=0x7ffff800,umax32=0xfffff800,var_off=(0x0; 0xfffffffffffff800))
24: (5f) r9 &= r6                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f))
25: (b7) r9 = 32768                   ; R9=0x8000
26: (77) r8 >>= 44                    ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xfffff,var_off=(0x0; 0xfffff))
27: (87) r8 = -r8                     ; R8=scalar(smin=0xfffffffffff00001,smax=smax32=0,smin32=0xfff00001)
28: (3e) if w8 >= w7 goto pc+2        ; R7=scalar(smin=umin=smin32=umin32=1,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R8=0
29: (b7) r0 = 0                       ; R0=0
30: (95) exit
from 28 to 31: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R8=scalar(smin=0xfffffffffff00001,smax=smax32=0,smin32=0xfff00001) R9=0x8000 R10=fp0
31: (7d) if r6 s>= r9 goto pc+2
32: (b7) r0 = 0                       ; R0=0
33: (95) exit
`,
  },
  {
    name: "random program 7",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (a7) r9 ^= 2147483647              ; R9=scalar()
10: (d4) r8 = le64 r8                 ; R8=scalar(id=3)
11: (d4) r6 = le16 r6                 ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
12: (dc) r9 = be64 r9                 ; R9=scalar()
13: (67) r7 <<= 48                    ; R7=scalar(smax=0x7fff000000000000,umax=0xffff000000000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0xffff000000000000))
14: (dc) r8 = be64 r8                 ; R8=scalar()
15: (27) r8 *= 356293120              ; R8=scalar(smax=0x7ffffffffffffe00,umax=0xfffffffffffffe00,smax32=0x7ffffe00,umax32=0xfffffe00,var_off=(0x0; 0xfffffffffffffe00))
16: (65) if r7 s> 0xffff goto pc+2    ; R7=scalar(smax=smax32=umax32=0,umax=0xffff000000000000,smin32=0,var_off=(0x0; 0xffff000000000000))
17: (b7) r0 = 0                       ; R0=0
18: (95) exit
from 16 to 19: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R7=scalar(smin=umin=0x10000,smax=umax=0x7fff000000000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0x7fff000000000000)) R8=scalar(smax=0x7ffffffffffffe00,umax=0xfffffffffffffe00,smax32=0x7ffffe00,umax32=0xfffffe00,var_off=(0x0; 0xfffffffffffffe00)) R9=scalar() R10=fp0
19: (ad) if r7 < r9 goto pc+2         ; R7=scalar(smin=umin=0x10000,smax=umax=0x7fff000000000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0x7fff000000000000)) R9=scalar(smin=0,smax=umax=0x7fff000000000000,var_off=(0x0; 0x7fffffffffffffff))
20: (b7) r0 = 0                       ; R0=0
21: (95) exit
from 19 to 22: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R7=scalar(smin=umin=0x10000,smax=umax=0x7fff000000000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0x7fff000000000000)) R8=scalar(smax=0x7ffffffffffffe00,umax=0xfffffffffffffe00,smax32=0x7ffffe00,umax32=0xfffffe00,var_off=(0x0; 0xfffffffffffffe00)) R9=scalar(umin=0x10001) R10=fp0
22: (26) if w6 > 0xff goto pc+2       ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
23: (b7) r0 = 0                       ; R0=0
24: (95) exit
from 22 to 25: R0=0 R6=scalar(smin=umin=smin32=umin32=256,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R7=scalar(smin=umin=0x10000,smax=umax=0x7fff000000000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0x7fff000000000000)) R8=scalar(smax=0x7ffffffffffffe00,umax=0xfffffffffffffe00,smax32=0x7ffffe00,umax32=0xfffffe00,var_off=(0x0; 0xfffffffffffffe00)) R9=scalar(umin=0x10001) R10=fp0
25: (7f) r6 >>= r7                    ; R6=scalar() R7=scalar(smin=umin=0x10000,smax=umax=0x7fff000000000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0x7fff000000000000))
26: (7c) w6 >>= w7                    ; R6=scalar() R7=scalar(smin=umin=0x10000,smax=umax=0x7fff000000000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0x7fff000000000000))
27: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
28: (bf) r6 = r0                      ; R0=scalar(id=5) R6=scalar(id=5)
29: (b7) r0 = 0                       ; R0=0
30: (54) w6 &= 256                    ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=256,var_off=(0x0; 0x100))
31: (b7) r0 = 0                       ; R0=0
32: (95) exit
`,
  },
  {
    name: "random program 8",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
10: (bf) r7 = r0                      ; R0=scalar(id=5) R7=scalar(id=5)
11: (b7) r0 = 0                       ; R0=0
12: (5f) r6 &= r7                     ; R6=scalar() R7=scalar(id=5)
13: (57) r8 &= 127                    ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f))
14: (76) if w7 s>= 0x3e8 goto pc+2    ; R7=scalar(id=5,smax32=999)
15: (b7) r0 = 0                       ; R0=0
16: (95) exit
from 14 to 17: R0=0 R6=scalar() R7=scalar(id=5,smin=0x80000000000003e8,smax=0x7fffffff7fffffff,umin=smin32=umin32=1000,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff)) R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R9=scalar(id=4) R10=fp0
17: (15) if r7 == 0xfff goto pc+2     ; R7=scalar(id=5,smin=0x80000000000003e8,smax=0x7fffffff7fffffff,umin=smin32=umin32=1000,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff))
18: (b7) r0 = 0                       ; R0=0
19: (95) exit
from 17 to 20: R0=0 R6=scalar() R7=4095 R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=127,var_off=(0x0; 0x7f)) R9=scalar(id=4) R10=fp0
20: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
21: (bf) r6 = r0                      ; R0=scalar(id=6) R6=scalar(id=6)
22: (b7) r0 = 0                       ; R0=0
23: (07) r9 += 15616                  ; R9=scalar(id=4+15616)
24: (57) r6 &= 15                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=15,var_off=(0x0; 0xf))
25: (27) r8 *= 255                    ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=32385,var_off=(0x0; 0x7fff))
26: (d7) r6 = bswap32 r6              ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xf000000,var_off=(0x0; 0xf000000))
27: (55) if r8 != 0xff goto pc+2      ; R8=255
28: (b7) r0 = 0                       ; R0=0
29: (95) exit
from 27 to 30: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xf000000,var_off=(0x0; 0xf000000)) R7=4095 R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=32385,var_off=(0x0; 0x7fff)) R9=scalar(id=4+15616) R10=fp0
30: (74) w8 >>= 24                    ; R8=0
31: (36) if w7 >= 0x2faa goto pc+2
32: (b7) r0 = 0                       ; R0=0
33: (95) exit
`,
  },
  {
    name: "random program 9",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (87) r9 = -r9                      ; R9=scalar()
10: (5f) r6 &= r7                     ; R6=scalar() R7=scalar(id=2)
11: (5f) r8 &= r9                     ; R8=scalar() R9=scalar()
12: (c7) r9 s>>= 42                   ; R9=scalar(smin=0xffffffffffe00000,smax=smax32=0x1fffff,smin32=0xffe00000)
13: (87) r8 = -r8                     ; R8=scalar()
14: (25) if r8 > 0x1 goto pc+2        ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=1,var_off=(0x0; 0x1))
15: (b7) r0 = 0                       ; R0=0
16: (95) exit
from 14 to 17: R0=0 R6=scalar() R7=scalar(id=2) R8=scalar(umin=2) R9=scalar(smin=0xffffffffffe00000,smax=smax32=0x1fffff,smin32=0xffe00000) R10=fp0
17: (cd) if r8 s< r7 goto pc+2        ; R7=scalar(id=2) R8=scalar(umin=2)
18: (b7) r0 = 0                       ; R0=0
19: (95) exit
from 17 to 20: R0=0 R6=scalar() R7=scalar(id=2,smin=0x8000000000000001) R8=scalar(smax=0x7ffffffffffffffe,umin=2) R9=scalar(smin=0xffffffffffe00000,smax=smax32=0x1fffff,smin32=0xffe00000) R10=fp0
20: (04) w9 += 22087                  ; R9=scalar(smin=0,smax=umax=0xffffffff,smin32=0xffe05647,smax32=0x205646,var_off=(0x0; 0xffffffff))
21: (b6) if w7 <= 0xffffdda1 goto pc+2        ; R7=scalar(id=2,smin=0x80000000ffffdda2,umin=umin32=0xffffdda2,smin32=-8798,smax32=-1,var_off=(0xffffc000; 0xffffffff00003fff))
22: (b7) r0 = 0                       ; R0=0
23: (95) exit
from 21 to 24: R0=0 R6=scalar() R7=scalar(id=2,smin=0x8000000000000001,smax=0x7fffffffffffdda1,umax=0xffffffffffffdda1,umax32=0xffffdda1) R8=scalar(smax=0x7ffffffffffffffe,umin=2) R9=scalar(smin=0,smax=umax=0xffffffff,smin32=0xffe05647,smax32=0x205646,var_off=(0x0; 0xffffffff)) R10=fp0
24: (7d) if r7 s>= r8 goto pc+2       ; R7=scalar(id=2,smin=0x8000000000000001,smax=0x7fffffffffffdda1,umax=0xffffffffffffdda1,umax32=0xffffdda1) R8=scalar(smin=0x8000000000000002,smax=0x7ffffffffffffffe,umin=2)
25: (b7) r0 = 0                       ; R0=0
26: (95) exit
from 24 to 27: R0=0 R6=scalar() R7=scalar(id=2,smin=0x8000000000000001,smax=0x7fffffffffffdda1,umax=0xffffffffffffdda1,umax32=0xffffdda1) R8=scalar(smax=0x7fffffffffffdda1,umin=2) R9=scalar(smin=0,smax=umax=0xffffffff,smin32=0xffe05647,smax32=0x205646,var_off=(0x0; 0xffffffff)) R10=fp0
27: (17) r8 -= 1070142976             ; R8=scalar()
28: (07) r9 += 4                      ; R9=scalar(smin=umin=4,smax=umax=0x100000003,smin32=0xffe0564b,smax32=0x20564a,var_off=(0x0; 0x1ffffffff))
29: (d5) if r7 s<= 0x40 goto pc+2     ; R7=scalar(id=2,smin=umin=65,smax=umax=0x7fffffffffffdda1,umax32=0xffffdda1,var_off=(0x0; 0x7fffffffffffffff))
30: (b7) r0 = 0                       ; R0=0
31: (95) exit
from 29 to 32: R0=0 R6=scalar() R7=scalar(id=2,smin=0x8000000000000001,smax=64,umax=0xffffffffffffdda1,umax32=0xffffdda1) R8=scalar() R9=scalar(smin=umin=4,smax=umax=0x100000003,smin32=0xffe0564b,smax32=0x20564a,var_off=(0x0; 0x1ffffffff)) R10=fp0
32: (77) r8 >>= 1                     ; R8=scalar(smin=0,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff))
33: (b7) r0 = 0                       ; R0=0
34: (95) exit
`,
  },
  {
    name: "random program 10",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (37) r7 s/= 1183388160             ; R7=scalar()
10: (16) if w7 == 0x40000000 goto pc+2        ; R7=scalar()
11: (b7) r0 = 0                       ; R0=0
12: (95) exit
from 10 to 13: R0=0 R6=scalar(id=1) R7=scalar(smin=0x8000000040000000,smax=0x7fffffff40000000,umin=smin32=umin32=0x40000000,umax=0xffffffff40000000,smax32=umax32=0x40000000,var_off=(0x40000000; 0xffffffff00000000)) R8=scalar(id=3) R9=scalar(id=4) R10=fp0
13: (54) w8 &= 65535                  ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
14: (a4) w7 ^= 1217164288             ; R7=0x88c7400
15: (87) r7 = -r7                     ; R7=0xfffffffff7738c00
16: (57) r9 &= -2147483648            ; R9=scalar(smax=0x7fffffff80000000,umax=0xffffffff80000000,smax32=0,umax32=0x80000000,var_off=(0x0; 0xffffffff80000000))
17: (16) if w7 == 0x39d40000 goto pc+2
18: (b7) r0 = 0                       ; R0=0
19: (95) exit
`,
  },
  {
    name: "random program 11",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (27) r9 *= 32768                   ; R9=scalar(smax=0x7fffffffffff8000,umax=0xffffffffffff8000,smax32=0x7fff8000,umax32=0xffff8000,var_off=(0x0; 0xffffffffffff8000))
10: (d6) if w7 s<= 0x3 goto pc+2      ; R7=scalar(id=2,smin=0x8000000000000004,smax=0x7fffffff7fffffff,umin=smin32=umin32=4,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff))
11: (b7) r0 = 0                       ; R0=0
12: (95) exit
from 10 to 13: R0=0 R6=scalar(id=1) R7=scalar(id=2,smax32=3) R8=scalar(id=3) R9=scalar(smax=0x7fffffffffff8000,umax=0xffffffffffff8000,smax32=0x7fff8000,umax32=0xffff8000,var_off=(0x0; 0xffffffffffff8000)) R10=fp0
13: (ad) if r6 < r8 goto pc+2         ; R6=scalar(id=1) R8=scalar(id=3)
14: (b7) r0 = 0                       ; R0=0
15: (95) exit
from 13 to 16: R0=0 R6=scalar(id=1,umax=0xfffffffffffffffe) R7=scalar(id=2,smax32=3) R8=scalar(id=3,umin=1) R9=scalar(smax=0x7fffffffffff8000,umax=0xffffffffffff8000,smax32=0x7fff8000,umax32=0xffff8000,var_off=(0x0; 0xffffffffffff8000)) R10=fp0
16: (64) w8 <<= 31                    ; R8=scalar(smin=0,smax=umax=umax32=0x80000000,smax32=0,var_off=(0x0; 0x80000000))
17: (57) r8 &= 16                     ; R8=0
18: (07) r9 += 20199                  ; R9=scalar(smin=0x8000000000004ee7,smax=0x7fffffffffffcee7,umin=umin32=20199,umax=0xffffffffffffcee7,smin32=0x80004ee7,smax32=0x7fffcee7,umax32=0xffffcee7,var_off=(0x4ee7; 0xffffffffffff8000))
19: (cd) if r9 s< r6 goto pc+2        ; R6=scalar(id=1,smax=0x7fffffffffffcee7,umax=0xfffffffffffffffe) R9=scalar(smin=0x8000000000004ee7,smax=0x7fffffffffffcee7,umin=umin32=20199,umax=0xffffffffffffcee7,smin32=0x80004ee7,smax32=0x7fffcee7,umax32=0xffffcee7,var_off=(0x4ee7; 0xffffffffffff8000))
20: (b7) r0 = 0                       ; R0=0
21: (95) exit
from 19 to 22: R0=0 R6=scalar(id=1,smin=0x8000000000004ee8,umax=0xfffffffffffffffe) R7=scalar(id=2,smax32=3) R8=0 R9=scalar(smin=0x8000000000004ee7,smax=0x7fffffffffffcee7,umin=umin32=20199,umax=0xffffffffffffcee7,smin32=0x80004ee7,smax32=0x7fffcee7,umax32=0xffffcee7,var_off=(0x4ee7; 0xffffffffffff8000)) R10=fp0
22: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
23: (bf) r8 = r0                      ; R0=scalar(id=5) R8=scalar(id=5)
24: (b7) r0 = 0                       ; R0=0
25: (d4) r7 = le32 r7                 ; R7=scalar(smin=0,smax=umax=0xffffffff,smax32=3,var_off=(0x0; 0xffffffff))
26: (c5) if r8 s< 0xf goto pc+2       ; R8=scalar(id=5,smin=umin=15,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff))
27: (b7) r0 = 0                       ; R0=0
28: (95) exit
from 26 to 29: R0=0 R6=scalar(id=1,smin=0x8000000000004ee8,umax=0xfffffffffffffffe) R7=scalar(smin=0,smax=umax=0xffffffff,smax32=3,var_off=(0x0; 0xffffffff)) R8=scalar(id=5,smax=14) R9=scalar(smin=0x8000000000004ee7,smax=0x7fffffffffffcee7,umin=umin32=20199,umax=0xffffffffffffcee7,smin32=0x80004ee7,smax32=0x7fffcee7,umax32=0xffffcee7,var_off=(0x4ee7; 0xffffffffffff8000)) R10=fp0
29: (d4) r7 = le16 r7                 ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
30: (c5) if r7 s< 0xfff goto pc+2     ; R7=scalar(smin=umin=smin32=umin32=4095,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
31: (b7) r0 = 0                       ; R0=0
32: (95) exit
from 30 to 33: R0=0 R6=scalar(id=1,smin=0x8000000000004ee8,umax=0xfffffffffffffffe) R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=4094,var_off=(0x0; 0xfff)) R8=scalar(id=5,smax=14) R9=scalar(smin=0x8000000000004ee7,smax=0x7fffffffffffcee7,umin=umin32=20199,umax=0xffffffffffffcee7,smin32=0x80004ee7,smax32=0x7fffcee7,umax32=0xffffcee7,var_off=(0x4ee7; 0xffffffffffff8000)) R10=fp0
33: (c4) w6 s>>= 7                    ; R6=scalar(smin=0,smax=umax=0xffffffff,smin32=0xff000000,smax32=0xffffff,var_off=(0x0; 0xffffffff))
34: (c4) w9 s>>= 31                   ; R9=scalar(smin=0,smax=umax=0xffffffff,smin32=-1,smax32=0,var_off=(0x0; 0xffffffff))
35: (b7) r0 = 0                       ; R0=0
36: (95) exit
`,
  },
  {
    name: "random program 12",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (67) r7 <<= 8                      ; R7=scalar(smax=0x7fffffffffffff00,umax=0xffffffffffffff00,smax32=0x7fffff00,umax32=0xffffff00,var_off=(0x0; 0xffffffffffffff00))
10: (07) r9 += 268435455              ; R9=scalar(id=4+268435455)
11: (7f) r9 >>= r6                    ; R6=scalar(id=1) R9=scalar()
12: (bf) r7 = (s8)r7                  ; R7=scalar(smin=smin32=-128,smax=smax32=127)
13: (1e) if w7 == w8 goto pc+2        ; R7=scalar(smin=smin32=-128,smax=smax32=127) R8=scalar(id=3)
14: (b7) r0 = 0                       ; R0=0
15: (95) exit
from 13 to 16: R0=0 R6=scalar(id=1) R7=scalar(smin=smin32=-128,smax=smax32=127) R8=scalar(id=3,smin32=-128,smax32=127) R9=scalar() R10=fp0
16: (d6) if w8 s<= 0xc0000000 goto pc+2
17: (b7) r0 = 0                       ; R0=0
18: (95) exit
`,
  },
  {
    name: "random program 13",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (57) r6 &= 3                       ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3))
10: (2e) if w8 > w9 goto pc+2         ; R8=scalar(id=3) R9=scalar(id=4)
11: (b7) r0 = 0                       ; R0=0
12: (95) exit
from 10 to 13: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3)) R7=scalar(id=2) R8=scalar(id=3,smin=0x8000000000000001,umin=umin32=1) R9=scalar(id=4,smax=0x7ffffffffffffffe,umax=0xfffffffffffffffe,umax32=0xfffffffe) R10=fp0
13: (57) r8 &= -32768                 ; R8=scalar(smax=0x7fffffffffff8000,umax=0xffffffffffff8000,smax32=0x7fff8000,umax32=0xffff8000,var_off=(0x0; 0xffffffffffff8000))
14: (57) r8 &= 1073741824             ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=0x40000000,var_off=(0x0; 0x40000000))
15: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
16: (bf) r8 = r0                      ; R0=scalar(id=5) R8=scalar(id=5)
17: (b7) r0 = 0                       ; R0=0
18: (66) if w7 s> 0x0 goto pc+2       ; R7=scalar(id=2,smax32=0)
19: (b7) r0 = 0                       ; R0=0
20: (95) exit
from 18 to 21: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3)) R7=scalar(id=2,smin=0x8000000000000001,smax=0x7fffffff7fffffff,umin=smin32=umin32=1,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff)) R8=scalar(id=5) R9=scalar(id=4,smax=0x7ffffffffffffffe,umax=0xfffffffffffffffe,umax32=0xfffffffe) R10=fp0
21: (66) if w9 s> 0x186a0 goto pc+2   ; R9=scalar(id=4,smax=0x7ffffffffffffffe,umax=0xfffffffffffffffe,smax32=0x186a0,umax32=0xfffffffe)
22: (b7) r0 = 0                       ; R0=0
23: (95) exit
from 21 to 24: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3)) R7=scalar(id=2,smin=0x8000000000000001,smax=0x7fffffff7fffffff,umin=smin32=umin32=1,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff)) R8=scalar(id=5) R9=scalar(id=4,smin=0x80000000000186a1,smax=0x7fffffff7fffffff,umin=smin32=umin32=0x186a1,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff)) R10=fp0
24: (b5) if r8 <= 0xffff goto pc+2    ; R8=scalar(id=5,umin=0x10000)
25: (b7) r0 = 0                       ; R0=0
26: (95) exit
from 24 to 27: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3)) R7=scalar(id=2,smin=0x8000000000000001,smax=0x7fffffff7fffffff,umin=smin32=umin32=1,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff)) R8=scalar(id=5,smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R9=scalar(id=4,smin=0x80000000000186a1,smax=0x7fffffff7fffffff,umin=smin32=umin32=0x186a1,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff)) R10=fp0
27: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
28: (bf) r7 = r0                      ; R0=scalar(id=6) R7=scalar(id=6)
29: (b7) r0 = 0                       ; R0=0
30: (4c) w8 |= w6                     ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3)) R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
31: (45) if r9 & 0x7 goto pc+2        ; R9=scalar(id=4,smax=0x7fffffff7ffffff8,umax=0xffffffff7ffffff8,smin32=0,smax32=umax32=0x7ffffff8,var_off=(0x0; 0xffffffff7ffffff8))
32: (b7) r0 = 0                       ; R0=0
33: (95) exit
from 31 to 34: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=3,var_off=(0x0; 0x3)) R7=scalar(id=6) R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R9=scalar(id=4,smin=0x80000000000186a1,smax=0x7fffffff7fffffff,umin=smin32=umin32=0x186a1,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff)) R10=fp0
34: (a4) w7 ^= 255                    ; R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
35: (25) if r6 > 0x10000 goto pc+2
36: (b7) r0 = 0                       ; R0=0
37: (95) exit
`,
  },
  {
    name: "random program 14",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (67) r8 <<= 24                     ; R8=scalar(smax=0x7fffffffff000000,umax=0xffffffffff000000,smax32=0x7f000000,umax32=0xff000000,var_off=(0x0; 0xffffffffff000000))
10: (64) w9 <<= 24                    ; R9=scalar(smin=0,smax=umax=umax32=0xff000000,smax32=0x7f000000,var_off=(0x0; 0xff000000))
11: (dc) r7 = be16 r7                 ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
12: (45) if r9 & 0xfffffff goto pc+2          ; R9=scalar(smin=0,smax=umax=umax32=0xf0000000,smax32=0x70000000,var_off=(0x0; 0xf0000000))
13: (b7) r0 = 0                       ; R0=0
14: (95) exit
from 12 to 15: R0=0 R6=scalar(id=1) R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R8=scalar(smax=0x7fffffffff000000,umax=0xffffffffff000000,smax32=0x7f000000,umax32=0xff000000,var_off=(0x0; 0xffffffffff000000)) R9=scalar(smin=0,smax=umax=umax32=0xff000000,smax32=0x7f000000,var_off=(0x0; 0xff000000)) R10=fp0
15: (07) r9 += 255                    ; R9=scalar(smin=umin=umin32=255,smax=umax=umax32=0xff0000ff,smin32=0x800000ff,smax32=0x7f0000ff,var_off=(0xff; 0xff000000))
16: (c7) r9 s>>= 10                   ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=0x3fc000,var_off=(0x0; 0x3fc000))
17: (4f) r9 |= r6                     ; R6=scalar(id=1) R9=scalar()
18: (6c) w9 <<= w6                    ; R6=scalar(id=1) R9=scalar()
19: (dc) r9 = be32 r9                 ; R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
20: (14) w7 -= 31                     ; R7=scalar(smin=0,smax=umax=0xffffffff,smin32=-31,smax32=0xffe0,var_off=(0x0; 0xffffffff))
21: (d4) r6 = le64 r6                 ; R6=scalar(id=1)
22: (14) w9 -= -517431808             ; R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
23: (34) w8 s/= -32768                ; R8=scalar()
24: (3d) if r9 >= r8 goto pc+2        ; R8=scalar(umin=1) R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
25: (b7) r0 = 0                       ; R0=0
26: (95) exit
from 24 to 27: R0=0 R6=scalar(id=1) R7=scalar(smin=0,smax=umax=0xffffffff,smin32=-31,smax32=0xffe0,var_off=(0x0; 0xffffffff)) R8=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R10=fp0
27: (b7) r0 = 0                       ; R0=0
28: (95) exit
`,
  },
  {
    name: "random program 15",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (dc) r6 = be16 r6                  ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
10: (a7) r6 ^= 1                      ; R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
11: (9c) w8 s%= w9                    ; R8=scalar() R9=scalar(id=4)
12: (b7) r9 = 1000                    ; R9=1000
13: (75) if r8 s>= 0x4 goto pc+2      ; R8=scalar(smax=3)
14: (b7) r0 = 0                       ; R0=0
15: (95) exit
from 13 to 16: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R7=scalar(id=2) R8=scalar(smin=umin=4,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff)) R9=1000 R10=fp0
16: (54) w8 &= 65536                  ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=0x10000,var_off=(0x0; 0x10000))
17: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
18: (bf) r9 = r0                      ; R0=scalar(id=5) R9=scalar(id=5)
19: (b7) r0 = 0                       ; R0=0
20: (b4) w9 = 2                       ; R9=2
21: (25) if r8 > 0x3e8 goto pc+2      ; R8=0
22: (b7) r0 = 0                       ; R0=0
23: (95) exit
from 21 to 24: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff)) R7=scalar(id=2) R8=0x10000 R9=2 R10=fp0
24: (07) r7 += 31494                  ; R7=scalar(id=2+31494)
25: (57) r9 &= -336341504             ; R9=0
26: (27) r8 *= 32767                  ; R8=0x7fff0000
27: (a7) r9 ^= 4                      ; R9=4
28: (a6) if w6 < 0x2 goto pc+2        ; R6=scalar(smin=umin=smin32=umin32=2,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
29: (b7) r0 = 0                       ; R0=0
30: (95) exit
from 28 to 31: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=1,var_off=(0x0; 0x1)) R7=scalar(id=2+31494) R8=0x7fff0000 R9=4 R10=fp0
31: (b7) r0 = 0                       ; R0=0
32: (95) exit
`,
  },
  {
    name: "random program 16",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (6f) r8 <<= r6                     ; R6=scalar(id=1) R8=scalar()
10: (2d) if r8 > r7 goto pc+2         ; R7=scalar(id=2) R8=scalar()
11: (b7) r0 = 0                       ; R0=0
12: (95) exit
from 10 to 13: R0=0 R6=scalar(id=1) R7=scalar(id=2,umax=0xfffffffffffffffe) R8=scalar(umin=1) R9=scalar(id=4) R10=fp0
13: (94) w8 s%= 4                     ; R8=scalar()
14: (57) r8 &= -2100831744            ; R8=scalar(smax=0x7fffffff82c7da00,umax=0xffffffff82c7da00,smax32=0x2c7da00,umax32=0x82c7da00,var_off=(0x0; 0xffffffff82c7da00))
15: (b7) r9 = -12377                  ; R9=-12377
16: (37) r6 s/= 4095                  ; R6=scalar()
17: (37) r6 s/= -932312576            ; R6=scalar()
18: (4d) if r8 & r6 goto pc+2         ; R6=scalar() R8=scalar(smax=0x7fffffff82c7da00,umax=0xffffffff82c7da00,smax32=0x2c7da00,umax32=0x82c7da00,var_off=(0x0; 0xffffffff82c7da00))
19: (b7) r0 = 0                       ; R0=0
20: (95) exit
from 18 to 21: R0=0 R6=scalar() R7=scalar(id=2,umax=0xfffffffffffffffe) R8=scalar(smax=0x7fffffff82c7da00,umax=0xffffffff82c7da00,smax32=0x2c7da00,umax32=0x82c7da00,var_off=(0x0; 0xffffffff82c7da00)) R9=-12377 R10=fp0
21: (d7) r9 = bswap32 r9              ; R9=0xa7cfffff
22: (36) if w9 >= 0x3 goto pc+2
25: (65) if r7 s> 0x2 goto pc+2       ; R7=scalar(id=2,smax=2,umax=0xfffffffffffffffe)
26: (b7) r0 = 0                       ; R0=0
27: (95) exit
from 25 to 28: R0=0 R6=scalar() R7=scalar(id=2,smin=umin=3,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff)) R8=scalar(smax=0x7fffffff82c7da00,umax=0xffffffff82c7da00,smax32=0x2c7da00,umax32=0x82c7da00,var_off=(0x0; 0xffffffff82c7da00)) R9=0xa7cfffff R10=fp0
28: (d7) r9 = bswap64 r9              ; R9=0xffffcfa700000000
29: (97) r7 s%= -1924815360           ; R7=scalar()
30: (a7) r7 ^= 1                      ; R7=scalar()
31: (b7) r0 = 0                       ; R0=0
32: (95) exit
`,
  },
  {
    name: "random program 17",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (dc) r6 = be64 r6                  ; R6=scalar()
10: (87) r9 = -r9                     ; R9=scalar()
11: (35) if r7 >= 0xfffff3da goto pc+2        ; R7=scalar(id=2,umax=0xfffffffffffff3d9)
12: (b7) r0 = 0                       ; R0=0
13: (95) exit
from 11 to 14: R0=0 R6=scalar() R7=scalar(id=2,smin=smin32=-3110,smax=smax32=-1,umin=0xfffffffffffff3da,umin32=0xfffff3da,var_off=(0xfffffffffffff000; 0xfff)) R8=scalar(id=3) R9=scalar() R10=fp0
14: (35) if r7 >= 0x8e562400 goto pc+2
17: (b5) if r7 <= 0x40 goto pc+2
18: (b7) r0 = 0                       ; R0=0
19: (95) exit
`,
  },
  {
    name: "random program 18",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (17) r8 -= -1230                   ; R8=scalar(id=3+1230)
10: (5f) r8 &= r6                     ; R6=scalar(id=1) R8=scalar()
11: (97) r6 %= 63                     ; R6=scalar()
12: (d7) r7 = bswap32 r7              ; R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
13: (07) r9 += -107409408             ; R9=scalar(id=4-107409408)
14: (55) if r6 != 0x20 goto pc+2      ; R6=32
15: (b7) r0 = 0                       ; R0=0
16: (95) exit
from 14 to 17: R0=0 R6=scalar() R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R8=scalar() R9=scalar(id=4-107409408) R10=fp0
17: (a7) r9 ^= -2040425472            ; R9=scalar()
18: (45) if r7 & 0x20 goto pc+2       ; R7=scalar(smin=0,smax=umax=umax32=0xffffffdf,smax32=0x7fffffdf,var_off=(0x0; 0xffffffdf))
19: (b7) r0 = 0                       ; R0=0
20: (95) exit
from 18 to 21: R0=0 R6=scalar() R7=scalar(smin=umin=umin32=32,smax=umax=0xffffffff,smin32=0x80000020,var_off=(0x20; 0xffffffdf)) R8=scalar() R9=scalar() R10=fp0
21: (16) if w9 == 0x40 goto pc+2      ; R9=scalar()
22: (b7) r0 = 0                       ; R0=0
23: (95) exit
from 21 to 24: R0=0 R6=scalar() R7=scalar(smin=umin=umin32=32,smax=umax=0xffffffff,smin32=0x80000020,var_off=(0x20; 0xffffffdf)) R8=scalar() R9=scalar(smin=0x8000000000000040,smax=0x7fffffff00000040,umin=smin32=umin32=64,umax=0xffffffff00000040,smax32=umax32=64,var_off=(0x40; 0xffffffff00000000)) R10=fp0
24: (bc) w8 = (s16)w9                 ; R8=64 R9=scalar(smin=0x8000000000000040,smax=0x7fffffff00000040,umin=smin32=umin32=64,umax=0xffffffff00000040,smax32=umax32=64,var_off=(0x40; 0xffffffff00000000))
25: (c5) if r9 s< 0xffffb0cd goto pc+2        ; R9=scalar(smin=umin=smin32=umin32=64,smax=umax=0x7fffffff00000040,smax32=umax32=64,var_off=(0x40; 0x7fffffff00000000))
26: (b7) r0 = 0                       ; R0=0
27: (95) exit
from 25 to 28: R0=0 R6=scalar() R7=scalar(smin=umin=umin32=32,smax=umax=0xffffffff,smin32=0x80000020,var_off=(0x20; 0xffffffdf)) R8=64 R9=scalar(smin=0x8000000000000040,smax=0xffffffff00000040,umin=0x8000000000000040,umax=0xffffffff00000040,smin32=umin32=64,smax32=umax32=64,var_off=(0x8000000000000040; 0x7fffffff00000000)) R10=fp0
28: (bd) if r6 <= r8 goto pc+2        ; R6=scalar(umin=65) R8=64
29: (b7) r0 = 0                       ; R0=0
30: (95) exit
from 28 to 31: R0=0 R6=scalar(smin=smin32=0,smax=umax=smax32=umax32=64,var_off=(0x0; 0x7f)) R7=scalar(smin=umin=umin32=32,smax=umax=0xffffffff,smin32=0x80000020,var_off=(0x20; 0xffffffdf)) R8=64 R9=scalar(smin=0x8000000000000040,smax=0xffffffff00000040,umin=0x8000000000000040,umax=0xffffffff00000040,smin32=umin32=64,smax32=umax32=64,var_off=(0x8000000000000040; 0x7fffffff00000000)) R10=fp0
31: (87) r9 = -r9                     ; R9=scalar(smin=umin=umin32=0xffffffc0,smax=umax=0x7fffffffffffffc0,smin32=-64,smax32=-64,umax32=0xffffffc0,var_off=(0xffffffc0; 0x7fffffff00000000))
32: (d7) r7 = bswap32 r7              ; R7=scalar(smin=umin=umin32=0x20000000,smax=umax=0xffffffff,smin32=0xa0000000,var_off=(0x20000000; 0xdfffffff))
33: (b7) r0 = 0                       ; R0=0
34: (95) exit
`,
  },
  {
    name: "random program 19",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (25) if r6 > 0x53570c00 goto pc+2          ; R6=scalar(id=1,smin=smin32=0,smax=umax=smax32=umax32=0x53570c00,var_off=(0x0; 0x7fffffff))
10: (b7) r0 = 0                       ; R0=0
11: (95) exit
from 9 to 12: R0=0 R6=scalar(id=1,umin=0x53570c01) R7=scalar(id=2) R8=scalar(id=3) R9=scalar(id=4) R10=fp0
12: (07) r8 += 15102                  ; R8=scalar(id=3+15102)
13: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
14: (bf) r7 = r0                      ; R0=scalar(id=5) R7=scalar(id=5)
15: (b7) r0 = 0                       ; R0=0
16: (6c) w6 <<= w9                    ; R6=scalar() R9=scalar(id=4)
17: (2f) r8 *= r9                     ; R8=scalar() R9=scalar(id=4)
18: (84) w9 = -w9                     ; R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
19: (bc) w9 = (s16)w9                 ; R9=scalar(smin=0,smax=umax=0xffffffff,smin32=-32768,smax32=32767,var_off=(0x0; 0xffffffff))
20: (c5) if r7 s< 0x3e8 goto pc+2     ; R7=scalar(id=5,smin=umin=1000,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff))
21: (b7) r0 = 0                       ; R0=0
22: (95) exit
from 20 to 23: R0=0 R6=scalar() R7=scalar(id=5,smax=999) R8=scalar() R9=scalar(smin=0,smax=umax=0xffffffff,smin32=-32768,smax32=32767,var_off=(0x0; 0xffffffff)) R10=fp0
23: (c7) r6 s>>= 44                   ; R6=scalar(smin=0xfffffffffff80000,smax=smax32=0x7ffff,smin32=0xfff80000)
24: (57) r9 &= 63                     ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=63,var_off=(0x0; 0x3f))
25: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
26: (bf) r7 = r0                      ; R0=scalar(id=6) R7=scalar(id=6)
27: (b7) r0 = 0                       ; R0=0
28: (c4) w6 s>>= 9                    ; R6=scalar(smin=0,smax=umax=0xffffffff,smin32=-1024,smax32=1023,var_off=(0x0; 0xffffffff))
29: (76) if w9 s>= 0x3e8 goto pc+2
30: (b7) r0 = 0                       ; R0=0
31: (95) exit
`,
  },
  {
    name: "random program 20",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (54) w8 &= -1                      ; R8=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
10: (c7) r6 s>>= 16                   ; R6=scalar(smin=0xffff800000000000,smax=0x7fffffffffff)
11: (b7) r7 = 255                     ; R7=255
12: (1e) if w7 == w8 goto pc+2        ; R7=255 R8=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
13: (b7) r0 = 0                       ; R0=0
14: (95) exit
from 12 to 15: R0=0 R6=scalar(smin=0xffff800000000000,smax=0x7fffffffffff) R7=255 R8=255 R9=scalar(id=4) R10=fp0
15: (0f) r7 += r9                     ; R7=scalar() R9=scalar(id=4)
16: (d7) r7 = bswap64 r7              ; R7=scalar()
17: (7f) r7 >>= r9                    ; R7=scalar() R9=scalar(id=4)
18: (a5) if r6 < 0xa8dc3800 goto pc+2         ; R6=scalar(smin=0xffffffffa8dc3800,smax=smax32=-1,umin=0xffffffffa8dc3800,smin32=umin32=0xa8dc3800,var_off=(0xffffffff80000000; 0x7fffffff))
19: (b7) r0 = 0                       ; R0=0
20: (95) exit
from 18 to 21: R0=0 R6=scalar(smin=0xffff800000000000,smax=0x7fffffffffff,umax=0xffffffffa8dc37ff) R7=scalar() R8=255 R9=scalar(id=4) R10=fp0
21: (5f) r8 &= r9                     ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R9=scalar(id=4)
22: (47) r7 |= -2147483648            ; R7=scalar(smin=0xffffffff80000000,smax=smax32=-1,umin=0xffffffff80000000,umin32=0x80000000,var_off=(0xffffffff80000000; 0x7fffffff))
23: (2c) w6 *= w8                     ; R6=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))
24: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
25: (bf) r7 = r0                      ; R0=scalar(id=5) R7=scalar(id=5)
26: (b7) r0 = 0                       ; R0=0
27: (af) r8 ^= r6                     ; R6=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R8=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
28: (67) r8 <<= 32                    ; R8=scalar(smax=0x7fffffff00000000,umax=0xffffffff00000000,smin32=0,smax32=umax32=0,var_off=(0x0; 0xffffffff00000000))
29: (b7) r0 = 0                       ; R0=0
30: (95) exit
`,
  },
  {
    name: "random program 3773 (needs three deduction rounds)",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (35) if r9 >= 0xffff932c goto pc+2         ; R9=scalar(id=4,umax=0xffffffffffff932b)
10: (b7) r0 = 0                       ; R0=0
11: (95) exit
from 9 to 12: R0=0 R6=scalar(id=1) R7=scalar(id=2) R8=scalar(id=3) R9=scalar(id=4,smin=smin32=-27860,smax=smax32=-1,umin=0xffffffffffff932c,umin32=0xffff932c,var_off=(0xffffffffffff8000; 0x7fff)) R10=fp0
12: (67) r9 <<= 1                     ; R9=scalar(smin=0xffffffffffff0000,smax=smax32=-2,umin=0xffffffffffff0000,umax=0xfffffffffffffffe,smin32=umin32=0xffff0000,umax32=0xfffffffe,var_off=(0xffffffffffff0000; 0xfffe))
13: (66) if w9 s> 0xdf1e7c00 goto pc+2
16: (04) w8 += -128                   ; R8=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
17: (d7) r7 = bswap16 r7              ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=0xffff,var_off=(0x0; 0xffff))
18: (2f) r7 *= r9                     ; R7=scalar(smin=0xffffffff00010000,smax=0,umax=0xfffffffffffffffe,smax32=0x7ffffffe,umax32=0xfffffffe,var_off=(0x0; 0xfffffffffffffffe)) R9=scalar(smin=0xffffffffffff0000,smax=smax32=-2,umin=0xffffffffffff0000,umax=0xfffffffffffffffe,smin32=umin32=0xffff0000,umax32=0xfffffffe,var_off=(0xffffffffffff0000; 0xfffe))
19: (36) if w7 >= 0x3f goto pc+2      ; R7=scalar(smin=smin32=0,smax=umax=smax32=umax32=62,var_off=(0x0; 0x3e))
20: (b7) r0 = 0                       ; R0=0
21: (95) exit
from 19 to 22: R0=0 R6=scalar(id=1) R7=scalar(smin=0xffffffff00010000,smax=-2,umin=0xffffffff00010000,umax=0xfffffffffffffffe,smax32=0x7ffffffe,umin32=0x10000,umax32=0xfffffffe,var_off=(0xffffffff00000000; 0xfffffffe)) R8=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R9=scalar(smin=0xffffffffffff0000,smax=smax32=-2,umin=0xffffffffffff0000,umax=0xfffffffffffffffe,smin32=umin32=0xffff0000,umax32=0xfffffffe,var_off=(0xffffffffffff0000; 0xfffe)) R10=fp0
22: (a7) r9 ^= 230818816              ; R9=scalar(smin=0xfffffffff23d0000,smax=0xfffffffff23dfffe,umin=0xfffffffff23d0000,umax=0xfffffffff23dfffe,smin32=umin32=0xf23d0000,smax32=umax32=0xf23dfffe,var_off=(0xfffffffff23d0000; 0xfffe))
23: (34) w8 /= -32768                 ; R8=scalar()
24: (0c) w6 += w7                     ; R6=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R7=scalar(smin=0xffffffff00010000,smax=-2,umin=0xffffffff00010000,umax=0xfffffffffffffffe,smax32=0x7ffffffe,umin32=0x10000,umax32=0xfffffffe,var_off=(0xffffffff00000000; 0xfffffffe))
25: (dd) if r6 s<= r8 goto pc+2       ; R6=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R8=scalar(smax=0xfffffffe)
26: (b7) r0 = 0                       ; R0=0
27: (95) exit
from 25 to 28: R0=0 R6=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R7=scalar(smin=0xffffffff00010000,smax=-2,umin=0xffffffff00010000,umax=0xfffffffffffffffe,smax32=0x7ffffffe,umin32=0x10000,umax32=0xfffffffe,var_off=(0xffffffff00000000; 0xfffffffe)) R8=scalar(smin=0,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff)) R9=scalar(smin=0xfffffffff23d0000,smax=0xfffffffff23dfffe,umin=0xfffffffff23d0000,umax=0xfffffffff23dfffe,smin32=umin32=0xf23d0000,smax32=umax32=0xf23dfffe,var_off=(0xfffffffff23d0000; 0xfffe)) R10=fp0
28: (a7) r7 ^= 16128                  ; R7=scalar(smin=0xffffffff00000000,smax=-2,umin=0xffffffff00000000,umax=0xfffffffffffffffe,smax32=0x7ffffffe,umax32=0xfffffffe,var_off=(0xffffffff00000000; 0xfffffffe))
29: (15) if r8 == 0xffff8000 goto pc+2
30: (b7) r0 = 0                       ; R0=0
31: (95) exit
`,
  },
  {
    name: "random program 18631 (needs three deduction rounds)",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (c6) if w8 s< 0x40000000 goto pc+2         ; R8=scalar(id=3,smin=0x8000000040000000,smax=0x7fffffff7fffffff,umin=smin32=umin32=0x40000000,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x40000000; 0xffffffff3fffffff))
10: (b7) r0 = 0                       ; R0=0
11: (95) exit
from 9 to 12: R0=0 R6=scalar(id=1) R7=scalar(id=2) R8=scalar(id=3,smax32=0x3fffffff) R9=scalar(id=4) R10=fp0
12: (1c) w7 -= w9                     ; R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R9=scalar(id=4)
13: (04) w6 += -667858944             ; R6=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
14: (1f) r8 -= r6                     ; R6=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R8=scalar()
15: (4d) if r9 & r7 goto pc+2         ; R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R9=scalar(id=4)
16: (b7) r0 = 0                       ; R0=0
17: (95) exit
from 15 to 18: R0=0 R6=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R8=scalar() R9=scalar(id=4) R10=fp0
18: (37) r7 /= 1                      ; R7=scalar()
19: (1d) if r6 == r7 goto pc+2        ; R6=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R7=scalar()
20: (b7) r0 = 0                       ; R0=0
21: (95) exit
from 19 to 22: R0=0 R6=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R8=scalar() R9=scalar(id=4) R10=fp0
22: (57) r8 &= 31729                  ; R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=31729,var_off=(0x0; 0x7bf1))
23: (64) w6 <<= 16                    ; R6=scalar(smin=0,smax=umax=umax32=0xffff0000,smax32=0x7fff0000,var_off=(0x0; 0xffff0000))
24: (87) r6 = -r6                     ; R6=scalar(smin=0xffffffff00010000,smax=0,umax=0xffffffffffff0000,smax32=0x7fff0000,umax32=0xffff0000,var_off=(0x0; 0xffffffffffff0000))
25: (d6) if w6 s<= 0x3f00 goto pc+2   ; R6=scalar(smin=0xffffffff00010000,smax=0xffffffff7fff0000,umin=0xffffffff00010000,umax=0xffffffff7fff0000,smin32=umin32=0x10000,smax32=umax32=0x7fff0000,var_off=(0xffffffff00000000; 0x7fff0000))
26: (b7) r0 = 0                       ; R0=0
27: (95) exit
from 25 to 28: R0=0 R6=scalar(smin=0xffffffff00010000,smax=0,umax=0xffffffffffff0000,smax32=16128,umax32=0xffff0000,var_off=(0x0; 0xffffffffffff0000)) R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=31729,var_off=(0x0; 0x7bf1)) R9=scalar(id=4) R10=fp0
28: (d5) if r8 s<= 0x7 goto pc+2      ; R8=scalar(smin=umin=smin32=umin32=8,smax=umax=smax32=umax32=31729,var_off=(0x0; 0x7bf1))
29: (b7) r0 = 0                       ; R0=0
30: (95) exit
from 28 to 31: R0=0 R6=scalar(smin=0xffffffff00010000,smax=0,umax=0xffffffffffff0000,smax32=16128,umax32=0xffff0000,var_off=(0x0; 0xffffffffffff0000)) R7=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R8=scalar(smin=smin32=0,smax=umax=smax32=umax32=1,var_off=(0x0; 0x1)) R9=scalar(id=4) R10=fp0
31: (a6) if w8 < 0x37f5 goto pc+2
34: (b4) w9 = 1073741824              ; R9=0x40000000
35: (b7) r0 = 0                       ; R0=0
36: (95) exit
`,
  },
  {
    name: "random program 30913 (needs three deduction rounds)",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (57) r8 &= -1073741824             ; R8=scalar(smax=0x7fffffffc0000000,umax=0xffffffffc0000000,smax32=0x40000000,umax32=0xc0000000,var_off=(0x0; 0xffffffffc0000000))
10: (bf) r8 = (s32)r9                 ; R8=scalar(smin=0xffffffff80000000,smax=0x7fffffff) R9=scalar(id=4)
11: (4f) r9 |= r6                     ; R6=scalar(id=1) R9=scalar()
12: (a5) if r8 < 0xa69ce000 goto pc+2         ; R8=scalar(smin=0xffffffffa69ce000,smax=smax32=-1,umin=0xffffffffa69ce000,smin32=umin32=0xa69ce000,var_off=(0xffffffff80000000; 0x7fffffff))
13: (b7) r0 = 0                       ; R0=0
14: (95) exit
from 12 to 15: R0=0 R6=scalar(id=1) R7=scalar(id=2) R8=scalar(smin=0xffffffff80000000,smax=0x7fffffff,umax=0xffffffffa69cdfff) R9=scalar() R10=fp0
15: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
16: (bf) r9 = r0                      ; R0=scalar(id=5) R9=scalar(id=5)
17: (b7) r0 = 0                       ; R0=0
18: (7d) if r8 s>= r7 goto pc+2       ; R7=scalar(id=2,smin=0xffffffff80000001) R8=scalar(smin=0xffffffff80000000,smax=0x7fffffff,umax=0xffffffffa69cdfff)
19: (b7) r0 = 0                       ; R0=0
20: (95) exit
from 18 to 21: R0=0 R6=scalar(id=1) R7=scalar(id=2,smax=0x7fffffff) R8=scalar(smin=0xffffffff80000000,smax=0x7fffffff,umax=0xffffffffa69cdfff) R9=scalar(id=5) R10=fp0
21: (66) if w8 s> 0xffffffff goto pc+2        ; R8=scalar(smin=0xffffffff80000000,smax=0xffffffffa69cdfff,umin=0xffffffff80000000,umax=0xffffffffa69cdfff,smax32=umax32=0xa69cdfff,umin32=0x80000000,var_off=(0xffffffff80000000; 0x3fffffff))
22: (b7) r0 = 0                       ; R0=0
23: (95) exit
from 21 to 24: R0=0 R6=scalar(id=1) R7=scalar(id=2,smax=0x7fffffff) R8=scalar(smin=smin32=0,smax=umax=umax32=0x7fffffff,var_off=(0x0; 0x7fffffff)) R9=scalar(id=5) R10=fp0
24: (a6) if w8 < 0xfffffffb goto pc+2
27: (97) r8 %= 2                      ; R8=scalar()
28: (87) r8 = -r8                     ; R8=scalar()
29: (65) if r8 s> 0x8 goto pc+2       ; R8=scalar(smax=8)
30: (b7) r0 = 0                       ; R0=0
31: (95) exit
from 29 to 32: R0=0 R6=scalar(id=1) R7=scalar(id=2,smax=0x7fffffff) R8=scalar(smin=umin=9,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff)) R9=scalar(id=5) R10=fp0
32: (35) if r9 >= 0x8 goto pc+2       ; R9=scalar(id=5,smin=smin32=0,smax=umax=smax32=umax32=7,var_off=(0x0; 0x7))
33: (b7) r0 = 0                       ; R0=0
34: (95) exit
from 32 to 35: R0=0 R6=scalar(id=1) R7=scalar(id=2,smax=0x7fffffff) R8=scalar(smin=umin=9,umax=0x7fffffffffffffff,var_off=(0x0; 0x7fffffffffffffff)) R9=scalar(id=5,umin=8) R10=fp0
35: (84) w8 = -w8                     ; R8=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
36: (35) if r7 >= 0xff goto pc+2      ; R7=scalar(id=2,smin=smin32=0,smax=umax=smax32=umax32=254,var_off=(0x0; 0xff))
37: (b7) r0 = 0                       ; R0=0
38: (95) exit
from 36 to 39: R0=0 R6=scalar(id=1) R7=scalar(id=2,smax=0x7fffffff,umin=255) R8=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R9=scalar(id=5,umin=8) R10=fp0
39: (b7) r0 = 0                       ; R0=0
40: (95) exit
`,
  },
  {
    name: "random program 46200 (needs three deduction rounds)",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (1c) w9 -= w7                      ; R7=scalar(id=2) R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
10: (ac) w9 ^= w7                     ; R7=scalar(id=2) R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
11: (cd) if r6 s< r8 goto pc+2        ; R6=scalar(id=1) R8=scalar(id=3)
12: (b7) r0 = 0                       ; R0=0
13: (95) exit
from 11 to 14: R0=0 R6=scalar(id=1,smax=0x7ffffffffffffffe) R7=scalar(id=2) R8=scalar(id=3,smin=0x8000000000000001) R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R10=fp0
14: (04) w9 += 15                     ; R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
15: (15) if r7 == 0xffff94b1 goto pc+2        ; R7=scalar(id=2)
16: (b7) r0 = 0                       ; R0=0
17: (95) exit
from 15 to 18: R0=0 R6=scalar(id=1,smax=0x7ffffffffffffffe) R7=-27471 R8=scalar(id=3,smin=0x8000000000000001) R9=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R10=fp0
18: (4f) r8 |= r7                     ; R7=-27471 R8=scalar(smin=smin32=-27471,smax=smax32=-1,umin=0xffffffffffff94b1,umin32=0xffff94b1,var_off=(0xffffffffffff94b1; 0x6b4e))
19: (87) r9 = -r9                     ; R9=scalar(smin=0xffffffff00000001,smax=0)
20: (55) if r9 != 0x40000000 goto pc+2
23: (ad) if r9 < r7 goto pc+2         ; R7=-27471 R9=scalar(smin=smin32=-27471,smax=smax32=-1,umin=0xffffffffffff94b1,umin32=0xffff94b1,var_off=(0xffffffffffff8000; 0x7fff))
24: (b7) r0 = 0                       ; R0=0
25: (95) exit
from 23 to 26: R0=0 R6=scalar(id=1,smax=0x7ffffffffffffffe) R7=-27471 R8=scalar(smin=smin32=-27471,smax=smax32=-1,umin=0xffffffffffff94b1,umin32=0xffff94b1,var_off=(0xffffffffffff94b1; 0x6b4e)) R9=scalar(smin=0xffffffff00000001,smax=0,umax=0xffffffffffff94b0) R10=fp0
26: (65) if r6 s> 0x9bfd3800 goto pc+2        ; R6=scalar(id=1,smax=0xffffffff9bfd3800,umin=0x8000000000000000,umax=0xffffffff9bfd3800,var_off=(0x8000000000000000; 0x7fffffffffffffff))
27: (b7) r0 = 0                       ; R0=0
28: (95) exit
from 26 to 29: R0=0 R6=scalar(id=1,smin=0xffffffff9bfd3801,smax=0x7ffffffffffffffe) R7=-27471 R8=scalar(smin=smin32=-27471,smax=smax32=-1,umin=0xffffffffffff94b1,umin32=0xffff94b1,var_off=(0xffffffffffff94b1; 0x6b4e)) R9=scalar(smin=0xffffffff00000001,smax=0,umax=0xffffffffffff94b0) R10=fp0
29: (d5) if r6 s<= 0xffffff80 goto pc+2       ; R6=scalar(id=1,smin=-127,smax=0x7ffffffffffffffe)
30: (b7) r0 = 0                       ; R0=0
31: (95) exit
from 29 to 32: R0=0 R6=scalar(id=1,smin=0xffffffff9bfd3801,smax=smax32=-128,umin=0xffffffff9bfd3801,umax=0xffffffffffffff80,smin32=umin32=0x9bfd3801,umax32=0xffffff80,var_off=(0xffffffff80000000; 0x7fffffff)) R7=-27471 R8=scalar(smin=smin32=-27471,smax=smax32=-1,umin=0xffffffffffff94b1,umin32=0xffff94b1,var_off=(0xffffffffffff94b1; 0x6b4e)) R9=scalar(smin=0xffffffff00000001,smax=0,umax=0xffffffffffff94b0) R10=fp0
32: (cf) r6 s>>= r7                   ; R6=scalar() R7=-27471
33: (07) r7 += 8                      ; R7=-27463
34: (b6) if w9 <= 0x2 goto pc+2       ; R9=scalar(smin=0xffffffff00000003,smax=-27472,umin=0xffffffff00000003,umax=0xffffffffffff94b0,umin32=3,umax32=0xffff94b0,var_off=(0xffffffff00000000; 0xffffffff))
35: (b7) r0 = 0                       ; R0=0
36: (95) exit
from 34 to 37: R0=0 R6=scalar() R7=-27463 R8=scalar(smin=smin32=-27471,smax=smax32=-1,umin=0xffffffffffff94b1,umin32=0xffff94b1,var_off=(0xffffffffffff94b1; 0x6b4e)) R9=scalar(smin=0xffffffff00000001,smax=0,umax=0xffffffff00000002,smin32=0,smax32=umax32=2,var_off=(0x0; 0xffffffff00000003)) R10=fp0
37: (b7) r0 = 0                       ; R0=0
38: (95) exit
`,
  },
  {
    name: "random program 75958 (needs three deduction rounds)",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (c7) r7 s>>= 32                    ; R7=scalar(smin=0xffffffff80000000,smax=0x7fffffff)
10: (3f) r6 s/= r9                    ; R6=scalar() R9=scalar(id=4)
11: (1f) r9 -= r7                     ; R7=scalar(smin=0xffffffff80000000,smax=0x7fffffff) R9=scalar()
12: (5c) w8 &= w7                     ; R7=scalar(smin=0xffffffff80000000,smax=0x7fffffff) R8=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))
13: (ad) if r7 < r9 goto pc+2         ; R7=scalar(smin=0xffffffff80000000,smax=0x7fffffff) R9=scalar()
14: (b7) r0 = 0                       ; R0=0
15: (95) exit
from 13 to 16: R0=0 R6=scalar() R7=scalar(smin=0xffffffff80000000,smax=0x7fffffff,umax=0xfffffffffffffffe) R8=scalar(smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff)) R9=scalar(umin=1) R10=fp0
16: (45) if r8 & 0x100 goto pc+2      ; R8=scalar(smin=0,smax=umax=umax32=0xfffffeff,smax32=0x7ffffeff,var_off=(0x0; 0xfffffeff))
17: (b7) r0 = 0                       ; R0=0
18: (95) exit
from 16 to 19: R0=0 R6=scalar() R7=scalar(smin=0xffffffff80000000,smax=0x7fffffff,umax=0xfffffffffffffffe) R8=scalar(smin=umin=umin32=256,smax=umax=0xffffffff,smin32=0x80000100,var_off=(0x100; 0xfffffeff)) R9=scalar(umin=1) R10=fp0
19: (76) if w6 s>= 0x7a7e goto pc+2   ; R6=scalar(smax32=31357)
20: (b7) r0 = 0                       ; R0=0
21: (95) exit
from 19 to 22: R0=0 R6=scalar(smin=0x8000000000007a7e,smax=0x7fffffff7fffffff,umin=smin32=umin32=31358,umax=0xffffffff7fffffff,umax32=0x7fffffff,var_off=(0x0; 0xffffffff7fffffff)) R7=scalar(smin=0xffffffff80000000,smax=0x7fffffff,umax=0xfffffffffffffffe) R8=scalar(smin=umin=umin32=256,smax=umax=0xffffffff,smin32=0x80000100,var_off=(0x100; 0xfffffeff)) R9=scalar(umin=1) R10=fp0
22: (d7) r6 = bswap32 r6              ; R6=scalar(smin=0,smax=umax=umax32=0xffffff7f,smax32=0x7fffff7f,var_off=(0x0; 0xffffff7f))
23: (64) w6 <<= 19                    ; R6=scalar(smin=0,smax=umax=umax32=0xfbf80000,smax32=0x7bf80000,var_off=(0x0; 0xfbf80000))
24: (26) if w7 > 0xffffa9f8 goto pc+2         ; R7=scalar(smin=0xffffffff80000000,smax=0x7fffffff,umax=0xffffffffffffa9f8,umax32=0xffffa9f8)
25: (b7) r0 = 0                       ; R0=0
26: (95) exit
from 24 to 27: R0=0 R6=scalar(smin=0,smax=umax=umax32=0xfbf80000,smax32=0x7bf80000,var_off=(0x0; 0xfbf80000)) R7=scalar(smin=smin32=-22023,smax=smax32=-2,umin=0xffffffffffffa9f9,umax=0xfffffffffffffffe,umin32=0xffffa9f9,umax32=0xfffffffe,var_off=(0xffffffffffff8000; 0x7fff)) R8=scalar(smin=umin=umin32=256,smax=umax=0xffffffff,smin32=0x80000100,var_off=(0x100; 0xfffffeff)) R9=scalar(umin=1) R10=fp0
27: (6d) if r7 s> r8 goto pc+2
28: (b7) r0 = 0                       ; R0=0
29: (95) exit
`,
  },
  {
    name: "random program 89067 (needs three deduction rounds)",
    log: `
0: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
1: (bf) r6 = r0                       ; R0=scalar(id=1) R6=scalar(id=1)
2: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
3: (bf) r7 = r0                       ; R0=scalar(id=2) R7=scalar(id=2)
4: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
5: (bf) r8 = r0                       ; R0=scalar(id=3) R8=scalar(id=3)
6: (85) call bpf_get_prandom_u32#7    ; R0=scalar()
7: (bf) r9 = r0                       ; R0=scalar(id=4) R9=scalar(id=4)
8: (b7) r0 = 0                        ; R0=0
9: (4f) r9 |= r7                      ; R7=scalar(id=2) R9=scalar()
10: (5e) if w9 != w7 goto pc+2        ; R7=scalar(id=2) R9=scalar()
11: (b7) r0 = 0                       ; R0=0
12: (95) exit
from 10 to 13: R0=0 R6=scalar(id=1) R7=scalar(id=2) R8=scalar(id=3) R9=scalar() R10=fp0
13: (2d) if r7 > r9 goto pc+2         ; R7=scalar(id=2) R9=scalar()
14: (b7) r0 = 0                       ; R0=0
15: (95) exit
from 13 to 16: R0=0 R6=scalar(id=1) R7=scalar(id=2,umin=1) R8=scalar(id=3) R9=scalar(umax=0xfffffffffffffffe) R10=fp0
16: (64) w6 <<= 29                    ; R6=scalar(smin=0,smax=umax=umax32=0xe0000000,smax32=0x60000000,var_off=(0x0; 0xe0000000))
17: (1e) if w7 == w6 goto pc+2        ; R6=scalar(smin=0,smax=umax=umax32=0xe0000000,smax32=0x60000000,var_off=(0x0; 0xe0000000)) R7=scalar(id=2,umin=1)
18: (b7) r0 = 0                       ; R0=0
19: (95) exit
from 17 to 20: R0=0 R6=scalar(smin=0,smax=umax=umax32=0xe0000000,smax32=0x60000000,var_off=(0x0; 0xe0000000)) R7=scalar(id=2,smax=0x7fffffffe0000000,umin=1,umax=0xffffffffe0000000,smax32=0x60000000,umax32=0xe0000000,var_off=(0x0; 0xffffffffe0000000)) R8=scalar(id=3) R9=scalar(umax=0xfffffffffffffffe) R10=fp0
20: (17) r6 -= 1000                   ; R6=scalar(smin=-1000,smax=0xdffffc18,umin=umin32=0x1ffffc18,umax=0xfffffffffffffc18,smin32=0x9ffffc18,smax32=0x7ffffc18,umax32=0xfffffc18,var_off=(0x1ffffc18; 0xffffffffe0000000))
21: (26) if w6 > 0xf423c600 goto pc+2         ; R6=scalar(smin=umin=umin32=0x1ffffc18,smax=umax=umax32=0xdffffc18,smin32=0x9ffffc18,smax32=0x7ffffc18,var_off=(0x1ffffc18; 0xe0000000))
22: (b7) r0 = 0                       ; R0=0
23: (95) exit
from 21 to 24: R0=0 R6=-1000 R7=scalar(id=2,smax=0x7fffffffe0000000,umin=1,umax=0xffffffffe0000000,smax32=0x60000000,umax32=0xe0000000,var_off=(0x0; 0xffffffffe0000000)) R8=scalar(id=3) R9=scalar(umax=0xfffffffffffffffe) R10=fp0
24: (85) call bpf_get_prandom_u32#7   ; R0=scalar()
25: (bf) r7 = r0                      ; R0=scalar(id=5) R7=scalar(id=5)
26: (b7) r0 = 0                       ; R0=0
27: (c7) r7 s>>= 49                   ; R7=scalar(smin=smin32=-16384,smax=smax32=16383)
28: (d4) r6 = le16 r6                 ; R6=0xfc18
29: (36) if w8 >= 0x186a0 goto pc+2   ; R8=scalar(id=3,smax=0x7fffffff0001869f,umax=0xffffffff0001869f,smin32=0,smax32=umax32=0x1869f,var_off=(0x0; 0xffffffff0001ffff))
30: (b7) r0 = 0                       ; R0=0
31: (95) exit
from 29 to 32: R0=0 R6=0xfc18 R7=scalar(smin=smin32=-16384,smax=smax32=16383) R8=scalar(id=3,smin=0x80000000000186a0,umin=umin32=0x186a0) R9=scalar(umax=0xfffffffffffffffe) R10=fp0
32: (55) if r9 != 0x7fff goto pc+2    ; R9=32767
33: (b7) r0 = 0                       ; R0=0
34: (95) exit
from 32 to 35: R0=0 R6=0xfc18 R7=scalar(smin=smin32=-16384,smax=smax32=16383) R8=scalar(id=3,smin=0x80000000000186a0,umin=umin32=0x186a0) R9=scalar(umax=0xfffffffffffffffe) R10=fp0
35: (25) if r9 > 0x186a0 goto pc+2    ; R9=scalar(smin=smin32=0,smax=umax=smax32=umax32=0x186a0,var_off=(0x0; 0x1ffff))
36: (b7) r0 = 0                       ; R0=0
37: (95) exit
from 35 to 38: R0=0 R6=0xfc18 R7=scalar(smin=smin32=-16384,smax=smax32=16383) R8=scalar(id=3,smin=0x80000000000186a0,umin=umin32=0x186a0) R9=scalar(umin=0x186a1,umax=0xfffffffffffffffe) R10=fp0
38: (c4) w6 s>>= 7                    ; R6=504
39: (b7) r0 = 0                       ; R0=0
40: (95) exit
`,
  },
];
