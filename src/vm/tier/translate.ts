/**
 * The JavaScript tier's translator: one decoded program (its subprograms included) becomes one
 * JavaScript function, built once with `new Function` (see cache.ts for when, csp.ts for where that
 * is not allowed).
 *
 * Shape of the generated function `(m, entryPc, baseDepth) => exitCode`:
 *
 *   registers      int32 locals l0..l10 / h0..h10 (low / high halves; only the registers the code
 *                  names, see usedRegs), written back to m.lo/m.hi
 *                  around everything that reads the machine (helpers, atomics, exits, hand-overs)
 *   control flow   two forms. `switch`: `for (;;) switch (pc)`, one `case` per basic block, blocks
 *                  in pc order, so a block that does not jump falls through into the next one; jumps
 *                  set pc and `continue`. `dag`, for code whose jumps all go forward, with no local
 *                  call and no callback entry (most packet parsers): the blocks in pc order inside
 *                  nested labelled blocks, one label per jump target closing just before it, so a
 *                  jump is a `break` to its target's label and the function has no loop. V8 then
 *                  never compiles it on stack replacement: with the loop, a deoptimisation (a path
 *                  first taken after V8 optimised the function) could leave the function entering
 *                  its loop's on-stack-replacement code from unoptimised code at every call, about
 *                  4× slower, for seconds (measured on the XDP bench cases), and the dispatch
 *                  switch is gone
 *   budget         each block charges its instruction count once, at its top, from the same
 *                  slice/reserve split as the interpreter (interp.ts); a block the slice cannot pay
 *                  goes through `case -1` (take the next slice, look at the clock), and a block the
 *                  whole budget cannot pay is handed to the interpreter, which then faults at the
 *                  exact pc with the exact count. Where a block can stop in its middle (a memory
 *                  slow path that faults, LD_ABS), the instructions not reached are given back first
 *   memory         the interpreter's fast paths (region id, bounds and capability in the access
 *                  table's rl/wl) inline, its slowLoad/slowStore/atomic as the slow paths; ctx
 *                  loads the program type lists (ExecProgram.ctxReads) read the run's context
 *                  object directly when the base is this run's ctx at offset 0
 *   calls          helpers and kfuncs from per-site constants (a map helper whose r1 is a known
 *                  map handle through the helper's form for that map, HelperFn.site, with only
 *                  r1..r5 spilled and r0 reloaded); local calls and exits use the
 *                  machine's frames (m.saved, m.retPc, m.frameProg) exactly as the interpreter does
 *
 * The function returns {@link EXIT_DONE} when the frame at baseDepth has exited, {@link EXIT_SWITCH}
 * when execution continues in another program (a tail call, or a return into a frame of another
 * program) at m.prog / m.pc, and {@link EXIT_HANDOVER} when the interpreter must continue at m.pc
 * (what the tier does not translate: poisoned or undecodable slots, an entry pc that is not a block
 * start, the last instructions before the budget runs out).
 */
import { LDDW_CODE } from '../../isa/opcodes.js';
import { ARENA_OUT, castUser } from '../arena.js';
import { ARITH, arenaOp, atomic, bswap32, divS64, divU64, ldPacket, modS64, modU64, mulhiU32, probeLoad, slowLoad, slowStore } from '../interp.js';
import { MAX_FRAMES, MAY_GOTO_LIMIT, STACK_SIZE, TIME_SLICE, type CtxReads, type ExecProgram, type Machine } from '../machine.js';
import { SLOT_MASK } from '../memory.js';

/** Exit codes of a translated function. */
export const EXIT_DONE = 0;
export const EXIT_SWITCH = 1;
export const EXIT_HANDOVER = 2;

/** A translated program. */
export type TierFn = (m: Machine, entryPc: number, baseDepth: number) => number;

/** Longest callee a local call runs inline (instructions; see leafBody in translateSource). */
const MAX_INLINE = 32;

/** Longest basic block (instructions): a block must fit in one budget slice. */
const MAX_BLOCK = 512;
if (MAX_BLOCK >= TIME_SLICE) throw new Error('tier: MAX_BLOCK must be below TIME_SLICE');

/** What translated code reaches through its `rt` parameter. */
const RUNTIME = {
  slowLoad,
  probeLoad,
  slowStore,
  atomic,
  ldPacket,
  arenaOp,
  castUser,
  AO: ARENA_OUT,
  mulhi: mulhiU32,
  divU64,
  modU64,
  divS64,
  modS64,
  bswap32,
  T: ARITH,
  callxFail(m: Machine, lo: number, hi: number): unknown {
    const id = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    return m.fail('unknown_helper', `callx: no helper with id ${id}`);
  },
  callDepthFail(m: Machine): unknown {
    return m.fail('call_depth', `call would exceed ${MAX_FRAMES} frames`);
  },
  /**
   * The `dag` form's `case -1`: the slice cannot pay a block of `need` units. Takes the next slice
   * and returns the new `left`, or -1 when the whole budget cannot pay it (m.left then holds the
   * budget, and the caller hands the block to the interpreter). The caller looks at the clock after
   * storing the new `left`, so a timeout leaves the same count as in the `switch` form.
   */
  slice(m: Machine, left: number, need: number, depth: number): number {
    const total = left + m.reserve;
    if (total < need) {
      m.left = total;
      return -1;
    }
    const next = total > TIME_SLICE ? TIME_SLICE : total;
    m.reserve = total - next;
    m.left = total;
    m.depth = depth;
    return next;
  },
};

/** Most jump targets (labels) the `dag` form nests; more and the `switch` form is used. */
export const MAX_DAG_LABELS = 256;

/** The shape of a translated function's control flow (see the module comment). */
export type TierForm = 'switch' | 'dag';

/**
 * Tests only: translate in this form where it applies (undefined: choose, the default);
 * 'dispatch' is the switch form without structured loops (every jump through the switch).
 */
let forcedForm: TierForm | 'dispatch' | undefined;
export function forceTierForm(form: TierForm | 'dispatch' | undefined): void {
  forcedForm = form;
}

const L = (r: number): string => `l${r}`;
const H = (r: number): string => `h${r}`;
/** A constant as JS source (int32). */
const k = (v: number): string => (v < 0 ? `(${v})` : `${v}`);
/** Unsigned view of an operand: a constant folded, a local with >>> 0. */
const u = (x: string, c: number | null): string => (c !== null ? `${c >>> 0}` : `(${x} >>> 0)`);

const ALL_REGS = Array.from({ length: 11 }, (_, i) => i);
const spill = (regs: readonly number[]): string => regs.map((r) => `lo[${r}] = ${L(r)}; hi[${r}] = ${H(r)};`).join(' ');
const reload = (regs: readonly number[]): string => regs.map((r) => `${L(r)} = lo[${r}]; ${H(r)} = hi[${r}];`).join(' ');

/**
 * The registers a program's translated code keeps in locals: those its instructions name, r0..r5
 * where it calls helpers or kfuncs (arguments and result), r6..r10 where it makes local calls. The
 * others are never read or written by the code, so they stay on the machine: the entry loads and
 * the spills cover only these (a two-instruction program loads 2 registers instead of 11).
 */
function usedRegs(code: Int32Array): number[] {
  const used = new Set<number>([0]);
  for (let pc = 0; pc < code.length >> 2; pc++) {
    const ins = code[pc << 2]!;
    const op = ins & 0xff;
    const d = (ins >> 8) & 15;
    const s = (ins >> 12) & 15;
    if (d <= 10) used.add(d);
    if (s <= 10) used.add(s);
    if (op === 0x85 || op === 0xc0 || op === 0x8d) for (let r = 0; r <= 5; r++) used.add(r);
    if (op === 0xb8) for (let r = 6; r <= 10; r++) used.add(r);
  }
  return ALL_REGS.filter((r) => used.has(r));
}

