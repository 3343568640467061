/**
 * BPF_MAP_TYPE_SOCKMAP and BPF_MAP_TYPE_SOCKHASH (net/core/sock_map.c, Linux 6.18): maps of
 * sockets, set from user space with socket fds (the emulated socket table's `openFd`, which gives
 * a {@link SocketFile}). Errnos and orders measured on 6.18 (test/maps/goldens/sockmap.json):
 *
 *   create   SOCKMAP: max_entries 0, key_size != 4, value_size not 4 or 8, flags other than
 *            NUMA_NODE/RDONLY/WRONLY: EINVAL. SOCKHASH: the same with any key_size 1..512 (above:
 *            E2BIG) and EINVAL when roundup_pow_of_two(max_entries) buckets do not fit.
 *   update   the fd first: a value above S32_MAX EINVAL, a closed fd EBADF, an fd that is not a
 *            socket ENOTSOCK, a TCP socket that is neither listening nor established or an unbound
 *            UDP socket EOPNOTSUPP; then flags above BPF_EXIST EINVAL, SOCKMAP past the end E2BIG,
 *            BPF_NOEXIST on a taken key EEXIST, BPF_EXIST on a free one ENOENT, SOCKHASH full E2BIG.
 *   lookup   value_size 4: ENOSPC; else the socket's cookie (ENOENT when empty).
 *   delete   SOCKMAP: EINVAL past the end and for an empty slot; SOCKHASH: ENOENT.
 *   next key SOCKMAP: array order. SOCKHASH: the kernel's bucket order, jhash(key, key_size, 0)
 *            over roundup_pow_of_two(max_entries) buckets, newest first within a bucket.
 *
 * A socket that goes away (the table's `remove`) leaves every map, as sock_map_unlink does on close.
 * Programs reach them through bpf_sk_redirect_map/hash and bpf_msg_redirect_map/hash
 * (helpers/sockmap.ts) and bpf_map_lookup_elem, which gives the socket (a reference the verifier
 * makes the program release with bpf_sk_release, as 6.18's), and sock_ops programs add the socket of
 * their event with bpf_sock_map_update / bpf_sock_hash_update ({@link SockMapBase.updateSocket},
 * the kernel's sock_map_update_common / sock_hash_update_common). bpf_map_update_elem and
 * bpf_map_delete_elem from programs ({@link SockMapBase.updateSocketFromProg}) take a socket the
 * program holds, in the program types the verifier's may_update_sockmap allows (sk_lookup, tc, XDP,
 * socket filter, sk_reuseport, flow dissector, iterators; sock_ops delete only), with 6.18's results
 * (test/helpers/golden/sk-assign-live.json).
 */
import { ERRNO } from '../util/errno.js';
import { MAX_MAP_BYTES } from './array.js';
import { jhash } from './jhash.js';
import { OwnerFile } from './local-storage.js';
import { BpfMap, readU32, writeU32, type ResolvedAttr } from './map.js';
import type { MapEnv, ProgOp } from './types.js';
import { BPF_EXIST, BPF_F, BPF_NOEXIST } from './uapi.js';

const { EINVAL, E2BIG, ENOENT, EEXIST, EBADF, ENOMEM, EOPNOTSUPP, ENOTSUPP } = ERRNO;
/** EBUSY. */
const EBUSY = 16;
/** ENOTSOCK, ENOSPC (include/uapi/asm-generic/errno*.h). */
const ENOTSOCK = 88;
const ENOSPC = 28;
/** MAX_BPF_STACK: the largest SOCKHASH key. */
const MAX_KEY = 512;
const CREATE_FLAGS = BPF_F.NUMA_NODE | BPF_F.RDONLY | BPF_F.WRONLY;
const TCP = 6;
const TCP_ESTABLISHED = 1;
const TCP_LISTEN = 10;
const TCP_TIME_WAIT = 6;
const TCP_NEW_SYN_RECV = 12;

/** What a socket map needs to know of a socket. */
export interface SockMapSocket {
  /** The socket table's id. */
  readonly id: number;
  readonly cookie: bigint;
  readonly protocol: number;
  readonly family: number;
  readonly state: number;
  readonly localPort: number;
  /** SO_REUSEPORT (a reuseport group exists once bound). */
  readonly reuseport: boolean;
  /** The bound address (4 or 16 bytes, network order), device, IPV6_V6ONLY and namespace: what makes a reuseport group. */
  readonly local: Uint8Array;
  readonly boundDevIf: number;
  readonly v6only: boolean;
  readonly netns: number | undefined;
  /** Region of its struct bpf_sock view (mapped once it has an fd). */
  readonly sockRegion: number;
  /** sk_user_data: a psock (the socket is in socket maps) or a reuseport array slot. */
  userData: null | 'psock' | 'reuseport';
  /** How many socket-map entries hold the socket (its psock goes with the last). */
  psockRefs: number;
}

