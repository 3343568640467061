import { describe, expect, it } from 'vitest';
import { BtfBuilder } from '../../src/btf/encode.js';
import { BtfError, type BtfErrorCode } from '../../src/btf/errors.js';
import { extRecordsFor, parseBtfExt } from '../../src/btf/ext.js';
import { writeBtfExt, type ExtBlock } from '../helpers/btf-builder.js';

function codeOf(f: () => unknown): BtfErrorCode | 'none' | 'other' {
  try {
    f();
    return 'none';
  } catch (e) {
    return e instanceof BtfError ? e.code : 'other';
  }
}

/** A tiny object BTF: two FUNCs and a struct for CO-RE records, plus the strings ext needs. */
function objBtf() {
  const b = new BtfBuilder();
  const i = b.int('int', 4, { signed: true });
  const proto = b.funcProto(i, [['ctx', i]]);
  const f1 = b.func('prog', proto);
  const f2 = b.func('sub', proto, 'static');
  const s = b.struct('task_struct', [{ name: 'pid', type: i }]);
  // names used by .BTF.ext live in the BTF string table; add them as FWD names
  for (const n of ['xdp', '.text', 'x.c', 'int prog(int ctx)', '0:0']) b.fwd(n);
  const btf = b.build();
  /** Offset of a whole string in the BTF string section. */
  const off = (name: string): number => {
    const bytes = btf.strings.bytes;
    const enc = new TextEncoder().encode(name);
    for (let k = 0; k + enc.length < bytes.length; k++) {
      if (k > 0 && bytes[k - 1] !== 0) continue;
      if (bytes[k + enc.length] === 0 && enc.every((x, j) => bytes[k + j] === x)) return k;
    }
    throw new Error(`no string ${name}`);
  };
  return { btf, i, f1, f2, s, off };
}

describe('parseBtfExt', () => {
  const o = objBtf();
  const fi = (recSize = 8): ExtBlock => ({
    recSize,
    sections: [
      { nameOff: o.off('xdp'), records: [[0, o.f1]] },
      { nameOff: o.off('.text'), records: [[0, o.f2], [64, o.f2]] },
    ],
  });
  const li = (recSize = 16): ExtBlock => ({
    recSize,
    sections: [{ nameOff: o.off('xdp'), records: [[0, o.off('x.c'), o.off('int prog(int ctx)'), (12 << 10) | 5], [16, o.off('x.c'), 0, 13 << 10]] }],
  });
  const cr = (recSize = 16): ExtBlock => ({
    recSize,
    sections: [{ nameOff: o.off('xdp'), records: [[8, o.s, o.off('0:0'), 0]] }],
  });

  for (const le of [true, false]) {
    it(`parses func_info, line_info and core_relo (${le ? 'LE' : 'BE'})`, () => {
      const ext = parseBtfExt(writeBtfExt({ littleEndian: le, funcInfo: fi(), lineInfo: li(), coreRelo: cr() }), le, o.btf);
      expect(ext.hdrLen).toBe(32);
      expect(ext.recSizes).toEqual({ funcInfo: 8, lineInfo: 16, coreRelo: 16 });
      expect(ext.funcInfo.map((s) => s.section)).toEqual(['xdp', '.text']);
      expect(extRecordsFor(ext.funcInfo, '.text')).toEqual([{ insnOff: 0, typeId: o.f2 }, { insnOff: 64, typeId: o.f2 }]);
      expect(extRecordsFor(ext.lineInfo, 'xdp')).toEqual([
        { insnOff: 0, fileName: 'x.c', lineText: 'int prog(int ctx)', line: 12, column: 5 },
        { insnOff: 16, fileName: 'x.c', lineText: '', line: 13, column: 0 },
      ]);
      expect(extRecordsFor(ext.coreRelos, 'xdp')).toEqual([{ insnOff: 8, typeId: o.s, accessStr: '0:0', kind: 0 }]);
      expect(extRecordsFor(ext.coreRelos, 'nope')).toEqual([]);
    });
  }

  it('skips the tail of records larger than known', () => {
    const f = fi(12);
    f.sections.forEach((s) => s.records.forEach((r) => r.push(0xdead)));
    const ext = parseBtfExt(writeBtfExt({ funcInfo: f, lineInfo: li(20), coreRelo: cr(24) }), true, o.btf);
    expect(ext.recSizes).toEqual({ funcInfo: 12, lineInfo: 20, coreRelo: 24 });
    expect(extRecordsFor(ext.funcInfo, '.text').map((r) => r.insnOff)).toEqual([0, 64]);
    expect(extRecordsFor(ext.coreRelos, 'xdp')[0]!.accessStr).toBe('0:0');
  });

  it('accepts hdr_len 24 (no core_relo) and hdr_len > 32', () => {
    const short = parseBtfExt(writeBtfExt({ hdrLen: 24, funcInfo: fi(), lineInfo: li(), coreRelo: cr() }), true, o.btf);
    expect(short.coreRelos).toEqual([]);
    expect(short.funcInfo.length).toBe(2);
    const long = parseBtfExt(writeBtfExt({ hdrLen: 40, funcInfo: fi(), coreRelo: cr() }), true, o.btf);
    expect(long.hdrLen).toBe(40);
    expect(long.lineInfo).toEqual([]);
    expect(extRecordsFor(long.coreRelos, 'xdp').length).toBe(1);
  });

  describe('rejects malformed .BTF.ext', () => {
    const good = () => writeBtfExt({ funcInfo: fi(), lineInfo: li(), coreRelo: cr() });
    const patch = (f: (v: DataView) => void) => {
      const b = good();
      f(new DataView(b.buffer));
      return b;
    };
    const cases: [string, () => Uint8Array, boolean][] = [
      ['too short', () => new Uint8Array(4), true],
      ['bad magic', () => patch((v) => v.setUint16(0, 0x1111, true)), true],
      ['wrong byte order', () => good(), false],
      ['version', () => patch((v) => v.setUint8(2, 9)), true],
      ['flags', () => patch((v) => v.setUint8(3, 1)), true],
      ['hdr_len small', () => patch((v) => v.setUint32(4, 16, true)), true],
      ['hdr_len beyond', () => patch((v) => v.setUint32(4, 1 << 20, true)), true],
      ['block unaligned', () => patch((v) => v.setUint32(8, 2, true)), true],
      ['block beyond', () => patch((v) => v.setUint32(12, 1 << 20, true)), true],
      ['record size too small', () => patch((v) => v.setUint32(32, 4, true)), true],
      ['record size unaligned', () => patch((v) => v.setUint32(32, 9, true)), true],
      ['zero records', () => patch((v) => v.setUint32(32 + 8, 0, true)), true],
      ['too many records', () => patch((v) => v.setUint32(32 + 8, 1000, true)), true],
      ['section name outside strings', () => patch((v) => v.setUint32(32 + 4, 1 << 20, true)), true],
      ['func_info type out of range', () => patch((v) => v.setUint32(32 + 12 + 4, 999, true)), true],
      ['func_info type not FUNC', () => patch((v) => v.setUint32(32 + 12 + 4, o.i, true)), true],
      ['insn_off not a multiple of 8', () => patch((v) => v.setUint32(32 + 12, 3, true)), true],
      ['block with only a record size', () => writeBtfExt({ funcInfo: { recSize: 8, sections: [] } }), true],
    ];
    for (const [name, make, le] of cases) it(name, () => expect(codeOf(() => parseBtfExt(make(), le, o.btf))).toBe('BTF_BAD_EXT'));
  });
});
