/* SPDX-License-Identifier: GPL-2.0 */
/*
 * testmod.h - bpf_testmod's multi-instance struct_ops type and the kfuncs
 * that dispatch through it, as a BPF program declares them.
 *
 * Layouts follow /work/shared/docs/struct-ops-assoc.md section 4.3
 * (selftests bpf_testmod.h): struct bpf_testmod_multi_st_ops is 32 bytes,
 * test_1 @0, node @8, id @24; struct st_ops_args is one u64.
 * These types are not preserve_access_index: libbpf matches struct_ops
 * members by name against the kernel type (bpf_map__init_kern_struct_ops).
 */
#ifndef BPFEMU_TESTMOD_H
#define BPFEMU_TESTMOD_H

#include "common.h"

struct hlist_node {
	struct hlist_node *next;
	struct hlist_node **pprev;
};

struct st_ops_args {
	u64 a;
};

struct bpf_testmod_multi_st_ops {
	int (*test_1)(struct st_ops_args *args);
	struct hlist_node node;
	int id;
};

/*
 * The kfunc spellings across kernel versions (struct-ops-assoc.md 4.3):
 *
 *   Aug 2025  bpf_kfunc_multi_st_ops_test_1(args, id)       explicit map id
 *   Dec 2025  bpf_kfunc_multi_st_ops_test_1_impl(args, NULL) v8: the verifier
 *             replaces aux__prog with the calling program's bpf_prog_aux
 *   Jan 2026  bpf_kfunc_multi_st_ops_test_1_assoc(args)      KF_IMPLICIT_ARGS
 *
 * Each fixture declares only the one it uses, so that the object's BTF
 * .ksyms DATASEC lists exactly that kfunc.
 */

#endif /* BPFEMU_TESTMOD_H */
