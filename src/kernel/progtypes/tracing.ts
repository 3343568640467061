/**
 * Tracing-type programs: raw_tp, tp_btf/fentry/fexit/fmod_ret (BPF_PROG_TYPE_TRACING), LSM,
 * kprobe and tracepoint. They run when user code fires the hook they are attached to; their ctx
 * is the u64 argument array (kprobe: an x86-64 `struct pt_regs`; tracepoint: the raw event record).
 *
 * BPF_PROG_TEST_RUN follows net/bpf/test_run.c: raw_tp programs run with ctx_in as the argument
 * array (bpf_prog_test_run_raw_tp); the other tracing types have no test run here (ENOTSUPP).
 */
import { AttachType, ProgType } from '../../object/uapi.js';
import { ERRNO } from '../../util/errno.js';
import type { Fault } from '../../vm/fault.js';
import type { Machine } from '../../vm/machine.js';
import { KprobeRun } from '../../helpers/override.js';
import { BPF_F_TEST_RUN_ON_CPU } from '../syscall/uapi.js';
import type { Hook, HookKind } from '../hooks.js';
import type { Kernel } from '../kernel.js';
import type { KProg } from '../objects/objects.js';
import { mapCtx, nowNs, u64Array } from './common.js';
import type { ProgTypeOps, TestRunInput, TestRunOutput } from './registry.js';

const { EINVAL, ENOENT } = ERRNO;

/** MAX_BPF_FUNC_ARGS. */
const MAX_ARGS = 12;

/** x86-64 `struct pt_regs` register order (arch/x86/include/asm/ptrace.h), 21 × u64 = 168 bytes. */
export const PT_REGS = ['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss'] as const;
export type PtRegs = Partial<Record<(typeof PT_REGS)[number], bigint>>;

/** Serialise registers as a `struct pt_regs`. */
export function ptRegsBytes(regs: PtRegs): Uint8Array {
  const b = new Uint8Array(PT_REGS.length * 8);
  const dv = new DataView(b.buffer);
  PT_REGS.forEach((r, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, regs[r] ?? 0n), true));
  return b;
}

/** bpf_prog_test_run_raw_tp. */
export const RAW_TP_PROG: ProgTypeOps = {
  type: ProgType.RAW_TRACEPOINT,
  name: 'raw_tracepoint',
  testRun(k: Kernel, t: TestRunInput): TestRunOutput | number {
    if (t.hasDataIn || t.hasDataOut || t.hasCtxOut || t.hasDuration || t.repeat !== 0 || t.batchSize !== 0) return -EINVAL;
    const ctx = t.ctxIn ?? new Uint8Array(0);
    if (ctx.length > MAX_ARGS * 8) return -EINVAL;
    if ((t.flags & ~BPF_F_TEST_RUN_ON_CPU) !== 0) return -EINVAL;
    if ((t.flags & BPF_F_TEST_RUN_ON_CPU) === 0 && t.cpu !== 0) return -EINVAL;
    if (t.cpu >= k.nrCpus) return -ENOENT;
    const saved = k.cpu;
    if ((t.flags & BPF_F_TEST_RUN_ON_CPU) !== 0) k.cpu = t.cpu;
    const { ptr, region } = mapCtx(k, ctx.slice(), `raw_tp ctx of ${t.prog.name}`, false);
    const start = nowNs();
    try {
      const r = k.execute(t.prog, [ctx.length > 0 ? ptr : 0n]);
      if (r.fault !== null) return k.reportFault(r.fault);
      return { retval: Number(r.r0 & 0xffffffffn), durationNs: nowNs() - start };
    } finally {
      k.cpu = saved;
      k.retireRegion(region);
    }
  },
};

/** raw_tp.w: no BPF_PROG_TEST_RUN on 6.18 (ENOTSUPP, golden/sockctx.json); attach and fire a writable tracepoint. */
export const RAW_TP_WRITABLE_PROG: ProgTypeOps = { type: ProgType.RAW_TRACEPOINT_WRITABLE, name: 'raw_tracepoint_writable' };
export const TRACING_PROG: ProgTypeOps = { type: ProgType.TRACING, name: 'tracing' };
export const LSM_PROG: ProgTypeOps = { type: ProgType.LSM, name: 'lsm' };
export const KPROBE_PROG: ProgTypeOps = { type: ProgType.KPROBE, name: 'kprobe' };
export const TRACEPOINT_PROG: ProgTypeOps = { type: ProgType.TRACEPOINT, name: 'tracepoint' };
export const PERF_EVENT_PROG: ProgTypeOps = { type: ProgType.PERF_EVENT, name: 'perf_event' };

/** What firing a hook reports per attached program. */
export interface HookRunResult {
  readonly prog: KProg;
  readonly retval: bigint;
  readonly fault: Fault | null;
  /** kprobe: the value the program made the probed function return (bpf_override_return), or null. */
  readonly override?: bigint | null;
}

/** Arguments of a hook event: u64 arguments, x86-64 registers (kprobe), or a raw record (tracepoint). */
export type HookEvent = { readonly args: readonly bigint[] } | { readonly regs: PtRegs } | { readonly record: Uint8Array };

/**
 * Fire a hook: every attached program runs, in attach order, with the ctx its type expects.
 * A fault in one program is reported and the others still run (as each attachment is independent).
 */
export function fireHook(k: Kernel, kind: HookKind, name: string, ev: HookEvent): HookRunResult[] {
  const hook: Hook | undefined = k.hooks.get(kind, name);
  if (hook === undefined) throw new RangeError(`no ${kind} hook named '${name}'`);
  const out: HookRunResult[] = [];
  for (const link of [...hook.links]) {
    const prog = link.prog;
    if (prog === null) continue;
    let ctx: Uint8Array;
    if ('record' in ev) ctx = ev.record.slice();
    else if ('regs' in ev) ctx = ptRegsBytes(ev.regs);
    else ctx = u64Array(ev.args, 1);
    const { ptr, region } = mapCtx(k, ctx, `${kind} ctx of ${prog.name}`, prog.type === ProgType.RAW_TRACEPOINT_WRITABLE);
    try {
      // Pointers among the hook's arguments are the kernel's, handed to the program with the ctx.
      // a kprobe run may override the probed call (helpers/override.ts)
      const run = kind === 'kprobe' ? new KprobeRun(name, PT_REGS.indexOf('ax') * 8) : null;
      const r = k.execute(prog, [ptr], { ...('args' in ev ? { grants: ev.args } : {}), ...(run !== null ? { setup: (m: Machine) => void (m.context = run) } : {}) });
      out.push({ prog, retval: r.r0, fault: r.fault, ...(run !== null ? { override: run.override } : {}) });
    } finally {
      k.retireRegion(region);
    }
  }
  return out;
}

/** The hook kind a loaded tracing-type program attaches to. */
export function hookKindOf(prog: KProg): HookKind | undefined {
  switch (prog.type) {
    case ProgType.RAW_TRACEPOINT:
    case ProgType.RAW_TRACEPOINT_WRITABLE:
      return 'raw_tp';
    case ProgType.TRACING:
      return prog.expectedAttachType === AttachType.TRACE_RAW_TP ? 'raw_tp' : prog.expectedAttachType === AttachType.TRACE_ITER ? 'iter' : 'fentry';
    case ProgType.LSM:
      return 'lsm';
    case ProgType.KPROBE:
      return 'kprobe';
    case ProgType.TRACEPOINT:
      return 'tracepoint';
    default:
      return undefined;
  }
}
