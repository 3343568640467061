/**
 * Map commands (kernel/bpf/syscall.c map_create, map_lookup_elem, map_update_elem,
 * map_delete_elem, map_get_next_key, map_lookup_and_delete_elem, map_freeze, bpf_map_do_batch):
 * attribute checks, fd permissions, user-memory copies, then the map implementation.
 */
import type { Btf } from '../../btf/btf.js';
import { createMap } from '../../maps/registry.js';
import { BPF_MAP_TYPE } from '../../maps/uapi.js';
import type { BatchResult } from '../../maps/types.js';
import { ERRNO } from '../../util/errno.js';
import { PERM_NONE, RegionKind } from '../../vm/memory.js';
import type { Attr } from './attr.js';
import type { Kernel } from '../kernel.js';
import { implOf, specialFields } from '../objects/mapglue.js';
import { KMap, type KBtf } from '../objects/objects.js';
import { objName } from './cmd-prog.js';
import {
  structOpsDelete,
  StructOpsInstance,
  structOpsLookup,
  StructOpsMapImpl,
  structOpsMapCheck,
  structOpsNextKey,
  structOpsOf,
  structOpsUpdate,
} from '../structops.js';
import { BPF_F_LOCK, BPF_F_RDONLY, BPF_F_TOKEN_FD, BPF_F_WRONLY } from './uapi.js';

const { EINVAL, EPERM, EFAULT, EACCES, ENOTSUPP, EBUSY, EOPNOTSUPP } = ERRNO;

/** BPF_F_NUMA_NODE. */
const BPF_F_NUMA_NODE = 1 << 2;

const MC = {
  map_type: 0, key_size: 4, value_size: 8, max_entries: 12, map_flags: 16, inner_map_fd: 20, numa_node: 24, map_name: 28,
  map_ifindex: 44, btf_fd: 48, btf_key_type_id: 52, btf_value_type_id: 56, btf_vmlinux_value_type_id: 60, map_extra: 64,
  value_type_btf_obj_fd: 72, map_token_fd: 76, excl_prog_hash: 80, excl_prog_hash_size: 88,
} as const;

