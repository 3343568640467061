/**
 * Link commands and BPF_PROG_ASSOC_STRUCT_OPS: BPF_LINK_CREATE, BPF_LINK_UPDATE, BPF_LINK_DETACH,
 * BPF_RAW_TRACEPOINT_OPEN, BPF_ITER_CREATE (kernel/bpf/syscall.c link_create, link_update,
 * link_detach, bpf_raw_tracepoint_open, bpf_iter_create, prog_assoc_struct_ops; kernel/bpf/bpf_iter.c
 * bpf_iter_link_attach, bpf_iter_new_fd).
 *
 * Emulated attach points are the kernel's hook registry (raw tracepoints, fentry/fexit/fmod_ret,
 * LSM), iterator targets (iter.ts), struct_ops and the cgroups of the emulated hierarchy
 * (cmd-cgroup.ts). Attaching XDP/tc programs to network devices is not emulated (there are
 * none): those LINK_CREATE calls fail with EINVAL.
 */
import { ERRNO } from '../../util/errno.js';
import { AttachType, ProgType } from '../../object/uapi.js';
import type { Attr } from './attr.js';
import type { Hook } from '../hooks.js';
import { ITER_LINK_INFO_SIZE, iterTargets, openIterSession } from '../objects/iter.js';
import type { Kernel } from '../kernel.js';
import { KLink, type KProg, type LinkOps } from '../objects/objects.js';
import { structOpsLinkCreate } from '../structops.js';
import { CGROUP_ATTACH_PROG_TYPE } from '../progtypes/cgroup-attach.js';
import { cgroupLinkCreate } from './cmd-cgroup.js';
import { BPF_F_REPLACE, LinkType, PAGE_SIZE } from './uapi.js';

const { EINVAL, ENOENT, EOPNOTSUPP, EFAULT, EPERM, E2BIG } = ERRNO;

/** A link that keeps a program attached to a hook until released. */
function hookLinkOps(hook: Hook): LinkOps {
  const remove = (link: KLink): void => {
    const i = hook.links.indexOf(link);
    if (i >= 0) hook.links.splice(i, 1);
  };
  return {
    release: remove,
    detach(link: KLink): number {
      remove(link);
      link.detached = true;
      return 0;
    },
  };
}

/** Attach `prog` (one reference is taken over by the link) to `hook`; returns the new link. */
export function attachToHook(k: Kernel, prog: KProg, hook: Hook, linkType: number, attachType: number): KLink {
  const link = new KLink(linkType, attachType, prog, null, hookLinkOps(hook), hook.def.name);
  link.id = k.linkIds.alloc(link);
  hook.links.push(link);
  return link;
}

function installLink(k: Kernel, link: KLink): number {
  if (link.id === 0) link.id = k.linkIds.alloc(link);
  return k.newFd({ kind: 'link', obj: link });
}

/** The hook a tracing/LSM program's attach_btf_id names. */
function hookOfProg(k: Kernel, prog: KProg): Hook | undefined {
  return k.hooks.byBtfId(prog.attachBtfId);
}

/** BPF_LINK_CREATE. */
export function linkCreate(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(60)) return -EINVAL;
  const attachType = a.u32(8);
  if (attachType === AttachType.STRUCT_OPS) {
    const link = structOpsLinkCreate(k, a.u32(0));
    if (typeof link === 'number') return link;
    return installLink(k, link);
  }
  const prog = k.progGet(a.u32(0));
  if (typeof prog === 'number') return prog;
  let ret: number;
  switch (prog.type) {
    case ProgType.TRACING:
    case ProgType.LSM: {
      if (attachType !== prog.expectedAttachType) {
        ret = -EINVAL;
        break;
      }
      if (prog.expectedAttachType === AttachType.TRACE_ITER) {
        ret = iterLinkCreate(k, prog, a);
        if (ret >= 0) return ret;
        break;
      }
      const hook = hookOfProg(k, prog);
      if (hook === undefined) {
        ret = -EINVAL;
        break;
      }
      const lt = prog.expectedAttachType === AttachType.TRACE_RAW_TP ? LinkType.RAW_TRACEPOINT : LinkType.TRACING;
      return installLink(k, attachToHook(k, prog, hook, lt, attachType));
    }
    default:
      if (CGROUP_ATTACH_PROG_TYPE.get(attachType) !== undefined) return cgroupLinkCreate(k, prog, a);
      ret = -EINVAL; // devices, netns, perf events and sockmaps are not emulated
  }
  k.progPut(prog);
  return ret;
}

