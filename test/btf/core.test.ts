import { describe, expect, it } from 'vitest';
import type { Btf } from '../../src/btf/btf.js';
import {
  CORE_POISON_IMM,
  CORE_RELO_KIND as K,
  CoreError,
  CoreRelocator,
  corePoisonInsn,
  coreRelocate,
  coreReloKindName,
  essentialName,
  type CoreErrorCode,
  type CoreInsn,
  type CoreResult,
  type CoreSuccess,
} from '../../src/btf/core.js';
import { BtfBuilder, encodeBtf } from '../../src/btf/encode.js';
import { parseBtf } from '../../src/btf/parse.js';

/**
 * The program's view (what clang emits for preserve_access_index types):
 *
 *   struct inner { int a; char b[3]; };                                   // 8 bytes
 *   struct task_struct {                                                  // local layout
 *     int pid;                 //  0
 *     int tgid;                //  4
 *     struct { int anon_a; union { long anon_b; char anon_c; }; };       //  8 (anon_b @16)
 *     struct inner arr[4];     // 24
 *     unsigned int flags:4;    // bit 448
 *     unsigned int mode:12;    // bit 452
 *     enum color c;            // 60
 *     struct task_struct *parent; // 64
 *     char comm[16];           // 72
 *     unsigned long long ull;  // 88
 *     long sl;                 // 96
 *     char data[0];            // 104 (sizeof = 104)
 *   };
 *   struct task_struct___v2 { int pid; long renamed; };
 *   enum color { RED, GREEN, BLUE };  enum color___new { PURPLE = 9 };
 *   struct not_in_kernel { int x; };  typedef unsigned int u32;
 */
function localBtf(littleEndian = true) {
  const b = new BtfBuilder({ littleEndian });
  const int = b.int('int', 4, { signed: true });
  const uint = b.int('unsigned int', 4);
  const char = b.int('char', 1, { signed: true });
  const long = b.int('long', 8, { signed: true });
  const ull = b.int('unsigned long long', 8);
  const inner = b.struct('inner', [{ name: 'a', type: int }, { name: 'b', type: b.array(char, 3) }]);
  const anonU = b.union('', [{ name: 'anon_b', type: long }, { name: 'anon_c', type: char }]);
  const anonS = b.struct('', [{ name: 'anon_a', type: int }, { name: '', type: anonU }]);
  const color = b.enum('color', [['RED', 0], ['GREEN', 1], ['BLUE', 2]]);
  const taskFwd = b.fwd('task_struct');
  const task = b.struct('task_struct', [
    { name: 'pid', type: int },
    { name: 'tgid', type: int },
    { name: '', type: anonS },
    { name: 'arr', type: b.array(inner, 4) },
    { name: 'flags', type: uint, bitfieldSize: 4 },
    { name: 'mode', type: uint, bitfieldSize: 12 },
    { name: 'c', type: color },
    { name: 'parent', type: b.ptr(taskFwd) },
    { name: 'comm', type: b.array(char, 16) },
    { name: 'ull', type: ull },
    { name: 'sl', type: long },
    { name: 'data', type: b.array(char, 0) },
  ]);
  const v2 = b.struct('task_struct___v2', [{ name: 'pid', type: int }, { name: 'renamed', type: long }]);
  const colorNew = b.enum('color___new', [['PURPLE', 9]]);
  const notIn = b.struct('not_in_kernel', [{ name: 'x', type: int }]);
  const u32 = b.typedef('u32', uint);
  const anonTop = b.struct('', [{ name: 'z', type: int }]);
  const big = b.enum64('big', [['HUGE', 0x1_2345_6789n]]);
  return { btf: b.build(), int, task, v2, color, colorNew, notIn, u32, anonTop, inner, big };
}

/**
 * The kernel's view: different order and offsets, larger bitfields, an 8-element array,
 * a shrunk unsigned field, a grown signed field, enum values moved.
 *
 *   struct task_struct {
 *     long state;              //  0
 *     int tgid;                //  8
 *     int pid;                 // 12
 *     struct { union { char anon_c; long anon_b; }; int anon_a; };       // 16 (anon_b @16, anon_a @24)
 *     unsigned long long pad:3, flags:10, mode:20;  // bits 256.., mode @ bit 269
 *     enum color c;            // 40
 *     struct task_struct *parent; // 48
 *     struct inner arr[8];     // 56
 *     char comm[32];           // 120
 *     unsigned int ull;        // 152  (shrunk: safe to load with 4 bytes)
 *     int sl;                  // 156  (signed shrink: unsafe)
 *     unsigned long long wide:10 @ bit 1278 // straddles two u64 words
 *     char data[0];
 *   };
 *   enum color { BLUE = 7, RED = 0, GREEN = 2 };  enum bpf_big (enum64) { HUGE = 0x1_2345_6789 }
 */
