/**
 * bpf_probe_read_kernel/_user(_str), bpf_probe_read(_str), bpf_copy_from_user and
 * bpf_probe_write_user over emulated memory (mm/maccess.c, kernel/trace/bpf_trace.c): the
 * helpers_probe fixture's results on the 6.18 kernel (rk 0, rk_str 12, rk_null -ERANGE with a zeroed
 * buffer, ru 0, ru_str 13, ru_kern -EFAULT, cfu 0; with uptr = 0x10: -EFAULT and zeroed buffers).
 */
import { describe, expect, it } from 'vitest';
import { copyFromKernel, strncpyFromKernel, strncpyFromUser } from '../../src/helpers/probe.js';
import { ERRNO } from '../../src/util/errno.js';
import { Memory, PERM_NONE, PERM_R, RegionKind } from '../../src/vm/memory.js';
import { ProgType, getS64, load, loadProg, newKernel, rodata, run, str, u64 } from './env.js';

const { EFAULT, ERANGE, EINVAL } = ERRNO;

/** `helper(fp-16, size, src)`; the 16 stack bytes (pre-filled with 0x55) go to ctx[8..24], r0 to ctx[0..8]. */
function probe(helper: number, size: number, src: string): string {
  return `
    mov r9, r1
    lddw r1, 0x5555555555555555
    stxdw [r10-16], r1
    stxdw [r10-8], r1
    mov r1, r10
    add r1, -16
    mov r2, ${size}
    ${src}
    call ${helper}
    stxdw [r9+0], r0
    ldxdw r1, [r10-16]
    stxdw [r9+8], r1
    ldxdw r1, [r10-8]
    stxdw [r9+16], r1
    mov r0, 0
    exit`;
}

function go(k: ReturnType<typeof newKernel>, fd: number, uptr = 0n): { r: bigint; buf: Uint8Array } {
  const ctx = new Uint8Array(24);
  ctx.set(u64(uptr));
  const res = run(k, fd, ctx);
  if (res.err !== 0) throw new Error(`run failed ${res.err} ${res.fault?.toString() ?? ''}`);
  return { r: getS64(ctx, 0), buf: ctx.slice(8, 24) };
}

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('kernel reads', () => {
  it('probe_read_kernel copies emulated kernel memory; NULL is -ERANGE (x86-64), unmapped -EFAULT; failures zero dst', () => {
    const k = newKernel();
    const kstr = rodata(k, str('bpfemu-kstr'), 16);
    const src = `lddw r3, map_value ${kstr} 0`;
    expect(go(k, load(k, probe(113, 16, src)))).toEqual({ r: 0n, buf: Uint8Array.from([...str('bpfemu-kstr'), 0, 0, 0, 0]) });
    expect(go(k, load(k, probe(113, 8, 'mov r3, 0'))).r).toBe(BigInt(-ERANGE));
    expect([...go(k, load(k, probe(113, 8, 'mov r3, 0'))).buf.subarray(0, 8)]).toEqual(new Array(8).fill(0));
    expect(go(k, load(k, probe(113, 8, 'lddw r3, 0x7fff000000000000'))).r).toBe(BigInt(-EFAULT));
    // crossing the end of the value: a partial read is a fault, the whole dst is zeroed
    const cross = go(k, load(k, probe(113, 16, `lddw r3, map_value ${kstr} 8`)));
    expect(cross.r).toBe(BigInt(-EFAULT));
    expect([...cross.buf]).toEqual(new Array(16).fill(0));
    // size 0 copies nothing (the user-range check still applies)
    expect(go(k, load(k, probe(113, 0, src))).r).toBe(0n);
    expect(go(k, load(k, probe(113, 0, 'mov r3, 0'))).r).toBe(BigInt(-ERANGE));
  });

  it('probe_read_kernel_str stops at the NUL and returns its length + 1, leaving the rest of dst', () => {
    const k = newKernel();
    const kstr = rodata(k, str('bpfemu-kstr'), 16);
    const r = go(k, load(k, probe(115, 16, `lddw r3, map_value ${kstr} 0`)));
    expect(r.r).toBe(12n);
    expect([...r.buf]).toEqual([...str('bpfemu-kstr'), 0x55, 0x55, 0x55, 0x55]);
    // truncated: size bytes, the last one NUL
    const t = go(k, load(k, probe(115, 4, `lddw r3, map_value ${kstr} 0`)));
    expect(t.r).toBe(4n);
    expect(text(t.buf.subarray(0, 4))).toBe('bpf\0');
    expect(go(k, load(k, probe(115, 8, 'mov r3, 0'))).r).toBe(BigInt(-ERANGE));
    // no NUL before the end of the region: a fault
    const noNul = rodata(k, str('abcd', false));
    expect(go(k, load(k, probe(115, 16, `lddw r3, map_value ${noNul} 0`))).r).toBe(BigInt(-EFAULT));
  });

  it('copyFromKernel: unreadable regions (map handles, code) are -EFAULT', () => {
    const mem = new Memory();
    const id = mem.map(new Uint8Array(8), { kind: RegionKind.MAP, perm: PERM_NONE, label: 'handle' });
    expect(copyFromKernel(mem, Memory.pointer(id, 0), new Uint8Array(4))).toBe(-EFAULT);
    const ro = mem.map(Uint8Array.of(1, 2, 0), { kind: RegionKind.GLOBAL, perm: PERM_R, label: 'ro' });
    const dst = new Uint8Array(4);
    expect(copyFromKernel(mem, Memory.pointer(ro, 1), dst.subarray(0, 2))).toBe(0);
    expect([...dst]).toEqual([2, 0, 0, 0]);
    expect(strncpyFromKernel(mem, Memory.pointer(ro, 0), new Uint8Array(0))).toBe(0);
    expect(strncpyFromKernel(mem, Memory.pointer(ro, 0), dst)).toBe(3);
  });
});

