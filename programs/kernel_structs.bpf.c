// SPDX-License-Identifier: GPL-2.0
/*
 * kernel_structs: tracing programs written the libbpf-tools way - against
 * the machine's vmlinux.h (tcp_cc_vmlinux.h, a bpftool dump of 6.18's BTF),
 * every kernel-struct read a CO-RE relocation (BPF_CORE_READ or a direct
 * read of a preserve_access_index type) - reading the kernel-internal
 * structs the emulated kernel lays out with 6.18's offsets.
 *
 * on_kfree_skb, tp_btf/kfree_skb: skb->len, skb->protocol, skb->mark,
 *   skb->dev->ifindex and skb->dev->name, the drop reason.
 * on_switch, tp_btf/sched_switch: prev->pid, next->pid, next->comm,
 *   next->real_parent->tgid.
 * on_sys_enter, raw_tp/sys_enter: from bpf_get_current_task(): pid, tgid,
 *   comm, real_parent->tgid, cred->uid.val, the syscall id.
 * on_file_open, lsm/file_open: file->f_path.dentry->d_name.name, the
 *   parent dentry's name, f_inode->i_ino, f_inode->i_sb->s_magic, f_flags.
 * on_rq_issue, tp_btf/block_rq_issue: rq->__data_len, rq->__sector,
 *   rq->cmd_flags, rq->part->bd_dev, rq->bio->bi_iter.bi_size.
 * on_exec, tp_btf/sched_process_exec: bprm->filename, p->pid, old_pid.
 */
#include "tcp_cc_vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 skb_len, skb_protocol, skb_mark, skb_ifindex, skb_reason;
char skb_dev[16];

SEC("tp_btf/kfree_skb")
int BPF_PROG(on_kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason, struct sock *rx_sk)
{
	struct net_device *dev;

	skb_len = BPF_CORE_READ(skb, len);
	skb_protocol = skb->protocol;
	skb_mark = skb->mark;
	dev = BPF_CORE_READ(skb, dev);
	skb_ifindex = BPF_CORE_READ(dev, ifindex);
	bpf_probe_read_kernel_str(skb_dev, sizeof(skb_dev), dev->name);
	skb_reason = reason;
	return 0;
}

__u64 sw_prev_pid, sw_next_pid, sw_next_ppid;
char sw_next_comm[16];

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	sw_prev_pid = BPF_CORE_READ(prev, pid);
	sw_next_pid = next->pid;
	sw_next_ppid = BPF_CORE_READ(next, real_parent, tgid);
	BPF_CORE_READ_STR_INTO(&sw_next_comm, next, comm);
	return 0;
}

__u64 cur_pid, cur_tgid, cur_ppid, cur_uid, cur_syscall;
char cur_comm[16];

SEC("raw_tp/sys_enter")
int BPF_PROG(on_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	cur_pid = BPF_CORE_READ(task, pid);
	cur_tgid = BPF_CORE_READ(task, tgid);
	cur_ppid = BPF_CORE_READ(task, real_parent, tgid);
	cur_uid = BPF_CORE_READ(task, cred, uid.val);
	BPF_CORE_READ_STR_INTO(&cur_comm, task, comm);
	cur_syscall = id;
	return 0;
}

char file_name[32], file_dir[32];
__u64 file_ino, file_magic, file_flags;

SEC("lsm/file_open")
int BPF_PROG(on_file_open, struct file *file)
{
	const unsigned char *name;

	name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	bpf_probe_read_kernel_str(file_name, sizeof(file_name), name);
	name = BPF_CORE_READ(file, f_path.dentry, d_parent, d_name.name);
	bpf_probe_read_kernel_str(file_dir, sizeof(file_dir), name);
	file_ino = BPF_CORE_READ(file, f_inode, i_ino);
	file_magic = BPF_CORE_READ(file, f_inode, i_sb, s_magic);
	file_flags = BPF_CORE_READ(file, f_flags);
	return 0;
}

__u64 rq_len, rq_sector, rq_flags, rq_dev, rq_bio_size;

SEC("tp_btf/block_rq_issue")
int BPF_PROG(on_rq_issue, struct request *rq)
{
	rq_len = BPF_CORE_READ(rq, __data_len);
	rq_sector = BPF_CORE_READ(rq, __sector);
	rq_flags = BPF_CORE_READ(rq, cmd_flags);
	rq_dev = BPF_CORE_READ(rq, part, bd_dev);
	rq_bio_size = BPF_CORE_READ(rq, bio, bi_iter.bi_size);
	return 0;
}

__u64 exec_pid, exec_old_pid;
char exec_file[64];

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	exec_pid = BPF_CORE_READ(p, pid);
	exec_old_pid = old_pid;
	bpf_probe_read_kernel_str(exec_file, sizeof(exec_file), BPF_CORE_READ(bprm, filename));
	return 0;
}
