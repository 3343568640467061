/**
 * Emulated sockets: the socket table a user fills through the API (`kernel.sockets.add(...)`), and
 * the kernel's lookups over it (bpf_sk_lookup_tcp/udp, bpf_skc_lookup_tcp).
 *
 * A socket is what a program can observe of a `struct sock`: family, type/protocol, local and
 * remote address and port, TCP state, bound device, mark, priority, cookie and network namespace.
 * Programs see a socket as the uapi views the kernel's verifier gives them: `struct bpf_sock`
 * (80 bytes, bpf_sock_convert_ctx_access) and, for TCP, `struct bpf_tcp_sock` (112 bytes,
 * bpf_tcp_sock_convert_ctx_access). Each view is a read-only KERNEL region mapped the first time a
 * helper hands the socket to a program and unmapped when the socket is removed.
 *
 * Lookups follow Linux 6.18 (net/ipv4/inet_hashtables.c, net/ipv4/udp.c, net/core/filter.c):
 *   TCP  the established table first (exact 4-tuple; ESTABLISHED and the other connected states,
 *        TIME_WAIT, and request sockets, TCP_NEW_SYN_RECV), then listeners on the destination
 *        port: a listener bound to the destination address beats one bound to the wildcard; an
 *        IPv6 listener on [::] that is not IPV6_V6ONLY also takes IPv4 (score 0 against 1 of an
 *        IPv4 socket, compute_score).
 *   UDP  the best compute_score among sockets on the destination port: +4 for each of bound
 *        address, connected peer address, connected peer port and bound device that matches (a set
 *        one that does not match excludes the socket), 2 for an IPv4 socket, 1 for IPv6.
 * A socket bound to a device (SO_BINDTODEVICE) matches only packets of that ifindex.
 */
import type { SocketService, SockTuple } from '../../helpers/sock.js';
import { localStorageOf } from '../../maps/local-storage.js';
import { SocketFile, unlinkSocket } from '../../maps/sockmap.js';
import { BpfemuError } from '../../util/errors.js';
import { Memory, PERM_R, RegionKind } from '../../vm/memory.js';

/** Error codes of socket-table operations. */
export type SocketErrorCode = 'SOCK_BAD_SPEC' | 'SOCK_NOT_FOUND' | 'SOCK_DUPLICATE';

