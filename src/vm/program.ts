/**
 * Build an {@link ExecProgram} from raw instructions and helper/kfunc tables: the decode-once step
 * that resolves call targets into dense table slots.
 */
import { decodeProgram, type DecodeOptions } from '../isa/decode.js';
import { formatKernel } from '../isa/disasm-kernel.js';
import type { RawInsn } from '../isa/insn.js';
import { XOP_CALL_LOCAL } from '../isa/opcodes.js';
import { MAX_FRAMES, type CtxReads, type ExecProgram, type HelperFn, type PcInfo } from './machine.js';
import type { ArenaSpace } from './arena.js';

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
  /** ctx loads the JavaScript tier may read directly (the program type's, for this program). */
  ctxReads?: CtxReads | undefined;
  /** The program's arena and the pcs the verifier marked as accesses through arena pointers. */
  arena?: ArenaSpace;
  arenaAccesses?: ReadonlySet<number>;
  /** pcs the verifier marked as PROBE_MEM loads (through BTF pointers: a fault reads 0). */
  probeLoads?: ReadonlySet<number>;
}

/**
 * How many frames deeper than the function it starts in a run of this code can get through local
 * calls (the deepest call chain of any function, at most MAX_FRAMES - 1; recursion counts as the
 * maximum). Functions are the spans between entry points (pc 0 and every call target). The stack
 * frames a run may have written are cleared before the next run from this number.
 */
export function callDepth(code: Int32Array): number {
  const n = code.length >> 2;
  const entries = new Set<number>([0]);
  const calls: [from: number, to: number][] = [];
  for (let pc = 0; pc < n; pc++) {
    if ((code[pc << 2]! & 0xff) === XOP_CALL_LOCAL) {
      const t = code[(pc << 2) + 1]!;
      entries.add(t);
      calls.push([pc, t]);
    }
  }
  if (calls.length === 0) return 0;
  const starts = [...entries].sort((a, b) => a - b);
  const fnOf = (pc: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= pc) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const edges: number[][] = starts.map(() => []);
  for (const [from, to] of calls) edges[fnOf(from)]!.push(fnOf(to));
  const limit = MAX_FRAMES - 1;
  const memo = new Map<number, number>();
  const onPath = new Set<number>();
  const depth = (f: number): number => {
    const known = memo.get(f);
    if (known !== undefined) return known;
    if (onPath.has(f)) return limit;
    onPath.add(f);
    let d = 0;
    for (const g of edges[f]!) {
      d = Math.max(d, 1 + depth(g));
      if (d >= limit) break;
    }
    onPath.delete(f);
    const r = Math.min(d, limit);
    memo.set(f, r);
    return r;
  };
  let max = 0;
  for (let f = 0; f < starts.length && max < limit; f++) max = Math.max(max, depth(f));
  return max;
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
  if (o.arenaAccesses !== undefined) dopts.arenaAccesses = o.arenaAccesses;
  if (o.probeLoads !== undefined) dopts.probeLoads = o.probeLoads;
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
    callDepth: callDepth(decoded.code),
    usesStack: raw.some((i) => i.dst === 10 || i.src === 10),
    ctxReads: o.ctxReads,
    ...(o.arena !== undefined ? { arena: o.arena } : {}),
    ...(o.arenaAccesses !== undefined ? { arenaAccesses: o.arenaAccesses } : {}),
    ...(o.probeLoads !== undefined ? { probeLoads: o.probeLoads } : {}),
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
