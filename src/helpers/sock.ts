/**
 * Socket helpers over the emulated socket table (kernel/objects/sockets.ts, the 'sockets' service):
 * bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp, bpf_sk_release, bpf_sk_fullsock, bpf_tcp_sock and
 * bpf_get_listener_sock (net/core/filter.c, Linux 6.18).
 *
 * A socket reaches a program as a pointer to its struct bpf_sock view (or struct bpf_tcp_sock for
 * bpf_tcp_sock), a read-only KERNEL region. The lookups take a reference the verifier makes the
 * program drop with bpf_sk_release (the kernel's acquire/release rule, checked at load); at run
 * time the release only checks that it was given a socket.
 *
 * Lookup rules (__bpf_skc_lookup): a tuple size other than sizeof(ipv4) = 12 or sizeof(ipv6) = 36,
 * non-zero flags, or a netns id that is neither negative as an s32 (the caller's namespace) nor at
 * most S32_MAX give NULL. The caller's device is the skb's (tc, cgroup_skb: skb->dev) or the XDP
 * receive queue's; XDP's netns argument is a u32. bpf_sk_lookup_* return full sockets only
 * (sk_to_full_sk: a request socket gives its listener, a TIME_WAIT one NULL); bpf_skc_lookup_tcp
 * returns any (the verifier lets a program read only the sock_common fields of it).
 */
import { ProgType as P } from '../object/uapi.js';
import type { Machine } from '../vm/machine.js';
import { Memory } from '../vm/memory.js';
import { hostOf } from './host.js';
import { SkbBuff, XdpBuff } from './packet.js';
import type { HelperDef, HelperProto } from './registry.js';

/** The packet's side of a lookup (struct bpf_sock_tuple), addresses in network order. */
export interface SockTuple {
  /** AF_INET (2) or AF_INET6 (10). */
  readonly family: number;
  readonly saddr: Uint8Array;
  readonly sport: number;
  readonly daddr: Uint8Array;
  readonly dport: number;
}

/** What the helpers need to know of a socket. */
export interface SockRef {
  readonly id: number;
  readonly protocol: number;
  readonly family: number;
  readonly state: number;
  /** Local port, 0 when unbound (unhashed). */
  readonly localPort?: number;
  readonly v6only: boolean;
  /** Request sockets: the table id of their listener. */
  readonly listener: number;
  /** Listeners: jiffies of the last SYN queue overflow (tcp_synq_overflow), undefined if none. */
  lastOverflow?: bigint;
}

/** The socket table as the helpers use it (the kernel provides it as the 'sockets' service). */
export interface SocketService {
  lookup(tuple: SockTuple, protocol: number, netns: number | undefined, dif: number): SockRef | null;
  get(id: number): SockRef | undefined;
  byView(region: number): { readonly sock: SockRef; readonly view: 'sock' | 'tcp' } | undefined;
  sockPointer(s: SockRef): bigint;
  tcpPointer(s: SockRef): bigint;
  /** net.ipv4.tcp_syncookies of the namespace (0, 1 or 2; default 1). */
  syncookies?: number;
}

/** enum bpf_func_id values of this family. */
export const SockHelperId = {
  sk_lookup_tcp: 84,
  sk_lookup_udp: 85,
  sk_release: 86,
  sk_fullsock: 95,
  tcp_sock: 96,
  get_listener_sock: 98,
  skc_lookup_tcp: 99,
  tcp_check_syncookie: 100,
  tcp_gen_syncookie: 110,
} as const;

/** EPROTONOSUPPORT. */
const EPROTONOSUPPORT = 93;
const EINVAL = 22;
const ENOENT = 2;
/** HZ of the emulated jiffies; TCP_SYNCOOKIE_VALID = 2 minutes. */
const HZ = 1000n;
const SYNCOOKIE_VALID = 120n * HZ;
/** The MSS tables of net/ipv4/syncookies.c and net/ipv6/syncookies.c. */
const MSSTAB4 = [536, 1300, 1440, 1460] as const;
const MSSTAB6 = [1220, 1420, 1440, 8940] as const;

/**
 * The emulator's SYN cookie: a keyed hash of the 4-tuple, the SYN's sequence number and the minute,
 * with the MSS table index in the low two bits. The kernel's cookie is a siphash with a per-boot
 * secret, so the values differ from 6.18's; what a program can rely on is the same: the cookie
 * bpf_tcp_gen_syncookie gives passes bpf_tcp_check_syncookie (as ack_seq - 1 of the ACK) for two
 * minutes, any other value does not.
 */
