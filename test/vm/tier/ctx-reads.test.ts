// ctx loads the tier rewrites at translation time (ExecProgram.ctxReads, supplied by the program
// type): the same values, faults and counts as the interpreter's slow path through the ctx region,
// and the slow path is really not taken for them (CtxRegion.load is spied on).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CtxRegion } from '../../../src/kernel/progtypes/ctx.js';
import { translateSource } from '../../../src/vm/tier/translate.js';
import type { Kernel } from '../../../src/kernel/kernel.js';
import { FRAMES, kernel, load, ProgType, testRun, u32s } from '../../kernel/progtypes/harness.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Test-run `text` on the interpreter and the tier; returns both results and the slow ctx loads of each. */
function both(type: number, text: string, run: Parameters<typeof testRun>[2], verify = true): { interp: ReturnType<typeof testRun>; js: ReturnType<typeof testRun>; slowInterp: number; slowJs: number; ks: Kernel[] } {
  const spy = vi.spyOn(CtxRegion.prototype, 'load');
  const ki = kernel({ engine: 'interp', verify });
  const interp = testRun(ki, load(ki, type, text), run);
  const slowInterp = spy.mock.calls.length;
  spy.mockClear();
  const kj = kernel({ engine: 'js', verify });
  const js = testRun(kj, load(kj, type, text), run);
  const slowJs = spy.mock.calls.length;
  return { interp, js, slowInterp, slowJs, ks: [ki, kj] };
}

