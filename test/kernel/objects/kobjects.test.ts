import { describe, expect, it } from 'vitest';
import { BtfBuilder } from '../../../src/btf/encode.js';
import { assembleBytes } from '../../../src/isa/asm.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { KObjectError, type KernelObjects } from '../../../src/kernel/objects/kobjects.js';
import { Cmd } from '../../../src/kernel/syscall/uapi.js';
import { ProgType } from '../../../src/object/uapi.js';
import { Memory } from '../../../src/vm/memory.js';

function kobjs(k: Kernel): KernelObjects {
  return k.service<KernelObjects>('kobjects')!;
}

/** Byte offset of `member` in vmlinux `struct name`. */
function offsetOf(k: Kernel, name: string, member: string): number {
  const btf = k.vmlinuxBtf;
  const t = btf.findByName(name).find((x) => x.kind === 'STRUCT')!;
  return btf.findMember(t.id, member)!.byteOffset;
}

/** Run a syscall program; returns r0. */
function run(k: Kernel, text: string): number {
  const insns = assembleBytes(text);
  const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.SYSCALL, insn_cnt: insns.length / 8, insns, license: 'GPL', prog_flags: 4 | (1 << 4) });
  expect(fd).toBeGreaterThan(0);
  const attr: Record<string, number> = { prog_fd: fd };
  expect(k.bpf(Cmd.PROG_TEST_RUN, attr)).toBe(0);
  return attr.retval!;
}

