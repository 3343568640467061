/**
 * BPF_PROG_TYPE_NETFILTER: a netfilter hook function in BPF. The ctx is struct bpf_nf_ctx, two
 * trusted kernel pointers: the hook state (struct nf_hook_state: hook, pf, in/out devices) and the
 * packet (struct sk_buff). BPF_PROG_TEST_RUN follows net/bpf/test_run.c bpf_prog_test_run_nf
 * (checked on Linux 6.18, golden/sockctx.json):
 * - flags, cpu and batch_size must be 0; 20 <= data_size_in <= 3712 (an IPv4 header at least;
 *   EINVAL);
 * - ctx_in is a struct nf_hook_state (48 bytes; longer only with a zero tail, E2BIG): in, out, sk,
 *   net and okfn must be 0 and pf NFPROTO_IPV4 (2) or NFPROTO_IPV6 (10) (EINVAL); without ctx_in
 *   the state is pf IPv4, hook NF_INET_LOCAL_OUT;
 * - a hook other than LOCAL_OUT gets an Ethernet frame: at least 14 + 20 bytes (IPv6: 14 + 40),
 *   an EtherType matching pf (EINVAL) and IPv4 or IPv6 at all (EPROTO); skb->len excludes the
 *   Ethernet header; LOCAL_OUT takes the data as the network packet;
 * - retval is r0; no data_out and no ctx_out are written.
 *
 * The objects behind the pointers: nf_hook_state with hook and pf at 6.18's offsets (the device,
 * socket and net pointers read 0 here, where the kernel has the loopback device); sk_buff as its
 * 224 bytes on x86-64 6.18 with len (@112) and data_len (@116) set, the rest 0. Neither struct is
 * in the emulated vmlinux BTF yet, so CO-RE reads of them do not resolve.
 */
import { ProgType } from '../../object/uapi.js';
import { ERRNO } from '../../util/errno.js';
import { PERM_R, RegionKind, Memory } from '../../vm/memory.js';
import type { Kernel } from '../kernel.js';
import type { KProg } from '../objects/objects.js';
import type { Fault } from '../../vm/fault.js';
import { timedRuns } from './common.js';
import { ctxIn, rangeIsZero } from './ctx.js';
import { mapFieldCtx, StructImage } from './fieldctx.js';
import type { ProgTypeOps, TestRunInput, TestRunOutput } from './registry.js';
import { BPF_NF_CTX } from './sockctx.js';

const { EINVAL, EPROTO } = ERRNO;

/** enum nf_inet_hooks. */
export const NF_INET = { PRE_ROUTING: 0, LOCAL_IN: 1, FORWARD: 2, LOCAL_OUT: 3, POST_ROUTING: 4 } as const;
/** NFPROTO_IPV4 / NFPROTO_IPV6. */
export const NFPROTO_IPV4 = 2;
export const NFPROTO_IPV6 = 10;
/** NF_DROP / NF_ACCEPT. */
export const NF_DROP = 0;
export const NF_ACCEPT = 1;

/** sizeof(struct nf_hook_state) and sizeof(struct sk_buff) on x86-64 6.18, and sk_buff's len/data_len offsets. */
const NF_HOOK_STATE_SIZE = 48;
const SK_BUFF_SIZE = 224;
const SKB_LEN_OFF = 112;
const SKB_DATA_LEN_OFF = 116;
/** PAGE_SIZE - NET_SKB_PAD - NET_IP_ALIGN - SKB_DATA_ALIGN(sizeof(struct skb_shared_info)). */
const MAX_DATA = 4096 - 64 - 320;
const ETH_HLEN = 14;
const IPV4_HLEN = 20;
const IPV6_HLEN = 40;

/** One netfilter hook event. */
export interface NfEvent {
  readonly hook: number;
  readonly pf: number;
  /** skb->len: the packet from its network header. */
  readonly len: number;
}

