/**
 * Calls (kernel/bpf/verifier.c check_helper_call, check_func_arg, check_kfunc_call,
 * check_func_call, push_callback_call, prepare_func_exit): helper arguments checked against their
 * prototypes (helpers/registry.ts HelperProto), references acquired and released, r1-r5 clobbered
 * and r0 typed by the return kind; bpf-to-bpf calls as new frames; callbacks (bpf_loop,
 * for_each_map_elem, timers) verified as frames entered from the helper call.
 */
import { RDONLY_CAST, rdonlyCastResult } from './rdonly-cast.js';
import type { RawInsn } from '../isa/insn.js';
import type { HelperProto, ProtoArg } from '../helpers/registry.js';
import { constReg, isNullScalar, isPointer, NOT_INIT, ptrReg, regTypeName, regTypeStr, UNKNOWN_SCALAR, withReg, type Reg } from './reg.js';
import { scalarRange } from './scalar.js';
import { tnumIsConst } from './tnum.js';
import { checkHelperMem, checkMemAccess, checkPtrOffReg, constantStackKey } from './mem.js';
import { checkDynptrRelease, dynptrOfArg, processDynptrArg, releaseDynptr } from './dynptr.js';
import type { DynptrSlot } from './state.js';
import { copyState, type Frame, type VState } from './state.js';
import { ERR, invalidScalar, MAX_FRAMES, Reject, type Verifier } from './verifier.js';
import type { VFunc } from './api.js';
import { checkIterArgs, iterNext, iterRcuUnlock } from './iter.js';
import { checkKfuncDestructive, checkKfuncFlags, checkKfuncStructArgs } from './kfunc.js';
import { checkConstStr, checkKfuncArgTypes } from './kfunc-args.js';
import { isTrustedReg } from './trust.js';
import { checkResLockCall, isResLockKfunc, resLockHeld, resLockOff } from './res-lock.js';
import { checkNotInPreempt, checkPreemptKfunc, preemptDisabled } from './preempt.js';
import { checkFindVmaTask, FIND_VMA, setFindVmaCallbackRegs } from './find-vma.js';

const MAP_TYPE = { PROG_ARRAY: 3, ARRAY: 2, PERCPU_ARRAY: 6, RINGBUF: 27, SOCKMAP: 15, SOCKHASH: 18 } as const;
const FUNC = { kptr_xchg: 194, dynptr_from_mem: 197, tail_call: 12, spin_lock: 93, spin_unlock: 94, loop: 181, for_each_map_elem: 164, timer_set_callback: 170, map_lookup_elem: 1, map_update_elem: 2, map_delete_elem: 3, map_push_elem: 87, map_pop_elem: 88, map_peek_elem: 89 } as const;

/** compatible_reg_types: the register types an argument kind accepts, in the kernel's order. */
const MEM_TYPES = ['fp', 'pkt', 'pkt_meta', 'map_key', 'map_value', 'mem', 'ringbuf_mem', 'buf', 'trusted_ptr_'] as const;
const COMPATIBLE: Readonly<Record<string, readonly string[]>> = {
  map_key: MEM_TYPES,
  map_value: MEM_TYPES,
  mem: MEM_TYPES,
  size: ['scalar'],
  size_or_zero: ['scalar'],
  alloc_size: ['scalar'],
  map: ['map_ptr'],
  ctx: ['ctx'],
  ctx_or_null: ['ctx'],
  spin_lock: ['map_value', 'ptr_'],
  timer: ['map_value'],
  func: ['func'],
  stack_or_null: ['fp'],
  const_str: ['map_value'],
  ringbuf_mem: ['ringbuf_mem'],
  long: ['fp', 'pkt', 'pkt_meta', 'map_key', 'map_value'],
  sock_common: ['sock_common', 'sock', 'tcp_sock', 'xdp_sock'],
  socket: ['sock'],
  btf_id_sock_common: ['sock_common', 'sock', 'tcp_sock', 'xdp_sock', 'ptr_', 'trusted_ptr_'],
  btf_id: ['ptr_'],
  percpu_btf_id: ['percpu_ptr_'],
  dynptr: ['fp', 'dynptr_ptr'],
  kptr_xchg_dest: ['map_value'],
};

interface Meta {
  map: Reg['map'];
  mapReg: Reg | null;
  rawMode: boolean;
  memRegno: number;
  refObjId: number;
  releaseRegno: number;
  memSize: number;
  subprog: number;
  constKey: bigint;
  accessSize: number;
  accessRegno: number;
  /** bpf_dynptr_data: the dynptr's id and reference, given to the slice. */
  dynptrId: number;
  dynptrRef: number;
  dynptrRdonly: boolean;
  /** bpf_kptr_xchg: the kptr field its destination names. */
  kptr: { readonly tag: string; readonly struct: string } | null;
}

/** The register type a helper argument sees, as reg_type_str prints it with the arg's flags folded. */
function typeKey(reg: Reg, arg: ProtoArg): string {
  let t = reg.type as string;
  if (reg.type === 'mem' && reg.ringbuf) t = 'ringbuf_mem';
  if (reg.type === 'btf_id') t = reg.percpu ? 'percpu_ptr_' : 'ptr_';
  if (reg.maybeNull && !arg.nullable) t += '_or_null';
  if (reg.rdonly && !arg.rdonly && reg.type === 'mem') t = `rdonly_${t}`;
  return t;
}

