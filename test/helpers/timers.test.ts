/**
 * BPF timers on the virtual clock: the timer fixture's sequence (6.18 results 0, -16, 0, 0, 0, 0,
 * 0, 1, 0, -22, -22; the callback then fires once with key 0), deadline order, cancel / re-arm,
 * EDEADLK, EPERM without user references, element deletion and uref release, program references,
 * BPF_F_TIMER_ABS and BPF_F_TIMER_CPU_PIN (kernel/bpf/helpers.c).
 */
import { describe, expect, it } from 'vitest';
import { BpfTimerService, BPF_F_TIMER_ABS, BPF_F_TIMER_CPU_PIN, CLOCK_BOOTTIME, CLOCK_MONOTONIC } from '../../src/helpers/timers.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { ERRNO } from '../../src/util/errno.js';
import { Cmd, ProgType, del, getS64, getU64, load, loadProg, lookup, mkMap, newKernel, run, specialValueBtf, u32, update } from './env.js';

const { EBUSY, EINVAL, EPERM, EDEADLK } = ERRNO;

/** struct tval { struct bpf_timer t; u64 fired; u64 key_seen; } */
const FIRED = 16;
const SEEN = 24;

function setup(o: { type?: number; max?: number; k?: Kernel } = {}): { k: Kernel; map: number; size: number } {
  const k = o.k ?? newKernel();
  const btf = specialValueBtf(k, 'timer');
  const map = mkMap(k, { type: o.type ?? BPF_MAP_TYPE.ARRAY, key: 4, value: btf.size, max: o.max ?? 4, btf });
  if ((o.type ?? BPF_MAP_TYPE.ARRAY) !== BPF_MAP_TYPE.ARRAY) {
    for (let i = 0; i < (o.max ?? 4); i++) update(k, map, u32(i), new Uint8Array(btf.size));
  }
  return { k, map, size: btf.size };
}

/** r6 = &value of key `key` (or return -1), r9 = ctx. */
function value(map: number, key: number): string {
  return `
    mov r9, r1
    stw [r10-4], ${key}
    lddw r1, map_fd ${map}
    mov r2, r10
    add r2, -4
    call 1
    jne r0, 0, have
    mov r0, -1
    exit
  have:
    mov r6, r0`;
}

const res = (i: number): string => `stxdw [r9+${8 * i}], r0`;
const init = (map: number, clock: number | bigint): string => `mov r1, r6\nlddw r2, map_fd ${map}\nlddw r3, ${clock}\ncall 169`;
const setCb = (label = 'cb'): string => `mov r1, r6\nlddw r2, code ${label}`.concat('\ncall 170');
const start = (ns: number | bigint, flags = 0): string => `mov r1, r6\nlddw r2, ${ns}\nmov r3, ${flags}\ncall 171`;
const cancel = 'mov r1, r6\ncall 172';

/** Callback: fired += 1, key_seen = *key + 100; extra code runs first (r1 map, r2 key, r3 value). */
function callback(label = 'cb', extra = ''): string {
  return `
  ${label}:
    mov r6, r3
    mov r7, r2
    ${extra}
    ldxdw r1, [r6+${FIRED}]
    add r1, 1
    stxdw [r6+${FIRED}], r1
    ldxw r1, [r7+0]
    add r1, 100
    stxdw [r6+${SEEN}], r1
    mov r0, 0
    exit`;
}

/** Arm timer `key`: init (clock), set_callback, start(ns, flags); res 0..2. */
function arm(map: number, key: number, ns: number | bigint, o: { clock?: number; flags?: number; cb?: string } = {}): string {
  return `
    ${value(map, key)}
    ${init(map, o.clock ?? CLOCK_MONOTONIC)}
    ${res(0)}
    ${setCb()}
    ${res(1)}
    ${start(ns, o.flags ?? 0)}
    ${res(2)}
    mov r0, 0
    exit
    ${o.cb ?? callback()}`;
}

function results(k: Kernel, fd: number, n = 3): number[] {
  const ctx = new Uint8Array(8 * 12);
  const r = run(k, fd, ctx);
  if (r.err !== 0) throw new Error(`run failed: ${r.err} ${r.fault?.toString() ?? ''}`);
  return Array.from({ length: n }, (_, i) => Number(getS64(ctx, 8 * i)));
}

function fired(k: Kernel, map: number, key: number, size: number): { fired: bigint; seen: bigint } | number {
  const v = lookup(k, map, u32(key), size);
  return typeof v === 'number' ? v : { fired: getU64(v, FIRED), seen: getU64(v, SEEN) };
}