function targetBtf(littleEndian = true) {
  const b = new BtfBuilder({ littleEndian });
  const int = b.int('int', 4, { signed: true });
  const uint = b.int('unsigned int', 4);
  const char = b.int('char', 1, { signed: true });
  const long = b.int('long', 8, { signed: true });
  const ull = b.int('unsigned long long', 8);
  const inner = b.struct('inner', [{ name: 'a', type: int }, { name: 'b', type: b.array(char, 3) }]);
  const anonU = b.union('', [{ name: 'anon_c', type: char }, { name: 'anon_b', type: long }]);
  const anonS = b.struct('', [{ name: '', type: anonU }, { name: 'anon_a', type: int }]);
  const color = b.enum('color', [['BLUE', 7], ['RED', 0], ['GREEN', 2]]);
  const taskFwd = b.fwd('task_struct');
  const task = b.struct(
    'task_struct',
    [
      { name: 'state', type: long },
      { name: 'tgid', type: int },
      { name: 'pid', type: int },
      { name: '', type: anonS },
      { name: 'pad', type: ull, bitfieldSize: 3, bitOffset: 256 },
      { name: 'flags', type: ull, bitfieldSize: 10, bitOffset: 259 },
      { name: 'mode', type: ull, bitfieldSize: 20, bitOffset: 269 },
      { name: 'c', type: color, bitOffset: 320 },
      { name: 'parent', type: b.ptr(taskFwd), bitOffset: 384 },
      { name: 'arr', type: b.array(inner, 8), bitOffset: 448 },
      { name: 'comm', type: b.array(char, 32), bitOffset: 960 },
      { name: 'ull', type: uint, bitOffset: 1216 },
      { name: 'sl', type: int, bitOffset: 1248 },
      { name: 'wide', type: ull, bitfieldSize: 10, bitOffset: 1278 },
      { name: 'data', type: b.array(char, 0), bitOffset: 1344 },
    ],
    168,
  );
  const big = b.enum64('big', [['HUGE', 0x1_2345_6789n]]);
  const u32 = b.typedef('u32', uint);
  return { btf: b.build(), int, task, color, big, u32 };
}

const L = localBtf();
const T = targetBtf();

function reloc(kind: number, typeId: number, accessStr: string, insn?: CoreInsn, local: Btf = L.btf, target: Btf = T.btf): CoreResult {
  return coreRelocate({ local, target, relo: { typeId, accessStr, kind }, ...(insn === undefined ? {} : { insn }) });
}

function ok(r: CoreResult): CoreSuccess {
  if (!r.ok) throw new Error(`expected success, got poison: ${r.reason}`);
  return r;
}

function errCode(f: () => unknown): CoreErrorCode | 'none' | 'other' {
  try {
    f();
    return 'none';
  } catch (e) {
    return e instanceof CoreError ? e.code : 'other';
  }
}

describe('essentialName', () => {
  it('strips the last ___flavour', () => {
    expect(essentialName('task_struct___v2')).toBe('task_struct');
    expect(essentialName('a___b___c')).toBe('a___b');
    expect(essentialName('task_struct')).toBe('task_struct');
    expect(essentialName('x____y')).toBe('x____y'); // four underscores: no separator
    expect(essentialName('___x')).toBe('___x'); // needs a non-underscore before
    expect(essentialName('x___')).toBe('x___'); // and after
    expect(essentialName('')).toBe('');
  });
});

