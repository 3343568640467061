/**
 * SOCKMAP and SOCKHASH (maps/sockmap.ts) with sockets of the emulated socket table, against Linux
 * 6.18 (goldens/sockmap.json, recorded by live/sockmap.c): the same sequence of bpf() calls as the
 * probe, with the same sockets (a TCP listener, both ends of an established connection, an unbound
 * TCP socket, a bound and an unbound UDP socket), a regular file, a closed fd and a map fd, must
 * give the probe's results. As root on 6.18 the probe runs again and must print the golden.
 */
import { readFileSync } from 'node:fs';
import { liveProbeGate, runLiveProbe } from './live/probe.js';
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { BPF_F, BPF_MAP_TYPE } from '../../src/maps/uapi.js';

interface Golden {
  readonly release: string;
  readonly results: Readonly<Record<string, number>>;
}
const GOLDEN = JSON.parse(readFileSync(new URL('./goldens/sockmap.json', import.meta.url), 'utf8')) as Golden;
const M = BPF_MAP_TYPE.SOCKMAP;
const H = BPF_MAP_TYPE.SOCKHASH;
const ANY = 0;
const NOEXIST = 1;
const EXIST = 2;

const le = (v: number | bigint, n: 4 | 8): Uint8Array => {
  const b = new Uint8Array(n);
  const dv = new DataView(b.buffer);
  if (n === 4) dv.setUint32(0, Number(v) >>> 0, true);
  else dv.setBigUint64(0, BigInt(v), true);
  return b;
};

