/**
 * BPF_PROG_LOAD's verifier step: turns a program being loaded (its instructions, the maps its
 * pseudo lddws resolved to, the kernel's helper and kfunc registries, the ctx rules of its type
 * and its BTF line info) into a {@link VerifierInput} and runs src/verifier on it.
 */
import type { RawInsn } from '../isa/insn.js';
import { HELPER_TABLE } from '../helpers/table.js';
import { BpfMap } from '../maps/map.js';
import { ArrayOfMapsMap, HashOfMapsMap } from '../maps/map-in-map.js';
import { ArrayMap } from '../maps/array.js';
import type { InnerMapMeta } from '../maps/map-in-map.js';
import type { SpecialField } from '../maps/types.js';
import { verify } from '../verifier/verifier.js';
import type { BtfAccess, GlobalArg, PseudoTarget, VerifierInput, VerifierResult, VFunc, VKfunc, VKfuncArgType, VMap } from '../verifier/api.js';
import type { KfuncDef } from './kfuncs.js';
import { UNPRIV_HELPERS } from './progtypes/unpriv.js';
import { retRangeOf, verifierCtxOf, type VCtxArg, type VCtxInfo } from './progtypes/vctx.js';
import { AttachType, ProgType } from '../object/uapi.js';
import type { Btf } from '../btf/btf.js';
import type { Kernel } from './kernel.js';
import { typeLayout } from './objects/ktypes.js';
import type { KMap, KProg } from './objects/objects.js';

/** uapi helper names by id (`bpf_map_lookup_elem`), implemented or not (func_id_name). */
const UAPI_NAMES: ReadonlyMap<number, string> = new Map(HELPER_TABLE.map((h) => [h.id, `bpf_${h.name}`]));

function fieldsOf(fields: readonly SpecialField[]): Pick<VMap, 'spinLockOff' | 'timerOff' | 'specialFields'> {
  let spinLockOff = -1;
  let timerOff = -1;
  const specialFields: { off: number; size: number; kind: string; kptr?: { tag: string; struct: string } }[] = [];
  for (const f of fields) {
    if (f.kind === 'spin_lock') spinLockOff = f.offset;
    else if (f.kind === 'timer') timerOff = f.offset;
    else specialFields.push({ off: f.offset, size: f.size, kind: f.kind === 'workqueue' ? 'bpf_wq' : f.kind === 'res_spin_lock' ? 'bpf_res_spin_lock' : f.kind, ...(f.kptr !== undefined ? { kptr: f.kptr } : {}) });
  }
  return { spinLockOff, timerOff, specialFields };
}

function innerOf(meta: InnerMapMeta): VMap {
  return { type: meta.type, keySize: meta.keySize, valueSize: meta.valueSize, maxEntries: meta.maxEntries, flags: meta.flags, name: '', frozen: false, ...fieldsOf(meta.specialFields) };
}

/** The verifier's view of a map. */
export function vmapOf(m: KMap): VMap {
  const impl = m.impl instanceof BpfMap ? m.impl : undefined;
  const fields = fieldsOf(impl?.specialFields ?? []);
  let frozenValue: Uint8Array | undefined;
  if (m.frozen && impl instanceof ArrayMap && !impl.percpu) frozenValue = impl.data.subarray(0, m.valueSize);
  let inner: VMap | undefined;
  if (impl instanceof ArrayOfMapsMap || impl instanceof HashOfMapsMap) inner = innerOf(impl.innerMeta);
  return {
    type: m.type,
    keySize: m.keySize,
    valueSize: m.valueSize,
    maxEntries: m.maxEntries,
    flags: m.flags,
    name: m.name,
    frozen: m.frozen && m.writeActive === 0,
    hasBtf: m.btf !== null,
    ...(frozenValue !== undefined ? { frozenValue } : {}),
    ...(inner !== undefined ? { inner } : {}),
    ...fields,
  };
}

/** The ctx struct a global function's pointer parameter must name to receive the ctx (btf_is_prog_ctx_type). */
const CTX_STRUCT: Readonly<Record<number, string>> = {
  1: '__sk_buff', 3: '__sk_buff', 4: '__sk_buff', 8: '__sk_buff', 10: '__sk_buff', 11: '__sk_buff', 12: '__sk_buff', 14: '__sk_buff', 22: '__sk_buff', 29: '',
  6: 'xdp_md', 2: 'pt_regs', 17: 'bpf_raw_tracepoint_args', 13: 'bpf_sock_ops', 9: 'bpf_sock', 18: 'bpf_sock_addr', 7: 'bpf_perf_event_data',
  15: 'bpf_cgroup_dev_ctx', 16: 'sk_msg_md', 23: 'bpf_sysctl', 25: 'bpf_sockopt', 30: 'bpf_sk_lookup', 21: 'sk_reuseport_md', 32: 'bpf_nf_ctx',
};

