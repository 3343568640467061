/**
 * bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf through programs: what reaches the trace
 * pipe (kernel.tracePipe and the printk option), the return values (the helpers_print fixture's:
 * 8, 9, 10, 74 on the 6.18 kernel) and the errnos (kernel/trace/bpf_trace.c, kernel/bpf/helpers.c).
 */
import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { load, newKernel, ret, rodata, run, str, u64 } from './env.js';

const { EINVAL } = ERRNO;

/** trace_printk(rodata fmt, len + 1, a, b, c). */
function printk(fmtFd: number, size: number, args: (number | string)[] = []): string {
  return `
    lddw r1, map_value ${fmtFd} 0
    mov r2, ${size}
    ${args.map((a, i) => (typeof a === 'string' ? a : `lddw r${i + 3}, ${a}`)).join('\n')}
    call 6
    exit`;
}

/** The u64 args at fp-8*n .. fp-8, then `helper(...)`. */
function withArgs(args: (number | bigint)[], body: string): string {
  const stores = args.map((a, i) => `lddw r1, ${BigInt.asUintN(64, BigInt(a))}\nstxdw [r10-${8 * (args.length - i)}], r1`).join('\n');
  return `${stores}\n${body}`;
}

describe('bpf_trace_printk', () => {
  it('formats into the trace pipe and returns the length (helpers_print ret[0] = 8)', () => {
    const lines: string[] = [];
    const k = newKernel({ printk: (l) => lines.push(l) });
    const f = rodata(k, str('a=%d b=%u'));
    expect(ret(k, load(k, printk(f, 10, [-5, 7])))).toBe(8);
    expect(k.tracePipe).toEqual(['a=-5 b=7']);
    expect(lines).toEqual(['a=-5 b=7']);
  });

  it('keeps a trailing newline as part of the message', () => {
    const k = newKernel();
    const f = rodata(k, str('hi\n'));
    expect(ret(k, load(k, printk(f, 4)))).toBe(3);
    expect(k.tracePipe).toEqual(['hi\n']);
  });

  it('an invalid format is -EINVAL and prints nothing', () => {
    const k = newKernel();
    for (const bad of ['%.2d', '%d %d %d %d', '%sx', '%q']) {
      const f = rodata(k, str(bad));
      expect(ret(k, load(k, printk(f, bad.length + 1, [1, 2, 3]))), bad).toBe(-EINVAL);
    }
    // fmt_size must cover the NUL
    const f = rodata(k, str('abc'));
    expect(ret(k, load(k, printk(f, 3)))).toBe(-EINVAL);
    expect(k.tracePipe).toEqual([]);
  });

  it('the format may live on the stack; fmt_size is checked against the memory', () => {
    const k = newKernel();
    const p = load(k, `
      stw [r10-8], 0x0a6b6f  # "ok\\n\\0"
      mov r1, r10
      add r1, -8
      mov r2, 4
      call 6
      exit`);
    expect(ret(k, p)).toBe(3);
    expect(k.tracePipe).toEqual(['ok\n']);
    const tooBig = load(k, 'stw [r10-8], 0\nmov r1, r10\nadd r1, -8\nmov r2, 9\ncall 6\nexit');
    expect(run(k, tooBig).fault?.kind).toBe('out_of_bounds');
    const zero = load(k, 'stw [r10-8], 0\nmov r1, r10\nadd r1, -8\nmov r2, 0\ncall 6\nexit');
    expect(run(k, zero).fault?.kind).toBe('helper');
  });

  it('the message is cut at 1023 bytes, the return value is the full length', () => {
    const k = newKernel();
    const f = rodata(k, str('%1000d%100d'));
    expect(ret(k, load(k, printk(f, 12, [1, 2])))).toBe(1100);
    expect(k.tracePipe[0]!.length).toBe(1023);
  });

  it('%s reads user memory for user addresses and kernel memory otherwise', () => {
    const k = newKernel();
    const uaddr = k.user.alloc(str('from user'));
    const f = rodata(k, str('[%s] [%s]'));
    const kstr = rodata(k, str('kernel'));
    const p = load(k, `
      ldxdw r3, [r1+0]
      lddw r4, map_value ${kstr} 0
      lddw r1, map_value ${f} 0
      mov r2, 10
      call 6
      exit`);
    const ctx = u64(uaddr);
    expect(run(k, p, ctx).ret).toBe('[from user] [kernel]'.length);
    expect(k.tracePipe).toEqual(['[from user] [kernel]']);
  });

  it('is GPL-only', () => {
    const k = newKernel();
    const f = rodata(k, str('x'));
    expect(() => load(k, printk(f, 2), { license: 'Proprietary' })).toThrow();
  });
});

describe('bpf_trace_vprintk', () => {
  const call = (f: number, size: number, n: number, len: number, dataNull = false): string => `
    lddw r1, map_value ${f} 0
    mov r2, ${size}
    ${dataNull ? 'mov r3, 0' : `mov r3, r10\nadd r3, -${8 * n}`}
    mov r4, ${len}
    call 177
    exit`;

  it('takes its arguments from a u64 array (helpers_print ret[2] = 9)', () => {
    const k = newKernel();
    const f = rodata(k, str('%d %d %d %d %d'));
    expect(ret(k, load(k, withArgs([1, 2, 3, 4, 5], call(f, 15, 5, 40))))).toBe(9);
    expect(k.tracePipe).toEqual(['1 2 3 4 5']);
  });

  it('data_len must be a multiple of 8, at most 12 arguments, and not NULL when non-zero', () => {
    const k = newKernel();
    const f = rodata(k, str('x'));
    expect(ret(k, load(k, withArgs([1, 2], call(f, 2, 2, 12))))).toBe(-EINVAL);
    expect(ret(k, load(k, withArgs(new Array(13).fill(0), call(f, 2, 13, 104))))).toBe(-EINVAL);
    expect(ret(k, load(k, call(f, 2, 1, 8, true)))).toBe(-EINVAL);
    expect(ret(k, load(k, call(f, 2, 1, 0, true)))).toBe(1);
    expect(k.tracePipe).toEqual(['x']);
  });
});

