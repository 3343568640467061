/**
 * Which programs each cgroup holds at each cgroup attach type, and the effective program array a
 * task in a cgroup runs, as 6.18's kernel/bpf/cgroup.c keeps them (struct cgroup_bpf: progs[],
 * flags[], revisions[]; __cgroup_bpf_attach, __cgroup_bpf_detach, compute_effective_progs,
 * __cgroup_bpf_query). Both BPF_PROG_ATTACH (a program) and cgroup links (BPF_LINK_CREATE,
 * attachCgroup) add entries here; the syscall side is syscall/cmd-cgroup.ts.
 *
 * Per (cgroup, attach type) the mode is the flags of the first attachment, kept until the list
 * empties (checked on 6.18, golden/cgroup-attach-live.json):
 * - no flag: one program; attaching again with no flag replaces it; a descendant may not attach;
 * - BPF_F_ALLOW_OVERRIDE: one program, replaced the same way; a descendant's program overrides it;
 * - BPF_F_ALLOW_MULTI (links too): up to 64 entries in attach order (BPF_F_BEFORE without an anchor
 *   puts one first), the same program attached directly only once (a link may hold it again),
 *   BPF_F_REPLACE swaps one in place; the effective array then also takes the ancestors' programs.
 * A different mode on a non-empty list is EPERM, as is attaching below an ancestor whose single
 * program does not allow override. The revision starts at 1 and counts every change.
 * The effective array for a cgroup is its own list, then each ancestor's list while the array is
 * still empty or the ancestor is in multi mode (so a child's program shadows an ancestor's
 * override program, but not a multi one).
 * BPF_F_PREORDER programs run before the others, the ancestors' first (effectivePrograms).
 * BPF_F_BEFORE/BPF_F_AFTER with relative_fd (or BPF_F_ID: a program id) place a program next to
 * an anchor program attached directly (ENOENT when it is not in the list, also an empty one).
 * Not modelled (refused with EINVAL and a message): anchors that are links (BPF_F_LINK), links
 * placed relative to an anchor, and anchors in the single modes.
 */
import { AttachType as A, ProgType as P } from '../../object/uapi.js';
import { ERRNO } from '../../util/errno.js';
import type { Kernel } from '../kernel.js';
import type { KLink, KProg } from '../objects/objects.js';
import { cgroupsOf, type Cgroup } from '../../maps/cgroups.js';

const { EINVAL, EPERM, E2BIG, ENOENT, ESTALE } = ERRNO;

/** Attach flags (include/uapi/linux/bpf.h). */
export const CgroupAttachFlags = {
  ALLOW_OVERRIDE: 1 << 0,
  ALLOW_MULTI: 1 << 1,
  REPLACE: 1 << 2,
  BEFORE: 1 << 3,
  AFTER: 1 << 4,
  ID: 1 << 5,
  PREORDER: 1 << 6,
  LINK: 1 << 13,
} as const;
const F = CgroupAttachFlags;

/** BPF_CGROUP_MAX_PROGS. */
export const CGROUP_MAX_PROGS = 64;

/** The program type each cgroup attach type takes (attach_type_to_prog_type, cgroup part). */
export const CGROUP_ATTACH_PROG_TYPE: ReadonlyMap<number, number> = new Map([
  [A.CGROUP_INET_INGRESS, P.CGROUP_SKB],
  [A.CGROUP_INET_EGRESS, P.CGROUP_SKB],
  [A.CGROUP_INET_SOCK_CREATE, P.CGROUP_SOCK],
  [A.CGROUP_INET_SOCK_RELEASE, P.CGROUP_SOCK],
  [A.CGROUP_INET4_POST_BIND, P.CGROUP_SOCK],
  [A.CGROUP_INET6_POST_BIND, P.CGROUP_SOCK],
  [A.CGROUP_INET4_BIND, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_INET6_BIND, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_INET4_CONNECT, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_INET6_CONNECT, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_UDP4_SENDMSG, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_UDP6_SENDMSG, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_UDP4_RECVMSG, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_UDP6_RECVMSG, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_INET4_GETPEERNAME, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_INET6_GETPEERNAME, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_INET4_GETSOCKNAME, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_INET6_GETSOCKNAME, P.CGROUP_SOCK_ADDR],
  [A.CGROUP_SOCK_OPS, P.SOCK_OPS],
  [A.CGROUP_DEVICE, P.CGROUP_DEVICE],
  [A.CGROUP_SYSCTL, P.CGROUP_SYSCTL],
  [A.CGROUP_GETSOCKOPT, P.CGROUP_SOCKOPT],
  [A.CGROUP_SETSOCKOPT, P.CGROUP_SOCKOPT],
]);

