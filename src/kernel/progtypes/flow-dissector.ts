/**
 * BPF_PROG_TYPE_FLOW_DISSECTOR and bpf_prog_test_run_flow_dissector (net/bpf/test_run.c,
 * bpf_flow_dissect in net/core/flow_dissector.c; Linux 6.18, checked on the 6.18 kernel).
 *
 * The program's ctx is a __sk_buff of which only data, data_end (the frame, read-only) and
 * flow_keys (a writable struct bpf_flow_keys) are readable. Before each run the keys are zeroed
 * and n_proto = the frame's EtherType (network order), nhoff = thoff = 14, flags = ctx_in's flags;
 * afterwards nhoff is clamped to [14, size] and thoff to [nhoff, size].
 *
 * Test run: flags, cpu, batch_size must be 0 and data_size_in >= 14 (EINVAL); ctx_in is a struct
 * bpf_flow_keys (56 bytes; E2BIG for a non-zero tail) where only `flags` may be non-zero
 * (EINVAL); data_out = the keys after the last run, ctx_out = ctx_in unchanged, retval = r0.
 * There is no sk_buff behind the ctx, so bpf_skb_load_bytes fails with EFAULT.
 *
 *   struct bpf_flow_keys:  0 nhoff u16 | 2 thoff u16 | 4 addr_proto u16 | 6 is_frag u8
 *     7 is_first_frag u8 | 8 is_encap u8 | 9 ip_proto u8 | 10 n_proto be16 | 12 sport be16
 *     14 dport be16 | 16 addresses (2 x 16) | 48 flags u32 | 52 flow_label be32   (56 bytes)
 */
import { ERRNO } from '../../util/errno.js';
import { ProgType } from '../../object/uapi.js';
import { PERM_R, PERM_RW, RegionKind } from '../../vm/memory.js';
import { ETH_HLEN, PacketBuffer, SkbBuff } from '../../helpers/packet.js';
import type { Kernel } from '../kernel.js';
import { mapCtx, timedRuns } from './common.js';
import { CtxRegion, ctxIn, rangeIsZero } from './ctx.js';
import type { ProgTypeOps, TestRunInput, TestRunOutput } from './registry.js';
import { SKB_POLICIES, SK_BUFF, skbBackend, skbCtxReadsFor } from './skb.js';

const { EINVAL } = ERRNO;

/** sizeof(struct bpf_flow_keys). */
export const FLOW_KEYS_SIZE = 56;
const FLAGS_OFF = 48;

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** bpf_prog_test_run_flow_dissector. */
function testRunFlowDissector(k: Kernel, t: TestRunInput): TestRunOutput | number {
  if (t.flags !== 0 || t.cpu !== 0 || t.batchSize !== 0) return -EINVAL;
  const data = t.dataIn ?? new Uint8Array(0);
  const size = data.length;
  if (size < ETH_HLEN) return -EINVAL;
  let user: Uint8Array | null = null;
  let flags = 0;
  if (t.ctxIn !== null || t.hasCtxOut) {
    const c = ctxIn(t.ctxIn ?? new Uint8Array(0), FLOW_KEYS_SIZE);
    if (typeof c === 'number') return c;
    if (!rangeIsZero(c, 0, FLAGS_OFF) || !rangeIsZero(c, FLAGS_OFF + 4, FLOW_KEYS_SIZE)) return -EINVAL;
    user = c;
    flags = new DataView(c.buffer).getUint32(FLAGS_OFF, true);
  }
  const prog = t.prog;
  const frame = data.slice();
  const buf = new PacketBuffer(k.mem, frame, 0, 0, size, PERM_R, `flow dissector packet of ${prog.name || 'prog'}`, false);
  const skb = new SkbBuff(buf, ProgType.FLOW_DISSECTOR);
  skb.hasSkb = false;
  const keys = new Uint8Array(FLOW_KEYS_SIZE);
  const kv = new DataView(keys.buffer);
  skb.flowKeysRegion = k.mem.map(keys, { kind: RegionKind.KERNEL, perm: PERM_RW, label: `bpf_flow_keys of ${prog.name || 'prog'}` });
  const ctx = mapCtx(k, new Uint8Array(SK_BUFF.size), `__sk_buff of ${prog.name || 'prog'}`, true, new CtxRegion(SK_BUFF, SKB_POLICIES.get(ProgType.FLOW_DISSECTOR)!, skbBackend(skb)));
  skb.ctxRegion = ctx.region;
  try {
    const r = timedRuns(k, prog, [ctx.ptr], t.repeat, (m) => {
      m.context = skb;
      // bpf_flow_dissect: fresh keys for every run.
      keys.fill(0);
      kv.setUint16(0, ETH_HLEN, true);
      kv.setUint16(2, ETH_HLEN, true);
      keys[10] = frame[12]!;
      keys[11] = frame[13]!;
      kv.setUint32(FLAGS_OFF, flags, true);
    });
    if (r.fault !== null) return k.reportFault(r.fault);
    const nhoff = clamp(kv.getUint16(0, true), ETH_HLEN, size);
    kv.setUint16(0, nhoff, true);
    kv.setUint16(2, clamp(kv.getUint16(2, true), nhoff, size), true);
    return { retval: Number(r.r0 & 0xffffffffn), durationNs: r.durationNs, dataOut: keys.slice(), ...(user !== null ? { ctxOut: user } : {}) };
  } finally {
    k.retireRegion(ctx.region);
    k.retireRegion(skb.flowKeysRegion);
    for (const id of buf.regions) k.retireRegion(id);
  }
}

/** BPF_PROG_TYPE_FLOW_DISSECTOR. */
export const FLOW_DISSECTOR_PROG: ProgTypeOps = { type: ProgType.FLOW_DISSECTOR, name: 'flow_dissector', testRun: testRunFlowDissector, ctxReads: () => skbCtxReadsFor(ProgType.FLOW_DISSECTOR) };