/** check_func_arg for one argument. */
function checkFuncArg(v: Verifier, k: number, arg: ProtoArg | undefined, proto: HelperProto, meta: Meta, helperId: number): void {
  if (arg === undefined) return;
  // resolve_map_arg_type: a SOCKMAP/SOCKHASH value is a socket (ARG_PTR_TO_BTF_ID_SOCK_COMMON)
  if (arg.kind === 'map_value' && meta.map !== null && (meta.map.type === MAP_TYPE.SOCKMAP || meta.map.type === MAP_TYPE.SOCKHASH)) arg = { kind: 'sock_common', btfType: 'sock_common' };
  const regno = k + 1;
  const reg = v.readReg(regno);
  if (arg.kind === 'anything') {
    if (!v.allowPtrLeaks && isPointer(reg)) v.reject(ERR.EACCES, `R${regno} leaks addr into helper function`);
    return;
  }
  if (isNullScalar(reg) && (arg.nullable === true || arg.kind === 'stack_or_null' || arg.kind === 'ctx_or_null')) {
    if (arg.release) meta.releaseRegno = regno;
    return;
  }
  // a 'sock_common' with a btfType is ARG_PTR_TO_BTF_ID_SOCK_COMMON (sk storage owners)
  const compatible = (arg.kind === 'sock_common' && arg.btfType !== undefined ? COMPATIBLE.btf_id_sock_common : COMPATIBLE[arg.kind]) ?? ['fp'];
  const key = typeKey(reg, arg);
  if (helperId === FIND_VMA && arg.kind === 'btf_id') checkFindVmaTask(v, regno, reg);
  else if (!compatible.includes(key)) v.reject(ERR.EACCES, `R${regno} type=${regTypeStr(reg)} expected=${compatible.join(', ')}`);
  // map_kptr_match_type: what bpf_kptr_xchg moves into the field must be of the field's type
  if (helperId === FUNC.kptr_xchg && arg.kind === 'btf_id' && meta.kptr !== null && reg.btfName !== meta.kptr.struct) {
    v.reject(ERR.EACCES, `invalid kptr access, R${regno} type=${regTypeName(reg)} expected=ptr_${meta.kptr.struct}`);
  }
  // check_func_arg_reg_off (a released dynptr is named by a stack pointer at any offset)
  // a callback's dynptr belongs to the kernel (process_dynptr_func for OBJ_RELEASE)
  if (arg.kind === 'dynptr' && arg.release === true && reg.type === 'dynptr_ptr') v.reject(ERR.EINVAL, 'cannot release unowned const bpf_dynptr');
  if (arg.kind === 'dynptr' && reg.type === 'fp') {
    if (arg.release) {
      checkDynptrRelease(v, regno);
      meta.releaseRegno = regno;
    }
  } else if (arg.release) {
    if (reg.off !== 0) v.reject(ERR.EINVAL, `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
  } else if (!['fp', 'pkt', 'pkt_meta', 'map_key', 'map_value', 'mem', 'scalar'].includes(reg.type)) {
    // check_func_arg_reg_off: a BTF pointer may carry a fixed offset (&file->f_path), others not
    checkPtrOffReg(v, reg, regno, reg.type === 'btf_id');
  }
  if (arg.release && arg.kind !== 'dynptr') {
    if (reg.refObjId === 0 && !isNullScalar(reg)) v.reject(ERR.EINVAL, `R${regno} must be referenced when passed to release function`);
    meta.releaseRegno = regno;
  }
  if (reg.refObjId !== 0) {
    if (meta.refObjId !== 0) v.reject(ERR.EACCES, `more than one arg with ref_obj_id R${regno} ${reg.refObjId} ${meta.refObjId}`);
    meta.refObjId = reg.refObjId;
  }
  switch (arg.kind) {
    case 'map':
      meta.map = reg.map;
      meta.mapReg = reg;
      break;
    case 'map_key':
      checkHelperMem(v, regno, meta.map!.keySize, false, false, false);
      if (meta.map!.type === MAP_TYPE.ARRAY || meta.map!.type === MAP_TYPE.PERCPU_ARRAY) meta.constKey = constantStackKey(v, reg, meta.map!.keySize);
      break;
    case 'map_value':
      checkHelperMem(v, regno, meta.map!.valueSize, arg.uninit === true, false, arg.uninit === true);
      break;
    case 'mem':
      meta.rawMode = arg.uninit === true;
      meta.memRegno = regno;
      if (arg.fixedSize !== undefined) checkHelperMem(v, regno, arg.fixedSize, arg.uninit === true, false, arg.uninit === true);
      break;
    case 'long':
      checkHelperMem(v, regno, 8, true, false, true);
      break;
    case 'size':
    case 'size_or_zero': {
      const prev = proto.args[k - 1];
      const zeroOk = arg.kind === 'size_or_zero';
      const s = reg.s;
      if (s.smin < 0n) v.reject(ERR.EACCES, `R${regno} min value is negative, either use unsigned or 'var &= const'`);
      if (s.umin === 0n && !zeroOk) v.reject(ERR.EACCES, `R${regno} invalid zero-sized read: u64=[${s.umin},${s.umax}]`);
      if (s.umax >= 1n << 29n) v.reject(ERR.EACCES, `R${regno} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
      const raw = meta.rawMode && tnumIsConst(s.var);
      checkHelperMem(v, regno - 1, Number(s.umax), prev?.uninit === true, zeroOk, raw);
      break;
    }
    case 'alloc_size':
      if (!tnumIsConst(reg.s.var)) v.reject(ERR.EACCES, `R${regno} is not a known constant'`);
      meta.memSize = Number(reg.s.var.value);
      break;
    case 'func':
      meta.subprog = reg.subprog;
      break;
    case 'dynptr':
      processDynptrArg(v, regno, arg.uninit === true, arg.dynptrType, false, (off) => checkMemAccess(v, regno, off, 8, true, -1, false, false, null));
      break;
    case 'spin_lock':
      processSpinLock(v, regno, reg, helperId === FUNC.spin_lock);
      break;
    case 'kptr_xchg_dest':
      meta.kptr = processKptrFunc(v, regno, reg);
      break;
    case 'timer': {
      const map = reg.map!;
      if (!tnumIsConst(reg.s.var)) v.reject(ERR.EINVAL, `R${regno} doesn't have constant offset. bpf_timer has to be at the constant offset`);
      if (map.timerOff < 0) v.reject(ERR.EINVAL, `map '${map.name}' has no valid bpf_timer`);
      const at = Number(reg.s.var.value) + reg.off;
      if (map.timerOff !== at) v.reject(ERR.EINVAL, `off ${at} doesn't point to 'struct bpf_timer' that is at ${map.timerOff}`);
      meta.map = map;
      break;
    }
    case 'const_str':
      checkConstStr(v, regno, reg);
      break;
    default:
      break;
  }
}