/** The expected attach type a program really has (bpf_prog_load_fixup_attach_type: cgroup/sock without one is sock_create). */
export function effectiveEat(prog: KProg): number {
  return prog.type === P.CGROUP_SOCK && prog.expectedAttachType === 0 ? A.CGROUP_INET_SOCK_CREATE : prog.expectedAttachType;
}

/**
 * bpf_prog_attach_check_attach_type for cgroup programs: sock, sock_addr and sockopt programs
 * attach only at their expected attach type (a cgroup/sock one loaded without one: sock_create);
 * cgroup_skb programs at either direction whatever they were loaded for (6.18 live: an egress
 * program attached at ingress). Not modelled: the verifier's enforce_expected_attach_type, set
 * (from the 6.18 sources) for an egress program that may return 2 or 3, which then attaches at
 * egress only. Sockops, device and sysctl programs have one attach type each.
 */
export function attachTypeAllowed(prog: KProg, attachType: number): boolean {
  switch (prog.type) {
    case P.CGROUP_SOCK:
    case P.CGROUP_SOCK_ADDR:
    case P.CGROUP_SOCKOPT:
      return effectiveEat(prog) === attachType;
    default:
      return true;
  }
}

/** One attachment: a program attached directly, or a link (whose program may change). */
export interface CgroupEntry {
  prog: KProg | null;
  readonly link: KLink | null;
  /** Attached with BPF_F_PREORDER. */
  preorder: boolean;
}

/** The programs of one cgroup at one attach type. */
interface Slot {
  flags: number;
  readonly list: CgroupEntry[];
  revision: number;
}

/** An effective program with the cgroup it was attached to (whose cgroup storage its run gets). */
export interface EffectiveProg {
  readonly prog: KProg;
  readonly cgroup: Cgroup;
}

const STATE = new WeakMap<Cgroup, Map<number, Slot>>();

function slotOf(cg: Cgroup, attachType: number): Slot {
  let m = STATE.get(cg);
  if (m === undefined) STATE.set(cg, (m = new Map()));
  let s = m.get(attachType);
  if (s === undefined) m.set(attachType, (s = { flags: 0, list: [], revision: 1 }));
  return s;
}

const progOf = (e: CgroupEntry): KProg | null => (e.link !== null ? e.link.prog : e.prog);

/** hierarchy_allows_attach: no ancestor holds a single program that forbids override. */
function hierarchyAllows(cg: Cgroup, attachType: number): boolean {
  for (let p = cg.parent; p !== null; p = p.parent) {
    const s = slotOf(p, attachType);
    if ((s.flags & F.ALLOW_MULTI) !== 0) return true;
    if (s.list.length === 1) return (s.flags & F.ALLOW_OVERRIDE) !== 0;
  }
  return true;
}

/** What to attach: a program (with an optional program to replace) or a link. */
export type AttachWhat = { readonly prog: KProg; readonly replace: KProg | null } | { readonly link: KLink };

/**
 * __cgroup_bpf_attach, in its order of checks. On success the entry holds the caller's program
 * reference (a replaced single program's reference is dropped); on failure the caller keeps it.
 * Returns 0 or -errno; a refusal's reason goes to `kernel.lastErrorReason`.
 */
