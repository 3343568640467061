/**
 * Local storage: BPF_MAP_TYPE_SK_STORAGE, INODE_STORAGE, TASK_STORAGE and CGRP_STORAGE, one
 * implementation (kernel/bpf/bpf_local_storage.c and its four users: net/core/bpf_sk_storage.c,
 * kernel/bpf/bpf_{inode,task,cgrp}_storage.c). Each map holds at most one value per OWNER, a kernel
 * object (a socket, an inode, a task, a cgroup); there are no keys of its own.
 *
 * ## Owners, and how an owner drops its storage (the API simulators use)
 *
 * An owner is identified by the guest region of its emulated kernel object: a `struct task_struct *`
 * (or `struct sock *`, `struct cgroup *`, `struct inode *`) a program passes to a helper addresses
 * one region, and the region id is the owner's key (the offset inside the object is ignored). Every
 * map of one emulated kernel shares one {@link LocalStorageOwners} registry, found from the kernel
 * (anything with its `mem`):
 *
 * ```ts
 * import { localStorageOf } from 'bpfemu/maps';
 * const owners = localStorageOf(kernel);
 * owners.release(taskPointer);   // the task died: its storage in every map goes (bpf_task_storage_free)
 * owners.release(sockRegionId);  // a socket closed (bpf_sk_storage_free); a KObject works as well
 * owners.isReleased(taskPointer);// true from then on: helpers no longer create storage for it
 * const fd = owners.openFd(kernel, 'task', taskPointer); // a pidfd for the syscall side (see below)
 * ```
 *
 * `release` takes the object's guest pointer (bigint), its region id (number), or an object with a
 * `pointer` (a KObject) or a `region`. After it, helpers return NULL for `..._get` with
 * BPF_LOCAL_STORAGE_GET_F_CREATE on that owner (the kernel only creates storage for a refcounted
 * owner), the syscall side answers ENOENT (a reaped task's pidfd), and a pointer a program obtained
 * earlier stays readable until the end of the current run (RCU), then goes away. Owners that never
 * call `release` keep their storage until the map is freed. Region ids are not reused while the
 * emulated kernel lives, so a stale owner never aliases a new one.
 *
 * ## Syscall side (BPF_MAP_LOOKUP/UPDATE/DELETE_ELEM)
 *
 * The key is an fd (int) naming the owner, measured on 6.18 (test/maps/goldens/local-storage.json):
 * - task storage: a pidfd; any other open fd and closed fds give EBADF; a reaped task's pidfd ENOENT.
 * - sk storage: a socket fd; a closed fd gives EBADF, an fd that is not a socket ENOTSOCK.
 * - cgrp storage: a cgroup directory fd; anything else EBADF.
 * - inode storage: any open fd (the file's inode); closed fds EBADF. BPF object fds (maps, programs,
 *   BTF, links) all share the kernel's one anonymous inode, and so do they here.
 * Owner fds are opened with {@link LocalStorageOwners.openFd} (a kernel) or, in a bare map
 * environment, by registering an {@link OwnerFile} under an fd. get_next_key, lookup_and_delete and
 * the batch commands give ENOTSUPP; BPF_F_LOCK needs a bpf_spin_lock in the value.
 *
 * ## Differences from 6.18
 * - The key's BTF type is not checked to be a 4-byte int (map_check_btf: EINVAL); only the presence
 *   of BTF ids is, as for every map type here.
 * - No per-CPU recursion guard (bpf_task_storage_trylock): helpers never fail with EBUSY.
 * - bpf_sk_storage_get does not check sk_fullsock (every emulated socket is a full socket), and
 *   BPF_F_CLONE is accepted but storage is never cloned (the emulator has no accept()).
 * - Values are not charged against a memory limit (the kernel's omem charge for sockets).
 */
import { ERRNO } from '../util/errno.js';
import { Memory } from '../vm/memory.js';
import { BpfMap, readU32, type ResolvedAttr } from './map.js';
import { MapValueRef, type MapEnv, type ProgOp } from './types.js';
import { BPF_EXIST, BPF_F, BPF_F_LOCK, BPF_MAP_TYPE, BPF_NOEXIST } from './uapi.js';