/** Run a netfilter program on `ev` `repeat` times (0: once). */
export function runNetfilter(k: Kernel, prog: KProg, ev: NfEvent, repeat = 0): { r0: bigint; fault: Fault | null; durationNs: number } {
  const state = new Uint8Array(NF_HOOK_STATE_SIZE);
  state[0] = ev.hook & 0xff;
  state[1] = ev.pf & 0xff;
  const skb = new Uint8Array(SK_BUFF_SIZE);
  const sdv = new DataView(skb.buffer);
  sdv.setUint32(SKB_LEN_OFF, ev.len >>> 0, true);
  sdv.setUint32(SKB_DATA_LEN_OFF, 0, true);
  const label = prog.name || 'prog';
  const stateRegion = k.mem.map(state, { kind: RegionKind.CTX, perm: PERM_R, label: `nf_hook_state of ${label}` });
  const skbRegion = k.mem.map(skb, { kind: RegionKind.CTX, perm: PERM_R, label: `sk_buff of ${label}` });
  const img = new StructImage(BPF_NF_CTX).set('state', Memory.pointer(stateRegion, 0)).set('skb', Memory.pointer(skbRegion, 0));
  const ctx = mapFieldCtx(k, BPF_NF_CTX, img.bytes, `bpf_nf_ctx of ${label}`);
  try {
    return timedRuns(k, prog, [ctx.ptr], repeat, (m) => {
      m.grant(stateRegion);
      m.grant(skbRegion);
    });
  } finally {
    k.retireRegion(ctx.region);
    k.retireRegion(stateRegion);
    k.retireRegion(skbRegion);
  }
}

/** bpf_prog_test_run_nf. */
function testRunNf(k: Kernel, t: TestRunInput): TestRunOutput | number {
  if (t.flags !== 0 || t.cpu !== 0 || t.batchSize !== 0) return k.refuse(-EINVAL, 'netfilter test runs take no flags, cpu or batch_size');
  const data = t.dataIn ?? new Uint8Array(0);
  if (data.length < IPV4_HLEN) return k.refuse(-EINVAL, `netfilter test runs need at least an IPv4 header (${IPV4_HLEN} bytes) of data_in, got ${data.length}`);
  if (data.length > MAX_DATA) return k.refuse(-EINVAL, `data_size_in ${data.length} is above ${MAX_DATA}`);
  let hook: number = NF_INET.LOCAL_OUT;
  let pf = NFPROTO_IPV4;
  if (t.ctxIn !== null || t.hasCtxOut) {
    const c = ctxIn(t.ctxIn ?? new Uint8Array(0), NF_HOOK_STATE_SIZE);
    if (typeof c === 'number') return c;
    if (!rangeIsZero(c, 8, NF_HOOK_STATE_SIZE)) return k.refuse(-EINVAL, 'nf_hook_state in, out, sk, net and okfn must be 0 in ctx_in');
    if (c[1] !== NFPROTO_IPV4 && c[1] !== NFPROTO_IPV6) return k.refuse(-EINVAL, `nf_hook_state.pf ${c[1]!}: only NFPROTO_IPV4 (2) and NFPROTO_IPV6 (10)`);
    hook = c[0]!;
    pf = c[1]!;
  }
  let len = data.length;
  if (hook !== NF_INET.LOCAL_OUT) {
    if (data.length < ETH_HLEN + IPV4_HLEN) return k.refuse(-EINVAL, `hook ${hook} takes an Ethernet frame: at least ${ETH_HLEN + IPV4_HLEN} bytes`);
    const proto = (data[12]! << 8) | data[13]!;
    if (proto === 0x0800) {
      if (pf !== NFPROTO_IPV4) return k.refuse(-EINVAL, 'an IPv4 frame needs nf_hook_state.pf NFPROTO_IPV4');
    } else if (proto === 0x86dd) {
      if (data.length < ETH_HLEN + IPV6_HLEN) return k.refuse(-EINVAL, `an IPv6 frame needs at least ${ETH_HLEN + IPV6_HLEN} bytes`);
      if (pf !== NFPROTO_IPV6) return k.refuse(-EINVAL, 'an IPv6 frame needs nf_hook_state.pf NFPROTO_IPV6');
    } else {
      return k.refuse(-EPROTO, `EtherType 0x${proto.toString(16).padStart(4, '0')} is neither IPv4 nor IPv6`);
    }
    len -= ETH_HLEN;
  }
  const r = runNetfilter(k, t.prog, { hook, pf, len }, t.repeat);
  if (r.fault !== null) return k.reportFault(r.fault);
  // bpf_test_finish with no data: data_size_out becomes 0
  return { retval: Number(r.r0 & 0xffffffffn), durationNs: r.durationNs, dataOut: new Uint8Array(0) };
}

/** BPF_PROG_TYPE_NETFILTER. */
export const NETFILTER_PROG: ProgTypeOps = { type: ProgType.NETFILTER, name: 'netfilter', testRun: testRunNf };
