/**
 * bpf_sk_assign in sk_lookup test runs (src/helpers/sk-assign.ts, kernel/progtypes/sk-lookup.ts):
 * the fixture programs/sk_assign.bpf.o picks sockets of a SOCKMAP holding the emulated versions of
 * the sockets the live recording used (golden/sk-assign-live.json, sk-assign-live.c on 6.18: a TCP
 * listener, a bound UDP socket, an established TCP socket, a dual-stack listener, a connected UDP
 * socket); each case's helper results, run verdict and the socket ctx_out's cookie names must be
 * the kernel's.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { liveProbeGate } from '../maps/live/probe.js';

interface Case {
  readonly name: string;
  readonly key: readonly [number, number];
  readonly flags: readonly [number, number];
  readonly action: number;
  readonly family: number;
  readonly protocol: number;
  readonly ret: readonly [number, number];
  readonly err: number;
  readonly retval: number;
  readonly selected: string;
}
interface Update {
  readonly src: number;
  readonly dst: number;
  readonly flags: number;
  readonly del: number;
  readonly update: number;
  readonly delete: number;
  readonly err: number;
}
interface Golden {
  readonly kernel: string;
  readonly sockmap: readonly { readonly socket: string; readonly update: number }[];
  readonly cases: readonly Case[];
  readonly updates: readonly Update[];
  /** Which socket each slot of `dst` holds after the updates. */
  readonly dst: Readonly<Record<string, string>>;
  /** The programs the verifier refuses to update socket maps from, loaded alone. */
  readonly loads: Readonly<Record<string, { readonly err: number; readonly refusal: boolean }>>;
}
const G = JSON.parse(readFileSync(new URL('./golden/sk-assign-live.json', import.meta.url), 'utf8')) as Golden;

const PORT = 40001;

/** struct bpf_sk_lookup for a lookup of 127.0.0.1 / ::1 port PORT from port 40000. */
function lookup(family: number, protocol: number): Uint8Array {
  const b = new Uint8Array(72);
  const dv = new DataView(b.buffer);
  dv.setUint32(8, family, true);
  dv.setUint32(12, protocol, true);
  if (family === 2) {
    b.set([127, 0, 0, 1], 16);
    b.set([127, 0, 0, 1], 40);
  } else {
    b[35] = 1;
    b[59] = 1;
  }
  dv.setUint16(36, 40000, false);
  dv.setUint32(60, PORT, true);
  return b;
}

/** The fixture with only `progs` loaded, over the emulated versions of the live sockets. */
function world(progs: readonly string[]): { o: BpfObject; socks: { cookie: bigint }[] } {
  const k = new Kernel();
  const S = k.sockets;
  const socks = [
    S.add({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: PORT }),
    S.add({ protocol: 'udp', localAddress: '127.0.0.1', localPort: 40002 }),
    S.add({ protocol: 'tcp', localAddress: '127.0.0.1', localPort: 40003, remoteAddress: '127.0.0.1', remotePort: PORT }),
    S.add({ protocol: 'tcp', localAddress: '::', localPort: 40004 }),
    S.add({ protocol: 'udp', localAddress: '127.0.0.1', localPort: 40005, remoteAddress: '127.0.0.1', remotePort: 40002 }),
  ];
  const o = BpfObject.open(readFileSync('programs/sk_assign.bpf.o'), { name: 'sk_assign', kernel: k });
  for (const p of o.programs) p.autoload = progs.includes(p.name);
  o.load();
  const m = o.map('socks');
  const updates = socks.map((s, i) => {
    const v = new Uint8Array(8);
    new DataView(v.buffer).setBigUint64(0, BigInt(S.openFd(s.id)), true);
    try {
      m.update(Uint8Array.of(i, 0, 0, 0), v);
      return 0;
    } catch (e) {
      return -(e as { errno: number }).errno;
    }
  });
  expect(updates).toEqual(G.sockmap.map((x) => x.update));
  return { o, socks };
}

