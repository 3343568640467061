/**
 * Machine state of one executing BPF context: registers as 32-bit halves, call frames with their
 * own 512-byte stacks, the instruction budget, the run's capabilities (an {@link AccessTable} of
 * what it may reach) and the hooks helpers use to read arguments and set results. Nested runs of
 * *other* programs (a kfunc calling a struct_ops program) use another Machine over the same
 * {@link Memory}, with its own capabilities.
 *
 * Capabilities: a region the run was not granted is resolved once, on its first access in the
 * run's slow path ({@link Machine.reach}), through the machine's {@link AccessPolicy}; a grant then
 * lasts for its {@link Scope}. Without a policy only the machine's own stack frames, the regions
 * its run's arguments point to and explicit grants are reachable.
 */
import type { ArenaSpace } from './arena.js';
import type { DecodedProgram } from '../isa/decode.js';
import { Fault, type FaultKind } from './fault.js';
import { Memory, PERM_R, PERM_RW, PERM_W, RegionKind, Scope, SLOT_MASK, type AccessProblem, type AccessTable } from './memory.js';

/** Kernel MAX_CALL_FRAMES: the main program plus 7 nested calls. */
export const MAX_FRAMES = 8;
/** Kernel MAX_BPF_STACK: bytes of stack per frame. */
export const STACK_SIZE = 512;
/** Kernel BPF_MAX_LOOPS: iterations a may_goto allows per frame before it jumps. */
export const MAY_GOTO_LIMIT = 8 * 1024 * 1024;
/**
 * Default instruction budget of a run through the raw VM entry points (`runProgram`, the
 * conformance plugin): generous, the verifier's complexity limit × 10. Runs through the emulated
 * kernel default to {@link UNLIMITED_BUDGET} instead: a program the kernel accepts may legally run
 * far longer (a may_goto loop alone allows 8M iterations per frame), and runaways there are stopped
 * by the per-run wall-clock limit.
 */
export const DEFAULT_BUDGET = 10_000_000;
/** A budget no run reaches (2^53 - 1 units, years of interpretation): "no instruction budget". */
export const UNLIMITED_BUDGET = Number.MAX_SAFE_INTEGER;
/**
 * Budget units between two checks of a run's wall-clock limit: the interpreters look at the clock
 * each time this many units are used (and never in between), so a limit is noticed within one
 * slice (well under a millisecond at the interpreter's speed).
 */
export const TIME_SLICE = 1 << 16;

/**
 * Decides whether the run on a machine may reach a live region it was not granted yet: returns
 * the {@link Scope} of the grant, or 0 (the access faults with `foreign_region`).
 */
export interface AccessPolicy {
  scopeOf(m: Machine, id: number): number;
}

/** An interpreter: runs `prog` from `pc` until the frame at `baseDepth` exits. */
export type Engine = (m: Machine, prog: ExecProgram, pc: number, baseDepth: number) => void;

/** A helper or kfunc implementation: reads r1..r5 from the machine, sets r0. May throw a Fault. */
export type HelperFn = ((m: Machine) => void) & {
  /**
   * A faster form of this helper for one call site whose r1 the JavaScript tier knows at
   * translation (`lddw r1, map` before the call: a map handle as (lo, hi)), or null. The form
   * does exactly what the helper does whenever r1 holds that value at the call (it checks, and
   * defers to the helper otherwise).
   */
  site?: (lo: number, hi: number) => ((m: Machine) => void) | null;
};

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
  /**
   * Frames local calls can add below the function a run enters (program.ts callDepth); stack
   * frames up to there are cleared before the next run. Absent: all of them.
   */
  readonly callDepth?: number;
  /**
   * Whether any instruction names r10 (absent: assume so). Code that never reads r10 cannot form a
   * pointer into a stack frame, so its runs leave the frames untouched and need none renewed.
   */
  readonly usesStack?: boolean;
  /** ctx loads the JavaScript tier rewrites into direct reads (see {@link CtxReads}); absent: none. */
  readonly ctxReads?: CtxReads | undefined;
  /** Kernel-syntax text and source location of a pc, for faults and traces. */
  describePc?(pc: number): PcInfo;
  /** The program's arena (BPF_MAP_TYPE_ARENA among its maps), for PROBE_MEM32 accesses and addr_space_cast. */
  readonly arena?: ArenaSpace;
  /** pcs the verifier marked as arena accesses (decoded in the PROBE_MEM32 modes; the reference interpreter reads this). */
  readonly arenaAccesses?: ReadonlySet<number>;
  /** pcs the verifier marked as PROBE_MEM loads (decoded in the PROBE_MEM modes; the reference interpreter reads this). */
  readonly probeLoads?: ReadonlySet<number>;
}

