/**
 * The tracing helpers (src/helpers/tracing.ts):
 * - against Linux 6.18 (test/kernel/progtypes/golden/tracing-helpers.json, recorded by
 *   record-sockctx.ts): bpf_get_stack / bpf_get_task_stack errnos and buffer zeroing, the cgroup ids
 *   from a cgroup three levels down, bpf_send_signal(_thread) results;
 * - programs/tracing_helpers through the API over emulated stacks, cgroups and hooks: the values
 *   follow from the stacks and arguments the test sets, computed here by hand.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/index.js';
import { funcAddress, sentSignals, setFuncAddress, setTaskStack, withCallStack } from '../../src/helpers/tracing.js';
import { cgroupsOf } from '../../src/maps/cgroups.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { runPerfEvent } from '../../src/kernel/progtypes/perf-event.js';
import { goldenCases, runGolden } from '../kernel/progtypes/golden.js';
import { TRACING_CASES } from '../kernel/progtypes/tracing-cases.js';

describe('tracing helpers against 6.18 (golden/tracing-helpers.json)', () => {
  const cases = goldenCases('tracing-helpers');
  it('the golden has every case, recorded inside a cgroup where asked', () => {
    expect(cases.map((c) => c.name)).toEqual(TRACING_CASES.map((c) => c.name));
    const cg = cases.find((c) => Array.isArray(c.cgroup))?.cgroup as readonly string[];
    expect(cg).toHaveLength(4);
    expect(cg[0]).toBe('1');
  });
  /**
   * Cgroup cases: the emulator's hierarchy gets the same shape (three cgroups below the root, the
   * task in the deepest); its ids differ from the kernel's kernfs inode numbers, so the kernel's
   * result is translated level by level before comparing (the root is 1 in both).
   */
  for (const c of cases) {
    it(c.name, () => {
      const kernelIds = Array.isArray(c.cgroup) ? (c.cgroup as readonly string[]).map(BigInt) : undefined;
      let emuIds: bigint[] = [];
      const setup = (k: Kernel): void => {
        if (kernelIds === undefined) return;
        const cg = cgroupsOf(k);
        let cur = cg.root;
        emuIds = [cur.id];
        for (const name of ['bpfemu-record', 'a', 'b']) {
          cur = cg.mkdir(cur, name);
          emuIds.push(cur.id);
        }
        cg.current = cur;
      };
      const got = runGolden(c, setup);
      let want = c.kernel;
      if (kernelIds !== undefined && c.kernel.err === 0) {
        const i = kernelIds.findIndex((id) => (id & 0xffffffffn) === BigInt(c.kernel.retval) || (id >> 32n) === BigInt(c.kernel.retval));
        // a retval that is no id of the path (0) stays as it is
        if (c.kernel.retval !== 0 && i >= 0) want = { ...c.kernel, retval: Number(c.name.includes('upper 32') ? emuIds[i]! >> 32n : emuIds[i]! & 0xffffffffn) };
      }
      expect(got).toEqual(want);
    });
  }
});

function open(): BpfObject {
  const o = BpfObject.open(readFileSync('programs/tracing_helpers.bpf.o'));
  o.load();
  return o;
}

function out(o: BpfObject, n = 32): bigint[] {
  const m = o.map('out');
  return Array.from({ length: n }, (_, i) => new DataView(m.lookup(Uint8Array.of(i, 0, 0, 0))!.buffer).getBigUint64(0, true));
}

const s64 = (v: number): bigint => BigInt.asUintN(64, BigInt(v));

