/**
 * BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY (kernel/bpf/arraymap.c), including the global
 * data maps (`.data`, `.rodata`, `.bss`: one-element MMAPABLE arrays).
 *
 * Layout: every element is preallocated and zeroed; element i of CPU c lives at
 *
 *   data[(i * ncpu + c) * elem_size]     elem_size = round_up(value_size, 8), ncpu = 1 unless per-CPU
 *
 * Elements never go away, so the value region of element i (created on the first program lookup)
 * is a view into `data` for the life of the map.
 */
import { ERRNO } from '../util/errno.js';
import { roundUp } from '../util/bytes.js';
import { BpfMap, arrayGetNextKey, progFlags, readU32, writeU32, type ResolvedAttr } from './map.js';
import type { ForEachCallback, MapEnv, ProgOp } from './types.js';
import { BPF_EXIST, BPF_F, BPF_F_ACCESS_MASK, BPF_F_LOCK, BPF_MAP_TYPE, BPF_NOEXIST, PAGE_SIZE, mapFlagsAccessOk } from './uapi.js';

const { EINVAL, E2BIG, EEXIST, ENOENT, ENOMEM, ENOTSUPP, EPERM, EACCES } = ERRNO;

/** Kernel PCPU_MIN_UNIT_SIZE: the largest per-CPU element. */
export const PCPU_MIN_UNIT_SIZE = 32768;
/** The emulator refuses single maps larger than this (ENOMEM), where a kernel would run out of memory. */
export const MAX_MAP_BYTES = 1 << 30;

const ARRAY_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F.MMAPABLE | BPF_F_ACCESS_MASK | BPF_F.PRESERVE_ELEMS | BPF_F.INNER_MAP;

/** array_map_alloc_check (shared by every array-backed type): 0 or -errno. */
export function arrayAllocCheck(attr: ResolvedAttr): number {
  const percpu = attr.type === BPF_MAP_TYPE.PERCPU_ARRAY;
  const numa = (attr.flags & BPF_F.NUMA_NODE) !== 0;
  if (attr.maxEntries === 0 || attr.keySize !== 4 || attr.valueSize === 0 || attr.flags & ~ARRAY_CREATE_FLAG_MASK || !mapFlagsAccessOk(attr.flags) || (percpu && numa)) {
    return -EINVAL;
  }
  if (attr.type !== BPF_MAP_TYPE.ARRAY && attr.flags & (BPF_F.MMAPABLE | BPF_F.INNER_MAP)) return -EINVAL;
  if (attr.type !== BPF_MAP_TYPE.PERF_EVENT_ARRAY && attr.flags & BPF_F.PRESERVE_ELEMS) return -EINVAL;
  if (attr.valueSize > 0x7fffffff) return -E2BIG;
  if (percpu && roundUp(attr.valueSize, 8) > PCPU_MIN_UNIT_SIZE) return -E2BIG;
  return 0;
}

/** fd_array_map_alloc_check: value_size 4 (an fd), no program access flags, then the array checks. */
export function fdArrayAllocCheck(attr: ResolvedAttr): number {
  if (attr.valueSize !== 4) return -EINVAL;
  if (attr.flags & (BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG)) return -EINVAL;
  return arrayAllocCheck(attr);
}

const OPS_ARRAY: ReadonlySet<ProgOp> = new Set<ProgOp>(['lookup', 'update', 'delete', 'for_each']);
const OPS_PERCPU: ReadonlySet<ProgOp> = new Set<ProgOp>(['lookup', 'update', 'delete', 'for_each', 'lookup_percpu']);

/** ARRAY / PERCPU_ARRAY. */
export class ArrayMap extends BpfMap {
  readonly progOps: ReadonlySet<ProgOp>;
  /** round_up(value_size, 8). */
  readonly elemSize: number;
  readonly percpu: boolean;
  /** All element bytes (page-aligned length for MMAPABLE maps). */
  readonly data: Uint8Array;
  private readonly ncpu: number;
  /** Region id per (element, cpu); 0 = none yet. */
  private regions: Int32Array<ArrayBuffer> | null = null;
  private readonly scratchKey = new Uint8Array(4);