/**
 * The ctx loads of a program that the JavaScript tier rewrites at translation time into direct
 * reads of the run's context object (m.context), as the kernel's convert_ctx_access turns them into
 * loads from the xdp_buff or sk_buff. The program type supplies it at load, from the policy of the
 * program (only fields it may read). A rewritten load still checks at run time that its base is
 * this run's ctx region at offset 0 and that the run may reach it; anything else takes the slow path
 * (slowLoad through the region's handler), which gives the same value from the same readers.
 */
export interface CtxReads {
  /** Region id of the ctx of the run on `m` whose context is of this kind (0: another kind of run). */
  region(m: Machine): number;
  /** By byte offset: the full-width load the policy allows there. */
  readonly fields: ReadonlyMap<number, CtxRead>;
}

/** One directly read ctx field. */
export interface CtxRead {
  /** Load size in bytes (4 or 8): only an unsigned load of exactly this size is rewritten. */
  readonly size: number;
  /** The value's low and high halves into out[0], out[1], from the run's context object. */
  read(context: unknown, out: Int32Array): void;
  /** The value is a pointer the kernel hands over (its region joins the run's reach with the ctx's scope). */
  readonly pointer: boolean;
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
  /** The register file: low halves of r0..r15 at 0..15, high halves at 16..31 (the interpreter's view). */
  readonly regs = new Int32Array(32);
  /** Low 32 bits of r0..r10 (indices 11..15 unused): a view of regs[0..15]. */
  readonly lo = this.regs.subarray(0, 16);
  /** High 32 bits of r0..r10: a view of regs[16..31]. */
  readonly hi = this.regs.subarray(16, 32);
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
  /** Inside an interpreter: the part of `left` beyond its current time slice (see interp.ts). */
  reserve = 0;
  /** Inside the reference interpreter: the value of `left` at which it next looks at the clock. */
  refStop = 0;
  /** Budget the current top-level run started with. */
  budget = 0;
  /** Budget units of the current run charged for helper and kfunc work (not instructions). */
  charged = 0;
  /** Wall-clock limit of the current run in ms (Infinity: none); checked every {@link TIME_SLICE} units. */
  timeLimitMs = Infinity;
  /** performance.now() at the run's first clock check (0: not checked yet). */
  clockStartMs = 0;
  /** What this machine's runs may reach, by slot (see memory.ts). */
  readonly access: AccessTable;
  /** Who decides about regions not granted yet (null: nothing beyond grants). */
  policy: AccessPolicy | null = null;
  /** The program the PROGRAM-scope grants were made for. */
  capOwner: unknown = null;
  /** Slots granted with Scope.RUN (the first runGrantCount), revoked when the next run starts. */
  private runGrants: Int32Array<ArrayBuffer> = new Int32Array(16);
  private runGrantCount = 0;
  /** Slots granted with Scope.PROGRAM, revoked when a run of another program starts. */
  private progGrants: Int32Array<ArrayBuffer> = new Int32Array(16);
  private progGrantCount = 0;
  /**
   * Deepest stack frame the runs since the last clear may have used, -1 none (see {@link noteFrames});
   * a new machine's first run renews frame 0 as every run did before code without r10 skipped it.
   */
  stackHw = 0;
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
    this.access = mem.newTable();
    for (let d = 0; d < MAX_FRAMES; d++) {
      const id = mem.map(new Uint8Array(STACK_SIZE), { kind: RegionKind.STACK, perm: PERM_RW, label: `${label} frame ${d}` });
      this.stackRegion[d] = id;
      this.grant(id, Scope.MACHINE);
    }
  }

  /** Release the stack regions and the access table. */
  dispose(): void {
    for (let d = 0; d < MAX_FRAMES; d++) this.mem.unmap(this.stackRegion[d]!);
    this.mem.releaseTable(this.access);
  }

  // ---- capabilities --------------------------------------------------------------------------------

  /**
   * Start a top-level run of `owner` (a program identity): RUN grants of the previous run go, and
   * PROGRAM grants too when the program changes; the frames the previous run used get new region ids
   * (a pointer into them saved by that run faults) and are zeroed, so nothing leaks between runs.
   */
  beginRun(owner: unknown): void {
    if (this.runGrantCount !== 0) {
      revokeSlots(this.access, this.runGrants, this.runGrantCount, Scope.RUN);
      this.runGrantCount = 0;
    }
    if (owner !== this.capOwner) {
      if (this.progGrantCount !== 0) {
        revokeSlots(this.access, this.progGrants, this.progGrantCount, Scope.PROGRAM);
        this.progGrantCount = 0;
      }
      this.capOwner = owner;
    }
    const mem = this.mem;
    const hw = this.stackHw;
    for (let d = 0; d <= hw; d++) {
      const id = mem.renew(this.stackRegion[d]!, this.access);
      this.stackRegion[d] = id;
      mem.slotBytes[id & SLOT_MASK]!.fill(0);
    }
    this.stackHw = -1;
    this.clockStartMs = 0;
    this.charged = 0;
  }

  /**
   * Add live region `id` to the capabilities with `scope` (default: until the run ends). Kernel code
   * calls this for memory it hands to the run (helper results, ctx, packets, callback arguments).
   */
  grant(id: number, scope: number = Scope.RUN): void {
    const mem = this.mem;
    if (!mem.isMapped(id)) return;
    const s = id & SLOT_MASK;
    const t = this.access;
    const had = t.cap[s]!;
    if (had >= scope) return;
    t.cap[s] = scope;
    t.rl[s] = mem.slotRlen[s]!;
    t.wl[s] = mem.slotWlen[s]!;
    if (scope === Scope.RUN) {
      if (this.runGrantCount === this.runGrants.length) this.runGrants = grown(this.runGrants, this.runGrantCount);
      this.runGrants[this.runGrantCount++] = s;
    } else if (scope === Scope.PROGRAM) {
      // Grants of one program accumulate while it keeps running (slots revoked by an unmap stay
      // listed): compact the list before growing it.
      if (this.progGrantCount === this.progGrants.length) {
        this.progGrantCount = compactSlots(this.progGrants, this.progGrantCount, t, Scope.PROGRAM);
        if (this.progGrantCount * 2 > this.progGrants.length) this.progGrants = grown(this.progGrants, this.progGrantCount);
      }
      this.progGrants[this.progGrantCount++] = s;
    }
  }

  /**
   * Grant the regions the pointers in r1..r5 name (what the caller passes to the program), with
   * `scope`: RUN by default; PROGRAM for a caller whose argument regions live no longer than the
   * program's run series (the kernel's test runs and hooks unmap their ctx when they end), so the
   * repetitions of one test run do not grant it again and again.
   */
  grantArgs(scope: number = Scope.RUN): void {
    const hi = this.hi;
    const cap = this.access.cap;
    // A slot granted at `scope` or wider needs nothing (grant() would return: the same region, or
    // an id no longer mapped): repeated runs with the same arguments skip the call.
    for (let r = 1; r <= 5; r++) {
      const id = hi[r]!;
      if (id !== 0 && !(cap[id & SLOT_MASK]! >= scope)) this.grant(id, scope);
    }
  }

  /**
   * Whether this run may reach region `id`: granted already, or granted now by the policy. False for
   * unmapped ids too ({@link accessProblem} tells which).
   */
  reach(id: number): boolean {
    const mem = this.mem;
    if (!mem.isMapped(id)) return false;
    if (this.access.cap[id & SLOT_MASK] !== 0) return true;
    const scope = this.policy === null ? 0 : this.policy.scopeOf(this, id);
    if (scope === 0) return false;
    this.grant(id, scope);
    return true;
  }

  /** The grant scope of region `id` in this run (0: none yet). */
  scopeOf(id: number): number {
    return this.mem.isMapped(id) ? this.access.cap[id & SLOT_MASK]! : 0;
  }

  /** Why an access of `size` bytes at (id, off) fails for this run, or null when it may go ahead. */
  accessProblem(id: number, off: number, size: number, perm: number): AccessProblem | null {
    const p = this.mem.check(id, off, size, perm);
    if (p === 'unmapped') return p;
    if (!this.reach(id)) return 'foreign_region';
    return p;
  }

  // ---- budget ------------------------------------------------------------------------------------

  /**
   * Charge `units` of budget for work a helper or kfunc does (its base cost, bytes copied, ...);
   * a run that runs out faults with budget_exceeded at the call.
   */
  charge(units: number): void {
    const left = this.left - units;
    this.left = left;
    this.charged += units;
    if (left < 0) {
      this.left = 0;
      throw this.fail('budget_exceeded', `instruction budget of ${this.budget} exhausted (helper costs included)`);
    }
  }

  /** Check the run's wall-clock limit (the interpreters call this once per {@link TIME_SLICE} units). */
  checkClock(pc: number): void {
    if (this.timeLimitMs === Infinity) return;
    const now = performance.now();
    if (this.clockStartMs === 0) this.clockStartMs = now;
    else if (now - this.clockStartMs > this.timeLimitMs) {
      this.pc = pc;
      throw new Fault('run_timeout', pc, `run took longer than ${this.timeLimitMs} ms`, { program: this.prog?.name ?? '?' });
    }
  }

  /** Set r10 to the top of frame `d`'s stack. */
  setFramePointer(d: number): void {
    this.lo[10] = STACK_SIZE;
    this.hi[10] = this.stackRegion[d]!;
  }

  /**
   * Code of `prog` starts running at frame `d` (a run's entry, a tail call, a callback): the frames
   * its local calls can reach will need clearing before the next run. (Tracked here, from the code's
   * static call depth, rather than per call in the interpreter loop.)
   */
  noteFrames(prog: ExecProgram, d: number): void {
    if (prog.usesStack === false) return;
    const h = d + (prog.callDepth ?? MAX_FRAMES - 1);
    if (h > this.stackHw) this.stackHw = h < MAX_FRAMES ? h : MAX_FRAMES - 1;
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

  /** Like {@link argBytes} for an explicit pointer (capabilities included). */
  bytesAt(id: number, off: number, size: number, write: boolean, what: string): Uint8Array {
    const mem = this.mem;
    const problem: AccessProblem | null = size < 0 ? (this.reach(id) ? 'out_of_bounds' : mem.isMapped(id) ? 'foreign_region' : 'unmapped') : this.accessProblem(id, off, size, write ? PERM_W : PERM_R);
    if (problem !== null || mem.specialOf(id) !== null) {
      throw this.fail(problem ?? 'bad_ctx_access', `${what}: invalid ${write ? 'write' : 'read'} of ${size} bytes at ${describeAddr(mem, id, off)}${problem === 'foreign_region' ? ': outside the capabilities of this run' : ''}`, {
        address: Memory.pointer(id, off),
        size,
        access: write ? 'write' : 'read',
        region: mem.describe(id),
      });
    }
    return mem.slotBytes[id & SLOT_MASK]!.subarray(off, off + size);
  }

  /**
   * The region the pointer in register `reg` names, when this run may reach it; otherwise a fault
   * (`unmapped` or `foreign_region`) naming `what`.
   */
  argRegionChecked(reg: number, what: string): number {
    const id = this.hi[reg]!;
    if (this.reach(id)) return id;
    const mem = this.mem;
    const off = this.lo[reg]! >>> 0;
    throw this.fail(mem.isMapped(id) ? 'foreign_region' : 'unmapped', `${what}: ${describeAddr(mem, id, off)}${mem.isMapped(id) ? ' is outside the capabilities of this run' : ' is not mapped'}`, {
      address: Memory.pointer(id, off),
      region: mem.describe(id),
    });
  }

  /** Region kind of the pointer in register `reg` (NONE if unmapped); a foreign region faults. */
  argKind(reg: number): number {
    const id = this.hi[reg]!;
    if (!this.mem.isMapped(id)) return RegionKind.NONE;
    return this.mem.kindOf(this.argRegionChecked(reg, `r${reg}`));
  }

  /**
   * The owner object of the region the pointer in register `reg` points into (e.g. a map), or
   * undefined when unmapped; a region outside the run's capabilities faults (foreign_region).
   */
  argOwner(reg: number): unknown {
    const id = this.hi[reg]!;
    if (!this.mem.isMapped(id)) return undefined;
    return this.mem.ownerOf(this.argRegionChecked(reg, `r${reg}`));
  }
}

