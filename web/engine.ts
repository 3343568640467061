/**
 * The web playground's engine: what the Web Worker does with an object, written against the
 * package's public API only (`../src/index.js` is the `bpfemu` entry point) and free of DOM and
 * Node APIs, so it also runs under vitest (test/web/engine.test.ts). `describeObject` opens an
 * object and returns everything the page shows about it; `runProgram` loads it afresh with the
 * page's inputs, test-runs one program and returns the results, trace and line hits.
 */
import {
  BpfObject,
  BtfCodec,
  Kernel,
  schedExt,
  tcpCc,
  BpfError,
  ProgramFaultError,
  TraceRecorder,
  XdpAction,
  TcAct,
  buildCfg,
  cfgToSvg,
  decodePacket,
  diffPackets,
  dumpMapFormatted,
  helperName,
  jsTierAvailable,
  printC,
  programListing,
  seedMap,
  jsonOf,
  toHex,
  verifyObject,
  type Json,
  type PacketLayer,
  type ProgramVerdict,
  type TraceStep,
  type TypedValue,
  type KernelOptions,
  type ObjectSpec,
  type ProgramSpec,
} from '../src/index.js';

/**
 * A codec for the struct a program's ctx points to, from the object's BTF (the first parameter of
 * its FUNC: `struct xdp_md *`, `struct __sk_buff *`, a syscall program's own args struct), or null
 * when the ctx is not a pointer to a struct (tracing programs' `u64 *`, no BTF).
 */
export function ctxCodec(spec: ObjectSpec, p: ProgramSpec): { readonly codec: BtfCodec; readonly struct: string } | null {
  const btf = spec.btf;
  const fi = p.funcInfo[0];
  if (btf === undefined || fi === undefined) return null;
  try {
    const param = btf.funcProto(fi.typeId).params[0];
    if (param === undefined || param.type === 0) return null;
    const ptr = btf.resolved(param.type);
    if (ptr.kind !== 'PTR') return null;
    const target = btf.resolved(ptr.type);
    if (target.kind !== 'STRUCT') return null;
    return { codec: new BtfCodec(btf, target.id, `ctx (struct ${target.name})`), struct: target.name };
  } catch {
    return null;
  }
}

/** CPUs of the page's kernels (and of the sched_ext simulation). */
export const PAGE_CPUS = 4;

/**
 * The page's emulated kernel: with the test module (struct_ops test types), sched_ext's kernel
 * types and the TCP congestion-control subsystem, so struct_ops objects of those types load.
 */
export function pageKernel(o: KernelOptions = {}): Kernel {
  const k = new Kernel(schedExt.schedExtKernelOptions(PAGE_CPUS, { testmod: true, ...o }));
  schedExt.installSchedExt(k);
  tcpCc.installTcpCc(k);
  return k;
}

/** Program types whose ctx is a struct __sk_buff. */
const SKB_TYPES = new Set(['SCHED_CLS', 'SCHED_ACT', 'SOCKET_FILTER', 'CGROUP_SKB', 'LWT_IN', 'LWT_OUT', 'LWT_XMIT', 'LWT_SEG6LOCAL', 'SK_SKB']);

/** Program types whose test run takes a packet (data_in). */
const PACKET_TYPES = new Set(['XDP', 'SCHED_CLS', 'SCHED_ACT', 'SOCKET_FILTER', 'CGROUP_SKB', 'LWT_IN', 'LWT_OUT', 'LWT_XMIT', 'LWT_SEG6LOCAL', 'FLOW_DISSECTOR', 'SK_SKB']);

export interface ProgramView {
  readonly name: string;
  /** The kernel's type name in lower case (`xdp`, `sched_cls`, ...). */
  readonly type: string;
  readonly section: string;
  readonly insns: number;
  /** Whether its test run takes a packet. */
  readonly takesPacket: boolean;
  /** Whether its ctx is a struct __sk_buff (the page offers a field form for ctx_in). */
  readonly skbCtx: boolean;
  /** The ctx struct from BTF (its name and an all-zero value as JSON), when the ctx is a pointer to a struct. */
  readonly ctx: { readonly struct: string; readonly size: number; readonly zero: Json } | null;
  /** Kernel-syntax listing with the C source lines interleaved. */
  readonly listing: readonly string[];
  /** The control-flow graph as a self-contained SVG. */
  readonly cfgSvg: string;
  readonly verdict: ProgramVerdict;
}

