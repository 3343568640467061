/**
 * The cgroup and socket-hook program types that the kernel cannot test-run (BPF_PROG_TEST_RUN:
 * ENOTSUPP on 6.18): cgroup/sock, cgroup/sock_addr, sockops, cgroup/dev, cgroup/sysctl and
 * cgroup/sockopt. They are attached to a cgroup of the emulated hierarchy (maps/cgroups.ts; the
 * root by default) at the hook named as their SEC() name (`cgroup/connect4`, `sockops`, ...) with
 * {@link attachCgroup}, and {@link fireCgroup} runs the programs in effect for the current task's
 * cgroup on one event, as the kernel's cgroup run array does (kernel/bpf/cgroup.c
 * compute_effective_progs, bpf_prog_run_array_cg):
 * - the effective programs are the task's cgroup's, then its ancestors' as 6.18 computes them
 *   (cgroup-attach.ts: override and single modes shadow, multi adds, BPF_F_PREORDER first); links
 *   (attachCgroup, BPF_LINK_CREATE) attach with BPF_F_ALLOW_MULTI semantics, BPF_PROG_ATTACH in
 *   any mode (syscall/cmd-cgroup.ts); each run gets the cgroup storage of the cgroup it was
 *   attached to (bpf_get_local_storage);
 * - the programs run in attach order on one shared ctx, so a rewrite (user_ip4, reply, optlen, ...)
 *   is seen by the next program and reported at the end;
 * - a program returning 0 (bit 0 clear) makes the result -EPERM unless it is already an error;
 *   all programs still run; bits above bit 0 are collected as flags for bind4/6
 *   (BPF_RET_BIND_NO_CAP_NET_BIND_SERVICE = 1 after the shift);
 * - cgroup/getsockopt starts from the kernel's own getsockopt result (the event's `retval`),
 *   which programs read and write as ctx->retval.
 *
 * An event gives field values of the type's uapi ctx struct by name, in the representation the
 * program reads (addresses and ports in network byte order where the uapi says so), plus the
 * socket a ctx's `sk` points to (struct bpf_sock fields) and, for sockopt, the option bytes.
 * Checked against 6.18 by attaching the fixtures' connect4, bind4, sock_create, getsockopt,
 * setsockopt, dev and sysctl programs to a
 * real cgroup and driving them with socket calls (test/kernel/progtypes/golden/cgroup-live.json).
 * A sockops event may name a socket of the emulated table (`socket`), which bpf_sock_map_update /
 * bpf_sock_hash_update then add to socket maps (helpers/sockmap.ts).
 * A cgroup/sysctl event may describe the access (`sysctl`: name, current value, value written) for
 * the bpf_sysctl_* helpers (helpers/sysctl.ts); a write reports the value it stores (`sysctlValue`).
 * cgroup_skb programs attach here too; progtypes/cgroup-skb.ts fires them on a packet.
 */
import { AttachType as A, ProgType as P } from '../../object/uapi.js';
import { ERRNO } from '../../util/errno.js';
import { Memory, PERM_RW, RegionKind } from '../../vm/memory.js';
import type { Fault } from '../../vm/fault.js';
import type { Kernel } from '../kernel.js';
import { KLink, type KProg } from '../objects/objects.js';
import { cgroupAttach, CgroupAttachFlags, cgroupDetach, cgroupLinkReplaced, effectiveEat, effectiveForCurrent } from './cgroup-attach.js';
import { cgroupsOf, type Cgroup } from '../../maps/cgroups.js';
import { CgroupStorageMap } from '../../maps/cgroup-storage.js';
import { bindCgroupStorage } from '../../helpers/cgroup.js';
import { SockOpsRun } from '../../helpers/sockmap.js';
import { SYSCTL_PAGE_SIZE, SysctlRun } from '../../helpers/sysctl.js';
import { isFullSock, type EmuSocket } from '../objects/sockets.js';
import { LinkType } from '../syscall/uapi.js';
import { mapFieldCtx, StructImage, type FieldCtx } from './fieldctx.js';
import { BPF_SOCK, BPF_SOCK_ADDR, BPF_SOCKOPT, fieldCtxOf } from './sockctx.js';

