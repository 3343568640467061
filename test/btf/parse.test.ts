import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.js';
import { encodeBtf, BtfBuilder } from '../../src/btf/encode.js';
import { BtfError, type BtfErrorCode } from '../../src/btf/errors.js';
import { btfEndianness, parseBtf, parseBtfHeader } from '../../src/btf/parse.js';
import { sampleBtf } from '../helpers/btf-builder.js';

function codeOf(f: () => unknown): BtfErrorCode | 'none' | 'other' {
  try {
    f();
    return 'none';
  } catch (e) {
    return e instanceof BtfError ? e.code : 'other';
  }
}

/** Little blob editor: header fields and the first type record. */
function edit(bytes: Uint8Array, f: (v: DataView, typeStart: number, strStart: number) => void): Uint8Array {
  const b = bytes.slice();
  const v = new DataView(b.buffer);
  const hdr = v.getUint32(4, true);
  f(v, hdr + v.getUint32(8, true), hdr + v.getUint32(16, true));
  return b;
}

describe('parseBtf', () => {
  const { btf, ids } = sampleBtf();

  for (const le of [true, false]) {
    it(`round-trips every kind through the encoder (${le ? 'LE' : 'BE'})`, () => {
      const bytes = encodeBtf(btf, { littleEndian: le });
      expect(btfEndianness(bytes)).toBe(le);
      const p = parseBtf(bytes);
      expect(p.littleEndian).toBe(le);
      expect(p.types).toEqual(btf.types);
      expect(p.typeCount).toBe(btf.typeCount);
      const kinds = new Set(p.types.map((t) => t.kind));
      expect([...kinds].sort()).toEqual(
        ['ARRAY', 'CONST', 'DATASEC', 'DECL_TAG', 'ENUM', 'ENUM64', 'FLOAT', 'FUNC', 'FUNC_PROTO', 'FWD', 'INT', 'PTR', 'RESTRICT', 'STRUCT', 'TYPEDEF', 'TYPE_TAG', 'UNION', 'VAR', 'VOLATILE'].sort(),
      );
    });
  }

  it('decodes kind-flag semantics', () => {
    const p = parseBtf(encodeBtf(btf, { littleEndian: false }));
    const bits = p.type(ids.bits);
    expect(bits.kind === 'STRUCT' && bits.kflag).toBe(true);
    if (bits.kind !== 'STRUCT') throw new Error('unreachable');
    expect(bits.members.map((m) => [m.bitOffset, m.bitfieldSize])).toEqual([[0, 3], [3, 5], [8, 40], [64, 0]]);
    const fwd = p.type(ids.fwdUnion);
    expect(fwd.kind === 'FWD' && fwd.union).toBe(true);
    const color = p.type(ids.color);
    expect(color).toMatchObject({ kind: 'ENUM', signed: true, values: [{ name: 'RED', value: 0 }, { name: 'GREEN', value: 5 }, { name: 'BLUE', value: -1 }] });
    const big = p.type(ids.big);
    expect(big).toMatchObject({ kind: 'ENUM64', signed: false, size: 8 });
    if (big.kind !== 'ENUM64') throw new Error('unreachable');
    expect(big.values[2]).toEqual({ name: 'BIG_MAX', lo: 0xffffffff, hi: 0xffffffff });
    expect(p.type(ids.varE)).toMatchObject({ kind: 'VAR', linkage: 'extern' });
    expect(p.type(ids.func)).toMatchObject({ kind: 'FUNC', linkage: 'global' });
    expect(p.type(ids.declTagMember)).toMatchObject({ kind: 'DECL_TAG', componentIdx: 11 });
    expect(p.type(ids.char)).toMatchObject({ kind: 'INT', size: 1, bits: 8, signed: true, char: false });
  });

  it('reads the header and accepts a longer zero-padded header', () => {
    const bytes = encodeBtf(btf);
    const h = parseBtfHeader(bytes);
    expect(h).toMatchObject({ littleEndian: true, version: 1, flags: 0, hdrLen: 24, typeOff: 0 });
    expect(h.strOff).toBe(h.typeLen);
    // re-layout with hdr_len 32
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes.subarray(0, 24));
    longer.set(bytes.subarray(24), 32);
    new DataView(longer.buffer).setUint32(4, 32, true);
    expect(parseBtf(longer).types).toEqual(btf.types);
    longer[30] = 1;
    expect(codeOf(() => parseBtf(longer))).toBe('BTF_BAD_HEADER');
  });

  it('honours an expected byte order', () => {
    const bytes = encodeBtf(btf, { littleEndian: false });
    expect(parseBtf(bytes, { littleEndian: false }).littleEndian).toBe(false);
    expect(codeOf(() => parseBtf(bytes, { littleEndian: true }))).toBe('BTF_BAD_MAGIC');
  });

  it('parses split BTF on top of a base', () => {
    const base = btf;
    const sb = new BtfBuilder({ base });
    const ptr = sb.ptr(ids.task);
    const mod = sb.struct('module_thing', [
      { name: 'task', type: ptr },
      { name: 'n', type: ids.int },
    ]);
    const split = sb.build();
    expect(split.startId).toBe(base.typeCount);
    expect(mod).toBe(base.typeCount + 1);
    const bytes = encodeBtf(split);
    const p = parseBtf(bytes, { base });
    expect(p.types).toEqual(split.types);
    expect(p.type(ids.task).name).toBe('task_struct');
    expect(p.name(mod)).toBe('module_thing');
    expect(p.findByName('task_struct', 'STRUCT').map((t) => t.id)).toEqual([ids.task]);
    expect(p.sizeof(mod)).toBe(16);
    // without the base, ids and strings do not resolve
    expect(['BTF_BAD_STRING', 'BTF_BAD_ID']).toContain(codeOf(() => parseBtf(bytes)));
  });

  it('accepts an empty type section', () => {
    const empty = Btf.fromTypes([]);
    const p = parseBtf(encodeBtf(empty));
    expect(p.types).toEqual([]);
    expect(p.typeCount).toBe(1);
  });

  describe('rejects malformed blobs with codes', () => {
    const good = encodeBtf(btf);
    const cases: [string, () => Uint8Array, BtfErrorCode][] = [
      ['empty', () => new Uint8Array(0), 'BTF_TRUNCATED'],
      ['bad magic', () => edit(good, (v) => v.setUint16(0, 0x1234, true)), 'BTF_BAD_MAGIC'],
      ['short header', () => good.subarray(0, 20), 'BTF_TRUNCATED'],
      ['version 2', () => edit(good, (v) => v.setUint8(2, 2)), 'BTF_BAD_HEADER'],
      ['flags', () => edit(good, (v) => v.setUint8(3, 1)), 'BTF_BAD_HEADER'],
      ['hdr_len 8', () => edit(good, (v) => v.setUint32(4, 8, true)), 'BTF_BAD_HEADER'],
      ['hdr_len huge', () => edit(good, (v) => v.setUint32(4, 0x10000000, true)), 'BTF_TRUNCATED'],
      ['type_off unaligned', () => edit(good, (v) => v.setUint32(8, 2, true)), 'BTF_BAD_HEADER'],
      ['type_len beyond', () => edit(good, (v) => v.setUint32(12, 0x100000, true)), 'BTF_TRUNCATED'],
      ['str_len beyond', () => edit(good, (v) => v.setUint32(20, 0x100000, true)), 'BTF_TRUNCATED'],
      ['overlapping sections', () => edit(good, (v) => v.setUint32(16, 4, true)), 'BTF_BAD_HEADER'],
      ['truncated type', () => edit(good, (v) => v.setUint32(12, v.getUint32(12, true) - 4, true)), 'BTF_TRUNCATED'],
      ['kind 0', () => edit(good, (v, t) => v.setUint32(t + 4, 0, true)), 'BTF_BAD_TYPE'],
      ['kind 31', () => edit(good, (v, t) => v.setUint32(t + 4, 31 << 24, true)), 'BTF_BAD_TYPE'],
      ['unused info bits', () => edit(good, (v, t) => v.setUint32(t + 4, (1 << 24) | (1 << 20), true)), 'BTF_BAD_TYPE'],
      ['INT with vlen', () => edit(good, (v, t) => v.setUint32(t + 4, (1 << 24) | 1, true)), 'BTF_BAD_TYPE'],
      ['INT with kind_flag', () => edit(good, (v, t) => v.setUint32(t + 4, ((1 << 24) | 0x80000000) >>> 0, true)), 'BTF_BAD_TYPE'],
      ['INT size 3', () => edit(good, (v, t) => v.setUint32(t + 8, 3, true)), 'BTF_BAD_TYPE'],
      ['INT bits 200', () => edit(good, (v, t) => v.setUint32(t + 12, 200, true)), 'BTF_BAD_TYPE'],
      ['INT reserved bits', () => edit(good, (v, t) => v.setUint32(t + 12, 0x100 | 32, true)), 'BTF_BAD_TYPE'],
      ['INT two encodings', () => edit(good, (v, t) => v.setUint32(t + 12, (3 << 24) | 32, true)), 'BTF_BAD_TYPE'],
      ['name outside strings', () => edit(good, (v, t) => v.setUint32(t, 0xffff, true)), 'BTF_BAD_STRING'],
      ['string section not NUL-terminated', () => edit(good, (v, _t, s) => v.setUint8(s + v.getUint32(20, true) - 1, 0x41)), 'BTF_BAD_STRING'],
      ['string section not starting with NUL', () => edit(good, (v, _t, s) => v.setUint8(s, 0x41)), 'BTF_BAD_STRING'],
      ['vlen beyond section', () => edit(good, (v, t) => v.setUint32(t + 4, (4 << 24) | 0xffff, true)), 'BTF_TRUNCATED'],
    ];
    for (const [name, make, code] of cases) it(name, () => expect(codeOf(() => parseBtf(make()))).toBe(code));
  });

  describe('model validation', () => {
    const cases: [string, () => Btf, BtfErrorCode][] = [
      ['type id out of range', () => Btf.fromTypes([{ kind: 'PTR', name: '', type: 5 }]), 'BTF_BAD_ID'],
      ['FUNC not pointing at FUNC_PROTO', () => Btf.fromTypes([{ kind: 'INT', name: 'int', size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false }, { kind: 'FUNC', name: 'f', type: 1, linkage: 'global' }]), 'BTF_BAD_ID'],
      ['DATASEC entry not VAR', () => Btf.fromTypes([{ kind: 'INT', name: 'int', size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false }, { kind: 'DATASEC', name: '.bss', size: 0, vars: [{ type: 1, offset: 0, size: 4 }] }]), 'BTF_BAD_ID'],
      ['pointer loop', () => Btf.fromTypes([{ kind: 'PTR', name: '', type: 2 }, { kind: 'CONST', name: '', type: 1 }]), 'BTF_LOOP'],
      ['self typedef', () => Btf.fromTypes([{ kind: 'TYPEDEF', name: 't', type: 1 }]), 'BTF_LOOP'],
      ['array of itself', () => Btf.fromTypes([{ kind: 'ARRAY', name: '', type: 1, indexType: 1, nelems: 2 }]), 'BTF_LOOP'],
      ['proto returning a pointer to itself', () => Btf.fromTypes([{ kind: 'FUNC_PROTO', name: '', returnType: 2, params: [] }, { kind: 'PTR', name: '', type: 1 }]), 'BTF_LOOP'],
      ['chain deeper than 32', () => Btf.fromTypes([{ kind: 'INT', name: 'int', size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false }, ...Array.from({ length: 40 }, (_, i) => ({ kind: 'PTR' as const, name: '', type: i + 1 }))]), 'BTF_TOO_DEEP'],
      ['union member off 0', () => Btf.fromTypes([{ kind: 'INT', name: 'int', size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false }, { kind: 'UNION', name: 'u', size: 8, kflag: false, members: [{ name: 'a', type: 1, bitOffset: 32, bitfieldSize: 0 }] }]), 'BTF_BAD_TYPE'],
      ['bitfield outside struct', () => Btf.fromTypes([{ kind: 'INT', name: 'int', size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false }, { kind: 'STRUCT', name: 's', size: 4, kflag: true, members: [{ name: 'a', type: 1, bitOffset: 30, bitfieldSize: 5 }] }]), 'BTF_BAD_TYPE'],
      ['bitfield without kind_flag', () => Btf.fromTypes([{ kind: 'INT', name: 'int', size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false }, { kind: 'STRUCT', name: 's', size: 4, kflag: false, members: [{ name: 'a', type: 1, bitOffset: 0, bitfieldSize: 5 }] }]), 'BTF_BAD_TYPE'],
      ['enum of size 3', () => Btf.fromTypes([{ kind: 'ENUM', name: 'e', size: 3, signed: false, values: [] }]), 'BTF_BAD_TYPE'],
      ['float of size 3', () => Btf.fromTypes([{ kind: 'FLOAT', name: 'f', size: 3 }]), 'BTF_BAD_TYPE'],
      ['void param not last', () => Btf.fromTypes([{ kind: 'FUNC_PROTO', name: '', returnType: 0, params: [{ name: '', type: 0 }, { name: 'x', type: 0 }] }]), 'BTF_BAD_TYPE'],
      ['DATASEC var beyond size', () => Btf.fromTypes([{ kind: 'INT', name: 'int', size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false }, { kind: 'VAR', name: 'v', type: 1, linkage: 'global' }, { kind: 'DATASEC', name: '.data', size: 4, vars: [{ type: 2, offset: 2, size: 4 }] }]), 'BTF_BAD_TYPE'],
      ['DECL_TAG on INT', () => Btf.fromTypes([{ kind: 'INT', name: 'int', size: 4, bits: 32, offset: 0, signed: true, char: false, bool: false }, { kind: 'DECL_TAG', name: 't', type: 1, componentIdx: -1, kflag: false }]), 'BTF_BAD_ID'],
      ['DECL_TAG component out of range', () => Btf.fromTypes([{ kind: 'STRUCT', name: 's', size: 0, kflag: false, members: [] }, { kind: 'DECL_TAG', name: 't', type: 1, componentIdx: 0, kflag: false }]), 'BTF_BAD_ID'],
      ['negative size', () => Btf.fromTypes([{ kind: 'STRUCT', name: 's', size: -1, kflag: false, members: [] }]), 'BTF_BAD_TYPE'],
    ];
    for (const [name, make, code] of cases) it(name, () => expect(codeOf(make)).toBe(code));
  });
});
