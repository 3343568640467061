import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.js';
import { BtfBuilder } from '../../src/btf/encode.js';
import { BtfError, type BtfErrorCode } from '../../src/btf/errors.js';
import { describeType, printC } from '../../src/btf/printc.js';
import { sampleBtf } from '../helpers/btf-builder.js';

function codeOf(f: () => unknown): BtfErrorCode | 'none' | 'other' {
  try {
    f();
    return 'none';
  } catch (e) {
    return e instanceof BtfError ? e.code : 'other';
  }
}

const golden = (name: string) => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8');

/**
 * Layout corner cases. The golden output was checked against
 * `bpftool btf dump file <encoded> format c` (bpftool 7.1): identical except that this
 * printer, like current libbpf, adds mode(byte)/mode(word) to 1- and 8-byte enums.
 */
function special(): Btf {
  const b = new BtfBuilder();
  const c = b.int('char', 1, { signed: true });
  const i = b.int('int', 4, { signed: true });
  const l = b.int('long', 8, { signed: true });
  const p8 = b.int('__Poly8_t', 1);
  b.struct('holes', [{ name: 'a', type: c }, { name: 'b', type: l, bitOffset: 128 }], 32);
  b.struct('packed', [{ name: 'c', type: c }, { name: 'i', type: i, bitOffset: 8 }], 5);
  b.struct('tailbits', [{ name: 'a', type: i, bitfieldSize: 3 }, { name: 'b', type: i, bitOffset: 16, bitfieldSize: 2 }], 8);
  b.enum('small', [['S_A', 1]], { size: 1 });
  b.enum('wide', [['W_A', 1]], { size: 8 });
  b.enum64('wide64', [['W64_A', 1n]]);
  b.enum('', [['TOP_CONST', 7]]);
  b.enum('dup', [['RED', 1]]);
  b.enum('dup2', [['RED', 2]]);
  b.struct('name', [{ name: 'x', type: i }]);
  b.struct('name', [{ name: 'y', type: i }]);
  const anon = b.struct('', [{ name: 'v', type: i }]);
  b.typedef('anon_t', anon);
  const a2 = b.array(b.array(i, 3), 2);
  const pa = b.ptr(b.array(i, 4));
  const fp = b.ptr(b.funcProto(b.ptr(c), [['n', i]]));
  const fpfp = b.ptr(b.funcProto(fp, [['', i]]));
  b.struct('decls', [{ name: 'm', type: a2 }, { name: 'pa', type: pa }, { name: 'fp', type: fp }, { name: 'fpfp', type: fpfp }, { name: 'p8', type: p8 }]);
  b.typedef('__gnuc_va_list', 0);
  b.struct('empty', [], 0);
  const sA = b.struct('A', [{ name: 'x', type: i }]);
  const pA = b.ptr(sA);
  b.struct('B', [{ name: 'a', type: pA }]);
  return b.build();
}

describe('printC', () => {
  it('prints the sample types like bpftool (golden, with header)', () => {
    expect(printC(sampleBtf().btf)).toBe(golden('sample.h'));
  });

  it('handles padding, packing, enum sizes, duplicate names, declarators (golden)', () => {
    expect(printC(special(), { header: false })).toBe(golden('special.h'));
  });

  it('orders embedded types before their users and forward-declares pointer cycles', () => {
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    const fa = b.fwd('a');
    const pfa = b.ptr(fa);
    const bb = b.struct('b', [{ name: 'back', type: pfa }, { name: 'n', type: i }]);
    b.struct('a', [{ name: 'inner', type: bb }]);
    const out = printC(b.build(), { header: false });
    expect(out.indexOf('struct b {')).toBeLessThan(out.indexOf('struct a {'));
    expect(out.indexOf('struct a;')).toBeLessThan(out.indexOf('struct b {'));
  });

  it('rejects embedding cycles and bounds nesting', () => {
    const loop = Btf.fromTypes([
      { kind: 'STRUCT', name: 'x', size: 4, kflag: false, members: [{ name: 'y', type: 2, bitOffset: 0, bitfieldSize: 0 }] },
      { kind: 'STRUCT', name: 'y', size: 4, kflag: false, members: [{ name: 'x', type: 1, bitOffset: 0, bitfieldSize: 0 }] },
    ]);
    expect(codeOf(() => printC(loop))).toBe('BTF_LOOP');
    const self = Btf.fromTypes([{ kind: 'STRUCT', name: '', size: 4, kflag: false, members: [{ name: '', type: 1, bitOffset: 0, bitfieldSize: 0 }] }, { kind: 'TYPEDEF', name: 't', type: 1 }]);
    expect(['BTF_TOO_DEEP', 'BTF_LOOP']).toContain(codeOf(() => printC(self)));
    // prototypes whose parameters point back at themselves
    const proto = Btf.fromTypes([
      { kind: 'FUNC_PROTO', name: '', returnType: 0, params: [{ name: 'f', type: 2 }] },
      { kind: 'PTR', name: '', type: 1 },
      { kind: 'TYPEDEF', name: 'fn_t', type: 2 },
    ]);
    expect(codeOf(() => describeType(proto, 2))).toBe('BTF_TOO_DEEP');
  });
});

describe('describeType', () => {
  const { btf, ids } = sampleBtf();
  const cases: [string, number, string][] = [
    ['void', 0, 'void'],
    ['int', ids.int, 'int'],
    ['typedef', ids.u64, 'u64'],
    ['struct', ids.task, 'struct task_struct'],
    ['pointer', ids.taskPtr, 'struct task_struct *'],
    ['anonymous struct', ids.anonStruct, 'struct {...}'],
    ['anonymous union', ids.anonUnion, 'union {...}'],
    ['function pointer', ids.cb, 'int (*)(struct task_struct *, int, ...)'],
    ['prototype', ids.cbProto, 'int(struct task_struct *, int, ...)'],
    ['const', ids.constChar, 'const char'],
    ['restrict pointer', ids.restrictPtr, 'const char * restrict'],
    ['type tag', ids.tagged, 'int __attribute__((btf_type_tag("user")))'],
    ['array', ids.arr, 'u32[16]'],
    ['enum', ids.color, 'enum color'],
    ['enum64', ids.big, 'enum big'],
    ['fwd union', ids.fwdUnion, 'union opaque'],
    ['float', ids.float, 'double'],
    ['func', ids.func, 'int handler(struct task_struct *t, u32 ctx)'],
    ['global var', ids.varG, 'u64 counter'],
    ['array var', ids.varS, 'u32 hits[16]'],
    ['datasec', ids.bss, 'datasec .bss'],
    ['decl tag', ids.declTag, 'decl_tag kfunc on int handler(struct task_struct *t, u32 ctx)'],
    ['member decl tag', ids.declTagMember, 'decl_tag user_member on struct task_struct (component 11)'],
  ];
  for (const [name, id, want] of cases) it(name, () => expect(describeType(btf, id)).toBe(want));

  it('pointer to array', () => {
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    const p = b.ptr(b.array(i, 4));
    expect(describeType(b.build(), p)).toBe('int (*)[4]');
  });

  it('throws BTF_BAD_ID for unknown ids', () => {
    expect(codeOf(() => describeType(btf, 9999))).toBe('BTF_BAD_ID');
  });
});