/** BPF_MAP_CREATE. */
export function mapCreate(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(92)) return -EINVAL;
  let flags = a.u32(MC.map_flags);
  if ((flags & BPF_F_TOKEN_FD) !== 0) return -EINVAL; // BPF tokens are not emulated
  flags = (flags & ~BPF_F_TOKEN_FD) >>> 0;
  const type = a.u32(MC.map_type);
  const keyTid = a.u32(MC.btf_key_type_id);
  const valueTid = a.u32(MC.btf_value_type_id);
  const vmlinuxTid = a.u32(MC.btf_vmlinux_value_type_id);
  if (vmlinuxTid !== 0) {
    if (type !== BPF_MAP_TYPE.STRUCT_OPS || keyTid !== 0 || valueTid !== 0) return -EINVAL;
  } else if (keyTid !== 0 && valueTid === 0) return -EINVAL;
  const mapExtra = a.u64(MC.map_extra);
  if (type !== BPF_MAP_TYPE.BLOOM_FILTER && type !== BPF_MAP_TYPE.ARENA && mapExtra !== 0n) return -EINVAL;
  if ((flags & BPF_F_RDONLY) !== 0 && (flags & BPF_F_WRONLY) !== 0) return -EINVAL;
  const numaNode = (flags & BPF_F_NUMA_NODE) !== 0 ? a.u32(MC.numa_node) : -1;
  if (numaNode !== -1 && numaNode !== 0) return -EINVAL; // the emulated machine has node 0 only
  if (a.u32(MC.map_ifindex) !== 0) return -EINVAL; // offloaded maps need a device
  const name = objName(a.name(MC.map_name));
  const keySize = a.u32(MC.key_size);
  const valueSize = a.u32(MC.value_size);
  const maxEntries = a.u32(MC.max_entries);
  const fdFlags = flags & (BPF_F_RDONLY | BPF_F_WRONLY);

  // BTF: resolved before allocation so special fields reach the map, reported after (kernel order).
  let btf = null;
  let btfErr = 0;
  let fields: ReturnType<typeof specialFields> = [];
  if (keyTid !== 0 || valueTid !== 0 || vmlinuxTid !== 0) {
    const b = k.btfFromFd(a.u32(MC.btf_fd));
    if (typeof b === 'number') btfErr = b;
    else if (b.kernel) btfErr = -EACCES;
    else {
      btf = b;
      if (valueTid !== 0) btfErr = checkBtf(b.btf, keyTid, valueTid, keySize, valueSize);
      if (btfErr === 0 && valueTid !== 0) {
        fields = specialFields(b.btf, valueTid);
        if (fields.length > 0 && (flags & (1 << 7 | 1 << 8)) !== 0) btfErr = -EACCES; // RDONLY_PROG / WRONLY_PROG
        if (btfErr === 0) btfErr = checkFieldsForType(type, fields);
      }
    }
  }

  let impl: unknown;
  if (type === BPF_MAP_TYPE.STRUCT_OPS) {
    const t = structOpsMapCheck(k, { keySize, valueSize, maxEntries, flags, vmlinuxValueTypeId: vmlinuxTid, valueTypeBtfObjFd: a.s32(MC.value_type_btf_obj_fd) });
    if (typeof t === 'number') return t;
    if (typeof name === 'number') return name;
    if (btfErr !== 0) return btfErr;
    const map = new KMap(type, keySize, valueSize, maxEntries, (flags & ~(BPF_F_RDONLY | BPF_F_WRONLY)) >>> 0, mapExtra, numaNode, name, null);
    const st = new StructOpsMapImpl(k, t);
    st.instance = new StructOpsInstance(k, map, st);
    map.impl = st;
    return finishCreate(k, map, btf, keyTid, valueTid, vmlinuxTid, fdFlags, a);
  }
  let inner = undefined;
  const innerFd = a.u32(MC.inner_map_fd);
  if (type === BPF_MAP_TYPE.ARRAY_OF_MAPS || type === BPF_MAP_TYPE.HASH_OF_MAPS) {
    const e = k.mapEntry(innerFd);
    if (typeof e === 'number') return e;
    inner = implOf(e.map);
    if (inner === undefined) return -EINVAL;
  }
  const created = createMap(
    {
      type,
      keySize,
      valueSize,
      maxEntries,
      flags, // the type's alloc check sees BPF_F_RDONLY/WRONLY too (some types reject them)
      mapExtra,
      numaNode: numaNode === -1 ? 0 : numaNode,
      name: typeof name === 'string' ? name : '',
      ...(inner !== undefined ? { innerMap: inner } : {}),
      specialFields: fields,
      btfKeyTypeId: keyTid,
      btfValueTypeId: valueTid,
    },
    k.mapEnvironment,
  );
  if (typeof created === 'number') return created;
  created.fdFlags = 0; // fd permissions are per fd: enforced by this layer (map_get_sys_perms)
  impl = created;
  if (typeof name === 'number' || btfErr !== 0) {
    created.free();
    return typeof name === 'number' ? name : btfErr;
  }
  // The flags the map type kept (without RDONLY/WRONLY; a type may add some, e.g. DEVMAP).
  const map = new KMap(type, keySize, valueSize, maxEntries, created.flags, mapExtra, numaNode, name, impl);
  map.handle = created.handleRegion;
  return finishCreate(k, map, btf, keyTid, valueTid, vmlinuxTid, fdFlags, a);
}

function finishCreate(k: Kernel, map: KMap, btf: KBtf | null, keyTid: number, valueTid: number, vmlinuxTid: number, fdFlags: number, a: Attr): number {
  if (a.u64(MC.excl_prog_hash) !== 0n) {
    if (a.u32(MC.excl_prog_hash_size) !== 32) return -EINVAL;
    return -EINVAL; // exclusive maps (signed programs) are not emulated
  } else if (a.u32(MC.excl_prog_hash_size) !== 0) return -EINVAL;
  if (btf !== null) {
    btf.refcnt++;
    map.btf = btf;
    map.btfKeyTypeId = keyTid;
    map.btfValueTypeId = valueTid;
  }
  map.btfVmlinuxValueTypeId = vmlinuxTid;
  if (map.handle === 0) map.handle = k.mem.map(new Uint8Array(0), { kind: RegionKind.MAP, perm: PERM_NONE, label: `map ${map.name}`, owner: map });
  map.id = k.mapIds.alloc(map);
  return k.newFd({ kind: 'map', obj: map, flags: fdFlags });
}