/** bpf_iter_link_replace: the same type, attach type and target only (EINVAL); EPERM if `old` is not the link's program. */
function iterLinkOps(k: Kernel): LinkOps {
  return {
    release: () => undefined,
    updateProg(link: KLink, newProg: KProg, oldProg: KProg | null): number {
      const cur = link.prog;
      if (cur === null || (oldProg !== null && oldProg !== cur)) return -EPERM;
      if (newProg.type !== cur.type || newProg.expectedAttachType !== cur.expectedAttachType || newProg.attachBtfId !== cur.attachBtfId) return -EINVAL;
      link.prog = newProg;
      k.progPut(cur);
      return 0;
    },
  };
}

/**
 * bpf_iter_link_attach, in its order of checks: target_fd or flags set → EINVAL; iter_info NULL
 * with a length or a pointer without one → EINVAL; a length over PAGE_SIZE, or bytes past
 * sizeof(union bpf_iter_link_info) that are not zero → E2BIG (bpf_check_uarg_tail_zero);
 * unreadable info → EFAULT; no iterator target for the program's attach_btf_id → ENOENT; then the
 * target's own checks. Returns the link fd (the link takes over the caller's program reference).
 */
function iterLinkCreate(k: Kernel, prog: KProg, a: Attr): number {
  if (a.u32(4) !== 0 || a.u32(12) !== 0) return -EINVAL;
  const infoPtr = a.addr(16);
  const infoLen = a.u32(24);
  if ((infoPtr === 0) !== (infoLen === 0)) return -EINVAL;
  const info = new Uint8Array(ITER_LINK_INFO_SIZE);
  if (infoPtr !== 0) {
    if (infoLen > PAGE_SIZE) return -E2BIG;
    if (infoLen > ITER_LINK_INFO_SIZE) {
      const tail = k.user.read(infoPtr + ITER_LINK_INFO_SIZE, infoLen - ITER_LINK_INFO_SIZE);
      if (tail === null) return -EFAULT;
      if (tail.some((b) => b !== 0)) return -E2BIG;
    }
    const head = k.user.read(infoPtr, Math.min(infoLen, ITER_LINK_INFO_SIZE));
    if (head === null) return -EFAULT;
    info.set(head);
  }
  const hook = hookOfProg(k, prog);
  const target = hook?.def.kind === 'iter' ? iterTargets(k)?.get(hook.def.name) : undefined;
  if (target === undefined) return -ENOENT;
  const aux = target.attach(k, info);
  if (typeof aux === 'number') return aux;
  const link = new KLink(LinkType.ITER, AttachType.TRACE_ITER, prog, null, iterLinkOps(k), target.name);
  link.iter = { target, aux };
  return installLink(k, link);
}

/**
 * BPF_ITER_CREATE: CHECK_ATTR, flags → EINVAL; the link (EBADF, EINVAL for another fd); a link
 * that is not an iterator → EINVAL. The new fd holds its own program reference, so it outlives
 * the link; reading it runs the program (`kernel.read`).
 */
export function iterCreate(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(8)) return -EINVAL;
  if (a.u32(4) !== 0) return -EINVAL;
  const link = k.linkGet(a.u32(0));
  if (typeof link === 'number') return link;
  try {
    const s = openIterSession(k, link);
    if (typeof s === 'number') return s;
    return k.newFd({ kind: 'iter', obj: s });
  } finally {
    k.linkPut(link);
  }
}

