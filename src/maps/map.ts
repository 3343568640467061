/**
 * The common map object: attributes, the syscall-side API (kernel/bpf/syscall.c semantics: access
 * checks, BPF_F_LOCK checks, batch commands, MAP_FREEZE) and the BPF-side API helpers call.
 *
 * Two faces:
 * - user space (`lookup`, `update`, `delete`, `getNextKey`, `lookupAndDelete`, the batch commands,
 *   `freeze`): byte-oriented, returns 0 or `-errno` exactly as BPF_MAP_* commands would. Wrong buffer
 *   sizes are host bugs and throw {@link MapError}.
 * - programs (`lookupPtr`, `updateFromProg`, `deleteFromProg`, `pushFromProg`/`popFromProg`/
 *   `peekFromProg`, `forEachFromProg`): take keys and values in place in guest memory (buffer +
 *   offset, no allocation) and the current CPU; return region ids or `-errno`.
 *
 * Value pointers are regions of the {@link Memory}: `lookupPtr` returns the id of a region whose
 * offset 0 is the value, so the helper returns `id << 32`. Every map also owns a handle region
 * (RegionKind.MAP, no access, owner = the map) that `ld_imm64 rX, map` points to.
 *
 * Maps are little endian, like the emulated machine: array keys are little-endian u32 indexes.
 */
import { ERRNO } from '../util/errno.js';
import { PERM_NONE, PERM_R, PERM_RW, PERM_W, RegionKind, type Memory } from '../vm/memory.js';
import { MapError } from './errors.js';
import { copyBytes } from './storage.js';
import { MapValueRef, type BatchOptions, type BatchResult, type ForEachCallback, type MapEnv, type ProgOp, type SpecialField } from './types.js';
import { BPF_F, BPF_F_LOCK, BPF_MAP_TYPE, mapTypeName } from './uapi.js';

const { EINVAL, EPERM, ENOTSUPP, ENOENT, EFAULT, EOPNOTSUPP } = ERRNO;

/** Attributes after createMap's defaults and generic checks. */
export interface ResolvedAttr {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** All creation flags as given (RDONLY/WRONLY included). */
  readonly flags: number;
  readonly mapExtra: bigint;
  readonly numaNode: number;
  readonly name: string;
  readonly specialFields: readonly SpecialField[];
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  readonly innerMap: BpfMap | undefined;
  readonly id: number;
}

/** Which batch commands a map type implements (the kernel's map_*_batch ops). */
export interface BatchSupport {
  readonly lookup: boolean;
  readonly lookupAndDelete: boolean;
  readonly update: boolean;
  readonly delete: boolean;
}

const NO_BATCH: BatchSupport = { lookup: false, lookupAndDelete: false, update: false, delete: false };

/** A snapshot of a map's attributes (like struct bpf_map_info). */
export interface MapInfo {
  readonly id: number;
  readonly type: number;
  readonly typeName: string;
  readonly name: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra: bigint;
  readonly frozen: boolean;
}

/** An emulated BPF map: the attributes and both faces of its API. */
export abstract class BpfMap {
  readonly id: number;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** Map flags as the kernel keeps them (bpf_map_flags_retain_permanent: no BPF_F_RDONLY/WRONLY). */
  readonly flags: number;
  /**
   * BPF_F_RDONLY / BPF_F_WRONLY of the creating fd: what the user-space API may do. The kernel layer,
   * which checks permissions per fd itself (several fds may have different modes), sets it to 0.
   */
  fdFlags: number;
  readonly mapExtra: bigint;
  readonly numaNode: number;
  readonly name: string;
  readonly env: MapEnv;
  readonly mem: Memory;
  readonly nrCpus: number;
  readonly specialFields: readonly SpecialField[];
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** Region a program's `ld_imm64 rX, map` points to (no access; owner = this map). */
  readonly handleRegion: number;
  /** Helper operations programs may use on this map (the verifier's check_map_func_compatibility). */
  abstract readonly progOps: ReadonlySet<ProgOp>;
  /** MAP_FREEZE happened: user-space writes fail with EPERM; programs are unaffected. */
  frozen = false;
  freed = false;
  private refcnt = 1;
  /** Sorted [start, end) byte ranges of special fields. */
  protected readonly special: readonly (readonly [number, number])[];
  protected readonly hasSpinLock: boolean;
  /** Permission of value regions as programs see them (BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG). */
  protected readonly valuePerm: number;
  protected batchSupport: BatchSupport = NO_BATCH;

