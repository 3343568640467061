/**
 * Emulated kernel objects: memory a program reaches through pointers to kernel structs
 * (bpf_get_current_task(_btf)() → struct task_struct, typed `__ksym` variables), laid out from BTF.
 *
 * An object is a read-only KERNEL region of the struct's size, zero-filled: a field nobody set
 * reads as zero. Fields are set by C-like paths (`pid`, `comm`, `thread_info.cpu`, `cred`,
 * `comm[2]`, bitfields like `in_execve`) with numbers, strings (char arrays), bytes or other
 * objects (pointer members). The layout comes from the target BTF when one is set (the BTF a
 * loader relocated the program's CO-RE accesses against), else from the emulator's own vmlinux
 * BTF, whose task_struct, cred, mm_struct and the other kernel structs have 6.18's layouts (a
 * subset of their members at the kernel's offsets, data/kernel-types.ts).
 *
 * The current task mirrors `kernel.currentTask()` (pid, tgid, comm, uid/gid through cred) and
 * the current CPU (thread_info.cpu); its real_parent is an emulated init (pid 1), whose parent is
 * the idle task (pid 0, the `init_task` variable, its own parent, as in the kernel).
 *
 * Typed ksyms: variables registered here get a VAR in the vmlinux BTF; BPF_PROG_LOAD resolves a
 * BPF_PSEUDO_BTF_ID ld_imm64 through the 'ksymVar' service to the object's address. Per-CPU
 * variables hold one copy per CPU; the 'perCpuPointer' service is bpf_per_cpu_ptr's address
 * arithmetic (the pointer itself addresses CPU 0's copy; the kernel's verifier forbids
 * dereferencing it without bpf_this_cpu_ptr/bpf_per_cpu_ptr, the emulator does not).
 */
import type { Btf } from '../../btf/btf.js';
import { BPF_MAP_TYPE } from '../../maps/uapi.js';
import { ProgType } from '../../object/uapi.js';
import type { BtfType } from '../../btf/types.js';
import { BpfemuError } from '../../util/errors.js';
import { Memory, PERM_R, RegionKind } from '../../vm/memory.js';
import { installIterTargets } from './iter.js';
import { EmulatedVfs } from './vfs.js';
import { findVmaIndex, insertVma, validateVma, type Vma, type VmaSpec } from './vma.js';
import type { TaskInfo } from '../../helpers/host.js';
import type { Kernel } from '../kernel.js';
import type { KStructDef } from './ktypes.js';

/** Error codes of kernel-object definitions. */
export type KObjectErrorCode = 'KOBJ_NO_TYPE' | 'KOBJ_BAD_PATH' | 'KOBJ_BAD_VALUE';

