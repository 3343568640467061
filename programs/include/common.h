/* SPDX-License-Identifier: GPL-2.0 */
/*
 * common.h - what every bpfemu fixture includes.
 *
 * Only uapi headers and libbpf-dev's headers are used (there is no
 * vmlinux.h); kernel-internal types live in kernel.h and testmod.h.
 * libbpf-dev 1.1 lacks a few newer macros; the ones we need are
 * re-implemented here under the same names, guarded by #ifndef so that a
 * newer libbpf header simply takes over.
 */
#ifndef BPFEMU_COMMON_H
#define BPFEMU_COMMON_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

/*
 * bpf_ksym_exists(sym): true when a __weak __ksym symbol was resolved.
 * libbpf >= 1.2 ships the same macro; an unresolved weak ksym/kfunc is
 * relocated to 0 (libbpf bpf_object__resolve_externs), so the check is a
 * plain ld_imm64 against the undefined symbol followed by a branch.
 */
#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym) ({						\
	_Static_assert(!__builtin_constant_p(!!sym),			\
		       #sym " should be marked as __weak");		\
	!!sym;								\
})
#endif

#endif /* BPFEMU_COMMON_H */