/** Every program type's ctx struct (and the kernel-side types kfuncs name for them). */
const CTX_STRUCT_NAMES: ReadonlySet<string> = new Set([...Object.values(CTX_STRUCT).filter((n) => n !== ''), 'sk_buff', 'xdp_buff']);

/** Subprograms of BTF func_info with linkage and, for global ones, argument kinds (btf_prepare_func_args). */
function funcsOf(prog: KProg): VFunc[] {
  if (prog.btf === null) return [];
  const btf = prog.btf.btf;
  const out: VFunc[] = [];
  const tags = btf.types.filter((t): t is Extract<typeof t, { kind: 'DECL_TAG' }> => t.kind === 'DECL_TAG');
  const ctxName = CTX_STRUCT[prog.type] ?? '';
  for (const fi of prog.funcInfo) {
    try {
      const f = btf.type(fi.typeId);
      if (f.kind !== 'FUNC') continue;
      const proto = btf.funcProto(f.type);
      const argTags = (k: number): string[] => tags.filter((t) => t.type === fi.typeId && t.componentIdx === k).map((t) => t.name);
      const args: GlobalArg[] = proto.params.map((p, k): GlobalArg => {
        const tg = argTags(k);
        const t = btf.resolved(p.type);
        const tagged = tg.some((x) => x.startsWith('arg:'));
        // btf_prepare_func_args: tags name pointer parameters only
        if (t.kind !== 'PTR' && tagged) return { kind: 'invalid', msg: `arg#${k} has pointer tag, but is not a pointer type` };
        if (t.kind === 'INT' || t.kind === 'ENUM' || t.kind === 'ENUM64') return { kind: 'scalar' };
        if (t.kind === 'PTR') {
          if (tg.includes('arg:ctx')) return tg.some((x) => x.startsWith('arg:') && x !== 'arg:ctx') ? { kind: 'invalid', msg: `arg#${k} has invalid combination of tags` } : { kind: 'ctx' };
          const target = btf.resolved(t.type);
          if (tg.includes('arg:trusted') && (target.kind === 'STRUCT' || target.kind === 'UNION')) return { kind: 'trusted', name: target.name, nullable: tg.includes('arg:nullable') };
          if ((target.kind === 'STRUCT' || target.kind === 'UNION') && target.name === ctxName && ctxName !== '') return { kind: 'ctx' };
          // from the 6.18 sources and recorded live (corpus group argarena): no other tag beside arg:arena
          if (tg.includes('arg:arena')) return tg.some((x) => x.startsWith('arg:') && x !== 'arg:arena') ? { kind: 'invalid', msg: `arg#${k} arena cannot be combined with any other tags` } : { kind: 'arena' };
          if (target.kind === 'STRUCT' || target.kind === 'UNION' || target.kind === 'INT' || target.kind === 'ENUM' || target.kind === 'ENUM64') {
            return { kind: 'mem', size: btf.sizeof(t.type === 0 ? 0 : btf.resolve(t.type)), nullable: !tg.includes('arg:nonnull') };
          }
        }
        return { kind: 'unsupported', type: t.kind === 'PTR' ? 'ptr' : t.kind.toLowerCase() };
      });
      const ret = btf.resolved(proto.returnType);
      out.push({ pc: fi.insnOff, name: f.name, global: f.linkage === 'global', args, retScalar: proto.returnType === 0 || ret.kind === 'INT' || ret.kind === 'ENUM' });
    } catch {
      // malformed func info: the program loads with every subprogram static
    }
  }
  return out;
}

/**
 * The exception callback the main program names (6.18: a decl tag "exception_callback:<fn>" on the
 * main program's FUNC names a global function of the program's func info): its pc, undefined when
 * the program names none, or 6.18's refusal (EINVAL before verification, recorded in corpus group
 * throw) when the function is static or not in the func info.
 */