/** A bad kernel-object type, field path or value. */
export class KObjectError extends BpfemuError<KObjectErrorCode> {
  constructor(
    readonly code: KObjectErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A value for an object field. */
export type KValue = number | bigint | string | Uint8Array | KObject | null;

/** Where a field path lands: byte offset, resolved type, bitfield bits. */
interface FieldLoc {
  readonly off: number;
  readonly type: BtfType;
  readonly size: number;
  /** Bit offset inside the storage starting at `off` and width, for bitfields. */
  readonly bitShift: number;
  readonly bits: number;
}

/** Bound on path depth (untrusted BTF). */
const MAX_PATH = 32;

/** One emulated kernel object (or, for per-CPU objects, one copy per CPU). */
export class KObject {
  constructor(
    /** The BTF the object is laid out from. */
    readonly btf: Btf,
    readonly typeId: number,
    /** The bytes (all copies for per-CPU objects). */
    readonly bytes: Uint8Array,
    readonly region: number,
    /** Size of one copy. */
    readonly size: number,
    /** Number of copies (1, or the CPU count). */
    readonly copies: number,
  ) {}

  /** Guest pointer to the object (copy 0). */
  get pointer(): bigint {
    return Memory.pointer(this.region, 0);
  }

  /** Resolve `path` (`a.b`, `arr[2]`) to its location inside one copy. */
  locate(path: string): FieldLoc {
    const btf = this.btf;
    let type = btf.resolved(this.typeId);
    let off = 0;
    let shift = 0;
    let bits = 0;
    const parts = path.split('.');
    if (parts.length > MAX_PATH) throw new KObjectError('KOBJ_BAD_PATH', `field path '${path}' is too deep`);
    for (const part of parts) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/.exec(part);
      if (m === null) throw new KObjectError('KOBJ_BAD_PATH', `field path '${path}': bad segment '${part}'`);
      if (type.kind !== 'STRUCT' && type.kind !== 'UNION') throw new KObjectError('KOBJ_BAD_PATH', `field path '${path}': '${m[1]}' is not inside a struct`);
      const mem = btf.findMember(type.id, m[1]!);
      if (mem === undefined) throw new KObjectError('KOBJ_BAD_PATH', `field path '${path}': struct ${type.name || '(anon)'} has no member ${m[1]}`);
      type = btf.resolved(mem.type);
      if (mem.bitfieldSize !== 0) {
        const unit = btf.sizeof(type.id);
        const start = Math.floor(mem.bitOffset / (unit * 8)) * unit;
        off += start;
        shift = mem.bitOffset - start * 8;
        bits = mem.bitfieldSize;
      } else off += mem.byteOffset;
      for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) {
        if (type.kind !== 'ARRAY') throw new KObjectError('KOBJ_BAD_PATH', `field path '${path}': ${m[1]} is not an array`);
        const i = Number(idx[1]);
        if (i >= type.nelems) throw new KObjectError('KOBJ_BAD_PATH', `field path '${path}': index ${i} out of range (${type.nelems})`);
        const elem = btf.resolved(type.type);
        off += i * btf.sizeof(elem.id);
        type = elem;
      }
    }
    const size = type.kind === 'VOID' ? 0 : btf.sizeof(type.id);
    return { off, type, size, bitShift: shift, bits };
  }

  /** Set a field (of copy `copy`) to `value`; returns this for chaining. */
  set(path: string, value: KValue, copy = 0): this {
    const loc = this.locate(path);
    const at = copy * this.size + loc.off;
    const t = loc.type;
    const b = this.bytes;
    if (value instanceof KObject || value === null) {
      if (t.kind !== 'PTR') throw new KObjectError('KOBJ_BAD_VALUE', `${path}: an object can only be stored in a pointer member`);
      writeLe(b, at, 8, value === null ? 0n : value.pointer);
      return this;
    }
    if (typeof value === 'string' || value instanceof Uint8Array) {
      const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
      // Strings keep a NUL terminator inside the field.
      const max = typeof value === 'string' ? loc.size - 1 : loc.size;
      if (bytes.length > max) throw new KObjectError('KOBJ_BAD_VALUE', `${path}: ${bytes.length} bytes do not fit in ${loc.size}`);
      b.fill(0, at, at + loc.size);
      b.set(bytes, at);
      return this;
    }
    if (loc.bits !== 0) {
      const word = readLe(b, at, loc.size);
      const mask = ((1n << BigInt(loc.bits)) - 1n) << BigInt(loc.bitShift);
      const v = (BigInt(value) << BigInt(loc.bitShift)) & mask;
      writeLe(b, at, loc.size, (word & ~mask) | v);
      return this;
    }
    if (loc.size === 0 || loc.size > 8) throw new KObjectError('KOBJ_BAD_VALUE', `${path}: a number cannot be stored in a ${loc.size}-byte ${t.kind.toLowerCase()}`);
    writeLe(b, at, loc.size, BigInt.asUintN(loc.size * 8, BigInt(value)));
    return this;
  }

  /** Set several fields. */
  setAll(fields: Readonly<Record<string, KValue>>): this {
    for (const [p, v] of Object.entries(fields)) this.set(p, v);
    return this;
  }

