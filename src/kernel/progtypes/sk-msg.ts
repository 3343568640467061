/**
 * BPF_PROG_TYPE_SK_MSG and BPF_PROG_TYPE_SK_REUSEPORT, which the kernel cannot test-run
 * (BPF_PROG_TEST_RUN: ENOTSUPP on 6.18). In the kernel an sk_msg program runs on each message
 * sent on a socket of the sockmap it is attached to (net/core/skmsg.c sk_psock_msg_verdict) and an
 * sk_reuseport program when a packet picks among the sockets of one reuseport group
 * (net/core/filter.c bpf_run_sk_reuseport). Here {@link runSkMsg} and {@link runSkReuseport} run
 * a loaded program on one emulated event with the ctx its type's rules give (./sockctx.ts):
 * - sk_msg: data/data_end bound the message bytes (writable, as the verifier allows direct writes);
 *   size is the message length; sk the sending socket. The verdict is sk_psock_map_verd's: SK_PASS
 *   (1) passes, anything else drops. Redirects (bpf_msg_redirect_map/hash) are the socket-map
 *   helpers' and are not reported here;
 * - sk_reuseport: data/data_end bound the packet from the transport header (what the kernel's
 *   skb->data is at the lookup); len, eth_protocol, ip_protocol, bind_inany and hash as given;
 *   sk the listening socket, migrating_sk NULL. The verdict is r0 (SK_PASS / SK_DROP).
 */
import { ProgType } from '../../object/uapi.js';
import { ERRNO } from '../../util/errno.js';
import type { Fault } from '../../vm/fault.js';
import { Memory, PERM_RW, RegionKind } from '../../vm/memory.js';
import type { Kernel } from '../kernel.js';
import type { KProg } from '../objects/objects.js';
import type { CtxFields } from './cgroup.js';
import { mapFieldCtx, StructImage, type FieldCtx } from './fieldctx.js';
import { BPF_SOCK, SK_MSG_MD, SK_REUSEPORT_MD } from './sockctx.js';

/** SK_DROP / SK_PASS. */
const SK_PASS = 1n;

/** One run's outcome. */
export interface SockProgRun {
  readonly r0: bigint;
  /** 1 (SK_PASS) or 0 (SK_DROP). */
  readonly verdict: number;
  readonly fault: Fault | null;
  /** The message or packet bytes after the run (sk_msg programs may write them). */
  readonly data: Uint8Array;
}

/** An sk_msg event: the message, ctx fields (family, remote_ip4, ..., ports) and the socket. */
export interface SkMsgEvent {
  readonly data: Uint8Array;
  readonly ctx?: CtxFields;
  readonly sock?: CtxFields;
}

/** An sk_reuseport event: the packet from its transport header, the ctx fields, the listening socket. */
export interface SkReuseportEvent {
  readonly data: Uint8Array;
  readonly ctx?: CtxFields;
  readonly sock?: CtxFields;
}

function setFields(img: StructImage, c: FieldCtx, fields: CtxFields | undefined, what: string): void {
  for (const [name, v] of Object.entries(fields ?? {})) {
    const f = c.fields.find((x) => x.name === name);
    if (f === undefined || f.ptr !== undefined) throw new RangeError(`${what}: ${c.name} has no settable field '${name}'`);
    (Array.isArray(v) ? v : [v]).forEach((x, i) => img.set(name, x as number | bigint, i));
  }
}

function run(k: Kernel, progFd: number, type: number, c: FieldCtx, ev: SkMsgEvent | SkReuseportEvent, fill: (img: StructImage) => void): SockProgRun | number {
  const prog = k.progGet(progFd);
  if (typeof prog === 'number') return prog;
  const regions: number[] = [];
  try {
    if (prog.type !== type) return k.refuse(-ERRNO.EINVAL, `program '${prog.name}' is not ${type === ProgType.SK_MSG ? 'an sk_msg' : 'an sk_reuseport'} program`);
    const img = new StructImage(c);
    setFields(img, c, ev.ctx, c.name);
    const data = ev.data.slice();
    const dataRegion = k.mem.map(data, { kind: RegionKind.CTX, perm: PERM_RW, label: `${c.name} data of ${prog.name}` });
    regions.push(dataRegion);
    const sockImg = new StructImage(BPF_SOCK);
    setFields(sockImg, BPF_SOCK, ev.sock, 'socket');
    const sock = mapFieldCtx(k, BPF_SOCK, sockImg.bytes, `bpf_sock of ${prog.name}`);
    regions.push(sock.region);
    img.set('data', Memory.pointer(dataRegion, 0)).set('data_end', Memory.pointer(dataRegion, data.length)).set('sk', sock.ptr);
    fill(img);
    const ctx = mapFieldCtx(k, c, img.bytes, `${c.name} of ${prog.name}`);
    regions.push(ctx.region);
    const r = k.execute(prog as KProg, [ctx.ptr]);
    return { r0: r.r0, verdict: r.fault === null && r.r0 === SK_PASS ? 1 : 0, fault: r.fault, data };
  } finally {
    for (const id of regions) k.retireRegion(id);
    k.progPut(prog);
  }
}

/** Run the sk_msg program of `progFd` on one message (size = data.length unless ctx sets it). */
export function runSkMsg(k: Kernel, progFd: number, ev: SkMsgEvent): SockProgRun | number {
  return run(k, progFd, ProgType.SK_MSG, SK_MSG_MD, ev, (img) => {
    if (ev.ctx?.size === undefined) img.set('size', ev.data.length);
  });
}

/** Run the sk_reuseport program of `progFd` on one packet (len = data.length unless ctx sets it). */
export function runSkReuseport(k: Kernel, progFd: number, ev: SkReuseportEvent): SockProgRun | number {
  return run(k, progFd, ProgType.SK_REUSEPORT, SK_REUSEPORT_MD, ev, (img) => {
    if (ev.ctx?.len === undefined) img.set('len', ev.data.length);
  });
}