/** An open socket as the fd table holds it: an owner file of kind 'sock' naming its bpf_sock region. */
export class SocketFile extends OwnerFile {
  constructor(
    name: string,
    region: number,
    readonly socket: SockMapSocket,
  ) {
    super(name, 'sock', region);
  }
}

/** sockfd_lookup on a u32 or u64 map value: the socket, or -EINVAL (above S32_MAX), -EBADF, -ENOTSOCK. */
function fdSocket(map: BpfMap, value: Uint8Array, signed32: boolean): SockMapSocket | number {
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  // socket maps read a 4-byte value as u32, the reuseport array as int
  const ufd = map.valueSize === 8 ? dv.getBigUint64(0, true) : BigInt(signed32 ? dv.getInt32(0, true) : dv.getUint32(0, true));
  if (ufd > 0x7fffffffn) return -EINVAL;
  const f = ufd < 0n ? undefined : map.env.resolveFd?.(Number(ufd));
  if (f === undefined) return -EBADF;
  if (!(f instanceof SocketFile)) return -ENOTSOCK;
  return f.socket;
}

/** Every live socket map, so that a closed socket leaves them. */
const liveMaps = new Set<{ unlink(s: SockMapSocket): void }>();

/** sock_map_unlink for a socket that went away. */
export function unlinkSocket(s: SockMapSocket): void {
  for (const m of liveMaps) m.unlink(s);
}

/** sock_map_alloc's checks: 0 or -errno. */
export function sockMapAllocCheck(attr: ResolvedAttr): number {
  if (attr.maxEntries === 0 || attr.keySize !== 4 || (attr.valueSize !== 4 && attr.valueSize !== 8) || (attr.flags & ~CREATE_FLAGS) !== 0) return -EINVAL;
  return attr.maxEntries * 8 > MAX_MAP_BYTES ? -ENOMEM : 0;
}

/** sock_hash_alloc's checks: 0 or -errno. */
export function sockHashAllocCheck(attr: ResolvedAttr): number {
  if (attr.maxEntries === 0 || attr.keySize === 0 || (attr.valueSize !== 4 && attr.valueSize !== 8) || (attr.flags & ~CREATE_FLAGS) !== 0) return -EINVAL;
  if (attr.keySize > MAX_KEY) return -E2BIG;
  // roundup_pow_of_two overflows past 2^31; 16-byte buckets must fit a u32 size
  if (attr.maxEntries > 0x80000000 || bucketsOf(attr.maxEntries) > Math.floor(0xffffffff / 16)) return -EINVAL;
  return 0;
}

function bucketsOf(max: number): number {
  let n = 1;
  while (n < max) n *= 2;
  return n;
}

const NO_PROG_OPS: ReadonlySet<ProgOp> = new Set<ProgOp>();
/** Programs look sockets up (sock_map_lookup / sock_hash_lookup). */
/** Programs look sockets up, and update and delete entries where the verifier lets them (may_update_sockmap). */
const LOOKUP_OPS: ReadonlySet<ProgOp> = new Set<ProgOp>(['lookup', 'update', 'delete']);

