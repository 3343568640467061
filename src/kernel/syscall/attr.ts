/**
 * `union bpf_attr` as data: the byte layout of each command's member (include/uapi/linux/bpf.h)
 * and its CHECK_ATTR marker (the `<CMD>_LAST_FIELD` of kernel/bpf/syscall.c), plus a codec that
 * turns a typed attribute object into the raw bytes and back. Every command is implemented once,
 * over raw bytes; typed callers go through the same path.
 *
 * sizeof(union bpf_attr) is 168 bytes in 6.18 (the BPF_PROG_LOAD member ends with keyring_id at
 * offset 164).
 */
import { Cmd } from './uapi.js';
import type { AddressSpace } from './usermem.js';

/** sizeof(union bpf_attr). */
export const ATTR_SIZE = 168;

/** How a field is stored. `ptr` is a u64 user address; `name` is char[16]. */
export type FieldKind = 'u32' | 's32' | 'u64' | 'ptr' | 'name';

export interface FieldDef {
  readonly name: string;
  readonly off: number;
  readonly kind: FieldKind;
}

/** One command's member of the union. */
export interface CmdLayout {
  readonly cmd: number;
  readonly fields: readonly FieldDef[];
  /** offsetofend(union bpf_attr, <CMD>_LAST_FIELD): bytes from here on must be zero. */
  readonly lastEnd: number;
}

const f = (name: string, off: number, kind: FieldKind): FieldDef => ({ name, off, kind });

const MAP_CREATE: readonly FieldDef[] = [
  f('map_type', 0, 'u32'),
  f('key_size', 4, 'u32'),
  f('value_size', 8, 'u32'),
  f('max_entries', 12, 'u32'),
  f('map_flags', 16, 'u32'),
  f('inner_map_fd', 20, 'u32'),
  f('numa_node', 24, 'u32'),
  f('map_name', 28, 'name'),
  f('map_ifindex', 44, 'u32'),
  f('btf_fd', 48, 'u32'),
  f('btf_key_type_id', 52, 'u32'),
  f('btf_value_type_id', 56, 'u32'),
  f('btf_vmlinux_value_type_id', 60, 'u32'),
  f('map_extra', 64, 'u64'),
  f('value_type_btf_obj_fd', 72, 's32'),
  f('map_token_fd', 76, 's32'),
  f('excl_prog_hash', 80, 'ptr'),
  f('excl_prog_hash_size', 88, 'u32'),
];

const MAP_ELEM: readonly FieldDef[] = [f('map_fd', 0, 'u32'), f('key', 8, 'ptr'), f('value', 16, 'ptr'), f('flags', 24, 'u64')];
const MAP_NEXT_KEY: readonly FieldDef[] = [f('map_fd', 0, 'u32'), f('key', 8, 'ptr'), f('next_key', 16, 'ptr')];
const MAP_BATCH: readonly FieldDef[] = [
  f('in_batch', 0, 'ptr'),
  f('out_batch', 8, 'ptr'),
  f('keys', 16, 'ptr'),
  f('values', 24, 'ptr'),
  f('count', 32, 'u32'),
  f('map_fd', 36, 'u32'),
  f('elem_flags', 40, 'u64'),
  f('flags', 48, 'u64'),
];

const PROG_LOAD: readonly FieldDef[] = [
  f('prog_type', 0, 'u32'),
  f('insn_cnt', 4, 'u32'),
  f('insns', 8, 'ptr'),
  f('license', 16, 'ptr'),
  f('log_level', 24, 'u32'),
  f('log_size', 28, 'u32'),
  f('log_buf', 32, 'ptr'),
  f('kern_version', 40, 'u32'),
  f('prog_flags', 44, 'u32'),
  f('prog_name', 48, 'name'),
  f('prog_ifindex', 64, 'u32'),
  f('expected_attach_type', 68, 'u32'),
  f('prog_btf_fd', 72, 'u32'),
  f('func_info_rec_size', 76, 'u32'),
  f('func_info', 80, 'ptr'),
  f('func_info_cnt', 88, 'u32'),
  f('line_info_rec_size', 92, 'u32'),
  f('line_info', 96, 'ptr'),
  f('line_info_cnt', 104, 'u32'),
  f('attach_btf_id', 108, 'u32'),
  f('attach_prog_fd', 112, 'u32'),
  f('core_relo_cnt', 116, 'u32'),
  f('fd_array', 120, 'ptr'),
  f('core_relos', 128, 'ptr'),
  f('core_relo_rec_size', 136, 'u32'),
  f('log_true_size', 140, 'u32'),
  f('prog_token_fd', 144, 's32'),
  f('fd_array_cnt', 148, 'u32'),
  f('signature', 152, 'ptr'),
  f('signature_size', 160, 'u32'),
  f('keyring_id', 164, 's32'),
];

