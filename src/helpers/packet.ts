/**
 * Packet helpers (XDP and skb) and the packet model they work on.
 *
 * The model is what the kernel's BPF_PROG_TEST_RUN builds (net/bpf/test_run.c) reduced to what a
 * program can observe:
 *
 *   XDP frame (one 4096-byte page, as bpf_prog_test_run_xdp sets rxq->frag_size):
 *
 *   0        40                 meta  data            end          4096-320   4096
 *   +--------+-------- ... ------+-----+---------------+--- ... ------+----------+
 *   |xdp_frame|    headroom      |meta | packet        |   tailroom   | shinfo   |
 *   +--------+-------- ... ------+-----+---------------+--- ... ------+----------+
 *   data starts at XDP_PACKET_HEADROOM (256); adjust_head/meta may move down to 40
 *   (sizeof(struct xdp_frame)), adjust_tail may grow up to 4096 - 320
 *   (SKB_DATA_ALIGN(sizeof(struct skb_shared_info))); bytes beyond the linear part live in frags
 *   (pages of up to 4096 bytes each).
 *
 *   skb buffer: NET_SKB_PAD (64) headroom, the frame, 320 bytes of tailroom; skb->data is at the
 *   MAC header for tc and at the network header for the other types (eth_type_trans pulled it).
 *
 * The packet a program sees is a PACKET region covering [data_meta or data, data_end): a packet
 * pointer is (region, offset) and accesses outside that range fault. A helper that changes packet
 * data (bpf_helper_changes_pkt_data: adjust_head/meta/tail, skb_store_bytes, l3/l4_csum_replace,
 * skb_pull_data) maps a fresh region and empties the old one, so a stale pointer — which the
 * verifier would have rejected at load — faults instead of reading shifted bytes.
 *
 * Helper semantics and errnos follow net/core/filter.c (Linux 6.18) and were checked against the
 * 6.18 kernel with BPF_PROG_TEST_RUN; each helper names its kernel function.
 */
import { ProgType } from '../object/uapi.js';
import { BPF_MAP_TYPE } from '../maps/uapi.js';
import { jhash2 } from '../maps/jhash.js';
import { ERRNO } from '../util/errno.js';
import type { Machine, RunContext } from '../vm/machine.js';
import { Memory, RegionKind } from '../vm/memory.js';
import type { HelperDef, HelperProto } from './registry.js';

const { EINVAL, EFAULT, EACCES, ENOMEM, ENOTSUPP } = ERRNO;

// ---- constants -----------------------------------------------------------------------------------

/** XDP_PACKET_HEADROOM (include/uapi/linux/bpf.h). */
export const XDP_PACKET_HEADROOM = 256;
/** sizeof(struct xdp_frame) on x86-64: adjust_head/adjust_meta may not move below it. */
export const XDP_FRAME_SIZE = 40;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64: tailroom the kernel reserves. */
export const SKB_SHINFO_SIZE = 320;
/** PAGE_SIZE: the XDP test frame and each frag. */
export const PAGE_SIZE = 4096;
/** CONFIG_MAX_SKB_FRAGS default. */
export const MAX_SKB_FRAGS = 17;
/** ETH_HLEN. */
export const ETH_HLEN = 14;

/** enum xdp_action. */
export const XdpAction = { ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 } as const;
/** TC_ACT_* (include/uapi/linux/pkt_cls.h), the ones helpers return. */
export const TcAction = { OK: 0, SHOT: 2, REDIRECT: 7 } as const;

/** Helper flags (include/uapi/linux/bpf.h). */
export const PacketFlags = {
  /** bpf_skb_store_bytes. */
  RECOMPUTE_CSUM: 1 << 0,
  INVALIDATE_HASH: 1 << 1,
  /** bpf_l3/l4_csum_replace: size of the changed field (0, 2 or 4). */
  HDR_FIELD_MASK: 0xf,
  PSEUDO_HDR: 1 << 4,
  MARK_MANGLED_0: 1 << 5,
  MARK_ENFORCE: 1 << 6,
  /** bpf_l4_csum_replace with an IPv6 pseudo header (Linux 6.16). */
  IPV6: 1 << 7,
  /** bpf_redirect. */
  INGRESS: 1 << 0,
  /** bpf_redirect_map (devmap). */
  BROADCAST: 1 << 3,
  EXCLUDE_INGRESS: 1 << 4,
} as const;

/** enum bpf_func_id values of the packet helpers (include/uapi/linux/bpf.h). */
export const PacketHelperId = {
  skb_store_bytes: 9,
  get_cgroup_classid: 17,
  get_route_realm: 24,
  l3_csum_replace: 10,
  l4_csum_replace: 11,
  redirect: 23,
  skb_load_bytes: 26,
  csum_diff: 28,
  skb_change_type: 32,
  get_hash_recalc: 34,
  skb_pull_data: 39,
  csum_update: 40,
  set_hash_invalid: 41,
  xdp_adjust_head: 44,
  set_hash: 48,
  skb_ecn_set_ce: 97,
  redirect_map: 51,
  xdp_adjust_meta: 54,
  xdp_adjust_tail: 65,
  skb_load_bytes_relative: 68,
  csum_level: 135,
  xdp_get_buff_len: 188,
  xdp_load_bytes: 189,
  xdp_store_bytes: 190,
} as const;

// ---- the packet buffer ---------------------------------------------------------------------------

const EMPTY = new Uint8Array(0);

/**
 * The linear part of a packet: a frame (headroom, data, tailroom) with offsets of data_meta, data and
 * data_end, mapped into guest memory as a PACKET region.
 */
export class PacketBuffer {
  /** Every region this buffer mapped (current and invalidated); unmap them when the run ends. */
  readonly regions: number[] = [];
  /** The current packet region. */
  region = 0;
  /** Frame offset the region starts at (data_meta when metadata is visible, else data). */
  private base = 0;

  constructor(
    readonly mem: Memory,
    /** The whole buffer; its ArrayBuffer starts at the buffer head (LD_ABS reads below data). */
    public frame: Uint8Array,
    public meta: number,
    public data: number,
    public end: number,
    /** Region permission: PERM_RW where the verifier allows direct packet writes. */
    readonly perm: number,
    readonly label: string,
    /** Whether [data_meta, data) is part of the region (XDP, tc). */
    readonly metaVisible: boolean,
  ) {
    this.remap('');
  }

