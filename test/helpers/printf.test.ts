/**
 * bpf_bprintf_prepare + bstr_printf. The expected strings and lengths were produced by the 6.18
 * kernel on this machine (bpf_printk / BPF_SNPRINTF in a tc program, read back from the trace
 * buffer and .bss), except where a comment says the emulator differs by design (%p hashing).
 */
import { describe, expect, it } from 'vitest';
import { MAX_BPRINTF_BIN_ARGS, bprintf, bprintfPrepare, bstrPrintf, formatIp, type PrintfMemory } from '../../src/helpers/printf.js';
import { ERRNO } from '../../src/util/errno.js';

const { EINVAL, ENOSPC, EFAULT } = ERRNO;

/** Strings and bytes at fake addresses (kernel: >= 2^32, user: below). */
function memory(strings: Record<string, string> = {}, bytes: Record<string, number[]> = {}): PrintfMemory {
  const s = new Map(Object.entries(strings).map(([a, v]) => [BigInt(a), v]));
  const b = new Map(Object.entries(bytes).map(([a, v]) => [BigInt(a), v]));
  return {
    copyString(kind, addr, dst) {
      const user = addr < 1n << 32n;
      if ((kind === 'k' && user) || (kind === 'u' && !user)) return -EFAULT;
      const v = s.get(addr);
      if (v === undefined) return -EFAULT;
      const n = Math.min(v.length, dst.length - 1);
      for (let i = 0; i < n; i++) dst[i] = v.charCodeAt(i);
      dst[n] = 0;
      return v.length + 1 > dst.length ? dst.length : v.length + 1;
    },
    copyKernel(addr, dst) {
      const v = b.get(addr);
      if (v === undefined || v.length < dst.length) return -EFAULT;
      dst.set(v.slice(0, dst.length));
      return 0;
    },
  };
}