function cookieOf(addrs: Uint8Array, ports: number, seq: number, minute: number, mssInd: number): number {
  let h = 0x811c9dc5 ^ minute;
  const mix = (b: number): void => {
    h = Math.imul(h ^ (b & 0xff), 0x01000193) >>> 0;
  };
  for (const b of addrs) mix(b);
  for (let i = 0; i < 4; i++) mix(ports >>> (8 * i));
  for (let i = 0; i < 4; i++) mix(seq >>> (8 * i));
  return ((h & ~3) | mssInd) >>> 0;
}

/** Addresses (saddr, daddr) and ports of an IPv4/IPv6 header and a TCP header, for the cookie. */
function flowOf(iph: Uint8Array, th: Uint8Array, v6: boolean): { addrs: Uint8Array; ports: number } {
  return { addrs: v6 ? iph.slice(8, 40) : iph.slice(12, 20), ports: ((th[0]! << 24) | (th[1]! << 16) | (th[2]! << 8) | th[3]!) >>> 0 };
}

/**
 * The MSS a SYN cookie encodes (tcp_get_syncookie_mss + __cookie_v*_init_sequence): the SYN's MSS
 * option, else the family's mss_clamp (536 / 1220), rounded down to the MSS table (the smallest
 * entry when below it); `ind` is the table index.
 */
export function cookieMss(th: Uint8Array, v6: boolean): { mss: number; ind: number } {
  const tab = v6 ? MSSTAB6 : MSSTAB4;
  const want = mssOption(th) || tab[0];
  let ind = 0;
  for (let i = tab.length - 1; i >= 0; i--) {
    if (want >= tab[i]!) {
      ind = i;
      break;
    }
  }
  return { mss: tab[ind]!, ind };
}

/** tcp_parse_mss_option: the MSS option of a TCP header, 0 if absent. */
export function mssOption(th: Uint8Array): number {
  const end = Math.min(th.length, (th[12]! >> 4) * 4);
  for (let i = 20; i < end; ) {
    const kind = th[i]!;
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    const len = th[i + 1] ?? 0;
    if (len < 2 || i + len > end) break;
    if (kind === 2 && len === 4) return (th[i + 2]! << 8) | th[i + 3]!;
    i += len;
  }
  return 0;
}

const TCP = 6;
const UDP = 17;
const TCP_TIME_WAIT = 6;
const TCP_LISTEN = 10;
const TCP_NEW_SYN_RECV = 12;

/** r0 = a socket view pointer (0: NULL); the run may reach the view from now on. */
function retSock(m: Machine, p: bigint): void {
  if (p !== 0n) m.grant(Memory.split(p)[0]);
  m.setR0Big(p);
}

function sockets(m: Machine, helper: string): SocketService {
  const t = hostOf(m).service<SocketService>('sockets');
  if (t === undefined) throw m.fail('helper', `${helper}: this kernel has no socket table`);
  return t;
}

/** Parse a bpf_sock_tuple of `len` bytes (12: ipv4, 36: ipv6); null for any other size. */
export function parseTuple(b: Uint8Array): SockTuple | null {
  const be16 = (o: number): number => (b[o]! << 8) | b[o + 1]!;
  if (b.length === 12) return { family: 2, saddr: b.slice(0, 4), daddr: b.slice(4, 8), sport: be16(8), dport: be16(10) };
  if (b.length === 36) return { family: 10, saddr: b.slice(0, 16), daddr: b.slice(16, 32), sport: be16(32), dport: be16(34) };
  return null;
}

/** sk_to_full_sk: a request socket's listener; NULL for TIME_WAIT. */
function toFull(t: SocketService, s: SockRef): SockRef | null {
  if (s.state === TCP_NEW_SYN_RECV) return t.get(s.listener) ?? null;
  if (s.state === TCP_TIME_WAIT) return null;
  return s;
}

/** __bpf_skc_lookup (and __bpf_sk_lookup when `full`), from the helper's registers. */
function lookup(m: Machine, helper: string, protocol: number, full: boolean): void {
  const c = m.context;
  let dif = 0;
  let xdp = false;
  if (c instanceof SkbBuff || c instanceof XdpBuff) {
    if (m.argRegion(1) !== c.ctxRegion || m.argOffset(1) !== 0) throw m.fail('helper', `${helper}: r1 is not the program's ctx`);
    xdp = c instanceof XdpBuff;
    dif = c instanceof XdpBuff ? c.ingressIfindex : c.ifindex;
  }
  const len = m.argU64(3);
  if (len > 0xffffffffn) throw m.fail('helper', `${helper}: r3 (tuple size) is ${len}, not a valid size`);
  const bytes = len === 0n ? new Uint8Array(0) : m.argBytes(2, Number(len), false, 'tuple');
  const tuple = parseTuple(bytes);
  let ns = m.argU64(4);
  if (xdp) ns &= 0xffffffffn;
  const flags = m.argU64(5);
  const nsS32 = BigInt.asIntN(32, ns & 0xffffffffn);
  if (tuple === null || flags !== 0n || !(nsS32 < 0n || ns <= 0x7fffffffn)) return m.setR0Num(0);
  const t = sockets(m, helper);
  let s = t.lookup(tuple, protocol, nsS32 < 0n ? undefined : Number(ns), dif);
  if (s !== null && full) s = toFull(t, s);
  retSock(m, s === null ? 0n : t.sockPointer(s));
}

