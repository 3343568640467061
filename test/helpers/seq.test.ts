/**
 * bpf_seq_printf and bpf_seq_write (src/helpers/seq.ts): the seq_file buffer rules of
 * fs/seq_file.c, every errno of the helpers through assembled iter/task programs, which program
 * types may call them, and the faults for what the verifier would reject. The return values are
 * those of the same calls on Linux 6.18 (an iter/task program storing each helper's result):
 * -EINVAL for data_len 4, data_len 104, "%q", a format without NUL, too few arguments; 0 for
 * seq_write of 0 bytes, more arguments than conversions, and 12 arguments.
 */
// Helper semantics (argument errors included) with hand-written iter programs: loaded unverified,
// like the other helper tests (see env.ts); the verifier is covered by test/verifier.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel/kernel.js';
import { AttachType, ProgType } from '../../src/object/uapi.js';
import { SEQ_BUF_SIZE, SeqFile } from '../../src/helpers/seq.js';
import { bprintfPrepare, type PrintfMemory } from '../../src/helpers/printf.js';
import { helperSupportMarkdown } from '../../src/helpers/support.js';
import { ERRNO } from '../../src/util/errno.js';
import { Cmd, iterKernel, iterProg, joined, loadIterProg, openIter, reads } from '../kernel/iter-harness.js';
import { loadProg, mkMap, rodata, str } from './env.js';

const { EINVAL, EOVERFLOW, EFAULT } = ERRNO;

const NO_MEMORY: PrintfMemory = { copyString: () => -EFAULT, copyKernel: () => -EFAULT };

describe('SeqFile (fs/seq_file.c)', () => {
  it('seq_write keeps data only while count + len < size; then the file stays overflowed', () => {
    const s = new SeqFile();
    expect(s.size).toBe(32768);
    expect(s.write(new Uint8Array(32767))).toBe(0);
    expect(s.count).toBe(32767);
    expect(s.overflowed).toBe(false);
    expect(s.write(new Uint8Array(0))).toBe(0);
    expect(s.write(new Uint8Array(1))).toBe(-1);
    expect(s.overflowed).toBe(true);
    expect(s.write(new Uint8Array(0))).toBe(-1);
    const t = new SeqFile(SEQ_BUF_SIZE);
    expect(t.write(new Uint8Array(32768))).toBe(-1);
  });

  it('seq_bprintf needs room for the NUL: the formatted length must be below size - count', () => {
    const s = new SeqFile(8);
    const p = bprintfPrepare(str('abcdefg'), 8, [], NO_MEMORY);
    if (typeof p === 'number') throw new Error('prepare failed');
    s.bprintf(p); // 7 bytes into 8: fits
    expect(s.count).toBe(7);
    expect(new TextDecoder().decode(s.pending())).toBe('abcdefg');
    const t = new SeqFile(7);
    t.bprintf(p);
    expect(t.overflowed).toBe(true);
  });
});

/**
 * An iter program that calls a helper in its stop call (task NULL) and stores r0 in word 0 of the
 * state map; `body` sets up r2..r5 and the call (r1 is the seq_file, r7 too; r9 the state).
 */
function atStop(k: Kernel, body: string): { prog: number; ret: () => bigint } {
  const state = mkMap(k, { type: 2, key: 4, value: 64, max: 1 });
  const prog = iterProg(
    k,
    `
      mov r6, r1
      ldxdw r2, [r6+0]
      ldxdw r7, [r2+0]
      lddw r9, map_value ${state} 0
      ldxdw r8, [r6+8]
      jne r8, 0, done
      mov r1, r7
      ${body}
      stxdw [r9+0], r0
    done:
      mov r0, 0
      exit`,
  );
  return {
    prog,
    ret(): bigint {
      const v = new Uint8Array(64);
      k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: state, key: new Uint8Array(4), value: v });
      return new DataView(v.buffer).getBigInt64(0, true);
    },
  };
}

/** Zeroed u64 arguments at fp-8*n .. fp-8, r4 pointing at them, r5 = data_len. */
function zeroArgs(n: number, dataLen = n * 8): string {
  const stores = Array.from({ length: n }, (_, i) => `stdw [r10-${8 * (i + 1)}], 0`).join('\n');
  return `${stores}\nmov r4, r10\nadd r4, -${8 * n}\nmov r5, ${dataLen}`;
}