/** A bad socket definition or an unknown socket. */
export class SocketError extends BpfemuError<SocketErrorCode> {
  constructor(
    readonly code: SocketErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** AF_INET, AF_INET6. */
export const AF_INET = 2;
export const AF_INET6 = 10;
/** IPPROTO_TCP, IPPROTO_UDP. */
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
/** SOCK_STREAM, SOCK_DGRAM. */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;

/** TCP states (include/net/tcp_states.h); bpf_sock.state reports these numbers. */
export const TcpState = {
  ESTABLISHED: 1,
  SYN_SENT: 2,
  SYN_RECV: 3,
  FIN_WAIT1: 4,
  FIN_WAIT2: 5,
  TIME_WAIT: 6,
  CLOSE: 7,
  CLOSE_WAIT: 8,
  LAST_ACK: 9,
  LISTEN: 10,
  CLOSING: 11,
  NEW_SYN_RECV: 12,
} as const;
export type TcpStateName = Lowercase<keyof typeof TcpState>;

/** What the user gives to {@link SocketTable.add}. */
export interface SocketSpec {
  /** 'tcp' (SOCK_STREAM) or 'udp' (SOCK_DGRAM). */
  readonly protocol: 'tcp' | 'udp';
  /** Local (bound) address: dotted IPv4 or IPv6 text; '0.0.0.0' / '::' for the wildcard. Default: the wildcard of `family`. */
  readonly localAddress?: string;
  /** Local port (host order), 1..65535; 0 for an unbound socket (state 'close'). */
  readonly localPort: number;
  /** Connected peer; unset for listeners and unconnected UDP sockets. */
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  /** 'ipv4' or 'ipv6'; default: the family of `localAddress` (ipv4 if none). */
  readonly family?: 'ipv4' | 'ipv6';
  /**
   * TCP state; default 'listen' without a peer, 'established' with one. UDP sockets are 'close'
   * (unconnected) or 'established' (connected) as in the kernel. 'new_syn_recv' is a request
   * socket: give `listener` (the id of its listening socket).
   */
  readonly state?: TcpStateName;
  /** For a request socket (state new_syn_recv): the listener's id. */
  readonly listener?: number;
  /** SO_REUSEPORT (REUSEPORT_SOCKARRAY takes only such sockets). */
  readonly reuseport?: boolean;
  /** IPV6_V6ONLY (IPv6 sockets): do not take IPv4 traffic. */
  readonly v6only?: boolean;
  /** SO_BINDTODEVICE ifindex (0: none). */
  readonly boundDevIf?: number;
  readonly mark?: number;
  readonly priority?: number;
  /** Socket cookie (bpf_get_socket_cookie); default: assigned in order from 4097. */
  readonly cookie?: bigint;
  /**
   * Network namespace: undefined is the namespace programs run in (the test run's); a number is
   * a peer namespace known to it under that nsid (the lookups' `netns` argument).
   */
  readonly netns?: number;
  /** struct bpf_tcp_sock fields (TCP only), by their uapi names; unset ones read 0 but snd_cwnd 10, snd_ssthresh 0x7fffffff, mss_cache 536, rtt_min 0xffffffff (a new socket's). */
  readonly tcp?: Partial<Record<TcpSockField, number | bigint>>;
}

/** struct bpf_tcp_sock (include/uapi/linux/bpf.h): name -> [offset, size]. */
export const BPF_TCP_SOCK_FIELDS = {
  snd_cwnd: [0, 4],
  srtt_us: [4, 4],
  rtt_min: [8, 4],
  snd_ssthresh: [12, 4],
  rcv_nxt: [16, 4],
  snd_nxt: [20, 4],
  snd_una: [24, 4],
  mss_cache: [28, 4],
  ecn_flags: [32, 4],
  rate_delivered: [36, 4],
  rate_interval_us: [40, 4],
  packets_out: [44, 4],
  retrans_out: [48, 4],
  total_retrans: [52, 4],
  segs_in: [56, 4],
  data_segs_in: [60, 4],
  segs_out: [64, 4],
  data_segs_out: [68, 4],
  lost_out: [72, 4],
  sacked_out: [76, 4],
  bytes_received: [80, 8],
  bytes_acked: [88, 8],
  dsack_dups: [96, 4],
  delivered: [100, 4],
  delivered_ce: [104, 4],
  icsk_retransmits: [108, 4],
} as const;
export type TcpSockField = keyof typeof BPF_TCP_SOCK_FIELDS;
/** sizeof(struct bpf_tcp_sock). */
export const BPF_TCP_SOCK_SIZE = 112;
/** sizeof(struct bpf_sock). */
export const BPF_SOCK_SIZE = 80;

/** One socket of the table. */
export interface EmuSocket {
  /** Table id (the handle the API and `listener` use; not a kernel number). */
  readonly id: number;
  readonly family: number;
  readonly protocol: number;
  readonly type: number;
  /** 4 or 16 bytes, network order. */
  readonly local: Uint8Array;
  readonly localPort: number;
  readonly remote: Uint8Array;
  readonly remotePort: number;
  readonly state: number;
  readonly listener: number;
  readonly v6only: boolean;
  readonly boundDevIf: number;
  readonly mark: number;
  readonly priority: number;
  readonly cookie: bigint;
  readonly netns: number | undefined;
  readonly tcp: Uint8Array;
  /** Region of the bpf_sock view (0 until first handed to a program). */
  sockRegion: number;
  /** Region of the bpf_tcp_sock view (0 until first asked for). */
  tcpRegion: number;
  /** SO_REUSEPORT. */
  readonly reuseport: boolean;
  /** sk_user_data: a psock (in socket maps) or a reuseport array slot. */
  userData: null | 'psock' | 'reuseport';
  /** Socket-map entries holding the socket. */
  psockRefs: number;
}

/** The 4-tuple a lookup asks for, from the packet's point of view: source = the socket's remote side. */
export type LookupTuple = SockTuple;

/** Parse dotted IPv4 or IPv6 text into network-order bytes; null when it is neither. */
export function parseAddress(text: string): Uint8Array | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4 !== null) {
    const b = v4.slice(1).map(Number);
    return b.every((x) => x <= 255) ? Uint8Array.from(b) : null;
  }
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return null;
  let tail: number[] = [];
  let s = text;
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted !== null) {
    const t = parseAddress(dotted[1]!);
    if (t === null) return null;
    tail = [(t[0]! << 8) | t[1]!, (t[2]! << 8) | t[3]!];
    s = s.slice(0, -dotted[1]!.length - 1) + (s.endsWith(`::${dotted[1]}`) ? ':' : '');
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const words = (p: string): number[] | null => {
    if (p === '') return [];
    const out: number[] = [];
    for (const w of p.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return null;
      out.push(parseInt(w, 16));
    }
    return out;
  };
  const a = words(head);
  const b = rest === undefined ? [] : words(rest);
  if (a === null || b === null) return null;
  const total = a.length + b.length + tail.length;
  if (rest === undefined ? total !== 8 : total > 7) return null;
  const all = [...a, ...new Array<number>(8 - total).fill(0), ...b, ...tail];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

const isZero = (b: Uint8Array): boolean => b.every((x) => x === 0);
const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
/** ::ffff:a.b.c.d for an IPv4 address. */
const mapped = (v4: Uint8Array): Uint8Array => Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4);