const { EPERM, EINVAL, ENOLINK } = ERRNO;

/** Hook names (libbpf's SEC() names) by (program type, expected attach type). */
const HOOKS: readonly (readonly [type: number, eat: number, name: string])[] = [
  [P.CGROUP_SOCK, A.CGROUP_INET_SOCK_CREATE, 'cgroup/sock_create'],
  [P.CGROUP_SOCK, A.CGROUP_INET_SOCK_RELEASE, 'cgroup/sock_release'],
  [P.CGROUP_SOCK, A.CGROUP_INET4_POST_BIND, 'cgroup/post_bind4'],
  [P.CGROUP_SOCK, A.CGROUP_INET6_POST_BIND, 'cgroup/post_bind6'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_BIND, 'cgroup/bind4'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_BIND, 'cgroup/bind6'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_CONNECT, 'cgroup/connect4'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_CONNECT, 'cgroup/connect6'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_SENDMSG, 'cgroup/sendmsg4'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_SENDMSG, 'cgroup/sendmsg6'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_UDP4_RECVMSG, 'cgroup/recvmsg4'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_UDP6_RECVMSG, 'cgroup/recvmsg6'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETPEERNAME, 'cgroup/getpeername4'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETPEERNAME, 'cgroup/getpeername6'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_GETSOCKNAME, 'cgroup/getsockname4'],
  [P.CGROUP_SOCK_ADDR, A.CGROUP_INET6_GETSOCKNAME, 'cgroup/getsockname6'],
  [P.SOCK_OPS, A.CGROUP_SOCK_OPS, 'sockops'],
  [P.CGROUP_DEVICE, A.CGROUP_DEVICE, 'cgroup/dev'],
  [P.CGROUP_SYSCTL, A.CGROUP_SYSCTL, 'cgroup/sysctl'],
  [P.CGROUP_SOCKOPT, A.CGROUP_GETSOCKOPT, 'cgroup/getsockopt'],
  [P.CGROUP_SOCKOPT, A.CGROUP_SETSOCKOPT, 'cgroup/setsockopt'],
  // cgroup_skb: fired with fireCgroupSkb (cgroup-skb.ts), which runs the __sk_buff programs on a packet
  [P.CGROUP_SKB, A.CGROUP_INET_INGRESS, 'cgroup_skb/ingress'],
  [P.CGROUP_SKB, A.CGROUP_INET_EGRESS, 'cgroup_skb/egress'],
];

/** Every cgroup hook name {@link fireCgroup} knows. */
export const CGROUP_HOOKS: readonly string[] = HOOKS.map((h) => h[2]);

/** The hook a program of `type` loaded with `eat` attaches to (sockops: any attach type), or undefined. */
export function cgroupHookOf(type: number, eat: number): string | undefined {
  if (type === P.SOCK_OPS) return 'sockops';
  // cgroup/sock programs loaded without an attach type are sock_create ones (bpf_prog_load_fixup_attach_type).
  if (type === P.CGROUP_SOCK && eat === 0) eat = A.CGROUP_INET_SOCK_CREATE;
  return HOOKS.find(([t, e]) => t === type && e === eat)?.[2];
}

function hookDef(name: string): readonly [number, number, string] {
  const h = HOOKS.find((x) => x[2] === name);
  if (h === undefined) throw new RangeError(`no cgroup hook named '${name}' (known: ${CGROUP_HOOKS.join(', ')})`);
  return h;
}

/** The cgroup and attach type of each cgroup link (attachCgroup, BPF_LINK_CREATE). */
const LINK_CGROUP = new WeakMap<KLink, Cgroup>();

