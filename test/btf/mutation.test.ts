/**
 * Seeded mutation test for the BTF and .BTF.ext parsers: every mutated blob must either
 * parse (and then survive every query, the C printer, CO-RE relocations and an exact
 * encode/parse round trip) or be rejected with a BtfError (CoreError for CO-RE). Anything
 * else fails with the seed, input and mutation. Reproduce with BTF_MUTATION_SEED.
 */
import { describe, expect, it } from 'vitest';
import type { Btf } from '../../src/btf/btf.js';
import { CoreError, coreRelocate } from '../../src/btf/core.js';
import { encodeBtf } from '../../src/btf/encode.js';
import { BtfError } from '../../src/btf/errors.js';
import { parseBtfExt } from '../../src/btf/ext.js';
import { parseBtf } from '../../src/btf/parse.js';
import { describeType, printC } from '../../src/btf/printc.js';
import type { BtfType } from '../../src/btf/types.js';
import { parseElf } from '../../src/elf/reader.js';
import { fixtureObjects, flipBytes, Rng, setField, truncate, type Mutation } from '../elf/mutate.js';
import { sampleBtf } from '../helpers/btf-builder.js';

const SEED = Number(process.env['BTF_MUTATION_SEED'] ?? 0xb7f_5eed);
const BTF_COUNT = 2500;
const EXT_COUNT = 1000;

function recordBytes(t: BtfType): number {
  switch (t.kind) {
    case 'INT':
    case 'VAR':
    case 'DECL_TAG':
      return 4;
    case 'ARRAY':
      return 12;
    case 'STRUCT':
    case 'UNION':
      return 12 * t.members.length;
    case 'ENUM':
      return 8 * t.values.length;
    case 'ENUM64':
      return 12 * t.values.length;
    case 'FUNC_PROTO':
      return 8 * t.params.length;
    case 'DATASEC':
      return 12 * t.vars.length;
    default:
      return 0;
  }
}

interface BtfTarget {
  name: string;
  bytes: Uint8Array;
  le: boolean;
  typeStart: number;
  strStart: number;
  strLen: number;
  count: number;
  /** [start, end) of every type record, absolute. */
  records: [number, number][];
}

function btfTarget(name: string, bytes: Uint8Array): BtfTarget {
  const btf = parseBtf(bytes);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = btf.littleEndian;
  const hdr = v.getUint32(4, le);
  const typeStart = hdr + v.getUint32(8, le);
  const records: [number, number][] = [];
  let p = typeStart;
  for (const t of btf.types) {
    const n = 12 + recordBytes(t);
    records.push([p, p + n]);
    p += n;
  }
  return { name, bytes, le, typeStart, strStart: hdr + v.getUint32(16, le), strLen: v.getUint32(20, le), count: btf.typeCount, records };
}

function mutateBtf(rng: Rng, t: BtfTarget): Mutation {
  const b = t.bytes;
  const rec = t.records.length > 0 ? rng.pick(t.records) : undefined;
  switch (rng.int(8)) {
    case 0:
      return truncate(rng, b);
    case 1:
      return flipBytes(rng, b);
    case 2: {
      const [off, w, n] = rng.pick<[number, 1 | 4, string]>([
        [2, 1, 'version'],
        [3, 1, 'flags'],
        [4, 4, 'hdr_len'],
        [8, 4, 'type_off'],
        [12, 4, 'type_len'],
        [16, 4, 'str_off'],
        [20, 4, 'str_len'],
      ]);
      return setField(rng, b, off, w, t.le, n, b.length);
    }
    case 3: {
      // any word of a type record (type ids, sizes, offsets, vlen data)
      if (rec === undefined) return flipBytes(rng, b);
      const words = (rec[1] - rec[0]) / 4;
      const w = rng.int(words);
      return setField(rng, b, rec[0] + w * 4, 4, t.le, `type record word ${w}`, t.count);
    }
    case 4: {
      if (rec === undefined) return flipBytes(rng, b);
      return setField(rng, b, rec[0], 4, t.le, 'name_off', t.strLen);
    }
    case 5: {
      // info: kind, vlen or kind_flag
      if (rec === undefined) return flipBytes(rng, b);
      const out = b.slice();
      const v = new DataView(out.buffer);
      const info = v.getUint32(rec[0] + 4, t.le);
      const which = rng.int(3);
      let next = info;
      if (which === 0) next = (info & ~(0x1f << 24)) | (rng.int(32) << 24);
      else if (which === 1) next = (info & ~0xffff) | rng.pick([0, 1, 2, rng.int(0x10000), (info & 0xffff) + 1]);
      else next = info ^ 0x80000000;
      v.setUint32(rec[0] + 4, next >>> 0, t.le);
      return { bytes: out, what: `info @${rec[0] + 4}: 0x${info.toString(16)} -> 0x${(next >>> 0).toString(16)}` };
    }
    case 6:
      return flipBytes(rng, b, t.strStart, t.strStart + t.strLen);
    default: {
      // a kind-data word set to a nearby type id (keeps many blobs valid but rewired)
      if (rec === undefined) return flipBytes(rng, b);
      const out = b.slice();
      const v = new DataView(out.buffer);
      const w = rng.int((rec[1] - rec[0]) / 4);
      const id = rng.int(t.count + 2);
      v.setUint32(rec[0] + w * 4, id, t.le);
      return { bytes: out, what: `type record word ${w} @${rec[0] + w * 4} := id ${id}` };
    }
  }
}

