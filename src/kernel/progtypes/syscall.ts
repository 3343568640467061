/**
 * BPF_PROG_TYPE_SYSCALL: ctx is the caller's buffer (net/bpf/test_run.c bpf_prog_test_run_syscall).
 * The kernel refuses data_in/data_out/ctx_out/duration/repeat/flags/cpu/batch_size, requires
 * ctx_size_in <= 65535, runs once, reports the u32 return value, and copies the (possibly modified)
 * ctx back into ctx_in. ctx_size_in must cover the largest ctx offset the program accesses
 * (prog->aux->max_ctx_offset, EINVAL otherwise).
 *
 * Difference: the kernel's max_ctx_offset comes from the verifier's path-by-path walk; the
 * emulator's from a merge-at-joins data-flow pass (../ctxaccess.ts). Where that pass loses track
 * of a ctx pointer it reports a smaller offset, and a too-small ctx then makes the program fault at
 * the access (EFAULT) instead of being refused upfront.
 */
import { ERRNO } from '../../util/errno.js';
import { ProgType } from '../../object/uapi.js';
import type { Kernel } from '../kernel.js';
import { mapCtx, nowNs } from './common.js';
import type { ProgTypeOps, TestRunInput, TestRunOutput } from './registry.js';

const { EINVAL } = ERRNO;

export const SYSCALL_PROG: ProgTypeOps = {
  type: ProgType.SYSCALL,
  name: 'syscall',
  testRun(k: Kernel, t: TestRunInput): TestRunOutput | number {
    if (t.flags !== 0 || t.cpu !== 0 || t.batchSize !== 0) return k.refuse(-EINVAL, 'syscall programs take no flags, cpu or batch_size');
    if (t.hasDataIn || t.hasDataOut || t.hasCtxOut || t.hasDuration || t.repeat !== 0) return k.refuse(-EINVAL, 'syscall programs take only ctx_in (no data_in/data_out/ctx_out, duration or repeat); the ctx is written back in place');
    const ctx = t.ctxIn;
    const ctxSize = ctx?.length ?? 0;
    if (ctxSize < t.prog.maxCtxOffset || ctxSize > 0xffff) return k.refuse(-EINVAL, ctxSize > 0xffff ? `ctx_size_in ${ctxSize} is above 65535` : `ctx_size_in ${ctxSize} is below the ${t.prog.maxCtxOffset} bytes the program reads from its ctx`);
    let ptr = 0n;
    let region = 0;
    if (ctx !== null && ctx.length > 0) ({ ptr, region } = mapCtx(k, ctx, `syscall ctx of ${t.prog.name}`, true));
    const start = nowNs();
    try {
      const r = k.execute(t.prog, [ptr]);
      if (r.fault !== null) return k.reportFault(r.fault);
      return { retval: Number(r.r0 & 0xffffffffn), durationNs: nowNs() - start, ...(ctx !== null && ctx.length > 0 ? { ctxInWriteBack: ctx } : {}) };
    } finally {
      if (region !== 0) k.retireRegion(region);
    }
  },
};
