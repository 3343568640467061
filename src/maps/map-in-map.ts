/**
 * Maps of maps (kernel/bpf/map_in_map.c, arraymap.c array_of_map_*, hashtab.c htab_of_map_*):
 * ARRAY_OF_MAPS and HASH_OF_MAPS. User space stores an inner map by fd and reads back its id; a
 * program's lookup returns the inner map's handle pointer, which it can pass to further map helpers.
 *
 * At creation the outer map copies a template of its inner map (bpf_map_meta_alloc); every map
 * stored later must match it (bpf_map_meta_equal: type, key and value size, flags, special fields;
 * for ARRAY inner maps also max_entries unless the template has BPF_F_INNER_MAP). Stored maps are
 * referenced (acquire) and released when replaced, deleted or when the outer map is freed.
 */
import { ERRNO } from '../util/errno.js';
import { BpfMap, progFlags, readU32, writeU32, type ResolvedAttr } from './map.js';
import { FdArrayMap } from './fd-array.js';
import { HashBase, htabMaxEntries } from './hashtab.js';
import type { MapEnv, ProgOp, SpecialField } from './types.js';
import { BPF_EXIST, BPF_F, BPF_MAP_TYPE } from './uapi.js';

const { EBADF, EINVAL, ENOTSUPP, E2BIG, ENOENT } = ERRNO;

const OPS: ReadonlySet<ProgOp> = new Set<ProgOp>(['lookup']);

/** What an outer map remembers of its inner map template. */
export interface InnerMapMeta {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly specialFields: readonly SpecialField[];
}

/** Types without map_meta_equal: they cannot be inner maps (ENOTSUPP). */
const NO_META_EQUAL = new Set<number>([
  BPF_MAP_TYPE.PROG_ARRAY,
  BPF_MAP_TYPE.STRUCT_OPS,
  BPF_MAP_TYPE.ARRAY_OF_MAPS,
  BPF_MAP_TYPE.HASH_OF_MAPS,
]);

/**
 * bpf_map_meta_alloc: the template of `inner`, or -errno (no map: EBADF; a map of maps: EINVAL,
 * only one level of nesting; a type that cannot be an inner map: ENOTSUPP).
 */
export function innerMapMeta(inner: BpfMap | undefined): InnerMapMeta | number {
  if (inner === undefined || inner.freed) return -EBADF;
  if (inner instanceof ArrayOfMapsMap || inner instanceof HashOfMapsMap) return -EINVAL;
  if (NO_META_EQUAL.has(inner.type)) return -ENOTSUPP;
  return {
    type: inner.type,
    keySize: inner.keySize,
    valueSize: inner.valueSize,
    maxEntries: inner.maxEntries,
    flags: inner.flags,
    specialFields: inner.specialFields,
  };
}

/** bpf_map_meta_equal / array_map_meta_equal: whether `map` may be stored where `meta` was the template. */
export function innerMapCompatible(meta: InnerMapMeta, map: BpfMap): boolean {
  if (meta.type !== map.type || meta.keySize !== map.keySize || meta.valueSize !== map.valueSize || meta.flags !== map.flags) return false;
  if (!sameFields(meta.specialFields, map.specialFields)) return false;
  if (meta.type === BPF_MAP_TYPE.ARRAY && !(meta.flags & BPF_F.INNER_MAP)) return meta.maxEntries === map.maxEntries;
  return true;
}

function sameFields(a: readonly SpecialField[], b: readonly SpecialField[]): boolean {
  if (a.length !== b.length) return false;
  const key = (f: SpecialField): string => `${f.kind}@${f.offset}+${f.size}`;
  const sa = a.map(key).sort();
  const sb = b.map(key).sort();
  return sa.every((x, i) => x === sb[i]);
}

/** bpf_map_fd_get_ptr: resolve an fd to a compatible map and take a reference. */
function getInner(env: MapEnv, meta: InnerMapMeta, fd: number): BpfMap | number {
  const obj = env.resolveFd?.(fd);
  if (obj === undefined) return -EBADF;
  if (!(obj instanceof BpfMap)) return -EINVAL;
  if (obj.freed) return -EBADF;
  if (!innerMapCompatible(meta, obj)) return -EINVAL;
  return obj.acquire();
}

/** ARRAY_OF_MAPS. */
export class ArrayOfMapsMap extends FdArrayMap<BpfMap> {
  readonly progOps = OPS;
  readonly innerMeta: InnerMapMeta;
  protected readonly sysIdSupported = true;

  constructor(attr: ResolvedAttr, env: MapEnv, meta: InnerMapMeta) {
    super(attr, env);
    this.innerMeta = meta;
    this.batchSupport = { lookup: true, lookupAndDelete: false, update: true, delete: false };
  }

  /** The inner map at `index`, if any. */
  innerAt(index: number): BpfMap | undefined {
    return this.slots.get(index);
  }

