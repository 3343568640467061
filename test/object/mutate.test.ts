/**
 * Robustness: seeded, reproducible mutations of every fixture through the whole loadObjectSpec.
 * Each result must be a spec (that specToJSON can print) or a typed error (ObjectError, ElfError,
 * BtfError); anything else (TypeError, RangeError, stack overflow, a hang) fails with the case
 * number, fixture and mutation. Reproduce one case with MUTATE_CASE=<n>.
 */
import { describe, expect, it } from 'vitest';
import { BtfError } from '../../src/btf/errors.js';
import { ElfError } from '../../src/elf/errors.js';
import { parseElf, SHT } from '../../src/elf/index.js';
import { ObjectError, loadObjectSpec, specToJSON } from '../../src/object/index.js';
import { readFileSync } from 'node:fs';
import { fixtureObjects, interesting, Rng, type Mutation } from '../elf/mutate.js';

const CASES = 10_000;
const SEED = 0x0b1ec7;

/** Where the interesting structures of an object are, for targeted mutations. */
interface Layout {
  readonly le: boolean;
  readonly shoff: number;
  readonly shnum: number;
  /** [file offset, size, sh_type, name] of every section with bytes. */
  readonly sections: readonly { off: number; size: number; type: number; name: string; exec: boolean }[];
  readonly symtab: { off: number; count: number };
  readonly rels: readonly { off: number; count: number }[];
  readonly btf?: { off: number; size: number; typeLen: number; strOff: number; strLen: number };
  readonly ext?: { off: number; size: number };
}

function layoutOf(bytes: Uint8Array): Layout {
  const e = parseElf(bytes);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = e.littleEndian;
  const shoff = Number(v.getBigUint64(40, le));
  const find = (n: string) => e.sections.find((s) => s.name === n);
  const st = e.sections[e.symtabIndex]!;
  const b = find('.BTF');
  const x = find('.BTF.ext');
  return {
    le,
    shoff,
    shnum: e.sections.length,
    sections: e.sections.filter((s) => s.index !== 0 && s.type !== SHT.NOBITS && s.size > 0).map((s) => ({ off: s.offset, size: s.size, type: s.type, name: s.name, exec: (s.flags & 4) !== 0 })),
    symtab: { off: st.offset, count: st.size / 24 },
    rels: e.sections.filter((s) => s.type === SHT.REL && !s.name.startsWith('.rel.debug')).map((s) => ({ off: s.offset, count: s.size / 16 })),
    ...(b === undefined ? {} : { btf: { off: b.offset, size: b.size, typeLen: v.getUint32(b.offset + 12, le), strOff: v.getUint32(b.offset + 16, le), strLen: v.getUint32(b.offset + 20, le) } }),
    ...(x === undefined ? {} : { ext: { off: x.offset, size: x.size } }),
  };
}

function put(bytes: Uint8Array, off: number, width: 1 | 2 | 4 | 8, value: number, le: boolean): void {
  if (off < 0 || off + width > bytes.length) return;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (width === 1) v.setUint8(off, value & 0xff);
  else if (width === 2) v.setUint16(off, value & 0xffff, le);
  else if (width === 4) v.setUint32(off, value >>> 0, le);
  else v.setBigUint64(off, BigInt(value >>> 0), le);
}

type Mutator = (rng: Rng, input: Uint8Array, l: Layout) => Mutation;

function field(rng: Rng, input: Uint8Array, l: Layout, base: number, fields: readonly (readonly [string, number, 1 | 2 | 4 | 8])[], what: string, limit: number): Mutation {
  const out = input.slice();
  const [name, off, width] = rng.pick(fields);
  const value = interesting(rng, limit);
  put(out, base + off, width, value, l.le);
  return { bytes: out, what: `${what}.${name} := 0x${value.toString(16)}` };
}

