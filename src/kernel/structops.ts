/**
 * struct_ops: registered types, the BPF_MAP_TYPE_STRUCT_OPS map, its links, and the association
 * of programs with struct_ops maps (BPF_PROG_ASSOC_STRUCT_OPS). Specification:
 * docs/struct-ops-assoc.md (kernel/bpf/bpf_struct_ops.c, kernel/bpf/syscall.c, bpf-next Dec 2025).
 *
 * Kernel-side value layout, `struct bpf_struct_ops_<name>`:
 *
 *   0               8                      64                      64+sizeof(<name>)
 *   +---------------+-----------//---------+-----------------------+--- pad to 64 ---+
 *   | common        |  zero (hole)         |  data: struct <name>  |                 |
 *   | refcnt, state |                      |  (kdata)              |                 |
 *   +---------------+-----------//---------+-----------------------+-----------------+
 *
 * The map keeps two copies: `uvalue` (what user space wrote, with program ids in the function
 * slots) and `kvalue` (common + kdata; kdata is what subsystems and bpf_prog_get_assoc_struct_ops
 * see). In kdata a populated function slot holds an opaque non-zero "trampoline address".
 */
import { ERRNO } from '../util/errno.js';
import { Memory, PERM_R, RegionKind } from '../vm/memory.js';
import { KernelError } from './errors.js';
import type { Kernel } from './kernel.js';
import type { KFuncProto, KStructMember, StructLayout } from './objects/ktypes.js';
import { ASSOC_NONE, ASSOC_POISON, KLink, type KMap, type KProg, type LinkOps } from './objects/objects.js';
import { ProgType } from '../object/uapi.js';
import { BPF_F_LINK, BPF_F_VTYPE_BTF_OBJ_FD, LinkType, StructOpsState } from './syscall/uapi.js';
import { AttachType } from '../object/uapi.js';

const { EINVAL, EBUSY, ENOENT, E2BIG, EOPNOTSUPP, EINPROGRESS, ENOLINK, EPERM, ENOTSUPP } = ERRNO;

/** Offset of `data` in the wrapper: ____cacheline_aligned_in_smp on x86-64. */
export const STRUCT_OPS_DATA_OFF = 64;
/** sizeof(struct bpf_struct_ops_common_value): refcount_t refcnt; enum state. */
export const STRUCT_OPS_COMMON_SIZE = 8;

/** A member as subsystem callbacks see it. */
export interface StructOpsMember {
  readonly index: number;
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly isFunc: boolean;
  readonly proto?: KFuncProto;
}

/** Subsystem callbacks (struct bpf_struct_ops). Errors are negative errno returns. */
export interface StructOpsCallbacks {
  /** Register an instance (non-link map: at update; link map: at BPF_LINK_CREATE). */
  reg?(inst: StructOpsInstance, link: KLink | null): number;
  unreg?(inst: StructOpsInstance, link: KLink | null): void;
  /** BPF_LINK_UPDATE; absent means EOPNOTSUPP. */
  update?(newInst: StructOpsInstance, oldInst: StructOpsInstance, link: KLink): number;
  /** After all members, before registration. */
  validate?(inst: StructOpsInstance): number;
  /**
   * Per member at map update: < 0 error, > 0 "handled" (the callback filled kdata), 0 default
   * handling (function pointers resolved; other members must be zero in the user value).
   * `udata` is the user's `data` part.
   */
  initMember?(member: StructOpsMember, inst: StructOpsInstance, udata: Uint8Array): number;
  /** At program load: may reject a program for a member. */
  checkMember?(member: StructOpsMember, prog: KProg): number;
}