  /**
   * Map the current [data_meta or data, data_end) as a fresh region. The previous region keeps its
   * id with no bytes (every access through a stale pointer faults, labelled with `reason`).
   */
  remap(reason: string): void {
    const old = this.region;
    this.base = this.metaVisible ? this.meta : this.data;
    this.region = this.mem.map(this.frame.subarray(this.base, this.end), { kind: RegionKind.PACKET, perm: this.perm, label: this.label, owner: this });
    this.regions.push(this.region);
    if (old !== 0) {
      this.mem.setBytes(old, EMPTY);
      this.mem.setLabel(old, `${this.label} (invalidated by ${reason})`);
    }
  }

  /** Guest pointer to frame offset `off` (data, data_end, data_meta). */
  pointer(off: number): bigint {
    return Memory.pointer(this.region, off - this.base);
  }

  /** The same pointer as register halves: out[0] = offset in the region, out[1] = region id (no BigInt). */
  pointerInto(off: number, out: Int32Array): void {
    out[0] = off - this.base;
    out[1] = this.region;
  }

  /** The linear packet bytes [data, data_end) (a view). */
  bytes(): Uint8Array {
    return this.frame.subarray(this.data, this.end);
  }

  /** data_end - data. */
  get len(): number {
    return this.end - this.data;
  }
}

/** Where a redirect helper sent the packet (the kernel's struct bpf_redirect_info after the run). */
export type RedirectRecord =
  | { readonly kind: 'ifindex'; readonly ifindex: number; readonly flags: number }
  | { readonly kind: 'map'; readonly mapId: number; readonly mapType: number; readonly key: number; readonly flags: number; readonly target: RedirectTarget | null };

/** The entry a redirect map lookup found (a device, a CPU or an AF_XDP socket). */
export interface RedirectTarget {
  readonly ifindex?: number;
  readonly cpu?: number;
  readonly queue?: number;
}

/**
 * What a DEVMAP/DEVMAP_HASH/CPUMAP/XSKMAP implementation offers bpf_redirect_map (the kernel's
 * map_redirect op: dev_map_redirect, cpu_map_redirect, xsk_map_redirect): the entry at `key`.
 */
export interface RedirectMap {
  redirectTarget(key: number): RedirectTarget | undefined;
}

function isRedirectMap(x: unknown): x is RedirectMap & { readonly id: number; readonly type: number } {
  return typeof x === 'object' && x !== null && typeof (x as { redirectTarget?: unknown }).redirectTarget === 'function';
}

/** One frag of a multi-buffer XDP packet: a page and how many of its bytes are used. */
export interface XdpFrag {
  readonly page: Uint8Array;
  size: number;
}

/** The xdp_buff of a run: the linear buffer, frags, the receive queue, the redirect state. */
export class XdpBuff implements RunContext {
  readonly type = 'xdp';
  /** Region of the xdp_md ctx (helpers check that r1 points to it). */
  ctxRegion = 0;
  redirect: RedirectRecord | null = null;

  constructor(
    readonly buf: PacketBuffer,
    readonly frags: XdpFrag[],
    /** xdp->rxq->dev->ifindex and the queue index. */
    public ingressIfindex: number,
    public rxQueueIndex: number,
    /** xdp->txq->dev->ifindex (devmap programs only). */
    public egressIfindex: number,
  ) {}

  /** data_hard_end: the frame minus the reserved shared-info tailroom. */
  get hardEnd(): number {
    return this.buf.frame.length - SKB_SHINFO_SIZE;
  }

  /** sinfo->xdp_frags_size. */
  get fragsSize(): number {
    let n = 0;
    for (const f of this.frags) n += f.size;
    return n;
  }

  /** xdp_get_buff_len: linear plus frags. */
  get buffLen(): number {
    return this.buf.len + this.fragsSize;
  }

  /** What BPF_PROG_TEST_RUN copies out: data_meta..data_end, then the frags. */
  dataOut(): Uint8Array {
    const lin = this.buf.frame.subarray(this.buf.meta, this.buf.end);
    const out = new Uint8Array(lin.length + this.fragsSize);
    out.set(lin, 0);
    let o = lin.length;
    for (const f of this.frags) {
      out.set(f.page.subarray(0, f.size), o);
      o += f.size;
    }
    return out;
  }

  /** Copy `len` bytes at packet offset `off` (linear, then frags) to or from `buf` (bpf_xdp_copy_buf). */
  copy(off: number, buf: Uint8Array, write: boolean): void {
    let pos = 0;
    let o = off;
    const lin = this.buf.bytes();
    const chunks: Uint8Array[] = [lin, ...this.frags.map((f) => f.page.subarray(0, f.size))];
    for (const c of chunks) {
      if (pos >= buf.length) break;
      if (o >= c.length) {
        o -= c.length;
        continue;
      }
      const n = Math.min(c.length - o, buf.length - pos);
      if (write) c.set(buf.subarray(pos, pos + n), o);
      else buf.set(c.subarray(o, o + n), pos);
      pos += n;
      o = 0;
    }
  }
}

/** The socket a test-run skb carries (sk_alloc'd dummy: family and addresses from the packet). */
export interface SkbSock {
  /** AF_INET (2), AF_INET6 (10) or AF_UNSPEC (0). */
  family: number;
  /** sk_rcv_saddr / sk_daddr as the 4 bytes in network order. */
  readonly local4: Uint8Array;
  readonly remote4: Uint8Array;
  readonly local6: Uint8Array;
  readonly remote6: Uint8Array;
  /** sk_num (host order) and sk_dport (network order), 0 in a test run. */
  localPort: number;
  remotePort: number;
}

/** skb->ip_summed: no checksum information (every test-run skb). */
export const CHECKSUM_NONE = 0;
/** skb->ip_summed: the checksum was verified (csum_level counts the levels). */
export const CHECKSUM_UNNECESSARY = 1;
/** skb->ip_summed: skb->csum holds the packet's checksum. */
export const CHECKSUM_COMPLETE = 2;
/** SKB_MAX_CSUM_LEVEL. */
const SKB_MAX_CSUM_LEVEL = 3;

