/**
 * The uapi return codes tests compare against, by name: XDP actions (enum xdp_action), tc actions
 * (TC_ACT_* of linux/pkt_cls.h) and socket verdicts (enum sk_action), so a test reads
 * `expect(r.retval).toBe(XdpAction.DROP)`.
 */
export { XdpAction } from '../helpers/packet.js';

/** TC_ACT_* (include/uapi/linux/pkt_cls.h): what tc and lwt programs return. */
export const TcAct = { UNSPEC: -1, OK: 0, RECLASSIFY: 1, SHOT: 2, PIPE: 3, STOLEN: 4, QUEUED: 5, REPEAT: 6, REDIRECT: 7, TRAP: 8 } as const;

/** enum sk_action (include/uapi/linux/bpf.h): SK_DROP and SK_PASS of sk_skb, sk_msg, sk_lookup and sk_reuseport programs. */
export const SkAction = { DROP: 0, PASS: 1 } as const;
