import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { MapError } from '../../src/maps/errors.js';
import { PerfEventArrayMap, PerfEventBuffer, PerfReader } from '../../src/maps/perf.js';
import { createMap } from '../../src/maps/registry.js';
import type { MapAttr } from '../../src/maps/types.js';
import { BPF_F, BPF_F_CURRENT_CPU, BPF_MAP_TYPE, BPF_NOEXIST } from '../../src/maps/uapi.js';
import { cat, getU32, mk, testEnv, u32, u64 } from './env.js';

const { EINVAL, E2BIG, ENOENT, EOPNOTSUPP, EFAULT, ENOSPC, EBADF, ENOTSUPP } = ERRNO;

const P: MapAttr = { type: BPF_MAP_TYPE.PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, name: 'events' };
const sample = cat(u32(60), u32(1), u64(0x5045524631n)); // struct sample of maps_perf.bpf.c
const packet = Uint8Array.from({ length: 60 }, (_, i) => i);

/** maps_perf.bpf.c results on `cpu`. */
function fixture(m: PerfEventArrayMap, cpu: number): number[] {
  return [
    m.output(sample, 0, 16, BPF_F_CURRENT_CPU, 0, cpu, packet),
    m.output(sample, 0, 16, BPF_F_CURRENT_CPU, 14, cpu, packet),
    m.output(sample, 0, 16, 3, 0, cpu, packet),
    m.output(sample, 0, 16, 9, 0, cpu, packet),
    m.output(sample, 0, 16, 0, 1 << 28, cpu, packet),
    m.output(sample, 0, 16, BPF_F_CURRENT_CPU, 65535, cpu, packet),
  ];
}

describe('PERF_EVENT_ARRAY creation (fd_array_map_alloc_check)', () => {
  it('needs 4-byte keys and values and allows BPF_F_PRESERVE_ELEMS', () => {
    const env = testEnv();
    expect(createMap(P, env)).toBeInstanceOf(PerfEventArrayMap);
    expect(createMap({ ...P, valueSize: 8 }, env)).toBe(-EINVAL);
    expect(createMap({ ...P, keySize: 8 }, env)).toBe(-EINVAL);
    expect(createMap({ ...P, flags: BPF_F.RDONLY_PROG }, env)).toBe(-EINVAL);
    expect(createMap({ ...P, flags: BPF_F.PRESERVE_ELEMS }, env)).toBeInstanceOf(PerfEventArrayMap);
  });
});