/** The parts SOCKMAP and SOCKHASH share: the fd side of update, and lookups returning cookies. */
export abstract class SockMapBase extends BpfMap {
  readonly progOps = LOOKUP_OPS;

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
    liveMaps.add(this);
  }

  /** sock_map_update_elem_sys up to the socket: the socket, or -errno. */
  protected socketOf(value: Uint8Array): SockMapSocket | number {
    const s = fdSocket(this, value, false);
    if (typeof s === 'number') return s;
    // sock_map_sk_state_allowed (TCP) and a UDP socket's psock needs it hashed (bound)
    if (s.protocol === TCP ? s.state !== TCP_ESTABLISHED && s.state !== TCP_LISTEN : s.localPort === 0) return -EOPNOTSUPP;
    return s;
  }

  /** sock_map_link: a socket in a reuseport array has sk_user_data (EBUSY); else it gets (or shares) a psock. */
  protected link(s: SockMapSocket): number {
    if (s.userData === 'reuseport') return -EBUSY;
    return 0;
  }

  /** A map entry starts or stops holding `s`. */
  protected hold(s: SockMapSocket, on: boolean): void {
    s.psockRefs += on ? 1 : -1;
    s.userData = s.psockRefs > 0 ? 'psock' : null;
  }

  /** The cookie into `out` (value_size 8 only). */
  protected cookieOut(s: SockMapSocket | undefined, out: Uint8Array): number {
    if (this.valueSize !== 8) return -ENOSPC;
    if (s === undefined) return -ENOENT;
    new DataView(out.buffer, out.byteOffset, 8).setBigUint64(0, s.cookie, true);
    return 0;
  }

  /** Drop every entry holding `s`. */
  abstract unlink(s: SockMapSocket): void;

  /**
   * sock_map_update_common / sock_hash_update_common: put socket `s` at `key` (flags BPF_ANY,
   * BPF_NOEXIST or BPF_EXIST; anything above EINVAL). 0 or -errno. Shared by the fd side of
   * update and bpf_sock_map_update / bpf_sock_hash_update.
   */
  abstract updateSocket(key: Uint8Array, s: SockMapSocket, flags: number): number;

  protected sysUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): number {
    const s = this.socketOf(value);
    if (typeof s === 'number') return s;
    return this.updateSocket(key!, s, flags);
  }

  /**
   * bpf_map_update_elem from a program (sock_map_update_elem / sock_hash_update_elem): the value is
   * a socket the program holds. NULL or not a full socket (a request or TIME_WAIT socket): EINVAL;
   * a TCP socket neither established nor listening, or an unbound UDP one: EOPNOTSUPP; then the
   * update as from the fd side.
   */
  updateSocketFromProg(key: Uint8Array, s: SockMapSocket | null, flags: number): number {
    if (s === null || s.state === TCP_NEW_SYN_RECV || s.state === TCP_TIME_WAIT) return -EINVAL;
    if (s.protocol === TCP ? s.state !== TCP_ESTABLISHED && s.state !== TCP_LISTEN : s.localPort === 0) return -EOPNOTSUPP;
    return this.updateSocket(key, s, flags);
  }

  /** bpf_map_delete_elem from a program: as from the fd side (sock_map_delete_elem). */
  override deleteFromProg(kb: Uint8Array, ko: number, _cpu: number): number {
    return this.sysDelete(kb.slice(ko, ko + this.keySize));
  }

  /** __sock_map_lookup_elem / __sock_hash_lookup_elem: the socket at `key`, if any. */
  abstract socketAt(key: Uint8Array): SockMapSocket | undefined;

  /** sock_map_lookup / sock_hash_lookup from a program: the socket's bpf_sock view region, or 0. */
  override lookupPtr(kb: Uint8Array, ko: number, _cpu: number): number {
    return this.socketAt(kb.subarray(ko, ko + this.keySize))?.sockRegion ?? 0;
  }

  protected onFree(): void {
    liveMaps.delete(this);
  }
}

/** SOCKMAP: an array of sockets. */
export class SockMapArray extends SockMapBase {
  private readonly slots = new Map<number, SockMapSocket>();

  protected sysLookup(key: Uint8Array | null, out: Uint8Array): number {
    return this.cookieOut(this.slots.get(readU32(key!, 0)), out);
  }

  updateSocket(key: Uint8Array, s: SockMapSocket, flags: number): number {
    const idx = readU32(key, 0);
    if (flags > BPF_EXIST) return -EINVAL;
    if (idx >= this.maxEntries) return -E2BIG;
    const linked = this.link(s);
    if (linked < 0) return linked;
    const old = this.slots.get(idx);
    if (old !== undefined && flags === BPF_NOEXIST) return -EEXIST;
    if (old === undefined && flags === BPF_EXIST) return -ENOENT;
    this.slots.set(idx, s);
    this.hold(s, true);
    if (old !== undefined) this.hold(old, false);
    return 0;
  }

  protected sysDelete(key: Uint8Array | null): number {
    const idx = readU32(key!, 0);
    const old = this.slots.get(idx);
    if (idx >= this.maxEntries || old === undefined) return -EINVAL;
    this.slots.delete(idx);
    this.hold(old, false);
    return 0;
  }

  protected sysGetNextKey(key: Uint8Array | null, out: Uint8Array): number {
    const i = key === null ? 0xffffffff : readU32(key, 0);
    if (i === this.maxEntries - 1) return -ENOENT;
    writeU32(out, 0, i >= this.maxEntries ? 0 : i + 1);
    return 0;
  }

