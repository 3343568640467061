// SPDX-License-Identifier: GPL-2.0
/*
 * tc_ctx: struct __sk_buff as a tc (BPF_PROG_TYPE_SCHED_CLS) program sees
 * it. The verifier rewrites each 32-bit ctx access into a load or store on
 * the real struct sk_buff (bpf_convert_ctx_access); fields a tc program
 * may not touch (family .. local_port, flow_keys) are left out.
 *
 * Program tc_ctx_prog, SEC("tc"). Reads into skb_fields[0] (ARRAY):
 *   len pkt_type mark queue_mapping protocol vlan_present vlan_tci
 *   vlan_proto priority ingress_ifindex ifindex tc_index cb[0..4] hash
 *   tc_classid data_len (data_end - data) meta_len (data - data_meta)
 *   napi_id tstamp wire_len gso_segs gso_size tstamp_type hwtstamp
 *   has_sk (skb->sk != NULL)
 * Then writes mark = mark + 1, priority = 7, cb[i] = 0x100 + i + cb[i],
 * tc_index = 0x2a, tc_classid = 0x10002, tstamp = 1000000, and reads
 * tc_index/tc_classid back into tc_index_after/tc_classid_after (0x2a,
 * 0x10002). Returns TC_ACT_OK (0).
 *
 * BPF_PROG_TEST_RUN (net/bpf/test_run.c): ctx_in may set mark, priority,
 * ifindex, cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp (other
 * fields must be 0, else EINVAL); ctx_out returns the same set, so the
 * writes to mark, priority, cb and tstamp are visible there but tc_index
 * and tc_classid are not. Observed on 6.18 for the 60-byte IPv4 frame
 * 02:00:00:00:00:02 <- 02:00:00:00:00:01 with ctx_in {mark 5, cb 1..5}:
 * len 60, pkt_type 3 (PACKET_OTHERHOST: eth_type_trans on lo, whose
 * address does not match), protocol 8 (htons(ETH_P_IP) read as u32),
 * ifindex 1, ingress_ifindex 0, data_len 60, meta_len 0, wire_len 60
 * (0 without ctx_in), gso_segs 0, has_sk 1 (the test run attaches a dummy
 * socket), hash/vlan/napi/tstamp/hwtstamp 0; ctx_out mark 6, priority 7,
 * cb {257, 259, 261, 263, 265}, tstamp 1000000.
 */
#include "common.h"
#include <linux/pkt_cls.h>

struct skb_fields {
	u32 len, pkt_type, mark, queue_mapping, protocol;
	u32 vlan_present, vlan_tci, vlan_proto, priority;
	u32 ingress_ifindex, ifindex, tc_index;
	u32 cb[5];
	u32 hash, tc_classid, data_len, meta_len, napi_id;
	u32 wire_len, gso_segs, gso_size, tstamp_type, has_sk;
	u32 tc_index_after, tc_classid_after;
	u64 tstamp, hwtstamp;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct skb_fields);
} skb_fields SEC(".maps");

SEC("tc")
int tc_ctx_prog(struct __sk_buff *skb)
{
	struct skb_fields *f;
	u32 zero = 0;
	void *data, *data_end, *meta;
	int i;

	f = bpf_map_lookup_elem(&skb_fields, &zero);
	if (!f)
		return TC_ACT_SHOT;

	/* Packet pointers are read after the helper call (see xdp_devmap_ctx). */
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	meta = (void *)(long)skb->data_meta;
	f->data_len = data_end - data;
	f->meta_len = data - meta;

	f->len = skb->len;
	f->pkt_type = skb->pkt_type;
	f->mark = skb->mark;
	f->queue_mapping = skb->queue_mapping;
	f->protocol = skb->protocol;
	f->vlan_present = skb->vlan_present;
	f->vlan_tci = skb->vlan_tci;
	f->vlan_proto = skb->vlan_proto;
	f->priority = skb->priority;
	f->ingress_ifindex = skb->ingress_ifindex;
	f->ifindex = skb->ifindex;
	f->tc_index = skb->tc_index;
#pragma unroll
	for (i = 0; i < 5; i++)
		f->cb[i] = skb->cb[i];
	f->hash = skb->hash;
	f->tc_classid = skb->tc_classid;
	f->napi_id = skb->napi_id;
	f->tstamp = skb->tstamp;
	f->wire_len = skb->wire_len;
	f->gso_segs = skb->gso_segs;
	f->gso_size = skb->gso_size;
	f->tstamp_type = skb->tstamp_type;
	f->hwtstamp = skb->hwtstamp;
	f->has_sk = skb->sk != 0;

	skb->mark = f->mark + 1;
	skb->priority = 7;
#pragma unroll
	for (i = 0; i < 5; i++)
		skb->cb[i] = 0x100 + i + f->cb[i];
	skb->tc_index = 0x2a;
	skb->tc_classid = 0x10002;
	skb->tstamp = 1000000;
	/* ctx_out does not carry tc_index/tc_classid: read them back. */
	f->tc_index_after = skb->tc_index;
	f->tc_classid_after = skb->tc_classid;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