/**
 * What the code around a helper call spills and reloads: r0..r9 go to the machine (r1..r5 are the
 * arguments; a callback the helper runs starts with the caller's r6..r9, as in the interpreter, and
 * sets its own r10); r0..r5 come back (r0 is the result; the callback machinery restores r1..r5 as
 * they were). r6..r10 stay in their locals: nothing a helper does changes them. Registers the
 * program does not keep in locals are on the machine already.
 */
interface Spills {
  readonly regs: readonly number[];
  /** Every local register to the machine. */
  readonly all: string;
  readonly call: string;
  readonly afterCall: string;
}

function spillsOf(regs: readonly number[]): Spills {
  return { regs, all: spill(regs), call: spill(regs.filter((r) => r <= 9)), afterCall: reload(regs.filter((r) => r <= 5)) };
}

function isCondJump(op: number): boolean {
  const cls = op & 7;
  return (cls === 5 || cls === 6) && op !== 0x05 && op !== 0x06 && op !== 0x85 && op !== 0x8d && op !== 0x95 && op !== 0xe5 && (op & 0xf0) !== 0x80 && (op & 0xf0) !== 0x90 && (op & 0xf0) !== 0xe0 && (op & 0xf0) !== 0xf0;
}

/** Ops after which a block ends (control leaves or may leave the straight line). */
function endsBlock(op: number): boolean {
  return op === 0x05 || op === 0x06 || op === 0xe5 || op === 0x85 || op === 0xc0 || op === 0x8d || op === 0xb8 || op === 0x95 || isCondJump(op) || op === 0xd0 || !KNOWN.has(op);
}

/** Ops the translator emits inline code for (everything else is handed to the interpreter). */
const KNOWN = new Set<number>([
  // ALU64 K / X
  0x07, 0x17, 0x27, 0x37, 0x47, 0x57, 0x67, 0x77, 0x87, 0x97, 0xa7, 0xb7, 0xc7, 0xd7,
  0x0f, 0x1f, 0x2f, 0x3f, 0x4f, 0x5f, 0x6f, 0x7f, 0x9f, 0xaf, 0xbf, 0xcf,
  // signed div/mod, movsx
  0x38, 0x58, 0x60, 0x68, 0x70, 0x78, 0x80, 0x88, 0x90, 0x98, 0xa0, 0xa8, 0xb0,
  // ALU32
  0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x94, 0x9c, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0xd4, 0xdc,
  // jumps, calls, exit
  0x05, 0x06, 0x15, 0x1d, 0x55, 0x5d, 0x45, 0x4d, 0x25, 0x2d, 0x35, 0x3d, 0xa5, 0xad, 0xb5, 0xbd, 0x65, 0x6d, 0x75, 0x7d, 0xc5, 0xcd, 0xd5, 0xdd,
  0x16, 0x1e, 0x56, 0x5e, 0x46, 0x4e, 0x26, 0x2e, 0x36, 0x3e, 0xa6, 0xae, 0xb6, 0xbe, 0x66, 0x6e, 0x76, 0x7e, 0xc6, 0xce, 0xd6, 0xde,
  0xe5, 0x85, 0xc0, 0x8d, 0xb8, 0x95,
  // lddw, loads, stores, atomics, legacy packet loads
  0x18, 0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb, 0xcb, 0xd3,
  0x20, 0x28, 0x30, 0x40, 0x48, 0x50,
  // addr_space_cast; arena loads, stores and atomics (the PROBE_MEM32 modes)
  0xe0, 0xa1, 0xa9, 0xb1, 0xb9, 0xc1, 0xc9, 0xd1, 0xa2, 0xaa, 0xb2, 0xba, 0xa3, 0xab, 0xb3, 0xbb, 0xe3, 0xeb, 0xf3, 0xfb,
  // loads through BTF pointers (the PROBE_MEM modes)
  0x21, 0x29, 0x31, 0x39, 0x41, 0x49, 0x51,
]);

/** The comparison of a conditional jump as a JS expression. */
function compareExpr(op: number, aL: string, aH: string, bL: string, bH: string, cL: number | null, cH: number | null): string {
  const wide = (op & 7) === 5;
  const kind = op & 0xf0;
  if (!wide) {
    switch (kind) {
      case 0x10: return `${aL} === ${bL}`;
      case 0x50: return `${aL} !== ${bL}`;
      case 0x40: return `(${aL} & ${bL}) !== 0`;
      case 0x20: return `${u(aL, null)} > ${u(bL, cL)}`;
      case 0x30: return `${u(aL, null)} >= ${u(bL, cL)}`;
      case 0xa0: return `${u(aL, null)} < ${u(bL, cL)}`;
      case 0xb0: return `${u(aL, null)} <= ${u(bL, cL)}`;
      case 0x60: return `${aL} > ${bL}`;
      case 0x70: return `${aL} >= ${bL}`;
      case 0xc0: return `${aL} < ${bL}`;
      case 0xd0: return `${aL} <= ${bL}`;
    }
  } else {
    const rel: Record<number, string> = { 0x20: '>', 0x30: '>=', 0xa0: '<', 0xb0: '<=', 0x60: '>', 0x70: '>=', 0xc0: '<', 0xd0: '<=' };
    const strict: Record<number, string> = { 0x20: '>', 0x30: '>', 0xa0: '<', 0xb0: '<', 0x60: '>', 0x70: '>', 0xc0: '<', 0xd0: '<' };
    switch (kind) {
      case 0x10: return `${aL} === ${bL} && ${aH} === ${bH}`;
      case 0x50: return `${aL} !== ${bL} || ${aH} !== ${bH}`;
      case 0x40: return `(${aL} & ${bL}) !== 0 || (${aH} & ${bH}) !== 0`;
      case 0x20: case 0x30: case 0xa0: case 0xb0:
        return `${u(aH, null)} ${strict[kind]} ${u(bH, cH)} || (${aH} === ${bH} && ${u(aL, null)} ${rel[kind]} ${u(bL, cL)})`;
      case 0x60: case 0x70: case 0xc0: case 0xd0:
        return `${aH} ${strict[kind]} ${bH} || (${aH} === ${bH} && ${u(aL, null)} ${rel[kind]} ${u(bL, cL)})`;
    }
  }
  throw new Error(`tier: not a conditional jump 0x${op.toString(16)}`);
}

/**
 * Inline body of a 4- or 8-byte atomic read-modify-write (interp.ts `atomic`, RFC 9669 §5.3) on the
 * DataView `DV[x]` at `a`, with source register (sL, sH); null for what stays with the interpreter's
 * function (load-acquire, store-release, unknown operations). The source and r0 are read before any
 * of them is written, as there.
 */
function atomicRmw(imm: number, size: number, sL: string, sH: string): string | null {
  if (size !== 4 && size !== 8) return null;
  const fetch = (imm & 1) !== 0;
  const w = size === 8;
  const load = `const v = DV[x], oL = v.getInt32(a, true), oH = ${w ? 'v.getInt32(a + 4, true)' : '0'}, sL = ${sL}, sH = ${w ? sH : '0'};`;
  let next: string;
  switch (imm & ~1) {
    case 0x00: next = 'const t = (oL >>> 0) + (sL >>> 0), nL = t | 0, nH = (oH + sH + (t > 0xffffffff ? 1 : 0)) | 0;'; break;
    case 0x40: next = 'const nL = oL | sL, nH = oH | sH;'; break;
    case 0x50: next = 'const nL = oL & sL, nH = oH & sH;'; break;
    case 0xa0: next = 'const nL = oL ^ sL, nH = oH ^ sH;'; break;
    case 0xe0: if (!fetch) return null; next = 'const nL = sL, nH = sH;'; break;
    case 0xf0: {
      if (!fetch) return null;
      // cmpxchg: compare with r0 (32-bit: its low half), r0 = the old value
      const eq = w ? 'oL === l0 && oH === h0' : 'oL === l0';
      return `${load} if (${eq}) { v.setInt32(a, sL, true);${w ? ' v.setInt32(a + 4, sH, true);' : ''} } l0 = oL; h0 = oH;`;
    }
    default: return null;
  }
  const store = `v.setInt32(a, nL, true);${w ? ' v.setInt32(a + 4, nH, true);' : ''}`;
  return `${load} ${next} ${store}${fetch ? ` ${sL} = oL; ${sH} = oH;` : ''}`;
}

