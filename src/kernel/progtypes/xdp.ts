/**
 * BPF_PROG_TYPE_XDP: the `struct xdp_md` context and bpf_prog_test_run_xdp (net/bpf/test_run.c,
 * Linux 6.18, checked against the 6.18 kernel).
 *
 * Test run:
 * - devmap/cpumap programs (expected_attach_type BPF_XDP_DEVMAP/CPUMAP): EINVAL; {@link runXdp}
 *   runs them directly;
 * - flags: only BPF_F_TEST_XDP_LIVE_FRAMES (else EINVAL); batch_size only with it (0 → 64, > 256 →
 *   E2BIG); cpu is ignored;
 * - ctx_in (or just ctx_out: a zeroed xdp_md) is a struct xdp_md: data_meta must be 0, data = the
 *   metadata length (a multiple of 4, at most 216 = headroom - sizeof(struct xdp_frame)), data_end
 *   = the linear length (<= data_size_in; the rest of data_in goes to frags), egress_ifindex 0,
 *   ingress_ifindex 0 or a device (ENODEV; the emulator has only the loopback device, ifindex 1),
 *   rx_queue_index < its queue count (EINVAL); a ctx_out without ctx_in therefore means a linear
 *   length of 0, as on the kernel;
 * - data_size_in - metadata >= 14 (EINVAL); the linear part is capped at 4096 - headroom - 320
 *   (3520 bytes without metadata), the rest goes to frags of up to 4096 bytes (at most 17: ENOMEM);
 * - repeat runs the program on the same xdp_buff (changes accumulate); retval is the last action;
 * - data_out = data_meta..data_end plus the frags; ctx_out = the input xdp_md with data and
 *   data_end rewritten (data - data_meta, data_end - data_meta);
 * - live frames mode runs the program on a fresh copy of the frame each time, reports retval 0 and
 *   the unmodified input as data_out (the kernel transmits or drops the copies); data_out/ctx_out
 *   together with a ctx are EINVAL and the linear part is 112 bytes (xdp_page_head) shorter.
 */
import { ERRNO } from '../../util/errno.js';
import { AttachType, ProgType } from '../../object/uapi.js';
import { PERM_RW } from '../../vm/memory.js';
import type { Fault } from '../../vm/fault.js';
import type { CtxRead, CtxReads } from '../../vm/machine.js';
import {
  ETH_HLEN,
  MAX_SKB_FRAGS,
  PAGE_SIZE,
  PacketBuffer,
  SKB_SHINFO_SIZE,
  XDP_FRAME_SIZE,
  XDP_PACKET_HEADROOM,
  XdpBuff,
  type RedirectRecord,
  type XdpFrag,
} from '../../helpers/packet.js';
import { BPF_F_TEST_XDP_LIVE_FRAMES } from '../syscall/uapi.js';
import type { Kernel } from '../kernel.js';
import type { KProg } from '../objects/objects.js';
import { checkInterrupt, mapCtx, nowNs, timedRuns } from './common.js';
import { CtxRegion, ctxIn, ctxLayout, type CtxBackend, type CtxField, type CtxPolicy } from './ctx.js';
import type { ProgTypeOps, TestRunInput, TestRunOutput } from './registry.js';

const { EINVAL, E2BIG, ENODEV, ENOMEM } = ERRNO;

/** The emulated machine's network devices: only the loopback device, ifindex 1, one rx queue. */
export const LOOPBACK_IFINDEX = 1;
const LOOPBACK_RX_QUEUES = 1;

/** sizeof(struct xdp_page_head): live-frames mode keeps it at the head of each page. */
const XDP_PAGE_HEAD_SIZE = 112;
/** TEST_XDP_MAX_BATCH (a batch_size of 0 means NAPI_POLL_WEIGHT; batches only group runs). */
const TEST_XDP_MAX_BATCH = 256;

/** struct xdp_md (include/uapi/linux/bpf.h). */
export const XDP_MD = ctxLayout('xdp_md', 24, [
  ['data', 0, 'pkt'],
  ['data_end', 4, 'pkt'],
  ['data_meta', 8, 'pkt'],
  ['ingress_ifindex', 12, 'u32-exact'],
  ['rx_queue_index', 16, 'u32-exact'],
  ['egress_ifindex', 20, 'u32-exact'],
]);