describe('emulated kernel objects', () => {
  it('bpf_get_current_task points at a task_struct mirroring the current task', () => {
    // bpf_get_current_task returns a scalar the verifier will not let a program dereference: this
    // checks the run-time object behind it, unverified
    const k = new Kernel({ task: { pid: 77, tgid: 70, comm: 'worker', uid: 1000, gid: 100 }, cpu: 1, verify: false });
    const pid = offsetOf(k, 'task_struct', 'pid');
    const tgid = offsetOf(k, 'task_struct', 'tgid');
    const comm = offsetOf(k, 'task_struct', 'comm');
    const parent = offsetOf(k, 'task_struct', 'real_parent');
    const cpu = offsetOf(k, 'task_struct', 'thread_info') + offsetOf(k, 'thread_info', 'cpu');
    expect(run(k, `call 35\nldxw r0, [r0+${pid}]\nexit`)).toBe(77);
    expect(run(k, `call 35\nldxw r0, [r0+${tgid}]\nexit`)).toBe(70);
    expect(run(k, `call 35\nldxb r0, [r0+${comm + 1}]\nexit`)).toBe('o'.charCodeAt(0));
    expect(run(k, `call 35\nldxb r0, [r0+${comm + 6}]\nexit`)).toBe(0);
    expect(run(k, `call 35\nldxw r0, [r0+${cpu}]\nexit`)).toBe(1);
    // real_parent is init (pid 1), whose parent is the idle task (pid 0).
    expect(run(k, `call 35\nldxdw r0, [r0+${parent}]\nldxw r0, [r0+${pid}]\nexit`)).toBe(1);
    expect(run(k, `call 35\nldxdw r0, [r0+${parent}]\nldxdw r0, [r0+${parent}]\nldxw r0, [r0+${pid}]\nexit`)).toBe(0);
    const t = kobjs(k).currentTask();
    expect(t.get('cred') !== 0n).toBe(true);
    const cred = Memory.split(t.get('cred'));
    expect(cred[1]).toBe(0);
    // Unset fields read as zero; kernel objects are read-only to programs.
    expect(t.get('exit_code')).toBe(0n);
    const ins = assembleBytes(`call 35\nmov r1, 1\nstxw [r0+${pid}], r1\nmov r0, 0\nexit`);
    const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.SYSCALL, prog_flags: 1 << 4, insn_cnt: ins.length / 8, insns: ins, license: 'GPL' });
    expect(k.bpf(Cmd.PROG_TEST_RUN, { prog_fd: fd })).toBe(-14);
    expect(k.lastFault?.kind).toBe('read_only');
  });

  it('the vmlinux BTF has the uapi map and program type enums', () => {
    const btf = new Kernel().vmlinuxBtf;
    const e = btf.findByName('bpf_map_type').find((x) => x.kind === 'ENUM')!;
    const values = e.kind === 'ENUM' ? new Map(e.values.map((v) => [v.name, v.value])) : new Map();
    expect([values.get('BPF_MAP_TYPE_BLOOM_FILTER'), values.get('BPF_MAP_TYPE_ARENA'), values.get('BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED'), values.get('__MAX_BPF_MAP_TYPE')]).toEqual([30, 33, 19, 34]);
    const p = btf.findByName('bpf_prog_type').find((x) => x.kind === 'ENUM')!;
    expect(p.kind === 'ENUM' ? p.values.find((v) => v.name === 'BPF_PROG_TYPE_XDP')?.value : -1).toBe(6);
  });

  it('the current task follows the CPU of the run', () => {
    const k = new Kernel({ nrCpus: 4 });
    const ko = kobjs(k);
    k.cpu = 3;
    expect(ko.currentTask().get('thread_info.cpu')).toBe(3n);
    expect(Memory.split(k.currentTaskPointer())[0]).toBe(ko.currentTask().region);
  });

  it('the vmlinux BTF has task_struct with bitfields, and typed ksym variables', () => {
    const k = new Kernel();
    const btf = k.vmlinuxBtf;
    const task = btf.findByName('task_struct').find((x) => x.kind === 'STRUCT')!;
    const m = btf.findMember(task.id, 'in_execve')!;
    expect(m.bitfieldSize).toBe(1);
    expect(btf.findByName('init_task').some((x) => x.kind === 'VAR')).toBe(true);
    // Pointers registered after the struct (hook parameters) point at it, not at a declaration.
    const ptr = btf.type(k.types.typeId('struct task_struct *'));
    expect(ptr.kind === 'PTR' ? btf.type(ptr.type).kind : ptr.kind).toBe('STRUCT');
  });

  it('fields are set by C paths: nested members, array elements, bitfields, pointers', () => {
    const k = new Kernel();
    const ko = kobjs(k);
    const t = ko.create('task_struct', { pid: 5, comm: 'abc', 'thread_info.cpu': 2, in_execve: 1, in_iowait: 1 });
    expect(t.get('pid')).toBe(5n);
    expect(t.get('comm[1]')).toBe(98n);
    expect(t.get('thread_info.cpu')).toBe(2n);
    expect(t.get('in_execve')).toBe(1n);
    expect(t.get('sched_migrated')).toBe(0n);
    t.set('in_execve', 0);
    expect([t.get('in_execve'), t.get('in_iowait')]).toEqual([0n, 1n]);
    const p = ko.create('task_struct', { pid: 9 });
    t.set('real_parent', p);
    expect(t.get('real_parent')).toBe(p.pointer);
    t.set('real_parent', null);
    expect(t.get('real_parent')).toBe(0n);
    t.set('comm[3]', 0x44);
    expect(t.get('comm[3]')).toBe(0x44n);
    const err = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return e instanceof KObjectError ? e.code : 'other';
      }
      return 'none';
    };
    expect(err(() => t.set('nope', 1))).toBe('KOBJ_BAD_PATH');
    expect(err(() => t.set('comm[16]', 1))).toBe('KOBJ_BAD_PATH');
    expect(err(() => t.set('pid.x', 1))).toBe('KOBJ_BAD_PATH');
    expect(err(() => t.set('comm', 'a-name-that-is-far-too-long'))).toBe('KOBJ_BAD_VALUE');
    expect(err(() => t.set('pid', p))).toBe('KOBJ_BAD_VALUE');
    expect(err(() => t.set('thread_info', 1))).toBe('KOBJ_BAD_VALUE');
    expect(err(() => ko.create('no_such_struct'))).toBe('KOBJ_NO_TYPE');
  });

  it('typed ksyms: BPF_PSEUDO_BTF_ID loads resolve to the variable; per-CPU copies via perCpuPointer', () => {
    const k = new Kernel({ nrCpus: 2 });
    const btf = k.vmlinuxBtf;
    const initTask = btf.findByName('init_task').find((x) => x.kind === 'VAR')!.id;
    const pid = offsetOf(k, 'task_struct', 'pid');
    const comm = offsetOf(k, 'task_struct', 'comm');
    expect(run(k, `lddw r1, var ${initTask}\nldxw r0, [r1+${pid}]\nexit`)).toBe(0);
    expect(run(k, `lddw r1, var ${initTask}\nldxb r0, [r1+${comm}]\nexit`)).toBe('s'.charCodeAt(0));
    // An id that is not a registered variable is refused at load.
    const bad = assembleBytes('lddw r1, var 1\nmov r0, 0\nexit');
    expect(k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.SYSCALL, prog_flags: 1 << 4, insn_cnt: bad.length / 8, insns: bad, license: 'GPL' })).toBe(-22);
    const ko = kobjs(k);
    const active = btf.findByName('bpf_prog_active').find((x) => x.kind === 'VAR')!.id;
    const ptr = ko.ksymAddress(active)!;
    const [region, off] = Memory.split(ptr);
    expect(off).toBe(0);
    expect(ko.perCpuPointer(ptr, 1)).toBe(Memory.pointer(region, 4));
    expect(ko.perCpuPointer(ptr, 2)).toBe(0n);
    expect(ko.perCpuPointer(ko.currentTask().pointer, 0)).toBeUndefined(); // not a per-CPU object
    expect(ko.perCpuPointer(ptr + 4n, 0)).toBeUndefined(); // past CPU 0's copy
    expect(k.service<(p: bigint, c: number) => bigint>('perCpuPointer')!(ptr, 0)).toBe(ptr);
    // One CPU still makes a per-CPU object (one copy).
    const one = new Kernel({ nrCpus: 1 });
    const p1 = kobjs(one).ksymAddress(active)!;
    expect(kobjs(one).perCpuPointer(p1, 0)).toBe(p1);
    expect(kobjs(one).perCpuPointer(p1, 1)).toBe(0n);
    expect(kobjs(one).perCpuPointer(kobjs(one).create('task_struct', {}, { copies: 1 }).pointer, 0)).not.toBe(undefined);
    expect(ko.ksymAddress(1)).toBeUndefined();
  });

  it('objects follow a target BTF when one is set', () => {
    const k = new Kernel({ task: { pid: 31 } });
    const b = new BtfBuilder();
    const int = b.int('int', 4, { signed: true });
    const char = b.int('char', 1, { char: true });
    const u32 = b.int('unsigned int', 4);
    const ti = b.struct('thread_info', [{ name: 'cpu', type: u32, bitOffset: 0 }], 4);
    const arr = b.array(char, 16);
    b.struct('task_struct', [
      { name: 'thread_info', type: ti, bitOffset: 0 },
      { name: 'pid', type: int, bitOffset: 100 * 8 },
      { name: 'tgid', type: int, bitOffset: 104 * 8 },
      { name: 'comm', type: arr, bitOffset: 200 * 8 },
    ], 256);
    b.struct('cred', [], 8);
    b.struct('mm_struct', [], 8);
    const ko = kobjs(k);
    ko.setTargetBtf(b.build());
    const t = ko.currentTask();
    expect(t.size).toBe(256);
    expect(t.get('pid')).toBe(31n);
    expect(new DataView(t.bytes.buffer).getInt32(100, true)).toBe(31);
    expect(t.bytes[200]).toBe('b'.charCodeAt(0));
    ko.setTargetBtf(null);
    expect(ko.currentTask().size).toBeGreaterThan(100);
  });
});
