/**
 * Attach and fire of the cgroup hooks (src/kernel/progtypes/cgroup.ts) with the fixtures
 * programs/sock_addr, sock_ops and cgroup_misc: the rewritten ctx, the run-array verdict (-EPERM
 * when a program returns 0), bind's flag bits, getsockopt's retval, and the counters the programs
 * keep in their maps; effective programs along the emulated cgroup hierarchy and the cgroup
 * storage each run gets. Expected values follow from the C sources, computed here by hand.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { attachCgroup, cgroupHookOf, CGROUP_HOOKS, fireCgroup } from '../../../src/kernel/progtypes/cgroup.js';
import { cgroupsOf } from '../../../src/maps/cgroups.js';
import { AttachType, ProgType } from './harness.js';

const EPERM = 1;

function open(name: string): BpfObject {
  const o = BpfObject.open(readFileSync(`programs/${name}.bpf.o`));
  o.load();
  return o;
}

/** An IPv4 address as the u32 a program reads (network-order bytes, little-endian load). */
function ip4(s: string): number {
  const b = s.split('.').map(Number);
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

/** A port as the u32 user_port holds (network order in the low 16 bits). */
function port(p: number): number {
  return ((p & 0xff) << 8) | (p >>> 8);
}

/** The htonl of `v` as a program reads it. */
function be32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

function u64s(o: BpfObject, map: string, n: number): bigint[] {
  const m = o.map(map);
  return Array.from({ length: n }, (_, i) => {
    const v = m.lookup(Uint8Array.of(i, 0, 0, 0))!;
    return new DataView(v.buffer, v.byteOffset).getBigUint64(0, true);
  });
}

describe('cgroup hooks: names and attach', () => {
  it('hook names are the SEC() names, chosen by program type and expected attach type', () => {
    expect(cgroupHookOf(ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT)).toBe('cgroup/connect4');
    expect(cgroupHookOf(ProgType.CGROUP_SOCK, 0)).toBe('cgroup/sock_create');
    expect(cgroupHookOf(ProgType.SOCK_OPS, 0)).toBe('sockops');
    expect(cgroupHookOf(ProgType.XDP, 0)).toBeUndefined();
    expect(cgroupHookOf(ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS)).toBe('cgroup_skb/egress');
    // the 21 sock, sock_addr, sockops, dev, sysctl and sockopt hooks and the two cgroup_skb ones
    expect(CGROUP_HOOKS).toHaveLength(23);
  });

  it('a program of another type is refused with EINVAL; an unknown hook name throws', () => {
    const o = open('sk_lookup');
    expect(attachCgroup(o.kernel, o.program('lookup').fd)).toBe(-22);
    expect(() => fireCgroup(o.kernel, 'cgroup/connect5')).toThrow(/no cgroup hook named 'cgroup\/connect5'/);
    o.close();
  });

  it('a hook with nothing attached allows (retval 0) and reports the ctx as given', () => {
    const o = open('sock_addr');
    const r = fireCgroup(o.kernel, 'cgroup/connect4', { ctx: { user_ip4: ip4('10.0.0.1'), user_port: port(80) } });
    expect([r.retval, r.runs.length, r.ctx.user_ip4, r.ctx.user_port]).toEqual([0, 0, ip4('10.0.0.1'), port(80)]);
    o.close();
  });

  it('closing the link fd detaches the program', () => {
    const o = open('sock_addr');
    const fd = attachCgroup(o.kernel, o.program('connect4').fd);
    expect(fd).toBeGreaterThan(0);
    expect(fireCgroup(o.kernel, 'cgroup/connect4', { ctx: { user_port: port(23) } }).retval).toBe(-EPERM);
    o.kernel.close(fd);
    expect(fireCgroup(o.kernel, 'cgroup/connect4', { ctx: { user_port: port(23) } }).retval).toBe(0);
    o.close();
  });

  it('ctx fields that do not exist are named in the error', () => {
    const o = open('sock_addr');
    expect(() => fireCgroup(o.kernel, 'cgroup/connect4', { ctx: { user_ip5: 1 } })).toThrow(/bpf_sock_addr has no field 'user_ip5'/);
    expect(() => fireCgroup(o.kernel, 'cgroup/connect4', { ctx: { sk: 1 } })).toThrow(/pointer the kernel sets/);
    o.close();
  });
});

describe('cgroup/sock_addr (programs/sock_addr)', () => {
  it('connect4: redirects 10.0.0.1:80 to 127.0.0.1:8080, refuses port 23, counts', () => {
    const o = open('sock_addr');
    attachCgroup(o.kernel, o.program('connect4').fd);
    const r = fireCgroup(o.kernel, 'cgroup/connect4', { ctx: { user_family: 2, user_ip4: ip4('10.0.0.1'), user_port: port(80), family: 2, type: 1, protocol: 6 } });
    expect([r.retval, r.ctx.user_ip4, r.ctx.user_port]).toEqual([0, ip4('127.0.0.1'), port(8080)]);
    const other = fireCgroup(o.kernel, 'cgroup/connect4', { ctx: { user_ip4: ip4('10.0.0.2'), user_port: port(80) } });
    expect([other.retval, other.ctx.user_ip4, other.ctx.user_port]).toEqual([0, ip4('10.0.0.2'), port(80)]);
    expect(fireCgroup(o.kernel, 'cgroup/connect4', { ctx: { user_ip4: ip4('10.0.0.1'), user_port: port(23) } }).retval).toBe(-EPERM);
    expect(u64s(o, 'stats', 2)).toEqual([3n, 1n]);
    o.close();
  });

  it('bind4: ports below 1024 refused, 80 allowed with the NO_CAP_NET_BIND_SERVICE flag', () => {
    const o = open('sock_addr');
    attachCgroup(o.kernel, o.program('bind4').fd);
    const f = (p: number): [number, number] => {
      const r = fireCgroup(o.kernel, 'cgroup/bind4', { ctx: { user_port: port(p) } });
      return [r.retval, r.flags];
    };
    expect([f(22), f(80), f(8080), f(0)]).toEqual([[-EPERM, 0], [0, 1], [0, 0], [0, 0]]);
    o.close();
  });

  it('connect6: an 8-byte store rewrites user_ip6[2..3]', () => {
    const o = open('sock_addr');
    attachCgroup(o.kernel, o.program('connect6').fd);
    const r = fireCgroup(o.kernel, 'cgroup/connect6', { ctx: { user_family: 10, user_ip6: [be32(0xfd000000), 0, 0, be32(1)], user_port: port(53) } });
    expect([r.retval, r.ctx.user_ip6, r.ctx.user_port]).toEqual([0, [0, 0, 0, be32(1)], port(5353)]);
    o.close();
  });

  it('sendmsg4 rewrites destination and source; recvmsg4 maps the answer back and must allow', () => {
    const o = open('sock_addr');
    attachCgroup(o.kernel, o.program('sendmsg4').fd);
    attachCgroup(o.kernel, o.program('recvmsg4').fd);
    const s = fireCgroup(o.kernel, 'cgroup/sendmsg4', { ctx: { user_ip4: ip4('10.0.0.53'), user_port: port(53) } });
    expect([s.retval, s.ctx.user_ip4, s.ctx.msg_src_ip4]).toEqual([0, ip4('127.0.0.53'), ip4('127.0.0.1')]);
    const r = fireCgroup(o.kernel, 'cgroup/recvmsg4', { ctx: { user_ip4: ip4('127.0.0.53'), user_port: port(53) } });
    expect([r.retval, r.ctx.user_ip4]).toEqual([0, ip4('10.0.0.53')]);
    expect(u64s(o, 'stats', 6).slice(4)).toEqual([1n, 1n]);
    o.close();
  });

  it('getpeername4 reads the socket through ctx->sk', () => {
    const o = open('sock_addr');
    attachCgroup(o.kernel, o.program('peer4').fd);
    fireCgroup(o.kernel, 'cgroup/getpeername4', { sock: { family: 2, protocol: 6 } });
    expect(u64s(o, 'stats', 7)[6]).toBe((2n << 8n) | 6n);
    o.close();
  });

  it('two programs on one hook share the ctx: the second sees the first one\'s rewrite', () => {
    const o = open('sock_addr');
    attachCgroup(o.kernel, o.program('getsockname6').fd);
    attachCgroup(o.kernel, o.program('getsockname6').fd);
    const r = fireCgroup(o.kernel, 'cgroup/getsockname6', { ctx: { user_port: port(8080) } });
    expect([r.runs.length, r.ctx.user_port, r.retval]).toEqual([2, port(80), 0]);
    o.close();
  });
});

describe('sockops (programs/sock_ops)', () => {
  const OPS = { TIMEOUT_INIT: 1, RWND_INIT: 2, TCP_CONNECT_CB: 3, ACTIVE_ESTABLISHED_CB: 4, PASSIVE_ESTABLISHED_CB: 5, NEEDS_ECN: 6 };
  it('answers through reply, sets sk_txhash, sums snd_cwnd and srtt_us', () => {
    const o = open('sock_ops');
    attachCgroup(o.kernel, o.program('tcp_tune').fd);
    const fire = (op: number, ctx: Record<string, number> = {}): { retval: number; reply: number; hash: number } => {
      const r = fireCgroup(o.kernel, 'sockops', { ctx: { op, family: 2, ...ctx } });
      return { retval: r.retval, reply: Number(r.ctx.reply), hash: Number(r.ctx.sk_txhash) };
    };
    expect(fire(OPS.TIMEOUT_INIT, { remote_port: be32(443) }).reply).toBe(10);
    expect(fire(OPS.TIMEOUT_INIT, { remote_port: be32(80) }).reply).toBe(0xffffffff);
    expect(fire(OPS.RWND_INIT).reply).toBe(40);
    expect([fire(OPS.NEEDS_ECN, { local_port: 8080 }).reply, fire(OPS.NEEDS_ECN, { local_port: 22 }).reply]).toEqual([1, 0]);
    expect(fire(OPS.TCP_CONNECT_CB)).toEqual({ retval: 0, reply: 0, hash: 0x1234 });
    fire(OPS.ACTIVE_ESTABLISHED_CB, { snd_cwnd: 10, srtt_us: 800 });
    fire(OPS.PASSIVE_ESTABLISHED_CB, { snd_cwnd: 20, srtt_us: 200 });
    fireCgroup(o.kernel, 'sockops', { ctx: { op: 99, family: 10 } });
    // ops 1 (x2), 2, 3, 4, 5, 6 (x2); IPv6 events: 1; cwnd 30, srtt 1000
    expect(u64s(o, 'ops_stats', 11)).toEqual([0n, 2n, 1n, 1n, 1n, 1n, 2n, 0n, 1n, 30n, 1000n]);
    o.close();
  });
});

describe('cgroup/sock, dev, sysctl, sockopt (programs/cgroup_misc)', () => {
  it('sock_create refuses raw sockets, marks the others, sets priority for UDP', () => {
    const o = open('cgroup_misc');
    attachCgroup(o.kernel, o.program('sock_create').fd);
    const raw = fireCgroup(o.kernel, 'cgroup/sock_create', { sock: { family: 2, type: 3, protocol: 255 } });
    const udp = fireCgroup(o.kernel, 'cgroup/sock_create', { sock: { family: 2, type: 2, protocol: 17 } });
    const tcp = fireCgroup(o.kernel, 'cgroup/sock_create', { sock: { family: 10, type: 1, protocol: 6, priority: 3 } });
    expect([raw.retval, raw.ctx.mark]).toEqual([-EPERM, 0]);
    expect([udp.retval, udp.ctx.mark, udp.ctx.priority]).toEqual([0, 7, 6]);
    expect([tcp.retval, tcp.ctx.mark, tcp.ctx.priority]).toEqual([0, 7, 3]);
    o.close();
  });

  it('post_bind4 refuses port 9999 and 10.9.9.9', () => {
    const o = open('cgroup_misc');
    attachCgroup(o.kernel, o.program('post_bind4').fd);
    const f = (src_port: number, src_ip4: number): number => fireCgroup(o.kernel, 'cgroup/post_bind4', { sock: { src_port, src_ip4 } }).retval;
    expect([f(9999, ip4('10.0.0.1')), f(80, ip4('10.9.9.9')), f(80, ip4('10.0.0.1'))]).toEqual([-EPERM, -EPERM, 0]);
    o.close();
  });

  it('dev allows only read/write of char devices 1:3 and 1:5', () => {
    const o = open('cgroup_misc');
    attachCgroup(o.kernel, o.program('dev').fd);
    // access_type: type in the low 16 bits (1 block, 2 char), access in the high 16 (1 mknod, 2 read, 4 write)
    const f = (type: number, access: number, major: number, minor: number): number => fireCgroup(o.kernel, 'cgroup/dev', { ctx: { access_type: (access << 16) | type, major, minor } }).retval;
    expect([f(2, 2, 1, 3), f(2, 6, 1, 5), f(2, 1, 1, 3), f(1, 2, 1, 3), f(2, 2, 1, 8), f(2, 2, 4, 3)]).toEqual([0, 0, -EPERM, -EPERM, -EPERM, -EPERM]);
    o.close();
  });

  it('sysctl refuses writes at a position and rewinds the others', () => {
    const o = open('cgroup_misc');
    attachCgroup(o.kernel, o.program('sysctl').fd);
    const w = fireCgroup(o.kernel, 'cgroup/sysctl', { ctx: { write: 1, file_pos: 4 } });
    const r = fireCgroup(o.kernel, 'cgroup/sysctl', { ctx: { write: 0, file_pos: 4 } });
    expect([w.retval, w.ctx.file_pos, r.retval, r.ctx.file_pos]).toEqual([-EPERM, 4, 0, 0]);
    o.close();
  });

  it('getsockopt answers IP_TOS through optval and clears the error retval', () => {
    const o = open('cgroup_misc');
    attachCgroup(o.kernel, o.program('getsockopt').fd);
    const tos = fireCgroup(o.kernel, 'cgroup/getsockopt', { ctx: { level: 0, optname: 1 }, optval: new Uint8Array(4), retval: -95 });
    expect([tos.retval, tos.ctx.optlen, tos.optval]).toEqual([0, 1, Uint8Array.of(0x10, 0, 0, 0)]);
    const other = fireCgroup(o.kernel, 'cgroup/getsockopt', { ctx: { level: 1, optname: 8 }, optval: Uint8Array.of(1, 2, 3, 4), retval: -95 });
    expect([other.retval, other.ctx.optlen, other.optval]).toEqual([-95, 4, Uint8Array.of(1, 2, 3, 4)]);
    o.close();
  });

  it('setsockopt clamps SO_RCVBUF and turns IP_TOS into IP_TTL', () => {
    const o = open('cgroup_misc');
    attachCgroup(o.kernel, o.program('setsockopt').fd);
    const le = (v: number): Uint8Array => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    expect(fireCgroup(o.kernel, 'cgroup/setsockopt', { ctx: { level: 1, optname: 8 }, optval: le(1 << 20) }).retval).toBe(0);
    expect(fireCgroup(o.kernel, 'cgroup/setsockopt', { ctx: { level: 1, optname: 8 }, optval: le((1 << 20) + 1) }).retval).toBe(-EPERM);
    const tos = fireCgroup(o.kernel, 'cgroup/setsockopt', { ctx: { level: 0, optname: 1 }, optval: le(0x10) });
    expect([tos.retval, tos.ctx.optname]).toEqual([0, 2]);
    expect(u64s(o, 'counts', 6)).toEqual([0n, 0n, 0n, 0n, 0n, 3n]);
    o.close();
  });
});

describe('the cgroup hierarchy (maps/cgroups.ts)', () => {
  /** The per_cg storage of (cgroup id, sock_create) as user space reads it: key {u64 cgroup_inode_id, u32 attach_type}. */
  function perCg(o: BpfObject, cgroupId: bigint): bigint | undefined {
    const key = new Uint8Array(16);
    const dv = new DataView(key.buffer);
    dv.setBigUint64(0, cgroupId, true);
    dv.setUint32(8, AttachType.CGROUP_INET_SOCK_CREATE, true);
    const v = o.map('per_cg').lookup(key);
    return v === undefined ? undefined : new DataView(v.buffer, v.byteOffset).getBigUint64(0, true);
  }

  it('effective programs: the task\'s cgroup first, then its ancestors; a sibling\'s do not run', () => {
    const o = open('sock_addr');
    const cg = cgroupsOf(o.kernel);
    const app = cg.mkdir(cg.root, 'app');
    const web = cg.mkdir(app, 'web');
    const other = cg.mkdir(cg.root, 'other');
    const prog = o.program('getsockname6').fd;
    attachCgroup(o.kernel, prog, cg.root);
    attachCgroup(o.kernel, prog, web);
    attachCgroup(o.kernel, prog, other);
    const runs = (): number => fireCgroup(o.kernel, 'cgroup/getsockname6', { ctx: { user_port: port(8080) } }).runs.length;
    expect(runs()).toBe(1); // the task is in the root
    cg.current = web;
    expect(runs()).toBe(2);
    cg.current = app;
    expect(runs()).toBe(1);
    o.close();
  });

  it('each run gets the cgroup storage of the cgroup its program is attached to', () => {
    const o = open('cgroup_misc');
    const cg = cgroupsOf(o.kernel);
    const app = cg.mkdir(cg.root, 'app');
    attachCgroup(o.kernel, o.program('sock_create').fd, cg.root);
    attachCgroup(o.kernel, o.program('sock_create').fd, app);
    cg.current = app;
    fireCgroup(o.kernel, 'cgroup/sock_create', { sock: { type: 1 } });
    fireCgroup(o.kernel, 'cgroup/sock_create', { sock: { type: 1 } });
    cg.current = cg.root;
    fireCgroup(o.kernel, 'cgroup/sock_create', { sock: { type: 1 } });
    // app's storage: its two events; the root's: all three (it runs for app's task too)
    expect([perCg(o, app.id), perCg(o, cg.root.id)]).toEqual([2n, 3n]);
    o.close();
  });

  it('a removed cgroup takes no attachment', () => {
    const o = open('sock_addr');
    const cg = cgroupsOf(o.kernel);
    const gone = cg.mkdir(cg.root, 'gone');
    cg.rmdir(gone);
    expect(attachCgroup(o.kernel, o.program('connect4').fd, gone)).toBe(-22);
    o.close();
  });
});

describe('against 6.18: the same programs attached to a real cgroup (golden/cgroup-live.json)', () => {
  interface Live {
    connect: Record<string, number>;
    bind: Record<string, number>;
    socket: { raw: number; udp: { mark: number; priority: number }; tcp: { mark: number; priority: number } };
    sockopt: { ip_tos: number; ip_tos_value: number; ip_tos_optlen: number; so_rcvbuf_2m: number; so_rcvbuf_64k: number; set_ip_tos_16: number; ip_ttl_after: number };
    dev: { null: number; zero: number; full: number };
    sysctl: { read: number; write_at_1: number };
    stats: number[];
    counts0: number;
  }
  const G = JSON.parse(readFileSync(new URL('./golden/cgroup-live.json', import.meta.url), 'utf8')) as Live;

  it('connect4, bind4, sock_create, getsockopt/setsockopt, dev and sysctl give the verdicts, rewrites, socket options and counters the kernel gave', () => {
    const sa = open('sock_addr');
    const k = sa.kernel;
    attachCgroup(k, sa.program('connect4').fd);
    attachCgroup(k, sa.program('bind4').fd);
    // cgroup_misc's sock_create in the same emulated kernel: load its object there too
    const cm = BpfObject.open(readFileSync('programs/cgroup_misc.bpf.o'), { kernel: k });
    cm.load();
    attachCgroup(k, cm.program('sock_create').fd);
    const TCP = { family: 2, type: 1, protocol: 6 };
    const create = (sock: Record<string, number>): { retval: number; mark: number; priority: number } => {
      const r = fireCgroup(k, 'cgroup/sock_create', { sock });
      return { retval: r.retval, mark: Number(r.ctx.mark), priority: Number(r.ctx.priority) };
    };
    const connect = (ip: string, p: number): ReturnType<typeof fireCgroup> => {
      create(TCP);
      return fireCgroup(k, 'cgroup/connect4', { ctx: { user_family: 2, user_ip4: ip4(ip), user_port: port(p), family: 2, type: 1, protocol: 6 } });
    };
    const bind = (p: number): number => {
      create(TCP);
      return fireCgroup(k, 'cgroup/bind4', { ctx: { user_family: 2, user_ip4: ip4('127.0.0.1'), user_port: port(p), family: 2, type: 1, protocol: 6 } }).retval;
    };
    const c80 = connect('10.0.0.1', 80);
    // the kernel's connect succeeded because it went to the listener on 127.0.0.1:8080
    expect([c80.retval, c80.ctx.user_ip4, c80.ctx.user_port]).toEqual([G.connect['10.0.0.1:80'], ip4('127.0.0.1'), port(8080)]);
    expect(connect('10.0.0.1', 23).retval).toBe(G.connect['10.0.0.1:23']);
    expect([bind(22), bind(80), bind(8081)]).toEqual([G.bind['22'], G.bind['80'], G.bind['8081']]);
    expect(create({ family: 2, type: 3, protocol: 1 }).retval).toBe(G.socket.raw);
    const udp = create({ family: 2, type: 2, protocol: 17 });
    const tcp = create(TCP);
    expect([udp.mark, udp.priority, tcp.mark, tcp.priority]).toEqual([G.socket.udp.mark, G.socket.udp.priority, G.socket.tcp.mark, G.socket.tcp.priority]);
    // sockopt hooks on one more TCP socket
    attachCgroup(k, cm.program('getsockopt').fd);
    attachCgroup(k, cm.program('setsockopt').fd);
    create(TCP);
    const le = (v: number): Uint8Array => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
    // getsockopt(SOL_IP, IP_TOS): the kernel's own answer is TOS 0 in an int
    const tos = fireCgroup(k, 'cgroup/getsockopt', { ctx: { level: 0, optname: 1, optlen: 4 }, optval: le(0), retval: 0 });
    const tosValue = new DataView(tos.optval!.buffer).getUint8(0);
    expect([tos.retval, tosValue, tos.ctx.optlen]).toEqual([G.sockopt.ip_tos, G.sockopt.ip_tos_value, G.sockopt.ip_tos_optlen]);
    const set = (level: number, optname: number, v: number): ReturnType<typeof fireCgroup> => fireCgroup(k, 'cgroup/setsockopt', { ctx: { level, optname }, optval: le(v) });
    expect([set(1, 8, 2 << 20).retval, set(1, 8, 64 << 10).retval]).toEqual([G.sockopt.so_rcvbuf_2m, G.sockopt.so_rcvbuf_64k]);
    const tosSet = set(0, 1, 16);
    // the kernel then set IP_TTL (2) to the value: it read back 16
    expect([tosSet.retval, tosSet.ctx.optname, new DataView(tosSet.optval!.buffer).getUint32(0, true)]).toEqual([G.sockopt.set_ip_tos_16, 2, G.sockopt.ip_ttl_after]);
    // devices: access in the upper 16 bits (read 2, write 4), type in the lower (char 2)
    attachCgroup(k, cm.program('dev').fd);
    const dev = (access: number, minor: number): number => fireCgroup(k, 'cgroup/dev', { ctx: { access_type: (access << 16) | 2, major: 1, minor } }).retval;
    expect([dev(6, 3), dev(2, 5), dev(2, 7)]).toEqual([G.dev.null, G.dev.zero, G.dev.full]);
    attachCgroup(k, cm.program('sysctl').fd);
    expect([fireCgroup(k, 'cgroup/sysctl', { ctx: { write: 0, file_pos: 0 } }).retval, fireCgroup(k, 'cgroup/sysctl', { ctx: { write: 1, file_pos: 1 } }).retval]).toEqual([G.sysctl.read, G.sysctl.write_at_1]);
    expect(u64s(sa, 'stats', 3).map(Number)).toEqual(G.stats);
    expect(Number(u64s(cm, 'counts', 1)[0])).toBe(G.counts0);
    cm.close();
    sa.close();
  });
});