  constructor(attr: ResolvedAttr, env: MapEnv) {
    this.id = attr.id;
    this.type = attr.type;
    this.keySize = attr.keySize;
    this.valueSize = attr.valueSize;
    this.maxEntries = attr.maxEntries;
    this.flags = attr.flags & ~(BPF_F.RDONLY | BPF_F.WRONLY);
    this.fdFlags = attr.flags & (BPF_F.RDONLY | BPF_F.WRONLY);
    this.mapExtra = attr.mapExtra;
    this.numaNode = attr.numaNode;
    this.name = attr.name;
    this.env = env;
    this.mem = env.mem;
    this.nrCpus = env.nrCpus;
    this.specialFields = attr.specialFields;
    this.btfKeyTypeId = attr.btfKeyTypeId;
    this.btfValueTypeId = attr.btfValueTypeId;
    this.special = [...attr.specialFields].sort((a, b) => a.offset - b.offset).map((f) => [f.offset, f.offset + f.size] as const);
    this.hasSpinLock = attr.specialFields.some((f) => f.kind === 'spin_lock' || f.kind === 'res_spin_lock');
    this.valuePerm = this.flags & BPF_F.RDONLY_PROG ? PERM_R : this.flags & BPF_F.WRONLY_PROG ? PERM_W : PERM_RW;
    this.handleRegion = env.mem.map(new Uint8Array(0), { kind: RegionKind.MAP, perm: PERM_NONE, label: `map ${attr.name || attr.id}`, owner: this });
  }

  /** bpftool's name of the type (`hash`). */
  get typeName(): string {
    return mapTypeName(this.type);
  }

  /** Bytes of a value as user space reads and writes it (per-CPU maps: nrCpus x round_up(value_size, 8)). */
  get userValueSize(): number {
    return this.valueSize;
  }

  /** A bpf_map_info-like snapshot. */
  info(): MapInfo {
    return {
      id: this.id,
      type: this.type,
      typeName: this.typeName,
      name: this.name,
      keySize: this.keySize,
      valueSize: this.valueSize,
      maxEntries: this.maxEntries,
      flags: this.flags,
      mapExtra: this.mapExtra,
      frozen: this.frozen,
    };
  }

  /** Whether the user-space API may read (not created BPF_F_WRONLY). */
  get canRead(): boolean {
    return (this.fdFlags & BPF_F.WRONLY) === 0;
  }

  /** Whether the user-space API may write (not BPF_F_RDONLY, not frozen). */
  get canWrite(): boolean {
    return (this.fdFlags & BPF_F.RDONLY) === 0 && !this.frozen;
  }

  /**
   * Whether programs may change the map through helpers (update/delete/push/pop): the verifier
   * rejects them at load time for BPF_F_RDONLY_PROG maps ("write into map forbidden"); the map
   * methods themselves do not check, so the kernel layer must.
   */
  get progWritable(): boolean {
    return (this.flags & BPF_F.RDONLY_PROG) === 0;
  }

  // ---- user space: BPF_MAP_* commands ---------------------------------------------------------

  /** BPF_MAP_LOOKUP_ELEM: copy the value of `key` into `value`. Bloom filters read `value` instead. */
  lookup(key: Uint8Array | null, value: Uint8Array, flags = 0): number {
    this.checkLive();
    this.checkValueBuf(value, 'lookup');
    if (!isU32(flags) || flags & ~BPF_F_LOCK) return -EINVAL;
    if (!this.canRead) return -EPERM;
    if (flags & BPF_F_LOCK && !this.hasSpinLock) return -EINVAL;
    const k = this.userKey(key, 'lookup');
    if (typeof k === 'number') return k;
    return this.sysLookup(k, value, flags);
  }

  /** BPF_MAP_UPDATE_ELEM with BPF_ANY / BPF_NOEXIST / BPF_EXIST, optionally | BPF_F_LOCK. */
  update(key: Uint8Array | null, value: Uint8Array, flags = 0): number {
    this.checkLive();
    this.checkValueBuf(value, 'update');
    if (!this.canWrite) return -EPERM;
    if (flags & BPF_F_LOCK && !this.hasSpinLock) return -EINVAL;
    if (!isU32(flags)) return -EINVAL;
    const k = this.userKey(key, 'update');
    if (typeof k === 'number') return k;
    return this.sysUpdate(k, value, flags);
  }

