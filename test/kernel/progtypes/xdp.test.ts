// These tests check the run-time wall (bpfemu's own faults) with programs the load-time verifier
// refuses, so their kernels load unverified; the verifier's verdicts on such programs are covered
// by test/verifier (corpus and fuzz).
import { describe, expect, it } from 'vitest';
import { XdpAction, type RedirectMap, type RedirectTarget } from '../../../src/helpers/packet.js';
import { runXdp } from '../../../src/kernel/progtypes/xdp.js';
import { BPF_MAP_TYPE } from '../../../src/maps/uapi.js';
import { Memory, PERM_NONE, RegionKind } from '../../../src/vm/memory.js';
import { assembleBytes } from '../../../src/isa/asm.js';
import { Cmd } from '../../../src/kernel/syscall/uapi.js';
import type { KMap } from '../../../src/kernel/objects/objects.js';
import { AttachType, FRAMES, kernel, load, ProgType, testRun, u32s } from './harness.js';

const EFAULT = -14;

describe('XDP context', () => {
  it('a narrow or misplaced xdp_md access faults (the verifier rejects it at load)', () => {
    const k = kernel({ verify: false });
    for (const text of ['ldxh r0, [r1+0]\nexit', 'ldxdw r0, [r1+0]\nexit', 'mov r2, 0\nstxw [r1+12], r2\nmov r0, 2\nexit', 'ldxw r0, [r1+20]\nexit']) {
      const fd = load(k, ProgType.XDP, text);
      expect(testRun(k, fd, { data: FRAMES.v4_tcp80 }).err).toBe(EFAULT);
      expect(k.lastFault?.kind).toBe('bad_ctx_access');
    }
    // Past the end of struct xdp_md.
    expect(testRun(k, load(k, ProgType.XDP, 'ldxw r0, [r1+24]\nexit'), { data: FRAMES.v4_tcp80 }).err).toBe(EFAULT);
    expect(k.lastFault?.kind).toBe('out_of_bounds');
  });

  it('packet accesses outside [data_meta, data_end) fault', () => {
    const k = kernel({ verify: false });
    // data_end points one past the last byte.
    const past = load(k, ProgType.XDP, 'ldxw r2, [r1+4]\nldxb r0, [r2+0]\nexit');
    expect(testRun(k, past, { data: FRAMES.v4_tcp80 }).err).toBe(EFAULT);
    expect(k.lastFault?.kind).toBe('out_of_bounds');
    // Below data without metadata.
    const below = load(k, ProgType.XDP, 'ldxw r2, [r1+0]\nldxb r0, [r2-1]\nexit');
    expect(testRun(k, below, { data: FRAMES.v4_tcp80 }).err).toBe(EFAULT);
    // With 4 bytes of metadata the byte before data is readable (and writable).
    const meta = load(k, ProgType.XDP, 'ldxw r2, [r1+0]\nmov r3, 0x5a\nstxb [r2-1], r3\nldxb r0, [r2-1]\nexit');
    const r = testRun(k, meta, { data: FRAMES.v4_tcp80, ctx: u32s(4, 60, 0, 0, 0, 0), ctxOut: 24 });
    expect(r.err).toBe(0);
    expect(r.retval).toBe(0x5a);
    expect(r.dataOut[3]).toBe(0x5a);
  });

  it('packet pointers taken before bpf_xdp_adjust_head fault afterwards (the verifier forgets them)', () => {
    const k = kernel({ verify: false });
    const fd = load(k, ProgType.XDP, 'mov r6, r1\nldxw r7, [r6+0]\nmov r1, r6\nmov r2, 4\ncall 44\nldxb r0, [r7+0]\nexit');
    expect(testRun(k, fd, { data: FRAMES.v4_tcp80 }).err).toBe(EFAULT);
    expect(k.lastFault?.kind).toBe('out_of_bounds');
    expect(k.lastFault?.region).toMatch(/invalidated by bpf_xdp_adjust_head/);
  });

  it('helpers check that r1 is the context', () => {
    const k = kernel({ verify: false });
    const fd = load(k, ProgType.XDP, 'mov r1, r10\nadd r1, -8\nmov r2, 4\ncall 44\nexit');
    expect(testRun(k, fd, { data: FRAMES.v4_tcp80 }).err).toBe(EFAULT);
    expect(k.lastFault?.kind).toBe('helper');
  });

  it('a helper of another program type is refused at load', () => {
    const k = kernel({ verify: false });
    const insns = assembleBytes('mov r2, 4\ncall 44\nexit');
    expect(k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.SCHED_CLS, insn_cnt: insns.length / 8, insns, license: 'GPL' })).toBe(-22);
    const store = assembleBytes('call 9\nexit');
    expect(k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.XDP, insn_cnt: store.length / 8, insns: store, license: 'GPL' })).toBe(-22);
  });

  it('bpf_redirect records its target in lastTestRun; a refused run clears it', () => {
    const k = kernel({ verify: false });
    const fd = load(k, ProgType.XDP, 'mov r1, 5\nmov r2, 0\ncall 23\nexit');
    const r = testRun(k, fd, { data: FRAMES.v4_tcp80 });
    expect(r.retval).toBe(XdpAction.REDIRECT);
    expect(k.lastTestRun?.redirect).toEqual({ kind: 'ifindex', ifindex: 5, flags: 0 });
    expect(testRun(k, fd, { data: FRAMES.v4_tcp80.subarray(0, 13) }).err).toBe(-22);
    expect(k.lastTestRun).toBeNull();
  });

  it('bpf_redirect_map looks up the map through its redirect contract', () => {
    const k = kernel({ verify: false });
    const targets = new Map<number, RedirectTarget>([[1, { ifindex: 9 }]]);
    const fake: RedirectMap & { id: number; type: number } = { id: 77, type: BPF_MAP_TYPE.DEVMAP, redirectTarget: (key) => targets.get(key) };
    const region = k.mem.map(new Uint8Array(0), { kind: RegionKind.MAP, perm: PERM_NONE, label: 'fake devmap', owner: fake });
    const ptr = Memory.pointer(region, 0);
    // The fake map is one of each program's maps (as if referenced by fd), or its handle is foreign.
    const prog = (key: number, flags: number): number => {
      const fd = load(k, ProgType.XDP, `lddw r1, ${ptr}\nmov r2, ${key}\nlddw r3, ${flags}\ncall 51\nexit`);
      const e = k.fds.get(fd);
      if (e?.kind === 'prog') e.obj.usedMaps.push({ impl: fake, refcnt: 1e9 } as unknown as KMap);
      return fd;
    };
    expect(testRun(k, prog(1, 0), { data: FRAMES.v4_tcp80 }).retval).toBe(XdpAction.REDIRECT);
    expect(k.lastTestRun?.redirect).toEqual({ kind: 'map', mapId: 77, mapType: BPF_MAP_TYPE.DEVMAP, key: 1, flags: 0, target: { ifindex: 9 } });
    // A miss returns the low two flag bits.
    expect(testRun(k, prog(2, XdpAction.PASS), { data: FRAMES.v4_tcp80 }).retval).toBe(XdpAction.PASS);
    expect(k.lastTestRun?.redirect).toBeNull();
    // BPF_F_BROADCAST redirects even without an entry; unknown flags abort.
    expect(testRun(k, prog(2, 8), { data: FRAMES.v4_tcp80 }).retval).toBe(XdpAction.REDIRECT);
    expect(testRun(k, prog(1, 0x40), { data: FRAMES.v4_tcp80 }).retval).toBe(XdpAction.ABORTED);
    // CPUMAP takes no broadcast flags.
    fake.type = BPF_MAP_TYPE.CPUMAP;
    expect(testRun(k, prog(1, 8), { data: FRAMES.v4_tcp80 }).retval).toBe(XdpAction.ABORTED);
    // Any other map faults (the verifier would reject the call).
    fake.type = BPF_MAP_TYPE.ARRAY;
    expect(testRun(k, prog(1, 0), { data: FRAMES.v4_tcp80 }).err).toBe(EFAULT);
    expect(k.lastFault?.kind).toBe('helper');
  });

  it('repeat runs the program that many times (0 means once) and reports an average duration', () => {
    const k = kernel({ verify: false });
    const fd = load(k, ProgType.XDP, 'mov r0, 2\nexit');
    const prog = [...k.liveProgs()][0]!;
    testRun(k, fd, { data: FRAMES.v4_tcp80 });
    expect(prog.runCnt).toBe(0n); // run stats are off unless enabled, as in the kernel
    expect(k.bpf(Cmd.ENABLE_STATS, { type: 0 })).toBeGreaterThan(2);
    testRun(k, fd, { data: FRAMES.v4_tcp80 });
    expect(prog.runCnt).toBe(1n);
    const r = testRun(k, fd, { data: FRAMES.v4_tcp80, repeat: 10 });
    expect(prog.runCnt).toBe(11n);
    expect(Number.isInteger(r.duration) && r.duration >= 0).toBe(true);
  });

  it('live frames mode runs on fresh copies and reports retval 0', () => {
    const k = kernel({ verify: false });
    const fd = load(k, ProgType.XDP, 'mov r6, r1\nmov r2, 16\ncall 65\nmov r1, 3\nmov r2, 0\ncall 23\nexit');
    const prog = [...k.liveProgs()][0]!;
    k.bpf(Cmd.ENABLE_STATS, { type: 0 });
    const r = testRun(k, fd, { data: FRAMES.v4_tcp80, flags: 2, repeat: 4, dataOut: 0 });
    expect([r.err, r.retval]).toEqual([0, 0]);
    expect(prog.runCnt).toBe(4n);
    expect(k.lastTestRun?.dataOut).toEqual(FRAMES.v4_tcp80);
    expect(k.lastTestRun?.redirect).toEqual({ kind: 'ifindex', ifindex: 3, flags: 0 });
  });

  it('runXdp runs devmap programs, which read egress_ifindex', () => {
    const k = kernel({ verify: false });
    const fd = load(k, ProgType.XDP, 'ldxw r0, [r1+20]\nexit', { eat: AttachType.XDP_DEVMAP });
    expect(testRun(k, fd, { data: FRAMES.v4_tcp80 }).err).toBe(-22);
    const prog = [...k.liveProgs()][0]!;
    const r = runXdp(k, prog, { data: FRAMES.v4_tcp80, egressIfindex: 0xffff });
    expect(typeof r === 'number' ? r : [r.retval, r.fault, r.linearEnd]).toEqual([0xffff, null, 60]);
  });

  it('runXdp refuses bad metadata and builds frags past the linear length', () => {
    const k = kernel({ verify: false });
    load(k, ProgType.XDP, 'call 188\nexit');
    const prog = [...k.liveProgs()][0]!;
    expect(runXdp(k, prog, { data: FRAMES.v4_tcp80, metaLen: 3 })).toBe(-22);
    expect(runXdp(k, prog, { data: FRAMES.v4_tcp80, metaLen: 220 })).toBe(-22);
    const r = runXdp(k, prog, { data: new Uint8Array(9000), linearLen: 100 });
    expect(typeof r === 'number' ? r : [r.retval, r.fragsSize, r.dataOut.length]).toEqual([9000, 8900, 9000]);
    expect(runXdp(k, prog, { data: new Uint8Array(3520 + 17 * 4096 + 1) })).toBe(-12);
  });
});
