/**
 * The TCP congestion-control load test (issue 17): 10 simulated seconds of one flow on a 1 Gbit/s,
 * 10 ms path (buffer one BDP, about 830,000 ACKs), driven by the BPF Reno fixture (three struct_ops
 * program runs and a kfunc call per ACK) and by the built-in TypeScript Reno. Wall time and ACKs
 * per second of wall time. Part of `npm run bench` (skipped with --no-extras); `--tcp-cc-only`
 * runs just this.
 */
import { BpfObject } from '../src/api/index.js';
import { Kernel } from '../src/kernel/kernel.js';
import { installTcpCc } from '../src/subsystems/tcp_cc/install.js';
import { simulateTcp, type TcpCcChoice } from '../src/subsystems/tcp_cc/report.js';
import { fixtureBytes } from './objects.js';

/** One control's load-test result. */
export interface TcpCcLoadRow {
  readonly cc: string;
  readonly simulatedS: number;
  readonly wallMs: number;
  readonly acks: number;
  readonly acksPerSec: number;
  readonly utilization: number;
}

/** Run the load test for the BPF Reno and the TypeScript Reno. */
export function tcpCcLoad(durationNs = 10e9): TcpCcLoadRow[] {
  const rows: TcpCcLoadRow[] = [];
  for (const which of ['tcp_cc_reno', 'reno'] as const) {
    const kernel = new Kernel();
    installTcpCc(kernel);
    let cc: TcpCcChoice = 'reno';
    if (which !== 'reno') {
      const obj = BpfObject.open(fixtureBytes(which), { kernel });
      obj.load();
      obj.attach();
      cc = obj.map('bpf_reno').structOpsInstance;
    }
    const t0 = performance.now();
    const r = simulateTcp({ kernel, flows: [{ cc }], bandwidthBps: 1e9, rttNs: 10e6, durationNs, seed: 1 });
    const wallMs = performance.now() - t0;
    rows.push({ cc: which === 'reno' ? 'reno (TypeScript)' : 'bpf_reno (BPF)', simulatedS: durationNs / 1e9, wallMs, acks: r.raw.acks, acksPerSec: r.raw.acks / (wallMs / 1000), utilization: r.summary.utilization });
  }
  return rows;
}

/** The rows as a text table. */
export function tcpCcLoadText(rows: readonly TcpCcLoadRow[]): string {
  const lines = ['TCP congestion control load test (1 Gbit/s, 10 ms, buffer 1 BDP, one flow, 10 simulated s):'];
  for (const r of rows) {
    lines.push(`  ${r.cc.padEnd(18)} ${(r.wallMs / 1000).toFixed(2).padStart(6)} s wall, ${r.acks.toLocaleString('en-US')} ACKs, ${Math.round(r.acksPerSec).toLocaleString('en-US')} ACKs/s, utilisation ${(r.utilization * 100).toFixed(1)} %`);
  }
  return `${lines.join('\n')}\n`;
}
