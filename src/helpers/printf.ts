/**
 * The kernel's printf machinery for BPF: bpf_bprintf_prepare (kernel/bpf/helpers.c) validates a
 * format and packs the arguments into a binary buffer, bstr_printf (lib/vsprintf.c) formats from
 * that buffer. Both are reproduced byte for byte, including the packing, so that truncation and
 * buffer-exhaustion quirks come out as on the kernel.
 *
 * Accepted conversions (anything else is -EINVAL):
 *
 *   %[flags][width]<conv>   flags: 0 + - space   width: [1-9][0-9]*   (no precision, no '#')
 *   conv: d i u x X with optional l or ll, c, s, %% (literal), and the pointer forms
 *         %p %pK %px %ps %pS (a pointer value), %pB (a symbol), %pks %pus (kernel/user strings),
 *         %pI4 %pi4 %pI6 %pi6 (IP addresses read from kernel memory)
 *   %s must be followed by NUL, whitespace or punctuation; %p swallows following letters/digits
 *
 * Binary argument layout (MAX_BPRINTF_BIN_ARGS = 512 bytes):
 *
 *   int (no l)  u32 at a 4-aligned offset      %c              1 byte, unaligned
 *   l, ll, %p   u64 as two u32, 4-aligned      %s %pks %pus    the string and its NUL (truncated
 *   %pI4/6 %pB  the formatted text and NUL                     to the space left; "" on a fault)
 *
 * Running out of space is -ENOSPC. Differences from the kernel, by design: %p and %pK print the
 * raw value (as with the `no_hash_pointers` boot option) instead of a per-boot hash, and %pB/%pS/%ps
 * print `0x<hex>` since the emulated kernel has no symbols.
 */
import { ERRNO } from '../util/errno.js';

const { EINVAL, ENOSPC } = ERRNO;

/** MAX_BPRINTF_VARARGS: at most this many arguments (trace_vprintk, snprintf). */
export const MAX_BPRINTF_VARARGS = 12;
/** MAX_BPRINTF_BIN_ARGS: bytes of the packed-argument buffer. */
export const MAX_BPRINTF_BIN_ARGS = 512;
/** MAX_BPRINTF_BUF: the output buffer of bpf_trace_printk / bpf_trace_vprintk. */
export const MAX_BPRINTF_BUF = 1024;

/** Where %s, %pks, %pus and %pI read from (strncpy_from_*_nofault, copy_from_kernel_nofault). */
export interface PrintfMemory {
  /**
   * Copy the NUL-terminated string at `addr` into `dst` (at most dst.length bytes, NUL included):
   * kind 's' decides by address (user below TASK_SIZE, else kernel), 'k' kernel, 'u' user. Returns
   * the bytes copied including the NUL (dst.length if truncated, the last byte then NUL) or -errno.
   */
  copyString(kind: 's' | 'k' | 'u', addr: bigint, dst: Uint8Array): number;
  /** copy_from_kernel_nofault of `dst.length` bytes: 0 or -errno. */
  copyKernel(addr: bigint, dst: Uint8Array): number;
}

