/**
 * BPF iterators (kernel/bpf/bpf_iter.c, kernel/bpf/task_iter.c): iterator targets, the state an
 * iter link keeps, iterator sessions (what BPF_ITER_CREATE and opening a pinned iterator make)
 * and bpf_seq_read, which runs the link's program once per object and once more at the end.
 *
 * One session (struct bpf_iter_priv_data with its seq_file):
 *
 *   meta (kernel region, 24 bytes)        ctx of one run (16 bytes for task)
 *   +0  seq        -> seq_file region     +0 meta -> meta region
 *   +8  session_id   fixed per session    +8 task -> task_struct, NULL in the stop call
 *   +16 seq_num      0, 1, ... per object
 *
 * Sessions are numbered per kernel from 1 (the kernel's atomic64 session_id counter). seq_num is
 * the index of the object being shown; the stop call (task = NULL, once, when the objects are
 * exhausted) sees the seq_num of the last object, i.e. 0 with one object and also with none
 * (checked on 6.18: 70 tasks, the stop call saw 69).
 *
 * A program returning non-zero asks to retry the object (bpf_iter_run_prog turns it into
 * -EAGAIN): its output is dropped and the read ends before it, the next read shows it again with
 * the same seq_num; when it was the first object of a read, the read fails with EAGAIN. An object
 * whose output does not fit into the 32 KiB seq_file buffer (bpf_seq_* returned -EOVERFLOW) is
 * treated alike, except that alone in the buffer it fails the read with E2BIG, every time. The
 * stop call's return value is ignored; if its output overflows it is run again at the next read.
 * Programs keep their side effects on a retry (they run twice for that object).
 *
 * A program that faults (the kernel's verifier would have rejected it) fails the read with EFAULT
 * and `kernel.lastFault`; the pending output is dropped and the position kept.
 *
 * User-defined iterators register an 'iter' hook (the vmlinux FUNC `bpf_iter_<name>`) and an
 * {@link IterTargetDef} in the 'iterTargets' service ({@link IterTargetRegistry}).
 */
import { SeqFile } from '../../helpers/seq.js';
import { ERRNO } from '../../util/errno.js';
import { Fault } from '../../vm/fault.js';
import { Memory, PERM_R, RegionKind } from '../../vm/memory.js';
import type { Kernel } from '../kernel.js';
import type { KernelObjects, TaskEntry } from './kobjects.js';
import type { KProg } from './objects.js';
import { mapCtx, u64Array } from '../progtypes/common.js';

const { EINVAL, EAGAIN, E2BIG, EBADF } = ERRNO;

/** sizeof(union bpf_iter_link_info): the largest member is the cgroup one (u32, u32, u64). */
export const ITER_LINK_INFO_SIZE = 16;
/** MAX_ITER_OBJECTS: objects one read may visit before it bails out (EAGAIN when it produced nothing). */
export const MAX_ITER_OBJECTS = 1_000_000;
/** MAX_RW_COUNT on x86-64 (INT_MAX & PAGE_MASK): read(2) never asks for more. */
export const MAX_RW_COUNT = 0x7ffff000;
/** sizeof(struct seq_file) of the emulated x86-64 6.18 kernel (kobjects.ts registers it opaque). */
const SEQ_FILE_SIZE = 120;
/** sizeof(struct bpf_iter_meta). */
const META_SIZE = 24;

/** One iteration of a session (the target's seq_ops and private data); objects are their ctx words after `meta`. */
export interface IterCursor {
  /** seq_ops->start: the object at the current position (again, after a read that ended before it), or null at the end. */
  start(): readonly bigint[] | null;
  /** seq_ops->next: step past the current object; the next one or null. */
  next(): readonly bigint[] | null;
  /** The ctx words after `meta` in the stop call (NULL pointers). */
  readonly stopArgs: readonly bigint[];
}

/** What an iter link keeps from its link info (struct bpf_iter_aux_info). */
export interface IterLinkAux {
  /** init_seq_private: a cursor at the first object, for a new session. */
  open(): IterCursor;
}

/** An iterator target (struct bpf_iter_reg): named like its hook, `task` for `bpf_iter_task`. */
export interface IterTargetDef {
  readonly name: string;
  /**
   * attach_target: the link info (union bpf_iter_link_info, zero-padded to
   * {@link ITER_LINK_INFO_SIZE} bytes) as aux state, or -errno.
   */
  attach(k: Kernel, info: Uint8Array): IterLinkAux | number;
}

/** The iterator targets of one kernel (the kernel's `targets` list), provided as the 'iterTargets' service. */
export class IterTargetRegistry {
  private readonly byName = new Map<string, IterTargetDef>();
  /** The last session id handed out (atomic64 session_id). */
  lastSessionId = 0n;

  constructor(defs: readonly IterTargetDef[] = []) {
    for (const d of defs) this.register(d);
  }

  /** Add or replace a target. */
  register(def: IterTargetDef): void {
    this.byName.set(def.name, def);
  }