describe('ctx loads read directly by the tier', () => {
  it('XDP: data, data_end, data_meta, ingress_ifindex, rx_queue_index give the interpreter values without the slow path', () => {
    // r0 = (data_end - data) + ingress_ifindex * 1000 + rx_queue_index + (data - data_meta) * 100000,
    // then a byte read through the data pointer (its region was granted by the direct load).
    const text = [
      'ldxw r2, [r1+0]', 'ldxw r3, [r1+4]', 'ldxw r4, [r1+8]', 'ldxw r5, [r1+12]', 'ldxw r6, [r1+16]',
      'mov r0, r3', 'sub r0, r2', 'mul r5, 1000', 'add r0, r5', 'add r0, r6',
      'mov r7, r2', 'sub r7, r4', 'mul r7, 100000', 'add r0, r7',
      'mov r8, r2', 'add r8, 14', 'jgt r8, r3, +2', 'ldxb r9, [r2+12]', 'add r0, r9',
      'exit',
    ].join('\n');
    const data = new Uint8Array(8 + FRAMES.v4_udp.length);
    data.set(FRAMES.v4_udp, 8);
    const r = both(ProgType.XDP, text, { data, ctx: u32s(8, data.length, 0, 1, 0, 0), ctxOut: 24, repeat: 3 });
    expect(r.interp.err).toBe(0);
    expect(r.js).toEqual({ ...r.interp, duration: r.js.duration });
    // Independently: 8 bytes of metadata, the frame's length, ifindex 1, queue 0, ethertype byte 0x08.
    expect(r.interp.retval).toBe(FRAMES.v4_udp.length + 1000 + 8 * 100000 + 0x08);
    expect(r.slowInterp).toBeGreaterThanOrEqual(3 * 5); // (plus the interpreter's one-time warm-up)
    expect(r.slowJs).toBe(0);
  });

  it('__sk_buff (tc): len, protocol, mark, priority, ifindex, cb[2], data, data_end without the slow path', () => {
    const text = [
      'ldxw r2, [r1+0]', 'ldxw r3, [r1+16]', 'ldxw r4, [r1+8]', 'ldxw r5, [r1+32]', 'ldxw r6, [r1+40]', 'ldxw r7, [r1+56]',
      'ldxw r8, [r1+76]', 'ldxw r9, [r1+80]',
      'mov r0, r9', 'sub r0, r8', 'sub r0, r2', // data_end - data - len = 0
      'lsh r3, 32', 'add r0, r3', 'mul r4, 1000', 'add r0, r4', 'mul r5, 100', 'add r0, r5', 'mul r6, 10', 'add r0, r6', 'add r0, r7',
      'mov r3, r8', 'add r3, 14', 'jgt r3, r9, +2', 'ldxb r3, [r8+13]', 'add r0, r3',
      'exit',
    ].join('\n');
    const ctx = new Uint8Array(192);
    const dv = new DataView(ctx.buffer);
    dv.setUint32(8, 7, true); // mark
    dv.setUint32(32, 3, true); // priority
    dv.setUint32(56, 0x1234, true); // cb[2]
    const r = both(ProgType.SCHED_CLS, text, { data: FRAMES.v4_udp, ctx, ctxOut: 192, repeat: 2 });
    expect(r.interp.err).toBe(0);
    expect(r.js).toEqual({ ...r.interp, duration: r.js.duration });
    // Independently: mark 7, priority 3, ifindex 1 (loopback), cb[2] 0x1234, ethertype low byte 0x00.
    expect(r.interp.retval).toBe(7000 + 300 + 10 + 0x1234);
    expect(r.slowInterp).toBeGreaterThanOrEqual(2 * 8);
    expect(r.slowJs).toBe(0);
  });

  it('a load at the right offset through another base, or at a field the policy refuses, still takes the slow path', () => {
    // egress_ifindex (offset 20) is readable only by devmap programs: the interpreter and the tier
    // both fault with bad_ctx_access at the same pc with the same count.
    const refused = both(ProgType.XDP, 'ldxw r2, [r1+0]\nldxw r0, [r1+20]\nexit', { data: FRAMES.v4_udp }, false);
    expect(refused.interp.err).toBe(-14);
    expect(refused.js.err).toBe(-14);
    expect(refused.ks[1]!.lastFault).toMatchObject({ kind: refused.ks[0]!.lastFault!.kind, pc: 1 });
    expect(refused.slowJs).toBe(1);
    // r1 + 4 as the base, offset 0: not offset 0 of the ctx, so not rewritten at run time either.
    const moved = both(ProgType.XDP, 'mov r2, r1\nadd r2, 4\nldxw r3, [r2+0]\nldxw r4, [r1+0]\nmov r0, r3\nsub r0, r4\nexit', { data: FRAMES.v4_udp }, false);
    expect(moved.js).toEqual({ ...moved.interp, duration: moved.js.duration });
    expect(moved.interp.retval).toBe(FRAMES.v4_udp.length);
    expect(moved.slowJs).toBe(1);
  });

  it('the translated source reads the rewritten fields through per-site constants', () => {
    const k = kernel();
    const fd = load(k, ProgType.XDP, 'ldxw r2, [r1+0]\nldxw r3, [r1+4]\nmov r0, 2\nexit');
    const prog = k.progGet(fd);
    if (typeof prog === 'number') throw new Error(`progGet: ${prog}`);
    const src = translateSource(prog.exec);
    expect(src).toContain('const CR0 = P.ctxReads.fields.get(0).read;');
    expect(src).toContain('const CR4 = P.ctxReads.fields.get(4).read;');
    expect(src).toContain('CXID = P.ctxReads.region(m)');
  });

  it('random ctx-load programs agree on the interpreter, the tier and the reference (full and cut budgets), and the tier reads directly', () => {
    // A small generator of its own: ctx loads of every size at in- and out-of-policy offsets, through
    // r1 or a copy moved by -4, 0 or 4, mixed into r0; each program on XDP and on tc.
    let seed = 0x2545f491;
    const rnd = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const SIZES = ['b', 'h', 'dw'];
    const spy = vi.spyOn(CtxRegion.prototype, 'load');
    let slow = { interp: 0, js: 0 };
    let runs = 0;
    let faults = 0;
    for (let p = 0; p < 60; p++) {
      const delta = [0, 0, 0, 4, -4][rnd(5)]!;
      const lines = ['mov r0, 0', 'mov r6, r1', `add r6, ${delta}`];
      const n = 2 + rnd(6);
      for (let i = 0; i < n; i++) {
        const dst = 2 + rnd(4);
        const base = rnd(8) === 0 ? 'r6' : 'r1';
        const off = rnd(12) === 0 ? rnd(48) : 4 * rnd(5);
        const size = rnd(12) === 0 ? SIZES[rnd(SIZES.length)]! : 'w';
        lines.push(`ldx${size} r${dst}, [${base}+${off}]`, rnd(2) === 0 ? `add r0, r${dst}` : `xor r0, r${dst}`);
      }
      lines.push('exit');
      const text = lines.join('\n');
      for (const type of [ProgType.XDP, ProgType.SCHED_CLS]) {
        const total = 3 + 2 * n + 1;
        for (const budget of [undefined, 1 + rnd(total)]) {
          const out: string[] = [];
          for (const engine of ['interp', 'js', 'reference'] as const) {
            spy.mockClear();
            const k = kernel({ engine, verify: false, ...(budget !== undefined ? { budget } : {}) });
            const r = testRun(k, load(k, type, text), { data: FRAMES.v4_tcp80, repeat: 2 });
            if (engine !== 'reference') slow[engine] += spy.mock.calls.length;
            const f = k.lastFault;
            out.push(JSON.stringify({ err: r.err, retval: r.retval, data: Array.from(r.dataOut), fault: r.err === 0 ? null : `${f?.kind}@${f?.pc}:${f?.address}` }));
            if (engine === 'interp' && r.err !== 0) faults++;
          }
          expect(out[1], `${text}\n(type ${type}, budget ${budget})`).toBe(out[0]);
          expect(out[2], `${text}\n(type ${type}, budget ${budget})`).toBe(out[0]);
          runs++;
        }
      }
    }
    expect(runs).toBe(240);
    // Both outcomes occur, and the tier took the slow path far less often than the interpreter.
    expect(faults).toBeGreaterThan(20);
    expect(faults).toBeLessThan(runs - 20);
    expect(slow.js).toBeLessThan(slow.interp / 2);
  });
});

