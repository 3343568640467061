/**
 * XDP redirect maps (kernel/bpf/devmap.c, cpumap.c, xskmap.c): DEVMAP, DEVMAP_HASH, CPUMAP and
 * XSKMAP. User space stores devices (by ifindex, optionally with a BPF_XDP_DEVMAP program fd), CPUs
 * (with a queue size, optionally a BPF_XDP_CPUMAP program) or AF_XDP sockets; bpf_redirect_map looks
 * the key up through {@link RedirectMap.redirectTarget}.
 *
 * The emulated machine has one network device, the loopback (ifindex 1, unless MapEnv.netdevExists
 * says otherwise), and no sockets: an XSKMAP update with any fd fails (EBADF for a closed fd,
 * ENOTSOCK otherwise), so its slots stay empty, as they would without an AF_XDP socket.
 */
import { ERRNO } from '../util/errno.js';
import { PERM_R, RegionKind } from '../vm/memory.js';
import { BpfMap, arrayGetNextKey, readU32, writeU32, type ResolvedAttr } from './map.js';
import { MapValueRef, type MapEnv, type ProgOp } from './types.js';
import { BPF_EXIST, BPF_F, BPF_MAP_TYPE, BPF_NOEXIST } from './uapi.js';

const { EINVAL, E2BIG, EEXIST, ENOENT, EOPNOTSUPP, EOVERFLOW, ENOMEM, EBADF, ENOTSOCK } = ERRNO;

/** BPF_PROG_TYPE_XDP, BPF_XDP_DEVMAP, BPF_XDP_CPUMAP (uapi). */
const PROG_XDP = 6;
const ATTACH_XDP_DEVMAP = 33;
const ATTACH_XDP_CPUMAP = 35;

/** What bpf_redirect_map finds in a slot. */
export interface RedirectEntry {
  readonly ifindex?: number;
  readonly cpu?: number;
  readonly queue?: number;
}

/** A program stored with a device or CPU entry (the kernel layer's program objects). */
interface EntryProg {
  readonly id: number;
  readonly type: number;
  readonly expectedAttachType?: number;
  acquire?(): void;
  release?(): void;
}

interface Slot {
  /** The user-visible value (ifindex/qsize, then the program id if value_size is 8). */
  readonly value: Uint8Array;
  readonly prog: EntryProg | null;
  readonly entry: RedirectEntry;
  region: number;
}

const OPS: ReadonlySet<ProgOp> = new Set<ProgOp>(['lookup']);
const XSK_OPS: ReadonlySet<ProgOp> = new Set<ProgOp>(['lookup']);

/** dev_map_alloc / cpu_map_alloc / xsk_map_alloc checks. */
export function redirectAllocCheck(attr: ResolvedAttr, env: MapEnv): number {
  const t = attr.type;
  if (attr.maxEntries === 0 || attr.keySize !== 4) return -EINVAL;
  const access = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY;
  if (t === BPF_MAP_TYPE.DEVMAP || t === BPF_MAP_TYPE.DEVMAP_HASH) {
    if ((attr.valueSize !== 4 && attr.valueSize !== 8) || (attr.flags & ~access) !== 0) return -EINVAL;
  } else if (t === BPF_MAP_TYPE.CPUMAP) {
    if ((attr.valueSize !== 4 && attr.valueSize !== 8) || (attr.flags & ~BPF_F.NUMA_NODE) !== 0) return -EINVAL;
    if (attr.maxEntries > 8192) return -E2BIG; // NR_CPUS
  } else if (t === BPF_MAP_TYPE.XSKMAP) {
    if (attr.valueSize !== 4 || (attr.flags & ~access) !== 0) return -EINVAL;
  } else return -EINVAL;
  void env;
  return 0;
}

/** DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP. */
export class RedirectMap extends BpfMap {
  readonly progOps: ReadonlySet<ProgOp>;
  private readonly slots = new Map<number, Slot>();
  /** DEVMAP_HASH: keys per bucket, newest first (hlist_add_head). */
  private readonly buckets: number[][] | null;
  private readonly bucketMask: number;

  constructor(attr: ResolvedAttr, env: MapEnv) {
    // dev_map_init_map: a lookup returns a pointer straight to the ifindex, so the kernel adds
    // BPF_F_RDONLY_PROG to DEVMAP/DEVMAP_HASH (it shows in the map's info flags).
    const devmap = attr.type === BPF_MAP_TYPE.DEVMAP || attr.type === BPF_MAP_TYPE.DEVMAP_HASH;
    super(devmap ? { ...attr, flags: attr.flags | BPF_F.RDONLY_PROG } : attr, env);
    this.progOps = attr.type === BPF_MAP_TYPE.XSKMAP ? XSK_OPS : OPS;
    if (attr.type === BPF_MAP_TYPE.DEVMAP_HASH) {
      let n = 1;
      while (n < attr.maxEntries) n *= 2; // roundup_pow_of_two(max_entries)
      this.buckets = Array.from({ length: n }, () => []);
      this.bucketMask = n - 1;
    } else {
      this.buckets = null;
      this.bucketMask = 0;
    }
  }

  private get isHash(): boolean {
    return this.buckets !== null;
  }

  /** The entry behind `key` for bpf_redirect_map, or undefined for an empty slot. */
  redirectTarget(key: number): RedirectEntry | undefined {
    return this.slots.get(key >>> 0)?.entry;
  }

  protected sysLookup(key: Uint8Array | null, out: Uint8Array): number {
    if (this.type === BPF_MAP_TYPE.XSKMAP) return -EOPNOTSUPP; // xsk_map_lookup_elem_sys
    const s = this.slots.get(readU32(key!, 0));
    if (s === undefined) return -ENOENT;
    out.set(s.value);
    return 0;
  }