export interface MapView {
  readonly name: string;
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly keyType: string;
  readonly valueType: string;
  /** One entry of all-zero key and value in the dump's JSON shape, typed from BTF (null without BTF types). */
  readonly example: Json | null;
}

export interface GlobalView {
  readonly section: string;
  readonly readonly: boolean;
  readonly variables: readonly { readonly name: string; readonly size: number; readonly value: Json }[];
}

export interface StructOpsView {
  readonly name: string;
  readonly typeName: string;
  readonly members: readonly { readonly name: string; readonly program: string | null }[];
}

/** One C source line that has instructions (from BTF line info). */
export interface SourceLine {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

export interface ObjectView {
  readonly name: string;
  readonly summary: string;
  readonly programs: readonly ProgramView[];
  readonly maps: readonly MapView[];
  readonly globals: readonly GlobalView[];
  readonly structOps: readonly StructOpsView[];
  readonly btfC: string;
  /** Line-info lines, by file basename, sorted by line. */
  readonly sources: Readonly<Record<string, readonly SourceLine[]>>;
  /** Whether the JavaScript tier can run here (no strict CSP forbidding `new Function`). */
  readonly jsTier: boolean;
}

/** A file's name without its directories. */
export function basename(path: string): string {
  return path.split('/').pop() ?? path;
}

function exampleEntry(spec: ObjectSpec, keyId: number, valueId: number): Json | null {
  const btf = spec.btf;
  if (btf === undefined || keyId === 0 || valueId === 0) return null;
  try {
    const zero = (id: number): Json => {
      const c = new BtfCodec(btf, id, 'example');
      return jsonOf(c.decode(new Uint8Array(c.size)));
    };
    return { key: zero(keyId), value: zero(valueId) };
  } catch {
    return null;
  }
}

function ctxView(spec: ObjectSpec, p: ProgramSpec): { struct: string; size: number; zero: Json } | null {
  const c = ctxCodec(spec, p);
  if (c === null) return null;
  try {
    return { struct: c.struct, size: c.codec.size, zero: jsonOf(c.codec.decode(new Uint8Array(c.codec.size))) };
  } catch {
    return null;
  }
}

/** ctx_in bytes for program `prog` from its ctx struct as JSON (typed from BTF; numbers beyond 2^53 as decimal strings). */
export function encodeCtx(bytes: Uint8Array, prog: string, json: unknown): Uint8Array {
  const obj = BpfObject.open(bytes, { kernel: pageKernel() });
  try {
    const c = ctxCodec(obj.spec, obj.program(prog).spec);
    if (c === null) throw new RunInputError(`program '${prog}': its ctx is not a pointer to a struct in BTF`);
    return c.codec.encode(typedOf(json));
  } finally {
    obj.close();
  }
}

/** JSON back as a typed value: decimal strings of integers become bigints. */
function typedOf(j: unknown): TypedValue {
  if (Array.isArray(j)) return j.map(typedOf);
  if (j !== null && typeof j === 'object') return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, typedOf(v)]));
  if (typeof j === 'string' && /^-?\d+$/.test(j)) return BigInt(j);
  return j as TypedValue;
}

