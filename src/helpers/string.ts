/**
 * String helpers (kernel/bpf/helpers.c): bpf_strncmp, bpf_strtol and bpf_strtoul.
 *
 * bpf_strtol/bpf_strtoul parse like the kernel's __bpf_strtoull: skip leading whitespace, an
 * optional '-', then at most 63 characters of digits in base 8, 10 or 16 (0 = auto: `0x` prefix is
 * 16, a leading `0` is 8). They store the value in *res (0 on failure) and return the number of
 * characters consumed; -EINVAL for bad flags, no digits or (strtoul) a negative number, -ERANGE on
 * overflow.
 */
import { ERRNO } from '../util/errno.js';
import type { Machine } from '../vm/machine.js';
import { constStrArg, memArg } from './args.js';
import type { HelperDef, HelperProto } from './registry.js';

const { EINVAL, ERANGE } = ERRNO;

/** BPF_STRTOX_BASE_MASK. */
const BASE_MASK = 0x1f;
const U64_MAX = (1n << 64n) - 1n;

/** bpf_strncmp(s1, u32 s1_sz, s2): the kernel's strncmp (unsigned bytes, -1/0/1). */
function strncmp(m: Machine): void {
  const H = 'bpf_strncmp';
  const n = m.argU32(2);
  if (n === 0) throw m.fail('helper', `${H} r2 (s1_sz): the verifier rejects a zero size`);
  const o1 = memArg(m, 1, n, false, H, 's1');
  const s1 = m.mem.bytes(m.hi[1]!);
  const s2 = constStrArg(m, 3, H, 's2');
  for (let i = 0; i < n; i++) {
    const c1 = s1[o1 + i]!;
    const c2 = i < s2.length ? s2[i]! : 0;
    if (c1 !== c2) {
      m.setR0Num(c1 < c2 ? -1 : 1);
      return;
    }
    if (c1 === 0) break;
  }
  m.setR0Num(0);
}

/** isspace of the kernel's ctype table (ASCII whitespace and Latin-1 NBSP). */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0;
}

function digitOf(c: number): number {
  const l = c | 0x20;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return 16;
}

/** __bpf_strtoull: consumed characters, value and sign, or -errno. */
export function strtoull(buf: Uint8Array, flags: bigint): { consumed: number; value: bigint; negative: boolean } | number {
  let base = Number(flags & BigInt(BASE_MASK));
  if (buf.length === 0) return -EINVAL;
  if (base !== 0 && base !== 8 && base !== 10 && base !== 16) return -EINVAL;
  if ((flags & ~BigInt(BASE_MASK)) !== 0n) return -EINVAL;
  let p = 0;
  while (p < buf.length && isSpace(buf[p]!)) p++;
  const negative = p < buf.length && buf[p] === 0x2d;
  if (negative) p++;
  let consumed = p;
  if (buf.length - consumed === 0) return -EINVAL;
  // a NUL-terminated copy of at most 63 characters
  const str = buf.subarray(p, p + Math.min(buf.length - consumed, 63));
  const at = (i: number): number => (i < str.length ? str[i]! : 0);
  let s = 0;
  // _parse_integer_fixup_radix
  if (base === 0) {
    if (at(0) === 0x30) base = (at(1) | 0x20) === 0x78 && digitOf(at(2)) < 16 ? 16 : 8;
    else base = 10;
  }
  if (base === 16 && at(0) === 0x30 && (at(1) | 0x20) === 0x78) s = 2;
  // _parse_integer
  let value = 0n;
  let overflow = false;
  let n = 0;
  for (;;) {
    const d = digitOf(at(s + n));
    if (d >= base) break;
    const next = value * BigInt(base) + BigInt(d);
    if (next > U64_MAX) overflow = true;
    value = next & U64_MAX;
    n++;
  }
  if (overflow) return -ERANGE;
  if (n === 0) return -EINVAL;
  consumed += s + n;
  return { consumed, value, negative };
}

/** bpf_strtol / bpf_strtoul(buf, buf_len, flags, res). */
function strtox(signed: boolean): (m: Machine) => void {
  const H = signed ? 'bpf_strtol' : 'bpf_strtoul';
  return (m) => {
    const len = m.argU32(2);
    if (len === 0) throw m.fail('helper', `${H} r2 (buf_len): the verifier rejects a zero size`);
    const bo = memArg(m, 1, len, false, H, 'buf');
    const ro = memArg(m, 4, 8, true, H, 'res');
    const res = m.mem.view(m.hi[4]!);
    res.setBigUint64(ro, 0n, true);
    const r = strtoull(m.mem.bytes(m.hi[1]!).subarray(bo, bo + len), m.argU64(3));
    if (typeof r === 'number') {
      m.setR0Num(r);
      return;
    }
    let v = r.value;
    if (signed) {
      if (r.negative) {
        if (BigInt.asIntN(64, -v) > 0n) return void m.setR0Num(-ERANGE);
        v = -v;
      } else if (BigInt.asIntN(64, v) < 0n) return void m.setR0Num(-ERANGE);
    } else if (r.negative) return void m.setR0Num(-EINVAL);
    res.setBigUint64(ro, BigInt.asUintN(64, v), true);
    m.setR0Num(r.consumed);
  };
}

/**
 * Verifier prototypes (kernel/bpf/helpers.c): bpf_strncmp compares read-only memory with a constant
 * string of a frozen map; bpf_strtol/strtoul read the buffer and write the 8-byte result
 * (ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED, 8 bytes).
 */
const STRNCMP_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'mem', rdonly: true }, { kind: 'size' }, { kind: 'const_str' }] };
const STRTO_PROTO: HelperProto = {
  ret: 'integer',
  args: [{ kind: 'mem', rdonly: true }, { kind: 'size' }, { kind: 'anything' }, { kind: 'mem', uninit: true, fixedSize: 8 }],
};

/** The string helper family. */
export function stringHelpers(): HelperDef[] {
  const family = 'string';
  return [
    { id: 182, name: 'strncmp', fn: strncmp, proto: STRNCMP_PROTO, family },
    { id: 105, name: 'strtol', fn: strtox(true), proto: STRTO_PROTO, family },
    { id: 106, name: 'strtoul', fn: strtox(false), proto: STRTO_PROTO, family },
  ];
}