/** process_kptr_func: bpf_kptr_xchg's destination is a referenced kptr field at a constant offset of a map value. */
function processKptrFunc(v: Verifier, regno: number, reg: Reg): { readonly tag: string; readonly struct: string } {
  const map = reg.map!;
  if (!tnumIsConst(reg.s.var)) v.reject(ERR.EACCES, `R${regno} doesn't have constant offset. kptr has to be at the constant offset`);
  const kptrs = (map.specialFields ?? []).filter((f) => f.kptr !== undefined);
  if (kptrs.length === 0) v.reject(ERR.EACCES, `map '${map.name}' has no valid kptr`);
  const at = reg.off + Number(reg.s.var.value);
  const f = kptrs.find((x) => x.off === at);
  if (f === undefined) v.reject(ERR.EACCES, `off=${at} doesn't point to kptr`);
  if (f.kptr!.tag !== 'kptr' && f.kptr!.tag !== 'percpu_kptr') v.reject(ERR.EACCES, `off=${at} kptr isn't referenced kptr`);
  return f.kptr!;
}

/** process_spin_lock. */
function processSpinLock(v: Verifier, regno: number, reg: Reg, lock: boolean): void {
  const map = reg.map!;
  if (!tnumIsConst(reg.s.var)) v.reject(ERR.EINVAL, `R${regno} doesn't have constant offset. bpf_spin_lock has to be at the constant offset`);
  if (map.hasBtf === false) v.reject(ERR.EINVAL, `map '${map.name}' has to have BTF in order to use bpf_spin_lock`);
  if (map.spinLockOff < 0) v.reject(ERR.EINVAL, `map '${map.name}' has no valid bpf_spin_lock`);
  const at = Number(reg.s.var.value) + reg.off;
  if (map.spinLockOff !== at) v.reject(ERR.EINVAL, `off ${at} doesn't point to 'struct bpf_spin_lock' that is at ${map.spinLockOff}`);
  if (lock) {
    if (v.cur.lockId !== 0 || v.cur.lockOff !== 0) v.reject(ERR.EINVAL, 'Locking two bpf_spin_locks are not allowed');
    v.cur.lockId = reg.id === 0 ? -1 : reg.id;
    v.cur.lockOff = at + 1;
  } else {
    if (v.cur.lockId === 0 && v.cur.lockOff === 0) v.reject(ERR.EINVAL, 'bpf_spin_unlock without taking a lock');
    if (v.cur.lockId !== (reg.id === 0 ? -1 : reg.id)) v.reject(ERR.EINVAL, 'bpf_spin_unlock of different lock');
    v.cur.lockId = 0;
    v.cur.lockOff = 0;
  }
}

/** release_reference: drop the reference and invalidate every register carrying it. */
function releaseReference(v: Verifier, refObjId: number): boolean {
  const before = v.cur.refs.length;
  v.cur.refs = v.cur.refs.filter((r) => r.id !== refObjId);
  if (v.cur.refs.length === before) return false;
  v.forEachReg(v.cur, (r) => (r.refObjId === refObjId ? UNKNOWN_SCALAR : undefined));
  return true;
}

/** check_map_func_compatibility: which helpers a map type works with, and which maps a helper takes. */
const MAP_FUNCS: Readonly<Record<number, readonly number[]>> = {
  3: [12],
  4: [22, 25, 111, 55, 121],
  27: [130, 131, 134, 198, 199, 200],
  31: [209],
  7: [27],
  8: [33, 37],
  19: [81],
  21: [81],
  14: [51, 1],
  25: [51, 1],
  16: [51],
  17: [51, 1],
  12: [1],
  13: [1],
  15: [1, 2, 3, 52, 53, 60, 82, 164],
  18: [1, 2, 3, 72, 70, 71, 82, 164],
  20: [82],
  22: [89, 88, 87],
  23: [89, 88, 87],
  24: [107, 108],
  28: [145, 146],
  29: [156, 157],
  32: [210, 211],
  30: [89, 87],
};
const FUNC_MAPS: Readonly<Record<number, readonly number[]>> = {
  12: [3],
  22: [4], 25: [4], 55: [4], 111: [4], 121: [4],
  130: [27], 131: [27], 134: [27], 198: [27], 199: [27], 200: [27],
  209: [31],
  27: [7],
  37: [8], 33: [8],
  51: [14, 25, 16, 17],
  52: [15], 60: [15], 53: [15],
  72: [18], 71: [18], 70: [18],
  81: [19, 21],
  82: [20, 15, 18],
  88: [22, 23],
  89: [22, 23, 30], 87: [22, 23, 30],
  195: [6, 5, 10],
  107: [24], 108: [24],
  145: [28], 146: [28],
  156: [29], 157: [29],
  210: [32], 211: [32],
};

function mapFuncCompatible(v: Verifier, map: NonNullable<Reg['map']>, id: number, name: string): void {
  const allowed = MAP_FUNCS[map.type];
  const maps = FUNC_MAPS[id];
  if ((allowed !== undefined && !allowed.includes(id)) || (maps !== undefined && !maps.includes(map.type))) {
    v.reject(ERR.EINVAL, `cannot pass map_type ${map.type} into func ${name}#${id}`);
  }
  if ((map.type === MAP_TYPE.SOCKMAP || map.type === MAP_TYPE.SOCKHASH) && (id === FUNC.map_update_elem || id === FUNC.map_delete_elem) && !mayUpdateSockmap(v.input.progType, v.input.attachType, id)) {
    v.log.put('cannot update sockmap in this context\n');
    v.reject(ERR.EINVAL, `cannot pass map_type ${map.type} into func ${name}#${id}`);
  }
}

