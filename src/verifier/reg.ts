/**
 * Register states (struct bpf_reg_state): the type of a register, its fixed and variable offset,
 * ids, packet range and map, as immutable values — a state copy shares them, a change makes a new
 * one. Also the kernel's log spelling of a register (`map_value_or_null(id=1,ks=4,vs=16)`).
 */
import { formatScalar, formatSnum, scalarConst, scalarUnknown, type Scalar } from './scalar.js';
import { tnumIsConst } from './tnum.js';
import type { VMap } from './api.js';

/** Base register types (enum bpf_reg_type) the core tracks, by their log spelling. */
export type RegType =
  | 'not_init'
  | 'scalar'
  | 'ctx'
  | 'map_ptr'
  | 'map_value'
  | 'map_key'
  | 'fp'
  | 'pkt_meta'
  | 'pkt'
  | 'pkt_end'
  | 'flow_keys'
  | 'sock_common'
  | 'sock'
  | 'tcp_sock'
  | 'mem'
  | 'func'
  | 'btf_id'
  /** PTR_TO_ARENA: a 32-bit arena address (after addr_space_cast as(1) -> as(0)); any arithmetic, any access. */
  | 'arena'
  /** PTR_TO_DYNPTR: a dynptr not on the stack (the local dynptr a bpf_user_ringbuf_drain callback receives). */
  | 'dynptr_ptr';

/** One register. `s` is the scalar value, or a pointer's variable offset with its bounds. */
export interface Reg {
  readonly type: RegType;
  /** PTR_MAYBE_NULL. */
  readonly maybeNull: boolean;
  /** MEM_RDONLY (mem, map values of read-only maps passed out of helpers). */
  readonly rdonly: boolean;
  /** MEM_RINGBUF (ringbuf records). */
  readonly ringbuf: boolean;
  readonly s: Scalar;
  /** Fixed part of a pointer's offset. */
  readonly off: number;
  /** Null-check group, packet-pointer group, or linked-scalar id (0: none). */
  readonly id: number;
  /** Linked scalar equal to its id's scalar plus `off` (BPF_ADD_CONST). */
  readonly addConst: boolean;
  /** The acquired reference this pointer belongs to (0: none). */
  readonly refObjId: number;
  /** Packet pointers: bytes proven readable from the packet start + the variable part. */
  readonly range: number;
  readonly map: VMap | null;
  /** mem: size in bytes. */
  readonly memSize: number;
  /** fp: which frame the pointer points into. */
  readonly frameno: number;
  /** func: the subprogram index. */
  readonly subprog: number;
  /** btf_id: the struct's name. */
  readonly btfName: string;
  /** btf_id: a per-CPU variable (MEM_PERCPU): only bpf_per_cpu_ptr/bpf_this_cpu_ptr take it. */
  readonly percpu: boolean;
  /**
   * btf_id: how far the pointer may be trusted — PTR_TRUSTED ('trusted': helper and kfunc results,
   * struct_ops/tp_btf/iter arguments), MEM_RCU ('rcu': valid inside an RCU read-side section),
   * PTR_UNTRUSTED ('untrusted': walked or loaded where neither holds), or none ('').
   * A referenced pointer (refObjId) is trusted whatever this says (is_trusted_reg).
   */
  readonly trust: '' | 'trusted' | 'rcu' | 'untrusted';
  /** mem: a dynptr slice, the id of its dynptr (invalidated with it); 0 otherwise. */
  readonly dynptrId: number;
  /** mem: a slice of an skb or xdp dynptr (invalidated with packet pointers). */
  readonly dynptrPkt: boolean;
}

const UNKNOWN = scalarUnknown();
const ZERO = scalarConst(0n);

const BASE: Reg = {
  type: 'not_init',
  maybeNull: false,
  rdonly: false,
  ringbuf: false,
  s: ZERO,
  off: 0,
  id: 0,
  addConst: false,
  refObjId: 0,
  range: 0,
  map: null,
  memSize: 0,
  frameno: 0,
  subprog: 0,
  btfName: '',
  percpu: false,
  trust: '',
  dynptrId: 0,
  dynptrPkt: false,
};

/** A register never written (NOT_INIT). */
export const NOT_INIT: Reg = BASE;

/** A scalar register. */
export function scalarReg(s: Scalar, id = 0): Reg {
  return { ...BASE, type: 'scalar', s, id };
}

/** An unknown scalar. */
export const UNKNOWN_SCALAR: Reg = scalarReg(UNKNOWN);

