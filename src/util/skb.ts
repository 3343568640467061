/**
 * Building and reading `struct __sk_buff` bytes for `testRun({ ctxIn })` / `ctxOut` of socket-buffer
 * programs (tc, socket filter, cgroup skb, ...). Offsets are those of include/uapi/linux/bpf.h on
 * Linux 6.18 (192 bytes, little-endian as on x86-64); which fields the kernel accepts in ctx_in
 * depends on the program type (others must stay zero: EINVAL), see README. No Node-only APIs.
 *
 * ```
 *   0 len            4 pkt_type       8 mark          12 queue_mapping   16 protocol
 *  20 vlan_present  24 vlan_tci      28 vlan_proto    32 priority        36 ingress_ifindex
 *  40 ifindex       44 tc_index      48 cb[5]         68 hash            72 tc_classid
 *  76 data          80 data_end      84 napi_id       88 family          92 remote_ip4
 *  96 local_ip4    100 remote_ip6[4] 116 local_ip6[4] 132 remote_port   136 local_port
 * 140 data_meta    144 flow_keys    152 tstamp (u64) 160 wire_len       164 gso_segs
 * 168 sk           176 gso_size     180 tstamp_type (u8)                184 hwtstamp (u64)
 * ```
 */
import { BpfemuError } from './errors.js';

/** sizeof(struct __sk_buff). */
export const SKB_CTX_SIZE = 192;

/** The u32 fields of struct __sk_buff a builder may set, by C name, with their offsets. */
export const SKB_U32_FIELDS = {
  len: 0,
  pkt_type: 4,
  mark: 8,
  queue_mapping: 12,
  protocol: 16,
  vlan_present: 20,
  vlan_tci: 24,
  vlan_proto: 28,
  priority: 32,
  ingress_ifindex: 36,
  ifindex: 40,
  tc_index: 44,
  hash: 68,
  tc_classid: 72,
  napi_id: 84,
  family: 88,
  remote_ip4: 92,
  local_ip4: 96,
  remote_port: 132,
  local_port: 136,
  wire_len: 160,
  gso_segs: 164,
  gso_size: 176,
} as const;

/** Offsets of the array and wider fields. */
export const SKB_OTHER_FIELDS = { cb: 48, remote_ip6: 100, local_ip6: 116, tstamp: 152, tstamp_type: 180, hwtstamp: 184 } as const;

/** Fields of {@link skbCtx}; unset fields are zero. Pointer fields (data, data_end, data_meta, flow_keys, sk) cannot be set. */
export type SkbCtxFields = { [K in keyof typeof SKB_U32_FIELDS]?: number } & {
  /** Up to 5 u32 words of the control buffer. */
  cb?: readonly number[];
  remote_ip6?: readonly number[];
  local_ip6?: readonly number[];
  tstamp?: number | bigint;
  tstamp_type?: number;
  hwtstamp?: number | bigint;
};

/** A field value {@link skbCtx} cannot write. */
export class SkbCtxError extends BpfemuError<'SKB_CTX'> {
  readonly code = 'SKB_CTX' as const;
}

function u32(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new SkbCtxError(`__sk_buff.${name}: ${v} is not a u32`);
  return v;
}

function u64(name: string, v: number | bigint): bigint {
  const b = typeof v === 'bigint' ? v : Number.isInteger(v) ? BigInt(v) : -1n;
  if (b < 0n || b > 0xffffffffffffffffn) throw new SkbCtxError(`__sk_buff.${name}: ${v} is not a u64`);
  return b;
}

/** The 192 bytes of a struct __sk_buff with the given fields set, e.g. `skbCtx({ mark: 7, cb: [1, 2, 3, 4, 5] })`. */
export function skbCtx(fields: SkbCtxFields = {}): Uint8Array {
  const out = new Uint8Array(SKB_CTX_SIZE);
  const dv = new DataView(out.buffer);
  for (const [k, v] of Object.entries(fields) as [string, unknown][]) {
    if (v === undefined) continue;
    if (k in SKB_U32_FIELDS) {
      dv.setUint32(SKB_U32_FIELDS[k as keyof typeof SKB_U32_FIELDS], u32(k, v as number), true);
    } else if (k === 'cb' || k === 'remote_ip6' || k === 'local_ip6') {
      const a = v as readonly number[];
      const max = k === 'cb' ? 5 : 4;
      if (a.length > max) throw new SkbCtxError(`__sk_buff.${k}: ${a.length} words, it has ${max}`);
      a.forEach((w, i) => dv.setUint32(SKB_OTHER_FIELDS[k] + 4 * i, u32(`${k}[${i}]`, w), true));
    } else if (k === 'tstamp' || k === 'hwtstamp') {
      dv.setBigUint64(SKB_OTHER_FIELDS[k], u64(k, v as number | bigint), true);
    } else if (k === 'tstamp_type') {
      const t = v as number;
      if (!Number.isInteger(t) || t < 0 || t > 255) throw new SkbCtxError(`__sk_buff.tstamp_type: ${t} is not a u8`);
      out[SKB_OTHER_FIELDS.tstamp_type] = t;
    } else throw new SkbCtxError(`__sk_buff has no settable field '${k}' (pointer fields cannot be set)`);
  }
  return out;
}

/** The fields of __sk_buff bytes (`ctxOut`); u64 fields as bigint. */
export interface SkbCtxView extends Required<Record<keyof typeof SKB_U32_FIELDS, number>> {
  cb: number[];
  remote_ip6: number[];
  local_ip6: number[];
  tstamp: bigint;
  tstamp_type: number;
  hwtstamp: bigint;
}

/** Read struct __sk_buff bytes (e.g. `ctxOut`) back into fields. */
export function parseSkbCtx(b: Uint8Array): SkbCtxView {
  if (b.length < SKB_CTX_SIZE) throw new SkbCtxError(`__sk_buff: ${b.length} bytes, it has ${SKB_CTX_SIZE}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const words = (o: number, n: number): number[] => Array.from({ length: n }, (_, i) => dv.getUint32(o + 4 * i, true));
  const out = {
    cb: words(SKB_OTHER_FIELDS.cb, 5),
    remote_ip6: words(SKB_OTHER_FIELDS.remote_ip6, 4),
    local_ip6: words(SKB_OTHER_FIELDS.local_ip6, 4),
    tstamp: dv.getBigUint64(SKB_OTHER_FIELDS.tstamp, true),
    tstamp_type: b[SKB_OTHER_FIELDS.tstamp_type]!,
    hwtstamp: dv.getBigUint64(SKB_OTHER_FIELDS.hwtstamp, true),
  } as SkbCtxView;
  for (const [k, o] of Object.entries(SKB_U32_FIELDS)) (out as unknown as Record<string, number>)[k] = dv.getUint32(o, true);
  return out;
}