/** 64-bit shift of d by n (a constant 0..63 or an expression). */
function shift64(kind: 'lsh' | 'rsh' | 'arsh', d: number, n: string, constant: number | null): string {
  const l = L(d);
  const h = H(d);
  // Locals must stay int32 (a >>> result is not): `| 0` where a logical right shift can be by 0.
  const big = kind === 'lsh' ? `${h} = ${l} << (N - 32); ${l} = 0;` : kind === 'rsh' ? `${l} = (${h} >>> (N - 32)) | 0; ${h} = 0;` : `${l} = ${h} >> (N - 32); ${h} = ${h} >> 31;`;
  const small =
    kind === 'lsh'
      ? `${h} = (${h} << N) | (${l} >>> (32 - N)); ${l} = ${l} << N;`
      : kind === 'rsh'
        ? `${l} = (${l} >>> N) | (${h} << (32 - N)); ${h} = ${h} >>> N;`
        : `${l} = (${l} >>> N) | (${h} << (32 - N)); ${h} = ${h} >> N;`;
  if (constant !== null) {
    if (constant === 0) return '';
    return (constant >= 32 ? big : small).replaceAll('N', String(constant));
  }
  return `{ const N = ${n}; if (N >= 32) { ${big} } else if (N !== 0) { ${small} } }`;
}

/**
 * Code of one straight-line instruction at `pc`; `refund` = instructions of its block after it.
 * `ctx`: the program's directly read ctx fields (a rewritten load adds its offset to `ctxSites`).
 */
