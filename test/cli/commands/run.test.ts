/** `bpfemu run` and `bpfemu demo`, in process with an in-memory Io. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { bundledProgram } from '../../../src/cli/commands/demo.js';
import { ipv4Frame } from '../../../src/util/packets.js';
import { MemIo } from '../memio.js';

const FW = 'programs/xdp_firewall.bpf.o';

function io(extra: Record<string, Uint8Array | string> = {}): MemIo {
  return new MemIo({ [FW]: readFileSync(FW), ...extra });
}

describe('bpfemu run', () => {
  it('--json formats maps from their BTF as bpftool map dump does; --map seeds a map, --map-out writes them all', () => {
    const m = io({ 'tcp22.bin': ipv4Frame('tcp', { dstPort: 22 }), 'block.json': '[{"key": 16843018, "value": 5}]' });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'tcp22.bin', '--json', '--map', 'blocklist=block.json', '--map-out', 'out.json', '--set', 'blocked_tcp_port=22'], m)).toBe(0);
    const r = JSON.parse(m.stdout) as { maps: Record<string, { entries: { key: unknown; value: unknown }[] }> };
    expect(r.maps.drop_stats!.entries[1]).toEqual({ key: 1, value: 1 }); // D_PORT
    expect(r.maps.proto_stats!.entries[0]).toEqual({ key: 0, value: { packets: 1, bytes: 60 } });
    expect(r.maps.blocklist!.entries).toEqual([{ key: 16843018, value: 5 }]); // 10.1.1.1 as a __be32 read on little-endian
    expect(r.maps['.rodata']!.entries).toEqual([{ key: 0, value: { blocked_tcp_port: 22, monitor_only: false } }]);
    expect(JSON.parse(new TextDecoder().decode(m.files.get('out.json')))).toEqual(r.maps);
    // --set refuses what does not fit the variable's type
    const bad = io({ 'tcp22.bin': ipv4Frame('tcp', { dstPort: 22 }) });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'tcp22.bin', '--set', 'blocked_tcp_port=70000'], bad)).toBe(2);
    expect(bad.stderrText).toMatch(/--set blocked_tcp_port=70000: .*70000 does not fit u16/);
  });

  it('--json --hex prints one object: retval, hex data_out, every map by C name, global data by section', () => {
    const m = io({ 'tcp22.bin': ipv4Frame('tcp', { dstPort: 22 }) });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'tcp22.bin', '--json', '--hex'], m)).toBe(0);
    const lines = m.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]!) as { retval: number; dataOut: string; ctxOut: null; durationNs: number; maps: Record<string, { type: string; entries: { key: string; value?: string; values?: string[] }[] }> };
    expect(r.retval).toBe(1); // XDP_DROP: TCP to the blocked port 22
    expect(r.dataOut).toBe([...ipv4Frame('tcp', { dstPort: 22 })].map((b) => b.toString(16).padStart(2, '0')).join(''));
    expect(r.ctxOut).toBeNull();
    expect(Object.keys(r.maps).sort()).toEqual(['.rodata', 'blocklist', 'drop_stats', 'proto_stats']);
    expect(r.maps.drop_stats!.type).toBe('array');
    expect(r.maps.drop_stats!.entries[1]).toEqual({ key: '01000000', value: '0100000000000000' });
    expect(r.maps.proto_stats!.entries[0]).toEqual({ key: '00000000', value: '01000000000000003c00000000000000' });
    expect(r.maps['.rodata']!.entries).toEqual([{ key: '00000000', value: '160000' }]);
  });

  it('refuses a program the verifier refuses; --no-verify loads and runs it anyway', () => {
    const obj = 'programs/verifier_xdp_parse.bpf.o';
    // udp_unchecked reads udp->dest without checking it against data_end (6.18: EACCES at load)
    const frame = ipv4Frame('udp', { dstPort: 53 });
    const refused = new MemIo({ [obj]: readFileSync(obj), 'p.bin': frame });
    expect(runCli(['run', obj, '--prog', 'udp_unchecked', '--data-in', 'p.bin'], refused)).toBe(1);
    expect(refused.stderrText).toMatch(/invalid access to packet/);
    expect(refused.stderrText).toMatch(/verifier_xdp_parse\.bpf\.c:\d+/);
    const unsafe = new MemIo({ [obj]: readFileSync(obj), 'p.bin': frame });
    expect(runCli(['run', obj, '--prog', 'udp_unchecked', '--data-in', 'p.bin', '--no-verify'], unsafe)).toBe(0);
    expect(unsafe.stdout).toMatch(/^Return value: 1,/); // XDP_DROP: a full frame has the udp header
  });

  it('--coverage writes lcov, or Istanbul JSON for a .json file, of the run', () => {
    const m = io({ 'p.bin': ipv4Frame('tcp', { dstPort: 22 }) });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'p.bin', '--coverage', 'cov.info'], m)).toBe(0);
    const lcov = new TextDecoder().decode(m.files.get('cov.info'));
    expect(lcov).toMatch(/^TN:\nSF:xdp_firewall\.bpf\.c\nFN:115,xdp_firewall\nFNDA:1,xdp_firewall\n/);
    expect(lcov).toContain('DA:98,1\n'); // drop()'s lookup: the packet to port 22 is dropped
    expect(lcov).toContain('DA:153,0\n'); // no IPv6
    const j = io({ 'p.bin': ipv4Frame('udp') });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'p.bin', '--coverage', 'cov.json'], j)).toBe(0);
    const ist = JSON.parse(new TextDecoder().decode(j.files.get('cov.json'))) as Record<string, { s: Record<string, number> }>;
    expect(Object.keys(ist)).toEqual(['xdp_firewall.bpf.c']);
    expect(Object.values(ist['xdp_firewall.bpf.c']!.s).some((n) => n === 1)).toBe(true);
  });

  it('--json keeps stdout JSON: the trace goes to stderr, an error is a JSON object', () => {
    const m = io({ 'p.bin': ipv4Frame('udp') });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'p.bin', '--json', '--trace'], m)).toBe(0);
    expect(m.stdout.trim().split('\n')).toHaveLength(1);
    expect((JSON.parse(m.stdout) as { retval: number }).retval).toBe(2);
    expect(m.stderrText).toMatch(/\nxdp_firewall +0: r\d+ = /);
    const e = io();
    expect(runCli(['run', FW, '--prog', 'nope', '--json'], e)).toBe(1);
    const err = JSON.parse(e.stdout) as { error: { code: string; message: string } };
    expect(err.error.message).toMatch(/nope/);
    expect(e.stderrText).toBe('');
  });

  it('--set changes a const volatile knob before load', () => {
    const m = io({ 'tcp22.bin': ipv4Frame('tcp', { dstPort: 22 }) });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'tcp22.bin', '--set', 'blocked_tcp_port=80'], m)).toBe(0);
    expect(m.stdout).toMatch(/^Return value: 2, duration: \d+ns\n/);
  });

  it('--trace prints executed instructions with registers and source lines', () => {
    const m = io({ 'p.bin': ipv4Frame('udp') });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'p.bin', '--trace'], m)).toBe(0);
    const lines = m.stdout.split('\n');
    // the first instruction loads ctx->data: r8 becomes a packet pointer at offset 0
    expect(lines[0]).toBe('; void *data = (void *)(long)ctx->data; @ xdp_firewall.bpf.c:115');
    expect(lines[1]).toMatch(/^xdp_firewall +0: r8 = \*\(u32 \*\)\(r1 \+ 0\) +; R8=pkt\+0$/);
    // only changed registers: a conditional jump changes none
    expect(m.stdout).toMatch(/^xdp_firewall +\d+: if [^;]* goto [+-]\d+ *$/m);
    // the stack pointer and map values by name
    expect(m.stdout).toMatch(/R2=fp-4\b/);
    expect(m.stdout).toMatch(/R0=map_value\(proto_stats\[1\]\)\+0/);
    expect(m.stdout).toMatch(/Return value: 2/);
  });

  it('--trace-limit N stops the trace after N instructions', () => {
    const m = io({ 'p.bin': ipv4Frame('udp') });
    expect(runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'p.bin', '--trace', '--trace-limit', '3'], m)).toBe(0);
    expect(m.stdout.split('\n').filter((l) => /^xdp_firewall +\d+:/.test(l))).toHaveLength(3);
    expect(m.stdout).toContain('... trace stopped after 3 instructions (--trace-limit)\n');
  });

  it('a fault exits non-zero naming the kind, pc, instruction and source line', () => {
    // sys_sum needs about 70 instructions for five values; a budget of 10 stops it mid-loop.
    const file = 'programs/syscall_ctx.bpf.o';
    const ctx = new Uint8Array(88);
    ctx[0] = 5;
    const m = new MemIo({ [file]: readFileSync(file), 'ctx.bin': ctx });
    const code = runCli(['run', file, '--prog', 'sys_sum', '--ctx-in', 'ctx.bin', '--budget', '10'], m);
    expect(code).toBe(1);
    expect(m.stderrText).toMatch(/^bpfemu: budget_exceeded at program sys_sum pc 10 \(w3 = w4\) syscall_ctx\.bpf\.c:\d+: /);
    expect(runCli(['run', file, '--prog', 'sys_sum', '--ctx-in', 'ctx.bin'], m)).toBe(0);
    expect(runCli(['run', file, '--prog', 'sys_sum', '--budget', '0'], m)).toBe(2);
  });

  it('a ctx smaller than the program touches is refused with EINVAL, as the kernel does', () => {
    const file = 'programs/syscall_ctx.bpf.o';
    const m = new MemIo({ [file]: readFileSync(file), 'short.bin': new Uint8Array(2) });
    expect(runCli(['run', file, '--prog', 'sys_sum', '--ctx-in', 'short.bin'], m)).toBe(1);
    expect(m.stderrText).toMatch(/ctx_size_in 2 is below the 68 bytes the program reads from its ctx: EINVAL/);
  });

  it('usage errors exit 2', () => {
    expect(runCli(['run', FW], io())).toBe(2);
    expect(runCli(['run', FW, '--prog', 'nope'], io())).toBe(1);
  });
});

describe('bpfemu demo', () => {
  it('runs the firewall and the struct_ops walkthrough with the expected results', () => {
    const m = new MemIo({
      [bundledProgram('xdp_firewall.bpf.o')]: readFileSync('programs/xdp_firewall.bpf.o'),
      [bundledProgram('struct_ops_demo.bpf.o')]: readFileSync('programs/struct_ops_demo.bpf.o'),
    });
    expect(runCli(['demo'], m)).toBe(0);
    const out = m.stdout;
    expect(out).toMatch(/TCP 10\.0\.0\.1 -> 10\.0\.0\.2:22 .* XDP_DROP/);
    expect(out).toMatch(/UDP 192\.168\.1\.66 .* XDP_DROP/);
    expect(out).toMatch(/TCP\s+2 packets, 120 bytes/);
    expect(out).toMatch(/UDP\s+4 packets, 242 bytes/);
    expect(out).toContain('doubler.test_1 (double_it) = 42');
    expect(out).toContain('squarer.test_1 (square_it) = 144');
    expect(out).toContain('inner kfunc call got -1');
    expect(out).toContain('squarer: EBUSY');
    expect(out).toMatch(/10\. close dispatch_double: .* the map is freed, double_it is now unassociated/);
  });
});