const { EINVAL, E2BIG, EBADF, ENOENT, EEXIST, ENOTSUPP, ENOTSOCK } = ERRNO;

/** include/linux/bpf_local_storage.h: BPF_LOCAL_STORAGE_CREATE_FLAG_MASK. */
const CREATE_FLAG_MASK = BPF_F.NO_PREALLOC | BPF_F.CLONE;

/**
 * BPF_LOCAL_STORAGE_MAX_VALUE_SIZE on x86-64 6.18: U16_MAX - sizeof(struct bpf_local_storage_elem)
 * (128 bytes); measured as 65407 (goldens/local-storage.json, max_value_size).
 */
export const LOCAL_STORAGE_MAX_VALUE_SIZE = 65407;

/** BPF_LOCAL_STORAGE_GET_F_CREATE (uapi): create the owner's storage if it has none. */
export const BPF_LOCAL_STORAGE_GET_F_CREATE = 1;

/** Which kind of kernel object owns the storage of a map type. */
export type OwnerKind = 'sock' | 'inode' | 'task' | 'cgroup';

/** The owner kind of each local-storage map type. */
export const LOCAL_STORAGE_OWNER: ReadonlyMap<number, OwnerKind> = new Map<number, OwnerKind>([
  [BPF_MAP_TYPE.SK_STORAGE, 'sock'],
  [BPF_MAP_TYPE.INODE_STORAGE, 'inode'],
  [BPF_MAP_TYPE.TASK_STORAGE, 'task'],
  [BPF_MAP_TYPE.CGRP_STORAGE, 'cgroup'],
]);

/** Whether `type` is one of the four local-storage map types. */
export function isLocalStorageType(type: number): boolean {
  return LOCAL_STORAGE_OWNER.has(type);
}

/** An owner as API callers name it: guest pointer, region id, or an object carrying either. */
export type OwnerRef = bigint | number | { readonly pointer: bigint } | { readonly region: number };

/** The owner key (region id) of an {@link OwnerRef}. */
export function ownerKey(owner: OwnerRef): number {
  if (typeof owner === 'bigint') return Memory.split(owner)[0];
  if (typeof owner === 'number') return owner;
  if ('region' in owner) return owner.region;
  return Memory.split(owner.pointer)[0];
}

/**
 * An open file naming an owner, as the fd table holds it (`kind: 'file'`, so a kernel's fd table
 * takes it like any other file): a pidfd, a socket, a cgroup directory, or a file with an inode.
 */
export class OwnerFile {
  readonly kind = 'file' as const;
  constructor(
    readonly name: string,
    readonly ownerKind: OwnerKind,
    /** The owner's region id. */
    readonly owner: number,
  ) {}
}

/**
 * Owner key of every fd that is not an {@link OwnerFile}, as an inode (the kernel's one anonymous
 * inode); region 0 is never mapped, so no object has this key.
 */
const ANON_INODE = 0;

/** The per-kernel registry of owners and the maps holding storage for them. */
export class LocalStorageOwners {
  private readonly maps = new Set<LocalStorageMap>();
  private readonly released = new Set<number>();

  /** @internal A map joins (created) or leaves (freed). */
  attach(map: LocalStorageMap): void {
    this.maps.add(map);
  }

  /** @internal */
  detach(map: LocalStorageMap): void {
    this.maps.delete(map);
  }

  /**
   * The owner died (a task exited, a socket was destroyed, a cgroup or inode freed): drop its
   * storage in every map (bpf_{task,sk,cgrp,inode}_storage_free). Returns how many values went.
   */
  release(owner: OwnerRef): number {
    const key = ownerKey(owner);
    this.released.add(key);
    let n = 0;
    for (const m of this.maps) if (m.dropOwner(key)) n++;
    return n;
  }

  /** Whether {@link release} was called for the owner. */
  isReleased(owner: OwnerRef): boolean {
    return this.released.has(ownerKey(owner));
  }

  /** Maps holding a value for the owner (user-space view, e.g. for tests). */
  mapsOf(owner: OwnerRef): LocalStorageMap[] {
    const key = ownerKey(owner);
    return [...this.maps].filter((m) => m.hasOwner(key));
  }