describe('bpf_snprintf', () => {
  /** snprintf(fp-64, size, rodata fmt, args at fp-64-8n, 8n); the output is copied to ctx. */
  function snprintf(f: number, size: number, args: (number | bigint)[], o: { nullStr?: boolean } = {}): string {
    const n = args.length;
    const stores = args.map((a, i) => `lddw r1, ${BigInt.asUintN(64, BigInt(a))}\nstxdw [r10-${64 + 8 * (n - i)}], r1`).join('\n');
    return `
      mov r9, r1
      ${stores}
      ${o.nullStr === true ? 'mov r1, 0' : 'mov r1, r10\nadd r1, -64'}
      mov r2, ${size}
      lddw r3, map_value ${f} 0
      ${n > 0 ? `mov r4, r10\nadd r4, -${64 + 8 * n}` : 'mov r4, 0'}
      mov r5, ${8 * n}
      call 165
      mov r6, r0
      mov r1, r9
      mov r2, 16
      mov r3, r10
      add r3, -64
      call 113
      mov r0, r6
      exit`;
  }

  it('writes a NUL-terminated, possibly truncated string and returns the size needed (helpers_print ret[5] = 10)', () => {
    const k = newKernel();
    const f = rodata(k, str('%s-%s'));
    const a = rodata(k, str('abcd'));
    const b = rodata(k, str('efgh'));
    // string arguments: kernel addresses of the two rodata values
    const addrs = (fd: number): string => `lddw r1, map_value ${fd} 0`;
    const prog = snprintf(f, 8, [0, 0]).replace(/lddw r1, 0\nstxdw \[r10-80\], r1/, `${addrs(a)}\nstxdw [r10-80], r1`).replace(/lddw r1, 0\nstxdw \[r10-72\], r1/, `${addrs(b)}\nstxdw [r10-72], r1`);
    const ctx = new Uint8Array(16).fill(0xee);
    expect(run(k, load(k, prog), ctx).ret).toBe(10);
    expect(new TextDecoder().decode(ctx.subarray(0, 8))).toBe('abcd-ef\0');
  });

  it('size 0 with a NULL buffer only measures', () => {
    const k = newKernel();
    const f = rodata(k, str('%d'));
    const p = load(k, `
      lddw r1, 12345
      stxdw [r10-8], r1
      mov r1, 0
      mov r2, 0
      lddw r3, map_value ${f} 0
      mov r4, r10
      add r4, -8
      mov r5, 8
      call 165
      exit`);
    expect(ret(k, p)).toBe(6);
  });

  it('numbers, chars and IP addresses (helpers_print ret[4] = 74)', () => {
    const k = newKernel();
    const f = rodata(k, str('%d|%u|%x|%llx|%c'));
    const ctx = new Uint8Array(16);
    expect(run(k, load(k, snprintf(f, 64, [-42, 42, 42, 0xdeadbeefcafen, 0x51])), ctx).ret).toBe(25);
    expect(new TextDecoder().decode(ctx.subarray(0, 15))).toBe('-42|42|2a|deadb');
    const fixture = rodata(k, str('%d|%u|%x|%llx|%s|%c|%pI4|%pi6'));
    const s = rodata(k, str('str'));
    const ip4 = rodata(k, Uint8Array.of(192, 168, 1, 2));
    const ip6 = rodata(k, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
    let prog = snprintf(fixture, 64, [-42, 42, 42, 0xdeadbeefcafen, 0, 0x51, 0, 0]);
    // the argument array is at fp-128; %s, %pI4 and %pi6 are arguments 4, 6 and 7
    prog = prog.replace('lddw r1, 0\nstxdw [r10-96], r1', `lddw r1, map_value ${s} 0\nstxdw [r10-96], r1`);
    prog = prog.replace('lddw r1, 0\nstxdw [r10-80], r1', `lddw r1, map_value ${ip4} 0\nstxdw [r10-80], r1`);
    prog = prog.replace('lddw r1, 0\nstxdw [r10-72], r1', `lddw r1, map_value ${ip6} 0\nstxdw [r10-72], r1`);
    expect(ret(k, load(k, prog), new Uint8Array(16))).toBe(74);
  });

  it('the format must be a constant string in read-only memory (ARG_PTR_TO_CONST_STR)', () => {
    const k = newKernel();
    const p = load(k, `
      stw [r10-8], 0x6425  # "%d"
      stw [r10-4], 0
      mov r1, 0
      mov r2, 0
      mov r3, r10
      add r3, -8
      mov r4, 0
      mov r5, 0
      call 165
      exit`);
    expect(run(k, p).fault?.kind).toBe('helper');
  });

  it('data_len errors and format errors are -EINVAL', () => {
    const k = newKernel();
    const f = rodata(k, str('%d'));
    expect(ret(k, load(k, snprintf(f, 16, [])), new Uint8Array(16))).toBe(-EINVAL);
    const g = rodata(k, str('x'));
    const p = load(k, snprintf(g, 16, [1]).replace('mov r5, 8', 'mov r5, 4'));
    expect(ret(k, p, new Uint8Array(16))).toBe(-EINVAL);
  });
});
