/**
 * Owns src/subsystems/tcp_cc/cli.ts (`bpfemu sim tcp`): the --json shape exactly as issue 17 states
 * it, the CSV and SVG files (the SVG is well-formed XML with one path per flow and panel), the
 * human summary, and usage errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { MemIo } from '../../cli/memio.js';

const reno = readFileSync('programs/tcp_cc_reno.bpf.o');
const cubic = readFileSync('programs/tcp_cc_cubic.bpf.o');

/** A small XML well-formedness check: balanced tags, quoted attributes, one root, escaped text. */
function parseXml(text: string): { root: string; elements: { name: string; attrs: Record<string, string> }[] } {
  const body = text.replace(/^\s*<\?xml[^>]*\?>/, '').trim();
  const stack: string[] = [];
  const elements: { name: string; attrs: Record<string, string> }[] = [];
  let root = '';
  let i = 0;
  while (i < body.length) {
    if (body[i] !== '<') {
      const next = body.indexOf('<', i);
      const chunk = body.slice(i, next < 0 ? body.length : next);
      if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(chunk) || chunk.includes('>')) throw new Error(`bad text '${chunk}'`);
      if (stack.length === 0 && chunk.trim() !== '') throw new Error('text outside the root');
      i = next < 0 ? body.length : next;
      continue;
    }
    const end = body.indexOf('>', i);
    if (end < 0) throw new Error('unterminated tag');
    const tag = body.slice(i + 1, end);
    i = end + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      if (stack.pop() !== name) throw new Error(`mismatched </${name}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const m = /^([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*\/?$/.exec(tag);
    if (m === null) throw new Error(`bad tag <${tag}>`);
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([\w:-]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    if (stack.length === 0) {
      if (root !== '') throw new Error('two roots');
      root = m[1]!;
    }
    elements.push({ name: m[1]!, attrs });
    if (!selfClosing) stack.push(m[1]!);
  }
  if (stack.length !== 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  return { root, elements };
}

describe('bpfemu sim tcp', () => {
  it('--json prints exactly one object with the issue\'s keys; --csv and --svg write well-formed files', () => {
    const io = new MemIo({ 'reno.o': reno, 'cubic.o': cubic });
    const code = runCli(['sim', 'tcp', 'reno.o', '--vs', 'cubic.o:bpf_cubic', '--bw', '20mbit', '--rtt', '40ms', '--duration', '3s', '--loss', '0.001', '--json', '--csv', 'out.csv', '--svg', 'out.svg'], io);
    expect(io.stderrText).toBe('');
    expect(code).toBe(0);
    const text = io.stdout;
    expect(text.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(['summary', 'flows']);
    const summary = j.summary as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(['throughputBps', 'utilization', 'meanRttNs', 'p99RttNs', 'retransmits', 'jainFairness']);
    for (const v of Object.values(summary)) expect(typeof v).toBe('number');
    const flows = j.flows as Record<string, unknown>[];
    expect(flows.map((f) => f.ops)).toEqual(['bpf_reno', 'bpf_cubic']);
    for (const f of flows) {
      expect(Object.keys(f)).toEqual(['ops', 'throughputBps', 'retransmits', 'samples']);
      const samples = f.samples as Record<string, unknown>[];
      expect(samples.length).toBeGreaterThan(50);
      for (const s of samples) expect(Object.keys(s)).toEqual(['tNs', 'cwnd', 'ssthresh', 'inflight', 'rttNs', 'state']);
      const ts = samples.map((s) => s.tNs as number);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
    // throughput adds up and stays under the link's payload capacity (20 Mbit/s × 1448/1500)
    const sum = flows.reduce((s, f) => s + (f.throughputBps as number), 0);
    expect(Math.abs(sum - (summary.throughputBps as number))).toBeLessThanOrEqual(2);
    expect(sum).toBeLessThanOrEqual((20e6 * 1448) / 1500);

    const csv = new TextDecoder().decode(io.files.get('out.csv')!).trim().split('\n');
    expect(csv[0]).toBe('flow,ops,tNs,cwnd,ssthresh,inflight,rttNs,state');
    const rows = csv.slice(1).map((l) => l.split(','));
    expect(rows.length).toBe(flows.reduce((s, f) => s + (f.samples as unknown[]).length, 0));
    for (const r of rows) {
      expect(r).toHaveLength(8);
      for (const c of [r[0], ...r.slice(2)]) expect(c).toMatch(/^\d+$/);
    }
    const firstCubic = rows.find((r) => r[0] === '1')!;
    const s0 = (flows[1]!.samples as Record<string, number>[])[0]!;
    expect(firstCubic.slice(2).map(Number)).toEqual([s0.tNs, s0.cwnd, s0.ssthresh, s0.inflight, s0.rttNs, s0.state]);

    const svg = parseXml(new TextDecoder().decode(io.files.get('out.svg')!));
    expect(svg.root).toBe('svg');
    const paths = svg.elements.filter((e) => e.name === 'path');
    for (const flow of [0, 1]) expect(paths.filter((p) => (p.attrs.class ?? '').split(' ').includes(`flow-${flow}`))).toHaveLength(2); // cwnd and RTT panels
    for (const p of paths) expect(p.attrs.d).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+$/);
  });

  it('--rwnd caps the packets in flight; --app makes the flows idle between phases', () => {
    const io = new MemIo();
    expect(runCli(['sim', 'tcp', 'reno', '--bw', '10mbit', '--rtt', '20ms', '--duration', '2s', '--rwnd', '7', '--json'], io)).toBe(0);
    const j = JSON.parse(io.stdout) as { flows: { samples: { inflight: number }[] }[] };
    expect(Math.max(...j.flows[0]!.samples.map((s) => s.inflight))).toBe(7);
    const io2 = new MemIo();
    expect(runCli(['sim', 'tcp', 'reno', '--bw', '10mbit', '--rtt', '20ms', '--duration', '3s', '--app', '500ms/1s', '--json'], io2)).toBe(0);
    const k = JSON.parse(io2.stdout) as { flows: { samples: { tNs: number; inflight: number }[] }[] };
    // nothing in flight in the middle of an idle phase (0.5 s .. 1.5 s, 2 s .. 3 s)
    for (const s of k.flows[0]!.samples) if ((s.tNs > 0.7e9 && s.tNs < 1.45e9) || (s.tNs > 2.2e9 && s.tNs < 2.95e9)) expect(s.inflight).toBe(0);
    expect(Math.max(...k.flows[0]!.samples.map((s) => s.inflight))).toBeGreaterThan(10);
  });

  it('--delayed-ack gives each flow a receiving socket running the same control: with DCTCP on both ends and ECN marks, the summary still runs and the marks reach the sender', () => {
    const dctcp = readFileSync('programs/tcp_cc_kernel_dctcp.bpf.o');
    const io = new MemIo({ 'd.o': dctcp });
    expect(runCli(['sim', 'tcp', 'd.o', '--bw', '20mbit', '--rtt', '10ms', '--buffer', '200', '--ecn-k', '10', '--delayed-ack', '--duration', '1s', '--json'], io)).toBe(0);
    const j = JSON.parse(io.stdout) as { summary: { utilization: number }; flows: { ops: string }[] };
    expect(j.flows[0]!.ops).toBe('bpfemu_dctcp');
    expect(j.summary.utilization).toBeGreaterThan(0.8);
    // the JSON keeps the shape: nothing about the receiver leaks into it
    expect(Object.keys(j.flows[0]!).sort()).toEqual(['ops', 'retransmits', 'samples', 'throughputBps']);
    const bad = new MemIo();
    expect(runCli(['sim', 'tcp', 'reno', '--receiver', 'nosuch.o', '--duration', '1s'], bad)).not.toBe(0);
  });

  it('the same seed gives byte-identical JSON for a BPF control; another seed differs', () => {
    const run = (seed: string): string => {
      const io = new MemIo({ 'reno.o': reno });
      expect(runCli(['sim', 'tcp', 'reno.o', '--flows', '2', '--bw', '10mbit', '--rtt', '30ms', '--duration', '2s', '--loss', '0.005', '--seed', seed, '--json'], io)).toBe(0);
      return io.stdout;
    };
    const a = run('5');
    expect(run('5')).toBe(a);
    expect(run('6')).not.toBe(a);
  });

  it('prints a human summary for a built-in reference', () => {
    const io = new MemIo();
    expect(runCli(['sim', 'tcp', 'reno', '--flows', '2', '--bw', '10mbit', '--rtt', '20ms', '--duration', '2s'], io)).toBe(0);
    expect(io.stdout).toMatch(/^path: 10\.0 Mbit\/s, base RTT 20\.0 ms/);
    expect(io.stdout).toMatch(/\n0 +reno +[\d.]+ Mbit\/s/);
    expect(io.stdout).toMatch(/\n1 +reno +[\d.]+ Mbit\/s/);
    expect(io.stdout).toMatch(/Jain fairness 0\.\d{3}|Jain fairness 1\.000/);
  });

  it('usage errors name the option; an object without tcp_congestion_ops is an input error', () => {
    for (const [args, what] of [
      [['--bw', 'fast'], '--bw'],
      [['--rtt', '3 parsecs'], '--rtt'],
      [['--loss', '2'], '--loss'],
      [['--flows', '0'], '--flows'],
      [['--buffer', 'lots'], '--buffer'],
      [['--app', '2s'], '--app'],
      [['--rwnd', '1.5'], '--rwnd'],
    ] as const) {
      const io = new MemIo();
      expect(runCli(['sim', 'tcp', 'reno', ...args], io)).toBe(2);
      expect(io.stderrText.split('\n')[0]).toMatch(new RegExp(`^bpfemu: ${what}: `)); // the message, not the usage text after it
    }
    const io = new MemIo({ 'x.o': readFileSync('programs/globals.bpf.o') });
    expect(runCli(['sim', 'tcp', 'x.o'], io)).toBe(1);
    expect(io.stderrText).toContain('no struct tcp_congestion_ops');
  });
});
