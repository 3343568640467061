/**
 * The JavaScript tier's translator: one decoded program (its subprograms included) becomes one
 * JavaScript function, built once with `new Function` (see cache.ts for when, csp.ts for where that
 * is not allowed), from its control flow (cfg.ts) and the code of each instruction (insn.ts).
 *
 * Shape of the generated function `(m, entryPc, baseDepth) => exitCode`:
 *
 *   registers      int32 locals l0..l10 / h0..h10 (low / high halves; only the registers the code
 *                  names, see usedRegs), written back to m.lo/m.hi
 *                  around everything that reads the machine (helpers, atomics, exits, hand-overs)
 *   control flow   two forms (cfg.ts). `switch`: `for (;;) switch (pc)`, one `case` per basic
 *                  block in pc order, so a block that does not jump falls through into the next;
 *                  jumps set pc and `continue`, except inside a block that loops on itself (an
 *                  inner loop) and a structured loop (a loop of blocks entered only at its head:
 *                  `continue` to the head, labelled blocks for the forward edges inside). `dag`,
 *                  for acyclic code entered only at pc 0 without local calls (most packet
 *                  parsers): the blocks in topological order inside nested labelled blocks, one
 *                  label per jump target closing just before it, every jump a `break`, no loop at
 *                  all. V8 then never compiles the function on stack replacement: with the loop, a
 *                  deoptimisation (a path first taken after V8 optimised the function) could leave
 *                  it entering its loop's on-stack-replacement code from unoptimised code at every
 *                  call, about 4x slower, for seconds (measured on the XDP bench cases). A local
 *                  call to a one-block leaf runs the callee inline
 *   budget         each block charges its instruction count once, at its top, from the same
 *                  slice/reserve split as the interpreter (interp.ts); a block the slice cannot pay
 *                  goes through `case -1` (take the next slice, look at the clock; rt.slice in
 *                  place in the dag form and in structured loops), and a block the
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
import { ARENA_OUT, castUser } from '../arena.js';
import { ARITH, LEFT_FLOOR, arenaOp, atomic, bswap32, divS64, divU64, ldPacket, modS64, modU64, mulhiU32, probeLoad, raiseLeft, slowLoad, slowStore } from '../interp.js';
import { MAX_FRAMES, MAY_GOTO_LIMIT, STACK_SIZE, TIME_SLICE, type ExecProgram, type Machine } from '../machine.js';
import { blocksOf, dagOrder, fallsThrough, isCondJump, loopRegions, type Block, type Region } from './cfg.js';
import { H, L, compareExpr, k, straight } from './insn.js';

/** Exit codes of a translated function. */
export const EXIT_DONE = 0;
export const EXIT_SWITCH = 1;
export const EXIT_HANDOVER = 2;

/** A translated program. */
export type TierFn = (m: Machine, entryPc: number, baseDepth: number) => number;

/** Longest callee a local call runs inline (instructions; see leafBody in translateSource). */
const MAX_INLINE = 32;

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
  raiseLeft,
  T: ARITH,
  callxFail(m: Machine, lo: number, hi: number): unknown {
    const id = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    return m.fail('unknown_helper', `callx: no helper with id ${id}`);
  },
  callDepthFail(m: Machine): unknown {
    return m.fail('call_depth', `call would exceed ${MAX_FRAMES} frames`);
  },
  /**
   * The `case -1` of the `dag` form and of structured loops: the slice cannot pay a block of `need` units. Takes the next slice
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

/** The form `prog` is translated in. */
export function tierForm(prog: ExecProgram): TierForm {
  if (forcedForm === 'switch' || forcedForm === 'dispatch') return 'switch';
  return dagOrder(prog, blocksOf(prog)) === null ? 'switch' : 'dag';
}

/**
 * `left` from the machine after a helper ran (and at entry), kept an int32 as in the interpreter: a
 * charge that overdraws the slice beyond LEFT_FLOOR moves the excess into the reserve (raiseLeft).
 * Without the `| 0`, a budget beyond 2^30 (the kernel's default is unlimited) makes m.left a
 * double field, `left` a double, and in a loop with a slice call V8 kept it boxed: a loop of leaf
 * calls ran 3.6x slower in any process that had made a kernel test run.
 */
const RELOAD_LEFT = `left = m.left - m.reserve; if (left < ${LEFT_FLOOR}) left = rt.raiseLeft(m, left); left |= 0;`;

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
  return build(prog).source;
}