/**
 * may_update_sockmap: the program types that may update or delete SOCKMAP/SOCKHASH entries
 * (iterators; sock_ops delete only - updates go through bpf_sock_map_update; socket filter, tc,
 * XDP, sk_reuseport, flow dissector, sk_lookup).
 */
export function mayUpdateSockmap(progType: number, attachType: number, id: number): boolean {
  switch (progType) {
    case 26: // TRACING
      return attachType === 28; // BPF_TRACE_ITER
    case 13: // SOCK_OPS
      return id === FUNC.map_delete_elem;
    case 1: // SOCKET_FILTER
    case 3: // SCHED_CLS
    case 4: // SCHED_ACT
    case 6: // XDP
    case 21: // SK_REUSEPORT
    case 22: // FLOW_DISSECTOR
    case 30: // SK_LOOKUP
      return true;
    default:
      return false;
  }
}

/** check_helper_call. */
export function checkHelperCall(v: Verifier, i: RawInsn): void {
  const id = i.imm;
  const h = v.input.helper(id);
  const name = v.input.helperName(id);
  if (name === undefined) v.reject(ERR.EINVAL, `invalid func unknown#${id}`);
  if (h === undefined && id !== 0 && v.input.helperImplemented?.(id) === false) v.reject(ERR.EINVAL, `invalid func ${name}#${id} (bpfemu does not implement this helper)`);
  if (h === undefined) v.reject(ERR.EINVAL, `program of this type cannot use helper ${name}#${id}`);
  if (h.gplOnly && !v.input.gplCompatible) v.reject(ERR.EINVAL, 'cannot call GPL-restricted function from non-GPL compatible program');
  // fn->allowed(env->prog): bpf_d_path's attach functions
  if (h.notAllowed === true) v.reject(ERR.EINVAL, 'helper call is not allowed in probe');
  if (h.mightSleep && (v.input.progFlags & 16) === 0) v.reject(ERR.EINVAL, 'helper call might sleep in a non-sleepable prog');
  if (h.mightSleep && v.cur.rcuLock === true) v.reject(ERR.EINVAL, `sleepable helper ${name}#${id} in rcu_read_lock region`);
  if (h.mightSleep && preemptDisabled(v.cur)) v.reject(ERR.EINVAL, `sleepable helper ${name}#${id} in non-preemptible region`);
  const proto = h.proto;
  if (proto === undefined) v.reject(ERR.EINVAL, `program of this type cannot use helper ${name}#${id} (bpfemu has no verifier prototype for it)`);
  const meta: Meta = { map: null, mapReg: null, rawMode: false, memRegno: -1, refObjId: 0, releaseRegno: 0, memSize: 0, subprog: -1, constKey: -1n, accessSize: 0, accessRegno: -1, dynptrId: 0, dynptrRef: 0, dynptrRdonly: false, kptr: null };
  for (let k = 0; k < 5; k++) checkFuncArg(v, k, proto.args[k], proto, meta, id);
  // record_func_map
  if ([FUNC.tail_call, 1, 2, 3, 87, 88, 89, FUNC.for_each_map_elem, 51, 195].includes(id as 1)) {
    if (meta.map === null) v.reject(ERR.EINVAL, 'kernel subsystem misconfigured verifier');
    if ((meta.map.flags & (1 << 7)) !== 0 && [3, 2, 87, 88].includes(id)) v.reject(ERR.EACCES, 'write into map forbidden');
  }
  if (meta.releaseRegno !== 0 && proto.args[meta.releaseRegno - 1]?.kind === 'dynptr') {
    releaseDynptr(v, v.regs()[meta.releaseRegno]!);
  } else if (meta.releaseRegno !== 0) {
    const ok = meta.refObjId !== 0 ? releaseReference(v, meta.refObjId) : isNullScalar(v.regs()[meta.releaseRegno]!);
    if (!ok) v.reject(ERR.EINVAL, `func ${name}#${id} reference has not been acquired before`);
  }
  if (id === FUNC.tail_call) {
    // check_resource_leak(env, false, true, "tail_call"): references, then the RCU section (a held
    // spin lock was refused before: no helper calls inside one)
    if (v.cur.refs.length > 0) {
      v.reject(ERR.EINVAL, `${v.cur.refs.map((r) => `Unreleased reference id=${r.id} alloc_insn=${r.insn}`).join('\n')}\ntail_call would lead to reference leak`);
    }
    if (v.cur.rcuLock === true) v.reject(ERR.EINVAL, 'tail_call cannot be used inside bpf_rcu_read_lock-ed region');
    checkNotInPreempt(v, 'tail_call');
    // 6.18 refuses every tail call inside a callback with this EFAULT (measured: constant and
    // variable indexes alike; it comes from the precision backtracking of the callback's frame)
    if (v.cur.frames.some((f) => f.cbRet !== null)) v.reject(ERR.EFAULT, 'verifier bug: callback unexpected regs 1');
  }
  if (id === FUNC.dynptr_from_mem && v.regs()[1]!.type !== 'map_value') v.reject(ERR.EACCES, `Unsupported reg type ${regTypeStr(v.regs()[1]!)} for bpf_dynptr_from_mem data`);
  // bpf_dynptr_write on an skb dynptr may change the packet (changes_data): packet pointers and slices go
  const dynptrWriteSkb = id === 202 && dynptrOfArg(v, v.regs()[1]!)?.kind === 'skb';
  if (proto.ret === 'dynptr_mem_or_null') {
    // the slice belongs to the dynptr argument: its id and reference
    const k = proto.args.findIndex((a) => a.kind === 'dynptr');
    const d = k >= 0 ? dynptrOfArg(v, v.regs()[k + 1]!) : undefined;
    if (d !== undefined) {
      meta.dynptrId = d.id;
      meta.dynptrRef = d.refObjId;
      meta.dynptrRdonly = d.rdonly;
    }
  }
  // get_local_storage() cannot fail, so its flags must be a known zero
  if (id === 81 && !isNullScalar(v.regs()[2]!)) v.reject(ERR.EINVAL, "get_local_storage() doesn't support non-zero flags");
  if (proto.callback !== undefined && meta.subprog >= 0) pushCallback(v, i, id, meta, proto.callback.retRange);
  // check_map_func_compatibility runs after the arguments; tail calls need a prog array
  if (id === FUNC.tail_call && meta.map !== null && meta.map.type !== MAP_TYPE.PROG_ARRAY) v.reject(ERR.EINVAL, 'expected prog array map for tail call\u0000');
  for (let r = 1; r <= 5; r++) v.setReg(r, NOT_INIT);
  let r0: Reg;
  switch (proto.ret) {
    case 'integer':
      r0 = proto.retRange !== undefined ? withReg(UNKNOWN_SCALAR, { s: scalarRange(BigInt(proto.retRange[0]), BigInt(proto.retRange[1])) }) : UNKNOWN_SCALAR;
      if (id === 8) r0 = withReg(UNKNOWN_SCALAR, { s: scalarRange(0n, BigInt(v.input.nrCpus - 1)) });
      break;
    case 'void':
      r0 = NOT_INIT;
      break;
    case 'map_value':
      // RET_PTR_TO_MAP_VALUE (bpf_get_local_storage): never NULL
      if (meta.map === null) v.reject(ERR.EINVAL, 'kernel subsystem misconfigured verifier');
      r0 = ptrReg('map_value', { map: meta.map });
      break;
    case 'map_value_or_null': {
      if (meta.map === null) v.reject(ERR.EINVAL, 'kernel subsystem misconfigured verifier');
      const inner = meta.map.inner;
      const map = (meta.map.type === 12 || meta.map.type === 13) && inner !== undefined ? inner : meta.map;
      const outerIsMapInMap = meta.map.type === 12 || meta.map.type === 13;
      let maybeNull = true;
      if (id === FUNC.map_lookup_elem && (meta.map.type === MAP_TYPE.ARRAY || meta.map.type === MAP_TYPE.PERCPU_ARRAY) && meta.constKey >= 0n && meta.constKey < BigInt(meta.map.maxEntries)) maybeNull = false;
      r0 = outerIsMapInMap ? ptrReg('map_ptr', { map, maybeNull: true }) : ptrReg('map_value', { map, maybeNull });
      if (!maybeNull && (map.spinLockOff >= 0 || resLockOff(map) >= 0)) r0 = withReg(r0, { id: v.newId() });
      break;
    }
    case 'mem_or_null':
    case 'ringbuf_mem_or_null':
      r0 = ptrReg('mem', { maybeNull: true, ringbuf: proto.ret === 'ringbuf_mem_or_null', memSize: meta.memSize });
      break;
    case 'dynptr_mem_or_null':
      r0 = ptrReg('mem', { maybeNull: true, memSize: meta.memSize, rdonly: meta.dynptrRdonly, dynptrId: meta.dynptrId, refObjId: meta.dynptrRef });
      break;
    case 'sock_common_or_null':
      r0 = ptrReg('sock_common', { maybeNull: true });
      break;
    case 'socket_or_null':
      r0 = ptrReg('sock', { maybeNull: true });
      break;
    case 'tcp_sock_or_null':
      r0 = ptrReg('tcp_sock', { maybeNull: true });
      break;
    case 'btf_id':
      // RET_PTR_TO_BTF_ID_TRUSTED (bpf_get_current_task_btf, bpf_task_pt_regs)
      r0 = ptrReg('btf_id', { btfName: proto.retBtfType ?? 'task_struct', trust: 'trusted' });
      break;
    case 'mem_or_btf_id':
      // bpf_per_cpu_ptr (maybe NULL past the CPU count) / bpf_this_cpu_ptr: the variable's copy
      r0 = ptrReg('btf_id', { btfName: '', rdonly: true, maybeNull: id === 153 });
      break;
    case 'btf_id_or_null':
      r0 = ptrReg('btf_id', { btfName: meta.kptr?.struct ?? proto.retBtfType ?? 'task_struct', maybeNull: true });
      break;
    default:
      r0 = UNKNOWN_SCALAR;
  }
  if (r0.maybeNull) r0 = withReg(r0, { id: v.newId() });
  if (PTR_CAST_FUNCS.includes(id)) {
    // is_ptr_cast_function: the result carries the argument's reference (released through either)
    r0 = withReg(r0, { refObjId: meta.refObjId });
  } else if (proto.acquire === true || (id === FUNC.map_lookup_elem && meta.map !== null && (meta.map.type === 15 || meta.map.type === 18))) {
    // is_acquire_function: also bpf_map_lookup_elem on a SOCKMAP/SOCKHASH (a socket reference)
    // (bpf_kptr_xchg, like the kernel's helpers, takes a new id after the one of the NULL check)
    const rid = r0.id !== 0 && id !== FUNC.kptr_xchg ? r0.id : v.newId();
    v.cur.refs.push({ id: rid, insn: v.pc });
    r0 = withReg(r0, { id: rid, refObjId: rid });
  }
  v.setReg(0, r0);
  if (meta.map !== null && name !== undefined) mapFuncCompatible(v, meta.map, id, name);
  if (proto.pktChanging === true || dynptrWriteSkb) clearPktPointers(v);
}

