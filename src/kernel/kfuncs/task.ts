/**
 * The task kfuncs of kernel/bpf/helpers.c's generic set (6.18): bpf_task_acquire (KF_ACQUIRE |
 * KF_RCU | KF_RET_NULL), bpf_task_release (KF_RELEASE) and bpf_task_from_pid (KF_ACQUIRE |
 * KF_RET_NULL). The emulator keeps no reference counts on tasks (they outlive every program run), so
 * acquire returns its argument and release does nothing; the verifier enforces the pairing.
 * bpf_task_from_pid asks the `taskByPid` service (sched_ext provides its simulated tasks), else
 * finds any task of the emulated pid namespace (kobjects.ts taskList: init, the current task and
 * the added ones, threads included).
 */
import { ProgType } from '../../object/uapi.js';
import type { Kernel } from '../kernel.js';
import type { KernelObjects } from '../objects/kobjects.js';

/** A kernel service: the task_struct pointer of a live task, or 0n. */
export type TaskByPid = (pid: number) => bigint;

/**
 * The program types 6.18 lets call the generic set (kernel/bpf/helpers.c registers it for the
 * tracing, tc, xdp, struct_ops, syscall and cgroup hooks; the tracing hook also serves tracepoint,
 * perf_event and LSM programs, the cgroup hook every cgroup type). Measured on this machine for the
 * probed types (test/verifier/goldens/helper-availability.json); struct_ops and LSM from the sources.
 */
export const GENERIC_KFUNC_PROG_TYPES: readonly number[] = [
  ProgType.SCHED_CLS, ProgType.TRACEPOINT, ProgType.XDP, ProgType.PERF_EVENT, ProgType.CGROUP_SKB, ProgType.CGROUP_SOCK, ProgType.SOCK_OPS,
  ProgType.CGROUP_DEVICE, ProgType.CGROUP_SOCK_ADDR, ProgType.CGROUP_SYSCTL, ProgType.CGROUP_SOCKOPT, ProgType.TRACING, ProgType.LSM, ProgType.STRUCT_OPS, ProgType.SYSCALL,
];

/** Register the task kfuncs into `k`. */
export function installTaskKfuncs(k: Kernel): void {
  const task = (name: string, type: string) => ({ name, type });
  const progTypes = GENERIC_KFUNC_PROG_TYPES;
  k.registerKfunc({ name: 'bpf_task_acquire', proto: { ret: 'struct task_struct *', params: [task('p', 'struct task_struct *')] }, progTypes, flags: { acquire: true, rcu: true, retNull: true }, impl: (c) => c.args[0]! });
  k.registerKfunc({ name: 'bpf_task_release', proto: { ret: 'void', params: [task('p', 'struct task_struct *')] }, progTypes, flags: { release: true }, impl: () => 0 });
  k.registerKfunc({
    name: 'bpf_task_from_pid',
    proto: { ret: 'struct task_struct *', params: [task('pid', 's32')] },
    progTypes,
    flags: { acquire: true, retNull: true },
    impl: (c) => {
      const pid = Number(BigInt.asIntN(32, c.args[0]!));
      const lookup = k.service<TaskByPid>('taskByPid');
      if (lookup !== undefined) return lookup(pid);
      // any task (thread) of the emulated pid namespace (kobjects.ts taskList)
      const ko = k.service<KernelObjects>('kobjects');
      const found = ko?.taskList().find((t) => t.pid === pid);
      if (found !== undefined) return found.obj.pointer;
      return k.currentTask().pid === pid ? k.currentTaskPointer() : 0n;
    },
  });
}