/** The probe's sequence through the emulated bpf(); the same result names. */
function emulate(): Record<string, number> {
  const k = new Kernel();
  const r: Record<string, number> = {};
  const mk = (type: number, key: number, val: number, max: number, flags = 0): number =>
    k.bpf(Cmd.MAP_CREATE, { map_type: type, key_size: key, value_size: val, max_entries: max, map_flags: flags, map_name: 'sm' });
  const ok = (fd: number): number => (fd >= 0 ? 0 : -1);
  r['create/map_ok4'] = ok(mk(M, 4, 4, 4));
  r['create/map_ok8'] = ok(mk(M, 4, 8, 4));
  r['create/map_key8'] = mk(M, 8, 4, 4);
  r['create/map_val2'] = mk(M, 4, 2, 4);
  r['create/map_max0'] = mk(M, 4, 4, 0);
  r['create/map_no_prealloc'] = mk(M, 4, 4, 4, BPF_F.NO_PREALLOC);
  r['create/map_rdonly'] = ok(mk(M, 4, 4, 4, BPF_F.RDONLY));
  r['create/map_rdonly_prog'] = mk(M, 4, 4, 4, BPF_F.RDONLY_PROG);
  r['create/hash_ok'] = ok(mk(H, 16, 8, 4));
  r['create/hash_key0'] = mk(H, 0, 4, 4);
  r['create/hash_key512'] = ok(mk(H, 512, 4, 4));
  r['create/hash_key513'] = mk(H, 513, 4, 4);
  r['create/hash_val16'] = mk(H, 4, 16, 4);
  r['create/hash_max0'] = mk(H, 4, 4, 0);
  r['create/hash_max_huge'] = mk(H, 4, 4, 0x80000001);
  r['create/hash_no_prealloc'] = mk(H, 4, 4, 4, BPF_F.NO_PREALLOC);

  const S = k.sockets;
  const lst = S.openFd(S.add({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: 47031 }).id);
  const pair = { protocol: 'tcp', localAddress: '127.0.0.1', remoteAddress: '127.0.0.1' } as const;
  const cli = S.openFd(S.add({ ...pair, localPort: 47032, remotePort: 47031 }).id);
  const acc = S.openFd(S.add({ ...pair, localPort: 47031, remotePort: 47032 }).id);
  const tcpUnbound = S.openFd(S.add({ protocol: 'tcp', localPort: 0, state: 'close' }).id);
  const udpBound = S.openFd(S.add({ protocol: 'udp', localAddress: '127.0.0.1', localPort: 47033 }).id);
  const udpUnbound = S.openFd(S.add({ protocol: 'udp', localPort: 0, state: 'close' }).id);
  const file = k.fds.install({ kind: 'file', name: '/proc/self/status' });
  const m4 = mk(M, 4, 4, 4);
  const m8 = mk(M, 4, 8, 4);
  const closed = 999;
  const upd = (fd: number, key: number, value: Uint8Array, flags: number): number => k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: fd, key: le(key, 4), value, flags });
  const look = (fd: number, key: Uint8Array, size: number): [number, Uint8Array] => {
    const value = new Uint8Array(size);
    return [k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: fd, key, value }), value];
  };
  const del = (fd: number, key: Uint8Array): number => k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: fd, key });
  const next = (fd: number, key: Uint8Array | null, size: number): [number, Uint8Array] => {
    const next_key = new Uint8Array(size);
    return [k.bpf(Cmd.MAP_GET_NEXT_KEY, { map_fd: fd, ...(key !== null ? { key } : {}), next_key }), next_key];
  };
  const cookieOf = (fd: number): bigint => {
    const f = k.fds.get(fd) as unknown as { socket: { cookie: bigint } };
    return f.socket.cookie;
  };
  const u = (v: number): Uint8Array => le(v, 4);
  r['map/update_listener'] = upd(m4, 0, u(lst), ANY);
  r['map/update_client'] = upd(m4, 1, u(cli), ANY);
  r['map/update_accepted'] = upd(m4, 2, u(acc), NOEXIST);
  r['map/update_noexist_taken'] = upd(m4, 2, u(acc), NOEXIST);
  r['map/update_exist_empty'] = upd(m4, 3, u(cli), EXIST);
  r['map/update_tcp_unbound'] = upd(m4, 3, u(tcpUnbound), ANY);
  r['map/update_udp_bound'] = upd(m4, 3, u(udpBound), ANY);
  r['map/update_udp_unbound'] = upd(m4, 3, u(udpUnbound), ANY);
  r['map/update_file'] = upd(m4, 3, u(file), ANY);
  r['map/update_closed'] = upd(m4, 3, u(closed), ANY);
  r['map/update_map_fd'] = upd(m4, 3, u(m8), ANY);
  r['map/update_key_past_end'] = upd(m4, 4, u(lst), ANY);
  r['map/update_flags_2'] = upd(m4, 0, u(lst), 3);
  r['map/update_fd_negative'] = upd(m4, 3, u(0x80000000), ANY);
  r['map/lookup_value4'] = look(m4, u(0), 4)[0];
  r['map/update8_listener'] = upd(m8, 0, le(lst, 8), ANY);
  r['map/update8_fd_above_s32'] = upd(m8, 1, le(0x100000000n | BigInt(cli), 8), ANY);
  const [l8, v8] = look(m8, u(0), 8);
  r['map/lookup8'] = l8;
  r['map/lookup8_is_cookie'] = new DataView(v8.buffer).getBigUint64(0, true) === cookieOf(lst) ? 1 : 0;
  r['map/lookup8_empty'] = look(m8, u(1), 8)[0];
  r['map/lookup8_past_end'] = look(m8, u(9), 8)[0];
  r['map/delete'] = del(m4, u(1));
  r['map/delete_again'] = del(m4, u(1));
  r['map/delete_past_end'] = del(m4, u(4));
  const [n0, k0] = next(m4, null, 4);
  r['map/next_null'] = n0;
  r['map/next_null_key'] = new DataView(k0.buffer).getUint32(0, true);
  r['map/next_last'] = next(m4, u(3), 4)[0];
  const [n1, k1] = next(m4, u(1), 4);
  r['map/next_1'] = n1 !== 0 ? -1 : new DataView(k1.buffer).getUint32(0, true);

  const h = mk(H, 4, 8, 8);
  const socks = [lst, cli, acc];
  for (let i = 0; i < 6; i++) r[`hash/update_${100 + i * 7}`] = upd(h, 100 + i * 7, le(socks[i % 3]!, 8), ANY);
  r['hash/update_noexist_taken'] = upd(h, 100, le(acc, 8), NOEXIST);
  r['hash/update_exist_absent'] = upd(h, 1, le(acc, 8), EXIST);
  const [hl, hv] = look(h, u(100), 8);
  r['hash/lookup'] = hl;
  r['hash/lookup_is_cookie'] = new DataView(hv.buffer).getBigUint64(0, true) === cookieOf(lst) ? 1 : 0;
  r['hash/lookup_absent'] = look(h, u(1), 8)[0];
  r['hash/delete'] = del(h, u(114));
  r['hash/delete_again'] = del(h, u(114));
  r['hash/update_udp_unbound'] = upd(h, 200, le(udpUnbound, 8), ANY);
  let key: Uint8Array | null = null;
  for (let i = 0; i < 10; i++) {
    const [rc, nk] = next(h, key, 4);
    r[`hash/next_${i}`] = rc !== 0 ? rc : new DataView(nk.buffer).getUint32(0, true);
    if (rc !== 0) break;
    key = nk;
  }
  const [na, ka] = next(h, u(5), 4);
  r['hash/next_of_absent'] = na !== 0 ? -1 : new DataView(ka.buffer).getUint32(0, true);
  for (let i = 0; i < 4; i++) r[`hash/fill_${300 + i}`] = upd(h, 300 + i, le(lst, 8), ANY);
  return r;
}

