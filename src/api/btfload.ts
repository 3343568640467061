/**
 * Preparing an object's BTF for BPF_BTF_LOAD: encode the fixed-up types and append the strings
 * the `.BTF.ext` records refer to (file names and source lines are in the string section but no
 * type refers to them, so an encoder keeps only what types need). Returns the blob and the string
 * offsets, which become line_info's `file_name_off` / `line_off`.
 *
 * BTF header (include/uapi/linux/btf.h):
 *   0 magic u16 | 2 version u8 | 3 flags u8 | 4 hdr_len u32 | 8 type_off | 12 type_len
 *   | 16 str_off | 20 str_len     (offsets relative to the end of the header)
 */
import type { Btf } from '../btf/btf.js';
import { encodeBtf } from '../btf/encode.js';

/** The blob plus the offset of each extra string. */
export interface LoadableBtf {
  readonly bytes: Uint8Array;
  readonly strOff: (s: string) => number;
}

/** Encode `btf` (little-endian) with `extra` strings appended to its string section. */
export function loadableBtf(btf: Btf, extra: Iterable<string>): LoadableBtf {
  const base = encodeBtf(btf, { littleEndian: true });
  const dv = new DataView(base.buffer, base.byteOffset, base.byteLength);
  const hdrLen = dv.getUint32(4, true);
  const strOff = dv.getUint32(16, true);
  const strLen = dv.getUint32(20, true);
  const strStart = hdrLen + strOff;
  const existing = new Map<string, number>();
  // Index the encoded strings so reused text (a file name that is also a type name) keeps its offset.
  let p = 0;
  const strs = base.subarray(strStart, strStart + strLen);
  while (p < strs.length) {
    let e = p;
    while (e < strs.length && strs[e] !== 0) e++;
    const s = new TextDecoder().decode(strs.subarray(p, e));
    if (!existing.has(s)) existing.set(s, p);
    p = e + 1;
  }
  const add: Uint8Array[] = [];
  let next = strLen;
  for (const s of extra) {
    if (existing.has(s)) continue;
    const b = new TextEncoder().encode(`${s}\0`);
    existing.set(s, next);
    add.push(b);
    next += b.length;
  }
  const out = new Uint8Array(strStart + next);
  out.set(base.subarray(0, strStart + strLen));
  let o = strStart + strLen;
  for (const b of add) {
    out.set(b, o);
    o += b.length;
  }
  new DataView(out.buffer).setUint32(20, next, true);
  return {
    bytes: out,
    strOff: (s) => existing.get(s) ?? 0,
  };
}
