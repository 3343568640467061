import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { PERM_RW, RegionKind } from '../../src/vm/memory.js';
import { createMap } from '../../src/maps/registry.js';
import { RingbufMap, RingbufRecord } from '../../src/maps/ringbuf.js';
import type { MapAttr } from '../../src/maps/types.js';
import {
  BPF_F,
  BPF_MAP_TYPE,
  BPF_RB_AVAIL_DATA,
  BPF_RB_CONS_POS,
  BPF_RB_FORCE_WAKEUP,
  BPF_RB_NO_WAKEUP,
  BPF_RB_PROD_POS,
  BPF_RB_RING_SIZE,
  BPF_RINGBUF_BUSY_BIT,
  BPF_RINGBUF_DISCARD_BIT,
} from '../../src/maps/uapi.js';
import { cat, getU32, getU64, mk, regionBytes, testEnv, u32, u64 } from './env.js';

const { EINVAL, EAGAIN, ENOTSUPP } = ERRNO;

const RB: MapAttr = { type: BPF_MAP_TYPE.RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096, name: 'rb' };

const event = (seq: number, value: number): Uint8Array => cat(u32(seq), u32(0), u64(value));

describe('ringbuf_map_alloc', () => {
  it('needs no key or value and a power-of-2 multiple of the page size', () => {
    const env = testEnv();
    expect(createMap(RB, env)).toBeInstanceOf(RingbufMap);
    expect(createMap({ ...RB, maxEntries: 8192 }, env)).toBeInstanceOf(RingbufMap);
    expect(createMap({ ...RB, maxEntries: 2048 }, env)).toBe(-EINVAL);
    expect(createMap({ ...RB, maxEntries: 12288 }, env)).toBe(-EINVAL);
    expect(createMap({ ...RB, maxEntries: 0 }, env)).toBe(-EINVAL);
    expect(createMap({ ...RB, keySize: 4 }, env)).toBe(-EINVAL);
    expect(createMap({ ...RB, valueSize: 4 }, env)).toBe(-EINVAL);
    expect(createMap({ ...RB, flags: BPF_F.MMAPABLE }, env)).toBe(-EINVAL);
    expect(createMap({ ...RB, flags: BPF_F.NUMA_NODE }, env)).toBeInstanceOf(RingbufMap);
  });
});

