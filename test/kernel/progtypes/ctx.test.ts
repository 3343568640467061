import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CtxRegion, ctxIn, ctxLayout, rangeIsZero, type CtxBackend, type CtxField, type CtxLayout, type CtxPolicy } from '../../../src/kernel/progtypes/ctx.js';
import { SK_BUFF, SKB_POLICIES } from '../../../src/kernel/progtypes/skb.js';
import { XDP_MD, xdpPolicy } from '../../../src/kernel/progtypes/xdp.js';
import { AttachType, ProgType } from '../../../src/object/uapi.js';
import { ERRNO } from '../../../src/util/errno.js';

/** A backend whose fields hold (offset + 1) * 0x01010101-ish patterns and records writes. */
class Recorder implements CtxBackend {
  readonly values = new Map<CtxField, [number, number]>();
  read(f: CtxField, out: Int32Array): void {
    const v = this.values.get(f) ?? [(0x11223344 + f.off) | 0, f.size === 8 ? 0x55667788 : 0];
    out[0] = v[0];
    out[1] = v[1];
  }
  write(f: CtxField, lo: number, hi: number): void {
    this.values.set(f, [lo, hi]);
  }
}

const ACCESS = JSON.parse(readFileSync(fileURLToPath(new URL('./golden/ctx-access.json', import.meta.url)), 'utf8')) as Record<string, Record<string, number[]>>;

const SKB = (t: number): [CtxLayout, CtxPolicy] => [SK_BUFF, SKB_POLICIES.get(t)!];
const TYPES: Record<string, [CtxLayout, CtxPolicy]> = {
  socket_filter: SKB(ProgType.SOCKET_FILTER),
  sched_cls: SKB(ProgType.SCHED_CLS),
  sched_act: SKB(ProgType.SCHED_ACT),
  'cgroup_skb/ingress': SKB(ProgType.CGROUP_SKB),
  'cgroup_skb/egress': SKB(ProgType.CGROUP_SKB),
  lwt_in: SKB(ProgType.LWT_IN),
  lwt_out: SKB(ProgType.LWT_OUT),
  lwt_xmit: SKB(ProgType.LWT_XMIT),
  lwt_seg6local: SKB(ProgType.LWT_SEG6LOCAL),
  sk_skb: SKB(ProgType.SK_SKB),
  flow_dissector: SKB(ProgType.FLOW_DISSECTOR),
  xdp: [XDP_MD, xdpPolicy(0)],
  'xdp/devmap': [XDP_MD, xdpPolicy(AttachType.XDP_DEVMAP)],
  'xdp/cpumap': [XDP_MD, xdpPolicy(AttachType.XDP_CPUMAP)],
};

