/**
 * The socket-map redirect helpers (src/helpers/sockmap.ts): sk_skb programs run with runSkb over
 * SOCKMAP/SOCKHASH maps holding sockets of the emulated table, and sk_msg programs loaded with the
 * verifier on. The verdicts follow sock_map.c (6.18): SK_DROP for unknown flags, an empty slot or a
 * listening TCP socket, SK_PASS (and the skb's redirect record) otherwise. bpf_sock_map_update and
 * bpf_sock_hash_update from sockops programs fired with a table socket, against
 * golden/sockops-sockmap-live.json (recorded on 6.18 by sockops-sockmap-live.c).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/index.js';
import { attachCgroup, fireCgroup } from '../../src/kernel/progtypes/cgroup.js';
import { assembleBytes } from '../../src/isa/asm.js';
import { Kernel } from '../../src/kernel/kernel.js';
import type { KProg } from '../../src/kernel/objects/objects.js';
import { runSkb } from '../../src/kernel/progtypes/skb.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { ProgType } from '../../src/object/uapi.js';
import { ipv4Frame } from '../../src/util/packets.js';

const le = (v: number, n: 4 | 8): Uint8Array => {
  const b = new Uint8Array(n);
  if (n === 4) new DataView(b.buffer).setUint32(0, v, true);
  else new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
};

function setup(): { k: Kernel; map: number; hash: number } {
  const k = new Kernel({ verify: true });
  const S = k.sockets;
  const pair = { protocol: 'tcp', localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', state: 'established' } as const;
  const est = S.openFd(S.add({ ...pair, localPort: 1000, remotePort: 2000 }).id);
  const lst = S.openFd(S.add({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: 2000 }).id);
  const udp = S.openFd(S.add({ protocol: 'udp', localAddress: '127.0.0.1', localPort: 3000 }).id);
  const map = k.bpf(Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.SOCKMAP, key_size: 4, value_size: 8, max_entries: 4 });
  const hash = k.bpf(Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.SOCKHASH, key_size: 4, value_size: 8, max_entries: 4 });
  for (const [key, fd] of [[0, est], [1, lst], [2, udp]] as const) {
    expect(k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: map, key: le(key, 4), value: le(fd, 8), flags: 0 })).toBe(0);
    expect(k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: hash, key: le(key, 4), value: le(fd, 8), flags: 0 })).toBe(0);
  }
  return { k, map, hash };
}

function load(k: Kernel, type: number, text: string): KProg {
  const insns = assembleBytes(text);
  const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: type, insn_cnt: insns.length / 8, insns, license: 'GPL' });
  if (fd < 0) throw new Error(`load failed: ${fd} ${JSON.stringify(k.lastVerifierResult).slice(-400)}`);
  const e = k.fds.get(fd);
  if (e?.kind !== 'prog') throw new Error('not a program fd');
  return e.obj as KProg;
}

const FRAME = ipv4Frame('tcp', { srcPort: 1, dstPort: 2 });

describe('bpf_sk_redirect_map / bpf_sk_redirect_hash (sk_skb)', () => {
  const viaMap = (map: number, key: number, flags: number): string => `lddw r2, map_fd ${map}\nmov r3, ${key}\nmov r4, ${flags}\ncall 52\nexit`;
  const viaHash = (hash: number, key: number, flags: number): string => `stw [r10-4], ${key}\nlddw r2, map_fd ${hash}\nmov r3, r10\nadd r3, -4\nmov r4, ${flags}\ncall 72\nexit`;

  it('passes to an established socket and records the redirect; drops for a listener, an empty slot, unknown flags', () => {
    const { k, map, hash } = setup();
    const run = (text: string): { retval: number; redirect: unknown } => {
      const r = runSkb(k, load(k, ProgType.SK_SKB, text), { data: FRAME });
      if (typeof r === 'number') throw new Error(`run failed: ${r}`);
      return { retval: r.retval, redirect: r.redirect };
    };
    const a = run(viaMap(map, 0, 1));
    expect(a.retval).toBe(1);
    expect(a.redirect).toMatchObject({ kind: 'map', mapType: BPF_MAP_TYPE.SOCKMAP, key: 0, flags: 1 });
    expect(run(viaMap(map, 1, 0))).toEqual({ retval: 0, redirect: null });
    expect(run(viaMap(map, 3, 0)).retval).toBe(0);
    expect(run(viaMap(map, 0, 2)).retval).toBe(0);
    // a UDP socket that is not connected may not be a redirect target
    expect(run(viaMap(map, 2, 0)).retval).toBe(0);
    expect(run(viaHash(hash, 0, 0))).toMatchObject({ retval: 1, redirect: { kind: 'map', mapType: BPF_MAP_TYPE.SOCKHASH } });
    expect(run(viaHash(hash, 1, 0)).retval).toBe(0);
    expect(run(viaHash(hash, 9, 0)).retval).toBe(0);
  });

  it('the verifier refuses the SOCKMAP helper on a SOCKHASH and the helpers in other program types', () => {
    const { k, map, hash } = setup();
    expect(() => load(k, ProgType.SK_SKB, viaMap(hash, 0, 0))).toThrow(/load failed: -22/);
    expect(() => load(k, ProgType.SCHED_CLS, viaMap(map, 0, 0))).toThrow(/load failed: -22/);
  });
});

describe('bpf_msg_redirect_map / bpf_msg_redirect_hash (sk_msg)', () => {
  it('load with the verifier on and are refused in sk_skb', () => {
    const { k, map, hash } = setup();
    expect(load(k, ProgType.SK_MSG, `lddw r2, map_fd ${map}\nmov r3, 0\nmov r4, 0\ncall 60\nexit`)).toBeDefined();
    expect(load(k, ProgType.SK_MSG, `stw [r10-4], 0\nlddw r2, map_fd ${hash}\nmov r3, r10\nadd r3, -4\nmov r4, 0\ncall 71\nexit`)).toBeDefined();
    expect(() => load(k, ProgType.SK_SKB, `lddw r2, map_fd ${map}\nmov r3, 0\nmov r4, 0\ncall 60\nexit`)).toThrow(/load failed: -22/);
  });
});

describe('bpf_map_lookup_elem on socket maps', () => {
  const prog = (map: number, key: number, release = true): string =>
    `stw [r10-4], ${key}\nlddw r1, map_fd ${map}\nmov r2, r10\nadd r2, -4\ncall 1\njeq r0, 0, none\nldxw r6, [r0+72]\nldxw r7, [r0+44]\nlsh r7, 8\nor r6, r7\n${release ? 'mov r1, r0\ncall 86\n' : ''}mov r0, r6\nexit\nnone:\nmov r0, 999\nexit`;

  it('gives the socket (state and local port of its bpf_sock) and needs bpf_sk_release, as 6.18 does', () => {
    const { k, map, hash } = setup();
    const run = (text: string): number => {
      const insns = assembleBytes(text);
      const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.SCHED_CLS, insn_cnt: insns.length / 8, insns, license: 'GPL' });
      if (fd < 0) return fd;
      const attr: Record<string, number | Uint8Array> = { prog_fd: fd, data_in: FRAME, data_size_in: FRAME.length };
      expect(k.bpf(Cmd.PROG_TEST_RUN, attr)).toBe(0);
      return attr.retval as number;
    };
    // slot 0: established (1) on port 1000; slot 1: the listener (10) on 2000
    expect(run(prog(map, 0))).toBe((1000 << 8) | 1);
    expect(run(prog(map, 1))).toBe((2000 << 8) | 10);
    expect(run(prog(map, 3))).toBe(999);
    expect(run(prog(hash, 2))).toBe((3000 << 8) | 7);
    // the reference must be released: without bpf_sk_release the load fails (EINVAL)
    expect(run(prog(map, 0, false))).toBe(-22);
  });
});

describe('bpf_sock_map_update / bpf_sock_hash_update (sockops)', () => {
  interface Live {
    results: Record<string, number[]>;
    sockmap: Record<string, string>;
    sockhash: Record<string, string>;
  }
  const G = JSON.parse(readFileSync(new URL('./golden/sockops-sockmap-live.json', import.meta.url), 'utf8')) as Live;

  /** The fixture attached to the root cgroup, with the three sockets of the live run. */
  function world(): { o: BpfObject; ids: Record<string, number> } {
    const o = BpfObject.open(readFileSync('programs/sockops_sockmap.bpf.o'));
    o.load();
    const S = o.kernel.sockets;
    const pair = { protocol: 'tcp', localAddress: '127.0.0.1', remoteAddress: '127.0.0.1', state: 'established' } as const;
    const ids = {
      listener: S.add({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: 47311 }).id,
      client: S.add({ ...pair, localPort: 40000, remotePort: 47311 }).id,
      server: S.add({ ...pair, localPort: 47311, remotePort: 40000 }).id,
    };
    expect(attachCgroup(o.kernel, o.program('add_socks').fd)).toBeGreaterThan(0);
    return { o, ids };
  }

  const results = (o: BpfObject): Record<string, number[]> => {
    const m = o.map('results');
    const out: Record<string, number[]> = {};
    for (let op = 0; op < 16; op++) {
      const v = Array.from({ length: 8 }, (_, i) => {
        const b = m.lookup(le(op * 8 + i, 4))!;
        return Number(new DataView(b.buffer, b.byteOffset).getBigInt64(0, true));
      });
      if (v[7] !== 0) out[String(op)] = v.slice(0, 7);
    }
    return out;
  };

  const holders = (o: BpfObject, name: string, ids: Record<string, number>): Record<string, string> => {
    const byCookie = new Map(Object.entries(ids).map(([n, id]) => [o.kernel.sockets.get(id)!.cookie, n]));
    const out: Record<string, string> = {};
    for (let k = 0; k < 16; k++) {
      const v = o.map(name).lookup(le(k, 4));
      if (v !== null && v !== undefined) out[String(k)] = byCookie.get(new DataView(v.buffer, v.byteOffset).getBigUint64(0, true)) ?? 'other';
    }
    return out;
  };

  it('the established and listen callbacks add their socket with the kernel\'s errnos; the other callbacks get EOPNOTSUPP (as 6.18)', () => {
    const { o, ids } = world();
    // the callbacks of one connect over loopback: the listener's, the client's, the accepted socket's
    const events: [number, number][] = [[11, ids.listener!], [1, ids.client!], [2, ids.client!], [3, ids.client!], [6, ids.client!], [4, ids.client!], [5, ids.server!]];
    for (const [op, socket] of events) {
      const r = fireCgroup(o.kernel, 'sockops', { ctx: { op }, socket });
      expect(r.runs.map((x) => x.fault)).toEqual([null]);
    }
    expect(results(o)).toEqual(G.results);
    expect(holders(o, 'socks', ids)).toEqual(G.sockmap);
    expect(holders(o, 'sockh', ids)).toEqual(G.sockhash);
    // the ctx defaults come from the socket
    const r = fireCgroup(o.kernel, 'sockops', { ctx: { op: 20 }, socket: ids.client! });
    expect(r.ctx).toMatchObject({ family: 2, state: 1, local_port: 40000, is_fullsock: 1 });
    o.close();
  });

  it('without a table socket the helpers give EOPNOTSUPP; a socket in a reuseport array EBUSY; a full SOCKHASH E2BIG', () => {
    const k = new Kernel({ verify: true });
    const S = k.sockets;
    const sockmap = k.bpf(Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.SOCKMAP, key_size: 4, value_size: 8, max_entries: 4 });
    const sockhash = k.bpf(Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.SOCKHASH, key_size: 4, value_size: 8, max_entries: 1 });
    const reuse = k.bpf(Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.REUSEPORT_SOCKARRAY, key_size: 4, value_size: 8, max_entries: 1 });
    // ctx->reply = update(ctx, map, &key (ctx->local_port), BPF_ANY); return 1
    const upd = (map: number, id: number): string =>
      `mov r6, r1\nldxw r2, [r1+68]\nstxw [r10-4], r2\nlddw r2, map_fd ${map}\nmov r3, r10\nadd r3, -4\nmov r4, 0\ncall ${id}\nstxw [r6+4], r0\nmov r0, 1\nexit`;
    const loadFd = (text: string): number => {
      const insns = assembleBytes(text);
      const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.SOCK_OPS, insn_cnt: insns.length / 8, insns, license: 'GPL' });
      expect(fd).toBeGreaterThan(0);
      return fd;
    };
    const pm = loadFd(upd(sockmap, 53));
    const ph = loadFd(upd(sockhash, 70));
    const fire = (p: number, ev: Parameters<typeof fireCgroup>[2]): number => {
      const link = attachCgroup(k, p);
      try {
        return Number(fireCgroup(k, 'sockops', ev).ctx.reply) | 0;
      } finally {
        expect(k.close(link)).toBe(0);
      }
    };
    const lst = S.add({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: 2, reuseport: true });
    const lst2 = S.add({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: 3 });
    expect(fire(pm, { ctx: { op: 11 } })).toBe(-95);
    expect(fire(pm, { ctx: { op: 11 }, sock: { family: 2 } })).toBe(-95);
    expect(k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: reuse, key: le(0, 4), value: le(S.openFd(lst.id), 8), flags: 0 })).toBe(0);
    expect(fire(pm, { ctx: { op: 11 }, socket: lst.id })).toBe(-16);
    expect(fire(ph, { ctx: { op: 11 }, socket: lst2.id })).toBe(0);
    // local_port 2 is a second key: the one-entry SOCKHASH is full
    expect(fire(ph, { ctx: { op: 11, local_port: 2 }, socket: lst2.id })).toBe(-7);
    expect(() => fireCgroup(k, 'sockops', { socket: 999 })).toThrow(/socket 999 is not in the socket table/);
    expect(() => fireCgroup(k, 'cgroup/connect4', { socket: lst.id })).toThrow(/for sockops events only/);
  });

  it('the verifier takes them only in sockops programs and each only with its own map type', () => {
    const { k, map, hash } = setup();
    const upd = (m: number, id: number): string => `stw [r10-4], 0\nlddw r2, map_fd ${m}\nmov r3, r10\nadd r3, -4\nmov r4, 0\ncall ${id}\nmov r0, 1\nexit`;
    expect(load(k, ProgType.SOCK_OPS, upd(map, 53))).toBeDefined();
    expect(load(k, ProgType.SOCK_OPS, upd(hash, 70))).toBeDefined();
    expect(() => load(k, ProgType.SOCK_OPS, upd(hash, 53))).toThrow(/load failed: -22/);
    expect(() => load(k, ProgType.SOCK_OPS, upd(map, 70))).toThrow(/load failed: -22/);
    expect(() => load(k, ProgType.SK_SKB, upd(map, 53))).toThrow(/load failed: -22/);
  });
});

describe('bpf_sk_select_reuseport: the verifier', () => {
  it('takes it in sk_reuseport programs with a REUSEPORT_SOCKARRAY, SOCKMAP or SOCKHASH only', () => {
    const { k, map, hash } = setup();
    const reuse = k.bpf(Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.REUSEPORT_SOCKARRAY, key_size: 4, value_size: 8, max_entries: 2 });
    const array = k.bpf(Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.ARRAY, key_size: 4, value_size: 8, max_entries: 2 });
    const sel = (m: number): string => `stw [r10-4], 0\nlddw r2, map_fd ${m}\nmov r3, r10\nadd r3, -4\nmov r4, 0\ncall 82\nmov r0, 1\nexit`;
    for (const m of [reuse, map, hash]) expect(load(k, ProgType.SK_REUSEPORT, sel(m))).toBeDefined();
    expect(() => load(k, ProgType.SK_REUSEPORT, sel(array))).toThrow(/load failed: -22/);
    expect(() => load(k, ProgType.SK_SKB, sel(reuse))).toThrow(/load failed: -22/);
  });
});
