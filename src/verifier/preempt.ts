/**
 * Preemption sections (6.18 kernel/bpf/verifier.c check_kfunc_call's active_preempt_locks, and the
 * checks of check_helper_call, check_resource_leak, check_ld_abs and check_func_call that read it):
 * bpf_preempt_disable increments a per-path count, bpf_preempt_enable decrements it and is refused
 * at 0; inside a section (count > 0) sleepable kfuncs and helpers, tail calls, bpf_throw, LD_ABS,
 * global functions that may sleep and an exit from the main program are refused. Sections nest,
 * span static subprograms and bpf_loop callbacks (the count belongs to the path, not to a frame),
 * and mix freely with RCU sections; bpf_preempt_disable under a bpf_spin_lock is refused as any
 * call there. Messages and errnos are 6.18's, recorded in corpus group preempt.
 */
import type { VKfunc } from './api.js';
import type { VState } from './state.js';
import { ERR, type Verifier } from './verifier.js';

const DISABLE = 'bpf_preempt_disable';
const ENABLE = 'bpf_preempt_enable';

/** Whether a path is inside a preemption section. */
export function preemptDisabled(st: VState): boolean {
  return (st.preemptLocks ?? 0) > 0;
}

/** The count change of bpf_preempt_disable / _enable, and the sleepable-kfunc rule inside a section. */
export function checkPreemptKfunc(v: Verifier, k: VKfunc): void {
  const n = v.cur.preemptLocks ?? 0;
  if (k.name === DISABLE) {
    v.cur.preemptLocks = n + 1;
  } else if (k.name === ENABLE) {
    if (n === 0) v.reject(ERR.EINVAL, `unmatched attempt to enable preemption (kernel function ${k.name})`);
    if (n === 1) delete v.cur.preemptLocks;
    else v.cur.preemptLocks = n - 1;
  } else if (n > 0 && (k.sleepable === true || k.flags?.sleepable === true)) {
    v.reject(ERR.EACCES, `kernel func ${k.name} is sleepable within non-preemptible region`);
  }
}

/** check_resource_leak's last check: `<what> cannot be used inside bpf_preempt_disable-ed region`. */
export function checkNotInPreempt(v: Verifier, what: string): void {
  if (preemptDisabled(v.cur)) v.reject(ERR.EINVAL, `${what} cannot be used inside bpf_preempt_disable-ed region`);
}