/** Run every query on a parsed Btf; BtfError is an acceptable answer to each. */
function exerciseBtf(btf: Btf, partner: Btf, withCore: boolean): void {
  const soft = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (!(e instanceof BtfError)) throw e;
    }
  };
  for (let id = 0; id < btf.typeCount; id++) {
    const t = btf.type(id);
    soft(() => btf.sizeof(id));
    soft(() => btf.alignof(id));
    soft(() => btf.resolve(id));
    soft(() => describeType(btf, id));
    if (t.kind === 'STRUCT' || t.kind === 'UNION') {
      soft(() => btf.members(id));
      soft(() => btf.findMember(id, t.members[0]?.name ?? 'x'));
    }
    if (t.kind === 'FUNC' || t.kind === 'FUNC_PROTO') soft(() => btf.paramNames(id));
    if (t.name !== '') btf.findByName(t.name);
  }
  soft(() => btf.datasecs());
  soft(() => printC(btf));
  const again = parseBtf(encodeBtf(btf));
  expect(again.types).toEqual(btf.types);
  if (!withCore) return;
  // CO-RE with the mutated BTF on both sides
  for (const [local, target] of [
    [btf, partner],
    [partner, btf],
  ] as const) {
    for (let id = 1; id < Math.min(local.typeCount, 12); id++) {
      for (const [kind, acc] of [
        [0, '0:0'],
        [2, '0:1'],
        [11, '0'],
        [12, '0'],
      ] as const) {
        try {
          coreRelocate({ local, target, relo: { typeId: id, accessStr: acc, kind } });
        } catch (e) {
          if (!(e instanceof CoreError)) throw e;
        }
      }
    }
  }
}

describe('BTF mutation robustness', () => {
  const sample = sampleBtf().btf;
  const inputs: BtfTarget[] = [btfTarget('sample-le', encodeBtf(sample)), btfTarget('sample-be', encodeBtf(sample, { littleEndian: false }))];
  const exts: { name: string; bytes: Uint8Array; le: boolean; btf: Btf }[] = [];
  for (const [n, obj] of fixtureObjects()) {
    const f = parseElf(obj);
    const raw = f.sectionByName('.BTF')?.data;
    if (raw === undefined) continue;
    inputs.push(btfTarget(n, raw));
    const ext = f.sectionByName('.BTF.ext')?.data;
    if (ext !== undefined) exts.push({ name: n, bytes: ext, le: f.littleEndian, btf: parseBtf(raw) });
  }

  it(`${BTF_COUNT} seeded mutations of ${inputs.length} BTF blobs parse or fail with BtfError (seed 0x${SEED.toString(16)})`, () => {
    const rng = new Rng(SEED);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < BTF_COUNT; i++) {
      const t = inputs[i % inputs.length]!;
      const m = mutateBtf(rng, t);
      let r = 'ok';
      try {
        const btf = parseBtf(m.bytes);
        exerciseBtf(btf, sample, i % 4 === 0);
      } catch (e) {
        if (e instanceof BtfError) r = e.code;
        else expect.fail(`seed 0x${SEED.toString(16)} case ${i} input ${t.name}: ${m.what}: threw ${e instanceof Error ? e.stack : String(e)}`);
      }
      outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
    }
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    for (const code of ['BTF_TRUNCATED', 'BTF_BAD_HEADER', 'BTF_BAD_TYPE', 'BTF_BAD_STRING', 'BTF_BAD_ID']) {
      expect(outcomes.get(code) ?? 0, `no mutation produced ${code}: ${JSON.stringify([...outcomes])}`).toBeGreaterThan(0);
    }
  });

  it.skipIf(exts.length === 0)(`${EXT_COUNT} seeded mutations of .BTF.ext sections parse or fail with BtfError${exts.length === 0 ? ' (skipped: no fixture objects)' : ''}`, () => {
    const rng = new Rng(SEED ^ 0xe7);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < EXT_COUNT; i++) {
      const t = exts[i % exts.length]!;
      let m: Mutation;
      const k = rng.int(4);
      if (k === 0) m = truncate(rng, t.bytes);
      else if (k === 1) m = flipBytes(rng, t.bytes);
      else if (k === 2) m = setField(rng, t.bytes, 4 * rng.int(8), 4, t.le, 'header word', t.bytes.length);
      else m = setField(rng, t.bytes, 4 * rng.int(t.bytes.length / 4), 4, t.le, 'word', t.btf.typeCount);
      let r = 'ok';
      try {
        parseBtfExt(m.bytes, t.le, t.btf);
      } catch (e) {
        if (e instanceof BtfError) r = e.code;
        else expect.fail(`seed 0x${(SEED ^ 0xe7).toString(16)} case ${i} input ${t.name}: ${m.what}: threw ${String(e)}`);
      }
      outcomes.set(r, (outcomes.get(r) ?? 0) + 1);
    }
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('BTF_BAD_EXT') ?? 0).toBeGreaterThan(0);
  });
});
