/**
 * Machine state of one executing BPF context: registers as 32-bit halves, call frames with their
 * own 512-byte stacks, the instruction budget, and the hooks helpers use to read arguments and set
 * results. Nested runs of *other* programs (a kfunc calling a struct_ops program) use another
 * Machine over the same {@link Memory}.
 */
import type { DecodedProgram } from '../isa/decode.js';
import { Fault, type FaultKind } from './fault.js';
import { Memory, PERM_R, PERM_RW, PERM_W, RegionKind, type AccessProblem } from './memory.js';

/** Kernel MAX_CALL_FRAMES: the main program plus 7 nested calls. */
export const MAX_FRAMES = 8;
/** Kernel MAX_BPF_STACK: bytes of stack per frame. */
export const STACK_SIZE = 512;
/** Kernel BPF_MAX_LOOPS: iterations a may_goto allows per frame before it jumps. */
export const MAY_GOTO_LIMIT = 8 * 1024 * 1024;
/** Default instruction budget of a run (generous: the verifier's complexity limit × 10). */
export const DEFAULT_BUDGET = 10_000_000;

/** An interpreter: runs `prog` from `pc` until the frame at `baseDepth` exits. */
export type Engine = (m: Machine, prog: ExecProgram, pc: number, baseDepth: number) => void;

/** A helper or kfunc implementation: reads r1..r5 from the machine, sets r0. May throw a Fault. */
export type HelperFn = (m: Machine) => void;

/** A program ready to execute: decoded code plus its resolved call tables. */
export interface ExecProgram {
  readonly name: string;
  readonly decoded: DecodedProgram;
  /** Decoded words (same array as decoded.code). */
  readonly code: Int32Array;
  /** Helper implementations by slot (decoded word 3 of a helper call). */
  readonly helpers: readonly HelperFn[];
  /** kfunc implementations by slot. */
  readonly kfuncs: readonly HelperFn[];
  /** Helper lookup by id, for callx (the id is only known at run time). */
  readonly helperById?: (id: number) => HelperFn | undefined;
  /** The loaded program object this code belongs to (identity for kfuncs' implicit program argument). */
  readonly owner?: unknown;
  /** Kernel-syntax text and source location of a pc, for faults and traces. */
  describePc?(pc: number): PcInfo;
}

/** Where a pc is, for humans. */
export interface PcInfo {
  insn: string;
  source?: string;
  sourceText?: string;
}

/** Thrown (as a value, not an Error) to end a whole run early with a given r0. */
export class Stop {
  constructor(readonly lo: number, readonly hi: number) {}
}

/** Per-run data a program-type runtime attaches for its helpers (packet, skb, ...). */
export interface RunContext {
  readonly type: string;
}

export class Machine {
  /** Low 32 bits of r0..r10 (indices 11..15 unused). */
  readonly lo = new Int32Array(16);
  /** High 32 bits of r0..r10. */
  readonly hi = new Int32Array(16);
  readonly mem: Memory;
  /** Current frame (0 = main program). */
  depth = 0;
  readonly retPc = new Int32Array(MAX_FRAMES);
  /** Saved r6..r9 (lo, hi pairs) of each caller frame. */
  readonly saved = new Int32Array(MAX_FRAMES * 8);
  /** r0..r10 of the caller of a helper-invoked callback at depth d: lo at [22d, 22d+11), hi after. */
  readonly cbSaved = new Int32Array(MAX_FRAMES * 22);
  readonly frameProg: (ExecProgram | null)[] = new Array<ExecProgram | null>(MAX_FRAMES).fill(null);
  /** Stack region id of each frame. */
  readonly stackRegion = new Int32Array(MAX_FRAMES);
  /** may_goto counters of each frame. */
  readonly mayGoto = new Int32Array(MAX_FRAMES);
  /** Remaining instruction budget. */
  left = 0;
  /** Budget the current top-level run started with. */
  budget = 0;
  /** pc of the instruction being executed when a helper runs (for faults). */
  pc = 0;
  /** The program whose code is executing (changes on tail calls). */
  prog: ExecProgram | null = null;
  /** Set by bpf_tail_call on success; the interpreter switches to it. */
  tailTarget: ExecProgram | null = null;
  /** Tail calls taken in this run (kernel MAX_TAIL_CALL_CNT = 33). */
  tailCalls = 0;
  /** Program-type state of the current run. */
  context: RunContext | null = null;
  /** The emulated kernel this machine belongs to (helpers/host.ts HelperHost), or null for bare runs. */
  host: unknown = null;
  /** Arbitrary per-run data keyed by helpers (spin locks held, ringbuf reservations, ...). */
  runState: Map<unknown, unknown> = new Map();
  /** Optional per-instruction observer (tracing); only the stepping loop honours it. */
  tracer: ((m: Machine, prog: ExecProgram, pc: number) => void) | null = null;
  /** Linear skb data for LD_ABS/LD_IND (socket filter, tc), or null. */
  skbData: Uint8Array | null = null;
  /** Offset of the network header in skbData (for SKF_NET_OFF); may be negative. */
  skbNetworkOffset = 14;
  /**
   * Offset of the link-layer (MAC) header in skbData (for SKF_LL_OFF); negative when it lies before
   * skb->data, as for socket filters, whose data starts at the network header. Negative positions
   * read the bytes before skbData in its ArrayBuffer, which therefore must start at skb->head.
   */
  skbMacOffset = 0;
  /** The interpreter running this machine (fast or reference); callbacks use the same one. */
  engine: Engine | null = null;
  /** Scratch for special-region loads. */
  readonly scratch = new Int32Array(2);