/** The first cookie handed out (the kernel's sock cookies start at 1 per boot; 4097 keeps them apart from other ids). */
const FIRST_COOKIE = 4097n;

/** The table of emulated sockets of one kernel. */
export class SocketTable implements SocketService {
  private readonly byId = new Map<number, EmuSocket>();
  private readonly byRegion = new Map<number, EmuSocket>();
  private nextId = 1;
  private nextCookie = FIRST_COOKIE;
  /** net.ipv4.tcp_syncookies of the namespace: 0 off, 1 on SYN queue overflow (the default), 2 always. */
  syncookies = 1;

  constructor(
    private readonly mem: Memory,
    /** Unmap a region once no run can still use it (the kernel's retireRegion). */
    private readonly retire: (region: number) => void,
    /** Install an open file in the kernel's fd table; returns the fd. */
    private readonly installFd?: (f: SocketFile) => number,
  ) {}

  /**
   * An fd for socket `id` (what user space passes to a SOCKMAP/SOCKHASH update, or as the owner of
   * sk storage): a {@link SocketFile} naming the socket's bpf_sock view.
   */
  openFd(id: number): number {
    const s = this.byId.get(id);
    if (s === undefined) throw new SocketError('SOCK_NOT_FOUND', `socket ${id}: no such socket`);
    if (this.installFd === undefined) throw new SocketError('SOCK_NOT_FOUND', `socket ${id}: this table has no fd table`);
    const [region] = Memory.split(this.sockPointer(s));
    return this.installFd(new SocketFile(`socket:[${s.cookie}]`, region, s));
  }