function straight(code: Int32Array, pc: number, refund: number, ctx?: CtxReads, ctxSites?: Set<number>): string | null {
  const w = pc << 2;
  const ins = code[w]!;
  const op = ins & 0xff;
  const d = (ins >> 8) & 15;
  const s = (ins >> 12) & 15;
  const off = code[w + 1]!;
  const imm = code[w + 2]!;
  const aux = code[w + 3]!;
  const ld = L(d);
  const hd = H(d);
  const x = (op & 8) !== 0 && (op & 7) !== 0 ? true : false;
  const bL = x ? L(s) : k(imm);
  const bH = x ? H(s) : k(aux);
  const give = refund > 0 ? `left += ${refund}; ` : '';
  const take = refund > 0 ? ` left -= ${refund};` : '';
  const cls = op & 7;
  if (cls === 7) {
    // ALU64
    switch (op & 0xf0) {
      case 0x00: return `{ const t = (${ld} >>> 0) + ${u(bL, x ? null : imm)}; ${hd} = (${hd} + ${bH} + (t > 0xffffffff ? 1 : 0)) | 0; ${ld} = t | 0; }`;
      case 0x10: return `{ const t = (${ld} >>> 0) - ${u(bL, x ? null : imm)}; ${hd} = (${hd} - ${bH} - (t < 0 ? 1 : 0)) | 0; ${ld} = t | 0; }`;
      case 0x20: return `{ const a = ${ld}, b = ${bL}, bh = ${bH}; ${ld} = Math.imul(a, b); ${hd} = (rt.mulhi(a >>> 0, b >>> 0) + Math.imul(a, bh) + Math.imul(${hd}, b)) | 0; }`;
      case 0x30: return `divU64(${ld}, ${hd}, ${bL}, ${bH}); ${ld} = T[0]; ${hd} = T[1];`;
      case 0x40: return `${ld} |= ${bL}; ${hd} |= ${bH};`;
      case 0x50: return `${ld} &= ${bL}; ${hd} &= ${bH};`;
      case 0x60: return x ? shift64('lsh', d, `${L(s)} & 63`, null) : shift64('lsh', d, '', imm);
      case 0x70: return x ? shift64('rsh', d, `${L(s)} & 63`, null) : shift64('rsh', d, '', imm);
      case 0x80: return `{ const l = (-${ld}) | 0; ${hd} = (~${hd} + (l === 0 ? 1 : 0)) | 0; ${ld} = l; }`;
      case 0x90: return `modU64(${ld}, ${hd}, ${bL}, ${bH}); ${ld} = T[0]; ${hd} = T[1];`;
      case 0xa0: return `${ld} ^= ${bL}; ${hd} ^= ${bH};`;
      case 0xb0: return `${ld} = ${bL}; ${hd} = ${bH};`;
      case 0xc0: return x ? shift64('arsh', d, `${L(s)} & 63`, null) : shift64('arsh', d, '', imm);
      case 0xd0:
        if (imm === 16) return `${ld} = ((${ld} & 0xff) << 8) | ((${ld} >>> 8) & 0xff); ${hd} = 0;`;
        if (imm === 32) return `${ld} = rt.bswap32(${ld}); ${hd} = 0;`;
        return `{ const t = rt.bswap32(${ld}); ${ld} = rt.bswap32(${hd}); ${hd} = t; }`;
    }
  }
  if (cls === 4 && op !== 0xd4 && op !== 0xdc) {
    // ALU32 (upper half zeroed)
    const b = x ? L(s) : k(imm);
    const set = (e: string): string => `${ld} = ${e}; ${hd} = 0;`;
    switch (op & 0xf0) {
      case 0x00: return set(`(${ld} + ${b}) | 0`);
      case 0x10: return set(`(${ld} - ${b}) | 0`);
      case 0x20: return set(`Math.imul(${ld}, ${b})`);
      case 0x30: return `{ const b = ${u(b, x ? null : imm)}; ${ld} = b === 0 ? 0 : Math.floor((${ld} >>> 0) / b) | 0; ${hd} = 0; }`;
      case 0x40: return set(`${ld} | ${b}`);
      case 0x50: return set(`${ld} & ${b}`);
      case 0x60: return set(`${ld} << ${x ? `(${b} & 31)` : b}`);
      case 0x70: return set(`(${ld} >>> ${x ? `(${b} & 31)` : b}) | 0`);
      case 0x80: return set(`(-${ld}) | 0`);
      case 0x90: return `{ const b = ${u(b, x ? null : imm)}; if (b !== 0) ${ld} = (${ld} >>> 0) % b | 0; ${hd} = 0; }`;
      case 0xa0: return set(`${ld} ^ ${b}`);
      case 0xb0: return set(b);
      case 0xc0: return set(`${ld} >> ${x ? `(${b} & 31)` : b}`);
    }
  }
  switch (op) {
    case 0xd4: // le16/32/64
      if (imm === 16) return `${ld} &= 0xffff; ${hd} = 0;`;
      return imm === 32 ? `${hd} = 0;` : '';
    case 0xdc: // be16/32/64
      if (imm === 16) return `${ld} = ((${ld} & 0xff) << 8) | ((${ld} >>> 8) & 0xff); ${hd} = 0;`;
      if (imm === 32) return `${ld} = rt.bswap32(${ld}); ${hd} = 0;`;
      return `{ const t = rt.bswap32(${ld}); ${ld} = rt.bswap32(${hd}); ${hd} = t; }`;
    case 0x38: return `divS64(${ld}, ${hd}, ${k(imm)}, ${k(aux)}); ${ld} = T[0]; ${hd} = T[1];`;
    case 0x58: return `divS64(${ld}, ${hd}, ${L(s)}, ${H(s)}); ${ld} = T[0]; ${hd} = T[1];`;
    case 0x60: return `modS64(${ld}, ${hd}, ${k(imm)}, ${k(aux)}); ${ld} = T[0]; ${hd} = T[1];`;
    case 0x68: return `modS64(${ld}, ${hd}, ${L(s)}, ${H(s)}); ${ld} = T[0]; ${hd} = T[1];`;
    case 0x70: return `{ const b = ${k(imm)}; ${ld} = b === 0 ? 0 : Math.trunc(${ld} / b) | 0; ${hd} = 0; }`;
    case 0x78: return `{ const b = ${L(s)}; ${ld} = b === 0 ? 0 : Math.trunc(${ld} / b) | 0; ${hd} = 0; }`;
    case 0x80: return `{ const b = ${k(imm)}; if (b !== 0) ${ld} = ${ld} % b | 0; ${hd} = 0; }`;
    case 0x88: return `{ const b = ${L(s)}; if (b !== 0) ${ld} = ${ld} % b | 0; ${hd} = 0; }`;
    case 0x90: return `{ const v = (${L(s)} << 24) >> 24; ${ld} = v; ${hd} = v >> 31; }`;
    case 0x98: return `{ const v = (${L(s)} << 16) >> 16; ${ld} = v; ${hd} = v >> 31; }`;
    case 0xa0: return `{ const v = ${L(s)}; ${ld} = v; ${hd} = v >> 31; }`;
    case 0xa8: return `${ld} = (${L(s)} << 24) >> 24; ${hd} = 0;`;
    case 0xb0: return `${ld} = (${L(s)} << 16) >> 16; ${hd} = 0;`;
    case 0x18: return `${ld} = ${k(imm)}; ${hd} = ${k(aux)};`;
    // ---- loads: the interpreter's fast path inline, slowLoad (with the block's rest given back) otherwise
    case 0x61: case 0x69: case 0x71: case 0x79: case 0x81: case 0x89: case 0x91: {
      const size = op === 0x61 || op === 0x81 ? 4 : op === 0x69 || op === 0x89 ? 2 : op === 0x71 || op === 0x91 ? 1 : 8;
      const signed = op === 0x81 || op === 0x89 || op === 0x91;
      const inb = `${off < 0 ? 'a >= 0 && ' : ''}${size === 1 ? 'a < RL[x]' : `a + ${size} <= RL[x]`}`;
      const head = `const r = ${H(s)}, x = r & ${SLOT_MASK}, a = (${L(s)} >>> 0) + ${k(off)};`;
      const slow = `rt.slowLoad(m, ${pc}, ${H(s)}, ${L(s)}, ${k(off)}, ${size}, ${signed})`;
      if (signed) {
        const fast = size === 4 ? 'DV[x].getInt32(a, true)' : size === 2 ? 'DV[x].getInt16(a, true)' : '(U8[x][a] << 24) >> 24';
        return `{ ${head} let v; if (IDS[x] === r && ${inb}) v = ${fast}; else { ${give}v = ${slow};${take} } ${ld} = v; ${hd} = v >> 31; }`;
      }
      const fast = size === 8 ? `{ const v = DV[x]; ${ld} = v.getInt32(a, true); ${hd} = v.getInt32(a + 4, true); }` : `{ ${ld} = ${size === 4 ? 'DV[x].getInt32(a, true)' : size === 2 ? 'DV[x].getUint16(a, true)' : 'U8[x][a]'}; ${hd} = 0; }`;
      const generic = `{ ${head} if (IDS[x] === r && ${inb}) ${fast} else { ${give}${ld} = ${slow}; ${hd} = SCR[1];${take} } }`;
      const field = ctx?.fields.get(off);
      if (field === undefined || field.size !== size || ctxSites === undefined) return generic;
      // A ctx field read directly (convert_ctx_access): this run's ctx at offset 0, reachable. The
      // value is what the slow path's handler gives; a pointer joins the reach as slowLoad does.
      ctxSites.add(off);
      const grant = field.pointer ? ` if (${hd} !== 0 && !(CAP[${hd} & ${SLOT_MASK}] !== 0 && IDS[${hd} & ${SLOT_MASK}] === ${hd})) m.grant(${hd}, CAP[x]);` : '';
      return `{ const r = ${H(s)}, x = r & ${SLOT_MASK}; if (r === CXID && r !== 0 && ${L(s)} === 0 && CAP[x] !== 0 && IDS[x] === r) { CR${off}(m.context, SCR); ${ld} = SCR[0]; ${hd} = SCR[1];${grant} } else ${generic} }`;
    }
    // ---- PROBE_MEM / PROBE_MEMSX loads (through BTF pointers): the interpreter's probeLoad, a fault reads 0
    case 0x21: case 0x29: case 0x31: case 0x39: case 0x41: case 0x49: case 0x51: {
      const size = (op & 0x18) === 0x00 ? 4 : (op & 0x18) === 0x08 ? 2 : (op & 0x18) === 0x10 ? 1 : 8;
      const signed = (op & 0xe0) === 0x40;
      const call = `rt.probeLoad(m, ${pc}, ${H(s)}, ${L(s)}, ${k(off)}, ${size}, ${signed})`;
      return signed ? `{ ${give}const v = ${call};${take} ${ld} = v; ${hd} = v >> 31; }` : `{ ${give}${ld} = ${call}; ${hd} = SCR[1];${take} }`;
    }
    // ---- stores
    case 0x62: case 0x6a: case 0x72: case 0x7a: case 0x63: case 0x6b: case 0x73: case 0x7b: {
      const size = (op & 0x18) === 0x00 ? 4 : (op & 0x18) === 0x08 ? 2 : (op & 0x18) === 0x10 ? 1 : 8;
      const vL = (op & 1) === 1 ? L(s) : k(imm);
      const vH = (op & 1) === 1 ? H(s) : k(aux);
      const inb = `${off < 0 ? 'a >= 0 && ' : ''}${size === 1 ? 'a < WL[x]' : `a + ${size} <= WL[x]`}`;
      const fast = size === 8 ? `{ const v = DV[x]; v.setInt32(a, ${vL}, true); v.setInt32(a + 4, ${vH}, true); }` : size === 4 ? `DV[x].setInt32(a, ${vL}, true);` : size === 2 ? `DV[x].setInt16(a, ${vL}, true);` : `U8[x][a] = ${vL};`;
      return `{ const r = ${hd}, x = r & ${SLOT_MASK}, a = (${ld} >>> 0) + ${k(off)}; if (IDS[x] === r && ${inb}) ${fast} else { ${give}rt.slowStore(m, ${pc}, ${hd}, ${ld}, ${k(off)}, ${size}, ${vL}, ${size === 8 ? vH : 0});${take} } }`;
    }
    // ---- atomics: the read-modify-writes inline on a plain region (the interpreter's fast-path
    // test: slot id, then both lengths of the access table), the interpreter's function otherwise
    case 0xc3: case 0xdb: case 0xcb: case 0xd3: {
      const size = op === 0xc3 ? 4 : op === 0xdb ? 8 : op === 0xcb ? 2 : 1;
      const regs = [...new Set([0, d, s])];
      const out = regs.map((r) => `lo[${r}] = ${L(r)}; hi[${r}] = ${H(r)};`).join(' ');
      const back = regs.map((r) => `${L(r)} = lo[${r}]; ${H(r)} = hi[${r}];`).join(' ');
      const slow = `${out} ${give}rt.atomic(m, ${pc}, ${d}, ${s}, ${k(off)}, ${k(imm)}, ${size});${take} ${back}`;
      const rmw = atomicRmw(imm, size, L(s), H(s));
      if (rmw === null) return slow;
      return `{ const r = ${hd}, x = r & ${SLOT_MASK}, a = (${ld} >>> 0) + ${k(off)}; if (IDS[x] === r && a >= 0 && a + ${size} <= RL[x] && a + ${size} <= WL[x]) { ${rmw} } else { ${slow} } }`;
    }
    // ---- arena: cast_kern inline, cast_user and PROBE_MEM32 accesses through the interpreter's functions
    case 0xe0:
      if (imm === 1) return `${ld} = ${L(s)}; ${hd} = 0;`;
      return `rt.castUser(P.arena, ${L(s)}); ${ld} = AO[0]; ${hd} = AO[1];`;
    case 0xa1: case 0xa9: case 0xb1: case 0xb9: case 0xc1: case 0xc9: case 0xd1:
    case 0xa2: case 0xaa: case 0xb2: case 0xba: case 0xa3: case 0xab: case 0xb3: case 0xbb:
    case 0xe3: case 0xeb: case 0xf3: case 0xfb: {
      // never faults (an arena fault reads 0 / drops the store), so nothing is given back
      const regs = [...new Set([0, d, s])];
      const out = regs.map((r) => `lo[${r}] = ${L(r)}; hi[${r}] = ${H(r)};`).join(' ');
      const back = regs.map((r) => `${L(r)} = lo[${r}]; ${H(r)} = hi[${r}];`).join(' ');
      return `${out} rt.arenaOp(m, P.arena, ${op}, ${d}, ${s}, ${k(off)}, ${k(imm)}, ${k(aux)}); ${back}`;
    }
    case 0x20: case 0x28: case 0x30: case 0x40: case 0x48: case 0x50:
      return `m.pc = ${pc}; lo[${s}] = ${L(s)}; ${give}rt.ldPacket(m, ${op}, ${s}, ${k(imm)});${take} l0 = lo[0]; h0 = hi[0];`;
  }
  return null;
}