export function cgroupAttach(k: Kernel, cg: Cgroup, attachType: number, what: AttachWhat, flags: number, relative: number, expectedRevision: bigint): number {
  if (((flags & F.ALLOW_OVERRIDE) !== 0 && (flags & F.ALLOW_MULTI) !== 0) || ((flags & F.REPLACE) !== 0 && (flags & F.ALLOW_MULTI) === 0)) {
    return k.refuse(-EINVAL, 'cgroup attach: BPF_F_ALLOW_OVERRIDE with BPF_F_ALLOW_MULTI, or BPF_F_REPLACE without BPF_F_ALLOW_MULTI');
  }
  if ((flags & F.REPLACE) !== 0 && (flags & (F.BEFORE | F.AFTER)) !== 0) return k.refuse(-EINVAL, 'cgroup attach: BPF_F_REPLACE with BPF_F_BEFORE/BPF_F_AFTER');
  const anchored = relative !== 0 || (flags & (F.ID | F.LINK)) !== 0;
  if (anchored && (flags & (F.BEFORE | F.AFTER)) === 0) return k.refuse(-EINVAL, 'cgroup attach: relative_fd, BPF_F_ID or BPF_F_LINK without BPF_F_BEFORE/BPF_F_AFTER');
  if ((flags & F.BEFORE) !== 0 && (flags & F.AFTER) !== 0) return k.refuse(-EINVAL, 'cgroup attach: BPF_F_BEFORE with BPF_F_AFTER');
  if (anchored && ((flags & F.LINK) !== 0 || 'link' in what || (flags & F.ALLOW_MULTI) === 0)) {
    return k.refuse(-EINVAL, 'cgroup attach: an anchor that is a link (BPF_F_LINK), an anchored link, or an anchor in single mode is not emulated');
  }
  const s = slotOf(cg, attachType);
  if (expectedRevision !== 0n && expectedRevision !== BigInt(s.revision)) return k.refuse(-ESTALE, `cgroup attach: ${cg.path} is at revision ${s.revision}, not ${expectedRevision}`);
  if (!hierarchyAllows(cg, attachType)) return k.refuse(-EPERM, `cgroup attach: an ancestor of ${cg.path} holds a program that does not allow override`);
  const mode = flags & (F.ALLOW_OVERRIDE | F.ALLOW_MULTI);
  if (s.list.length > 0 && s.flags !== mode) return k.refuse(-EPERM, `cgroup attach: ${cg.path} holds programs attached with flags ${s.flags}, not ${mode}`);
  if (s.list.length >= CGROUP_MAX_PROGS) return k.refuse(-E2BIG, `cgroup attach: ${cg.path} holds ${CGROUP_MAX_PROGS} programs`);
  const prog = 'prog' in what ? what.prog : null;
  const link = 'link' in what ? what.link : null;
  const replace = 'prog' in what ? what.replace : null;
  let target: CgroupEntry | null = null;
  if ((mode & F.ALLOW_MULTI) === 0) {
    target = s.list[0] ?? null;
  } else {
    for (const e of s.list) {
      if (prog !== null && e.prog === prog && prog !== replace) return k.refuse(-EINVAL, `cgroup attach: program '${prog.name}' is already attached to ${cg.path}`);
      if (link !== null && e.link === link) return k.refuse(-EINVAL, `cgroup attach: link ${link.id} is already attached to ${cg.path}`);
    }
    if (replace !== null) {
      target = s.list.find((e) => e.prog === replace) ?? null;
      if (target === null) return k.refuse(-ENOENT, `cgroup attach: program '${replace.name}' to replace is not attached to ${cg.path}`);
    }
  }
  if (target !== null) {
    // a single-mode slot holds one direct entry (a link cannot share a non-multi slot); the
    // entry's old program reference goes (the same program again: the caller's replaces it)
    const old = target.prog;
    target.prog = prog;
    target.preorder = (flags & F.PREORDER) !== 0;
    if (old !== null) k.progPut(old);
  } else {
    const e: CgroupEntry = { prog, link, preorder: (flags & F.PREORDER) !== 0 };
    let at = (flags & F.BEFORE) !== 0 ? 0 : s.list.length;
    if (anchored) {
      // the anchor: a program attached directly, by fd or (BPF_F_ID) by id; ENOENT when not in the list
      let anchor: KProg | undefined;
      if ((flags & F.ID) !== 0) anchor = k.progIds.find(relative);
      else {
        const p = k.progGet(relative);
        if (typeof p === 'number') return p;
        k.progPut(p);
        anchor = p;
      }
      const i = anchor === undefined ? -1 : s.list.findIndex((x) => x.link === null && x.prog === anchor);
      if (i < 0) return k.refuse(-ENOENT, `cgroup attach: the anchor program is not attached to ${cg.path}`);
      at = (flags & F.BEFORE) !== 0 ? i : i + 1;
    }
    s.list.splice(at, 0, e);
  }
  s.flags = mode;
  s.revision++;
  return 0;
}