const TEST_RUN: readonly FieldDef[] = [
  f('prog_fd', 0, 'u32'),
  f('retval', 4, 'u32'),
  f('data_size_in', 8, 'u32'),
  f('data_size_out', 12, 'u32'),
  f('data_in', 16, 'ptr'),
  f('data_out', 24, 'ptr'),
  f('repeat', 32, 'u32'),
  f('duration', 36, 'u32'),
  f('ctx_size_in', 40, 'u32'),
  f('ctx_size_out', 44, 'u32'),
  f('ctx_in', 48, 'ptr'),
  f('ctx_out', 56, 'ptr'),
  f('flags', 64, 'u32'),
  f('cpu', 68, 'u32'),
  f('batch_size', 72, 'u32'),
];

const GET_ID: readonly FieldDef[] = [f('start_id', 0, 'u32'), f('next_id', 4, 'u32'), f('open_flags', 8, 'u32'), f('fd_by_id_token_fd', 12, 's32')];
const INFO: readonly FieldDef[] = [f('bpf_fd', 0, 'u32'), f('info_len', 4, 'u32'), f('info', 8, 'ptr')];
const BTF_LOAD: readonly FieldDef[] = [
  f('btf', 0, 'ptr'),
  f('btf_log_buf', 8, 'ptr'),
  f('btf_size', 16, 'u32'),
  f('btf_log_size', 20, 'u32'),
  f('btf_log_level', 24, 'u32'),
  f('btf_log_true_size', 28, 'u32'),
  f('btf_flags', 32, 'u32'),
  f('btf_token_fd', 36, 's32'),
];
const LINK_CREATE: readonly FieldDef[] = [
  f('prog_fd', 0, 'u32'),
  f('target_fd', 4, 'u32'),
  f('attach_type', 8, 'u32'),
  f('flags', 12, 'u32'),
  f('target_btf_id', 16, 'u32'),
  f('cookie', 24, 'u64'),
  // BPF_TRACE_ITER: the same union as target_btf_id/cookie
  f('iter_info', 16, 'ptr'),
  f('iter_info_len', 24, 'u32'),
  // cgroup attach types: link_create.cgroup
  f('relative_fd', 16, 'u32'),
  f('expected_revision', 24, 'u64'),
];
const LINK_UPDATE: readonly FieldDef[] = [f('link_fd', 0, 'u32'), f('new_prog_fd', 4, 'u32'), f('flags', 8, 'u32'), f('old_prog_fd', 12, 'u32')];
const LINK_DETACH: readonly FieldDef[] = [f('link_fd', 0, 'u32')];
const MAP_FREEZE: readonly FieldDef[] = [f('map_fd', 0, 'u32')];
const RAW_TP_OPEN: readonly FieldDef[] = [f('name', 0, 'ptr'), f('prog_fd', 8, 'u32'), f('cookie', 16, 'u64')];
const PROG_BIND_MAP: readonly FieldDef[] = [f('prog_fd', 0, 'u32'), f('map_fd', 4, 'u32'), f('flags', 8, 'u32')];
const ENABLE_STATS: readonly FieldDef[] = [f('type', 0, 'u32')];
const ASSOC: readonly FieldDef[] = [f('map_fd', 0, 'u32'), f('prog_fd', 4, 'u32'), f('flags', 8, 'u32')];
const ITER_CREATE: readonly FieldDef[] = [f('link_fd', 0, 'u32'), f('flags', 4, 'u32')];
const PROG_ATTACH: readonly FieldDef[] = [
  f('target_fd', 0, 'u32'),
  f('attach_bpf_fd', 4, 'u32'),
  f('attach_type', 8, 'u32'),
  f('attach_flags', 12, 'u32'),
  f('replace_bpf_fd', 16, 'u32'),
  f('relative_fd', 20, 'u32'),
  f('expected_revision', 24, 'u64'),
];
const PROG_QUERY: readonly FieldDef[] = [
  f('target_fd', 0, 'u32'),
  f('attach_type', 4, 'u32'),
  f('query_flags', 8, 'u32'),
  f('attach_flags', 12, 'u32'),
  f('prog_ids', 16, 'ptr'),
  f('prog_cnt', 24, 'u32'),
  f('prog_attach_flags', 32, 'ptr'),
  f('link_ids', 40, 'ptr'),
  f('link_attach_flags', 48, 'ptr'),
  f('revision', 56, 'u64'),
];