/** The known scalar `v`. */
export function constReg(v: bigint): Reg {
  return scalarReg(scalarConst(v));
}

/** A pointer of `type` with offset 0 and a zero variable part. */
export function ptrReg(type: RegType, fields: Partial<Reg> = {}): Reg {
  return { ...BASE, type, s: ZERO, ...fields };
}

/** A copy of `r` with some fields changed. */
export function withReg(r: Reg, fields: Partial<Reg>): Reg {
  return { ...r, ...fields };
}

/** Whether `r` is a pointer (anything but not_init and scalar). */
export function isPointer(r: Reg): boolean {
  return r.type !== 'scalar' && r.type !== 'not_init';
}

/** Whether `r` is a known constant scalar. */
export function isConstScalar(r: Reg): boolean {
  return r.type === 'scalar' && tnumIsConst(r.s.var);
}

/** Whether `r` is the known scalar 0 (register_is_null). */
export function isNullScalar(r: Reg): boolean {
  return r.type === 'scalar' && tnumIsConst(r.s.var) && r.s.var.value === 0n;
}

/**
 * reg_type_str: the type's log name with its flag prefixes and the `_or_null` suffix; a BTF
 * pointer is `ptr_` / `ptr_or_null_` without its struct name (6.18: `R0 invalid mem access
 * 'ptr_or_null_'`, recorded in corpus group kfargs); {@link regTypeName} adds it.
 */
export function regTypeStr(r: Reg): string {
  let prefix = '';
  if (r.rdonly) prefix += 'rdonly_';
  if (r.ringbuf) prefix += 'ringbuf_';
  if (r.percpu) prefix += 'percpu_';
  if (r.trust !== '') prefix += `${r.trust}_`;
  switch (r.type) {
    case 'not_init':
      return '?';
    case 'btf_id':
      return `${prefix}ptr_${r.maybeNull ? 'or_null_' : ''}`;
    default:
      return `${prefix}${r.type}${r.maybeNull ? '_or_null' : ''}`;
  }
}

/** {@link regTypeStr} followed by a BTF pointer's struct name, as state dumps print it (`trusted_ptr_task_struct`). */
export function regTypeName(r: Reg): string {
  return r.type === 'btf_id' ? `${regTypeStr(r)}${r.btfName}` : regTypeStr(r);
}

/**
 * The log text of a register (log.c print_reg_state): `2`, `scalar(id=1,smin=...)`, `fp-8`,
 * `ctx()`, `pkt(off=14,r=14)`, `map_value(map=arr,ks=4,vs=8,off=4)`. `frameno` is the frame being
 * printed (a stack pointer into another frame prints as `fp[1]-8`).
 */
export function formatReg(r: Reg, frameno = r.frameno): string {
  if (r.type === 'not_init') return '?';
  const constVar = tnumIsConst(r.s.var);
  if (r.type === 'scalar') {
    if (constVar) return formatScalar(r.s);
    const idAttr = r.id === 0 ? [] : [`id=${r.id}${r.addConst ? (r.off < 0 ? `${r.off}` : `+${r.off}`) : ''}`];
    return formatScalar(r.s, { attrs: idAttr });
  }
  let head = regTypeName(r);
  if (r.type === 'fp') {
    if (r.frameno !== frameno) head += `[${r.frameno}]`;
    if (constVar) return `${head}${formatSnum(BigInt.asIntN(64, r.s.var.value) + BigInt(r.off))}`;
  }
  const attrs: string[] = [];
  if (r.id !== 0) attrs.push(`id=${r.id}`);
  if (r.refObjId !== 0) attrs.push(`ref_obj_id=${r.refObjId}`);
  if (r.map !== null && (r.type === 'map_ptr' || r.type === 'map_value' || r.type === 'map_key')) {
    if (r.map.name !== '') attrs.push(`map=${r.map.name}`);
    attrs.push(`ks=${r.map.keySize},vs=${r.map.valueSize}`);
  }
  if (r.off !== 0) attrs.push(`off=${r.off}`);
  if (r.type === 'pkt' || r.type === 'pkt_meta') attrs.push(`r=${r.range}`);
  if (r.type === 'mem') attrs.push(`sz=${r.memSize}`);
  if (constVar) {
    if (r.s.var.value !== 0n) attrs.push(`imm=${r.s.var.value.toString(16)}`);
    return `${head}(${attrs.join(',')})`;
  }
  const ranges = formatScalar(r.s, { attrs });
  return `${head}${ranges.slice('scalar'.length)}`;
}