const SHDR_FIELDS = [['sh_name', 0, 4], ['sh_type', 4, 4], ['sh_flags', 8, 8], ['sh_offset', 24, 8], ['sh_size', 32, 8], ['sh_link', 40, 4], ['sh_info', 44, 4], ['sh_entsize', 56, 8]] as const;
const SYM_FIELDS = [['st_name', 0, 4], ['st_info', 4, 1], ['st_other', 5, 1], ['st_shndx', 6, 2], ['st_value', 8, 8], ['st_size', 16, 8]] as const;
const REL_FIELDS = [['r_offset', 0, 8], ['r_type', 8, 4], ['r_sym', 12, 4]] as const;
const BTF_HDR = [['magic', 0, 2], ['version', 2, 1], ['flags', 3, 1], ['hdr_len', 4, 4], ['type_off', 8, 4], ['type_len', 12, 4], ['str_off', 16, 4], ['str_len', 20, 4]] as const;
const EXT_HDR = [['hdr_len', 4, 4], ['func_info_off', 8, 4], ['func_info_len', 12, 4], ['line_info_off', 16, 4], ['line_info_len', 20, 4], ['core_relo_off', 24, 4], ['core_relo_len', 28, 4]] as const;
const INSN = [['code', 0, 1], ['regs', 1, 1], ['off', 2, 2], ['imm', 4, 4]] as const;

const MUTATORS: readonly (readonly [string, Mutator])[] = [
  ['truncate', (rng, input) => {
    const n = rng.int(input.length);
    return { bytes: input.slice(0, n), what: `truncate to ${n}` };
  }],
  ['flip', (rng, input) => {
    const out = input.slice();
    const at = rng.int(out.length);
    if (at < out.length) out[at] = rng.int(256);
    return { bytes: out, what: `byte ${at} := ${out[at] ?? '-'}` };
  }],
  ['section header', (rng, input, l) => {
    const i = 1 + rng.int(l.shnum - 1);
    return field(rng, input, l, l.shoff + 64 * i, SHDR_FIELDS, `section[${i}]`, input.length);
  }],
  ['symbol', (rng, input, l) => {
    const i = rng.int(l.symtab.count);
    return field(rng, input, l, l.symtab.off + 24 * i, SYM_FIELDS, `symbol[${i}]`, 0x400);
  }],
  ['relocation', (rng, input, l) => {
    if (l.rels.length === 0) return { bytes: input.slice(), what: 'no relocations' };
    const r = rng.pick(l.rels);
    const i = rng.int(r.count);
    return field(rng, input, l, r.off + 16 * i, REL_FIELDS, `rel@${r.off}[${i}]`, 0x400);
  }],
  ['instruction', (rng, input, l) => {
    const code = l.sections.filter((s) => s.exec);
    if (code.length === 0) return { bytes: input.slice(), what: 'no code' };
    const s = rng.pick(code);
    const pc = rng.int(s.size / 8);
    return field(rng, input, l, s.off + 8 * pc, INSN, `${s.name}[${pc}]`, 0x100);
  }],
  ['section bytes', (rng, input, l) => {
    const s = rng.pick(l.sections);
    const out = input.slice();
    const k = 1 + rng.int(4);
    const spots: string[] = [];
    for (let j = 0; j < k; j++) {
      const at = s.off + rng.int(s.size);
      if (at >= out.length) continue;
      out[at] = rng.int(256);
      spots.push(`${at}=${out[at]!}`);
    }
    return { bytes: out, what: `${s.name}: bytes ${spots.join(',')}` };
  }],
  ['btf header', (rng, input, l) => (l.btf === undefined ? { bytes: input.slice(), what: 'no BTF' } : field(rng, input, l, l.btf.off, BTF_HDR, '.BTF', l.btf.size))],
  ['btf type', (rng, input, l) => {
    if (l.btf === undefined) return { bytes: input.slice(), what: 'no BTF' };
    // A word inside the type section: name_off, info, size/type or a trailing record field.
    const w = rng.int(Math.max(1, l.btf.typeLen / 4));
    const out = input.slice();
    const value = interesting(rng, 0x200);
    put(out, l.btf.off + 24 + 4 * w, 4, value, l.le);
    return { bytes: out, what: `.BTF type word ${w} := 0x${value.toString(16)}` };
  }],
  ['btf strings', (rng, input, l) => {
    if (l.btf === undefined) return { bytes: input.slice(), what: 'no BTF' };
    const out = input.slice();
    const at = l.btf.off + 24 + l.btf.strOff + rng.int(Math.max(1, l.btf.strLen));
    if (at < out.length) out[at] = rng.pick([0, 0x5f, 0x2e, 0x41, 0xff, rng.int(256)]);
    return { bytes: out, what: `.BTF string byte ${at} := ${out[at]!}` };
  }],
  ['btf.ext', (rng, input, l) => {
    if (l.ext === undefined) return { bytes: input.slice(), what: 'no .BTF.ext' };
    if (rng.int(3) === 0) return field(rng, input, l, l.ext.off, EXT_HDR, '.BTF.ext', l.ext.size);
    const w = rng.int(l.ext.size / 4);
    const out = input.slice();
    const value = interesting(rng, 0x400);
    put(out, l.ext.off + 4 * w, 4, value, l.le);
    return { bytes: out, what: `.BTF.ext word ${w} := 0x${value.toString(16)}` };
  }],
];

