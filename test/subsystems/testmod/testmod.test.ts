/**
 * The test module (src/subsystems/testmod/testmod.ts): what `new Kernel({ testmod: true })`
 * registers, checked against the kernel's bpf_testmod definitions (struct bpf_testmod_multi_st_ops
 * { int (*test_1)(struct st_ops_args *); struct hlist_node node; int id; } on x86-64) and its
 * registration rules. The struct_ops machinery itself is tested in test/kernel/structops.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.js';
import { ProgType } from '../../../src/object/uapi.js';

describe('testmod', () => {
  it('is opt-in', () => {
    const k = new Kernel();
    expect(k.structOps.get('bpf_testmod_multi_st_ops')).toBeUndefined();
    expect(k.kfuncs.get('bpf_kfunc_multi_st_ops_test_1')).toBeUndefined();
  });

  it('registers bpf_testmod_multi_st_ops with the x86-64 layout, and the demo types', () => {
    const k = new Kernel({ testmod: true });
    const t = k.structOps.get('bpf_testmod_multi_st_ops')!;
    expect(t.members.map((m) => [m.name, m.offset, m.size, m.isFunc])).toEqual([
      ['test_1', 0, 8, true],
      ['node', 8, 16, false],
      ['id', 24, 4, false],
    ]);
    expect(t.layout.size).toBe(32);
    expect(t.valueSize).toBe(128); // 64-byte header + 32, rounded to the 64-byte alignment
    expect(k.structOps.get('my_ops')).toBeDefined();
    expect(k.structOps.get('bpfemu_demo_ops')).toBeDefined();
  });

  it('its kfuncs: the explicit-id one, the __prog one and the KF_IMPLICIT_ARGS one with its _impl twin in BTF', () => {
    const k = new Kernel({ testmod: true });
    for (const n of ['bpf_kfunc_multi_st_ops_test_1', 'bpf_kfunc_multi_st_ops_test_1_impl', 'bpf_kfunc_multi_st_ops_test_1_assoc']) {
      const r = k.kfuncs.get(n)!;
      expect(r.def.progTypes).toEqual([ProgType.SCHED_CLS, ProgType.TRACING, ProgType.SYSCALL, ProgType.STRUCT_OPS]);
    }
    expect(k.kfuncs.get('bpf_kfunc_multi_st_ops_test_1_impl')!.def.implicitProg).toBe('suffix');
    expect(k.kfuncs.get('bpf_kfunc_multi_st_ops_test_1_assoc')!.def.implicitProg).toBe('implicit');
    expect(k.vmlinuxBtf.findByName('bpf_kfunc_multi_st_ops_test_1_assoc_impl', 'FUNC')).toHaveLength(1);
  });
});
