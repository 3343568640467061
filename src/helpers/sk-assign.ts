/**
 * bpf_sk_assign (124) in sk_lookup programs (net/core/filter.c bpf_sk_lookup_assign, Linux 6.18):
 * the program picks the socket the lookup ends with, from a socket it holds (a SOCKMAP/SOCKHASH
 * lookup) or NULL to drop an earlier pick. Checked in this order, each as 6.18 answered a test run
 * over real sockets (test/helpers/golden/sk-assign-live.json):
 * - flags other than BPF_SK_LOOKUP_F_REPLACE (1) and _F_NO_REUSEPORT (2): -EINVAL;
 * - a refcounted socket (not RCU-freed: an established TCP socket, an unhashed UDP one), a TCP
 *   socket not in LISTEN, a UDP socket not in CLOSE (a connected one): -ESOCKTNOSUPPORT;
 * - a socket of another protocol than the lookup's: -EPROTOTYPE; of another family when it is
 *   AF_INET or IPv6-only (a dual-stack AF_INET6 listener serves IPv4 lookups): -EAFNOSUPPORT;
 * - a socket already picked and no F_REPLACE: -EEXIST (also for NULL);
 * - else the pick is made (NULL clears it) and 0 returned.
 * The run's verdict and the socket it reports are BPF_PROG_SK_LOOKUP_RUN_ARRAY's
 * (kernel/progtypes/sk-lookup.ts): a program returning SK_PASS with a pick ends the lookup with it;
 * SK_DROP drops whatever was picked.
 *
 * Not emulated: the tc flavour (bpf_sk_assign on an skb, for sched_cls/sched_act).
 */
import { ProgType as P } from '../object/uapi.js';
import type { Machine, RunContext } from '../vm/machine.js';
import { hostOf } from './host.js';
import type { HelperDef, HelperProto } from './registry.js';
import type { SocketService, SockRef } from './sock.js';

const EINVAL = 22;
const EEXIST = 17;
const EPROTOTYPE = 91;
const ESOCKTNOSUPPORT = 94;
const EAFNOSUPPORT = 97;
const AF_INET = 2;
const TCP = 6;
const UDP = 17;
const TCP_LISTEN = 10;
const TCP_CLOSE = 7;
/** BPF_SK_LOOKUP_F_REPLACE, BPF_SK_LOOKUP_F_NO_REUSEPORT. */
export const BPF_SK_LOOKUP_F_REPLACE = 1n;
export const BPF_SK_LOOKUP_F_NO_REUSEPORT = 2n;

/** The run state of one sk_lookup program run (struct bpf_sk_lookup_kern's selection). */
export class SkLookupRun implements RunContext {
  readonly type = 'sk_lookup';
  /** The socket picked so far (ctx->selected_sk), null for none. */
  selected: SockRef | null = null;
  /** ctx->no_reuseport. */
  noReuseport = false;
  constructor(
    /** The lookup's family and protocol (ctx->family, ctx->protocol). */
    readonly family: number,
    readonly protocol: number,
  ) {}
}

/** sk_is_refcounted: not RCU-freed - anything but a TCP listener or a hashed (bound) UDP socket. */
function isRefcounted(s: SockRef): boolean {
  if (s.protocol === TCP) return s.state !== TCP_LISTEN;
  if (s.protocol === UDP) return (s.localPort ?? 0) === 0;
  return true;
}

function skLookupAssign(m: Machine): void {
  const H = 'bpf_sk_assign';
  const run = m.context;
  if (!(run instanceof SkLookupRun)) throw m.fail('helper', `${H}: this run is not an sk_lookup run`);
  const flags = m.argU64(3);
  if ((flags & ~(BPF_SK_LOOKUP_F_REPLACE | BPF_SK_LOOKUP_F_NO_REUSEPORT)) !== 0n) return m.setR0Num(-EINVAL);
  let sk: SockRef | null = null;
  if (m.argU64(2) !== 0n) {
    const v = hostOf(m).service<SocketService>('sockets')?.byView(m.argRegion(2));
    if (v === undefined || m.argOffset(2) !== 0) throw m.fail('helper', `${H}: r2 is not a socket pointer`);
    sk = v.sock;
  }
  if (sk !== null) {
    if (isRefcounted(sk)) return m.setR0Num(-ESOCKTNOSUPPORT);
    if (sk.protocol === TCP && sk.state !== TCP_LISTEN) return m.setR0Num(-ESOCKTNOSUPPORT);
    if (sk.protocol === UDP && sk.state !== TCP_CLOSE) return m.setR0Num(-ESOCKTNOSUPPORT);
    if (sk.protocol !== run.protocol) return m.setR0Num(-EPROTOTYPE);
    if (sk.family !== run.family && (sk.family === AF_INET || sk.v6only)) return m.setR0Num(-EAFNOSUPPORT);
  }
  if (run.selected !== null && (flags & BPF_SK_LOOKUP_F_REPLACE) === 0n) return m.setR0Num(-EEXIST);
  run.selected = sk;
  run.noReuseport = (flags & BPF_SK_LOOKUP_F_NO_REUSEPORT) !== 0n;
  m.setR0Num(0);
}

/** bpf_sk_lookup_assign_proto: ctx, ARG_PTR_TO_SOCKET_OR_NULL, flags. */
const PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'ctx' }, { kind: 'socket', nullable: true }, { kind: 'anything' }] };

/** bpf_sk_assign (the sk_lookup flavour). */
export function skAssignHelpers(): HelperDef[] {
  return [{ id: 124, name: 'sk_assign', fn: skLookupAssign, proto: PROTO, progTypes: [P.SK_LOOKUP], family: 'sock' }];
}