/**
 * __cgroup_bpf_detach: in single mode the one program goes whatever `prog` is (ENOENT when none);
 * in multi mode `prog` (attached directly) or `link` names the entry (EINVAL without either,
 * ENOENT when not attached). Drops the entry's program reference.
 */
export function cgroupDetach(k: Kernel, cg: Cgroup, attachType: number, prog: KProg | null, link: KLink | null, expectedRevision: bigint): number {
  const s = slotOf(cg, attachType);
  if (expectedRevision !== 0n && expectedRevision !== BigInt(s.revision)) return k.refuse(-ESTALE, `cgroup detach: ${cg.path} is at revision ${s.revision}, not ${expectedRevision}`);
  let i: number;
  if ((s.flags & F.ALLOW_MULTI) === 0) {
    if (s.list.length === 0) return k.refuse(-ENOENT, `cgroup detach: nothing is attached to ${cg.path}`);
    i = 0;
  } else {
    if (prog === null && link === null) return k.refuse(-EINVAL, `cgroup detach: ${cg.path} is in multi mode: name the program to detach`);
    i = s.list.findIndex((e) => e.prog === prog && e.link === link);
    if (i < 0) return k.refuse(-ENOENT, `cgroup detach: the program is not attached to ${cg.path}`);
  }
  const [e] = s.list.splice(i, 1);
  if (e!.link === null && e!.prog !== null) k.progPut(e!.prog);
  if (s.list.length === 0) s.flags = 0;
  s.revision++;
  return 0;
}

/** __cgroup_bpf_replace's bookkeeping: a link of `cg` got a new program (one more revision). */
export function cgroupLinkReplaced(cg: Cgroup, attachType: number): void {
  slotOf(cg, attachType).revision++;
}

/**
 * compute_effective_progs for a task in `cg`: the levels that contribute, walking up from `cg`;
 * BPF_F_PREORDER programs first, from the topmost contributing level down, then the others from
 * `cg` up, each level's in list order (as 6.18 ordered them live: golden step 200).
 */
export function effectivePrograms(cg: Cgroup, attachType: number): EffectiveProg[] {
  const pre: EffectiveProg[][] = [];
  const post: EffectiveProg[] = [];
  let cnt = 0;
  for (let c: Cgroup | null = cg; c !== null; c = c.parent) {
    const s = STATE.get(c)?.get(attachType);
    if (s === undefined) continue;
    if (cnt > 0 && (s.flags & F.ALLOW_MULTI) === 0) continue;
    const level: EffectiveProg[] = [];
    for (const e of s.list) {
      const p = progOf(e);
      if (p === null) continue;
      (e.preorder ? level : post).push({ prog: p, cgroup: c });
      cnt++;
    }
    pre.unshift(level);
  }
  return [...pre.flat(), ...post];
}

/** The effective programs at `attachType` for the current task's cgroup. */
export function effectiveForCurrent(k: Kernel, attachType: number): EffectiveProg[] {
  return effectivePrograms(cgroupsOf(k).current, attachType);
}

/** What BPF_PROG_QUERY reports for one cgroup and attach type. */
export interface CgroupQuery {
  /** The slot's mode flags (0 for an effective query). */
  readonly attachFlags: number;
  /** Program ids: the cgroup's own entries, or the effective array. */
  readonly ids: readonly number[];
  /** The revision (0 for an effective query). */
  readonly revision: number;
}

/** __cgroup_bpf_query's view: own entries or the effective array. */
export function cgroupQuery(cg: Cgroup, attachType: number, effective: boolean): CgroupQuery {
  if (effective) return { attachFlags: 0, ids: effectivePrograms(cg, attachType).map((e) => e.prog.id), revision: 0 };
  const s = STATE.get(cg)?.get(attachType);
  if (s === undefined) return { attachFlags: 0, ids: [], revision: 1 };
  return { attachFlags: s.flags, ids: s.list.map((e) => progOf(e)?.id ?? 0), revision: s.revision };
}