/** Everything the page shows about the object `bytes` (throws the loader's typed errors on a malformed object). */
export function describeObject(bytes: Uint8Array, name: string): ObjectView {
  const obj = BpfObject.open(bytes, { name, kernel: pageKernel() });
  try {
    const spec = obj.spec;
    const verdicts = verifyObject(bytes, { name, kernel: () => pageKernel() });
    const programs = spec.programs.map((p): ProgramView => ({
      name: p.name,
      type: p.typeName.toLowerCase(),
      section: p.section,
      insns: p.insns.length,
      takesPacket: PACKET_TYPES.has(p.typeName),
      skbCtx: SKB_TYPES.has(p.typeName),
      ctx: ctxView(spec, p),
      listing: programListing(spec, p, { helperName }),
      cfgSvg: cfgToSvg(p.name, buildCfg(p.insns, p.lineInfo, helperName)),
      verdict: verdicts.find((v) => v.name === p.name) ?? { name: p.name, type: p.typeName.toLowerCase(), verdict: 'accepted', errno: null, pc: null, line: null, lineText: null, insnsProcessed: 0, totalStates: 0, peakStates: 0, timeUs: 0, log: 'not loaded (autoload off)' },
    }));
    const maps = spec.maps
      .filter((m) => m.source === 'btf' || m.source === 'legacy')
      .map((m): MapView => ({ name: m.name, type: m.typeName.toLowerCase(), keySize: m.keySize, valueSize: m.valueSize, maxEntries: m.maxEntries, keyType: m.keyType, valueType: m.valueType, example: exampleEntry(spec, m.btfKeyTypeId, m.btfValueTypeId) }));
    const globals = spec.maps
      .filter((m) => m.internal !== undefined)
      .map((m): GlobalView => {
        const i = m.internal!;
        const variables = i.variables
          .filter((v) => v.linkage !== 'extern' && v.typeId !== 0)
          .map((v) => {
            let value: Json;
            try {
              value = jsonOf(obj.variable(v.name).value);
            } catch {
              value = toHex(obj.variable(v.name).get());
            }
            return { name: v.name, size: v.size, value };
          });
        return { section: i.section, readonly: i.readonly, variables };
      });
    const structOps = spec.maps
      .filter((m) => m.structOps !== undefined)
      .map((m): StructOpsView => ({ name: m.name, typeName: m.structOps!.typeName, members: m.structOps!.members.map((x) => ({ name: x.name, program: x.kind === 'func' ? (x.program ?? null) : null })) }));
    const sources: Record<string, SourceLine[]> = {};
    for (const p of spec.programs) {
      for (const l of p.lineInfo) {
        const f = basename(l.file);
        const list = (sources[f] ??= []);
        if (!list.some((x) => x.line === l.line)) list.push({ file: f, line: l.line, text: l.text });
      }
    }
    for (const list of Object.values(sources)) list.sort((a, b) => a.line - b.line);
    const summary = `${spec.byteOrder}-endian, license "${spec.license}", ${spec.btf === undefined ? 'no BTF' : `BTF ${spec.btf.typeCount - 1} types`}${spec.hasBtfExt ? ' + .BTF.ext' : ''}`;
    return { name, summary, programs, maps, globals, structOps, btfC: spec.btf === undefined ? '' : printC(spec.btf), sources, jsTier: jsTierAvailable() };
  } finally {
    obj.close();
  }
}

/** The page's inputs of a run. */
export interface RunInput {
  readonly program: string;
  readonly dataIn?: Uint8Array;
  readonly ctxIn?: Uint8Array;
  /** Global variables to set before load, by name: the text of a JSON value or an integer. */
  readonly knobs?: Readonly<Record<string, string>>;
  /** Map entries to write after load, by map name, in the map dump's JSON shape. */
  readonly maps?: Readonly<Record<string, unknown>>;
  /** Record the trace and line hits (runs on the reference interpreter). Default true. */
  readonly trace?: boolean;
  /** Steps kept in the trace (default 10,000). */
  readonly traceLimit?: number;
  /** Wall-clock limit of the run in ms (default 60 s). */
  readonly timeoutMs?: number;
}

export interface FaultView {
  readonly kind: string;
  readonly pc: number;
  readonly message: string;
}

export interface RunView {
  readonly retval: number;
  /** The return value's name for the program type (`XDP_PASS`, `TC_ACT_SHOT`), or ''. */
  readonly retName: string;
  readonly dataIn: string | null;
  readonly dataOut: string | null;
  readonly layersIn: readonly PacketLayer[];
  readonly layersOut: readonly PacketLayer[];
  /** Per-layer, per-field differences of the output against the input. */
  readonly diff: readonly string[];
  readonly ctxOut: string | null;
  /** ctx_out decoded by the ctx struct's BTF type, when there is one. */
  readonly ctxOutTyped: Json | null;
  readonly maps: Readonly<Record<string, { type: string; entries: object[] }>>;
  readonly printk: readonly string[];
  readonly trace: readonly TraceStep[];
  readonly executed: number;
  readonly traceTruncated: boolean;
  /** `file.c:LINE` → times entered. */
  readonly lineHits: readonly (readonly [string, number])[];
  readonly fault: FaultView | null;
  readonly durationNs: number;
  /** Which engine ran: 'reference interpreter' (traced), 'js tier' or 'interpreter'. */
  readonly engine: string;
}

/** An input the page got wrong, or the kernel refused (not a program fault). */
export class RunInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunInputError';
  }
}

