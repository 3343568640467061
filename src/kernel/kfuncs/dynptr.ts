/**
 * The dynptr kfuncs of 6.18 (kernel/bpf/helpers.c, net/core/filter.c): bpf_dynptr_from_skb (the
 * skb kfunc set: socket filter, tc, cgroup skb, lwt, sk_skb, netfilter), bpf_dynptr_from_xdp
 * (XDP), and for every program type bpf_dynptr_slice, bpf_dynptr_slice_rdwr, bpf_dynptr_adjust,
 * bpf_dynptr_is_null, bpf_dynptr_is_rdonly, bpf_dynptr_size and bpf_dynptr_clone, with 6.18's BTF
 * prototypes. The dynptr's layout and the packet access are src/helpers/dynptr.ts's.
 *
 * An skb dynptr is read-only where the program type may not write packets (the kernel swaps in
 * bpf_dynptr_from_skb_rdonly there). The emulated packet is linear, so a slice of an skb or xdp
 * dynptr is a pointer into the packet when it lies inside it (the buffer is not used).
 */
import { DYNPTR, DYNPTR_MAX_SIZE, dynptrAt, dynptrCheckOffLen, dynptrInit, dynptrIsNull, dynptrPacket, dynptrSetNull, type Dynptr } from '../../helpers/dynptr.js';
import { SkbBuff, XdpBuff } from '../../helpers/packet.js';
import { ProgType } from '../../object/uapi.js';
import { Memory } from '../../vm/memory.js';
import type { Machine } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import type { KfuncCall } from '../kfuncs.js';

const EINVAL = 22;
const ERANGE = 34;

/** Program types of the skb kfunc set (bpf_dynptr_from_skb), as net/core/filter.c registers it. */
export const SKB_KFUNC_TYPES: readonly number[] = [
  ProgType.SCHED_CLS,
  ProgType.SCHED_ACT,
  ProgType.SK_SKB,
  ProgType.SOCKET_FILTER,
  ProgType.CGROUP_SKB,
  ProgType.LWT_OUT,
  ProgType.LWT_IN,
  ProgType.LWT_XMIT,
  ProgType.LWT_SEG6LOCAL,
  ProgType.NETFILTER,
];

/** Program types that may write packet data directly (may_access_direct_pkt_data for BPF_WRITE). */
const PKT_WRITE_TYPES: readonly number[] = [ProgType.SCHED_CLS, ProgType.SCHED_ACT, ProgType.XDP, ProgType.LWT_XMIT, ProgType.SK_SKB, ProgType.SK_MSG];

const DYNPTR_ARG = { name: 'p', type: 'const struct bpf_dynptr *' };

function dynptrParam(c: KfuncCall, i: number, what: string): Dynptr {
  const [id, off] = Memory.split(c.args[i]!);
  return dynptrAt(c.m, id, off, `${what} arg#${i} (dynptr)`);
}

/** A slice of the dynptr at [offset, offset + len): a pointer, or 0 (bpf_dynptr_slice). */
function slice(m: Machine, d: Dynptr, offset: number, len: number, what: string): bigint {
  if (dynptrIsNull(d) || dynptrCheckOffLen(d, offset, len) !== 0) return 0n;
  if (d.type === DYNPTR.LOCAL || d.type === DYNPTR.RINGBUF) {
    m.bytesAt(d.id, d.off + d.start + offset, len, false, `${what}: dynptr data`);
    return Memory.pointer(d.id, d.off + d.start + offset);
  }
  if (d.type === DYNPTR.SKB || d.type === DYNPTR.XDP) {
    const p = dynptrPacket(m, d, what);
    const at = d.start + offset;
    // the linear packet: skb_header_pointer / bpf_xdp_pointer return a pointer into it
    if (at + len > p.buf.len) return 0n;
    return p.buf.pointer(p.buf.data + at);
  }
  return 0n;
}

