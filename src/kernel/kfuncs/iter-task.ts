/**
 * The task iterators of kernel/bpf/task_iter.c (6.18): `bpf_iter_task_*` over the emulated pid
 * namespace (kobjects.ts taskList, the idle task first) and `bpf_iter_css_task_*` over the tasks of
 * one cgroup (objects/cgroup-objects.ts).
 *
 * bpf_iter_task keeps the kernel's state in its 24 stack bytes (struct bpf_iter_task_kern: `task`,
 * `pos`, `flags`) and steps as 6.18's bpf_iter_task_next does: BPF_TASK_ITER_ALL_PROCS (0) walks
 * the process list from init_task (the idle task, pid 0) — next_task() — and ends when it wraps to
 * it; BPF_TASK_ITER_ALL_THREADS (1) gives each process and then its other threads
 * (__next_thread()); BPF_TASK_ITER_PROC_THREADS (2) the given task and the threads after it in its
 * thread group, up to the end of the group's list (so from a non-leader thread, not the ones before
 * it). Other flags, and PROC_THREADS without a task, return -EINVAL and leave `pos` NULL, so the
 * first next() returns NULL. The emulated process list is in tgid order (the kernel's is fork
 * order, which on a fresh pid namespace is the same), each group's threads leader first, then by
 * pid (cgroup-objects.ts threadGroups).
 *
 * bpf_iter_css_task's 8 bytes hold `css_it`: 0 after bad flags (-EINVAL: flags other than 0,
 * CSS_TASK_ITER_PROCS (1) and CSS_TASK_ITER_PROCS | CSS_TASK_ITER_THREADED (3)), else a handle of
 * the emulator's walk, a snapshot of the cgroup's tasks taken at `_new` (the kernel's
 * css_task_iter walks the live list). CSS_TASK_ITER_PROCS gives thread group leaders only; with no
 * threaded cgroups in the emulated hierarchy, THREADED adds nothing. A css that is not one of the
 * emulated cgroups' (cgroup-objects.ts) has no tasks.
 *
 * Every program type may call them (6.18 registers them in the common kfunc set; probed live on
 * every type, test/verifier/goldens/helper-availability.json). Flags and prototypes are 6.18's
 * kernel/bpf/helpers.c registrations: bpf_iter_task_new is
 * KF_ITER_NEW | KF_TRUSTED_ARGS | KF_RCU_PROTECTED, bpf_iter_css_task_new KF_ITER_NEW |
 * KF_TRUSTED_ARGS, the `_next`s KF_ITER_NEXT | KF_RET_NULL; the verifier's rules for them are in
 * src/verifier/iter.ts (recorded live in corpus group iterk).
 */
import type { Kernel } from '../kernel.js';
import type { KfuncCall } from '../kfuncs.js';
import { cgroupObjectsOf, threadGroups } from '../objects/cgroup-objects.js';
import type { KernelObjects } from '../objects/kobjects.js';
import { Memory } from '../../vm/memory.js';

const EINVAL = 22;
/** sizeof(struct bpf_iter_task), sizeof(struct bpf_iter_css_task) in 6.18's BTF. */
export const BPF_ITER_TASK_SIZE = 24;
export const BPF_ITER_CSS_TASK_SIZE = 8;
/** enum { BPF_TASK_ITER_ALL_PROCS, BPF_TASK_ITER_ALL_THREADS, BPF_TASK_ITER_PROC_THREADS } (task_iter.c). */
export const BPF_TASK_ITER_ALL_PROCS = 0;
export const BPF_TASK_ITER_ALL_THREADS = 1;
export const BPF_TASK_ITER_PROC_THREADS = 2;
/** include/linux/cgroup.h. */
export const CSS_TASK_ITER_PROCS = 1;
export const CSS_TASK_ITER_THREADED = 2;

function state({ m, args }: KfuncCall, size: number, what: string): DataView {
  const [id, off] = Memory.split(args[0]!);
  const b = m.bytesAt(id, off, size, true, what);
  return new DataView(b.buffer, b.byteOffset, size);
}