  get(name: string): IterTargetDef | undefined {
    return this.byName.get(name);
  }
}

/** The iter part of a link (struct bpf_iter_link): its target and aux state. */
export interface IterLink {
  readonly target: IterTargetDef;
  readonly aux: IterLinkAux;
}

/** The iterator registry of `k`. */
export function iterTargets(k: Kernel): IterTargetRegistry | undefined {
  return k.service<IterTargetRegistry>('iterTargets');
}

/** One open iterator: the program (one reference held), the seq_file and the meta object programs see. */
export class IterSession {
  readonly seq = new SeqFile();
  /** bpf_iter_priv_data.seq_num. */
  seqNum = 0n;
  /** The stop call ran without overflowing: no more program runs at the end. */
  doneStop = false;
  private readonly seqRegion: number;
  private readonly metaRegion: number;
  private readonly meta: DataView;
  private released = false;

  constructor(
    k: Kernel,
    readonly prog: KProg,
    readonly sessionId: bigint,
    readonly cursor: IterCursor,
  ) {
    this.seqRegion = k.mem.map(new Uint8Array(SEQ_FILE_SIZE), { kind: RegionKind.KERNEL, perm: PERM_R, label: `seq_file of iterator session ${sessionId}`, owner: this.seq });
    const meta = new Uint8Array(META_SIZE);
    this.meta = new DataView(meta.buffer);
    this.meta.setBigUint64(0, Memory.pointer(this.seqRegion, 0), true);
    this.meta.setBigUint64(8, sessionId, true);
    this.metaRegion = k.mem.map(meta, { kind: RegionKind.KERNEL, perm: PERM_R, label: `bpf_iter_meta of iterator session ${sessionId}` });
  }

  /** Guest pointer to the session's `struct bpf_iter_meta`. */
  get metaPointer(): bigint {
    return Memory.pointer(this.metaRegion, 0);
  }

  /** Guest pointer to the session's `struct seq_file`. */
  get seqPointer(): bigint {
    return Memory.pointer(this.seqRegion, 0);
  }

  /** iter_release: drop the program reference and the session's memory (once). */
  release(k: Kernel): void {
    if (this.released) return;
    this.released = true;
    k.retireRegion(this.seqRegion);
    k.retireRegion(this.metaRegion);
    k.progPut(this.prog);
  }

  /** bpf_iter_get_info + bpf_iter_run_prog: run the program on one object (or the stop call); 0 or -EAGAIN. */
  run(k: Kernel, args: readonly bigint[], inStop: boolean): number {
    if (inStop && this.doneStop) return 0;
    this.meta.setBigUint64(16, this.seqNum, true);
    const { ptr, region } = mapCtx(k, u64Array([this.metaPointer, ...args]), `iterator ctx of ${this.prog.name}`, false);
    try {
      // The ctx holds the kernel's pointers (meta, then the object): they are the run's to follow.
      const r = k.execute(this.prog, [ptr], { grants: [this.metaPointer, this.seqPointer, ...args] });
      if (r.fault !== null) throw r.fault;
      return r.r0Lo === 0 ? 0 : -EAGAIN;
    } finally {
      k.retireRegion(region);
    }
  }
}

/** bpf_iter_new_fd's session: takes a program reference from the link; -EINVAL for a link that is not an iterator. */
export function openIterSession(k: Kernel, link: { readonly iter: IterLink | null; readonly prog: KProg | null }): IterSession | number {
  const reg = iterTargets(k);
  if (link.iter === null || link.prog === null || reg === undefined) return -EINVAL;
  k.progInc(link.prog);
  reg.lastSessionId++;
  return new IterSession(k, link.prog, reg.lastSessionId, link.iter.aux.open());
}

/**
 * bpf_seq_read: up to `size` bytes of the session's output, an empty array at the end, or -errno
 * (EAGAIN, E2BIG as described above; EFAULT with `kernel.lastFault` when the program faults).
 */
export function iterRead(k: Kernel, s: IterSession, size: number): Uint8Array | number {
  try {
    return seqRead(k, s, size);
  } catch (e) {
    if (!(e instanceof Fault)) throw e;
    s.seq.count = 0;
    s.seq.from = 0;
    return k.reportFault(e);
  }
}