  /** A field's raw unsigned value (integers, pointers, bitfields) of copy `copy`. */
  get(path: string, copy = 0): bigint {
    const loc = this.locate(path);
    if (loc.size === 0 || loc.size > 8) throw new KObjectError('KOBJ_BAD_PATH', `${path}: not a scalar (${loc.size} bytes)`);
    const v = readLe(this.bytes, copy * this.size + loc.off, loc.size);
    return loc.bits === 0 ? v : (v >> BigInt(loc.bitShift)) & ((1n << BigInt(loc.bits)) - 1n);
  }
}

function readLe(b: Uint8Array, off: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[off + i]!);
  return v;
}

function writeLe(b: Uint8Array, off: number, size: number, v: bigint): void {
  let x = BigInt.asUintN(64, v);
  for (let i = 0; i < size; i++) {
    b[off + i] = Number(x & 0xffn);
    x >>= 8n;
  }
}

/**
 * Kernel structs the emulated vmlinux gets besides the ones extracted from 6.18's BTF
 * (data/kernel-types.ts: task_struct, cred, mm_struct, sk_buff, sock, file, dentry, ...).
 */
export const KERNEL_STRUCTS: readonly KStructDef[] = [
  // include/linux/fs.h: the kernel's copy of a path name (do_unlinkat, do_sys_openat2 take one).
  { name: 'filename', members: [{ name: 'name', type: 'const char *' }, { name: 'uptr', type: 'const char *' }, { name: 'refcnt', type: 'int' }, { name: 'aname', type: 'void *' }] },
  // BPF iterators (include/linux/bpf.h, kernel/bpf/task_iter.c). A seq_file is opaque to programs
  // here (x86-64 size of Linux 6.18); they only hand it to the bpf_seq_* helpers. The kernel wraps
  // each ctx pointer in an anonymous union (__bpf_md_ptr); plain members have the same offsets.
  { name: 'seq_file', size: 120, align: 8 },
  { name: 'bpf_iter_meta', members: [{ name: 'seq', type: 'struct seq_file *' }, { name: 'session_id', type: 'u64' }, { name: 'seq_num', type: 'u64' }] },
  { name: 'bpf_iter__task', members: [{ name: 'meta', type: 'struct bpf_iter_meta *' }, { name: 'task', type: 'struct task_struct *' }] },
];

/**
 * uapi enums the emulated vmlinux carries for CO-RE enum relocations (bpf_core_enum_value): `enum
 * bpf_map_type` and `enum bpf_prog_type`, with the deprecated cgroup-storage spellings and the
 * __MAX_ terminators as vmlinux has them.
 */
export function uapiEnums(): { name: string; values: [string, number][] }[] {
  const maps: [string, number][] = [];
  for (const [key, v] of Object.entries(BPF_MAP_TYPE)) {
    if (key === 'CGROUP_STORAGE' || key === 'PERCPU_CGROUP_STORAGE') maps.push([`BPF_MAP_TYPE_${key}_DEPRECATED`, v]);
    maps.push([`BPF_MAP_TYPE_${key}`, v]);
  }
  maps.push(['__MAX_BPF_MAP_TYPE', Math.max(...Object.values(BPF_MAP_TYPE)) + 1]);
  const progs: [string, number][] = Object.entries(ProgType).map(([key, v]) => [`BPF_PROG_TYPE_${key}`, v]);
  progs.push(['__MAX_BPF_PROG_TYPE', Math.max(...Object.values(ProgType)) + 1]);
  return [
    { name: 'bpf_map_type', values: maps },
    { name: 'bpf_prog_type', values: progs },
  ];
}

/** A registered typed-ksym variable. */
interface KVar {
  readonly name: string;
  readonly type: string;
  readonly perCpu: boolean;
  readonly init: Readonly<Record<string, KValue>> | number | undefined;
  obj: KObject | undefined;
}

