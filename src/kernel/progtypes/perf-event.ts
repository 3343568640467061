/**
 * BPF_PROG_TYPE_PERF_EVENT: a program attached to a perf event runs at each of its samples with
 * struct bpf_perf_event_data (x86-64 pt_regs, then u64 sample_period and u64 addr; 184 bytes,
 * read-only; pe_prog_is_valid_access in ./vctx.ts). The kernel has no BPF_PROG_TEST_RUN for the
 * type (ENOTSUPP on 6.18); {@link runPerfEvent} runs a loaded program on one emulated sample, as
 * perf_event_overflow would. The emulated CPU has no branch stack (bpf_read_branch_records:
 * -ENOENT).
 */
import { ProgType } from '../../object/uapi.js';
import { ERRNO } from '../../util/errno.js';
import type { Fault } from '../../vm/fault.js';
import type { Kernel } from '../kernel.js';
import { mapCtx } from './common.js';
import { ptRegsBytes, type PtRegs } from './tracing.js';

/** sizeof(struct pt_regs) on x86-64 and of struct bpf_perf_event_data. */
const PT_REGS_SIZE = 168;
const PERF_EVENT_DATA_SIZE = 184;

/** One perf sample. */
export interface PerfSample {
  readonly regs?: PtRegs;
  readonly samplePeriod?: bigint;
  readonly addr?: bigint;
}

/** struct bpf_perf_event_data of `s`. */
export function perfEventData(s: PerfSample): Uint8Array {
  const b = new Uint8Array(PERF_EVENT_DATA_SIZE);
  b.set(ptRegsBytes(s.regs ?? {}));
  const dv = new DataView(b.buffer);
  dv.setBigUint64(PT_REGS_SIZE, BigInt.asUintN(64, s.samplePeriod ?? 0n), true);
  dv.setBigUint64(PT_REGS_SIZE + 8, BigInt.asUintN(64, s.addr ?? 0n), true);
  return b;
}

/**
 * Run the perf_event program of `progFd` on one sample: its r0 (the kernel ignores it) and fault,
 * or -EINVAL for a program of another type (-EBADF & co. from the fd lookup).
 */
export function runPerfEvent(k: Kernel, progFd: number, s: PerfSample = {}): { r0: bigint; fault: Fault | null } | number {
  const prog = k.progGet(progFd);
  if (typeof prog === 'number') return prog;
  try {
    if (prog.type !== ProgType.PERF_EVENT) return k.refuse(-ERRNO.EINVAL, `program '${prog.name}' is not a perf_event program`);
    const { ptr, region } = mapCtx(k, perfEventData(s), `bpf_perf_event_data of ${prog.name}`, false);
    try {
      const r = k.execute(prog, [ptr]);
      return { r0: r.r0, fault: r.fault };
    } finally {
      k.retireRegion(region);
    }
  } finally {
    k.progPut(prog);
  }
}
