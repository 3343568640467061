/**
 * Line and branch coverage (kernel/coverage.ts, api/coverage.ts) of programs/xdp_firewall.bpf.c.
 * Expected counts come from the C source and the packets sent, not from the collector: every run
 * enters the function (line 115); the eth bounds check (121) and the IPv4 test (126) run each
 * time; only the two TCP packets reach the port comparison (109, inlined tcp_port_blocked); only
 * the packet to the blocked port reaches drop()'s lookup (98, inlined); no source is blocklisted
 * (141) and no IPv6 line runs (153).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { CoverageCollector, toIstanbul, toLcov } from '../../src/api/coverage.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { ipv4Frame } from '../../src/util/packets.js';

const SRC = 'xdp_firewall.bpf.c';
const LINE = { entry: 115, ethCheck: 121, ipv4: 126, portCompare: 109, dropLookup: 98, blocklisted: 141, ipv6Body: 153 };

function runFirewall(frames: Uint8Array[], coverage: boolean | CoverageCollector = true) {
  const kernel = new Kernel({ coverage });
  const obj = BpfObject.open(readFileSync('programs/xdp_firewall.bpf.o'), { kernel, name: 'xdp_firewall' });
  obj.load();
  const rets = frames.map((f) => obj.program('xdp_firewall').testRun({ dataIn: f }).retval);
  obj.close();
  return { kernel, rets };
}

describe('coverage of xdp_firewall', () => {
  const frames = [ipv4Frame('udp'), ipv4Frame('tcp', { dstPort: 80 }), ipv4Frame('tcp', { dstPort: 22 })];

  it('counts lines and branches as the C source and the inputs say', () => {
    const { kernel, rets } = runFirewall(frames);
    expect(rets).toEqual([2, 2, 1]); // pass, pass, drop (port 22 is the default blocked port)
    const report = kernel.coverage!.report();
    expect(report.files.map((f) => f.file)).toEqual([SRC]);
    const f = report.files[0]!;
    expect(f.programs).toEqual(['xdp_firewall']);
    const hits = (line: number) => f.lines.find((l) => l.line === line)?.hits;
    expect(hits(LINE.entry)).toBe(3);
    expect(hits(LINE.ipv4)).toBe(3);
    expect(hits(LINE.portCompare)).toBe(2);
    expect(hits(LINE.dropLookup)).toBe(1);
    expect(hits(LINE.blocklisted)).toBe(0);
    expect(hits(LINE.ipv6Body)).toBe(0);
    expect(f.entries).toEqual([{ program: 'xdp_firewall', line: LINE.entry, runs: 3 }]);
    // the eth bounds check: three runs, none dropped (every jump on the line fell through or jumped past the drop the same way)
    const eth = f.lines.find((l) => l.line === LINE.ethCheck)!;
    expect(eth.branches.length).toBeGreaterThan(0);
    expect(eth.branches.reduce((s, [a, b]) => s + a + b, 0)).toBe(3 * eth.branches.length);
    // every reached conditional jump went each way a number of times that adds up to its line's runs
    for (const l of f.lines) for (const [a, b] of l.branches) expect(a + b).toBeLessThanOrEqual(Math.max(l.hits, 3));
  });

  it('writes lcov and Istanbul JSON from the same counts', () => {
    const { kernel } = runFirewall(frames);
    const report = kernel.coverage!.report();
    const lcov = toLcov(report, { root: '/src/programs' });
    expect(lcov).toMatch(/^TN:\nSF:\/src\/programs\/xdp_firewall\.bpf\.c\n/);
    expect(lcov).toContain(`DA:${LINE.dropLookup},1\n`);
    expect(lcov).toContain(`DA:${LINE.ipv6Body},0\n`);
    expect(lcov).toContain(`FN:${LINE.entry},xdp_firewall\nFNDA:3,xdp_firewall\nFNF:1\nFNH:1\n`);
    const f = report.files[0]!;
    expect(lcov).toContain(`LF:${f.lines.length}\nLH:${f.lines.filter((l) => l.hits > 0).length}\nend_of_record\n`);
    const ist = toIstanbul(report);
    const file = ist[SRC]!;
    expect(Object.keys(file.s)).toHaveLength(f.lines.length);
    const idx = f.lines.findIndex((l) => l.line === LINE.dropLookup);
    expect(file.statementMap[idx]!.start.line).toBe(LINE.dropLookup);
    expect(file.s[idx]).toBe(1);
  });

  it('one collector serves several kernels and keeps counting; clear() resets it', () => {
    const c = new CoverageCollector();
    runFirewall([ipv4Frame('udp')], c);
    runFirewall([ipv4Frame('udp')], c);
    const entry = () => c.report().files[0]!.lines.find((l) => l.line === LINE.entry)!.hits;
    expect(entry()).toBe(2);
    const one = runFirewall([ipv4Frame('udp')]).kernel.coverage!.report().files[0]!;
    const two = c.report().files[0]!;
    // the same jumps, each counted twice
    expect(two.lines.map((l) => [l.line, l.branches.map(([a, b]) => [a / 2, b / 2])])).toEqual(one.lines.map((l) => [l.line, l.branches]));
    c.clear();
    expect(c.report().files).toEqual([]);
  });

  it('counts nothing without coverage, and the results are the same with it', () => {
    const off = runFirewall(frames, false);
    expect(off.kernel.coverage).toBeNull();
    expect(off.rets).toEqual(runFirewall(frames).rets);
  });
});
