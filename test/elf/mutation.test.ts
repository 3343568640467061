/**
 * Seeded mutation test for the ELF reader: every mutated object must either parse (and then
 * answer every query) or be rejected with an ElfError. Anything else fails with the seed,
 * the input and the mutation in the message. Reproduce one case with ELF_MUTATION_SEED.
 */
import { describe, expect, it } from 'vitest';
import { SHT } from '../../src/elf/constants.js';
import { ElfError } from '../../src/elf/errors.js';
import { parseElf } from '../../src/elf/reader.js';
import { sampleSpec, writeElf } from './elf-writer.js';
import { fixtureObjects, flipBytes, Rng, setField, truncate, type Mutation } from './mutate.js';

const SEED = Number(process.env['ELF_MUTATION_SEED'] ?? 0x5eed_e1f);
const COUNT = 3000;

const HEADER_FIELDS: [number, 1 | 2 | 4, string][] = [
  [4, 1, 'EI_CLASS'],
  [5, 1, 'EI_DATA'],
  [6, 1, 'EI_VERSION'],
  [16, 2, 'e_type'],
  [18, 2, 'e_machine'],
  [20, 4, 'e_version'],
  [40, 4, 'e_shoff lo'],
  [44, 4, 'e_shoff hi'],
  [52, 2, 'e_ehsize'],
  [58, 2, 'e_shentsize'],
  [60, 2, 'e_shnum'],
  [62, 2, 'e_shstrndx'],
];
const SHDR_FIELDS: [number, 4, string][] = [
  [0, 4, 'sh_name'],
  [4, 4, 'sh_type'],
  [24, 4, 'sh_offset lo'],
  [28, 4, 'sh_offset hi'],
  [32, 4, 'sh_size lo'],
  [36, 4, 'sh_size hi'],
  [40, 4, 'sh_link'],
  [44, 4, 'sh_info'],
  [48, 4, 'sh_addralign'],
  [56, 4, 'sh_entsize'],
];

interface Target {
  name: string;
  bytes: Uint8Array;
  le: boolean;
  shoff: number;
  shnum: number;
  symtab: { offset: number; size: number } | undefined;
  rels: { offset: number; size: number; entsize: number }[];
}

function describeTarget(name: string, bytes: Uint8Array): Target {
  const f = parseElf(bytes);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = f.littleEndian;
  const st = f.sections.find((s) => s.type === SHT.SYMTAB);
  return {
    name,
    bytes,
    le,
    shoff: v.getUint32(40 + (le ? 0 : 4), le),
    shnum: f.sections.length,
    symtab: st === undefined ? undefined : { offset: st.offset, size: st.size },
    rels: f.sections.filter((s) => s.type === SHT.REL || s.type === SHT.RELA).map((s) => ({ offset: s.offset, size: s.size, entsize: s.entsize })),
  };
}

function mutate(rng: Rng, t: Target): Mutation {
  const b = t.bytes;
  switch (rng.int(7)) {
    case 0:
      return truncate(rng, b);
    case 1:
      return flipBytes(rng, b);
    case 2: {
      const [off, w, n] = rng.pick(HEADER_FIELDS);
      return setField(rng, b, off, w, t.le, n);
    }
    case 3: {
      const i = rng.int(t.shnum);
      const [off, w, n] = rng.pick(SHDR_FIELDS);
      return setField(rng, b, t.shoff + i * 64 + off, w, t.le, `section ${i} ${n}`, b.length);
    }
    case 4: {
      if (t.symtab === undefined || t.symtab.size === 0) return flipBytes(rng, b);
      const i = rng.int(t.symtab.size / 24);
      const [off, w, n] = rng.pick<[number, 1 | 2 | 4, string]>([
        [0, 4, 'st_name'],
        [4, 1, 'st_info'],
        [5, 1, 'st_other'],
        [6, 2, 'st_shndx'],
        [8, 4, 'st_value lo'],
        [12, 4, 'st_value hi'],
        [16, 4, 'st_size lo'],
      ]);
      return setField(rng, b, t.symtab.offset + i * 24 + off, w, t.le, `symbol ${i} ${n}`, t.shnum);
    }
    case 5: {
      if (t.rels.length === 0) return flipBytes(rng, b);
      const r = rng.pick(t.rels);
      const i = rng.int(r.size / r.entsize);
      const [off, n] = rng.pick<[number, string]>([
        [0, 'r_offset lo'],
        [4, 'r_offset hi'],
        [8, 'r_info lo'],
        [12, 'r_info hi'],
      ]);
      return setField(rng, b, r.offset + i * r.entsize + off, 4, t.le, `relocation ${i} ${n}`);
    }
    default: {
      // a burst of byte flips inside the section header table
      return flipBytes(rng, b, t.shoff, Math.min(b.length, t.shoff + t.shnum * 64));
    }
  }
}

/** Parse and exercise every query; returns 'ok' or the ElfError code; rethrows anything else. */
function exercise(bytes: Uint8Array): string {
  try {
    const f = parseElf(bytes);
    for (const s of f.sections) {
      f.relocationsFor(s.index);
      f.sectionByName(s.name);
    }
    for (const s of f.symbols) f.symbolName(s.index);
    return 'ok';
  } catch (e) {
    if (e instanceof ElfError) return e.code;
    throw e;
  }
}

describe('ELF mutation robustness', () => {
  const inputs: Target[] = [describeTarget('sample-le', writeElf(sampleSpec(true)).bytes), describeTarget('sample-be', writeElf(sampleSpec(false)).bytes)];
  for (const [n, bytes] of fixtureObjects()) inputs.push(describeTarget(n, bytes));

  it(`${COUNT} seeded mutations of ${inputs.length} objects parse or fail with ElfError (seed 0x${SEED.toString(16)})`, () => {
    const rng = new Rng(SEED);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < COUNT; i++) {
      const t = inputs[i % inputs.length]!;
      const m = mutate(rng, t);
      let r: string;
      try {
        r = exercise(m.bytes);
      } catch (e) {
        expect.fail(`seed 0x${SEED.toString(16)} case ${i} input ${t.name}: ${m.what}: threw ${String(e)}`);
      }
      outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
    }
    // the mutations must reach more than the header checks
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    for (const code of ['ELF_TRUNCATED', 'ELF_BAD_SECTION', 'ELF_BAD_SYMBOL', 'ELF_BAD_RELOCATION', 'ELF_BAD_STRING']) {
      expect(outcomes.get(code) ?? 0, `no mutation produced ${code}: ${JSON.stringify([...outcomes])}`).toBeGreaterThan(0);
    }
  });
});