  /** BPF_MAP_DELETE_ELEM. */
  delete(key: Uint8Array | null): number {
    this.checkLive();
    if (!this.canWrite) return -EPERM;
    const k = this.userKey(key, 'delete');
    if (typeof k === 'number') return k;
    return this.sysDelete(k);
  }

  /** BPF_MAP_GET_NEXT_KEY: the key after `key` (or the first one for null) into `next`. */
  getNextKey(key: Uint8Array | null, next: Uint8Array): number {
    this.checkLive();
    if (next.length !== this.keySize) throw new MapError('MAP_BAD_ARGUMENT', `map ${this.name}: get_next_key: next key buffer is ${next.length} bytes, key_size is ${this.keySize}`);
    if (!this.canRead) return -EPERM;
    let k: Uint8Array | null = null;
    if (key !== null) {
      const r = this.userKey(key, 'get_next_key');
      if (typeof r === 'number') return r;
      k = r;
    }
    return this.sysGetNextKey(k, next);
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM (queue/stack pop, hash family; others ENOTSUPP). */
  lookupAndDelete(key: Uint8Array | null, value: Uint8Array, flags = 0): number {
    this.checkLive();
    this.checkValueBuf(value, 'lookup_and_delete');
    if (!isU32(flags) || flags & ~BPF_F_LOCK) return -EINVAL;
    if (!this.canRead || !this.canWrite) return -EPERM;
    if (flags !== 0 && (this.type === BPF_MAP_TYPE.QUEUE || this.type === BPF_MAP_TYPE.STACK)) return -EINVAL;
    if (flags & BPF_F_LOCK && !this.hasSpinLock) return -EINVAL;
    const k = this.userKey(key, 'lookup_and_delete');
    if (typeof k === 'number') return k;
    return this.sysLookupAndDelete(k, value, flags);
  }

  /**
   * BPF_MAP_LOOKUP_BATCH: up to `count` elements after the `inBatch` token (null: from the start)
   * into `keys`/`values`. At the end err is -ENOENT (with the last elements still returned).
   */
  lookupBatch(inBatch: Uint8Array | null, keys: Uint8Array, values: Uint8Array, count: number, opts: BatchOptions = {}): BatchResult {
    this.checkLive();
    this.checkBatchBufs(keys, values, count);
    if (!this.canRead) return fail(-EPERM);
    if (!this.batchSupport.lookup) return fail(-ENOTSUPP);
    return this.lookupBatchImpl(inBatch, keys, values, count, opts, false);
  }

  /** BPF_MAP_LOOKUP_AND_DELETE_BATCH: like lookupBatch, deleting what it returns (hash family only). */
  lookupAndDeleteBatch(inBatch: Uint8Array | null, keys: Uint8Array, values: Uint8Array, count: number, opts: BatchOptions = {}): BatchResult {
    this.checkLive();
    this.checkBatchBufs(keys, values, count);
    if (!this.canRead || !this.canWrite) return fail(-EPERM);
    if (!this.batchSupport.lookupAndDelete) return fail(-ENOTSUPP);
    return this.lookupBatchImpl(inBatch, keys, values, count, opts, true);
  }

  /** BPF_MAP_UPDATE_BATCH: update `count` key/value pairs in order, stopping at the first error. */
  updateBatch(keys: Uint8Array, values: Uint8Array, count: number, opts: BatchOptions = {}): BatchResult {
    this.checkLive();
    this.checkBatchBufs(keys, values, count);
    if (!this.canWrite) return fail(-EPERM);
    if (!this.batchSupport.update) return fail(-ENOTSUPP);
    // kernel generic_map_update_batch
    const ef = opts.elemFlags ?? 0;
    if (!isU32(ef) || ef & ~BPF_F_LOCK) return fail(-EINVAL);
    if (ef & BPF_F_LOCK && !this.hasSpinLock) return fail(-EINVAL);
    const ks = this.keySize;
    const vs = this.userValueSize;
    let cp = 0;
    let err = 0;
    for (; cp < count; cp++) {
      err = this.sysUpdate(keys.subarray(cp * ks, cp * ks + ks), values.subarray(cp * vs, cp * vs + vs), ef);
      if (err !== 0) break;
    }
    return { err, count: cp, outBatch: null };
  }

  /** BPF_MAP_DELETE_BATCH: delete `count` keys in order, stopping at the first error. */
  deleteBatch(keys: Uint8Array, count: number, opts: BatchOptions = {}): BatchResult {
    this.checkLive();
    this.checkBatchBufs(keys, null, count);
    if (!this.canWrite) return fail(-EPERM);
    if (!this.batchSupport.delete) return fail(-ENOTSUPP);
    // kernel generic_map_delete_batch
    const ef = opts.elemFlags ?? 0;
    if (!isU32(ef) || ef & ~BPF_F_LOCK) return fail(-EINVAL);
    if (ef & BPF_F_LOCK && !this.hasSpinLock) return fail(-EINVAL);
    const ks = this.keySize;
    let cp = 0;
    let err = 0;
    for (; cp < count; cp++) {
      err = this.sysDelete(keys.subarray(cp * ks, cp * ks + ks));
      if (err !== 0) break;
    }
    return { err, count: cp, outBatch: null };
  }

  /**
   * BPF_MAP_FREEZE: further user-space writes fail with EPERM (kernel map_freeze). Maps with special
   * fields cannot be frozen (ENOTSUPP); freezing twice fails with EPERM, since a frozen map's fd is no
   * longer writable (map_get_sys_perms is checked before the frozen flag).
   */
  freeze(): number {
    this.checkLive();
    if (this.type === BPF_MAP_TYPE.STRUCT_OPS || this.special.length > 0) return -ENOTSUPP;
    if (!this.canWrite) return -EPERM;
    this.frozen = true;
    return 0;
  }

  /** All elements as [key, value] copies, in get_next_key order (ignores fd access flags). */
  *entries(): Generator<[Uint8Array, Uint8Array]> {
    this.checkLive();
    let key: Uint8Array | null = null;
    for (;;) {
      const next = new Uint8Array(this.keySize);
      if (this.sysGetNextKey(key, next) !== 0) return;
      const value = new Uint8Array(this.userValueSize);
      if (this.sysLookup(next, value, 0) === 0) yield [next, value];
      key = next;
    }
  }

  // ---- implementation hooks -------------------------------------------------------------------

  /** map lookup after the syscall checks; `out` has userValueSize bytes. */
  protected abstract sysLookup(key: Uint8Array | null, out: Uint8Array, flags: number): number;
  /** map update after the syscall checks. */
  protected abstract sysUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): number;
  /** map delete after the syscall checks. */
  protected abstract sysDelete(key: Uint8Array | null): number;
  /** get_next_key after the syscall checks. */
  protected abstract sysGetNextKey(key: Uint8Array | null, out: Uint8Array): number;