/** The idle and init tasks' identities. */
const INIT_TASK = { pid: 0, comm: 'swapper/0' };
const INIT_PROC = { pid: 1, comm: 'init' };

/** A task added with {@link KernelObjects.addTask}. */
export interface TaskSpec {
  readonly pid: number;
  /** Thread group (default: `pid`, a process); a thread's group leader must exist to be linked. */
  readonly tgid?: number;
  /** At most 15 bytes (default ''). */
  readonly comm?: string;
  readonly uid?: number;
  readonly gid?: number;
}

/** One task of the emulated pid namespace, as the task iterator sees it. */
export interface TaskEntry {
  readonly pid: number;
  readonly tgid: number;
  readonly obj: KObject;
}

/** PID_MAX_LIMIT on 64-bit (include/linux/threads.h). */
const PID_MAX_LIMIT = 4 * 1024 * 1024;

/** The kernel objects of one emulated kernel. */
export class KernelObjects {
  private target: Btf | null = null;
  private tasks: { current: KObject; init: KObject; idle: KObject; cred: KObject | null } | undefined;
  private readonly vars = new Map<number, KVar>();
  private readonly byRegion = new Map<number, KObject>();
  /** Regions of per-CPU objects (one copy per CPU, even when there is one CPU). */
  private readonly perCpuRegions = new Set<number>();
  /** Tasks added by the user, and their objects (rebuilt with the task objects). */
  private readonly addedSpecs: TaskSpec[] = [];
  private addedObjs: KObject[] = [];
  /** The current task's mappings (vma.ts), address-sorted, and their objects (rebuilt with the task objects). */
  private vmaList: Vma[] = [];
  private vmaObjs: Map<Vma, KObject> = new Map();

  constructor(private readonly k: Kernel) {}

  /** The BTF objects are laid out from. */
  get btf(): Btf {
    return this.target ?? this.k.vmlinuxBtf;
  }

  /** Lay objects out from `btf` from now on (null: the emulated vmlinux); the task objects are rebuilt. */
  setTargetBtf(btf: Btf | null): void {
    this.target = btf;
    this.tasks = undefined;
    this.addedObjs = [];
    this.vmaObjs = new Map();
    for (const v of this.vars.values()) v.obj = undefined;
  }

  /**
   * A new zeroed object of `struct name` with optional fields set. `copies` makes it a per-CPU
   * object with that many copies (bpf_per_cpu_ptr/bpf_this_cpu_ptr accept pointers into it).
   */
  create(name: string, fields: Readonly<Record<string, KValue>> = {}, o: { copies?: number; label?: string } = {}): KObject {
    const btf = this.btf;
    const t = btf.findByName(name).find((x) => x.kind === 'STRUCT' || x.kind === 'UNION' || x.kind === 'INT' || x.kind === 'TYPEDEF' || x.kind === 'PTR');
    if (t === undefined) throw new KObjectError('KOBJ_NO_TYPE', `kernel object: no type named ${name} in the ${this.target === null ? 'emulated vmlinux' : 'target'} BTF`);
    return this.createFromType(btf, t.id, fields, o.copies ?? 1, o.label ?? name, o.copies !== undefined);
  }

  private createFromType(btf: Btf, typeId: number, fields: Readonly<Record<string, KValue>>, copies: number, label: string, perCpu = false): KObject {
    const size = btf.sizeof(typeId);
    const bytes = new Uint8Array(Math.max(1, size * copies));
    // Shared: kernel memory any program may read (pointer chasing from `current` reaches it all).
    const region = this.k.mem.map(bytes, { kind: RegionKind.KERNEL, perm: PERM_R, label: `kernel object ${label}`, shared: true });
    const obj = new KObject(btf, typeId, bytes, region, size, copies);
    this.byRegion.set(region, obj);
    if (perCpu) this.perCpuRegions.add(region);
    obj.setAll(fields);
    return obj;
  }

