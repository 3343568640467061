/**
 * The kernel's four struct_ops association selftests (docs/struct-ops-assoc.md §6), re-created with
 * our own compiled programs (programs/struct_ops_assoc*.bpf.c) and run unchanged through the
 * libbpf-like API, with the expected values of the spec's tables.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject, BpfError } from '../../src/api/index.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { ERRNO } from '../../src/util/errno.js';

const obj = (file: string, k = new Kernel({ testmod: true })): BpfObject => BpfObject.open(readFileSync(`programs/${file}`), { kernel: k });

describe('st_ops_assoc (§6.2)', () => {
  for (const [file, kfunc] of [
    ['struct_ops_assoc.bpf.o', 'v8 bpf_kfunc_multi_st_ops_test_1_impl(&args, NULL)'],
    ['struct_ops_assoc_implicit.bpf.o', '2026 bpf_kfunc_multi_st_ops_test_1_assoc(&args)'],
  ] as const) {
    it(`${kfunc}: each program reaches its own map (1234 / 5678); EBUSY on re-association`, () => {
      const o = obj(file);
      o.load();
      const mapA = o.map('st_ops_map_a');
      const mapB = o.map('st_ops_map_b');
      // Step 2: a struct_ops program cannot be associated explicitly (libbpf's own check).
      expect(() => o.program('test_1_a').assocStructOps(mapA)).toThrow(expect.objectContaining({ errno: ERRNO.EINVAL }));
      o.program('syscall_prog_a').assocStructOps(mapA);
      o.program('sys_enter_prog_a').assocStructOps(mapA);
      o.program('syscall_prog_b').assocStructOps(mapB);
      o.program('sys_enter_prog_b').assocStructOps(mapB);
      // Step 7: the association is fixed once set.
      let busy: unknown;
      try {
        o.program('sys_enter_prog_a').assocStructOps(mapB);
      } catch (e) {
        busy = e;
      }
      expect(busy).toBeInstanceOf(BpfError);
      expect((busy as BpfError).code).toBe('EBUSY');
      // Step 8: skeleton attach: two raw-tp links, then both struct_ops maps.
      const links = o.attach();
      expect(links).toHaveLength(4);
      // Step 9: one syscall of the test thread while test_pid is set.
      o.variable('test_pid').setInt(o.kernel.currentTask().pid);
      const fired = o.fire('raw_tp', 'sys_enter', { args: [0n, 186n] });
      expect(fired.map((r) => [r.prog, r.fault])).toEqual([
        [o.program('sys_enter_prog_a').kernelProg, null],
        [o.program('sys_enter_prog_b').kernelProg, null],
      ]);
      expect(fired[0]!.prog.name).toBe('sys_enter_prog_'); // BPF_OBJ_NAME_LEN - 1 characters, as the kernel keeps it
      o.variable('test_pid').setInt(0);
      // Step 10.
      expect(o.program('syscall_prog_a').testRun().retval).toBe(0);
      expect(o.program('syscall_prog_b').testRun().retval).toBe(0);
      expect(o.variable('test_err_a').getInt()).toBe(0n);
      expect(o.variable('test_err_b').getInt()).toBe(0n);
      o.close();
    });
  }

  it('without the associations the kfunc gets NULL and the programs count errors', () => {
    const o = obj('struct_ops_assoc.bpf.o');
    o.load();
    o.attach();
    o.program('syscall_prog_a').testRun();
    o.program('syscall_prog_b').testRun();
    expect(o.variable('test_err_a').getInt()).toBe(1n);
    expect(o.variable('test_err_b').getInt()).toBe(1n);
  });
});

describe('st_ops_assoc_reuse (§6.3)', () => {
  it('one struct_ops program in two maps is poisoned: the inner call gets -1, the outer ones 1234', () => {
    const o = obj('struct_ops_assoc_reuse.bpf.o');
    o.load();
    o.program('syscall_prog_a').assocStructOps(o.map('st_ops_map_a'));
    o.program('syscall_prog_b').assocStructOps(o.map('st_ops_map_b'));
    o.attach();
    expect(o.program('test_1_a').kernelProg.assoc.kind).toBe('poison');
    expect(o.program('syscall_prog_a').testRun().retval).toBe(0);
    expect(o.program('syscall_prog_b').testRun().retval).toBe(0);
    expect(o.variable('test_err_a').getInt()).toBe(0n);
    expect(o.variable('test_err_b').getInt()).toBe(0n);
  });
});

describe('st_ops_assoc_in_timer (§6.4) and _no_uref (§6.5)', () => {
  it('a timer callback armed by a struct_ops program uses that program\'s association: 1234', () => {
    const o = obj('struct_ops_assoc_in_timer.bpf.o');
    o.load();
    o.program('syscall_prog').assocStructOps(o.map('st_ops_map'));
    o.attach();
    expect(o.program('syscall_prog').testRun().retval).toBe(0);
    expect(o.variable('timer_cb_run').getInt()).toBe(0n); // not before the clock moves
    o.kernel.advance(1_000_000n);
    expect(o.variable('timer_cb_run').getInt()).toBe(1n);
    expect(o.variable('timer_test_1_ret').getInt()).toBe(1234n);
    expect(o.variable('test_err').getInt()).toBe(0n);
  });

  it('after the map is freed while the timer is pending, the callback gets NULL: -1', () => {
    const o = obj('struct_ops_assoc_in_timer.bpf.o');
    o.load();
    const syscall = o.program('syscall_prog');
    const map = o.map('st_ops_map');
    syscall.assocStructOps(map);
    const link = map.attachStructOps(); // bpf_map__attach_struct_ops, not the skeleton attach
    o.variable('timer_ns').setInt(500_000_000n);
    expect(syscall.testRun().retval).toBe(0);
    expect(o.variable('test_err').getInt()).toBe(0n);
    const bss = o.map('.bss');
    const test1 = o.program('test_1').kernelProg;
    // Drop the link, syscall_prog and the map fd before the timer fires.
    link.destroy();
    syscall.close();
    map.close();
    o.kernel.drain();
    expect(test1.assoc.kind).toBe('none'); // the map was freed and disassociated test_1
    o.kernel.advance(500_000_000n);
    const v = bss.lookup(new Uint8Array(4))!;
    const at = (name: string) => o.variable(name);
    expect(v).toBeDefined();
    expect(at('timer_cb_run').getInt()).toBe(1n);
    expect(at('timer_test_1_ret').getInt()).toBe(-1n);
    expect(at('test_err').getInt()).toBe(0n);
  });
});
