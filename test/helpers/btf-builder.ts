/**
 * Test helpers for BTF: a rich sample type set covering every kind, and a `.BTF.ext`
 * writer. Built on the library's own BtfBuilder so tests need no clang.
 */
import { BtfBuilder } from '../../src/btf/encode.js';
import type { Btf } from '../../src/btf/btf.js';

/** Ids of interesting types in {@link sampleBuilder}'s output. */
export interface SampleIds {
  int: number;
  uint: number;
  char: number;
  long: number;
  u64: number;
  u32: number;
  inner: number;
  bits: number;
  anonStruct: number;
  anonUnion: number;
  task: number;
  taskPtr: number;
  color: number;
  big: number;
  fwdUnion: number;
  cb: number;
  cbProto: number;
  constChar: number;
  volatileInt: number;
  restrictPtr: number;
  tagged: number;
  float: number;
  func: number;
  funcProto: number;
  varG: number;
  varS: number;
  varE: number;
  bss: number;
  ksyms: number;
  declTag: number;
  declTagMember: number;
  arr: number;
}

/**
 * Every BTF kind at least once, with bitfields, anonymous members, flexible array, function
 * pointers, typedef chains, signed/unsigned/64-bit enums, DATASECs and tags.
 */
export function sampleBuilder(): { b: BtfBuilder; ids: SampleIds } {
  const b = new BtfBuilder();
  const int = b.int('int', 4, { signed: true });
  const uint = b.int('unsigned int', 4);
  const char = b.int('char', 1, { signed: true });
  const long = b.int('long', 8, { signed: true });
  const ull = b.int('unsigned long long', 8);
  const u64 = b.typedef('u64', ull);
  const u32 = b.typedef('u32', uint);
  const charArr3 = b.array(char, 3);
  const inner = b.struct('inner', [
    { name: 'a', type: int },
    { name: 'b', type: charArr3 },
  ]);
  const bits = b.struct('bits', [
    { name: 'x', type: uint, bitfieldSize: 3 },
    { name: 'y', type: int, bitfieldSize: 5 },
    { name: 'z', type: u64, bitfieldSize: 40 },
    { name: 'in', type: inner },
  ]);
  const anonUnion = b.union('', [
    { name: 'anon_b', type: long },
    { name: 'anon_c', type: char },
  ]);
  const anonStruct = b.struct('', [
    { name: 'anon_a', type: int },
    { name: '', type: anonUnion },
  ]);
  const color = b.enum('color', [
    ['RED', 0],
    ['GREEN', 5],
    ['BLUE', -1],
  ]);
  const big = b.enum64('big', [
    ['BIG_A', 1n],
    ['BIG_B', 0x1_0000_0000n],
    ['BIG_MAX', 0xffff_ffff_ffff_ffffn],
  ]);
  const fwdUnion = b.fwd('opaque', true);
  const taskFwd = b.fwd('task_struct');
  const taskPtrFwd = b.ptr(taskFwd);
  const cbProto = b.funcProto(int, [
    ['', taskPtrFwd],
    ['', int],
  ], true);
  const cb = b.ptr(cbProto);
  const constChar = b.const(char);
  const volatileInt = b.volatile(int);
  const constCharPtr = b.ptr(constChar);
  const restrictPtr = b.restrict(constCharPtr);
  const tagged = b.typeTag('user', int);
  const taggedPtr = b.ptr(tagged);
  const innerArr = b.array(inner, 4);
  const flex = b.array(char, 0);
  const opaquePtr = b.ptr(fwdUnion);
  const voidFnProto = b.funcProto(0, []);
  const voidFnPtr = b.ptr(voidFnProto);
  const fnArr = b.array(voidFnPtr, 2);
  const task = b.struct('task_struct', [
    { name: 'pid', type: int },
    { name: 'tgid', type: int },
    { name: '', type: anonStruct },
    { name: 'arr', type: innerArr },
    { name: 'flags', type: uint, bitfieldSize: 4 },
    { name: 'mode', type: uint, bitfieldSize: 12 },
    { name: 'c', type: color },
    { name: 'parent', type: taskPtrFwd },
    { name: 'cb', type: cb },
    { name: 'name', type: restrictPtr },
    { name: 'fns', type: fnArr },
    { name: 'user', type: taggedPtr },
    { name: 'opaque', type: opaquePtr },
    { name: 'big', type: big },
    { name: 'vi', type: volatileInt },
    { name: 'data', type: flex },
  ]);
  const taskPtr = b.ptr(task);
  const float = b.float('double', 8);
  const funcProto = b.funcProto(int, [
    ['t', taskPtr],
    ['ctx', u32],
  ]);
  const func = b.func('handler', funcProto, 'global');
  const arr = b.array(u32, 16);
  const varG = b.var('counter', u64, 'global');
  const varS = b.var('hits', arr, 'static');
  const varE = b.var('LINUX_KERNEL_VERSION', uint, 'extern');
  const bss = b.datasec('.bss', [
    { type: varS, offset: 8, size: 64 },
    { type: varG, offset: 0, size: 8 },
  ]);
  const kfuncProto = b.funcProto(int, [['x', int]]);
  const kfunc = b.func('bpf_kfunc', kfuncProto, 'extern');
  const ksyms = b.datasec('.ksyms', [
    { type: kfunc, offset: 0, size: 0 },
    { type: varE, offset: 0, size: 4 },
  ]);
  const declTag = b.declTag('kfunc', func);
  const declTagMember = b.declTag('user_member', task, 11);
  return {
    b,
    ids: {
      int, uint, char, long, u64, u32, inner, bits, anonStruct, anonUnion, task, taskPtr, color, big, fwdUnion, cb, cbProto,
      constChar, volatileInt, restrictPtr, tagged, float, func, funcProto, varG, varS, varE, bss, ksyms, declTag, declTagMember, arr,
    },
  };
}