describe('programs/tracing_helpers', () => {
  it('fentry: function address, argument count, arguments, -EINVAL past the last, -EOPNOTSUPP for the return value', () => {
    const o = open();
    o.attach();
    setFuncAddress(o.kernel, 'bpf_fentry_test2', 0xffffffff81234560n);
    o.fire('fentry', 'bpf_fentry_test2', { args: [7n, 0x1_0000_0002n] });
    expect(out(o).slice(0, 6)).toEqual([0xffffffff81234560n, 2n, 7n, 0x1_0000_0002n, s64(-22), s64(-95)]);
    o.close();
  });

  it('fexit: bpf_get_func_ret reads the return value after the arguments', () => {
    const o = open();
    o.attach();
    // fexit programs see (a, b, ret): bpf_fentry_test2(2, 3) returns 5
    o.fire('fentry', 'bpf_fentry_test2', { args: [2n, 3n, 5n] });
    expect(out(o).slice(6, 8)).toEqual([0n, 5n]);
    o.close();
  });

  it('kprobe: the event\'s kernel and user stacks, skip, build-id records, cgroup ids, signals', () => {
    const o = open();
    o.attach();
    const k = o.kernel;
    const cg = cgroupsOf(k);
    const app = cg.mkdir(cg.root, 'app');
    cg.current = cg.mkdir(app, 'web');
    const kernel = [0xffffffff81000010n, 0xffffffff81000020n, 0xffffffff81000030n, 0xffffffff81000040n, 0xffffffff81000050n];
    const user = [0x401000n, 0x401100n, 0x401200n];
    withCallStack(k, { kernel, user }, () => o.fire('kprobe', 'do_unlinkat', { regs: { di: 3n } }));
    const r = out(o);
    expect(r[8]).toBe(funcAddress(k, 'do_unlinkat'));
    // 4 of 5 kernel frames: 32 bytes
    expect(r.slice(9, 14)).toEqual([32n, ...kernel.slice(0, 4)]);
    // user stack, skip 1, room for 2: frames 1 and 2
    expect(r.slice(14, 17)).toEqual([16n, user[1]!, user[2]!]);
    // one build-id record: BPF_STACK_BUILD_ID_IP (2) and the innermost user frame
    expect(r.slice(17, 20)).toEqual([32n, 2n, user[0]!]);
    expect(r.slice(20, 23)).toEqual([cg.current.id, app.id, 0n]);
    expect(sentSignals(k)).toEqual([{ sig: 10, thread: false, pid: 4242, tgid: 4242 }]);
    o.close();
  });

  it('kprobe without a stack: empty stacks give 0 bytes, the buffer zeroed; the root cgroup', () => {
    const o = open();
    o.attach();
    o.fire('kprobe', 'do_unlinkat', { regs: {} });
    const r = out(o);
    expect([r[9], r[10], r[14], r[17], r[20], r[21]]).toEqual([0n, 0n, s64(-14), 0n, 1n, 0n]);
    o.close();
  });

  it('a task\'s own stack is used when the event has none; another task\'s user stack is -EOPNOTSUPP', () => {
    const o = open();
    const k = o.kernel;
    setTaskStack(k, 4242, { kernel: [0xffffffff81000100n, 0xffffffff81000200n], user: [0x500000n] });
    const r = o.program('task_stack').testRun({ ctxIn: new Uint8Array(8) });
    expect(r.retval).toBe(0);
    // three slots, two kernel frames: 16 bytes, the third slot zeroed; the user stack: one frame
    expect(out(o).slice(26, 31)).toEqual([16n, 0xffffffff81000100n, 0xffffffff81000200n, 0n, 8n]);
    o.close();
  });

  it('perf_event: no branch records (-ENOENT), bad flags -EINVAL', () => {
    const o = open();
    const r = runPerfEvent(o.kernel, o.program('perf_branch').fd, { samplePeriod: 100n });
    expect(typeof r === 'number' ? r : r.fault).toBeNull();
    expect(out(o).slice(23, 26)).toEqual([s64(-2), s64(-2), s64(-22)]);
    expect(runPerfEvent(o.kernel, o.program('task_stack').fd)).toBe(-22);
    o.close();
  });

  it('helper availability follows the program type', () => {
    const o = open();
    const k = o.kernel;
    // bpf_get_func_ip: kprobes and trampolines only; bpf_read_branch_records: perf_event only
    expect(k.helpers.allowed(173, 2, 0)).toBe(true);
    expect(k.helpers.allowed(173, 5, 0)).toBe(false);
    expect(k.helpers.allowed(119, 7, 0)).toBe(true);
    expect(k.helpers.allowed(119, 2, 0)).toBe(false);
    expect(k.helpers.allowed(183, 26, 24)).toBe(true);
    expect(k.helpers.allowed(183, 26, 23)).toBe(false);
    o.close();
  });
});