/** is_ptr_cast_function: bpf_tcp_sock, bpf_sk_fullsock and the bpf_skc_to_* casts. */
const PTR_CAST_FUNCS: readonly number[] = [96, 95, 136, 137, 138, 139, 140, 178, 179];

/** clear_all_pkt_pointers: every packet pointer becomes an unknown scalar. */
function clearPktPointers(v: Verifier): void {
  v.forEachReg(v.cur, (r) => (r.type === 'pkt' || r.type === 'pkt_meta' || r.type === 'pkt_end' || (r.type === 'mem' && r.dynptrPkt) ? UNKNOWN_SCALAR : undefined));
}

/** push_callback_call: the callback is verified as a frame entered from this call. */
function pushCallback(v: Verifier, i: RawInsn, id: number, meta: Meta, retRange: readonly [number, number]): void {
  const start = v.cfg.subprogs[meta.subprog]!;
  const caller = v.frame();
  const regs: Reg[] = new Array(11).fill(NOT_INIT);
  const async = id === FUNC.timer_set_callback;
  if (id === FUNC.loop) {
    regs[1] = UNKNOWN_SCALAR;
    regs[2] = caller.regs[3]!;
  } else if (id === FUNC.for_each_map_elem) {
    const map = caller.regs[1]!.map;
    regs[1] = caller.regs[1]!;
    regs[2] = ptrReg('map_key', { map });
    regs[3] = ptrReg('map_value', { map });
    regs[4] = caller.regs[3]!;
  } else if (id === FIND_VMA) {
    setFindVmaCallbackRegs(caller.regs, regs);
  } else if (id === 209) {
    // bpf_user_ringbuf_drain: (struct bpf_dynptr *sample, void *ctx); the sample is a local dynptr
    // (mark_dynptr_cb_reg: PTR_TO_DYNPTR | DYNPTR_TYPE_LOCAL with a new id)
    regs[1] = ptrReg('dynptr_ptr', { id: v.newId() });
    regs[2] = caller.regs[3]!;
  } else if (async) {
    const map = meta.map;
    regs[1] = ptrReg('map_ptr', { map });
    regs[2] = ptrReg('map_key', { map });
    regs[3] = ptrReg('map_value', { map });
  }
  if (async) {
    regs[10] = ptrReg('fp', { frameno: 0 });
    const st: VState = {
      frames: [{ regs, stack: [], callsite: v.pc, frameno: 0, subprog: meta.subprog, cbRet: [0, 0], async: true }],
      refs: [],
      lockId: 0,
      lockOff: 0,
      mayGotoDepth: 0,
      cbDepth: 0,
    };
    if (!v.asyncRoots.some((r) => r.pc === start)) v.asyncRoots.push({ pc: start, st });
    return;
  }
  if (id === FUNC.loop) {
    // only while the caller's callback depth is below the loop count (bpf_loop's r1)
    const nr = caller.regs[1]!;
    if (!(v.cur.cbDepth < Number(nr.s.umax > 1000000n ? 1000000n : nr.s.umax))) return;
  }
  if (v.cur.frames.length >= MAX_FRAMES) v.reject(ERR.E2BIG, `the call stack of ${v.cur.frames.length + 1} frames is too deep`);
  const st = v.pushBranch(start);
  regs[10] = ptrReg('fp', { frameno: st.frames.length });
  st.frames.push({ regs, stack: [], callsite: v.pc, frameno: st.frames.length, subprog: meta.subprog, cbRet: retRange, async: false });
  st.cbDepth = v.cur.cbDepth + 1;
  void i;
}

