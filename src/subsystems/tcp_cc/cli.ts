/**
 * `bpfemu sim tcp OBJ ...`: run a BPF congestion control (a `tcp_congestion_ops` struct_ops map of
 * a clang-built object) or a built-in reference over a simulated path, and print the summary, or
 * the JSON object of issue 17, and write CSV / SVG files.
 */
import { BpfObject } from '../../api/index.js';
import type { Io } from '../../cli/io.js';
import { CliError, EXIT_OK, parseCommandArgs, type Command } from '../../cli/registry.js';
import { Kernel } from '../../kernel/kernel.js';
import type { StructOpsInstance } from '../../kernel/structops.js';
import { installTcpCc } from './install.js';
import { reportCsv, reportJson, reportSvg, simulateTcp, type TcpCcChoice } from './report.js';

const USAGE = `usage: bpfemu sim tcp OBJ [options]

OBJ is a BPF object with a SEC(".struct_ops") struct tcp_congestion_ops map, or one of the
built-in references 'reno' and 'cubic'.

options:
  --ops MAP            the struct_ops map of OBJ to use (default: its only/first tcp_congestion_ops)
  --flows N            N flows of OBJ (default 1)
  --vs CC              one more flow: reno, cubic, or OBJ2:MAP
  --stagger TIME       start flow i at i * TIME (default 0)
  --bw RATE            bottleneck rate, e.g. 100mbit, 1gbit, 500kbit (default 100mbit)
  --rtt TIME           base round-trip time, e.g. 20ms (default 20ms)
  --buffer SIZE        drop-tail buffer: packets (e.g. 100) or BDPs (e.g. 1bdp, 0.5bdp; default 1bdp)
  --loss P             random loss probability per packet (default 0)
  --ecn-k N            CE-mark ECN-capable packets above N queued packets (DCTCP)
  --rwnd N             receiver window of every flow, in packets (default 4096)
  --app ON/OFF         application-limited flows: data for ON, then none for OFF (e.g. 2s/1s)
  --receiver CC        give every flow a receiving socket running CC: 'same' (the flow's own
                       control, as with DCTCP on both ends), reno, cubic or OBJ2:MAP; its control
                       gets CA_EVENT_ECN_IS_CE / ECN_NO_CE and may call bpf_tcp_send_ack
  --delayed-ack        the receiving socket delays ACKs (every 2nd segment, else 40 ms); implies
                       --receiver same unless --receiver is given
  --duration TIME      simulated time (default 10s)
  --seed N             seed of the random loss (default 1)
  --json               print {"summary":{...},"flows":[...]} (one JSON object)
  --csv FILE           write the per-flow samples as CSV
  --svg FILE           write a plot of cwnd and RTT over time`;

/** `100mbit` → bits per second. */
export function parseRate(s: string, what = '--bw'): number {
  const m = /^(\d+(?:\.\d+)?)\s*(bit|bps|kbit|mbit|gbit|k|m|g)?$/i.exec(s.trim());
  if (m === null) throw new CliError('USAGE', `${what}: expected a rate like 100mbit, got '${s}'`);
  const mult: Record<string, number> = { bit: 1, bps: 1, k: 1e3, kbit: 1e3, m: 1e6, mbit: 1e6, g: 1e9, gbit: 1e9 };
  const v = Number(m[1]) * mult[(m[2] ?? 'bit').toLowerCase()]!;
  if (!(v > 0) || v > 1e12) throw new CliError('USAGE', `${what}: rate out of range: '${s}'`);
  return v;
}

/** `20ms` → ns. */
export function parseTime(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ns|us|ms|s)?$/i.exec(s.trim());
  if (m === null) throw new CliError('USAGE', `${what}: expected a time like 20ms or 10s, got '${s}'`);
  const mult: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };
  const v = Math.round(Number(m[1]) * mult[(m[2] ?? 's').toLowerCase()]!);
  if (!(v >= 0) || v > 3600e9) throw new CliError('USAGE', `${what}: time out of range: '${s}'`);
  return v;
}

function parseNum(s: string, what: string, min: number, max: number): number {
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v) || v < min || v > max) throw new CliError('USAGE', `${what}: expected a number in [${min}, ${max}], got '${s}'`);
  return v;
}