  /**
   * Open an fd naming the owner in `kernel`'s fd table (a pidfd for a task, a socket fd, a cgroup
   * directory fd, a file fd for an inode), for the maps' syscall side. Close it with kernel.close.
   */
  openFd(kernel: { readonly fds: { install(e: OwnerFile): number } }, kind: OwnerKind, owner: OwnerRef): number {
    const key = ownerKey(owner);
    const name = kind === 'task' ? `pidfd:${key}` : kind === 'sock' ? `socket:${key}` : kind === 'cgroup' ? `cgroup:${key}` : `inode:${key}`;
    return kernel.fds.install(new OwnerFile(name, kind, key));
  }
}

const registries = new WeakMap<Memory, LocalStorageOwners>();

/** The owner registry of the emulated kernel (or map environment) whose guest memory is `host.mem`. */
export function localStorageOf(host: { readonly mem: Memory }): LocalStorageOwners {
  let r = registries.get(host.mem);
  if (r === undefined) {
    r = new LocalStorageOwners();
    registries.set(host.mem, r);
  }
  return r;
}

/** One owner's value: its bytes and the region programs see (0 until a program asks). */
interface Elem {
  bytes: Uint8Array;
  region: number;
}

/** bpf_local_storage_map_alloc_check: 0 or -errno (measured on 6.18). */
export function localStorageAllocCheck(attr: ResolvedAttr): number {
  if (
    attr.flags & ~CREATE_FLAG_MASK ||
    !(attr.flags & BPF_F.NO_PREALLOC) ||
    attr.maxEntries !== 0 ||
    attr.keySize !== 4 ||
    attr.valueSize === 0 ||
    attr.btfKeyTypeId === 0 ||
    attr.btfValueTypeId === 0
  ) {
    return -EINVAL;
  }
  return attr.valueSize > LOCAL_STORAGE_MAX_VALUE_SIZE ? -E2BIG : 0;
}

const PROG_OPS: ReadonlySet<ProgOp> = new Set<ProgOp>();

