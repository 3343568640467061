/**
 * Local-storage helpers (net/core/bpf_sk_storage.c, kernel/bpf/bpf_{inode,task,cgrp}_storage.c):
 * bpf_sk_storage_get/delete (107/108), bpf_inode_storage_get/delete (145/146),
 * bpf_task_storage_get/delete (156/157) and bpf_cgrp_storage_get/delete (210/211), over the maps of
 * maps/local-storage.ts. The owner argument is a pointer to an emulated kernel object; its region is
 * the owner (see that file for how owners release their storage).
 *
 * Kernel rules followed:
 * - `..._get(map, owner, value, flags)`: flags other than BPF_LOCAL_STORAGE_GET_F_CREATE, or a NULL
 *   owner, give NULL; an existing value is returned; with F_CREATE a new one is made from `value`
 *   (or zeroed when `value` is NULL), unless the owner was released (the kernel creates storage only
 *   for a refcounted owner). sk storage: any flags above F_CREATE give NULL (`flags > F_CREATE`).
 * - `..._delete(map, owner)`: 0, or -ENOENT without a value; a NULL owner gives -EINVAL (task, cgroup,
 *   inode; sk storage's owner cannot be NULL after the verifier).
 * - sk storage: a socket of the emulated socket table (the 'sockets' service) is one owner whether
 *   the program passes its struct bpf_sock or its struct bpf_tcp_sock view; its key is the region
 *   of the bpf_sock view (open a socket fd for the syscall side with that pointer).
 * - The map must be of the helper's own type (check_map_func_compatibility: the verifier refuses
 *   anything else; without the verifier it is a `helper` fault here).
 *
 * Prototypes and availability were measured on 6.18 (test/helpers/helper-protos.json):
 * task and cgroup storage are in bpf_base_func_proto (every program type); sk storage in the
 * networking types with a socket (tc, cgroup_skb, sock_ops, sk_msg, cgroup_sock_addr,
 * cgroup_sockopt), cgroup_sock (get only, the socket is the ctx), tracing (a BTF `struct sock *`,
 * NULL allowed), LSM and struct_ops (tcp congestion control); inode storage in LSM programs.
 * One prototype per helper: the verifier checks the cgroup_sock and tracing flavours of the sk
 * storage helpers with the networking one (a cgroup_sock program passing its ctx, or a tracing
 * program passing NULL, is refused by the emulator's verifier where 6.18 accepts it).
 */
import { LocalStorageMap, BPF_LOCAL_STORAGE_GET_F_CREATE } from '../maps/local-storage.js';
import { BPF_MAP_TYPE, mapTypeName } from '../maps/uapi.js';
import { ProgType as P } from '../object/uapi.js';
import { ERRNO } from '../util/errno.js';
import type { Machine } from '../vm/machine.js';
import { Memory } from '../vm/memory.js';
import { mapArg, memArg } from './args.js';
import { hostOf } from './host.js';
import type { HelperDef, HelperProto, ProtoArg } from './registry.js';

const { EINVAL } = ERRNO;

/** The local-storage map in r1, which must be of `type`. */
function storageMap(m: Machine, type: number, helper: string): LocalStorageMap {
  const map = mapArg(m, 1, helper);
  if (!(map instanceof LocalStorageMap) || map.type !== type) {
    throw m.fail('helper', `${helper}: map '${map.name || map.id}' of type ${mapTypeName(map.type)} cannot be used with this helper (the verifier rejects the program)`);
  }
  return map;
}

/** The owner in r2: its region id, or 0 for NULL. A non-NULL pointer must be one this run may reach. */
function ownerArg(m: Machine, helper: string): number {
  if (m.hi[2] === 0) {
    if (m.lo[2] === 0) return 0;
    throw m.fail('helper', `${helper} r2 (owner): not a pointer to a kernel object: ${m.lo[2]! >>> 0}`);
  }
  return m.argRegionChecked(2, `${helper} r2 (owner)`);
}

/** What the 'sockets' service (kernel/objects/sockets.ts) offers to name a socket by any of its views. */
interface SocketViews {
  byView(region: number): { readonly sock: object } | undefined;
  sockPointer(s: object): bigint;
}

/**
 * The owner of sk storage: a socket of the emulated socket table is one owner whichever of its views
 * (struct bpf_sock or struct bpf_tcp_sock) the program passes: its bpf_sock view's region. Other
 * socket objects (a subsystem's struct sock) are owners by their own region.
 */
function sockOwnerArg(m: Machine, helper: string): number {
  const region = ownerArg(m, helper);
  if (region === 0) return 0;
  const table = hostOf(m).service<SocketViews>('sockets');
  const v = table?.byView(region);
  return v === undefined || table === undefined ? region : Memory.split(table.sockPointer(v.sock))[0];
}

function storageGet(type: number, helper: string, skFlags: boolean): (m: Machine) => void {
  return (m) => {
    const map = storageMap(m, type, helper);
    const owner = skFlags ? sockOwnerArg(m, helper) : ownerArg(m, helper);
    const flagsHi = m.hi[4]!;
    const flags = m.lo[4]! >>> 0;
    const badFlags = skFlags ? flagsHi !== 0 || flags > BPF_LOCAL_STORAGE_GET_F_CREATE : flagsHi !== 0 || (flags & ~BPF_LOCAL_STORAGE_GET_F_CREATE) !== 0;
    // the init value is read only when a value is created; a NULL pointer means zeroes
    const hasInit = m.hi[3] !== 0 || m.lo[3] !== 0;
    if (badFlags || owner === 0) {
      m.setR0(0, 0);
      return;
    }
    const create = (flags & BPF_LOCAL_STORAGE_GET_F_CREATE) !== 0;
    let init: Uint8Array | null = null;
    let initOff = 0;
    if (create && hasInit && !map.hasOwner(owner)) {
      initOff = memArg(m, 3, map.valueSize, false, helper, 'value');
      init = m.mem.bytes(m.hi[3]!);
    }
    const region = map.getFromProg(owner, create, init, initOff);
    m.setR0(0, region);
  };
}

