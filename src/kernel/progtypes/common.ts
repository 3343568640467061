/**
 * Pieces shared by program-type implementations: mapping a context into guest memory and timing a
 * test run the way bpf_test_timer does (average ns per repetition).
 */
import { PERM_R, PERM_RW, RegionKind, type SpecialRegion } from '../../vm/memory.js';
import { Memory } from '../../vm/memory.js';
import type { Kernel } from '../kernel.js';

/** Map `bytes` as a ctx region and return its guest pointer; the region is retired after the run. */
export function mapCtx(k: Kernel, bytes: Uint8Array, label: string, writable: boolean, special?: SpecialRegion): { ptr: bigint; region: number } {
  const region = k.mem.map(bytes, { kind: RegionKind.CTX, perm: writable ? PERM_RW : PERM_R, label, ...(special !== undefined ? { special } : {}) });
  return { ptr: Memory.pointer(region, 0), region };
}

/** Wall-clock now in ns (performance.now exists in Node and browsers). */
export function nowNs(): number {
  return performance.now() * 1e6;
}

/** A u64 argument array as bytes (tracing contexts). */
export function u64Array(args: readonly bigint[], minLen = 0): Uint8Array {
  const b = new Uint8Array(Math.max(args.length, minLen) * 8);
  const dv = new DataView(b.buffer);
  args.forEach((a, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, a), true));
  return b;
}
