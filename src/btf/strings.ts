/**
 * A BTF string section: NUL-terminated strings addressed by byte offset. For split BTF the
 * offsets continue after the base's section (offset < base.length -> base string).
 */
import { BtfError } from './errors.js';

const utf8 = new TextDecoder();
// 'latin1' (windows-1252 in WHATWG terms) is identical to ASCII below 0x80 and decodes natively.
const ascii = new TextDecoder('latin1');

/** Decode bytes [start, end) as UTF-8, with a native fast path for ASCII names. */
function decode(bytes: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return utf8.decode(bytes.subarray(start, end));
  return ascii.decode(bytes.subarray(start, end));
}

/** A decoded view of one string section (plus its base's, for split BTF). */
export class BtfStrings {
  /** Raw bytes of this section only. */
  readonly bytes: Uint8Array;
  readonly base: BtfStrings | undefined;
  /** First offset that belongs to this section (base's total length, or 0). */
  readonly start: number;
  private readonly cache = new Map<number, string>();

  /**
   * Wrap a string section. Checks what the kernel's btf_parse_str_sec checks: a non-empty
   * section ends in NUL, and (for base BTF) starts with the empty string.
   */
  constructor(bytes: Uint8Array, base?: BtfStrings) {
    this.bytes = bytes;
    this.base = base;
    this.start = base === undefined ? 0 : base.length;
    if (base === undefined && (bytes.length === 0 || bytes[0] !== 0)) {
      throw new BtfError('BTF_BAD_STRING', 'string section does not start with the empty string');
    }
    if (bytes.length > 0 && bytes[bytes.length - 1] !== 0) {
      throw new BtfError('BTF_BAD_STRING', 'string section is not NUL-terminated');
    }
  }

  /** Total addressable length (base included). */
  get length(): number {
    return this.start + this.bytes.length;
  }

  /** True when `off` addresses a string (in this section or the base). */
  has(off: number): boolean {
    return Number.isInteger(off) && off >= 0 && off < this.length;
  }

  /** The string at `off`; `what` names the referrer for the BTF_BAD_STRING message. */
  at(off: number, what?: () => string): string {
    if (off < this.start) {
      if (this.base !== undefined) return this.base.at(off, what);
      if (off === 0) return '';
    }
    const cached = this.cache.get(off);
    if (cached !== undefined) return cached;
    const rel = off - this.start;
    if (!Number.isInteger(rel) || rel < 0 || rel >= this.bytes.length) {
      if (off === 0) return '';
      throw new BtfError('BTF_BAD_STRING', `${what === undefined ? 'string' : what()}: offset ${off} outside string section (${this.length} bytes)`);
    }
    const b = this.bytes;
    let end = rel;
    while (b[end] !== 0) end++; // terminated: the section ends in NUL
    const s = decode(b, rel, end);
    this.cache.set(off, s);
    return s;
  }
}

/** Builds a deduplicated string section; offset 0 is the empty string. */
export class StringTableBuilder {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)];
  private readonly offsets = new Map<string, number>([['', 0]]);
  private size = 1;
  private readonly encoder = new TextEncoder();
  /** Offset added to every returned offset (the base's string length for split BTF). */
  constructor(readonly start = 0) {}

  /** The offset of `s`, adding it when new. */
  add(s: string): number {
    if (s === '') return 0;
    const known = this.offsets.get(s);
    if (known !== undefined) return known + this.start;
    const enc = this.encoder.encode(s);
    const off = this.size;
    this.parts.push(enc, new Uint8Array(1));
    this.size += enc.length + 1;
    this.offsets.set(s, off);
    return off + this.start;
  }

  /** The section bytes so far. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