/** map_check_btf: key and value types must exist and have the map's sizes. */
function checkBtf(btf: Btf, keyTid: number, valueTid: number, keySize: number, valueSize: number): number {
  try {
    if (keyTid !== 0 && btf.sizeof(keyTid) !== keySize) return -EINVAL;
    if (btf.sizeof(valueTid) !== valueSize) return -EINVAL;
  } catch {
    return -EINVAL;
  }
  return 0;
}

/** Which map types may hold which special fields (map_check_btf's switch). */
function checkFieldsForType(type: number, fields: readonly { kind: string }[]): number {
  const T = BPF_MAP_TYPE;
  for (const f of fields) {
    const ok =
      f.kind === 'spin_lock' || f.kind === 'res_spin_lock'
        ? [T.HASH, T.ARRAY, T.CGROUP_STORAGE, T.SK_STORAGE, T.INODE_STORAGE, T.TASK_STORAGE, T.CGRP_STORAGE].includes(type as 1)
        : f.kind === 'timer' || f.kind === 'workqueue' || f.kind === 'list_head' || f.kind === 'rb_root'
          ? [T.HASH, T.LRU_HASH, T.ARRAY].includes(type as 1)
          : true;
    if (!ok) return -EOPNOTSUPP;
  }
  return 0;
}

const ME = { map_fd: 0, key: 8, value: 16, flags: 24 } as const;

/** map_get_sys_perms: frozen maps are not writable through any fd. */
function canRead(fdFlags: number): boolean {
  return (fdFlags & BPF_F_WRONLY) === 0;
}
function canWrite(map: KMap, fdFlags: number): boolean {
  return (fdFlags & BPF_F_RDONLY) === 0 && !map.frozen;
}

/** __bpf_copy_key: key_size 0 requires a NULL key pointer. */
function copyKey(k: Kernel, addr: number, keySize: number): Uint8Array | null | number {
  if (keySize === 0) return addr === 0 ? null : -EINVAL;
  const b = k.user.read(addr, keySize);
  return b === null ? -EFAULT : b.slice();
}

/** bpf_map_value_size as the syscall sees it. */
function userValueSize(map: KMap): number {
  const impl = implOf(map);
  return impl !== undefined ? impl.userValueSize : map.valueSize;
}

/** BPF_MAP_LOOKUP_ELEM. */
export function mapLookupElem(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(32)) return -EINVAL;
  const flags = a.u64(ME.flags);
  if ((flags & ~BigInt(BPF_F_LOCK)) !== 0n) return -EINVAL;
  const e = k.mapEntry(a.u32(ME.map_fd));
  if (typeof e === 'number') return e;
  const { map } = e;
  if (!canRead(e.flags)) return -EPERM;
  const key = copyKey(k, a.addr(ME.key), map.keySize);
  if (typeof key === 'number') return key;
  const vsize = userValueSize(map);
  const value = new Uint8Array(vsize);
  const st = structOpsOf(map);
  let err: number;
  if (st !== undefined) {
    if ((flags & BigInt(BPF_F_LOCK)) !== 0n) return -EINVAL;
    err = structOpsLookup(map, st, key ?? new Uint8Array(4), value);
  } else {
    const impl = implOf(map)!;
    if (map.type === BPF_MAP_TYPE.BLOOM_FILTER) {
      const b = k.user.read(a.addr(ME.value), vsize);
      if (b === null) return -EFAULT;
      value.set(b);
      return impl.lookup(key, value, Number(flags));
    }
    err = impl.lookup(key, value, Number(flags));
  }
  if (err !== 0) return err;
  return k.user.write(a.addr(ME.value), value) ? 0 : -EFAULT;
}