/** The sk_buff of a run: buffer, headers, and every field __sk_buff exposes. */
export class SkbBuff implements RunContext {
  readonly type = 'skb';
  /** Region of the __sk_buff ctx (helpers check that r1 points to it). */
  ctxRegion = 0;
  redirect: RedirectRecord | null = null;
  /** Frame offsets of the MAC and network headers. */
  mac = 0;
  network = 0;
  pktType = 0;
  mark = 0;
  queueMapping = 0;
  /** skb->protocol as the 16-bit EtherType in host order (0x0800). */
  protocol = 0;
  vlanPresent = 0;
  vlanTci = 0;
  /** skb->vlan_proto in host order. */
  vlanProto = 0;
  priority = 0;
  /** skb->skb_iif. */
  ingressIfindex = 0;
  /** skb->dev->ifindex. */
  ifindex = 1;
  tcIndex = 0;
  /** qdisc_skb_cb data[]: cb[0..4]. */
  readonly cb = new Uint32Array(5);
  hash = 0;
  /** skb->sw_hash / l4_hash. */
  swHash = false;
  tcClassid = 0;
  napiId = 0;
  tstamp = 0n;
  tstampType = 0;
  /** qdisc_skb_cb->pkt_len (__sk_buff wire_len). */
  wireLen = 0;
  gsoSegs = 0;
  gsoSize = 0;
  hwtstamp = 0n;
  ipSummed = CHECKSUM_NONE;
  csumLevel = 0;
  sock: SkbSock | null = null;
  /** Region of the emulated struct bpf_sock behind __sk_buff->sk, 0 if none. */
  sockRegion = 0;
  /** Region of struct bpf_flow_keys (flow dissector runs), 0 if none. */
  flowKeysRegion = 0;
  /**
   * Whether a real sk_buff backs the context: a flow dissector test run has only data/data_end
   * (ctx->skb is NULL), so bpf_skb_load_bytes fails with EFAULT there.
   */
  hasSkb = true;

  constructor(
    readonly buf: PacketBuffer,
    readonly progType: number,
  ) {}

  /** skb->len (the skb is linear). */
  get len(): number {
    return this.buf.len;
  }

  /** Point LD_ABS/LD_IND of `m` at this skb (socket filter and tc only: may_access_skb). */
  attachLegacyLoads(m: Machine): void {
    const t = this.progType;
    if (t !== ProgType.SOCKET_FILTER && t !== ProgType.SCHED_CLS && t !== ProgType.SCHED_ACT) {
      m.skbData = null;
      return;
    }
    m.skbData = this.buf.bytes();
    m.skbNetworkOffset = this.network - this.buf.data;
    m.skbMacOffset = this.mac - this.buf.data;
  }
}

// ---- checksum arithmetic (include/net/checksum.h, arch/x86/lib/csum-partial_64.c) ---------------

const M32 = 0xffffffffn;
const M64 = 0xffffffffffffffffn;

/** csum_add: 32-bit ones' complement addition (end-around carry). */
export function csumAdd(a: number, b: number): number {
  const s = (a >>> 0) + (b >>> 0);
  return (s > 0xffffffff ? s - 0xffffffff : s) >>> 0;
}