function exceptionCbOf(prog: KProg): number | { readonly error: string } | undefined {
  if (prog.btf === null || prog.funcInfo.length === 0) return undefined;
  const btf = prog.btf.btf;
  const main = prog.funcInfo[0]!.typeId;
  const PREFIX = 'exception_callback:';
  const tag = btf.types.find((t) => t.kind === 'DECL_TAG' && t.type === main && t.componentIdx === -1 && t.name.startsWith(PREFIX));
  if (tag === undefined) return undefined;
  const name = tag.name.slice(PREFIX.length);
  const fnIdx = btf.types.findIndex((t) => t.kind === 'FUNC' && t.name === name);
  if (fnIdx < 0) return { error: `exception callback '${name}' could not be found in BTF` };
  const fn = btf.types[fnIdx]!;
  if (fn.kind === 'FUNC' && fn.linkage !== 'global') return { error: `exception callback '${name}' must have global linkage` };
  const id = btf.startId + fnIdx;
  const fi = prog.funcInfo.find((x) => x.typeId === id);
  if (fi === undefined) return { error: 'exception callback type id not found in func_info' };
  return fi.insnOff;
}

/** A BTF type as a ctx argument: integers are scalars, pointers to structs typed pointers. */
function argOf(btf: Btf, typeId: number, nullable: boolean): VCtxArg {
  const t = btf.resolved(typeId);
  if (t.kind !== 'PTR') return 'scalar';
  const target = btf.resolved(t.type);
  if (target.kind === 'STRUCT' || target.kind === 'UNION') return { ptr: target.name, nullable };
  return 'ptr';
}

/** The params of a FUNC_PROTO (reached through FUNC / PTR / TYPEDEF) as ctx arguments. */
function protoArgs(btf: Btf, typeId: number, skipFirst: boolean): VCtxArg[] | undefined {
  let t = btf.type(typeId);
  for (let i = 0; i < 8 && t.kind !== 'FUNC_PROTO'; i++) {
    if (t.kind === 'FUNC' || t.kind === 'PTR' || t.kind === 'TYPEDEF') t = btf.type(t.type);
    else return undefined;
  }
  if (t.kind !== 'FUNC_PROTO') return undefined;
  return t.params.slice(skipFirst ? 1 : 0).map((p) => argOf(btf, p.type, false));
}

/** btf_ctx_access's view of a tracing/iter/LSM/struct_ops program's arguments, from the attach target's BTF. */
function ctxInfoOf(k: Kernel, prog: KProg): VCtxInfo | undefined {
  if (prog.attachBtfId === 0) return undefined;
  const btf = prog.attachBtf?.btf ?? k.vmlinuxBtf;
  try {
    if (prog.type === ProgType.STRUCT_OPS) {
      const members = btf.members(prog.attachBtfId);
      const m = members[prog.expectedAttachType];
      const args = m === undefined ? undefined : protoArgs(btf, m.type, false);
      const promote = k.structOps.byStructTypeId(prog.attachBtfId)?.def.promoteArgs;
      if (args !== undefined && promote !== undefined) return { args: args.map((a) => (typeof a === 'object' && promote[a.ptr] !== undefined ? { ...a, ptr: promote[a.ptr]! } : a)) };
      return args === undefined ? undefined : { args };
    }
    if (prog.expectedAttachType === AttachType.TRACE_ITER) {
      // the ctx is struct bpf_iter__<target>: meta, then the target's objects (maybe NULL at the end)
      const ctx = btf.findByName(`bpf_iter__${prog.attachName}`, 'STRUCT')[0];
      // a target without BTF: the meta, then objects whose fields read as scalars
      if (ctx === undefined) return { args: [{ ptr: 'bpf_iter_meta' }, ...new Array<VCtxArg>(11).fill({ ptr: '', nullable: true })] };
      const args = btf.members(ctx.id).map((m, i) => argOf(btf, m.type, i > 0));
      return { args };
    }
    const rawTp = prog.expectedAttachType === AttachType.TRACE_RAW_TP;
    const args = protoArgs(btf, prog.attachBtfId, rawTp);
    return args === undefined ? undefined : { args };
  } catch {
    return undefined;
  }
}

/** btf_type_by_id for bpf_rdonly_cast: a struct or union (by name), void (id 0), another kind, or undefined (no such id). */
function btfTypeByIdOf(btf: Btf, id: number): { kind: 'struct'; name: string } | { kind: 'void' | 'other' } | undefined {
  if (!btf.has(id)) return undefined;
  const t = btf.type(id);
  if (id === 0) return { kind: 'void' };
  return t.kind === 'STRUCT' || t.kind === 'UNION' ? { kind: 'struct', name: t.name } : { kind: 'other' };
}