  /**
   * A read-only kernel copy of `text` with a NUL terminator (what `qstr.name`, `linux_binprm.filename`
   * point to); returns its address.
   */
  string(text: string | Uint8Array, label = 'string'): bigint {
    const body = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    const bytes = new Uint8Array(body.length + 1);
    bytes.set(body);
    return Memory.pointer(this.k.mem.map(bytes, { kind: RegionKind.KERNEL, perm: PERM_R, label: `kernel ${label}`, shared: true }), 0);
  }

  /** `len` bytes of kernel memory at `ptr` as UTF-8 text, or undefined when they are not readable. */
  readBytes(ptr: bigint, len: number): string | undefined {
    const [region, off] = Memory.split(ptr);
    const b = this.k.mem.read(region, off, len);
    return b === undefined ? undefined : new TextDecoder().decode(b);
  }

  /** The object `ptr` points into and the offset inside it, or undefined. */
  objectAt(ptr: bigint): { obj: KObject; off: number } | undefined {
    const [region, off] = Memory.split(ptr);
    const obj = this.byRegion.get(region);
    return obj === undefined || off >= obj.bytes.length ? undefined : { obj, off };
  }

  /** Set a field when the target BTF has it (defaults must not fail on a different layout). */
  private trySet(obj: KObject, path: string, value: KValue): void {
    try {
      obj.set(path, value);
    } catch (e) {
      if (!(e instanceof KObjectError)) throw e;
    }
  }

  /** A new object of `struct name`, or null when the layout BTF has no such type (a partial local BTF). */
  private createIfKnown(name: string, label: string): KObject | null {
    return this.btf.findByName(name).some((x) => x.kind === 'STRUCT') ? this.create(name, {}, { label }) : null;
  }

  private buildTasks(): { current: KObject; init: KObject; idle: KObject; cred: KObject | null } {
    const idle = this.create('task_struct', {}, { label: 'task_struct swapper/0' });
    const init = this.create('task_struct', {}, { label: 'task_struct init' });
    const current = this.create('task_struct', {}, { label: 'task_struct current' });
    // A program's own BTF (coreTarget 'local') has only the types it uses: cred and mm may be absent.
    const cred = this.createIfKnown('cred', 'cred current');
    const mm = this.createIfKnown('mm_struct', 'mm_struct current');
    for (const [t, id, parent] of [[idle, INIT_TASK, idle], [init, INIT_PROC, idle]] as const) {
      this.trySet(t, 'pid', id.pid);
      this.trySet(t, 'tgid', id.pid);
      this.trySet(t, 'comm', id.comm);
      this.trySet(t, 'real_parent', parent);
      this.trySet(t, 'parent', parent);
      this.trySet(t, 'group_leader', t);
    }
    this.trySet(current, 'real_parent', init);
    this.trySet(current, 'parent', init);
    this.trySet(current, 'group_leader', current);
    if (mm !== null) {
      this.trySet(current, 'mm', mm);
      this.trySet(current, 'active_mm', mm);
    }
    if (cred !== null) {
      this.trySet(current, 'cred', cred);
      this.trySet(current, 'real_cred', cred);
    }
    return { current, init, idle, cred };
  }

  /** What the current task's object was last synchronised with (see {@link currentTask}). */
  private synced: { readonly tasks: object; readonly task: TaskInfo; readonly cpu: number } | null = null;