/** A struct_ops type registration. */
export interface StructOpsTypeDef extends StructOpsCallbacks {
  /** The struct name (`bpf_testmod_multi_st_ops`); the wrapper is `bpf_struct_ops_<name>`. */
  readonly name: string;
  /** Members in order; function pointers are given as prototypes. */
  readonly members: readonly KStructMember[];
  /**
   * Supported function members (the cfi stubs); default: every function member. A program for a
   * member without a stub is rejected at load with ENOTSUPP.
   */
  readonly stubs?: readonly string[];
  /**
   * Emulator convenience: a default initMember that copies every non-function member from the
   * user value (types that would otherwise need an initMember just for data members).
   */
  readonly copyDataMembers?: boolean;
  /**
   * Argument retyping of the type's verifier ops (bpf_tcp_ca_is_valid_access turns a `struct sock *`
   * argument into `struct tcp_sock *`): struct name of a pointer argument → the struct it is read as.
   */
  readonly promoteArgs?: Readonly<Record<string, string>>;
  /**
   * The type's btf_struct_access for writes through a BTF pointer: null allows the store, a string
   * refuses it with EACCES and that log line. Absent: every store is allowed (emulator default).
   */
  btfWrite?(struct: string, off: number, size: number): string | null;
}

/** A type as registered in the emulated kernel. */
export interface RegisteredStructOps {
  readonly def: StructOpsTypeDef;
  readonly layout: StructLayout;
  readonly members: readonly StructOpsMember[];
  /** BTF id of `struct <name>` (programs' attach_btf_id). */
  readonly typeId: number;
  /** BTF id of `struct bpf_struct_ops_<name>` (maps' btf_vmlinux_value_type_id). */
  readonly valueTypeId: number;
  /** sizeof(struct bpf_struct_ops_<name>). */
  readonly valueSize: number;
  readonly funcsCnt: number;
}

/** Registered struct_ops types by value type id and by name. */
export class StructOpsRegistry {
  private readonly byValueId = new Map<number, RegisteredStructOps>();
  private readonly byTypeId = new Map<number, RegisteredStructOps>();
  private readonly byName = new Map<string, RegisteredStructOps>();

  add(r: RegisteredStructOps): void {
    if (this.byName.has(r.def.name)) throw new KernelError('BAD_REGISTRATION', `struct_ops type ${r.def.name} is already registered`);
    this.byValueId.set(r.valueTypeId, r);
    this.byTypeId.set(r.typeId, r);
    this.byName.set(r.def.name, r);
  }
  byValueTypeId(id: number): RegisteredStructOps | undefined {
    return this.byValueId.get(id);
  }
  byStructTypeId(id: number): RegisteredStructOps | undefined {
    return this.byTypeId.get(id);
  }
  get(name: string): RegisteredStructOps | undefined {
    return this.byName.get(name);
  }
  all(): RegisteredStructOps[] {
    return [...this.byName.values()];
  }
}

/** Opaque non-zero "trampoline address" stored in a populated kdata function slot. */
function trampolineAddress(prog: KProg, member: number): bigint {
  return 0xffffffffa0000000n + (BigInt(prog.id) << 12n) + BigInt(member * 16);
}

/**
 * The kernel-side instance of a struct_ops map (its kdata) as TypeScript sees it: member access
 * and member invocation. `region` maps kdata read-only into guest memory.
 */
export class StructOpsInstance {
  constructor(
    readonly kernel: Kernel,
    readonly map: KMap,
    readonly st: StructOpsMapImpl,
  ) {}

  /** The map id (bpf_struct_ops_id(kdata)). */
  get id(): number {
    return this.map.id;
  }
  get type(): RegisteredStructOps {
    return this.st.type;
  }
  /** The kdata bytes (live). */
  get data(): Uint8Array {
    return this.st.kvalue.subarray(STRUCT_OPS_DATA_OFF, STRUCT_OPS_DATA_OFF + this.st.type.layout.size);
  }
  /** Guest pointer to kdata (read-only region). */
  get pointer(): bigint {
    return Memory.pointer(this.st.kdataRegion, 0);
  }

  member(name: string): StructOpsMember {
    const m = this.st.type.members.find((x) => x.name === name);
    if (m === undefined) throw new KernelError('NOT_REGISTERED', `struct ${this.st.type.def.name} has no member '${name}'`);
    return m;
  }