/** What r1 points to: an emulated socket, the test-run skb's own socket, or NULL. */
type SockArg = { readonly kind: 'null' } | { readonly kind: 'table'; readonly sock: SockRef; readonly t: SocketService } | { readonly kind: 'skb' };

function sockArg(m: Machine, helper: string): SockArg {
  if (m.argU64(1) === 0n) return { kind: 'null' };
  const region = m.argRegion(1);
  const c = m.context;
  if (c instanceof SkbBuff && c.sockRegion !== 0 && region === c.sockRegion) return { kind: 'skb' };
  const t = sockets(m, helper);
  const v = t.byView(region);
  if (v === undefined || m.argOffset(1) !== 0) throw m.fail('helper', `${helper}: r1 is not a socket pointer`);
  return { kind: 'table', sock: v.sock, t };
}

/** The types whose get_func_proto offers the lookups and bpf_sk_release (6.18). */
const LOOKUP_TYPES: readonly number[] = [P.SCHED_CLS, P.SCHED_ACT, P.XDP, P.CGROUP_SKB, P.SK_SKB, P.CGROUP_SOCK_ADDR];

const CTX = { kind: 'ctx' } as const;
const ANY = { kind: 'anything' } as const;
/** bpf_sk_lookup_tcp_proto & co: ctx, tuple (ARG_PTR_TO_MEM | MEM_RDONLY), ARG_CONST_SIZE_OR_ZERO, netns, flags. */
const LOOKUP_ARGS = [CTX, { kind: 'mem', rdonly: true }, { kind: 'size_or_zero' }, ANY, ANY] as const;
const SK_LOOKUP_PROTO: HelperProto = { ret: 'socket_or_null', args: LOOKUP_ARGS, acquire: true };
const SKC_LOOKUP_PROTO: HelperProto = { ret: 'sock_common_or_null', args: LOOKUP_ARGS, acquire: true };

/** The listener of a syncookie helper (ARG_PTR_TO_BTF_ID_SOCK_COMMON), or null for NULL / the test run's socket. */
function cookieSock(m: Machine, helper: string): { s: SockRef | null; t: SocketService | null } {
  const a = sockArg(m, helper);
  return a.kind === 'table' ? { s: a.sock, t: a.t } : { s: null, t: null };
}

/** Header bytes of a syncookie helper: r2/r3 (IP header) and r4/r5 (TCP header). */
function headers(m: Machine, helper: string): { iph: Uint8Array; th: Uint8Array } {
  const iphLen = m.argU32(3);
  const thLen = m.argU32(5);
  if (iphLen === 0 || thLen === 0 || iphLen > 0x7fffffff || thLen > 0x7fffffff) throw m.fail('helper', `${helper}: header sizes ${iphLen}/${thLen} are not valid sizes`);
  return { iph: m.argBytes(2, iphLen, false, 'iph').slice(), th: m.argBytes(4, thLen, false, 'th').slice() };
}

/** A TCP listener in a namespace with syncookies on: 0, or the -errno the helper returns. */
function listenerCheck(s: SockRef | null, syncookies: number, offErr: number): number {
  if (s === null || s.protocol !== TCP || s.state !== TCP_LISTEN) return -EINVAL;
  return syncookies === 0 ? offErr : 0;
}

