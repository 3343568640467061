/**
 * Generic kfuncs of kernel/bpf (not tied to a subsystem) that a new emulated kernel registers:
 * the numbers iterator (bpf_iter.c), the task, css_task and css iterators with the cgroup reference
 * kfuncs (task_iter.c, cgroup_iter.c, helpers.c), the BPF cpumasks with bpf_kptr_xchg (cpumask.c, helpers.c) and
 * the dynptr kfuncs (helpers.c, filter.c), the task reference kfuncs (helpers.c), bpf_throw (helpers.c), the
 * resilient spin locks and the preemption sections and bpf_copy_from_user_str and bpf_rdonly_cast (helpers.c) and the arena page kfuncs (arena.c).
 */
import type { Kernel } from '../kernel.js';
import { installArenaKfuncs } from './arena.js';
import { installCpumask } from './cpumask.js';
import { installDynptrKfuncs } from './dynptr.js';
import { installIterCss } from './iter-css.js';
import { installIterNum } from './iter-num.js';
import { installIterTask } from './iter-task.js';
import { installTaskKfuncs } from './task.js';
import { installPreempt } from './preempt.js';
import { installResLock } from './res-lock.js';
import { installThrow } from './throw.js';
import { installUserStr } from './user-str.js';
import { installRdonlyCast } from './rdonly-cast.js';

/** Register the generic kfuncs into `k`. */
export function installGenericKfuncs(k: Kernel): void {
  installIterNum(k);
  installIterTask(k);
  installIterCss(k);
  installCpumask(k);
  installDynptrKfuncs(k);
  installArenaKfuncs(k);
  installTaskKfuncs(k);
  installThrow(k);
  installResLock(k);
  installPreempt(k);
  installUserStr(k);
  installRdonlyCast(k);
}