/** btf_struct_access over the kernel's BTF (lenient: unknown structs read as scalars). */
export function btfAccessOf(k: Kernel): (name: string, off: number, size: number) => BtfAccess {
  // resolved on the first access the verifier checks: most programs make none, and the emulated
  // vmlinux is built on first use
  let resolved: ((name: string, off: number, size: number) => BtfAccess) | undefined;
  return (name, off, size) => (resolved ??= resolveBtfAccess(k))(name, off, size);
}

function resolveBtfAccess(k: Kernel): (name: string, off: number, size: number) => BtfAccess {
  // The BTF the kernel's objects are laid out from (a foreign CO-RE target when one was given),
  // then the emulated vmlinux for what that BTF lacks (an object's own BTF declares only a part).
  const target = k.service<{ btf: Btf }>('kobjects')?.btf ?? k.vmlinuxBtf;
  const inTarget = walkerOf(target);
  if (target === k.vmlinuxBtf) return inTarget;
  const inVmlinux = walkerOf(k.vmlinuxBtf);
  return (name, off, size) => {
    const a = inTarget(name, off, size);
    if (a.kind === 'ptr') return a;
    const b = inVmlinux(name, off, size);
    return b.kind === 'ptr' || a.kind === 'error' ? b : a;
  };
}

function walkerOf(btf: Btf): (name: string, off: number, size: number) => BtfAccess {
  return (name, off, size) => {
    const t = btf.findByName(name, 'STRUCT')[0] ?? btf.findByName(name, 'UNION')[0];
    if (t === undefined) return { kind: 'scalar' };
    let id = t.id;
    let at = off;
    let field = '';
    let parent = name;
    let moff = 0;
    for (let depth = 0; depth < 16; depth++) {
      const total = btf.sizeof(id);
      // btf_struct_walk: a read may not run past the end of the member it starts in
      if (field !== '' && at >= 0 && at + size > total) return { kind: 'error', msg: `access beyond the end of member ${field} (mend:${moff + total}) in struct ${parent} with off ${moff + at} size ${size}` };
      if (at < 0 || at + size > total) return { kind: 'error', msg: `access beyond struct ${name} at off ${off} size ${size}` };
      const r = btf.resolved(id);
      if (r.kind === 'ARRAY') {
        const elem = btf.sizeof(r.type);
        if (elem <= 0) return { kind: 'scalar' };
        // an array of scalars is read as one scalar member: any size within the array (6.18 loads
        // a u32 at byte 12 of in6_addr's u8[16] first union member: kernel-diff syscall_rdonly_cast)
        const er = btf.resolved(r.type).kind;
        if (er !== 'STRUCT' && er !== 'UNION' && er !== 'PTR') return { kind: 'scalar' };
        at %= elem;
        id = r.type;
        continue;
      }
      if (r.kind !== 'STRUCT' && r.kind !== 'UNION') {
        if (r.kind === 'PTR' && at === 0 && size === 8) {
          const target = btf.resolved(r.type);
          // a forward declaration (a struct defined after the one pointing at it) is found by name
          if (target.kind === 'FWD' && !target.union) return { kind: 'ptr', name: target.name, field };
          return target.kind === 'STRUCT' || target.kind === 'UNION' ? { kind: 'ptr', name: target.name, field } : { kind: 'scalar' };
        }
        return { kind: 'scalar' };
      }
      const m = btf.members(id).find((x) => x.byteOffset <= at && at < x.byteOffset + Math.max(1, btf.sizeof(x.type)));
      if (m === undefined) return { kind: 'scalar' };
      parent = r.name;
      field = m.name;
      moff = m.byteOffset;
      at -= m.byteOffset;
      id = m.type;
    }
    return { kind: 'scalar' };
  };
}

/** A struct_ops type's write rule for BTF pointers ({@link StructOpsTypeDef.btfWrite}), if it has one. */
function structOpsBtfWrite(k: Kernel, prog: KProg): Pick<VerifierInput, 'btfWrite' | 'voidReturn'> {
  const t = k.structOps.byStructTypeId(prog.attachBtfId);
  const def = t?.def;
  const voidReturn = t?.members[prog.expectedAttachType]?.proto?.ret === 'void';
  return { ...(def?.btfWrite !== undefined ? { btfWrite: (name: string, off: number, size: number) => def.btfWrite!(name, off, size) } : {}), ...(voidReturn ? { voidReturn } : {}) };
}

