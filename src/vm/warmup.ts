/**
 * Type-feedback warm-up of the fast interpreter. V8 optimises its loop (`hot` in interp.ts, one
 * large `switch`; `execute` around it, the rare instructions in `rareOp`) with the type feedback
 * collected so far; a `case` that never ran has none, and the first program that reaches it
 * deoptimises the whole loop ("insufficient type feedback"), after which V8 re-optimises with a
 * different shape. In a process that runs many programs (a test
 * suite, the bench) that happened dozens of times and left the loop 10-20% slower than a run of a
 * single program. Running one synthetic program that executes every decoded op once — every
 * `case`, both outcomes of every conditional jump, the fast and the slow (special region) path of
 * every load and store, the arena (PROBE_MEM32) form of each, helper, kfunc, callx, local call, tail
 * call and both may_goto outcomes —
 * before the first real program gives the optimiser complete feedback from the start.
 *
 * The program is generated from the opcode table (isa/opcodes.ts), so a new opcode is covered as
 * soon as it is in the table. It runs on its own Memory and Machine: no guest-visible state.
 */
import { ALU_ARSH, ALU_LSH, ALU_RSH, ATOMIC_LOAD_ACQ, OPCODES, type OpcodeSpec } from '../isa/opcodes.js';
import type { RawInsn } from '../isa/insn.js';
import { Fault } from './fault.js';
import { MAY_GOTO_LIMIT, Machine, TIME_SLICE, type Engine, type ExecProgram, type HelperFn } from './machine.js';
import { Memory, PERM_RW, RegionKind, Scope, type SpecialRegion } from './memory.js';
import { buildExecProgram } from './program.js';