  unlink(s: SockMapSocket): void {
    for (const [k, v] of this.slots) if (v === s) this.slots.delete(k);
    s.psockRefs = 0;
    s.userData = null;
  }

  socketAt(key: Uint8Array): SockMapSocket | undefined {
    return this.slots.get(readU32(key, 0));
  }

  override onFree(): void {
    for (const s of this.slots.values()) this.hold(s, false);
    this.slots.clear();
    super.onFree();
  }
}

interface HashElem {
  readonly key: Uint8Array;
  readonly sock: SockMapSocket;
}

/** SOCKHASH: sockets by key, in the kernel's buckets (so that get_next_key agrees). */
export class SockHashMap extends SockMapBase {
  /** Occupied buckets by index, each list newest first. */
  private readonly buckets = new Map<number, HashElem[]>();
  private readonly nBuckets: number;
  private count = 0;

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
    this.nBuckets = bucketsOf(attr.maxEntries);
  }

  private indexOf(key: Uint8Array): number {
    return (jhash(key, 0, this.keySize, 0) >>> 0) & (this.nBuckets - 1);
  }

  private bucketOf(key: Uint8Array): HashElem[] {
    const i = this.indexOf(key);
    let b = this.buckets.get(i);
    if (b === undefined) {
      b = [];
      this.buckets.set(i, b);
    }
    return b;
  }

  private find(key: Uint8Array): HashElem | undefined {
    return this.bucketOf(key).find((e) => e.key.every((b, i) => b === key[i]));
  }

  protected sysLookup(key: Uint8Array | null, out: Uint8Array): number {
    return this.cookieOut(this.find(key!)?.sock, out);
  }

  updateSocket(key: Uint8Array, s: SockMapSocket, flags: number): number {
    if (flags > BPF_EXIST) return -EINVAL;
    const linked = this.link(s);
    if (linked < 0) return linked;
    const k = key.slice();
    const b = this.bucketOf(k);
    const old = this.find(k);
    if (old !== undefined && flags === BPF_NOEXIST) return -EEXIST;
    if (old === undefined && flags === BPF_EXIST) return -ENOENT;
    if (old === undefined && this.count + 1 > this.maxEntries) return -E2BIG;
    // sock_hash_update_common: the new element goes to the head, the old one leaves
    if (old !== undefined) {
      b.splice(b.indexOf(old), 1);
      this.hold(old.sock, false);
    } else this.count++;
    b.unshift({ key: k, sock: s });
    this.hold(s, true);
    return 0;
  }

  protected sysDelete(key: Uint8Array | null): number {
    const e = this.find(key!);
    if (e === undefined) return -ENOENT;
    const b = this.bucketOf(key!);
    b.splice(b.indexOf(e), 1);
    this.count--;
    this.hold(e.sock, false);
    return 0;
  }

  protected sysGetNextKey(key: Uint8Array | null, out: Uint8Array): number {
    let from = 0;
    if (key !== null) {
      const e = this.find(key);
      if (e !== undefined) {
        const b = this.bucketOf(key);
        const next = b[b.indexOf(e) + 1];
        if (next !== undefined) {
          out.set(next.key);
          return 0;
        }
        from = this.indexOf(key) + 1;
      }
    }
    let best = -1;
    for (const [i, b] of this.buckets) if (i >= from && b.length > 0 && (best < 0 || i < best)) best = i;
    if (best < 0) return -ENOENT;
    out.set(this.buckets.get(best)![0]!.key);
    return 0;
  }

  socketAt(key: Uint8Array): SockMapSocket | undefined {
    return this.find(key)?.sock;
  }

  unlink(s: SockMapSocket): void {
    for (const b of this.buckets.values()) {
      for (let i = b.length - 1; i >= 0; i--) {
        if (b[i]!.sock === s) {
          b.splice(i, 1);
          this.count--;
        }
      }
    }
    s.psockRefs = 0;
    s.userData = null;
  }

  override onFree(): void {
    for (const b of this.buckets.values()) for (const e of b) this.hold(e.sock, false);
    this.buckets.clear();
    super.onFree();
  }
}

/**
 * The reuseport group of a socket (sk_reuseport_cb), or null: a SO_REUSEPORT TCP listener or bound
 * UDP socket is in the group of the sockets with its namespace, protocol, family, bound address and
 * port, device and IPV6_V6ONLY (inet_reuseport_add_sock, udp_reuseport_add_sock; one user here).
 * Other sockets (connected, accepted, unbound) have none.
 */