  private constructor(attr: ResolvedAttr, env: MapEnv, data: Uint8Array) {
    super(attr, env);
    this.percpu = attr.type === BPF_MAP_TYPE.PERCPU_ARRAY;
    this.progOps = this.percpu ? OPS_PERCPU : OPS_ARRAY;
    this.elemSize = roundUp(attr.valueSize, 8);
    this.ncpu = this.percpu ? env.nrCpus : 1;
    this.data = data;
    this.batchSupport = { lookup: true, lookupAndDelete: false, update: true, delete: false };
  }

  /** array_map_alloc after the checks: 0-filled storage, or -ENOMEM past {@link MAX_MAP_BYTES}. */
  static create(attr: ResolvedAttr, env: MapEnv): ArrayMap | number {
    const ncpu = attr.type === BPF_MAP_TYPE.PERCPU_ARRAY ? env.nrCpus : 1;
    let bytes = attr.maxEntries * roundUp(attr.valueSize, 8) * ncpu;
    if (attr.flags & BPF_F.MMAPABLE) bytes = roundUp(bytes, PAGE_SIZE);
    if (bytes > MAX_MAP_BYTES) return -ENOMEM;
    return new ArrayMap(attr, env, new Uint8Array(bytes));
  }

  override get userValueSize(): number {
    return this.percpu ? this.elemSize * this.nrCpus : this.valueSize;
  }

  protected override get isPerCpu(): boolean {
    return this.percpu;
  }

  /** Byte offset of element `index` for `cpu` in `data`. */
  offsetOf(index: number, cpu: number): number {
    return (index * this.ncpu + cpu) * this.elemSize;
  }

  // ---- user space ---------------------------------------------------------------------------------

  protected sysLookup(key: Uint8Array | null, out: Uint8Array, _flags: number): number {
    const index = readU32(key!, 0);
    if (index >= this.maxEntries) return -ENOENT;
    if (!this.percpu) {
      this.copyOut(out, 0, this.data, this.offsetOf(index, 0), this.valueSize);
      return 0;
    }
    // bpf_percpu_array_copy: round_up(value_size, 8) bytes per CPU
    for (let c = 0; c < this.ncpu; c++) this.copyOut(out, c * this.elemSize, this.data, this.offsetOf(index, c), this.elemSize);
    return 0;
  }

