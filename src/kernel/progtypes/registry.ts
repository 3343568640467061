/**
 * Program-type registry: per `enum bpf_prog_type`, how BPF_PROG_TEST_RUN runs a program and how a
 * hook event becomes its context (struct bpf_prog_ops / bpf_verifier_ops, the parts the emulator
 * needs). Implementations live next to this file, one per family.
 */
import type { RedirectRecord } from '../../helpers/packet.js';
import type { Kernel } from '../kernel.js';
import type { KProg } from '../objects/objects.js';
import type { CtxReads } from '../../vm/machine.js';

/** BPF_PROG_TEST_RUN input, decoded from the attribute. */
export interface TestRunInput {
  readonly prog: KProg;
  /** data_in was a non-NULL pointer. */
  readonly hasDataIn: boolean;
  readonly dataIn: Uint8Array | null;
  /** data_size_out: capacity of the caller's data_out buffer (0 if none). */
  readonly dataSizeOut: number;
  readonly hasDataOut: boolean;
  readonly ctxIn: Uint8Array | null;
  readonly ctxSizeOut: number;
  readonly hasCtxOut: boolean;
  readonly repeat: number;
  readonly flags: number;
  readonly cpu: number;
  readonly batchSize: number;
  readonly hasDuration: boolean;
}

/** BPF_PROG_TEST_RUN output; the syscall layer copies it out with the kernel's rules. */
export interface TestRunOutput {
  readonly retval: number;
  readonly dataOut?: Uint8Array;
  readonly ctxOut?: Uint8Array;
  /** Bytes copied back into the caller's ctx_in buffer (syscall programs). */
  readonly ctxInWriteBack?: Uint8Array;
  /** Average duration per run in ns (the kernel's `duration`). */
  readonly durationNs: number;
  /**
   * Bytes of dataOut that came from XDP frags (bpf_test_finish: a data_size_out smaller than the
   * frags alone fails with ENOSPC before retval and sizes are written).
   */
  readonly fragsSize?: number;
  /** Where the last bpf_redirect / bpf_redirect_map of the run pointed (packet programs). */
  readonly redirect?: RedirectRecord | null;
}

/** One program type. */
export interface ProgTypeOps {
  readonly type: number;
  /** Kernel name (`xdp`, `sched_cls`). */
  readonly name: string;
  /** BPF_PROG_TEST_RUN; absent → ENOTSUPP (as prog->aux->ops->test_run == NULL). */
  testRun?(k: Kernel, input: TestRunInput): TestRunOutput | number;
  /** The ctx loads the JavaScript tier may read directly for a program with expected attach type `eat`. */
  ctxReads?(eat: number): CtxReads | undefined;
}

/** Program types by number. A type without an entry cannot be loaded (EINVAL, find_prog_type). */
export class ProgTypeRegistry {
  private readonly byType = new Map<number, ProgTypeOps>();

  register(ops: ProgTypeOps): void {
    this.byType.set(ops.type, ops);
  }

  get(type: number): ProgTypeOps | undefined {
    return this.byType.get(type);
  }

  all(): ProgTypeOps[] {
    return [...this.byType.values()].sort((a, b) => a.type - b.type);
  }
}