/** Run case `n`: the fixture, the mutation, and what happened. */
function runCase(n: number, fixtures: readonly (readonly [string, Uint8Array, Layout])[]): { fixture: string; what: string; outcome: string; bad?: unknown } {
  const [fixture, bytes, layout] = fixtures[n % fixtures.length]!;
  const rng = new Rng((SEED + Math.imul(n, 0x9e3779b1)) >>> 0);
  const [kind, mutate] = MUTATORS[rng.int(MUTATORS.length)]!;
  let m = mutate(rng, bytes, layout);
  // Sometimes stack a second mutation on top.
  if (rng.int(4) === 0) {
    const [k2, mut2] = MUTATORS[2 + rng.int(MUTATORS.length - 2)]!;
    const m2 = mut2(rng, m.bytes, layout);
    m = { bytes: m2.bytes, what: `${m.what}; ${k2}: ${m2.what}` };
  }
  const what = `${kind}: ${m.what}`;
  try {
    const spec = loadObjectSpec(m.bytes, { name: fixture });
    JSON.stringify(specToJSON(spec));
    return { fixture, what, outcome: 'spec' };
  } catch (e) {
    if (e instanceof ObjectError || e instanceof ElfError || e instanceof BtfError) return { fixture, what, outcome: e.code };
    return { fixture, what, outcome: 'BAD', bad: e };
  }
}

describe('loadObjectSpec on mutated fixtures', () => {
  const fixtures = [...fixtureObjects()].map(([n, b]) => [n.replace(/\.bpf\.o$/, ''), b, layoutOf(b)] as const);

  it('has every committed fixture object (programs/SHA256SUMS lists them)', () => {
    const listed = readFileSync(new URL('../../programs/SHA256SUMS', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.endsWith('.bpf.o'));
    expect(fixtures.length).toBe(listed.length);
    expect(fixtures.length).toBeGreaterThanOrEqual(58);
  });

  it(`gives a spec or a typed error for ${CASES} seeded mutations`, () => {
    const only = process.env.MUTATE_CASE;
    const cases = only === undefined ? Array.from({ length: CASES }, (_, i) => i) : [Number(only)];
    const outcomes = new Map<string, number>();
    const failures: string[] = [];
    for (const n of cases) {
      const r = runCase(n, fixtures);
      outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
      if (r.outcome === 'BAD') {
        const e = r.bad;
        failures.push(`case ${n} (MUTATE_CASE=${n}) ${r.fixture}: ${r.what}: ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 4).join('\n')}` : String(e)}`);
      }
    }
    if (process.env.MUTATE_STATS !== undefined) console.log([...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join("\n"));
    expect(failures.slice(0, 5).join('\n\n')).toBe('');
    if (only !== undefined) return;
    // The mutations must exercise the loader, not just the ELF header check.
    expect(outcomes.get('spec') ?? 0).toBeGreaterThan(CASES / 10);
    const objectCodes = [...outcomes.keys()].filter((k) => k.startsWith('OBJ_'));
    expect(objectCodes.length).toBeGreaterThanOrEqual(8);
    expect([...outcomes.keys()].some((k) => k.startsWith('BTF_'))).toBe(true);
    expect([...outcomes.keys()].some((k) => k.startsWith('ELF_'))).toBe(true);
  });
});
