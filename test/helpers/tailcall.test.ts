/**
 * bpf_tail_call as the interpreter in kernel/bpf/core.c runs it: jump without return, fall through
 * on an out-of-range index, an empty slot, or after MAX_TAIL_CALL_CNT (33) tail calls in one run
 * (counted before the slot is read).
 */
import { describe, expect, it } from 'vitest';
import { MAX_TAIL_CALL_CNT } from '../../src/helpers/tailcall.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { ERRNO } from '../../src/util/errno.js';
import { ProgType, getU64, load, loadProg, lookup, mkMap, newKernel, ret, run, u32, update } from './env.js';

const { EINVAL } = ERRNO;

const T = BPF_MAP_TYPE;

/** `r0 = ctx; tail_call(ctx, map, index)`, then return `fallthrough`. */
function caller(pa: number, index: number, fallthrough = 99): string {
  return `
    lddw r2, map_fd ${pa}
    mov r3, ${index}
    call 12
    mov r0, ${fallthrough}
    exit`;
}

/** Add 1 to counter[0]. */
function bump(counter: number): string {
  return `
    mov r6, r1
    stw [r10-4], 0
    lddw r1, map_fd ${counter}
    mov r2, r10
    add r2, -4
    call 1
    jeq r0, 0, skip
    mov r1, 1
    lock add [r0+0], r1
  skip:
    mov r1, r6`;
}

describe('bpf_tail_call', () => {
  it('jumps into the slot program, which returns to the caller of the run', () => {
    const k = newKernel();
    const pa = mkMap(k, { type: T.PROG_ARRAY, key: 4, value: 4, max: 4 });
    const target = load(k, 'mov r0, 7\nexit');
    expect(update(k, pa, u32(2), u32(target))).toBe(0);
    expect(ret(k, load(k, caller(pa, 2)))).toBe(7);
  });

  it('falls through for an empty slot and an index past max_entries (r1 keeps the ctx)', () => {
    const k = newKernel();
    const pa = mkMap(k, { type: T.PROG_ARRAY, key: 4, value: 4, max: 4 });
    expect(ret(k, load(k, caller(pa, 1)))).toBe(99);
    expect(ret(k, load(k, caller(pa, 4)))).toBe(99);
    expect(ret(k, load(k, caller(pa, -1)))).toBe(99);
    // the target gets the caller's ctx in r1
    const readCtx = load(k, 'ldxw r0, [r1+0]\nexit');
    update(k, pa, u32(0), u32(readCtx));
    const ctx = new Uint8Array(8);
    ctx[0] = 42;
    expect(ret(k, load(k, caller(pa, 0)), ctx)).toBe(42);
  });

  it(`allows ${MAX_TAIL_CALL_CNT} tail calls per run, then falls through`, () => {
    const k = newKernel();
    const pa = mkMap(k, { type: T.PROG_ARRAY, key: 4, value: 4, max: 1 });
    const counter = mkMap(k, { type: T.ARRAY, key: 4, value: 8, max: 1 });
    // the slot program counts itself and tail calls itself
    const self = load(k, `${bump(counter)}\n${caller(pa, 0, 1)}`);
    update(k, pa, u32(0), u32(self));
    const entry = load(k, caller(pa, 0, 0));
    expect(ret(k, entry)).toBe(1);
    expect(getU64(lookup(k, counter, u32(0), 8) as Uint8Array)).toBe(33n);
    // the count is per run
    expect(ret(k, entry)).toBe(1);
    expect(getU64(lookup(k, counter, u32(0), 8) as Uint8Array)).toBe(66n);
  });

  it('tail calls into an empty slot count toward the limit', () => {
    const k = newKernel();
    const pa = mkMap(k, { type: T.PROG_ARRAY, key: 4, value: 4, max: 2 });
    update(k, pa, u32(0), u32(load(k, 'mov r0, 5\nexit')));
    // n empty-slot tail calls (slot 1), then one into slot 0
    const prog = (n: number): string => `
      mov r6, r1
      mov r7, ${n}
    again:
      jeq r7, 0, last
      mov r1, r6
      lddw r2, map_fd ${pa}
      mov r3, 1
      call 12
      sub r7, 1
      ja again
    last:
      mov r1, r6
      lddw r2, map_fd ${pa}
      mov r3, 0
      call 12
      mov r0, 99
      exit`;
    expect(ret(k, load(k, prog(32)))).toBe(5);
    expect(ret(k, load(k, prog(33)))).toBe(99);
  });

  it('programs of another type never meet in a prog array (bpf_prog_map_compatible, EINVAL)', () => {
    const k = newKernel();
    const pa = mkMap(k, { type: T.PROG_ARRAY, key: 4, value: 4, max: 2 });
    const raw = load(k, 'mov r0, 1\nexit', { type: ProgType.RAW_TRACEPOINT });
    expect(update(k, pa, u32(0), u32(raw))).toBe(0);
    // the array now belongs to raw_tp programs: a syscall program using it does not load
    expect(loadProg(k, caller(pa, 0))).toBe(-EINVAL);
    const pb = mkMap(k, { type: T.PROG_ARRAY, key: 4, value: 4, max: 2 });
    load(k, caller(pb, 0));
    expect(update(k, pb, u32(0), u32(raw))).toBe(-EINVAL);
  });

  it('r2 must be a prog array', () => {
    const k = newKernel();
    const arr = mkMap(k, { type: T.ARRAY, key: 4, value: 4, max: 2 });
    expect(run(k, load(k, caller(arr, 0))).fault?.kind).toBe('helper');
  });
});
