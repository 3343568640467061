/**
 * bpf_copy_from_user_str (src/kernel/kfuncs/user-str.ts) end to end through programs/user_str.bpf.o
 * on the fast interpreter, the reference interpreter and the JS tier: each run of the
 * kernel-differential case syscall_copy_from_user_str (four user buffers: a short string with
 * non-zero bytes after its NUL, a string longer than every destination, an empty string, an
 * unmapped address) must give the ctx the 6.18 kernel gave (test/kernel-diff/goldens, recorded
 * live; the user pointer's 8 bytes excluded). The golden's own numbers pin the rules the emulation
 * follows, so they are asserted too: length + 1 returned, truncation at dst__sz - 1, -EINVAL for
 * unknown flags, -EFAULT for kernel and unmapped addresses, BPF_F_PAD_ZEROS, and the 8-byte-word
 * copy that zeroes the bytes after the NUL in its word.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import type { EngineName } from '../../../src/vm/run.js';
import { CASES } from '../../kernel-diff/cases.js';

const OBJ = readFileSync(new URL('../../../programs/user_str.bpf.o', import.meta.url));
type Golden = { runs: { retval: number; ctxOut: string }[] };
const golden = (name: string): Golden => JSON.parse(readFileSync(new URL(`../../kernel-diff/goldens/${name}.json`, import.meta.url), 'utf8')) as Golden;
const CASE = CASES.find((c) => c.name === 'syscall_copy_from_user_str')!;
const GOLDEN = golden('syscall_copy_from_user_str');
const TASK_CASE = CASES.find((c) => c.name === 'syscall_copy_from_user_task_str')!;
const TASK_GOLDEN = golden('syscall_copy_from_user_task_str');
const ENGINES: EngineName[] = ['fast', 'reference', 'js'];

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The ctx after each run of the case, the user pointer's bytes written `**` as in the golden. */
function runs(engine: EngineName, c = CASE): string[] {
  const o = BpfObject.open(OBJ, { kernelOptions: { engine } });
  o.load();
  return c.runs.map((r) => {
    const ctx = r.ctx!.slice();
    if (r.user !== undefined) new DataView(ctx.buffer).setBigUint64(0, BigInt(o.kernel.user.alloc(r.user.bytes)), true);
    const out = o.program(r.prog).testRun({ ctxIn: ctx });
    expect(out.retval).toBe(0);
    const h = hex(out.ctxOut!);
    return r.user !== undefined ? '*'.repeat(16) + h.slice(16) : h;
  });
}

/** struct str_args of the golden's run `i`: the eight results and the buffers. */
function fields(i: number, g = GOLDEN): { r: number[]; b: Record<string, string> } {
  const b = Buffer.from(g.runs[i]!.ctxOut.replace(/\*/g, '0'), 'hex');
  const r = Array.from({ length: 8 }, (_, k) => b.readInt32LE(8 + 4 * k));
  const names: [string, number][] = [['b16', 16], ['b16_pad', 16], ['b4', 4], ['b32', 32], ['b_flags', 8], ['b_kern', 8], ['b_bad', 8], ['b_bad_pad', 8]];
  let off = 40;
  const out: Record<string, string> = {};
  for (const [n, sz] of names) {
    out[n] = b.subarray(off, off + sz).toString('hex');
    off += sz;
  }
  return { r, b: out };
}

describe('bpf_copy_from_user_str: test runs against 6.18', () => {
  for (const engine of ENGINES) {
    it(`${engine}: every run leaves the ctx the kernel left`, () => {
      expect(runs(engine)).toEqual(GOLDEN.runs.map((r) => r.ctxOut));
    });
  }
  it('the golden shows the rules the emulation follows', () => {
    const aa = (n: number): string => 'aa'.repeat(n);
    const s = fields(0); // "user says hi" then 0x77 bytes
    expect(s.r).toEqual([13, 13, 4, 13, -22, -14, -14, -14]);
    // 16: one word, then the last 7 bytes one by one: the bytes after the NUL stay
    expect(s.b.b16).toBe(Buffer.from('user says hi\0').toString('hex') + aa(3));
    expect(s.b.b16_pad).toBe(Buffer.from('user says hi\0').toString('hex') + '000000');
    // 32: the word holding the NUL is stored with the bytes after the NUL masked to 0
    expect(s.b.b32).toBe(Buffer.from('user says hi\0').toString('hex') + '000000' + aa(16));
    expect(s.b.b_flags + s.b.b_kern + s.b.b_bad).toBe(aa(24));
    expect(s.b.b_bad_pad).toBe('00'.repeat(8));
    expect(fields(1).r.slice(0, 4)).toEqual([16, 16, 4, 32]); // cut at dst__sz - 1, NUL-terminated
    expect(fields(2).b.b16).toBe('00'.repeat(8) + aa(8)); // the empty string's word
    expect(fields(3).r).toEqual([-14, -14, -14, -14, -22, -14, -14, -14]);
  });
});

describe('bpf_copy_from_user_task_str on the current task: test runs against 6.18', () => {
  for (const engine of ENGINES) {
    it(`${engine}: every run leaves the ctx the kernel left`, () => {
      expect(runs(engine, TASK_CASE)).toEqual(TASK_GOLDEN.runs.map((r) => r.ctxOut));
    });
  }
  it('the golden shows where it differs from bpf_copy_from_user_str: strscpy copies by words up to the NUL, a fault writes dst[0] = 0', () => {
    const s = fields(0, TASK_GOLDEN);
    expect(s.r).toEqual([13, 13, 4, 13, -22, -14, -14, -14]);
    expect(s.b.b16).toBe(Buffer.from('user says hi\0').toString('hex') + '000000');
    expect(s.b.b_kern).toBe('00' + 'aa'.repeat(7));
    expect(s.b.b_bad).toBe('00' + 'aa'.repeat(7));
  });
});
