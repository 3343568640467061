/**
 * The socket-map redirect helpers (net/core/sock_map.c, Linux 6.18): bpf_sk_redirect_map and
 * bpf_sk_redirect_hash (sk_skb), bpf_msg_redirect_map and bpf_msg_redirect_hash (sk_msg).
 *
 * Each returns SK_DROP (0) for flags other than BPF_F_INGRESS, an empty slot, or a socket a redirect
 * may not target (sock_map_redirect_allowed: a TCP socket that is listening, any other socket
 * that is not established), else SK_PASS (1). An sk_skb run records the redirect in its skb
 * (`redirect`: kind 'map', the map, the SOCKMAP key (0 for a SOCKHASH), the flags); an sk_msg
 * run has nowhere to report it and only returns the verdict.
 *
 * bpf_sock_map_update and bpf_sock_hash_update (sock_ops) add the socket of the sock_ops event
 * (the table socket `fireCgroup` was given, {@link SockOpsRun}) to a SOCKMAP / SOCKHASH: -EOPNOTSUPP
 * unless the event is an ACTIVE_ESTABLISHED_CB, PASSIVE_ESTABLISHED_CB or TCP_LISTEN_CB one about a
 * TCP or UDP socket (sock_map_op_okay, sock_map_sk_is_suitable), else the map's update rules
 * (flags above BPF_EXIST EINVAL, SOCKMAP past the end E2BIG, a socket in a reuseport array EBUSY,
 * EEXIST / ENOENT for BPF_NOEXIST / BPF_EXIST, SOCKHASH full E2BIG). The socket's state is not
 * checked here, as in the kernel (those callbacks run on established or listening sockets).
 *
 * bpf_sk_select_reuseport (sk_reuseport; net/core/filter.c sk_select_reuseport) picks the socket at
 * `key` of a REUSEPORT_SOCKARRAY, SOCKMAP or SOCKHASH for the run's reuseport group
 * ({@link ReuseportRun}): -ENOENT for an empty slot or a key past the end; a socket in no reuseport
 * group -ENOENT from the array (an unhashed socket), -EINVAL from a socket map; a socket of another
 * group -EPROTOTYPE (other protocol), -EAFNOSUPPORT (other family) or -EBADFD; else 0 and the socket
 * becomes the run's selection (a later failing call keeps the earlier selection). The flags are
 * not looked at, as in the kernel.
 */
import { ProgType as P } from '../object/uapi.js';
import { ReuseportArrayMap, reuseportGroupOf, SockHashMap, SockMapArray, SockMapBase } from '../maps/sockmap.js';
import type { Machine, RunContext } from '../vm/machine.js';
import type { SockMapSocket } from '../maps/sockmap.js';
import { SkbBuff } from './packet.js';
import type { HelperDef } from './registry.js';

const SK_DROP = 0;
const SK_PASS = 1;
const BPF_F_INGRESS = 1n;
const TCP = 6;
const TCP_ESTABLISHED = 1;
const TCP_LISTEN = 10;

/** Shared body: `hash` reads the key through r3 (ARG_PTR_TO_MAP_KEY), else r3 is a u32 index. */
function redirect(m: Machine, helper: string, hash: boolean): void {
  const map = m.argOwner(2);
  if (!(map instanceof SockMapBase) || (hash ? !(map instanceof SockHashMap) : !(map instanceof SockMapArray))) {
    throw m.fail('helper', `${helper}: r2 is not a ${hash ? 'SOCKHASH' : 'SOCKMAP'}`);
  }
  const flags = m.argU64(4);
  if ((flags & ~BPF_F_INGRESS) !== 0n) return m.setR0Num(SK_DROP);
  let key: Uint8Array;
  let index = 0;
  if (hash) key = m.argBytes(3, map.keySize, false, 'key').slice();
  else {
    index = m.argU32(3);
    key = Uint8Array.of(index & 0xff, (index >>> 8) & 0xff, (index >>> 16) & 0xff, index >>> 24);
  }
  const s = map.socketAt(key);
  const allowed = s !== undefined && (s.protocol === TCP ? s.state !== TCP_LISTEN : s.state === TCP_ESTABLISHED);
  if (!allowed) return m.setR0Num(SK_DROP);
  const c = m.context;
  if (c instanceof SkbBuff) c.redirect = { kind: 'map', mapId: map.id, mapType: map.type, key: index, flags: Number(flags), target: null };
  m.setR0Num(SK_PASS);
}

/** enum bpf_sock_ops_cb: the callbacks sock_map_op_okay accepts. */
export const BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB = 4;
export const BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB = 5;
export const BPF_SOCK_OPS_TCP_LISTEN_CB = 11;
const EOPNOTSUPP = 95;
const UDP = 17;

/** The run state of one sock_ops program run: the callback (ctx->op) and the event's socket (sops->sk). */
export class SockOpsRun implements RunContext {
  readonly type = 'sock_ops';
  constructor(
    readonly op: number,
    readonly sock: SockMapSocket | null,
  ) {}
}