/** bpf_tcp_gen_syncookie. */
function genSyncookie(m: Machine): void {
  const helper = 'bpf_tcp_gen_syncookie';
  const { s, t } = cookieSock(m, helper);
  const { iph, th } = headers(m, helper);
  if (s === null || th.length < 20 || th.length !== (th[12]! >> 4) * 4) return m.setR0Num(-EINVAL);
  const sc = t?.syncookies ?? 1;
  const l = listenerCheck(s, sc, -ENOENT);
  if (l !== 0) return m.setR0Num(l);
  const flags = th[13]!;
  // !syn || ack || fin || rst
  if ((flags & 0x02) === 0 || (flags & 0x10) !== 0 || (flags & 0x01) !== 0 || (flags & 0x04) !== 0) return m.setR0Num(-EINVAL);
  if (iph.length < 20) return m.setR0Num(-EINVAL);
  const fam = syncookieFamily(s, iph);
  if (fam < 0) return m.setR0Num(fam);
  const v6 = fam === 1;
  // tcp_get_syncookie_mss: only with tcp_syncookies=2 (the emulated SYN queue is never full)
  if (sc !== 2) return m.setR0Num(-ENOENT);
  const { mss, ind } = cookieMss(th, v6);
  const now = hostOf(m).jiffies64();
  const { addrs, ports } = flowOf(iph, th, v6);
  const seq = ((th[4]! << 24) | (th[5]! << 16) | (th[6]! << 8) | th[7]!) >>> 0;
  const cookie = cookieOf(addrs, ports, seq, Number(now / (60n * HZ)) >>> 0, ind);
  // tcp_synq_overflow: the listener is under "SYN flood" from now on
  s.lastOverflow = now;
  m.setR0Big((BigInt(mss) << 32n) | BigInt(cookie));
}

/**
 * The IP version of a syncookie helper's header against the listener's family: 0 for IPv4, 1 for
 * IPv6, or -errno (IPv4 on a v6-only socket or IPv6 on an IPv4 one: EINVAL; another version:
 * EPROTONOSUPPORT).
 */
function syncookieFamily(s: { family: number; v6only?: boolean | undefined }, iph: Uint8Array): number {
  const version = iph[0]! >> 4;
  if (version === 4) return s.family === 10 && s.v6only === true ? -EINVAL : 0;
  if (version === 6) return iph.length < 40 || s.family !== 10 ? -EINVAL : 1;
  return -EPROTONOSUPPORT;
}

/** bpf_tcp_check_syncookie. */
function checkSyncookie(m: Machine): void {
  const helper = 'bpf_tcp_check_syncookie';
  const { s, t } = cookieSock(m, helper);
  const { iph, th } = headers(m, helper);
  if (s === null || th.length < 20) return m.setR0Num(-EINVAL);
  const l = listenerCheck(s, t?.syncookies ?? 1, -EINVAL);
  if (l !== 0) return m.setR0Num(l);
  const flags = th[13]!;
  // !ack || rst || syn
  if ((flags & 0x10) === 0 || (flags & 0x04) !== 0 || (flags & 0x02) !== 0) return m.setR0Num(-ENOENT);
  if (iph.length < 20) return m.setR0Num(-EINVAL);
  const now = hostOf(m).jiffies64();
  // tcp_synq_no_recent_overflow
  if (s.lastOverflow === undefined || now < s.lastOverflow - HZ || now > s.lastOverflow + SYNCOOKIE_VALID) return m.setR0Num(-ENOENT);
  const fam = syncookieFamily(s, iph);
  if (fam < 0) return m.setR0Num(fam);
  const v6 = fam === 1;
  const { addrs, ports } = flowOf(iph, th, v6);
  const seq = ((((th[4]! << 24) | (th[5]! << 16) | (th[6]! << 8) | th[7]!) >>> 0) - 1) >>> 0;
  const cookie = ((((th[8]! << 24) | (th[9]! << 16) | (th[10]! << 8) | th[11]!) >>> 0) - 1) >>> 0;
  const minute = Number(now / (60n * HZ)) >>> 0;
  // MAX_SYNCOOKIE_AGE: this minute or the one before
  const ok = [minute, (minute - 1) >>> 0].some((mi) => cookieOf(addrs, ports, seq, mi, cookie & 3) === cookie);
  m.setR0Num(ok ? 0 : -ENOENT);
}

const COOKIE_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'btf_id_sock_common' }, { kind: 'mem', rdonly: true }, { kind: 'size' }, { kind: 'mem', rdonly: true }, { kind: 'size' }] };

