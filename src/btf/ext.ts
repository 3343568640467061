/**
 * `.BTF.ext` parser: per-ELF-section func_info, line_info and CO-RE relocation records.
 *
 * ```
 * btf_ext_header (hdr_len >= 24; core_relo_* present when hdr_len >= 32; longer headers ok)
 *  0 magic:u16 = 0xeb9f  2 version:u8 = 1  3 flags:u8 = 0  4 hdr_len:u32
 *  8 func_info_off  12 func_info_len  16 line_info_off  20 line_info_len
 * 24 core_relo_off  28 core_relo_len       (offsets relative to the end of the header)
 *
 * each info block:  rec_size:u32, then repeated { sec_name_off:u32, num_info:u32,
 *                                                  num_info x rec_size bytes }
 * func_info (>= 8 B):  insn_off, type_id (a FUNC)
 * line_info (>= 16 B): insn_off, file_name_off, line_off, line_col = line << 10 | column
 * core_relo (>= 16 B): insn_off, type_id, access_str_off, kind (enum bpf_core_relo_kind)
 * ```
 * `insn_off` is a byte offset inside the ELF section named by `sec_name_off`. A `rec_size`
 * larger than the known record is honoured (the tail is skipped), as newer compilers may
 * append fields. Rules follow libbpf btf_ext_parse_sec_info: 4-byte aligned blocks, a
 * non-empty block has at least one section, and every section has at least one record.
 */
import { viewOf } from '../util/bytes.js';
import type { Btf } from './btf.js';
import { BtfError } from './errors.js';
import { BTF_MAGIC, BTF_VERSION } from './kinds.js';

/** A func_info record. */
export interface BtfFuncInfo {
  /** Byte offset of the function's first instruction in its ELF section. */
  readonly insnOff: number;
  /** The FUNC type id. */
  readonly typeId: number;
}

/** A line_info record with its strings resolved. */
export interface BtfLineInfo {
  readonly insnOff: number;
  readonly fileName: string;
  readonly lineText: string;
  readonly line: number;
  readonly column: number;
}

/** A CO-RE relocation record with its access string resolved. */
export interface BtfCoreReloRecord {
  readonly insnOff: number;
  readonly typeId: number;
  readonly accessStr: string;
  /** `enum bpf_core_relo_kind` (see core.ts); kept raw, validated by the CO-RE engine. */
  readonly kind: number;
}

/** Records of one kind for one ELF section. */
export interface BtfExtSection<T> {
  readonly section: string;
  readonly records: readonly T[];
}

/** The parsed `.BTF.ext`. */
export interface BtfExt {
  readonly hdrLen: number;
  /** Record sizes as declared (0 when the block is absent). */
  readonly recSizes: { readonly funcInfo: number; readonly lineInfo: number; readonly coreRelo: number };
  readonly funcInfo: readonly BtfExtSection<BtfFuncInfo>[];
  readonly lineInfo: readonly BtfExtSection<BtfLineInfo>[];
  readonly coreRelos: readonly BtfExtSection<BtfCoreReloRecord>[];
}

/** All records of one kind for one section name (sections may repeat; they are concatenated). */
export function extRecordsFor<T>(blocks: readonly BtfExtSection<T>[], section: string): T[] {
  const out: T[] = [];
  for (const b of blocks) if (b.section === section) out.push(...b.records);
  return out;
}

const EXT_HEADER_MIN = 24;
const EXT_HEADER_CORE = 32;

/**
 * Parse `.BTF.ext` bytes; strings and type ids are resolved against `btf` (the object's
 * `.BTF`). `littleEndian` must match the magic's byte order. Throws BtfError('BTF_BAD_EXT').
 */
