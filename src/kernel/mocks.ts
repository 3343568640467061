/**
 * Helper and kfunc mocks: a test replaces what a helper or kfunc does with a plain function of its
 * arguments (`kernel.mockHelper('get_prandom_u32', () => 4)`), for the programs loaded before and
 * after. The mock gets r1..r5 as u64 bigints and a window on the run's memory (reads and writes are
 * checked against the run's capabilities like any helper's); what it returns becomes r0. The call
 * is charged against the budget like the real helper.
 */
import { Memory, PERM_R, PERM_W } from '../vm/memory.js';
import type { Machine } from '../vm/machine.js';

/** The run's memory as a mock sees it. */
export interface MockMemory {
  /** `len` bytes at guest pointer `ptr` (a copy). */
  read(ptr: bigint, len: number): Uint8Array;
  /** Write `bytes` at guest pointer `ptr`. */
  write(ptr: bigint, bytes: Uint8Array): void;
}

/** A mock: the arguments r1..r5 as u64, the run's memory; returns r0 (undefined: 0). */
export type CallMock = (args: readonly bigint[], mem: MockMemory) => bigint | number | undefined | void;

function u64(m: Machine, r: number): bigint {
  return (BigInt(m.hi[r]! >>> 0) << 32n) | BigInt(m.lo[r]! >>> 0);
}

function region(m: Machine, what: string, ptr: bigint, len: number, write: boolean): Uint8Array {
  if (!Number.isInteger(len) || len < 0) throw m.fail('helper', `${what}: length ${len} is not a byte count`);
  const [id, off] = Memory.split(ptr);
  if (len === 0) return new Uint8Array(0);
  if (!m.reach(id)) throw m.fail('foreign_region', `${what}: ${write ? 'write to' : 'read of'} 0x${ptr.toString(16)}, outside the run's memory`);
  const problem = m.mem.check(id, off, len, write ? PERM_W : PERM_R);
  if (problem !== null) throw m.fail(problem, `${what}: ${write ? 'write' : 'read'} of ${len} bytes at 0x${ptr.toString(16)}: ${problem}`);
  return m.mem.bytes(id).subarray(off, off + len);
}

/** Run `mock` as the helper or kfunc `name` on machine `m` (r0 set from its result). */
export function runMock(m: Machine, mock: CallMock, name: string): void {
  const args = [u64(m, 1), u64(m, 2), u64(m, 3), u64(m, 4), u64(m, 5)];
  const mem: MockMemory = {
    read: (ptr, len) => region(m, `mock ${name}`, ptr, len, false).slice(),
    write: (ptr, bytes) => region(m, `mock ${name}`, ptr, bytes.length, true).set(bytes),
  };
  const r = mock(args, mem);
  const v = r === undefined ? 0n : BigInt.asUintN(64, BigInt(r));
  m.setR0(Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
}