  /** Add a socket; returns it (its `id` names it to {@link remove} and `listener`). */
  add(spec: SocketSpec): EmuSocket {
    const where = `socket ${spec.protocol} port ${String(spec.localPort)}`;
    if (spec.protocol !== 'tcp' && spec.protocol !== 'udp') throw new SocketError('SOCK_BAD_SPEC', `socket: protocol must be 'tcp' or 'udp', got ${String(spec.protocol)}`);
    const port = (p: number | undefined, what: string, optional: boolean): number => {
      if (p === undefined && optional) return 0;
      if (!Number.isInteger(p) || p! < (optional ? 0 : 1) || p! > 65535) throw new SocketError('SOCK_BAD_SPEC', `${where}: ${what} must be an integer port ${optional ? '0' : '1'}..65535, got ${String(p)}`);
      return p!;
    };
    // an unbound socket (state 'close', no peer) has local port 0
    const unbound = spec.state === 'close' && spec.remoteAddress === undefined && spec.localPort === 0;
    const localPort = unbound ? 0 : port(spec.localPort, 'localPort', false);
    const remotePort = port(spec.remotePort, 'remotePort', true);
    const addr = (t: string | undefined, what: string): Uint8Array | null => {
      if (t === undefined) return null;
      const b = parseAddress(t);
      if (b === null) throw new SocketError('SOCK_BAD_SPEC', `${where}: ${what} '${t}' is not an IPv4 or IPv6 address`);
      return b;
    };
    let local = addr(spec.localAddress, 'localAddress');
    let remote = addr(spec.remoteAddress, 'remoteAddress');
    const family = spec.family === 'ipv6' ? AF_INET6 : spec.family === 'ipv4' ? AF_INET : local?.length === 16 || remote?.length === 16 ? AF_INET6 : AF_INET;
    const len = family === AF_INET ? 4 : 16;
    const fit = (b: Uint8Array | null, what: string): Uint8Array => {
      if (b === null) return new Uint8Array(len);
      if (b.length === len) return b;
      if (b.length === 4 && len === 16) return mapped(b);
      throw new SocketError('SOCK_BAD_SPEC', `${where}: ${what} is IPv6 but the socket is IPv4`);
    };
    local = fit(local, 'localAddress');
    remote = fit(remote, 'remoteAddress');
    const connected = spec.remoteAddress !== undefined;
    const tcp = spec.protocol === 'tcp';
    const stateName = spec.state ?? (connected ? 'established' : tcp ? 'listen' : 'close');
    const state = (TcpState as Record<string, number>)[stateName.toUpperCase()];
    if (state === undefined) throw new SocketError('SOCK_BAD_SPEC', `${where}: unknown state '${stateName}'`);
    if (!tcp && state !== TcpState.CLOSE && state !== TcpState.ESTABLISHED) throw new SocketError('SOCK_BAD_SPEC', `${where}: a UDP socket is 'close' (unconnected) or 'established' (connected), not '${stateName}'`);
    if (state !== TcpState.LISTEN && state !== TcpState.CLOSE && (!connected || remotePort === 0)) throw new SocketError('SOCK_BAD_SPEC', `${where}: state '${stateName}' needs remoteAddress and remotePort`);
    if (tcp && connected && spec.localAddress === undefined) throw new SocketError('SOCK_BAD_SPEC', `${where}: a connected TCP socket needs localAddress (the address the connection uses)`);
    if (state === TcpState.LISTEN && connected) throw new SocketError('SOCK_BAD_SPEC', `${where}: a listening socket has no peer`);
    let listener = 0;
    if (state === TcpState.NEW_SYN_RECV) {
      const l = spec.listener === undefined ? undefined : this.byId.get(spec.listener);
      if (l === undefined || l.state !== TcpState.LISTEN) throw new SocketError('SOCK_BAD_SPEC', `${where}: a request socket (new_syn_recv) needs 'listener', the id of a listening TCP socket`);
      listener = l.id;
    }
    const u32 = (v: number | undefined, what: string): number => {
      if (v === undefined) return 0;
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new SocketError('SOCK_BAD_SPEC', `${where}: ${what} must be a u32, got ${String(v)}`);
      return v;
    };
    const cookie = spec.cookie ?? this.nextCookie++;
    if (typeof cookie !== 'bigint' || cookie < 0n || cookie >= 1n << 64n) throw new SocketError('SOCK_BAD_SPEC', `${where}: cookie must be a u64 bigint`);
    const tcpView = new Uint8Array(BPF_TCP_SOCK_SIZE);
    if (tcp) {
      const dv = new DataView(tcpView.buffer);
      // tcp_init_sock: TCP_INIT_CWND, TCP_INFINITE_SSTHRESH, TCP_MSS_DEFAULT, rtt_min reset to ~0U (6.18 listeners read these)
      const vals: Partial<Record<TcpSockField, number | bigint>> = { snd_cwnd: 10, snd_ssthresh: 0x7fffffff, mss_cache: 536, rtt_min: 0xffffffff, ...spec.tcp };
      for (const [k, v] of Object.entries(vals)) {
        const f = (BPF_TCP_SOCK_FIELDS as Record<string, readonly [number, number]>)[k];
        if (f === undefined) throw new SocketError('SOCK_BAD_SPEC', `${where}: struct bpf_tcp_sock has no field '${k}'`);
        if (f[1] === 8) dv.setBigUint64(f[0], BigInt.asUintN(64, BigInt(v)), true);
        else dv.setUint32(f[0], u32(Number(v), `tcp.${k}`), true);
      }
    } else if (spec.tcp !== undefined) throw new SocketError('SOCK_BAD_SPEC', `${where}: 'tcp' fields on a UDP socket`);
    const s: EmuSocket = {
      id: this.nextId++,
      family,
      protocol: tcp ? IPPROTO_TCP : IPPROTO_UDP,
      type: tcp ? SOCK_STREAM : SOCK_DGRAM,
      local,
      localPort,
      remote,
      remotePort,
      state,
      listener,
      v6only: spec.v6only === true,
      boundDevIf: u32(spec.boundDevIf, 'boundDevIf'),
      mark: u32(spec.mark, 'mark'),
      priority: u32(spec.priority, 'priority'),
      cookie,
      netns: spec.netns,
      tcp: tcpView,
      sockRegion: 0,
      tcpRegion: 0,
      reuseport: spec.reuseport === true,
      userData: null,
      psockRefs: 0,
    };
    this.byId.set(s.id, s);
    return s;
  }

