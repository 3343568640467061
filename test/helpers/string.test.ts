/** bpf_strncmp, bpf_strtol, bpf_strtoul (kernel/bpf/helpers.c __bpf_strtoull). */
import { describe, expect, it } from 'vitest';
import { strtoull } from '../../src/helpers/string.js';
import { ERRNO } from '../../src/util/errno.js';
import { getS64, load, newKernel, rodata, run, str } from './env.js';

const { EINVAL, ERANGE } = ERRNO;

describe('bpf_strncmp', () => {
  /** strncmp(ctx[0..n], n, rodata s2). */
  function cmp(s1: string, n: number, s2: string): number {
    const k = newKernel();
    const s = rodata(k, str(s2));
    const fd = load(k, `mov r2, ${n}\nlddw r3, map_value ${s} 0\ncall 182\nexit`);
    const ctx = new Uint8Array(Math.max(16, n));
    ctx.set(str(s1, false));
    const r = run(k, fd, ctx);
    if (r.err !== 0) throw new Error(r.fault?.toString());
    return r.ret;
  }

  it('compares unsigned bytes up to s1_sz or a NUL (helpers_misc: 0, -1, 1, 0)', () => {
    expect(cmp('hello', 6, 'hello')).toBe(0);
    expect(cmp('hella', 6, 'hello')).toBe(-1);
    expect(cmp('hellp', 6, 'hello')).toBe(1);
    expect(cmp('hello world', 5, 'hello')).toBe(0);
    expect(cmp('hello', 16, 'hello')).toBe(0);
    expect(cmp('hel', 16, 'hello')).toBe(-1);
    expect(cmp('\xff', 1, 'a')).toBe(1);
  });

  it('s2 must be a read-only constant string, s1_sz non-zero', () => {
    const k = newKernel();
    const onStack = load(k, 'stw [r10-8], 0x61\nmov r2, 1\nmov r3, r10\nadd r3, -8\ncall 182\nexit');
    expect(run(k, onStack, new Uint8Array(8)).fault?.kind).toBe('helper');
    const s = rodata(k, str('a'));
    expect(run(k, load(k, `mov r2, 0\nlddw r3, map_value ${s} 0\ncall 182\nexit`), new Uint8Array(8)).fault?.kind).toBe('helper');
  });
});

describe('bpf_strtol / bpf_strtoul', () => {
  /** strtox(ctx[16..], len, flags, &ctx[0]); ctx[8] = return value. */
  function parse(id: 105 | 106, text: string, flags = 0n, len = text.length): { ret: bigint; res: bigint } {
    const k = newKernel();
    const fd = load(k, `
      mov r9, r1
      mov r1, r9
      add r1, 16
      mov r2, ${len}
      lddw r3, ${flags}
      mov r4, r9
      call ${id}
      stxdw [r9+8], r0
      mov r0, 0
      exit`);
    const ctx = new Uint8Array(16 + Math.max(len, 1) + 8);
    ctx.fill(0xaa, 0, 8);
    ctx.set(str(text, false), 16);
    const r = run(k, fd, ctx);
    if (r.err !== 0) throw new Error(r.fault?.toString());
    return { ret: getS64(ctx, 8), res: getS64(ctx, 0) };
  }

  it.each([
    ['123', 0n, 3n, 123n],
    ['  -42xyz', 0n, 5n, -42n],
    ['0x1f', 0n, 4n, 31n],
    ['0x1f', 16n, 4n, 31n],
    ['1f', 16n, 2n, 31n],
    ['017', 0n, 3n, 15n],
    ['017', 10n, 3n, 17n],
    ['0x', 0n, 1n, 0n],
    ['9223372036854775807', 0n, 19n, 9223372036854775807n],
    ['-9223372036854775808', 0n, 20n, -9223372036854775808n],
  ] as const)('strtol %j base %d -> consumed %d, value %d', (text, flags, consumed, value) => {
    expect(parse(105, text, flags)).toEqual({ ret: consumed, res: value });
  });

  it('errors leave *res = 0: bad base or flags, no digits, overflow, a negative number for strtoul', () => {
    expect(parse(105, '12', 7n)).toEqual({ ret: BigInt(-EINVAL), res: 0n });
    expect(parse(105, '12', 0x20n)).toEqual({ ret: BigInt(-EINVAL), res: 0n });
    expect(parse(105, '   ')).toEqual({ ret: BigInt(-EINVAL), res: 0n });
    expect(parse(105, '-')).toEqual({ ret: BigInt(-EINVAL), res: 0n });
    expect(parse(105, 'zz')).toEqual({ ret: BigInt(-EINVAL), res: 0n });
    expect(parse(105, '9223372036854775808')).toEqual({ ret: BigInt(-ERANGE), res: 0n });
    expect(parse(105, '-9223372036854775809')).toEqual({ ret: BigInt(-ERANGE), res: 0n });
    expect(parse(106, '18446744073709551616')).toEqual({ ret: BigInt(-ERANGE), res: 0n });
    expect(parse(106, '-1')).toEqual({ ret: BigInt(-EINVAL), res: 0n });
    expect(parse(106, '18446744073709551615')).toEqual({ ret: 20n, res: -1n });
  });

  it('parses at most 63 characters after the sign and whitespace', () => {
    const r = strtoull(str('0'.repeat(70) + '5', false), 0n);
    expect(r).toEqual({ consumed: 63, value: 0n, negative: false });
  });
});
