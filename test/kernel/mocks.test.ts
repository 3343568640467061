/**
 * Helper and kfunc mocks (kernel/mocks.ts): the mock's result is r0, its arguments are r1..r5,
 * memory it writes lands in the run's memory (and only there), and removing it restores the
 * implementation, for programs loaded before the mock was set.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { KernelError } from '../../src/kernel/errors.js';
import { load, newKernel, run } from '../helpers/env.js';

describe('kernel.mockHelper', () => {
  it('bpf_get_prandom_u32 returns what the mock says, with the arguments it was called with', () => {
    const k = newKernel();
    const fd = load(k, 'mov r1, 11\nmov r2, 22\ncall 7\nexit');
    const seen: bigint[][] = [];
    k.mockHelper('bpf_get_prandom_u32', (args) => {
      seen.push([...args]);
      return 4;
    });
    expect(run(k, fd).retval).toBe(4);
    expect(seen).toEqual([[11n, 22n, 0n, 0n, 0n]]);
    k.mockHelper('get_prandom_u32', null);
    const a = run(k, fd).retval;
    const b = run(k, fd).retval;
    expect(a === 4 && b === 4).toBe(false); // the real PRNG again
  });

  it('a mock writes into the program\'s memory through checked pointers', () => {
    const k = newKernel();
    // bpf_probe_read_kernel(fp-8, 8, 0): the mock fills the stack buffer; the program returns it
    const fd = load(k, 'mov r1, r10\nadd r1, -8\nmov r2, 8\nmov r3, 0\ncall 113\nldxdw r0, [r10-8]\nexit');
    k.mockHelper(113, (args, mem) => {
      mem.write(args[0]!, new Uint8Array([0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0]));
      return 0;
    });
    expect(run(k, fd).retval).toBe(0x12345678);
    // a write beyond the buffer is the run's fault, not a host crash
    k.mockHelper(113, (args, mem) => mem.write(args[0]!, new Uint8Array(16)));
    const r = run(k, fd);
    expect(r.fault?.kind).toBe('out_of_bounds');
    expect(r.fault?.detail).toMatch(/mock bpf_probe_read_kernel: write of 16 bytes/);
  });

  it('refuses a helper bpfemu does not implement', () => {
    expect(() => new Kernel().mockHelper('bpf_no_such_helper', () => 0)).toThrow(KernelError);
  });
});

describe('kernel.mockKfunc', () => {
  it('a program calling a kfunc sees the mock\'s result (struct_ops_assoc syscall_prog_a)', () => {
    const k = new Kernel({ testmod: true });
    const o = BpfObject.open(readFileSync('programs/struct_ops_assoc.bpf.o'), { kernel: k });
    o.load();
    o.program('syscall_prog_a').assocStructOps(o.map('st_ops_map_a'));
    o.map('st_ops_map_a').attachStructOps();
    // the kfunc returns the associated map's magic (1234); the program counts anything else
    k.mockKfunc('bpf_kfunc_multi_st_ops_test_1_impl', () => 1234);
    o.program('syscall_prog_a').testRun({ ctxIn: new Uint8Array(8) });
    expect(o.variable('test_err_a').getInt()).toBe(0n);
    k.mockKfunc('bpf_kfunc_multi_st_ops_test_1_impl', () => 7);
    o.program('syscall_prog_a').testRun({ ctxIn: new Uint8Array(8) });
    expect(o.variable('test_err_a').getInt()).toBe(1n);
    k.mockKfunc('bpf_kfunc_multi_st_ops_test_1_impl', null);
    o.program('syscall_prog_a').testRun({ ctxIn: new Uint8Array(8) });
    expect(o.variable('test_err_a').getInt()).toBe(1n); // the real kfunc: 1234 again
    expect(() => k.mockKfunc('no_such_kfunc', () => 0)).toThrow(/no kfunc 'no_such_kfunc'/);
  });
});