/** Pcs where a basic block starts. */
function leaders(prog: ExecProgram): Uint8Array {
  const code = prog.code;
  const n = code.length >> 2;
  const lead = new Uint8Array(n + 1);
  lead[0] = 1;
  const raw = prog.decoded.raw;
  for (let pc = 0; pc < n; ) {
    const w = pc << 2;
    const op = code[w]! & 0xff;
    const next = op === 0x18 ? pc + 2 : pc + 1;
    if (op === 0x05 || op === 0x06 || op === 0xe5 || op === 0xb8 || isCondJump(op)) lead[code[w + 1]!] = 1;
    // Callback entries: `lddw rX, func` (BPF_PSEUDO_FUNC) names pc + 1 + imm.
    if (op === 0x18 && raw[pc]?.src === LDDW_CODE) {
      const t = pc + 1 + raw[pc]!.imm;
      if (t >= 0 && t < n) lead[t] = 1;
    }
    if (endsBlock(op) && next <= n) lead[next] = 1;
    pc = next;
  }
  return lead;
}

/** A basic block: its instructions' pcs and the pc after its last one. */
interface Block {
  readonly start: number;
  readonly pcs: readonly number[];
  readonly next: number;
}

/** `prog`'s basic blocks in pc order: from a leader up to a block end or the next leader (at most MAX_BLOCK instructions). */
function blocksOf(prog: ExecProgram): Block[] {
  const code = prog.code;
  const n = code.length >> 2;
  const lead = leaders(prog);
  const blocks: Block[] = [];
  let pc = 0;
  while (pc < n) {
    const start = pc;
    const pcs: number[] = [];
    for (;;) {
      pcs.push(pc);
      const op = code[pc << 2]! & 0xff;
      const next = op === 0x18 ? pc + 2 : pc + 1;
      pc = next;
      if (endsBlock(op) || next >= n || lead[next] === 1 || pcs.length >= MAX_BLOCK) break;
    }
    blocks.push({ start, pcs, next: pc });
  }
  return blocks;
}

/** Whether control can go on to the next instruction after `op` (the last of a block). */
function fallsThrough(op: number): boolean {
  return op !== 0x05 && op !== 0x06 && op !== 0x95 && KNOWN.has(op);
}

/**
 * The order the `dag` form emits `prog`'s blocks in, or null when the form does not apply: a local
 * call, a callback address, a cycle, a block pc 0 does not reach (entered some other way: a
 * callback whose address a loaded program holds as a plain constant, as the kernel path rewrites
 * BPF_PSEUDO_FUNC), or more than {@link MAX_DAG_LABELS} labels. The order is topological (every
 * edge goes forward, so every jump can be a `break`), the lowest pc first among the blocks that
 * are ready, so code whose jumps all go forward keeps its order; clang's shared tails (a backward
 * jump to a common exit block) move after their predecessors.
 */
function dagOrder(prog: ExecProgram, blocks: readonly Block[]): { order: Block[]; labels: Set<number> } | null {
  const code = prog.code;
  const raw = prog.decoded.raw;
  const index = new Map<number, number>();
  blocks.forEach((b, i) => index.set(b.start, i));
  const succ: number[][] = blocks.map(() => []);
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    for (const pc of b.pcs) {
      const op = code[pc << 2]! & 0xff;
      if (op === 0xb8) return null;
      if (op === 0x18 && raw[pc]?.src === LDDW_CODE) return null;
    }
    const last = b.pcs[b.pcs.length - 1]!;
    const op = code[last << 2]! & 0xff;
    if (op === 0x05 || op === 0x06 || op === 0xe5 || isCondJump(op)) {
      const t = index.get(code[(last << 2) + 1]!);
      if (t === undefined) return null;
      succ[i]!.push(t);
    }
    if (fallsThrough(op) && i + 1 < blocks.length) succ[i]!.push(i + 1);
  }
  // Reachable from pc 0.
  const seen = new Uint8Array(blocks.length);
  const stack = [0];
  seen[0] = 1;
  while (stack.length > 0) for (const t of succ[stack.pop()!]!) if (seen[t] === 0) (seen[t] = 1), stack.push(t);
  if (seen.includes(0)) return null;
  // Kahn's algorithm, lowest index first.
  const indeg = new Int32Array(blocks.length);
  for (const ts of succ) for (const t of ts) indeg[t]!++;
  const ready = [0];
  const order: Block[] = [];
  const placed = new Int32Array(blocks.length).fill(-1);
  while (ready.length > 0) {
    let at = 0;
    for (let j = 1; j < ready.length; j++) if (ready[j]! < ready[at]!) at = j;
    const i = ready.splice(at, 1)[0]!;
    placed[i] = order.length;
    order.push(blocks[i]!);
    for (const t of succ[i]!) if (--indeg[t]! === 0) ready.push(t);
  }
  if (order.length !== blocks.length) return null; // a cycle
  // Labels: every jump target, and every fall-through whose block is not emitted next.
  const labels = new Set<number>();
  for (let i = 0; i < blocks.length; i++) {
    const last = blocks[i]!.pcs[blocks[i]!.pcs.length - 1]!;
    const op = code[last << 2]! & 0xff;
    if (op === 0x05 || op === 0x06 || op === 0xe5 || isCondJump(op)) labels.add(code[(last << 2) + 1]!);
    if (fallsThrough(op) && i + 1 < blocks.length && placed[i + 1] !== placed[i]! + 1) labels.add(blocks[i + 1]!.start);
  }
  if (labels.size > MAX_DAG_LABELS) return null;
  return { order, labels };
}

/**
 * A loop of the `switch` form run as a structured loop: blocks first..last (indices into the
 * block list, a contiguous pc range) entered only at its first block, whose blocks without the
 * edges back to that head form an acyclic graph; `order` is their topological order and `labels`
 * the starts that need a label inside the loop (see translateSource).
 */
interface Region {
  readonly head: number;
  readonly first: number;
  readonly last: number;
  readonly order: readonly Block[];
  readonly labels: ReadonlySet<number>;
}

/**
 * The innermost loops of `blocks` that can run as structured loops (`for (;;)` with `continue` for
 * the edges back to the head, labelled blocks for the forward edges inside, the switch for the
 * ways out): each a contiguous range of at least two blocks entered only at its head, with no
 * local call in it but to a callee `inlinable` runs inline (a return would land inside the loop).
 */