describe('bpf_sk_assign (sk_lookup)', () => {
  it('gives 6.18\'s results, verdicts and selected socket for every recorded case', () => {
    const { o, socks } = world(['assign']);
    const names = G.sockmap.map((x) => x.socket);
    const got = G.cases.map((c) => {
      o.globals.cfg = { key: c.key.map(BigInt), flags: c.flags.map(BigInt), ret: [0n, 0n], action: BigInt(c.action) } as never;
      let err = 0;
      let retval = 0;
      let selected = 'none';
      try {
        const r = o.program('assign').testRun({ ctxIn: lookup(c.family, c.protocol) });
        retval = r.retval;
        const cookie = new DataView(r.ctxOut!.buffer, r.ctxOut!.byteOffset).getBigUint64(0, true);
        const i = socks.findIndex((s) => s.cookie === cookie);
        selected = cookie === 0n ? 'none' : i >= 0 ? names[i]! : 'other';
      } catch (e) {
        err = -(e as { errno: number }).errno;
      }
      const ret = (o.globals.cfg as { ret: bigint[] }).ret.map(Number);
      return { ...c, ret: [c.key[0] === 254 ? 0 : ret[0]!, c.key[1] === 254 ? 0 : ret[1]!], err, retval, selected };
    });
    expect(got).toEqual(G.cases);
  });

  it('program-side updates and deletes of a SOCKMAP give 6.18\'s results and contents; cgroup_skb and sock_ops updates are refused at load', () => {
    const { o, socks } = world(['update']);
    const names = G.sockmap.map((x) => x.socket);
    const got = G.updates.map((u) => {
      o.globals.upd = { src: BigInt(u.src), dst: BigInt(u.dst), flags: BigInt(u.flags), del: BigInt(u.del), ret_update: 0n, ret_delete: 0n } as never;
      o.program('update').testRun({ ctxIn: lookup(2, 6) });
      const r = o.globals.upd as { ret_update: bigint; ret_delete: bigint };
      return { ...u, update: Number(r.ret_update), delete: u.del === 254 ? 0 : Number(r.ret_delete), err: 0 };
    });
    expect(got).toEqual(G.updates);
    const dst: Record<string, string> = {};
    const m = o.map('dst');
    for (let k = 0; k < 8; k++) {
      let v: Uint8Array | undefined;
      try {
        v = m.lookup(Uint8Array.of(k, 0, 0, 0));
      } catch {
        v = undefined;
      }
      if (v === undefined) continue;
      const c = new DataView(v.buffer, v.byteOffset).getBigUint64(0, true);
      const i = socks.findIndex((s) => s.cookie === c);
      dst[String(k)] = i >= 0 ? names[i]! : 'other';
    }
    expect(dst).toEqual(G.dst);
    for (const [prog, want] of Object.entries(G.loads)) {
      const x = BpfObject.open(readFileSync('programs/sk_assign.bpf.o'), { name: 'sk_assign' });
      for (const p of x.programs) p.autoload = p.name === prog;
      let err = 0;
      let log = '';
      try {
        x.load();
      } catch (e) {
        err = -(e as { errno: number }).errno;
        log = String((e as { cause?: { log?: string } }).cause?.log ?? '');
      }
      expect({ prog, err, refusal: log.includes('cannot update sockmap in this context') }).toEqual({ prog, ...want });
    }
  });

  const gate = liveProbeGate('6.18');
  it.skipIf(!gate.live || spawnSync('cc', ['-O2', '-o', '/tmp/bpfemu-sk-assign-live', new URL('./sk-assign-live.c', import.meta.url).pathname, '-lbpf']).status !== 0)(
    `the running kernel still gives the golden (live; ${gate.live ? 'root on 6.18' : `skipped: ${gate.why}`})`,
    () => {
      const r = spawnSync('/tmp/bpfemu-sk-assign-live', ['programs/sk_assign.bpf.o'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect({ ...(JSON.parse(r.stdout) as object), kernel: '' }).toEqual({ ...G, kernel: '' });
    },
  );
});