/** BPF_MAP_UPDATE_ELEM. */
export function mapUpdateElem(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(32)) return -EINVAL;
  const e = k.mapEntry(a.u32(ME.map_fd));
  if (typeof e === 'number') return e;
  const { map } = e;
  if (!canWrite(map, e.flags)) return -EPERM;
  const flags = a.u64(ME.flags);
  const key = copyKey(k, a.addr(ME.key), map.keySize);
  if (typeof key === 'number') return key;
  const vsize = userValueSize(map);
  const vb = k.user.read(a.addr(ME.value), vsize);
  if (vb === null) return -EFAULT;
  const value = vb.slice();
  const st = structOpsOf(map);
  if (st !== undefined) return structOpsUpdate(k, map, st, key ?? new Uint8Array(4), value, flags);
  if (flags > 0xffffffffn) return -EINVAL;
  return implOf(map)!.update(key, value, Number(flags));
}

/** BPF_MAP_DELETE_ELEM. */
export function mapDeleteElem(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(16)) return -EINVAL;
  const e = k.mapEntry(a.u32(ME.map_fd));
  if (typeof e === 'number') return e;
  const { map } = e;
  if (!canWrite(map, e.flags)) return -EPERM;
  const key = copyKey(k, a.addr(ME.key), map.keySize);
  if (typeof key === 'number') return key;
  const st = structOpsOf(map);
  if (st !== undefined) return structOpsDelete(k, map, st);
  return implOf(map)!.delete(key);
}

/** BPF_MAP_GET_NEXT_KEY. */
export function mapGetNextKey(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(24)) return -EINVAL;
  const e = k.mapEntry(a.u32(ME.map_fd));
  if (typeof e === 'number') return e;
  const { map } = e;
  if (!canRead(e.flags)) return -EPERM;
  const keyAddr = a.addr(ME.key);
  let key: Uint8Array | null = null;
  if (keyAddr !== 0) {
    const kk = copyKey(k, keyAddr, map.keySize);
    if (typeof kk === 'number') return kk;
    key = kk;
  }
  const next = new Uint8Array(map.keySize);
  const st = structOpsOf(map);
  const err = st !== undefined ? structOpsNextKey(key, next) : implOf(map)!.getNextKey(key, next);
  if (err !== 0) return err;
  return k.user.write(a.addr(ME.value), next) ? 0 : -EFAULT;
}

/** BPF_MAP_LOOKUP_AND_DELETE_ELEM. */
export function mapLookupAndDeleteElem(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(32)) return -EINVAL;
  const flags = a.u64(ME.flags);
  if ((flags & ~BigInt(BPF_F_LOCK)) !== 0n) return -EINVAL;
  const e = k.mapEntry(a.u32(ME.map_fd));
  if (typeof e === 'number') return e;
  const { map } = e;
  if (!canRead(e.flags) || !canWrite(map, e.flags)) return -EPERM;
  const impl = implOf(map);
  if (impl === undefined) return -ENOTSUPP;
  const key = copyKey(k, a.addr(ME.key), map.keySize);
  if (typeof key === 'number') return key;
  const value = new Uint8Array(impl.userValueSize);
  const err = impl.lookupAndDelete(key, value, Number(flags));
  if (err !== 0) return err;
  return k.user.write(a.addr(ME.value), value) ? 0 : -EFAULT;
}

/** BPF_MAP_FREEZE. */
export function mapFreeze(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(4)) return -EINVAL;
  const e = k.mapEntry(a.u32(0));
  if (typeof e === 'number') return e;
  const { map } = e;
  const impl = implOf(map);
  if (impl === undefined || impl.specialFields.length > 0) return -ENOTSUPP; // struct_ops, or a BTF record
  if (!canWrite(map, e.flags)) return -EPERM;
  if (map.writeActive > 0 || map.frozen) return -EBUSY;
  map.frozen = true;
  impl.frozen = true;
  return 0;
}

