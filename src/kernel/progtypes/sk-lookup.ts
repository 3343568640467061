/**
 * BPF_PROG_TYPE_SK_LOOKUP: the program runs when the transport layer looks up a listening or
 * unconnected socket for an arriving packet, sees the packet's 4-tuple (struct bpf_sk_lookup) and
 * may pick a socket. BPF_PROG_TEST_RUN follows net/bpf/test_run.c bpf_prog_test_run_sk_lookup
 * (checked on Linux 6.18, golden/sockctx.json):
 * - flags, cpu, batch_size, data_in/out and their sizes must be 0 (EINVAL); a ctx is required
 *   (ctx_in or ctx_out; EINVAL), longer than 72 bytes only with a zero tail (E2BIG);
 * - ctx_in: sk/cookie must be 0 and ingress_ifindex 0 (EINVAL), local_port <= 65535 (ERANGE),
 *   family (as u16) AF_INET or AF_INET6 (EAFNOSUPPORT); family, protocol and ports are taken as
 *   u16; the program sees only the addresses of its family (the others read 0), ingress_ifindex 0,
 *   sk NULL and the padding after remote_port 0;
 * - retval is the run-array verdict (BPF_PROG_SK_LOOKUP_RUN_ARRAY): SK_DROP (0) when the program
 *   returned SK_DROP - dropping a socket it picked with bpf_sk_assign - else SK_PASS (1); repeat
 *   reruns it, each run starting with no pick; ctx_out is ctx_in with `cookie` the cookie of the
 *   socket the run ended with (0 for none); a pick of a SO_REUSEPORT socket without
 *   BPF_SK_LOOKUP_F_NO_REUSEPORT fails the run with EOPNOTSUPP (the test run does not pick from
 *   the group). Checked on 6.18 over real sockets (test/helpers/golden/sk-assign-live.json).
 */
import { ProgType } from '../../object/uapi.js';
import { SkLookupRun } from '../../helpers/sk-assign.js';
import type { SockRef } from '../../helpers/sock.js';
import { ERRNO } from '../../util/errno.js';
import type { Kernel } from '../kernel.js';
import type { KProg } from '../objects/objects.js';
import { timedRuns } from './common.js';
import { ctxIn, rangeIsZero } from './ctx.js';
import { mapFieldCtx, StructImage } from './fieldctx.js';
import type { ProgTypeOps, TestRunInput, TestRunOutput } from './registry.js';
import { BPF_SK_LOOKUP } from './sockctx.js';

const { EINVAL, ERANGE, EOPNOTSUPP } = ERRNO;
/** EAFNOSUPPORT (include/uapi/asm-generic/errno.h). */
export const EAFNOSUPPORT = 97;
export const AF_INET = 2;
export const AF_INET6 = 10;
/** enum sk_action. */
export const SK_DROP = 0;
export const SK_PASS = 1;

/** A socket lookup as the program sees it (addresses in network byte order). */
export interface SkLookupEvent {
  readonly family: number;
  readonly protocol: number;
  /** IPv4 addresses: 4 bytes; IPv6: 16 bytes. */
  readonly remoteIp: Uint8Array;
  readonly localIp: Uint8Array;
  /** Network byte order, as the uapi field (__be16). */
  readonly remotePortBe: number;
  /** Host byte order. */
  readonly localPort: number;
  readonly ingressIfindex?: number;
}

/** What one sk_lookup run reports. */
export interface SkLookupRunResult {
  /** The run-array verdict (SK_PASS / SK_DROP). */
  readonly verdict: number;
  /** The socket the lookup ends with (bpf_sk_assign under SK_PASS), or null. */
  readonly selected: SockRef | null;
  /** BPF_SK_LOOKUP_F_NO_REUSEPORT was given with the pick. */
  readonly noReuseport: boolean;
  readonly r0: bigint;
  readonly fault: import('../../vm/fault.js').Fault | null;
  readonly durationNs: number;
}

/** The bpf_sk_lookup image of `ev` (bpf_sk_lookup_kern after the kernel's ctx conversion). */
export function skLookupImage(ev: SkLookupEvent): Uint8Array {
  const img = new StructImage(BPF_SK_LOOKUP).set('family', ev.family & 0xffff).set('protocol', ev.protocol & 0xffff).set('remote_port', ev.remotePortBe & 0xffff).set('local_port', ev.localPort & 0xffff).set('ingress_ifindex', ev.ingressIfindex ?? 0);
  if ((ev.family & 0xffff) === AF_INET) img.setBytes('remote_ip4', ev.remoteIp.subarray(0, 4)).setBytes('local_ip4', ev.localIp.subarray(0, 4));
  else if ((ev.family & 0xffff) === AF_INET6) img.setBytes('remote_ip6', ev.remoteIp.subarray(0, 16)).setBytes('local_ip6', ev.localIp.subarray(0, 16));
  return img.bytes;
}