  /** lookup_and_delete after the syscall checks (kernel: only queue, stack and the hash family). */
  protected sysLookupAndDelete(_key: Uint8Array | null, _out: Uint8Array, _flags: number): number {
    return -ENOTSUPP;
  }

  /** Batch lookup (kernel generic_map_lookup_batch: walk get_next_key from the token key). */
  protected lookupBatchImpl(inBatch: Uint8Array | null, keys: Uint8Array, values: Uint8Array, count: number, opts: BatchOptions, del: boolean): BatchResult {
    if (del) return fail(-ENOTSUPP);
    const ef = opts.elemFlags ?? 0;
    if (!isU32(ef) || ef & ~BPF_F_LOCK) return fail(-EINVAL);
    if (ef & BPF_F_LOCK && !this.hasSpinLock) return fail(-EINVAL);
    if (count === 0) return { err: 0, count: 0, outBatch: null };
    const ks = this.keySize;
    const vs = this.userValueSize;
    if (inBatch !== null && inBatch.length !== ks) throw new MapError('MAP_BAD_ARGUMENT', `map ${this.name}: lookup_batch: in_batch is ${inBatch.length} bytes, key_size is ${ks}`);
    let prev: Uint8Array | null = inBatch === null ? null : inBatch.slice();
    let cp = 0;
    let err = 0;
    while (cp < count) {
      const key = new Uint8Array(ks);
      err = this.sysGetNextKey(prev, key);
      if (err !== 0) break;
      err = this.sysLookup(key, values.subarray(cp * vs, cp * vs + vs), ef);
      if (err === -ENOENT) {
        prev = key;
        continue;
      }
      // any other error: the kernel returns it without writing count (which it zeroed first)
      if (err !== 0) return { err, count: 0, outBatch: null };
      keys.set(key, cp * ks);
      cp++;
      prev = key;
    }
    return { err, count: cp, outBatch: cp > 0 ? prev : null };
  }

