/**
 * Kernel-internal structs in the emulated vmlinux (6.18's layouts, data/kernel-types.ts) seen by a
 * program written the libbpf-tools way (programs/kernel_structs.bpf.c, built against the machine's
 * vmlinux.h): each CO-RE read of an emulated kernel object - a tracepoint's sk_buff, task_struct,
 * request and linux_binprm, the current task, an LSM hook's file with its dentries, inode and
 * super_block - gives the value the test put there.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import type { KernelObjects } from '../../../src/kernel/objects/kobjects.js';
import type { EmulatedVfs } from '../../../src/kernel/objects/vfs.js';

function open(k = new Kernel()): { o: BpfObject; ko: KernelObjects; vfs: EmulatedVfs } {
  const o = BpfObject.open(readFileSync('programs/kernel_structs.bpf.o'), { name: 'kernel_structs', kernel: k });
  o.load();
  o.attach();
  return { o, ko: k.service<KernelObjects>('kobjects')!, vfs: k.service<EmulatedVfs>('vfs')! };
}

describe('kernel-internal structs read with CO-RE', () => {
  it('tp_btf/kfree_skb: skb->len, protocol, mark and the device through skb->dev', () => {
    const { o, ko } = open();
    const dev = ko.create('net_device', { name: 'eth7', ifindex: 7, mtu: 1500 });
    const skb = ko.create('sk_buff', { len: 98, protocol: 0xdd86, mark: 0x2a, dev });
    o.fire('raw_tp', 'kfree_skb', { args: [skb.pointer, 0n, 3n, 0n] });
    const g = o.globals;
    expect([g.skb_len, g.skb_protocol, g.skb_mark, g.skb_ifindex, g.skb_reason]).toEqual([98n, 0xdd86n, 0x2an, 7n, 3n]);
    expect(g.skb_dev).toEqual('eth7');
  });

  it('tp_btf/sched_switch: prev and next tasks, next->real_parent->tgid (init) and next->comm', () => {
    const { o, ko } = open();
    const a = ko.addTask({ pid: 300, comm: 'prev-task' });
    const b = ko.addTask({ pid: 301, tgid: 300, comm: 'next-thread' });
    o.fire('raw_tp', 'sched_switch', { args: [0n, a.pointer, b.pointer, 0n] });
    const g = o.globals;
    expect([g.sw_prev_pid, g.sw_next_pid, g.sw_next_ppid]).toEqual([300n, 301n, 1n]);
    expect(g.sw_next_comm).toEqual('next-thread');
  });

  it('bpf_get_current_task(): pid, tgid, comm, real_parent->tgid and cred->uid.val of the configured task', () => {
    const { o } = open(new Kernel({ task: { pid: 4242, tgid: 4240, comm: 'curl', uid: 1000, gid: 1000 } }));
    o.fire('raw_tp', 'sys_enter', { args: [0n, 59n] });
    const g = o.globals;
    expect([g.cur_pid, g.cur_tgid, g.cur_ppid, g.cur_uid, g.cur_syscall]).toEqual([4242n, 4240n, 1n, 1000n, 59n]);
    expect(g.cur_comm).toEqual('curl');
  });

  it('lsm/file_open: f_path.dentry->d_name.name, the parent directory, inode number, s_magic, f_flags', () => {
    const { o, vfs } = open();
    const f = vfs.file('/etc/ssl/openssl.cnf', { ino: 131077, flags: 0o100000 });
    o.fire('lsm', 'file_open', { args: [f.pointer] });
    const g = o.globals;
    expect(g.file_name).toEqual('openssl.cnf');
    expect(g.file_dir).toEqual('ssl');
    expect([g.file_ino, g.file_magic, g.file_flags]).toEqual([131077n, 0xef53n, 0o100000n]);
  });

  it('tp_btf/block_rq_issue: rq->__data_len, __sector, cmd_flags, part->bd_dev, bio->bi_iter.bi_size', () => {
    const { o, ko } = open();
    const part = ko.create('block_device', { bd_dev: (8 << 20) | 1 });
    const bio = ko.create('bio', { 'bi_iter.bi_size': 4096, 'bi_iter.bi_sector': 2048 });
    const rq = ko.create('request', { __data_len: 8192, __sector: 2048, cmd_flags: 1, part, bio });
    o.fire('raw_tp', 'block_rq_issue', { args: [rq.pointer] });
    const g = o.globals;
    expect([g.rq_len, g.rq_sector, g.rq_flags, g.rq_dev, g.rq_bio_size]).toEqual([8192n, 2048n, 1n, BigInt((8 << 20) | 1), 4096n]);
  });

  it('tp_btf/sched_process_exec: bprm->filename and the task', () => {
    const { o, ko } = open();
    const t = ko.addTask({ pid: 555, comm: 'sh' });
    const bprm = ko.create('linux_binprm', { filename: ko.string('/usr/bin/env'), argc: 2 });
    o.fire('raw_tp', 'sched_process_exec', { args: [t.pointer, 554n, bprm.pointer] });
    const g = o.globals;
    expect([g.exec_pid, g.exec_old_pid]).toEqual([555n, 554n]);
    expect(g.exec_file).toEqual('/usr/bin/env');
  });

  it('the relocated reads land at 6.18 offsets (sk_buff.len 112, task_struct.pid 1264, file.f_path 64)', () => {
    // independent facts: the 6.18 vmlinux of the goldens (pahole/bpftool), not read from the data file
    const k = new Kernel();
    const btf = k.vmlinuxBtf;
    const off = (s: string, m: string): number => btf.findMember(btf.findByName(s, 'STRUCT')[0]!.id, m)!.byteOffset;
    expect([off('sk_buff', 'len'), off('task_struct', 'pid'), off('task_struct', 'comm'), off('file', 'f_path'), off('dentry', 'd_name')]).toEqual([112, 1264, 1752, 64, 32]);
  });
});
