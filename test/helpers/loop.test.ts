/** bpf_loop (kernel/bpf/bpf_iter.c): iterations, early stop, -EINVAL / -E2BIG, callback rules. */
import { describe, expect, it } from 'vitest';
import { BPF_MAX_LOOPS } from '../../src/helpers/loop.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { ERRNO } from '../../src/util/errno.js';
import { getU64, load, mkMap, newKernel, run } from './env.js';

/** bpf_loop(nr, cb, &sum, flags) with sum at fp-8; ctx[0] = result, ctx[8] = sum; cb stops at `stop`. */
function loop(nr: number | string, o: { stop?: number; flags?: number; ret?: number; ctx?: string } = {}): string {
  return `
    mov r9, r1
    stdw [r10-8], 0
    ${typeof nr === 'string' ? nr : `mov r1, ${nr}`}
    lddw r2, code cb
    ${o.ctx ?? 'mov r3, r10\nadd r3, -8'}
    mov r4, ${o.flags ?? 0}
    call 181
    stxdw [r9+0], r0
    ldxdw r1, [r10-8]
    stxdw [r9+8], r1
    mov r0, 0
    exit
  cb:
    ldxdw r3, [r2+0]
    add r3, r1
    stxdw [r2+0], r3
    mov r0, ${o.ret ?? 0}
    ${o.stop !== undefined ? `jne r1, ${o.stop}, done\nmov r0, 1\ndone:` : ''}
    exit`;
}

function go(k: ReturnType<typeof newKernel>, text: string): { r: bigint; sum: bigint } {
  const ctx = new Uint8Array(16);
  const res = run(k, load(k, text), ctx);
  if (res.err !== 0) throw new Error(res.fault?.toString() ?? String(res.err));
  return { r: BigInt.asIntN(64, getU64(ctx, 0)), sum: getU64(ctx, 8) };
}

describe('bpf_loop', () => {
  it('calls the callback nr_loops times with (index, ctx) and returns the count', () => {
    const k = newKernel();
    expect(go(k, loop(10))).toEqual({ r: 10n, sum: 45n });
    expect(go(k, loop(0))).toEqual({ r: 0n, sum: 0n });
  });

  it('a callback returning 1 stops; the stopping iteration is counted (loop fixture: 5 of 10)', () => {
    const k = newKernel();
    expect(go(k, loop(10, { stop: 4 }))).toEqual({ r: 5n, sum: 10n });
  });

  it('flags != 0 is -EINVAL, more than BPF_MAX_LOOPS is -E2BIG (nothing runs)', () => {
    const k = newKernel();
    expect(go(k, loop(3, { flags: 1 }))).toEqual({ r: BigInt(-ERRNO.EINVAL), sum: 0n });
    // flags 0: the 6.18 verifier inlines the call and its 32-bit move zero-extends -E2BIG
    // (kernel result of the loop fixture with nr_loops (1 << 23) + 1: iterations 0xfffffff9)
    expect(go(k, loop(`mov r1, ${BPF_MAX_LOOPS + 1}`))).toEqual({ r: BigInt(-ERRNO.E2BIG >>> 0), sum: 0n });
    // nr_loops is a u32: the upper half of r1 is ignored
    expect(go(k, loop('lddw r1, 0x100000003'))).toEqual({ r: 3n, sum: 3n });
  });

  it('faults: a callback returning something other than 0 or 1, a ctx that is not the stack', () => {
    const k = newKernel();
    expect(run(k, load(k, loop(3, { ret: 2 })), new Uint8Array(16)).fault?.kind).toBe('helper');
    expect(run(k, load(k, loop(3, { ctx: 'mov r3, r9' })), new Uint8Array(16)).fault?.kind).toBe('helper');
  });

  it("a callback must belong to the calling program (a code pointer of another program faults)", () => {
    const k = newKernel();
    const m = mkMap(k, { type: BPF_MAP_TYPE.ARRAY, key: 4, value: 8, max: 1 });
    const value = `stw [r10-4], 0\nlddw r1, map_fd ${m}\nmov r2, r10\nadd r2, -4\ncall 1\njeq r0, 0, out`;
    const stash = load(k, `${value}\nlddw r1, code cb\nstxdw [r0+0], r1\nout:\nmov r0, 0\nexit\ncb:\nmov r0, 0\nexit`);
    expect(run(k, stash).err).toBe(0);
    const use = load(k, `${value}\nldxdw r2, [r0+0]\nmov r1, 1\nmov r3, 0\nmov r4, 0\ncall 181\nout:\nmov r0, 0\nexit`);
    expect(run(k, use).fault?.kind).toBe('helper');
  });
});
