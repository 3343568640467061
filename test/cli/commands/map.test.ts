/** `bpfemu map dump`: maps formatted from BTF after loading, or after one run through `bpfemu run`'s options. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { ipv4Frame } from '../../../src/util/packets.js';
import { MemIo } from '../memio.js';

const FW = 'programs/xdp_firewall.bpf.o';

describe('bpfemu map dump', () => {
  it('after load: the initial contents (global data by variable, arrays zeroed)', () => {
    const io = new MemIo({ [FW]: readFileSync(FW) });
    expect(runCli(['map', 'dump', FW], io)).toBe(0);
    const maps = JSON.parse(io.stdout) as Record<string, { type: string; entries: { key: unknown; value: unknown }[] }>;
    expect(maps['.rodata']).toEqual({ type: 'array', entries: [{ key: 0, value: { blocked_tcp_port: 22, monitor_only: false } }] });
    expect(maps.proto_stats!.entries[2]).toEqual({ key: 2, value: { packets: 0, bytes: 0 } });
    expect(maps.blocklist!.entries).toEqual([]);
  });

  it('after one run with run options; --map NAME selects one map; --hex', () => {
    const io = new MemIo({ [FW]: readFileSync(FW), 'p.bin': ipv4Frame('tcp', { dstPort: 8080 }) });
    expect(runCli(['map', 'dump', FW, '--prog', 'xdp_firewall', '--data-in', 'p.bin', '--set', 'blocked_tcp_port=8080', '--map', 'drop_stats'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toEqual({ drop_stats: { type: 'array', entries: [{ key: 0, value: 0 }, { key: 1, value: 1 }, { key: 2, value: 0 }] } });
    const h = new MemIo({ [FW]: readFileSync(FW), 'p.bin': ipv4Frame('udp') });
    expect(runCli(['map', 'dump', FW, '--prog', 'xdp_firewall', '--data-in', 'p.bin', '--map', 'drop_stats', '--hex'], h)).toBe(0);
    expect((JSON.parse(h.stdout) as { drop_stats: { entries: { key: string }[] } }).drop_stats.entries[0]!.key).toBe('00000000');
  });

  it('names what is wrong', () => {
    const io = new MemIo({ [FW]: readFileSync(FW) });
    expect(runCli(['map', 'dump', FW, '--map', 'nope'], io)).toBe(1);
    expect(io.stderrText).toMatch(/map dump: no map 'nope' \(maps: /);
    const u = new MemIo({ [FW]: readFileSync(FW) });
    expect(runCli(['map', 'dump', FW, '--data-in', 'x'], u)).toBe(2);
    expect(u.stderrText).toMatch(/'--data-in' needs --prog/);
  });
});
