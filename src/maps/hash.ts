/**
 * BPF_MAP_TYPE_HASH, PERCPU_HASH, LRU_HASH and LRU_PERCPU_HASH (kernel/bpf/hashtab.c) on top of
 * {@link HashBase}.
 *
 * Values sit in a {@link Slab} next to the keys: one round_up(value_size, 8) record per element, or
 * one per CPU for per-CPU maps (user space sees them back to back, nrCpus x round_up(value_size, 8)).
 * A program's first lookup of an element (per CPU) maps a region over its value.
 *
 * Updates follow the kernel: HASH and LRU_HASH replace an existing element (the kernel links a new
 * element and frees the old one after an RCU grace period), so a pointer taken before the update
 * keeps seeing the old value (its region gets a private copy and is retired) and the element moves
 * to the head of its bucket; per-CPU maps and BPF_F_LOCK updates write in place.
 */
import { ERRNO } from '../util/errno.js';
import { roundUp } from '../util/bytes.js';
import { progFlags, type ResolvedAttr } from './map.js';
import { HashBase, htabMaxEntries, isLruHash, isPercpuHash } from './hashtab.js';
import { Slab, growInt32 } from './storage.js';
import type { ForEachCallback, MapEnv, ProgOp } from './types.js';
import { BPF_EXIST, BPF_F_LOCK, BPF_MAP_TYPE } from './uapi.js';

const { EINVAL, E2BIG, ENOENT } = ERRNO;

const OPS_HASH: ReadonlySet<ProgOp> = new Set<ProgOp>(['lookup', 'update', 'delete', 'for_each']);
const OPS_PERCPU: ReadonlySet<ProgOp> = new Set<ProgOp>(['lookup', 'update', 'delete', 'for_each', 'lookup_percpu']);

/** The hash map family. */
export class HashMap extends HashBase {
  readonly progOps: ReadonlySet<ProgOp>;
  readonly percpu: boolean;
  /** round_up(value_size, 8): one CPU's share of a per-CPU value. */
  readonly elemSize: number;
  private readonly values: Slab;
  private readonly ncpu: number;
  /** Region id per (slot, cpu); 0 = none. */
  private regions: Int32Array<ArrayBuffer> | null = null;