/** A local-storage map: one value per owner. */
export class LocalStorageMap extends BpfMap {
  /** Helpers reach the map through their own functions (bpf_*_storage_get/delete), not map ops. */
  readonly progOps = PROG_OPS;
  readonly ownerKind: OwnerKind;
  readonly owners: LocalStorageOwners;
  private readonly elems = new Map<number, Elem>();
  private elemSeq = 0;

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
    this.ownerKind = LOCAL_STORAGE_OWNER.get(attr.type)!;
    this.owners = localStorageOf(env);
    this.owners.attach(this);
  }

  /** Number of owners holding a value. */
  get size(): number {
    return this.elems.size;
  }

  /** Whether the owner (region id) has a value here. */
  hasOwner(key: number): boolean {
    return this.elems.has(key);
  }

  /** A copy of the owner's value, or undefined (user-space view without an fd). */
  valueFor(owner: OwnerRef): Uint8Array | undefined {
    const e = this.elems.get(ownerKey(owner));
    if (e === undefined) return undefined;
    const out = new Uint8Array(this.valueSize);
    this.copyOut(out, 0, e.bytes, 0, this.valueSize);
    return out;
  }

  // ---- syscall side -----------------------------------------------------------------------------

  /** The owner an fd key names, or -errno (see the module comment). */
  private ownerOfFd(key: Uint8Array): number {
    const fd = readU32(key, 0) | 0;
    const f = fd < 0 ? undefined : this.env.resolveFd?.(fd);
    if (f === undefined || f === null) return -EBADF;
    if (this.ownerKind === 'inode') return f instanceof OwnerFile ? f.owner : ANON_INODE;
    if (!(f instanceof OwnerFile) || f.ownerKind !== this.ownerKind) return this.ownerKind === 'sock' ? -ENOTSOCK : -EBADF;
    // pid_task of a reaped task is NULL (the other owners cannot outlive an open fd)
    if (this.owners.isReleased(f.owner)) return -ENOENT;
    return f.owner;
  }

  protected sysLookup(key: Uint8Array | null, out: Uint8Array, _flags: number): number {
    const owner = this.ownerOfFd(key!);
    if (owner < 0) return owner;
    const e = this.elems.get(owner);
    if (e === undefined) return -ENOENT;
    this.copyOut(out, 0, e.bytes, 0, this.valueSize);
    return 0;
  }

  protected sysUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): number {
    const owner = this.ownerOfFd(key!);
    if (owner < 0) return owner;
    return this.updateOwner(owner, value, 0, flags);
  }

  protected sysDelete(key: Uint8Array | null): number {
    const owner = this.ownerOfFd(key!);
    if (owner < 0) return owner;
    return this.dropOwner(owner) ? 0 : -ENOENT;
  }

  protected sysGetNextKey(_key: Uint8Array | null, _out: Uint8Array): number {
    return -ENOTSUPP;
  }

  // ---- shared by both sides -----------------------------------------------------------------------

  /**
   * bpf_local_storage_update: BPF_ANY/BPF_NOEXIST/BPF_EXIST (| BPF_F_LOCK) with `src[off..]` as the
   * value. A replacement is a new element (a pointer to the old value keeps the old bytes until the
   * end of the run); with BPF_F_LOCK an existing value is updated in place.
   */
  updateOwner(owner: number, src: Uint8Array | null, off: number, flags: number): number {
    const f = flags & ~BPF_F_LOCK;
    if (f > BPF_EXIST || flags < 0 || (flags & BPF_F_LOCK && !this.hasSpinLock)) return -EINVAL;
    const old = this.elems.get(owner);
    if (old !== undefined && f === BPF_NOEXIST) return -EEXIST;
    if (old === undefined && f === BPF_EXIST) return -ENOENT;
    if (old !== undefined && flags & BPF_F_LOCK) {
      if (src !== null) this.copyIn(old.bytes, 0, src, off, this.valueSize);
      return 0;
    }
    const bytes = new Uint8Array(this.valueSize);
    if (src !== null) this.copyIn(bytes, 0, src, off, this.valueSize);
    if (old !== undefined) this.retireElem(old);
    this.elems.set(owner, { bytes, region: 0 });
    return 0;
  }

  /** Remove the owner's value (bpf_selem_unlink); false when it had none. */
  dropOwner(owner: number): boolean {
    const e = this.elems.get(owner);
    if (e === undefined) return false;
    this.elems.delete(owner);
    this.retireElem(e);
    return true;
  }

  private retireElem(e: Elem): void {
    this.freeFields(e.region, e.bytes);
    if (e.region !== 0) this.retireValueRegion(e.region, false);
  }

  // ---- programs ---------------------------------------------------------------------------------

  /**
   * bpf_*_storage_get: the region of the owner's value, creating it (zeroed, or a copy of
   * `init[initOff..]`) when `create` and the owner is alive; 0 (NULL) otherwise.
   */
  getFromProg(owner: number, create: boolean, init: Uint8Array | null, initOff: number): number {
    let e = this.elems.get(owner);
    if (e === undefined) {
      if (!create || this.owners.isReleased(owner)) return 0;
      if (this.updateOwner(owner, init, initOff, BPF_NOEXIST) !== 0) return 0;
      e = this.elems.get(owner)!;
    }
    if (e.region === 0) e.region = this.newValueRegion(e.bytes, this.elemSeq++, 0);
    return e.region;
  }

  /** bpf_*_storage_delete: 0 or -ENOENT. */
  deleteFromOwner(owner: number): number {
    return this.dropOwner(owner) ? 0 : -ENOENT;
  }

  protected onFree(): void {
    for (const e of this.elems.values()) this.retireElem(e);
    this.elems.clear();
    this.owners.detach(this);
  }
}

/** The owner whose value a region of a local-storage map is (for tests and dumps), or undefined. */
export function localStorageValueMap(mem: Memory, region: number): LocalStorageMap | undefined {
  const ref = mem.ownerOf(region);
  return ref instanceof MapValueRef && ref.map instanceof LocalStorageMap ? ref.map : undefined;
}
