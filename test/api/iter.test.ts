/**
 * Iterator programs through the API: programs/tracing_btf.bpf.o's iter_task attached like
 * bpf_program__attach_iter and read like `cat` of a pinned iterator. On Linux 6.18,
 * `bpftool iter pin tracing_btf.bpf.o <bpffs>/x; cat <bpffs>/x; cat <bpffs>/x` printed twice one
 * "<pid> <comm>" line per task in pid order, "2 kthreadd\n3 pool_workqueue_\n4 kworker/R-rcu_g\n
 * ... 29630 kworker/u8:2\n" (comm cut to 15 bytes; that VM's pid 1 and its threads were not
 * listed), the first ending "tasks: 67\n", the second "tasks: 134\n": `iter_tasks` is a global
 * that keeps counting across reads.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfError, BpfObject, ProgramFaultError } from '../../src/api/index.js';
import { parseBtf } from '../../src/btf/parse.js';
import { Kernel } from '../../src/kernel/kernel.js';
import type { KernelObjects } from '../../src/kernel/objects/kobjects.js';
import { ERRNO } from '../../src/util/errno.js';

const FILE = 'programs/tracing_btf.bpf.o';

function open(k = new Kernel()): BpfObject {
  const o = BpfObject.open(readFileSync(FILE), { kernel: k });
  o.load();
  return o;
}

describe('iter/task (tracing_btf iter_task)', () => {
  it('prints one line per task, then "tasks: N"; the count is a global that keeps growing', () => {
    const o = open();
    const link = o.program('iter_task').attach();
    expect(link.readIter()).toBe('1 init\n4242 bpfemu\ntasks: 2\n');
    expect(link.readIter()).toBe('1 init\n4242 bpfemu\ntasks: 4\n');
    expect(o.variable('iter_tasks').getInt()).toBe(4n);
    link.destroy();
    o.close();
  });

  it('lists the configured current task and added tasks in pid order, comm cut to 15 bytes', () => {
    const k = new Kernel({ task: { pid: 4000, tgid: 4000, comm: 'a-very-long-command-name' } });
    const ko = k.service<KernelObjects>('kobjects')!;
    ko.addTask({ pid: 2, comm: 'kthreadd' });
    ko.addTask({ pid: 4001, tgid: 4000, comm: 'worker' });
    const o = open(k);
    expect(o.program('iter_task').attach().readIter()).toBe('1 init\n2 kthreadd\n4000 a-very-long-com\n4001 worker\ntasks: 4\n');
  });

  it('skeleton attach creates the iterator link too; the tp_btf program still runs', () => {
    const o = open();
    const links = o.attach();
    expect(links).toHaveLength(2);
    expect(links[0]!.readIter()).toBe('1 init\n4242 bpfemu\ntasks: 2\n');
    const fired = o.fire('raw_tp', 'sys_enter', { args: [0n, 59n] });
    expect(fired.map((f) => [f.prog.name, f.program, f.retval, f.fault])).toEqual([['tp_btf_sys_ente', 'tp_btf_sys_enter', 0, null]]);
    expect(o.variable('btf_calls').getInt()).toBe(1n);
    expect(o.variable('btf_last_id').getInt()).toBe(59n);
    // Not an iterator link.
    expect(() => links[1]!.readIter()).toThrowError(BpfError);
    try {
      links[1]!.readIter();
    } catch (e) {
      expect((e as BpfError).errno).toBe(ERRNO.EINVAL);
    }
    o.close();
  });

  it('a program fault surfaces as ProgramFaultError; the fd is closed again', () => {
    const o = open(new Kernel({ budget: 5 }));
    const k = o.kernel;
    const link = o.program('iter_task').attach();
    const before = k.fds.size;
    expect(() => link.readIter()).toThrowError(ProgramFaultError);
    expect(k.fds.size).toBe(before);
  });
});

describe('kernel objects follow the CO-RE target', () => {
  const vmlinux = '/sys/kernel/btf/vmlinux';
  const hasVmlinux = existsSync(vmlinux);

  it("with coreTarget 'local' the tasks are laid out from the object's own BTF", () => {
    const o = BpfObject.open(readFileSync(FILE), { coreTarget: 'local' });
    o.load();
    expect(o.program('iter_task').attach().readIter()).toBe('1 init\n4242 bpfemu\ntasks: 2\n');
  });

  it.skipIf(!hasVmlinux)(`with a real vmlinux BTF as target, task->pid and task->comm land on the emulated task's fields${hasVmlinux ? '' : ' (skipped: no /sys/kernel/btf/vmlinux)'}`, () => {
    const target = parseBtf(readFileSync(vmlinux));
    const k = new Kernel();
    const o = BpfObject.open(readFileSync(FILE), { kernel: k, coreTarget: target });
    o.load();
    expect(o.program('iter_task').attach().readIter()).toBe('1 init\n4242 bpfemu\ntasks: 2\n');
    // The emulated task object now has the real task_struct's size.
    const size = target.sizeof(target.findByName('task_struct').find((t) => t.kind === 'STRUCT')!.id);
    expect(k.service<KernelObjects>('kobjects')!.currentTask().bytes.length).toBe(size);
  });
});
