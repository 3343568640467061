/** Byte helpers shared by every layer. No Node-only APIs. */

/** ASCII codes of the hex digits. */
const HEX_CODES = new TextEncoder().encode('0123456789abcdef');
const LATIN1 = new TextDecoder('latin1');

/**
 * Lowercase hex with no separators. Linear in time and memory: the digits go into one byte buffer
 * decoded once (string concatenation per byte builds a rope of millions of nodes for large inputs).
 */
export function toHex(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n === 0) return '';
  const out = new Uint8Array(n * 2);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    out[2 * i] = HEX_CODES[b >> 4]!;
    out[2 * i + 1] = HEX_CODES[b & 15]!;
  }
  return LATIN1.decode(out);
}

/** Value of the hex digit with char code `c`, or -1. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/**
 * Parse hex; whitespace, commas and an optional 0x prefix per token are ignored. Throws on odd or
 * bad digits. Linear: one pass over the text.
 */
export function fromHex(text: string): Uint8Array {
  const digits = new Uint8Array(text.length);
  let n = 0;
  let bad = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x30 && (text.charCodeAt(i + 1) | 0x20) === 0x78) {
      i++; // a 0x prefix
      continue;
    }
    if (c === 0x20 || c === 0x2c || (c >= 9 && c <= 13)) continue;
    const v = hexValue(c);
    if (v < 0) bad = true;
    else digits[n++] = v;
  }
  if (bad || n % 2 !== 0) throw new TypeError(`invalid hex string (${n} digits)`);
  const out = new Uint8Array(n / 2);
  for (let i = 0; i < out.length; i++) out[i] = (digits[2 * i]! << 4) | digits[2 * i + 1]!;
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