/** The source of `prog`'s translated function and its form. */
function build(prog: ExecProgram): { source: string; form: TierForm } {
  const code = prog.code;
  const n = code.length >> 2;
  const blocks = blocksOf(prog);
  const dag = forcedForm === 'switch' || forcedForm === 'dispatch' ? null : dagOrder(prog, blocks);
  const sp = spillsOf(usedRegs(code));
  let localCalls = false;
  for (let pc = 0; pc < n; pc++) if ((code[pc << 2]! & 0xff) === 0xb8) localCalls = true;
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
   * The code of the callee at `callee` inlined at a local call (its budget charge and its instructions
   * up to its exit), when it is a leaf of one block of at most MAX_INLINE instructions that all
   * translate inline; else null.
   */
  const leafBody = (callee: number, inLoop = false): { code: string; keepsR6to9: boolean } | null => {
    const b = blockAt.get(callee);
    if (b === undefined || b.pcs.length > MAX_INLINE || (code[b.pcs[b.pcs.length - 1]! << 2]! & 0xff) !== 0x95) return null;
    const count = b.pcs.length;
    // (SAVE: where a leaf run without saving r6..r9 saves them after all, before it leaves for the
    // callee's own case or the interpreter, whose exit restores them.) In a structured loop the
    // return address has no case to dispatch to, so the next slice is taken here, as in the dag form.
    const head = inLoop
      ? `if (left < ${count}) { t = rt.slice(m, left, ${count}, depth); if (t < 0) { SAVE m.pc = ${callee}; return ${EXIT_HANDOVER}; } left = t; m.checkClock(${callee}); } left -= ${count};`
      : `if (left < ${count}) { SAVE bpc = ${callee}; bn = ${count}; pc = -1; continue main; } left -= ${count};`;
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
          body.push(`${spill([1, 2, 3, 4, 5])} m.left = left + m.reserve; m.pc = ${at}; m.depth = depth; m.prog = P; S${at}(m); ${RELOAD_LEFT} l0 = lo[0]; h0 = hi[0];`);
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
          `${sp.call} live = false; m.left = left + m.reserve; m.pc = ${at}; m.depth = depth; m.prog = P; ${call} ${RELOAD_LEFT}`,
          `if (m.tailTarget !== null) { const t = m.tailTarget; m.noteFrames(t, depth); m.tailTarget = null; m.prog = t; m.mayGoto[depth] = ${MAY_GOTO_LIMIT}; m.pc = 0; return ${EXIT_SWITCH}; }`,
          `${sp.afterCall} live = true;`,
        );
      } else if (op === 0xb8) {
        const leaf = leafBody(target, region !== undefined);
        const save = [6, 7, 8, 9].map((r, j) => `SV[sv + ${2 * j}] = ${lowOf(r)}; SV[sv + ${2 * j + 1}] = ${highOf(r)};`).join(' ');
        // (A leaf that leaves r6..r9 alone needs them neither saved nor restored: only its exit
        // reads the saved copies, and it would write back the same values.)
        const saving = leaf === null || !leaf.keepsR6to9 ? `{ const sv = depth << 3; ${save} } ` : '';
        // The frame's program is read only by an exit that is not inlined: an inlined leaf sets it
        // only when it leaves for its own case or the interpreter (one pointer store less per call).
        const push = `${saving}RP[depth] = ${at + 1}; ${leaf === null ? 'FP[depth] = P; ' : ''}depth++; ${lowOf(10)} = ${STACK_SIZE}; ${highOf(10)} = SR[depth]; MG[depth] = ${MAY_GOTO_LIMIT};`;
        body.push(`if (depth + 1 >= ${MAX_FRAMES}) { m.pc = ${at}; throw rt.callDepthFail(m); }`);
        if (leaf === null) body.push(`${push} pc = ${target}; continue main;`);
        else {
          // A leaf callee (one block ending in its exit) runs here, charged as its own block (a
          // slice that cannot pay it dispatches to its case, the frame already pushed); its exit
          // returns into this frame of this program, so control falls through into the block at
          // the return address, the next case.
          const restore = [6, 7, 8, 9].map((r, j) => `${lowOf(r)} = SV[sv + ${2 * j}]; ${highOf(r)} = SV[sv + ${2 * j + 1}];`).join(' ');
          const late = `FP[depth - 1] = P; ${leaf.keepsR6to9 ? `{ const sv = (depth - 1) << 3; ${save} }` : ''}`;
          body.push(push, leaf.code.replace('SAVE ', late), `depth--;${leaf.keepsR6to9 ? '' : ` { const sv = depth << 3; ${restore} }`} ${lowOf(10)} = ${STACK_SIZE}; ${highOf(10)} = SR[depth];`);
        }
      } else if (op === 0x95) {
        // (Without local calls in this code, popping a frame is rare, a tail-called program
        // returning into its caller's frame: the frame arrays are read from the machine there.)
        const [fSV, fSR, fFP, fRP] = localCalls ? ['SV', 'SR', 'FP', 'RP'] : ['m.saved', 'm.stackRegion', 'm.frameProg', 'm.retPc'];
        const restore = [6, 7, 8, 9].map((r, j) => `${lowOf(r)} = ${fSV}[sv + ${2 * j}]; ${highOf(r)} = ${fSV}[sv + ${2 * j + 1}];`).join(' ');
        body.push(
          `if (depth === baseDepth) { ${sp.all} live = false; m.left = left + m.reserve; m.pc = ${at}; return ${EXIT_DONE}; }`,
          `depth--; { const sv = depth << 3; ${restore} } ${lowOf(10)} = ${STACK_SIZE}; ${highOf(10)} = ${fSR}[depth];`,
          // The dag form cannot continue at a return address: it returns into the frame's program
          // (itself included, which then enters at a pc other than 0 and hands over).
          dag !== null
            ? `${sp.all} live = false; m.left = left + m.reserve; m.prog = ${fFP}[depth]; m.pc = ${fRP}[depth]; return ${EXIT_SWITCH};`
            : `{ const fp = ${fFP}[depth]; if (fp !== P) { ${sp.all} live = false; m.left = left + m.reserve; m.prog = fp; m.pc = ${fRP}[depth]; return ${EXIT_SWITCH}; } } pc = ${fRP}[depth]; continue main;`,
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
  const main = `${dag !== null ? dagBody(prog, dag.order, dag.labels, texts, n, sp.all) : `    main: for (;;) {
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
    }`}`;
  const source = `'use strict';
const divU64 = rt.divU64, modU64 = rt.modU64, divS64 = rt.divS64, modS64 = rt.modS64, T = rt.T, AO = rt.AO;
${consts.join('\n')}
return function tier(m, entryPc, baseDepth) {
  const lo = m.lo, hi = m.hi${prologue(main)};${ctxEntry}
  let ${sp.regs.map((r) => `${L(r)} = lo[${r}], ${H(r)} = hi[${r}]`).join(', ')};
  // live: the locals hold the registers (false while a helper runs: the machine's are newer).
  let depth = m.depth, left = 0, pc = entryPc, bpc = 0, bn = 0, live = true;
  ${RELOAD_LEFT}
  // The blocks' temporaries (see shareTemps).
  let ${TEMPS};
  try {
${main}
  } finally {
    // A fault leaves by throwing: the registers as they were, the count and depth published.
    // (While a helper runs, r0..r9 are on the machine already; r10 never is.)
    if (live) { ${sp.all} }${kept.has(10) ? ' else { lo[10] = l10; hi[10] = h10; }' : ''}
    const total = left + m.reserve;
    if (total < m.left) m.left = total < 0 ? 0 : total;
    m.depth = depth;
  }
};`;
  return { source, form: dag !== null ? 'dag' : 'switch' };
}

/** The machine's arrays a translated function may read, as locals loaded at its entry. */
const ENTRY_LOCALS: readonly (readonly [string, string])[] = [
  ['IDS', 'm.mem.slotId'],
  ['U8', 'm.mem.slotBytes'],
  ['DV', 'm.mem.slotView'],
  ['RL', 'm.access.rl'],
  ['WL', 'm.access.wl'],
  ['SCR', 'm.scratch'],
  ['SV', 'm.saved'],
  ['SR', 'm.stackRegion'],
  ['MG', 'm.mayGoto'],
  ['RP', 'm.retPc'],
  ['FP', 'm.frameProg'],
];

/** The entry's loads of the {@link ENTRY_LOCALS} that `body` names (a short program of a tail-call chain names few). */
function prologue(body: string): string {
  return ENTRY_LOCALS.filter(([name]) => new RegExp(`\\b${name}\\b`).test(body))
    .map(([name, expr]) => `, ${name} = ${expr}`)
    .join('');
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

/** Translate `prog` into a function, with its form (throws whatever `new Function` throws: see csp.ts). */
export function translate(prog: ExecProgram): { fn: TierFn; form: TierForm } {
  const { source, form } = build(prog);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const make = new Function('rt', 'P', source) as (rt: typeof RUNTIME, p: ExecProgram) => TierFn;
  return { fn: make(RUNTIME, prog), form };
}