  private constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
    this.percpu = isPercpuHash(attr.type);
    this.progOps = this.percpu ? OPS_PERCPU : OPS_HASH;
    this.elemSize = roundUp(attr.valueSize, 8);
    this.ncpu = this.percpu ? env.nrCpus : 1;
    this.values = new Slab(this.elemSize * this.ncpu, attr.maxEntries);
    this.batchSupport = { lookup: true, lookupAndDelete: true, update: true, delete: true };
  }

  /** htab_map_alloc after htab_map_alloc_check: the map, or -errno from the sizing checks. */
  static create(attr: ResolvedAttr, env: MapEnv): HashMap | number {
    const max = htabMaxEntries(attr, env.nrCpus);
    if (max < 0) return max;
    return new HashMap({ ...attr, maxEntries: max }, env);
  }

  override get userValueSize(): number {
    return this.percpu ? this.elemSize * this.nrCpus : this.valueSize;
  }

  protected override get isPerCpu(): boolean {
    return this.percpu;
  }

  protected growElems(cap: number): void {
    this.values.ensure(cap);
    if (this.regions !== null) this.regions = growInt32(this.regions, cap * this.ncpu, 0);
  }

  // ---- user space ---------------------------------------------------------------------------------

  protected sysLookup(key: Uint8Array | null, out: Uint8Array, flags: number): number {
    // LRU maps: map_lookup_elem_sys_only does not mark the element used
    const s = this.find(key!, 0, this.hashKey(key!, 0));
    if (s < 0) return -ENOENT;
    this.userValueInto(s, out, 0, flags);
    return 0;
  }

  protected sysUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): number {
    // syscalls run on CPU 0 (it only matters for BPF_F_NO_COMMON_LRU lists)
    return this.updateElem(key!, 0, value, 0, flags, 0, true);
  }

  protected sysDelete(key: Uint8Array | null): number {
    const s = this.find(key!, 0, this.hashKey(key!, 0));
    if (s < 0) return -ENOENT;
    this.remove(s);
    return 0;
  }

  protected override sysLookupAndDelete(key: Uint8Array | null, out: Uint8Array, flags: number): number {
    const s = this.find(key!, 0, this.hashKey(key!, 0));
    if (s < 0) return -ENOENT;
    this.userValueInto(s, out, 0, flags);
    this.remove(s);
    return 0;
  }

  protected userValueInto(slot: number, out: Uint8Array, off: number, _flags: number): void {
    const chunk = this.values.chunk(slot);
    const base = this.values.offset(slot);
    if (!this.percpu) {
      this.copyOut(out, off, chunk, base, this.valueSize);
      return;
    }
    // bpf_percpu_hash_copy: round_up(value_size, 8) per possible CPU
    for (let c = 0; c < this.ncpu; c++) this.copyOut(out, off + c * this.elemSize, chunk, base + c * this.elemSize, this.elemSize);
  }

  // ---- programs -----------------------------------------------------------------------------------

  override lookupPtr(kb: Uint8Array, ko: number, cpu: number): number {
    if (this.percpu && cpu >= this.ncpu) return 0; // lookup_percpu_elem: cpu >= nr_cpu_ids
    const s = this.find(kb, ko, this.hashKey(kb, ko));
    if (s < 0) return 0;
    if (this.lru) this.touch(s); // bpf_lru_node_set_ref
    return this.region(s, this.percpu ? cpu : 0);
  }

  override updateFromProg(kb: Uint8Array, ko: number, vb: Uint8Array, vo: number, flags: number, cpu: number): number {
    if (cpu >= this.nrCpus) return -EINVAL;
    return this.updateElem(kb, ko, vb, vo, progFlags(flags), cpu, false);
  }

  override deleteFromProg(kb: Uint8Array, ko: number, _cpu: number): number {
    const s = this.find(kb, ko, this.hashKey(kb, ko));
    if (s < 0) return -ENOENT;
    this.remove(s);
    return 0;
  }

  override forEachFromProg(cb: ForEachCallback, flags: number, cpu: number): number {
    const c = this.percpu ? cpu : 0;
    return this.forEachSlot(cb, flags, (s) => this.region(s, c));
  }

  /** The value region of `slot` for `cpu`, created on first use. */
  private region(slot: number, cpu: number): number {
    let regions = this.regions;
    if (regions === null) regions = this.regions = new Int32Array(this.capacity * this.ncpu);
    const i = slot * this.ncpu + cpu;
    let id = regions[i]!;
    if (id === 0) {
      const off = this.values.offset(slot) + cpu * this.elemSize;
      id = this.newValueRegion(this.values.chunk(slot).subarray(off, off + this.valueSize), slot, cpu);
      regions[i] = id;
    }
    return id;
  }

  // ---- the update paths ---------------------------------------------------------------------------

  /**
   * htab_map_update_elem / htab_lru_map_update_elem / htab_map_update_elem_in_place /
   * __htab_lru_percpu_map_update_elem. `all` (user space): per-CPU values come for every CPU.
   */
  private updateElem(kb: Uint8Array, ko: number, vb: Uint8Array, vo: number, flags: number, cpu: number, all: boolean): number {
    if (flags < 0) return -EINVAL;
    const replaceable = !this.percpu && !this.lru;
    // only plain HASH accepts BPF_F_LOCK; LRU and per-CPU maps reject any flag above BPF_EXIST
    if (replaceable ? (flags & ~BPF_F_LOCK) > BPF_EXIST : flags > BPF_EXIST) return -EINVAL;
    if (flags & BPF_F_LOCK && !this.hasSpinLock) return -EINVAL;
    const h = this.hashKey(kb, ko);
    const s = this.find(kb, ko, h);
    const err = HashBase.checkFlags(s >= 0, flags);
    if (err !== 0) return err;
    if (s >= 0) {
      if (flags & BPF_F_LOCK) {
        // copy_map_value_locked: in place, the lock (a special field) is not copied
        this.copyIn(this.values.chunk(s), this.values.offset(s), vb, vo, this.valueSize);
        return 0;
      }
      if (this.percpu) {
        this.touch(s);
        this.writePercpu(s, vb, vo, cpu, all);
        return 0;
      }
      this.replaceValue(s);
      this.copyIn(this.values.chunk(s), this.values.offset(s), vb, vo, this.valueSize);
      this.moveToBucketHead(s);
      this.touch(s);
      return 0;
    }
    if (!this.lru && this.full) return -E2BIG;
    const slot = this.insert(kb, ko, h, cpu);
    if (this.percpu) this.writePercpu(slot, vb, vo, cpu, all);
    else this.copyIn(this.values.chunk(slot), this.values.offset(slot), vb, vo, this.valueSize);
    return 0;
  }

  /**
   * pcpu_copy_value / pcpu_init_value: every CPU's round_up(value_size, 8) bytes from user space, or
   * value_size bytes of the current CPU's copy from a program (a new element's other copies are zero).
   */
  private writePercpu(slot: number, vb: Uint8Array, vo: number, cpu: number, all: boolean): void {
    const chunk = this.values.chunk(slot);
    const base = this.values.offset(slot);
    if (all) {
      for (let c = 0; c < this.ncpu; c++) this.copyIn(chunk, base + c * this.elemSize, vb, vo + c * this.elemSize, this.elemSize);
    } else {
      this.copyIn(chunk, base + cpu * this.elemSize, vb, vo, this.valueSize);
    }
  }

  /** The old element of a replacing update goes away: free its fields, retire its region. */
  private replaceValue(slot: number): void {
    const id = this.regions === null ? 0 : this.regions[slot]!;
    const base = this.values.offset(slot);
    const chunk = this.values.chunk(slot);
    this.freeFields(id, chunk.subarray(base, base + this.valueSize));
    if (id !== 0) {
      this.retireValueRegion(id, true);
      this.regions![slot] = 0;
    }
    chunk.fill(0, base, base + this.values.stride);
  }

  protected releaseElem(slot: number): void {
    this.dropValue(slot, true);
  }

  private dropValue(slot: number, snapshot: boolean): void {
    const chunk = this.values.chunk(slot);
    const base = this.values.offset(slot);
    for (let c = 0; c < this.ncpu; c++) {
      const i = slot * this.ncpu + c;
      const id = this.regions === null ? 0 : this.regions[i]!;
      const off = base + c * this.elemSize;
      this.freeFields(id, chunk.subarray(off, off + this.valueSize));
      if (id !== 0) {
        this.retireValueRegion(id, snapshot);
        this.regions![i] = 0;
      }
    }
    chunk.fill(0, base, base + this.values.stride);
  }

  protected onFree(): void {
    for (const s of this.liveSlots()) this.dropValue(s, false);
    this.regions = null;
  }

  /** Bytes of element storage allocated (keys and values), for memory measurements. */
  get storageBytes(): number {
    return this.keys.bytes + this.values.bytes;
  }
}

/** Whether a map type number belongs to the hash map family. */
export function isHashFamily(type: number): boolean {
  return type === BPF_MAP_TYPE.HASH || isPercpuHash(type) || isLruHash(type);
}
