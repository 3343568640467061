/**
 * The socket-map redirect helpers (net/core/sock_map.c, Linux 6.18): bpf_sk_redirect_map and
 * bpf_sk_redirect_hash (sk_skb), bpf_msg_redirect_map and bpf_msg_redirect_hash (sk_msg).
 *
 * Each returns SK_DROP (0) for flags other than BPF_F_INGRESS, an empty slot, or a socket a redirect
 * may not target (sock_map_redirect_allowed: a TCP socket that is listening, any other socket
 * that is not established), else SK_PASS (1). An sk_skb run records the redirect in its skb
 * (`redirect`: kind 'map', the map, the SOCKMAP key (0 for a SOCKHASH), the flags); an sk_msg
 * run has nowhere to report it and only returns the verdict.
 */
import { ProgType as P } from '../object/uapi.js';
import { SockHashMap, SockMapArray, SockMapBase } from '../maps/sockmap.js';
import type { Machine } from '../vm/machine.js';
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
    { id: 71, name: 'msg_redirect_hash', progTypes: [P.SK_MSG], args: ['ctx', 'map', 'ptr', 'anything'], proto: { ret: 'integer', args: [CTX, MAP, KEY, ANY] }, family, fn: (m) => redirect(m, 'bpf_msg_redirect_hash', true) },
  ];
}
