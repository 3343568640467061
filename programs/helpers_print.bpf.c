// SPDX-License-Identifier: GPL-2.0
/*
 * helpers_print: bpf_trace_printk (via bpf_printk, up to 3 arguments),
 * bpf_trace_vprintk (bpf_printk with more than 3 arguments) and
 * bpf_snprintf, with several conversion specifiers. Format strings are
 * static .rodata arrays (the verifier checks them at load time; the ones
 * the printk helpers get are referenced by .rodata section symbol + offset).
 *
 * Program print_prog, SEC("tc"), returns TC_ACT_OK (0). Results in .bss:
 *   ret[0] bpf_printk("a=%d b=%u", -5, 7)                      8
 *   ret[1] bpf_printk("x=%x lx=%lx llx=%llx", 255, 0x1234, 0xabcdef)
 *                                            "x=ff lx=1234 llx=abcdef" 23
 *   ret[2] bpf_printk("%d %d %d %d %d", 1, 2, 3, 4, 5)   (vprintk)   9
 *   ret[3] bpf_printk("ip=%pI4 c=%c", &addr, 'Z')   "ip=10.0.0.1 c=Z" 15
 *   ret[4] bpf_snprintf(out, 64, "%d|%u|%x|%llx|%s|%c|%pI4|%pi6", ...)
 *          -> the length including the NUL, out holds
 *          "-42|42|2a|deadbeefcafe|str|Q|192.168.1.2|00000000000000000000000000000001"
 *          (73 characters) so ret[4] = 74
 *   ret[5] bpf_snprintf(small, 8, "%s-%s", "abcd", "efgh") -> 10 (the full
 *          length + 1), small = "abcd-ef" (truncated, NUL-terminated)
 * The bpf_printk lines go to the trace buffer (trace_pipe) as
 * "<comm>-<pid> ... bpf_trace_printk: a=-5 b=7" etc.; the return values
 * are what bstr_printf produced (without the NUL).
 *
 * ELF note: clang puts the string literals passed as %s arguments into
 * .rodata.str1.1 (SHF_MERGE|SHF_STRINGS) and the IPv6 address initialiser
 * into .rodata.cst16 (SHF_MERGE); libbpf treats every ".rodata.*" section
 * as its own read-only internal map.
 */
#include "common.h"
#include <linux/pkt_cls.h>

s64 ret[6];
char out[96];
char small[8];

SEC("tc")
int print_prog(struct __sk_buff *skb)
{
	u8 addr[4] = { 10, 0, 0, 1 };
	u8 addr2[4] = { 192, 168, 1, 2 };
	u8 addr6[16] = { [15] = 1 };

	ret[0] = bpf_printk("a=%d b=%u", -5, 7);
	ret[1] = bpf_printk("x=%x lx=%lx llx=%llx", 255, 0x1234L, 0xabcdefULL);
	ret[2] = bpf_printk("%d %d %d %d %d", 1, 2, 3, 4, 5);
	ret[3] = bpf_printk("ip=%pI4 c=%c", addr, 'Z');
	ret[4] = BPF_SNPRINTF(out, sizeof(out), "%d|%u|%x|%llx|%s|%c|%pI4|%pi6", -42, 42, 42,
			      0xdeadbeefcafeULL, "str", 'Q', addr2, addr6);
	ret[5] = BPF_SNPRINTF(small, sizeof(small), "%s-%s", "abcd", "efgh");
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
