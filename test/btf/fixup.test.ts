import { describe, expect, it } from 'vitest';
import { BtfBuilder } from '../../src/btf/encode.js';
import { BtfError, type BtfErrorCode } from '../../src/btf/errors.js';
import { fixupDatasecs } from '../../src/btf/fixup.js';

function codeOf(f: () => unknown): BtfErrorCode | 'none' | 'other' {
  try {
    f();
    return 'none';
  } catch (e) {
    return e instanceof BtfError ? e.code : 'other';
  }
}

/** What clang emits: DATASEC size 0, global VARs at offset 0, a static VAR with its offset. */
function clangLike() {
  const b = new BtfBuilder();
  const i = b.int('int', 4, { signed: true });
  const calls = b.var('calls', i, 'static');
  const total = b.var('total', i, 'global');
  const last = b.var('last', i, 'global');
  const ext = b.var('CONFIG_X', i, 'extern');
  const bss = b.datasec('.bss', [
    { type: calls, offset: 0, size: 4 },
    { type: total, offset: 0, size: 4 },
    { type: last, offset: 0, size: 4 },
  ]);
  const kconfig = b.datasec('.kconfig', [{ type: ext, offset: 0, size: 4 }]);
  const linked = b.datasec('.data', [{ type: last, offset: 4, size: 4 }], 8);
  return { btf: b.build(), calls, total, last, bss, kconfig, linked };
}

describe('fixupDatasecs', () => {
  const sizes: Record<string, number> = { '.bss': 12, '.data': 8 };
  const syms: Record<string, number> = { total: 8, last: 4, calls: 0 };

  it('sets DATASEC sizes and global VAR offsets, keeps static ones, sorts by offset', () => {
    const c = clangLike();
    const fixed = fixupDatasecs(c.btf, (n) => sizes[n], (v) => syms[v]);
    expect(fixed).not.toBe(c.btf);
    const bss = fixed.datasec('.bss')!;
    expect(bss.size).toBe(12);
    expect(bss.vars.map((v) => [v.name, v.offset])).toEqual([
      ['calls', 0],
      ['last', 4],
      ['total', 8],
    ]);
    // the original is untouched (immutable style)
    expect(c.btf.datasec('.bss')!.size).toBe(0);
  });

  it('leaves .kconfig/.ksyms and already-sized sections alone', () => {
    const c = clangLike();
    const fixed = fixupDatasecs(c.btf, (n) => sizes[n], (v) => syms[v]);
    expect(fixed.datasec('.kconfig')).toEqual(c.btf.datasec('.kconfig'));
    expect(fixed.datasec('.data')).toEqual(c.btf.datasec('.data'));
  });

  it('returns the same Btf when nothing changes', () => {
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    const v = b.var('v', i);
    b.datasec('.data', [{ type: v, offset: 0, size: 4 }], 4);
    const btf = b.build();
    expect(fixupDatasecs(btf, () => 4, () => 0)).toBe(btf);
  });

  it('makes hidden globals static when told', () => {
    const c = clangLike();
    const fixed = fixupDatasecs(c.btf, (n) => sizes[n], (v) => syms[v], { isHidden: (n) => n === 'total' });
    expect(fixed.type(c.total)).toMatchObject({ kind: 'VAR', linkage: 'static' });
    expect(fixed.type(c.last)).toMatchObject({ kind: 'VAR', linkage: 'global' });
  });

  it('fails like libbpf when the ELF section or symbol is missing', () => {
    const c = clangLike();
    expect(codeOf(() => fixupDatasecs(c.btf, () => undefined, (v) => syms[v]))).toBe('BTF_FIXUP');
    expect(codeOf(() => fixupDatasecs(c.btf, () => 0, (v) => syms[v]))).toBe('BTF_FIXUP');
    expect(codeOf(() => fixupDatasecs(c.btf, (n) => sizes[n], (v) => (v === 'total' ? undefined : syms[v])))).toBe('BTF_FIXUP');
  });

  it('fails on a non-VAR entry in a data section', () => {
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    const f = b.func('f', b.funcProto(i, []));
    b.datasec('.data', [{ type: f, offset: 0, size: 0 }]);
    expect(codeOf(() => fixupDatasecs(b.build(), () => 4, () => 0))).toBe('BTF_FIXUP');
  });

  it('rejects a symbol offset that puts a variable outside its section', () => {
    const c = clangLike();
    expect(codeOf(() => fixupDatasecs(c.btf, (n) => sizes[n], (v) => (v === 'total' ? 100 : syms[v])))).toBe('BTF_BAD_TYPE');
  });
});