const L = (cmd: number, fields: readonly FieldDef[], lastEnd: number): CmdLayout => ({ cmd, fields, lastEnd });

/** The commands this kernel implements, with their layouts and CHECK_ATTR markers. */
export const CMD_LAYOUTS: ReadonlyMap<number, CmdLayout> = new Map(
  [
    L(Cmd.MAP_CREATE, MAP_CREATE, 92), // excl_prog_hash_size
    L(Cmd.MAP_LOOKUP_ELEM, MAP_ELEM, 32), // flags
    L(Cmd.MAP_UPDATE_ELEM, MAP_ELEM, 32), // flags
    L(Cmd.MAP_DELETE_ELEM, MAP_ELEM, 16), // key
    L(Cmd.MAP_GET_NEXT_KEY, MAP_NEXT_KEY, 24), // next_key
    L(Cmd.MAP_LOOKUP_AND_DELETE_ELEM, MAP_ELEM, 32), // flags
    L(Cmd.MAP_FREEZE, MAP_FREEZE, 4), // map_fd
    L(Cmd.MAP_LOOKUP_BATCH, MAP_BATCH, 56), // batch.flags
    L(Cmd.MAP_LOOKUP_AND_DELETE_BATCH, MAP_BATCH, 56),
    L(Cmd.MAP_UPDATE_BATCH, MAP_BATCH, 56),
    L(Cmd.MAP_DELETE_BATCH, MAP_BATCH, 56),
    L(Cmd.PROG_LOAD, PROG_LOAD, 168), // keyring_id
    L(Cmd.PROG_TEST_RUN, TEST_RUN, 76), // test.batch_size
    L(Cmd.PROG_GET_NEXT_ID, GET_ID, 8), // next_id
    L(Cmd.MAP_GET_NEXT_ID, GET_ID, 8),
    L(Cmd.LINK_GET_NEXT_ID, GET_ID, 8),
    L(Cmd.BTF_GET_NEXT_ID, GET_ID, 8),
    L(Cmd.PROG_GET_FD_BY_ID, GET_ID, 4), // prog_id
    L(Cmd.MAP_GET_FD_BY_ID, GET_ID, 12), // open_flags
    L(Cmd.LINK_GET_FD_BY_ID, GET_ID, 4), // link_id
    L(Cmd.BTF_GET_FD_BY_ID, GET_ID, 16), // fd_by_id_token_fd
    L(Cmd.OBJ_GET_INFO_BY_FD, INFO, 16), // info.info
    L(Cmd.BTF_LOAD, BTF_LOAD, 40), // btf_token_fd
    L(Cmd.LINK_CREATE, LINK_CREATE, 60), // link_create.uprobe_multi.pid
    L(Cmd.LINK_UPDATE, LINK_UPDATE, 16), // link_update.old_prog_fd
    L(Cmd.LINK_DETACH, LINK_DETACH, 4), // link_detach.link_fd
    L(Cmd.RAW_TRACEPOINT_OPEN, RAW_TP_OPEN, 24), // raw_tracepoint.cookie
    L(Cmd.PROG_BIND_MAP, PROG_BIND_MAP, 12), // prog_bind_map.flags
    L(Cmd.ITER_CREATE, ITER_CREATE, 8), // iter_create.flags
    L(Cmd.ENABLE_STATS, ENABLE_STATS, 4), // enable_stats.type
    L(Cmd.PROG_ATTACH, PROG_ATTACH, 32), // expected_revision
    L(Cmd.PROG_DETACH, PROG_ATTACH, 32), // expected_revision
    L(Cmd.PROG_QUERY, PROG_QUERY, 64), // query.revision
    L(Cmd.PROG_ASSOC_STRUCT_OPS, ASSOC, 8), // prog_assoc_struct_ops.prog_fd: flags is covered by CHECK_ATTR too
  ].map((l) => [l.cmd, l]),
);

