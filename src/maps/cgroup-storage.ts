/**
 * BPF_MAP_TYPE_CGROUP_STORAGE and PERCPU_CGROUP_STORAGE (kernel/bpf/local_storage.c): one value
 * (per CPU for the per-CPU type) per (cgroup, attach type) a program using the map is attached to,
 * read by the program with bpf_get_local_storage (helpers/cgroup.ts).
 *
 * Keys: struct bpf_cgroup_storage_key { u64 cgroup_inode_id; u32 attach_type; } (16 bytes with
 * padding: storage per cgroup and attach type), or a u64 cgroup id (8 bytes: one storage per cgroup,
 * shared by its attach types). Storage exists only while linked (what attaching a program does);
 * user space can look up and update linked storage, never create or delete it.
 *
 * Emulator API (for the code that attaches and fires cgroup programs):
 * - `map.link(cgroupId, attachType)` links (or finds) the storage of that cgroup and attach type,
 *   as BPF_PROG_ATTACH does; `map.unlink(...)` drops it (the kernel does when the cgroup goes).
 * - `bindCgroupStorage(m, map, storage)` (helpers/cgroup.ts) makes it the one bpf_get_local_storage
 *   returns for the rest of the run on machine `m`. A run without a binding (a BPF_PROG_TEST_RUN)
 *   gets fresh zeroed storage that is linked nowhere, shared by the repetitions of one test run
 *   (keyed by the run's context object), as the kernel's test runs do.
 *
 * Create-time checks and syscall errnos measured on 6.18 (test/maps/goldens/cgroup-storage.json).
 * Differences: the key's BTF shape is not checked (cgroup_storage_check_btf), a program may use two
 * maps of one storage type (the kernel refuses that at load with EBUSY).
 */
import { ERRNO } from '../util/errno.js';
import { roundUp } from '../util/bytes.js';
import { PCPU_MIN_UNIT_SIZE } from './array.js';
import { LOCAL_STORAGE_MAX_VALUE_SIZE } from './local-storage.js';
import { BpfMap, type ResolvedAttr } from './map.js';
import type { MapEnv, ProgOp } from './types.js';
import { BPF_EXIST, BPF_F, BPF_F_LOCK, BPF_MAP_TYPE } from './uapi.js';

const { EINVAL, E2BIG, ENOENT } = ERRNO;

/** sizeof(struct bpf_cgroup_storage_key) on 64-bit (u64 + u32, padded). */
export const CGROUP_STORAGE_KEY_SIZE = 16;

/** kernel/bpf/local_storage.c LOCAL_STORAGE_CREATE_FLAG_MASK: BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK. */
const CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY | BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG;

/** cgroup_storage_map_alloc's checks: 0 or -errno. */
export function cgroupStorageAllocCheck(attr: ResolvedAttr): number {
  const max = attr.type === BPF_MAP_TYPE.PERCPU_CGROUP_STORAGE ? Math.min(LOCAL_STORAGE_MAX_VALUE_SIZE, PCPU_MIN_UNIT_SIZE) : LOCAL_STORAGE_MAX_VALUE_SIZE;
  if (attr.keySize !== CGROUP_STORAGE_KEY_SIZE && attr.keySize !== 8) return -EINVAL;
  if (attr.valueSize === 0) return -EINVAL;
  if (attr.valueSize > max) return -E2BIG;
  // bpf_map_flags_access_ok: not both program access flags
  if (attr.flags & ~CREATE_FLAG_MASK || (attr.flags & BPF_F.RDONLY_PROG && attr.flags & BPF_F.WRONLY_PROG)) return -EINVAL;
  return attr.maxEntries !== 0 ? -EINVAL : 0;
}

/** One linked (or test-run) storage. */
export class CgroupStorage {
  /** Value region per CPU (0 until a program asks). */
  readonly regions: number[];
  constructor(
    readonly cgroupId: bigint,
    readonly attachType: number,
    /** The value (per-CPU maps: one round_up(value_size, 8) slot per CPU). */
    public bytes: Uint8Array,
    ncpu: number,
  ) {
    this.regions = new Array<number>(ncpu).fill(0);
  }
}

const PROG_OPS: ReadonlySet<ProgOp> = new Set<ProgOp>();