  // ---- programs: what helpers call ------------------------------------------------------------

  /**
   * bpf_map_lookup_elem (and bpf_map_lookup_percpu_elem with an explicit cpu): the region id of the
   * value of the key at `kb[ko..]` for `cpu`, or 0 (NULL).
   */
  lookupPtr(_kb: Uint8Array, _ko: number, _cpu: number): number {
    return 0;
  }

  /** bpf_map_update_elem from a program: 0 or -errno. */
  updateFromProg(_kb: Uint8Array, _ko: number, _vb: Uint8Array, _vo: number, _flags: number, _cpu: number): number {
    return -EOPNOTSUPP;
  }

  /** bpf_map_delete_elem from a program: 0 or -errno. */
  deleteFromProg(_kb: Uint8Array, _ko: number, _cpu: number): number {
    return -EOPNOTSUPP;
  }

  /** bpf_map_push_elem: 0 or -errno. */
  pushFromProg(_vb: Uint8Array, _vo: number, _flags: number, _cpu: number): number {
    return -EOPNOTSUPP;
  }

  /** bpf_map_pop_elem: the value into `vb[vo..]`; 0 or -errno. */
  popFromProg(_vb: Uint8Array, _vo: number, _cpu: number): number {
    return -EOPNOTSUPP;
  }

  /** bpf_map_peek_elem: the value into `vb[vo..]` (bloom filters: tests the value there); 0 or -errno. */
  peekFromProg(_vb: Uint8Array, _vo: number, _cpu: number): number {
    return -EOPNOTSUPP;
  }

