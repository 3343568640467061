/**
 * bpf_rdonly_cast (src/kernel/kfuncs/rdonly-cast.ts, src/verifier/rdonly-cast.ts) end to end
 * through programs/rdonly_cast.bpf.o (bpf_core_cast) on the fast interpreter, the reference
 * interpreter and the JS tier: each run of the kernel-differential case syscall_rdonly_cast must
 * leave the ctx the 6.18 kernel left (test/kernel-diff/goldens, recorded live; the user pointer's 8
 * bytes excluded). The values are also checked against what the inputs make them: the words read
 * back through the struct in6_addr cast, the cast current task's pid and tgid equal to
 * bpf_get_current_pid_tgid()'s, and the PROBE_MEM loads through NULL, an unmapped user address and
 * a mapped user buffer reading 0. The bpf_core_type_id_kernel relocations resolve to the emulated
 * vmlinux's ids, the ones the verifier types r0 from.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import type { EngineName } from '../../../src/vm/run.js';
import { CASES } from '../../kernel-diff/cases.js';

const OBJ = readFileSync(new URL('../../../programs/rdonly_cast.bpf.o', import.meta.url));
type Golden = { runs: { retval: number; ctxOut: string }[] };
const GOLDEN = JSON.parse(readFileSync(new URL('../../kernel-diff/goldens/syscall_rdonly_cast.json', import.meta.url), 'utf8')) as Golden;
const CASE = CASES.find((c) => c.name === 'syscall_rdonly_cast')!;
const ENGINES: EngineName[] = ['fast', 'reference', 'js'];

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The ctx after each run of the case, the user pointer's bytes written `**` as in the golden. */
function runs(engine: EngineName): string[] {
  const o = BpfObject.open(OBJ, { kernelOptions: { engine } });
  o.load();
  return CASE.runs.map((r) => {
    const ctx = r.ctx!.slice();
    if (r.user !== undefined) new DataView(ctx.buffer).setBigUint64(r.user.offset, BigInt(o.kernel.user.alloc(r.user.bytes)), true);
    const out = o.program(r.prog).testRun({ ctxIn: ctx });
    expect(out.retval).toBe(0);
    const h = hex(out.ctxOut!);
    return r.user !== undefined ? h.slice(0, 32) + '*'.repeat(16) + h.slice(48) : h;
  });
}

/** What struct cast_args must hold after a run on `input`: computed from the input words alone. */
function expected(input: Uint8Array): number[] {
  const w = (i: number): number => new DataView(input.buffer, input.byteOffset).getUint32(4 * i, true);
  return [w(3), w(0), input[5]!, (w(1) + w(2)) >>> 0, 1, 1, 0, 0];
}

function results(ctxHex: string): number[] {
  const b = Buffer.from(ctxHex.replace(/\*/g, '0'), 'hex');
  return Array.from({ length: 8 }, (_, i) => b.readUInt32LE(24 + 4 * i));
}

describe('bpf_rdonly_cast: test runs against 6.18', () => {
  for (const engine of ENGINES) {
    it(`${engine}: every run leaves the ctx the kernel left`, () => {
      expect(runs(engine)).toEqual(GOLDEN.runs.map((r) => r.ctxOut));
    });
  }
  it('the golden holds what the inputs make it: the words through the cast, the task ids, 0 from faulting loads', () => {
    CASE.runs.forEach((r, i) => expect(results(GOLDEN.runs[i]!.ctxOut), `run ${i}`).toEqual(expected(r.ctx!)));
  });
  it('the verifier marks the 9 loads through the cast pointers, and only them, as PROBE_MEM loads', () => {
    const o = BpfObject.open(OBJ);
    o.load();
    const vr = o.kernel.lastVerifierResult;
    expect(vr?.ok).toBe(true);
    // 5 loads through in6_addr (u6_addr32[3], [0], u6_addr8[5], u6_addr32[1], [2]), 2 through the
    // task, 1 each through NULL and addr; the ctx load of a->addr and a stack fill stay plain loads
    const insns = o.program('cast_prog').spec.insns;
    const loads = insns.flatMap((x, pc) => ((x.code & 7) === 1 ? [pc] : []));
    const probes = vr?.ok === true ? [...(vr.probeLoads ?? [])].sort((a, b) => a - b) : [];
    expect(probes.length).toBe(9);
    expect(probes.every((pc) => loads.includes(pc))).toBe(true);
    const plain = loads.filter((pc) => !probes.includes(pc)).map((pc) => insns[pc]!);
    expect(plain.map((x) => x.src).sort()).toEqual([10, 6].sort()); // r6 = ctx, r10 = the stack
  });
  it('bpf_core_type_id_kernel resolves to the emulated vmlinux ids of struct in6_addr and struct task_struct', () => {
    const o = BpfObject.open(OBJ);
    const btf = o.kernel.vmlinuxBtf;
    const ids = o.program('cast_prog').spec.insns.filter((x, i, a) => x.code === 0x18 && x.dst === 2 && a[i + 2]?.code === 0x85 && a[i + 2]?.src === 2).map((x) => x.imm);
    expect(ids).toEqual([btf.findOne('in6_addr', 'STRUCT').id, ...Array<number>(3).fill(btf.findOne('task_struct', 'STRUCT').id)]);
  });
});
