/**
 * cgroup_skb attached to a cgroup and fired on a packet: what kernel/bpf/cgroup.c
 * __cgroup_bpf_run_filter_skb does when a socket of the current task's cgroup sends (egress) or
 * receives (ingress) a packet. Programs attach with attachCgroup (progtypes/cgroup.ts: the hook
 * `cgroup_skb/ingress` or `cgroup_skb/egress` by the program's expected attach type, multi-program
 * semantics); {@link fireCgroupSkb} runs the effective ones - the cgroup's, then its ancestors',
 * each in attach order - on one packet, each with the cgroup storage of its own cgroup:
 * - each program sees the packet from its network header (an skb as the test run builds it from
 *   an Ethernet frame, progtypes/skb.ts); what one writes to mark, priority, cb and tstamp the
 *   next one sees;
 * - a program returning 0 (bit 0 clear) makes the result -EPERM; every program still runs;
 * - egress programs return two bits (bpf_prog_run_array_cg with ret_flags): bit 0 pass, bit 1
 *   congestion notification (BPF_RET_SET_CN), ORed over the programs; the result is then
 *   NET_XMIT_SUCCESS (0) or NET_XMIT_CN (2) when no program dropped, NET_XMIT_DROP (1) when one
 *   did with CN set, else -EPERM; ingress programs return one bit (0 or -EPERM);
 * - a program that faults counts as one returning 0.
 * What a UDP sender sees then (ip_send_skb, udp_send_skb; from the kernel sources, confirmed
 * live): -EPERM fails sendto with EPERM; NET_XMIT_DROP drops the datagram, but sendto succeeds
 * (its ENOBUFS is ignored without IP_RECVERR); NET_XMIT_CN sends it. Checked on 6.18 with two
 * egress programs and one ingress program on a real cgroup (test/kernel/progtypes/golden/cgroup-skb-live.json).
 */
import { ProgType } from '../../object/uapi.js';
import { ERRNO } from '../../util/errno.js';
import { CgroupStorageMap } from '../../maps/cgroup-storage.js';
import { bindCgroupStorage } from '../../helpers/cgroup.js';
import type { Fault } from '../../vm/fault.js';
import type { Kernel } from '../kernel.js';
import type { KProg } from '../objects/objects.js';
import { cgroupHookAttachType } from './cgroup.js';
import { effectiveForCurrent } from './cgroup-attach.js';
import { runSkb, type SkbCtxIn } from './skb.js';

const { EPERM } = ERRNO;
/** NET_XMIT_* (include/linux/netdevice.h). */
export const NET_XMIT_SUCCESS = 0;
export const NET_XMIT_DROP = 1;
export const NET_XMIT_CN = 2;

/** One program's run on the packet. */
export interface CgroupSkbRun {
  readonly prog: KProg;
  /** r0 as a u32. */
  readonly retval: number;
  readonly fault: Fault | null;
}

/** The outcome of {@link fireCgroupSkb}. */
export interface CgroupSkbResult {
  /**
   * __cgroup_bpf_run_filter_skb's result: ingress 0 (pass) or -EPERM; egress NET_XMIT_SUCCESS,
   * NET_XMIT_CN, NET_XMIT_DROP or -EPERM.
   */
  readonly verdict: number;
  /** Whether the packet goes on (ingress 0; egress NET_XMIT_SUCCESS or NET_XMIT_CN). */
  readonly pass: boolean;
  /** egress: a program asked for congestion notification (bit 1 of its return value). */
  readonly cn: boolean;
  readonly runs: readonly CgroupSkbRun[];
}

/**
 * Fire `cgroup_skb/ingress` or `cgroup_skb/egress` with the Ethernet frame `frame` (the packet from
 * its network header is what the programs see). A frame the skb builder refuses (too short, a
 * truncated IP header) is a RangeError.
 */
export function fireCgroupSkb(k: Kernel, name: 'cgroup_skb/ingress' | 'cgroup_skb/egress', frame: Uint8Array): CgroupSkbResult {
  const egress = name === 'cgroup_skb/egress';
  let retval = 0;
  let flags = 0;
  let carried: SkbCtxIn | undefined;
  const runs: CgroupSkbRun[] = [];
  const eat = cgroupHookAttachType(name);
  for (const { prog, cgroup } of effectiveForCurrent(k, eat)) {
    if (prog.type !== ProgType.CGROUP_SKB) continue;
    const cgroupId = cgroup.id;
    const r = runSkb(k, prog, {
      data: frame,
      ...(carried !== undefined ? { ctx: carried } : {}),
      // bpf_cgroup_storages_set: the storage of the attach cgroup
      setup: (m) => {
        for (const km of prog.usedMaps) if (km.impl instanceof CgroupStorageMap) bindCgroupStorage(m, km.impl, km.impl.link(cgroupId, eat));
      },
    });
    if (typeof r === 'number') throw new RangeError(`${name}: the frame cannot be an skb (${r}): ${k.lastErrorReason ?? ''}`);
    runs.push({ prog, retval: r.retval, fault: r.fault });
    let ret = r.fault === null ? r.retval : 0;
    if (egress) {
      flags |= ret >>> 1;
      ret &= 1;
    }
    // IS_ERR_VALUE: a retval in [-4095, -1] is kept
    if (ret === 0 && !(retval < 0 && retval >= -4095)) retval = -EPERM;
    carried = { mark: r.skb.mark, priority: r.skb.priority, cb: [...r.skb.cb], tstamp: r.skb.tstamp };
  }
  const cn = egress && (flags & 1) !== 0;
  const verdict = !egress ? retval : retval === 0 ? (cn ? NET_XMIT_CN : NET_XMIT_SUCCESS) : cn ? NET_XMIT_DROP : retval;
  return { verdict, pass: verdict === 0 || verdict === NET_XMIT_CN, cn, runs };
}