/**
 * Attach the program of `progFd` to its cgroup hook (chosen by its type and expected attach type)
 * in `cgroup` (default: the root of the emulated hierarchy) as a link (BPF_F_ALLOW_MULTI
 * semantics, cgroup-attach.ts) and return the link's fd; closing that fd detaches it. -EINVAL for
 * a program of another type or a removed cgroup; -EPERM where the cgroup or an ancestor holds
 * programs attached without BPF_F_ALLOW_MULTI (as the kernel's link_create).
 */
export function attachCgroup(k: Kernel, progFd: number, cgroup?: Cgroup): number {
  const prog = k.progGet(progFd);
  if (typeof prog === 'number') return prog;
  const name = cgroupHookOf(prog.type, prog.expectedAttachType);
  if (name === undefined) {
    k.progPut(prog);
    return k.refuse(-EINVAL, `program '${prog.name}' is not a cgroup_skb, cgroup/sock, sock_addr, sockops, dev, sysctl or sockopt program`);
  }
  return cgroupLinkAttach(k, prog, cgroup ?? cgroupsOf(k).root, hookDef(name)[1]);
}

/**
 * Make a cgroup link of `prog` (whose reference the link takes over on success; dropped on failure)
 * at `attachType` of `cg` and return its fd or -errno. `flags` (BPF_F_BEFORE, BPF_F_AFTER,
 * BPF_F_PREORDER), `relative` and `expectedRevision` are link_create's. BPF_LINK_UPDATE swaps
 * the program in place (cgroup_bpf_replace: EPERM when `old` is not the link's program, EINVAL
 * for another type or expected attach type, ENOLINK once detached; one more revision).
 */
export function cgroupLinkAttach(k: Kernel, prog: KProg, cg: Cgroup, attachType: number, flags = 0, relative = 0, expectedRevision = 0n): number {
  if (cg.removed) {
    k.progPut(prog);
    return k.refuse(-EINVAL, `cgroup ${cg.path} was removed`);
  }
  const detach = (link: KLink): number => {
    if (link.detached) return 0;
    link.detached = true;
    return cgroupDetach(k, cg, attachType, null, link, 0n);
  };
  const updateProg = (link: KLink, newProg: KProg, oldProg: KProg | null): number => {
    if (link.detached) return k.refuse(-ENOLINK, `link ${link.id} was detached from ${cg.path}`);
    const cur = link.prog!;
    if (oldProg !== null && oldProg !== cur) return k.refuse(-EPERM, `link ${link.id} does not hold program '${oldProg.name}'`);
    if (newProg.type !== cur.type || effectiveEat(newProg) !== effectiveEat(cur)) return k.refuse(-EINVAL, `program '${newProg.name}' is not of the link's type and expected attach type`);
    link.prog = newProg;
    cgroupLinkReplaced(cg, attachType);
    k.progPut(cur);
    return 0;
  };
  const link = new KLink(LinkType.CGROUP, attachType, prog, null, { release: (l) => void detach(l), detach, updateProg }, cg.path);
  const r = cgroupAttach(k, cg, attachType, { link }, CgroupAttachFlags.ALLOW_MULTI | flags, relative, expectedRevision);
  if (r < 0) {
    k.progPut(prog);
    return r;
  }
  link.id = k.linkIds.alloc(link);
  LINK_CGROUP.set(link, cg);
  return k.newFd({ kind: 'link', obj: link });
}

/** The cgroup a link attached its program to, if it is a cgroup link. */
export function cgroupOfLink(link: KLink): Cgroup | undefined {
  return LINK_CGROUP.get(link);
}

/** The attach type of a cgroup hook name (`cgroup/connect4` → BPF_CGROUP_INET4_CONNECT). */
export function cgroupHookAttachType(name: string): number {
  return hookDef(name)[1];
}

/** Field values by name: a number or bigint per element (`user_ip6: [a, b, c, d]` for arrays). */
export type CtxFields = Readonly<Record<string, number | bigint | readonly (number | bigint)[]>>;

