/**
 * The fast interpreter: one allocation-free loop over decoded programs (see isa/decode.ts for the
 * slot layout). Registers are 32-bit halves in Int32Arrays; the `switch` is on the decoded op, which
 * is the opcode byte (so `case 0x07` is RFC 9669's `add64 dst, imm`) or an XOP_* pseudo-code.
 *
 * Everything the decoder could check is already checked. What remains per instruction is the
 * budget, and for memory access one combined bounds+permission comparison; anything unusual
 * (special ctx regions, faults, pointers whose offset carries into the region half) goes to the
 * slow paths at the end of this file.
 *
 * Semantics follow RFC 9669; each non-obvious case names its rule. The reference interpreter
 * (reference.ts) implements the same contract from the raw instructions with BigInt, and the
 * differential test checks that both agree.
 */
import { MODE_ABS, POISON_INVALID } from '../isa/opcodes.js';
import { ARENA_OUT, arenaLoad, arenaStore, castUser, type ArenaSpace } from './arena.js';
import { Fault } from './fault.js';
import { MAX_FRAMES, MAY_GOTO_LIMIT, STACK_SIZE, Stop, TIME_SLICE, describeAddr, type ExecProgram, type Machine } from './machine.js';
import { PERM_R, PERM_W, SLOT_MASK } from './memory.js';
import { warmUp } from './warmup.js';

/** memory.ts SLOT_MASK as a literal the compiler folds into the fast paths (checked below). */
const SM = 0x7fffff;
if (SM !== SLOT_MASK) throw new Error('interp: SM must equal memory.ts SLOT_MASK');

/** Scratch for two-word results of the 64-bit slow arithmetic (module-level: no allocation). */
const T = new Int32Array(2);

/** High 32 bits of the unsigned 64-bit product of two uint32 values. */
function mulhiU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function fromBig(v: bigint): void {
  const u = BigInt.asUintN(64, v);
  T[0] = Number(u & 0xffffffffn) | 0;
  T[1] = Number(u >> 32n) | 0;
}

/** T = a / b unsigned (RFC 9669: division by zero gives 0). */
function divU64(alo: number, ahi: number, blo: number, bhi: number): void {
  if (bhi === 0 && blo === 0) {
    T[0] = 0;
    T[1] = 0;
  } else if (ahi === 0 && bhi === 0) {
    T[0] = Math.floor((alo >>> 0) / (blo >>> 0)) | 0;
    T[1] = 0;
  } else fromBig(toBig(alo, ahi) / toBig(blo, bhi));
}

/** T = a % b unsigned (RFC 9669: modulo by zero leaves dst unchanged). */
function modU64(alo: number, ahi: number, blo: number, bhi: number): void {
  if (bhi === 0 && blo === 0) {
    T[0] = alo;
    T[1] = ahi;
  } else if (ahi === 0 && bhi === 0) {
    T[0] = (alo >>> 0) % (blo >>> 0) | 0;
    T[1] = 0;
  } else fromBig(toBig(alo, ahi) % toBig(blo, bhi));
}

/** T = a / b signed, truncating; LLONG_MIN / -1 wraps to LLONG_MIN; division by zero gives 0. */
function divS64(alo: number, ahi: number, blo: number, bhi: number): void {
  if (bhi === 0 && blo === 0) {
    T[0] = 0;
    T[1] = 0;
  } else if (ahi === alo >> 31 && bhi === blo >> 31) {
    const q = Math.trunc(alo / blo);
    T[0] = q | 0;
    T[1] = q < 0 ? -1 : 0;
  } else fromBig(BigInt.asIntN(64, toBig(alo, ahi)) / BigInt.asIntN(64, toBig(blo, bhi)));
}

/** T = a % b signed (sign of the dividend); modulo by zero leaves dst unchanged. */
function modS64(alo: number, ahi: number, blo: number, bhi: number): void {
  if (bhi === 0 && blo === 0) {
    T[0] = alo;
    T[1] = ahi;
  } else if (ahi === alo >> 31 && bhi === blo >> 31) {
    const r = alo % blo | 0;
    T[0] = r;
    T[1] = r >> 31;
  } else fromBig(BigInt.asIntN(64, toBig(alo, ahi)) % BigInt.asIntN(64, toBig(blo, bhi)));
}

function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}

/**
 * The lowest value `left` may hold in the loop. It is at most TIME_SLICE + 1, and a helper's charge
 * can only take it as low as -m.reserve (m.left stays >= 0); a reserve beyond 2^30 (a budget that
 * large) could take it out of int32 range, so {@link raiseLeft} moves the excess into the reserve.
 */
const LEFT_FLOOR = -0x40000000;

/**
 * Raise `left` to LEFT_FLOOR by taking the difference from m.reserve (left + reserve, the budget,
 * is unchanged). The next loop head then takes the same next slice, or faults at the same pc with
 * the same count, as it would have from the unraised value: its comparisons and results depend on
 * left + reserve only while both stay >= LEFT_FLOOR and m.left >= 0.
 */
function raiseLeft(m: Machine, left: number): number {
  m.reserve += left - LEFT_FLOOR;
  return LEFT_FLOOR;
}

function budgetFault(m: Machine, pc: number): Fault {
  return new Fault('budget_exceeded', pc, `instruction budget of ${m.budget} exhausted`, { program: m.prog?.name ?? '?' });
}

/** Counters for tests (how often each engine entered); one increment per entry, not per instruction. */
export const engineStats = { fastEntries: 0 };

let warmedUp = false;

/**
 * Run the one-time warm-up (warmup.ts) now, if it has not run yet, with the budget of the runs to
 * come (the emulated kernel's; see warmUp). Callers that time runs (the test-run commands) call
 * this first, so the first timed run does not include it.
 */
export function warmUpOnce(budget?: number): void {
  if (warmedUp) return;
  warmedUp = true;
  const entries = engineStats.fastEntries;
  warmUp(execute, budget);
  engineStats.fastEntries = entries;
}

/**
 * Mark the warm-up as done without running it: for a process that makes one short run (the CLI's
 * `bpfemu run` without --repeat), where V8 would not optimise the interpreter anyway and the
 * warm-up would only add its own run and an optimising compile that process exit waits for.
 */
export function skipWarmUp(): void {
  warmedUp = true;
}

/**
 * Why {@link hot} left its loop (its return value): the end of a budget slice, the exit of the
 * run's own frame, a callx, a local call too deep, or a helper or kfunc call that ended in a tail
 * call or overdrew the slice beyond LEFT_FLOOR. {@link execute} does the work and enters the loop
 * again.
 */
const S_EXIT = 0;
const S_SLICE = 1;
const S_CALL = 2;
const S_DEPTH = 3;
const S_CALLED = 4;

/** Besides {@link hot}'s status: [pc, left, depth] (module-level, no allocation). */
const ST = new Int32Array(3);

/**
 * Run `prog` from `entryPc` until the frame at `baseDepth` exits. r1..r5 and r10 must be set and
 * `m.depth === baseDepth`. Faults are thrown as {@link Fault} values; an early whole-run stop as
 * {@link Stop}. On return r0 holds the result.
 *
 * Two loops: {@link hot} runs the instructions, this one does the rare work (the clock, callx,
 * tail calls) and enters it again. What that buys is a small set of values
 * live across the hot loop: V8 spills what does not fit in machine registers and then stores and
 * reloads it in every case (see README, issue 14, fifth pass).
 */
