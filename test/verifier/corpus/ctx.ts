/**
 * Corpus group ctx: context accesses (check_ctx_access and the per-type is_valid_access callbacks,
 * modified/variable ctx pointers, BPF_ST and atomics into ctx, LD_ABS/LD_IND and their R6 rule)
 * for socket_filter, sched_cls, xdp, cgroup_skb, flow_dissector, syscall and raw_tracepoint.
 *
 * Offsets are those of the uapi structs: `__sk_buff` (len 0, mark 8, tc_index 44, cb[5] 48..68,
 * tc_classid 72, data 76, data_end 80, family 88, remote_ip6 100, data_meta 140, flow_keys 144,
 * tstamp 152, sk 168, gso_size 176, tstamp_type 180, hwtstamp 184; 192 bytes), `xdp_md` (data 0,
 * data_end 4, data_meta 8, ingress_ifindex 12, rx_queue_index 16, egress_ifindex 20; 24 bytes),
 * `bpf_flow_keys` (56 bytes), raw_tp args (u64[12]).
 */
import type { VerifierCase } from './types.js';

const SOCKET_FILTER = 1;
const SCHED_CLS = 3;
const XDP = 6;
const CGROUP_SKB = 8;
const RAW_TP = 17;
const FLOW_DISSECTOR = 22;
const SYSCALL = 31;

const BPF_FLOW_DISSECTOR = 17;
const BPF_XDP_DEVMAP = 33;
const STRICT_ALIGNMENT = 1;
const SLEEPABLE = 16;

/** A ctx case: `body` then `r0 = 0; exit` (so no case depends on its return value). */
function ctx(name: string, what: string, progType: number, body: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'ctx', what, progType, asm: `${body}\nmov r0, 0\nexit`, ...extra };
}