const READ = ['data', 'data_end', 'data_meta', 'ingress_ifindex', 'rx_queue_index'];
/** xdp_is_valid_access: no writes; egress_ifindex only for BPF_XDP_DEVMAP programs. */
const XDP_POLICY: CtxPolicy = { read: new Set(READ), write: new Set() };
const XDP_DEVMAP_POLICY: CtxPolicy = { read: new Set([...READ, 'egress_ifindex']), write: new Set() };

/** The xdp_md access policy of a program with expected attach type `eat`. */
export function xdpPolicy(eat: number): CtxPolicy {
  return eat === AttachType.XDP_DEVMAP ? XDP_DEVMAP_POLICY : XDP_POLICY;
}

/**
 * The xdp_md fields after bpf_convert_ctx_access (xdp_convert_ctx_access), by name: pointers from
 * the xdp_buff, ifindexes from rxq/txq, as register halves. The slow path (XdpCtx) and the tier's
 * direct ctx loads (xdpCtxReadsFor) both read through these.
 */
const XDP_READ: Readonly<Record<string, (x: XdpBuff, out: Int32Array) => void>> = {
  data: (x, out) => x.buf.pointerInto(x.buf.data, out),
  data_end: (x, out) => x.buf.pointerInto(x.buf.end, out),
  data_meta: (x, out) => x.buf.pointerInto(x.buf.meta, out),
  ingress_ifindex: (x, out) => {
    out[0] = x.ingressIfindex;
    out[1] = 0;
  },
  rx_queue_index: (x, out) => {
    out[0] = x.rxQueueIndex;
    out[1] = 0;
  },
  egress_ifindex: (x, out) => {
    out[0] = x.egressIfindex;
    out[1] = 0;
  },
};
/** {@link XDP_READ} by field index of XDP_MD (no lookup by name per load). */
const XDP_READ_AT = XDP_MD.fields.map((f) => XDP_READ[f.name]!);

class XdpCtx implements CtxBackend {
  constructor(private readonly x: XdpBuff) {}

  read(f: CtxField, out: Int32Array): void {
    XDP_READ_AT[XDP_MD.byByte[f.off]!]!(this.x, out);
  }

  write(): void {
    // No xdp_md field is writable (the policy rejects every store first).
  }
}

function xdpCtxReads(policy: CtxPolicy): CtxReads {
  const fields = new Map<number, CtxRead>();
  for (const f of XDP_MD.fields) {
    const read = XDP_READ[f.name]!;
    if (policy.read.has(f.name)) fields.set(f.off, { size: f.size, pointer: f.kind === 'pkt', read: (c, out) => read(c as XdpBuff, out) });
  }
  return { region: (m) => (m.context instanceof XdpBuff ? m.context.ctxRegion : 0), fields };
}

const XDP_CTX_READS = xdpCtxReads(XDP_POLICY);
const XDP_DEVMAP_CTX_READS = xdpCtxReads(XDP_DEVMAP_POLICY);

/** The xdp_md loads the JavaScript tier reads directly for a program with expected attach type `eat`. */
export function xdpCtxReadsFor(eat: number): CtxReads {
  return eat === AttachType.XDP_DEVMAP ? XDP_DEVMAP_CTX_READS : XDP_CTX_READS;
}

/** Input of a direct XDP run ({@link runXdp}). */
export interface XdpRunInput {
  /** The frame: metadata (metaLen bytes), then the packet. */
  readonly data: Uint8Array;
  /** Leading bytes of `data` that are metadata (a multiple of 4, <= 216; default 0). */
  readonly metaLen?: number;
  /** Bytes of `data` (metadata included) in the linear part; the rest goes to frags (default: as many as fit). */
  readonly linearLen?: number;
  readonly ingressIfindex?: number;
  readonly rxQueueIndex?: number;
  /** txq device of a devmap program (0 otherwise). */
  readonly egressIfindex?: number;
  /** Runs on the same buffer (0 and 1 mean once). */
  readonly repeat?: number;
  /** Extra headroom taken from the page (live-frames mode: 112). */
  readonly pageHead?: number;
}

/** Outcome of a direct XDP run. */
export interface XdpRunResult {
  /** The action (low 32 bits of r0). */
  readonly retval: number;
  readonly fault: Fault | null;
  /** data_meta..data_end plus frags. */
  readonly dataOut: Uint8Array;
  readonly fragsSize: number;
  /** data - data_meta and data_end - data_meta at the end. */
  readonly metaLen: number;
  readonly linearEnd: number;
  readonly redirect: RedirectRecord | null;
  readonly durationNs: number;
}