export function execute(m: Machine, startProg: ExecProgram, entryPc: number, baseDepth: number): void {
  // Once per process, before the first real program: see warmup.ts. Not counted in engineStats.
  if (!warmedUp) warmUpOnce();
  let prog = startProg;
  let pc = entryPc | 0;
  // The budget in slices: `left` counts down the current slice (at most TIME_SLICE), m.reserve holds
  // the rest. Running out of a slice looks at the wall clock and takes the next one; running out of
  // both ends the run. m.left = left + m.reserve whenever it is published. A callback a helper runs
  // (baseDepth > 0) continues its caller's slice and reserve, so a loop of short callbacks still
  // reaches the clock; a run of its own (baseDepth 0) starts a slice and gives the caller's reserve
  // back on the way out.
  const callerReserve = m.reserve;
  if (baseDepth === 0) m.reserve = m.left > TIME_SLICE ? m.left - TIME_SLICE : 0;
  // `left` stays an int32 (see LEFT_FLOOR), so the count needs no overflow check.
  let left = m.left - m.reserve;
  if (left < LEFT_FLOOR) left = raiseLeft(m, left);
  left |= 0;
  let depth = m.depth;
  m.prog = prog;
  engineStats.fastEntries++;

  try {
    for (;;) {
      const st = hot(m, prog, pc, left, depth, baseDepth);
      pc = ST[0]!;
      left = ST[1]!;
      depth = ST[2]!;
      // Current whenever anything here can throw (hot() sets it before its helper calls).
      m.depth = depth;
      // hot() changes the program only when a frame returns to a caller whose program a tail call
      // replaced, and then publishes it in m.prog.
      prog = m.prog!;
      switch (st) {
        case S_EXIT:
          m.left = left + m.reserve;
          m.depth = depth;
          m.pc = pc;
          return;
        case S_SLICE: {
          // `left` is below 0 and the instruction at pc not yet run (nor charged: hot() charges it
          // again on entry). Take the next slice (after a helper's charge `left` may be below -1),
          // then look at the clock.
          const r = m.reserve;
          if (r <= 0) {
            m.left = 0;
            m.pc = pc;
            throw budgetFault(m, pc);
          }
          const take = r > TIME_SLICE - left ? TIME_SLICE - left : r;
          m.reserve = r - take;
          left = (left + take + 1) | 0; // at most TIME_SLICE + 1
          if (left <= 0) {
            m.left = 0;
            m.pc = pc;
            throw budgetFault(m, pc);
          }
          m.pc = pc;
          m.left = left + m.reserve;
          m.checkClock(pc);
          break;
        }
        case S_CALL:
        case S_CALLED: {
          if (st === S_CALL) {
            // callx at pc (its unit charged).
            m.left = left + m.reserve;
            m.pc = pc;
            m.depth = depth;
            const R = m.regs;
            const d = (prog.code[pc << 2]! >> 8) & 15;
            const f = prog.helperById?.(R[d]! >>> 0);
            if (f === undefined || R[d + 16] !== 0) throw m.fail('unknown_helper', `callx: no helper with id ${toBig(R[d]!, R[d + 16]!)}`);
            f(m);
          }
          // The helper may have charged its cost and run callbacks: they used m.left (the reserve is
          // this loop's own). A slice overdrawn by a charge is settled at the next loop head.
          left = m.left - m.reserve;
          if (left < LEFT_FLOOR) left = raiseLeft(m, left);
          left |= 0;
          if (m.tailTarget !== null) {
            // bpf_tail_call succeeded: continue in the target, in this frame, with r1 = ctx.
            m.noteFrames(m.tailTarget, depth);
            prog = m.tailTarget;
            m.tailTarget = null;
            m.prog = prog;
            m.mayGoto[depth] = MAY_GOTO_LIMIT;
            pc = 0;
          } else pc = (pc + 1) | 0;
          break;
        }
        default:
          // S_DEPTH: a local call would exceed MAX_FRAMES.
          m.pc = pc;
          throw m.fail('call_depth', `call would exceed ${MAX_FRAMES} frames`);
      }
    }
  } finally {
    // A fault leaves the loop by throwing: publish the instructions executed and the frame depth.
    // While a helper runs, m.left is the fresher count (its callbacks consume from it), so only
    // ever lower it.
    const total = left + m.reserve;
    if (total < m.left) m.left = total < 0 ? 0 : total;
    if (baseDepth === 0) m.reserve = callerReserve;
  }
}

/**
 * The instruction loop of {@link execute}: runs from `pc` with `left` units of the slice and returns
 * an S_* status when it meets the end of a slice, the exit of the run's frame, a callx, a too deep
 * local call or a tail call, with [pc, left, depth] in {@link ST} (pc at that instruction, its unit
 * charged, except for S_SLICE, where the instruction has not run). Helpers, kfuncs, atomics, the
 * loads' and stores' slow path and rareOp are called from here, each from one call site, after publishing the count in m.left (a fault leaves by throwing). It keeps few
 * values live across the loop: the memory's slot tables are read through `mem` and `acc` in the
 * cases that use them, the frames' arrays through `m`.
 */
