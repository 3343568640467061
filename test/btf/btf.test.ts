import { describe, expect, it } from 'vitest';
import { Btf, kindNumber } from '../../src/btf/btf.js';
import { BtfBuilder, encodeBtf } from '../../src/btf/encode.js';
import { BtfError, type BtfErrorCode } from '../../src/btf/errors.js';
import { BTF_KIND, btfKindName } from '../../src/btf/kinds.js';
import { parseBtf } from '../../src/btf/parse.js';
import { enum64Value, isAnyEnum, isComposite, isModifier, referencedIds, VOID } from '../../src/btf/types.js';
import { sampleBtf } from '../helpers/btf-builder.js';

function codeOf(f: () => unknown): BtfErrorCode | 'none' | 'other' {
  try {
    f();
    return 'none';
  } catch (e) {
    return e instanceof BtfError ? e.code : 'other';
  }
}

describe('Btf queries', () => {
  // Queries must behave the same on a parsed big-endian copy.
  for (const big of [false, true]) {
    const s = sampleBtf();
    const ids = s.ids;
    const btf = big ? parseBtf(encodeBtf(s.btf, { littleEndian: false })) : s.btf;
    describe(big ? 'parsed BE' : 'built', () => {
      it('type, has, name, kindName', () => {
        expect(btf.type(0)).toBe(VOID);
        expect(btf.type(ids.task).name).toBe('task_struct');
        expect(btf.name(ids.int)).toBe('int');
        expect(btf.name(ids.taskPtr)).toBe('');
        expect(btf.kindName(ids.cbProto)).toBe('FUNC_PROTO');
        expect(btf.kindName(0)).toBe('VOID');
        expect(btf.has(0)).toBe(true);
        expect(btf.has(btf.typeCount)).toBe(false);
        expect(btf.has(1.5)).toBe(false);
        expect(codeOf(() => btf.type(btf.typeCount))).toBe('BTF_BAD_ID');
        expect(codeOf(() => btf.type(-1))).toBe('BTF_BAD_ID');
      });

      it('findByName / findOne / ofKind', () => {
        expect(btf.findByName('task_struct').map((t) => t.kind).sort()).toEqual(['FWD', 'STRUCT']);
        expect(btf.findByName('task_struct', 'STRUCT').map((t) => t.id)).toEqual([ids.task]);
        expect(btf.findByName('nope')).toEqual([]);
        expect(btf.findOne('color', 'ENUM').id).toBe(ids.color);
        expect(codeOf(() => btf.findOne('nope', 'STRUCT'))).toBe('BTF_NOT_FOUND');
        expect(btf.ofKind('DATASEC').map((t) => t.name)).toEqual(['.bss', '.ksyms']);
      });

      it('resolve and skipModifiers', () => {
        expect(btf.resolve(ids.u64)).toBe(btf.findOne('unsigned long long', 'INT').id);
        expect(btf.resolve(ids.volatileInt)).toBe(ids.int);
        expect(btf.resolve(ids.tagged)).toBe(ids.int);
        expect(btf.resolve(ids.task)).toBe(ids.task);
        expect(btf.skipModifiers(ids.u64)).toBe(ids.u64);
        expect(btf.skipModifiers(ids.constChar)).toBe(ids.char);
        expect(btf.resolved(ids.u32).name).toBe('unsigned int');
      });

      it('sizeof', () => {
        expect(btf.sizeof(ids.int)).toBe(4);
        expect(btf.sizeof(ids.u64)).toBe(8);
        expect(btf.sizeof(ids.taskPtr)).toBe(8);
        expect(btf.sizeof(ids.inner)).toBe(8);
        expect(btf.sizeof(ids.bits)).toBe(16);
        expect(btf.sizeof(ids.arr)).toBe(64);
        expect(btf.sizeof(ids.varS)).toBe(64);
        expect(btf.sizeof(ids.color)).toBe(4);
        expect(btf.sizeof(ids.float)).toBe(8);
        expect(btf.findMember(ids.task, 'data')!.byteOffset).toBe(132);
        expect(btf.sizeof(ids.task)).toBe(136); // padded to its 8-byte alignment
        expect(codeOf(() => btf.sizeof(0))).toBe('BTF_NO_SIZE');
        expect(codeOf(() => btf.sizeof(ids.fwdUnion))).toBe('BTF_NO_SIZE');
        expect(codeOf(() => btf.sizeof(ids.func))).toBe('BTF_NO_SIZE');
        expect(codeOf(() => btf.sizeof(ids.cbProto))).toBe('BTF_NO_SIZE');
      });

      it('alignof', () => {
        expect(btf.alignof(ids.char)).toBe(1);
        expect(btf.alignof(ids.int)).toBe(4);
        expect(btf.alignof(ids.u64)).toBe(8);
        expect(btf.alignof(ids.inner)).toBe(4);
        expect(btf.alignof(ids.bits)).toBe(8);
        expect(btf.alignof(ids.task)).toBe(8);
        expect(btf.alignof(ids.arr)).toBe(4);
        expect(codeOf(() => btf.alignof(ids.fwdUnion))).toBe('BTF_NO_SIZE');
      });

      it('members and findMember (through anonymous members)', () => {
        const ms = btf.members(ids.bits);
        expect(ms.map((m) => [m.name, m.bitOffset, m.byteOffset, m.bitfieldSize])).toEqual([
          ['x', 0, 0, 3],
          ['y', 3, 0, 5],
          ['z', 8, 1, 40],
          ['in', 64, 8, 0],
        ]);
        const anon = btf.findMember(ids.task, 'anon_c')!;
        expect(anon.byteOffset).toBe(16);
        expect(anon.path.map((p) => p.index)).toEqual([2, 1, 1]);
        expect(btf.findMember(ids.task, 'anon_a')!.byteOffset).toBe(8);
        expect(btf.findMember(ids.task, 'mode')).toMatchObject({ bitOffset: 452, bitfieldSize: 12 });
        expect(btf.findMember(ids.task, 'nope')).toBeUndefined();
        expect(btf.findMember(ids.task, '')).toBeUndefined();
        expect(codeOf(() => btf.members(ids.int))).toBe('BTF_BAD_ID');
        // typedef to a struct works too
        const b = new BtfBuilder();
        const i = b.int('int', 4, { signed: true });
        const s = b.struct('s', [{ name: 'a', type: i }, { name: 'b', type: i }]);
        const td = b.typedef('s_t', s);
        expect(b.build().findMember(td, 'b')!.byteOffset).toBe(4);
      });

      it('datasec and datasecs', () => {
        const bss = btf.datasec('.bss')!;
        expect(bss.id).toBe(ids.bss);
        expect(bss.vars.map((v) => [v.name, v.kind, v.linkage, v.offset, v.size])).toEqual([
          ['hits', 'VAR', 'static', 8, 64],
          ['counter', 'VAR', 'global', 0, 8],
        ]);
        const ksyms = btf.datasec('.ksyms')!;
        expect(ksyms.vars.map((v) => [v.name, v.kind, v.linkage])).toEqual([
          ['bpf_kfunc', 'FUNC', 'extern'],
          ['LINUX_KERNEL_VERSION', 'VAR', 'extern'],
        ]);
        expect(btf.datasec('.data')).toBeUndefined();
        expect(btf.datasecs().map((d) => d.name)).toEqual(['.bss', '.ksyms']);
      });

      it('funcProto and paramNames', () => {
        expect(btf.funcProto(ids.func).id).toBe(ids.funcProto);
        expect(btf.funcProto(ids.cb).id).toBe(ids.cbProto);
        expect(btf.paramNames(ids.func)).toEqual(['t', 'ctx']);
        expect(btf.paramNames(ids.cbProto)).toEqual(['', '', '...']);
        expect(codeOf(() => btf.funcProto(ids.int))).toBe('BTF_BAD_ID');
      });

      it('stringAt', () => {
        expect(btf.stringAt(0)).toBe('');
        expect(codeOf(() => btf.stringAt(1 << 20))).toBe('BTF_BAD_STRING');
      });
    });
  }

  it('kind tables and helpers', () => {
    expect(btfKindName(BTF_KIND.ENUM64)).toBe('ENUM64');
    expect(btfKindName(99)).toBe('UNKN(99)');
    const { btf, ids } = sampleBtf();
    expect(kindNumber(btf.type(ids.task))).toBe(4);
    expect(kindNumber(VOID)).toBe(0);
    expect(referencedIds(btf.type(ids.inner))).toEqual([ids.int, btf.findMember(ids.inner, 'b')!.type]);
    expect(isComposite(btf.type(ids.anonUnion))).toBe(true);
    expect(isAnyEnum(btf.type(ids.big))).toBe(true);
    expect(isModifier(btf.type(ids.tagged))).toBe(true);
    expect(isModifier(btf.type(ids.u64))).toBe(false);
    const big = btf.type(ids.big);
    if (big.kind !== 'ENUM64') throw new Error('unreachable');
    expect(enum64Value(big.values[2]!, false)).toBe(0xffff_ffff_ffff_ffffn);
    expect(enum64Value(big.values[2]!, true)).toBe(-1n);
  });

  it('array sizes that overflow u32 are errors, not wrong numbers', () => {
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    const a = b.array(i, 0x3fff_ffff);
    const aa = b.array(a, 8);
    const c = b.array(i, 0x4000_0000);
    const btf = b.build();
    expect(btf.sizeof(a)).toBe(0xffff_fffc);
    expect(codeOf(() => btf.sizeof(aa))).toBe('BTF_NO_SIZE');
    expect(codeOf(() => btf.sizeof(c))).toBe('BTF_NO_SIZE');
  });

  it('packed structs align to 1', () => {
    const b = new BtfBuilder();
    const c = b.int('char', 1, { signed: true });
    const i = b.int('int', 4, { signed: true });
    const p = b.struct('p', [{ name: 'c', type: c }, { name: 'i', type: i, bitOffset: 8 }], 5);
    const btf = b.build();
    expect(btf.alignof(p)).toBe(1);
  });

  it('alignof on self-embedding structs is bounded', () => {
    const btf = Btf.fromTypes([{ kind: 'STRUCT', name: 's', size: 4, kflag: false, members: [{ name: 'self', type: 1, bitOffset: 0, bitfieldSize: 0 }] }]);
    expect(codeOf(() => btf.alignof(1))).toBe('BTF_TOO_DEEP');
    expect(codeOf(() => btf.findMember(1, 'x'))).toBe('none');
  });

  it('findMember on self-embedding anonymous structs is bounded', () => {
    const btf = Btf.fromTypes([{ kind: 'STRUCT', name: '', size: 4, kflag: false, members: [{ name: '', type: 1, bitOffset: 0, bitfieldSize: 0 }] }]);
    expect(codeOf(() => btf.findMember(1, 'x'))).toBe('BTF_TOO_DEEP');
  });
});