/** Aliases accepted in typed objects (union members that share an offset). */
const ALIASES: Readonly<Record<string, string>> = {
  prog_id: 'start_id',
  map_id: 'start_id',
  btf_id: 'start_id',
  link_id: 'start_id',
  attach_btf_obj_fd: 'attach_prog_fd',
  map_fd: 'prog_fd',
  target_ifindex: 'target_fd',
  new_map_fd: 'new_prog_fd',
  old_map_fd: 'old_prog_fd',
};

/** A little-endian view over raw attribute bytes. */
export class Attr {
  readonly dv: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  static zero(): Attr {
    return new Attr(new Uint8Array(ATTR_SIZE));
  }
  u32(off: number): number {
    return this.dv.getUint32(off, true);
  }
  s32(off: number): number {
    return this.dv.getInt32(off, true);
  }
  u64(off: number): bigint {
    return this.dv.getBigUint64(off, true);
  }
  /** A u64 field as a JS number (user addresses are < 2^53). */
  addr(off: number): number {
    const v = this.u64(off);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
  setU32(off: number, v: number): void {
    this.dv.setUint32(off, v >>> 0, true);
  }
  setU64(off: number, v: bigint | number): void {
    this.dv.setBigUint64(off, BigInt.asUintN(64, BigInt(v)), true);
  }
  /** char[16] at `off` as a string (up to the first NUL). */
  name(off: number): Uint8Array {
    return this.bytes.subarray(off, off + 16);
  }
  /** CHECK_ATTR: are all bytes from `from` to the end zero? */
  zeroFrom(from: number): boolean {
    for (let i = from; i < this.bytes.length; i++) if (this.bytes[i] !== 0) return false;
    return true;
  }
}

/** A value a typed attribute field may hold. */
export type TypedValue = number | bigint | string | Uint8Array | null | undefined;
/** A typed attribute object: C field names of the command's union member. */
export type TypedAttr = Record<string, TypedValue>;

/** A pointer field whose user buffer must be copied back into the caller's Uint8Array. */
interface Fixup {
  readonly addr: number;
  readonly target: Uint8Array;
}

/** Unknown typed field or wrong value type: a host-side misuse, not a guest-visible errno. */
export class AttrEncodeError extends TypeError {
  readonly code = 'BAD_ATTR_FIELD' as const;
}

/**
 * Encode `obj` for `cmd` into raw bytes, staging Uint8Array/string pointer fields in `user`.
 * Returns the bytes and a `finish` that copies outputs back into `obj` and frees the staging.
 */
export function encodeTyped(cmd: number, obj: TypedAttr, user: AddressSpace & { alloc(b: Uint8Array): number; free(a: number): void }): { attr: Attr; finish: () => void } {
  const layout = CMD_LAYOUTS.get(cmd);
  const attr = Attr.zero();
  const fixups: Fixup[] = [];
  const staged: number[] = [];
  if (layout === undefined) return { attr, finish: () => undefined };
  const byName = fieldsByName(layout);
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    const field = byName.get(key) ?? byName.get(ALIASES[key] ?? '');
    if (field === undefined) throw new AttrEncodeError(`attr field '${key}' does not exist for this command`);
    switch (field.kind) {
      case 'u32':
      case 's32':
        if (typeof value !== 'number' && typeof value !== 'bigint') throw new AttrEncodeError(`attr field '${key}' must be a number`);
        // NaN, fractions and values outside 32 bits are refused, not truncated into a size.
        if (typeof value === 'number' ? !Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff : value < -0x80000000n || value > 0xffffffffn) {
          throw new AttrEncodeError(`attr field '${key}' must be a 32-bit integer, got ${value}`);
        }
        attr.setU32(field.off, Number(value));
        break;
      case 'u64':
        if (typeof value !== 'number' && typeof value !== 'bigint') throw new AttrEncodeError(`attr field '${key}' must be a number or bigint`);
        if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new AttrEncodeError(`attr field '${key}' must be an integer, got ${value}`);
        attr.setU64(field.off, value);
        break;
      case 'name': {
        if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw new AttrEncodeError(`attr field '${key}' must be a string`);
        const b = typeof value === 'string' ? new TextEncoder().encode(value) : value;
        attr.bytes.set(b.subarray(0, 16), field.off);
        break;
      }
      case 'ptr': {
        if (value === null) break;
        if (typeof value === 'number' || typeof value === 'bigint') {
          if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new AttrEncodeError(`attr field '${key}' must be an integer address, got ${value}`);
          attr.setU64(field.off, value);
        } else if (typeof value === 'string') {
          const b = new TextEncoder().encode(`${value}\0`);
          const a = user.alloc(b);
          staged.push(a);
          attr.setU64(field.off, a);
        } else {
          const a = user.alloc(value);
          staged.push(a);
          fixups.push({ addr: a, target: value });
          attr.setU64(field.off, a);
        }
        break;
      }
    }
  }
  const finish = (): void => {
    for (const fx of fixups) {
      const back = user.read(fx.addr, fx.target.length);
      if (back !== null) fx.target.set(back);
    }
    for (const w of writeBackPlan(layout)) {
      let key: string | undefined;
      for (const name of w.names) {
        if (Object.prototype.hasOwnProperty.call(obj, name)) {
          key = name;
          break;
        }
      }
      if (key === undefined && !w.output) continue;
      obj[key ?? w.field.name] = w.field.kind === 'u32' ? attr.u32(w.field.off) : w.field.kind === 'u64' ? attr.u64(w.field.off) : attr.s32(w.field.off);
    }
    for (const a of staged) user.free(a);
  };
  return { attr, finish };
}