/** Run one stop-call program: its output and the helper's return value. */
function stopCall(body: (k: Kernel) => string): { out: string; ret: bigint } {
  const k = iterKernel(0, { verify: false });
  const p = atStop(k, body(k));
  const out = joined(reads(k, openIter(k, p.prog).fd));
  return { out, ret: p.ret() };
}

describe('bpf_seq_printf', () => {
  const fmt = (k: Kernel, text: string, size = text.length + 1): string => `lddw r2, map_value ${rodata(k, str(text))} 0\nmov r3, ${size}`;

  it('formats like bpf_snprintf (%s copied from kernel memory) and returns 0', () => {
    const r = stopCall((k) => {
      const name = rodata(k, str('hi'));
      return `stdw [r10-24], -5\nstdw [r10-16], 0x41\nlddw r1, map_value ${name} 0\nstxdw [r10-8], r1\nmov r1, r7\n${fmt(k, '%d %c|%5s|\n')}\nmov r4, r10\nadd r4, -24\nmov r5, 24\ncall 126`;
    });
    expect([r.ret, r.out]).toEqual([0n, '-5 A|   hi|\n']);
  });

  it('returns -EINVAL for the data_len, format and argument errors 6.18 rejects', () => {
    const cases: [string, (k: Kernel) => string, bigint, string][] = [
      ['data_len 4', (k) => `${fmt(k, '%d\n')}\n${zeroArgs(1, 4)}`, BigInt(-EINVAL), ''],
      ['data_len 104 (13 args)', (k) => `${fmt(k, '%d\n')}\n${zeroArgs(13)}`, BigInt(-EINVAL), ''],
      ['%q', (k) => `${fmt(k, '%q\n')}\n${zeroArgs(1)}`, BigInt(-EINVAL), ''],
      ['no NUL within fmt_size', (k) => `${fmt(k, 'abc', 3)}\nmov r4, 0\nmov r5, 0`, BigInt(-EINVAL), ''],
      ['too few arguments', (k) => `${fmt(k, '%d\n')}\nmov r4, 0\nmov r5, 0`, BigInt(-EINVAL), ''],
      ['NULL data with a length', (k) => `${fmt(k, '%d\n')}\nmov r4, 0\nmov r5, 8`, BigInt(-EINVAL), ''],
      ['more arguments than conversions', (k) => `${fmt(k, 'abc')}\n${zeroArgs(1)}`, 0n, 'abc'],
      ['12 arguments', (k) => `${fmt(k, '%d\n')}\n${zeroArgs(12)}`, 0n, '0\n'],
    ];
    for (const [name, body, ret, out] of cases) {
      const r = stopCall((k) => `${body(k)}\ncall 126`);
      expect([r.ret, r.out], name).toEqual([ret, out]);
    }
  });

  it('returns -EOVERFLOW once the seq_file overflowed, also for a short format', () => {
    const r = stopCall((k) => {
      const big = mkMap(k, { type: 2, key: 4, value: 40000, max: 1 });
      return `lddw r2, map_value ${big} 0\nmov r3, 32768\ncall 127\nmov r1, r7\n${fmt(k, 'x')}\nmov r4, 0\nmov r5, 0\ncall 126`;
    });
    expect(r.ret).toBe(BigInt(-EOVERFLOW));
  });

  it('takes the format from any readable memory (the stack here)', () => {
    const r = stopCall(() => 'stw [r10-8], 0x0a6b6f\nmov r2, r10\nadd r2, -8\nmov r3, 4\nmov r4, 0\nmov r5, 0\ncall 126');
    expect([r.ret, r.out]).toEqual([0n, 'ok\n']);
  });
});