/** check_kfunc_call (the core: arguments read, r1-r5 clobbered, r0 typed). */
export function checkKfuncCall(v: Verifier, i: RawInsn): void {
  const k = v.input.kfunc(i.imm);
  if (k === undefined) v.reject(ERR.EINVAL, `kernel btf_id ${i.imm} is not a function`);
  // this machine's 6.18 build refuses the writable slice kfunc outright (recorded in corpus group dynptr)
  if (k.name === 'bpf_dynptr_slice_rdwr') v.reject(ERR.EPERM, 'bpf_dynptr_slice_rdwr() is not allowed');
  // check_kfunc_call: KF_SLEEPABLE kfuncs (the arena's) in a non-sleepable program
  checkKfuncDestructive(v, k);
  if (k.sleepable === true && (v.input.progFlags & 16) === 0) v.reject(ERR.EACCES, `program must be sleepable to call sleepable kfunc ${k.name}`);
  if (isResLockKfunc(k.name)) {
    checkResLockCall(v, k);
    return;
  }
  // RCU read-side sections (active_rcu_lock): paired, not nested
  if (k.name === 'bpf_rcu_read_lock') {
    if (v.cur.rcuLock === true) v.reject(ERR.EINVAL, 'nested rcu read lock (kernel function bpf_rcu_read_lock)');
    v.cur.rcuLock = true;
  } else if (k.name === 'bpf_rcu_read_unlock') {
    if (v.cur.rcuLock !== true) v.reject(ERR.EINVAL, 'unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)');
    delete v.cur.rcuLock;
  }
  if (k.argTypes === undefined) for (let r = 1; r <= k.nargs; r++) v.readReg(r);
  checkKfuncFlags(v, k);
  const argMeta = k.argTypes !== undefined ? checkKfuncArgTypes(v, k) : null;
  checkPreemptKfunc(v, k);
  const refs = checkKfuncStructArgs(v, k);
  const iterNextOf = checkIterArgs(v, k);
  const dynptr = k.dynptrArgs !== undefined || k.constSizeArg !== undefined ? checkKfuncDynptrArgs(v, k) : null;
  // check_mem_reg: memory a stack pointer argument names must be initialised, and the kfunc may write it.
  for (let r = 1; r <= k.nargs; r++) {
    const size = k.memArgs?.[r - 1];
    if (size === undefined || size <= 0 || v.regs()[r]!.type !== 'fp') continue;
    checkHelperMem(v, r, size, false, false, false);
    checkHelperMem(v, r, size, true, false, false);
  }
  if (refs.releaseRegno !== 0 && !releaseReference(v, refs.refObjId)) v.reject(ERR.EINVAL, `kfunc ${k.name}#${i.imm} reference has not been acquired before`);
  if (k.name === 'bpf_rcu_read_unlock') {
    // the end of the section: MEM_RCU pointers become untrusted
    v.forEachReg(v.cur, (r) => (r.type === 'btf_id' && r.trust === 'rcu' ? withReg(r, { trust: 'untrusted', maybeNull: false }) : undefined));
    iterRcuUnlock(v);
  }
  // bpf_rdonly_cast: r0 typed from its constant type id argument (read before the clobber)
  const castR0 = k.name === RDONLY_CAST ? rdonlyCastResult(v) : null;
  for (let r = 1; r <= 5; r++) v.setReg(r, NOT_INIT);
  if (castR0 !== null) v.setReg(0, castR0);
  else if (k.ret === 'void') v.setReg(0, NOT_INIT);
  else if (k.ret === 'integer') v.setReg(0, UNKNOWN_SCALAR);
  else if (k.retMem !== undefined) {
    // a pointer to a scalar: read-only memory of its size, or of the `rdonly_buf_size` /
    // `rdwr_buf_size` argument (writable for the latter), tied to the reference an argument holds
    const nul = k.ret === 'ptr_or_null';
    const size = argMeta?.retSize ?? k.retMem;
    const rdonly = argMeta?.retSize === undefined || k.retBufSize?.rdonly === true;
    v.setReg(0, ptrReg('mem', { memSize: size, rdonly, maybeNull: nul, refObjId: refs.refObjId, ...(nul ? { id: v.newId() } : {}) }));
  }
  else if (dynptr !== null && (k.name === 'bpf_dynptr_slice' || k.name === 'bpf_dynptr_slice_rdwr')) {
    // a slice: mem of the constant size, read-only from bpf_dynptr_slice, tied to its dynptr (not to a reference)
    const d = dynptr.init;
    const pkt = d?.kind === 'skb' || d?.kind === 'xdp';
    v.setReg(0, ptrReg('mem', { maybeNull: true, id: v.newId(), memSize: dynptr.constSize, rdonly: k.name === 'bpf_dynptr_slice', dynptrId: d?.id ?? 0, dynptrPkt: pkt }));
  } else {
    // a struct pointer is a trusted BTF pointer (reads by BTF); `void *` an opaque object read as scalars
    // an iterator's next element: iter.ts iterNext gives it its flavour (MEM_RCU or plain)
    let r = ptrReg('btf_id', { btfName: k.retStruct ?? '', maybeNull: k.ret === 'ptr_or_null', trust: k.iter?.kind === 'next' ? 'trusted' : '' });
    if (k.ret === 'ptr_or_null') r = withReg(r, { id: v.newId() });
    if (k.flags?.acquire === true) {
      // acquire_reference: the result holds a new reference (its id also the NULL check's)
      const rid = v.newId();
      v.cur.refs.push({ id: rid, insn: v.pc });
      r = withReg(r, { refObjId: rid, ...(r.maybeNull ? { id: rid } : {}) });
    }
    v.setReg(0, r);
  }
  if (iterNextOf !== null) iterNext(v, iterNextOf, v.prevVisit());
}