/** Fields the kernel writes back, copied into a typed object even when the caller left them out. */
const OUTPUT_FIELDS = new Set(['prog_cnt', 'retval', 'duration', 'data_size_out', 'ctx_size_out', 'info_len', 'next_id', 'count', 'log_true_size', 'btf_log_true_size', 'attach_flags', 'revision']);

/** A u32/s32 field (or an output u64: query.revision) copied back into typed objects: the names it may be given under, and whether it is an output. */
interface WriteBack {
  readonly field: FieldDef;
  readonly names: readonly string[];
  readonly output: boolean;
}

const WRITE_BACK = new Map<CmdLayout, readonly WriteBack[]>();
const BY_NAME = new Map<CmdLayout, ReadonlyMap<string, FieldDef>>();

/** The fields of `layout` by name, computed once per command. */
function fieldsByName(layout: CmdLayout): ReadonlyMap<string, FieldDef> {
  let m = BY_NAME.get(layout);
  if (m === undefined) BY_NAME.set(layout, (m = new Map(layout.fields.map((x) => [x.name, x]))));
  return m;
}

/** The write-back fields of `layout`, computed once per command. */
function writeBackPlan(layout: CmdLayout): readonly WriteBack[] {
  let plan = WRITE_BACK.get(layout);
  if (plan === undefined) {
    plan = layout.fields
      .filter((f) => f.kind === 'u32' || f.kind === 's32' || (f.kind === 'u64' && OUTPUT_FIELDS.has(f.name)))
      .map((f) => ({ field: f, names: [f.name, ...Object.keys(ALIASES).filter((a) => ALIASES[a] === f.name)], output: OUTPUT_FIELDS.has(f.name) }));
    WRITE_BACK.set(layout, plan);
  }
  return plan;
}
