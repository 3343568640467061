// timedRuns / Kernel.repeatRuns: BPF_PROG_TEST_RUN's repetitions take a lean path (options resolved
// once, no result object, stack frames renewed only for code that names r10, run-end hooks only when
// asked); each repetition must still be a complete run of its own.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import { assemble } from '../../../src/isa/asm.js';
import { Kernel, type KernelOptions } from '../../../src/kernel/kernel.js';
import { ipv4Frame, ipv6Frame } from '../../../src/util/packets.js';
import type { ExecProgram } from '../../../src/vm/machine.js';
import { isTranslated } from '../../../src/vm/tier/cache.js';
import { Cmd } from '../../../src/kernel/syscall/uapi.js';
import { buildExecProgram } from '../../../src/vm/program.js';
import { FRAMES, kernel, load, ProgType, testRun, u32s } from './harness.js';

const EFAULT = -14;

describe('test-run repetitions', () => {
  it('every repetition starts on zeroed stack frames', () => {
    const k = kernel({ verify: false });
    // Reads fp-8, adds one, stores it back: 1 in every run only if the frame is zeroed each time.
    const fd = load(k, ProgType.XDP, 'ldxdw r0, [r10-8]\nadd r0, 1\nstxdw [r10-8], r0\nexit');
    for (const repeat of [1, 2, 1000]) {
      const r = testRun(k, fd, { data: FRAMES.v4_udp, repeat });
      expect(r.err).toBe(0);
      expect(r.retval).toBe(1);
    }
  });

  it("a stack pointer kept from the previous repetition faults (its frame was renewed)", () => {
    const k = kernel({ verify: false });
    // 8 bytes of metadata (zero in data_in): the first run stores its fp-8 there, the second
    // dereferences what it finds.
    const text = 'ldxw r2, [r1+8]\nldxdw r3, [r2+0]\nmov r4, r10\nadd r4, -8\nstxdw [r2+0], r4\nmov r0, 2\njeq r3, 0, +1\nldxb r0, [r3+0]\nexit';
    const fd = load(k, ProgType.XDP, text);
    const data = new Uint8Array(8 + FRAMES.v4_udp.length);
    data.set(FRAMES.v4_udp, 8);
    const ctx = u32s(8, data.length, 0, 0, 0, 0);
    expect(testRun(k, fd, { data, ctx, ctxOut: 24, repeat: 1 })).toMatchObject({ err: 0, retval: 2 });
    expect(testRun(k, fd, { data, ctx, ctxOut: 24, repeat: 2 }).err).toBe(EFAULT);
    expect(k.lastFault?.kind).toBe('unmapped');
    expect(k.lastFault?.pc).toBe(7);
  });

  it('code that never names r10 is marked so; code that does is not', () => {
    expect(buildExecProgram(assemble('mov r0, 2\nexit')).usesStack).toBe(false);
    expect(buildExecProgram(assemble('mov r1, r10\nmov r0, 2\nexit')).usesStack).toBe(true);
    expect(buildExecProgram(assemble('stw [r10-4], 0\nmov r0, 2\nexit')).usesStack).toBe(true);
  });

  it('a hook registered with onRunEnd sees every repetition, with its instruction count', () => {
    const k = kernel({ verify: false });
    const fd = load(k, ProgType.XDP, 'mov r0, 0\nadd r0, 1\nadd r0, 1\nexit');
    const counts: number[] = [];
    k.onRunEnd((m, fault) => {
      counts.push(m.budget - m.left - m.charged);
      return fault;
    });
    const r = testRun(k, fd, { data: FRAMES.v4_udp, repeat: 5 });
    expect(r).toMatchObject({ err: 0, retval: 2 });
    expect(counts).toEqual([4, 4, 4, 4, 4]);
  });

  it('the repetitions give the same result with bpf_stats on (the one-by-one path)', () => {
    const k = kernel({ verify: false });
    const fd = load(k, ProgType.XDP, 'ldxdw r0, [r10-8]\nadd r0, 3\nstxdw [r10-8], r0\nexit');
    const lean = testRun(k, fd, { data: FRAMES.v4_udp, repeat: 10 });
    const statsFd = k.bpf(Cmd.ENABLE_STATS, { type: 0 });
    expect(statsFd).toBeGreaterThan(0);
    const counted = testRun(k, fd, { data: FRAMES.v4_udp, repeat: 10 });
    expect(counted).toMatchObject({ err: 0, retval: lean.retval });
    expect(lean.retval).toBe(3);
  });

  it('repetitions on the default engine tier up (auto) with the interpreter’s results; a chosen engine stays', () => {
    const frames = [ipv4Frame('tcp'), ipv4Frame('udp'), ipv6Frame('udp')];
    const run = (o: KernelOptions): { out: string; translated: boolean } => {
      const obj = BpfObject.open(readFileSync('programs/xdp_maps.bpf.o'), { kernel: new Kernel(o), name: 'xdp_maps' });
      obj.load();
      const p = obj.program('xdp_count');
      const rets = frames.map((f) => p.testRun({ dataIn: f, repeat: 300 }).retval);
      const maps = ['pkt_count', 'proto_stats'].map((n) => obj.map(n).entries().map(([k, v]) => `${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`).join(' '));
      const exec = (p as unknown as { kernelProg: { exec: ExecProgram } }).kernelProg.exec;
      return { out: `${rets.join(',')} ${maps.join(' | ')}`, translated: isTranslated(exec) };
    };
    const chosen = run({ engine: 'fast' });
    const dflt = run({});
    expect(chosen.translated).toBe(false);
    expect(dflt.translated).toBe(true);
    expect(dflt.out).toBe(chosen.out);
    // pkt_count[0] counts every run: 3 frames x 300 repetitions = 900 (0x384).
    expect(chosen.out).toContain('00000000=8403000000000000');
  });
});
