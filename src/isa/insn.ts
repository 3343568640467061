/**
 * Raw 8-byte BPF instructions (RFC 9669 §3).
 *
 *   byte:  0        1           2-3        4-7
 *        +--------+-----------+----------+----------------+
 *        | opcode | regs      | off (s16)| imm (s32)      |
 *        +--------+-----------+----------+----------------+
 *   regs, little-endian: src in the high nibble, dst in the low nibble;
 *   regs, big-endian (bpfeb): dst in the high nibble, src in the low nibble.
 */
import { CLS_LD, MODE_IMM, SZ_DW } from './opcodes.js';

/** One instruction slot as stored in the ELF section. */
export interface RawInsn {
  code: number;
  dst: number;
  src: number;
  /** Signed 16-bit offset. */
  off: number;
  /** Signed 32-bit immediate. */
  imm: number;
}

/** The lddw opcode byte. */
export const LDDW = CLS_LD | MODE_IMM | SZ_DW;

/** Split `bytes` (a multiple of 8 long) into instruction slots. */
export function readInsns(bytes: Uint8Array, littleEndian = true): RawInsn[] {
  if (bytes.length % 8 !== 0) throw new RangeError(`instruction bytes must be a multiple of 8, got ${bytes.length}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: RawInsn[] = new Array(bytes.length / 8);
  for (let i = 0, p = 0; p < bytes.length; i++, p += 8) {
    const regs = bytes[p + 1]!;
    out[i] = {
      code: bytes[p]!,
      dst: littleEndian ? regs & 0x0f : regs >> 4,
      src: littleEndian ? regs >> 4 : regs & 0x0f,
      off: dv.getInt16(p + 2, littleEndian),
      imm: dv.getInt32(p + 4, littleEndian),
    };
  }
  return out;
}

/** Serialise instruction slots to bytes. */
export function writeInsns(insns: readonly RawInsn[], littleEndian = true): Uint8Array {
  const out = new Uint8Array(insns.length * 8);
  const dv = new DataView(out.buffer);
  insns.forEach((ins, i) => {
    const p = i * 8;
    out[p] = ins.code & 0xff;
    out[p + 1] = littleEndian ? ((ins.src & 15) << 4) | (ins.dst & 15) : ((ins.dst & 15) << 4) | (ins.src & 15);
    dv.setInt16(p + 2, ins.off, littleEndian);
    dv.setInt32(p + 4, ins.imm | 0, littleEndian);
  });
  return out;
}

/** A copy of one instruction. */
export function cloneInsn(i: RawInsn): RawInsn {
  return { code: i.code, dst: i.dst, src: i.src, off: i.off, imm: i.imm };
}

/** The 64-bit immediate of an lddw pair as a BigInt (unsigned). */
export function lddwValue(lo: RawInsn, hi: RawInsn): bigint {
  return (BigInt(hi.imm >>> 0) << 32n) | BigInt(lo.imm >>> 0);
}