/**
 * The size of the memory a kfunc's pointer parameter names (KF_ARG_PTR_TO_MEM), or undefined:
 * scalars, `void *`, `char *` (strings and `__sz` buffers), kernel objects (`struct task_struct *`
 * and other registered structs the kernel passes by reference are BTF pointers, not memory) and
 * open-coded iterators.
 */
function kfuncMemArg(k: Kernel, name: string, type: string): number | undefined {
  const t = type.trim();
  if (!t.endsWith('*') || name.endsWith('__iter') || name.endsWith('__prog')) return undefined;
  const inner = t.slice(0, -1).trim().replace(/^const\s+/, '');
  if (inner.endsWith('*') || inner === 'void' || inner === 'char' || inner.startsWith('struct ')) return undefined;
  try {
    return typeLayout(inner, k.types.structs).size;
  } catch {
    return undefined;
  }
}

/** An iterator parameter `struct bpf_iter_<type> *`: the type suffix and the struct's size, or undefined. */
function kfuncIterArg(k: Kernel, type: string): { type: string; size: number } | undefined {
  const m = /^struct\s+bpf_iter_(\w+)\s*\*$/.exec(type.trim());
  if (m === null) return undefined;
  const s = k.types.structs.get(`bpf_iter_${m[1]!}`);
  return s === undefined ? undefined : { type: m[1]!, size: s.size };
}

/** Dynptr parameters (`struct bpf_dynptr *`, `__uninit` when the kfunc initialises it) and a `__szk` constant size with the `__opt` buffer it sizes. */
function kfuncDynptrArgs(params: readonly { readonly name: string; readonly type: string }[]): Pick<VKfunc, 'dynptrArgs' | 'constSizeArg' | 'optBufArg'> {
  const dynptrArgs = params.map((x) => (/^(const\s+)?struct\s+bpf_dynptr\s*\*$/.test(x.type.trim()) ? { uninit: x.name.endsWith('__uninit') } : undefined));
  const szk = params.findIndex((x) => x.name.endsWith('__szk'));
  const opt = szk > 0 && params[szk - 1]!.name.endsWith('__opt') ? szk - 1 : -1;
  return {
    ...(dynptrArgs.some((x) => x !== undefined) ? { dynptrArgs } : {}),
    ...(szk >= 0 ? { constSizeArg: szk } : {}),
    ...(opt >= 0 ? { optBufArg: opt } : {}),
  };
}

/** Whether struct `name` of the emulated vmlinux holds only scalars, nested structs and arrays of them (__btf_type_is_scalar_struct). */
function scalarStruct(btf: Btf, name: string): boolean {
  const t = btf.findByName(name, 'STRUCT')[0];
  if (t === undefined) return false;
  const walk = (id: number, depth: number): boolean => {
    if (depth > 8) return false;
    const r = btf.resolved(id);
    if (r.kind === 'INT' || r.kind === 'ENUM' || r.kind === 'ENUM64') return true;
    if (r.kind === 'ARRAY') return walk(r.type, depth + 1);
    if (r.kind === 'STRUCT') return btf.members(r.id).every((m) => walk(m.type, depth + 1));
    return false;
  };
  try {
    return walk(t.id, 0);
  } catch {
    return false;
  }
}

/**
 * Whether a `struct name *` kfunc parameter is a ctx argument (KF_ARG_PTR_TO_CTX, btf_is_prog_ctx_type)
 * rather than a kernel object: a program types' ctx struct, `struct pt_regs` only where it is the
 * program's ctx (kprobe) — elsewhere it is memory of its size (crash_kexec).
 */
function isCtxStruct(name: string, progType: number): boolean {
  return CTX_STRUCT_NAMES.has(name) && (name !== 'pt_regs' || CTX_STRUCT[progType] === 'pt_regs');
}

/**
 * The struct-pointer parameters of a kfunc (KF_ARG_PTR_TO_BTF_ID), as {@link VKfunc.structArgs}:
 * `struct x *` parameters other than iterators, dynptrs, `__ign`/`__prog` ones and buffers sized by
 * the next parameter (`__sz`, `__szk`).
 */