/** Register `struct bpf_iter_task`, `struct bpf_iter_css_task` and their kfuncs into `k`. */
export function installIterTask(k: Kernel): void {
  k.registerStruct({ name: 'bpf_iter_task', members: [{ name: '__opaque', type: 'u64[3]' }] });
  k.registerStruct({ name: 'bpf_iter_css_task', members: [{ name: '__opaque', type: 'u64[1]' }] });
  const ko = (): KernelObjects => k.service<KernelObjects>('kobjects')!;
  const idle = (): bigint => ko().idleTask().pointer;
  /** The thread groups in process-list order. */
  const groups = () => threadGroups(ko().taskList());
  /** __next_thread: the thread after `p` in its group, or 0n. */
  const nextThread = (p: bigint): bigint => {
    for (const g of groups()) {
      const i = g.threads.findIndex((t) => t.obj.pointer === p);
      if (i >= 0) return g.threads[i + 1]?.obj.pointer ?? 0n;
    }
    return 0n;
  };
  /** next_task: the process after `p` in the process list (init_task after the last one). */
  const nextTask = (p: bigint): bigint => {
    const leaders = [idle(), ...groups().map((g) => g.threads[0]!.obj.pointer)];
    const i = leaders.indexOf(p);
    return i < 0 ? leaders[0]! : leaders[(i + 1) % leaders.length]!;
  };
  const it = [{ name: 'it', type: 'struct bpf_iter_task *' }];
  k.registerKfunc({
    name: 'bpf_iter_task_new',
    proto: { ret: 'int', params: [...it, { name: 'task__nullable', type: 'struct task_struct *' }, { name: 'flags', type: 'unsigned int' }] },
    flags: { iter: 'new', trustedArgs: true, rcuProtected: true },
    impl: (c) => {
      const s = state(c, BPF_ITER_TASK_SIZE, 'bpf_iter_task');
      const task = c.args[1]!;
      const flags = Number(c.args[2]! & 0xffffffffn);
      s.setBigUint64(8, 0n, true);
      if (flags !== BPF_TASK_ITER_ALL_PROCS && flags !== BPF_TASK_ITER_ALL_THREADS && flags !== BPF_TASK_ITER_PROC_THREADS) return -EINVAL;
      if (flags === BPF_TASK_ITER_PROC_THREADS && task === 0n) return -EINVAL;
      const start = flags === BPF_TASK_ITER_PROC_THREADS ? task : idle();
      s.setBigUint64(0, start, true);
      s.setBigUint64(8, start, true);
      s.setUint32(16, flags, true);
      return 0;
    },
  });
  k.registerKfunc({
    name: 'bpf_iter_task_next',
    proto: { ret: 'struct task_struct *', params: it },
    flags: { iter: 'next', retNull: true },
    impl: (c) => {
      const s = state(c, BPF_ITER_TASK_SIZE, 'bpf_iter_task');
      const pos = s.getBigUint64(8, true);
      if (pos === 0n) return 0n;
      const flags = s.getUint32(16, true);
      if (flags !== BPF_TASK_ITER_ALL_PROCS) {
        const next = nextThread(pos);
        if (next !== 0n || flags === BPF_TASK_ITER_PROC_THREADS) {
          s.setBigUint64(8, next, true);
          return pos;
        }
      }
      const task = nextTask(s.getBigUint64(0, true));
      s.setBigUint64(0, task, true);
      s.setBigUint64(8, task === idle() ? 0n : task, true);
      return pos;
    },
  });
  k.registerKfunc({ name: 'bpf_iter_task_destroy', proto: { ret: 'void', params: it }, flags: { iter: 'destroy' }, impl: () => 0 });

  // css_task: open walks by handle (the 8 stack bytes), dropped by destroy
  const walks = new Map<number, { readonly tasks: readonly bigint[]; i: number }>();
  let nextHandle = 1;
  const cit = [{ name: 'it', type: 'struct bpf_iter_css_task *' }];
  k.registerKfunc({
    name: 'bpf_iter_css_task_new',
    proto: { ret: 'int', params: [...cit, { name: 'css', type: 'struct cgroup_subsys_state *' }, { name: 'flags', type: 'unsigned int' }] },
    flags: { iter: 'new', trustedArgs: true },
    impl: (c) => {
      const s = state(c, BPF_ITER_CSS_TASK_SIZE, 'bpf_iter_css_task');
      const flags = Number(c.args[2]! & 0xffffffffn);
      s.setBigUint64(0, 0n, true);
      if (flags !== 0 && flags !== CSS_TASK_ITER_PROCS && flags !== (CSS_TASK_ITER_PROCS | CSS_TASK_ITER_THREADED)) return -EINVAL;
      const co = cgroupObjectsOf(k);
      const cg = co.cgroupAt(c.args[1]!);
      const tasks = cg === undefined ? [] : co.tasksOf(cg, (flags & CSS_TASK_ITER_PROCS) !== 0).map((t) => t.obj.pointer);
      const h = nextHandle++;
      walks.set(h, { tasks, i: 0 });
      s.setBigUint64(0, BigInt(h), true);
      return 0;
    },
  });
  k.registerKfunc({
    name: 'bpf_iter_css_task_next',
    proto: { ret: 'struct task_struct *', params: cit },
    flags: { iter: 'next', retNull: true },
    impl: (c) => {
      const w = walks.get(Number(state(c, BPF_ITER_CSS_TASK_SIZE, 'bpf_iter_css_task').getBigUint64(0, true)));
      if (w === undefined || w.i >= w.tasks.length) return 0n;
      return w.tasks[w.i++]!;
    },
  });
  k.registerKfunc({
    name: 'bpf_iter_css_task_destroy',
    proto: { ret: 'void', params: cit },
    flags: { iter: 'destroy' },
    impl: (c) => {
      const s = state(c, BPF_ITER_CSS_TASK_SIZE, 'bpf_iter_css_task');
      walks.delete(Number(s.getBigUint64(0, true)));
      s.setBigUint64(0, 0n, true);
      return 0;
    },
  });
}
