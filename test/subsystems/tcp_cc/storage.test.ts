/**
 * Owns the simulated sockets as owners of BPF local storage (src/subsystems/tcp_cc/sim.ts with
 * src/maps/local-storage.ts): bpf_sk_storage_get / delete from a congestion control find each
 * flow's own value, the value still exists in `release`, and it is dropped when the socket is
 * destroyed (bpf_sk_storage_free after tcp_cleanup_congestion_control). Fixture
 * tcp_cc_kernel_storage; as root on 6.18 it is also run over loopback.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { installTcpCc } from '../../../src/subsystems/tcp_cc/install.js';
import { simulateTcp } from '../../../src/subsystems/tcp_cc/report.js';
import { liveBss } from './live-util.js';

const MS = 1e6;
const S = 1e9;

interface FlowState {
  acks: number;
  ackedPkts: number;
  sndWnd: number;
  cwndMax: number;
  inits: number;
}

function decode(b: Uint8Array, n: number): FlowState[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: n }, (_, i) => ({
    acks: Number(dv.getBigUint64(i * 32, true)),
    ackedPkts: Number(dv.getBigUint64(i * 32 + 8, true)),
    sndWnd: dv.getUint32(i * 32 + 16, true),
    cwndMax: dv.getUint32(i * 32 + 20, true),
    inits: dv.getUint32(i * 32 + 24, true),
  }));
}

describe('bpf_sk_storage in a congestion control', () => {
  it('each flow finds its own value (created in init, updated per ACK, still there in release), and a socket\'s storage goes when it is destroyed', () => {
    const kernel = new Kernel();
    installTcpCc(kernel);
    const obj = BpfObject.open(readFileSync('programs/tcp_cc_kernel_storage.bpf.o'), { kernel });
    obj.load();
    obj.attach();
    const cc = obj.map('bpfemu_storage').structOpsInstance;
    const rwnd = [300, 500, 700];
    const r = simulateTcp({ kernel, bandwidthBps: 24e6, rttNs: 20 * MS, durationNs: 3 * S, flows: rwnd.map((w, i) => ({ cc, rwndPkts: w, startNs: i * 100 * MS })) });
    expect(Number(obj.variable('create_failed').getInt())).toBe(0);
    expect(Number(obj.variable('missing').getInt())).toBe(0);
    const n = Number(obj.variable('ndone').getInt());
    expect(n).toBe(3);
    const done = decode(obj.variable('done').get(), n);
    // release runs in flow order at the end: the value each socket kept is its own
    for (let i = 0; i < 3; i++) {
      const f = r.raw.flows[i]!;
      expect(done[i]!.inits).toBe(1);
      expect(done[i]!.sndWnd).toBe(rwnd[i]! * 1448);
      // cong_avoid's `acked` adds up to the packets delivered outside recovery: not more than all of them
      expect(done[i]!.ackedPkts).toBeLessThanOrEqual(f.deliveredPkts);
      expect(done[i]!.ackedPkts).toBeGreaterThan(0.5 * f.deliveredPkts);
      expect(done[i]!.acks).toBeGreaterThan(0);
      // the window never exceeded the peer's window in packets
      expect(done[i]!.cwndMax).toBeLessThanOrEqual(rwnd[i]! + 1);
      expect(f.storageDropped).toBe(1);
    }
    // the map keeps nothing for sockets that are gone: a new run starts from fresh values
    const r2 = simulateTcp({ kernel, bandwidthBps: 24e6, rttNs: 20 * MS, durationNs: 200 * MS, flows: [{ cc, rwndPkts: 100 }] });
    const again = decode(obj.variable('done').get(), 4)[3]!;
    expect(again.inits).toBe(1);
    expect(again.sndWnd).toBe(100 * 1448);
    expect(r2.raw.flows[0]!.storageDropped).toBe(1);
  });

  it('a socket without storage drops nothing', () => {
    const r = simulateTcp({ bandwidthBps: 10e6, rttNs: 10 * MS, durationNs: 100 * MS, flows: [{ cc: 'reno' }] });
    expect(r.raw.flows[0]!.storageDropped).toBe(0);
  });
});

const isRoot = process.getuid?.() === 0;
const hasTools = spawnSync('bpftool', ['version'], { stdio: 'ignore' }).status === 0 && spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
const live = isRoot && hasTools && readFileSync('/proc/version', 'utf8').includes(' 6.18');
const why = !isRoot ? 'not root' : !hasTools ? 'no bpftool or python3' : 'not a 6.18 kernel';

describe('against the running kernel', () => {
  it.skipIf(!live)(`on 6.18 two loopback connections each keep their own value, found again in release${live ? '' : ` (skipped: ${why})`}`, () => {
    execFileSync('bpftool', ['struct_ops', 'register', 'programs/tcp_cc_kernel_storage.bpf.o'], { stdio: 'pipe' });
    try {
      for (let i = 0; i < 2; i++) execFileSync('python3', ['test/subsystems/tcp_cc/loopback.py', 'bpfemu_storage'], { stdio: 'pipe' });
      const bss = liveBss('stg_init') as { ndone: number; create_failed: number; missing: number; done: { acks: number; inits: number; snd_wnd: number }[] };
      expect([bss.ndone, bss.create_failed, bss.missing]).toEqual([2, 0, 0]);
      for (const x of bss.done.slice(0, 2)) {
        expect(x.inits).toBe(1);
        expect(x.acks).toBeGreaterThan(0);
        expect(x.snd_wnd).toBeGreaterThan(0);
      }
    } finally {
      spawnSync('bpftool', ['struct_ops', 'unregister', 'name', 'bpfemu_storage'], { stdio: 'ignore' });
    }
  });
});
