/**
 * The helper fixtures of programs/ (compiled by clang-19, loaded through the object API) run to the
 * results the 6.18 kernel gave on this machine (programs/README.md, "expected" column).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';

function open(name: string): BpfObject {
  const o = BpfObject.open(readFileSync(new URL(`../../programs/${name}.bpf.o`, import.meta.url)));
  o.load();
  return o;
}

function s64s(b: Uint8Array, n: number, off = 0): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: n }, (_, i) => Number(dv.getBigInt64(off + 8 * i, true)));
}

function s32s(b: Uint8Array, n: number, off = 0): number[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: n }, (_, i) => dv.getInt32(off + 4 * i, true));
}

/** Run a syscall program with a ctx of `size` bytes (`init` fills it); the ctx after the run. */
function sys(o: BpfObject, prog: string, size: number, init?: (dv: DataView) => void): Uint8Array {
  const ctx = new Uint8Array(size);
  init?.(new DataView(ctx.buffer));
  expect(o.program(prog).testRun({ ctxIn: ctx, ctxSizeOut: 0 }).retval).toBe(0);
  return ctx;
}

/** A 60-byte IPv4/UDP frame (the content does not matter to these programs, the length does). */
const FRAME = (() => {
  const f = new Uint8Array(60);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45, 0, 0, 46, 0, 1, 0, 0, 64, 17]);
  return f;
})();

describe('helper fixtures (6.18 results)', () => {
  it('loop: nr 10, stop 4 -> 5 iterations, sum 30, flags -EINVAL', () => {
    const ctx = sys(open('loop'), 'loop_prog', 32, (dv) => {
      dv.setUint32(0, 10, true);
      dv.setUint32(4, 4, true);
    });
    expect(s64s(ctx, 3, 8)).toEqual([5, 30, -22]);
  });

  it('maps_for_each: 8, 280, 4, 120, 5, 1500, 4, -22', () => {
    expect(s64s(sys(open('maps_for_each'), 'for_each_prog', 64), 8)).toEqual([8, 280, 4, 120, 5, 1500, 4, -22]);
  });

  it('maps_ringbuf: 0, 24, 1, 1, 0, 96, 4096, 0, 96, 1, -22, 0', () => {
    expect(s64s(sys(open('maps_ringbuf'), 'rb_ops', 96), 12)).toEqual([0, 24, 1, 1, 0, 96, 4096, 0, 96, 1, -22, 0]);
  });

  it('maps_hash: per map 0, -17, -2, 0, 12, -22, 0, -2, 1, 0', () => {
    const r = s64s(sys(open('maps_hash'), 'hash_ops', 512), 40);
    expect(r.slice(0, 10)).toEqual([0, -17, -2, 0, 12, -22, 0, -2, 1, 0]);
  });

  it('timer: 0, -16, 0, 0, 0, 0, 0, 1, 0, -22, -22; the callback fires once with key 0', () => {
    const o = open('timer');
    expect(s64s(sys(o, 'timer_prog', 88), 11)).toEqual([0, -16, 0, 0, 0, 0, 0, 1, 0, -22, -22]);
    o.kernel.advance(1_000_000n);
    const m = o.map('timers');
    expect(s64s(m.lookup(Uint8Array.of(0, 0, 0, 0))!, 2, 16)).toEqual([1, 100]);
    expect(s64s(m.lookup(Uint8Array.of(1, 0, 0, 0))!, 2, 16)).toEqual([0, 0]);
  });

  it('helpers_probe: rk 0, rk_str 12, rk_null -ERANGE (zeroed), ru 0, ru_str 13, ru_kern -EFAULT, cfu 0', () => {
    const o = open('helpers_probe');
    const user = new Uint8Array(16);
    user.set(new TextEncoder().encode('user says hi'));
    const uptr = o.kernel.user.alloc(user);
    const ctx = sys(o, 'probe_prog', 152, (dv) => {
      dv.setBigUint64(0, BigInt(uptr), true);
      dv.setUint32(8, 16, true);
    });
    expect(new DataView(ctx.buffer).getUint32(12, true)).toBe(1);
    expect(s64s(ctx, 7, 16)).toEqual([0, 12, -34, 0, 13, -14, 0]);
    const text = new TextDecoder().decode(ctx.subarray(72, 144));
    expect(text.slice(0, 11)).toBe('bpfemu-kstr');
    expect(text.slice(32, 44)).toBe('user says hi');
    expect(text.slice(64, 72)).toBe('user say');
  });

  it('helpers_misc (tc): every *_ok is 1; strncmp 0, -1, 1, 0', () => {
    const o = open('helpers_misc');
    expect(o.program('misc_prog').testRun({ dataIn: FRAME }).retval).toBe(0);
    const r = o.variable('result').get();
    expect(s32s(r, 12)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, -1, 1, 0]);
  });

  it('helpers_print (tc): 8, 23, 9, 15, 74, 10 and the trace lines', () => {
    const o = open('helpers_print');
    expect(o.program('print_prog').testRun({ dataIn: FRAME }).retval).toBe(0);
    expect(s64s(o.variable('ret').get(), 6)).toEqual([8, 23, 9, 15, 74, 10]);
    expect(o.kernel.tracePipe).toEqual(['a=-5 b=7', 'x=ff lx=1234 llx=abcdef', '1 2 3 4 5', 'ip=10.0.0.1 c=Z']);
    expect(new TextDecoder().decode(o.variable('out').get()).split('\0')[0]).toBe('-42|42|2a|deadbeefcafe|str|Q|192.168.1.2|00000000000000000000000000000001');
    expect(new TextDecoder().decode(o.variable('small').get())).toBe('abcd-ef\0');
  });

  it('spin_lock (tc): locked[0] = {count 1, sum 60, last 60}', () => {
    const o = open('spin_lock');
    expect(o.program('lock_prog').testRun({ dataIn: FRAME }).retval).toBe(0);
    const v = o.map('locked').lookup(Uint8Array.of(0, 0, 0, 0))!;
    const dv = new DataView(v.buffer, v.byteOffset);
    expect([dv.getUint32(0, true), dv.getUint32(4, true), Number(dv.getBigUint64(8, true)), Number(dv.getBigUint64(16, true))]).toEqual([0, 1, 60, 60]);
  });

  it('maps_perf (xdp): -2, -2, -2, -7, -22, -14 without perf events', () => {
    const o = open('maps_perf');
    expect(o.program('perf_prog').testRun({ dataIn: FRAME }).retval).toBe(2);
    expect(s64s(o.variable('res').get(), 6)).toEqual([-2, -2, -2, -7, -22, -14]);
  });

  it('tailcall (xdp): xdp_entry -> XDP_TX through the static prog array, fall-through flags 1', () => {
    const o = open('tailcall');
    expect(o.program('xdp_entry').testRun({ dataIn: FRAME }).retval).toBe(3);
    expect(o.variable('empty_fallthrough').getInt()).toBe(1n);
    expect(o.variable('range_fallthrough').getInt()).toBe(1n);
  });
});

