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
import type { GlobalArg, PseudoTarget, VerifierInput, VerifierResult, VFunc, VKfunc, VMap } from '../verifier/api.js';
import { retRangeOf, verifierCtxOf } from './progtypes/vctx.js';
import type { Kernel } from './kernel.js';
import type { KMap, KProg } from './objects.js';

/** uapi helper names by id (`bpf_map_lookup_elem`), implemented or not (func_id_name). */
const UAPI_NAMES: ReadonlyMap<number, string> = new Map(HELPER_TABLE.map((h) => [h.id, `bpf_${h.name}`]));

function fieldsOf(fields: readonly SpecialField[]): Pick<VMap, 'spinLockOff' | 'timerOff' | 'specialFields'> {
  let spinLockOff = -1;
  let timerOff = -1;
  const specialFields: { off: number; size: number; kind: string }[] = [];
  for (const f of fields) {
    if (f.kind === 'spin_lock') spinLockOff = f.offset;
    else if (f.kind === 'timer') timerOff = f.offset;
    else specialFields.push({ off: f.offset, size: f.size, kind: f.kind === 'workqueue' ? 'bpf_wq' : f.kind === 'res_spin_lock' ? 'bpf_res_spin_lock' : f.kind });
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
        if (t.kind === 'INT' || t.kind === 'ENUM' || t.kind === 'ENUM64') return { kind: 'scalar' };
        if (t.kind === 'PTR') {
          if (tg.includes('arg:ctx')) return { kind: 'ctx' };
          const target = btf.resolved(t.type);
          if ((target.kind === 'STRUCT' || target.kind === 'UNION') && target.name === ctxName && ctxName !== '') return { kind: 'ctx' };
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

/** What BPF_PROG_LOAD found for the pseudo instructions, by pc. */
export type PseudoMaps = ReadonlyMap<number, PseudoTarget>;

/** Run the verifier on a program being loaded. */
export function verifyProgram(k: Kernel, prog: KProg, insns: readonly RawInsn[], pseudo: PseudoMaps, logLevel: number, lineOf: VerifierInput['lineOf']): VerifierResult {
  const vmlinux = k.vmlinuxBtf;
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
      return { name: `bpf_${def.name}`, proto: def.proto, gplOnly: def.gplOnly === true, mightSleep: def.mightSleep === true };
    },
    helperName: (id) => UAPI_NAMES.get(id),
    kfunc: (btfId): VKfunc | undefined => {
      const r = k.kfuncs.byBtfId(btfId);
      if (r === undefined) return undefined;
      const p = r.def.proto;
      const ret = p.ret === 'void' ? 'void' : /\*/.test(p.ret) ? (r.def.flags?.retNull === true ? 'ptr_or_null' : 'ptr') : 'integer';
      return { name: r.def.name, nargs: p.params.length, ret };
    },
    ctx: verifierCtxOf(prog.type, prog.expectedAttachType),
    nrCpus: k.nrCpus,
    retRange: retRangeOf(prog.type, prog.expectedAttachType),
    ...(lineOf !== undefined ? { lineOf } : {}),
    logLevel,
    funcs: funcsOf(prog),
  };
  void vmlinux;
  return verify(input);
}