/** The socket helper family. */
export function sockHelpers(): HelperDef[] {
  const family = 'sock';
  return [
    {
      id: SockHelperId.sk_lookup_tcp,
      name: 'sk_lookup_tcp',
      progTypes: LOOKUP_TYPES,
      args: ['ctx', 'ptr', 'size_or_zero', 'anything', 'anything'],
      proto: SK_LOOKUP_PROTO,
      family,
      fn: (m) => lookup(m, 'bpf_sk_lookup_tcp', TCP, true),
    },
    {
      id: SockHelperId.sk_lookup_udp,
      name: 'sk_lookup_udp',
      progTypes: LOOKUP_TYPES,
      args: ['ctx', 'ptr', 'size_or_zero', 'anything', 'anything'],
      proto: SK_LOOKUP_PROTO,
      family,
      fn: (m) => lookup(m, 'bpf_sk_lookup_udp', UDP, true),
    },
    {
      id: SockHelperId.skc_lookup_tcp,
      name: 'skc_lookup_tcp',
      progTypes: LOOKUP_TYPES,
      args: ['ctx', 'ptr', 'size_or_zero', 'anything', 'anything'],
      proto: SKC_LOOKUP_PROTO,
      family,
      fn: (m) => lookup(m, 'bpf_skc_lookup_tcp', TCP, false),
    },
    {
      // bpf_sk_release: ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE; sock_gen_put for refcounted sockets.
      id: SockHelperId.sk_release,
      name: 'sk_release',
      progTypes: [...LOOKUP_TYPES, P.SK_LOOKUP],
      args: ['anything'],
      proto: { ret: 'integer', args: [{ kind: 'btf_id_sock_common', release: true }] },
      family,
      fn: (m) => {
        sockArg(m, 'bpf_sk_release');
        m.setR0Num(0);
      },
    },
    {
      // bpf_sk_fullsock: the socket itself unless it is a request or TIME_WAIT socket.
      id: SockHelperId.sk_fullsock,
      name: 'sk_fullsock',
      progTypes: [P.SCHED_CLS, P.SCHED_ACT, P.CGROUP_SKB],
      args: ['anything'],
      proto: { ret: 'socket_or_null', args: [{ kind: 'sock_common' }] },
      family,
      fn: (m) => {
        const a = sockArg(m, 'bpf_sk_fullsock');
        if (a.kind === 'null') return m.setR0Num(0);
        if (a.kind === 'skb') return m.setR0Big(m.argU64(1));
        const s = a.sock;
        m.setR0Big(s.state === TCP_NEW_SYN_RECV || s.state === TCP_TIME_WAIT ? 0n : m.argU64(1));
      },
    },
    {
      // bpf_tcp_sock: a full TCP socket as struct bpf_tcp_sock. The test-run skb's socket has
      // protocol 0, so it gives NULL, as in the kernel.
      id: SockHelperId.tcp_sock,
      name: 'tcp_sock',
      progTypes: [P.SCHED_CLS, P.SCHED_ACT, P.CGROUP_SKB, P.SOCK_OPS, P.CGROUP_SOCKOPT],
      args: ['anything'],
      proto: { ret: 'tcp_sock_or_null', args: [{ kind: 'sock_common' }] },
      family,
      fn: (m) => {
        const a = sockArg(m, 'bpf_tcp_sock');
        if (a.kind !== 'table') return m.setR0Num(0);
        const s = a.sock;
        const full = s.state !== TCP_NEW_SYN_RECV && s.state !== TCP_TIME_WAIT;
        retSock(m, full && s.protocol === TCP ? a.t.tcpPointer(s) : 0n);
      },
    },
    {
      // bpf_get_listener_sock: sk_to_full_sk, then only a TCP listener (SOCK_RCU_FREE).
      id: SockHelperId.get_listener_sock,
      name: 'get_listener_sock',
      progTypes: [P.SCHED_CLS, P.SCHED_ACT, P.CGROUP_SKB],
      args: ['anything'],
      proto: { ret: 'socket_or_null', args: [{ kind: 'sock_common' }] },
      family,
      fn: (m) => {
        const a = sockArg(m, 'bpf_get_listener_sock');
        if (a.kind !== 'table') return m.setR0Num(0);
        const s = toFull(a.t, a.sock);
        retSock(m, s !== null && s.state === TCP_LISTEN && s.protocol === TCP ? a.t.sockPointer(s) : 0n);
      },
    },
    {
      // bpf_tcp_gen_syncookie (GPL: __cookie_v*_init_sequence)
      id: SockHelperId.tcp_gen_syncookie,
      name: 'tcp_gen_syncookie',
      gplOnly: true,
      progTypes: [P.SCHED_CLS, P.SCHED_ACT, P.XDP],
      args: ['anything', 'ptr', 'size', 'ptr', 'size'],
      proto: COOKIE_PROTO,
      family,
      fn: genSyncookie,
    },
    {
      id: SockHelperId.tcp_check_syncookie,
      name: 'tcp_check_syncookie',
      gplOnly: true,
      progTypes: [P.SCHED_CLS, P.SCHED_ACT, P.XDP],
      args: ['anything', 'ptr', 'size', 'ptr', 'size'],
      proto: COOKIE_PROTO,
      family,
      fn: checkSyncookie,
    },
  ];
}
