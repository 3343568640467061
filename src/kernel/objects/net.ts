/**
 * The emulated network the user configures through `kernel.net`: devices (name, MAC, MTU,
 * addresses, forwarding), routes in numbered tables and neighbour entries; bpf_fib_lookup reads it
 * (helpers/fib.ts, the 'net' service).
 *
 * It starts as a fresh network namespace does: the loopback device, ifindex 1, up, MTU 65536,
 * 127.0.0.1/8 and ::1/128, forwarding off. New devices get the next ifindex (2, 3, ...), as
 * `ip link add` gives them in a new namespace. An address adds what the kernel adds for it: a
 * `local` route in table 255 (for lo the whole prefix), for IPv4 below /31 the broadcast address
 * as a local-table route, and the connected route of its prefix in table 254 (preferred source =
 * the address; metric 0 for IPv4, 256 for IPv6). User routes get metric 0 (IPv4) or 1024 (IPv6)
 * unless given, as `ip route add` does.
 */
import type { FibDevice, FibRoute, NetService } from '../../helpers/fib.js';
import { RT_TABLE } from '../../helpers/fib.js';
import { BpfemuError } from '../../util/errors.js';
import { AF_INET, AF_INET6, parseAddress } from './sockets.js';

/** Error codes of network-configuration operations. */
export type NetErrorCode = 'NET_BAD_SPEC' | 'NET_NO_DEVICE' | 'NET_DUPLICATE';