describe('SOCKMAP and SOCKHASH: BPF_MAP_CREATE and the syscall side as on 6.18', () => {
  it('gives the probe\'s results for the same sequence', () => {
    expect(emulate()).toEqual(GOLDEN.results);
  });

  it('a socket that goes away leaves the maps', () => {
    const k = new Kernel();
    const s = k.sockets.add({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: 1000 });
    const fd = k.sockets.openFd(s.id);
    const m = k.bpf(Cmd.MAP_CREATE, { map_type: M, key_size: 4, value_size: 8, max_entries: 2 });
    expect(k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: m, key: le(0, 4), value: le(fd, 8), flags: 0 })).toBe(0);
    k.sockets.remove(s.id);
    expect(k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: m, key: le(0, 4), value: new Uint8Array(8) })).toBe(-2);
  });
});

const { live, why } = liveProbeGate(GOLDEN.release);

describe(`live kernel (${live ? `Linux ${GOLDEN.release}` : `SKIPPED: ${why}`})`, () => {
  it.skipIf(!live)('the probe prints the golden again', () => {
    const out = runLiveProbe('sockmap.c', [[]]);
    expect(out[0]).toEqual(GOLDEN.results);
  });
});

const RA_GOLDEN = JSON.parse(readFileSync(new URL('./goldens/reuseport.json', import.meta.url), 'utf8')) as Golden;

