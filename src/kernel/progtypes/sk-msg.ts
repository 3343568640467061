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
 *   sk the listening socket, migrating_sk NULL. The verdict is r0 (SK_PASS / SK_DROP). The event
 *   may name the table socket the packet reached (`socket`): sk is then its bpf_sock view, its
 *   reuseport group is the run's, and bpf_sk_select_reuseport picks among that group's sockets;
 *   the run reports the selection (`selected`, the table id; null when none was made or the verdict
 *   is not SK_PASS, where the kernel falls back to its hash choice).
 */
import { ProgType } from '../../object/uapi.js';
import { ERRNO } from '../../util/errno.js';
import type { Fault } from '../../vm/fault.js';
import { Memory, PERM_RW, RegionKind } from '../../vm/memory.js';
import type { Kernel } from '../kernel.js';
import type { KProg } from '../objects/objects.js';
import type { CtxFields } from './cgroup.js';
import { ReuseportRun } from '../../helpers/sockmap.js';
import { reuseportGroupOf } from '../../maps/sockmap.js';
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
  /** sk_reuseport: the table id of the socket bpf_sk_select_reuseport selected, when the verdict is SK_PASS; else null. */
  readonly selected?: number | null;
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
  /** The socket as bpf_sock fields (no reuseport group), or instead: */
  readonly sock?: CtxFields;
  /** The id of the table socket (`kernel.sockets`) the packet reached: its group is the run's. */
  readonly socket?: number;
}

function setFields(img: StructImage, c: FieldCtx, fields: CtxFields | undefined, what: string): void {
  for (const [name, v] of Object.entries(fields ?? {})) {
    const f = c.fields.find((x) => x.name === name);
    if (f === undefined || f.ptr !== undefined) throw new RangeError(`${what}: ${c.name} has no settable field '${name}'`);
    (Array.isArray(v) ? v : [v]).forEach((x, i) => img.set(name, x as number | bigint, i));
  }
}

function run(k: Kernel, progFd: number, type: number, c: FieldCtx, ev: SkMsgEvent | SkReuseportEvent, fill: (img: StructImage) => void, reuse?: ReuseportRun): SockProgRun | number {
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
    const table = 'socket' in ev && ev.socket !== undefined ? k.sockets.get(ev.socket) : undefined;
    let sockPtr: bigint;
    if (table !== undefined) sockPtr = k.sockets.sockPointer(table);
    else {
      const sockImg = new StructImage(BPF_SOCK);
      setFields(sockImg, BPF_SOCK, ev.sock, 'socket');
      const sock = mapFieldCtx(k, BPF_SOCK, sockImg.bytes, `bpf_sock of ${prog.name}`);
      regions.push(sock.region);
      sockPtr = sock.ptr;
    }
    img.set('data', Memory.pointer(dataRegion, 0)).set('data_end', Memory.pointer(dataRegion, data.length)).set('sk', sockPtr);
    fill(img);
    const ctx = mapFieldCtx(k, c, img.bytes, `${c.name} of ${prog.name}`);
    regions.push(ctx.region);
    const r = k.execute(prog as KProg, [ctx.ptr], {
      grants: [sockPtr],
      ...(reuse !== undefined ? { setup: (m) => (m.context = reuse) } : {}),
    });
    const verdict = r.fault === null && r.r0 === SK_PASS ? 1 : 0;
    return { r0: r.r0, verdict, fault: r.fault, data, ...(reuse !== undefined ? { selected: verdict === 1 ? (reuse.selected?.id ?? null) : null } : {}) };
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
  let reuse: ReuseportRun;
  if (ev.socket !== undefined) {
    if (ev.sock !== undefined) throw new RangeError(`sk_reuseport: give either 'socket' (a table socket) or 'sock' (bpf_sock fields), not both`);
    const s = k.sockets.get(ev.socket);
    if (s === undefined) throw new RangeError(`sk_reuseport: socket ${ev.socket} is not in the socket table`);
    reuse = new ReuseportRun(reuseportGroupOf(s), s.protocol, s.family);
  } else reuse = new ReuseportRun(null, Number(ev.sock?.protocol ?? 0), Number(ev.sock?.family ?? 0));
  return run(
    k,
    progFd,
    ProgType.SK_REUSEPORT,
    SK_REUSEPORT_MD,
    ev,
    (img) => {
      if (ev.ctx?.len === undefined) img.set('len', ev.data.length);
    },
    reuse,
  );
}