/** A bad device, route or neighbour definition. */
export class NetError extends BpfemuError<NetErrorCode> {
  constructor(
    readonly code: NetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What {@link NetConfig.addDevice} takes. */
export interface DeviceSpec {
  readonly name: string;
  /** aa:bb:cc:dd:ee:ff; default 02:00:00:00:00:<ifindex>. */
  readonly mac?: string;
  /** Default 1500. */
  readonly mtu?: number;
  /** Default true. */
  readonly up?: boolean;
  /** net.ipv{4,6}.conf.DEV.forwarding; default false, as in the kernel. */
  readonly forwarding?: boolean;
  /** 'ADDR/PLEN' (IPv4 or IPv6). */
  readonly addresses?: readonly string[];
}

/** What {@link NetConfig.addRoute} takes (the words of `ip route add`). */
export interface RouteSpec {
  /** 'PREFIX/PLEN', an address (a host route) or 'default'; the family follows it (`family` for 'default'). */
  readonly dst: string;
  readonly family?: 'ipv4' | 'ipv6';
  readonly type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'local';
  readonly via?: string;
  /** Device name or ifindex; unicast routes need one (or a gateway on a connected prefix). */
  readonly dev?: string | number;
  readonly metric?: number;
  /**
   * The route's mtu metric. The lookup uses it only when locked (`mtu lock N`;
   * ip_mtu_from_fib_result without net.ipv4.ip_forward_use_pmtu, ip6_mtu_from_fib6), else the device MTU.
   */
  readonly mtu?: number;
  readonly mtuLock?: boolean;
  readonly table?: number;
  /** Preferred source address. */
  readonly src?: string;
}

/** What {@link NetConfig.addNeighbour} takes: a permanent entry. */
export interface NeighbourSpec {
  readonly dev: string | number;
  readonly addr: string;
  readonly mac: string;
}

interface Device extends FibDevice {
  readonly name: string;
  up: boolean;
  forwarding4: boolean;
  forwarding6: boolean;
  readonly addrs: { readonly addr: Uint8Array; readonly plen: number }[];
}

function parseMac(text: string, where: string): Uint8Array {
  const m = /^([0-9a-fA-F]{2})(?::([0-9a-fA-F]{2})){5}$/.exec(text);
  if (m === null) throw new NetError('NET_BAD_SPEC', `${where}: '${text}' is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  return Uint8Array.from(text.split(':').map((x) => parseInt(x, 16)));
}

function parsePrefix(text: string, where: string): { addr: Uint8Array; plen: number } {
  const [a, p] = text.split('/') as [string, string | undefined];
  const addr = parseAddress(a);
  if (addr === null) throw new NetError('NET_BAD_SPEC', `${where}: '${a}' is not an IPv4 or IPv6 address`);
  const max = addr.length * 8;
  const plen = p === undefined ? max : Number(p);
  if (!Number.isInteger(plen) || plen < 0 || plen > max || (p !== undefined && !/^\d+$/.test(p))) throw new NetError('NET_BAD_SPEC', `${where}: prefix length '${p ?? ''}' must be 0..${max}`);
  return { addr, plen };
}

function masked(a: Uint8Array, plen: number): Uint8Array {
  const out = a.slice();
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, plen - 8 * i));
    out[i] = out[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

const famOf = (a: Uint8Array): number => (a.length === 4 ? AF_INET : AF_INET6);

/** The emulated network of one kernel. */
export class NetConfig implements NetService {
  private readonly devices = new Map<number, Device>();
  private readonly userRoutes: FibRoute[] = [];
  private readonly neigh = new Map<string, Uint8Array>();
  private nextIfindex = 2;

  constructor() {
    this.devices.set(1, { ifindex: 1, name: 'lo', mtu: 65536, mac: new Uint8Array(6), up: true, forwarding4: false, forwarding6: false, addrs: [parsePrefix('127.0.0.1/8', 'lo'), parsePrefix('::1/128', 'lo')] });
  }

  /** Add a device; returns its ifindex. */
  addDevice(spec: DeviceSpec): number {
    const where = `device '${String(spec.name)}'`;
    if (typeof spec.name !== 'string' || !/^[A-Za-z0-9_.-]{1,15}$/.test(spec.name)) throw new NetError('NET_BAD_SPEC', `${where}: a name is 1 to 15 characters of [A-Za-z0-9_.-]`);
    if ([...this.devices.values()].some((d) => d.name === spec.name)) throw new NetError('NET_DUPLICATE', `${where}: a device of that name exists`);
    const mtu = spec.mtu ?? 1500;
    if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65536) throw new NetError('NET_BAD_SPEC', `${where}: mtu ${mtu} must be 68..65536`);
    const ifindex = this.nextIfindex++;
    const mac = spec.mac === undefined ? Uint8Array.of(2, 0, 0, 0, 0, ifindex & 0xff) : parseMac(spec.mac, where);
    const addrs = (spec.addresses ?? []).map((a) => parsePrefix(a, where));
    this.devices.set(ifindex, { ifindex, name: spec.name, mtu, mac, up: spec.up ?? true, forwarding4: spec.forwarding === true, forwarding6: spec.forwarding === true, addrs });
    return ifindex;
  }

  /** Set forwarding on one device, or on all (net.ipv{4,6}.conf.all.forwarding). */
  setForwarding(enabled: boolean, dev?: string | number): void {
    const list = dev === undefined ? [...this.devices.values()] : [this.dev(dev, 'setForwarding')];
    for (const d of list) {
      d.forwarding4 = enabled;
      d.forwarding6 = enabled;
    }
  }

  /** Add a route. */
  addRoute(spec: RouteSpec): void {
    const where = `route ${String(spec.dst)}`;
    const type = spec.type ?? 'unicast';
    let dst: { addr: Uint8Array; plen: number };
    if (spec.dst === 'default') dst = { addr: new Uint8Array(spec.family === 'ipv6' ? 16 : 4), plen: 0 };
    else dst = parsePrefix(spec.dst, where);
    const family = famOf(dst.addr);
    const gw = spec.via === undefined ? null : parsePrefix(spec.via, where).addr;
    if (gw !== null && famOf(gw) !== family) throw new NetError('NET_BAD_SPEC', `${where}: gateway ${spec.via} is of another family`);
    let dev = spec.dev === undefined ? 0 : this.dev(spec.dev, where).ifindex;
    if (type === 'unicast' && dev === 0) {
      // `ip route add X via GW`: the device of the connected prefix holding GW
      const hit = gw === null ? undefined : this.routes(family).find((r) => r.table === RT_TABLE.MAIN && r.type === 'unicast' && r.gateway === null && r.plen > 0 && maskedEq(r.dst, gw, r.plen));
      if (hit === undefined) throw new NetError('NET_BAD_SPEC', `${where}: a unicast route needs 'dev' or a gateway on a connected prefix`);
      dev = hit.dev;
    }
    const table = spec.table ?? RT_TABLE.MAIN;
    const metric = spec.metric ?? (family === AF_INET ? 0 : 1024);
    const mtu = spec.mtu ?? 0;
    for (const [v, w] of [[table, 'table'], [metric, 'metric'], [mtu, 'mtu']] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new NetError('NET_BAD_SPEC', `${where}: ${w} must be a u32`);
    }
    const prefsrc = spec.src === undefined ? null : parsePrefix(spec.src, where).addr;
    const effectiveMtu = spec.mtuLock === true ? mtu : 0;
    this.userRoutes.push({ family, dst: masked(dst.addr, dst.plen), plen: dst.plen, type, table, gateway: gw, dev, metric, mtu: effectiveMtu, prefsrc });
  }

  /** Add a permanent neighbour entry. */
  addNeighbour(spec: NeighbourSpec): void {
    const where = `neighbour ${String(spec.addr)}`;
    const d = this.dev(spec.dev, where);
    const a = parsePrefix(spec.addr, where).addr;
    this.neigh.set(`${d.ifindex}/${a.join('.')}`, parseMac(spec.mac, where));
  }

  /** The device named or numbered `dev`. */
  private dev(dev: string | number, where: string): Device {
    const d = typeof dev === 'number' ? this.devices.get(dev) : [...this.devices.values()].find((x) => x.name === dev);
    if (d === undefined) throw new NetError('NET_NO_DEVICE', `${where}: no device ${String(dev)}`);
    return d;
  }

  /** Devices by ifindex, lo first. */
  list(): { ifindex: number; name: string; mtu: number; up: boolean }[] {
    return [...this.devices.values()].map((d) => ({ ifindex: d.ifindex, name: d.name, mtu: d.mtu, up: d.up }));
  }

  device(ifindex: number): FibDevice | undefined {
    return this.devices.get(ifindex);
  }

  addresses(ifindex: number, family: number): readonly Uint8Array[] {
    return (this.devices.get(ifindex)?.addrs ?? []).filter((a) => famOf(a.addr) === family).map((a) => a.addr);
  }

  neighbour(ifindex: number, addr: Uint8Array): Uint8Array | undefined {
    return this.neigh.get(`${ifindex}/${addr.join('.')}`);
  }

  routes(family: number): readonly FibRoute[] {
    const out: FibRoute[] = [];
    for (const d of this.devices.values()) {
      if (!d.up) continue;
      for (const { addr, plen } of d.addrs) {
        if (famOf(addr) !== family) continue;
        const max = addr.length * 8;
        const v4 = family === AF_INET;
        const local = (dst: Uint8Array, pl: number): FibRoute => ({ family, dst, plen: pl, type: 'local', table: RT_TABLE.LOCAL, gateway: null, dev: d.ifindex, metric: 0, mtu: 0, prefsrc: addr });
        out.push(d.ifindex === 1 ? local(masked(addr, plen), plen) : local(addr, max));
        if (d.ifindex === 1) continue;
        if (v4 && plen < 31) {
          const bcast = addr.slice();
          for (let i = 0; i < 4; i++) bcast[i] = bcast[i]! | (~(((0xff << (8 - Math.max(0, Math.min(8, plen - 8 * i)))) & 0xff)) & 0xff);
          out.push(local(bcast, 32));
        }
        if (plen < max) out.push({ family, dst: masked(addr, plen), plen, type: 'unicast', table: RT_TABLE.MAIN, gateway: null, dev: d.ifindex, metric: v4 ? 0 : 256, mtu: 0, prefsrc: v4 ? addr : null });
      }
    }
    for (const r of this.userRoutes) if (r.family === family && (r.dev === 0 || this.devices.get(r.dev)?.up === true)) out.push(r);
    return out;
  }
}

function maskedEq(prefix: Uint8Array, a: Uint8Array, plen: number): boolean {
  const m = masked(a, plen);
  return m.every((x, i) => x === prefix[i]);
}