  /**
   * The current task's object, synchronised with kernel.currentTask() and the current CPU. The
   * fields are written again only when one of those changed (a test run on another CPU, a new
   * layout BTF), not on every call: bpf_get_current_task in a loop costs a lookup, not a rebuild.
   */
  currentTask(): KObject {
    this.tasks ??= this.buildTasks();
    const { current, cred } = this.tasks;
    const t = this.k.currentTask();
    const cpu = this.k.currentCpu();
    const s = this.synced;
    if (s !== null && s.tasks === this.tasks && s.task === t && s.cpu === cpu) return current;
    this.synced = { tasks: this.tasks, task: t, cpu };
    this.trySet(current, 'pid', t.pid);
    this.trySet(current, 'tgid', t.tgid);
    this.trySet(current, 'comm', new TextEncoder().encode(t.comm).subarray(0, 15));
    this.trySet(current, 'thread_info.cpu', cpu);
    if (cred !== null) {
      for (const f of ['uid', 'suid', 'euid', 'fsuid']) this.trySet(cred, `${f}.val`, t.uid);
      for (const f of ['gid', 'sgid', 'egid', 'fsgid']) this.trySet(cred, `${f}.val`, t.gid);
    }
    return current;
  }

  /** The idle task (`init_task`, pid 0) and init (pid 1). */
  idleTask(): KObject {
    this.tasks ??= this.buildTasks();
    return this.tasks.idle;
  }

  initProcess(): KObject {
    this.tasks ??= this.buildTasks();
    return this.tasks.init;
  }

  /**
   * Add a task to the emulated pid namespace (what the task iterator walks besides init and the
   * current task): a `task_struct` with pid, tgid, comm, its own cred and init as parent. A pid
   * already in use (1, the current task's, an added one) or outside 1..PID_MAX_LIMIT-1 is refused.
   */
  addTask(spec: TaskSpec): KObject {
    const tgid = spec.tgid ?? spec.pid;
    for (const v of [spec.pid, tgid]) {
      if (!Number.isInteger(v) || v <= 0 || v >= PID_MAX_LIMIT) throw new KObjectError('KOBJ_BAD_VALUE', `task: pid/tgid ${v} is not in 1..${PID_MAX_LIMIT - 1}`);
    }
    if (this.taskList().some((t) => t.pid === spec.pid)) throw new KObjectError('KOBJ_BAD_VALUE', `task: pid ${spec.pid} is already in use`);
    const comm = new TextEncoder().encode(spec.comm ?? '');
    if (comm.length > 15) throw new KObjectError('KOBJ_BAD_VALUE', `task: comm '${spec.comm}' is longer than 15 bytes`);
    this.addedSpecs.push(spec);
    return this.addedTasks()[this.addedSpecs.length - 1]!;
  }

  /** The added tasks' objects, built on first use after a layout change. */
  private addedTasks(): KObject[] {
    while (this.addedObjs.length < this.addedSpecs.length) {
      const spec = this.addedSpecs[this.addedObjs.length]!;
      const init = this.initProcess();
      const t = this.create('task_struct', {}, { label: `task_struct ${spec.pid}` });
      const cred = this.create('cred', {}, { label: `cred ${spec.pid}` });
      this.trySet(t, 'pid', spec.pid);
      this.trySet(t, 'tgid', spec.tgid ?? spec.pid);
      this.trySet(t, 'comm', spec.comm ?? '');
      this.trySet(t, 'real_parent', init);
      this.trySet(t, 'parent', init);
      this.trySet(t, 'cred', cred);
      this.trySet(t, 'real_cred', cred);
      for (const f of ['uid', 'suid', 'euid', 'fsuid']) this.trySet(cred, `${f}.val`, spec.uid ?? 0);
      for (const f of ['gid', 'sgid', 'egid', 'fsgid']) this.trySet(cred, `${f}.val`, spec.gid ?? 0);
      this.addedObjs.push(t);
    }
    // group_leader: the task whose pid is the tgid, when there is one.
    const list = this.taskList(false);
    for (const e of list) {
      const leader = list.find((x) => x.pid === e.tgid);
      if (leader !== undefined && this.addedObjs.includes(e.obj)) this.trySet(e.obj, 'group_leader', leader.obj);
    }
    return this.addedObjs;
  }

