/**
 * Typed values from BTF (api/typed.ts) and the typed views of maps and globals
 * (api/typed-views.ts, `map.typed()`, `obj.globals`): decoding is checked against bytes written by
 * hand with DataView, encoding against the same layout, and the views against the byte API of the
 * same maps after real test runs of programs/xdp_firewall.bpf.o.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { BpfError } from '../../src/api/errors.js';
import { BtfCodec } from '../../src/api/typed.js';
import { BtfBuilder } from '../../src/btf/encode.js';
import { ipv4Frame } from '../../src/util/packets.js';

/** struct s { u16 port; s32 delta; u64 bytes; enum e kind; char comm[8]; bool on; u8 flags:3, mode:5; u32 arr[2]; }; */
function sample(): { codec: BtfCodec; size: number } {
  const b = new BtfBuilder();
  const u8 = b.int('unsigned char', 1);
  const u16 = b.int('short unsigned int', 2);
  const s32 = b.int('int', 4, { signed: true });
  const u32 = b.int('unsigned int', 4);
  const u64 = b.int('long long unsigned int', 8);
  const ch = b.int('char', 1, { char: true });
  const bool = b.int('_Bool', 1, { bool: true });
  const e = b.enum('e', [['E_A', 0], ['E_B', 7]]);
  const comm = b.array(ch, 8);
  const arr = b.array(u32, 2);
  const s = b.struct('s', [
    { name: 'port', type: u16 },
    { name: 'delta', type: s32 },
    { name: 'bytes', type: u64 },
    { name: 'kind', type: e },
    { name: 'comm', type: comm },
    { name: 'on', type: bool },
    { name: 'flags', type: u8, bitOffset: 8 * 29, bitfieldSize: 3 },
    { name: 'mode', type: u8, bitOffset: 8 * 29 + 3, bitfieldSize: 5 },
    { name: 'arr', type: arr, bitOffset: 8 * 32 },
  ], 40);
  const btf = b.build();
  return { codec: new BtfCodec(btf, s, 'test value'), size: 40 };
}

/** The same value written by hand. */
function handBytes(): Uint8Array {
  const out = new Uint8Array(40);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 9999, true);
  dv.setInt32(4, -5, true);
  dv.setBigUint64(8, 1n << 60n, true);
  dv.setUint32(16, 7, true);
  out.set(new TextEncoder().encode('bpfemu'), 20);
  out[28] = 1;
  out[29] = 0b10110_101; // flags = 5 (low 3 bits), mode = 22
  dv.setUint32(32, 1, true);
  dv.setUint32(36, 0xffffffff, true);
  return out;
}

const VALUE = { port: 9999, delta: -5, bytes: 1n << 60n, kind: 'E_B', comm: 'bpfemu', on: true, flags: 5, mode: 22, arr: [1, 0xffffffff] };

describe('BtfCodec', () => {
  it('decodes a struct of every member kind as written by hand', () => {
    const { codec } = sample();
    expect(codec.size).toBe(40);
    expect(codec.decode(handBytes())).toEqual(VALUE);
  });

  it('encodes it back to the same bytes', () => {
    expect(sample().codec.encode(VALUE)).toEqual(handBytes());
  });

  it('refuses what does not fit, naming the member', () => {
    const { codec } = sample();
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ port: 70000 }, /test value\.port: 70000 does not fit u16/],
      [{ port: -1 }, /port: -1 does not fit u16/],
      [{ port: 1.5 }, /port: 1.5 does not fit u16/],
      [{ delta: 2 ** 31 }, /delta: 2147483648 does not fit s32/],
      [{ kind: 'E_C' }, /'E_C' is not an enumerator of enum e \(E_A, E_B\)/],
      [{ comm: 'far too long' }, /comm: 'far too long' is 12 bytes, the array holds 8/],
      [{ mode: 32 }, /mode: 32 does not fit a 5-bit field/],
      [{ arr: [1, 2, 3] }, /arr: 3 elements, the array holds 2/],
      [{ nope: 1 }, /struct s has no member 'nope'/],
    ];
    for (const [v, re] of bad) {
      expect(() => codec.encode(v as never), JSON.stringify(v)).toThrow(re);
      expect(() => codec.encode(v as never)).toThrow(BpfError);
    }
  });

  it('leaves absent members zero', () => {
    const b = sample().codec.encode({ port: 1 });
    expect(b[0]).toBe(1);
    expect(b.subarray(2).every((x) => x === 0)).toBe(true);
  });
});