describe('coreRelocate: field kinds', () => {
  it('FIELD_BYTE_OFFSET follows fields to new offsets', () => {
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0'))).toMatchObject({ localValue: 0, value: 12, targetId: T.task, validate: true });
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:1')).value).toBe(8);
    // anonymous struct/union members are walked on both sides
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:2:1:0'))).toMatchObject({ localValue: 16, value: 16 });
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:2:0'))).toMatchObject({ localValue: 8, value: 24 });
    // array element inside a struct inside an array
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:3:2:0'))).toMatchObject({ localValue: 24 + 16, value: 56 + 16 });
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:8:5'))).toMatchObject({ localValue: 77, value: 125, localSize: 1 });
    // root pointer arithmetic (task[1].pid)
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '1:0'))).toMatchObject({ localValue: 104, value: 168 + 12 });
    // flexible array: any index
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:11:100')).value).toBe(168 + 100);
  });

  it('FIELD_BYTE_OFFSET reports access-size changes and whether they are safe', () => {
    const u = ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:9'));
    expect(u).toMatchObject({ localValue: 88, value: 152, localSize: 8, size: 4 });
    expect(u.unsafeSize).toBeUndefined();
    const s = ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:10'));
    expect(s).toMatchObject({ localSize: 8, size: 4, unsafeSize: true });
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:7')).size).toBeUndefined(); // pointers stay 8
  });

  it('array index out of the target bounds poisons', () => {
    // local arr[4] allows index 3; target arr[8] too; local index 3 fine
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:3:3')).value).toBe(56 + 24);
    const small = new BtfBuilder();
    const i = small.int('int', 4, { signed: true });
    small.struct('task_struct', [{ name: 'arr', type: small.array(i, 2) }]);
    // local struct inner arr[4] vs target int arr[2]: index 3 is out of bounds -> no match
    const r = reloc(K.FIELD_BYTE_OFFSET, L.task, '0:3:3', undefined, L.btf, small.build());
    expect(r.ok).toBe(false);
  });

  it('FIELD_BYTE_SIZE', () => {
    expect(ok(reloc(K.FIELD_BYTE_SIZE, L.task, '0:8'))).toMatchObject({ localValue: 16, value: 32 });
    expect(ok(reloc(K.FIELD_BYTE_SIZE, L.task, '0:3:1'))).toMatchObject({ localValue: 8, value: 8 }); // an array element
    expect(ok(reloc(K.FIELD_BYTE_SIZE, L.task, '0:5'))).toMatchObject({ localValue: 4, value: 8, validate: false });
  });

  it('FIELD_EXISTS is 1 or 0, never a failure', () => {
    expect(ok(reloc(K.FIELD_EXISTS, L.task, '0:1'))).toMatchObject({ value: 1, localValue: 1 });
    expect(ok(reloc(K.FIELD_EXISTS, L.v2, '0:1'))).toMatchObject({ value: 0, localValue: 1, targetId: 0 }); // 'renamed' is missing
    expect(ok(reloc(K.FIELD_EXISTS, L.v2, '0:0'))).toMatchObject({ value: 1, targetId: T.task }); // flavour matches task_struct
    expect(ok(reloc(K.FIELD_EXISTS, L.notIn, '0:0')).value).toBe(0); // no such type
  });

  it('FIELD_SIGNED', () => {
    expect(ok(reloc(K.FIELD_SIGNED, L.task, '0:0')).value).toBe(1);
    expect(ok(reloc(K.FIELD_SIGNED, L.task, '0:9')).value).toBe(0);
    expect(ok(reloc(K.FIELD_SIGNED, L.task, '0:6')).value).toBe(0); // unsigned enum
  });

  it('FIELD_LSHIFT_U64 / FIELD_RSHIFT_U64 for moved and resized bitfields', () => {
    // local: unsigned int mode:12 at bit 452 -> 4-byte load at 56, lshift 64-(452+12-448)=48
    // target: u64 mode:20 at bit 269 -> 8-byte load at 32, lshift 64-(269+20-256)=31, rshift 44
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:5'))).toMatchObject({ localValue: 56, value: 32, validate: false });
    expect(ok(reloc(K.FIELD_LSHIFT_U64, L.task, '0:5'))).toMatchObject({ localValue: 48, value: 31 });
    expect(ok(reloc(K.FIELD_RSHIFT_U64, L.task, '0:5'))).toMatchObject({ localValue: 52, value: 44, validate: true });
  });

  it('big-endian targets shift from the other end', () => {
    const be = parseBtf(encodeBtf(targetBtf(false).btf)); // a parsed big-endian blob
    expect(be.littleEndian).toBe(false);
    // BE: (8 - byte_sz) * 8 + (bit_off - byte_off * 8) = 0 + (269 - 256) = 13
    expect(ok(reloc(K.FIELD_LSHIFT_U64, L.task, '0:5', undefined, L.btf, be)).value).toBe(13);
  });

  it('a bitfield that a 64-bit load cannot cover is fatal', () => {
    expect(errCode(() => reloc(K.FIELD_LSHIFT_U64, L.v2, '0:1', undefined, L.btf, bitfieldWide()))).toBe('CORE_BITFIELD');
  });

  it('missing fields poison the non-existence kinds', () => {
    for (const k of [K.FIELD_BYTE_OFFSET, K.FIELD_BYTE_SIZE, K.FIELD_SIGNED, K.FIELD_LSHIFT_U64, K.FIELD_RSHIFT_U64]) {
      const r = reloc(k, L.v2, '0:1');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.kind).toBe(coreReloKindName(k));
    }
  });

  it('incompatible field types do not match', () => {
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    b.struct('task_struct', [{ name: 'pid', type: b.ptr(i) }]); // pointer vs int
    expect(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0', undefined, L.btf, b.build()).ok).toBe(false);
    expect(ok(reloc(K.FIELD_EXISTS, L.task, '0:0', undefined, L.btf, b.build())).value).toBe(0);
  });
});