export function parseBtfExt(bytes: Uint8Array, littleEndian: boolean, btf: Btf): BtfExt {
  const fail = (msg: string) => new BtfError('BTF_BAD_EXT', `.BTF.ext: ${msg}`);
  if (bytes.length < 8) throw fail(`${bytes.length} bytes is shorter than the header`);
  const v = viewOf(bytes);
  const le = littleEndian;
  if (v.getUint16(0, le) !== BTF_MAGIC) throw fail(`bad magic 0x${v.getUint16(0, le).toString(16)} for ${le ? 'little' : 'big'}-endian`);
  if (v.getUint8(2) !== BTF_VERSION) throw fail(`unsupported version ${v.getUint8(2)}`);
  if (v.getUint8(3) !== 0) throw fail(`unsupported flags 0x${v.getUint8(3).toString(16)}`);
  const hdrLen = v.getUint32(4, le);
  if (hdrLen < EXT_HEADER_MIN) throw fail(`hdr_len ${hdrLen} is smaller than ${EXT_HEADER_MIN}`);
  if (hdrLen > bytes.length) throw fail(`hdr_len ${hdrLen} beyond end of section (${bytes.length} bytes)`);

  const str = (off: number, what: () => string): string => {
    if (!btf.strings.has(off)) throw fail(`${what()}: string offset ${off} outside the BTF string section (${btf.strings.length} bytes)`);
    return btf.strings.at(off);
  };

  /** Walk one block, calling `rec(view offset, section, index)` per record. */
  function block<T>(desc: string, off: number, len: number, minRec: number, rec: (p: number, sec: string, i: number) => T): { recSize: number; out: BtfExtSection<T>[] } {
    const out: BtfExtSection<T>[] = [];
    if (len === 0) return { recSize: 0, out };
    if (off % 4 !== 0) throw fail(`${desc} block offset ${off} is not 4-byte aligned`);
    const start = hdrLen + off;
    if (off > bytes.length - hdrLen || len > bytes.length - start) throw fail(`${desc} block [${off}, +${len}) beyond end of section`);
    if (len < 4) throw fail(`${desc} block has no record size`);
    const recSize = v.getUint32(start, le);
    if (recSize < minRec || recSize % 4 !== 0) throw fail(`${desc} record size ${recSize} is invalid (minimum ${minRec}, multiple of 4)`);
    let p = start + 4;
    const end = start + len;
    if (p === end) throw fail(`${desc} block has no sections`);
    while (p < end) {
      if (end - p < 8) throw fail(`${desc} section header at ${p - hdrLen} truncated`);
      const nameOff = v.getUint32(p, le);
      const num = v.getUint32(p + 4, le);
      const sec = str(nameOff, () => `${desc} section name`);
      p += 8;
      if (num === 0) throw fail(`${desc} section '${sec}' has no records`);
      if (num > Math.floor((end - p) / recSize)) throw fail(`${desc} section '${sec}': ${num} records of ${recSize} bytes exceed the block`);
      const records: T[] = new Array<T>(num);
      for (let i = 0; i < num; i++, p += recSize) records[i] = rec(p, sec, i);
      out.push({ section: sec, records });
    }
    return { recSize, out };
  }

  const insnOffAt = (p: number, desc: string, sec: string, i: number): number => {
    const o = v.getUint32(p, le);
    if (o % 8 !== 0) throw fail(`${desc} section '${sec}' record ${i}: insn_off ${o} is not a multiple of 8`);
    return o;
  };
  const typeIdAt = (p: number, desc: string, sec: string, i: number): number => {
    const id = v.getUint32(p, le);
    if (!btf.has(id)) throw fail(`${desc} section '${sec}' record ${i}: type id ${id} out of range (${btf.typeCount} types)`);
    return id;
  };

  const fi = block<BtfFuncInfo>('func_info', v.getUint32(8, le), v.getUint32(12, le), 8, (p, sec, i) => {
    const insnOff = insnOffAt(p, 'func_info', sec, i);
    const typeId = typeIdAt(p + 4, 'func_info', sec, i);
    if (btf.type(typeId).kind !== 'FUNC') throw fail(`func_info section '${sec}' record ${i}: type [${typeId}] is ${btf.type(typeId).kind}, not FUNC`);
    return { insnOff, typeId };
  });
  const li = block<BtfLineInfo>('line_info', v.getUint32(16, le), v.getUint32(20, le), 16, (p, sec, i) => {
    const lineCol = v.getUint32(p + 12, le);
    return {
      insnOff: insnOffAt(p, 'line_info', sec, i),
      fileName: str(v.getUint32(p + 4, le), () => `line_info section '${sec}' record ${i}: file name`),
      lineText: str(v.getUint32(p + 8, le), () => `line_info section '${sec}' record ${i}: line text`),
      line: lineCol >>> 10,
      column: lineCol & 0x3ff,
    };
  });
  let cr: { recSize: number; out: BtfExtSection<BtfCoreReloRecord>[] } = { recSize: 0, out: [] };
  if (hdrLen >= EXT_HEADER_CORE) {
    cr = block<BtfCoreReloRecord>('core_relo', v.getUint32(24, le), v.getUint32(28, le), 16, (p, sec, i) => ({
      insnOff: insnOffAt(p, 'core_relo', sec, i),
      typeId: typeIdAt(p + 4, 'core_relo', sec, i),
      accessStr: str(v.getUint32(p + 8, le), () => `core_relo section '${sec}' record ${i}: access string`),
      kind: v.getUint32(p + 12, le),
    }));
  }
  return {
    hdrLen,
    recSizes: { funcInfo: fi.recSize, lineInfo: li.recSize, coreRelo: cr.recSize },
    funcInfo: fi.out,
    lineInfo: li.out,
    coreRelos: cr.out,
  };
}
