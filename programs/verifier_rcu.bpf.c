// SPDX-License-Identifier: GPL-2.0
/*
 * verifier_rcu: RCU read-side sections (bpf_rcu_read_lock/unlock kfuncs of
 * kernel/bpf/helpers.c) as the 6.18 verifier checks them, one program per
 * rule; the corpus group rcu (test/verifier/corpus/rcu.ts) records the
 * verdicts: a pair loads (socket filter and syscall), a helper and a
 * bpf-to-bpf call inside a section load; a nested lock, an unlock without a
 * lock, an exit inside a section and a sleepable helper inside one are
 * refused.
 */
#include "common.h"

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("syscall")
int rcu_pair_ok(void *c)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int rcu_nested(void *c)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int rcu_unlock_only(void *c)
{
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int rcu_exit_locked(void *c)
{
	bpf_rcu_read_lock();
	return 0;
}

SEC("socket")
int rcu_sk_exit_locked(void *c)
{
	bpf_rcu_read_lock();
	return 0;
}

SEC("socket")
int rcu_sk_pair_ok(void *c)
{
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int rcu_sleepable_helper(void *c)
{
	char b[4];

	bpf_rcu_read_lock();
	bpf_copy_from_user(b, 4, 0);
	bpf_rcu_read_unlock();
	return 0;
}

SEC("syscall")
int rcu_sleepable_helper_outside_ok(void *c)
{
	char b[4];

	bpf_copy_from_user(b, 4, 0);
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	return 0;
}

SEC("socket")
int rcu_helper_ok(void *c)
{
	bpf_rcu_read_lock();
	bpf_get_prandom_u32();
	bpf_rcu_read_unlock();
	return 0;
}

static __noinline int sub(int x)
{
	return x + 1;
}

SEC("socket")
int rcu_subprog_call_ok(void *c)
{
	int r;

	bpf_rcu_read_lock();
	r = sub(1);
	bpf_rcu_read_unlock();
	return r;
}

SEC("socket")
int rcu_branch_unlock_one_path(struct __sk_buff *skb)
{
	bpf_rcu_read_lock();
	if (skb->len > 100)
		bpf_rcu_read_unlock();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