function storageDelete(type: number, helper: string, sock = false): (m: Machine) => void {
  return (m) => {
    const map = storageMap(m, type, helper);
    const owner = sock ? sockOwnerArg(m, helper) : ownerArg(m, helper);
    m.setR0Num(owner === 0 ? -EINVAL : map.deleteFromOwner(owner));
  };
}

const MAP = { kind: 'map' } as const;
const ANY = { kind: 'anything' } as const;
/** ARG_PTR_TO_MAP_VALUE_OR_NULL: the init value. */
const INIT = { kind: 'map_value', nullable: true } as const;
const btfOrNull = (btfType: string): ProtoArg => ({ kind: 'btf_id', btfType, nullable: true });

/**
 * ARG_PTR_TO_BTF_ID_SOCK_COMMON: a socket, from a socket helper or as a BTF pointer; `btfType`
 * marks the BTF flavour of 'sock_common' (plain ARG_PTR_TO_SOCK_COMMON takes no BTF pointers).
 */
const BTF_SOCK_COMMON: ProtoArg = { kind: 'sock_common', btfType: 'sock_common' };
/** bpf_sk_storage_get_proto / _delete_proto. */
const SK_GET: HelperProto = { ret: 'map_value_or_null', args: [MAP, BTF_SOCK_COMMON, INIT, ANY] };
const SK_DELETE: HelperProto = { ret: 'integer', args: [MAP, BTF_SOCK_COMMON] };
/** bpf_sk_storage_get_cg_sock_proto: cgroup_sock programs pass their ctx (the socket itself). */
export const SK_GET_CG_SOCK: HelperProto = { ret: 'map_value_or_null', args: [MAP, { kind: 'ctx' }, INIT, ANY] };
/** bpf_sk_storage_get_tracing_proto / _delete_tracing_proto: a BTF `struct sock *`, NULL allowed. */
export const SK_GET_TRACING: HelperProto = { ret: 'map_value_or_null', args: [MAP, btfOrNull('sock'), INIT, ANY] };
export const SK_DELETE_TRACING: HelperProto = { ret: 'integer', args: [MAP, btfOrNull('sock')] };

const getProto = (btfType: string): HelperProto => ({ ret: 'map_value_or_null', args: [MAP, btfOrNull(btfType), INIT, ANY] });
const deleteProto = (btfType: string): HelperProto => ({ ret: 'integer', args: [MAP, btfOrNull(btfType)] });

/**
 * Program types offering bpf_sk_storage_get (measured on 6.18, plus LSM and struct_ops). Syscall
 * programs are left out: get_func_proto offers them the tracing flavour, whose `allowed` check then
 * refuses every syscall program ("helper call is not allowed in probe").
 */
export const SK_STORAGE_GET_TYPES: readonly number[] = [P.SCHED_CLS, P.SCHED_ACT, P.CGROUP_SKB, P.CGROUP_SOCK, P.SOCK_OPS, P.SK_MSG, P.CGROUP_SOCK_ADDR, P.CGROUP_SOCKOPT, P.TRACING, P.LSM, P.STRUCT_OPS];
/** bpf_sk_storage_delete: the same without cgroup_sock. */
export const SK_STORAGE_DELETE_TYPES: readonly number[] = SK_STORAGE_GET_TYPES.filter((t) => t !== P.CGROUP_SOCK);
/** Types that get the tracing flavour of the sk storage helpers (a BTF socket pointer). */
export const SK_STORAGE_TRACING_TYPES: readonly number[] = [P.TRACING, P.LSM];

/** The local-storage helper family. */
export function localStorageHelpers(): HelperDef[] {
  const family = 'local-storage';
  const T = BPF_MAP_TYPE;
  return [
    { id: 107, name: 'sk_storage_get', fn: storageGet(T.SK_STORAGE, 'bpf_sk_storage_get', true), proto: SK_GET, progTypes: SK_STORAGE_GET_TYPES, family },
    { id: 108, name: 'sk_storage_delete', fn: storageDelete(T.SK_STORAGE, 'bpf_sk_storage_delete', true), proto: SK_DELETE, progTypes: SK_STORAGE_DELETE_TYPES, family },
    { id: 145, name: 'inode_storage_get', fn: storageGet(T.INODE_STORAGE, 'bpf_inode_storage_get', false), proto: getProto('inode'), progTypes: [P.LSM], family },
    { id: 146, name: 'inode_storage_delete', fn: storageDelete(T.INODE_STORAGE, 'bpf_inode_storage_delete'), proto: deleteProto('inode'), progTypes: [P.LSM], family },
    { id: 156, name: 'task_storage_get', fn: storageGet(T.TASK_STORAGE, 'bpf_task_storage_get', false), proto: getProto('task_struct'), family },
    { id: 157, name: 'task_storage_delete', fn: storageDelete(T.TASK_STORAGE, 'bpf_task_storage_delete'), proto: deleteProto('task_struct'), family },
    { id: 210, name: 'cgrp_storage_get', fn: storageGet(T.CGRP_STORAGE, 'bpf_cgrp_storage_get', false), proto: getProto('cgroup'), family },
    { id: 211, name: 'cgrp_storage_delete', fn: storageDelete(T.CGRP_STORAGE, 'bpf_cgrp_storage_delete'), proto: deleteProto('cgroup'), family },
  ];
}
