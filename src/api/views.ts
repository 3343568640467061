/**
 * Views of an object for tools and pages (`bpfemu verify`/`disasm`, the web playground): each
 * program's verdict from the load-time verifier, the linked listing with source lines, the
 * control-flow graph, helper names, and whether the JavaScript tier can run here.
 */
import { BpfObject, type BpfProgram, type OpenOptions } from './object.js';
import type { Kernel } from '../kernel/kernel.js';
import { BpfError } from './errors.js';
import { VerifierError } from '../verifier/api.js';
import { errnoName } from '../util/errno.js';
import { ProgType, progTypeLabel } from '../object/uapi.js';

export { programListing, type ListingOptions } from '../object/listing.js';
export { buildCfg, cfgToSvg, cfgToDot, type CfgBlock, type CfgEdge } from '../isa/cfg.js';
export { helperName } from '../helpers/table.js';
export { VerifierError, type VerifierStats } from '../verifier/api.js';
/** True when `new Function` works here, so `engine: 'js' | 'auto'` can translate (false under a CSP without 'unsafe-eval'). */
export { canCompile as jsTierAvailable } from '../vm/tier/csp.js';

/** One program's verdict, as {@link verifyProgram} returns it. */
export interface ProgramVerdict {
  readonly name: string;
  /** The program type as the kernel prints it (`xdp`, `sched_cls`, ...). */
  readonly type: string;
  readonly verdict: 'accepted' | 'rejected';
  /** The errno's name when rejected. */
  readonly errno: string | null;
  /** The rejected instruction's pc, when the verifier names one. */
  readonly pc: number | null;
  /** `file.c:LINE` of the rejected instruction, when line info exists. */
  readonly line: string | null;
  /** That line's source text. */
  readonly lineText: string | null;
  readonly insnsProcessed: number;
  readonly totalStates: number;
  readonly peakStates: number;
  readonly timeUs: number;
  /** The verifier log (the failing path and the error for a rejected program). */
  readonly log: string;
}

/** Options of {@link verifyProgram}. */
export interface VerifyProgramOptions {
  /** Object name (internal map names); default ''. */
  readonly name?: string;
  /** Verifier log level: 1 (default), 2 or 4. */
  readonly logLevel?: number;
  readonly kernelOptions?: OpenOptions['kernelOptions'];
  /** Makes the kernel of each load (instead of `kernelOptions`): one with subsystems installed, for struct_ops types they register. */
  readonly kernel?: () => Kernel;
}

/** The object on its own kernel; a kernel made here runs nothing, so it skips the run warm-ups. */
function openFor(bytes: Uint8Array, o: VerifyProgramOptions): BpfObject {
  const kernel = o.kernel?.();
  return BpfObject.open(bytes, { name: o.name ?? '', verifierLogLevel: o.logLevel ?? 1, ...(kernel !== undefined ? { kernel } : { kernelOptions: { warmUp: false, ...o.kernelOptions } }) });
}

/**
 * Load program `prog` of the object `bytes` on its own (the others not autoloaded, as `bpftool prog
 * loadall` tries each) through a fresh emulated kernel and return the verifier's verdict. Errors
 * that are not the kernel's refusal (a malformed object, an unknown program) are thrown.
 */
export function verifyProgram(bytes: Uint8Array, prog: string, o: VerifyProgramOptions = {}): ProgramVerdict {
  const obj = openFor(bytes, o);
  try {
    const p = obj.program(prog);
    for (const q of obj.programs) q.autoload = q === p;
    try {
      obj.load();
      return verdictOf(p, null);
    } catch (e) {
      return verdictOf(p, e);
    }
  } finally {
    obj.close();
  }
}

/** The verdict of a load that succeeded for `p`, or of the VerifierError/BpfError that refused it. */
function verdictOf(p: BpfProgram, e: unknown): ProgramVerdict {
  const type = progTypeLabel(p.type);
  const none = { errno: null, pc: null, line: null, lineText: null };
  if (e === null) {
    const st = p.verifierStats;
    return { name: p.name, type, verdict: 'accepted', ...none, insnsProcessed: st?.insnsProcessed ?? 0, totalStates: st?.totalStates ?? 0, peakStates: st?.peakStates ?? 0, timeUs: st?.timeUs ?? 0, log: p.verifierLog };
  }
  if (e instanceof BpfError && e.cause instanceof VerifierError) {
    const v = e.cause;
    const s = v.source;
    return { name: p.name, type, verdict: 'rejected', errno: errnoName(v.errno), pc: v.pc < 0 ? null : v.pc, line: s === undefined ? null : `${s.file}:${s.line}`, lineText: s?.text ?? null, insnsProcessed: v.stats.insnsProcessed, totalStates: v.stats.totalStates, peakStates: v.stats.peakStates, timeUs: v.stats.timeUs, log: v.log };
  }
  if (e instanceof BpfError) return { name: p.name, type, verdict: 'rejected', ...none, errno: e.code, insnsProcessed: 0, totalStates: 0, peakStates: 0, timeUs: 0, log: e.message };
  throw e;
}

/**
 * A struct_ops program's verdict: it loads with the struct_ops map that names it (libbpf autoloads
 * the programs of every created struct_ops map), so only the first such map is created and no other
 * program is autoloaded. When that load stops at another program of the same map, this one gets no
 * verdict of its own (rejected, errno null, the log says why).
 */
export function verifyStructOpsProgram(bytes: Uint8Array, prog: string, o: VerifyProgramOptions = {}): ProgramVerdict {
  const obj = openFor(bytes, o);
  try {
    const p = obj.program(prog);
    const home = obj.maps.find((m) => m.spec.structOps?.members.some((x) => x.program === prog) === true);
    for (const m of obj.maps) if (m.spec.structOps !== undefined) m.autocreate = m === home;
    for (const q of obj.programs) if (q.type !== ProgType.STRUCT_OPS) q.autoload = false;
    try {
      obj.load();
      return verdictOf(p, null);
    } catch (e) {
      const failed = e instanceof Error ? /^prog '([^']+)'/.exec(e.message)?.[1] : undefined;
      if (failed !== undefined && failed !== prog) {
        return { name: prog, type: progTypeLabel(p.type), verdict: 'rejected', errno: null, pc: null, line: null, lineText: null, insnsProcessed: 0, totalStates: 0, peakStates: 0, timeUs: 0, log: `not verified on its own: it loads with struct_ops map '${home?.name ?? '?'}', whose load stopped at prog '${failed}'` };
      }
      return verdictOf(p, e);
    }
  } finally {
    obj.close();
  }
}

/**
 * Every program's verdict: the object loaded whole first (struct_ops programs need their maps, as
 * with libbpf); when that fails, each program on its own through {@link verifyProgram}, so one
 * refused program does not hide the others' verdicts (a struct_ops program with only the first
 * struct_ops map that names it created, since it cannot load without one).
 */
export function verifyObject(bytes: Uint8Array, o: VerifyProgramOptions = {}): ProgramVerdict[] {
  const obj = openFor(bytes, o);
  try {
    obj.load();
    return obj.programs.filter((p) => p.fd >= 0).map((p) => verdictOf(p, null));
  } catch (e) {
    if (!(e instanceof BpfError)) throw e;
    // struct_ops programs load with the maps that name them (libbpf autoloads them), so one of
    // them cannot be tried alone: those other than the refused one get no verdict of their own
    return obj.programs.map((p) => (p.type === ProgType.STRUCT_OPS ? verifyStructOpsProgram(bytes, p.name, o) : verifyProgram(bytes, p.name, o)));
  } finally {
    obj.close();
  }
}