/** The kernel's bpf_seq_read over a session, step by step (see the module comment). */
function seqRead(k: Kernel, s: IterSession, size: number): Uint8Array | number {
  const seq = s.seq;
  if (seq.count > 0) {
    // Output of an earlier read not yet handed out.
    const n = Math.min(seq.count, size);
    const out = seq.buf.slice(seq.from, seq.from + n);
    seq.count -= n;
    seq.from += n;
    return out;
  }
  seq.from = 0;
  let p = s.cursor.start();
  if (p !== null) {
    const err = s.run(k, p, false);
    if (err < 0 || seq.overflowed) {
      seq.count = 0;
      return err < 0 ? err : -E2BIG;
    }
    for (let numObjs = 1; ; numObjs++) {
      const offs = seq.count;
      p = s.cursor.next();
      if (p === null) break;
      s.seqNum++;
      if (seq.count >= size) break;
      if (numObjs >= MAX_ITER_OBJECTS) {
        if (offs === 0) return -EAGAIN;
        break;
      }
      const e = s.run(k, p, false);
      if (e < 0 || seq.overflowed) {
        seq.count = offs;
        if (offs === 0) return e < 0 ? e : -E2BIG;
        break;
      }
    }
  }
  if (p === null) {
    // seq_ops->stop with no object: the program's last call.
    const offs = seq.count;
    s.run(k, s.cursor.stopArgs, true);
    if (!seq.overflowed) s.doneStop = true;
    else {
      seq.count = offs;
      if (offs === 0) return -E2BIG;
    }
  }
  const n = Math.min(seq.count, size);
  const out = seq.buf.slice(0, n);
  seq.count -= n;
  seq.from = n;
  return out;
}

// ---- the task iterator (kernel/bpf/task_iter.c) ---------------------------------------------------

/** enum bpf_iter_task_type. */
type TaskIterType = 'all' | 'tid' | 'tgid';

/**
 * A task iteration over the emulated pid namespace (KernelObjects.taskList), as task_seq_get_next
 * walks it: all tasks by increasing pid; one task (`tid`: any task with that pid); one thread
 * group (`pid`: its leader, then its other threads in pid order; a pid that is not a group leader
 * gives nothing). The position is a tid, so tasks added between reads are picked up in pid order.
 */
class TaskCursor implements IterCursor {
  private tid = 0;
  private pidVisiting = 0;
  readonly stopArgs: readonly bigint[] = [0n];

  constructor(
    private readonly ko: KernelObjects,
    private readonly type: TaskIterType,
    private readonly pid: number,
  ) {}

  start(): readonly bigint[] | null {
    const t = this.getNext();
    return t === null ? null : [t.obj.pointer];
  }

  next(): readonly bigint[] | null {
    this.tid++;
    const t = this.getNext();
    return t === null ? null : [t.obj.pointer];
  }

  private getNext(): TaskEntry | null {
    const list = this.ko.taskList();
    if (this.type === 'tid') {
      if (this.tid !== 0 && this.tid !== this.pid) return null;
      const t = list.find((x) => x.pid === this.pid);
      if (t === undefined) return null;
      this.tid = this.pid;
      return t;
    }
    if (this.type === 'tgid') {
      const leader = list.find((x) => x.pid === this.pid && x.tgid === this.pid);
      if (this.tid === 0) {
        if (leader === undefined) return null;
        this.tid = this.pid;
        this.pidVisiting = this.pid;
        return leader;
      }
      // Back after a read that ended before this task: show it again.
      if (this.tid === this.pidVisiting) return list.find((x) => x.pid === this.pidVisiting) ?? null;
      if (leader === undefined) return null;
      const threads = [leader, ...list.filter((x) => x.tgid === this.pid && x !== leader)];
      const at = threads.findIndex((x) => x.pid === this.pidVisiting);
      if (at < 0) return null;
      const next = threads[(at + 1) % threads.length]!;
      // The thread list is circular: back at the leader means the group is done.
      if (next.pid === this.pid) return null;
      this.tid = next.pid;
      this.pidVisiting = next.pid;
      return next;
    }
    const t = list.find((x) => x.pid >= this.tid);
    if (t === undefined) return null;
    this.tid = t.pid;
    return t;
  }
}

/**
 * The `task` target (bpf_iter_attach_task): link info `{ u32 tid; u32 pid; u32 pid_fd; }`, at
 * most one of them set (EINVAL); pid_fd needs a pidfd, which the emulator does not have (EBADF, as
 * pidfd_get_pid gives for any other fd).
 */
export const TASK_ITER_TARGET: IterTargetDef = {
  name: 'task',
  attach(k: Kernel, info: Uint8Array): IterLinkAux | number {
    const dv = new DataView(info.buffer, info.byteOffset, info.byteLength);
    const tid = dv.getUint32(0, true);
    const pid = dv.getUint32(4, true);
    const pidFd = dv.getUint32(8, true);
    if (Number(tid !== 0) + Number(pid !== 0) + Number(pidFd !== 0) > 1) return -EINVAL;
    if (pidFd !== 0) return -EBADF;
    const ko = k.service<KernelObjects>('kobjects');
    if (ko === undefined) return -EINVAL;
    const type: TaskIterType = tid !== 0 ? 'tid' : pid !== 0 ? 'tgid' : 'all';
    return { open: () => new TaskCursor(ko, type, tid !== 0 ? tid : pid) };
  },
};

/** Provide the 'iterTargets' service of `k` with the built-in targets (task). */
export function installIterTargets(k: Kernel): IterTargetRegistry {
  const reg = new IterTargetRegistry([TASK_ITER_TARGET]);
  k.provide('iterTargets', reg);
  return reg;
}
