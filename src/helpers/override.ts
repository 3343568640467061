/**
 * bpf_override_return (58), recorded: a kprobe program makes the probed function return `rc`
 * without running its body (kernel/trace/bpf_trace.c: regs_set_return_value(regs, rc);
 * override_function_with_return(regs); return 0).
 *
 * The emulator has no function to skip: fireHook reports, per program run, that it overrode the
 * probed call and with which value ({@link KprobeRun.override}, FireResult.override in the API),
 * sets the ctx's `ax` to `rc` as the kernel sets the return register, and every override is kept
 * in a log ({@link overriddenCalls}). A second call in the same run overwrites the first (the
 * kernel's last regs_set_return_value wins).
 *
 * The rules around it, from the kernel sources (the 6.18 machine of the goldens has no
 * CONFIG_BPF_KPROBE_OVERRIDE, so its get_func_proto does not offer the helper at all - recorded in
 * test/helpers/helper-protos.json - and none of this could be run there): GPL-only, kprobe
 * programs only; attaching a program that calls it to a function outside the error-injection list
 * (ALLOW_ERROR_INJECTION; {@link isErrorInjectable}) fails with EINVAL (perf_event_attach_bpf_prog).
 */
import { ProgType as P } from '../object/uapi.js';
import type { Machine } from '../vm/machine.js';
import { ctxArg } from './args.js';
import { hostOf, type HelperHost } from './host.js';
import type { HelperDef, HelperProto } from './registry.js';

/** One overridden call. */
export interface OverriddenCall {
  /** The probed function. */
  readonly func: string;
  /** The program (its name) that overrode it. */
  readonly prog: string;
  /** The return value the function was made to return (a u64, as the helper takes it). */
  readonly rc: bigint;
}

/** The run context of a kprobe program (Machine.context while fireHook runs it). */
export class KprobeRun {
  readonly type = 'kprobe';
  /** The value bpf_override_return set in this run, or null. */
  override: bigint | null = null;
  constructor(
    /** The probed function. */
    readonly func: string,
    /** Byte offset of `ax` in the ctx (struct pt_regs). */
    readonly axOffset: number,
  ) {}
}

interface OverrideState {
  readonly log: OverriddenCall[];
}

function state(host: HelperHost): OverrideState {
  let s = host.service<OverrideState>('overrideReturn');
  if (s === undefined) {
    s = { log: [] };
    host.provide('overrideReturn', s);
  }
  return s;
}

/** Every call overridden in this kernel so far, oldest first. */
export function overriddenCalls(host: HelperHost): readonly OverriddenCall[] {
  return state(host).log;
}

/**
 * Whether the kernel lets bpf_override_return act on `func` (within_error_injection_list): the
 * syscall entry points (SYSCALL_DEFINE marks each `__x64_sys_*` with ALLOW_ERROR_INJECTION) and
 * a few of the kernel's other annotated functions (the fault-injection hooks, btrfs's open_ctree).
 */
export function isErrorInjectable(func: string): boolean {
  return /^__(x64|ia32)_sys_/.test(func) || ERROR_INJECTABLE.has(func);
}

/** A subset of the kernel's other ALLOW_ERROR_INJECTION functions (mm/failslab.c, mm/page_alloc.c, block/blk-core.c, fs/btrfs/disk-io.c). */
const ERROR_INJECTABLE: ReadonlySet<string> = new Set(['should_failslab', 'should_fail_alloc_page', 'should_fail_bio', 'open_ctree']);

function bpfOverrideReturn(m: Machine): void {
  const H = 'bpf_override_return';
  ctxArg(m, 1, H);
  const run = m.context instanceof KprobeRun ? m.context : null;
  if (run === null) throw m.fail('helper', `${H}: the program does not run at a kprobe (fire a kprobe hook)`);
  const rc = m.argU64(2);
  run.override = rc;
  // regs_set_return_value: regs->ax = rc
  const id = m.hi[1]!;
  const ctx = m.mem.bytes(id);
  new DataView(ctx.buffer, ctx.byteOffset + (m.lo[1]! >>> 0) + run.axOffset, 8).setBigUint64(0, rc, true);
  state(hostOf(m)).log.push({ func: run.func, prog: m.prog?.name ?? '', rc });
  m.setR0(0, 0);
}

const PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'ctx' }, { kind: 'anything' }] };

/** bpf_override_return. */
export function overrideHelpers(): HelperDef[] {
  return [{ id: 58, name: 'override_return', fn: bpfOverrideReturn, proto: PROTO, gplOnly: true, progTypes: [P.KPROBE], family: 'tracing' }];
}
