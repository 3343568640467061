/**
 * The cgroups of the emulated hierarchy (maps/cgroups.ts) as kernel objects a program can read, and
 * which cgroup each task is in: what the css and css_task iterators (kfuncs/iter-css.ts,
 * kfuncs/iter-task.ts) and bpf_cgroup_from_id walk.
 *
 * Each cgroup gets a `struct cgroup` laid out from the layout BTF (6.18: 2240 bytes) whose first
 * member is its `struct cgroup_subsys_state self` (so a css pointer and its cgroup pointer are the
 * same address, as in the kernel for the default hierarchy's self css): `self.cgroup` points back
 * to it, `self.parent` to the parent's css, `level` is its depth and `kn` a `struct kernfs_node`
 * whose `id` is the cgroup id and `name` the directory name. These objects are separate from the
 * small id-holding region maps/cgroups.ts gives each cgroup for cgroup storage: a `struct cgroup *`
 * from bpf_cgroup_from_id or an iterator is not a cgroup-storage owner (bpf_cgrp_storage_get on it
 * finds no storage of the region maps/cgroups.ts made).
 *
 * Membership is per process (cgroup v2 without threaded cgroups: all threads of a process are in
 * one cgroup): the current task's process is in `cgroupsOf(kernel).current`, the others in the
 * root until {@link CgroupObjects.moveProcess} (writing the pid to `cgroup.procs`). The order of a
 * cgroup's tasks is the order processes joined it (the kernel's css_set task list: a migrated task
 * goes to the tail), each process's threads in its thread order; processes that never moved come
 * first, by tgid.
 */
import { cgroupsOf, type Cgroup, type CgroupTree } from '../../maps/cgroups.js';
import { Memory } from '../../vm/memory.js';
import type { Kernel } from '../kernel.js';
import { KObjectError, type KernelObjects, type KObject, type KValue, type TaskEntry } from './kobjects.js';

/** One thread group of the emulated pid namespace, in thread order (the leader first). */
export interface ThreadGroup {
  readonly tgid: number;
  readonly threads: readonly TaskEntry[];
}

/**
 * The thread groups of `tasks` (a {@link KernelObjects.taskList}), by tgid: the task whose pid is
 * the tgid leads its group (the lowest pid when no task has it), the others follow in pid order.
 */
export function threadGroups(tasks: readonly TaskEntry[]): ThreadGroup[] {
  const by = new Map<number, TaskEntry[]>();
  for (const t of tasks) {
    const g = by.get(t.tgid);
    if (g === undefined) by.set(t.tgid, [t]);
    else g.push(t);
  }
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([tgid, ts]) => {
      const sorted = [...ts].sort((a, b) => a.pid - b.pid);
      const li = sorted.findIndex((t) => t.pid === tgid);
      if (li > 0) sorted.unshift(...sorted.splice(li, 1));
      return { tgid, threads: sorted };
    });
}

/** The cgroup objects and task membership of one emulated kernel. */
export class CgroupObjects {
  private readonly objs = new Map<Cgroup, { btf: unknown; obj: KObject }>();
  private readonly byRegion = new Map<number, Cgroup>();
  /** tgid -> cgroup and the join sequence number (processes that never moved are absent). */
  private readonly members = new Map<number, { cg: Cgroup; seq: number }>();
  private seq = 0;

  constructor(private readonly k: Kernel) {}

  private get ko(): KernelObjects {
    return this.k.service<KernelObjects>('kobjects')!;
  }

  /** The hierarchy. */
  get tree(): CgroupTree {
    return cgroupsOf(this.k);
  }

  /** The `struct cgroup` object of `cg` (built on first use, again after a layout change). */
  objectOf(cg: Cgroup): KObject {
    const ko = this.ko;
    const have = this.objs.get(cg);
    if (have !== undefined && have.btf === ko.btf) return have.obj;
    const obj = ko.create('cgroup', {}, { label: `cgroup ${cg.path}` });
    this.objs.set(cg, { btf: ko.btf, obj });
    this.byRegion.set(Memory.split(obj.pointer)[0], cg);
    const kn = ko.create('kernfs_node', { id: cg.id }, { label: `kernfs_node ${cg.path}` });
    trySet(kn, 'name', ko.string(cg.parent === null ? '/' : cg.name, `kernfs name ${cg.path}`));
    trySet(obj, 'self.cgroup', obj);
    trySet(obj, 'kn', kn);
    trySet(obj, 'level', cg.level);
    if (cg.parent !== null) trySet(obj, 'self.parent', this.objectOf(cg.parent));
    return obj;
  }

  /** The cgroup whose `struct cgroup` (or self css) `ptr` points to (offset 0), or undefined. */
  cgroupAt(ptr: bigint): Cgroup | undefined {
    const [region, off] = Memory.split(ptr);
    if (off !== 0) return undefined;
    const cg = this.byRegion.get(region);
    return cg !== undefined && this.objs.get(cg)?.btf === this.ko.btf ? cg : undefined;
  }

  /** The live cgroup with id `id`, or undefined (cgroup_get_from_id). */
  byId(id: bigint): Cgroup | undefined {
    const walk = (c: Cgroup): Cgroup | undefined => {
      if (c.id === id) return c;
      for (const ch of c.children) {
        const r = walk(ch);
        if (r !== undefined) return r;
      }
      return undefined;
    };
    return walk(this.tree.root);
  }

  /** The cgroup of process `tgid`. */
  cgroupOf(tgid: number): Cgroup {
    if (tgid === this.k.currentTask().tgid) return this.tree.current;
    const m = this.members.get(tgid);
    return m === undefined || m.cg.removed ? this.tree.root : m.cg;
  }

  /**
   * Move process `tgid` (all its threads) to `cg`, at the tail of its task list; the current
   * task's process moves the hierarchy's current cgroup too.
   */
  moveProcess(tgid: number, cg: Cgroup): void {
    if (cg.removed) throw new KObjectError('KOBJ_BAD_VALUE', `cgroup ${cg.path} was removed`);
    this.members.set(tgid, { cg, seq: ++this.seq });
    if (tgid === this.k.currentTask().tgid) this.tree.current = cg;
  }

  /** The tasks of `cg` in the order its task list holds them; `procs`: the group leaders only. */
  tasksOf(cg: Cgroup, procs: boolean): TaskEntry[] {
    const groups = threadGroups(this.ko.taskList()).filter((g) => this.cgroupOf(g.tgid) === cg);
    const seqOf = (g: ThreadGroup): number => this.members.get(g.tgid)?.seq ?? 0;
    groups.sort((a, b) => seqOf(a) - seqOf(b) || a.tgid - b.tgid);
    return groups.flatMap((g) => (procs ? g.threads.slice(0, 1) : g.threads));
  }
}

/** Set a field when the layout BTF has it (a program's own BTF may lack members). */
function trySet(obj: KObject, path: string, value: KValue): void {
  try {
    obj.set(path, value);
  } catch (e) {
    if (!(e instanceof KObjectError)) throw e;
  }
}

/** The {@link CgroupObjects} of kernel `k` (the 'cgroupObjects' service, made on first use). */
export function cgroupObjectsOf(k: Kernel): CgroupObjects {
  let c = k.service<CgroupObjects>('cgroupObjects');
  if (c === undefined) {
    c = new CgroupObjects(k);
    k.provide('cgroupObjects', c);
  }
  return c;
}