  /**
   * The tasks of the emulated pid namespace in pid order, as the task iterator walks them
   * (find_ge_pid): init (pid 1), the current task and the added ones. The idle task (pid 0) has
   * no pid in a namespace and is never listed; a current task configured with pid 1 replaces init.
   */
  taskList(build = true): TaskEntry[] {
    const cur = this.k.currentTask();
    const out: TaskEntry[] = [];
    if (cur.pid !== INIT_PROC.pid) out.push({ pid: INIT_PROC.pid, tgid: INIT_PROC.pid, obj: this.initProcess() });
    if (cur.pid > 0) out.push({ pid: cur.pid, tgid: cur.tgid, obj: this.currentTask() });
    const objs = build ? this.addedTasks() : this.addedObjs;
    this.addedSpecs.forEach((s, i) => {
      const obj = objs[i];
      if (obj !== undefined) out.push({ pid: s.pid, tgid: s.tgid ?? s.pid, obj });
    });
    return out.sort((a, b) => a.pid - b.pid);
  }

  /**
   * Add a mapping to the current task's address space (what bpf_find_vma finds): page-aligned
   * [start, end) not overlapping another, /proc/PID/maps permissions or raw vm_flags, file offset and
   * path. Bad input throws KObjectError KOBJ_BAD_VALUE naming the field. The current task's
   * mm_struct gets map_count; other tasks (init, added ones) have no mappings.
   */
  addVma(spec: VmaSpec): void {
    const v = validateVma(spec, this.vmaList);
    if (typeof v === 'string') throw new KObjectError('KOBJ_BAD_VALUE', `vma: ${v}`);
    this.vmaList = insertVma(this.vmaList, v);
    const mm = this.currentMm();
    if (mm !== null) this.trySet(mm, 'map_count', this.vmaList.length);
  }

  /** The current task's mappings, address-sorted. */
  vmas(): readonly Vma[] {
    return this.vmaList;
  }

  /** The current task's mm_struct object, or null when the layout has none. */
  private currentMm(): KObject | null {
    const ptr = this.currentTask().get('mm');
    return ptr === 0n ? null : (this.objectAt(ptr)?.obj ?? null);
  }

  /**
   * bpf_find_vma's lookup: for the task object at `task`, the vm_area_struct object of its mapping
   * containing `addr`; 'no_mm' when the task has no mm (init and added tasks here, kernel threads in
   * the kernel), 'none' when no mapping contains `addr`; undefined when `task` is not the address of
   * a task_struct object of this kernel.
   */
  findVma(task: bigint, addr: bigint): KObject | 'no_mm' | 'none' | undefined {
    const at = this.objectAt(task);
    if (at === undefined || at.off !== 0 || at.obj.btf.name(at.obj.typeId) !== 'task_struct') return undefined;
    let mmPtr: bigint;
    try {
      mmPtr = at.obj.get('mm');
    } catch {
      return 'no_mm';
    }
    if (mmPtr === 0n) return 'no_mm';
    const cur = this.currentMm();
    if (cur === null || cur.pointer !== mmPtr) return 'none';
    const i = findVmaIndex(this.vmaList, addr);
    return i < 0 ? 'none' : this.vmaObject(this.vmaList[i]!, cur);
  }

  /** The vm_area_struct object of mapping `v` (built on first use after a layout change). */
  private vmaObject(v: Vma, mm: KObject): KObject {
    let o = this.vmaObjs.get(v);
    if (o !== undefined) return o;
    o = this.create('vm_area_struct', {}, { label: `vm_area_struct 0x${v.start.toString(16)}` });
    this.trySet(o, 'vm_start', v.start);
    this.trySet(o, 'vm_end', v.end);
    this.trySet(o, 'vm_mm', mm);
    this.trySet(o, 'vm_flags', v.flags);
    this.trySet(o, 'vm_pgoff', v.pgoff);
    if (v.file !== undefined) {
      const vfs = this.k.service<EmulatedVfs>('vfs');
      if (vfs !== undefined) this.trySet(o, 'vm_file', vfs.file(v.file));
    }
    this.vmaObjs.set(v, o);
    return o;
  }