/** Load OBJ into `kernel` and return its tcp_congestion_ops instance (map `name` or the first). */
function loadOps(io: Io, kernel: Kernel, path: string, name: string | undefined): StructOpsInstance {
  const obj = BpfObject.open(io.readFile(path), { kernel });
  obj.load();
  const maps = obj.maps.filter((m) => m.fd >= 0 && m.kernelMap.impl !== undefined && safeType(m) === 'tcp_congestion_ops');
  const map = name === undefined ? maps[0] : maps.find((m) => m.name === name);
  if (map === undefined) {
    const have = maps.map((m) => m.name).join(', ') || 'none';
    throw new CliError('INPUT', `sim tcp: ${path}: ${name === undefined ? 'no' : `no map '${name}' of type`} struct tcp_congestion_ops (maps: ${have})`);
  }
  map.attachStructOps();
  return map.structOpsInstance;
}

function safeType(m: BpfObject['maps'][number]): string | undefined {
  try {
    return m.structOpsInstance.type.def.name;
  } catch {
    return undefined;
  }
}

export const tcpSimCommand: Command = {
  name: 'tcp',
  summary: 'TCP congestion controls (tcp_congestion_ops) over a simulated path',
  usage: USAGE,
  run(args: readonly string[], io: Io): number {
    const { values, positionals } = parseCommandArgs('sim tcp', args, {
      ops: { type: 'string' },
      flows: { type: 'string' },
      vs: { type: 'string', multiple: true },
      stagger: { type: 'string' },
      bw: { type: 'string' },
      rtt: { type: 'string' },
      buffer: { type: 'string' },
      loss: { type: 'string' },
      'ecn-k': { type: 'string' },
      rwnd: { type: 'string' },
      app: { type: 'string' },
      receiver: { type: 'string' },
      'delayed-ack': { type: 'boolean' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'string' },
      svg: { type: 'string' },
    } as const);
    if (positionals.length !== 1) throw new CliError('USAGE', 'sim tcp: expected exactly one object file (or reno / cubic)');
    const bw = parseRate(values.bw ?? '100mbit');
    const rtt = parseTime(values.rtt ?? '20ms', '--rtt');
    if (rtt === 0) throw new CliError('USAGE', '--rtt: must be positive');
    const duration = parseTime(values.duration ?? '10s', '--duration');
    if (duration === 0) throw new CliError('USAGE', '--duration: must be positive');
    const nFlows = parseNum(values.flows ?? '1', '--flows', 1, 64);
    if (!Number.isInteger(nFlows)) throw new CliError('USAGE', `--flows: expected a whole number, got '${values.flows}'`);
    const bdpPkts = (bw * rtt) / 1e9 / (1500 * 8);
    let buffer = Math.max(2, Math.round(bdpPkts));
    if (values.buffer !== undefined) {
      const m = /^(\d+(?:\.\d+)?)\s*(bdp|pkt|p)?$/i.exec(values.buffer.trim());
      if (m === null) throw new CliError('USAGE', `--buffer: expected packets (100) or BDPs (1bdp), got '${values.buffer}'`);
      buffer = m[2]?.toLowerCase() === 'bdp' ? Math.max(1, Math.round(Number(m[1]) * bdpPkts)) : Math.round(Number(m[1]));
      if (buffer > 10_000_000) throw new CliError('USAGE', `--buffer: at most 10,000,000 packets, got '${values.buffer}'`);
    }
    const loss = values.loss === undefined ? 0 : parseNum(values.loss, '--loss', 0, 0.99);
    const seed = values.seed === undefined ? 1 : parseNum(values.seed, '--seed', 0, 0xffffffff);
    const stagger = values.stagger === undefined ? 0 : parseTime(values.stagger, '--stagger');
    const rwnd = values.rwnd === undefined ? undefined : parseNum(values.rwnd, '--rwnd', 1, 1 << 24);
    if (rwnd !== undefined && !Number.isInteger(rwnd)) throw new CliError('USAGE', `--rwnd: expected a whole number of packets, got '${values.rwnd}'`);
    let app: { onNs: number; offNs: number } | undefined;
    if (values.app !== undefined) {
      const [on, off, extra] = values.app.split('/');
      if (on === undefined || off === undefined || extra !== undefined) throw new CliError('USAGE', `--app: expected ON/OFF times like 2s/1s, got '${values.app}'`);
      app = { onNs: parseTime(on, '--app'), offNs: parseTime(off, '--app') };
      if (app.onNs === 0) throw new CliError('USAGE', '--app: the ON time must be positive');
    }

    const kernel = new Kernel();
    installTcpCc(kernel);
    const pick = (spec: string, map: string | undefined): TcpCcChoice => {
      if (spec === 'reno' || spec === 'cubic') return spec;
      return loadOps(io, kernel, spec, map);
    };
    const main = pick(positionals[0]!, values.ops);
    const ccs: TcpCcChoice[] = new Array<TcpCcChoice>(nFlows).fill(main);
    for (const v of (values.vs as string[] | undefined) ?? []) {
      if (v === 'reno' || v === 'cubic') ccs.push(v);
      else {
        const i = v.lastIndexOf(':');
        ccs.push(i > 0 ? pick(v.slice(0, i), v.slice(i + 1)) : pick(v, undefined));
      }
    }
    if (ccs.length > 64) throw new CliError('USAGE', `sim tcp: at most 64 flows, got ${ccs.length}`);
    const delayed = values['delayed-ack'] === true;
    let rx: TcpCcChoice | 'same' | undefined;
    if (values.receiver !== undefined) {
      const v = values.receiver;
      const i = v.lastIndexOf(':');
      rx = v === 'same' || v === 'reno' || v === 'cubic' ? v : i > 0 ? pick(v.slice(0, i), v.slice(i + 1)) : pick(v, undefined);
    } else if (delayed) rx = 'same';
    const receiver = rx === undefined ? undefined : { cc: rx, delayedAck: delayed };
    const report = simulateTcp({
      kernel,
      flows: ccs.map((cc, i) => ({ cc, startNs: i * stagger, ...(rwnd !== undefined ? { rwndPkts: rwnd } : {}), ...(app !== undefined ? { app } : {}), ...(receiver !== undefined ? { receiver } : {}) })),
      bandwidthBps: bw,
      rttNs: rtt,
      bufferPkts: buffer,
      lossRate: loss,
      ...(values['ecn-k'] !== undefined ? { ecnK: parseNum(values['ecn-k'], '--ecn-k', 0, 10_000_000) } : {}),
      durationNs: duration,
      seed,
    });
    const enc = new TextEncoder();
    if (values.csv !== undefined) io.writeFile(values.csv, enc.encode(reportCsv(report)));
    if (values.svg !== undefined) {
      const title = `${report.flows.map((f) => f.ops).join(' vs ')}: ${values.bw ?? '100mbit'}, RTT ${values.rtt ?? '20ms'}, buffer ${buffer} pkts${loss > 0 ? `, loss ${loss}` : ''}`;
      io.writeFile(values.svg, enc.encode(reportSvg(report, title)));
    }
    if (values.json === true) {
      io.out(`${reportJson(report)}\n`);
      return EXIT_OK;
    }
    const s = report.summary;
    const lines = [
      `path: ${(bw / 1e6).toFixed(1)} Mbit/s, base RTT ${(rtt / 1e6).toFixed(1)} ms, buffer ${buffer} packets, loss ${loss}, ${(duration / 1e9).toFixed(1)} s simulated, ${report.raw.acks} ACKs`,
      'flow  ops               throughput     retransmits',
      ...report.flows.map((f, i) => `${String(i).padEnd(5)} ${f.ops.padEnd(17)} ${`${(f.throughputBps / 1e6).toFixed(2)} Mbit/s`.padEnd(14)} ${f.retransmits}`),
      `total ${(s.throughputBps / 1e6).toFixed(2)} Mbit/s, utilisation ${(s.utilization * 100).toFixed(1)} %, RTT mean ${(s.meanRttNs / 1e6).toFixed(2)} ms p99 ${(s.p99RttNs / 1e6).toFixed(2)} ms, retransmits ${s.retransmits}, Jain fairness ${s.jainFairness.toFixed(3)}`,
    ];
    io.out(`${lines.join('\n')}\n`);
    return EXIT_OK;
  },
};
