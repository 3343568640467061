/**
 * `bpfemu run --data-in FILE.pcap` (src/cli/pcap-run.ts): every packet of a pcap file is run; the
 * results are checked against separate single-packet `bpfemu run` invocations of the same frames
 * (the path without pcap), and the pcap input is the Python-written fixture or a file built here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { build } from '../../src/util/packet-build.js';
import { readPcap, writePcap } from '../../src/util/pcap.js';
import { skbCtx } from '../../src/util/skb.js';
import { MemIo } from './memio.js';

const FW = 'programs/xdp_firewall.bpf.o';
const TC = 'programs/tc_ctx.bpf.o';
const FIXTURE = new Uint8Array(readFileSync('test/util/fixtures/le-us.pcap'));

const FRAMES = [
  build([{ eth: {} }, { ipv4: {} }, { tcp: { dport: 22 } }], { minLength: 60 }), // the blocked port: XDP_DROP
  build([{ eth: {} }, { ipv4: {} }, { udp: { dport: 53 } }, { payload: 'q' }], { minLength: 60 }),
  build([{ eth: {} }, { vlan: { vid: 5 } }, { ipv6: {} }, { tcp: { dport: 443 } }]),
];

/** retval of one frame run on its own (no pcap). */
function single(obj: string, prog: string, frame: Uint8Array): { retval: number; dataOut: string } {
  const m = new MemIo({ [obj]: readFileSync(obj), 'p.bin': frame });
  expect(runCli(['run', obj, '--prog', prog, '--data-in', 'p.bin', '--json'], m)).toBe(0);
  return JSON.parse(m.stdout) as { retval: number; dataOut: string };
}

describe('bpfemu run --data-in FILE.pcap', () => {
  it('prints one line per packet with the XDP action, as single runs of the same frames return', () => {
    const m = new MemIo({ [FW]: readFileSync(FW), 'in.pcap': writePcap(FRAMES) });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'in.pcap'], m)).toBe(0);
    const names = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'];
    const expected = FRAMES.map((f, i) => {
      const r = single(FW, 'xdp_firewall', f);
      return `${i}: ${r.retval} ${names[r.retval]} len ${f.length}`;
    });
    expect(m.stdout.trim().split('\n')).toEqual(expected);
    expect(expected[0]).toBe('0: 1 XDP_DROP len 60');
  });

  it('--json prints an array; --data-out writes the data_outs as pcap with the input timestamps', () => {
    const m = new MemIo({ [FW]: readFileSync(FW), 'in.pcap': FIXTURE });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'in.pcap', '--json', '--data-out', 'out.pcap'], m)).toBe(0);
    const arr = JSON.parse(m.stdout) as { index: number; retval: number; action: string; dataOut: string }[];
    const input = readPcap(FIXTURE);
    expect(arr.map((r) => r.index)).toEqual([0, 1, 2]);
    input.packets.forEach((p, i) => {
      const s = single(FW, 'xdp_firewall', p.data);
      expect([arr[i]!.retval, arr[i]!.dataOut]).toEqual([s.retval, s.dataOut]);
    });
    const out = readPcap(m.files.get('out.pcap')!);
    expect(out.packets.map((p) => p.ts)).toEqual(input.packets.map((p) => p.ts));
    expect(out.packets.map((p) => Array.from(p.data))).toEqual(arr.map((r) => Array.from(r.dataOut.match(/../g) ?? [], (h) => parseInt(h, 16))));
  });

  it('names tc verdicts and takes --ctx-in for every packet', () => {
    const m = new MemIo({ [TC]: readFileSync(TC), 'in.pcap': writePcap(FRAMES.slice(1, 3)) });
    expect(runCli(['run', TC, '--prog', 'tc_ctx_prog', '--data-in', 'in.pcap'], m)).toBe(0);
    expect(m.stdout).toMatch(/^0: 0 TC_ACT_OK len \d+\n1: 0 TC_ACT_OK len \d+\n$/);
    const j = new MemIo({ [TC]: readFileSync(TC), 'in.pcap': writePcap(FRAMES.slice(1, 3)), 'ctx.bin': skbCtx({ mark: 5 }) });
    expect(runCli(['run', TC, '--prog', 'tc_ctx_prog', '--data-in', 'in.pcap', '--ctx-in', 'ctx.bin', '--json'], j)).toBe(0);
    const arr = JSON.parse(j.stdout) as { action: string; ctxOut: string }[];
    // tc_ctx_prog writes mark + 1: __sk_buff.mark is the u32 at byte 8
    expect(arr.map((r) => [r.action, r.ctxOut.slice(16, 24)])).toEqual([
      ['TC_ACT_OK', '06000000'],
      ['TC_ACT_OK', '06000000'],
    ]);
  });

  it('a damaged pcap file is an error naming the option and the record', () => {
    const m = new MemIo({ [FW]: readFileSync(FW), 'bad.pcap': FIXTURE.subarray(0, FIXTURE.length - 3) });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'bad.pcap'], m)).not.toBe(0);
    expect(m.stderrText).toMatch(/--data-in bad\.pcap: pcap: record 2 at offset 162: incl_len 20 but 17 bytes remain/);
    const raw = FIXTURE.slice();
    new DataView(raw.buffer).setUint32(20, 101, true); // LINKTYPE_RAW
    const r = new MemIo({ [FW]: readFileSync(FW), 'raw.pcap': raw });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'raw.pcap'], r)).not.toBe(0);
    expect(r.stderrText).toMatch(/link type 101, only LINKTYPE_ETHERNET/);
  });
});