/** One event at a cgroup hook. */
export interface CgroupEvent {
  /** Fields of the hook's ctx struct (bpf_sock_addr, bpf_sock_ops, ...); the rest are 0. */
  readonly ctx?: CtxFields;
  /** The socket: struct bpf_sock fields (what ctx->sk points to; cgroup/sock: the ctx itself). */
  readonly sock?: CtxFields;
  /**
   * sockops: the id of a socket of the emulated table (`kernel.sockets`) the event is about, instead
   * of `sock`. ctx->sk is then that socket's bpf_sock view, the ctx's family, state, local_port
   * and is_fullsock default to the socket's, and bpf_sock_map_update / bpf_sock_hash_update add
   * that very socket to a socket map.
   */
  readonly socket?: number;
  /**
   * cgroup/sysctl: the access the bpf_sysctl_* helpers see: the name below /proc/sys
   * ('kernel/domainname'), the current value as a read gives it ('orig\n'; unset: none), and for a
   * write the bytes written (ctx->write defaults to 1 when `newValue` is given).
   */
  readonly sysctl?: { readonly name?: string; readonly current?: string | Uint8Array; readonly newValue?: string | Uint8Array };
  /** cgroup/sockopt: the option value the program sees between optval and optval_end. */
  readonly optval?: Uint8Array;
  /** cgroup/getsockopt: the kernel's getsockopt result the programs start from (default 0). */
  readonly retval?: number;
}

/** One program's run at a hook. */
export interface CgroupProgRun {
  readonly prog: KProg;
  readonly r0: bigint;
  readonly fault: Fault | null;
}

/** The outcome of {@link fireCgroup}. */
export interface CgroupFireResult {
  /** 0 (allowed) or -EPERM (a program returned 0), or getsockopt's retval. */
  readonly retval: number;
  /** bind4/6: the return bits above bit 0 ORed together (1: BPF_RET_BIND_NO_CAP_NET_BIND_SERVICE). */
  readonly flags: number;
  /** The ctx struct after the runs: every field of the hook's view, by name. */
  readonly ctx: Readonly<Record<string, number | bigint | (number | bigint)[]>>;
  /** cgroup/sockopt: the option bytes after the runs. */
  readonly optval?: Uint8Array;
  /** cgroup/sysctl writes: the value the write stores (bpf_sysctl_set_new_value's when the access is allowed). */
  readonly sysctlValue?: Uint8Array;
  readonly runs: readonly CgroupProgRun[];
}

function fill(img: StructImage, c: FieldCtx, fields: CtxFields | undefined, what: string): void {
  for (const [name, v] of Object.entries(fields ?? {})) {
    const f = c.fields.find((x) => x.name === name);
    if (f === undefined) throw new RangeError(`${what}: ${c.name} has no field '${name}'${c.fields.length > 0 ? ` (fields: ${c.fields.map((x) => x.name).join(', ')})` : ''}`);
    if (f.ptr !== undefined) throw new RangeError(`${what}: ${c.name}.${name} is a pointer the kernel sets`);
    const vals = Array.isArray(v) ? v : [v];
    if (vals.length > (f.count ?? 1)) throw new RangeError(`${what}: ${c.name}.${name} has ${f.count ?? 1} element(s), got ${vals.length}`);
    vals.forEach((x, i) => img.set(name, x as number | bigint, i));
  }
}

function read(img: StructImage, c: FieldCtx): Record<string, number | bigint | (number | bigint)[]> {
  const out: Record<string, number | bigint | (number | bigint)[]> = {};
  for (const f of c.fields) {
    if (f.ptr !== undefined) continue;
    out[f.name] = f.count === undefined ? img.get(f.name) : Array.from({ length: f.count }, (_, i) => img.get(f.name, i));
  }
  return out;
}