function kfuncStructArgs(k: Kernel, params: readonly { readonly name: string; readonly type: string }[], progType: number): VKfunc['structArgs'] {
  const out = params.map((x, i) => {
    const m = /^(?:const\s+)?struct\s+(\w+)\s*\*$/.exec(x.type.trim());
    if (m === null) return undefined;
    const name = m[1]!;
    if (name === 'bpf_dynptr' || name.startsWith('bpf_iter_') || isCtxStruct(name, progType) || /__(ign|prog|iter|uninit|map)$/.test(x.name)) return undefined;
    const next = params[i + 1];
    if (next !== undefined && /__szk?$/.test(next.name)) return undefined;
    const size = k.types.structs.get(name)?.size ?? 0;
    return { name, nullable: /__(nullable|opt)$/.test(x.name), scalarStruct: scalarStruct(k.vmlinuxBtf, name), size };
  });
  return out.some((x) => x !== undefined) ? out : undefined;
}

/** Pointer targets with their own argument checks (dynptrs, iterators, locks, graph nodes, work items). */
const SPECIAL_ARG_STRUCTS: ReadonlySet<string> = new Set(['bpf_dynptr', 'bpf_spin_lock', 'bpf_res_spin_lock', 'bpf_wq', 'bpf_task_work', 'bpf_list_head', 'bpf_list_node', 'bpf_rb_root', 'bpf_rb_node', 'bpf_refcount']);

/** A C type without its leading qualifiers (`const struct cpumask` -> `struct cpumask`). */
function unqualified(t: string): string {
  return t.trim().replace(/^((const|volatile)\s+)+/, '').trim();
}

/**
 * Every BPF-visible parameter of a kfunc by its type and name suffix ({@link VKfuncArgType}),
 * following get_kfunc_ptr_arg_type: `__ign`/`__prog` are skipped, scalars, `__str`, `__map`,
 * dynptr / iterator / lock parameters, the program types' ctx structs, then pointers to structs
 * (scalar-only ones may also be memory), to scalars, to void and to pointers.
 */
function kfuncArgTypes(k: Kernel, params: readonly { readonly name: string; readonly type: string }[], progType: number): VKfuncArgType[] {
  return params.map((x, i): VKfuncArgType => {
    const t = x.type.trim();
    if (/__(ign|prog)$/.test(x.name)) return { kind: 'ignore' };
    // a struct passed by value is not a BPF argument type (check_kfunc_args: "Unrecognized arg#")
    if (!t.endsWith('*')) return /^(struct|union)\s/.test(unqualified(t)) ? { kind: 'ignore' } : { kind: 'scalar' };
    if (x.name.endsWith('__str')) return { kind: 'const_str' };
    if (x.name.endsWith('__map')) return { kind: 'map' };
    const inner = unqualified(t.slice(0, -1));
    const sm = /^(struct|union)\s+(\w+)$/.exec(inner);
    const name = sm?.[2];
    const nullable = x.name.endsWith('__nullable');
    if (/__(iter|uninit|irq_flag)$/.test(x.name) || (name !== undefined && (SPECIAL_ARG_STRUCTS.has(name) || name.startsWith('bpf_iter_')))) return { kind: 'special', nullable };
    if (name !== undefined && isCtxStruct(name, progType)) return { kind: 'ctx' };
    const next = params[i + 1];
    const sized = next !== undefined && /__szk?$/.test(next.name);
    if (sm !== null && name !== undefined) {
      const target = scalarStruct(k.vmlinuxBtf, name) ? 'scalar_struct' : 'struct';
      return { kind: 'ptr', target, targetStr: `${sm[1]!.toUpperCase()} ${name}`, size: k.types.structs.get(name)?.size ?? 0, sized, nullable };
    }
    if (inner === 'void') return { kind: 'ptr', target: 'void', targetStr: 'UNKNOWN ', size: 0, sized, nullable };
    if (inner.endsWith('*')) return { kind: 'ptr', target: 'other', targetStr: 'PTR ', size: 8, sized, nullable };
    let size = 0;
    try {
      size = typeLayout(inner, k.types.structs).size;
    } catch {
      return { kind: 'ptr', target: 'other', targetStr: `UNKNOWN ${inner}`, size: 0, sized, nullable };
    }
    return { kind: 'ptr', target: 'scalar', targetStr: `INT ${inner}`, size, sized, nullable };
  });
}

