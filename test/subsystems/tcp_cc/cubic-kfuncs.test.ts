/**
 * Owns src/subsystems/tcp_cc/cubic.ts, the kernel CUBIC behind the cubictcp_* kfuncs, through the
 * fixture tcp_cc_kernel_cubic (a control made of nothing but those kfuncs), against properties
 * computed here from the equations (spec §5.2, T2): ssthresh = max(cwnd·717/1024, 2), W_max with
 * fast convergence, HyStart ending slow start before any loss on its ACK-train or delay rule, and
 * the window following W(t) = 0.4 (t + minRTT − K)³ + W_max. As root on 6.18 the fixture is
 * registered and run over loopback (the kfuncs exist there and run).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { installTcpCc } from '../../../src/subsystems/tcp_cc/install.js';
import { simulateTcp } from '../../../src/subsystems/tcp_cc/report.js';
import { cubeRootExact } from '../../../src/subsystems/tcp_cc/cubic.js';
import { liveBss } from './live-util.js';

const MS = 1e6;
const S = 1e9;

function kcubic(): { kernel: Kernel; obj: BpfObject; cc: ReturnType<BpfObject['map']>['structOpsInstance'] } {
  const kernel = new Kernel();
  installTcpCc(kernel);
  const obj = BpfObject.open(readFileSync('programs/tcp_cc_kernel_cubic.bpf.o'), { kernel });
  obj.load();
  obj.attach();
  return { kernel, obj, cc: obj.map('bpfemu_kcubic').structOpsInstance };
}

const u32s = (b: Uint8Array): number[] => Array.from({ length: b.length / 4 }, (_, i) => new DataView(b.buffer, b.byteOffset).getUint32(i * 4, true));

describe('the cubictcp_* kfuncs', () => {
  it('cubeRootExact is the floor of the real cube root', () => {
    for (const a of [0n, 1n, 7n, 8n, 26n, 27n, 999_999n, 1_000_000n, (1n << 40n) / 410n * 37n, (1n << 63n) - 1n]) {
      const r = BigInt(cubeRootExact(a));
      expect(r * r * r <= a && (r + 1n) ** 3n > a).toBe(true);
    }
  });

  it('ssthresh is max(cwnd * 717 / 1024, 2) and W_max follows fast convergence (spec T2 a, c)', () => {
    const { kernel, obj, cc } = kcubic();
    const r = simulateTcp({ kernel, bandwidthBps: 12e6, rttNs: 100 * MS, bufferPkts: 100, durationNs: 40 * S, flows: [{ cc }] });
    expect(r.raw.flows[0]!.rtos).toBe(0);
    const n = Number(obj.variable('ncuts').getInt());
    expect(n).toBeGreaterThanOrEqual(3);
    const c = u32s(obj.variable('cuts').get());
    let lastMax = 0;
    for (let i = 0; i < n; i++) {
      const [cwnd, ssthresh, wMax] = [c[3 * i]!, c[3 * i + 1]!, c[3 * i + 2]!];
      expect(ssthresh).toBe(Math.max(Math.floor((cwnd * 717) / 1024), 2));
      expect(wMax).toBe(cwnd < lastMax ? Math.floor((cwnd * 1741) / 2048) : cwnd);
      lastMax = wMax;
    }
  });

  it('HyStart ends slow start before any loss, at cwnd >= 16, by its ACK-train or delay rule; the TypeScript CUBIC without HyStart runs into loss', () => {
    const { kernel, obj, cc } = kcubic();
    const path = { bandwidthBps: 12e6, rttNs: 40 * MS, bufferPkts: 2000, durationNs: 4 * S, traceAcks: true };
    const r = simulateTcp({ kernel, ...path, flows: [{ cc }] });
    expect(Number(obj.variable('hystart_exits').getInt())).toBe(1);
    const e = u32s(obj.variable('exit_at').get());
    const [cwnd, dm, currRtt, , roundStart, , nowUs] = e as [number, number, number, number, number, number, number];
    expect(cwnd).toBeGreaterThanOrEqual(16);
    const ackTrain = ((nowUs - roundStart) | 0) > dm >>> 1;
    const delay = currRtt > dm + Math.min(Math.max(dm >>> 3, 4000), 16000);
    expect(ackTrain || delay).toBe(true);
    // in the trace: ssthresh becomes that cwnd while the flow is still Open, with nothing lost
    const tr = r.raw.flows[0]!.trace!;
    const i = tr.ssthresh.findIndex((s) => s < 0x7fffffff);
    expect(tr.ssthresh[i]).toBe(cwnd);
    expect(tr.state.slice(0, i + 1).every((s) => s === 0)).toBe(true);
    expect(r.raw.drops).toBe(0);
    // the reference CUBIC without HyStart keeps doubling into the 2000-packet buffer
    const ts = simulateTcp({ ...path, flows: [{ cc: 'cubic' }] });
    const j = ts.raw.flows[0]!.trace!.ssthresh.findIndex((s) => s < 0x7fffffff);
    expect(j < 0 || ts.raw.flows[0]!.trace!.cwnd[j - 1]! > cwnd).toBe(true);
  });

  it('the window follows W(t) = 0.4 (t + minRTT - K)^3 + W_max after each loss (spec T2 b)', () => {
    const { kernel, obj, cc } = kcubic();
    const r = simulateTcp({ kernel, bandwidthBps: 12e6, rttNs: 100 * MS, bufferPkts: 100, durationNs: 40 * S, traceAcks: true, flows: [{ cc }] });
    const tr = r.raw.flows[0]!.trace!;
    const minRtt = Math.min(...r.raw.flows[0]!.rttsUs) / 1e6;
    const c = u32s(obj.variable('cuts').get());
    let cut = 0;
    let epochs = 0;
    let points = 0;
    for (let i = 1; i < tr.state.length; i++) {
      if (!(tr.state[i] === 3 && tr.state[i - 1] !== 3)) continue;
      const wMax = c[3 * cut + 2]!; // W_max as the kfunc set it
      cut++;
      let j = i;
      while (j < tr.state.length && tr.state[j] !== 0) j++;
      if (j >= tr.state.length) break;
      const t0 = tr.t[j]!;
      const K = Math.cbrt((wMax - tr.cwnd[j]!) / 0.4);
      epochs++;
      for (let m = j + 1; m < tr.state.length && tr.state[m] === 0 && tr.cwnd[m]! < wMax; m++) {
        const t = (tr.t[m]! - t0) / 1e9;
        if (t < 2 * minRtt) continue;
        const w = 0.4 * (t + minRtt - K) ** 3 + wMax;
        expect(Math.abs(tr.cwnd[m]! - w)).toBeLessThanOrEqual(Math.max(3, 0.05 * w));
        points++;
      }
    }
    expect(epochs).toBeGreaterThanOrEqual(2);
    expect(points).toBeGreaterThan(1000);
  });
});

const isRoot = process.getuid?.() === 0;
const hasTools = spawnSync('bpftool', ['version'], { stdio: 'ignore' }).status === 0 && spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;
const live = isRoot && hasTools && readFileSync('/proc/version', 'utf8').includes(' 6.18');
const why = !isRoot ? 'not root' : !hasTools ? 'no bpftool or python3' : 'not a 6.18 kernel';

describe('against the running kernel', () => {
  it.skipIf(!live)(`6.18 offers the six cubictcp_* kfuncs: the fixture registers and runs a loopback connection (HyStart may or may not end its slow start there)${live ? '' : ` (skipped: ${why})`}`, () => {
    execFileSync('bpftool', ['struct_ops', 'register', 'programs/tcp_cc_kernel_cubic.bpf.o'], { stdio: 'pipe' });
    try {
      execFileSync('python3', ['test/subsystems/tcp_cc/loopback.py', 'bpfemu_kcubic'], { stdio: 'pipe' });
      const bss = liveBss('kcubic_init');
      expect(bss.inits).toBe(1);
      expect([0, 1]).toContain(bss.hystart_exits);
    } finally {
      spawnSync('bpftool', ['struct_ops', 'unregister', 'name', 'bpfemu_kcubic'], { stdio: 'ignore' });
    }
  });
});