  /** Read an integer member (signed for sizes < 8; 8-byte members as BigInt-safe numbers may lose precision). */
  readInt(name: string): number {
    const m = this.member(name);
    const dv = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    switch (m.size) {
      case 1:
        return dv.getInt8(m.offset);
      case 2:
        return dv.getInt16(m.offset, true);
      case 4:
        return dv.getInt32(m.offset, true);
      default:
        return Number(dv.getBigInt64(m.offset, true));
    }
  }

  /** Write an integer member of kdata (subsystems store ids, state, ...). */
  writeInt(name: string, value: number | bigint): void {
    const m = this.member(name);
    const dv = new DataView(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    switch (m.size) {
      case 1:
        dv.setInt8(m.offset, Number(value));
        break;
      case 2:
        dv.setInt16(m.offset, Number(value), true);
        break;
      case 4:
        dv.setInt32(m.offset, Number(value), true);
        break;
      default:
        dv.setBigInt64(m.offset, BigInt(value), true);
    }
  }

  /** The program bound to a function member, or null. */
  program(name: string): KProg | null {
    return this.st.slotProgs[this.member(name).index] ?? null;
  }

  /**
   * Call a function member the way the kernel calls through the trampoline: the bound program
   * runs with ctx = an array of u64 arguments; the result is the low 32 bits of r0 as a signed
   * int. Calls nest (BPF → kfunc → struct_ops program → kfunc ...) with no recursion guard, as
   * in the kernel. An empty slot is an error (the kernel would call NULL).
   */
  call(name: string, args: readonly bigint[]): number {
    const m = this.member(name);
    if (!m.isFunc) throw new KernelError('NOT_REGISTERED', `member '${name}' of struct ${this.st.type.def.name} is not a function pointer`);
    const prog = this.st.slotProgs[m.index] ?? null;
    if (prog === null) throw new KernelError('EMPTY_SLOT', `struct_ops map ${this.map.name} (id ${this.map.id}): member '${name}' has no program`);
    return this.kernel.callStructOpsProgram(prog, args);
  }
}

/** State of one BPF_MAP_TYPE_STRUCT_OPS map (struct bpf_struct_ops_map). */
export class StructOpsMapImpl {
  state: number = StructOpsState.INIT;
  readonly uvalue: Uint8Array;
  readonly kvalue: Uint8Array;
  /** Programs installed by a successful update, in install order (st_map->links). */
  links: KProg[] = [];
  /** Program per member index (for calls). */
  slotProgs: (KProg | null)[];
  readonly kdataRegion: number;
  instance!: StructOpsInstance;