function loopRegions(prog: ExecProgram, blocks: readonly Block[], inlinable: (t: number) => boolean): Region[] {
  const code = prog.code;
  const index = new Map<number, number>();
  blocks.forEach((b, i) => index.set(b.start, i));
  const succ: number[][] = blocks.map(() => []);
  const heads = new Map<number, number>();
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    const last = b.pcs[b.pcs.length - 1]!;
    const op = code[last << 2]! & 0xff;
    if (op === 0x05 || op === 0x06 || op === 0xe5 || isCondJump(op)) {
      const t = index.get(code[(last << 2) + 1]!);
      if (t === undefined) return [];
      succ[i]!.push(t);
    }
    if (fallsThrough(op) && i + 1 < blocks.length) succ[i]!.push(i + 1);
    for (const t of succ[i]!) if (t <= i) heads.set(t, Math.max(heads.get(t) ?? t, i));
  }
  const candidates = [...heads].filter(([h, e]) => e > h).sort((a, b) => a[1] - a[0] - (b[1] - b[0]));
  const taken = new Uint8Array(blocks.length);
  const regions: Region[] = [];
  next: for (const [h, e] of candidates) {
    for (let i = h; i <= e; i++) if (taken[i] !== 0) continue next;
    // Entered only at the head.
    for (let i = 0; i < blocks.length; i++) if (i < h || i > e) for (const t of succ[i]!) if (t > h && t <= e) continue next;
    // No local call whose return lands inside, no slot the translator hands over.
    for (let i = h; i <= e; i++) {
      for (const pc of blocks[i]!.pcs) {
        const op = code[pc << 2]! & 0xff;
        if (!KNOWN.has(op) || (op === 0xb8 && !inlinable(code[(pc << 2) + 1]!))) continue next;
      }
    }
    // Acyclic without the edges back to the head; all reached from it.
    const indeg = new Int32Array(e - h + 1);
    for (let i = h; i <= e; i++) for (const t of succ[i]!) if (t > h && t <= e) indeg[t - h]!++;
    const ready = [h];
    const order: Block[] = [];
    const placed = new Int32Array(e - h + 1).fill(-1);
    while (ready.length > 0) {
      let at = 0;
      for (let j = 1; j < ready.length; j++) if (ready[j]! < ready[at]!) at = j;
      const i = ready.splice(at, 1)[0]!;
      placed[i - h] = order.length;
      order.push(blocks[i]!);
      for (const t of succ[i]!) if (t > h && t <= e && --indeg[t - h]! === 0) ready.push(t);
    }
    if (order.length !== e - h + 1) continue;
    const labels = new Set<number>();
    for (let i = h; i <= e; i++) {
      const b = blocks[i]!;
      const last = b.pcs[b.pcs.length - 1]!;
      const op = code[last << 2]! & 0xff;
      const jumpTo = op === 0x05 || op === 0x06 || op === 0xe5 || isCondJump(op) ? index.get(code[(last << 2) + 1]!)! : -1;
      if (jumpTo > h && jumpTo <= e) labels.add(blocks[jumpTo]!.start);
      if (fallsThrough(op) && i + 1 <= e && placed[i + 1 - h] !== placed[i - h]! + 1) labels.add(blocks[i + 1]!.start);
    }
    if (labels.size > MAX_DAG_LABELS) continue;
    for (let i = h; i <= e; i++) taken[i] = 1;
    regions.push({ head: blocks[h]!.start, first: h, last: e, order, labels });
  }
  return regions;
}

/** The form `prog` is translated in. */
export function tierForm(prog: ExecProgram): TierForm {
  if (forcedForm === 'switch' || forcedForm === 'dispatch') return 'switch';
  return dagOrder(prog, blocksOf(prog)) === null ? 'switch' : 'dag';
}

/** Every temporary a block's code names, declared once per function (see shareTemps). */
const TEMPS = 'r = 0, x = 0, a = 0, t = 0, b = 0, bh = 0, l = 0, N = 0, c = 0, sv = 0, oL = 0, oH = 0, sL = 0, sH = 0, nL = 0, nH = 0, v, f, fp';

/**
 * A block's code with its block-scoped declarations (`const r = ...` of each load, store and ALU
 * snippet) turned into assignments to the function's shared temporaries ({@link TEMPS}). V8's
 * bytecode gives every block-scoped variable of a function its own register, so a program of a few
 * hundred instructions had a frame of about 400 registers, all past the 256 that short operands
 * reach: twice the bytecode, slower before V8 optimises the function, and nearer the bytecode size
 * past which V8 does not optimise it at all. Sound because no snippet's temporary is read after a
 * snippet nested in it has assigned the same name (the ctx load's inner fallback recomputes r and
 * x from the same register).
 */
function shareTemps(text: string): string {
  return text.replace(/\bconst (?=[A-Za-z])/g, '').replace(/\blet v; /g, '');
}

