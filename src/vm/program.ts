/**
 * Build an {@link ExecProgram} from raw instructions and helper/kfunc tables: the decode-once step
 * that resolves call targets into dense table slots.
 */
import { decodeProgram, type DecodeOptions } from '../isa/decode.js';
import { formatKernel } from '../isa/disasm-kernel.js';
import type { RawInsn } from '../isa/insn.js';
import type { ExecProgram, HelperFn, PcInfo } from './machine.js';

/** Helper and kfunc implementations available to a program. */
export interface CallTables {
  /** Helper implementations by helper id. */
  helpers?: ReadonlyMap<number, HelperFn>;
  /** kfunc implementations by call imm (BTF id in the kernel; the loader's kfunc id here). */
  kfuncs?: ReadonlyMap<number, HelperFn>;
}

/** Options of {@link buildExecProgram}. */
export interface BuildOptions extends CallTables {
  name?: string;
  owner?: unknown;
  /** Source location and line text of a pc, from BTF line info. */
  sourceOf?: (pc: number) => { source: string; text?: string } | undefined;
  poison?: ReadonlyMap<number, string>;
  maxInsns?: number;
  /** Extra names for the kernel-syntax disassembly in faults. */
  helperName?: (id: number) => string | undefined;
  kfuncName?: (imm: number, off: number) => string | undefined;
}

/** Validate, decode and link `raw` against the call tables. Throws VerifyError. */
export function buildExecProgram(raw: readonly RawInsn[], o: BuildOptions = {}): ExecProgram {
  const helperFns: HelperFn[] = [];
  const helperSlots = new Map<number, number>();
  const kfuncFns: HelperFn[] = [];
  const kfuncSlots = new Map<number, number>();
  const slotOf = (table: ReadonlyMap<number, HelperFn> | undefined, slots: Map<number, number>, fns: HelperFn[], id: number): number => {
    const known = slots.get(id);
    if (known !== undefined) return known;
    const f = table?.get(id);
    if (f === undefined) return -1;
    slots.set(id, fns.length);
    fns.push(f);
    return fns.length - 1;
  };
  const dopts: DecodeOptions = {
    resolveHelper: (id) => slotOf(o.helpers, helperSlots, helperFns, id),
    resolveKfunc: (imm) => slotOf(o.kfuncs, kfuncSlots, kfuncFns, imm),
  };
  if (o.sourceOf !== undefined) {
    const so = o.sourceOf;
    dopts.sourceOf = (pc) => so(pc)?.source;
  }
  if (o.poison !== undefined) dopts.poison = o.poison;
  if (o.maxInsns !== undefined) dopts.maxInsns = o.maxInsns;
  const decoded = decodeProgram(raw, dopts);
  const helpers = o.helpers;
  const names = { ...(o.helperName ? { helperName: o.helperName } : {}), ...(o.kfuncName ? { kfuncName: o.kfuncName } : {}) };
  const prog: ExecProgram = {
    name: o.name ?? 'prog',
    decoded,
    code: decoded.code,
    helpers: helperFns,
    kfuncs: kfuncFns,
    helperById: (id) => helpers?.get(id),
    owner: o.owner,
    describePc(pc: number): PcInfo {
      const info: PcInfo = { insn: pc >= 0 && pc < raw.length ? formatKernel(raw[pc]!, raw[pc + 1], names) : '?' };
      const src = o.sourceOf?.(pc);
      if (src !== undefined) {
        info.source = src.source;
        if (src.text !== undefined) info.sourceText = src.text;
      }
      return info;
    },
  };
  return prog;
}
