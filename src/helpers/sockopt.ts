/**
 * Socket options and ACKs from BPF: bpf_setsockopt (49), bpf_getsockopt (57) and bpf_tcp_send_ack
 * (116), as net/ipv4/bpf_tcp_ca.c offers them to TCP congestion controls (Linux 6.18:
 * bpf_sk_setsockopt_proto / bpf_sk_getsockopt_proto in every tcp_congestion_ops member but
 * `release`, bpf_tcp_send_ack_proto in every member; measured on 6.18, see
 * test/subsystems/tcp_cc/goldens/helpers-6.18.json).
 *
 * The helpers are generic: they check and copy the arguments the way net/core/filter.c does
 * (bpf_getsockopt zeroes the whole buffer when it fails) and hand the option to the socket the
 * pointer names. Sockets come from the layers that simulate them: a layer registers a resolver
 * with {@link registerSockoptResolver} (the TCP congestion-control simulator registers its
 * simulated `tcp_sock`s), and each socket applies the level/optname rules it models.
 *
 * Availability: only STRUCT_OPS programs, and for set/getsockopt only member indices 0-16 (every
 * tcp_congestion_ops member before `release`, index 17). The registry cannot tell struct_ops types
 * apart, so another struct_ops type's members 0-16 pass the load-time check too; at run time such
 * a program finds no socket behind its pointer and faults.
 */
import { ProgType } from '../object/uapi.js';
import type { Machine } from '../vm/machine.js';
import { memArg, regAddr } from './args.js';
import { hostOf, type HelperHost } from './host.js';
import type { HelperDef, HelperProto } from './registry.js';

/** A socket the sockopt helpers can act on. Results are 0 or a negative errno. */
export interface SockoptSocket {
  /** Apply option (level, optname) with the bytes the program passed. */
  setsockopt(level: number, optname: number, optval: Uint8Array): number;
  /** Fill `optval` (the program's buffer, `optlen` bytes) with option (level, optname). */
  getsockopt(level: number, optname: number, optval: Uint8Array): number;
  /** bpf_tcp_send_ack: send an ACK for `rcvNxt` now. */
  sendAck?(rcvNxt: number): number;
}

/** Finds the socket behind a guest pointer (undefined: not one of this layer's sockets). */
export type SockoptResolver = (ptr: bigint) => SockoptSocket | undefined;

const SERVICE = 'sockopt.resolvers';

/** Register a layer's socket resolver with a kernel (returns a function that removes it). */
export function registerSockoptResolver(host: Pick<HelperHost, 'service' | 'provide'>, fn: SockoptResolver): () => void {
  let list = host.service<SockoptResolver[]>(SERVICE);
  if (list === undefined) {
    list = [];
    host.provide(SERVICE, list);
  }
  list.push(fn);
  return () => {
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
  };
}

/** The struct_ops member indices of tcp_congestion_ops that may call set/getsockopt (all before `release`). */
export const TCP_CA_SOCKOPT_MEMBERS: readonly number[] = Array.from({ length: 17 }, (_, i) => i);

function socketArg(m: Machine, helper: string): SockoptSocket {
  const ptr = m.argU64(1);
  for (const r of hostOf(m).service<SockoptResolver[]>(SERVICE) ?? []) {
    const s = r(ptr);
    if (s !== undefined) return s;
  }
  throw m.fail('helper', `${helper} r1 (sk): not a socket the emulated kernel simulates: ${regAddr(m, 1)}`);
}

/** The int arguments as the kernel's C prototype takes them (int level, int optname, int optlen). */
const int32 = (m: Machine, reg: number): number => Number(BigInt.asIntN(32, m.argU64(reg)));

function setsockopt(m: Machine): void {
  const helper = 'bpf_setsockopt';
  const sk = socketArg(m, helper);
  const len = int32(m, 5);
  const off = memArg(m, 4, len, false, helper, 'optval');
  const bytes = m.mem.bytes(m.hi[4]!).slice(off, off + len);
  m.setR0Big(BigInt(sk.setsockopt(int32(m, 2), int32(m, 3), bytes)));
}

function getsockopt(m: Machine): void {
  const helper = 'bpf_getsockopt';
  const sk = socketArg(m, helper);
  const len = int32(m, 5);
  const off = memArg(m, 4, len, true, helper, 'optval');
  const buf = m.mem.bytes(m.hi[4]!).subarray(off, off + len);
  const rc = sk.getsockopt(int32(m, 2), int32(m, 3), buf);
  // net/core/filter.c bpf_getsockopt: on failure the whole buffer is zeroed.
  if (rc !== 0) buf.fill(0);
  m.setR0Big(BigInt(rc));
}

function tcpSendAck(m: Machine): void {
  const helper = 'bpf_tcp_send_ack';
  const sk = socketArg(m, helper);
  if (sk.sendAck === undefined) throw m.fail('helper', `${helper} r1 (tp): the socket cannot send ACKs: ${regAddr(m, 1)}`);
  m.setR0Big(BigInt(sk.sendAck(Number(m.argU64(2) & 0xffffffffn))));
}

/** bpf_sk_setsockopt_proto: BTF socket, level, optname, readable optval of optlen bytes. */
const SET_PROTO: HelperProto = {
  ret: 'integer',
  args: [{ kind: 'btf_id_sock_common' }, { kind: 'anything' }, { kind: 'anything' }, { kind: 'mem', rdonly: true }, { kind: 'size' }],
};
/** bpf_sk_getsockopt_proto: the buffer is written (ARG_PTR_TO_UNINIT_MEM). */
const GET_PROTO: HelperProto = {
  ret: 'integer',
  args: [{ kind: 'btf_id_sock_common' }, { kind: 'anything' }, { kind: 'anything' }, { kind: 'mem', uninit: true }, { kind: 'size' }],
};
/** bpf_tcp_send_ack_proto: a `struct tcp_sock` BTF pointer and rcv_nxt. */
const SEND_ACK_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'btf_id', btfType: 'tcp_sock' }, { kind: 'anything' }] };

/** The sockopt helper family. */
export function sockoptHelpers(): HelperDef[] {
  const family = 'sockopt';
  const progTypes = [ProgType.STRUCT_OPS];
  return [
    { id: 49, name: 'setsockopt', fn: setsockopt, proto: SET_PROTO, progTypes, attachTypes: TCP_CA_SOCKOPT_MEMBERS, family },
    { id: 57, name: 'getsockopt', fn: getsockopt, proto: GET_PROTO, progTypes, attachTypes: TCP_CA_SOCKOPT_MEMBERS, family },
    { id: 116, name: 'tcp_send_ack', fn: tcpSendAck, proto: SEND_ACK_PROTO, progTypes, family },
  ];
}