function bytes0(v: string | Uint8Array): Uint8Array {
  return (typeof v === 'string' ? new TextEncoder().encode(v) : v.slice()).slice(0, SYSCTL_PAGE_SIZE);
}

/** The full layout of a type's ctx struct (every field, whatever one attach type may access). */
function layoutOf(type: number, eat: number): FieldCtx {
  if (type === P.CGROUP_SOCK) return BPF_SOCK;
  if (type === P.CGROUP_SOCK_ADDR) return BPF_SOCK_ADDR;
  if (type === P.CGROUP_SOCKOPT) return BPF_SOCKOPT;
  const view = fieldCtxOf(type, eat);
  if (view === undefined) throw new RangeError(`program type ${type} has no field-table ctx`);
  return view;
}

/**
 * Fire the cgroup hook `name` (`cgroup/connect4`, `sockops`, ...): every program attached there
 * runs in attach order on one ctx built from `ev`. A fault stops nothing else: it is reported with
 * its program (and counts as a 0 return, as an aborted program allows nothing).
 */
export function fireCgroup(k: Kernel, name: string, ev: CgroupEvent = {}): CgroupFireResult {
  const [type, eat] = hookDef(name);
  if (type === P.CGROUP_SKB) throw new RangeError(`${name}: cgroup_skb hooks run on a packet: use fireCgroupSkb (progtypes/cgroup-skb.ts)`);
  // The image holds every field of the struct; the region lets the programs see the attach type's view.
  const layout = layoutOf(type, eat);
  const view = fieldCtxOf(type, eat)!;
  const img = new StructImage(layout);
  const regions: number[] = [];
  const map = (bytes: Uint8Array, label: string): bigint => {
    const id = k.mem.map(bytes, { kind: RegionKind.CTX, perm: PERM_RW, label });
    regions.push(id);
    return Memory.pointer(id, 0);
  };
  try {
    // The socket: the ctx itself for cgroup/sock, else what ctx->sk points to.
    const sockImg = new StructImage(BPF_SOCK);
    fill(sockImg, BPF_SOCK, ev.sock, `${name} socket`);
    if (type === P.CGROUP_SOCK) fill(img, layout, ev.sock, `${name} socket`);
    fill(img, layout, ev.ctx, name);
    let optval: Uint8Array | undefined;
    let sockPtr = 0n;
    let tableSock: EmuSocket | null = null;
    if (ev.socket !== undefined) {
      if (type !== P.SOCK_OPS) throw new RangeError(`${name}: 'socket' (a table socket) is for sockops events only`);
      if (ev.sock !== undefined) throw new RangeError(`${name}: give either 'socket' (a table socket) or 'sock' (bpf_sock fields), not both`);
      const s = k.sockets.get(ev.socket);
      if (s === undefined) throw new RangeError(`${name}: socket ${ev.socket} is not in the socket table`);
      tableSock = s;
      sockPtr = k.sockets.sockPointer(s);
      const defaults: Record<string, number> = { family: s.family, state: s.state, local_port: s.localPort, is_fullsock: isFullSock(s) ? 1 : 0 };
      for (const [f, v] of Object.entries(defaults)) if (ev.ctx?.[f] === undefined) img.set(f, v);
    }
    const hasSk = layout.fields.some((f) => f.name === 'sk');
    if (hasSk && type !== P.SOCK_OPS) {
      const sock = mapFieldCtx(k, BPF_SOCK, sockImg.bytes, `bpf_sock of ${name}`);
      regions.push(sock.region);
      sockPtr = sock.ptr;
    } else if (type === P.SOCK_OPS && tableSock !== null) {
      // the table socket's own view (mapped by the socket table, retired when the socket goes)
    } else if (type === P.SOCK_OPS && ev.sock !== undefined) {
      // ctx->sk is a full socket only when is_fullsock (sock_ops_convert_ctx_access)
      const sock = mapFieldCtx(k, BPF_SOCK, sockImg.bytes, `bpf_sock of ${name}`);
      regions.push(sock.region);
      sockPtr = sock.ptr;
    }
    if (hasSk) img.set('sk', sockPtr);
    if (type === P.CGROUP_SOCKOPT) {
      optval = (ev.optval ?? new Uint8Array(0)).slice();
      const p = map(optval, `optval of ${name}`);
      img.set('optval', p).set('optval_end', p + BigInt(optval.length));
      if (ev.ctx?.optlen === undefined) img.set('optlen', optval.length);
    }
    let sysctl: SysctlRun | null = null;
    if (ev.sysctl !== undefined && type !== P.CGROUP_SYSCTL) throw new RangeError(`${name}: 'sysctl' is for cgroup/sysctl events only`);
    if (type === P.CGROUP_SYSCTL) {
      const sc = ev.sysctl ?? {};
      const bytes = (v: string | Uint8Array | undefined): Uint8Array | null => (v === undefined ? null : typeof v === 'string' ? new TextEncoder().encode(v) : v.slice());
      if (sc.newValue !== undefined && ev.ctx?.write === undefined) img.set('write', 1);
      const write = Number(img.get('write')) !== 0;
      if (sc.newValue !== undefined && !write) throw new RangeError(`${name}: a read (ctx.write 0) has no newValue`);
      if (sc.name !== undefined && (sc.name === '' || sc.name.startsWith('/') || sc.name.endsWith('/'))) throw new RangeError(`${name}: sysctl name '${sc.name}' must be a path below /proc/sys such as 'kernel/domainname'`);
      sysctl = new SysctlRun(sc.name, bytes(sc.current), write, bytes(sc.newValue));
    }
    const getsockopt = type === P.CGROUP_SOCKOPT && eat === A.CGROUP_GETSOCKOPT;
    let retval = getsockopt ? (ev.retval ?? 0) | 0 : 0;
    let flags = 0;
    const runs: CgroupProgRun[] = [];
    for (const { prog, cgroup } of effectiveForCurrent(k, eat)) {
      if (getsockopt) img.set('retval', retval);
      const ctx = mapFieldCtx(k, view, img.bytes, `${view.name} of ${prog.name}`);
      const cgroupId = cgroup.id;
      let r;
      try {
        r = k.execute(prog, [ctx.ptr], {
          grants: sockPtr !== 0n ? [sockPtr] : [],
          // bpf_cgroup_storages_set: the storage of the attach cgroup, for each cgroup storage map the program uses
          setup: (m) => {
            if (type === P.SOCK_OPS) m.context = new SockOpsRun(Number(img.get('op')), tableSock);
            if (sysctl !== null) m.context = sysctl;
            for (const km of prog.usedMaps) if (km.impl instanceof CgroupStorageMap) bindCgroupStorage(m, km.impl, km.impl.link(cgroupId, eat));
          },
        });
      } finally {
        k.retireRegion(ctx.region);
      }
      runs.push({ prog, r0: r.r0, fault: r.fault });
      if (getsockopt) retval = Number(img.get('retval')) | 0;
      let ret = r.fault === null ? Number(r.r0 & 0xffffffffn) : 0;
      if (eat === A.CGROUP_INET4_BIND || eat === A.CGROUP_INET6_BIND) {
        flags |= ret >>> 1;
        ret &= 1;
      }
      // IS_ERR_VALUE: a retval in [-4095, -1] is kept
      if (ret === 0 && !(retval < 0 && retval >= -4095)) retval = -EPERM;
    }
    const written = sysctl !== null && sysctl.write && ev.sysctl?.newValue !== undefined ? (retval === 0 && sysctl.updated ? sysctl.newValue! : bytes0(ev.sysctl.newValue)) : undefined;
    return { retval, flags, ctx: read(img, layout), ...(optval !== undefined ? { optval } : {}), ...(written !== undefined ? { sysctlValue: written } : {}), runs };
  } finally {
    for (const id of regions) k.retireRegion(id);
  }
}