/** A target whose task_struct___v2-compatible 'renamed' is a 10-bit field straddling two u64s. */
function bitfieldWide(): Btf {
  const b = new BtfBuilder();
  const int = b.int('int', 4, { signed: true });
  const ull = b.int('unsigned long long', 8);
  b.struct('task_struct', [
    { name: 'pid', type: int },
    { name: 'renamed', type: ull, bitfieldSize: 10, bitOffset: 60 },
  ], 16);
  return b.build();
}

describe('coreRelocate: type kinds', () => {
  it('TYPE_ID_LOCAL and TYPE_ID_TARGET', () => {
    expect(ok(reloc(K.TYPE_ID_LOCAL, L.task, '0'))).toMatchObject({ value: L.task, localValue: L.task, validate: false });
    expect(ok(reloc(K.TYPE_ID_TARGET, L.task, '0'))).toMatchObject({ value: T.task, localValue: L.task, validate: false });
    expect(ok(reloc(K.TYPE_ID_TARGET, L.notIn, '0'))).toMatchObject({ value: 0, targetId: 0 });
    // TYPE_ID_LOCAL works even for anonymous types
    expect(ok(reloc(K.TYPE_ID_LOCAL, L.anonTop, '0')).value).toBe(L.anonTop);
  });

  it('TYPE_EXISTS and TYPE_SIZE (0 when the type is missing, as libbpf)', () => {
    expect(ok(reloc(K.TYPE_EXISTS, L.task, '0')).value).toBe(1);
    expect(ok(reloc(K.TYPE_EXISTS, L.notIn, '0')).value).toBe(0);
    expect(ok(reloc(K.TYPE_SIZE, L.task, '0'))).toMatchObject({ localValue: 104, value: 168 });
    expect(ok(reloc(K.TYPE_SIZE, L.notIn, '0')).value).toBe(0);
    expect(ok(reloc(K.TYPE_SIZE, L.u32, '0'))).toMatchObject({ value: 4, targetId: T.u32 });
    expect(ok(reloc(K.TYPE_EXISTS, L.v2, '0'))).toMatchObject({ value: 1, targetId: T.task }); // flavour
  });

  it('TYPE_MATCHES is stricter than TYPE_EXISTS', () => {
    expect(ok(reloc(K.TYPE_MATCHES, L.inner, '0')).value).toBe(1);
    expect(ok(reloc(K.TYPE_MATCHES, L.task, '0')).value).toBe(0); // ull is u64 locally, u32 in the kernel
    expect(ok(reloc(K.TYPE_MATCHES, L.notIn, '0')).value).toBe(0);
    // a flavour with a subset of compatible members matches
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    const flav = b.struct('task_struct___ids', [{ name: 'pid', type: i }, { name: 'tgid', type: i }]);
    const bad = b.struct('task_struct___bad', [{ name: 'pid', type: b.int('unsigned int', 4) }]);
    const lb = b.build();
    expect(ok(reloc(K.TYPE_MATCHES, flav, '0', undefined, lb)).value).toBe(1);
    expect(ok(reloc(K.TYPE_MATCHES, bad, '0', undefined, lb)).value).toBe(0); // signedness differs
  });

  it('type-based kinds need access string "0"', () => {
    expect(errCode(() => reloc(K.TYPE_SIZE, L.task, '0:1'))).toBe('CORE_BAD_RELO');
  });
});