  constructor(
    readonly kernel: Kernel,
    readonly type: RegisteredStructOps,
  ) {
    this.uvalue = new Uint8Array(type.valueSize);
    this.kvalue = new Uint8Array(type.valueSize);
    this.slotProgs = new Array<KProg | null>(type.members.length).fill(null);
    this.kdataRegion = kernel.mem.map(this.kvalue.subarray(STRUCT_OPS_DATA_OFF, STRUCT_OPS_DATA_OFF + type.layout.size), {
      kind: RegionKind.STRUCT_OPS,
      perm: PERM_R,
      label: `struct ${type.def.name}`,
      owner: this,
    });
  }
}

/** The struct_ops implementation of a KMap, or undefined. */
export function structOpsOf(map: KMap): StructOpsMapImpl | undefined {
  return map.impl instanceof StructOpsMapImpl ? map.impl : undefined;
}

// ------------------------------------------------------------------------------------------------
// Map operations

/** bpf_struct_ops_map_alloc_check + alloc (docs §7.4 "BPF_MAP_CREATE checks"). */
export function structOpsMapCheck(
  k: Kernel,
  a: { keySize: number; valueSize: number; maxEntries: number; flags: number; vmlinuxValueTypeId: number; valueTypeBtfObjFd: number },
): RegisteredStructOps | number {
  if (a.keySize !== 4 || a.maxEntries !== 1 || (a.flags & ~(BPF_F_LINK | BPF_F_VTYPE_BTF_OBJ_FD)) !== 0 || a.vmlinuxValueTypeId === 0) return -EINVAL;
  if ((a.flags & BPF_F_VTYPE_BTF_OBJ_FD) !== 0) {
    // The emulator's struct_ops types all live in its vmlinux BTF; a module BTF fd must name it.
    const btf = k.btfFromFd(a.valueTypeBtfObjFd);
    if (typeof btf === 'number' || !btf.kernel) return -EINVAL;
  }
  const t = k.structOps.byValueTypeId(a.vmlinuxValueTypeId);
  if (t === undefined) return -ENOTSUPP;
  if (a.valueSize !== t.valueSize) return -EINVAL;
  return t;
}

/** Bytes of `[0, size)` not covered by any member of `layout` (padding holes). */
function holes(layout: StructLayout): [number, number][] {
  const covered = new Uint8Array(layout.size);
  for (const m of layout.members) covered.fill(1, m.offset, m.offset + m.size);
  const out: [number, number][] = [];
  for (let i = 0; i < layout.size; i++) {
    if (covered[i] === 0) {
      let j = i;
      while (j < layout.size && covered[j] === 0) j++;
      out.push([i, j]);
      i = j;
    }
  }
  return out;
}

function allZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * BPF_MAP_UPDATE_ELEM on a struct_ops map (bpf_struct_ops_map_update_elem, docs §7.4), in the
 * kernel's order of checks. `value` is the user value (wrapper size).
 */
export function structOpsUpdate(k: Kernel, map: KMap, st: StructOpsMapImpl, key: Uint8Array, value: Uint8Array, flags: bigint): number {
  if (flags !== 0n) return -EINVAL;
  if (new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true) !== 0) return -E2BIG;
  const t = st.type;
  // Padding holes of the wrapper (between common and data, and the tail) and of the inner struct.
  if (!allZero(value.subarray(STRUCT_OPS_COMMON_SIZE, STRUCT_OPS_DATA_OFF))) return -EINVAL;
  if (!allZero(value.subarray(STRUCT_OPS_DATA_OFF + t.layout.size))) return -EINVAL;
  const udata = value.subarray(STRUCT_OPS_DATA_OFF, STRUCT_OPS_DATA_OFF + t.layout.size);
  for (const [a, b] of holes(t.layout)) if (!allZero(udata.subarray(a, b))) return -EINVAL;
  if (!allZero(value.subarray(0, STRUCT_OPS_COMMON_SIZE))) return -EINVAL; // user-supplied refcnt/state
  if (st.state !== StructOpsState.INIT) return -EBUSY;

  st.uvalue.set(value);
  const kdata = st.kvalue.subarray(STRUCT_OPS_DATA_OFF, STRUCT_OPS_DATA_OFF + t.layout.size);
  const kdv = new DataView(kdata.buffer, kdata.byteOffset, kdata.byteLength);
  const udv = new DataView(st.uvalue.buffer, st.uvalue.byteOffset + STRUCT_OPS_DATA_OFF, t.layout.size);
  const installed: KProg[] = [];
  const fail = (err: number): number => {
    for (const p of installed) k.progPut(p);
    st.links = [];
    st.slotProgs.fill(null);
    st.uvalue.fill(0);
    st.kvalue.fill(0);
    st.state = StructOpsState.INIT;
    return err;
  };
  for (const m of t.members) {
    const um = udata.subarray(m.offset, m.offset + m.size);
    const init = t.def.initMember?.(m, st.instance, udata) ?? (t.def.copyDataMembers && !m.isFunc ? copyMember(kdata, m, um) : 0);
    if (init < 0) return fail(init);
    if (init > 0) continue;
    if (!m.isFunc) {
      if (!allZero(um)) return fail(-EINVAL);
      continue;
    }
    const fd = Number(new DataView(um.buffer, um.byteOffset, 8).getBigUint64(0, true) & 0xffffffffn);
    const high = new DataView(um.buffer, um.byteOffset, 8).getUint32(4, true);
    if (fd === 0 && high === 0) continue;
    const prog = high !== 0 ? -ERRNO.EBADF : k.progGet(fd);
    if (typeof prog === 'number') return fail(prog);
    if (prog.type !== ProgType.STRUCT_OPS || prog.attachBtfId !== t.typeId || prog.expectedAttachType !== m.index) {
      k.progPut(prog);
      return fail(-EINVAL);
    }
    // Auto-association; the result is ignored (poison instead of failing), docs §3.2.
    k.assocStructOps(prog, map);
    installed.push(prog); // the link keeps the reference taken by progGet
    st.links.push(prog);
    st.slotProgs[m.index] = prog;
    kdv.setBigUint64(m.offset, trampolineAddress(prog, m.index), true);
    udv.setBigUint64(m.offset, BigInt(prog.id), true);
  }
  if (t.def.validate !== undefined) {
    const err = t.def.validate(st.instance);
    if (err < 0) return fail(err);
  }
  if ((map.flags & BPF_F_LINK) !== 0) {
    st.state = StructOpsState.READY;
    return 0;
  }
  const err = t.def.reg?.(st.instance, null) ?? 0;
  if (err < 0) return fail(err);
  k.mapInc(map); // the registration holds the map until BPF_MAP_DELETE_ELEM
  st.state = StructOpsState.INUSE;
  return 0;
}