/** live/reuseport.c's sequence through the emulated bpf(). */
function emulateReuseport(): Record<string, number> {
  const k = new Kernel();
  const R = BPF_MAP_TYPE.REUSEPORT_SOCKARRAY;
  const r: Record<string, number> = {};
  const mk = (type: number, key: number, val: number, max: number, flags = 0): number =>
    k.bpf(Cmd.MAP_CREATE, { map_type: type, key_size: key, value_size: val, max_entries: max, map_flags: flags, map_name: 'ra' });
  const ok = (fd: number): number => (fd >= 0 ? 0 : -1);
  r['create/ok4'] = ok(mk(R, 4, 4, 4));
  r['create/ok8'] = ok(mk(R, 4, 8, 4));
  r['create/key8'] = mk(R, 8, 8, 4);
  r['create/val2'] = mk(R, 4, 2, 4);
  r['create/max0'] = mk(R, 4, 8, 0);
  r['create/mmapable'] = mk(R, 4, 8, 4, BPF_F.MMAPABLE);
  r['create/no_prealloc'] = mk(R, 4, 8, 4, BPF_F.NO_PREALLOC);
  r['create/rdonly_prog'] = ok(mk(R, 4, 8, 4, BPF_F.RDONLY_PROG));
  const S = k.sockets;
  const open = (spec: Parameters<typeof S.add>[0]): number => S.openFd(S.add(spec).id);
  const lo = '127.0.0.1';
  const l1 = open({ protocol: 'tcp', localAddress: lo, localPort: 47041, reuseport: true });
  const l2 = open({ protocol: 'tcp', localAddress: lo, localPort: 47041, reuseport: true });
  const plain = open({ protocol: 'tcp', localAddress: lo, localPort: 47042 });
  const cli = open({ protocol: 'tcp', localAddress: lo, localPort: 47043, remoteAddress: lo, remotePort: 47042 });
  const udp = open({ protocol: 'udp', localAddress: lo, localPort: 47044, reuseport: true });
  const udpUnbound = open({ protocol: 'udp', localPort: 0, state: 'close', reuseport: true });
  const inMap = open({ protocol: 'tcp', localAddress: lo, localPort: 47045, reuseport: true });
  const file = k.fds.install({ kind: 'file', name: '/proc/self/status' });
  const ra = mk(R, 4, 8, 4);
  const ra4 = mk(R, 4, 4, 4);
  const sm = mk(BPF_MAP_TYPE.SOCKMAP, 4, 8, 4);
  const closed = 999;
  const upd = (fd: number, key: number, value: Uint8Array, flags: number): number => k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: fd, key: le(key, 4), value, flags });
  const look = (fd: number, key: number, size: number): [number, Uint8Array] => {
    const value = new Uint8Array(size);
    return [k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: fd, key: le(key, 4), value }), value];
  };
  const del = (key: number): number => k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: ra, key: le(key, 4) });
  const cookieOf = (fd: number): bigint => (k.fds.get(fd) as unknown as { socket: { cookie: bigint } }).socket.cookie;
  const v8 = (v: number | bigint): Uint8Array => le(v, 8);
  r['sockmap/insert'] = upd(sm, 0, v8(inMap), ANY);
  r['update/listener'] = upd(ra, 0, v8(l1), ANY);
  r['update/listener2'] = upd(ra, 1, v8(l2), NOEXIST);
  r['update/same_socket_again'] = upd(ra, 2, v8(l1), ANY);
  r['update/noexist_taken'] = upd(ra, 1, v8(l2), NOEXIST);
  r['update/exist_empty'] = upd(ra, 2, v8(l2), EXIST);
  r['update/no_reuseport'] = upd(ra, 2, v8(plain), ANY);
  r['update/established'] = upd(ra, 2, v8(cli), ANY);
  r['update/udp'] = upd(ra, 2, v8(udp), ANY);
  r['update/udp_unbound'] = upd(ra, 3, v8(udpUnbound), ANY);
  r['update/in_sockmap'] = upd(ra, 3, v8(inMap), ANY);
  r['update/file'] = upd(ra, 3, v8(file), ANY);
  r['update/closed'] = upd(ra, 3, v8(closed), ANY);
  r['update/past_end'] = upd(ra, 4, v8(l1), ANY);
  r['update/flags'] = upd(ra, 3, v8(l1), 3);
  r['update/fd_above_s32'] = upd(ra, 3, v8(0x100000000n), ANY);
  r['sockmap/insert_reuseport_member'] = upd(sm, 0, v8(l2), ANY);
  const [lr, lv] = look(ra, 0, 8);
  r['lookup'] = lr;
  r['lookup_is_cookie'] = new DataView(lv.buffer).getBigUint64(0, true) === cookieOf(l1) ? 1 : 0;
  r['lookup_empty'] = look(ra, 3, 8)[0];
  r['lookup_past_end'] = look(ra, 7, 8)[0];
  r['update4/listener_taken_elsewhere'] = upd(ra4, 0, le(l1, 4), ANY);
  r['lookup4'] = look(ra4, 0, 4)[0];
  r['delete'] = del(1);
  r['delete_again'] = del(1);
  r['delete_past_end'] = del(4);
  r['update/after_delete_elsewhere'] = upd(ra, 0, v8(l2), ANY);
  const next = (key: number): number => k.bpf(Cmd.MAP_GET_NEXT_KEY, { map_fd: ra, key: le(key, 4), next_key: new Uint8Array(4) });
  r['next_last'] = next(3);
  r['next_past_end'] = next(9) === 0 ? 0 : -1;
  return r;
}

describe('REUSEPORT_SOCKARRAY: BPF_MAP_CREATE and the syscall side as on 6.18', () => {
  it('gives the probe\'s results for the same sequence', () => {
    expect(emulateReuseport()).toEqual(RA_GOLDEN.results);
  });

  it.skipIf(!live)('live: the probe prints the golden again', () => {
    expect(runLiveProbe('reuseport.c', [[]])[0]).toEqual(RA_GOLDEN.results);
  });
});