/**
 * check_kfunc_args for the dynptr kfuncs, in argument order: dynptr arguments (initialised by
 * bpf_dynptr_from_skb/xdp and clone's `__uninit`, which takes its parent's kind and reference;
 * otherwise initialised), the `__szk` constant size and the nullable `__opt` buffer it sizes.
 */
function checkKfuncDynptrArgs(v: Verifier, k: NonNullable<ReturnType<Verifier['input']['kfunc']>>): { init: DynptrSlot | undefined; constSize: number } {
  let init: DynptrSlot | undefined;
  let constSize = 0;
  for (let a = 0; a < k.nargs; a++) {
    const regno = a + 1;
    const reg = v.regs()[regno]!;
    const dp = k.dynptrArgs?.[a];
    if (dp !== undefined) {
      if (reg.type !== 'fp' && reg.type !== ('dynptr_ptr' as string)) v.reject(ERR.EINVAL, `arg#${a} expected pointer to stack or const struct bpf_dynptr`);
      let kind: DynptrSlot['kind'] | undefined;
      let cloneRef: number | undefined;
      if (dp.uninit) {
        if (k.name === 'bpf_dynptr_from_skb') kind = 'skb';
        else if (k.name === 'bpf_dynptr_from_xdp') kind = 'xdp';
        else if (k.name === 'bpf_dynptr_clone') {
          if (init === undefined) v.reject(ERR.EFAULT, 'verifier internal error: no dynptr type for parent of clone');
          kind = init.kind;
          cloneRef = init.refObjId;
        }
      }
      processDynptrArg(v, regno, dp.uninit, kind, false, (off) => checkMemAccess(v, regno, off, 8, true, -1, false, false, null), cloneRef);
      if (!dp.uninit) init = dynptrOfArg(v, reg);
      continue;
    }
    if (a === k.constSizeArg) {
      if (!tnumIsConst(reg.s.var)) v.reject(ERR.EINVAL, `R${regno} must be a known constant`);
      constSize = Number(reg.s.var.value);
      const buf = k.optBufArg;
      if (buf !== undefined && !isNullScalar(v.regs()[buf + 1]!)) checkHelperMem(v, buf + 1, constSize, true, true, true);
    }
  }
  return { init, constSize };
}