/** A cgroup storage map (shared or per-CPU). */
export class CgroupStorageMap extends BpfMap {
  /** Programs reach it only through bpf_get_local_storage. */
  readonly progOps = PROG_OPS;
  readonly percpu: boolean;
  /** Bytes of one CPU's slot (per-CPU: round_up(value_size, 8)). */
  readonly slot: number;
  /** Linked storages, the most recently linked first (the kernel's list_add). */
  private readonly linked: CgroupStorage[] = [];
  private seq = 0;

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
    this.percpu = attr.type === BPF_MAP_TYPE.PERCPU_CGROUP_STORAGE;
    this.slot = this.percpu ? roundUp(attr.valueSize, 8) : attr.valueSize;
  }

  override get userValueSize(): number {
    return this.percpu ? this.nrCpus * this.slot : this.valueSize;
  }

  protected override get isPerCpu(): boolean {
    return this.percpu;
  }

  /** Whether storage is per attach type (16-byte keys) rather than per cgroup (8-byte keys). */
  get attachTypeIsolated(): boolean {
    return this.keySize === CGROUP_STORAGE_KEY_SIZE;
  }

  /** Linked storages, most recent first. */
  storages(): readonly CgroupStorage[] {
    return this.linked;
  }

  private find(cgroupId: bigint, attachType: number): CgroupStorage | undefined {
    const iso = this.attachTypeIsolated;
    return this.linked.find((s) => s.cgroupId === cgroupId && (!iso || s.attachType === attachType));
  }

  private newStorage(cgroupId: bigint, attachType: number): CgroupStorage {
    const ncpu = this.percpu ? this.nrCpus : 1;
    return new CgroupStorage(cgroupId, attachType, new Uint8Array(ncpu * this.slot), ncpu);
  }

  /** Link (or find) the storage of (cgroup, attach type): what attaching a program that uses the map does. */
  link(cgroupId: bigint, attachType: number): CgroupStorage {
    this.checkLive();
    const found = this.find(cgroupId, attachType);
    if (found !== undefined) return found;
    const s = this.newStorage(cgroupId, this.attachTypeIsolated ? attachType : 0);
    this.linked.unshift(s);
    return s;
  }

  /** Unlink and free the storage of (cgroup, attach type); false when there is none. */
  unlink(cgroupId: bigint, attachType: number): boolean {
    const s = this.find(cgroupId, attachType);
    if (s === undefined) return false;
    this.linked.splice(this.linked.indexOf(s), 1);
    this.retireStorage(s);
    return true;
  }

  /** Storage linked nowhere, for one run (bpf_test_run's bpf_cgroup_storages_alloc). */
  runStorage(): CgroupStorage {
    return this.newStorage(0n, 0);
  }

  /** The region of `s`'s value for `cpu` (created on first use). */
  regionOf(s: CgroupStorage, cpu: number): number {
    const c = this.percpu ? cpu : 0;
    let r = s.regions[c]!;
    if (r === 0) {
      r = this.newValueRegion(s.bytes.subarray(c * this.slot, c * this.slot + this.valueSize), this.seq++, c);
      s.regions[c] = r;
    }
    return r;
  }

  /**
   * A region of an unlinked (test-run) storage's value for `cpu`, not cached: the caller retires it
   * at the end of the run, and a later run of the same test-run call maps the same bytes again.
   */
  transientRegionOf(s: CgroupStorage, cpu: number): number {
    const c = this.percpu ? cpu : 0;
    return this.newValueRegion(s.bytes.subarray(c * this.slot, c * this.slot + this.valueSize), this.seq++, c);
  }

  private retireStorage(s: CgroupStorage): void {
    for (const r of s.regions) if (r !== 0) this.retireValueRegion(r, false);
    s.regions.fill(0);
  }

  // ---- syscall side -----------------------------------------------------------------------------

  private keyOf(key: Uint8Array): [bigint, number] {
    const dv = new DataView(key.buffer, key.byteOffset, key.byteLength);
    return [dv.getBigUint64(0, true), this.attachTypeIsolated ? dv.getUint32(8, true) : 0];
  }

  protected sysLookup(key: Uint8Array | null, out: Uint8Array, _flags: number): number {
    const s = this.find(...this.keyOf(key!));
    if (s === undefined) return -ENOENT;
    if (this.percpu) out.set(s.bytes);
    else this.copyOut(out, 0, s.bytes, 0, this.valueSize);
    return 0;
  }

  protected sysUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): number {
    if (this.percpu ? flags !== 0 && flags !== BPF_EXIST : flags & ~(BPF_F_LOCK | BPF_EXIST)) return -EINVAL;
    const s = this.find(...this.keyOf(key!));
    if (s === undefined) return -ENOENT;
    if (this.percpu) {
      // bpf_percpu_cgroup_storage_update: in place, every CPU's rounded slot
      s.bytes.set(value);
      return 0;
    }
    if (flags & BPF_F_LOCK) {
      this.copyIn(s.bytes, 0, value, 0, this.valueSize);
      return 0;
    }
    // a new buffer (xchg + kfree_rcu): a program's pointer to the old one keeps the old bytes
    const fresh = new Uint8Array(this.valueSize);
    this.copyIn(fresh, 0, value, 0, this.valueSize);
    this.retireStorage(s);
    s.bytes = fresh;
    return 0;
  }

  protected sysDelete(_key: Uint8Array | null): number {
    return -EINVAL;
  }

  protected sysGetNextKey(key: Uint8Array | null, out: Uint8Array): number {
    let i = 0;
    if (key !== null) {
      const s = this.find(...this.keyOf(key));
      if (s === undefined) return -ENOENT;
      i = this.linked.indexOf(s) + 1;
    }
    const next = this.linked[i];
    if (next === undefined) return -ENOENT;
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    out.fill(0);
    dv.setBigUint64(0, next.cgroupId, true);
    if (this.attachTypeIsolated) dv.setUint32(8, next.attachType, true);
    return 0;
  }

  protected onFree(): void {
    for (const s of this.linked) this.retireStorage(s);
    this.linked.length = 0;
  }
}
