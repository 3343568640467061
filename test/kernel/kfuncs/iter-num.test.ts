/**
 * The numbers iterator (src/kernel/kfuncs/iter-num.ts, kernel/bpf/bpf_iter.c) at run time:
 * programs/verifier_iter.bpf.c's loops give the sums of their ranges, and the kfuncs' own rules
 * (an empty or reversed range, the BPF_MAX_LOOPS limit, next after the end) hold when called
 * directly. Its verifier rules are in test/verifier/corpus/iter.ts, checked against 6.18.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { Memory, RegionKind } from '../../../src/vm/memory.js';
import type { KfuncCall } from '../../../src/kernel/kfuncs.js';
import type { Machine } from '../../../src/vm/machine.js';

function run(prog: string): bigint {
  const obj = BpfObject.open(readFileSync('programs/verifier_iter.bpf.o'));
  for (const p of obj.programs) p.autoload = p.name === prog;
  obj.load();
  expect(obj.program(prog).testRun({}).retval).toBe(0);
  return obj.variable('out').getInt();
}

describe('bpf_iter_num', () => {
  it('bpf_for_each(num) walks [start, end): sum of 0..99, and of a * b over two nested ranges', () => {
    expect(run('sum_ok')).toBe(BigInt((99 * 100) / 2));
    expect(run('nested_ok')).toBe(BigInt(45 * 45));
    expect(run('value_checked')).toBe(1n);
    // a subprogram takes the first two values of the caller's iterator; a break stops at the first even value
    expect(run('subprog_next')).toBe(0n + 1n);
    expect(run('early_break')).toBe(2n);
  });

  it('new/next/destroy on the iterator bytes: empty and reversed ranges, the 8M limit, NULL after the end', () => {
    const k = new Kernel();
    const bytes = new Uint8Array(8);
    const region = k.mem.map(bytes, { kind: RegionKind.KERNEL, perm: 3, label: 'it' });
    const ptr = Memory.pointer(region, 0);
    const call = (name: string, ...args: bigint[]): number | bigint => k.kfuncs.get(name)!.def.impl({ m: { mem: k.mem, bytesAt: (id: number, off: number, n: number) => k.mem.bytes(id).subarray(off, off + n) } as unknown as Machine, prog: undefined as never, args: [ptr, ...args] } as KfuncCall);
    const walk = (start: number, end: number): number[] | number => {
      const r = call('bpf_iter_num_new', BigInt.asUintN(64, BigInt(start)), BigInt.asUintN(64, BigInt(end)));
      const out: number[] = [];
      for (let i = 0; i < 20; i++) {
        const p = call('bpf_iter_num_next');
        if (p === 0n) break;
        expect(p).toBe(ptr);
        out.push(new DataView(bytes.buffer).getInt32(0, true));
      }
      call('bpf_iter_num_destroy');
      expect([...bytes]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
      return r === 0 ? out : Number(r);
    };
    expect(walk(3, 7)).toEqual([3, 4, 5, 6]);
    expect(walk(-2, 1)).toEqual([-2, -1, 0]);
    expect(walk(5, 5)).toEqual([]);
    // errors leave an iterator whose next returns NULL at once
    expect(walk(7, 3)).toBe(-22);
    expect(walk(0, 8 * 1024 * 1024 + 1)).toBe(-7);
    expect(walk(0, 8 * 1024 * 1024)).toHaveLength(20);
  });
});