export const CASES: VerifierCase[] = [
  // --- socket_filter: sk_filter_is_valid_access + bpf_skb_is_valid_access ---------------------
  ctx('ctx-sf-read-len', 'a socket filter reads __sk_buff.len (off 0, 4 bytes)', SOCKET_FILTER, 'ldxw r2, [r1+0]'),
  ctx('ctx-sf-read-data-refused', 'a socket filter may not read __sk_buff.data (off 76)', SOCKET_FILTER, 'ldxw r2, [r1+76]'),
  ctx('ctx-sf-read-data-end-refused', 'a socket filter may not read __sk_buff.data_end (off 80)', SOCKET_FILTER, 'ldxw r2, [r1+80]'),
  ctx('ctx-sf-read-family-refused', 'a socket filter may not read the socket fields family..local_port (family, off 88)', SOCKET_FILTER, 'ldxw r2, [r1+88]'),
  ctx('ctx-sf-read-tc-classid-refused', 'a socket filter may not read __sk_buff.tc_classid (off 72)', SOCKET_FILTER, 'ldxw r2, [r1+72]'),
  ctx('ctx-sf-read-cb-dw', 'an 8-byte read of cb[0..1] (off 48) is allowed', SOCKET_FILTER, 'ldxdw r2, [r1+48]'),
  ctx('ctx-sf-read-cb-dw-past-end', 'an 8-byte read at cb[4] (off 64) runs past the end of cb and is refused', SOCKET_FILTER, 'ldxdw r2, [r1+64]'),
  ctx('ctx-sf-write-cb', 'a socket filter may write cb[0] (off 48)', SOCKET_FILTER, 'mov r2, 1\nstxw [r1+48], r2'),
  ctx('ctx-sf-write-cb-dw', 'an 8-byte write into cb[2..3] (off 56) is allowed', SOCKET_FILTER, 'mov r2, 1\nstxdw [r1+56], r2'),
  ctx('ctx-sf-write-mark-refused', 'a socket filter may not write __sk_buff.mark (off 8)', SOCKET_FILTER, 'mov r2, 1\nstxw [r1+8], r2'),
  ctx('ctx-sf-write-len-refused', 'a socket filter may not write __sk_buff.len (off 0)', SOCKET_FILTER, 'mov r2, 1\nstxw [r1+0], r2'),
  ctx('ctx-sf-narrow-read-mark-byte', 'a 1-byte read of the second byte of mark (off 9) is a valid narrow load', SOCKET_FILTER, 'ldxb r2, [r1+9]'),
  ctx('ctx-sf-narrow-read-mark-half', 'a 2-byte read of the upper half of mark (off 10) is a valid narrow load', SOCKET_FILTER, 'ldxh r2, [r1+10]'),
  ctx('ctx-sf-misaligned-half', 'a 2-byte read at off 9 (not a multiple of its size) is refused', SOCKET_FILTER, 'ldxh r2, [r1+9]'),
  ctx('ctx-sf-misaligned-word', 'a 4-byte read at off 2 (straddling len and pkt_type) is refused', SOCKET_FILTER, 'ldxw r2, [r1+2]'),
  ctx('ctx-sf-wide-read-len', 'an 8-byte read of the 4-byte len field is refused (only narrower loads)', SOCKET_FILTER, 'ldxdw r2, [r1+0]'),
  ctx('ctx-sf-read-last-word', 'gso_size (off 176), a 4-byte field near the end, is readable', SOCKET_FILTER, 'ldxw r2, [r1+176]'),
  ctx('ctx-sf-read-beyond', 'a read at off 192, just past struct __sk_buff, is refused', SOCKET_FILTER, 'ldxw r2, [r1+192]'),
  ctx('ctx-sf-read-negative', 'a read at a negative ctx offset is refused', SOCKET_FILTER, 'ldxw r2, [r1-4]'),
  ctx('ctx-sf-read-padding', 'the padding after tstamp_type (off 181) is not readable', SOCKET_FILTER, 'ldxb r2, [r1+181]'),
  ctx('ctx-sf-read-tstamp-type-refused', 'a socket filter may not read __sk_buff.tstamp_type (off 180)', SOCKET_FILTER, 'ldxb r2, [r1+180]'),
  ctx('ctx-sf-read-flow-keys-refused', 'flow_keys (off 144) is only for flow dissectors', SOCKET_FILTER, 'ldxdw r2, [r1+144]'),
  ctx('ctx-sf-ldsx-len', 'a sign-extending 4-byte load of the scalar len field is allowed', SOCKET_FILTER, 'ldxsw r2, [r1+0]'),
  ctx('ctx-sf-copy-then-read', 'a copy of the ctx pointer is still ctx and may be dereferenced', SOCKET_FILTER, 'mov r3, r1\nldxw r2, [r3+8]'),
  ctx('ctx-sf-spill-fill-read', 'a ctx pointer spilled to the stack and filled back keeps its type', SOCKET_FILTER, 'stxdw [r10-8], r1\nldxdw r3, [r10-8]\nldxw r2, [r3+0]'),
  ctx('ctx-sf-modified-ptr', 'a ctx pointer moved by a constant (r1 += 8) may not be dereferenced', SOCKET_FILTER, 'add r1, 8\nldxw r2, [r1+0]'),
  ctx('ctx-sf-modified-ptr-restored', 'r1 += 8; r1 -= 8 brings the fixed offset back to 0, so the load is allowed', SOCKET_FILTER, 'add r1, 8\nadd r1, -8\nldxw r2, [r1+0]'),
  ctx('ctx-sf-variable-offset', 'a ctx pointer plus a variable offset may not be dereferenced', SOCKET_FILTER, 'ldxw r2, [r1+0]\nand r2, 4\nadd r1, r2\nldxw r3, [r1+0]'),
  ctx('ctx-sf-st-imm-cb', 'BPF_ST (store immediate) into a writable ctx field (cb[0]) is allowed on 6.18', SOCKET_FILTER, 'stw [r1+48], 1'),
  ctx('ctx-sf-st-imm-mark-refused', 'BPF_ST into a field the socket filter may not write (mark) is refused like STX', SOCKET_FILTER, 'stw [r1+8], 1'),
  ctx('ctx-sf-atomic-add-cb', 'an atomic add into ctx (cb[0]) is refused', SOCKET_FILTER, 'mov r2, 1\nlock add32 [r1+48], r2'),
  ctx('ctx-sf-atomic-fetch-cb', 'an atomic fetch-add (64-bit) into ctx is refused', SOCKET_FILTER, 'mov r2, 1\nlock fetch add [r1+48], r2'),
  ctx('ctx-sf-store-pointer-cb', 'as root a pointer (r10) may be stored into cb (no leak check)', SOCKET_FILTER, 'stxdw [r1+48], r10'),
  ctx('ctx-sf-read-sk', 'reading __sk_buff.sk (off 168, 8 bytes) gives sock_common_or_null; null-checked it may be read', SOCKET_FILTER,
    'ldxdw r2, [r1+168]\njeq r2, 0, out\nldxw r3, [r2+4]\nout:'),
  ctx('ctx-sf-read-sk-no-null-check', 'the sk read from ctx is maybe-null: dereferencing it unchecked is refused', SOCKET_FILTER, 'ldxdw r2, [r1+168]\nldxw r3, [r2+4]'),
  ctx('ctx-sf-read-sk-word-refused', 'sk must be read with an 8-byte load', SOCKET_FILTER, 'ldxw r2, [r1+168]'),
  ctx('ctx-sf-ctx-uninit-r1-after-call', 'r1 no longer holds ctx after a helper call (clobbered)', SOCKET_FILTER, 'call 7\nldxw r2, [r1+0]'),

  // --- LD_ABS / LD_IND ------------------------------------------------------------------------
  { name: 'ctx-ldabs-sf', rule: 'ctx', what: 'LD_ABS with r6 = ctx is allowed in a socket filter', progType: SOCKET_FILTER, asm: 'mov r6, r1\nldabsb 0\nexit' },
  { name: 'ctx-ldabs-tc', rule: 'ctx', what: 'LD_ABS (half) with r6 = ctx is allowed in sched_cls', progType: SCHED_CLS, asm: 'mov r6, r1\nldabsh 12\nexit' },
  { name: 'ctx-ldabs-xdp-refused', rule: 'ctx', what: 'LD_ABS is not allowed in XDP', progType: XDP, asm: 'mov r6, r1\nldabsb 0\nexit' },
  { name: 'ctx-ldabs-cgskb-refused', rule: 'ctx', what: 'LD_ABS is not allowed in cgroup_skb', progType: CGROUP_SKB, asm: 'mov r6, r1\nldabsb 0\nmov r0, 1\nexit' },
  { name: 'ctx-ldabs-rawtp-refused', rule: 'ctx', what: 'LD_ABS is not allowed in raw_tracepoint', progType: RAW_TP, asm: 'mov r6, r1\nldabsb 0\nexit' },
  { name: 'ctx-ldabs-r6-not-ctx', rule: 'ctx', what: 'LD_ABS needs r6 to hold the ctx pointer (here r6 = r10)', progType: SOCKET_FILTER, asm: 'mov r6, r10\nldabsb 0\nexit' },
  { name: 'ctx-ldabs-r6-uninit', rule: 'ctx', what: 'LD_ABS reads r6, which was never written', progType: SOCKET_FILTER, asm: 'ldabsb 0\nexit' },
  { name: 'ctx-ldabs-r6-modified', rule: 'ctx', what: 'LD_ABS with r6 = ctx + 8 (a modified ctx pointer)', progType: SOCKET_FILTER, asm: 'mov r6, r1\nadd r6, 8\nldabsb 0\nexit' },
  { name: 'ctx-ldabs-r6-scalar', rule: 'ctx', what: 'LD_ABS with r6 = 0 (a scalar, not the skb)', progType: SOCKET_FILTER, asm: 'mov r6, 0\nldabsb 0\nexit' },
  { name: 'ctx-ldind-sf', rule: 'ctx', what: 'LD_IND with r6 = ctx and an initialised index register is allowed', progType: SOCKET_FILTER, asm: 'mov r6, r1\nmov r7, 14\nldindw r7, 0\nexit' },
  { name: 'ctx-ldind-src-uninit', rule: 'ctx', what: 'LD_IND reads its index register, which was never written', progType: SOCKET_FILTER, asm: 'mov r6, r1\nldindw r7, 0\nexit' },
  { name: 'ctx-ldabs-clobbers-r2', rule: 'ctx', what: 'LD_ABS clobbers r1-r5: r2 is unreadable afterwards', progType: SOCKET_FILTER, asm: 'mov r6, r1\nmov r2, 1\nldabsb 0\nmov r0, r2\nexit' },
  { name: 'ctx-ldabs-keeps-r7', rule: 'ctx', what: 'LD_ABS keeps the callee-saved r7', progType: SOCKET_FILTER, asm: 'mov r6, r1\nmov r7, 1\nldabsb 0\nmov r0, r7\nexit' },
  { name: 'ctx-ldabs-r0-scalar', rule: 'ctx', what: 'the result of LD_ABS is a scalar: dereferencing it is refused', progType: SOCKET_FILTER, asm: 'mov r6, r1\nldabsw 0\nldxw r0, [r0+0]\nexit' },

  // --- sched_cls: tc_cls_act_is_valid_access ----------------------------------------------------
  ctx('ctx-tc-read-data', 'sched_cls reads data, data_end and data_meta (4-byte loads)', SCHED_CLS, 'ldxw r2, [r1+76]\nldxw r3, [r1+80]\nldxw r4, [r1+140]'),
  ctx('ctx-tc-narrow-data-refused', 'a 2-byte load of __sk_buff.data is refused (pointer fields need 4 bytes)', SCHED_CLS, 'ldxh r2, [r1+76]'),
  ctx('ctx-tc-ldsx-data-refused', 'a sign-extending load of __sk_buff.data is refused', SCHED_CLS, 'ldxsw r2, [r1+76]'),
  ctx('ctx-tc-read-family-refused', 'sched_cls may not read the socket fields (family, off 88)', SCHED_CLS, 'ldxw r2, [r1+88]'),
  ctx('ctx-tc-read-tc-classid', 'sched_cls reads tc_classid (off 72)', SCHED_CLS, 'ldxw r2, [r1+72]'),
  ctx('ctx-tc-read-tstamp-type', 'sched_cls may read __sk_buff.tstamp_type (off 180, 1 byte)', SCHED_CLS, 'ldxb r2, [r1+180]'),
  ctx('ctx-tc-read-hwtstamp', 'hwtstamp (off 184) is read with an 8-byte load', SCHED_CLS, 'ldxdw r2, [r1+184]'),
  ctx('ctx-tc-read-hwtstamp-word-refused', 'a 4-byte load of hwtstamp is refused', SCHED_CLS, 'ldxw r2, [r1+184]'),
  ctx('ctx-tc-write-mark', 'sched_cls may write mark', SCHED_CLS, 'mov r2, 1\nstxw [r1+8], r2'),
  ctx('ctx-tc-write-mark-narrow-refused', 'writes must be full 4-byte stores: a 2-byte store to mark is refused', SCHED_CLS, 'mov r2, 1\nstxh [r1+8], r2'),
  ctx('ctx-tc-write-tc-classid', 'sched_cls may write tc_classid', SCHED_CLS, 'mov r2, 1\nstxw [r1+72], r2'),
  ctx('ctx-tc-write-queue-mapping', 'sched_cls may write queue_mapping (off 12)', SCHED_CLS, 'mov r2, 1\nstxw [r1+12], r2'),
  ctx('ctx-tc-write-len-refused', 'sched_cls may not write len', SCHED_CLS, 'mov r2, 1\nstxw [r1+0], r2'),
  ctx('ctx-tc-write-tstamp', 'sched_cls may write tstamp with an 8-byte store', SCHED_CLS, 'mov r2, 1\nstxdw [r1+152], r2'),
  ctx('ctx-tc-write-tstamp-word-refused', 'a 4-byte store to tstamp is refused', SCHED_CLS, 'mov r2, 1\nstxw [r1+152], r2'),
  ctx('ctx-tc-write-data-refused', 'the data pointer field is read-only', SCHED_CLS, 'mov r2, 1\nstxw [r1+76], r2'),
  ctx('ctx-tc-write-sk-refused', 'the sk field is read-only', SCHED_CLS, 'mov r2, 0\nstxdw [r1+168], r2'),
  ctx('ctx-tc-strict-align-ok', 'with BPF_F_STRICT_ALIGNMENT an aligned ctx load is fine', SCHED_CLS, 'ldxw r2, [r1+8]', { progFlags: STRICT_ALIGNMENT }),
  ctx('ctx-tc-strict-align-misaligned', 'with BPF_F_STRICT_ALIGNMENT a 4-byte ctx load at off 2 is refused by the alignment check', SCHED_CLS, 'ldxw r2, [r1+2]', { progFlags: STRICT_ALIGNMENT }),
  ctx('ctx-tc-st-imm-mark', 'BPF_ST into the writable mark field is allowed in sched_cls', SCHED_CLS, 'stw [r1+8], 7'),
  ctx('ctx-tc-atomic-mark', 'an atomic add on the writable mark field is refused', SCHED_CLS, 'mov r2, 1\nlock add32 [r1+8], r2'),

  // --- xdp: xdp_is_valid_access (4-byte loads only) ---------------------------------------------
  ctx('ctx-xdp-read-all', 'XDP reads data, data_end, data_meta, ingress_ifindex and rx_queue_index', XDP,
    'ldxw r2, [r1+0]\nldxw r3, [r1+4]\nldxw r4, [r1+8]\nldxw r5, [r1+12]\nldxw r5, [r1+16]'),
  ctx('ctx-xdp-narrow-refused', 'XDP has no narrow loads: a 1-byte read of ingress_ifindex is refused', XDP, 'ldxb r2, [r1+12]'),
  ctx('ctx-xdp-half-refused', 'a 2-byte read of rx_queue_index is refused', XDP, 'ldxh r2, [r1+16]'),
  ctx('ctx-xdp-wide-refused', 'an 8-byte read of data is refused', XDP, 'ldxdw r2, [r1+0]'),
  ctx('ctx-xdp-read-egress-refused', 'egress_ifindex (off 20) is only for BPF_XDP_DEVMAP programs', XDP, 'ldxw r2, [r1+20]'),
  ctx('ctx-xdp-devmap-read-egress', 'a BPF_XDP_DEVMAP program reads egress_ifindex', XDP, 'ldxw r2, [r1+20]', { attachType: BPF_XDP_DEVMAP }),
  ctx('ctx-xdp-st-imm-refused', 'BPF_ST into the read-only XDP ctx is refused', XDP, 'stw [r1+12], 1'),
  ctx('ctx-xdp-write-refused', 'XDP ctx is read-only (ingress_ifindex)', XDP, 'mov r2, 1\nstxw [r1+12], r2'),
  ctx('ctx-xdp-beyond', 'a read at off 24, past struct xdp_md, is refused', XDP, 'ldxw r2, [r1+24]'),
  ctx('ctx-xdp-ldsx-data-refused', 'a sign-extending load of xdp_md.data is refused', XDP, 'ldxsw r2, [r1+0]'),
  ctx('ctx-xdp-ldsx-ifindex', 'a sign-extending 4-byte load of a scalar xdp_md field is allowed', XDP, 'ldxsw r2, [r1+12]'),

  // --- cgroup_skb: cg_skb_is_valid_access (return value must be 0 or 1) --------------------------
  ctx('ctx-cgskb-read-data', 'cgroup_skb (as root) reads data and data_end', CGROUP_SKB, 'ldxw r2, [r1+76]\nldxw r3, [r1+80]'),
  ctx('ctx-cgskb-read-data-meta-refused', 'cgroup_skb may not read data_meta', CGROUP_SKB, 'ldxw r2, [r1+140]'),
  ctx('ctx-cgskb-read-tc-classid-refused', 'cgroup_skb may not read tc_classid', CGROUP_SKB, 'ldxw r2, [r1+72]'),
  ctx('ctx-cgskb-read-family', 'cgroup_skb reads the socket fields (family, off 88)', CGROUP_SKB, 'ldxw r2, [r1+88]'),
  ctx('ctx-cgskb-read-remote-ip6', 'cgroup_skb reads remote_ip6[0] (off 100)', CGROUP_SKB, 'ldxw r2, [r1+100]'),
  ctx('ctx-cgskb-write-mark', 'cgroup_skb may write mark', CGROUP_SKB, 'mov r2, 1\nstxw [r1+8], r2'),
  ctx('ctx-cgskb-write-priority', 'cgroup_skb may write priority (off 32)', CGROUP_SKB, 'mov r2, 1\nstxw [r1+32], r2'),
  ctx('ctx-cgskb-write-tc-index-refused', 'cgroup_skb may not write tc_index (off 44)', CGROUP_SKB, 'mov r2, 1\nstxw [r1+44], r2'),
  ctx('ctx-cgskb-write-tstamp', 'cgroup_skb as root (CAP_SYS_ADMIN) may write tstamp', CGROUP_SKB, 'mov r2, 1\nstxdw [r1+152], r2'),

  // --- flow_dissector: data, data_end, flow_keys only; read-only -------------------------------
  ctx('ctx-fd-read-data', 'a flow dissector reads data, data_end and flow_keys (8 bytes)', FLOW_DISSECTOR, 'ldxw r2, [r1+76]\nldxw r3, [r1+80]\nldxdw r4, [r1+144]', { attachType: BPF_FLOW_DISSECTOR }),
  ctx('ctx-fd-read-len-refused', 'a flow dissector may not read len', FLOW_DISSECTOR, 'ldxw r2, [r1+0]', { attachType: BPF_FLOW_DISSECTOR }),
  ctx('ctx-fd-write-cb-refused', 'a flow dissector may not write ctx (cb[0])', FLOW_DISSECTOR, 'mov r2, 1\nstxw [r1+48], r2', { attachType: BPF_FLOW_DISSECTOR }),
  ctx('ctx-fd-flow-keys-word-refused', 'flow_keys must be read with an 8-byte load', FLOW_DISSECTOR, 'ldxw r2, [r1+144]', { attachType: BPF_FLOW_DISSECTOR }),
  ctx('ctx-fd-flow-keys-write', 'the flow_keys pointer is writable (nhoff, 2 bytes)', FLOW_DISSECTOR, 'ldxdw r2, [r1+144]\nmov r3, 14\nstxh [r2+0], r3', { attachType: BPF_FLOW_DISSECTOR }),
  ctx('ctx-fd-flow-keys-read-last', 'flow_label, the last 4 bytes of bpf_flow_keys (off 52), is readable', FLOW_DISSECTOR, 'ldxdw r2, [r1+144]\nldxw r3, [r2+52]', { attachType: BPF_FLOW_DISSECTOR }),
  ctx('ctx-fd-flow-keys-beyond', 'a read at off 56 of bpf_flow_keys (its size) is refused', FLOW_DISSECTOR, 'ldxdw r2, [r1+144]\nldxw r3, [r2+56]', { attachType: BPF_FLOW_DISSECTOR }),

  // --- syscall: any aligned offset below U16_MAX, read and write; must be sleepable ---------------
  ctx('ctx-syscall-read', 'a syscall program reads its ctx (8 bytes at 0)', SYSCALL, 'ldxdw r2, [r1+0]', { progFlags: SLEEPABLE }),
  ctx('ctx-syscall-write', 'a syscall program writes its ctx', SYSCALL, 'mov r2, 1\nstxdw [r1+8], r2', { progFlags: SLEEPABLE }),
  ctx('ctx-syscall-large-off', 'a syscall ctx access at off 4000 is accepted at load (ctx size is checked at run time)', SYSCALL, 'ldxb r2, [r1+4000]', { progFlags: SLEEPABLE }),
  ctx('ctx-syscall-misaligned', 'a 4-byte syscall ctx read at off 2 is refused', SYSCALL, 'ldxw r2, [r1+2]', { progFlags: SLEEPABLE }),
  ctx('ctx-syscall-negative', 'a syscall ctx read at a negative offset is refused', SYSCALL, 'ldxw r2, [r1-8]', { progFlags: SLEEPABLE }),
  ctx('ctx-syscall-st-imm', 'BPF_ST into a syscall ctx is allowed', SYSCALL, 'stw [r1+0], 1', { progFlags: SLEEPABLE }),
  ctx('ctx-syscall-variable-offset', 'a variable ctx offset is refused for syscall programs as well', SYSCALL, 'ldxw r2, [r1+0]\nand r2, 8\nadd r1, r2\nldxw r3, [r1+0]', { progFlags: SLEEPABLE }),
  ctx('ctx-syscall-not-sleepable', 'a syscall program must be loaded with BPF_F_SLEEPABLE', SYSCALL, 'ldxdw r2, [r1+0]'),

  // --- raw_tracepoint: u64 args[12], read-only, any size at a multiple of it ---------------------------------------
  ctx('ctx-rawtp-read-arg0', 'raw_tp reads args[0] with an 8-byte load', RAW_TP, 'ldxdw r2, [r1+0]'),
  ctx('ctx-rawtp-read-last-arg', 'raw_tp reads args[11] (off 88)', RAW_TP, 'ldxdw r2, [r1+88]'),
  ctx('ctx-rawtp-read-beyond', 'raw_tp has 12 args: a read at off 96 is refused', RAW_TP, 'ldxdw r2, [r1+96]'),
  ctx('ctx-rawtp-read-word', 'a 4-byte read of the low half of a raw_tp arg is allowed', RAW_TP, 'ldxw r2, [r1+0]'),
  ctx('ctx-rawtp-read-word-hi', 'a 4-byte read at off 4 (upper half of args[0]) is allowed: only off % size matters', RAW_TP, 'ldxw r2, [r1+4]'),
  ctx('ctx-rawtp-read-byte-3', 'a 1-byte read at off 3 is allowed', RAW_TP, 'ldxb r2, [r1+3]'),
  ctx('ctx-rawtp-read-half-misaligned-refused', 'a 2-byte read at off 3 (off % size != 0) is refused', RAW_TP, 'ldxh r2, [r1+3]'),
  ctx('ctx-rawtp-misaligned', 'an 8-byte raw_tp read at off 4 is refused', RAW_TP, 'ldxdw r2, [r1+4]'),
  ctx('ctx-rawtp-write-refused', 'raw_tp args are read-only', RAW_TP, 'mov r2, 1\nstxdw [r1+0], r2'),
];
