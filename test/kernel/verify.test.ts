/**
 * src/kernel/verify.ts's btf_struct_ids_match over the emulated kernel's BTF (btfStructMatchOf):
 * the same struct at offset 0; unless strict, a struct nested exactly at the offset, then its first
 * members at offset 0, through arrays by element. Expectations worked out by hand from 6.18's
 * btf_struct_ids_match / btf_struct_walk (kernel/bpf/btf.c) on the layouts registered here.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import { btfStructMatchOf } from '../../src/kernel/verify.js';

function kernel(): Kernel {
  const k = new Kernel();
  k.registerStruct({ name: 'm_leaf', members: [{ name: 'x', type: 'u32' }] });
  k.registerStruct({ name: 'm_inner', members: [{ name: 'l', type: 'struct m_leaf' }, { name: 'y', type: 'u32' }] });
  // a (0..7) scalar, in (8..15) struct m_inner, arr (16..31) four m_leaf
  k.registerStruct({ name: 'm_outer', members: [{ name: 'a', type: 'u64' }, { name: 'in', type: 'struct m_inner' }, { name: 'arr', type: 'struct m_leaf[4]' }] });
  return k;
}

describe('btfStructMatchOf (btf_struct_ids_match)', () => {
  const match = btfStructMatchOf(kernel().vmlinuxBtf);
  it('the same struct at offset 0, strict or not', () => {
    expect(match('m_inner', 0, 'm_inner', true)).toBe(true);
    expect(match('m_inner', 0, 'm_inner', false)).toBe(true);
  });
  it('strict: no walk into members', () => {
    expect(match('m_outer', 8, 'm_inner', true)).toBe(false);
    expect(match('m_inner', 0, 'm_leaf', true)).toBe(false);
  });
  it('not strict: a member struct at the offset, and its first members at offset 0', () => {
    expect(match('m_outer', 8, 'm_inner', false)).toBe(true);
    expect(match('m_outer', 8, 'm_leaf', false)).toBe(true);
    expect(match('m_inner', 0, 'm_leaf', false)).toBe(true);
  });
  it('not strict: a scalar at the offset, or an offset inside a member, does not match', () => {
    expect(match('m_outer', 0, 'm_inner', false)).toBe(false);
    expect(match('m_outer', 12, 'm_leaf', false)).toBe(false);
    expect(match('m_outer', 10, 'm_inner', false)).toBe(false);
  });
  it('arrays of structs by element', () => {
    expect(match('m_outer', 16, 'm_leaf', false)).toBe(true);
    expect(match('m_outer', 24, 'm_leaf', false)).toBe(true);
    expect(match('m_outer', 26, 'm_leaf', false)).toBe(false);
  });
  it('the real types: a bpf_cpumask is a cpumask at offset 0, a task_struct is not', () => {
    expect(match('bpf_cpumask', 0, 'cpumask', false)).toBe(true);
    expect(match('bpf_cpumask', 0, 'cpumask', true)).toBe(false);
    expect(match('task_struct', 0, 'cpumask', false)).toBe(false);
  });
});