/** Run an sk_lookup program on `ev` `repeat` times (0: once); BPF_PROG_SK_LOOKUP_RUN_ARRAY's verdict. */
export function runSkLookup(k: Kernel, prog: KProg, ev: SkLookupEvent, repeat = 0): SkLookupRunResult {
  const image = skLookupImage(ev);
  const ctx = mapFieldCtx(k, BPF_SK_LOOKUP, image, `bpf_sk_lookup of ${prog.name || 'prog'}`);
  try {
    let run = new SkLookupRun(ev.family & 0xffff, ev.protocol & 0xffff);
    const r = timedRuns(k, prog, [ctx.ptr], repeat, (m) => {
      // each run starts with no socket picked
      run = new SkLookupRun(ev.family & 0xffff, ev.protocol & 0xffff);
      m.context = run;
    });
    // SK_PASS with a pick ends the lookup with it; SK_DROP drops the pick
    const verdict = r.r0 === BigInt(SK_DROP) ? SK_DROP : SK_PASS;
    const selected = verdict === SK_PASS ? run.selected : null;
    return { verdict, selected, noReuseport: run.noReuseport, r0: r.r0, fault: r.fault, durationNs: r.durationNs };
  } finally {
    k.retireRegion(ctx.region);
  }
}

function u32(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
}

/** bpf_prog_test_run_sk_lookup. */
function testRunSkLookup(k: Kernel, t: TestRunInput): TestRunOutput | number {
  if (t.flags !== 0 || t.cpu !== 0 || t.batchSize !== 0) return k.refuse(-EINVAL, 'sk_lookup test runs take no flags, cpu or batch_size');
  if (t.hasDataIn || (t.dataIn?.length ?? 0) > 0 || t.hasDataOut || t.dataSizeOut !== 0) return k.refuse(-EINVAL, 'sk_lookup test runs take no data_in or data_out: the lookup is described by ctx_in (struct bpf_sk_lookup)');
  if (t.ctxIn === null && !t.hasCtxOut) return k.refuse(-EINVAL, 'sk_lookup test runs need a struct bpf_sk_lookup in ctx_in');
  const c = ctxIn(t.ctxIn ?? new Uint8Array(0), BPF_SK_LOOKUP.size);
  if (typeof c === 'number') return c;
  const dv = new DataView(c.buffer);
  if (dv.getBigUint64(0, true) !== 0n) return k.refuse(-EINVAL, 'bpf_sk_lookup.sk/cookie in ctx_in must be 0');
  if (!rangeIsZero(c, 64, BPF_SK_LOOKUP.size)) return k.refuse(-EINVAL, 'bpf_sk_lookup fields after local_port (ingress_ifindex) must be 0 in ctx_in');
  const localPort = u32(c, 60);
  if (localPort > 0xffff) return k.refuse(-ERANGE, `bpf_sk_lookup.local_port ${localPort} is above 65535`);
  const family = u32(c, 8) & 0xffff;
  if (family !== AF_INET && family !== AF_INET6) return k.refuse(-EAFNOSUPPORT, `bpf_sk_lookup.family ${family}: only AF_INET (2) and AF_INET6 (10) lookups can be test-run`);
  const ev: SkLookupEvent = {
    family,
    protocol: u32(c, 12),
    remoteIp: family === AF_INET ? c.slice(16, 20) : c.slice(20, 36),
    localIp: family === AF_INET ? c.slice(40, 44) : c.slice(44, 60),
    remotePortBe: dv.getUint16(36, true),
    localPort,
  };
  const r = runSkLookup(k, t.prog, ev, t.repeat);
  if (r.fault !== null) return k.reportFault(r.fault);
  // user_ctx->cookie: the selected socket's (a reuseport one needs F_NO_REUSEPORT here)
  const sel = r.selected === null ? undefined : k.sockets.get(r.selected.id);
  if (sel !== undefined && sel.reuseport && !r.noReuseport) return k.refuse(-EOPNOTSUPP, 'sk_lookup test run: the program picked a SO_REUSEPORT socket without BPF_SK_LOOKUP_F_NO_REUSEPORT');
  dv.setBigUint64(0, sel?.cookie ?? 0n, true);
  // bpf_test_finish with no data (data_size_out 0), then bpf_ctx_finish
  return { retval: r.verdict, durationNs: r.durationNs, dataOut: new Uint8Array(0), ...(t.hasCtxOut ? { ctxOut: c } : {}) };
}

/** BPF_PROG_TYPE_SK_LOOKUP. */
export const SK_LOOKUP_PROG: ProgTypeOps = { type: ProgType.SK_LOOKUP, name: 'sk_lookup', testRun: testRunSkLookup };