/**
 * Build the xdp_buff for `input` and run `prog` on it (no test-run restrictions: devmap programs
 * run here too). Returns -errno for an input the kernel's test run would refuse.
 */
export function runXdp(k: Kernel, prog: KProg, input: XdpRunInput): XdpRunResult | number {
  const metaLen = input.metaLen ?? 0;
  if ((metaLen & 3) !== 0 || metaLen > XDP_PACKET_HEADROOM - XDP_FRAME_SIZE || metaLen > input.data.length) return -EINVAL;
  const headroom = XDP_PACKET_HEADROOM - metaLen + (input.pageHead ?? 0);
  const maxLinear = PAGE_SIZE - headroom - SKB_SHINFO_SIZE;
  const linear = Math.min(input.linearLen ?? input.data.length, maxLinear, input.data.length);
  if (linear < metaLen) return -EINVAL;
  const frame = new Uint8Array(PAGE_SIZE);
  frame.set(input.data.subarray(0, linear), headroom);
  const frags: XdpFrag[] = [];
  for (let o = linear; o < input.data.length; o += PAGE_SIZE) {
    if (frags.length === MAX_SKB_FRAGS) return -ENOMEM;
    const chunk = input.data.subarray(o, Math.min(o + PAGE_SIZE, input.data.length));
    const page = new Uint8Array(PAGE_SIZE);
    page.set(chunk);
    frags.push({ page, size: chunk.length });
  }
  const buf = new PacketBuffer(k.mem, frame, headroom, headroom + metaLen, headroom + linear, PERM_RW, `xdp packet of ${prog.name || 'prog'}`, true);
  const x = new XdpBuff(buf, frags, input.ingressIfindex ?? LOOPBACK_IFINDEX, input.rxQueueIndex ?? 0, input.egressIfindex ?? 0);
  const policy = xdpPolicy(prog.expectedAttachType);
  const ctx = mapCtx(k, new Uint8Array(XDP_MD.size), `xdp_md of ${prog.name || 'prog'}`, true, new CtxRegion(XDP_MD, policy, new XdpCtx(x)));
  x.ctxRegion = ctx.region;
  try {
    const r = timedRuns(k, prog, [ctx.ptr], input.repeat ?? 0, (m) => {
      m.context = x;
    });
    return {
      retval: Number(r.r0 & 0xffffffffn),
      fault: r.fault,
      dataOut: x.dataOut(),
      fragsSize: x.fragsSize,
      metaLen: buf.data - buf.meta,
      linearEnd: buf.end - buf.meta,
      redirect: x.redirect,
      durationNs: r.durationNs,
    };
  } finally {
    k.retireRegion(ctx.region);
    for (const id of buf.regions) k.retireRegion(id);
  }
}

function u32(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
}

