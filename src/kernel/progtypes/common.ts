/**
 * Pieces shared by program-type implementations: mapping a context into guest memory and timing a
 * test run the way bpf_test_timer does (average ns per repetition).
 */
import { PERM_R, PERM_RW, RegionKind, type SpecialRegion } from '../../vm/memory.js';
import { Memory } from '../../vm/memory.js';
import type { Fault } from '../../vm/fault.js';
import type { Machine } from '../../vm/machine.js';
import { argRegs } from '../../vm/run.js';
import type { Kernel } from '../kernel.js';
import type { KProg } from '../objects/objects.js';

/** Map `bytes` as a ctx region and return its guest pointer; the region is retired after the run. */
export function mapCtx(k: Kernel, bytes: Uint8Array, label: string, writable: boolean, special?: SpecialRegion): { ptr: bigint; region: number } {
  const region = k.mem.map(bytes, { kind: RegionKind.CTX, perm: writable ? PERM_RW : PERM_R, label, ...(special !== undefined ? { special } : {}) });
  return { ptr: Memory.pointer(region, 0), region };
}

/** Wall-clock now in ns (performance.now exists in Node and browsers). */
export function nowNs(): number {
  return performance.now() * 1e6;
}

/** Thrown out of a test run's repetitions when they exceed the kernel's testRunTimeoutMs; BPF_PROG_TEST_RUN returns -EINTR. */
export class TestRunInterrupted extends Error {
  constructor(readonly repetitions: number) {
    super(`test run interrupted after ${repetitions} repetitions`);
  }
}

/**
 * bpf_test_timer_continue's signal check, made after every 256th repetition (Kernel.repeatRuns
 * calls it for i = 255, 511, ...): stop the test run (EINTR) once it has run longer than the
 * kernel's testRunTimeoutMs.
 */
export function checkInterrupt(k: Kernel, startNs: number, i: number): void {
  if ((i & 255) === 255 && nowNs() - startNs > k.testRunTimeoutMs * 1e6) throw new TestRunInterrupted(i + 1);
}

/** A u64 argument array as bytes (tracing contexts). */
export function u64Array(args: readonly bigint[], minLen = 0): Uint8Array {
  const b = new Uint8Array(Math.max(args.length, minLen) * 8);
  const dv = new DataView(b.buffer);
  args.forEach((a, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, a), true));
  return b;
}

/**
 * bpf_test_run: run `prog` `repeat` times (0 means 1) on the same context, as the kernel does (a
 * program's changes to the packet accumulate). Returns r0 of the last run (or the first fault) and
 * the average wall-clock duration per run (bpf_test_timer).
 */
export function timedRuns(k: Kernel, prog: KProg, args: readonly bigint[], repeat: number, setup: (m: Machine) => void): { r0: bigint; fault: Fault | null; durationNs: number } {
  const n = repeat === 0 ? 1 : repeat;
  // Converted once: every repetition reuses them.
  const regs = argRegs(args);
  const start = nowNs();
  const { m, fault } = k.repeatRuns(prog, regs, n, setup, (i) => checkInterrupt(k, start, i));
  if (fault !== null) return { r0: 0n, fault, durationNs: 0 };
  const durationNs = (nowNs() - start) / n;
  return { r0: (BigInt(m.hi[0]! >>> 0) << 32n) | BigInt(m.lo[0]! >>> 0), fault: null, durationNs };
}
