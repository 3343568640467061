/**
 * The kernel oracle itself: the golden extraction rules (errorLineOf, insnsProcessedOf,
 * goldenVerdict) on hand-written logs, and, as root with libbpf, that a batch goes through one
 * process with each case's maps, lddw patching, objects, func_info BTF and the 1M-limit reload.
 */
import { describe, expect, it } from 'vitest';
import type { VerifierCase } from './corpus/types.js';
import { errorLineOf, insnsProcessedOf, kernelVerify, probeOracle } from './oracle.js';
import { GOLDEN_LOG_MAX, goldenVerdict } from './record.js';
import { lockValue } from './fuzz/lock-value.js';

const STATS = 'processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0';

describe('golden extraction rules', () => {
  it('errorLine is the last non-empty line before the stats line', () => {
    const log = `0: R1=ctx() R10=fp0\n2: (61) r0 = *(u32 *)(r2 +0)\ninvalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)\nR2 offset is outside of the packet\n\n${STATS}\n`;
    expect(errorLineOf(log)).toBe('R2 offset is outside of the packet');
    expect(insnsProcessedOf(log)).toBe(3);
  });
  it('without a stats line the last non-empty line counts; an empty or stats-only log has none', () => {
    expect(errorLineOf('fd 9 is not pointing to valid bpf_map\n')).toBe('fd 9 is not pointing to valid bpf_map');
    expect(errorLineOf('')).toBeUndefined();
    expect(errorLineOf(`${STATS}\n`)).toBeUndefined();
    expect(insnsProcessedOf('no stats')).toBeUndefined();
  });
  it('goldens sort keys and keep the tail of long logs from a line start', () => {
    const line = 'x'.repeat(99);
    const log = Array.from({ length: 1000 }, (_, i) => `${i} ${line}`).join('\n') + `\nthe error\n${STATS}\n`;
    const g = goldenVerdict({ log, accepted: false, errno: 'E2BIG', insnsProcessed: 3, errorLine: 'the error' });
    expect(Object.keys(g)).toEqual(['accepted', 'errno', 'errorLine', 'insnsProcessed', 'log', 'logTruncated']);
    expect(g.log.length).toBeLessThanOrEqual(GOLDEN_LOG_MAX);
    expect(log.endsWith(g.log)).toBe(true);
    expect(log[log.length - g.log.length - 1]).toBe('\n');
    expect(goldenVerdict({ accepted: true, log: `${STATS}\n` })).toEqual({ accepted: true, log: `${STATS}\n` });
  });
});

const probe = probeOracle();