function copyMember(kdata: Uint8Array, m: StructOpsMember, um: Uint8Array): number {
  kdata.set(um, m.offset);
  return 1;
}

/** BPF_MAP_LOOKUP_ELEM from user space (bpf_struct_ops_map_sys_lookup_elem, docs §7.5). */
export function structOpsLookup(map: KMap, st: StructOpsMapImpl, key: Uint8Array, out: Uint8Array): number {
  if (new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true) !== 0) return -ENOENT;
  if (st.state === StructOpsState.INIT) {
    out.fill(0);
    return 0;
  }
  out.set(st.uvalue);
  const dv = new DataView(out.buffer, out.byteOffset, 8);
  dv.setUint32(0, Math.max(0, map.refcnt - map.usercnt), true);
  dv.setUint32(4, st.state, true);
  return 0;
}

/** BPF_MAP_GET_NEXT_KEY: the single key 0. */
export function structOpsNextKey(key: Uint8Array | null, out: Uint8Array): number {
  if (key !== null && new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true) === 0) return -ENOENT;
  out.fill(0);
  return 0;
}

/** BPF_MAP_DELETE_ELEM (docs §7.5). */
export function structOpsDelete(k: Kernel, map: KMap, st: StructOpsMapImpl): number {
  if ((map.flags & BPF_F_LINK) !== 0) return -EOPNOTSUPP;
  switch (st.state) {
    case StructOpsState.INUSE:
      st.state = StructOpsState.TOBEFREE;
      st.type.def.unreg?.(st.instance, null);
      k.mapPut(map); // the registration reference
      return 0;
    case StructOpsState.TOBEFREE:
      return -EINPROGRESS;
    default:
      return -ENOENT;
  }
}

/**
 * Map free (bpf_struct_ops_map_free, docs §3.3): disassociate the installed programs (and, as a
 * safety net the kernel does not have, any program still pointing at this map), then release the
 * links and memory.
 */
export function structOpsFree(k: Kernel, map: KMap, st: StructOpsMapImpl): void {
  for (const p of st.links) k.disassocStructOps(p);
  for (const p of k.liveProgs()) if (p.assoc.kind === 'map' && p.assoc.map === map) k.disassocStructOps(p);
  const links = st.links;
  st.links = [];
  st.slotProgs.fill(null);
  // The kernel waits for RCU and RCU-tasks grace periods before putting the links: a run in
  // progress may still read kdata, so the region goes through the retire list.
  k.retireRegion(st.kdataRegion);
  for (const p of links) k.progPut(p);
}