const MB = { in_batch: 0, out_batch: 8, keys: 16, values: 24, count: 32, map_fd: 36, elem_flags: 40, flags: 48 } as const;

/** BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,DELETE}_BATCH. */
export function mapBatch(op: 'lookup' | 'lookup_and_delete' | 'update' | 'delete'): (k: Kernel, a: Attr) => number {
  return (k, a) => {
    if (!a.zeroFrom(56)) return -EINVAL;
    const e = k.mapEntry(a.u32(MB.map_fd));
    if (typeof e === 'number') return e;
    const { map } = e;
    const hasRead = op === 'lookup' || op === 'lookup_and_delete';
    const hasWrite = op !== 'lookup';
    if (hasRead && !canRead(e.flags)) return -EPERM;
    if (hasWrite && !canWrite(map, e.flags)) return -EPERM;
    const impl = implOf(map);
    if (impl === undefined) return -ENOTSUPP;
    const count = a.u32(MB.count);
    const opts = { elemFlags: Number(a.u64(MB.elem_flags) & 0xffffffffn), flags: Number(a.u64(MB.flags) & 0xffffffffn) };
    if (a.u64(MB.elem_flags) > 0xffffffffn) return -EINVAL;
    const ks = map.keySize;
    const vs = impl.userValueSize;
    // The kernel copies element by element and faults (EFAULT) at the first element that does not
    // fit the user's buffers, having processed the ones before it; `room` is that element's index.
    // Buffers are sized by what the user mapped, never by `count` alone.
    const keysAddr = a.addr(MB.keys);
    const valuesAddr = a.addr(MB.values);
    const room = Math.min(count, k.user.room(keysAddr, ks), op === 'delete' ? count : k.user.room(valuesAddr, vs));
    let r: BatchResult;
    if (op === 'update' || op === 'delete') {
      // generic_map_{update,delete}_batch: batch.count = the elements processed before the fault.
      const keys = room > 0 ? k.user.read(keysAddr, ks * room)!.slice() : new Uint8Array(0);
      const values = op === 'update' && room > 0 ? k.user.read(valuesAddr, vs * room)!.slice() : new Uint8Array(0);
      r = op === 'update' ? impl.updateBatch(keys, values, room, opts) : impl.deleteBatch(keys, room, opts);
      if (r.err === 0 && room < count) r = { err: -EFAULT, count: r.count, outBatch: null };
    } else {
      let inBatch: Uint8Array | null = null;
      const inAddr = a.addr(MB.in_batch);
      if (inAddr !== 0) {
        const b = k.user.read(inAddr, tokenSize(impl, ks));
        if (b === null) return -EFAULT;
        inBatch = b.slice();
      }
      // One element more than fits tells whether the copy would have faulted.
      const cap = Math.min(count, room + 1);
      const keys = new Uint8Array(ks * cap);
      const values = new Uint8Array(vs * cap);
      r = op === 'lookup' ? impl.lookupBatch(inBatch, keys, values, cap, opts) : impl.lookupAndDeleteBatch(inBatch, keys, values, cap, opts);
      const copied = Math.min(r.count, room);
      if (copied > 0) {
        k.user.write(keysAddr, keys.subarray(0, copied * ks));
        k.user.write(valuesAddr, values.subarray(0, copied * vs));
      }
      if (r.count > room) {
        a.setU32(MB.count, 0); // the kernel zeroed batch.count first and does not write it after a fault
        return -EFAULT;
      }
      if (r.outBatch !== null && !k.user.write(a.addr(MB.out_batch), r.outBatch)) return -EFAULT;
    }
    a.setU32(MB.count, r.count);
    return r.err;
  };
}

/** Size of a batch token: a key for array-like maps, a 4-byte bucket for hash maps. */
function tokenSize(impl: { type: number }, keySize: number): number {
  const T = BPF_MAP_TYPE;
  return [T.HASH, T.PERCPU_HASH, T.LRU_HASH, T.LRU_PERCPU_HASH, T.HASH_OF_MAPS].includes(impl.type as 1) ? 4 : keySize;
}