function service(k: Kernel): BpfTimerService {
  const s = k.service<BpfTimerService>('timers');
  if (!(s instanceof BpfTimerService)) throw new Error('no timer service');
  return s;
}

describe('bpf_timer: the timer fixture', () => {
  it('init/set_callback/start/cancel results, then the callback fires once on the next clock advance', () => {
    const { k, map, size } = setup({ max: 2 });
    const fd = load(k, `
      ${value(map, 0)}
      ${init(map, CLOCK_MONOTONIC)}
      ${res(0)}
      ${init(map, CLOCK_MONOTONIC)}
      ${res(1)}
      ${setCb()}
      ${res(2)}
      ${start(0)}
      ${res(3)}
      stw [r10-4], 1
      lddw r1, map_fd ${map}
      mov r2, r10
      add r2, -4
      call 1
      jeq r0, 0, out
      mov r6, r0
      ${init(map, CLOCK_BOOTTIME)}
      ${res(4)}
      ${setCb('never')}
      ${res(5)}
      ${start(3_600_000_000_000n)}
      ${res(6)}
      ${cancel}
      ${res(7)}
      ${cancel}
      ${res(8)}
      ${start(1, 4)}
      ${res(9)}
      ${init(map, 99)}
      ${res(10)}
    out:
      mov r0, 0
      exit
      ${callback()}
    never:
      stdw [r3+${FIRED}], 999
      mov r0, 0
      exit`);
    expect(results(k, fd, 11)).toEqual([0, -EBUSY, 0, 0, 0, 0, 0, 1, 0, -EINVAL, -EINVAL]);
    expect(fired(k, map, 0, size)).toEqual({ fired: 0n, seen: 0n });
    k.advance(0);
    expect(fired(k, map, 0, size)).toEqual({ fired: 1n, seen: 100n });
    k.advance(10_000_000_000_000n);
    expect(fired(k, map, 0, size)).toEqual({ fired: 1n, seen: 100n });
    expect(fired(k, map, 1, size)).toEqual({ fired: 0n, seen: 0n });
  });
});

describe('bpf_timer on the virtual clock', () => {
  it('fires when the clock reaches the deadline, in deadline order, at the deadline time', () => {
    const { k, map, size } = setup();
    // the callback records ktime_get_ns in key_seen's place... and an order stamp from a counter
    const order = mkMap(k, { type: BPF_MAP_TYPE.ARRAY, key: 4, value: 8, max: 1 });
    const cb = `
    cb:
      mov r6, r3
      call 5
      stxdw [r6+${SEEN}], r0
      stw [r10-4], 0
      lddw r1, map_fd ${order}
      mov r2, r10
      add r2, -4
      call 1
      jeq r0, 0, done
      ldxdw r1, [r0+0]
      add r1, 1
      stxdw [r0+0], r1
      stxdw [r6+${FIRED}], r1
    done:
      mov r0, 0
      exit`;
    const t0 = k.monotonicNs();
    for (const [key, ns] of [[0, 300], [1, 100], [2, 200], [3, 200]] as const) expect(results(k, load(k, arm(map, key, ns, { cb })))).toEqual([0, 0, 0]);
    k.advance(99);
    expect(fired(k, map, 1, size)).toEqual({ fired: 0n, seen: 0n });
    k.advance(1);
    expect(fired(k, map, 1, size)).toEqual({ fired: 1n, seen: t0 + 100n });
    k.advance(1000);
    // 2 and 3 share a deadline: the one started first fires first
    expect([1, 2, 3, 0].map((key) => fired(k, map, key, size))).toEqual([
      { fired: 1n, seen: t0 + 100n },
      { fired: 2n, seen: t0 + 200n },
      { fired: 3n, seen: t0 + 200n },
      { fired: 4n, seen: t0 + 300n },
    ]);
    expect(k.monotonicNs()).toBe(t0 + 1100n);
  });

  it('start re-arms; a callback may re-arm its own timer; BPF_F_TIMER_ABS takes an absolute time', () => {
    const { k, map, size } = setup();
    const rearm = callback('cb', `mov r1, r3\nmov r2, 10\nmov r3, 0\ncall 171\nmov r3, r6`);
    expect(results(k, load(k, arm(map, 0, 10, { cb: rearm })))).toEqual([0, 0, 0]);
    k.advance(35);
    expect(fired(k, map, 0, size)).toMatchObject({ fired: 3n });
    const abs = k.monotonicNs() + 500n;
    expect(results(k, load(k, arm(map, 1, abs, { flags: BPF_F_TIMER_ABS })))).toEqual([0, 0, 0]);
    k.advance(499);
    expect(fired(k, map, 1, size)).toMatchObject({ fired: 0n });
    k.advance(1);
    expect(fired(k, map, 1, size)).toMatchObject({ fired: 1n });
    // an absolute time in the past fires at the next advance
    expect(results(k, load(k, arm(map, 2, 5, { flags: BPF_F_TIMER_ABS })))).toEqual([0, 0, 0]);
    k.advance(0);
    expect(fired(k, map, 2, size)).toMatchObject({ fired: 1n });
  });

  it('BOOTTIME timers: absolute deadlines on CLOCK_BOOTTIME', () => {
    const k0 = newKernel({ monotonicStartNs: 1000n, bootOffsetNs: 5000n });
    const { k, map, size } = setup({ k: k0 });
    expect(results(k, load(k, arm(map, 0, 6500n, { clock: CLOCK_BOOTTIME, flags: BPF_F_TIMER_ABS })))).toEqual([0, 0, 0]);
    k.advance(499);
    expect(fired(k, map, 0, size)).toMatchObject({ fired: 0n });
    k.advance(1);
    expect(fired(k, map, 0, size)).toMatchObject({ fired: 1n });
  });

  it('the callback runs on the CPU that started the timer', () => {
    const { k, map, size } = setup({ k: newKernel({ nrCpus: 4, cpu: 2 }) });
    const cb = callback('cb', `call 8\nstxdw [r6+${SEEN}], r0`).replace(/ldxw r1, \[r7\+0\]\n\s*add r1, 100\n\s*stxdw \[r6\+24\], r1/, '');
    expect(results(k, load(k, arm(map, 0, 10, { cb, flags: BPF_F_TIMER_CPU_PIN })))).toEqual([0, 0, 0]);
    k.cpu = 0;
    k.advance(10);
    expect(fired(k, map, 0, size)).toEqual({ fired: 1n, seen: 2n });
    expect(k.cpu).toBe(0);
  });
});