/** The sample as a Btf. */
export function sampleBtf(): { btf: Btf; ids: SampleIds } {
  const { b, ids } = sampleBuilder();
  return { btf: b.build(), ids };
}

/** A record section for {@link writeBtfExt}: raw u32 fields per record. */
export interface ExtBlock {
  recSize: number;
  sections: { nameOff: number; records: number[][] }[];
}

/** Serialise a `.BTF.ext` (fields are u32 words; records padded with zeros to recSize). */
export function writeBtfExt(
  opts: { littleEndian?: boolean; hdrLen?: number; funcInfo?: ExtBlock; lineInfo?: ExtBlock; coreRelo?: ExtBlock },
): Uint8Array {
  const le = opts.littleEndian ?? true;
  const hdrLen = opts.hdrLen ?? 32;
  const blocks = [opts.funcInfo, opts.lineInfo, opts.coreRelo];
  const bodies = blocks.map((blk) => {
    if (blk === undefined) return new Uint8Array(0);
    let n = 4;
    for (const s of blk.sections) n += 8 + s.records.length * blk.recSize;
    const out = new Uint8Array(n);
    const v = new DataView(out.buffer);
    v.setUint32(0, blk.recSize, le);
    let p = 4;
    for (const s of blk.sections) {
      v.setUint32(p, s.nameOff, le);
      v.setUint32(p + 4, s.records.length, le);
      p += 8;
      for (const r of s.records) {
        r.forEach((w, i) => v.setUint32(p + i * 4, w >>> 0, le));
        p += blk.recSize;
      }
    }
    return out;
  });
  const total = hdrLen + bodies.reduce((a, x) => a + x.length, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint16(0, 0xeb9f, le);
  v.setUint8(2, 1);
  v.setUint32(4, hdrLen, le);
  let off = 0;
  bodies.forEach((body, i) => {
    if (i === 2 && hdrLen < 32) return;
    if (8 + i * 8 + 8 <= hdrLen) {
      v.setUint32(8 + i * 8, off, le);
      v.setUint32(12 + i * 8, body.length, le);
    }
    out.set(body, hdrLen + off);
    off += body.length;
  });
  return out;
}