const I = (code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn => ({ code, dst, src, off, imm });

/** lddw dst, v (two slots). */
function lddw(dst: number, v: bigint): RawInsn[] {
  const u = BigInt.asUintN(64, v);
  return [I(0x18, dst, 0, 0, Number(BigInt.asIntN(32, u))), I(0, 0, 0, 0, Number(BigInt.asIntN(32, u >> 32n)))];
}

/** Operand pairs (dst, src): small, carries into the high half, negative, INT64_MIN / -1, by zero. */
const ALU_PAIRS: readonly [bigint, bigint][] = [
  [7n, 3n],
  [0x1_0000_0005n, 0x2_0000_0003n],
  [-9n, 2n],
  [-(1n << 63n), -1n],
  [5n, 0n],
];
/** Compare pairs: equal, less, greater, high halves differ, signed vs unsigned order. */
const JMP_PAIRS: readonly [bigint, bigint][] = [
  [5n, 5n],
  [3n, 5n],
  [5n, 3n],
  [0x1_0000_0000n, 5n],
  [-1n, 5n],
  [5n, -1n],
];
const SHIFTS = [0, 5, 40];

/** Helper ids of the warm-up program. */
const H_NOOP = 1;
const H_TAIL = 2;
const H_EXHAUST_MAY_GOTO = 3;
/**
 * Charges SLICE_CHARGE units, more than is left of the first time slice once the program has run
 * its first few thousand instructions, so the interpreter's loop reaches the end of a slice (and
 * `execute` takes the next one and looks at the clock) during the warm-up. Without it the first optimised code had no feedback there and
 * was thrown away ("insufficient type feedback for compare operation") by the first real run longer
 * than a slice, and V8 compiled the interpreter a second time (250-750 ms each on these machines).
 */
const H_CHARGE_SLICE = 4;
const SLICE_CHARGE = TIME_SLICE - 256;
const KF_NOOP = 1;
/** Helper ids H_EXTRA.. H_EXTRA + 4: the other no-op helpers (see callTables). */
const H_EXTRA = 10;
const CALL_TARGETS = 5;

/** r6 points into the special region (slow-path loads and stores); r10 is the stack. */
const R_SPECIAL = 6;

function withVariant(s: OpcodeSpec, insn: RawInsn): RawInsn {
  const v = s.variant;
  if (v === undefined) return insn;
  return { ...insn, [v.field]: v.value };
}

/** The instructions of one spec, each preceded by the register setup it needs. */
function blocksOf(s: OpcodeSpec): RawInsn[] {
  const out: RawInsn[] = [];
  const emit = (...xs: RawInsn[]): void => {
    out.push(...xs);
  };
  switch (s.form) {
    case 'alu_k':
    case 'alu_x':
    case 'neg':
    case 'end':
    case 'movsx': {
      const shift = s.aluOp === ALU_LSH || s.aluOp === ALU_RSH || s.aluOp === ALU_ARSH;
      ALU_PAIRS.forEach(([a, b], i) => {
        if (s.form === 'alu_k') for (const imm of shift ? SHIFTS : [Number(BigInt.asIntN(32, b))]) emit(...lddw(1, a), withVariant(s, I(s.code, 1, 0, 0, imm)));
        else if (s.form === 'alu_x' || s.form === 'movsx') emit(...lddw(1, a), ...lddw(2, shift ? BigInt(SHIFTS[i % SHIFTS.length]!) : b), withVariant(s, I(s.code, 1, 2)));
        else emit(...lddw(1, a), withVariant(s, I(s.code, 1)));
      });
      break;
    }
    case 'jmp_k':
    case 'jmp_x':
      for (const [a, b] of JMP_PAIRS) {
        emit(...lddw(1, a), ...lddw(2, b), I(s.code, 1, s.form === 'jmp_x' ? 2 : 0, 0, s.form === 'jmp_k' ? Number(BigInt.asIntN(32, b)) : 0));
      }
      break;
    case 'ja':
      emit(I(s.code));
      break;
    case 'ja32':
      emit(I(s.code));
      break;
    case 'ldx':
    case 'ldsx':
      emit(I(s.code, 1, 10, -16), I(s.code, 1, R_SPECIAL, 0));
      break;
    case 'st':
      emit(I(s.code, 10, 0, -16, 0x55), I(s.code, R_SPECIAL, 0, 0, 0x55));
      break;
    case 'stx':
      emit(...lddw(2, 0x1234_5678_9abcn), I(s.code, 10, 2, -16), I(s.code, R_SPECIAL, 2, 0));
      break;
    case 'atomic':
      // load-acquire is `dst = *(src + off)`; every other sub-op addresses through dst.
      if (s.variant?.value === ATOMIC_LOAD_ACQ) emit(withVariant(s, I(s.code, 1, 10, -16)));
      else emit(...lddw(0, 0n), ...lddw(2, 3n), withVariant(s, I(s.code, 10, 2, -16)));
      break;
    case 'lddw':
      if (s.variant?.value === 0) emit(...lddw(3, 0x1_0000_0001n));
      break;
    case 'ldabs':
      emit(I(s.code, 0, 0, 0, 2));
      break;
    case 'ldind':
      emit(...lddw(3, 1n), I(s.code, 0, 3, 0, 2));
      break;
    case 'call_helper':
      for (let i = 0; i < CALL_TARGETS; i++) emit(I(s.code, 0, 0, 0, H_EXTRA + i));
      break;
    case 'call_kfunc':
      for (let i = 0; i < CALL_TARGETS; i++) emit(withVariant(s, I(s.code, 0, 0, 0, KF_NOOP + i)));
      break;
    case 'callx':
      for (let i = 0; i < CALL_TARGETS; i++) emit(...lddw(4, BigInt(H_EXTRA + i)), I(s.code, 4));
      break;
    case 'addr_space_cast':
      // both directions, and a zero that stays zero
      emit(...lddw(1, 0x5_0000_1010n), withVariant(s, I(s.code, 2, 1, 0, 1)), withVariant(s, I(s.code, 3, 2, 0, 1 << 16)));
      emit(...lddw(4, 0n), withVariant(s, I(s.code, 5, 4, 0, 1 << 16)));
      break;
    case 'may_goto':
      // Falls through while the frame's counter lasts, jumps once a helper has exhausted it.
      emit(withVariant(s, I(s.code)), I(0x85, 0, 0, 0, H_EXHAUST_MAY_GOTO), withVariant(s, I(s.code)));
      break;
    case 'call_local':
    case 'exit':
      // Laid out by warmUpProgram (the call needs the subprogram's position).
      break;
  }
  return out;
}

/** Arena window offsets in r7 (a populated page) and r8 (an unpopulated one) for the PROBE_MEM32 copies. */
const R_ARENA = 7;
const R_ARENA_FAULT = 8;

/**
 * Each load, store and atomic again, through an arena pointer, to be decoded in the PROBE_MEM32
 * modes (`arenaPcs` gets their pcs, counted from `at`): on a populated page and on a missing one.
 */
function arenaBlocksOf(s: OpcodeSpec, at: number, arenaPcs: Set<number> | undefined): RawInsn[] {
  if (s.form !== 'ldx' && s.form !== 'ldsx' && s.form !== 'st' && s.form !== 'stx' && s.form !== 'atomic') return [];
  const out: RawInsn[] = [...lddw(0, 0n), ...lddw(2, 3n)];
  for (const base of [R_ARENA, R_ARENA_FAULT]) {
    const loadAcq = s.form === 'atomic' && s.variant?.value === ATOMIC_LOAD_ACQ;
    const i = s.form === 'ldx' || s.form === 'ldsx' || loadAcq ? I(s.code, 1, base, 8) : s.form === 'st' ? I(s.code, base, 0, 8, 0x55) : I(s.code, base, 2, 8);
    arenaPcs?.add(at + out.length);
    out.push(withVariant(s, i));
  }
  return out;
}

/**
 * The warm-up program: every op of the table with its setup, every memory op again through an
 * arena pointer, then a local call, then a tail call. `specialId` is the region r6 points to (a
 * special region: loads and stores take the slow path); `arenaPcs` receives the arena accesses.
 */
export function warmUpProgram(specialId: number, arenaPcs?: Set<number>): RawInsn[] {
  const body: RawInsn[] = [...lddw(R_SPECIAL, BigInt(specialId) << 32n), ...lddw(R_ARENA, 0x1000n), ...lddw(R_ARENA_FAULT, 0x5000n)];
  for (const s of OPCODES) body.push(...blocksOf(s));
  for (const s of OPCODES) body.push(...arenaBlocksOf(s, body.length, arenaPcs));
  // call local (the subprogram after the final exit), then the tail call; exit is never reached
  // in the main program but closes it for the decoder.
  body.push(I(0x85, 0, 0, 0, H_CHARGE_SLICE));
  const callAt = body.length;
  body.push(I(0x85, 0, 1, 0, 0), I(0x85, 0, 0, 0, H_TAIL), I(0x95));
  body[callAt] = I(0x85, 0, 1, 0, body.length - callAt - 1);
  body.push(I(0xb7, 0, 0, 0, 1), I(0x95));
  return body;
}

const ACCEPT_ALL: SpecialRegion = {
  load(off: number, _size: number, out: Int32Array): boolean {
    out[0] = off;
    out[1] = 0;
    return true;
  },
  store(): boolean {
    return true;
  },
};

/**
 * The helpers, kfunc and tail-call target of the warm-up, created once and kept for the life of the
 * process: optimised code may embed the call targets it saw, and if they were collected the code
 * would be thrown away ("weak objects" deoptimisation).
 */
const kept: unknown[] = [];
let tables: { helpers: Map<number, HelperFn>; kfuncs: Map<number, HelperFn> } | undefined;

function callTables(): { helpers: Map<number, HelperFn>; kfuncs: Map<number, HelperFn> } {
  if (tables !== undefined) return tables;
  // Five distinct functions make each call site megamorphic from the start, so a real helper is
  // not a "wrong call target" for code specialised on the warm-up's one.
  const noops: HelperFn[] = [(m) => m.setR0(0, 0), (m) => m.setR0(1, 0), (m) => m.setR0(2, 0), (m) => m.setR0(3, 0), (m) => m.setR0(4, 0)];
  const noop = noops[0]!;
  const tail = buildExecProgram([I(0xb7, 0, 0, 0, 2), I(0x95)], { name: 'warm-up tail' });
  const helpers = new Map<number, HelperFn>([
    [H_NOOP, noop],
    [
      H_TAIL,
      (m) => {
        m.tailTarget = tail;
        m.tailCalls++;
      },
    ],
    [H_CHARGE_SLICE, (m) => m.charge(SLICE_CHARGE)],
    [
      H_EXHAUST_MAY_GOTO,
      (m) => {
        m.mayGoto[m.depth] = 0;
      },
    ],
  ]);
  noops.forEach((f, i) => helpers.set(H_EXTRA + i, f));
  tables = { helpers, kfuncs: new Map(noops.map((f, i) => [KF_NOOP + i, f])) };
  return tables;
}

/** What a run of the warm-up program leaves behind (for the differential test). */
export interface WarmUpOutcome {
  readonly r0: readonly [lo: number, hi: number];
  /** The main frame's stack after the run. */
  readonly stack: Uint8Array;
  /** Instructions executed. */
  readonly steps: number;
}

/** Run the warm-up program `rounds` times on a private Memory and Machine with `engine`, each with `budget`. */
export function runWarmUpProgram(engine: Engine, rounds = 1, budget = 1 << 20): WarmUpOutcome {
  const mem = new Memory();
  const special = mem.map(new Uint8Array(64), { kind: RegionKind.CTX, perm: PERM_RW, label: 'warm-up ctx', special: ACCEPT_ALL });
  const { helpers, kfuncs } = callTables();
  const arenaAccesses = new Set<number>();
  const page = new Uint8Array(4096);
  const raw = warmUpProgram(special, arenaAccesses);
  const prog: ExecProgram = buildExecProgram(raw, { name: 'warm-up', helpers, kfuncs, arena: { userHi: 5, page: (pn) => (pn === 1 ? page : undefined) }, arenaAccesses });
  const m = new Machine(mem, 'warm-up');
  // The program's code names the ctx region itself (no kernel hands it over): grant it for good.
  m.grant(special, Scope.MACHINE);
  m.skbData = new Uint8Array(64);
  for (let round = 0; round < rounds; round++) {
    m.engine = engine;
    m.budget = budget;
    m.left = m.budget;
    m.depth = 0;
    m.tailCalls = 0;
    m.tailTarget = null;
    m.lo.fill(0);
    m.hi.fill(0);
    m.setFramePointer(0);
    m.mayGoto[0] = MAY_GOTO_LIMIT;
    engine(m, prog, 0, 0);
  }
  // Kept alive for the same reason as the call tables: code optimised during the warm-up may
  // embed these objects weakly.
  kept[0] = { mem, m, prog };
  return { r0: [m.lo[0]!, m.hi[0]!], stack: mem.bytes(m.stackRegion[0]!).slice(), steps: m.budget - m.left };
}

let done = false;

/**
 * Run the warm-up program with `engine` once per process (twice over: V8 allocates feedback vectors
 * lazily), with `budget`: that of the runs to come. Returns false when it already ran. A failure is
 * a bpfemu bug and propagates.
 *
 * The budget matters beyond the loop's type feedback: V8 gives a Machine's number fields (`left`,
 * `reserve`, `budget`) the representation of the first values stored, small integers under the raw
 * VM's default budget. A kernel run's budget (2^53 - 1 by default) later widens them to doubles,
 * which deprecates the Machine's hidden classes and throws away every optimising compile in flight
 * that depends on them: measured (`--trace-opt`, `--trace-generalization`), the first kernel run
 * of a process aborted the interpreter loop's 40-60 ms compile that the warm-up had started ("Maps
 * became deprecated during optimization"), and V8 began it again. Warming up with the kernel's
 * budget widens them before the loop is compiled; a process that only runs the raw VM keeps small
 * integers (faster in its helper calls: 4-6% in the bench's helper loop).
 */
export function warmUp(engine: Engine, budget = 1 << 20): boolean {
  if (done) return false;
  done = true;
  runWarmUpProgram(engine, 2, budget);
  // And once through the end of the budget (the loop head's other branch), which faults.
  try {
    runWarmUpProgram(engine, 1, 100);
  } catch (e) {
    if (!(e instanceof Fault) || e.kind !== 'budget_exceeded') throw e;
  }
  return true;
}
