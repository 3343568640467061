/**
 * The benchmark corpus format. A case prepares everything once (`setup`) and is then timed by calling
 * `call()` repeatedly; one call performs `runsPerCall` program runs. Instructions are counted per
 * run *outside* the interpreter loop (from the run's budget accounting), over exactly the runs that
 * were timed, so "M insns/s" counts what the interpreter really executed.
 *
 * Two timed paths exist, and every row says which one it used:
 *
 *   runProgram          the VM entry point on a bare Machine (assembled hot loops): register
 *                       setup, the interpreter, result conversion; nothing else.
 *   BPF_PROG_TEST_RUN   `BpfProgram.testRun` → kernel.bpf(PROG_TEST_RUN) → program-type test run
 *                       (xdp_buff and ctx set up once per call) → `repeat` × kernel.execute. One
 *                       call is one test run per frame of the case's mix; ns/run divides the whole
 *                       call (syscall decoding, buffers, copy-out included) by the runs it made.
 */
import { assemble } from '../src/isa/asm.js';
import { Machine, type HelperFn } from '../src/vm/machine.js';
import { Memory, PERM_RW, RegionKind } from '../src/vm/memory.js';
import { buildExecProgram } from '../src/vm/program.js';
import { runProgram, type EngineName } from '../src/vm/run.js';
import { BpfemuError } from '../src/util/errors.js';

/** What went wrong while preparing or checking a case. */
export type BenchErrorCode = 'SETUP' | 'FAULT' | 'WRONG_RESULT' | 'USAGE' | 'KERNEL';

/** A benchmark case failed to set up, faulted, or produced something other than its expected result. */
export class BenchError extends BpfemuError<BenchErrorCode> {
  constructor(
    readonly code: BenchErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Which entry point a case's timed call goes through (see the module comment). */
export type TimedPath = 'runProgram' | 'BPF_PROG_TEST_RUN';

/** Options of {@link BenchCase.setup}. */
export interface SetupOptions {
  readonly engine: EngineName;
  /** BPF_PROG_TEST_RUN `repeat` of packet cases (programs that refuse repeat ignore it). */
  readonly repeat: number;
}

/** A case ready to be timed. */
export interface PreparedCase {
  /** `runsPerCall` program runs; throws a {@link BenchError} on a fault or a wrong verdict. */
  call(): void;
  readonly runsPerCall: number;
  /** Instructions executed by every run of this case so far. */
  insnsExecuted(): number;
  /**
   * Check the documented results (verdicts, map and global contents). Valid after exactly one
   * `call()` of a case set up with repeat 1 (the smoke run); throws a {@link BenchError}.
   */
  verify(): void;
}

/** A `bpftool prog run` step of the kernel side-by-side (see kernel.ts). */
export type KernelStep =
  | { readonly kind: 'run'; readonly program: string; readonly frame: Uint8Array; readonly retval: number }
  | { readonly kind: 'update'; readonly map: string; readonly key: Uint8Array; readonly value: Uint8Array };

/** How the real kernel runs the same case (packet programs only: bpftool 7.1 cannot test-run syscall programs). */
export interface KernelSpec {
  /** Fixture object in programs/, without `.bpf.o`. */
  readonly object: string;
  readonly program: string;
  /** The mix; each frame is timed with `repeat` and the per-run averages are averaged. */
  readonly frames: readonly { readonly frame: Uint8Array; readonly retval: number }[];
  /** Done once after loading, before timing (map updates, a populate program). */
  readonly before?: readonly KernelStep[];
}

/** One named benchmark of the corpus. */
export interface BenchCase {
  readonly name: string;
  readonly description: string;
  readonly path: TimedPath;
  /** Present when the real kernel can run the case (packet programs). */
  readonly kernel?: KernelSpec;
  /** Build everything the timed loop needs; throws a {@link BenchError} if it cannot. */
  setup(o: SetupOptions): PreparedCase;
}

/** Options of {@link asmCase}. */
export interface AsmCaseSpec {
  name: string;
  description: string;
  /** Program in the assembler dialect. r1 = input pointer, r2 = input length. */
  asm: string;
  /** Input region bytes (none if omitted). */
  input?: Uint8Array;
  helpers?: ReadonlyMap<number, HelperFn>;
  /** The r0 the program must return. */
  expect: bigint;
}

/** A benchmark case from assembler text, run through the VM entry point `runProgram`. */
export function asmCase(spec: AsmCaseSpec): BenchCase {
  return {
    name: spec.name,
    description: spec.description,
    path: 'runProgram',
    setup(o: SetupOptions): PreparedCase {
      const prog = buildExecProgram(assemble(spec.asm), { name: spec.name, ...(spec.helpers !== undefined ? { helpers: spec.helpers } : {}) });
      const mem = new Memory();
      const m = new Machine(mem, spec.name);
      let args: bigint[] = [];
      if (spec.input !== undefined) {
        const id = mem.map(spec.input, { kind: RegionKind.INPUT, perm: PERM_RW, label: 'input' });
        args = [Memory.pointer(id, 0), BigInt(spec.input.length)];
      }
      const opts = { engine: o.engine, budget: 1 << 30 };
      let insns = 0;
      let last: bigint | undefined;
      return {
        runsPerCall: 1,
        insnsExecuted: () => insns,
        call(): void {
          const r = runProgram(m, prog, args, opts);
          insns += r.steps;
          if (r.fault !== null) throw new BenchError('FAULT', `${spec.name}: ${r.fault.toString()}`);
          last = r.r0;
        },
        verify(): void {
          if (last !== spec.expect) throw new BenchError('WRONG_RESULT', `${spec.name}: r0 = 0x${last?.toString(16) ?? '?'}, expected 0x${spec.expect.toString(16)}`);
        },
      };
    },
  };
}