/** Register the dynptr kfuncs into `k`. */
export function installDynptrKfuncs(k: Kernel): void {
  k.registerKfunc({
    name: 'bpf_dynptr_from_skb',
    proto: { ret: 'int', params: [{ name: 's', type: 'struct __sk_buff *' }, { name: 'flags', type: 'u64' }, { name: 'ptr__uninit', type: 'struct bpf_dynptr *' }] },
    progTypes: SKB_KFUNC_TYPES,
    // net/core/filter.c: KF_TRUSTED_ARGS (a NULL ctx is "Possibly NULL pointer passed to trusted arg0")
    flags: { trustedArgs: true },
    impl: (c) => {
      const [pid, poff] = Memory.split(c.args[2]!);
      const d = dynptrAt(c.m, pid, poff, 'bpf_dynptr_from_skb arg#2 (dynptr)');
      const skb = c.m.context;
      if (!(skb instanceof SkbBuff) || Memory.split(c.args[0]!)[0] !== skb.ctxRegion) throw c.m.fail('helper', 'bpf_dynptr_from_skb: arg#0 is not the program\'s __sk_buff');
      if (c.args[1] !== 0n) {
        dynptrSetNull(d.raw);
        return -EINVAL;
      }
      dynptrInit(d.raw, skb.ctxRegion, 0, DYNPTR.SKB, Math.min(skb.buf.len, DYNPTR_MAX_SIZE), 0, !PKT_WRITE_TYPES.includes(c.prog.type));
      return 0;
    },
  });
  k.registerKfunc({
    name: 'bpf_dynptr_from_xdp',
    proto: { ret: 'int', params: [{ name: 'x', type: 'struct xdp_md *' }, { name: 'flags', type: 'u64' }, { name: 'ptr__uninit', type: 'struct bpf_dynptr *' }] },
    progTypes: [ProgType.XDP],
    impl: (c) => {
      const [pid, poff] = Memory.split(c.args[2]!);
      const d = dynptrAt(c.m, pid, poff, 'bpf_dynptr_from_xdp arg#2 (dynptr)');
      const xdp = c.m.context;
      if (!(xdp instanceof XdpBuff) || Memory.split(c.args[0]!)[0] !== xdp.ctxRegion) throw c.m.fail('helper', 'bpf_dynptr_from_xdp: arg#0 is not the program\'s xdp_md');
      if (c.args[1] !== 0n) {
        dynptrSetNull(d.raw);
        return -EINVAL;
      }
      dynptrInit(d.raw, xdp.ctxRegion, 0, DYNPTR.XDP, Math.min(xdp.buffLen, DYNPTR_MAX_SIZE));
      return 0;
    },
  });
  const sliceParams = [DYNPTR_ARG, { name: 'offset', type: 'u32' }, { name: 'buffer__opt', type: 'void *' }, { name: 'buffer__szk', type: 'u32' }];
  k.registerKfunc({
    name: 'bpf_dynptr_slice',
    proto: { ret: 'void *', params: sliceParams },
    flags: { retNull: true },
    impl: (c) => slice(c.m, dynptrParam(c, 0, 'bpf_dynptr_slice'), Number(c.args[1]! & 0xffffffffn), Number(c.args[3]! & 0xffffffffn), 'bpf_dynptr_slice'),
  });
  k.registerKfunc({
    name: 'bpf_dynptr_slice_rdwr',
    proto: { ret: 'void *', params: sliceParams },
    flags: { retNull: true },
    impl: (c) => {
      const d = dynptrParam(c, 0, 'bpf_dynptr_slice_rdwr');
      if (d.rdonly) return 0n;
      return slice(c.m, d, Number(c.args[1]! & 0xffffffffn), Number(c.args[3]! & 0xffffffffn), 'bpf_dynptr_slice_rdwr');
    },
  });
  k.registerKfunc({
    name: 'bpf_dynptr_adjust',
    proto: { ret: 'int', params: [DYNPTR_ARG, { name: 'start', type: 'u32' }, { name: 'end', type: 'u32' }] },
    impl: (c) => {
      const d = dynptrParam(c, 0, 'bpf_dynptr_adjust');
      if (dynptrIsNull(d)) return -EINVAL;
      const start = Number(c.args[1]! & 0xffffffffn);
      const end = Number(c.args[2]! & 0xffffffffn);
      // start > end first (adjust(p, 30, 10) of a 20-byte dynptr is -EINVAL on 6.18, recorded in tc_dynptr)
      if (start > end) return -EINVAL;
      if (start > d.size || end > d.size) return -ERANGE;
      dynptrInit(d.raw, d.id, d.off, d.type, end - start, d.start + start, d.rdonly);
      return 0;
    },
  });
  k.registerKfunc({
    name: 'bpf_dynptr_is_null',
    proto: { ret: 'bool', params: [DYNPTR_ARG] },
    impl: (c) => (dynptrIsNull(dynptrParam(c, 0, 'bpf_dynptr_is_null')) ? 1 : 0),
  });
  k.registerKfunc({
    name: 'bpf_dynptr_is_rdonly',
    proto: { ret: 'bool', params: [DYNPTR_ARG] },
    impl: (c) => {
      const d = dynptrParam(c, 0, 'bpf_dynptr_is_rdonly');
      return !dynptrIsNull(d) && d.rdonly ? 1 : 0;
    },
  });
  k.registerKfunc({
    name: 'bpf_dynptr_size',
    proto: { ret: '__u32', params: [DYNPTR_ARG] },
    impl: (c) => {
      const d = dynptrParam(c, 0, 'bpf_dynptr_size');
      // -EINVAL as a __u32
      return dynptrIsNull(d) ? 0x100000000 - EINVAL : d.size;
    },
  });
  k.registerKfunc({
    name: 'bpf_dynptr_clone',
    proto: { ret: 'int', params: [DYNPTR_ARG, { name: 'clone__uninit', type: 'struct bpf_dynptr *' }] },
    impl: (c) => {
      const d = dynptrParam(c, 0, 'bpf_dynptr_clone');
      const [cid, coff] = Memory.split(c.args[1]!);
      const clone = dynptrAt(c.m, cid, coff, 'bpf_dynptr_clone arg#1 (dynptr)');
      if (dynptrIsNull(d)) {
        dynptrSetNull(clone.raw);
        return -EINVAL;
      }
      clone.raw.set(d.raw);
      return 0;
    },
  });
}