/** Revoke the first `n` slots of `slots` that still hold a grant of `scope` (others were revoked and granted again since). */
function revokeSlots(t: AccessTable, slots: Int32Array, n: number, scope: number): void {
  const cap = t.cap;
  for (let i = 0; i < n; i++) {
    const s = slots[i]!;
    if (cap[s] === scope) {
      cap[s] = 0;
      t.rl[s] = -1;
      t.wl[s] = -1;
    }
  }
}

/** Keep the slots (of the first `n`) still granted with `scope`, once each; returns the new count. */
function compactSlots(slots: Int32Array, n: number, t: AccessTable, scope: number): number {
  const seen = new Set<number>();
  let k = 0;
  for (let i = 0; i < n; i++) {
    const s = slots[i]!;
    if (t.cap[s] === scope && !seen.has(s)) {
      seen.add(s);
      slots[k++] = s;
    }
  }
  return k;
}

/** `slots` with twice the room (the first `n` kept). */
function grown(slots: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(slots.length * 2);
  bigger.set(slots.subarray(0, n));
  return bigger;
}

/** `0x0000000500000010 (stack region 5 'frame 0', offset 16)`. */
export function describeAddr(mem: Memory, id: number, off: number): string {
  const hex = `0x${(id >>> 0).toString(16).padStart(8, '0')}${(off >>> 0).toString(16).padStart(8, '0')}`;
  return mem.isMapped(id) ? `${hex} (${mem.describe(id)}, offset ${off})` : `${hex} (${id === 0 ? 'NULL or scalar' : `unmapped region ${id >>> 0}`})`;
}
