/**
 * SCX_ENUM_INIT in the simulator (src/subsystems/sched_ext/simulate.ts scxEnumInit): a scheduler
 * built with newer scx headers reads its sched_ext constants from `const volatile u64 __SCX_*`
 * .rodata variables that the loader fills from the kernel BTF (programs/scx_enums.bpf.c). The
 * expected values are the 6.18 constants of docs/sched-ext.md §0.4, written out here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateSchedExt } from '../../../src/subsystems/sched_ext/simulate.js';

const OBJ = readFileSync('programs/scx_enums.bpf.o');

describe('scx_enums: __SCX_* constants filled from the BTF before load', () => {
  it('the scheduler sees 6.18\'s values, an unknown name stays 0, and it schedules like a FIFO', () => {
    const r = simulateSchedExt(OBJ, { tasks: [{ pid: 100, comm: 'hog', count: 4, behavior: { type: 'cpu' } }, { pid: 200, comm: 'nap', behavior: { type: 'periodic', run: '1ms', period: '10ms' } }] }, { cpus: 2, durationNs: 500e6, spans: true });
    expect(r.summary.exit.kind).toBe('UNREG');
    const seen = r.object!.variable('seen').get();
    const dv = new DataView(seen.buffer, seen.byteOffset, 48);
    expect([0, 8, 16, 24, 32, 40].map((o) => dv.getBigUint64(o, true))).toEqual([(1n << 63n) | 2n, (1n << 63n) | 1n, 20_000_000n, 1n, 2n, 0n]);
    // slices are SCX_SLICE_DFL: the CPU-bound tasks run 20 ms at a time (the last run is cut short)
    for (const s of r.spans.filter((x) => x.pid < 200).slice(0, -2)) expect(s.end - s.start).toBeLessThanOrEqual(20e6);
    expect(r.spans.some((s) => s.end - s.start === 20e6)).toBe(true);
    expect(r.object!.variable('nr_wakeup_enq').getInt()).toBeGreaterThan(0n);
    for (const c of r.summary.cpus) expect(c.busyNs).toBe(500e6);
  });
});