describe('coreRelocate: enum kinds', () => {
  it('ENUMVAL_EXISTS / ENUMVAL_VALUE follow enumerators by name', () => {
    expect(ok(reloc(K.ENUMVAL_VALUE, L.color, '2'))).toMatchObject({ localValue: 2, value: 7 }); // BLUE
    expect(ok(reloc(K.ENUMVAL_VALUE, L.color, '1'))).toMatchObject({ localValue: 1, value: 2 }); // GREEN
    expect(ok(reloc(K.ENUMVAL_EXISTS, L.color, '0')).value).toBe(1);
    expect(ok(reloc(K.ENUMVAL_EXISTS, L.colorNew, '0')).value).toBe(0); // PURPLE absent
    expect(reloc(K.ENUMVAL_VALUE, L.colorNew, '0').ok).toBe(false);
  });

  it('ENUM64 values come back as 64-bit halves', () => {
    const r = ok(reloc(K.ENUMVAL_VALUE, L.big, '0'));
    expect(r).toMatchObject({ value: 0x1_2345_6789, lo: 0x2345_6789, hi: 1 });
  });

  it('rejects enumerator indices out of range', () => {
    expect(errCode(() => reloc(K.ENUMVAL_VALUE, L.color, '3'))).toBe('CORE_BAD_RELO');
    expect(errCode(() => reloc(K.ENUMVAL_VALUE, L.color, '0:0'))).toBe('CORE_BAD_RELO');
    expect(errCode(() => reloc(K.ENUMVAL_VALUE, L.task, '0'))).toBe('CORE_BAD_RELO');
  });
});

describe('coreRelocate: candidates and failures', () => {
  function twoCandidates(samePid: boolean): Btf {
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    b.struct('task_struct', [{ name: 'pid', type: i }, { name: 'x', type: i }]);
    b.struct('task_struct___2', samePid ? [{ name: 'pid', type: i }] : [{ name: 'y', type: i }, { name: 'pid', type: i }]);
    return b.build();
  }

  it('agreeing candidates are fine, disagreeing ones are fatal', () => {
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0', undefined, L.btf, twoCandidates(true))).value).toBe(0);
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0', undefined, L.btf, twoCandidates(false)))).toBe('CORE_AMBIGUOUS');
    expect(errCode(() => reloc(K.TYPE_SIZE, L.task, '0', undefined, L.btf, twoCandidates(false)))).toBe('none'); // both 8 bytes
  });

  it('a reused relocator prunes candidates like libbpf', () => {
    const target = twoCandidates(false);
    const r = new CoreRelocator(L.btf, target);
    // 'tgid' exists in neither: nothing matched, so the candidate list is kept as it was
    expect(ok(r.relocate({ typeId: L.task, accessStr: '0:1', kind: K.FIELD_EXISTS })).value).toBe(0);
    // 'x' exists only in task_struct: after this relocation only task_struct stays a candidate
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    const loc = b.struct('task_struct', [{ name: 'pid', type: i }, { name: 'x', type: i }]);
    const rr = new CoreRelocator(b.build(), target);
    expect(ok(rr.relocate({ typeId: loc, accessStr: '0:1', kind: K.FIELD_BYTE_OFFSET })).value).toBe(4);
    expect(ok(rr.relocate({ typeId: loc, accessStr: '0:0', kind: K.FIELD_BYTE_OFFSET })).value).toBe(0);
    // a fresh relocator sees both candidates and the ambiguity
    expect(errCode(() => new CoreRelocator(b.build(), target).relocate({ typeId: loc, accessStr: '0:0', kind: K.FIELD_BYTE_OFFSET }))).toBe('CORE_AMBIGUOUS');
  });

  it('fatal input errors', () => {
    expect(errCode(() => reloc(99, L.task, '0'))).toBe('CORE_BAD_RELO');
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, 9999, '0:0'))).toBe('CORE_BAD_RELO');
    for (const s of ['', ':0', '0:', 'a', '0::1', '-1', '0:99']) expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.task, s))).toBe('CORE_BAD_RELO');
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0:1'))).toBe('CORE_BAD_RELO'); // int has no members
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.task, '0:3:4'))).toBe('CORE_BAD_RELO'); // local array bound
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.anonTop, '0:0'))).toBe('CORE_ANON_TYPE');
    expect(errCode(() => reloc(K.FIELD_SIGNED, L.task, '0:3:1'))).toBe('CORE_BAD_RELO'); // array element
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, 0, '0:0'))).toBe('CORE_BAD_TYPE'); // void has no size
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.task, Array(70).fill('0').join(':')))).toBe('CORE_BAD_RELO');
  });
});

