/** The helper registry, user extensions through KernelOptions.helpers, and load-time availability. */
import { describe, expect, it } from 'vitest';
import { builtinHelpers } from '../../src/helpers/index.js';
import { HelperRegistry } from '../../src/helpers/registry.js';
import { ERRNO } from '../../src/util/errno.js';
import { Cmd, ProgType, load, loadProg, newKernel, ret } from './env.js';
import { assembleBytes } from '../../src/isa/asm.js';

describe('HelperRegistry', () => {
  it('registers, replaces, and answers get_func_proto-style questions', () => {
    const r = new HelperRegistry();
    const fn = (): void => {};
    r.register({ id: 5, name: 'ktime_get_ns', fn });
    r.register({ id: 160, name: 'ktime_get_coarse_ns', fn, progTypes: [ProgType.XDP] });
    expect(r.allowed(5, ProgType.SYSCALL)).toBe(true);
    expect(r.allowed(160, ProgType.SYSCALL)).toBe(false);
    expect(r.allowed(160, ProgType.XDP)).toBe(true);
    expect(r.allowed(6, ProgType.XDP)).toBe(false);
    r.register({ id: 160, name: 'ktime_get_coarse_ns', fn });
    expect(r.allowed(160, ProgType.SYSCALL)).toBe(true);
    expect(r.all().map((d) => d.id)).toEqual([5, 160]);
  });

  it('built-in helpers carry their family and the table argument kinds; ids are unique', () => {
    const defs = builtinHelpers();
    expect(new Set(defs.map((d) => d.id)).size).toBe(defs.length);
    for (const d of defs) expect(d.family, d.name).toBeTruthy();
    expect(defs.find((d) => d.id === 1)?.args).toEqual(['map', 'ptr']);
  });
});

describe('user helpers through KernelOptions.helpers', () => {
  it('override a built-in and add a new id', () => {
    const k = newKernel({
      helpers: [
        { id: 5, name: 'ktime_get_ns', fn: (m) => m.setR0Num(77) },
        { id: 99, name: 'get_numa_node_id_again', fn: (m) => m.setR0Num(m.argS32(1) * 2) },
      ],
    });
    expect(ret(k, load(k, 'call 5\nexit'))).toBe(77);
    expect(ret(k, load(k, 'mov r1, 21\ncall 99\nexit'))).toBe(42);
  });

  it('unimplemented helpers are rejected at load, with the name in the verifier log', () => {
    const k = newKernel();
    expect(loadProg(k, 'call 73\nexit')).toBe(-ERRNO.EINVAL);
    const insns = assembleBytes('call 73\nexit');
    const log = new Uint8Array(256);
    const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.SYSCALL, prog_flags: 1 << 4, insn_cnt: 2, insns, license: 'GPL', log_level: 1, log_size: 256, log_buf: log });
    expect(fd).toBe(-ERRNO.EINVAL);
    const text = new TextDecoder().decode(log);
    expect(text).toContain('0: (85) call bpf_lwt_push_encap#73');
    expect(text).toContain('invalid func bpf_lwt_push_encap#73 (bpfemu does not implement this helper)');
    // An id outside enum bpf_func_id has no name, as in the kernel.
    const log2 = new Uint8Array(256);
    const bad = assembleBytes('call 999\nexit');
    expect(k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.SYSCALL, prog_flags: 1 << 4, insn_cnt: 2, insns: bad, license: 'GPL', log_level: 1, log_size: 256, log_buf: log2 })).toBe(-ERRNO.EINVAL);
    expect(new TextDecoder().decode(log2)).toContain('invalid func unknown#999');
  });
});