describe('user reads', () => {
  /** A 16-byte user buffer holding "user says hi". */
  const userBuf = (k: ReturnType<typeof newKernel>): bigint => {
    const b = new Uint8Array(16);
    b.set(str('user says hi'));
    return BigInt(k.user.alloc(b));
  };

  it('probe_read_user(_str) read user memory; kernel addresses and unmapped user addresses are -EFAULT', () => {
    const k = newKernel();
    const uptr = userBuf(k);
    const kstr = rodata(k, str('bpfemu-kstr'), 16);
    const ru = go(k, load(k, probe(112, 16, 'ldxdw r3, [r9+0]')), uptr);
    expect(ru.r).toBe(0n);
    expect(text(ru.buf.subarray(0, 12))).toBe('user says hi');
    const rus = go(k, load(k, probe(114, 16, 'ldxdw r3, [r9+0]')), uptr);
    expect(rus.r).toBe(13n);
    expect(go(k, load(k, probe(112, 8, `lddw r3, map_value ${kstr} 0`))).r).toBe(BigInt(-EFAULT));
    const bad = go(k, load(k, probe(112, 16, 'ldxdw r3, [r9+0]')), 0x10n);
    expect(bad.r).toBe(BigInt(-EFAULT));
    expect([...bad.buf]).toEqual(new Array(16).fill(0));
    expect(go(k, load(k, probe(114, 16, 'ldxdw r3, [r9+0]')), 0x10n).r).toBe(BigInt(-EFAULT));
    expect(strncpyFromUser(k.user, uptr, new Uint8Array(5))).toBe(5);
  });

  it('copy_from_user needs a sleepable program; -EFAULT and a zeroed dst on failure', () => {
    const k = newKernel();
    const uptr = BigInt(k.user.alloc(str('user says hi')));
    const cfu = load(k, probe(148, 8, 'ldxdw r3, [r9+0]'), { sleepable: true });
    const r = go(k, cfu, uptr);
    expect(r.r).toBe(0n);
    expect(text(r.buf.subarray(0, 8))).toBe('user say');
    const bad = go(k, cfu, 0x10n);
    expect(bad.r).toBe(BigInt(-EFAULT));
    expect([...bad.buf.subarray(0, 8)]).toEqual(new Array(8).fill(0));
    const notSleepable = load(k, probe(148, 8, 'ldxdw r3, [r9+0]'), { sleepable: false });
    const ctx = new Uint8Array(24);
    ctx.set(u64(uptr));
    expect(run(k, notSleepable, ctx).fault?.kind).toBe('helper');
  });

  it('probe_read / probe_read_str (tracing programs only) pick user or kernel memory by address', () => {
    const k = newKernel();
    const uptr = BigInt(k.user.alloc(str('u-str')));
    const kstr = rodata(k, str('k-str'), 8);
    expect(go(k, load(k, probe(45, 16, 'ldxdw r3, [r9+0]')), uptr).r).toBe(6n);
    const kr = go(k, load(k, probe(4, 6, `lddw r3, map_value ${kstr} 0`)));
    expect(kr.r).toBe(0n);
    expect(text(kr.buf.subarray(0, 5))).toBe('k-str');
    expect(loadProg(k, probe(4, 6, 'mov r3, 0'), { type: ProgType.CGROUP_SKB })).toBe(-EINVAL);
  });

  it('probe_write_user writes user memory only', () => {
    const k = newKernel();
    const uaddr = k.user.alloc(8);
    const w = (dst: string): string => `
      mov r9, r1
      stdw [r10-8], 0x41424344
      ${dst}
      mov r2, r10
      add r2, -8
      mov r3, 4
      call 36
      exit`;
    const ctx = u64(uaddr);
    expect(run(k, load(k, w('ldxdw r1, [r9+0]')), ctx).ret).toBe(0);
    expect([...k.user.read(uaddr, 4)!]).toEqual([0x44, 0x43, 0x42, 0x41]);
    expect(run(k, load(k, w('mov r1, r10\nadd r1, -16')), ctx).ret).toBe(-EFAULT);
    expect(run(k, load(k, w('mov r1, 8')), ctx).ret).toBe(-EFAULT);
  });

  it('the helpers_probe fixture, in assembly', () => {
    const k = newKernel();
    const kstr = rodata(k, str('bpfemu-kstr'), 16);
    const uptr = userBuf(k);
    const results = [113, 115, 112, 114].map((h) => go(k, load(k, probe(h, 16, h === 113 || h === 115 ? `lddw r3, map_value ${kstr} 0` : 'ldxdw r3, [r9+0]')), uptr).r);
    expect(results).toEqual([0n, 12n, 0n, 13n]);
  });
});