/** btf_check_subprog_call for a global function: each argument against the prototype; an error message or null. */
function globalArgsMismatch(v: Verifier, fn: VFunc): { errno: number; msg: string } | null {
  // btf_prepare_func_args refuses the prototype before any argument is compared
  const invalid = fn.args.find((a) => a.kind === 'invalid');
  if (invalid !== undefined) return { errno: ERR.EINVAL, msg: invalid.msg };
  for (let k = 0; k < fn.args.length; k++) {
    const a = fn.args[k]!;
    const regno = k + 1;
    const reg = v.regs()[regno]!;
    if (a.kind === 'scalar') {
      if (reg.type !== 'scalar') return { errno: ERR.EINVAL, msg: `R${regno} is not a scalar` };
    } else if (a.kind === 'ctx') {
      if (reg.type !== 'ctx') return { errno: ERR.EINVAL, msg: `arg#${k} expects pointer to ctx` };
    } else if (a.kind === 'arena') {
      if (reg.type !== 'arena' && reg.type !== 'scalar') return { errno: ERR.EINVAL, msg: `R${regno} is not a pointer to arena or scalar.` };
    } else if (a.kind === 'trusted') {
      // btf_check_func_arg_match for ARG_PTR_TO_BTF_ID | PTR_TRUSTED (| PTR_MAYBE_NULL)
      if (isNullScalar(reg) && a.nullable) continue;
      if (reg.maybeNull && !a.nullable) return { errno: ERR.EINVAL, msg: `arg#${k} is expected to be non-NULL` };
      if (!isTrustedReg(reg)) return { errno: ERR.EINVAL, msg: `R${regno} must be referenced or trusted` };
    } else if (a.kind === 'mem') {
      if (isNullScalar(reg) && a.nullable) continue;
      if (reg.maybeNull && !a.nullable) return { errno: ERR.EINVAL, msg: `arg#${k} is expected to be non-NULL` };
      try {
        checkHelperMem(v, regno, a.size, false, false, false);
      } catch (e) {
        // btf_check_func_arg_match: any check_mem_reg failure is -EINVAL
        if (e instanceof Reject) return { errno: ERR.EINVAL, msg: e.msg };
        throw e;
      }
    }
  }
  return null;
}

/**
 * subprog_info[].might_sleep (6.18 check_cfg marks a subprogram that calls a helper that might
 * sleep or a KF_SLEEPABLE kfunc): here, a direct call in the subprogram's own instructions; whether
 * 6.18 also passes it up from callees was not measured.
 */
function subprogMightSleep(v: Verifier, sub: number): boolean {
  const insns = v.input.insns;
  for (let pc = 0; pc < insns.length; pc++) {
    const i = insns[pc]!;
    if (v.cfg.subOf[pc] !== sub || i.code !== 0x85) continue;
    if (i.src === 0 && v.input.helper(i.imm)?.mightSleep === true) return true;
    if (i.src === 2) {
      const k = v.input.kfunc(i.imm);
      if (k?.sleepable === true || k?.flags?.sleepable === true) return true;
    }
  }
  return false;
}

/** check_func_call for a bpf-to-bpf call: a new frame with r1-r5 copied (static), or a global function assumed valid. */
export function checkLocalCall(v: Verifier, i: RawInsn): 'frame' | 'next' {
  const target = v.pc + i.imm + 1;
  if (target === v.input.exceptionCb) v.reject(ERR.EINVAL, `insn ${v.pc} cannot call exception cb directly`);
  const sub = v.cfg.subOf[target]!;
  const fn = v.input.funcs?.find((f) => f.pc === target);
  if (fn !== undefined && fn.global) {
    if (v.cur.lockId !== 0 || v.cur.lockOff !== 0 || resLockHeld(v.cur)) v.reject(ERR.EINVAL, 'global function calls are not allowed while holding a lock,\nuse static function instead');
    if ((v.cur.rcuLock === true || preemptDisabled(v.cur) || (v.input.progFlags & 16) === 0) && subprogMightSleep(v, sub)) {
      v.reject(ERR.EINVAL, 'global functions that may sleep are not allowed in non-sleepable context,\ni.e., in a RCU/IRQ/preempt-disabled section, or in\na non-sleepable BPF program context');
    }
    for (let r = 1; r <= fn.args.length; r++) v.readReg(r);
    const bad = globalArgsMismatch(v, fn);
    if (bad !== null) v.reject(bad.errno, `${bad.msg}\nCaller passes invalid args into func#${sub} ('${fn.name}')`);
    if (v.log.trace) v.log.put(`Func#${sub} ('${fn.name}') is global and assumed valid.\n`);
    v.markGlobalCalled(sub, fn);
    const caller = v.frame();
    for (let r = 1; r <= 5; r++) caller.regs[r] = NOT_INIT;
    v.setReg(0, UNKNOWN_SCALAR);
    v.pc++;
    return 'next';
  }
  const n = v.cur.frames.length;
  if (n >= MAX_FRAMES) v.reject(ERR.E2BIG, `the call stack of ${n + 1} frames is too deep`);
  const caller = v.frame();
  const regs: Reg[] = new Array(11).fill(NOT_INIT);
  for (let r = 1; r <= 5; r++) regs[r] = caller.regs[r]!;
  regs[10] = ptrReg('fp', { frameno: n });
  const f: Frame = { regs, stack: [], callsite: v.pc, frameno: n, subprog: sub, cbRet: null, async: false };
  for (let r = 1; r <= 5; r++) caller.regs[r] = NOT_INIT;
  v.cur.frames.push(f);
  v.pc = target;
  return 'frame';
}

/** prepare_func_exit: back to the caller with r0 (static calls) or to the call site (callbacks). */
export function prepareFuncExit(v: Verifier): void {
  const callee = v.frame();
  const r0 = callee.regs[0]!;
  if (r0.type === 'fp') v.reject(ERR.EINVAL, 'cannot return stack pointer to the caller');
  if (callee.cbRet !== null) {
    if (r0.type !== 'scalar') v.reject(ERR.EACCES, 'R0 not a scalar value');
    const [lo, hi] = callee.cbRet;
    if (!(BigInt(lo) <= r0.s.smin && r0.s.smax <= BigInt(hi))) v.reject(ERR.EINVAL, invalidScalar(r0.s, callee.cbRet, 'At callback return', 'R0'));
  }
  v.cur.frames.pop();
  const caller = v.frame();
  if (callee.cbRet !== null) {
    // back to the helper call, which may call the callback once more
    v.pc = callee.callsite;
    if (!callee.async) v.widenAtCallsite();
    return;
  }
  caller.regs[0] = r0;
  v.pc = callee.callsite + 1;
  v.scratchRegs |= 1;
}

export { constReg, copyState };
