/**
 * Field-table contexts (src/kernel/progtypes/fieldctx.ts, sockctx.ts): the run-time region serves
 * the values a load of each accepted size yields (the little-endian bytes of the uapi struct),
 * refuses what the verifier refuses, and table errors are named. The rules themselves are checked
 * against 6.18 in vctx.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fieldAccess, fieldCtx, FieldCtxRegion, StructImage } from '../../../src/kernel/progtypes/fieldctx.js';
import { BPF_SK_LOOKUP, BPF_SOCK_ADDR, fieldCtxOf } from '../../../src/kernel/progtypes/sockctx.js';
import { AttachType, ProgType } from './harness.js';

describe('FieldCtxRegion', () => {
  const img = new StructImage(BPF_SK_LOOKUP).set('family', 2).set('remote_port', 0x3930).set('local_port', 0x1234).setBytes('local_ip4', Uint8Array.of(10, 1, 2, 3));
  const r = new FieldCtxRegion(BPF_SK_LOOKUP, img.bytes);
  const out = new Int32Array(2);
  const load = (off: number, size: number): number | null => (r.load(off, size, out) ? out[0]! >>> 0 : null);

  it('narrow loads give the bytes of the field; a __be16 loads as 4 bytes zero-extended', () => {
    expect([load(60, 4), load(60, 2), load(61, 1), load(40, 4), load(43, 1), load(36, 4), load(36, 2), load(37, 1), load(38, 2)]).toEqual([0x1234, 0x1234, 0x12, 0x0302010a, 3, 0x3930, 0x3930, 0x39, 0]);
  });

  it('refuses what the verifier refuses: misaligned, wider than the field, stores to read-only fields', () => {
    expect([load(61, 2), load(60, 8), load(37, 2), load(70, 1), load(-1, 1), load(72, 1)]).toEqual([null, null, null, null, null, null]);
    expect(r.store(60, 4, 1, 0)).toBe(false);
    for (let off = -4; off < 76; off++) for (const size of [1, 2, 4, 8]) expect([off, size, r.load(off, size, out)]).toEqual([off, size, fieldAccess(BPF_SK_LOOKUP, off, size, false).ok]);
  });

  it('the socket pointer field yields a pointer; scalar fields do not', () => {
    expect([r.yieldsPointer(0), r.yieldsPointer(7), r.yieldsPointer(8)]).toEqual([true, true, false]);
  });

  it('sock_addr v6: 8-byte loads and stores over user_ip6 pairs, 4-byte stores, onWrite sees each', () => {
    const view = fieldCtxOf(ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_CONNECT)!;
    const im = new StructImage(BPF_SOCK_ADDR).set('user_ip6', 0x11111111, 0).set('user_ip6', 0x22222222, 1);
    const writes: string[] = [];
    const reg = new FieldCtxRegion(view, im.bytes, (f, off, size) => writes.push(`${f.name}@${off}/${size}`));
    expect(reg.load(8, 8, out)).toBe(true);
    expect([out[0]! >>> 0, out[1]! >>> 0]).toEqual([0x11111111, 0x22222222]);
    expect(reg.store(16, 8, 0x33, 0x44)).toBe(true);
    expect(reg.store(12, 8, 0, 0)).toBe(false);
    expect(reg.store(24, 4, 0x5000, 0)).toBe(true);
    expect(reg.store(4, 4, 1, 0)).toBe(false); // user_ip4 is not visible to v6 hooks
    expect([im.get('user_ip6', 2), im.get('user_ip6', 3), im.get('user_port')]).toEqual([0x33, 0x44, 0x5000]);
    expect(writes).toEqual(['user_ip6@16/8', 'user_port@24/4']);
  });
});

describe('field tables', () => {
  it('overlapping or out-of-struct fields are refused when the table is built', () => {
    expect(() => fieldCtx('t', 8, [{ name: 'a', off: 0, size: 4 }, { name: 'b', off: 2, size: 4 }])).toThrow(/t.b overlaps a/);
    expect(() => fieldCtx('t', 8, [{ name: 'a', off: 6, size: 4 }])).toThrow(/outside the 8-byte struct/);
  });

  it('StructImage names unknown fields and elements', () => {
    const im = new StructImage(BPF_SK_LOOKUP);
    expect(() => im.set('nope', 1)).toThrow(/bpf_sk_lookup has no field nope\[0\]/);
    expect(() => im.set('local_ip6', 1, 4)).toThrow(/local_ip6\[4\]/);
    expect(() => im.setBytes('local_ip4', new Uint8Array(5))).toThrow(/holds 4 bytes, got 5/);
  });

  it('every cgroup/socket type has a view, each within its uapi size', () => {
    const sizes: [number, number, number][] = [
      [ProgType.CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE, 80],
      [ProgType.CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND, 72],
      [ProgType.SOCK_OPS, 0, 224],
      [ProgType.CGROUP_DEVICE, AttachType.CGROUP_DEVICE, 12],
      [ProgType.CGROUP_SYSCTL, AttachType.CGROUP_SYSCTL, 8],
      [ProgType.CGROUP_SOCKOPT, AttachType.CGROUP_SETSOCKOPT, 40],
      [ProgType.SK_LOOKUP, AttachType.SK_LOOKUP, 72],
      [ProgType.SK_MSG, 0, 80],
      [ProgType.SK_REUSEPORT, 0, 56],
      [ProgType.NETFILTER, 45, 16],
    ];
    for (const [t, eat, size] of sizes) expect([t, fieldCtxOf(t, eat)?.size]).toEqual([t, size]);
    expect(fieldCtxOf(ProgType.XDP, 0)).toBeUndefined();
  });
});
