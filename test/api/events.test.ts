/**
 * Event readers (api/events.ts): ring buffer and perf buffer records as bytes and decoded from the
 * object's BTF, against what the fixtures' C sources write (programs/maps_ringbuf.bpf.c: event
 * {1, 100}, event {2, 200}, a discarded record, a 13-byte string; programs/maps_perf.bpf.c:
 * struct sample { len, ifindex, marker 0x5045524631 }).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfError, BpfObject, BtfCodec } from '../../src/api/index.js';
import { BtfBuilder } from '../../src/btf/encode.js';
import { ipv4Frame } from '../../src/util/packets.js';

/** struct event { u32 seq; u32 pad; u64 value; } and struct sample { u32 len; u32 ifindex; u64 marker; } as the C sources declare them. */
function codecs(): { event: BtfCodec; sample: BtfCodec } {
  const b = new BtfBuilder();
  const u32 = b.int('unsigned int', 4);
  const u64 = b.int('long long unsigned int', 8);
  const ev = b.struct('event', [{ name: 'seq', type: u32 }, { name: 'pad', type: u32 }, { name: 'value', type: u64 }]);
  const sa = b.struct('sample', [{ name: 'len', type: u32 }, { name: 'ifindex', type: u32 }, { name: 'marker', type: u64 }]);
  const btf = b.build();
  return { event: new BtfCodec(btf, ev, 'event'), sample: new BtfCodec(btf, sa, 'sample') };
}

describe('map.ringbuf()', () => {
  it('drains committed records, skipping discarded ones, as bytes or as struct event', () => {
    const o = BpfObject.open(readFileSync('programs/maps_ringbuf.bpf.o'));
    o.load();
    o.program('rb_ops').testRun({ ctxIn: new Uint8Array(8 * 12) });
    const recs = o.map('rb').ringbuf().drain();
    expect(recs.map((r) => r.length)).toEqual([16, 16, 13]);
    expect(new TextDecoder().decode(recs[2]!.subarray(0, 12))).toBe('hello, ring!');
    o.program('rb_ops').testRun({ ctxIn: new Uint8Array(8 * 12) });
    const typed = o.map('rb').ringbuf().drain<{ seq: number; value: bigint }>(codecs().event);
    expect(typed.slice(0, 2).map((e) => [e.seq, e.value])).toEqual([[1, 100n], [2, 200n]]);
    expect(o.map('rb').ringbuf().drain()).toEqual([]);
    // struct event is only a local variable in the C source, so clang left it out of the BTF
    expect(() => o.map('rb').ringbuf().drain('event')).toThrow(/no struct, union or typedef 'event' in the object's BTF/);
    expect(o.map('rb').ringbuf().drain('rb_args')).toEqual([]); // a type the BTF has
    expect(() => o.map('res_map_does_not_exist')).toThrow(BpfError);
  });
});

describe('map.perfBuffer()', () => {
  it('installs one buffer per CPU and decodes the samples as struct sample', () => {
    const o = BpfObject.open(readFileSync('programs/maps_perf.bpf.o'));
    o.load();
    const pb = o.map('events').perfBuffer();
    const frame = ipv4Frame('udp');
    o.program('perf_prog').testRun({ dataIn: frame });
    const { samples, lost } = pb.drain<{ len: number; ifindex: number; marker: bigint }>(codecs().sample);
    expect(lost).toBe(0);
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) {
      expect(s.value.len).toBe(frame.length);
      expect(s.value.marker).toBe(0x5045524631n);
    }
    expect(() => o.map('events').ringbuf()).toThrow(/is a perf_event_array, not a ringbuf/);
  });
});
