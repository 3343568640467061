// SPDX-License-Identifier: GPL-2.0
/*
 * legacy_maps: the pre-BTF map definition style, SEC("maps") with
 * struct bpf_map_def. libbpf >= 1.0 removed both (the struct is gone from
 * bpf_helpers.h and bpf_object__init_maps rejects a "maps" section with
 * "legacy map definitions in 'maps' section are not supported by libbpf
 * v1.0+"), so bpftool 7.1 cannot load this object; clang-19 still compiles
 * it, and other loaders (cilium/ebpf, iproute2's legacy path) accept it.
 *
 * ELF shape: section "maps" holds the 20-byte definitions back to back
 * (type, key_size, value_size, max_entries, map_flags as u32), one OBJECT
 * symbol per map. BTF has a DATASEC "maps" with one VAR of type struct
 * bpf_map_def per map, so key/value types are unknown (sizes only).
 *
 *   legacy_counts  ARRAY, key 4, value 8, 4 entries
 *   legacy_hash    HASH, key 4, value 4, 16 entries, BPF_F_NO_PREALLOC
 *
 * Program legacy_prog, SEC("xdp"): legacy_counts[0] += 1,
 * legacy_counts[1] += packet length, legacy_hash[len] = 1. XDP_PASS.
 */
#include "common.h"

/* The definition libbpf < 1.0 had in bpf_helpers.h (same layout). */
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_counts = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(u32),
	.value_size = sizeof(u64),
	.max_entries = 4,
};

struct bpf_map_def SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(u32),
	.value_size = sizeof(u32),
	.max_entries = 16,
	.map_flags = BPF_F_NO_PREALLOC,
};

SEC("xdp")
int legacy_prog(struct xdp_md *ctx)
{
	u32 len = ctx->data_end - ctx->data;
	u32 key = 0, one = 1;
	u64 *val;

	val = bpf_map_lookup_elem(&legacy_counts, &key);
	if (val)
		*val += 1;
	key = 1;
	val = bpf_map_lookup_elem(&legacy_counts, &key);
	if (val)
		*val += len;
	bpf_map_update_elem(&legacy_hash, &len, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
