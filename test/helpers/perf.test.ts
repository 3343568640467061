/**
 * bpf_perf_event_output (kernel/trace/bpf_trace.c, net/core/filter.c for the packet flavour):
 * samples reach the running CPU's event; errnos -E2BIG, -ENOENT, -EOPNOTSUPP, -EINVAL, -EFAULT
 * (packet bytes beyond the packet) and -ENOSPC (ring full, counted as lost).
 */
import { describe, expect, it } from 'vitest';
import { PerfEventArrayMap, PerfReader } from '../../src/maps/perf.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { ERRNO } from '../../src/util/errno.js';
import { ProgType, load, loadProg, mapImpl, mkMap, newKernel, ret, testProgType } from './env.js';

const { E2BIG, ENOENT, EOPNOTSUPP, EINVAL, EFAULT, ENOSPC } = ERRNO;
const CURRENT_CPU = 0xffffffffn;

/** output(ctx, map, flags, fp-16, size) with 16 bytes 0x01..0x10 on the stack. */
function output(map: number, flags: bigint, size = 16): string {
  return `
    lddw r2, 0x0807060504030201
    stxdw [r10-16], r2
    lddw r2, 0x100f0e0d0c0b0a09
    stxdw [r10-8], r2
    lddw r2, map_fd ${map}
    lddw r3, ${flags}
    mov r4, r10
    add r4, -16
    mov r5, ${size}
    call 25
    exit`;
}

describe('bpf_perf_event_output', () => {
  it('writes a raw sample to the current CPU, padded so that size + 4 is a multiple of 8', () => {
    const k = newKernel({ nrCpus: 2, cpu: 1 });
    const pa = mkMap(k, { type: BPF_MAP_TYPE.PERF_EVENT_ARRAY, key: 4, value: 4, max: 2 });
    const reader = new PerfReader(mapImpl(k, pa) as PerfEventArrayMap);
    expect(ret(k, load(k, output(pa, CURRENT_CPU, 13)), new Uint8Array(8))).toBe(0);
    const ev = reader.poll();
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ type: 'sample', cpu: 1 });
    const data = ev[0]!.type === 'sample' ? ev[0].data : new Uint8Array(0);
    expect(data.length).toBe(20);
    expect([...data.subarray(0, 13)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(ret(k, load(k, output(pa, 1n)), new Uint8Array(8))).toBe(0);
    expect(reader.poll()).toHaveLength(1);
  });

  it('errnos: E2BIG, ENOENT, EOPNOTSUPP (another CPU), EINVAL (flag bits), ENOSPC (full)', () => {
    const k = newKernel({ nrCpus: 2, cpu: 0 });
    const pa = mkMap(k, { type: BPF_MAP_TYPE.PERF_EVENT_ARRAY, key: 4, value: 4, max: 2 });
    const ctx = new Uint8Array(8);
    expect(ret(k, load(k, output(pa, CURRENT_CPU)), ctx)).toBe(-ENOENT);
    expect(ret(k, load(k, output(pa, 2n)), ctx)).toBe(-E2BIG);
    new PerfReader(mapImpl(k, pa) as PerfEventArrayMap, 1);
    expect(ret(k, load(k, output(pa, 1n)), ctx)).toBe(-EOPNOTSUPP);
    expect(ret(k, load(k, output(pa, (1n << 32n) | CURRENT_CPU)), ctx)).toBe(-EINVAL);
    const fd = load(k, output(pa, CURRENT_CPU));
    let r = 0;
    for (let i = 0; i < 200 && r === 0; i++) r = ret(k, fd, ctx);
    expect(r).toBe(-ENOSPC);
  });

  it('packet programs append (flags >> 32) & 0xfffff bytes of the packet their run context provides', () => {
    const packet = Uint8Array.from({ length: 60 }, (_, i) => i);
    const k = newKernel({ nrCpus: 1, progTypes: [testProgType(ProgType.LWT_IN, 'lwt_in', () => ({ type: 'test', eventOutputPacket: () => packet }))] });
    const pa = mkMap(k, { type: BPF_MAP_TYPE.PERF_EVENT_ARRAY, key: 4, value: 4, max: 1 });
    const reader = new PerfReader(mapImpl(k, pa) as PerfEventArrayMap);
    expect(ret(k, load(k, output(pa, (4n << 32n) | CURRENT_CPU, 2), { type: ProgType.LWT_IN }), new Uint8Array(8))).toBe(0);
    const ev = reader.poll()[0];
    expect(ev?.type === 'sample' ? [...ev.data.subarray(0, 6)] : null).toEqual([1, 2, 0, 1, 2, 3]);
    expect(ret(k, load(k, output(pa, (61n << 32n) | CURRENT_CPU), { type: ProgType.LWT_IN }), new Uint8Array(8))).toBe(-EFAULT);
    expect(ret(k, load(k, output(pa, (1n << 52n) | CURRENT_CPU), { type: ProgType.LWT_IN }), new Uint8Array(8))).toBe(-EINVAL);
  });

  it('is GPL-only and needs a perf event array', () => {
    const k = newKernel();
    const pa = mkMap(k, { type: BPF_MAP_TYPE.PERF_EVENT_ARRAY, key: 4, value: 4, max: 2 });
    expect(loadProg(k, output(pa, CURRENT_CPU), { license: 'BSD' })).toBe(-EINVAL);
  });
});