export function reuseportGroupOf(s: SockMapSocket): string | null {
  const hashed = s.protocol === TCP ? s.state === TCP_LISTEN : s.localPort !== 0;
  if (!s.reuseport || !hashed) return null;
  return [s.netns ?? 'own', s.protocol, s.family, Array.from(s.local).join('.'), s.localPort, s.boundDevIf, s.v6only ? 1 : 0].join('/');
}

/** reuseport_array_alloc_check: value_size 4 or 8, then array_map_alloc_check's rules. */
export function reuseportAllocCheck(attr: ResolvedAttr): number {
  if (attr.valueSize !== 4 && attr.valueSize !== 8) return -EINVAL;
  if (attr.maxEntries === 0 || attr.keySize !== 4 || (attr.flags & ~(CREATE_FLAGS | BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG)) !== 0) return -EINVAL;
  return attr.maxEntries * 8 > MAX_MAP_BYTES ? -ENOMEM : 0;
}

/**
 * BPF_MAP_TYPE_REUSEPORT_SOCKARRAY (kernel/bpf/reuseport_array.c): an array of sockets of reuseport
 * groups, for sk_reuseport programs. Update (measured on 6.18, goldens/reuseport.json): flags above
 * BPF_EXIST EINVAL, past the end E2BIG, the fd (EINVAL above S32_MAX, EBADF, ENOTSOCK), EEXIST /
 * ENOENT, then the socket must be a SO_REUSEPORT TCP listener or bound UDP socket (EINVAL) whose
 * sk_user_data is free (EBUSY: already in a slot or in a socket map). Lookups give the cookie
 * (ENOSPC for 4-byte values, ENOENT empty or past the end); delete E2BIG past the end, ENOENT empty.
 */
export class ReuseportArrayMap extends BpfMap {
  /** Programs reach it only through bpf_sk_select_reuseport (helpers/sockmap.ts). */
  readonly progOps = NO_PROG_OPS;
  private readonly slots = new Map<number, SockMapSocket>();

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
    liveMaps.add(this);
  }

  /** The socket at `index`, if any. */
  socketAt(index: number): SockMapSocket | undefined {
    return this.slots.get(index);
  }

  protected sysLookup(key: Uint8Array | null, out: Uint8Array): number {
    if (this.valueSize !== 8) return -ENOSPC;
    const s = this.slots.get(readU32(key!, 0));
    if (s === undefined) return -ENOENT;
    new DataView(out.buffer, out.byteOffset, 8).setBigUint64(0, s.cookie, true);
    return 0;
  }

  protected sysUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST) return -EINVAL;
    const idx = readU32(key!, 0);
    if (idx >= this.maxEntries) return -E2BIG;
    const s = fdSocket(this, value, true);
    if (typeof s === 'number') return s;
    const old = this.slots.get(idx);
    if (old !== undefined && flags === BPF_NOEXIST) return -EEXIST;
    if (old === undefined && flags === BPF_EXIST) return -ENOENT;
    if (s.protocol !== TCP && s.protocol !== 17) return -ENOTSUPP;
    // SOCK_RCU_FREE and sk_hashed: a TCP listener or a bound UDP socket; and a reuseport group
    const hashed = s.protocol === TCP ? s.state === TCP_LISTEN : s.localPort !== 0;
    if (!hashed || !s.reuseport) return -EINVAL;
    if (s.userData !== null) return -EBUSY;
    s.userData = 'reuseport';
    this.slots.set(idx, s);
    if (old !== undefined && old !== s) old.userData = null;
    return 0;
  }

  protected sysDelete(key: Uint8Array | null): number {
    const idx = readU32(key!, 0);
    if (idx >= this.maxEntries) return -E2BIG;
    const s = this.slots.get(idx);
    if (s === undefined) return -ENOENT;
    this.slots.delete(idx);
    s.userData = null;
    return 0;
  }

  protected sysGetNextKey(key: Uint8Array | null, out: Uint8Array): number {
    const i = key === null ? 0xffffffff : readU32(key, 0);
    if (i >= this.maxEntries) {
      writeU32(out, 0, 0);
      return 0;
    }
    if (i === this.maxEntries - 1) return -ENOENT;
    writeU32(out, 0, i + 1);
    return 0;
  }

  unlink(s: SockMapSocket): void {
    for (const [k, v] of this.slots) if (v === s) this.slots.delete(k);
  }

  protected onFree(): void {
    for (const s of this.slots.values()) s.userData = null;
    this.slots.clear();
    liveMaps.delete(this);
  }
}