/** bpf_struct_ops_valid_to_reg: a link-mode struct_ops map in state READY. */
function validToReg(map: KMap): StructOpsMapImpl | undefined {
  const st = structOpsOf(map);
  return st !== undefined && (map.flags & BPF_F_LINK) !== 0 && st.state === StructOpsState.READY ? st : undefined;
}

// ------------------------------------------------------------------------------------------------
// Links

/** Link behaviour of struct_ops links (bpf_struct_ops_map_lops), bound to one kernel. */
function structOpsLinkOps(k: Kernel): LinkOps {
  const unregAndPut = (link: KLink, map: KMap): void => {
    const st = structOpsOf(map);
    if (st !== undefined) st.type.def.unreg?.(st.instance, link);
    link.map = null;
    k.mapPut(map);
  };
  return {
    release(link: KLink): void {
      if (link.map !== null) unregAndPut(link, link.map);
    },
    detach(link: KLink): number {
      if (link.map === null) return 0; // detaching twice is a no-op
      unregAndPut(link, link.map);
      link.detached = true;
      return 0;
    },
    updateMap(link: KLink, newMap: KMap, oldMap: KMap | null): number {
      const st = validToReg(newMap);
      if (st === undefined) return -EINVAL;
      if (st.type.def.update === undefined) return -EOPNOTSUPP;
      const cur = link.map;
      if (cur === null) return -ENOLINK;
      if (oldMap !== null && cur !== oldMap) return -EPERM;
      const curSt = structOpsOf(cur)!;
      if (curSt.type !== st.type) return -EINVAL;
      const err = st.type.def.update(st.instance, curSt.instance, link);
      if (err < 0) return err;
      k.mapInc(newMap);
      link.map = newMap;
      k.mapPut(cur);
      return 0;
    },
  };
}

/** BPF_LINK_CREATE with attach_type BPF_STRUCT_OPS (bpf_struct_ops_link_create, docs §7.6). */
export function structOpsLinkCreate(k: Kernel, mapFd: number): KLink | number {
  const map = k.mapGet(mapFd);
  if (typeof map === 'number') return map;
  const st = validToReg(map);
  if (st === undefined) {
    k.mapPut(map);
    return -EINVAL;
  }
  const link = new KLink(LinkType.STRUCT_OPS, AttachType.STRUCT_OPS, null, map, structOpsLinkOps(k), map.name);
  const err = st.type.def.reg?.(st.instance, link) ?? 0;
  if (err < 0) {
    k.mapPut(map);
    return err;
  }
  return link; // keeps the map reference taken by mapGet
}

// ------------------------------------------------------------------------------------------------
// Association (docs §2.2 step 7, §3)

/**
 * bpf_prog_assoc_struct_ops: same map → 0; other map or poison → EBUSY for non-struct_ops
 * programs, poison for struct_ops programs; none → store (non-struct_ops programs take one map
 * reference).
 */
export function assocStructOps(k: Kernel, prog: KProg, map: KMap): number {
  const cur = prog.assoc;
  const isStructOps = prog.type === ProgType.STRUCT_OPS;
  if (cur.kind === 'map' && cur.map === map) return 0;
  if (cur.kind !== 'none') {
    if (!isStructOps) return -EBUSY;
    prog.assoc = ASSOC_POISON;
    return 0;
  }
  if (!isStructOps) k.mapInc(map);
  prog.assoc = { kind: 'map', map };
  return 0;
}

/** bpf_prog_disassoc_struct_ops: poison stays; a map association is cleared (dropping the reference of non-struct_ops programs). */
export function disassocStructOps(k: Kernel, prog: KProg): void {
  const cur = prog.assoc;
  if (cur.kind !== 'map') return;
  prog.assoc = ASSOC_NONE;
  if (prog.type !== ProgType.STRUCT_OPS) k.mapPut(cur.map);
}

/** bpf_prog_get_assoc_struct_ops(aux): the associated map's instance, or null (none/poison), whatever the map's state. */
export function getAssocStructOps(prog: KProg): StructOpsInstance | null {
  const a = prog.assoc;
  if (a.kind !== 'map') return null;
  return structOpsOf(a.map)?.instance ?? null;
}