/** bpf_prog_test_run_xdp. */
function testRunXdp(k: Kernel, t: TestRunInput): TestRunOutput | number {
  const prog = t.prog;
  if (prog.expectedAttachType === AttachType.XDP_DEVMAP || prog.expectedAttachType === AttachType.XDP_CPUMAP) return k.refuse(-EINVAL, 'devmap and cpumap XDP programs cannot be test-run');
  if ((t.flags & ~BPF_F_TEST_XDP_LIVE_FRAMES) !== 0) return k.refuse(-EINVAL, `XDP test runs take only the BPF_F_TEST_XDP_LIVE_FRAMES flag, got flags 0x${t.flags.toString(16)}`);
  const live = (t.flags & BPF_F_TEST_XDP_LIVE_FRAMES) !== 0;
  if (live) {
    if (t.batchSize > TEST_XDP_MAX_BATCH) return -E2BIG;
  } else if (t.batchSize !== 0) return k.refuse(-EINVAL, 'batch_size needs BPF_F_TEST_XDP_LIVE_FRAMES');
  let ctx: Uint8Array | null = null;
  if (t.ctxIn !== null || t.hasCtxOut) {
    const c = ctxIn(t.ctxIn ?? new Uint8Array(0), XDP_MD.size);
    if (typeof c === 'number') return c;
    ctx = c;
  }
  const dataIn = t.dataIn ?? new Uint8Array(0);
  let metaLen = 0;
  let linear = dataIn.length;
  let ingress = 0;
  let queue = 0;
  if (ctx !== null) {
    const data = u32(ctx, 0);
    const dataEnd = u32(ctx, 4);
    if (u32(ctx, 8) !== 0) return k.refuse(-EINVAL, 'xdp_md.data_meta in ctx_in must be 0');
    if (dataEnd > dataIn.length || data > dataEnd) return k.refuse(-EINVAL, `xdp_md.data ${data} and data_end ${dataEnd} in ctx_in must satisfy data <= data_end <= data_size_in (${dataIn.length})`);
    if (live && (t.hasDataOut || t.hasCtxOut)) return k.refuse(-EINVAL, 'live-frame XDP test runs return no data_out or ctx_out');
    if ((data & 3) !== 0 || data > XDP_PACKET_HEADROOM - XDP_FRAME_SIZE) return k.refuse(-EINVAL, `xdp_md.data ${data} in ctx_in (the metadata length) must be a multiple of 4 and at most ${XDP_PACKET_HEADROOM - XDP_FRAME_SIZE}`);
    metaLen = data;
    linear = dataEnd;
  }
  const maxLinear = PAGE_SIZE - (XDP_PACKET_HEADROOM - metaLen + (live ? XDP_PAGE_HEAD_SIZE : 0)) - SKB_SHINFO_SIZE;
  linear = Math.min(linear, maxLinear);
  if (live && dataIn.length > linear) return k.refuse(-EINVAL, `live-frame XDP data must fit the linear area (${linear} bytes)`);
  if (dataIn.length - metaLen < ETH_HLEN) return k.refuse(-EINVAL, `XDP needs at least ${ETH_HLEN} bytes of packet data (an Ethernet header) after the metadata; data_in has ${dataIn.length - metaLen}`);
  if (ctx !== null) {
    // xdp_convert_md_to_buff
    if (u32(ctx, 20) !== 0) return k.refuse(-EINVAL, 'xdp_md.egress_ifindex in ctx_in must be 0');
    ingress = u32(ctx, 12);
    queue = u32(ctx, 16);
    if (ingress === 0 && queue !== 0) return k.refuse(-EINVAL, 'xdp_md.rx_queue_index in ctx_in needs ingress_ifindex');
    if (ingress !== 0) {
      if (ingress !== LOOPBACK_IFINDEX) return k.refuse(-ENODEV, `xdp_md.ingress_ifindex ${ingress}: the emulated kernel has only loopback (ifindex ${LOOPBACK_IFINDEX})`);
      if (queue >= LOOPBACK_RX_QUEUES) return k.refuse(-EINVAL, `xdp_md.rx_queue_index ${queue}: loopback has ${LOOPBACK_RX_QUEUES} rx queue(s)`);
    }
  }
  const input: XdpRunInput = {
    data: dataIn,
    metaLen,
    linearLen: linear,
    ingressIfindex: ingress === 0 ? LOOPBACK_IFINDEX : ingress,
    rxQueueIndex: queue,
    ...(live ? { pageHead: XDP_PAGE_HEAD_SIZE } : {}),
  };
  if (live) {
    // Each run gets a fresh copy of the frame; the verdicts are not reported.
    let redirect: RedirectRecord | null = null;
    let total = 0;
    const n = t.repeat === 0 ? 1 : t.repeat;
    const start = nowNs();
    for (let i = 0; i < n; i++) {
      checkInterrupt(k, start, i);
      const r = runXdp(k, prog, input);
      if (typeof r === 'number') return r;
      if (r.fault !== null) return k.reportFault(r.fault);
      redirect = r.redirect ?? redirect;
      total += r.durationNs;
    }
    return { retval: 0, durationNs: total / n, dataOut: dataIn.slice(), redirect };
  }
  const r = runXdp(k, prog, { ...input, repeat: t.repeat });
  if (typeof r === 'number') return r;
  if (r.fault !== null) return k.reportFault(r.fault);
  let ctxOut: Uint8Array | undefined;
  if (ctx !== null) {
    ctxOut = ctx.slice();
    const dv = new DataView(ctxOut.buffer);
    dv.setUint32(0, r.metaLen, true);
    dv.setUint32(4, r.linearEnd, true);
  }
  return { retval: r.retval, durationNs: r.durationNs, dataOut: r.dataOut, fragsSize: r.fragsSize, redirect: r.redirect, ...(ctxOut !== undefined ? { ctxOut } : {}) };
}

/** BPF_PROG_TYPE_XDP. */
export const XDP_PROG: ProgTypeOps = { type: ProgType.XDP, name: 'xdp', testRun: testRunXdp, ctxReads: xdpCtxReadsFor };