  /**
   * Register a kernel variable for typed `__ksym`s: a VAR `name` of C type `type` in the vmlinux
   * BTF; `init` sets struct fields or a scalar value. Returns the VAR's BTF id.
   */
  defineVar(name: string, type: string, o: { perCpu?: boolean; init?: Readonly<Record<string, KValue>> | number } = {}): number {
    const id = this.k.types.addVar(name, type);
    this.vars.set(id, { name, type, perCpu: o.perCpu ?? false, init: o.init, obj: undefined });
    return id;
  }

  private varObject(v: KVar): KObject {
    if (v.obj !== undefined) return v.obj;
    if (v.name === 'init_task') return (v.obj = this.idleTask());
    const btf = this.k.vmlinuxBtf;
    const t = btf.findByName(v.name).find((x) => x.kind === 'VAR');
    if (t === undefined || t.kind !== 'VAR') throw new KObjectError('KOBJ_NO_TYPE', `kernel variable ${v.name} has no VAR in the vmlinux BTF`);
    const copies = v.perCpu ? this.k.nrCpus : 1;
    const obj = this.createFromType(btf, t.type, typeof v.init === 'object' ? v.init : {}, copies, v.name, v.perCpu);
    if (typeof v.init === 'number') for (let c = 0; c < copies; c++) writeLe(obj.bytes, c * obj.size, Math.min(8, obj.size), BigInt(v.init));
    v.obj = obj;
    return obj;
  }

  /** BPF_PSEUDO_BTF_ID: the address of the variable with VAR id `btfId`, or undefined. */
  ksymAddress(btfId: number): bigint | undefined {
    const v = this.vars.get(btfId);
    return v === undefined ? undefined : this.varObject(v).pointer;
  }

  /**
   * bpf_per_cpu_ptr's arithmetic: `ptr` into CPU 0's copy of a per-CPU object moved to `cpu`'s
   * copy; 0n when `cpu` is not below the CPU count (the kernel's `cpu >= nr_cpu_ids`); undefined
   * when `ptr` is not a per-CPU object's address (a PTR_TO_PERCPU_BTF_ID the verifier would want).
   */
  perCpuPointer(ptr: bigint, cpu: number): bigint | undefined {
    const [region, off] = Memory.split(ptr);
    const obj = this.byRegion.get(region);
    if (obj === undefined || !this.perCpuRegions.has(region) || off >= obj.size) return undefined;
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= obj.copies) return 0n;
    return Memory.pointer(region, off + cpu * obj.size);
  }
}

/**
 * Register the kernel structs and variables in `k`'s vmlinux BTF and provide the services
 * 'kobjects' (this {@link KernelObjects}), 'currentTaskPointer', 'ksymVar', 'perCpuPointer' and
 * 'iterTargets' (the task iterator over {@link KernelObjects.taskList}).
 * Also adds the uapi enums ({@link uapiEnums}). Call before anything refers to `struct
 * task_struct` (hooks), so references resolve to it.
 */
export function installKernelObjects(k: Kernel): KernelObjects {
  for (const s of KERNEL_STRUCTS) if (!k.types.structs.has(s.name)) k.registerStruct(s);
  for (const e of uapiEnums()) k.types.addEnum(e.name, e.values);
  const ko = new KernelObjects(k);
  ko.defineVar('init_task', 'struct task_struct');
  ko.defineVar('bpf_prog_active', 'int', { perCpu: true });
  k.provide('kobjects', ko);
  k.provide('vfs', new EmulatedVfs(ko));
  k.provide('currentTaskPointer', () => ko.currentTask().pointer);
  k.provide('ksymVar', (btfId: number) => ko.ksymAddress(btfId));
  k.provide('perCpuPointer', (ptr: bigint, cpu: number) => ko.perCpuPointer(ptr, cpu));
  // The task iterator walks these objects (iter.ts).
  installIterTargets(k);
  return ko;
}