describe('bpf_seq_write', () => {
  it('writes the bytes (0 bytes too) and returns 0; -EOVERFLOW when they do not fit', () => {
    expect(stopCall(() => 'stw [r10-8], 0x64636261\nmov r2, r10\nadd r2, -8\nmov r3, 3\ncall 127')).toEqual({ out: 'abc', ret: 0n });
    expect(stopCall(() => 'mov r2, 0\nmov r3, 0\ncall 127')).toEqual({ out: '', ret: 0n });
    const k = iterKernel(0, { verify: false });
    const big = mkMap(k, { type: 2, key: 4, value: 40000, max: 1 });
    const p = atStop(k, `lddw r2, map_value ${big} 0\nmov r3, 32768\ncall 127`);
    // Alone in the buffer the stop call's output can never fit: E2BIG on every read.
    expect(reads(k, openIter(k, p.prog).fd, 4096, 2)).toEqual([-ERRNO.E2BIG, -ERRNO.E2BIG]);
    expect(p.ret()).toBe(BigInt(-EOVERFLOW));
  });
});

describe('what the verifier would reject faults at run time', () => {
  const faultOf = (body: string): string | undefined => {
    const k = iterKernel(0, { verify: false });
    const p = atStop(k, body);
    const { fd } = openIter(k, p.prog);
    expect(k.read(fd)).toBe(-EFAULT);
    return k.lastFault?.kind;
  };

  it('a pointer that is not the seq_file, a zero fmt_size, memory out of bounds', () => {
    // the meta object, NULL, the ctx
    expect(faultOf('ldxdw r1, [r6+0]\nmov r2, 0\nmov r3, 0\ncall 127')).toBe('helper');
    expect(faultOf('mov r1, 0\nmov r2, 0\nmov r3, 0\ncall 127')).toBe('helper');
    expect(faultOf('mov r1, r6\nmov r2, 0\nmov r3, 0\nmov r4, 0\nmov r5, 0\ncall 126')).toBe('helper');
    expect(faultOf('stw [r10-8], 0\nmov r2, r10\nadd r2, -8\nmov r3, 0\nmov r4, 0\nmov r5, 0\ncall 126')).toBe('helper');
    expect(faultOf('stw [r10-8], 0\nmov r2, r10\nadd r2, -8\nmov r3, 16\nmov r4, 0\nmov r5, 0\ncall 126')).toBe('out_of_bounds');
    expect(faultOf('mov r2, r10\nadd r2, -8\nmov r3, 16\ncall 127')).toBe('out_of_bounds');
  });
});

describe('availability (tracing_prog_func_proto: BPF_TRACE_ITER only, GPL only)', () => {
  const call = 'mov r1, 0\nmov r2, 0\nmov r3, 0\ncall 127\nmov r0, 0\nexit';

  it('other program types and other tracing attach types cannot load a call', () => {
    const k = new Kernel({ verify: false }); // availability is checked at load with the verifier off too
    expect(loadProg(k, call)).toBe(-EINVAL); // syscall
    const tp = k.vmlinuxBtf.findByName('btf_trace_sys_enter', 'TYPEDEF')[0]!.id;
    expect(loadIterProg(k, call, { eat: AttachType.TRACE_RAW_TP, attachBtfId: tp })).toBe(-EINVAL);
    expect(loadIterProg(k, call.replace('127', '126'), { eat: AttachType.TRACE_RAW_TP, attachBtfId: tp })).toBe(-EINVAL);
    expect(loadIterProg(k, call)).toBeGreaterThan(0);
    expect(loadIterProg(k, call, { license: 'MIT' })).toBe(-EINVAL);
    expect(k.helpers.allowed(126, ProgType.TRACING, AttachType.TRACE_ITER)).toBe(true);
    expect(k.helpers.allowed(126, ProgType.TRACING)).toBe(false);
    expect(k.helpers.allowed(127, ProgType.LSM, AttachType.TRACE_ITER)).toBe(false);
    expect(k.helpers.get(150)).toBeUndefined(); // bpf_seq_printf_btf is not implemented
  });

  it('the support table names the attach type', () => {
    const md = helperSupportMarkdown();
    expect(md).toContain('| 126 | `bpf_seq_printf` | seq | yes | tracing (trace_iter only) |');
    expect(md).toContain('| 127 | `bpf_seq_write` | seq | yes | tracing (trace_iter only) |');
  });
});
