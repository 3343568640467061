/**
 * BPF_PROG_ATTACH, BPF_PROG_DETACH and BPF_PROG_QUERY for the cgroup attach types
 * (kernel/bpf/syscall.c bpf_prog_attach, bpf_prog_detach, bpf_prog_query; kernel/bpf/cgroup.c
 * cgroup_bpf_prog_attach, cgroup_bpf_prog_detach, cgroup_bpf_prog_query), plus the cgroup branch
 * of BPF_LINK_CREATE. The per-cgroup lists and the effective array are progtypes/cgroup-attach.ts.
 * A cgroup is named by the fd of its directory (CgroupTree.openFd); any other fd is EBADF, as
 * cgroup_get_from_fd. Other attach types (sk_msg, flow dissector, lirc, netns ...) are not
 * emulated here: EINVAL with a message. Errnos and their order were checked on 6.18
 * (test/kernel/progtypes/golden/cgroup-attach-live.json).
 */
import { ERRNO } from '../../util/errno.js';
import type { Attr } from './attr.js';
import type { Kernel } from '../kernel.js';
import type { KProg } from '../objects/objects.js';
import { cgroupsOf, type Cgroup } from '../../maps/cgroups.js';
import { OwnerFile } from '../../maps/local-storage.js';
import { attachTypeAllowed, cgroupAttach, CgroupAttachFlags as F, cgroupDetach, cgroupQuery, CGROUP_ATTACH_PROG_TYPE } from '../progtypes/cgroup-attach.js';
import { cgroupLinkAttach } from '../progtypes/cgroup.js';

const { EINVAL, EBADF, EFAULT, ENOSPC } = ERRNO;

/** BPF_F_ATTACH_MASK_BASE | BPF_F_ATTACH_MASK_MPROG: the flags a cgroup PROG_ATTACH accepts. */
const CGROUP_ATTACH_MASK = F.ALLOW_OVERRIDE | F.ALLOW_MULTI | F.REPLACE | F.PREORDER | F.BEFORE | F.AFTER | F.ID | F.LINK;
/** BPF_F_QUERY_EFFECTIVE. */
export const BPF_F_QUERY_EFFECTIVE = 1 << 0;

/** cgroup_get_from_fd: the cgroup whose directory `fd` is, else -EBADF. */
export function cgroupOfFd(k: Kernel, fd: number): Cgroup | number {
  const f = k.fds.get(fd);
  if (!(f instanceof OwnerFile) || f.ownerKind !== 'cgroup') return k.refuse(-EBADF, `fd ${fd} is not a cgroup directory`);
  const cg = cgroupsOf(k).byObject(f.owner);
  return cg ?? -EBADF;
}

/** bpf_prog_get_type: a reference to the program of `fd` if it is of `type`, else -errno. */
function progOfType(k: Kernel, fd: number, type: number): KProg | number {
  const p = k.progGet(fd);
  if (typeof p === 'number') return p;
  if (p.type !== type) {
    k.progPut(p);
    return k.refuse(-EINVAL, `program '${p.name}' is of type ${p.type}, the attach type takes type ${type}`);
  }
  return p;
}

function progTypeOf(k: Kernel, attachType: number, cmd: string): number {
  const t = CGROUP_ATTACH_PROG_TYPE.get(attachType);
  return t ?? k.refuse(-EINVAL, `${cmd}: attach type ${attachType} is not a cgroup attach type (the only ones emulated)`);
}

/** BPF_PROG_ATTACH: target_fd 0, attach_bpf_fd 4, attach_type 8, attach_flags 12, replace_bpf_fd 16, relative_fd 20, expected_revision 24. */
export function progAttach(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(32)) return -EINVAL;
  const attachType = a.u32(8);
  const flags = a.u32(12);
  const ptype = progTypeOf(k, attachType, 'BPF_PROG_ATTACH');
  if (ptype < 0) return ptype;
  if ((flags & ~CGROUP_ATTACH_MASK) !== 0) return k.refuse(-EINVAL, `BPF_PROG_ATTACH: unknown attach flags ${flags & ~CGROUP_ATTACH_MASK}`);
  const prog = progOfType(k, a.u32(4), ptype);
  if (typeof prog === 'number') return prog;
  if (!attachTypeAllowed(prog, attachType)) {
    k.progPut(prog);
    return k.refuse(-EINVAL, `BPF_PROG_ATTACH: program '${prog.name}' was loaded for attach type ${prog.expectedAttachType}, not ${attachType}`);
  }
  const cg = cgroupOfFd(k, a.u32(0));
  if (typeof cg === 'number') {
    k.progPut(prog);
    return cg;
  }
  let replace: KProg | null = null;
  if ((flags & F.ALLOW_MULTI) !== 0 && (flags & F.REPLACE) !== 0) {
    const r = progOfType(k, a.u32(16), ptype);
    if (typeof r === 'number') {
      k.progPut(prog);
      return r;
    }
    replace = r;
  }
  const ret = cgroupAttach(k, cg, attachType, { prog, replace }, flags, a.u32(20), a.u64(24));
  if (ret < 0) k.progPut(prog);
  if (replace !== null) k.progPut(replace);
  return ret;
}