  protected sysUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST) return -EINVAL;
    const k = readU32(key!, 0);
    const exists = this.slots.has(k);
    if (!this.isHash && k >= this.maxEntries) return -E2BIG;
    if (!this.isHash && this.type !== BPF_MAP_TYPE.XSKMAP && flags === BPF_NOEXIST) return -EEXIST; // array maps: every slot "exists"
    if (this.isHash && flags === BPF_NOEXIST && exists) return -EEXIST;
    if (this.isHash && flags === BPF_EXIST && !exists) return -ENOENT;
    if (this.isHash && !exists && this.slots.size >= this.maxEntries) return -E2BIG;
    const v0 = readU32(value, 0);
    const progFd = this.valueSize === 8 ? new DataView(value.buffer, value.byteOffset, 8).getInt32(4, true) : 0;
    switch (this.type) {
      case BPF_MAP_TYPE.XSKMAP: {
        const obj = this.env.resolveFd?.(v0);
        const err = obj === undefined ? -EBADF : -ENOTSOCK;
        if (flags === BPF_NOEXIST && exists) return -EEXIST;
        return err;
      }
      case BPF_MAP_TYPE.CPUMAP: {
        if (k < 8192 && k >= this.nrCpus) return -EOVERFLOW; // !cpu_possible(key_cpu)
        if (v0 === 0) {
          // qsize 0: same as deleting
          if (progFd > 0) return -EINVAL;
          this.clear(k);
          return 0;
        }
        if (v0 > 1 << 20) return -ENOMEM;
        const prog = this.progOf(progFd, ATTACH_XDP_CPUMAP);
        if (typeof prog === 'number') return prog;
        this.install(k, value, prog, { cpu: k, queue: v0 });
        return 0;
      }
      default: {
        if (v0 === 0) {
          if (progFd > 0) return -EINVAL;
          if (this.isHash) return -EINVAL; // __dev_map_hash_update_elem: a device is required
          this.clear(k);
          return 0;
        }
        const exists2 = this.env.netdevExists?.(v0) ?? v0 === 1;
        if (!exists2) return -EINVAL;
        const prog = this.progOf(progFd, ATTACH_XDP_DEVMAP);
        if (typeof prog === 'number') return prog;
        this.install(k, value, prog, { ifindex: v0 });
        return 0;
      }
    }
  }

  /** The program of a device/CPU entry: an XDP program of the right attach type, or null for fd <= 0. */
  private progOf(fd: number, attachType: number): EntryProg | null | number {
    if (fd <= 0) return null;
    const p = this.env.resolveFd?.(fd) as EntryProg | undefined;
    if (p === undefined) return -EBADF;
    if (typeof p !== 'object' || p.type !== PROG_XDP || p.expectedAttachType !== attachType) return -EINVAL;
    p.acquire?.();
    return p;
  }

  private install(k: number, value: Uint8Array, prog: EntryProg | null, entry: RedirectEntry): void {
    this.clear(k);
    const v = value.slice();
    if (prog !== null) writeU32(v, 4, prog.id);
    else if (this.valueSize === 8) writeU32(v, 4, 0);
    this.slots.set(k, { value: v, prog, entry, region: 0 });
    if (this.buckets !== null) this.buckets[k & this.bucketMask]!.unshift(k);
  }

  private clear(k: number): boolean {
    const s = this.slots.get(k);
    if (s === undefined) return false;
    this.slots.delete(k);
    s.prog?.release?.();
    if (s.region !== 0) this.env.retire(s.region);
    if (this.buckets !== null) {
      const b = this.buckets[k & this.bucketMask]!;
      b.splice(b.indexOf(k), 1);
    }
    return true;
  }

  protected sysDelete(key: Uint8Array | null): number {
    const k = readU32(key!, 0);
    if (this.isHash) return this.clear(k) ? 0 : -ENOENT;
    if (k >= this.maxEntries) return -EINVAL;
    this.clear(k);
    return 0;
  }

  protected sysGetNextKey(key: Uint8Array | null, out: Uint8Array): number {
    if (this.buckets === null) return arrayGetNextKey(this.maxEntries, key, out);
    // dev_map_hash_get_next_key: the next key in the key's bucket, else the first of a later bucket.
    const b = this.buckets;
    let start = 0;
    if (key !== null) {
      const k = readU32(key, 0);
      const list = b[k & this.bucketMask]!;
      const at = list.indexOf(k);
      if (at >= 0) {
        if (at + 1 < list.length) {
          writeU32(out, 0, list[at + 1]!);
          return 0;
        }
        start = (k & this.bucketMask) + 1;
      }
    }
    for (let i = start; i < b.length; i++) {
      if (b[i]!.length > 0) {
        writeU32(out, 0, b[i]![0]!);
        return 0;
      }
    }
    return -ENOENT;
  }

  /** bpf_map_lookup_elem from XDP programs: the stored value, read-only. */
  override lookupPtr(kb: Uint8Array, ko: number): number {
    if (this.type === BPF_MAP_TYPE.XSKMAP) return 0;
    const k = readU32(kb, ko);
    const s = this.slots.get(k);
    if (s === undefined) return 0;
    if (s.region === 0) s.region = this.mem.map(s.value, { kind: RegionKind.MAP_VALUE, perm: PERM_R, label: `${this.name}[${k}]`, owner: new MapValueRef(this, k, 0) });
    return s.region;
  }

  protected onFree(): void {
    for (const k of [...this.slots.keys()]) this.clear(k);
  }
}