/** The scalar parameter `rdonly_buf_size` / `rdwr_buf_size` that sizes a pointer-to-scalar result (check_kfunc_args is_ret_buf_sz). */
function retBufSizeOf(params: readonly { readonly name: string; readonly type: string }[]): Pick<VKfunc, 'retBufSize'> {
  const arg = params.findIndex((x) => (x.name === 'rdonly_buf_size' || x.name === 'rdwr_buf_size') && !x.type.trim().endsWith('*'));
  return arg < 0 ? {} : { retBufSize: { arg, rdonly: params[arg]!.name === 'rdonly_buf_size' } };
}

/**
 * The result of a kfunc by its return type (check_kfunc_call): a scalar, nothing, a BTF pointer,
 * read-only memory of a scalar pointee's size (`int *`), or a scalar for `void *` (the arena
 * allocator, any `void *` kfunc but the dynptr slices, which check_special_kfunc types first, and
 * the emulator's own `retObject` kfuncs).
 */
function kfuncRet(k: Kernel, def: KfuncDef): Pick<VKfunc, 'ret' | 'retMem'> {
  const p = def.proto;
  if (p.ret === 'void') return { ret: 'void' };
  const t = p.ret.trim();
  if (!t.endsWith('*') || def.flags?.arenaRet === true) return { ret: 'integer' };
  const ptr = def.flags?.retNull === true ? 'ptr_or_null' : 'ptr';
  const inner = unqualified(t.slice(0, -1));
  if (inner === 'void') return def.flags?.retObject === true || def.name.startsWith('bpf_dynptr_slice') ? { ret: ptr } : { ret: 'integer' };
  if (/^(struct|union)\s/.test(inner) || inner.endsWith('*')) return { ret: ptr };
  try {
    return { ret: ptr, retMem: typeLayout(inner, k.types.structs).size };
  } catch {
    return { ret: ptr };
  }
}

/**
 * btf_struct_ids_match over the kernel's BTF: struct `have` at `off` is struct `want` when they
 * are the same at offset 0 or, unless `strict`, when walking the members at `off` reaches a nested
 * `want` (btf_struct_walk: a struct member starting exactly at the offset, then its first members
 * at offset 0; arrays by element). Unknown structs match (the BTF in use may not declare them).
 */
export function btfStructMatchOf(btf: Btf): (have: string, off: number, want: string, strict: boolean) => boolean {
  return (have, off, want, strict) => {
    if (off === 0 && have === want) return true;
    if (strict) return false;
    const t = btf.findByName(have, 'STRUCT')[0] ?? btf.findByName(have, 'UNION')[0];
    if (t === undefined || btf.findByName(want, 'STRUCT')[0] === undefined) return t === undefined;
    try {
      let id = t.id;
      let at = off;
      for (let depth = 0; depth < 32; depth++) {
        const r = btf.resolved(id);
        if (r.kind !== 'STRUCT' && r.kind !== 'UNION') return false;
        const m = btf.members(r.id).find((x) => x.byteOffset <= at && at < x.byteOffset + Math.max(1, btf.sizeof(x.type)));
        if (m === undefined) return false;
        let rel = at - m.byteOffset;
        let mt = btf.resolved(m.type);
        while (mt.kind === 'ARRAY') {
          const elem = btf.sizeof(mt.type);
          if (elem <= 0) return false;
          rel %= elem;
          mt = btf.resolved(mt.type);
        }
        if (mt.kind !== 'STRUCT' && mt.kind !== 'UNION') return false;
        id = mt.id;
        if (rel === 0) {
          if (mt.name === want) return true;
          at = 0;
        } else at = rel;
      }
    } catch {
      return false;
    }
    return false;
  };
}

/** What BPF_PROG_LOAD found for the pseudo instructions, by pc. */
export type PseudoMaps = ReadonlyMap<number, PseudoTarget>;

