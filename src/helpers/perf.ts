/**
 * bpf_perf_event_output(ctx, map, flags, data, size) (kernel/trace/bpf_trace.c and the skb/xdp
 * flavours in net/core/filter.c): a raw sample into the PERF_EVENT_ARRAY slot of `flags &
 * BPF_F_INDEX_MASK` (BPF_F_CURRENT_CPU = the running CPU's). Packet programs may also append the
 * first `(flags >> 32) & 0xfffff` bytes of their packet: their run context provides them through
 * {@link EventOutputPacket}. The errnos come from PerfEventArrayMap.output.
 */
import { PerfEventArrayMap } from '../maps/perf.js';
import { SkbBuff, XdpBuff } from './packet.js';
import type { Machine } from '../vm/machine.js';
import { ctxArg, mapArg, memArgOrZero } from './args.js';
import { hostOf } from './host.js';
import { ProgType as P } from '../object/uapi.js';
import { allTypesExcept } from './progtypes.js';
import type { HelperDef, HelperProto } from './registry.js';

/**
 * Implemented by the run context (Machine.context) of packet program types whose
 * bpf_perf_event_output may append packet bytes (bpf_skb_event_output, bpf_xdp_event_output).
 */
export interface EventOutputPacket {
  /** The packet bytes the BPF_F_CTXLEN_MASK field of the flags may copy from. */
  eventOutputPacket(): Uint8Array;
}

/**
 * The bytes the packet flavours copy from: bpf_xdp_event_output reads the xdp_buff from data (the
 * linear part, then the frags), bpf_skb_event_output the skb from skb->data (skb_copy_bits).
 */
function packetOf(m: Machine): Uint8Array | null {
  const c = m.context;
  if (c instanceof XdpBuff) {
    const out = new Uint8Array(c.buffLen);
    c.copy(0, out, false);
    return out;
  }
  if (c instanceof SkbBuff) return c.buf.bytes();
  const e = c as Partial<EventOutputPacket> | null;
  return e !== null && typeof e.eventOutputPacket === 'function' ? e.eventOutputPacket() : null;
}

function perfEventOutput(m: Machine): void {
  const H = 'bpf_perf_event_output';
  ctxArg(m, 1, H);
  const map = mapArg(m, 2, H, 'perf_event_output');
  if (!(map instanceof PerfEventArrayMap)) throw m.fail('helper', `${H} r2: map '${map.name || map.id}' is not a perf event array`);
  const size = m.argNum(5);
  const off = memArgOrZero(m, 4, size, false, H, 'data');
  const data = m.mem.bytes(m.hi[4]!) ?? new Uint8Array(0);
  m.setR0Num(map.output(data, off, size, m.lo[3]! >>> 0, m.hi[3]! >>> 0, hostOf(m).currentCpu(), packetOf(m)));
}

/**
 * Every type's get_func_proto offers a bpf_perf_event_output flavour (tracing, skb, xdp, sock_addr,
 * ...) except sk_reuseport, flow_dissector and netfilter (measured on 6.18); struct_ops, ext and
 * lirc_mode2 programs are not emulated.
 */
const PERF_OUTPUT_TYPES = allTypesExcept([P.SK_REUSEPORT, P.FLOW_DISSECTOR, P.NETFILTER, P.STRUCT_OPS, P.EXT, P.LIRC_MODE2]);

/** The flavours share one prototype: ctx, a perf event array, flags, read-only data and its size (0 allowed). */
const PERF_OUTPUT_PROTO: HelperProto = {
  ret: 'integer',
  args: [{ kind: 'ctx' }, { kind: 'map' }, { kind: 'anything' }, { kind: 'mem', rdonly: true }, { kind: 'size_or_zero' }],
};

/** The perf event output family. */
export function perfHelpers(): HelperDef[] {
  return [{ id: 25, name: 'perf_event_output', fn: perfEventOutput, gplOnly: true, progTypes: PERF_OUTPUT_TYPES, proto: PERF_OUTPUT_PROTO, family: 'perf' }];
}