describe('timer callbacks run as the program that armed them (struct-ops-assoc.md 6.4, 6.5)', () => {
  function setup(timerNs: bigint): BpfObject {
    const o = BpfObject.open(readFileSync(new URL('../../programs/struct_ops_assoc_in_timer.bpf.o', import.meta.url)), { kernelOptions: { testmod: true } });
    o.load();
    o.variable('timer_ns').setInt(timerNs);
    o.program('syscall_prog').assocStructOps(o.map('st_ops_map'));
    return o;
  }

  it('st_ops_assoc_in_timer: the callback (a subprog of test_1) reaches test_1’s association', () => {
    const o = setup(0n);
    o.attach();
    expect(o.program('syscall_prog').testRun().retval).toBe(0);
    expect(o.variable('timer_cb_run').getInt()).toBe(0n);
    o.kernel.advance(0);
    expect(o.variable('timer_cb_run').getInt()).toBe(1n);
    expect(o.variable('timer_test_1_ret').getInt()).toBe(1234n);
    expect(o.variable('test_err').getInt()).toBe(0n);
  });

  it('st_ops_assoc_in_timer_no_uref: after the link, syscall_prog and the map go, the callback sees no association', () => {
    const o = setup(500_000_000n);
    const link = o.map('st_ops_map').attachStructOps();
    expect(o.program('syscall_prog').testRun().retval).toBe(0);
    link.destroy();
    o.program('syscall_prog').close();
    o.map('st_ops_map').close();
    o.kernel.advance(499_999_999n);
    expect(o.variable('timer_cb_run').getInt()).toBe(0n);
    o.kernel.advance(1n);
    expect(o.variable('timer_cb_run').getInt()).toBe(1n);
    expect(o.variable('timer_test_1_ret').getInt()).toBe(-1n);
    expect(o.variable('test_err').getInt()).toBe(0n);
  });

  it('externs_percpu (emulator only: 6.18 here lacks CONFIG_KALLSYMS_ALL): this_cpu_ok 1, cpu0_ok 1, cpu_big_null 1, weak_exists 0', () => {
    expect(s32s(sys(open('externs_percpu'), 'percpu_prog', 16), 4)).toEqual([1, 1, 1, 0]);
  });
});