function fmt(s: string): Uint8Array {
  const b = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

function text(b: Uint8Array): string {
  return String.fromCharCode(...b);
}

/** Format like bpf_trace_printk (3 arguments, 1024-byte buffer). */
function printk(f: string, args: (bigint | number)[], mem = memory()): { out: string; len: number } | number {
  const a = [0, 1, 2].map((i) => BigInt.asUintN(64, BigInt(args[i] ?? 0)));
  const r = bprintf(fmt(f), f.length + 1, a, mem, 1024);
  return typeof r === 'number' ? r : { out: text(r.bytes), len: r.length };
}

const IP6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

describe('bpf_bprintf_prepare + bstr_printf (kernel goldens)', () => {
  it.each([
    ['a=%d b=%u', [-5, 7], 'a=-5 b=7'],
    ['a[%5d] [%-5d] [%05d]', [42, 42, 42], 'a[   42] [42   ] [00042]'],
    ['b[%+d] [% d] [%+u]', [42, 42, 42], 'b[+42] [ 42] [42]'],
    ['c[%-05d] [%+05d] [% 5d]', [-42, 42, 42], 'c[-42  ] [+0042] [   42]'],
    ['d[%x] [%lx] [%lX]', [-1, -1, 0xabc], 'd[ffffffff] [ffffffffffffffff] [ABC]'],
    ['e[%i] [%llu] [%5x]', [-7, 12345, 0xfe], 'e[-7] [12345] [   fe]'],
    ['x=[%08x] [%X] [%-4x|]', [0xab, 0xab, 1], 'x=[000000ab] [AB] [1   |]'],
    ['t[%010x] [%-010x|]', [0xbeef, 0xbeef], 't[000000beef] [beef      |]'],
    ['s[%lld] [%lli]', [-5, 6], 's[-5] [6]'],
    ['ld=%ld lu=%lu lld=%lld', [-1, -1, -1], 'ld=-1 lu=18446744073709551615 lld=-1'],
    ['u32=%u d=%d', [-1, 0x80000000], 'u32=4294967295 d=-2147483648'],
    ['v[%ld]', [0x100000001], 'v[4294967297]'],
    ['w[%d]', [0x100000001], 'w[1]'],
    ['q[%d %d]', [1], 'q[1 0]'],
    ['pct=%% %d', [-1], 'pct=% -1'],
    ['c=[%c] [%3c] [%-3c]', [0x61, 0x62, 0x63], 'c=[a] [  b] [c  ]'],
    ['n[%pS] [%pB]', [0x10, 0x20], 'n[0x10] [0x20]'],
    ['tab\there', [], 'tab\there'],
    ['nl at end\n', [], 'nl at end\n'],
  ] as const)('%j', (f, args, want) => {
    expect(printk(f, [...args])).toEqual({ out: want, len: want.length });
  });

  it('rejects what bpf_bprintf_prepare rejects with -EINVAL', () => {
    for (const f of ['f[%.2d]', 'g[%#x]', 'h[%hd]', 'i[%sX]', 'j[%pZ]', 'o[%5%]', 'r[%l]', 'x[%u%]', 'y[%]', '%z', '%n', 'é', 'bell\x07']) {
      expect(printk(f, [1, 2, 3]), f).toBe(-EINVAL);
    }
    // more conversions than arguments (trace_printk always passes 3)
    expect(printk('%d %d %d %d', [1, 2, 3])).toBe(-EINVAL);
    // no NUL within fmt_size
    expect(bprintf(fmt('abc'), 3, [], memory(), 1024)).toBe(-EINVAL);
    // without arguments any conversion is an error, %% is not
    expect(bprintf(fmt('%d'), 3, [], memory(), 1024)).toBe(-EINVAL);
    expect(bprintf(fmt('100%%'), 6, [], memory(), 1024)).toMatchObject({ length: 4 });
  });

  it('a NUL in fmt_size ends the format; later bytes are ignored', () => {
    const f = new Uint8Array([0x61, 0, 0x25, 0x7a]);
    expect(bprintf(f, 4, [], memory(), 1024)).toEqual({ bytes: Uint8Array.of(0x61), length: 1 });
  });

  it('strings: %s by address space, %pks kernel only, %pus user only, faults print nothing', () => {
    const mem = memory({ '0x100000010': 'kern', '0x1000': 'user' });
    expect(printk('[%s|%s|%s]', [0x100000010n, 0x1000, 0], mem)).toEqual({ out: '[kern|user|]', len: 12 });
    expect(printk('[%pks|%pus]', [0x100000010n, 0x1000], mem)).toEqual({ out: '[kern|user]', len: 11 });
    expect(printk('[%pks|%pus]', [0x1000, 0x100000010n], mem)).toEqual({ out: '[|]', len: 3 });
    expect(printk('s=[%s] [%6s] [%-6s]', [0x1, 0x2, 0x3], memory({ '1': 'ab', '2': 'cd', '3': 'ef' }))).toEqual({ out: 's=[ab] [    cd] [ef    ]', len: 24 });
    expect(printk('pks=[%pks] ps=[%ps]', [0, 0x10])).toEqual({ out: 'pks=[] ps=[0x10]', len: 16 });
  });

  it('IP addresses come from kernel memory; unreadable ones print as zeros', () => {
    const mem = memory({}, { '0x100000000': [10, 0, 0, 1], '0x200000000': IP6 });
    expect(printk('i4=[%pi4] I4=[%pI4]', [0x100000000n, 0x100000000n], mem)).toEqual({ out: 'i4=[010.000.000.001] I4=[10.0.0.1]', len: 34 });
    const six = printk('k[%pI6] [%pi6]', [0x200000000n, 0x200000000n], mem);
    expect(six).toEqual({ out: 'k[2001:0db8:0000:0000:0000:0000:0000:0001] [20010db8000000000000000000000001]', len: 77 });
    expect(printk('%pI4', [0x1234], mem)).toEqual({ out: '0.0.0.0', len: 7 });
    // letters and digits after %p<kind> belong to the conversion
    expect(printk('z[%pi4%d]', [0x200000000n, 5], mem)).toEqual({ out: 'z[032.001.013.1845]', len: 19 });
    expect(formatIp(Uint8Array.of(192, 168, 1, 2), true)).toBe('192.168.1.2');
  });

  it('%c keeps the low byte (a NUL stays in the output)', () => {
    const r = printk('l[%c%c%c]', [0x41, 0x141, 0]);
    expect(r).toEqual({ out: 'l[AA\0]', len: 6 });
  });

  it('pointers print as raw values (the kernel hashes %p and %pK; by design the emulator does not)', () => {
    expect(printk('p=[%p] [%pK] [%px]', [0x1234, 0, 0xffff])).toEqual({ out: 'p=[0000000000001234] [0000000000000000] [000000000000ffff]', len: 58 });
    expect(printk('m[%20p] [%-20px]', [1, 2])).toEqual({ out: `m[${' '.repeat(19)}1] [2${' '.repeat(19)}]`, len: 46 });
    expect(printk('p[%pKab]', [0x10])).toEqual({ out: 'p[0000000000000010]', len: 19 });
  });

  it('truncates to the buffer and returns the full length (bpf_snprintf goldens)', () => {
    const mem = memory({ '1': 'abcd', '2': 'efgh' });
    expect(bprintf(fmt('%s-%s'), 6, [1n, 2n], mem, 8)).toEqual({ bytes: Uint8Array.from([...'abcd-ef'].map((c) => c.charCodeAt(0))), length: 9 });
    expect(bprintf(fmt('%d'), 3, [12345n], mem, 0)).toEqual({ bytes: new Uint8Array(0), length: 5 });
    const m6 = memory({}, { '0x200000000': IP6 });
    const r = bprintf(fmt('%pI6|%05u|%3c'), 14, [0x200000000n, 7n, 0x7an], m6, 48);
    expect(typeof r === 'number' ? r : { s: text(r.bytes), n: r.length }).toEqual({ s: '2001:0db8:0000:0000:0000:0000:0000:0001|00007| ', n: 49 });
  });

  it('a pre-formatted argument past the end of the output is neither written nor counted (bstr_printf)', () => {
    const mem = memory({}, { '0x100000000': [10, 0, 0, 1] });
    const r = bprintf(fmt('abcdef%pI4'), 11, [0x100000000n], mem, 4);
    expect(r).toEqual({ bytes: Uint8Array.from([...'abc'].map((c) => c.charCodeAt(0))), length: 6 });
  });

  it('the 512-byte argument buffer: long strings are cut, then -ENOSPC', () => {
    const long = 'x'.repeat(600);
    const mem = memory({ '1': long });
    const r = bprintf(fmt('%s'), 3, [1n], mem, 1024);
    expect(typeof r === 'number' ? r : r.length).toBe(MAX_BPRINTF_BIN_ARGS - 1);
    expect(bprintf(fmt('%s%d'), 5, [1n, 2n], mem, 1024)).toBe(-ENOSPC);
    expect(bprintf(fmt('%s%c'), 5, [1n, 2n], mem, 1024)).toBe(-ENOSPC);
  });

  it('prepare packs ints as u32, longs as two u32 at 4-byte alignment, chars as one byte', () => {
    const p = bprintfPrepare(fmt('%c%d%lld'), 9, [0x41n, 0x11223344n, 0x0102030405060708n], memory());
    expect(typeof p).toBe('object');
    if (typeof p === 'number') return;
    expect([...p.bin.subarray(0, 16)]).toEqual([0x41, 0, 0, 0, 0x44, 0x33, 0x22, 0x11, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(text(bstrPrintf(p, 64).bytes)).toBe(`A${0x11223344}${0x0102030405060708n}`);
  });
});
