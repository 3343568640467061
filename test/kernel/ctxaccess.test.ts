/** The ctx-extent pass (src/kernel/ctxaccess.ts) and its use by syscall BPF_PROG_TEST_RUN. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { HELPER_TABLE } from '../../src/helpers/table.js';
import { assemble } from '../../src/isa/asm.js';
import { maxCtxOffset } from '../../src/kernel/ctxaccess.js';
import { Kernel } from '../../src/kernel/kernel.js';

const args = (id: number) => HELPER_TABLE.find((h) => h.id === id)?.args;
const extent = (text: string): number => maxCtxOffset(assemble(text), args);

describe('maxCtxOffset', () => {
  it('counts direct loads and stores through r1 with their size', () => {
    expect(extent('ldxw r0, [r1+4]\nexit')).toBe(8);
    expect(extent('ldxw r0, [r1+4]\nstxdw [r1+16], r0\nstb [r1+30], 1\nexit')).toBe(31);
    expect(extent('mov r0, 0\nexit')).toBe(0);
  });

  it('follows copies, constant pointer arithmetic and 8-byte stack spills', () => {
    expect(extent('mov r6, r1\nadd r6, 40\nldxh r0, [r6+2]\nexit')).toBe(44);
    expect(extent('mov r2, 8\nmov r6, r1\nadd r6, r2\nsub r6, 4\nldxb r0, [r6+0]\nexit')).toBe(5);
    expect(extent('stxdw [r10-8], r1\nmov r1, 0\nldxdw r3, [r10-8]\nldxw r0, [r3+60]\nexit')).toBe(64);
  });

  it('forgets a spill overwritten by a narrower store and r1-r5 after a helper call', () => {
    expect(extent('stxdw [r10-8], r1\nstw [r10-4], 0\nldxdw r3, [r10-8]\nldxw r0, [r3+60]\nexit')).toBe(0);
    expect(extent('call 5\nldxw r0, [r1+60]\nexit')).toBe(0);
    expect(extent('mov r6, r1\ncall 5\nldxw r0, [r6+60]\nexit')).toBe(64);
  });

  it('counts ctx passed as helper memory with a constant size', () => {
    // bpf_probe_read_kernel(dst = fp-16, size = 12, src = ctx + 100): the ctx is the source, not a
    // (ptr, size) pair, so only dst/size count; bpf_probe_read_user_str(ctx+4, 20, ...) counts 24.
    expect(extent('mov r1, r10\nadd r1, -16\nmov r2, 12\nmov r3, r1\ncall 113\nexit')).toBe(0);
    expect(extent('add r1, 4\nmov r2, 20\nmov r3, 0\ncall 114\nexit')).toBe(24);
  });

  it('joins paths: every path reaching an access counts, an agreeing pointer survives the join', () => {
    // r6 is ctx+0 on one path and ctx+8 on the other: the verifier walks both and sees 4 and 12.
    const differs = 'jeq r2, 0, +2\nmov r6, r1\nja +2\nmov r6, r1\nadd r6, 8\nldxw r0, [r6+0]\nexit';
    expect(extent(differs)).toBe(12);
    const same = 'jeq r2, 0, +2\nmov r6, r1\nja +1\nmov r6, r1\nldxw r0, [r6+8]\nexit';
    expect(extent(same)).toBe(12);
  });

  it('skips branches decided by known constants, like the verifier', () => {
    expect(extent('mov r2, 0\njne r2, 0, +1\nexit\nldxw r0, [r1+100]\nexit')).toBe(0);
    expect(extent('mov32 r2, 1\njne32 r2, 0, +1\nexit\nldxw r0, [r1+100]\nexit')).toBe(104);
  });

  it('follows ctx into bpf-to-bpf calls and loops to a fixed point', () => {
    expect(extent('call local f\nexit\nf:\nldxdw r0, [r1+24]\nexit')).toBe(32);
    const loop = 'mov r2, 0\nloop:\nldxw r0, [r1+12]\nadd r2, 1\njlt r2, 10, loop\nexit';
    expect(extent(loop)).toBe(16);
    // The callee never sees the caller's frame pointer as its own.
    expect(extent('stxdw [r10-8], r1\nmov r1, r10\nadd r1, -8\ncall local f\nexit\nf:\nldxdw r2, [r10-8]\nldxw r0, [r2+0]\nexit')).toBe(0);
  });
});

describe('syscall test run and max_ctx_offset', () => {
  const obj = (): BpfObject => {
    const o = BpfObject.open(readFileSync(new URL('../../programs/syscall_ctx.bpf.o', import.meta.url)), { kernel: new Kernel(), name: 'syscall_ctx' });
    o.load();
    return o;
  };

  it('computes the extent of each fixture program at load (struct sys_args is 88 bytes)', () => {
    const o = obj();
    // sys_sum ends at out_max (64..68), sys_reverse at out_str (68..84), sys_count at out_calls (84..88).
    expect(o.program('sys_sum').kernelProg.maxCtxOffset).toBe(68);
    expect(o.program('sys_reverse').kernelProg.maxCtxOffset).toBe(84);
    expect(o.program('sys_count').kernelProg.maxCtxOffset).toBe(88);
  });

  it('refuses a ctx below the extent with EINVAL before running, accepts one that covers it', () => {
    const o = obj();
    const p = o.program('sys_count');
    expect(() => p.testRun({ ctxIn: new Uint8Array(87) })).toThrow(/EINVAL/);
    expect(() => p.testRun({})).toThrow(/EINVAL/);
    expect(o.map('.bss').lookup(new Uint8Array(4))).toEqual(new Uint8Array(4)); // nothing ran
    const ctx = new Uint8Array(88);
    expect(p.testRun({ ctxIn: ctx }).retval).toBe(1);
    expect(new DataView(ctx.buffer).getUint32(84, true)).toBe(1);
  });
});