describe('typed views of programs/xdp_firewall.bpf.o', () => {
  function loaded(): BpfObject {
    const obj = BpfObject.open(readFileSync('programs/xdp_firewall.bpf.o'), { name: 'xdp_firewall' });
    return obj;
  }

  it('obj.globals sets a const volatile u16 knob before load, range-checked, and reads it back unsigned', () => {
    const obj = loaded();
    expect(obj.globals.blocked_tcp_port).toBe(22);
    expect(() => {
      obj.globals.blocked_tcp_port = 70000;
    }).toThrow(/variable 'blocked_tcp_port': 70000 does not fit u16/);
    obj.globals.blocked_tcp_port = 40000;
    expect(obj.globals.monitor_only).toBe(false);
    expect(Object.keys(obj.globals).sort()).toEqual(['blocked_tcp_port', 'monitor_only']);
    obj.load();
    // a port above 32767 reads back positive (getInt() used to be signed only)
    expect(obj.variable('blocked_tcp_port').getInt()).toBe(40000n);
    expect(() => obj.variable('blocked_tcp_port').setInt(70000)).toThrow(/does not fit its 2-byte unsigned type/);
    const r = obj.program('xdp_firewall').testRun({ dataIn: ipv4Frame('tcp', { dstPort: 40000 }) });
    expect(r.retval).toBe(1); // XDP_DROP: the knob took effect
    obj.close();
  });

  it('map.typed() decodes keys and struct values as the byte API holds them', () => {
    const obj = loaded();
    obj.load();
    const frame = ipv4Frame('udp');
    obj.program('xdp_firewall').testRun({ dataIn: frame });
    const typed = obj.map('proto_stats').typed<number, { packets: bigint; bytes: bigint }>();
    const raw = obj.map('proto_stats').lookup(new Uint8Array([1, 0, 0, 0]))!;
    const dv = new DataView(raw.buffer);
    expect(typed.get(1)).toEqual({ packets: dv.getBigUint64(0, true), bytes: dv.getBigUint64(8, true) });
    expect(typed.get(1)).toEqual({ packets: 1n, bytes: BigInt(frame.length) });
    expect(typed.keys()).toEqual([0, 1, 2, 3]);
    typed.set(3, { packets: 5n, bytes: 300n });
    expect(obj.map('proto_stats').lookup(new Uint8Array([3, 0, 0, 0]))).toEqual(Uint8Array.from([5, 0, 0, 0, 0, 0, 0, 0, 44, 1, 0, 0, 0, 0, 0, 0]));
    expect(() => typed.set(3, { packets: -1n, bytes: 0n })).toThrow(/map 'proto_stats' value\.packets: -1n does not fit u64/);
    const block = obj.map('blocklist').typed<number, bigint>();
    block.set(0x0100000a, 0n);
    expect(block.entries()).toEqual([[0x0100000a, 0n]]);
    obj.close();
  });
});

describe('BpfObject.open and the caller bytes', () => {
  it('setting a knob before load leaves the bytes given to open unchanged', () => {
    const bytes = new Uint8Array(readFileSync('programs/xdp_firewall.bpf.o'));
    const before = bytes.slice();
    const obj = BpfObject.open(bytes);
    obj.globals.blocked_tcp_port = 4242;
    obj.load();
    expect(obj.globals.blocked_tcp_port).toBe(4242);
    expect(bytes).toEqual(before);
    // a second object from the same bytes starts from the compiled default again
    expect(BpfObject.open(bytes).globals.blocked_tcp_port).not.toBe(4242);
  });
});