/** BPF_RAW_TRACEPOINT_OPEN: raw_tp programs by name; tp_btf (tracing) programs by their attach target. */
export function rawTracepointOpen(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(24)) return -EINVAL;
  const prog = k.progGet(a.u32(8));
  if (typeof prog === 'number') return prog;
  const namePtr = a.addr(0);
  let hook: Hook | undefined;
  switch (prog.type) {
    case ProgType.TRACING:
    case ProgType.EXT:
    case ProgType.LSM:
      if (namePtr !== 0 || prog.type !== ProgType.TRACING || prog.expectedAttachType !== AttachType.TRACE_RAW_TP) {
        k.progPut(prog);
        return -EINVAL;
      }
      hook = hookOfProg(k, prog);
      break;
    case ProgType.RAW_TRACEPOINT:
    case ProgType.RAW_TRACEPOINT_WRITABLE: {
      const name = k.user.readCString(namePtr, 128);
      if (name === null) {
        k.progPut(prog);
        return -EFAULT;
      }
      hook = k.hooks.get('raw_tp', name);
      break;
    }
    default:
      k.progPut(prog);
      return -EINVAL;
  }
  if (hook === undefined) {
    k.progPut(prog);
    return -ENOENT;
  }
  return installLink(k, attachToHook(k, prog, hook, LinkType.RAW_TRACEPOINT, AttachType.TRACE_RAW_TP));
}

/** BPF_LINK_UPDATE (link_update, link_update_map). */
export function linkUpdate(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(16)) return -EINVAL;
  const flags = a.u32(8);
  if ((flags & ~BPF_F_REPLACE) !== 0) return -EINVAL;
  const link = k.linkGet(a.u32(0));
  if (typeof link === 'number') return link;
  try {
    if (link.ops.updateMap !== undefined) {
      const newMap = k.mapGet(a.u32(4));
      if (typeof newMap === 'number') return newMap;
      try {
        let oldMap = null;
        if ((flags & BPF_F_REPLACE) !== 0) {
          const om = k.mapGet(a.u32(12));
          if (typeof om === 'number') return om;
          oldMap = om;
        } else if (a.u32(12) !== 0) return -EINVAL;
        try {
          return link.ops.updateMap(link, newMap, oldMap);
        } finally {
          if (oldMap !== null) k.mapPut(oldMap);
        }
      } finally {
        k.mapPut(newMap);
      }
    }
    const newProg = k.progGet(a.u32(4));
    if (typeof newProg === 'number') return newProg;
    let oldProg = null;
    let ret: number;
    if ((flags & BPF_F_REPLACE) !== 0) {
      const op = k.progGet(a.u32(12));
      if (typeof op === 'number') {
        k.progPut(newProg);
        return op;
      }
      oldProg = op;
    } else if (a.u32(12) !== 0) {
      k.progPut(newProg);
      return -EINVAL;
    }
    ret = link.ops.updateProg !== undefined ? link.ops.updateProg(link, newProg, oldProg) : -EINVAL;
    if (oldProg !== null) k.progPut(oldProg);
    if (ret !== 0) k.progPut(newProg);
    return ret;
  } finally {
    k.linkPut(link);
  }
}

/** BPF_LINK_DETACH. */
export function linkDetach(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(4)) return -EINVAL;
  const link = k.linkGet(a.u32(0));
  if (typeof link === 'number') return link;
  try {
    return link.ops.detach !== undefined ? link.ops.detach(link) : -EOPNOTSUPP;
  } finally {
    k.linkPut(link);
  }
}

/**
 * BPF_PROG_ASSOC_STRUCT_OPS (cmd 38), in the kernel's order of checks (docs §2.2): stray bytes
 * from offset 8 (flags included) → EINVAL; flags → EINVAL; program (EBADF/EINVAL); struct_ops
 * program → EINVAL; map (EBADF/EINVAL); non-struct_ops map → EINVAL; then associate.
 */
export function progAssocStructOps(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(8)) return -EINVAL;
  if (a.u32(8) !== 0) return -EINVAL;
  const prog = k.progGet(a.u32(4));
  if (typeof prog === 'number') return prog;
  try {
    if (prog.type === ProgType.STRUCT_OPS) return -EINVAL;
    const map = k.mapGet(a.u32(0));
    if (typeof map === 'number') return map;
    try {
      if (map.type !== 26 /* BPF_MAP_TYPE_STRUCT_OPS */) return -EINVAL;
      return k.assocStructOps(prog, map);
    } finally {
      k.mapPut(map);
    }
  } finally {
    k.progPut(prog);
  }
}