  /**
   * bpf_for_each_map_elem: call `cb` for every element (current CPU's value for per-CPU maps) until it
   * returns true; returns the number of elements visited, or -EINVAL for flags != 0.
   */
  forEachFromProg(_cb: ForEachCallback, _flags: number, _cpu: number): number {
    return -EOPNOTSUPP;
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  /** Take a reference (an fd, an outer map slot, a program using the map). */
  acquire(): this {
    this.checkLive();
    this.refcnt++;
    return this;
  }

  /** Drop a reference; the last one frees the map. */
  release(): void {
    if (this.freed) return;
    if (--this.refcnt <= 0) this.free();
  }

  /** References held. */
  get refCount(): number {
    return this.refcnt;
  }

  /**
   * Free the map now: value regions are retired (special fields freed first), inner maps and
   * programs are released, the handle region goes away. Later calls throw MAP_FREED.
   */
  free(): void {
    if (this.freed) return;
    this.onFree();
    this.env.retire(this.handleRegion);
    this.freed = true;
    this.refcnt = 0;
  }

  /** Subclass part of free(). */
  protected abstract onFree(): void;

  // ---- shared machinery -----------------------------------------------------------------------

  /** Throw if the map was freed. */
  protected checkLive(): void {
    if (this.freed) throw new MapError('MAP_FREED', `map ${this.name || this.id}: used after free`);
  }

  /** The kernel's __bpf_copy_key: NULL for key_size 0 (a key then is EINVAL), EFAULT for a missing key. */
  protected userKey(key: Uint8Array | null, op: string): Uint8Array | null | number {
    if (this.keySize === 0) return key === null ? null : -EINVAL;
    if (key === null) return -EFAULT;
    if (key.length !== this.keySize) throw new MapError('MAP_BAD_ARGUMENT', `map ${this.name || this.id}: ${op}: key is ${key.length} bytes, key_size is ${this.keySize}`);
    return key;
  }

  private checkValueBuf(value: Uint8Array, op: string): void {
    if (value.length !== this.userValueSize) {
      throw new MapError('MAP_BAD_ARGUMENT', `map ${this.name || this.id}: ${op}: value is ${value.length} bytes, expected ${this.userValueSize}`);
    }
  }

  private checkBatchBufs(keys: Uint8Array, values: Uint8Array | null, count: number): void {
    if (!isU32(count)) throw new MapError('MAP_BAD_ARGUMENT', `map ${this.name || this.id}: batch count ${count} is not a u32`);
    if (keys.length < count * this.keySize || (values !== null && values.length < count * this.userValueSize)) {
      throw new MapError('MAP_BAD_ARGUMENT', `map ${this.name || this.id}: batch buffers too small for ${count} elements`);
    }
  }

  /**
   * copy_map_value / copy_map_value_long: copy `len` bytes from src to dst except the special fields,
   * whose bytes in dst are kept.
   */
  protected copyIn(dst: Uint8Array, doff: number, src: Uint8Array, soff: number, len: number): void {
    if (this.special.length === 0) {
      copyBytes(dst, doff, src, soff, len);
      return;
    }
    let pos = 0;
    for (const [s, e] of this.special) {
      if (s > pos) copyBytes(dst, doff + pos, src, soff + pos, Math.min(s, len) - pos);
      pos = Math.max(pos, e);
      if (pos >= len) return;
    }
    if (pos < len) copyBytes(dst, doff + pos, src, soff + pos, len - pos);
  }

  /** A user-space read: copy except special fields, which read as zero (check_and_init_map_value). */
  protected copyOut(dst: Uint8Array, doff: number, src: Uint8Array, soff: number, len: number): void {
    this.copyIn(dst, doff, src, soff, len);
    for (const [s, e] of this.special) if (s < len) dst.fill(0, doff + s, doff + Math.min(e, len));
  }

  /**
   * bpf_obj_free_fields: tell the environment (timers, kptrs) and reset the special fields other
   * than locks. Only values that were handed to a program (have a region) can hold live objects.
   */
  protected freeFields(regionId: number, value: Uint8Array): void {
    if (this.special.length === 0) return;
    if (regionId !== 0) this.env.onValueFree?.(this, regionId, value);
    for (const f of this.specialFields) {
      if (f.kind !== 'spin_lock' && f.kind !== 'res_spin_lock') value.fill(0, f.offset, f.offset + f.size);
    }
  }

  /** Map `bytes` as a value region owned by a new {@link MapValueRef}. */
  protected newValueRegion(bytes: Uint8Array, elem: number, cpu: number): number {
    const label = this.nrCpus > 1 && this.isPerCpu ? `${this.name}[${elem}] cpu${cpu}` : `${this.name}[${elem}]`;
    return this.mem.map(bytes, { kind: RegionKind.MAP_VALUE, perm: this.valuePerm, label, owner: new MapValueRef(this, elem, cpu) });
  }

  /**
   * Hand a value region to env.retire (a pointer taken before stays readable for the rest of the
   * run). With `snapshot` the region first gets a private copy of its bytes, so the element's slot
   * can be reused at once without the old pointer seeing the new element.
   */
  protected retireValueRegion(id: number, snapshot: boolean): void {
    const ref = this.mem.ownerOf(id);
    if (ref instanceof MapValueRef) ref.alive = false;
    if (snapshot) this.mem.setBytes(id, this.mem.bytes(id).slice());
    this.env.retire(id);
  }

  /** Whether values are per CPU. */
  protected get isPerCpu(): boolean {
    return false;
  }
}

/** The map whose handle region is `id` (what a program's `ld_imm64 rX, map` points to), or null. */
export function mapOfHandle(mem: Memory, id: number): BpfMap | null {
  if (mem.kindOf(id) !== RegionKind.MAP) return null;
  const o = mem.ownerOf(id);
  return o instanceof BpfMap ? o : null;
}

/** The owner of a map value region (`id` of a pointer a lookup returned), or null. */
export function valueRefOf(mem: Memory, id: number): MapValueRef | null {
  if (mem.kindOf(id) !== RegionKind.MAP_VALUE) return null;
  const o = mem.ownerOf(id);
  return o instanceof MapValueRef ? o : null;
}

/** A batch result with nothing done. */
function fail(err: number): BatchResult {
  return { err, count: 0, outBatch: null };
}

/** Whether `n` is an integer in [0, 2^32). */
export function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
}

/** Little-endian u32 at `off`. */
export function readU32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}

/** Store a little-endian u32 at `off`. */
export function writeU32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

/**
 * array_map_get_next_key: a missing or out-of-range key gives index 0, the last index ENOENT, any
 * other index + 1 (shared by every array-like map).
 */
export function arrayGetNextKey(maxEntries: number, key: Uint8Array | null, out: Uint8Array): number {
  const index = key === null ? 0xffffffff : readU32(key, 0);
  if (index >= maxEntries) {
    writeU32(out, 0, 0);
    return 0;
  }
  if (index === maxEntries - 1) return -ENOENT;
  writeU32(out, 0, index + 1);
  return 0;
}

/** The flags argument of a program's helper call as a u32, or -1 when it has bits above 31. */
export function progFlags(flags: number): number {
  return isU32(flags) ? flags : -1;
}