function hot(m: Machine, prog: ExecProgram, pc: number, left: number, depth: number, baseDepth: number): number {
  // The register file: low halves of r0..r15 at 0..15, high halves at 16..31 (m.lo and m.hi are
  // views of it); one array, so one map check and one bounds check where two were needed.
  const R = m.regs;
  const mem = m.mem;
  const acc = m.access;
  let code = prog.code;
  // | 0: arguments arrive as tagged values; the loop wants untagged int32s.
  pc |= 0;
  left |= 0;
  depth |= 0;
  let st = S_EXIT;
  run: for (;;) {
    left = (left - 1) | 0;
    if (left < 0) {
      st = S_SLICE;
      break;
    }
    // The slot's first word; its other three are code[w | 1..3] (w's low two bits are zero, so an
    // `|` where `+` would need an overflow check).
    const w = pc << 2;
    const ins = code[w]!;
    const d = (ins >> 8) & 15;
    slow: {
      switch (ins & 0xff) {
        // ---------------------------------------------------------------- ALU64, K source
        case 0x07: {
          // add
          const a = R[d]!;
          const t = (a + code[w | 2]!) | 0;
          R[d + 16] = (R[d + 16]! + code[w | 3]! + (t >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          R[d] = t;
          break;
        }
        case 0x17: {
          // sub
          const a = R[d]!;
          const b = code[w | 2]!;
          R[d + 16] = (R[d + 16]! - code[w | 3]! - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
          R[d] = (a - b) | 0;
          break;
        }
        case 0x27: {
          // mul (mul64 and mulhiU32 written out: no call in the loop)
          const alo = R[d]!;
          const blo = code[w | 2]!;
          const a0 = alo & 0xffff;
          const a1 = alo >>> 16;
          const b0 = blo & 0xffff;
          const b1 = blo >>> 16;
          const p00 = a0 * b0;
          const p01 = a0 * b1;
          const p10 = a1 * b0;
          const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
          const hi = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
          R[d + 16] = (hi + Math.imul(alo, code[w | 3]!) + Math.imul(R[d + 16]!, blo)) | 0;
          R[d] = Math.imul(alo, blo);
          break;
        }
        case 0x47:
          R[d] = R[d]! | code[w | 2]!;
          R[d + 16] = R[d + 16]! | code[w | 3]!;
          break;
        case 0x57:
          R[d] = R[d]! & code[w | 2]!;
          R[d + 16] = R[d + 16]! & code[w | 3]!;
          break;
        case 0x67: {
          // lsh; the decoder masked the amount to 6 bits
          const n = code[w | 2]!;
          if (n >= 32) {
            R[d + 16] = R[d]! << (n - 32);
            R[d] = 0;
          } else if (n !== 0) {
            R[d + 16] = (R[d + 16]! << n) | (R[d]! >>> (32 - n));
            R[d] = R[d]! << n;
          }
          break;
        }
        case 0x77: {
          // rsh
          const n = code[w | 2]!;
          if (n >= 32) {
            R[d] = R[d + 16]! >>> (n - 32);
            R[d + 16] = 0;
          } else if (n !== 0) {
            R[d] = (R[d]! >>> n) | (R[d + 16]! << (32 - n));
            R[d + 16] = R[d + 16]! >>> n;
          }
          break;
        }
        case 0xa7:
          R[d] = R[d]! ^ code[w | 2]!;
          R[d + 16] = R[d + 16]! ^ code[w | 3]!;
          break;
        case 0xb7:
          R[d] = code[w | 2]!;
          R[d + 16] = code[w | 3]!;
          break;
        case 0xc7: {
          // arsh
          const n = code[w | 2]!;
          if (n >= 32) {
            R[d] = R[d + 16]! >> (n - 32);
            R[d + 16] = R[d + 16]! >> 31;
          } else if (n !== 0) {
            R[d] = (R[d]! >>> n) | (R[d + 16]! << (32 - n));
            R[d + 16] = R[d + 16]! >> n;
          }
          break;
        }
        // ---------------------------------------------------------------- ALU64, X source
        case 0x0f: {
          const s = (ins >> 12) & 15;
          const a = R[d]!;
          const t = (a + R[s]!) | 0;
          R[d + 16] = (R[d + 16]! + R[s + 16]! + (t >>> 0 < a >>> 0 ? 1 : 0)) | 0;
          R[d] = t;
          break;
        }
        case 0x1f: {
          const s = (ins >> 12) & 15;
          const a = R[d]!;
          const b = R[s]!;
          R[d + 16] = (R[d + 16]! - R[s + 16]! - (a >>> 0 < b >>> 0 ? 1 : 0)) | 0;
          R[d] = (a - b) | 0;
          break;
        }
        case 0x2f: {
          const s = (ins >> 12) & 15;
          const alo = R[d]!;
          const blo = R[s]!;
          const a0 = alo & 0xffff;
          const a1 = alo >>> 16;
          const b0 = blo & 0xffff;
          const b1 = blo >>> 16;
          const p00 = a0 * b0;
          const p01 = a0 * b1;
          const p10 = a1 * b0;
          const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
          const hi = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
          R[d + 16] = (hi + Math.imul(alo, R[s + 16]!) + Math.imul(R[d + 16]!, blo)) | 0;
          R[d] = Math.imul(alo, blo);
          break;
        }
        case 0x4f: {
          const s = (ins >> 12) & 15;
          R[d] = R[d]! | R[s]!;
          R[d + 16] = R[d + 16]! | R[s + 16]!;
          break;
        }
        case 0x5f: {
          const s = (ins >> 12) & 15;
          R[d] = R[d]! & R[s]!;
          R[d + 16] = R[d + 16]! & R[s + 16]!;
          break;
        }
        case 0x6f: {
          const n = R[(ins >> 12) & 15]! & 63;
          if (n >= 32) {
            R[d + 16] = R[d]! << (n - 32);
            R[d] = 0;
          } else if (n !== 0) {
            R[d + 16] = (R[d + 16]! << n) | (R[d]! >>> (32 - n));
            R[d] = R[d]! << n;
          }
          break;
        }
        case 0x7f: {
          const n = R[(ins >> 12) & 15]! & 63;
          if (n >= 32) {
            R[d] = R[d + 16]! >>> (n - 32);
            R[d + 16] = 0;
          } else if (n !== 0) {
            R[d] = (R[d]! >>> n) | (R[d + 16]! << (32 - n));
            R[d + 16] = R[d + 16]! >>> n;
          }
          break;
        }
        case 0xaf: {
          const s = (ins >> 12) & 15;
          R[d] = R[d]! ^ R[s]!;
          R[d + 16] = R[d + 16]! ^ R[s + 16]!;
          break;
        }
        case 0xbf: {
          const s = (ins >> 12) & 15;
          R[d] = R[s]!;
          R[d + 16] = R[s + 16]!;
          break;
        }
        case 0xcf: {
          const n = R[(ins >> 12) & 15]! & 63;
          if (n >= 32) {
            R[d] = R[d + 16]! >> (n - 32);
            R[d + 16] = R[d + 16]! >> 31;
          } else if (n !== 0) {
            R[d] = (R[d]! >>> n) | (R[d + 16]! << (32 - n));
            R[d + 16] = R[d + 16]! >> n;
          }
          break;
        }
        // ---------------------------------------------------------------- ALU32 (upper half zeroed)
        case 0x04:
          R[d] = (R[d]! + code[w | 2]!) | 0;
          R[d + 16] = 0;
          break;
        case 0x0c:
          R[d] = (R[d]! + R[(ins >> 12) & 15]!) | 0;
          R[d + 16] = 0;
          break;
        case 0x14:
          R[d] = (R[d]! - code[w | 2]!) | 0;
          R[d + 16] = 0;
          break;
        case 0x1c:
          R[d] = (R[d]! - R[(ins >> 12) & 15]!) | 0;
          R[d + 16] = 0;
          break;
        case 0x24:
          R[d] = Math.imul(R[d]!, code[w | 2]!);
          R[d + 16] = 0;
          break;
        case 0x2c:
          R[d] = Math.imul(R[d]!, R[(ins >> 12) & 15]!);
          R[d + 16] = 0;
          break;
        case 0x44:
          R[d] = R[d]! | code[w | 2]!;
          R[d + 16] = 0;
          break;
        case 0x4c:
          R[d] = R[d]! | R[(ins >> 12) & 15]!;
          R[d + 16] = 0;
          break;
        case 0x54:
          R[d] = R[d]! & code[w | 2]!;
          R[d + 16] = 0;
          break;
        case 0x5c:
          R[d] = R[d]! & R[(ins >> 12) & 15]!;
          R[d + 16] = 0;
          break;
        case 0x64:
          R[d] = R[d]! << code[w | 2]!;
          R[d + 16] = 0;
          break;
        case 0x6c:
          R[d] = R[d]! << (R[(ins >> 12) & 15]! & 31);
          R[d + 16] = 0;
          break;
        case 0x74:
          R[d] = R[d]! >>> code[w | 2]!;
          R[d + 16] = 0;
          break;
        case 0x7c:
          R[d] = R[d]! >>> (R[(ins >> 12) & 15]! & 31);
          R[d + 16] = 0;
          break;
        case 0xa4:
          R[d] = R[d]! ^ code[w | 2]!;
          R[d + 16] = 0;
          break;
        case 0xac:
          R[d] = R[d]! ^ R[(ins >> 12) & 15]!;
          R[d + 16] = 0;
          break;
        case 0xb4:
          R[d] = code[w | 2]!;
          R[d + 16] = 0;
          break;
        case 0xbc:
          R[d] = R[(ins >> 12) & 15]!;
          R[d + 16] = 0;
          break;
        case 0xc4:
          R[d] = R[d]! >> code[w | 2]!;
          R[d + 16] = 0;
          break;
        case 0xcc:
          R[d] = R[d]! >> (R[(ins >> 12) & 15]! & 31);
          R[d + 16] = 0;
          break;
        // ---------------------------------------------------------------- JMP (64-bit compares)
        case 0x05:
        case 0x06: // ja, ja32 (gotol): target precomputed
          pc = code[w | 1]!;
          continue;
        case 0x15:
          if (R[d] === code[w | 2] && R[d + 16] === code[w | 3]) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x1d: {
          const s = (ins >> 12) & 15;
          if (R[d] === R[s] && R[d + 16] === R[s + 16]) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0x55:
          if (R[d] !== code[w | 2] || R[d + 16] !== code[w | 3]) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x5d: {
          const s = (ins >> 12) & 15;
          if (R[d] !== R[s] || R[d + 16] !== R[s + 16]) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0x25: {
          // jgt (unsigned)
          const a = R[d + 16]! >>> 0;
          const b = code[w | 3]! >>> 0;
          if (a > b || (a === b && R[d]! >>> 0 > code[w | 2]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0x2d: {
          const s = (ins >> 12) & 15;
          const a = R[d + 16]! >>> 0;
          const b = R[s + 16]! >>> 0;
          if (a > b || (a === b && R[d]! >>> 0 > R[s]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0x35: {
          // jge
          const a = R[d + 16]! >>> 0;
          const b = code[w | 3]! >>> 0;
          if (a > b || (a === b && R[d]! >>> 0 >= code[w | 2]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0x3d: {
          const s = (ins >> 12) & 15;
          const a = R[d + 16]! >>> 0;
          const b = R[s + 16]! >>> 0;
          if (a > b || (a === b && R[d]! >>> 0 >= R[s]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0xa5: {
          // jlt
          const a = R[d + 16]! >>> 0;
          const b = code[w | 3]! >>> 0;
          if (a < b || (a === b && R[d]! >>> 0 < code[w | 2]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0xad: {
          const s = (ins >> 12) & 15;
          const a = R[d + 16]! >>> 0;
          const b = R[s + 16]! >>> 0;
          if (a < b || (a === b && R[d]! >>> 0 < R[s]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0xb5: {
          // jle
          const a = R[d + 16]! >>> 0;
          const b = code[w | 3]! >>> 0;
          if (a < b || (a === b && R[d]! >>> 0 <= code[w | 2]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0xbd: {
          const s = (ins >> 12) & 15;
          const a = R[d + 16]! >>> 0;
          const b = R[s + 16]! >>> 0;
          if (a < b || (a === b && R[d]! >>> 0 <= R[s]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        // ---------------------------------------------------------------- JMP32 (low halves only)
        case 0x16:
          if (R[d] === code[w | 2]) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x1e:
          if (R[d] === R[(ins >> 12) & 15]) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x56:
          if (R[d] !== code[w | 2]) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x5e:
          if (R[d] !== R[(ins >> 12) & 15]) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x26:
          if (R[d]! >>> 0 > code[w | 2]! >>> 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x2e:
          if (R[d]! >>> 0 > R[(ins >> 12) & 15]! >>> 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x36:
          if (R[d]! >>> 0 >= code[w | 2]! >>> 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x3e:
          if (R[d]! >>> 0 >= R[(ins >> 12) & 15]! >>> 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0xa6:
          if (R[d]! >>> 0 < code[w | 2]! >>> 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0xae:
          if (R[d]! >>> 0 < R[(ins >> 12) & 15]! >>> 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0xb6:
          if (R[d]! >>> 0 <= code[w | 2]! >>> 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0xbe:
          if (R[d]! >>> 0 <= R[(ins >> 12) & 15]! >>> 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        // ---------------------------------------------------------------- calls and exit
        case 0x85: // helper call
        case 0xc0: {
          // XOP_CALL_KFUNC. Called from here, not from execute(): leaving the loop for every call
          // cost the helper loop a quarter of its speed (README, issue 14, fifth pass).
          m.left = left + m.reserve;
          m.pc = pc;
          m.depth = depth;
          if ((ins & 0xff) === 0x85) prog.helpers[code[w | 3]!]!(m);
          else prog.kfuncs[code[w | 3]!]!(m);
          // The helper may have charged its cost and run callbacks: they used m.left (the reserve is
          // this loop's own). A slice overdrawn by a charge is settled at the next loop head; one
          // overdrawn below LEFT_FLOOR, and a tail call, in execute().
          left = m.left - m.reserve;
          if (left < LEFT_FLOOR || m.tailTarget !== null) {
            st = S_CALLED;
            break run;
          }
          left |= 0;
          break;
        }
        case 0x8d: // callx
          st = S_CALL;
          break run;
        case 0xb8: {
          // XOP_CALL_LOCAL: new frame with its own stack; r6..r9 restored on return
          if (depth + 1 >= MAX_FRAMES) {
            st = S_DEPTH;
            break run;
          }
          const sv = depth << 3;
          m.saved[sv] = R[6]!;
          m.saved[sv + 1] = R[22]!;
          m.saved[sv + 2] = R[7]!;
          m.saved[sv + 3] = R[23]!;
          m.saved[sv + 4] = R[8]!;
          m.saved[sv + 5] = R[24]!;
          m.saved[sv + 6] = R[9]!;
          m.saved[sv + 7] = R[25]!;
          m.retPc[depth] = pc + 1;
          m.frameProg[depth] = prog;
          depth++;
          R[10] = STACK_SIZE;
          R[26] = m.stackRegion[depth]!;
          m.mayGoto[depth] = MAY_GOTO_LIMIT;
          pc = code[w | 1]!;
          continue;
        }
        case 0x95: {
          // exit
          if (depth === baseDepth) {
            st = S_EXIT;
            break run;
          }
          depth--;
          const sv = depth << 3;
          R[6] = m.saved[sv]!;
          R[22] = m.saved[sv + 1]!;
          R[7] = m.saved[sv + 2]!;
          R[23] = m.saved[sv + 3]!;
          R[8] = m.saved[sv + 4]!;
          R[24] = m.saved[sv + 5]!;
          R[9] = m.saved[sv + 6]!;
          R[25] = m.saved[sv + 7]!;
          R[10] = STACK_SIZE;
          R[26] = m.stackRegion[depth]!;
          // The caller's program: the same one unless a tail call replaced this frame's.
          const fp = m.frameProg[depth]!;
          if (fp !== prog) {
            prog = fp;
            code = fp.code;
            m.prog = prog;
          }
          pc = m.retPc[depth]!;
          continue;
        }
        // ---------------------------------------------------------------- 64-bit immediate
        case 0x18:
          R[d] = code[w | 2]!;
          R[d + 16] = code[w | 3]!;
          pc += 2;
          continue;
        // ---------------------------------------------------------------- loads
        case 0x61: {
          // ldxw
          const s = (ins >> 12) & 15;
          const r = R[s + 16]!;
          const x = r & SM;
          const a = (R[s]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a + 4 <= acc.rl[x]!) {
            R[d] = mem.slotView[x]!.getInt32(a, true);
            R[d + 16] = 0;
          } else {
            break slow;
          }
          break;
        }
        case 0x69: {
          // ldxh
          const s = (ins >> 12) & 15;
          const r = R[s + 16]!;
          const x = r & SM;
          const a = (R[s]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a + 2 <= acc.rl[x]!) {
            R[d] = mem.slotView[x]!.getUint16(a, true);
            R[d + 16] = 0;
          } else {
            break slow;
          }
          break;
        }
        case 0x71: {
          // ldxb
          const s = (ins >> 12) & 15;
          const r = R[s + 16]!;
          const x = r & SM;
          const a = (R[s]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a < acc.rl[x]!) {
            R[d] = mem.slotBytes[x]![a]!;
            R[d + 16] = 0;
          } else {
            break slow;
          }
          break;
        }
        case 0x79: {
          // ldxdw
          const s = (ins >> 12) & 15;
          const r = R[s + 16]!;
          const x = r & SM;
          const a = (R[s]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a + 8 <= acc.rl[x]!) {
            const v = mem.slotView[x]!;
            R[d] = v.getInt32(a, true);
            R[d + 16] = v.getInt32(a + 4, true);
          } else {
            break slow;
          }
          break;
        }
        case 0x81: {
          // ldxsw (sign-extending)
          const s = (ins >> 12) & 15;
          const r = R[s + 16]!;
          const x = r & SM;
          const a = (R[s]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a + 4 <= acc.rl[x]!) {
            const v = mem.slotView[x]!.getInt32(a, true);
            R[d] = v;
            R[d + 16] = v >> 31;
          } else {
            break slow;
          }
          break;
        }
        case 0x89: {
          // ldxsh
          const s = (ins >> 12) & 15;
          const r = R[s + 16]!;
          const x = r & SM;
          const a = (R[s]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a + 2 <= acc.rl[x]!) {
            const v = mem.slotView[x]!.getInt16(a, true);
            R[d] = v;
            R[d + 16] = v >> 31;
          } else {
            break slow;
          }
          break;
        }
        case 0x91: {
          // ldxsb
          const s = (ins >> 12) & 15;
          const r = R[s + 16]!;
          const x = r & SM;
          const a = (R[s]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a < acc.rl[x]!) {
            const v = (mem.slotBytes[x]![a]! << 24) >> 24;
            R[d] = v;
            R[d + 16] = v >> 31;
          } else {
            break slow;
          }
          break;
        }
        // ---------------------------------------------------------------- stores
        case 0x62: {
          // stw imm
          const r = R[d + 16]!;
          const x = r & SM;
          const a = (R[d]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a + 4 <= acc.wl[x]!) mem.slotView[x]!.setInt32(a, code[w | 2]!, true);
          else {
            break slow;
          }
          break;
        }
        case 0x6a: {
          const r = R[d + 16]!;
          const x = r & SM;
          const a = (R[d]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a + 2 <= acc.wl[x]!) mem.slotView[x]!.setInt16(a, code[w | 2]!, true);
          else {
            break slow;
          }
          break;
        }
        case 0x72: {
          const r = R[d + 16]!;
          const x = r & SM;
          const a = (R[d]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a < acc.wl[x]!) mem.slotBytes[x]![a] = code[w | 2]!;
          else {
            break slow;
          }
          break;
        }
        case 0x7a: {
          // stdw: imm sign-extended to 64 bits
          const r = R[d + 16]!;
          const x = r & SM;
          const a = (R[d]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a + 8 <= acc.wl[x]!) {
            const v = mem.slotView[x]!;
            v.setInt32(a, code[w | 2]!, true);
            v.setInt32(a + 4, code[w | 3]!, true);
          } else {
            break slow;
          }
          break;
        }
        case 0x63: {
          // stxw
          const s = (ins >> 12) & 15;
          const r = R[d + 16]!;
          const x = r & SM;
          const a = (R[d]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a + 4 <= acc.wl[x]!) mem.slotView[x]!.setInt32(a, R[s]!, true);
          else {
            break slow;
          }
          break;
        }
        case 0x6b: {
          const s = (ins >> 12) & 15;
          const r = R[d + 16]!;
          const x = r & SM;
          const a = (R[d]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a + 2 <= acc.wl[x]!) mem.slotView[x]!.setInt16(a, R[s]!, true);
          else {
            break slow;
          }
          break;
        }
        case 0x73: {
          const s = (ins >> 12) & 15;
          const r = R[d + 16]!;
          const x = r & SM;
          const a = (R[d]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a < acc.wl[x]!) mem.slotBytes[x]![a] = R[s]!;
          else {
            break slow;
          }
          break;
        }
        case 0x7b: {
          const s = (ins >> 12) & 15;
          const r = R[d + 16]!;
          const x = r & SM;
          const a = (R[d]! >>> 0) + code[w | 1]!;
          if (mem.slotId[x] === r && a >= 0 && a + 8 <= acc.wl[x]!) {
            const v = mem.slotView[x]!;
            v.setInt32(a, R[s]!, true);
            v.setInt32(a + 4, R[s + 16]!, true);
          } else {
            break slow;
          }
          break;
        }
        // ---------------------------------------------------------------- callless rare instructions
        // (32-bit division and modulo, negation, sign extension, le and byte swaps, signed and set
        // jumps, may_goto): leaving the loop for them cost a loop closed by a signed compare a third
        // of its speed, calling rareOp for be16 a loop that swaps every word a fifth.
        case 0x87: {
          // neg
          const l = (-R[d]!) | 0;
          R[d + 16] = (~R[d + 16]! + (l === 0 ? 1 : 0)) | 0;
          R[d] = l;
          break;
        }
        case 0x70: {
          // XOP_SDIV32_K: INT_MIN / -1 wraps to INT_MIN; by zero gives 0
          const b = code[w | 2]!;
          R[d] = b === 0 ? 0 : Math.trunc(R[d]! / b) | 0;
          R[d + 16] = 0;
          break;
        }
        case 0x78: {
          // XOP_SDIV32_X
          const b = R[(ins >> 12) & 15]!;
          R[d] = b === 0 ? 0 : Math.trunc(R[d]! / b) | 0;
          R[d + 16] = 0;
          break;
        }
        case 0x80: {
          // XOP_SMOD32_K: by zero leaves the low half (zero-extended)
          const b = code[w | 2]!;
          if (b !== 0) R[d] = R[d]! % b | 0;
          R[d + 16] = 0;
          break;
        }
        case 0x88: {
          // XOP_SMOD32_X
          const b = R[(ins >> 12) & 15]!;
          if (b !== 0) R[d] = R[d]! % b | 0;
          R[d + 16] = 0;
          break;
        }
        case 0x90: {
          // XOP_MOVSX64_8
          const v = (R[(ins >> 12) & 15]! << 24) >> 24;
          R[d] = v;
          R[d + 16] = v >> 31;
          break;
        }
        case 0x98: {
          // XOP_MOVSX64_16
          const v = (R[(ins >> 12) & 15]! << 16) >> 16;
          R[d] = v;
          R[d + 16] = v >> 31;
          break;
        }
        case 0xa0: {
          // XOP_MOVSX64_32
          const v = R[(ins >> 12) & 15]!;
          R[d] = v;
          R[d + 16] = v >> 31;
          break;
        }
        case 0xa8: // XOP_MOVSX32_8
          R[d] = (R[(ins >> 12) & 15]! << 24) >> 24;
          R[d + 16] = 0;
          break;
        case 0xb0: // XOP_MOVSX32_16
          R[d] = (R[(ins >> 12) & 15]! << 16) >> 16;
          R[d + 16] = 0;
          break;
        case 0x34: {
          const b = code[w | 2]! >>> 0;
          R[d] = b === 0 ? 0 : Math.floor((R[d]! >>> 0) / b) | 0;
          R[d + 16] = 0;
          break;
        }
        case 0x3c: {
          const b = R[(ins >> 12) & 15]! >>> 0;
          R[d] = b === 0 ? 0 : Math.floor((R[d]! >>> 0) / b) | 0;
          R[d + 16] = 0;
          break;
        }
        case 0x84:
          R[d] = (-R[d]!) | 0;
          R[d + 16] = 0;
          break;
        case 0x94: {
          const b = code[w | 2]! >>> 0;
          if (b !== 0) R[d] = (R[d]! >>> 0) % b | 0;
          R[d + 16] = 0;
          break;
        }
        case 0x9c: {
          const b = R[(ins >> 12) & 15]! >>> 0;
          if (b !== 0) R[d] = (R[d]! >>> 0) % b | 0;
          R[d + 16] = 0;
          break;
        }
        case 0xd4: {
          // le16/32/64: to little-endian is a truncation on this (little-endian) machine
          const width = code[w | 2]!;
          if (width === 16) R[d] = R[d]! & 0xffff;
          if (width !== 64) R[d + 16] = 0;
          break;
        }
        case 0x45:
          if ((R[d]! & code[w | 2]!) !== 0 || (R[d + 16]! & code[w | 3]!) !== 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x4d: {
          const s = (ins >> 12) & 15;
          if ((R[d]! & R[s]!) !== 0 || (R[d + 16]! & R[s + 16]!) !== 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0x65: {
          // jsgt (signed: high halves signed, low halves unsigned)
          const a = R[d + 16]!;
          const b = code[w | 3]!;
          if (a > b || (a === b && R[d]! >>> 0 > code[w | 2]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0x6d: {
          const s = (ins >> 12) & 15;
          const a = R[d + 16]!;
          const b = R[s + 16]!;
          if (a > b || (a === b && R[d]! >>> 0 > R[s]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0x75: {
          // jsge
          const a = R[d + 16]!;
          const b = code[w | 3]!;
          if (a > b || (a === b && R[d]! >>> 0 >= code[w | 2]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0x7d: {
          const s = (ins >> 12) & 15;
          const a = R[d + 16]!;
          const b = R[s + 16]!;
          if (a > b || (a === b && R[d]! >>> 0 >= R[s]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0xc5: {
          // jslt
          const a = R[d + 16]!;
          const b = code[w | 3]!;
          if (a < b || (a === b && R[d]! >>> 0 < code[w | 2]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0xcd: {
          const s = (ins >> 12) & 15;
          const a = R[d + 16]!;
          const b = R[s + 16]!;
          if (a < b || (a === b && R[d]! >>> 0 < R[s]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0xd5: {
          // jsle
          const a = R[d + 16]!;
          const b = code[w | 3]!;
          if (a < b || (a === b && R[d]! >>> 0 <= code[w | 2]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0xdd: {
          const s = (ins >> 12) & 15;
          const a = R[d + 16]!;
          const b = R[s + 16]!;
          if (a < b || (a === b && R[d]! >>> 0 <= R[s]! >>> 0)) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        }
        case 0x46:
          if ((R[d]! & code[w | 2]!) !== 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x4e:
          if ((R[d]! & R[(ins >> 12) & 15]!) !== 0) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x66:
          if (R[d]! > code[w | 2]!) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x6e:
          if (R[d]! > R[(ins >> 12) & 15]!) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x76:
          if (R[d]! >= code[w | 2]!) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0x7e:
          if (R[d]! >= R[(ins >> 12) & 15]!) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0xc6:
          if (R[d]! < code[w | 2]!) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0xce:
          if (R[d]! < R[(ins >> 12) & 15]!) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0xd6:
          if (R[d]! <= code[w | 2]!) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0xde:
          if (R[d]! <= R[(ins >> 12) & 15]!) {
            pc = code[w | 1]!;
            continue;
          }
          break;
        case 0xe5: {
          // may_goto: falls through BPF_MAX_LOOPS times per frame, then jumps
          const c = m.mayGoto[depth]!;
          if (c <= 0) {
            pc = code[w | 1]!;
            continue;
          }
          m.mayGoto[depth] = c - 1;
          break;
        }
        case 0xd7: // bswap16/32/64 (RFC 9669 §4.2: ALU64|END is an unconditional swap)
        case 0xdc: {
          // be16/32/64: a byte swap on this little-endian machine, the rest zeroed (bswap32 written
          // out: no call in the loop, and a loop that swaps every word pays for one)
          const width = code[w | 2]!;
          const x = R[d]!;
          if (width === 16) {
            R[d] = ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
            R[d + 16] = 0;
          } else if (width === 32) {
            R[d] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
            R[d + 16] = 0;
          } else {
            const y = R[d + 16]!;
            R[d] = ((y & 0xff) << 24) | ((y & 0xff00) << 8) | ((y >>> 8) & 0xff00) | (y >>> 24);
            R[d + 16] = ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
          }
          break;
        }
        case 0xc3: // atomics: 32, 64, 16 and 8 bits (one call site)
        case 0xdb:
        case 0xcb:
        case 0xd3:
          m.left = left + m.reserve; // for a fault
          atomic(m, pc, d, (ins >> 12) & 15, code[w | 1]!, code[w | 2]!, SIZE_OF[(ins >> 3) & 3]!);
          break;
        default:
          // Everything else runs out of line in rareOp, from this one call site (leaving the loop
          // for it made the XDP checksum, which swaps the bytes of every word, 7% slower); a
          // fault leaves by throwing, so publish the count first.
          m.left = left + m.reserve;
          pc = rareOp(m, prog, code, pc) | 0; // | 0: keeps pc an untagged int32 in the loop
          continue;
      }
      pc++;
      continue;
    }
    // A load or store whose fast path failed (`break slow`): special regions, or the fault (which
    // leaves by throwing: publish the count first). One call site for all of them.
    m.left = left + m.reserve;
    slowAccess(m, code, pc);
    pc++;
  }
  ST[0] = pc;
  ST[1] = left;
  ST[2] = depth;
  return st;
}

/** The slow path of the load or store at `pc` (see {@link slowLoad}, {@link slowStore}). */
function slowAccess(m: Machine, code: Int32Array, pc: number): void {
  const R = m.regs;
  const w = pc << 2;
  const ins = code[w]!;
  const op = ins & 0xff;
  const d = (ins >> 8) & 15;
  const s = (ins >> 12) & 15;
  const size = SIZE_OF[(op >> 3) & 3]!;
  const cls = op & 7;
  if (cls === 1) {
    // LDX: MEM (0x60) zero-extends, MEMSX (0x80) sign-extends
    const signed = (op & 0xe0) === 0x80;
    const v = slowLoad(m, pc, R[s + 16]!, R[s]!, code[w | 1]!, size, signed);
    R[d] = v;
    R[d + 16] = signed ? v >> 31 : m.scratch[1]!;
  } else if (cls === 2) {
    // ST: the immediate, sign-extended to 64 bits for stdw
    slowStore(m, pc, R[d + 16]!, R[d]!, code[w | 1]!, size, code[w | 2]!, size === 8 ? code[w | 3]! : 0);
  } else {
    slowStore(m, pc, R[d + 16]!, R[d]!, code[w | 1]!, size, R[s]!, size === 8 ? R[s + 16]! : 0);
  }
}

/**
 * The instructions {@link execute} runs out of line: the rarely executed ones that need a call or
 * BigInt arithmetic (64-bit division and modulo, the address-space cast, atomics,
 * arena, BTF-probe and legacy packet loads, poisoned and undecodable slots). Kept out of the hot
 * loop so V8 has a smaller loop to optimise and fewer calls in it. Returns the next pc; the budget
 * unit of the instruction was charged by the caller.
 */
function rareOp(m: Machine, prog: ExecProgram, code: Int32Array, pc: number): number {
  const R = m.regs;
  const w = pc << 2;
  const ins = code[w]!;
  const d = (ins >> 8) & 15;
  switch (ins & 0xff) {
    case 0x21: case 0x29: case 0x31: case 0x39: case 0x41: case 0x49: case 0x51: {
      // BPF_PROBE_MEM / PROBE_MEMSX loads (through BTF pointers): a fault reads 0
      const op = ins & 0xff;
      const s = (ins >> 12) & 15;
      const size = (op & 0x18) === 0x00 ? 4 : (op & 0x18) === 0x08 ? 2 : (op & 0x18) === 0x10 ? 1 : 8;
      const signed = (op & 0xe0) === 0x40;
      const v = probeLoad(m, pc, R[s + 16]!, R[s]!, code[w | 1]!, size, signed);
      R[d] = v;
      R[d + 16] = signed ? v >> 31 : m.scratch[1]!;
      break;
    }
    case 0x37:
      divU64(R[d]!, R[d + 16]!, code[w | 2]!, code[w | 3]!);
      R[d] = T[0]!;
      R[d + 16] = T[1]!;
      break;
    case 0x97:
      modU64(R[d]!, R[d + 16]!, code[w | 2]!, code[w | 3]!);
      R[d] = T[0]!;
      R[d + 16] = T[1]!;
      break;
    case 0x3f: {
      const s = (ins >> 12) & 15;
      divU64(R[d]!, R[d + 16]!, R[s]!, R[s + 16]!);
      R[d] = T[0]!;
      R[d + 16] = T[1]!;
      break;
    }
    case 0x9f: {
      const s = (ins >> 12) & 15;
      modU64(R[d]!, R[d + 16]!, R[s]!, R[s + 16]!);
      R[d] = T[0]!;
      R[d + 16] = T[1]!;
      break;
    }
    case 0xe0: // XOP_ADDR_SPACE_CAST (imm 1 or 1 << 16: the decoder poisoned the others)
      if (code[w | 2] === 1) {
        R[d] = R[(ins >> 12) & 15]!;
        R[d + 16] = 0;
      } else {
        castUser(prog.arena, R[(ins >> 12) & 15]!);
        R[d] = ARENA_OUT[0]!;
        R[d + 16] = ARENA_OUT[1]!;
      }
      break;
    case 0x38: // XOP_SDIV64_K
      divS64(R[d]!, R[d + 16]!, code[w | 2]!, code[w | 3]!);
      R[d] = T[0]!;
      R[d + 16] = T[1]!;
      break;
    case 0x58: {
      // XOP_SDIV64_X
      const s = (ins >> 12) & 15;
      divS64(R[d]!, R[d + 16]!, R[s]!, R[s + 16]!);
      R[d] = T[0]!;
      R[d + 16] = T[1]!;
      break;
    }
    case 0x60: // XOP_SMOD64_K
      modS64(R[d]!, R[d + 16]!, code[w | 2]!, code[w | 3]!);
      R[d] = T[0]!;
      R[d + 16] = T[1]!;
      break;
    case 0x68: {
      // XOP_SMOD64_X
      const s = (ins >> 12) & 15;
      modS64(R[d]!, R[d + 16]!, R[s]!, R[s + 16]!);
      R[d] = T[0]!;
      R[d + 16] = T[1]!;
      break;
    }
    case 0xa1: case 0xa9: case 0xb1: case 0xb9: // ldx
    case 0xc1: case 0xc9: case 0xd1: // ldsx
    case 0xa2: case 0xaa: case 0xb2: case 0xba: // st
    case 0xa3: case 0xab: case 0xb3: case 0xbb: // stx
    case 0xe3: case 0xeb: case 0xf3: case 0xfb: // atomics
      arenaOp(m, prog.arena, ins & 0xff, d, (ins >> 12) & 15, code[w | 1]!, code[w | 2]!, code[w | 3]!);
      break;
    case 0x20:
    case 0x28:
    case 0x30:
    case 0x40:
    case 0x48:
    case 0x50:
      m.pc = pc;
      ldPacket(m, ins & 0xff, (ins >> 12) & 15, code[w | 2]!);
      break;
    case 0xd0: // XOP_POISON
      m.pc = pc;
      throw m.fail(code[w | 2] === POISON_INVALID ? 'invalid' : 'poisoned', prog.decoded.poison[code[w | 3]!] ?? 'poisoned instruction');
    default:
      m.pc = pc;
      throw m.fail('invalid', `undecodable slot (op 0x${(ins & 0xff).toString(16)})`);
  }
  return pc + 1;
}

// ------------------------------------------------------------------------------------------------
// Slow paths. They handle special regions and otherwise raise the fault. The address of an access
// is base + off computed in 64 bits and only then split into region id and offset (issue 12, bug 1):
// `r1 = r10; r1 += -513; *(u8 *)(r1 + 1) = r0` stores at fp-512, because r1 borrowed from the
// region half and the offset carries back. The fast paths compute `a = low half + off` and take
// the slow path whenever it leaves 0..2^32-1 (never in bounds of any region), so they cost nothing
// extra; {@link splitAddress} moves the carry into the region half here.

/** The 64-bit guest address of region `r` + offset `a` (a may be outside 0..2^32-1), for faults. */
export function accessAddress(r: number, a: number): bigint {
  return BigInt.asUintN(64, (BigInt(r >>> 0) << 32n) + BigInt(a));
}

/** Output of {@link splitAddress}: [region id, offset] (a Float64Array: the offset is unsigned). */
export const SPLIT = new Float64Array(2);

/**
 * Region id and offset of the 64-bit address base + off, from the base's halves: `a = low + off`
 * may have left 0..2^32-1 (off is a signed 16-bit field), and the carry or borrow goes into the
 * region half. Sets SPLIT[0] = region id, SPLIT[1] = offset (0..2^32-1, as a uint32 number).
 */
export function splitAddress(bhi: number, blo: number, off: number): void {
  const a = (blo >>> 0) + off;
  if (a < 0) {
    SPLIT[0] = (bhi - 1) | 0;
    SPLIT[1] = a + 0x100000000;
  } else if (a > 0xffffffff) {
    SPLIT[0] = (bhi + 1) | 0;
    SPLIT[1] = a - 0x100000000;
  } else {
    SPLIT[0] = bhi;
    SPLIT[1] = a;
  }
}

function accessFault(m: Machine, pc: number, r: number, a: number, size: number, write: boolean): Fault {
  const mem = m.mem;
  const problem = m.accessProblem(r, a, size, write ? PERM_W : PERM_R) ?? 'bad_ctx_access';
  const what =
    problem === 'bad_ctx_access'
      ? `invalid ${write ? 'write' : 'read'} of ${size} bytes of ctx at offset ${a}`
      : `invalid ${write ? 'write' : 'read'} of ${size} bytes at ${describeAddr(mem, r, a)}${problem === 'foreign_region' ? ': outside the capabilities of this run' : ''}`;
  return new Fault(problem, pc, what, {
    address: accessAddress(r, a),
    size,
    access: write ? 'write' : 'read',
    region: mem.describe(r),
    program: m.prog?.name ?? '?',
  });
}

/**
 * Load `size` bytes; returns the low word (and leaves the high word in m.scratch[1]). Resolves the
 * region against the run's capabilities first (a grant makes the next access take the fast path).
 */
export function slowLoad(m: Machine, pc: number, bhi: number, blo: number, off: number, size: number, signed: boolean): number {
  splitAddress(bhi, blo, off);
  const r = SPLIT[0]!;
  const a = SPLIT[1]!;
  const mem = m.mem;
  const x = r & SM;
  // Granted already (the common case: ctx fields), or resolved now.
  if (!(m.access.cap[x] !== 0 && mem.slotId[x] === r) && !m.reach(r)) throw accessFault(m, pc, r, a, size, false);
  const sp = mem.slotSpecial[x]!;
  const out = m.scratch;
  if (sp !== null) {
    // The handler decides the whole 64-bit value (a 4-byte ctx load may yield a pointer).
    out[0] = 0;
    out[1] = 0;
    if ((mem.slotPerm[x]! & PERM_R) === 0 || a < 0 || !sp.load(a, size, out)) throw accessFault(m, pc, r, a, size, false);
    // A pointer the kernel hands over in a ctx field (packet data, a socket) joins the run's reach,
    // for as long as the ctx itself (the regions a ctx points to live no longer than it).
    const p = out[1]!;
    if (p !== 0 && !(m.access.cap[p & SM] !== 0 && mem.slotId[p & SM] === p) && sp.yieldsPointer !== undefined && sp.yieldsPointer(a)) m.grant(p, m.access.cap[x]!);
  } else {
    if (mem.check(r, a, size, PERM_R) !== null) throw accessFault(m, pc, r, a, size, false);
    const v = mem.slotView[x]!;
    switch (size) {
      case 1:
        out[0] = v.getUint8(a);
        out[1] = 0;
        break;
      case 2:
        out[0] = v.getUint16(a, true);
        out[1] = 0;
        break;
      case 4:
        out[0] = v.getInt32(a, true);
        out[1] = 0;
        break;
      default:
        out[0] = v.getInt32(a, true);
        out[1] = v.getInt32(a + 4, true);
    }
  }
  if (signed && size < 8) {
    const sh = 32 - size * 8;
    return (out[0]! << sh) >> sh;
  }
  return out[0]!;
}

/**
 * A BPF_PROBE_MEM(SX) load (through a BTF pointer, marked by the verifier): {@link slowLoad}, except
 * that an address the run cannot read gives 0 (the kernel's exception table entry clears the
 * destination) instead of a fault. The high half is left in m.scratch[1], as slowLoad leaves it.
 */
export function probeLoad(m: Machine, pc: number, bhi: number, blo: number, off: number, size: number, signed: boolean): number {
  try {
    return slowLoad(m, pc, bhi, blo, off, size, signed);
  } catch (e) {
    if (!(e instanceof Fault)) throw e;
    m.scratch[0] = 0;
    m.scratch[1] = 0;
    return 0;
  }
}

/** Store `size` bytes of (lo, hi), after the same resolution as {@link slowLoad}. */
export function slowStore(m: Machine, pc: number, bhi: number, blo: number, off: number, size: number, lo: number, hi: number): void {
  splitAddress(bhi, blo, off);
  const r = SPLIT[0]!;
  const a = SPLIT[1]!;
  const mem = m.mem;
  const x = r & SM;
  if (!(m.access.cap[x] !== 0 && mem.slotId[x] === r) && !m.reach(r)) throw accessFault(m, pc, r, a, size, true);
  const sp = mem.slotSpecial[x]!;
  if (sp !== null) {
    // The handler sees the stored value truncated to `size` bytes.
    const vlo = size === 1 ? lo & 0xff : size === 2 ? lo & 0xffff : lo;
    const vhi = size === 8 ? hi : 0;
    if ((mem.slotPerm[x]! & PERM_W) === 0 || a < 0 || !sp.store(a, size, vlo, vhi)) throw accessFault(m, pc, r, a, size, true);
    return;
  }
  if (mem.check(r, a, size, PERM_W) !== null) throw accessFault(m, pc, r, a, size, true);
  const v = mem.slotView[x]!;
  switch (size) {
    case 1:
      v.setUint8(a, lo & 0xff);
      break;
    case 2:
      v.setUint16(a, lo & 0xffff, true);
      break;
    case 4:
      v.setInt32(a, lo, true);
      break;
    default:
      v.setInt32(a, lo, true);
      v.setInt32(a + 4, hi, true);
  }
}

/**
 * Atomic read-modify-write (RFC 9669 §5.3). `imm` selects the operation; with FETCH the old value
 * goes to src; cmpxchg compares with r0 and always loads the old value into r0.
 */
function atomic(m: Machine, pc: number, d: number, s: number, off: number, imm: number, size: number): void {
  const lo = m.lo;
  const hi = m.hi;
  if (imm === 0x100) {
    // load-acquire: dst = *(src + off)
    const v = slowLoad(m, pc, hi[s]!, lo[s]!, off, size, false);
    const h = m.scratch[1]!;
    lo[d] = v;
    hi[d] = h;
    return;
  }
  if (imm === 0x110) {
    slowStore(m, pc, hi[d]!, lo[d]!, off, size, lo[s]!, hi[s]!);
    return;
  }
  // The 64-bit address, split (see splitAddress): an offset that carries changes the region.
  splitAddress(hi[d]!, lo[d]!, off);
  const r = SPLIT[0]!;
  const x = r & SM;
  const a = SPLIT[1]!;
  const mem = m.mem;
  // A read-modify-write needs both permissions of a plain region the run may reach: the access
  // table's rl/wl (both -1 for special regions) cover that in two comparisons, after resolving the
  // region once; anything else is a fault, described by accessProblem().
  const t = m.access;
  if (!(t.rl.length > x && mem.slotId[x] === r && a >= 0 && a + size <= t.rl[x]! && a + size <= t.wl[x]!)) {
    if (!(m.reach(r) && a >= 0 && a + size <= t.rl[x]! && a + size <= t.wl[x]!)) {
      const readable = m.accessProblem(r, a, size, PERM_R) === null;
      throw accessFault(m, pc, r, a, size, readable);
    }
  }
  const v = mem.slotView[x]!;
  const oldLo = v.getInt32(a, true);
  const oldHi = size === 8 ? v.getInt32(a + 4, true) : 0;
  let nLo = oldLo;
  let nHi = oldHi;
  const sLo = lo[s]!;
  const sHi = size === 8 ? hi[s]! : 0;
  switch (imm & ~1) {
    case 0x00: {
      const t = (oldLo >>> 0) + (sLo >>> 0);
      nLo = t | 0;
      nHi = (oldHi + sHi + (t > 0xffffffff ? 1 : 0)) | 0;
      break;
    }
    case 0x40:
      nLo = oldLo | sLo;
      nHi = oldHi | sHi;
      break;
    case 0x50:
      nLo = oldLo & sLo;
      nHi = oldHi & sHi;
      break;
    case 0xa0:
      nLo = oldLo ^ sLo;
      nHi = oldHi ^ sHi;
      break;
    case 0xe0: // xchg
      nLo = sLo;
      nHi = sHi;
      break;
    case 0xf0: {
      // cmpxchg: compare with r0 (32-bit: low half only), r0 = old value
      const eq = size === 8 ? oldLo === lo[0] && oldHi === hi[0] : oldLo === lo[0];
      if (eq) {
        nLo = sLo;
        nHi = sHi;
      }
      lo[0] = oldLo;
      hi[0] = oldHi;
      break;
    }
  }
  v.setInt32(a, nLo, true);
  if (size === 8) v.setInt32(a + 4, nHi, true);
  if ((imm & 1) !== 0 && (imm & ~1) !== 0xf0) {
    lo[s] = oldLo;
    hi[s] = oldHi;
  }
}

/**
 * One arena access in a PROBE_MEM32 mode (`op` = class | mode | size, see vm/arena.ts for the
 * address and fault rules): a load that faults gives 0, a store or atomic that faults changes
 * nothing. Atomics are the plain ones (add/or/and/xor, their fetch forms, xchg, cmpxchg) and
 * load-acquire/store-release, on the machine's registers like {@link atomic}.
 */
export function arenaOp(m: Machine, arena: ArenaSpace | undefined, op: number, d: number, s: number, off: number, imm: number, aux: number): void {
  const lo = m.lo;
  const hi = m.hi;
  const size = SIZE_OF[(op >> 3) & 3]!;
  const cls = op & 7;
  if (cls === 1) {
    arenaLoad(arena, lo[s]!, off, size, (op & 0xe0) === 0xc0);
    lo[d] = ARENA_OUT[0]!;
    hi[d] = ARENA_OUT[1]!;
    return;
  }
  if (cls === 2) {
    arenaStore(arena, lo[d]!, off, size, imm, aux);
    return;
  }
  if ((op & 0xe0) === 0xa0) {
    arenaStore(arena, lo[d]!, off, size, lo[s]!, hi[s]!);
    return;
  }
  if (imm === 0x100) {
    // load-acquire: dst = *(src + off); a fault gives 0 like any arena load
    arenaLoad(arena, lo[s]!, off, size, false);
    lo[d] = ARENA_OUT[0]!;
    hi[d] = ARENA_OUT[1]!;
    return;
  }
  if (imm === 0x110) {
    arenaStore(arena, lo[d]!, off, size, lo[s]!, hi[s]!);
    return;
  }
  const a = lo[d]!;
  if (!arenaLoad(arena, a, off, size, false)) return; // the extable entry of an atomic is DONT_CLEAR: no register changes
  const oldLo = ARENA_OUT[0]!;
  const oldHi = ARENA_OUT[1]!;
  const sLo = lo[s]!;
  const sHi = size === 8 ? hi[s]! : 0;
  let nLo = oldLo;
  let nHi = oldHi;
  switch (imm & ~1) {
    case 0x00: {
      const t = (oldLo >>> 0) + (sLo >>> 0);
      nLo = t | 0;
      nHi = (oldHi + sHi + (t > 0xffffffff ? 1 : 0)) | 0;
      break;
    }
    case 0x40: nLo = oldLo | sLo; nHi = oldHi | sHi; break;
    case 0x50: nLo = oldLo & sLo; nHi = oldHi & sHi; break;
    case 0xa0: nLo = oldLo ^ sLo; nHi = oldHi ^ sHi; break;
    case 0xe0: nLo = sLo; nHi = sHi; break;
    case 0xf0:
      if (size === 8 ? oldLo === lo[0] && oldHi === hi[0] : oldLo === lo[0]) {
        nLo = sLo;
        nHi = sHi;
      }
      break;
  }
  arenaStore(arena, a, off, size, nLo, nHi);
  if ((imm & ~1) === 0xf0) {
    lo[0] = oldLo;
    hi[0] = oldHi;
  } else if ((imm & 1) !== 0) {
    lo[s] = oldLo;
    hi[s] = oldHi;
  }
}

/** Access size by BPF_SIZE >> 3 (W, H, B, DW). */
const SIZE_OF = [4, 2, 1, 8] as const;

/** SKF_LL_OFF / SKF_NET_OFF of include/uapi/linux/filter.h. */
const SKF_NET_OFF = -0x100000;
const SKF_LL_OFF = -0x200000;

/**
 * LD_ABS / LD_IND (RFC 9669 §5.5): r0 = big-endian load from the skb's linear data at imm (+ src).
 * Out of bounds ends the program with r0 = 0, as the kernel's bpf_skb_load_helper does; r1..r5 are
 * clobbered. Negative offsets select the network (SKF_NET_OFF) or link-layer (SKF_LL_OFF) header and
 * may reach below skb->data down to skb->head, the start of skbData's buffer
 * (bpf_internal_load_pointer_neg_helper: head <= ptr && ptr + size <= tail).
 */
export function ldPacket(m: Machine, op: number, s: number, imm: number): void {
  const pkt = m.skbData;
  if (pkt === null) throw m.fail('invalid', 'legacy packet load outside a socket filter or tc program');
  const size = (op & 0x18) === 0x10 ? 1 : (op & 0x18) === 0x08 ? 2 : 4;
  const k = (op & 0xe0) === MODE_ABS ? imm : (m.lo[s]! + imm) | 0;
  let v = 0;
  if (k >= 0) {
    if (k + size > pkt.length) throw new Stop(0, 0);
    for (let i = 0; i < size; i++) v = (v << 8) | pkt[k + i]!;
  } else {
    let pos: number;
    if (k >= SKF_NET_OFF) pos = k - SKF_NET_OFF + m.skbNetworkOffset;
    else if (k >= SKF_LL_OFF) pos = k - SKF_LL_OFF + m.skbMacOffset;
    else throw new Stop(0, 0);
    if (pos < -pkt.byteOffset || pos + size > pkt.length) throw new Stop(0, 0);
    const head = new Uint8Array(pkt.buffer, pkt.byteOffset + pos, size);
    for (let i = 0; i < size; i++) v = (v << 8) | head[i]!;
  }
  m.lo[0] = v | 0;
  m.hi[0] = 0;
}

/** For the JavaScript tier (tier/translate.ts): the arithmetic slow paths, their output, and atomics. */
export { T as ARITH, LEFT_FLOOR, atomic, bswap32, divS64, divU64, modS64, modU64, mulhiU32, raiseLeft };