/** ASCII isprint/isspace/ispunct/isalnum of the kernel's ctype table (ASCII part). */
function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
function isPunct(c: number): boolean {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAlnum(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

const C = (s: string): number => s.charCodeAt(0);

/** A validated format and its packed arguments. */
export interface Prepared {
  /** The format up to (not including) its NUL. */
  readonly fmt: Uint8Array;
  /** The binary argument buffer (MAX_BPRINTF_BIN_ARGS bytes). */
  readonly bin: Uint8Array;
}

/**
 * bpf_bprintf_prepare: validate `fmt` (which must contain a NUL within `fmtSize` bytes) against
 * `args` and pack them. Returns the prepared format or -EINVAL / -ENOSPC.
 */
export function bprintfPrepare(fmtBytes: Uint8Array, fmtSize: number, args: readonly bigint[], mem: PrintfMemory): Prepared | number {
  const limit = Math.min(fmtSize, fmtBytes.length);
  let end = -1;
  for (let i = 0; i < limit; i++) {
    if (fmtBytes[i] === 0) {
      end = i;
      break;
    }
  }
  if (end < 0) return -EINVAL;
  const fmt = fmtBytes.subarray(0, end);
  const at = (i: number): number => (i < end ? fmt[i]! : 0);
  const numArgs = args.length;
  const bin = new Uint8Array(MAX_BPRINTF_BIN_ARGS);
  const dv = new DataView(bin.buffer);
  // With no arguments the kernel has no buffer: validation only (any conversion then fails).
  const copying = numArgs > 0;
  let tmp = 0;
  const tmpEnd = MAX_BPRINTF_BIN_ARGS;
  let numSpec = 0;

  const putScalar = (size: number, v: bigint): number => {
    if (!copying) return 0;
    tmp = (tmp + 3) & ~3;
    if (tmpEnd - tmp < size) return -ENOSPC;
    const u = BigInt.asUintN(64, v);
    dv.setUint32(tmp, Number(u & 0xffffffffn), true);
    if (size === 8) dv.setUint32(tmp + 4, Number(u >> 32n), true);
    tmp += size;
    return 0;
  };
  const putText = (text: Uint8Array): void => {
    // snprintf into the rest of the buffer (truncated, NUL-terminated); the cursor moves by the full length + 1
    const room = tmpEnd - tmp;
    if (room > 0) {
      const n = Math.min(text.length, room - 1);
      bin.set(text.subarray(0, n), tmp);
      bin[tmp + n] = 0;
    }
    tmp += text.length + 1;
  };

  // %s, %pks, %pus: `next` is the character after the conversion
  const copyString = (kind: 's' | 'k' | 'u', next: number): number => {
    if (next !== 0 && !isSpace(next) && !isPunct(next)) return -EINVAL;
    if (copying) {
      // the kernel checks tmp == end only; past the end (after an oversized %pB) it would overrun
      if (tmp >= tmpEnd) return -ENOSPC;
      const room = bin.subarray(tmp, tmpEnd);
      room[0] = 0;
      let n = mem.copyString(kind, args[numSpec] ?? 0n, room);
      if (n < 0) {
        room[0] = 0;
        n = 1;
      }
      tmp += n;
    }
    numSpec++;
    return 0;
  };

  for (let i = 0; i < end; i++) {
    const c = fmt[i]!;
    if ((!isPrint(c) && !isSpace(c)) || c > 0x7f) return -EINVAL;
    if (c !== C('%')) continue;
    if (at(i + 1) === C('%')) {
      i++;
      continue;
    }
    if (numSpec >= numArgs) return -EINVAL;
    i++;
    while (at(i) === C('0') || at(i) === C('+') || at(i) === C('-') || at(i) === C(' ')) i++;
    if (at(i) >= C('1') && at(i) <= C('9')) {
      i++;
      while (isDigit(at(i))) i++;
    }
    const arg = args[numSpec] ?? 0n;
    let size = 4;
    const f = at(i);
    if (f === C('p')) {
      size = 8;
      const n1 = at(i + 1);
      if (n1 === 0 || isSpace(n1) || isPunct(n1)) {
        // a plain %p: nothing more to consume
      } else if ((n1 === C('k') || n1 === C('u')) && at(i + 2) === C('s')) {
        i += 2;
        const r = copyString(n1 === C('k') ? 'k' : 'u', at(i + 1));
        if (r < 0) return r;
        continue;
      } else if (n1 === C('K') || n1 === C('x') || n1 === C('s') || n1 === C('S')) {
        i++;
      } else if (n1 === C('B')) {
        if (copying) putText(ascii(`0x${BigInt.asUintN(64, arg).toString(16)}`));
        i++;
        numSpec++;
        continue;
      } else {
        const n2 = at(i + 2);
        if ((n1 !== C('i') && n1 !== C('I')) || (n2 !== C('4') && n2 !== C('6'))) return -EINVAL;
        i += 2;
        if (copying) {
          const ipSize = n2 === C('4') ? 4 : 16;
          if (tmpEnd - tmp < ipSize) return -ENOSPC;
          const ip = new Uint8Array(ipSize);
          if (mem.copyKernel(arg, ip) < 0) ip.fill(0);
          putText(ascii(formatIp(ip, n1 === C('I'))));
        }
        numSpec++;
        continue;
      }
    } else if (f === C('s')) {
      const r = copyString('s', at(i + 1));
      if (r < 0) return r;
      continue;
    } else if (f === C('c')) {
      if (copying) {
        if (tmp >= tmpEnd) return -ENOSPC;
        bin[tmp++] = Number(BigInt.asUintN(8, arg));
      }
      numSpec++;
      continue;
    } else {
      if (at(i) === C('l')) {
        size = 8;
        i++;
      }
      if (at(i) === C('l')) {
        size = 8;
        i++;
      }
      const k = at(i);
      if (k !== C('i') && k !== C('d') && k !== C('u') && k !== C('x') && k !== C('X')) return -EINVAL;
    }
    const r = putScalar(size, arg);
    if (r < 0) return r;
    numSpec++;
  }
  return { fmt, bin };
}

/** The text of an IP address as %pI4 / %pi4 / %pI6 / %pi6 print it. */
export function formatIp(ip: Uint8Array, dotted: boolean): string {
  if (ip.length === 4) return [...ip].map((b) => (dotted ? String(b) : String(b).padStart(3, '0'))).join('.');
  const hex = [...ip].map((b) => b.toString(16).padStart(2, '0'));
  if (!dotted) return hex.join('');
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) groups.push(hex[2 * g]! + hex[2 * g + 1]!);
  return groups.join(':');
}

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Output of {@link bstrPrintf}. */
export interface Formatted {
  /** What was written: at most size - 1 bytes (the kernel adds a NUL after them when size > 0). */
  readonly bytes: Uint8Array;
  /** The length the full output would have (the return value of bstr_printf). */
  readonly length: number;
}

const LEFT = 1;
const PLUS = 2;
const SPACE = 4;
const ZEROPAD = 8;

/**
 * bstr_printf(buf, size, fmt, bin): format from a prepared argument buffer. Only the forms
 * bprintfPrepare accepts are handled.
 */
export function bstrPrintf(p: Prepared, size: number): Formatted {
  const { fmt, bin } = p;
  const dv = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const end = fmt.length;
  const at = (i: number): number => (i < end ? fmt[i]! : 0);
  const cap = Math.max(0, size - 1);
  const out: number[] = [];
  let len = 0;
  let args = 0;
  const put = (c: number): void => {
    if (len < cap) out.push(c);
    len++;
  };
  const u32At = (o: number): number => (o + 4 <= bin.length ? dv.getUint32(o, true) : 0);
  const getArg = (bytes: 1 | 4 | 8): bigint => {
    if (bytes === 1) return BigInt(args < bin.length ? bin[args++]! : (args++, 0));
    args = (args + 3) & ~3;
    const lo = u32At(args);
    const hi = bytes === 8 ? u32At(args + 4) : 0;
    args += bytes;
    return (BigInt(hi) << 32n) | BigInt(lo);
  };
  const strAt = (o: number): Uint8Array => {
    let e = o;
    while (e < bin.length && bin[e] !== 0) e++;
    return bin.subarray(Math.min(o, bin.length), e);
  };
  const pad = (n: number, c: number): void => {
    for (let k = 0; k < n; k++) put(c);
  };
  const widen = (text: Uint8Array | readonly number[], flags: number, width: number): void => {
    const spaces = width - text.length;
    if (!(flags & LEFT)) pad(spaces, 0x20);
    for (const c of text) put(c);
    if (flags & LEFT) pad(spaces, 0x20);
  };
  const number = (value: bigint, base: 10 | 16, signed: boolean, upper: boolean, flags: number, width: number): void => {
    let v = value;
    let sign = 0;
    if (flags & LEFT) flags &= ~ZEROPAD;
    if (signed && v < 0n) {
      sign = C('-');
      v = -v;
      width--;
    } else if (signed && flags & PLUS) {
      sign = C('+');
      width--;
    } else if (signed && flags & SPACE) {
      sign = C(' ');
      width--;
    }
    let digits = v.toString(base);
    if (upper) digits = digits.toUpperCase();
    // each padding loop uses up what is left of the width, as number()'s `while (--field_width >= 0)`
    width -= digits.length;
    if (!(flags & (LEFT | ZEROPAD))) {
      pad(width, 0x20);
      width = 0;
    }
    if (sign !== 0) put(sign);
    if (!(flags & LEFT)) {
      pad(width, flags & ZEROPAD ? C('0') : 0x20);
      width = 0;
    }
    for (let k = 0; k < digits.length; k++) put(digits.charCodeAt(k));
    pad(width, 0x20);
  };
  const pointerString = (v: bigint, flags: number, width: number): void => {
    if (width < 0) number(v, 16, false, false, flags | ZEROPAD, 16);
    else number(v, 16, false, false, flags, width);
  };

  for (let i = 0; i < end; i++) {
    const c = fmt[i]!;
    if (c !== C('%')) {
      put(c);
      continue;
    }
    i++;
    if (at(i) === C('%')) {
      put(C('%'));
      continue;
    }
    let flags = 0;
    for (;;) {
      const f = at(i);
      if (f === C('-')) flags |= LEFT;
      else if (f === C('+')) flags |= PLUS;
      else if (f === C(' ')) flags |= SPACE;
      else if (f === C('0')) flags |= ZEROPAD;
      else break;
      i++;
    }
    let width = -1;
    if (isDigit(at(i))) {
      width = 0;
      while (isDigit(at(i))) width = width * 10 + (at(i++) - 0x30);
    }
    let qual = 0;
    while (at(i) === C('l')) {
      qual++;
      i++;
    }
    const conv = at(i);
    switch (conv) {
      case C('c'): {
        if (!(flags & LEFT)) pad(width - 1, 0x20);
        put(Number(getArg(1)));
        if (flags & LEFT) pad(width - 1, 0x20);
        break;
      }
      case C('s'): {
        const s = strAt(args);
        args += s.length + 1;
        widen(s, flags, width);
        break;
      }
      case C('p'): {
        const n1 = at(i + 1);
        if (n1 === C('x') || n1 === C('K') || !isAlnum(n1)) {
          pointerString(getArg(8), flags, width);
        } else if (n1 === C('S') || n1 === C('s')) {
          widen(ascii(`0x${getArg(8).toString(16)}`), flags, width);
        } else if (len < size) {
          // a pre-formatted string (IP address, %pB, %pks/%pus), copied without padding; as in the
          // kernel, once the output is full neither the text nor the argument cursor moves on
          const s = strAt(args);
          for (const b of s) put(b);
          args += s.length + 1;
        }
        while (isAlnum(at(i + 1))) i++;
        break;
      }
      default: {
        // d i u x X (validated by prepare)
        const signed = conv === C('d') || conv === C('i');
        const bytes = qual > 0 ? 8 : 4;
        let v = getArg(bytes);
        if (signed) v = bytes === 8 ? BigInt.asIntN(64, v) : BigInt.asIntN(32, v);
        const hex = conv === C('x') || conv === C('X');
        number(v, hex ? 16 : 10, signed, conv === C('X'), flags, width);
        break;
      }
    }
  }
  return { bytes: Uint8Array.from(out), length: len };
}

/**
 * Prepare and format in one step (bpf_snprintf's and bpf_trace_printk's core): the formatted result
 * for an output buffer of `size` bytes, or -errno.
 */
export function bprintf(fmt: Uint8Array, fmtSize: number, args: readonly bigint[], mem: PrintfMemory, size: number): Formatted | number {
  const p = bprintfPrepare(fmt, fmtSize, args, mem);
  return typeof p === 'number' ? p : bstrPrintf(p, size);
}