/** bpf_sock_map_update / bpf_sock_hash_update. */
function sockOpsUpdate(m: Machine, helper: string, hash: boolean): void {
  const map = m.argOwner(2);
  if (hash ? !(map instanceof SockHashMap) : !(map instanceof SockMapArray)) throw m.fail('helper', `${helper}: r2 is not a ${hash ? 'SOCKHASH' : 'SOCKMAP'}`);
  const c = m.context;
  if (!(c instanceof SockOpsRun)) throw m.fail('helper', `${helper}: this run is not a sock_ops event (fireCgroup 'sockops')`);
  const key = m.argBytes(3, (map as SockMapBase).keySize, false, 'key').slice();
  const flags = m.argU64(4);
  const s = c.sock;
  const okOp = c.op === BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB || c.op === BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB || c.op === BPF_SOCK_OPS_TCP_LISTEN_CB;
  if (s === null || (s.protocol !== TCP && s.protocol !== UDP) || !okOp) return m.setR0Num(-EOPNOTSUPP);
  // flags is a u64 compared against BPF_EXIST; any larger value gives EINVAL
  m.setR0Num((map as SockMapBase).updateSocket(key, s, flags > 2n ? 3 : Number(flags)));
}

/** The run state of one sk_reuseport run: the group and socket the lookup reached, and the selection. */
export class ReuseportRun implements RunContext {
  readonly type = 'sk_reuseport';
  selected: SockMapSocket | null = null;
  constructor(
    /** reuse_kern->reuseport_id: the group of the socket the packet reached (null: none). */
    readonly group: string | null,
    /** reuse_kern->sk's protocol and family. */
    readonly protocol: number,
    readonly family: number,
  ) {}
}

const ENOENT = 2;
const EINVAL = 22;
const EBADFD = 77;
const EPROTOTYPE = 91;
const EAFNOSUPPORT = 97;

/** bpf_sk_select_reuseport. */
function selectReuseport(m: Machine): void {
  const map = m.argOwner(2);
  if (!(map instanceof ReuseportArrayMap) && !(map instanceof SockMapBase)) throw m.fail('helper', 'bpf_sk_select_reuseport: r2 is not a REUSEPORT_SOCKARRAY, SOCKMAP or SOCKHASH');
  const c = m.context;
  if (!(c instanceof ReuseportRun)) throw m.fail('helper', 'bpf_sk_select_reuseport: this run is not an sk_reuseport run (runSkReuseport)');
  const key = m.argBytes(3, map.keySize, false, 'key');
  const s = map instanceof ReuseportArrayMap ? map.socketAt(key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) : map.socketAt(key);
  if (s === undefined) return m.setR0Num(-ENOENT);
  const group = reuseportGroupOf(s);
  if (group === null) return m.setR0Num(map instanceof ReuseportArrayMap ? -ENOENT : -EINVAL);
  if (group !== c.group) return m.setR0Num(s.protocol !== c.protocol ? -EPROTOTYPE : s.family !== c.family ? -EAFNOSUPPORT : -EBADFD);
  c.selected = s;
  m.setR0Num(0);
}

const CTX = { kind: 'ctx' } as const;
const MAP = { kind: 'map' } as const;
const ANY = { kind: 'anything' } as const;
const KEY = { kind: 'map_key' } as const;

/** The socket-map helper family. */
export function sockmapHelpers(): HelperDef[] {
  const family = 'sockmap';
  return [
    { id: 52, name: 'sk_redirect_map', progTypes: [P.SK_SKB], args: ['ctx', 'map', 'anything', 'anything'], proto: { ret: 'integer', args: [CTX, MAP, ANY, ANY] }, family, fn: (m) => redirect(m, 'bpf_sk_redirect_map', false) },
    { id: 72, name: 'sk_redirect_hash', progTypes: [P.SK_SKB], args: ['ctx', 'map', 'ptr', 'anything'], proto: { ret: 'integer', args: [CTX, MAP, KEY, ANY] }, family, fn: (m) => redirect(m, 'bpf_sk_redirect_hash', true) },
    { id: 60, name: 'msg_redirect_map', progTypes: [P.SK_MSG], args: ['ctx', 'map', 'anything', 'anything'], proto: { ret: 'integer', args: [CTX, MAP, ANY, ANY] }, family, fn: (m) => redirect(m, 'bpf_msg_redirect_map', false) },
    { id: 53, name: 'sock_map_update', progTypes: [P.SOCK_OPS], args: ['ctx', 'map', 'ptr', 'anything'], proto: { ret: 'integer', args: [CTX, MAP, KEY, ANY] }, family, fn: (m) => sockOpsUpdate(m, 'bpf_sock_map_update', false) },
    { id: 70, name: 'sock_hash_update', progTypes: [P.SOCK_OPS], args: ['ctx', 'map', 'ptr', 'anything'], proto: { ret: 'integer', args: [CTX, MAP, KEY, ANY] }, family, fn: (m) => sockOpsUpdate(m, 'bpf_sock_hash_update', true) },
    { id: 82, name: 'sk_select_reuseport', progTypes: [P.SK_REUSEPORT], args: ['ctx', 'map', 'ptr', 'anything'], proto: { ret: 'integer', args: [CTX, MAP, KEY, ANY] }, family, fn: selectReuseport },
    { id: 71, name: 'msg_redirect_hash', progTypes: [P.SK_MSG], args: ['ctx', 'map', 'ptr', 'anything'], proto: { ret: 'integer', args: [CTX, MAP, KEY, ANY] }, family, fn: (m) => redirect(m, 'bpf_msg_redirect_hash', true) },
  ];
}