describe('coreRelocate: instruction patching', () => {
  const alu = (imm: number): CoreInsn => ({ code: 0xb7, off: 0, imm }); // r = imm (ALU64 | MOV | K)
  const ldx = (size: number, off: number): CoreInsn => ({ code: 0x61 | ([4, 2, 1, 8].indexOf(size) << 3), off, imm: 0 });

  it('patches ALU immediates after checking the local value', () => {
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0', alu(0))).patch).toEqual({ field: 'imm', value: 12 });
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0', alu(5)))).toBe('CORE_BAD_INSN');
    // bitfield offsets are not validated (clang and libbpf may disagree)
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:5', alu(48))).patch).toEqual({ field: 'imm', value: 32 });
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0', { code: 0xbf, off: 0, imm: 0 }))).toBe('CORE_BAD_INSN'); // register source
  });

  it('patches load offsets and sizes', () => {
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0', ldx(4, 0))).patch).toEqual({ field: 'off', value: 12 });
    // u64 -> u32 (unsigned): the load becomes 4 bytes wide
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:9', ldx(8, 88))).patch).toEqual({ field: 'off', value: 152, code: 0x61 });
    // s64 -> s32 would lose the sign: poison
    expect(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:10', ldx(8, 96)).ok).toBe(false);
    // the instruction must access the local size
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.task, '0:9', ldx(4, 88)))).toBe('CORE_BAD_INSN');
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0', ldx(4, 4)))).toBe('CORE_BAD_INSN');
    // stores too (STX | MEM | W)
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:1', { code: 0x63, off: 4, imm: 0 })).patch).toEqual({ field: 'off', value: 8 });
  });

  it('refuses offsets that do not fit 16 bits', () => {
    const b = new BtfBuilder();
    const i = b.int('int', 4, { signed: true });
    b.struct('task_struct', [{ name: 'pid', type: i, bitOffset: 8 * 40000 }], 40004);
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0', ldx(4, 0), L.btf, b.build()))).toBe('CORE_BAD_INSN');
    expect(ok(reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0', alu(0), L.btf, b.build())).patch).toEqual({ field: 'imm', value: 40000 });
  });

  it('patches ld_imm64 with both halves', () => {
    const insn: CoreInsn = { code: 0x18, off: 0, imm: 0x2345_6789, imm2: 1 };
    expect(ok(reloc(K.ENUMVAL_VALUE, L.big, '0', insn)).patch).toEqual({ field: 'imm64', value: 0x2345_6789, hi: 1 });
    expect(ok(reloc(K.TYPE_ID_TARGET, L.task, '0', { code: 0x18, off: 0, imm: 12345 })).patch).toEqual({ field: 'imm64', value: T.task, hi: 0 }); // not validated
    expect(errCode(() => reloc(K.ENUMVAL_VALUE, L.big, '0', { ...insn, imm2: 0 }))).toBe('CORE_BAD_INSN');
    expect(errCode(() => reloc(K.ENUMVAL_VALUE, L.big, '0', { ...insn, src: 1 }))).toBe('CORE_BAD_INSN');
  });

  it('rejects instruction classes that carry no relocatable value', () => {
    expect(errCode(() => reloc(K.FIELD_BYTE_OFFSET, L.task, '0:0', { code: 0x05, off: 0, imm: 0 }))).toBe('CORE_BAD_INSN'); // ja
  });

  it('the poison instruction is call 0xbad2310', () => {
    expect(corePoisonInsn()).toEqual({ code: 0x85, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM });
    expect(CORE_POISON_IMM).toBe(195896080);
  });
});
