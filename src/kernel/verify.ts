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
import type { PseudoTarget, VerifierInput, VerifierResult, VKfunc, VMap } from '../verifier/api.js';
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
      if (def.gplOnly === true && !prog.gplCompatible) return undefined;
      return { name: `bpf_${def.name}`, proto: def.proto };
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
  };
  void vmlinux;
  return verify(input);
}
