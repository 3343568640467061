import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.js';
import { BtfBuilder, encodeBtf } from '../../src/btf/encode.js';
import { BtfError } from '../../src/btf/errors.js';
import { parseBtf, parseBtfHeader } from '../../src/btf/parse.js';
import { sampleBtf } from '../helpers/btf-builder.js';

describe('encodeBtf', () => {
  it('parse(encode(x)) == x in both byte orders, and re-encoding is stable', () => {
    const { btf } = sampleBtf();
    for (const le of [true, false]) {
      const bytes = encodeBtf(btf, { littleEndian: le });
      const again = parseBtf(bytes);
      expect(again.types).toEqual(btf.types);
      expect(Array.from(encodeBtf(again))).toEqual(Array.from(bytes));
    }
  });

  it('writes a 24-byte header, types then deduplicated strings', () => {
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    b.typedef('int', i); // same name string reused
    const bytes = b.encode();
    const h = parseBtfHeader(bytes);
    expect(h).toMatchObject({ hdrLen: 24, typeOff: 0, typeLen: 16 + 12, strOff: 28, strLen: 5 });
    expect(new TextDecoder().decode(bytes.subarray(24 + 28))).toBe('\0int\0');
  });

  it('refuses to encode the void pseudo-type', () => {
    const btf = sampleBtf().btf;
    const bad = Object.create(btf) as Btf;
    Object.defineProperty(bad, 'types', { value: [{ kind: 'VOID', id: 0, name: '' }] });
    expect(() => encodeBtf(bad)).toThrow(BtfError);
  });
});

describe('BtfBuilder', () => {
  it('lays out structs like C for the BPF target', () => {
    const b = new BtfBuilder();
    const c = b.int('char', 1, { signed: true });
    const i = b.int('int', 4, { signed: true });
    const l = b.int('long', 8, { signed: true });
    const s = b.struct('s', [
      { name: 'a', type: c },
      { name: 'b', type: i },
      { name: 'c', type: c },
    ]);
    const t = b.struct('t', [
      { name: 'x', type: c },
      { name: 'y', type: l },
    ]);
    const u = b.union('u', [
      { name: 'x', type: c },
      { name: 's', type: s },
    ]);
    const bf = b.struct('bf', [
      { name: 'a', type: i, bitfieldSize: 30 },
      { name: 'b', type: i, bitfieldSize: 4 }, // would straddle: moves to the next int
      { name: 'c', type: c },
    ]);
    const btf = b.build();
    expect(btf.members(s).map((m) => m.byteOffset)).toEqual([0, 4, 8]);
    expect(btf.sizeof(s)).toBe(12);
    expect(btf.members(t).map((m) => m.byteOffset)).toEqual([0, 8]);
    expect(btf.sizeof(t)).toBe(16);
    expect(btf.members(u).map((m) => m.bitOffset)).toEqual([0, 0]);
    expect(btf.sizeof(u)).toBe(12);
    expect(btf.members(bf).map((m) => [m.bitOffset, m.bitfieldSize])).toEqual([[0, 30], [32, 4], [40, 0]]);
    expect(btf.type(bf)).toMatchObject({ kflag: true, size: 8 });
    expect(btf.type(s)).toMatchObject({ kflag: false });
  });

  it('accepts explicit offsets and sizes', () => {
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    const s = b.struct('s', [{ name: 'a', type: i, bitOffset: 64 }], 32);
    const btf = b.build();
    expect(btf.members(s)[0]!.byteOffset).toBe(8);
    expect(btf.sizeof(s)).toBe(32);
  });

  it('builds enums, protos, vars, datasecs and tags', () => {
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    const e = b.enum('e', [['A', 1], ['B', 0xffffffff]]);
    const s = b.enum('s', [['N', -2]]);
    const e64 = b.enum64('e64', [['X', -1n]]);
    const fp = b.funcProto(i, [['a', i]], true);
    const f = b.func('f', fp, 'static');
    const v = b.var('v', i);
    const ds = b.datasec('.data', [{ type: v, offset: 0, size: 4 }], 4);
    const fl = b.float('float', 4);
    const dt = b.declTag('tag', f, 0);
    const tt = b.typeTag('rcu', i, true);
    const r = b.restrict(b.ptr(i));
    const vo = b.volatile(i);
    const fw = b.fwd('later');
    expect(b.length).toBe(15);
    const btf = b.build();
    expect(btf.type(e)).toMatchObject({ signed: false, values: [{ name: 'A', value: 1 }, { name: 'B', value: 0xffffffff }] });
    expect(btf.type(s)).toMatchObject({ signed: true, values: [{ name: 'N', value: -2 }] });
    expect(btf.type(e64)).toMatchObject({ signed: true, values: [{ name: 'X', lo: 0xffffffff, hi: 0xffffffff }] });
    expect(btf.type(fp)).toMatchObject({ params: [{ name: 'a', type: i }, { name: '', type: 0 }] });
    expect(btf.type(f)).toMatchObject({ linkage: 'static', type: fp });
    expect(btf.type(ds)).toMatchObject({ size: 4, vars: [{ type: v, offset: 0, size: 4 }] });
    expect(btf.type(fl)).toMatchObject({ kind: 'FLOAT', size: 4 });
    expect(btf.type(dt)).toMatchObject({ kind: 'DECL_TAG', componentIdx: 0 });
    expect(btf.type(tt)).toMatchObject({ kind: 'TYPE_TAG', kflag: true });
    expect(btf.type(r)).toMatchObject({ kind: 'RESTRICT' });
    expect(btf.type(vo)).toMatchObject({ kind: 'VOLATILE' });
    expect(btf.type(fw)).toMatchObject({ kind: 'FWD', union: false });
    expect(parseBtf(b.encode({ littleEndian: false })).types).toEqual(btf.types);
  });

  it('reports layout of undefined or sizeless members as errors', () => {
    const b = new BtfBuilder();
    expect(() => b.struct('s', [{ name: 'a', type: 7 }])).toThrow(BtfError);
    const f = b.fwd('x');
    expect(() => b.struct('s', [{ name: 'a', type: f }])).toThrow(BtfError);
  });

  it('builds split BTF on a base, laying out base types', () => {
    const base = sampleBtf();
    const b = new BtfBuilder({ base: base.btf });
    const s = b.struct('wrap', [{ name: 't', type: base.ids.inner }, { name: 'n', type: base.ids.int }]);
    const btf = b.build();
    expect(s).toBe(base.btf.typeCount);
    expect(btf.sizeof(s)).toBe(12);
    expect(parseBtf(encodeBtf(btf), { base: base.btf }).types).toEqual(btf.types);
  });
});
