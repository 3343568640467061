/**
 * programs/scx_style.bpf.c: the scx repository's idioms load and work unchanged — a cpumask kptr in
 * a `private(NAME)` global (its own .data.NAME section, a special field of that global-data map),
 * `bpf_for` over the numbers iterator, bpf_ksym_exists() probing with a `___compat` fallback that
 * stays unresolved on 6.18, and a UEI-style exit record read out of scx_exit_info.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateSchedExt } from '../../../src/subsystems/sched_ext/simulate.js';

const OBJ = readFileSync('programs/scx_style.bpf.o');

describe('scx_style', () => {
  it('loads; bpf_for filled the private cpumask with every CPU; the 6.18 name is used, not the compat one; the exit is recorded', () => {
    const r = simulateSchedExt(OBJ, { tasks: [{ pid: 100, comm: 'hog', count: 5, behavior: { type: 'cpu' } }] }, { cpus: 3, durationNs: 300e6 });
    expect(r.scheduler).toBe('style');
    expect(r.summary.exit.kind).toBe('UNREG');
    const v = (n: string): bigint => r.object!.variable(n).getInt();
    expect(v('nr_cpus_in_mask')).toBe(3n);
    expect(v('nr_compat_consume')).toBe(0n);
    for (const c of r.summary.cpus) expect(c.busyNs).toBe(300e6);
    const uei = r.object!.variable('uei').get();
    const dv = new DataView(uei.buffer, uei.byteOffset, uei.byteLength);
    expect(dv.getInt32(0, true)).toBe(64);
    expect(new TextDecoder().decode(uei.subarray(16, 16 + 128)).replace(/\0.*$/s, '')).toBe('unregistered from user space');
    // user space reads the kptr of the private global as zero, as the kernel copies map values out
    expect([...r.object!.variable('all_cpus').get()]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    // the cpumask object is alive, held by that global
    expect((r.object!.kernel.service('cpumasks') as { live: number }).live).toBe(1);
  });

  it('with the pre-6.13 names registered too (legacyNames) the same object still prefers scx_bpf_dsq_move_to_local', () => {
    const r = simulateSchedExt(OBJ, { tasks: [{ pid: 100, comm: 'hog', count: 3, behavior: { type: 'cpu' } }] }, { cpus: 2, durationNs: 100e6, legacyNames: true });
    expect(r.object!.variable('nr_compat_consume').getInt()).toBe(0n);
    expect(r.summary.exit.kind).toBe('UNREG');
  });
});