  /** Remove a socket (its views are unmapped; pointers a program still holds fault). */
  remove(id: number): void {
    const s = this.byId.get(id);
    if (s === undefined) throw new SocketError('SOCK_NOT_FOUND', `socket ${id}: no such socket`);
    this.byId.delete(id);
    unlinkSocket(s);
    // Its sk storage goes with it (bpf_sk_storage_free at sk destruction); the owner key of a table
    // socket is its struct bpf_sock view.
    if (s.sockRegion !== 0) localStorageOf({ mem: this.mem }).release(s.sockRegion);
    for (const r of [s.sockRegion, s.tcpRegion]) {
      if (r === 0) continue;
      this.byRegion.delete(r);
      this.retire(r);
    }
  }

  /** Every socket, in the order added. */
  list(): EmuSocket[] {
    return [...this.byId.values()];
  }

  /** The socket with table id `id`. */
  get(id: number): EmuSocket | undefined {
    return this.byId.get(id);
  }

  /** The socket a bpf_sock or bpf_tcp_sock region belongs to, and which view it is. */
  byView(region: number): { sock: EmuSocket; view: 'sock' | 'tcp' } | undefined {
    const s = this.byRegion.get(region);
    if (s === undefined) return undefined;
    return { sock: s, view: s.tcpRegion === region ? 'tcp' : 'sock' };
  }

  /** Guest pointer to the socket's struct bpf_sock view (mapped on first use). */
  sockPointer(s: EmuSocket): bigint {
    if (s.sockRegion === 0) {
      s.sockRegion = this.mem.map(bpfSockView(s), { kind: RegionKind.KERNEL, perm: PERM_R, label: `bpf_sock of socket ${s.id}`, owner: s });
      this.byRegion.set(s.sockRegion, s);
    }
    return Memory.pointer(s.sockRegion, 0);
  }

  /** Guest pointer to the socket's struct bpf_tcp_sock view (TCP only; mapped on first use). */
  tcpPointer(s: EmuSocket): bigint {
    if (s.tcpRegion === 0) {
      s.tcpRegion = this.mem.map(s.tcp, { kind: RegionKind.KERNEL, perm: PERM_R, label: `bpf_tcp_sock of socket ${s.id}`, owner: s });
      this.byRegion.set(s.tcpRegion, s);
    }
    return Memory.pointer(s.tcpRegion, 0);
  }

