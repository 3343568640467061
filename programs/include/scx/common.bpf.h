/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx/common.bpf.h - what the scx repository's common.bpf.h gives a scheduler
 * on top of its vmlinux.h, for the bpfemu fixtures written that way: the DSQ
 * iterator type and kfuncs with bpf_for_each(scx_dsq, ...), the moves out of an
 * iterated DSQ, the bpf_cpumask kfuncs, scx_bpf_events, task local storage.
 * The sched_ext types and the older kfuncs come from scx.h (the vmlinux.h
 * part), which stays as the older fixtures were built against it.
 */
#ifndef BPFEMU_SCX_COMMON_BPF_H
#define BPFEMU_SCX_COMMON_BPF_H

#include "scx.h"

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* The open-coded DSQ iterator's state on the BPF stack (opaque to BPF). */
struct bpf_iter_scx_dsq {
	u64 __opaque[6];
} __attribute__((aligned(8)));

/* A BPF-allocated, reference-counted cpumask (kernel/bpf/cpumask.c). */
struct bpf_cpumask {
	struct cpumask cpumask;
	int usage;
};

struct scx_event_stats {
	s64 SCX_EV_SELECT_CPU_FALLBACK;
	s64 SCX_EV_DISPATCH_LOCAL_DSQ_OFFLINE;
	s64 SCX_EV_DISPATCH_KEEP_LAST;
	s64 SCX_EV_ENQ_SKIP_EXITING;
	s64 SCX_EV_ENQ_SKIP_MIGRATION_DISABLED;
	s64 SCX_EV_REFILL_SLICE_DFL;
	s64 SCX_EV_BYPASS_DURATION;
	s64 SCX_EV_BYPASS_DISPATCH;
	s64 SCX_EV_BYPASS_ACTIVATE;
};

#pragma clang attribute pop

enum scx_dsq_iter_flags {
	SCX_DSQ_ITER_REV = 1U << 16,
};

/* the DSQ iterator and moves out of it (6.13+ names) */
int bpf_iter_scx_dsq_new(struct bpf_iter_scx_dsq *it, u64 dsq_id, u64 flags) __ksym __weak;
struct task_struct *bpf_iter_scx_dsq_next(struct bpf_iter_scx_dsq *it) __ksym __weak;
void bpf_iter_scx_dsq_destroy(struct bpf_iter_scx_dsq *it) __ksym __weak;
void scx_bpf_dsq_move_set_slice(struct bpf_iter_scx_dsq *it__iter, u64 slice) __ksym __weak;
void scx_bpf_dsq_move_set_vtime(struct bpf_iter_scx_dsq *it__iter, u64 vtime) __ksym __weak;
bool scx_bpf_dsq_move(struct bpf_iter_scx_dsq *it__iter, struct task_struct *p, u64 dsq_id, u64 enq_flags) __ksym __weak;
bool scx_bpf_dsq_move_vtime(struct bpf_iter_scx_dsq *it__iter, struct task_struct *p, u64 dsq_id, u64 enq_flags) __ksym __weak;
void scx_bpf_destroy_dsq(u64 dsq_id) __ksym __weak;
void scx_bpf_events(struct scx_event_stats *events, unsigned long events__sz) __ksym __weak;

/* the remaining sched_ext kfuncs scx.h does not declare */
bool scx_bpf_test_and_clear_cpu_idle(s32 cpu) __ksym __weak;
s32 scx_bpf_pick_any_cpu(const struct cpumask *cpus_allowed, u64 flags) __ksym __weak;
const struct cpumask *scx_bpf_get_online_cpumask(void) __ksym __weak;
const struct cpumask *scx_bpf_get_possible_cpumask(void) __ksym __weak;
void scx_bpf_put_cpumask(const struct cpumask *cpumask) __ksym __weak;
u32 scx_bpf_dispatch_nr_slots(void) __ksym __weak;
void scx_bpf_dispatch_cancel(void) __ksym __weak;
u32 scx_bpf_reenqueue_local(void) __ksym __weak;
u32 scx_bpf_cpuperf_cap(s32 cpu) __ksym __weak;
u32 scx_bpf_cpuperf_cur(s32 cpu) __ksym __weak;
void scx_bpf_cpuperf_set(s32 cpu, u32 perf) __ksym __weak;
u32 scx_bpf_nr_node_ids(void) __ksym __weak;
s32 scx_bpf_select_cpu_and(struct task_struct *p, s32 prev_cpu, u64 wake_flags, const struct cpumask *cpus_allowed, u64 flags) __ksym __weak;
struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym __weak;

/* kernel/bpf/cpumask.c */
struct bpf_cpumask *bpf_cpumask_create(void) __ksym __weak;
struct bpf_cpumask *bpf_cpumask_acquire(struct bpf_cpumask *cpumask) __ksym __weak;
void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym __weak;
u32 bpf_cpumask_first(const struct cpumask *cpumask) __ksym __weak;
u32 bpf_cpumask_first_zero(const struct cpumask *cpumask) __ksym __weak;
u32 bpf_cpumask_first_and(const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
void bpf_cpumask_set_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym __weak;
void bpf_cpumask_clear_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym __weak;
bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *cpumask) __ksym __weak;
bool bpf_cpumask_test_and_set_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym __weak;
bool bpf_cpumask_test_and_clear_cpu(u32 cpu, struct bpf_cpumask *cpumask) __ksym __weak;
void bpf_cpumask_setall(struct bpf_cpumask *cpumask) __ksym __weak;
void bpf_cpumask_clear(struct bpf_cpumask *cpumask) __ksym __weak;
bool bpf_cpumask_and(struct bpf_cpumask *dst, const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
void bpf_cpumask_or(struct bpf_cpumask *dst, const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
void bpf_cpumask_xor(struct bpf_cpumask *dst, const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
bool bpf_cpumask_equal(const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
bool bpf_cpumask_intersects(const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
bool bpf_cpumask_subset(const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
bool bpf_cpumask_empty(const struct cpumask *cpumask) __ksym __weak;
bool bpf_cpumask_full(const struct cpumask *cpumask) __ksym __weak;
void bpf_cpumask_copy(struct bpf_cpumask *dst, const struct cpumask *src) __ksym __weak;
u32 bpf_cpumask_any_distribute(const struct cpumask *cpumask) __ksym __weak;
u32 bpf_cpumask_any_and_distribute(const struct cpumask *src1, const struct cpumask *src2) __ksym __weak;
u32 bpf_cpumask_weight(const struct cpumask *cpumask) __ksym __weak;

/* cast a bpf_cpumask to the const cpumask the read-only kfuncs take */
#define cast_mask(m) ((const struct cpumask *)(m))

/*
 * bpf_for_each(type, cur, args...): walk an open-coded iterator
 * bpf_iter_<type>_{new,next,destroy} (libbpf >= 1.2 has its own; 1.1 does not).
 * The iterator lives on the stack and is destroyed when the loop scope ends;
 * BPF_FOR_EACH_ITER names it inside the loop body.
 */
#ifndef bpf_for_each
#define bpf_for_each(type, cur, args...)						\
	for (struct bpf_iter_##type ___it						\
		     __attribute__((aligned(8), cleanup(bpf_iter_##type##_destroy))),	\
	     *___once __attribute__((unused)) =						\
		     (bpf_iter_##type##_new(&___it, ##args),				\
		      (void)bpf_iter_##type##_destroy, (void *)0);			\
	     ((cur) = bpf_iter_##type##_next(&___it));)
#endif
#define BPF_FOR_EACH_ITER (&___it)

#endif /* BPFEMU_SCX_COMMON_BPF_H */