/** csum_sub: a + ~b. */
export function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/** csum_fold: fold a 32-bit partial sum to 16 bits and complement it. */
export function csumFold(sum: number): number {
  let s = sum >>> 0;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** csum_from32to16: fold to 16 bits without complementing ((x + ror32(x, 16)) >> 16). */
export function csumFrom32to16(x: number): number {
  const v = x >>> 0;
  const r = ((v >>> 16) | (v << 16)) >>> 0;
  return ((v + r) >>> 0) >>> 16;
}

/**
 * csum_partial as x86-64 computes it: a ones' complement sum of little-endian u64 words (a trailing
 * partial word zero-padded) added to `seed`, folded to 32 bits. Only the 16-bit fold is defined
 * across architectures; this is the exact x86-64 32-bit value (what the 6.18 test kernel returns).
 */
export function csumPartial(bytes: Uint8Array, seed: number): number {
  let acc = BigInt(seed >>> 0);
  for (let i = 0; i < bytes.length; i += 8) {
    let w = 0n;
    for (let j = Math.min(7, bytes.length - 1 - i); j >= 0; j--) w = (w << 8n) | BigInt(bytes[i + j]!);
    acc += w;
    if (acc > M64) acc = (acc & M64) + 1n;
  }
  let x = (acc & M32) + (acc >> 32n);
  x = (x & M32) + (x >> 32n);
  return Number(x & M32) >>> 0;
}

/** Read the 16-bit checksum field at `off` as the CPU would (__sum16, little-endian). */
function sum16At(b: Uint8Array, off: number): number {
  return b[off]! | (b[off + 1]! << 8);
}

function setSum16(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
}

/** csum_replace4 (l3, 4-byte field): fold(add(sub(~sum, from), to)). */
function csumReplace4(sum: number, from: number, to: number): number {
  return csumFold(csumAdd(csumSub(~sum >>> 0, from), to));
}

/** csum16_add. */
function csum16Add(csum: number, addend: number): number {
  let r = (csum & 0xffff) + (addend & 0xffff);
  if (r > 0xffff) r = (r & 0xffff) + 1;
  return r & 0xffff;
}

/** csum_replace2 (l3, 2-byte field): ~csum16_add(csum16_sub(~sum, from), to). */
function csumReplace2(sum: number, from: number, to: number): number {
  return ~csum16Add(csum16Add(~sum & 0xffff, ~from & 0xffff), to) & 0xffff;
}

/** inet_proto_csum_replace4 for a CHECKSUM_NONE skb: fold(csum_partial({~from, to}, ~sum)). */
function protoReplace4(sum: number, from: number, to: number): number {
  const diff = new Uint8Array(8);
  const dv = new DataView(diff.buffer);
  dv.setUint32(0, ~from >>> 0, true);
  dv.setUint32(4, to >>> 0, true);
  return csumFold(csumPartial(diff, ~sum >>> 0));
}

/** csum_replace_by_diff / inet_proto_csum_replace_by_diff (CHECKSUM_NONE): fold(add(diff, ~sum)). */
function replaceByDiff(sum: number, diff: number): number {
  return csumFold(csumAdd(diff, ~sum >>> 0));
}

/** The deterministic stand-in for skb_get_hash (see get_hash_recalc). */
export function flowHash(skb: SkbBuff): number {
  const f = skb.buf.frame;
  const words = new Uint8Array(40);
  let n = 0;
  const put = (src: Uint8Array): void => {
    words.set(src.subarray(0, Math.min(src.length, words.length - n)), n);
    n += src.length;
  };
  const net = skb.network;
  const tail = skb.buf.end;
  let proto = -1;
  let l4 = -1;
  if (skb.protocol === 0x0800 && net + 20 <= tail) {
    const ihl = (f[net]! & 0xf) * 4;
    put(f.subarray(net + 12, net + 20));
    proto = f[net + 9]!;
    l4 = net + ihl;
  } else if (skb.protocol === 0x86dd && net + 40 <= tail) {
    put(f.subarray(net + 8, net + 40));
    proto = f[net + 6]!;
    l4 = net + 40;
  }
  if ((proto === 6 || proto === 17) && l4 + 4 <= tail) put(f.subarray(l4, l4 + 4));
  words[36] = proto & 0xff;
  const h = jhash2(words, 0, 10, 0) >>> 0;
  return h === 0 ? 1 : h;
}

// ---- helper plumbing ------------------------------------------------------------------------------

/** The run's XDP state; r1 must be its ctx (ARG_PTR_TO_CTX). */
function xdpOf(m: Machine, helper: string): XdpBuff {
  const c = m.context;
  if (!(c instanceof XdpBuff)) throw m.fail('helper', `${helper}: not in an XDP program run`);
  if (m.argRegion(1) !== c.ctxRegion || m.argOffset(1) !== 0) throw m.fail('helper', `${helper}: r1 is not the program's ctx`);
  return c;
}

/** The run's skb state; r1 must be its ctx (ARG_PTR_TO_CTX). */
function skbOf(m: Machine, helper: string): SkbBuff {
  const c = m.context;
  if (!(c instanceof SkbBuff)) throw m.fail('helper', `${helper}: not in an skb program run`);
  if (m.argRegion(1) !== c.ctxRegion || m.argOffset(1) !== 0) throw m.fail('helper', `${helper}: r1 is not the program's ctx`);
  return c;
}

/** An ARG_CONST_SIZE argument: 1.. (`orZero`: 0..) as the verifier guarantees. */
function sizeArg(m: Machine, reg: number, helper: string, orZero: boolean): number {
  const n = m.argNum(reg);
  if (!Number.isFinite(n) || n > 0x7fffffff || (n === 0 && !orZero)) throw m.fail('helper', `${helper}: r${reg} (size) is ${m.argU64(reg)}, not a valid size`);
  return n;
}

/** Packet data changed: re-point the skb (LD_ABS data) and invalidate packet pointers. */
function skbChanged(m: Machine, skb: SkbBuff, helper: string): void {
  skb.buf.remap(helper);
  if (m.skbData !== null) skb.attachLegacyLoads(m);
}

const P = ProgType;
const TC = [P.SCHED_CLS, P.SCHED_ACT];
const LWT = [P.LWT_IN, P.LWT_OUT, P.LWT_XMIT, P.LWT_SEG6LOCAL];

/** Argument kinds of the verifier prototypes below (struct bpf_func_proto of net/core/filter.c). */
const CTX = { kind: 'ctx' } as const;
const ANY = { kind: 'anything' } as const;
const SIZE = { kind: 'size' } as const;
const SIZE_OR_ZERO = { kind: 'size_or_zero' } as const;
/** ARG_PTR_TO_UNINIT_MEM: the helper writes the memory. */
const UNINIT_MEM = { kind: 'mem', uninit: true } as const;
/** ARG_PTR_TO_MEM | MEM_RDONLY: the helper reads the memory. */
const RDONLY_MEM = { kind: 'mem', rdonly: true } as const;
/** ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY (bpf_csum_diff: NULL with size 0). */
const NULLABLE_MEM = { kind: 'mem', rdonly: true, nullable: true } as const;

/**
 * bpf_get_cgroup_classid has two prototypes on 6.18: tc_cls_act_func_proto and lwt_out_func_proto
 * (tc, lwt_in/out/xmit/seg6local) give bpf_get_cgroup_classid_proto, which takes the skb (ctx);
 * every other type gets bpf_get_cgroup_classid_curr_proto, without arguments (measured: a socket
 * filter or XDP program calling it with r1 = 0 loads, a tc or lwt program does not).
 */
export const CGROUP_CLASSID_SKB_PROTO: HelperProto = { ret: 'integer', args: [CTX] };
export const CGROUP_CLASSID_SKB_TYPES: readonly number[] = [P.SCHED_CLS, P.SCHED_ACT, P.LWT_IN, P.LWT_OUT, P.LWT_XMIT, P.LWT_SEG6LOCAL];

/** The helpers of this family, each with the program types whose get_func_proto offers it (6.18). */
const PACKET_HELPERS: readonly HelperDef[] = [
  {
    // bpf_skb_store_bytes
    id: PacketHelperId.skb_store_bytes,
    name: 'skb_store_bytes',
    progTypes: [...TC, P.LWT_XMIT, P.SK_SKB],
    args: ['ctx', 'anything', 'ptr', 'size', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY, RDONLY_MEM, SIZE, ANY], pktChanging: true },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_skb_store_bytes');
      const len = sizeArg(m, 4, 'bpf_skb_store_bytes', false);
      const from = m.argBytes(3, len, false, 'from');
      const off = m.argU32(2);
      const flags = m.argU64(5);
      if ((flags & ~BigInt(PacketFlags.RECOMPUTE_CSUM | PacketFlags.INVALIDATE_HASH)) !== 0n) return m.setR0Num(-EINVAL);
      if (off > 0x7fffffff || off + len > skb.len) return m.setR0Num(-EFAULT);
      skb.buf.frame.set(from, skb.buf.data + off);
      // BPF_F_RECOMPUTE_CSUM only updates skb->csum of CHECKSUM_COMPLETE skbs; test-run skbs are CHECKSUM_NONE.
      if ((flags & BigInt(PacketFlags.INVALIDATE_HASH)) !== 0n) {
        skb.hash = 0;
        skb.swHash = false;
      }
      skbChanged(m, skb, 'bpf_skb_store_bytes');
      m.setR0Num(0);
    },
  },
  {
    // bpf_get_cgroup_classid: the net_cls class of the socket's (or, outside the skb types, the
    // current task's) cgroup; the emulator has no net_cls cgroups, so it is 0, as in a 6.18 test
    // run. Every type may call it: the prototype is the current task's flavour (no argument) that
    // bpf_base_func_proto offers; tc and lwt programs get the skb flavour, CGROUP_CLASSID_SKB_PROTO.
    id: PacketHelperId.get_cgroup_classid,
    name: 'get_cgroup_classid',
    args: ['ctx'],
    proto: { ret: 'integer', args: [] },
    fn: (m) => m.setR0Num(0),
  },
  {
    // bpf_get_route_realm: the realm of skb_dst; test-run skbs have no route, so 0.
    id: PacketHelperId.get_route_realm,
    name: 'get_route_realm',
    progTypes: [...TC, ...LWT],
    args: ['ctx'],
    proto: { ret: 'integer', args: [CTX] },
    fn: (m) => {
      skbOf(m, 'bpf_get_route_realm');
      m.setR0Num(0);
    },
  },
  {
    // bpf_l3_csum_replace
    id: PacketHelperId.l3_csum_replace,
    name: 'l3_csum_replace',
    progTypes: [...TC, P.LWT_XMIT],
    args: ['ctx', 'anything', 'anything', 'anything', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY, ANY, ANY, ANY], pktChanging: true },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_l3_csum_replace');
      const off = m.argU32(2);
      const from = m.argU64(3);
      const to = m.argU64(4);
      const flags = m.argU64(5);
      if ((flags & ~BigInt(PacketFlags.HDR_FIELD_MASK)) !== 0n) return m.setR0Num(-EINVAL);
      if (off > 0xffff || (off & 1) !== 0) return m.setR0Num(-EFAULT);
      if (off + 2 > skb.len) return m.setR0Num(-EFAULT);
      const f = skb.buf.frame;
      const at = skb.buf.data + off;
      const sum = sum16At(f, at);
      switch (Number(flags & 0xfn)) {
        case 0:
          if (from !== 0n) return m.setR0Num(-EINVAL);
          setSum16(f, at, replaceByDiff(sum, Number(to & M32)));
          break;
        case 2:
          setSum16(f, at, csumReplace2(sum, Number(from & 0xffffn), Number(to & 0xffffn)));
          break;
        case 4:
          setSum16(f, at, csumReplace4(sum, Number(from & M32), Number(to & M32)));
          break;
        default:
          return m.setR0Num(-EINVAL);
      }
      skbChanged(m, skb, 'bpf_l3_csum_replace');
      m.setR0Num(0);
    },
  },
  {
    // bpf_l4_csum_replace (CHECKSUM_NONE skb: BPF_F_PSEUDO_HDR changes nothing)
    id: PacketHelperId.l4_csum_replace,
    name: 'l4_csum_replace',
    progTypes: [...TC, P.LWT_XMIT],
    args: ['ctx', 'anything', 'anything', 'anything', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY, ANY, ANY, ANY], pktChanging: true },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_l4_csum_replace');
      const off = m.argU32(2);
      const from = m.argU64(3);
      const to = m.argU64(4);
      const flags = m.argU64(5);
      const F = PacketFlags;
      const allowed = BigInt(F.MARK_MANGLED_0 | F.MARK_ENFORCE | F.PSEUDO_HDR | F.HDR_FIELD_MASK | F.IPV6);
      if ((flags & ~allowed) !== 0n) return m.setR0Num(-EINVAL);
      if (off > 0xffff || (off & 1) !== 0) return m.setR0Num(-EFAULT);
      if (off + 2 > skb.len) return m.setR0Num(-EFAULT);
      const f = skb.buf.frame;
      const at = skb.buf.data + off;
      const fl = Number(flags & 0xffn);
      const mmzero = (fl & F.MARK_MANGLED_0) !== 0;
      const mforce = (fl & F.MARK_ENFORCE) !== 0;
      const sum = sum16At(f, at);
      if (mmzero && !mforce && sum === 0) return m.setR0Num(0);
      let next: number;
      switch (fl & F.HDR_FIELD_MASK) {
        case 0:
          if (from !== 0n) return m.setR0Num(-EINVAL);
          next = replaceByDiff(sum, Number(to & M32));
          break;
        case 2:
          next = protoReplace4(sum, Number(from & 0xffffn), Number(to & 0xffffn));
          break;
        case 4:
          next = protoReplace4(sum, Number(from & M32), Number(to & M32));
          break;
        default:
          return m.setR0Num(-EINVAL);
      }
      // CSUM_MANGLED_0: a UDP checksum that became 0 is sent as 0xffff.
      setSum16(f, at, mmzero && next === 0 ? 0xffff : next);
      skbChanged(m, skb, 'bpf_l4_csum_replace');
      m.setR0Num(0);
    },
  },
  {
    // bpf_redirect (tc, lwt_xmit) / bpf_xdp_redirect (XDP)
    id: PacketHelperId.redirect,
    name: 'redirect',
    progTypes: [...TC, P.XDP, P.LWT_XMIT],
    args: ['anything', 'anything'],
    proto: { ret: 'integer', args: [ANY, ANY] },
    fn: (m) => {
      const c = m.context;
      const ifindex = m.argU32(1);
      const flags = m.argU64(2);
      if (c instanceof XdpBuff) {
        if (flags !== 0n) return m.setR0Num(XdpAction.ABORTED);
        c.redirect = { kind: 'ifindex', ifindex, flags: 0 };
        return m.setR0Num(XdpAction.REDIRECT);
      }
      if (c instanceof SkbBuff) {
        // flags & (~BPF_F_INGRESS | BPF_F_REDIRECT_INTERNAL): only BPF_F_INGRESS is accepted.
        if ((flags & ~BigInt(PacketFlags.INGRESS)) !== 0n) return m.setR0Num(TcAction.SHOT);
        c.redirect = { kind: 'ifindex', ifindex, flags: Number(flags) };
        return m.setR0Num(TcAction.REDIRECT);
      }
      throw m.fail('helper', 'bpf_redirect: not in a packet program run');
    },
  },
  {
    // bpf_skb_load_bytes
    id: PacketHelperId.skb_load_bytes,
    name: 'skb_load_bytes',
    progTypes: [P.SOCKET_FILTER, ...TC, P.CGROUP_SKB, ...LWT, P.SK_SKB, P.FLOW_DISSECTOR, P.SK_REUSEPORT],
    proto: { ret: 'integer', args: [CTX, ANY, UNINIT_MEM, SIZE] },
    args: ['ctx', 'anything', 'ptr', 'size'],
    fn: (m) => {
      const skb = skbOf(m, 'bpf_skb_load_bytes');
      const len = sizeArg(m, 4, 'bpf_skb_load_bytes', false);
      const to = m.argBytes(3, len, true, 'to');
      const off = m.argU32(2);
      // bpf_flow_dissector_load_bytes fails without ctx->skb (offset > 0xffff as well).
      if (off > 0x7fffffff || off + len > skb.len || !skb.hasSkb) {
        to.fill(0);
        return m.setR0Num(-EFAULT);
      }
      to.set(skb.buf.frame.subarray(skb.buf.data + off, skb.buf.data + off + len));
      m.setR0Num(0);
    },
  },
  {
    // bpf_csum_diff (since Linux 6.12: csum_sub of two partial sums, folded to 16 bits)
    id: PacketHelperId.csum_diff,
    name: 'csum_diff',
    progTypes: [...TC, P.XDP, ...LWT],
    args: ['ptr_or_null', 'size_or_zero', 'ptr_or_null', 'size_or_zero', 'anything'],
    proto: { ret: 'integer', args: [NULLABLE_MEM, SIZE_OR_ZERO, NULLABLE_MEM, SIZE_OR_ZERO, ANY] },
    fn: (m) => {
      const fromSize = sizeArg(m, 2, 'bpf_csum_diff', true);
      const toSize = sizeArg(m, 4, 'bpf_csum_diff', true);
      const seed = m.argU32(5);
      // Any sizes are accepted since the 6.12 rewrite (no multiple-of-4 or 512-byte limit; checked on 6.18).
      const from = fromSize > 0 ? m.argBytes(1, fromSize, false, 'from') : EMPTY;
      const to = toSize > 0 ? m.argBytes(3, toSize, false, 'to') : EMPTY;
      let ret = seed;
      if (fromSize > 0 && toSize > 0) ret = csumSub(csumPartial(to, ret), csumPartial(from, 0));
      else if (toSize > 0) ret = csumPartial(to, ret);
      else if (fromSize > 0) ret = ~csumPartial(from, ~ret >>> 0) >>> 0;
      m.setR0Num(csumFrom32to16(ret));
    },
  },
  {
    // bpf_skb_change_type
    id: PacketHelperId.skb_change_type,
    name: 'skb_change_type',
    progTypes: TC,
    args: ['ctx', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY] },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_skb_change_type');
      const type = m.argU32(2);
      // skb_pkt_type_ok: PACKET_HOST .. PACKET_OTHERHOST.
      if (skb.pktType > 3 || type > 3) return m.setR0Num(-EINVAL);
      skb.pktType = type;
      m.setR0Num(0);
    },
  },
  {
    // bpf_get_hash_recalc: skb_get_hash. The kernel hashes the flow keys with a per-boot random
    // siphash key; the emulator uses jhash2 of the addresses, ports and protocol (deterministic).
    id: PacketHelperId.get_hash_recalc,
    name: 'get_hash_recalc',
    progTypes: [...TC, ...LWT],
    args: ['ctx'],
    proto: { ret: 'integer', args: [CTX] },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_get_hash_recalc');
      // skb_get_hash: recompute unless a software/L4 hash is already set.
      if (!skb.swHash) {
        skb.hash = flowHash(skb);
        skb.swHash = true;
      }
      m.setR0Num(skb.hash >>> 0);
    },
  },
  {
    // bpf_skb_pull_data: bpf_try_make_writable (pskb_may_pull fails past skb->len)
    id: PacketHelperId.skb_pull_data,
    name: 'skb_pull_data',
    progTypes: [...TC, ...LWT, P.SK_SKB],
    args: ['ctx', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY], pktChanging: true },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_skb_pull_data');
      const len = m.argU32(2);
      const r = len > skb.len ? -ENOMEM : 0;
      skbChanged(m, skb, 'bpf_skb_pull_data');
      m.setR0Num(r);
    },
  },
  {
    // bpf_csum_update: only CHECKSUM_COMPLETE skbs carry a csum to update
    id: PacketHelperId.csum_update,
    name: 'csum_update',
    progTypes: [...TC, P.LWT_XMIT],
    args: ['ctx', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY] },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_csum_update');
      if (skb.ipSummed !== CHECKSUM_COMPLETE) return m.setR0Num(-ENOTSUPP);
      m.setR0Num(0);
    },
  },
  {
    // bpf_set_hash_invalid: skb_clear_hash
    id: PacketHelperId.set_hash_invalid,
    name: 'set_hash_invalid',
    progTypes: [...TC, P.LWT_XMIT],
    args: ['ctx'],
    proto: { ret: 'integer', args: [CTX] },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_set_hash_invalid');
      skb.hash = 0;
      skb.swHash = false;
      m.setR0Num(0);
    },
  },
  {
    // bpf_xdp_adjust_head
    id: PacketHelperId.xdp_adjust_head,
    name: 'xdp_adjust_head',
    progTypes: [P.XDP],
    args: ['ctx', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY], pktChanging: true },
    fn: (m) => {
      const x = xdpOf(m, 'bpf_xdp_adjust_head');
      const off = m.argS32(2);
      const b = x.buf;
      const metalen = b.data - b.meta;
      const data = b.data + off;
      if (data < XDP_FRAME_SIZE + metalen || data > b.end - ETH_HLEN) return m.setR0Num(-EINVAL);
      if (metalen > 0) b.frame.copyWithin(b.meta + off, b.meta, b.data);
      b.meta += off;
      b.data = data;
      b.remap('bpf_xdp_adjust_head');
      m.setR0Num(0);
    },
  },
  {
    // bpf_set_hash: __skb_set_sw_hash(skb, hash, true)
    id: PacketHelperId.set_hash,
    name: 'set_hash',
    progTypes: TC,
    args: ['ctx', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY] },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_set_hash');
      skb.hash = m.argU32(2);
      skb.swHash = true;
      m.setR0Num(0);
    },
  },
  {
    // bpf_skb_ecn_set_ce: INET_ECN_set_ce (IP_ECN_set_ce / IP6_ECN_set_ce) on the network header;
    // it writes in place and does not invalidate packet pointers.
    id: PacketHelperId.skb_ecn_set_ce,
    name: 'skb_ecn_set_ce',
    progTypes: [...TC, P.CGROUP_SKB],
    args: ['ctx'],
    proto: { ret: 'integer', args: [CTX] },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_skb_ecn_set_ce');
      const f = skb.buf.frame;
      const n = skb.network;
      if (skb.protocol === 0x0800 && n + 20 <= skb.buf.end) {
        const ecn = f[n + 1]! & 3;
        if (ecn === 0) return m.setR0Num(0); // Not-ECT
        if (ecn !== 3) {
          const from = f[n]! | (f[n + 1]! << 8);
          f[n + 1] = f[n + 1]! | 3;
          setSum16(f, n + 10, csumReplace2(sum16At(f, n + 10), from, f[n]! | (f[n + 1]! << 8)));
        }
        return m.setR0Num(1);
      }
      if (skb.protocol === 0x86dd && n + 40 <= skb.buf.end) {
        // The traffic class spans the low nibble of byte 0 and the high nibble of byte 1.
        if ((f[n + 1]! & 0x30) === 0) return m.setR0Num(0);
        f[n + 1] = f[n + 1]! | 0x30;
        return m.setR0Num(1);
      }
      m.setR0Num(0);
    },
  },
  {
    // bpf_xdp_redirect_map: __bpf_xdp_redirect_map via the map's map_redirect
    id: PacketHelperId.redirect_map,
    name: 'redirect_map',
    progTypes: [P.XDP],
    args: ['map', 'anything', 'anything'],
    proto: { ret: 'integer', args: [{ kind: 'map' }, ANY, ANY] },
    fn: (m) => {
      const x = m.context;
      if (!(x instanceof XdpBuff)) throw m.fail('helper', 'bpf_redirect_map: not in an XDP program run');
      const map = m.argOwner(1);
      const type = typeof map === 'object' && map !== null ? (map as { type?: unknown }).type : undefined;
      const T = BPF_MAP_TYPE;
      if (type !== T.DEVMAP && type !== T.DEVMAP_HASH && type !== T.CPUMAP && type !== T.XSKMAP) {
        throw m.fail('helper', 'bpf_redirect_map: r1 is not a DEVMAP, DEVMAP_HASH, CPUMAP or XSKMAP');
      }
      if (!isRedirectMap(map)) throw m.fail('helper', `bpf_redirect_map: the emulator's map type ${String(type)} has no redirect support`);
      const key = m.argU32(2);
      const flags = m.argU64(3);
      const mask = type === T.DEVMAP || type === T.DEVMAP_HASH ? PacketFlags.BROADCAST | PacketFlags.EXCLUDE_INGRESS : 0;
      // The low two bits are the action returned when the lookup fails.
      if ((flags & ~BigInt(3 | mask)) !== 0n) return m.setR0Num(XdpAction.ABORTED);
      const f = Number(flags);
      const target = map.redirectTarget(key) ?? null;
      if (target === null && (f & PacketFlags.BROADCAST) === 0) {
        x.redirect = null;
        return m.setR0Num(f & 3);
      }
      x.redirect = { kind: 'map', mapId: map.id, mapType: map.type, key, flags: f & PacketFlags.BROADCAST ? f & ~3 : 0, target };
      m.setR0Num(XdpAction.REDIRECT);
    },
  },
  {
    // bpf_xdp_adjust_meta
    id: PacketHelperId.xdp_adjust_meta,
    name: 'xdp_adjust_meta',
    progTypes: [P.XDP],
    args: ['ctx', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY], pktChanging: true },
    fn: (m) => {
      const x = xdpOf(m, 'bpf_xdp_adjust_meta');
      const off = m.argS32(2);
      const b = x.buf;
      const meta = b.meta + off;
      if (meta < XDP_FRAME_SIZE || meta > b.data) return m.setR0Num(-EINVAL);
      // xdp_metalen_invalid: the metadata length must be a multiple of 4.
      if (((b.data - meta) & 3) !== 0) return m.setR0Num(-EACCES);
      b.meta = meta;
      b.remap('bpf_xdp_adjust_meta');
      m.setR0Num(0);
    },
  },
  {
    // bpf_xdp_adjust_tail (bpf_xdp_frags_shrink_tail / bpf_xdp_frags_increase_tail for multi-buffer)
    id: PacketHelperId.xdp_adjust_tail,
    name: 'xdp_adjust_tail',
    progTypes: [P.XDP],
    args: ['ctx', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY], pktChanging: true },
    fn: (m) => {
      const x = xdpOf(m, 'bpf_xdp_adjust_tail');
      const off = m.argS32(2);
      const b = x.buf;
      if (x.frags.length > 0) {
        if (off < 0) {
          let shrink = -off;
          if (shrink > x.buffLen - ETH_HLEN) return m.setR0Num(-EINVAL);
          while (shrink > 0 && x.frags.length > 0) {
            const last = x.frags[x.frags.length - 1]!;
            const n = Math.min(shrink, last.size);
            last.size -= n;
            shrink -= n;
            if (last.size === 0) x.frags.pop();
          }
          if (x.frags.length === 0 && shrink > 0) {
            b.end -= shrink;
            b.remap('bpf_xdp_adjust_tail');
          }
          return m.setR0Num(0);
        }
        const last = x.frags[x.frags.length - 1]!;
        if (off > PAGE_SIZE - last.size) return m.setR0Num(-EINVAL);
        last.page.fill(0, last.size, last.size + off);
        last.size += off;
        return m.setR0Num(0);
      }
      const end = b.end + off;
      if (end > x.hardEnd || end < b.data + ETH_HLEN) return m.setR0Num(-EINVAL);
      // The kernel clears grown bytes: they could hold stale data.
      if (off > 0) b.frame.fill(0, b.end, end);
      b.end = end;
      b.remap('bpf_xdp_adjust_tail');
      m.setR0Num(0);
    },
  },
  {
    // bpf_skb_load_bytes_relative
    id: PacketHelperId.skb_load_bytes_relative,
    name: 'skb_load_bytes_relative',
    progTypes: [P.SOCKET_FILTER, ...TC, P.CGROUP_SKB, P.SK_REUSEPORT],
    args: ['ctx', 'anything', 'ptr', 'size', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY, UNINIT_MEM, SIZE, ANY] },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_skb_load_bytes_relative');
      const len = sizeArg(m, 4, 'bpf_skb_load_bytes_relative', false);
      const to = m.argBytes(3, len, true, 'to');
      const off = m.argU32(2);
      const hdr = m.argU32(5);
      // BPF_HDR_START_MAC (0) or BPF_HDR_START_NET (1).
      const start = hdr === 0 ? skb.mac : hdr === 1 ? skb.network : -1;
      if (off > 0xffff || start < 0 || start + off + len > skb.buf.end) {
        to.fill(0);
        return m.setR0Num(-EFAULT);
      }
      to.set(skb.buf.frame.subarray(start + off, start + off + len));
      m.setR0Num(0);
    },
  },
  {
    // bpf_csum_level
    id: PacketHelperId.csum_level,
    name: 'csum_level',
    progTypes: [...TC, P.LWT_XMIT],
    args: ['ctx', 'anything'],
    proto: { ret: 'integer', args: [CTX, ANY] },
    fn: (m) => {
      const skb = skbOf(m, 'bpf_csum_level');
      const level = m.argU64(2);
      // BPF_CSUM_LEVEL_QUERY / INC / DEC / RESET.
      switch (level) {
        case 0n:
          return m.setR0Num(skb.ipSummed === CHECKSUM_UNNECESSARY ? skb.csumLevel : -EACCES);
        case 1n:
          if (skb.ipSummed === CHECKSUM_UNNECESSARY) {
            if (skb.csumLevel < SKB_MAX_CSUM_LEVEL) skb.csumLevel++;
          } else if (skb.ipSummed === CHECKSUM_NONE) {
            skb.ipSummed = CHECKSUM_UNNECESSARY;
            skb.csumLevel = 0;
          }
          return m.setR0Num(0);
        case 2n:
          if (skb.ipSummed === CHECKSUM_UNNECESSARY) {
            if (skb.csumLevel === 0) skb.ipSummed = CHECKSUM_NONE;
            else skb.csumLevel--;
          }
          return m.setR0Num(0);
        case 3n:
          if (skb.ipSummed === CHECKSUM_UNNECESSARY) {
            skb.ipSummed = CHECKSUM_NONE;
            skb.csumLevel = 0;
          }
          return m.setR0Num(0);
        default:
          return m.setR0Num(-EINVAL);
      }
    },
  },
  {
    // bpf_xdp_get_buff_len
    id: PacketHelperId.xdp_get_buff_len,
    name: 'xdp_get_buff_len',
    progTypes: [P.XDP],
    args: ['ctx'],
    proto: { ret: 'integer', args: [CTX] },
    fn: (m) => {
      m.setR0Num(xdpOf(m, 'bpf_xdp_get_buff_len').buffLen);
    },
  },
  {
    // bpf_xdp_load_bytes (bpf_xdp_pointer checks, then bpf_xdp_copy_buf)
    id: PacketHelperId.xdp_load_bytes,
    name: 'xdp_load_bytes',
    progTypes: [P.XDP],
    args: ['ctx', 'anything', 'ptr', 'size'],
    proto: { ret: 'integer', args: [CTX, ANY, UNINIT_MEM, SIZE] },
    fn: (m) => {
      const x = xdpOf(m, 'bpf_xdp_load_bytes');
      const len = sizeArg(m, 4, 'bpf_xdp_load_bytes', false);
      const buf = m.argBytes(3, len, true, 'buf');
      const off = m.argU32(2);
      if (off > 0xffff || len > 0xffff) return m.setR0Num(-EFAULT);
      if (off + len > x.buffLen) return m.setR0Num(-EINVAL);
      x.copy(off, buf, false);
      m.setR0Num(0);
    },
  },
  {
    // bpf_xdp_store_bytes
    id: PacketHelperId.xdp_store_bytes,
    name: 'xdp_store_bytes',
    progTypes: [P.XDP],
    args: ['ctx', 'anything', 'ptr', 'size'],
    proto: { ret: 'integer', args: [CTX, ANY, RDONLY_MEM, SIZE] },
    fn: (m) => {
      const x = xdpOf(m, 'bpf_xdp_store_bytes');
      const len = sizeArg(m, 4, 'bpf_xdp_store_bytes', false);
      const buf = m.argBytes(3, len, false, 'buf');
      const off = m.argU32(2);
      if (off > 0xffff || len > 0xffff) return m.setR0Num(-EFAULT);
      if (off + len > x.buffLen) return m.setR0Num(-EINVAL);
      x.copy(off, buf.slice(), true);
      m.setR0Num(0);
    },
  },
];

/** The packet helper family. */
export function packetHelpers(): HelperDef[] {
  return PACKET_HELPERS.map((h) => ({ ...h }));
}