/** JavaScript source of the body of `prog`'s translated function. */
export function translateSource(prog: ExecProgram): string {
  const code = prog.code;
  const n = code.length >> 2;
  const blocks = blocksOf(prog);
  const dag = forcedForm === 'switch' || forcedForm === 'dispatch' ? null : dagOrder(prog, blocks);
  const sp = spillsOf(usedRegs(code));
  const kept = new Set(sp.regs);
  /** Register r's low / high half: its local, or the machine's where the code keeps no local. */
  const lowOf = (r: number): string => (kept.has(r) ? L(r) : `lo[${r}]`);
  const highOf = (r: number): string => (kept.has(r) ? H(r) : `hi[${r}]`);
  const helperSlots = new Set<number>();
  const kfuncSlots = new Set<number>();
  const ctxSites = new Set<number>();
  /** Call sites with a known r1: pc -> [helper slot, r1 low, r1 high]. */
  const siteCalls = new Map<number, readonly [number, number, number]>();
  /** Each block's code, by its start pc. */
  const texts = new Map<number, string>();
  const blockAt = new Map(blocks.map((b) => [b.start, b]));
  /**
   * The code of the callee at `t` inlined at a local call (its budget charge and its instructions
   * up to its exit), when it is a leaf of one block of at most MAX_INLINE instructions that all
   * translate inline; else null.
   */
  const leafBody = (t: number, inLoop = false): { code: string; keepsR6to9: boolean } | null => {
    const b = blockAt.get(t);
    if (b === undefined || b.pcs.length > MAX_INLINE || (code[b.pcs[b.pcs.length - 1]! << 2]! & 0xff) !== 0x95) return null;
    const count = b.pcs.length;
    // (SAVE: where a leaf run without saving r6..r9 saves them after all, before it leaves for the
    // callee's own case or the interpreter, whose exit restores them.) In a structured loop the
    // return address has no case to dispatch to, so the next slice is taken here, as in the dag form.
    const head = inLoop
      ? `if (left < ${count}) { t = rt.slice(m, left, ${count}, depth); if (t < 0) { SAVE m.pc = ${t}; return ${EXIT_HANDOVER}; } left = t; m.checkClock(${t}); } left -= ${count};`
      : `if (left < ${count}) { SAVE bpc = ${t}; bn = ${count}; pc = -1; continue main; } left -= ${count};`;
    const lines = [head];
    let keepsR6to9 = true;
    for (let i = 0; i < count - 1; i++) {
      const at = b.pcs[i]!;
      const line = straight(code, at, count - i - 1, prog.ctxReads, ctxSites);
      if (line === null) return null;
      lines.push(line);
      // Registers an instruction may write: its dst, and its src (atomic fetch forms), except a
      // plain store's (class ST/STX, mode MEM), which only reads them.
      const ins = code[at << 2]!;
      const op = ins & 0xff;
      const plainStore = ((op & 7) === 2 || (op & 7) === 3) && (op & 0xe0) === 0x60;
      for (const r of [(ins >> 8) & 15, (ins >> 12) & 15]) if (!plainStore && r >= 6 && r <= 9) keepsR6to9 = false;
    }
    return { code: lines.join('\n'), keepsR6to9 };
  };
  // The switch form's structured loops, by the start of each of their blocks.
  const regions = dag === null && forcedForm !== 'dispatch' ? loopRegions(prog, blocks, (t) => leafBody(t) !== null) : [];
  const regionOf = new Map<number, Region>();
  for (const r of regions) for (let i = r.first; i <= r.last; i++) regionOf.set(blocks[i]!.start, r);
  /** Where control goes on after the blocks of region r (null: the end of the code). */
  const after = (r: Region): number | null => blocks[r.last + 1]?.start ?? null;
  /** A jump from the block at `from` to `t` (a block start). */
  const jump = (from: number, t: number): string => {
    if (dag !== null) return `break L${t};`;
    const r = regionOf.get(from);
    if (r !== undefined) {
      if (t === r.head) return `continue R${r.head};`;
      if (regionOf.get(t) === r) return `break L${t};`;
      if (t === after(r)) return `break R${r.head};`;
    }
    return `pc = ${t}; continue main;`;
  };
  for (const { start, pcs } of blocks) {
    const count = pcs.length;
    const region = regionOf.get(start);
    // A block whose last instruction jumps back to its own start (a tight loop) runs as an inner
    // loop, without going through the dispatch switch on each iteration.
    const lastW = pcs[count - 1]! << 2;
    const lastOp = code[lastW]! & 0xff;
    const selfLoop = region === undefined && (lastOp === 0x05 || lastOp === 0x06 || isCondJump(lastOp)) && code[lastW + 1] === start;
    // r1 as a constant known from an earlier `lddw r1` of this block (a map handle before a map
    // helper call), or null.
    let r1Const: readonly [number, number] | null = null;
    const body: string[] =
      dag !== null || region !== undefined
        ? // (a hand-over needs no spill here: the registers are live, so the finally block spills them)
          [`if (left < ${count}) { const t = rt.slice(m, left, ${count}, depth); if (t < 0) { m.pc = ${start}; return ${EXIT_HANDOVER}; } left = t; m.checkClock(${start}); } left -= ${count};`]
        : [`case ${start}:${selfLoop ? ` B${start}: for (;;) {` : ''} if (left < ${count}) { bpc = ${start}; bn = ${count}; pc = -1; continue main; } left -= ${count};`];
    for (let i = 0; i < count; i++) {
      const at = pcs[i]!;
      const w = at << 2;
      const ins = code[w]!;
      const op = ins & 0xff;
      const d = (ins >> 8) & 15;
      const s = (ins >> 12) & 15;
      const refund = count - i - 1;
      const target = code[w + 1]!;
      const line = straight(code, at, refund, prog.ctxReads, ctxSites);
      const before = r1Const;
      // Plain stores (class STX/ST, mode MEM) only read their registers; anything else naming r1 may write it.
      if (op === 0x18 && d === 1) r1Const = [code[w + 2]!, code[w + 3]!];
      else if ((d === 1 || s === 1) && !((op & 7) === 2 || ((op & 7) === 3 && (op & 0xe0) === 0x60))) r1Const = null;
      if (line !== null) {
        body.push(line);
        continue;
      }
      if (op === 0x05 || op === 0x06) {
        body.push(selfLoop && i === count - 1 ? `continue B${start}; }` : jump(start, target));
      } else if (isCondJump(op)) {
        const x = (op & 8) !== 0;
        const imm = code[w + 2]!;
        const aux = code[w + 3]!;
        const cond = compareExpr(op, L(d), H(d), x ? L(s) : k(imm), x ? H(s) : k(aux), x ? null : imm, x ? null : aux);
        body.push(selfLoop && i === count - 1 ? `if (${cond}) continue B${start}; break; }` : `if (${cond}) { ${jump(start, target)} }`);
      } else if (op === 0xe5) {
        body.push(`{ const c = MG[depth]; if (c <= 0) { ${jump(start, target)} } MG[depth] = c - 1; }`);
      } else if (op === 0x85 || op === 0xc0 || op === 0x8d) {
        let call: string;
        if (op === 0x85 && before !== null && (prog.helpers[code[w + 3]!]?.site?.(before[0], before[1]) ?? null) !== null) {
          // The helper's form for this site's r1 (a known map: see HelperFn.site). It reads r1..r5,
          // sets r0 and runs no callback, so only the arguments go out and r0 comes back; the locals
          // stay live (a fault spills them, as they are what the interpreter would hold).
          siteCalls.set(at, [code[w + 3]!, before[0], before[1]]);
          body.push(`${spill([1, 2, 3, 4, 5])} m.left = left + m.reserve; m.pc = ${at}; m.depth = depth; m.prog = P; S${at}(m); left = m.left - m.reserve; l0 = lo[0]; h0 = hi[0];`);
          continue;
        }
        if (op === 0x85) {
          helperSlots.add(code[w + 3]!);
          call = `H${code[w + 3]!}(m);`;
        } else if (op === 0xc0) {
          kfuncSlots.add(code[w + 3]!);
          call = `K${code[w + 3]!}(m);`;
        } else {
          call = `{ const f = P.helperById === undefined ? undefined : P.helperById(${L(d)} >>> 0); if (f === undefined || ${H(d)} !== 0) throw rt.callxFail(m, ${L(d)}, ${H(d)}); f(m); }`;
        }
        body.push(
          `${sp.call} live = false; m.left = left + m.reserve; m.pc = ${at}; m.depth = depth; m.prog = P; ${call} left = m.left - m.reserve;`,
          `if (m.tailTarget !== null) { const t = m.tailTarget; m.noteFrames(t, depth); m.tailTarget = null; m.prog = t; MG[depth] = ${MAY_GOTO_LIMIT}; m.pc = 0; return ${EXIT_SWITCH}; }`,
          `${sp.afterCall} live = true;`,
        );
      } else if (op === 0xb8) {
        const leaf = leafBody(target, region !== undefined);
        const save = [6, 7, 8, 9].map((r, j) => `SV[sv + ${2 * j}] = ${lowOf(r)}; SV[sv + ${2 * j + 1}] = ${highOf(r)};`).join(' ');
        // (A leaf that leaves r6..r9 alone needs them neither saved nor restored: only its exit
        // reads the saved copies, and it would write back the same values.)
        const saving = leaf === null || !leaf.keepsR6to9 ? `{ const sv = depth << 3; ${save} } ` : '';
        const push = `${saving}RP[depth] = ${at + 1}; FP[depth] = P; depth++; ${lowOf(10)} = ${STACK_SIZE}; ${highOf(10)} = SR[depth]; MG[depth] = ${MAY_GOTO_LIMIT};`;
        body.push(`if (depth + 1 >= ${MAX_FRAMES}) { m.pc = ${at}; throw rt.callDepthFail(m); }`);
        if (leaf === null) body.push(`${push} pc = ${target}; continue main;`);
        else {
          // A leaf callee (one block ending in its exit) runs here, charged as its own block (a
          // slice that cannot pay it dispatches to its case, the frame already pushed); its exit
          // returns into this frame of this program, so control falls through into the block at
          // the return address, the next case.
          const restore = [6, 7, 8, 9].map((r, j) => `${lowOf(r)} = SV[sv + ${2 * j}]; ${highOf(r)} = SV[sv + ${2 * j + 1}];`).join(' ');
          const late = leaf.keepsR6to9 ? `{ const sv = (depth - 1) << 3; ${save} }` : '';
          body.push(push, leaf.code.replace('SAVE ', late), `depth--;${leaf.keepsR6to9 ? '' : ` { const sv = depth << 3; ${restore} }`} ${lowOf(10)} = ${STACK_SIZE}; ${highOf(10)} = SR[depth];`);
        }
      } else if (op === 0x95) {
        const restore = [6, 7, 8, 9].map((r, j) => `${lowOf(r)} = SV[sv + ${2 * j}]; ${highOf(r)} = SV[sv + ${2 * j + 1}];`).join(' ');
        body.push(
          `if (depth === baseDepth) { ${sp.all} live = false; m.left = left + m.reserve; m.pc = ${at}; return ${EXIT_DONE}; }`,
          `depth--; { const sv = depth << 3; ${restore} } ${lowOf(10)} = ${STACK_SIZE}; ${highOf(10)} = SR[depth];`,
          // The dag form cannot continue at a return address: it returns into the frame's program
          // (itself included, which then enters at a pc other than 0 and hands over).
          dag !== null
            ? `${sp.all} live = false; m.left = left + m.reserve; m.prog = FP[depth]; m.pc = RP[depth]; return ${EXIT_SWITCH};`
            : `{ const fp = FP[depth]; if (fp !== P) { ${sp.all} live = false; m.left = left + m.reserve; m.prog = fp; m.pc = RP[depth]; return ${EXIT_SWITCH}; } } pc = RP[depth]; continue main;`,
        );
      } else {
        // Not translated (poisoned or undecodable slot): the interpreter runs it, charged there.
        body.push(`left += ${refund + 1}; ${sp.all} m.left = left + m.reserve; m.pc = ${at}; return ${EXIT_HANDOVER};`);
      }
    }
    texts.set(start, shareTemps(body.join('\n')));
  }
  const consts = [...helperSlots].map((sl) => `const H${sl} = P.helpers[${sl}];`).concat([...kfuncSlots].map((sl) => `const K${sl} = P.kfuncs[${sl}];`));
  for (const off of ctxSites) consts.push(`const CR${off} = P.ctxReads.fields.get(${off}).read;`);
  for (const [at, [slot, l, h]] of siteCalls) consts.push(`const S${at} = P.helpers[${slot}].site(${l}, ${h}); if (S${at} === null) throw new Error('tier: the call site form of pc ${at} is gone');`);
  // The run's ctx region, looked up once per entry (only in code with rewritten ctx loads).
  const ctxEntry = ctxSites.size > 0 ? ' const CAP = m.access.cap, CXID = P.ctxReads.region(m);' : '';
  return `'use strict';
const divU64 = rt.divU64, modU64 = rt.modU64, divS64 = rt.divS64, modS64 = rt.modS64, T = rt.T, AO = rt.AO;
${consts.join('\n')}
return function tier(m, entryPc, baseDepth) {
  const lo = m.lo, hi = m.hi, mem = m.mem, IDS = mem.slotId, U8 = mem.slotBytes, DV = mem.slotView;
  const RL = m.access.rl, WL = m.access.wl, SCR = m.scratch, SV = m.saved, SR = m.stackRegion, MG = m.mayGoto, RP = m.retPc, FP = m.frameProg;${ctxEntry}
  let ${sp.regs.map((r) => `${L(r)} = lo[${r}], ${H(r)} = hi[${r}]`).join(', ')};
  // live: the locals hold the registers (false while a helper runs: the machine's are newer).
  let depth = m.depth, left = m.left - m.reserve, pc = entryPc, bpc = 0, bn = 0, live = true;
  // The blocks' temporaries (see shareTemps).
  let ${TEMPS};
  try {
${dag !== null ? dagBody(prog, dag.order, dag.labels, texts, n, sp.all) : `    main: for (;;) {
      switch (pc) {
${switchBody(prog, blocks, regions, texts, n)}
case -1: {
  // The slice cannot pay block bpc: take the next one and look at the clock, or, when the whole
  // budget cannot pay it, let the interpreter run to the exact fault.
  const total = left + m.reserve;
  if (total < bn) { ${sp.all} m.left = total; m.pc = bpc; return ${EXIT_HANDOVER}; }
  left = total > ${TIME_SLICE} ? ${TIME_SLICE} : total;
  m.reserve = total - left;
  m.left = total;
  m.depth = depth;
  m.checkClock(bpc);
  pc = bpc;
  continue main;
}
default:
  // Not a block start (a callback entry the translator did not see): the interpreter runs it.
  ${sp.all} m.left = left + m.reserve; m.pc = pc; return ${EXIT_HANDOVER};
      }
    }`}
  } finally {
    // A fault leaves by throwing: the registers as they were, the count and depth published.
    // (While a helper runs, r0..r9 are on the machine already; r10 never is.)
    if (live) { ${sp.all} }${kept.has(10) ? ' else { lo[10] = l10; hi[10] = h10; }' : ''}
    const total = left + m.reserve;
    if (total < m.left) m.left = total < 0 ? 0 : total;
    m.depth = depth;
  }
};`;
}

/**
 * The `switch` form's cases: each block in pc order, a region as one case at its head holding a
 * labelled `for (;;)` over its blocks in topological order (labels as in the dag form; a block that
 * goes on to the next pc, emitted elsewhere, breaks to it, or leaves the loop after its last block).
 */
function switchBody(prog: ExecProgram, blocks: readonly Block[], regions: readonly Region[], texts: ReadonlyMap<number, string>, n: number): string {
  const code = prog.code;
  const byFirst = new Map(regions.map((r) => [r.first, r]));
  const out: string[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const r = byFirst.get(i);
    if (r === undefined) {
      out.push(texts.get(blocks[i]!.start)!);
      continue;
    }
    const open = r.order
      .filter((b) => r.labels.has(b.start))
      .reverse()
      .map((b) => `L${b.start}: {`)
      .join(' ');
    const afterPc = blocks[r.last + 1]?.start ?? n;
    const body = r.order.map((b, k) => {
      const last = b.pcs[b.pcs.length - 1]!;
      let on = '';
      if (fallsThrough(code[last << 2]! & 0xff) && b.next < n && r.order[k + 1]?.start !== b.next) on = b.next === afterPc ? `\nbreak R${r.head};` : `\nbreak L${b.next};`;
      return `${r.labels.has(b.start) ? '} ' : ''}${texts.get(b.start)!}${on}`;
    });
    out.push(`case ${r.head}: R${r.head}: for (;;) { ${open}\n${body.join('\n')}\n}`);
    i = r.last;
  }
  return out.join('\n');
}

/**
 * The `dag` form's body: entry only at pc 0 (a return into a frame of this program enters elsewhere
 * and is handed to the interpreter), one labelled block per jump target around the blocks before it.
 */
function dagBody(prog: ExecProgram, order: readonly Block[], labels: ReadonlySet<number>, texts: ReadonlyMap<number, string>, n: number, spillAll: string): string {
  const code = prog.code;
  // Labels nest by where their blocks come: the first to close is the innermost.
  const open = order
    .filter((b) => labels.has(b.start))
    .reverse()
    .map((b) => `L${b.start}: {`)
    .join(' ');
  const body = order.map((b, k) => {
    const last = b.pcs[b.pcs.length - 1]!;
    // A block that goes on to the next pc, emitted elsewhere than right before it, jumps there.
    const on = fallsThrough(code[last << 2]! & 0xff) && b.next < n && order[k + 1]?.start !== b.next ? `\nbreak L${b.next};` : '';
    return `${labels.has(b.start) ? '} ' : ''}${texts.get(b.start)!}${on}`;
  });
  return `    if (pc !== 0) { ${spillAll} m.left = left + m.reserve; m.pc = pc; return ${EXIT_HANDOVER}; }
    ${open}
${body.join('\n')}
    // Not reached (the decoder refuses code that falls off its end): the interpreter decides.
    ${spillAll} m.left = left + m.reserve; m.pc = ${n}; return ${EXIT_HANDOVER};`;
}

/** Translate `prog` into a function (throws whatever `new Function` throws: see csp.ts). */
export function translate(prog: ExecProgram): TierFn {
  const src = translateSource(prog);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('rt', 'P', src) as (rt: typeof RUNTIME, p: ExecProgram) => TierFn;
  return make(RUNTIME, prog);
}
