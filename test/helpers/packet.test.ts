import { describe, expect, it } from 'vitest';
import { csumAdd, csumFold, csumFrom32to16, csumPartial, csumSub, flowHash, PacketBuffer, PacketHelperId, packetHelpers, SkbBuff, XdpBuff } from '../../src/helpers/packet.js';
import { Memory, PERM_RW } from '../../src/vm/memory.js';
import { ProgType } from '../../src/object/uapi.js';
import { fromHex } from '../../src/util/bytes.js';

describe('checksum arithmetic', () => {
  it('csum_add wraps the carry around; csum_sub adds the complement', () => {
    expect(csumAdd(0xffffffff, 1)).toBe(1);
    expect(csumAdd(0x80000000, 0x80000000)).toBe(1);
    expect(csumAdd(1, 2)).toBe(3);
    expect(csumSub(0x0100a8c0, 0x0100000a)).toBe(0xa8b6);
  });

  it('csum_fold complements the folded sum; from32to16 does not', () => {
    expect(csumFold(0)).toBe(0xffff);
    expect(csumFold(0x1234ffff)).toBe(0xedcb);
    expect(csumFrom32to16(0x1234ff2e)).toBe(0x1163);
    expect(csumFrom32to16(0xfeffffff)).toBe(0xfeff);
  });

  it('csum_partial follows x86-64: little-endian u64 words with end-around carry, folded to 32 bits', () => {
    expect(csumPartial(fromHex('c0a80001'), 0)).toBe(0x0100a8c0);
    expect(csumPartial(fromHex('ffffffffffffffff'), 0x12345678)).toBe(0x12345678);
    expect(csumPartial(fromHex('ffffffffffffffff0000000100000002'), 0)).toBe(0x03000000);
    expect(csumPartial(new Uint8Array(0), 0xdeadbeef)).toBe(0xdeadbeef);
    // A trailing partial word is zero-padded.
    expect(csumPartial(fromHex('0102'), 0)).toBe(0x0201);
  });
});

describe('packet buffers', () => {
  it('remap maps a fresh region and empties the old one', () => {
    const mem = new Memory();
    const frame = new Uint8Array(64);
    const b = new PacketBuffer(mem, frame, 8, 16, 40, PERM_RW, 'pkt', true);
    const first = b.region;
    expect(mem.bytes(first).length).toBe(32);
    expect(Memory.split(b.pointer(16))).toEqual([first, 8]);
    b.data = 20;
    b.remap('test');
    expect(b.region).not.toBe(first);
    expect(mem.bytes(first).length).toBe(0);
    expect(mem.labelOf(first)).toBe('pkt (invalidated by test)');
    expect(b.regions).toEqual([first, b.region]);
    expect(b.len).toBe(20);
  });

  it('xdp copies reach across the linear part and the frags', () => {
    const mem = new Memory();
    const frame = new Uint8Array(32);
    frame.set([1, 2, 3, 4], 8);
    const page = new Uint8Array(16);
    page.set([5, 6, 7]);
    const x = new XdpBuff(new PacketBuffer(mem, frame, 8, 8, 12, PERM_RW, 'pkt', true), [{ page, size: 3 }], 1, 0, 0);
    expect(x.buffLen).toBe(7);
    const out = new Uint8Array(4);
    x.copy(2, out, false);
    expect([...out]).toEqual([3, 4, 5, 6]);
    x.copy(3, new Uint8Array([9, 9]), true);
    expect([...x.dataOut()]).toEqual([1, 2, 3, 9, 9, 6, 7]);
  });

  it('the flow hash is deterministic, non-zero and depends on the flow', () => {
    const mem = new Memory();
    const mk = (hex: string): SkbBuff => {
      const f = fromHex(hex);
      const s = new SkbBuff(new PacketBuffer(mem, f, 0, 0, f.length, PERM_RW, 'pkt', false), ProgType.SCHED_CLS);
      s.network = 14;
      s.protocol = 0x0800;
      return s;
    };
    const a = mk('02000000000202000000000108004500002d00010000400666c80a0000010a00000204d2005000000001000000005002200032e6000068656c6c6f00');
    const b = mk('02000000000202000000000108004500002d00010000400666c80a0000010a00000204d200160000000100000000500220003320000068656c6c6f00');
    expect(flowHash(a)).toBe(flowHash(a));
    expect(flowHash(a)).not.toBe(0);
    expect(flowHash(a)).not.toBe(flowHash(b));
  });
});

describe('the helper family', () => {
  it('registers each packet helper once under its uapi id', () => {
    const defs = packetHelpers();
    expect(defs.map((d) => d.id).sort((x, y) => x - y)).toEqual(Object.values(PacketHelperId).sort((x, y) => x - y));
    for (const d of defs) expect(PacketHelperId[d.name as keyof typeof PacketHelperId]).toBe(d.id);
    expect(defs.find((d) => d.name === 'xdp_adjust_head')!.progTypes).toEqual([ProgType.XDP]);
  });
});
