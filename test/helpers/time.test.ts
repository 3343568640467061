/**
 * Clock helpers on the virtual clock (KernelOptions.monotonicStartNs / bootOffsetNs, advanced only
 * by kernel.advance): CLOCK_MONOTONIC, BOOTTIME, MONOTONIC_COARSE (jiffy granularity, HZ = 1000),
 * TAI, and jiffies64 from INITIAL_JIFFIES.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REALTIME_AT_BOOT_NS, TAI_OFFSET_NS } from '../../src/helpers/time.js';
import { ERRNO } from '../../src/util/errno.js';
import { ProgType, getU64, load, loadProg, newKernel, ret, run, testProgType } from './env.js';

/** A program storing the u64 result of helper `id` into ctx[0..8]. */
function clock(id: number): string {
  return `
    mov r6, r1
    call ${id}
    stxdw [r6+0], r0
    mov r0, 0
    exit`;
}

function read(k: ReturnType<typeof newKernel>, fd: number): bigint {
  const ctx = new Uint8Array(8);
  expect(run(k, fd, ctx).err).toBe(0);
  return getU64(ctx);
}

describe('clock helpers', () => {
  it('ktime_get_ns and ktime_get_boot_ns follow the virtual clock', () => {
    const k = newKernel({ monotonicStartNs: 5_000_000_000n, bootOffsetNs: 700n });
    const mono = load(k, clock(5));
    const boot = load(k, clock(125));
    expect(read(k, mono)).toBe(5_000_000_000n);
    expect(read(k, boot)).toBe(5_000_000_700n);
    // nothing moves on its own
    expect(read(k, mono)).toBe(5_000_000_000n);
    k.advance(1234n);
    expect(read(k, mono)).toBe(5_000_001_234n);
    expect(read(k, boot)).toBe(5_000_001_934n);
  });

  it('jiffies64 starts at INITIAL_JIFFIES (-300 s at HZ = 1000) plus the uptime in ms', () => {
    const k = newKernel({ monotonicStartNs: 2_500_000_000n });
    const j = load(k, clock(118));
    expect(read(k, j)).toBe(BigInt.asUintN(64, -300_000n + 2_500n));
    k.advance(999_999n);
    expect(read(k, j)).toBe(BigInt.asUintN(64, -300_000n + 2_500n));
    k.advance(1n);
    expect(read(k, j)).toBe(BigInt.asUintN(64, -300_000n + 2_501n));
  });

  it('ktime_get_tai_ns is realtime + 37 s (realtime: the realtimeNs service or a fixed epoch)', () => {
    const k = newKernel({ monotonicStartNs: 10n });
    const tai = load(k, clock(208));
    expect(read(k, tai)).toBe(DEFAULT_REALTIME_AT_BOOT_NS + 10n + TAI_OFFSET_NS);
    k.provide('realtimeNs', () => 1_000n);
    expect(read(k, tai)).toBe(1_000n + TAI_OFFSET_NS);
  });

  it('ktime_get_coarse_ns: networking/cgroup programs only, truncated to the jiffy', () => {
    const k = newKernel({ monotonicStartNs: 3_000_123_456n, progTypes: [testProgType(ProgType.CGROUP_SYSCTL, 'cgroup_sysctl')] });
    // not in bpf_tracing_func_proto: syscall programs are refused at load
    expect(loadProg(k, clock(160))).toBe(-ERRNO.EINVAL);
    const fd = load(k, clock(160), { type: ProgType.CGROUP_SYSCTL });
    expect(read(k, fd)).toBe(3_000_000_000n);
    k.advance(2_000_000n);
    expect(read(k, fd)).toBe(3_002_000_000n);
    expect(ret(k, load(k, 'call 5\nmov r0, 0\nexit', { type: ProgType.CGROUP_SYSCTL }))).toBe(0);
  });
});