describe.skipIf(!probe.available)(`kernel oracle (${probe.reason})`, () => {
  const arr = { type: 2, keySize: 4, valueSize: 8, maxEntries: 1, name: 'arr' } as const;
  const c = (name: string, asm: string, extra: Partial<VerifierCase> = {}): VerifierCase => ({ name, rule: 'test', what: name, progType: 1, asm, ...extra });

  it('verdicts, map fds patched per case, fd_array, map-in-map, objects and func_info BTF', () => {
    const cb = 'mov r1, 4\nlddw r2, code cb\nmov r3, 0\nmov r4, 0\ncall 181\nmov r0, 0\nexit\ncb:\nmov r0, 0\nexit';
    const v = kernelVerify([
      c('ok', 'mov r0, 0\nexit'),
      c('uninit', 'exit'),
      c('map-value-read', 'lddw r1, map_value 0 0\nldxdw r0, [r1+0]\nexit', { maps: [arr] }),
      c('map-rdonly-write', 'lddw r1, map_value 0 0\nstdw [r1+0], 1\nmov r0, 0\nexit', { maps: [{ ...arr, flags: 1 << 7 }] }),
      c('map-index-outside', 'lddw r1, map_fd 3\nmov r0, 0\nexit', { maps: [arr] }),
      c('map-idx-fd-array', 'lddw r1, map_idx_value 1 0\nldxdw r0, [r1+0]\nexit', { maps: [arr, { ...arr, valueSize: 16 }] }),
      c('map-in-map', 'lddw r1, map_fd 1\nmov r0, 0\nexit', { maps: [arr, { type: 12, keySize: 4, valueSize: 4, maxEntries: 1, inner: 0 }] }),
      c('frozen-init', 'lddw r1, map_value 0 0\nldxdw r0, [r1+0]\nexit', { maps: [{ ...arr, flags: 1 << 7, init: '0700000000000000', freeze: true }] }),
      { name: 'object', rule: 'test', what: 'object', progType: 8, object: { file: 'cgroup_skb.bpf.o', prog: 'ingress_prog' } },
      c('callback-btf', cb, { btfFuncs: true }),
      c('callback-no-btf', cb),
    ]);
    expect(v.map((x) => x.accepted)).toEqual([true, false, true, false, false, true, true, true, true, true, false]);
    expect(v[0]!.log).toMatch(/^processed 2 insns/);
    expect(v[0]!.insnsProcessed).toBe(2);
    expect(v[0]!.errno).toBeUndefined();
    expect(v[1]).toMatchObject({ errno: 'EACCES', errorLine: 'R0 !read_ok', insnsProcessed: 1 });
    expect(v[3]!.errorLine).toBe('write into map forbidden, value_size=8 off=0 size=8');
    expect(v[4]).toMatchObject({ errno: 'EBADF', errorLine: 'fd -1 is not pointing to valid bpf_map' });
    expect(v[10]!.errorLine).toBe('missing btf func_info');
  });

  it('maps with a BTF for key and value: the kernel finds the bpf_spin_lock where the layout puts it', () => {
    const v = lockValue(['long', 'lock', 'int']);
    const map = { type: 1, keySize: 4, valueSize: v.size, maxEntries: 1, btf: v.btf };
    const prog = (off: number): string =>
      `stw [r10-4], 0\nlddw r1, map_fd 0\nmov r2, r10\nadd r2, -4\ncall 1\njeq r0, 0, out\nmov r7, r0\nmov r1, r7\nadd r1, ${off}\ncall 93\nmov r1, r7\nadd r1, ${v.lockOff}\ncall 94\nout:\nmov r0, 0\nexit`;
    const [ok, wrong, plain, sf, kp] = kernelVerify([
      c('lock-ok', prog(v.lockOff), { maps: [map], progType: 6 }),
      c('lock-wrong-off', prog(0), { maps: [map], progType: 6 }),
      c('lock-no-btf', prog(v.lockOff), { maps: [{ type: 1, keySize: 4, valueSize: v.size, maxEntries: 1 }], progType: 6 }),
      c('lock-socket-filter', prog(v.lockOff), { maps: [map] }),
      c('lock-kprobe', prog(v.lockOff), { maps: [map], progType: 2 }),
    ]);
    expect(ok!.accepted).toBe(true);
    expect(wrong).toMatchObject({ accepted: false, errno: 'EINVAL', errorLine: "off 0 doesn't point to 'struct bpf_spin_lock' that is at 8" });
    expect(plain).toMatchObject({ accepted: false, errno: 'EINVAL', errorLine: "map '' has to have BTF in order to use bpf_spin_lock" });
    expect(sf).toMatchObject({ accepted: false, errno: 'EINVAL', errorLine: 'socket filter progs cannot use bpf_spin_lock yet' });
    expect(kp).toMatchObject({ accepted: false, errno: 'EINVAL', errorLine: 'tracing progs cannot use bpf_spin_lock yet' });
  });

  it('a log overflowing the 16 MiB buffer keeps the verifier errno (E2BIG) and is marked truncated', () => {
    const [v] = kernelVerify([c('too-large', 'ldxw r2, [r1+0]\nmov r0, 0\nl:\nadd r0, 1\njne r0, r2, l\nexit')]);
    expect(v).toMatchObject({ accepted: false, errno: 'E2BIG', errorLine: 'BPF program is too large. Processed 1000001 insn', insnsProcessed: 1000001, logTruncated: true });
  });

  it('a setup failure or an asm error names the case', () => {
    expect(() => kernelVerify([c('ok', 'mov r0, 0\nexit'), c('bad-map', 'mov r0, 0\nexit', { maps: [{ ...arr, type: 9999 }] })])).toThrow(/case bad-map: setup failed: map 0 'arr': create failed/);
    expect(() => kernelVerify([c('bad-asm', 'mov r0, 0\nfrob r1\nexit')])).toThrow(/case bad-asm: line 2/);
  });

  it('1000 small programs go through one process in a few seconds', () => {
    // Odd i reads r2, which nothing initialised: refused; even i accepted.
    const cases = Array.from({ length: 1000 }, (_, i) => c(`p${i}`, `mov r0, ${i}\nstdw [r10-8], ${i}\nldxdw r0, [r10-8]\n${i % 2 === 1 ? 'add r0, r2\n' : ''}exit`));
    const t0 = Date.now();
    const v = kernelVerify(cases);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(v.map((x) => x.accepted)).toEqual(cases.map((_, i) => i % 2 === 0));
    expect(v[1]!.errorLine).toBe('R2 !read_ok');
  });
});