describe('ctx access rules', () => {
  for (const [name, [layout, policy]] of Object.entries(TYPES)) {
    it(`${name}: accepts exactly the accesses the 6.18 verifier accepts`, () => {
      const table = ACCESS[name]!;
      const region = new CtxRegion(layout, policy, new Recorder());
      const out = new Int32Array(2);
      const limit = layout === XDP_MD ? 32 : 200;
      for (const size of [1, 2, 4, 8]) {
        for (let off = 0; off < limit; off += size) {
          expect([`ld${size}`, off, region.load(off, size, out)]).toEqual([`ld${size}`, off, table[`ld${size}`]!.includes(off)]);
          expect([`stx${size}`, off, region.store(off, size, 0, 0)]).toEqual([`stx${size}`, off, table[`stx${size}`]!.includes(off)]);
          expect(table[`st${size}`]).toEqual(table[`stx${size}`]);
        }
      }
    });
  }

  it('narrow loads return the bytes of the little-endian field value', () => {
    const b = new Recorder();
    const region = new CtxRegion(SK_BUFF, SKB_POLICIES.get(ProgType.SCHED_CLS)!, b);
    b.values.set(SK_BUFF.field('protocol'), [0x0008, 0]);
    const out = new Int32Array(2);
    expect(region.load(16, 2, out)).toBe(true);
    expect(out[0]).toBe(8);
    expect(region.load(17, 1, out)).toBe(true);
    expect(out[0]).toBe(0);
    b.values.set(SK_BUFF.field('mark'), [0x11223344, 0]);
    expect(region.load(10, 2, out)).toBe(true);
    expect(out[0]).toBe(0x1122);
    expect(region.load(11, 1, out)).toBe(true);
    expect(out[0]).toBe(0x11);
    // Misaligned narrow loads are rejected.
    expect(region.load(9, 2, out)).toBe(false);
  });

  it('8-byte cb accesses cover two words; narrow cb stores merge into the word', () => {
    const b = new Recorder();
    const region = new CtxRegion(SK_BUFF, SKB_POLICIES.get(ProgType.SCHED_CLS)!, b);
    expect(region.store(56, 8, 0x55667788, 0x11223344)).toBe(true);
    expect(b.values.get(SK_BUFF.field('cb', 2))).toEqual([0x55667788, 0]);
    expect(b.values.get(SK_BUFF.field('cb', 3))).toEqual([0x11223344, 0]);
    const out = new Int32Array(2);
    expect(region.load(56, 8, out)).toBe(true);
    expect([out[0], out[1]]).toEqual([0x55667788, 0x11223344]);
    b.values.set(SK_BUFF.field('cb', 0), [0x11223344, 0]);
    expect(region.store(49, 1, 0xaa, 0)).toBe(true);
    expect(b.values.get(SK_BUFF.field('cb', 0))![0] >>> 0).toBe(0x1122aa44);
    expect(region.store(50, 2, 0xbeef, 0)).toBe(true);
    expect(b.values.get(SK_BUFF.field('cb', 0))![0] >>> 0).toBe(0xbeefaa44);
    // cb[4] has no partner for an 8-byte access.
    expect(region.load(64, 8, out)).toBe(false);
  });

  it('u8 and u64 fields are read whole', () => {
    const b = new Recorder();
    const region = new CtxRegion(SK_BUFF, SKB_POLICIES.get(ProgType.SCHED_CLS)!, b);
    b.values.set(SK_BUFF.field('tstamp_type'), [0x1ff, 7]);
    const out = new Int32Array(2);
    expect(region.load(180, 1, out)).toBe(true);
    expect([out[0], out[1]]).toEqual([0xff, 0]);
    expect(region.load(152, 8, out)).toBe(true);
    expect([out[0], out[1]]).toEqual([0x11223344 + 152, 0x55667788]);
    expect(region.load(152, 4, out)).toBe(false);
  });

  it('layout lookups', () => {
    const l = ctxLayout('t', 16, [['a', 0, 'u32'], ['b', 8, 'u64']]);
    expect(l.field('b').off).toBe(8);
    expect(l.byByte[5]).toBe(-1);
    expect(() => l.field('c')).toThrow(RangeError);
    expect(SK_BUFF.field('cb', 4).off).toBe(64);
    expect(SK_BUFF.field('hwtstamp').off).toBe(184);
  });

  it('ctx_in is zero-extended; a longer one needs a zero tail (E2BIG)', () => {
    expect(ctxIn(new Uint8Array([1, 2]), 4)).toEqual(new Uint8Array([1, 2, 0, 0]));
    expect(ctxIn(new Uint8Array([1, 2, 3, 4, 0, 0]), 4)).toEqual(new Uint8Array([1, 2, 3, 4]));
    expect(ctxIn(new Uint8Array([1, 2, 3, 4, 0, 9]), 4)).toBe(-ERRNO.E2BIG);
    expect(rangeIsZero(new Uint8Array([0, 1, 0]), 0, 1)).toBe(true);
    expect(rangeIsZero(new Uint8Array([0, 1, 0]), 0, 2)).toBe(false);
  });
});