/** BPF_PROG_DETACH: the same layout; an attach_bpf_fd that is no program of the type counts as none. */
export function progDetach(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(32)) return -EINVAL;
  const attachType = a.u32(8);
  const ptype = progTypeOf(k, attachType, 'BPF_PROG_DETACH');
  if (ptype < 0) return ptype;
  const cg = cgroupOfFd(k, a.u32(0));
  if (typeof cg === 'number') return cg;
  const p = k.progGet(a.u32(4));
  let prog: KProg | null = null;
  if (typeof p !== 'number') {
    if (p.type === ptype) prog = p;
    else k.progPut(p);
  }
  try {
    return cgroupDetach(k, cg, attachType, prog, null, a.u64(24));
  } finally {
    if (prog !== null) k.progPut(prog);
  }
}

/**
 * BPF_PROG_QUERY (query: target_fd 0, attach_type 4, query_flags 8, attach_flags 12, prog_ids 16,
 * prog_cnt 24, prog_attach_flags 32, link_ids 40, link_attach_flags 48, revision 56). Writes
 * attach_flags, prog_cnt (the full count) and revision back, then as many ids as prog_cnt allows:
 * -ENOSPC when the array is short. An effective query reports flags and revision 0 and takes no
 * prog_attach_flags (EINVAL).
 */
export function progQuery(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(64)) return -EINVAL;
  const qflags = a.u32(8);
  if ((qflags & ~BPF_F_QUERY_EFFECTIVE) !== 0) return k.refuse(-EINVAL, `BPF_PROG_QUERY: unknown query flags ${qflags}`);
  const attachType = a.u32(4);
  const ptype = progTypeOf(k, attachType, 'BPF_PROG_QUERY');
  if (ptype < 0) return ptype;
  const cg = cgroupOfFd(k, a.u32(0));
  if (typeof cg === 'number') return cg;
  const effective = (qflags & BPF_F_QUERY_EFFECTIVE) !== 0;
  const idsPtr = a.addr(16);
  const flagsPtr = a.addr(32);
  if (effective && flagsPtr !== 0) return k.refuse(-EINVAL, 'BPF_PROG_QUERY: an effective query has no prog_attach_flags');
  const q = cgroupQuery(cg, attachType, effective);
  const room = a.u32(24);
  const total = q.ids.length;
  a.setU32(12, q.attachFlags);
  a.setU32(24, total);
  a.setU64(56, q.revision);
  if (room === 0 || idsPtr === 0 || total === 0) return 0;
  const n = Math.min(room, total);
  const u32s = (vals: readonly number[]): Uint8Array => {
    const b = new Uint8Array(vals.length * 4);
    const dv = new DataView(b.buffer);
    vals.forEach((v, i) => dv.setUint32(i * 4, v, true));
    return b;
  };
  if (!k.user.write(idsPtr, u32s(q.ids.slice(0, n)))) return -EFAULT;
  if (!effective && flagsPtr !== 0 && !k.user.write(flagsPtr, u32s(new Array<number>(n).fill(q.attachFlags)))) return -EFAULT;
  return room < total ? -ENOSPC : 0;
}

/** BPF_F_LINK_ATTACH_MASK: the flags a cgroup link accepts (BPF_F_PREORDER too, as 6.18 did live). */
const CGROUP_LINK_MASK = F.BEFORE | F.AFTER | F.ID | F.LINK | F.PREORDER;

/**
 * BPF_LINK_CREATE of a cgroup program (cgroup_bpf_link_attach): target_fd a cgroup directory,
 * attach_type checked against the program (EINVAL), flags (EINVAL for others, BPF_F_ALLOW_* too),
 * link_create.cgroup.relative_fd at 16 and expected_revision at 24. Takes over the caller's
 * program reference.
 */
export function cgroupLinkCreate(k: Kernel, prog: KProg, a: Attr): number {
  const attachType = a.u32(8);
  if (CGROUP_ATTACH_PROG_TYPE.get(attachType) !== prog.type || !attachTypeAllowed(prog, attachType)) {
    k.progPut(prog);
    return k.refuse(-EINVAL, `BPF_LINK_CREATE: program '${prog.name}' does not attach at attach type ${attachType}`);
  }
  const flags = a.u32(12);
  if ((flags & ~CGROUP_LINK_MASK) !== 0) {
    k.progPut(prog);
    return k.refuse(-EINVAL, `BPF_LINK_CREATE: cgroup link flags ${flags & ~CGROUP_LINK_MASK} are not BPF_F_BEFORE/AFTER/ID/LINK/PREORDER`);
  }
  const cg = cgroupOfFd(k, a.u32(4));
  if (typeof cg === 'number') {
    k.progPut(prog);
    return cg;
  }
  return cgroupLinkAttach(k, prog, cg, attachType, flags, a.u32(16), a.u64(24));
}