  protected sysUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): number {
    const index = readU32(key!, 0);
    if (!this.percpu) return this.updateAt(index, value, 0, flags, 0);
    // bpf_percpu_array_update
    if (flags > BPF_EXIST) return -EINVAL;
    if (index >= this.maxEntries) return -E2BIG;
    if (flags === BPF_NOEXIST) return -EEXIST;
    for (let c = 0; c < this.ncpu; c++) {
      const off = this.offsetOf(index, c);
      this.copyIn(this.data, off, value, c * this.elemSize, this.elemSize);
      this.freeFields(this.regionOf(index, c), this.data.subarray(off, off + this.valueSize));
    }
    return 0;
  }

  protected sysDelete(_key: Uint8Array | null): number {
    return -EINVAL; // array_map_delete_elem
  }

  protected sysGetNextKey(key: Uint8Array | null, out: Uint8Array): number {
    return arrayGetNextKey(this.maxEntries, key, out);
  }

  /**
   * mmap() of a BPF_F_MMAPABLE array: the live value bytes (page-aligned length). Returns -ENOTSUPP
   * with special fields, -EINVAL without MMAPABLE, -EPERM for a writable mapping of a frozen map and
   * -EACCES of a BPF_F_RDONLY_PROG map (kernel bpf_map_mmap). A read-only mapping is the same live
   * buffer: not writing through it is the caller's side of the contract.
   */
  mmap(writable: boolean): Uint8Array | number {
    this.checkLive();
    if (this.special.length > 0) return -ENOTSUPP;
    if (!(this.flags & BPF_F.MMAPABLE)) return -EINVAL;
    if (writable && this.frozen) return -EPERM;
    if (writable && this.flags & BPF_F.RDONLY_PROG) return -EACCES;
    return this.data;
  }

  // ---- programs -----------------------------------------------------------------------------------

  override lookupPtr(kb: Uint8Array, ko: number, cpu: number): number {
    const index = readU32(kb, ko);
    if (index >= this.maxEntries) return 0;
    if (!this.percpu) return this.region(index, 0);
    // percpu_array_map_lookup_percpu_elem: cpu >= nr_cpu_ids gives NULL
    return cpu < this.ncpu ? this.region(index, cpu) : 0;
  }

  override updateFromProg(kb: Uint8Array, ko: number, vb: Uint8Array, vo: number, flags: number, cpu: number): number {
    if (cpu >= this.nrCpus) return -EINVAL;
    return this.updateAt(readU32(kb, ko), vb, vo, progFlags(flags), this.percpu ? cpu : 0);
  }

  override deleteFromProg(_kb: Uint8Array, _ko: number, _cpu: number): number {
    return -EINVAL;
  }

  override forEachFromProg(cb: ForEachCallback, flags: number, cpu: number): number {
    // bpf_for_each_array_elem
    if (flags !== 0) return -EINVAL;
    const c = this.percpu ? cpu : 0;
    let n = 0;
    for (let i = 0; i < this.maxEntries; i++) {
      n++;
      writeU32(this.scratchKey, 0, i);
      if (cb(this.scratchKey, 0, this.region(i, c))) break;
    }
    return n;
  }

  /**
   * The region of element 0 for `ld_imm64 rX, map_value + off` (array_map_direct_value_addr):
   * -ENOTSUPP unless max_entries is 1, -EINVAL for off >= value_size or a per-CPU array.
   */
  directValueRegion(off: number): number {
    this.checkLive();
    if (this.percpu) return -EINVAL;
    if (this.maxEntries !== 1) return -ENOTSUPP;
    if (!(off >= 0 && off < this.valueSize)) return -EINVAL;
    return this.region(0, 0);
  }

  /** The value region of element `index` on `cpu`, created on first use. */
  region(index: number, cpu: number): number {
    const slot = index * this.ncpu + cpu;
    let regions = this.regions;
    if (regions === null) regions = this.regions = new Int32Array(this.maxEntries * this.ncpu);
    let id = regions[slot]!;
    if (id === 0) {
      const off = this.offsetOf(index, cpu);
      id = this.newValueRegion(this.data.subarray(off, off + this.valueSize), index, cpu);
      regions[slot] = id;
    }
    return id;
  }

  /** array_map_update_elem on one CPU's copy. */
  private updateAt(index: number, src: Uint8Array, soff: number, flags: number, cpu: number): number {
    if (flags < 0 || (flags & ~BPF_F_LOCK) > BPF_EXIST) return -EINVAL;
    if (index >= this.maxEntries) return -E2BIG;
    if (flags & BPF_NOEXIST) return -EEXIST;
    if (flags & BPF_F_LOCK && !this.hasSpinLock) return -EINVAL;
    const off = this.offsetOf(index, cpu);
    this.copyIn(this.data, off, src, soff, this.valueSize);
    this.freeFields(this.regionOf(index, cpu), this.data.subarray(off, off + this.valueSize));
    return 0;
  }

  private regionOf(index: number, cpu: number): number {
    return this.regions === null ? 0 : this.regions[index * this.ncpu + cpu]!;
  }

  protected onFree(): void {
    const regions = this.regions;
    if (regions === null) return;
    for (let slot = 0; slot < regions.length; slot++) {
      const id = regions[slot]!;
      if (id === 0) continue;
      this.freeFields(id, this.mem.bytes(id));
      this.retireValueRegion(id, false);
    }
    this.regions = null;
  }
}
