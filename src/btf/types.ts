/**
 * The plain BTF type model: one serialisable object per type id, discriminated on `kind`.
 * Names are decoded strings ('' for anonymous); references are type ids (0 = void).
 * Kind-flag semantics are spelled out as named fields (`kflag` on STRUCT/UNION selects the
 * bitfield member-offset encoding, FWD `union`, ENUM/ENUM64 `signed`, DECL_TAG/TYPE_TAG
 * `kflag` = "attribute" tag).
 */
import type { BtfLinkage } from './kinds.js';

/** The pseudo-type for id 0. */
export interface BtfVoid {
  readonly kind: 'VOID';
  readonly id: 0;
  readonly name: '';
}

/** BTF_KIND_INT: `bits` wide at bit `offset` inside `size` bytes. */
export interface BtfInt {
  readonly kind: 'INT';
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly bits: number;
  readonly offset: number;
  readonly signed: boolean;
  readonly char: boolean;
  readonly bool: boolean;
}

/** BTF_KIND_PTR. */
export interface BtfPtr {
  readonly kind: 'PTR';
  readonly id: number;
  readonly name: string;
  readonly type: number;
}

/** BTF_KIND_ARRAY (`size` field is unused and must be 0). */
export interface BtfArray {
  readonly kind: 'ARRAY';
  readonly id: number;
  readonly name: string;
  readonly type: number;
  readonly indexType: number;
  readonly nelems: number;
}

/**
 * A STRUCT/UNION member. With `kflag` clear, `bitOffset` is the full 32-bit offset field
 * and `bitfieldSize` is 0; with `kflag` set the field is `bitfieldSize << 24 | bitOffset`.
 */
export interface BtfMember {
  readonly name: string;
  readonly type: number;
  readonly bitOffset: number;
  readonly bitfieldSize: number;
}

/** BTF_KIND_STRUCT / BTF_KIND_UNION. */
export interface BtfComposite {
  readonly kind: 'STRUCT' | 'UNION';
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly kflag: boolean;
  readonly members: readonly BtfMember[];
}

/** An ENUM enumerator; `value` is the s32 (signed enum) or u32 (unsigned) interpretation. */
export interface BtfEnumValue {
  readonly name: string;
  readonly value: number;
}

/** BTF_KIND_ENUM (kflag = signed). */
export interface BtfEnum {
  readonly kind: 'ENUM';
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue[];
}

/** An ENUM64 enumerator as its raw u32 halves; see {@link enum64Value}. */
export interface BtfEnum64Value {
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
}

/** BTF_KIND_ENUM64 (kflag = signed). */
export interface BtfEnum64 {
  readonly kind: 'ENUM64';
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnum64Value[];
}

/** BTF_KIND_FWD (kflag = union). */
export interface BtfFwd {
  readonly kind: 'FWD';
  readonly id: number;
  readonly name: string;
  readonly union: boolean;
}

/** TYPEDEF, VOLATILE, CONST, RESTRICT: a name (typedef only) and a referenced type. */
export interface BtfRef {
  readonly kind: 'TYPEDEF' | 'VOLATILE' | 'CONST' | 'RESTRICT';
  readonly id: number;
  readonly name: string;
  readonly type: number;
}

/** BTF_KIND_TYPE_TAG (kflag = `__attribute__((<name>))` rather than `btf_type_tag`). */
export interface BtfTypeTag {
  readonly kind: 'TYPE_TAG';
  readonly id: number;
  readonly name: string;
  readonly type: number;
  readonly kflag: boolean;
}

/** BTF_KIND_FUNC: `type` is its FUNC_PROTO; linkage is stored in vlen. */
export interface BtfFunc {
  readonly kind: 'FUNC';
  readonly id: number;
  readonly name: string;
  readonly type: number;
  readonly linkage: BtfLinkage;
}

/** A FUNC_PROTO parameter; a last parameter `{name: '', type: 0}` means `...`. */
export interface BtfParam {
  readonly name: string;
  readonly type: number;
}

/** BTF_KIND_FUNC_PROTO. */
export interface BtfFuncProto {
  readonly kind: 'FUNC_PROTO';
  readonly id: number;
  readonly name: string;
  readonly returnType: number;
  readonly params: readonly BtfParam[];
}

/** BTF_KIND_VAR. */
export interface BtfVar {
  readonly kind: 'VAR';
  readonly id: number;
  readonly name: string;
  readonly type: number;
  readonly linkage: BtfLinkage;
}

/** One `btf_var_secinfo` of a DATASEC: a VAR (or FUNC, for .ksyms) at offset/size. */
export interface BtfVarSecinfo {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

/** BTF_KIND_DATASEC. */
export interface BtfDatasec {
  readonly kind: 'DATASEC';
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}

/** BTF_KIND_FLOAT. */
export interface BtfFloat {
  readonly kind: 'FLOAT';
  readonly id: number;
  readonly name: string;
  readonly size: number;
}

/** BTF_KIND_DECL_TAG: `componentIdx` -1 tags the type itself, else a member/param index. */
export interface BtfDeclTag {
  readonly kind: 'DECL_TAG';
  readonly id: number;
  readonly name: string;
  readonly type: number;
  readonly componentIdx: number;
  readonly kflag: boolean;
}

/** Any BTF type, including the void pseudo-type. */
export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfEnum64
  | BtfFwd
  | BtfRef
  | BtfTypeTag
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A (non-void) type description without its id, as accepted by the builder/encoder. */
export type BtfTypeSpec = DistributiveOmit<Exclude<BtfType, BtfVoid>, 'id'>;

/** The void pseudo-type (id 0). */
export const VOID: BtfVoid = Object.freeze({ kind: 'VOID', id: 0, name: '' });

/** The 64-bit value of an ENUM64 enumerator, signed when the enum is. */
export function enum64Value(v: BtfEnum64Value, signed: boolean): bigint {
  const u = (BigInt(v.hi >>> 0) << 32n) | BigInt(v.lo >>> 0);
  return signed ? BigInt.asIntN(64, u) : u;
}

/** The ids a type refers to (members, params, elements, targets), in record order. */
export function referencedIds(t: BtfType): number[] {
  switch (t.kind) {
    case 'VOID':
    case 'INT':
    case 'ENUM':
    case 'ENUM64':
    case 'FWD':
    case 'FLOAT':
      return [];
    case 'PTR':
    case 'TYPEDEF':
    case 'VOLATILE':
    case 'CONST':
    case 'RESTRICT':
    case 'TYPE_TAG':
    case 'FUNC':
    case 'VAR':
    case 'DECL_TAG':
      return [t.type];
    case 'ARRAY':
      return [t.type, t.indexType];
    case 'STRUCT':
    case 'UNION':
      return t.members.map((m) => m.type);
    case 'FUNC_PROTO':
      return [t.returnType, ...t.params.map((p) => p.type)];
    case 'DATASEC':
      return t.vars.map((v) => v.type);
  }
}

/** True for STRUCT and UNION. */
export function isComposite(t: BtfType): t is BtfComposite {
  return t.kind === 'STRUCT' || t.kind === 'UNION';
}

/** True for ENUM and ENUM64. */
export function isAnyEnum(t: BtfType): t is BtfEnum | BtfEnum64 {
  return t.kind === 'ENUM' || t.kind === 'ENUM64';
}

/** True for VOLATILE, CONST, RESTRICT and TYPE_TAG (the kinds libbpf's btf_is_mod covers). */
export function isModifier(t: BtfType): t is BtfRef | BtfTypeTag {
  return t.kind === 'VOLATILE' || t.kind === 'CONST' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG';
}