describe('RINGBUF producer side (maps_ringbuf.bpf.c)', () => {
  it('runs the fixture sequence with the kernel results', () => {
    const env = testEnv();
    const m = mk<RingbufMap>(env, RB);
    const res: number[] = [];
    res.push(m.output(event(1, 100), 0, 16, 0));
    res.push(m.query(BPF_RB_AVAIL_DATA));
    const r1 = m.reserve(16, 0);
    regionBytes(env, r1).set(event(2, 200));
    m.commit(m.recordAt(r1)!, BPF_RB_NO_WAKEUP, false);
    res.push(r1 !== 0 ? 1 : 0);
    const r2 = m.reserve(16, 0);
    m.commit(m.recordAt(r2)!, 0, true);
    res.push(r2 !== 0 ? 1 : 0);
    const msg = new TextEncoder().encode('hello, ring!\0');
    res.push(m.output(msg, 0, 13, BPF_RB_FORCE_WAKEUP));
    res.push(m.query(BPF_RB_AVAIL_DATA), m.query(BPF_RB_RING_SIZE), m.query(BPF_RB_CONS_POS), m.query(BPF_RB_PROD_POS));
    res.push(m.reserve(8192, 0) === 0 ? 1 : 0);
    res.push(m.output(event(3, 300), 0, 16, 4));
    res.push(m.query(99));
    expect(res).toEqual([0, 24, 1, 1, 0, 96, 4096, 0, 96, 1, -EINVAL, 0]);
    // the consumer sees the two events and the string; the discarded record is skipped
    const got = m.drain();
    expect(got).toHaveLength(3);
    expect([getU32(got[0]!), Number(getU64(got[0]!, 8))]).toEqual([1, 100]);
    expect([getU32(got[1]!), Number(getU64(got[1]!, 8))]).toEqual([2, 200]);
    expect(new TextDecoder().decode(got[2]!)).toBe('hello, ring!\0');
    expect(m.query(BPF_RB_CONS_POS)).toBe(96);
    expect(m.query(BPF_RB_AVAIL_DATA)).toBe(0);
  });

  it('frames records with 8-byte headers: len | BUSY | DISCARD, then pg_off', () => {
    const env = testEnv();
    const m = mk<RingbufMap>(env, RB);
    const r = m.reserve(5, 0);
    const hdr = new DataView(m.data.buffer);
    expect(hdr.getUint32(0, true)).toBe((5 | BPF_RINGBUF_BUSY_BIT) >>> 0);
    expect(hdr.getUint32(4, true)).toBe(3); // data starts 3 pages into the kernel's vmap
    expect(env.mem.kindOf(r)).toBe(RegionKind.RINGBUF);
    expect(env.mem.permOf(r)).toBe(PERM_RW);
    expect(regionBytes(env, r)).toHaveLength(5);
    expect(m.producer).toBe(16);
    m.commit(m.recordAt(r)!, 0, true);
    expect(hdr.getUint32(0, true)).toBe((5 | BPF_RINGBUF_DISCARD_BIT) >>> 0);
    // Unmapped at once (not retired at the end of the run): a kept pointer faults instead of
    // changing what the consumer reads.
    expect(env.mem.isMapped(r)).toBe(false);
    expect(env.retired).not.toContain(r);
    expect(m.recordAt(r)).toBeNull();
  });

  it('stops the consumer at a busy record and resumes after it is submitted', () => {
    const env = testEnv();
    const m = mk<RingbufMap>(env, RB);
    m.output(u32(1), 0, 4, 0);
    const r = m.reserve(4, 0);
    m.output(u32(3), 0, 4, 0);
    expect(m.drain().map((d) => getU32(d))).toEqual([1]);
    expect(m.outstanding).toBe(1);
    regionBytes(env, r).set(u32(2));
    m.commit(m.recordAt(r)!, 0, false);
    expect(m.drain().map((d) => getU32(d))).toEqual([2, 3]);
  });

  it('fails reserve (NULL) and output (EAGAIN) when full, and frees space as the consumer reads', () => {
    const m = mk<RingbufMap>(testEnv(), RB);
    // records of 1024 bytes (1016 + 8): three fit, a fourth would reach size - 1
    const big = new Uint8Array(1016);
    expect([m.output(big, 0, 1016, 0), m.output(big, 0, 1016, 0), m.output(big, 0, 1016, 0)]).toEqual([0, 0, 0]);
    expect(m.output(big, 0, 1016, 0)).toBe(-EAGAIN);
    expect(m.reserve(1016, 0)).toBe(0);
    expect(m.output(big, 0, 1000, 0)).toBe(0); // 1008 bytes still fit
    expect(m.consume(() => 0, 1)).toBe(1);
    expect(m.output(big, 0, 1016, 0)).toBe(0);
  });

  it('blocks producers behind a busy record the consumer cannot pass', () => {
    const env = testEnv();
    const m = mk<RingbufMap>(env, RB);
    const first = m.reserve(2040, 0); // 2048 bytes, left busy
    expect(m.output(new Uint8Array(1016), 0, 1016, 0)).toBe(0);
    m.consume(); // stops at the busy record: consumer stays at 0
    expect(m.consumer).toBe(0);
    expect(m.reserve(1016, 0)).toBe(0); // would reach the busy record
    m.commit(m.recordAt(first)!, 0, false);
    expect(m.drain()).toHaveLength(2);
    expect(m.reserve(1016, 0)).not.toBe(0);
  });

  it('keeps a record that wraps around the end contiguous for the program and the consumer', () => {
    const env = testEnv();
    const m = mk<RingbufMap>(env, RB);
    // move the positions near the end: 4064 bytes of records, consumed
    for (let i = 0; i < 4; i++) m.output(new Uint8Array(1008), 0, 1008, 0);
    m.drain();
    expect(m.producer).toBe(4064);
    const r = m.reserve(40, 0); // header at 4064, data 4072..4112 wraps at 4096
    const bytes = regionBytes(env, r);
    expect(bytes).toHaveLength(40);
    for (let i = 0; i < 40; i++) bytes[i] = i + 1;
    m.commit(m.recordAt(r)!, 0, false);
    const [d] = m.drain();
    expect([...d!]).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(m.data[0]).toBe(25); // bytes 24.. of the record went to the start of the ring
  });

  it('counts wakeups: forced, or when the consumer waits at the record, unless NO_WAKEUP', () => {
    const m = mk<RingbufMap>(testEnv(), RB);
    m.output(u32(1), 0, 4, 0); // consumer at 0 = this record
    expect(m.wakeups).toBe(1);
    m.output(u32(2), 0, 4, 0); // consumer still at 0: no wakeup
    expect(m.wakeups).toBe(1);
    m.output(u32(3), 0, 4, BPF_RB_FORCE_WAKEUP);
    expect(m.wakeups).toBe(2);
    m.drain();
    m.output(u32(4), 0, 4, BPF_RB_NO_WAKEUP);
    expect(m.wakeups).toBe(2);
  });

  it('gives NULL for reserve with flags or an oversized record', () => {
    const m = mk<RingbufMap>(testEnv(), RB);
    expect(m.reserve(8, 1)).toBe(0);
    expect(m.reserve(4089, 0)).toBe(0); // 4089 + 8 rounds to 4104 > 4096
    expect(m.reserve(2 ** 32, 0)).toBe(0);
    expect(m.reserve(0, 0)).toBeGreaterThan(0); // zero-sized records are allowed
  });

  it('hands out the record object as the region owner', () => {
    const env = testEnv();
    const m = mk<RingbufMap>(env, RB);
    const r = m.reserve(8, 0);
    const rec = env.mem.ownerOf(r);
    expect(rec).toBeInstanceOf(RingbufRecord);
    expect((rec as RingbufRecord).map).toBe(m);
    // committing twice has no effect the second time
    m.commit(rec as RingbufRecord, 0, false);
    m.commit(rec as RingbufRecord, 0, true);
    expect(m.drain()).toHaveLength(1);
  });
});

describe('RINGBUF consumer', () => {
  it('stops on a negative callback result and returns it', () => {
    const m = mk<RingbufMap>(testEnv(), RB);
    for (let i = 0; i < 3; i++) m.output(u32(i), 0, 4, 0);
    const seen: number[] = [];
    expect(m.consume((d) => (seen.push(getU32(d)), seen.length === 2 ? -7 : 0))).toBe(-7);
    expect(seen).toEqual([0, 1]);
    expect(m.consume((d) => void seen.push(getU32(d)))).toBe(1);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('has no map commands (ENOTSUPP)', () => {
    const m = mk<RingbufMap>(testEnv(), RB);
    expect(m.lookup(null, new Uint8Array(0))).toBe(-ENOTSUPP);
    expect(m.update(null, new Uint8Array(0))).toBe(-ENOTSUPP);
    expect(m.delete(null)).toBe(-ENOTSUPP);
    expect(m.getNextKey(null, new Uint8Array(0))).toBe(-ENOTSUPP);
  });

  it('retires outstanding reservations when freed', () => {
    const env = testEnv();
    const m = mk<RingbufMap>(env, RB);
    const r = m.reserve(8, 0);
    m.free();
    expect(env.retired).toContain(r);
  });
});
