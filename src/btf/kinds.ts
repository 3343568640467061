/**
 * BTF format constants, from the kernel's include/uapi/linux/btf.h and
 * Documentation/bpf/btf.rst.
 *
 * ```
 * struct btf_header (24 B, hdr_len may be larger)   struct btf_type (12 B)
 *  0 magic:u16 = 0xeb9f  2 version:u8 = 1          0 name_off:u32
 *  3 flags:u8 = 0        4 hdr_len:u32             4 info:u32
 *  8 type_off:u32       12 type_len:u32               bits  0-15 vlen
 * 16 str_off:u32        20 str_len:u32                bits 24-28 kind
 *  (offsets are relative to the end of the header)     bit  31    kind_flag
 *                                                   8 size | type:u32
 * ```
 * followed by kind-specific data (see {@link BTF_KIND} and `parse.ts`).
 */

/** `BTF_MAGIC`; its byte order in the blob gives the blob's endianness. */
export const BTF_MAGIC = 0xeb9f;

/** `BTF_VERSION`. */
export const BTF_VERSION = 1;

/** Size of the original `struct btf_header`. */
export const BTF_HEADER_SIZE = 24;

/** Size of `struct btf_type`. */
export const BTF_TYPE_SIZE = 12;

/** Largest string offset a `name_off` may hold (`BTF_MAX_NAME_OFFSET`). */
export const BTF_MAX_NAME_OFFSET = 0xffffff;

/** Largest type id (`BTF_MAX_TYPE`). */
export const BTF_MAX_TYPE = 0xfffff;

/** Largest `vlen` (`BTF_MAX_VLEN`). */
export const BTF_MAX_VLEN = 0xffff;

/**
 * Bound on type-reference chains and recursive walks, like libbpf's and the kernel's
 * `MAX_RESOLVE_DEPTH` (32): longer chains are rejected rather than recursed into.
 */
export const MAX_RESOLVE_DEPTH = 32;

/** Pointer size of the BPF target. */
export const BTF_PTR_SIZE = 8;

/** `BTF_KIND_*` numbers. */
export const BTF_KIND = {
  UNKN: 0,
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

/** A BTF kind name, as used in the type model's `kind` field. */
export type BtfKindName = Exclude<keyof typeof BTF_KIND, 'UNKN'>;

/** Kind names indexed by kind number (index 0 is 'UNKN'). */
export const BTF_KIND_NAMES: readonly string[] = Object.keys(BTF_KIND);

/** The kind name for a kind number, or `UNKN(<n>)` when out of range. */
export function btfKindName(kind: number): string {
  return BTF_KIND_NAMES[kind] ?? `UNKN(${kind})`;
}

/** `BTF_INT_*` encoding bits (bits 24-27 of the INT data word). */
export const BTF_INT = { SIGNED: 1, CHAR: 2, BOOL: 4 } as const;

/**
 * INT data word:
 * ```
 * bits 28-31: zero   24-27: encoding   16-23: offset   8-15: zero   0-7: nr_bits
 * ```
 */
export const BTF_INT_MASK = 0x0fff00ff;

/** FUNC linkage (`btf_func_linkage`, stored in FUNC's vlen). */
export const BTF_FUNC_LINKAGE = ['static', 'global', 'extern'] as const;

/** VAR linkage (`BTF_VAR_STATIC`, `BTF_VAR_GLOBAL_ALLOCATED`, `BTF_VAR_GLOBAL_EXTERN`). */
export const BTF_VAR_LINKAGE = ['static', 'global', 'extern'] as const;

/** Linkage names shared by FUNC and VAR. */
export type BtfLinkage = (typeof BTF_FUNC_LINKAGE)[number];

/** Sizes of the per-kind trailing records. */
export const BTF_RECORD_SIZES = {
  ARRAY: 12, // btf_array {type, index_type, nelems}
  MEMBER: 12, // btf_member {name_off, type, offset}
  ENUM: 8, // btf_enum {name_off, val}
  ENUM64: 12, // btf_enum64 {name_off, val_lo32, val_hi32}
  PARAM: 8, // btf_param {name_off, type}
  VAR: 4, // btf_var {linkage}
  VAR_SECINFO: 12, // btf_var_secinfo {type, offset, size}
  DECL_TAG: 4, // btf_decl_tag {component_idx}
  INT: 4,
} as const;