/** Run the verifier on a program being loaded. */
/** The verifier's view of kfunc `btfId` for `prog`: its prototype's argument and result kinds, flags and sizes. */
function kfuncView(k: Kernel, prog: KProg, btfId: number): VKfunc | undefined {
  const r = k.kfuncs.byBtfId(btfId);
  if (r === undefined) return undefined;
  const p = r.def.proto;
  const ret = kfuncRet(k, r.def);
  const m = /struct\s+(\w+)\s*\*/.exec(p.ret);
  const iterArgs = p.params.map((x) => (x.name.endsWith('__iter') ? kfuncIterArg(k, x.type) : undefined));
  const it = r.def.flags?.iter !== undefined && p.params.length > 0 ? kfuncIterArg(k, p.params[0]!.type) : undefined;
  const structArgs = kfuncStructArgs(k, p.params, prog.type);
  const memSizeArgs = p.params.flatMap((x, i) => (i + 1 < p.params.length && p.params[i + 1]!.name.endsWith('__sz') && /\*\s*$/.test(x.type) ? [i] : []));
  return {
    name: r.def.name,
    nargs: p.params.length,
    ...ret,
    argTypes: kfuncArgTypes(k, p.params, prog.type),
    ...retBufSizeOf(p.params),
    ...(r.def.flags?.sleepable === true ? { sleepable: true } : {}),
    retStruct: m?.[1] ?? '',
    memArgs: p.params.map((x) => kfuncMemArg(k, x.name, x.type)),
    ...(it !== undefined ? { iter: { kind: r.def.flags!.iter!, ...it } } : {}),
    ...(iterArgs.some((x) => x !== undefined) ? { iterArgs } : {}),
    ...kfuncDynptrArgs(p.params),
    ...(r.def.flags !== undefined ? { flags: r.def.flags } : {}),
    ...(structArgs !== undefined ? { structArgs } : {}),
    ...(p.params.some((x) => x.name.endsWith('__k')) ? { constArgs: p.params.map((x) => x.name.endsWith('__k')) } : {}),
    ...(memSizeArgs.length > 0 ? { memSizeArgs } : {}),
  };
}

export function verifyProgram(k: Kernel, prog: KProg, insns: readonly RawInsn[], pseudo: PseudoMaps, logLevel: number, lineOf: VerifierInput['lineOf']): VerifierResult {
  const cb = exceptionCbOf(prog);
  const exceptionCb = typeof cb === 'number' ? cb : undefined;
  const exceptionCbError = typeof cb === 'object' ? cb.error : undefined;
  prog.exceptionCbPc = exceptionCb;
  k.reserveVmlinuxId();
  const kfuncViews = new Map<number, VKfunc | undefined>();
  const input: VerifierInput = {
    insns,
    pseudo,
    progType: prog.type,
    attachType: prog.expectedAttachType,
    progFlags: prog.flags,
    gplCompatible: prog.gplCompatible,
    helper: (id) => {
      const def = k.helpers.get(id);
      if (def === undefined || !k.helpers.allowed(id, prog.type, prog.expectedAttachType)) return undefined;
      if (k.verifierPrivileged === 'none' && UNPRIV_HELPERS.get(prog.type)?.has(id) !== true) return undefined;
      // A helper registered without a verifier prototype (a user's own) gets one from its coarse
      // argument kinds: every argument any initialised value, an integer result.
      const proto = def.proto ?? { ret: 'integer' as const, args: (def.args ?? []).map(() => ({ kind: 'anything' as const })) };
      return { name: `bpf_${def.name}`, proto, gplOnly: def.gplOnly === true, mightSleep: def.mightSleep === true, ...(def.allowedIn !== undefined && !def.allowedIn(prog) ? { notAllowed: true } : {}) };
    },
    helperName: (id) => UAPI_NAMES.get(id),
    helperImplemented: (id) => k.helpers.get(id) !== undefined,
    // one view per kfunc and load: the verifier asks at every visit of a call (and the CFG pass)
    kfunc: (btfId): VKfunc | undefined => {
      if (!kfuncViews.has(btfId)) kfuncViews.set(btfId, kfuncView(k, prog, btfId));
      return kfuncViews.get(btfId);
    },
    ctx: verifierCtxOf(prog.type, prog.expectedAttachType, ctxInfoOf(k, prog)),
    btfAccess: btfAccessOf(k),
    btfTypeById: (id) => btfTypeByIdOf(k.vmlinuxBtf, id),
    // the vmlinux BTF is built on first read: only a program that passes a BTF pointer to a kfunc reads it here
    btfStructMatch: (have, off, want, strict) => btfStructMatchOf(k.vmlinuxBtf)(have, off, want, strict),
    ...(prog.type === ProgType.STRUCT_OPS ? structOpsBtfWrite(k, prog) : {}),
    nrCpus: k.nrCpus,
    retRange: retRangeOf(prog.type, prog.expectedAttachType),
    ...(lineOf !== undefined ? { lineOf } : {}),
    logLevel,
    privileged: k.verifierPrivileged,
    capSysBoot: k.verifierCapSysBoot,
    funcs: funcsOf(prog),
    ...(exceptionCb !== undefined ? { exceptionCb } : {}),
    ...(exceptionCbError !== undefined ? { exceptionCbError } : {}),
  };
  return verify(input);
}