describe('bpf_timer_cancel', () => {
  it('returns 1 for an armed timer and 0 otherwise, and drops the callback: start is then -EINVAL', () => {
    const { k, map, size } = setup();
    expect(results(k, load(k, arm(map, 0, 100)))).toEqual([0, 0, 0]);
    const c = load(k, `${value(map, 0)}\n${cancel}\n${res(0)}\n${start(10)}\n${res(1)}\nmov r0, 0\nexit`);
    expect(results(k, c, 2)).toEqual([1, -EINVAL]);
    expect(results(k, c, 2)).toEqual([0, -EINVAL]);
    k.advance(1000);
    expect(fired(k, map, 0, size)).toMatchObject({ fired: 0n });
    // set the callback again and it works
    const again = load(k, `${value(map, 0)}\n${setCb()}\n${res(0)}\n${start(10)}\n${res(1)}\nmov r0, 0\nexit\n${callback()}`);
    expect(results(k, again, 2)).toEqual([0, 0]);
    k.advance(10);
    expect(fired(k, map, 0, size)).toMatchObject({ fired: 1n });
  });

  it('cancelling its own timer from the callback is -EDEADLK', () => {
    const { k, map, size } = setup();
    const cb = `
    cb:
      mov r6, r3
      mov r1, r3
      call 172
      stxdw [r6+${SEEN}], r0
      mov r0, 0
      exit`;
    expect(results(k, load(k, arm(map, 0, 1, { cb })))).toEqual([0, 0, 0]);
    k.advance(1);
    expect(getS64(lookup(k, map, u32(0), size) as Uint8Array, SEEN)).toBe(BigInt(-EDEADLK));
  });

  it('uninitialised timers: set_callback, start and cancel are -EINVAL', () => {
    const { k, map } = setup();
    const fd = load(k, `${value(map, 3)}\n${setCb()}\n${res(0)}\n${start(1)}\n${res(1)}\n${cancel}\n${res(2)}\nmov r0, 0\nexit\n${callback()}`);
    expect(results(k, fd)).toEqual([-EINVAL, -EINVAL, -EINVAL]);
  });
});

