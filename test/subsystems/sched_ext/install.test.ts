/**
 * sched_ext in the emulated kernel (src/subsystems/sched_ext/install.ts, types.ts): the
 * `sched_ext_ops` layout against the 6.18 table of docs/sched-ext.md §0.4 (written out here, not
 * taken from the code under test), and the registration rules of bpf_scx_init_member and
 * bpf_scx_reg (§1.2, §1.4).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/index.js';
import { createSchedExtKernel } from '../../../src/subsystems/sched_ext/install.js';
import { simulateSchedExt } from '../../../src/subsystems/sched_ext/simulate.js';
import { SchedCore } from '../../../src/subsystems/sched_ext/core.js';
import { ERRNO } from '../../../src/util/errno.js';
import { enum64Value } from '../../../src/btf/types.js';

const FUNCS = [
  'select_cpu', 'enqueue', 'dequeue', 'dispatch', 'tick', 'runnable', 'running', 'stopping', 'quiescent', 'yield', 'core_sched_before', 'set_weight',
  'set_cpumask', 'update_idle', 'cpu_acquire', 'cpu_release', 'init_task', 'exit_task', 'enable', 'disable', 'dump', 'dump_cpu', 'dump_task',
  'cgroup_init', 'cgroup_exit', 'cgroup_prep_move', 'cgroup_move', 'cgroup_cancel_move', 'cgroup_set_weight', 'cgroup_set_bandwidth', 'cpu_online',
  'cpu_offline', 'init', 'exit',
];
const DATA: [string, number, number][] = [
  ['dispatch_max_batch', 272, 4],
  ['flags', 280, 8],
  ['timeout_ms', 288, 4],
  ['exit_dump_len', 292, 4],
  ['hotplug_seq', 296, 8],
  ['name', 304, 128],
  ['priv', 432, 8],
];
const DATA_OFF = 64;

describe('the emulated BTF', () => {
  it('struct sched_ext_ops has the 6.18 layout: 34 function pointers, then the data members, size 440', () => {
    const { kernel } = createSchedExtKernel(2);
    const btf = kernel.vmlinuxBtf;
    const t = btf.findByName('sched_ext_ops', 'STRUCT')[0]!;
    expect(btf.sizeof(t.id)).toBe(440);
    expect(FUNCS).toHaveLength(34);
    FUNCS.forEach((name, i) => expect(btf.findMember(t.id, name)?.byteOffset).toBe(8 * i));
    for (const [name, off, size] of DATA) {
      const m = btf.findMember(t.id, name)!;
      expect(m.byteOffset).toBe(off);
      expect(btf.sizeof(btf.resolved(m.type).id)).toBe(size);
    }
    const w = btf.findByName('bpf_struct_ops_sched_ext_ops', 'STRUCT')[0]!;
    expect(btf.findMember(w.id, 'data')?.byteOffset).toBe(DATA_OFF);
  });

  it('task_struct has scx (struct sched_ext_entity) with the members schedulers use; the argument structs are there', () => {
    const { kernel } = createSchedExtKernel(2);
    const btf = kernel.vmlinuxBtf;
    const task = btf.findByName('task_struct', 'STRUCT')[0]!;
    const scx = btf.findMember(task.id, 'scx')!;
    const ent = btf.resolved(scx.type);
    expect(ent.name).toBe('sched_ext_entity');
    for (const m of ['dsq', 'flags', 'weight', 'slice', 'dsq_vtime', 'disallow', 'selected_cpu', 'runnable_at']) expect(btf.findMember(ent.id, m)).toBeDefined();
    expect(btf.sizeof(btf.resolved(btf.findMember(ent.id, 'slice')!.type).id)).toBe(8);
    const ei = btf.findByName('scx_exit_info', 'STRUCT')[0]!;
    expect(btf.sizeof(ei.id)).toBe(64);
    expect(btf.resolved(btf.findMember(ei.id, 'kind')!.type).kind).toBe('ENUM');
    expect(btf.findMember(ei.id, 'msg')!.byteOffset).toBe(48);
  });

  it('the 64-bit enums are ENUM64 with the published values (what compat headers read through CO-RE)', () => {
    const btf = createSchedExtKernel(1).kernel.vmlinuxBtf;
    const value = (e: string, n: string): bigint => {
      const t = btf.findByName(e)[0]!;
      if (t.kind !== 'ENUM64') throw new Error(`${e} is ${t.kind}`);
      const v = t.values.find((x) => x.name === n)!;
      return enum64Value(v, t.signed);
    };
    expect(value('scx_dsq_id_flags', 'SCX_DSQ_GLOBAL')).toBe(0x8000_0000_0000_0001n);
    expect(value('scx_dsq_id_flags', 'SCX_DSQ_LOCAL_ON')).toBe(0xc000_0000_0000_0000n);
    expect(value('scx_public_consts', 'SCX_SLICE_INF')).toBe(0xffff_ffff_ffff_ffffn);
    expect(value('scx_enq_flags', 'SCX_ENQ_PREEMPT')).toBe(0x1_0000_0000n);
    expect(value('scx_enq_flags', 'SCX_ENQ_LAST')).toBe(0x200_0000_0000n);
    expect(value('scx_ops_flags', 'SCX_OPS_ALL_FLAGS')).toBe(0x1_007fn);
    expect(value('scx_exit_code', 'SCX_ECODE_ACT_RESTART')).toBe(1n << 48n);
  });

  it('6.18 has no pre-6.13 kfunc names unless asked for', () => {
    expect(createSchedExtKernel(1).kernel.kfuncs.get('scx_bpf_dispatch')).toBeUndefined();
    expect(createSchedExtKernel(1).kernel.kfuncs.get('scx_bpf_dsq_insert')).toBeDefined();
    expect(createSchedExtKernel(1, { legacyNames: true }).kernel.kfuncs.get('scx_bpf_consume')).toBeDefined();
  });
});

describe('registration', () => {
  const load = (file = 'scx_fifo', k = createSchedExtKernel(2).kernel): BpfObject => {
    const o = BpfObject.open(readFileSync(`programs/${file}.bpf.o`), { kernel: k });
    o.load();
    return o;
  };
  const mapOf = (o: BpfObject) => o.maps.find((m) => m.spec.type === 26)!;
  const attachErrno = (o: BpfObject, edit: (dv: DataView, bytes: Uint8Array) => void): number => {
    const m = mapOf(o);
    const v = m.kernVdata!;
    edit(new DataView(v.buffer, v.byteOffset + DATA_OFF), v.subarray(DATA_OFF));
    try {
      m.attachStructOps();
      return 0;
    } catch (e) {
      return (e as { errno: number }).errno;
    }
  };

  it('data members are checked at map update as bpf_scx_init_member does', () => {
    const { EINVAL, E2BIG } = ERRNO;
    expect(attachErrno(load(), (dv) => dv.setBigUint64(280, 1n << 56n, true))).toBe(EINVAL); // internal flag bit
    expect(attachErrno(load(), (dv) => dv.setUint32(288, 30001, true))).toBe(E2BIG); // > SCX_WATCHDOG_MAX_TIMEOUT
    expect(attachErrno(load(), (dv) => dv.setUint32(272, 0x8000_0000, true))).toBe(E2BIG); // > INT_MAX
    expect(attachErrno(load(), (_dv, b) => b.fill(0, 304, 432))).toBe(EINVAL); // empty name
    expect(attachErrno(load(), (_dv, b) => b.set(new TextEncoder().encode('my-sched'), 304))).toBe(EINVAL); // '-' is not allowed
    expect(attachErrno(load(), (dv) => dv.setBigUint64(432, 1n, true))).toBe(EINVAL); // priv must be NULL
    expect(attachErrno(load(), (dv) => dv.setUint32(288, 30000, true))).toBe(0);
    expect(attachErrno(load(), (_dv, b) => b.set(new TextEncoder().encode('v1.2_x\0'), 304))).toBe(0);
  });

  it('one scheduler at a time: a second attach fails with EBUSY', () => {
    const { kernel } = createSchedExtKernel(2);
    const a = load('scx_fifo', kernel);
    const b = load('scx_vtime', kernel);
    expect(attachErrno(a, () => {})).toBe(0);
    expect(attachErrno(b, () => {})).toBe(ERRNO.EBUSY);
  });

  it('stores through a task pointer: only scx.slice, scx.dsq_vtime and scx.disallow (bpf_scx_btf_struct_access)', () => {
    const bytes = readFileSync('programs/scx_bad_write.bpf.o');
    const bad = BpfObject.open(bytes, { kernel: createSchedExtKernel(1).kernel });
    let errno = 0;
    try {
      bad.load();
    } catch (e) {
      errno = (e as { errno: number }).errno;
      expect((e as Error).message).toContain('bad_enable');
    }
    expect(errno).toBe(ERRNO.EACCES);
    const ok = BpfObject.open(bytes, { kernel: createSchedExtKernel(1).kernel });
    ok.map('bad_ops').autocreate = false;
    ok.map('ok_ops').autocreate = true;
    ok.load();
    expect(ok.program('ok_enable').fd).toBeGreaterThan(0);
  });

  it('a sleepable program on enqueue is refused at load (EINVAL); BPF_LINK_UPDATE is EOPNOTSUPP', () => {
    const bytes = readFileSync('programs/scx_bad_write.bpf.o');
    const o = BpfObject.open(bytes, { kernel: createSchedExtKernel(1).kernel });
    o.map('bad_ops').autocreate = false;
    o.map('sleepy_ops').autocreate = true;
    let errno = 0;
    try {
      o.load();
    } catch (e) {
      errno = (e as { errno: number }).errno;
    }
    expect(errno).toBe(ERRNO.EINVAL);
    const { kernel } = createSchedExtKernel(2);
    const a = load('scx_fifo', kernel);
    const b = load('scx_vtime', kernel);
    const link = mapOf(a).attachStructOps();
    expect(mapOf(b).writeStructOpsValue()).toBe(0);
    expect(() => link.updateMap(mapOf(b))).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP' }));
  });
});

describe('task lifecycle (scx_lifecycle)', () => {
  it('init_task(fork=false) for tasks there at enable, fork=true later; enable and set_weight; disable and exit_task at exit and unregistration', () => {
    const wl = {
      tasks: [
        { pid: 10, comm: 'n0', nice: 0, behavior: { type: 'cpu' } },
        { pid: 11, comm: 'nm5', nice: -5, behavior: { type: 'cpu' } },
        { pid: 12, comm: 'n19', nice: 19, behavior: { type: 'cpu' } },
        { pid: 20, comm: 'child', count: 2, start: '10ms', exit: '50ms', behavior: { type: 'cpu' } },
      ],
    };
    const r = simulateSchedExt(readFileSync('programs/scx_lifecycle.bpf.o'), wl, { cpus: 2, durationNs: 100e6, events: true });
    const v = (n: string): bigint => r.object!.variable(n).getInt();
    expect(v('nr_init')).toBe(1n);
    expect(v('nr_init_existing')).toBe(3n);
    expect(v('nr_init_fork')).toBe(2n);
    expect(v('nr_enable')).toBe(5n);
    expect(v('nr_set_weight')).toBe(5n);
    // sched_prio_to_weight scaled to 1..10000: nice 0 → 100, -5 → 305, 19 → 1.
    expect(v('sum_weight')).toBe(100n + 305n + 1n + 100n + 100n);
    expect(v('nr_disable')).toBe(5n);
    expect(v('nr_exit_task')).toBe(5n);
    expect(v('nr_cancelled')).toBe(0n);
    expect(v('exit_kind')).toBe(64n);
    // Per task: init_task, enable, set_weight ... disable, exit_task; the children leave at 50 ms.
    const ops = ['init_task', 'enable', 'set_weight', 'disable', 'exit_task'];
    for (const pid of [10, 20]) {
      const seq = r.events.filter((e) => e.pid === pid && ops.includes(e.what));
      expect(seq.map((e) => e.what)).toEqual(ops);
    }
    expect(r.events.find((e) => e.pid === 20 && e.what === 'disable')!.t).toBe(50e6);
    expect(r.events.find((e) => e.pid === 10 && e.what === 'disable')!.t).toBe(100e6);
    expect(r.events.findIndex((e) => e.what === 'init')).toBeLessThan(r.events.findIndex((e) => e.what === 'init_task'));
  });
});

describe('hotplug_seq', () => {
  it('a value other than 0 and the kernel counter (0 here: no hotplug) ends the scheduler at enable: UNREG_KERN, restart + hotplug code', () => {
    const { kernel, state } = createSchedExtKernel(2);
    const o = BpfObject.open(readFileSync('programs/scx_fifo.bpf.o'), { kernel });
    o.load();
    const m = o.maps.find((x) => x.spec.type === 26)!;
    new DataView(m.kernVdata!.buffer, m.kernVdata!.byteOffset + DATA_OFF).setBigUint64(296, 5n, true);
    m.attachStructOps();
    const core = new SchedCore(kernel, { nrCpus: 2, seed: 1 });
    state.core = core;
    core.attach(state.attached!);
    expect(core.exitInfo).toMatchObject({ kind: 66, exitCode: (1n << 48n) | (1n << 32n), reason: 'unregistered from the main kernel', message: 'expected hotplug seq 5 did not match actual 0' });
    expect(o.variable('exit_kind').getInt()).toBe(66n);
  });
});
