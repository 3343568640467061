/** API errors that explain themselves: frozen .rodata after load, value sizes, full program names in faults, --testmod hints. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject, ProgramFaultError } from '../../src/api/index.js';
import { ipv4Frame } from '../../src/util/packets.js';

describe('API error messages', () => {
  it('a .rodata variable written after load says to set it before load()', () => {
    const o = BpfObject.open(readFileSync('programs/xdp_firewall.bpf.o'));
    o.load();
    expect(() => o.variable('blocked_tcp_port').setInt(80)).toThrow(/variable blocked_tcp_port is in \.rodata, frozen at load \(const volatile\): set it before load\(\): EPERM/);
  });

  it('a value of the wrong size names both sizes (per-CPU: the whole per-CPU buffer)', () => {
    const o = BpfObject.open(readFileSync('programs/xdp_firewall.bpf.o'));
    o.load();
    expect(() => o.map('proto_stats').update(new Uint8Array(4), new Uint8Array(3))).toThrow(/map 'proto_stats': value is 3 bytes, value_size is 16: EINVAL/);
  });

  it('a fault names the program by its full name, not the kernel\'s 15 characters', () => {
    const o = BpfObject.open(readFileSync('programs/verifier_xdp_parse.bpf.o'), { verify: false });
    o.load();
    // adjust_head_stale reads through a pointer taken before bpf_xdp_adjust_head
    let e: unknown;
    try {
      o.program('adjust_head_stale').testRun({ dataIn: ipv4Frame('udp') });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ProgramFaultError);
    expect((e as ProgramFaultError).fault.extra.program).toBe('adjust_head_stale');
    expect((e as ProgramFaultError).message).toMatch(/ at program adjust_head_stale pc /);
  });

  it('a struct_ops object of the test module without it points to testmod', () => {
    const o = BpfObject.open(readFileSync('programs/struct_ops_demo.bpf.o'));
    expect(() => o.load()).toThrow(/bpf_testmod test types exist with KernelOptions\.testmod, bpfemu --testmod/);
  });
});