  constructor(mem: Memory, label = 'machine') {
    this.mem = mem;
    for (let d = 0; d < MAX_FRAMES; d++) {
      this.stackRegion[d] = mem.map(new Uint8Array(STACK_SIZE), { kind: RegionKind.STACK, perm: PERM_RW, label: `${label} frame ${d}` });
    }
  }

  /** Release the stack regions. */
  dispose(): void {
    for (let d = 0; d < MAX_FRAMES; d++) this.mem.unmap(this.stackRegion[d]!);
  }

  /** Set r10 to the top of frame `d`'s stack. */
  setFramePointer(d: number): void {
    this.lo[10] = STACK_SIZE;
    this.hi[10] = this.stackRegion[d]!;
  }

  // ---- register access for helpers -----------------------------------------------------------

  /** Argument register `i` (1..5) as an unsigned 64-bit BigInt. */
  argU64(i: number): bigint {
    const h = this.hi[i]! >>> 0;
    const l = this.lo[i]! >>> 0;
    // Below 2^53 (scalars, guest pointers) one exact double makes one BigInt.
    return h < 0x200000 ? BigInt(h * 0x100000000 + l) : (BigInt(h) << 32n) | BigInt(l);
  }
  /** Argument register `i` as a signed 64-bit BigInt. */
  argS64(i: number): bigint {
    return BigInt.asIntN(64, this.argU64(i));
  }
  /** Low 32 bits of register `i`, unsigned. */
  argU32(i: number): number {
    return this.lo[i]! >>> 0;
  }
  /** Low 32 bits of register `i`, signed. */
  argS32(i: number): number {
    return this.lo[i]!;
  }
  /** Register `i` as a JS number when it fits in 53 bits (sizes, flags); else NaN. */
  argNum(i: number): number {
    const h = this.hi[i]! >>> 0;
    return h < 0x200000 ? h * 0x100000000 + (this.lo[i]! >>> 0) : NaN;
  }
  /** Whether register `i` is zero (NULL). */
  argIsNull(i: number): boolean {
    return this.lo[i] === 0 && this.hi[i] === 0;
  }
  /** Region id of the pointer in register `i`. */
  argRegion(i: number): number {
    return this.hi[i]!;
  }
  /** Offset of the pointer in register `i`. */
  argOffset(i: number): number {
    return this.lo[i]! >>> 0;
  }

  /** Set r0 from halves. */
  setR0(lo: number, hi: number): void {
    this.lo[0] = lo | 0;
    this.hi[0] = hi | 0;
  }
  /** Set r0 from a JS integer (negative values sign-extend: errnos). */
  setR0Num(n: number): void {
    if (n >= -0x80000000 && n <= 0x7fffffff) {
      this.lo[0] = n | 0;
      this.hi[0] = n < 0 ? -1 : 0;
    } else this.setR0Big(BigInt(Math.trunc(n)));
  }
  /** Set r0 from a BigInt (truncated to 64 bits). */
  setR0Big(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.lo[0] = Number(u & 0xffffffffn) | 0;
    this.hi[0] = Number(u >> 32n) | 0;
  }
  /** r0 as an unsigned BigInt. */
  r0(): bigint {
    return this.argU64(0);
  }

  // ---- memory access for helpers -------------------------------------------------------------

  /** A fault at the current pc. */
  fail(kind: FaultKind, detail: string, extra: Fault['extra'] = {}): Fault {
    return new Fault(kind, this.pc, detail, { program: this.prog?.name ?? '?', ...extra });
  }

  /**
   * Bytes of the guest memory at the pointer in register `reg` (`size` bytes, read or write access),
   * as the verifier would have guaranteed for a helper argument; throws a Fault otherwise.
   */
  argBytes(reg: number, size: number, write: boolean, what: string): Uint8Array {
    return this.bytesAt(this.hi[reg]!, this.lo[reg]! >>> 0, size, write, `r${reg} (${what})`);
  }

  /** Like {@link argBytes} for an explicit pointer. */
  bytesAt(id: number, off: number, size: number, write: boolean, what: string): Uint8Array {
    const mem = this.mem;
    const problem: AccessProblem | null = size < 0 ? 'out_of_bounds' : mem.check(id, off, size, write ? PERM_W : PERM_R);
    if (problem !== null || mem.special[id] !== null) {
      throw this.fail(problem ?? 'bad_ctx_access', `${what}: invalid ${write ? 'write' : 'read'} of ${size} bytes at ${describeAddr(mem, id, off)}`, {
        address: Memory.pointer(id, off),
        size,
        access: write ? 'write' : 'read',
        region: mem.describe(id),
      });
    }
    return mem.u8[id]!.subarray(off, off + size);
  }

  /** Region kind of the pointer in register `reg` (0 if unmapped). */
  argKind(reg: number): number {
    const id = this.hi[reg]!;
    return this.mem.isMapped(id) ? this.mem.kind[id]! : RegionKind.NONE;
  }

  /** The owner object of the region the pointer in register `reg` points into (e.g. a map). */
  argOwner(reg: number): unknown {
    const id = this.hi[reg]!;
    return this.mem.isMapped(id) ? this.mem.owner[id] : undefined;
  }
}

/** `0x0000000500000010 (stack region 5 'frame 0', offset 16)`. */
export function describeAddr(mem: Memory, id: number, off: number): string {
  const hex = `0x${(id >>> 0).toString(16).padStart(8, '0')}${(off >>> 0).toString(16).padStart(8, '0')}`;
  return mem.isMapped(id) ? `${hex} (${mem.describe(id)}, offset ${off})` : `${hex} (${id === 0 ? 'NULL or scalar' : `unmapped region ${id >>> 0}`})`;
}