describe('bpf_perf_event_output (maps_perf.bpf.c)', () => {
  it('without events: ENOENT, E2BIG past the end, EINVAL for stray flag bits, EFAULT for too much packet', () => {
    const m = mk<PerfEventArrayMap>(testEnv(), P);
    expect(fixture(m, 0)).toEqual([-ENOENT, -ENOENT, -ENOENT, -E2BIG, -EINVAL, -EFAULT]);
  });

  it('with a reader: samples on the current CPU succeed, other CPUs events give EOPNOTSUPP', () => {
    const env = testEnv({ nrCpus: 2 });
    const m = mk<PerfEventArrayMap>(env, P);
    const reader = new PerfReader(m);
    expect(reader.buffers).toHaveLength(2);
    expect(fixture(m, 1)).toEqual([0, 0, -ENOENT, -E2BIG, -EINVAL, -EFAULT]);
    expect(m.output(sample, 0, 16, 0, 0, 1, packet)).toBe(-EOPNOTSUPP); // CPU 0's event from CPU 1
    const events = reader.poll();
    expect(events.map((e) => e.type)).toEqual(['sample', 'sample']);
    const [a, b] = events as { cpu: number; data: Uint8Array }[];
    expect(a!.cpu).toBe(1);
    // raw data padded so that u32 size + data is a multiple of 8: 16 -> 20, 16 + 14 -> 36
    expect(a!.data).toHaveLength(20);
    expect([...a!.data.subarray(0, 16)]).toEqual([...sample]);
    expect(b!.data).toHaveLength(36);
    expect([...b!.data.subarray(16, 30)]).toEqual([...packet.subarray(0, 14)]);
    expect(b!.data.subarray(30).every((x) => x === 0)).toBe(true);
    expect(reader.poll()).toEqual([]);
  });

  it('rejects any high flag bits in the tracing flavour (no packet)', () => {
    const m = mk<PerfEventArrayMap>(testEnv(), P);
    new PerfReader(m);
    expect(m.output(sample, 0, 16, BPF_F_CURRENT_CPU, 1, 0, null)).toBe(-EINVAL);
    expect(m.output(sample, 0, 16, BPF_F_CURRENT_CPU, 0, 0, null)).toBe(0);
  });

  it('loses samples when the ring is full (ENOSPC) and reports the count before the next sample', () => {
    const m = mk<PerfEventArrayMap>(testEnv({ nrCpus: 1 }), P);
    const reader = new PerfReader(m, 1); // one page
    const data = new Uint8Array(1000); // 8 + 4 + 1004 = 1016-byte records: 4 fit in 4096 - 1
    const res = Array.from({ length: 6 }, () => m.output(data, 0, 1000, BPF_F_CURRENT_CPU, 0, 0));
    expect(res).toEqual([0, 0, 0, 0, -ENOSPC, -ENOSPC]);
    expect(reader.buffers[0]!.lost).toBe(2);
    const first = reader.poll();
    expect(first.map((e) => e.type)).toEqual(['sample', 'sample', 'sample', 'sample']);
    expect(m.output(data, 0, 1000, BPF_F_CURRENT_CPU, 0, 0)).toBe(0);
    const lost: number[] = [];
    expect(reader.consume(() => undefined, (_cpu, n) => lost.push(n))).toBe(1);
    expect(lost).toEqual([2]);
  });

  it('closes: the reader removes its events', () => {
    const m = mk<PerfEventArrayMap>(testEnv(), P);
    const reader = new PerfReader(m);
    reader.close();
    expect(m.output(sample, 0, 16, BPF_F_CURRENT_CPU, 0, 0)).toBe(-ENOENT);
    expect(m.count).toBe(0);
  });
});

describe('PERF_EVENT_ARRAY from user space', () => {
  it('installs events by fd (EBADF for anything else), BPF_ANY only, E2BIG past the end', () => {
    const env = testEnv();
    const m = mk<PerfEventArrayMap>(env, P);
    const buf = new PerfEventBuffer(0);
    expect(m.update(u32(0), u32(env.fd(buf)))).toBe(0);
    expect(m.update(u32(1), u32(999))).toBe(-EBADF);
    expect(m.update(u32(1), u32(env.fd({ id: 1, type: 6 })))).toBe(-EBADF);
    expect(m.update(u32(1), u32(env.fd(buf)), BPF_NOEXIST)).toBe(-EINVAL);
    expect(m.update(u32(4), u32(env.fd(buf)))).toBe(-E2BIG);
    expect(m.output(sample, 0, 16, 0, 0, 0)).toBe(0);
    expect(buf.drain()).toHaveLength(1);
  });

  it('cannot be read back (ENOTSUPP); delete gives ENOENT or E2BIG', () => {
    const env = testEnv();
    const m = mk<PerfEventArrayMap>(env, P);
    m.attach(2, new PerfEventBuffer(2));
    expect(m.lookup(u32(2), new Uint8Array(4))).toBe(-ENOTSUPP);
    expect(m.lookup(u32(1), new Uint8Array(4))).toBe(-ENOTSUPP);
    expect(m.delete(u32(2))).toBe(0);
    expect(m.delete(u32(2))).toBe(-ENOENT);
    expect(m.delete(u32(4))).toBe(-E2BIG);
    const next = new Uint8Array(4);
    expect(m.getNextKey(u32(2), next)).toBe(0);
    expect(getU32(next)).toBe(3);
  });

  it('requires a power-of-two page count', () => {
    expect(() => new PerfEventBuffer(0, 3)).toThrow(MapError);
  });
});