  /**
   * __inet_lookup / __udp4_lib_lookup / their IPv6 twins in namespace `netns` (undefined: the
   * caller's) for a packet arriving on `dif`: the socket, or null.
   */
  lookup(tuple: LookupTuple, protocol: number, netns: number | undefined, dif: number): EmuSocket | null {
    const cands = this.list().filter((s) => s.netns === netns && s.protocol === protocol && s.localPort === tuple.dport && (s.boundDevIf === 0 || s.boundDevIf === dif));
    const v4 = tuple.family === AF_INET;
    /** The socket's view of an address of the tuple (IPv4 seen by an IPv6 socket is v4-mapped). */
    const as = (s: EmuSocket, a: Uint8Array): Uint8Array | null => (s.family === tuple.family ? a : s.family === AF_INET6 && v4 && !s.v6only ? mapped(a) : null);
    if (protocol === IPPROTO_TCP) {
      for (const s of cands) {
        if (s.state === TcpState.LISTEN || s.state === TcpState.CLOSE || s.family !== tuple.family) continue;
        if (same(s.remote, tuple.saddr) && s.remotePort === tuple.sport && same(s.local, tuple.daddr)) return s;
      }
      // Listeners: the bound address first, then the wildcard; the highest compute_score wins.
      for (const exact of [true, false]) {
        let best: EmuSocket | null = null;
        let bestScore = -1;
        for (const s of cands) {
          if (s.state !== TcpState.LISTEN) continue;
          const d = as(s, tuple.daddr);
          if (d === null) continue;
          if (exact ? !same(s.local, d) : !isZero(s.local)) continue;
          if (exact && isZero(s.local)) continue;
          const score = (s.family === AF_INET ? 1 : 0) + (s.boundDevIf !== 0 ? 1 : 0);
          if (score > bestScore) {
            best = s;
            bestScore = score;
          }
        }
        if (best !== null) return best;
      }
      return null;
    }
    let best: EmuSocket | null = null;
    let bestScore = -1;
    for (const s of cands) {
      const d = as(s, tuple.daddr);
      const src = as(s, tuple.saddr);
      if (d === null || src === null) continue;
      let score = s.family === AF_INET ? 2 : 1;
      if (!isZero(s.local)) {
        if (!same(s.local, d)) continue;
        score += 4;
      }
      if (!isZero(s.remote)) {
        if (!same(s.remote, src)) continue;
        score += 4;
      }
      if (s.remotePort !== 0) {
        if (s.remotePort !== tuple.sport) continue;
        score += 4;
      }
      if (s.boundDevIf !== 0) score += 4;
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    return best;
  }
}

/** sk_fullsock: not a request or time-wait socket. */
export function isFullSock(s: EmuSocket): boolean {
  return s.state !== TcpState.NEW_SYN_RECV && s.state !== TcpState.TIME_WAIT;
}

/** The IPv4 field of an IPv6 socket's address: 0 for ::, the address for ::ffff:a.b.c.d, else 127.0.0.6. */
function v4Field(a: Uint8Array): Uint8Array {
  if (isZero(a)) return new Uint8Array(4);
  if (a.subarray(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff) return a.slice(12);
  return Uint8Array.of(127, 0, 0, 6);
}

/** struct bpf_sock of a socket (bpf_sock_convert_ctx_access): ports as the kernel stores them. */
export function bpfSockView(s: EmuSocket): Uint8Array {
  const b = new Uint8Array(BPF_SOCK_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, s.boundDevIf, true);
  dv.setUint32(4, s.family, true);
  dv.setUint32(8, s.type, true);
  dv.setUint32(12, s.protocol, true);
  dv.setUint32(16, s.mark, true);
  dv.setUint32(20, s.priority, true);
  if (s.family === AF_INET) {
    b.set(s.local, 24);
    b.set(s.remote, 52);
    // sk_rcv_saddr_set / sk_daddr_set (connect, accept) also store the v4-mapped IPv6 form; bind() does not
    if (!isZero(s.remote)) {
      b.set(mapped(s.local), 28);
      b.set(mapped(s.remote), 56);
    }
  } else {
    b.set(s.local, 28);
    b.set(s.remote, 56);
    // inet6_bind / tcp_v6_connect: an IPv6 address gives the v4 field LOOPBACK4_IPV6 (127.0.0.6), a v4-mapped one its IPv4 address
    b.set(v4Field(s.local), 24);
    b.set(v4Field(s.remote), 52);
  }
  // src_port: skc_num (host order); dst_port: skc_dport (network order) in a u16.
  dv.setUint32(44, s.localPort, true);
  dv.setUint16(48, s.remotePort, false);
  dv.setUint32(72, s.state, true);
  // rx_queue_mapping: -1 (NO_QUEUE_MAPPING) until a packet records one.
  dv.setInt32(76, -1, true);
  return b;
}