/** A knob's text as a typed value: an integer (bigint beyond 2^53), JSON, else the text itself (a char array or an enumerator). */
export function parseKnob(text: string): TypedValue {
  const t = text.trim();
  if (/^-?(0x[0-9a-f]+|\d+)$/i.test(t)) {
    const n = t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t);
    return Number.isSafeInteger(Number(n)) ? Number(n) : n;
  }
  try {
    return JSON.parse(t) as TypedValue;
  } catch {
    return text;
  }
}

const XDP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(XdpAction).map(([k, v]) => [v, `XDP_${k}`]));
const TC_NAMES: Record<number, string> = Object.fromEntries(Object.entries(TcAct).map(([k, v]) => [v >>> 0, `TC_ACT_${k}`]));

/** The name of `retval` for a program of kernel type `typeName`. */
export function retvalName(typeName: string, retval: number): string {
  if (typeName === 'XDP') return XDP_NAMES[retval] ?? '';
  if (typeName === 'SCHED_CLS' || typeName === 'SCHED_ACT' || typeName.startsWith('LWT_')) return TC_NAMES[retval >>> 0] ?? '';
  if (typeName === 'CGROUP_SKB') return retval === 1 ? 'allow' : retval === 0 ? 'drop' : '';
  if (typeName === 'SOCKET_FILTER') return retval === 0 ? 'drop' : `keep ${retval} bytes`;
  return '';
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function decodeCtx(c: BtfCodec | null, b: Uint8Array | null): Json | null {
  if (c === null || b === null || b.length < c.size) return null;
  try {
    return jsonOf(c.decode(b));
  } catch {
    return null;
  }
}

/** Load `bytes` with the inputs, test-run `input.program` once and return what happened. */
export function runProgram(bytes: Uint8Array, name: string, input: RunInput, onProgress?: (executed: number) => void): RunView {
  const trace = input.trace !== false;
  const js = jsTierAvailable();
  const obj = BpfObject.open(bytes, { name, kernel: pageKernel({ engine: trace ? 'fast' : js ? 'js' : 'fast', runTimeoutMs: input.timeoutMs ?? 60_000 }) });
  try {
    for (const [k, text] of Object.entries(input.knobs ?? {})) {
      try {
        obj.variable(k).value = parseKnob(text);
      } catch (e) {
        throw new RunInputError(`knob ${k} = ${text}: ${message(e)}`);
      }
    }
    const prog = obj.programs.find((p) => p.name === input.program);
    if (prog === undefined) throw new RunInputError(`no program '${input.program}'`);
    try {
      obj.load();
    } catch (e) {
      throw new RunInputError(`load: ${message(e)}`);
    }
    for (const [m, entries] of Object.entries(input.maps ?? {})) {
      try {
        seedMap(obj.map(m), entries, `maps.${m}`);
      } catch (e) {
        throw new RunInputError(message(e));
      }
    }
    const rec = new TraceRecorder({ limit: input.traceLimit ?? 10_000, progressEvery: 1 << 18, ...(onProgress !== undefined ? { onProgress } : {}) });
    if (trace) obj.kernel.tracer = rec.trace;
    let retval = 0;
    let dataOut: Uint8Array | null = null;
    let ctxOut: Uint8Array | null = null;
    let durationNs = 0;
    let fault: FaultView | null = null;
    try {
      const r = prog.testRun({ ...(input.dataIn !== undefined ? { dataIn: input.dataIn } : {}), ...(input.ctxIn !== undefined ? { ctxIn: input.ctxIn } : {}) });
      retval = r.retval;
      dataOut = r.dataOut;
      ctxOut = r.ctxOut;
      durationNs = r.durationNs;
    } catch (e) {
      if (e instanceof ProgramFaultError) fault = { kind: e.fault.kind, pc: e.fault.pc, message: e.message };
      else if (e instanceof BpfError) throw new RunInputError(e.message);
      else throw e;
    } finally {
      obj.kernel.tracer = null;
      rec.finish();
    }
    const maps: Record<string, { type: string; entries: object[] }> = {};
    for (const m of obj.maps) if (m.spec.source === 'btf' || m.spec.source === 'legacy' || m.spec.internal !== undefined) maps[m.name] = dumpMapFormatted(m);
    const layersIn = input.dataIn !== undefined ? decodePacket(input.dataIn) : [];
    const layersOut = dataOut !== null ? decodePacket(dataOut) : [];
    return {
      retval,
      retName: fault === null ? retvalName(prog.spec.typeName, retval) : '',
      dataIn: input.dataIn !== undefined ? toHex(input.dataIn) : null,
      dataOut: dataOut === null ? null : toHex(dataOut),
      layersIn,
      layersOut,
      diff: dataOut !== null && input.dataIn !== undefined ? diffPackets(dataOut, input.dataIn) : [],
      ctxOut: ctxOut === null ? null : toHex(ctxOut),
      ctxOutTyped: decodeCtx(ctxCodec(obj.spec, prog.spec)?.codec ?? null, ctxOut),
      maps,
      printk: obj.kernel.tracePipe,
      trace: rec.steps,
      executed: rec.executed,
      traceTruncated: rec.truncated,
      lineHits: [...rec.lineHits],
      fault,
      durationNs,
      engine: trace ? 'reference interpreter (traced)' : js ? 'js tier' : 'interpreter (new Function unavailable)',
    };
  } finally {
    obj.close();
  }
}

// ---------------------------------------------------------------- struct_ops association, step by step

/** One struct_ops map's state at a step: `state` and `refcnt` as a map lookup shows them (struct bpf_struct_ops_common_value). */
export interface AssocMapState {
  readonly name: string;
  readonly state: string;
  readonly refcnt: number | null;
  readonly freed: boolean;
}

/** One step of the association demo. */
export interface AssocStep {
  readonly title: string;
  readonly detail: string;
  readonly maps: readonly AssocMapState[];
  /** Each program's association: 'none', 'map <name>', 'poison', or 'closed'. */
  readonly programs: readonly { readonly name: string; readonly assoc: string }[];
}

const STATE_NAMES = ['INIT', 'INUSE', 'TOBEFREE', 'READY'];

/**
 * The struct_ops association walk-through of `bpfemu demo` on programs/struct_ops_demo.bpf.o
 * (its header comment says what each step must show), as snapshots: after each step, every
 * struct_ops map's state and reference count and every program's association.
 */
export function structOpsAssocDemo(bytes: Uint8Array): AssocStep[] {
  const kernel = pageKernel();
  const obj = BpfObject.open(bytes, { kernel, name: 'struct_ops_demo' });
  const soMaps = obj.maps.filter((m) => m.spec.structOps !== undefined);
  const kmaps = new Map<string, { freed: boolean }>();
  const closed = new Set<string>();
  const steps: AssocStep[] = [];
  const snap = (title: string, detail: string): void => {
    const maps = soMaps.map((m): AssocMapState => {
      const km = kmaps.get(m.name);
      if (m.fd < 0) return { name: m.name, state: km === undefined ? 'not created' : km.freed ? 'freed' : 'fd closed, still referenced', refcnt: null, freed: km?.freed ?? false };
      const v = m.lookup(new Uint8Array(4));
      const dv = v === undefined ? null : new DataView(v.buffer, v.byteOffset, v.byteLength);
      return { name: m.name, state: dv === null ? '?' : (STATE_NAMES[dv.getUint32(4, true)] ?? String(dv.getUint32(4, true))), refcnt: dv === null ? null : dv.getUint32(0, true), freed: false };
    });
    const programs = obj.programs.map((p) => {
      if (closed.has(p.name) || p.fd < 0) return { name: p.name, assoc: p.fd < 0 && !closed.has(p.name) ? 'not loaded' : 'closed' };
      const a = p.kernelProg.assoc;
      const mapName = a.kind === 'map' ? (soMaps.find((m) => m.fd >= 0 && m.kernelMap === a.map)?.name ?? `map id ${a.map.id}`) : '';
      return { name: p.name, assoc: a.kind === 'map' ? `map ${mapName}` : a.kind };
    });
    steps.push({ title, detail, maps, programs });
  };
  const run = (prog: string, a: bigint): number => {
    const ctx = new Uint8Array(16);
    new DataView(ctx.buffer).setBigUint64(0, a, true);
    obj.program(prog).testRun({ ctxIn: ctx });
    return new DataView(ctx.buffer).getInt32(8, true);
  };
  try {
    obj.load();
    for (const m of soMaps) kmaps.set(m.name, m.kernelMap);
    snap('load', `struct_ops maps ${soMaps.map((m) => m.name).join(', ')} created; programs loaded`);
    const pairs: [string, string][] = [
      ['dispatch_double', 'doubler'],
      ['dispatch_square', 'squarer'],
      ['dispatch_shared', 'shared_x'],
    ];
    for (const [p, m] of pairs) obj.program(p).assocStructOps(obj.map(m));
    snap('BPF_PROG_ASSOC_STRUCT_OPS', pairs.map(([p, m]) => `${p} -> ${m}`).join(', '));
    obj.attach();
    snap('attach', 'each map update associates its own struct_ops programs; shared_probe is in shared_x and shared_y, so its association is poisoned');
    snap('run dispatch_double(a = 21)', `syscall -> kfunc -> doubler.test_1 (double_it) = ${run('dispatch_double', 21n)}`);
    snap('run dispatch_square(a = 12)', `syscall -> kfunc -> squarer.test_1 (square_it) = ${run('dispatch_square', 12n)}`);
    snap('run dispatch_shared', `shared_x.test_1 (shared_probe) = ${run('dispatch_shared', 0n)}; its own inner kfunc call got ${obj.variable('shared_inner').getInt()} (poisoned -> NULL)`);
    let again: string;
    try {
      obj.program('dispatch_double').assocStructOps(obj.map('squarer'));
      again = 'unexpectedly succeeded';
    } catch (e) {
      again = e instanceof BpfError ? e.code : message(e);
    }
    snap('re-associate dispatch_double -> squarer', `${again}: an association is fixed once made`);
    obj.attachedLinks.forEach((l) => l.destroy());
    obj.map('doubler').close();
    kernel.drain();
    snap('destroy the links, close doubler', `doubler is kept alive by dispatch_double's association, which still reaches it: ${run('dispatch_double', 5n)}`);
    obj.program('dispatch_double').close();
    closed.add('dispatch_double');
    kernel.drain();
    snap('close dispatch_double', 'its reference goes, so doubler is freed and double_it loses its association');
    return steps;
  } finally {
    obj.close();
  }
}

// ---------------------------------------------------------------- subsystem simulators

/** What the page can simulate for an object: its struct_ops maps by subsystem. */
export function simulatorsOf(v: ObjectView): { readonly schedExt: readonly string[]; readonly tcp: readonly string[] } {
  return { schedExt: v.structOps.filter((s) => s.typeName === 'sched_ext_ops').map((s) => s.name), tcp: v.structOps.filter((s) => s.typeName === 'tcp_congestion_ops').map((s) => s.name) };
}

/** A sched_ext scheduler on a workload (JSON of README "sched_ext"): the Gantt chart and the exit. */
export function simulateSchedExtSvg(bytes: Uint8Array, workload: unknown, o: { readonly ops?: string; readonly durationNs?: number }): { svg: string; exit: string } {
  // (the CPU count is the workload's "cpus", else the simulator's default)
  const r = schedExt.simulateSchedExt(bytes, schedExt.parseWorkload(workload), { spans: true, ...(o.ops !== undefined ? { ops: o.ops } : {}), ...(o.durationNs !== undefined ? { durationNs: o.durationNs } : {}) });
  const e = r.summary.exit;
  return { svg: schedExt.ganttSvg(r, r.summary.cpus.length), exit: e.kind === 'NONE' ? 'no exit (ran to the end)' : `${e.kind}: ${e.reason}${e.message !== '' ? ` (${e.message})` : ''}` };
}

/** A TCP congestion control of the object against a built-in one over one path: the cwnd/throughput plot and a summary. */
export function simulateTcpSvg(bytes: Uint8Array, o: { readonly ops: string; readonly vs: 'reno' | 'cubic' | 'none'; readonly bandwidthBps: number; readonly rttNs: number; readonly durationNs: number }): { svg: string; summary: string } {
  const kernel = pageKernel();
  const obj = BpfObject.open(bytes, { kernel });
  try {
    obj.load();
    const m = obj.map(o.ops);
    m.attachStructOps();
    const flows: tcpCc.SimulateTcpOptions['flows'][number][] = [{ cc: m.structOpsInstance }];
    if (o.vs !== 'none') flows.push({ cc: o.vs });
    const r = tcpCc.simulateTcp({ kernel, flows, bandwidthBps: o.bandwidthBps, rttNs: o.rttNs, durationNs: o.durationNs });
    const summary = r.flows.map((f) => `${f.ops}: ${(f.throughputBps / 1e6).toFixed(2)} Mbit/s, ${f.retransmits} retransmits`).join('; ');
    return { svg: tcpCc.reportSvg(r, `${r.flows.map((f) => f.ops).join(' vs ')}: ${o.bandwidthBps / 1e6} Mbit/s, RTT ${o.rttNs / 1e6} ms`), summary };
  } finally {
    obj.close();
  }
}
