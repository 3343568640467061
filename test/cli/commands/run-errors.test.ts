/** `bpfemu run` errors name what was wrong and where (issue 13, "CLI and errors"). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { ipv4Frame } from '../../../src/util/packets.js';
import { MemIo } from '../memio.js';

const FW = 'programs/xdp_firewall.bpf.o';

function err(args: string[], files: Record<string, Uint8Array | string> = {}): { code: number; text: string } {
  const io = new MemIo({ [FW]: readFileSync(FW), ...files });
  const code = runCli(['run', ...args], io);
  return { code, text: io.stderrText };
}

describe('bpfemu run errors', () => {
  it('a file that is not a BPF object is named as such', () => {
    const r = err(['ls', '--prog', 'x'], { ls: readFileSync('/bin/ls') });
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/^bpfemu: ls: not a BPF object this emulator can load: /);
  });

  it('a missing --data-in file names the option', () => {
    const r = err([FW, '--prog', 'xdp_firewall', '--data-in', 'missing.bin']);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/^bpfemu: --data-in: missing\.bin/);
  });

  it('an XDP test run without a frame says the rule', () => {
    const r = err([FW, '--prog', 'xdp_firewall']);
    expect(r.text).toMatch(/XDP needs at least 14 bytes of packet data \(an Ethernet header\) after the metadata; data_in has 0: EINVAL/);
  });

  it('an skb ctx_in with a field that may not be set names the field', () => {
    const obj = 'programs/tc_ctx.bpf.o';
    const ctx = new Uint8Array(192);
    ctx[0] = 60; // __sk_buff.len, offset 0
    const io = new MemIo({ [obj]: readFileSync(obj), 'p.bin': ipv4Frame('udp'), 'ctx.bin': ctx });
    const prog = 'tc_ctx_prog';
    expect(runCli(['run', obj, '--prog', prog, '--data-in', 'p.bin', '--ctx-in', 'ctx.bin'], io)).toBe(1);
    expect(io.stderrText).toMatch(/field 'len' of __sk_buff may not be set in ctx_in \(only mark, priority/);
  });

  it('a kprobe points to attach and fire', () => {
    const obj = 'programs/tracing.bpf.o';
    const io = new MemIo({ [obj]: readFileSync(obj) });
    expect(runCli(['run', obj, '--prog', 'kp_unlinkat'], io)).toBe(1);
    expect(io.stderrText).toMatch(/kprobe programs have no BPF_PROG_TEST_RUN in the kernel: attach them and fire their hook/);
  });
});
