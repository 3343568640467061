/** Byte helpers shared by every layer. No Node-only APIs. */

const HEX = '0123456789abcdef';

/** Lowercase hex with no separators. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    s += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return s;
}

/** Parse hex; whitespace and an optional 0x prefix per token are ignored. Throws on odd or bad digits. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/0x/gi, '').replace(/[\s,]+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new TypeError(`invalid hex string (${clean.length} digits)`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

/** A DataView over exactly the bytes of `u8`, honouring its byteOffset. */
export function viewOf(u8: Uint8Array): DataView {
  return new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
}

/** Concatenate byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Decode a NUL-terminated string starting at `off` (latin1/utf8-agnostic for ASCII names). */
export function cString(bytes: Uint8Array, off: number, max = bytes.length - off): string {
  let end = off;
  const lim = Math.min(bytes.length, off + max);
  while (end < lim && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(off, end));
}

/** Round up to a multiple of `a` (a power of two not required). */
export function roundUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