describe('bpf_timer_init checks', () => {
  it('clocks: MONOTONIC, REALTIME and BOOTTIME only; flags >= MAX_CLOCKS are -EINVAL', () => {
    const { k, map } = setup();
    const tryClock = (key: number, clock: number | bigint): number => results(k, load(k, `${value(map, key)}\n${init(map, clock)}\n${res(0)}\nmov r0, 0\nexit`), 1)[0]!;
    expect(tryClock(0, 2)).toBe(-EINVAL);
    expect(tryClock(0, 16)).toBe(-EINVAL);
    expect(tryClock(0, 0x100000001n)).toBe(-EINVAL);
    expect(tryClock(0, 0)).toBe(0);
    expect(tryClock(1, 7)).toBe(0);
  });

  it('-EPERM when the map has no user-space reference left', () => {
    const { k, map } = setup();
    const fd = load(k, arm(map, 0, 10));
    expect(k.close(map)).toBe(0);
    expect(results(k, fd)).toEqual([-EPERM, -EINVAL, -EINVAL]);
  });

  it('faults: r1 not a bpf_timer field, r2 not the timer’s map, tracing program types refused at load', () => {
    const { k, map } = setup();
    const other = setup({ k }).map;
    expect(run(k, load(k, `${value(map, 0)}\nmov r1, r6\nadd r1, 16\nlddw r2, map_fd ${map}\nmov r3, 1\ncall 169\nexit`), new Uint8Array(8)).fault?.kind).toBe('helper');
    expect(run(k, load(k, `${value(map, 0)}\n${init(other, 1)}\nexit`), new Uint8Array(8)).fault?.kind).toBe('helper');
    expect(loadProg(k, arm(map, 0, 1), { type: ProgType.KPROBE })).toBe(-EINVAL);
    expect(loadProg(k, arm(map, 0, 1), { license: 'MIT' })).toBe(-EINVAL);
  });
});

describe('timer lifetime', () => {
  const live = (k: Kernel): number => [...k.liveProgs()].length;

  it('deleting the element cancels its timer and releases the program', () => {
    const { k, map, size } = setup({ type: BPF_MAP_TYPE.HASH, max: 2 });
    const fd = load(k, arm(map, 1, 100));
    expect(results(k, fd)).toEqual([0, 0, 0]);
    expect(k.close(fd)).toBe(0);
    expect(live(k)).toBe(1);
    expect(del(k, map, u32(1))).toBe(0);
    expect(live(k)).toBe(0);
    k.advance(1000);
    expect(service(k).armed()).toHaveLength(0);
    // a new element under the same key starts without a timer
    update(k, map, u32(1), new Uint8Array(size));
    expect(fired(k, map, 1, size)).toEqual({ fired: 0n, seen: 0n });
  });

  it('overwriting an array element from user space frees its timer (bpf_obj_free_fields)', () => {
    const { k, map, size } = setup();
    expect(results(k, load(k, arm(map, 2, 100)))).toEqual([0, 0, 0]);
    expect(update(k, map, u32(2), new Uint8Array(size))).toBe(0);
    k.advance(1000);
    expect(fired(k, map, 2, size)).toEqual({ fired: 0n, seen: 0n });
    // and the timer can be initialised again
    expect(results(k, load(k, arm(map, 2, 1)))).toEqual([0, 0, 0]);
  });

  it('a program whose last fd is closed stays alive while its callback is set, and fires', () => {
    const { k, map, size } = setup({ type: BPF_MAP_TYPE.HASH, max: 2 });
    k.bpf(Cmd.ENABLE_STATS, { type: 0 }); // run_cnt counts the callback's run below
    const fd = load(k, arm(map, 0, 100));
    expect(results(k, fd)).toEqual([0, 0, 0]);
    const prog = k.fds.get(fd);
    expect(prog?.kind).toBe('prog');
    expect(k.close(fd)).toBe(0);
    expect(live(k)).toBe(1);
    k.advance(100);
    expect(fired(k, map, 0, size)).toEqual({ fired: 1n, seen: 100n });
    // the callback ran as the program that set it
    expect(prog?.kind === 'prog' ? prog.obj.runCnt : 0n).toBe(2n);
    // the kernel keeps the reference until the timer is cancelled or freed
    expect(live(k)).toBe(1);
    expect(del(k, map, u32(0))).toBe(0);
    expect(live(k)).toBe(0);
  });

  it("closing the map's last fd (map_release_uref) cancels its timers and releases programs", () => {
    const { k, map } = setup();
    const fd = load(k, arm(map, 0, 100));
    expect(results(k, fd)).toEqual([0, 0, 0]);
    k.close(fd);
    expect(service(k).armed()).toHaveLength(1);
    k.close(map);
    expect(service(k).armed()).toHaveLength(0);
    expect(live(k)).toBe(0);
    k.advance(1000);
  });

  it("a fault in a callback is kept by the timer service", () => {
    const { k, map } = setup();
    const bad = `
    cb:
      mov r1, 0
      ldxdw r0, [r1+0]
      mov r0, 0
      exit`;
    expect(results(k, load(k, arm(map, 0, 1, { cb: bad })))).toEqual([0, 0, 0]);
    k.advance(1);
    expect(service(k).faults.map((f) => f.kind)).toEqual(['unmapped']);
  });
});