  /** Store `inner` at `index` directly (the loader's static initialisers); 0 or -errno like update. */
  setInner(index: number, inner: BpfMap): number {
    this.checkLive();
    if (!(index >= 0 && index < this.maxEntries)) return -E2BIG;
    if (inner.freed) return -EBADF;
    if (!innerMapCompatible(this.innerMeta, inner)) return -EINVAL;
    this.replace(index, inner.acquire());
    return 0;
  }

  override lookupPtr(kb: Uint8Array, ko: number, _cpu: number): number {
    const index = readU32(kb, ko);
    const inner = index < this.maxEntries ? this.slots.get(index) : undefined;
    return inner === undefined ? 0 : inner.handleRegion;
  }

  protected getPtr(fd: number): BpfMap | number {
    return getInner(this.env, this.innerMeta, fd);
  }

  protected putPtr(map: BpfMap): void {
    map.release();
  }

  protected sysId(map: BpfMap): number {
    return map.id;
  }
}

/** HASH_OF_MAPS: the hash table of hashtab.ts holding map references. */
export class HashOfMapsMap extends HashBase {
  readonly progOps = OPS;
  readonly innerMeta: InnerMapMeta;
  private refs: (BpfMap | undefined)[] = [];

  private constructor(attr: ResolvedAttr, env: MapEnv, meta: InnerMapMeta) {
    super(attr, env);
    this.innerMeta = meta;
    this.batchSupport = { lookup: true, lookupAndDelete: true, update: true, delete: true };
  }

  /** htab_of_map_alloc after fd_htab_map_alloc_check. */
  static create(attr: ResolvedAttr, env: MapEnv, meta: InnerMapMeta): HashOfMapsMap | number {
    const max = htabMaxEntries(attr, env.nrCpus);
    if (max < 0) return max;
    return new HashOfMapsMap({ ...attr, maxEntries: max }, env, meta);
  }

  override get userValueSize(): number {
    return 4;
  }

  /** The inner map stored under `key`, if any. */
  innerFor(key: Uint8Array): BpfMap | undefined {
    const s = this.find(key, 0, this.hashKey(key, 0));
    return s < 0 ? undefined : this.refs[s];
  }

  /** Store `inner` under `key` directly (static initialisers); 0 or -errno like update with BPF_ANY. */
  setInner(key: Uint8Array, inner: BpfMap): number {
    this.checkLive();
    if (inner.freed) return -EBADF;
    if (!innerMapCompatible(this.innerMeta, inner)) return -EINVAL;
    const err = this.put(key, inner.acquire(), 0);
    if (err !== 0) inner.release();
    return err;
  }

  protected growElems(cap: number): void {
    while (this.refs.length < cap) this.refs.push(undefined);
  }

  protected releaseElem(slot: number): void {
    const m = this.refs[slot];
    this.refs[slot] = undefined;
    m?.release();
  }

  protected userValueInto(slot: number, out: Uint8Array, off: number, _flags: number): void {
    writeU32(out, off, this.refs[slot]!.id);
  }

  /** bpf_fd_htab_map_lookup_elem: the inner map's id. */
  protected sysLookup(key: Uint8Array | null, out: Uint8Array, _flags: number): number {
    const s = this.find(key!, 0, this.hashKey(key!, 0));
    if (s < 0) return -ENOENT;
    writeU32(out, 0, this.refs[s]!.id);
    return 0;
  }

  /** bpf_fd_htab_map_update_elem: resolve the fd first, then htab_map_update_elem_in_place. */
  protected sysUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): number {
    const inner = getInner(this.env, this.innerMeta, readU32(value, 0) | 0);
    if (typeof inner === 'number') return inner;
    const err = this.put(key!, inner, flags);
    if (err !== 0) inner.release();
    return err;
  }

  private put(key: Uint8Array, inner: BpfMap, flags: number): number {
    if (progFlags(flags) < 0 || flags > BPF_EXIST) return -EINVAL;
    const h = this.hashKey(key, 0);
    const s = this.find(key, 0, h);
    const err = HashBase.checkFlags(s >= 0, flags);
    if (err !== 0) return err;
    if (s >= 0) {
      const old = this.refs[s];
      this.refs[s] = inner;
      old?.release();
      return 0;
    }
    if (this.full) return -E2BIG;
    const slot = this.insert(key, 0, h, 0);
    this.refs[slot] = inner;
    return 0;
  }

  protected sysDelete(key: Uint8Array | null): number {
    const s = this.find(key!, 0, this.hashKey(key!, 0));
    if (s < 0) return -ENOENT;
    this.remove(s);
    return 0;
  }

  override lookupPtr(kb: Uint8Array, ko: number, _cpu: number): number {
    const s = this.find(kb, ko, this.hashKey(kb, ko));
    return s < 0 ? 0 : this.refs[s]!.handleRegion;
  }

  protected onFree(): void {
    for (const s of this.liveSlots()) this.releaseElem(s);
  }
}
