/**
 * `bpfemu run OBJ --prog NAME [...]`: load an object into a fresh emulated kernel and run one
 * program with BPF_PROG_TEST_RUN, printing like `bpftool prog run` or, with --json, one JSON object
 * with the result and the content of every map. An iterator program (SEC("iter/...")) is attached
 * and read to the end instead, printing its output like `cat` of a pinned iterator.
 */
import { BpfObject, type BpfObjectMap, type OpenOptions } from '../../api/object.js';
import { BpfemuError } from '../../util/errors.js';
import { parseBtf } from '../../btf/parse.js';
import { toHex } from '../../util/bytes.js';
import { DEFAULT_RUN_TIMEOUT_MS, Kernel } from '../../kernel/kernel.js';
import { toIstanbul, toLcov } from '../../api/coverage.js';
import type { TypedValue } from '../../api/typed.js';
import { dumpMapFormatted, dumpMapHex, seedMap } from '../map-dump.js';
import { makeTracer, type Tracer } from '../trace.js';
import { objectNameFromPath } from '../../object/load.js';
import { isPcap } from '../../util/pcap.js';
import { runPcap } from '../pcap-run.js';
import { AttachType, ProgType } from '../../object/uapi.js';
import { skipWarmUp } from '../../vm/interp.js';
import type { Io } from '../io.js';
import { CliError, EXIT_OK, parseCommandArgs, type Command } from '../registry.js';

const USAGE = `usage: bpfemu run OBJ --prog NAME [options]

Load OBJ into a new emulated kernel and run program NAME once (BPF_PROG_TEST_RUN). An iterator
program (SEC("iter/...")) is attached and read to the end instead, and its output printed like
\`cat\` of a pinned iterator (\`bpftool iter pin\`); the packet, ctx, --repeat and --cpu options do
not apply to it.

options:
  --prog NAME          program (C function name) to run
  --data-in FILE       packet data (data_in); a classic pcap file (by its magic) runs every packet:
                       one line per packet (index, retval, XDP/tc action, data_out length), --json
                       an array of per-packet objects, --data-out FILE a pcap of the data_outs
  --ctx-in FILE        context bytes (ctx_in)
  --data-out FILE      write data_out to FILE
  --ctx-out FILE       write ctx_out to FILE
  --ctx-size-out N     ctx_out capacity when there is no --ctx-in
  --repeat N           run N times; the duration is the average
  --cpu N              run on CPU N (BPF_F_TEST_RUN_ON_CPU)
  --set VAR=VALUE      set a global (also const volatile .rodata) before load, parsed by its BTF
                       type (numbers range-checked, enum names, strings, JSON objects); repeatable
  --map NAME=FILE      seed map NAME before the run from FILE: a JSON array of {"key", "value"}
                       entries (as --json prints them, typed or hex); repeatable
  --map-out FILE       write every map's entries after the run to FILE (JSON)
  --hex                print map contents as hex instead of formatted by their BTF
  --kconfig KEY=VALUE  value of a __kconfig extern; repeatable
  --btf FILE           CO-RE target BTF (e.g. /sys/kernel/btf/vmlinux); default: the emulated kernel's
  --testmod            register the bpf_testmod-like test subsystem
  --no-verify          load without the load-time verifier (UNSAFE: programs the kernel refuses
                       load and run; the interpreter's run-time checks still hold)
  --budget N           instructions one run may execute before it is stopped (budget_exceeded);
                       emulator-only, default none (the run-time limit stops runaways);
                       helper calls count by their cost
  --run-timeout-ms MS  wall-clock limit of each run (run_timeout); default ${DEFAULT_RUN_TIMEOUT_MS}
  --coverage FILE      write line and branch coverage of the C sources (lcov; Istanbul JSON when
                       FILE ends in .json); covered runs use the reference interpreter
  --engine NAME        interp, js (programs translated to JavaScript) or auto (interp for a
                       program's first runs, then js); same results. Default: interp, and
                       auto for the repetitions of --repeat N > 1
  --trace              print every executed instruction (kernel syntax) with the registers it
                       changed, pointers by name (fp-8, ctx+0, pkt+14, map_value(NAME)+4), and the
                       source line whenever it changes
  --trace-limit N      stop printing the trace after N instructions
  --json               print one JSON object: retval, dataOut, ctxOut, durationNs, maps
                       (iterators: output, maps)`;

function parseInt64(text: string, what: string): bigint {
  try {
    return BigInt(text.trim());
  } catch {
    throw new CliError('USAGE', `${what}: '${text}' is not an integer`);
  }
}

/**
 * A `--set` value for a BTF-typed variable: JSON (numbers, true/false, "strings", objects,
 * arrays), an integer in hex or beyond 2^53 (as a bigint), else the text as a string (a char
 * array, or an enumerator's name).
 */
function parseSetValue(text: string): TypedValue {
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

/** Read the file an option names; a failure names the option. */
function readOption(io: Io, option: string, path: string): Uint8Array {
  try {
    return io.readFile(path);
  } catch (e) {
    if (e instanceof BpfemuError) throw e.wrap(option);
    throw e;
  }
}

/** BpfObject.open of OBJ's bytes; a file that is no BPF object is named as such. */
export function openObjectFile(io: Io, path: string, opts: OpenOptions): BpfObject {
  const bytes = io.readFile(path);
  try {
    return BpfObject.open(bytes, opts);
  } catch (e) {
    if (e instanceof BpfemuError && /^(ELF|OBJ|BTF)_/.test(String(e.code))) throw e.wrap(`${path}: not a BPF object this emulator can load`);
    if (e instanceof BpfemuError) throw e.wrap(path);
    throw e;
  }
}

function pair(text: string, what: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw new CliError('USAGE', `${what}: expected NAME=VALUE, got '${text}'`);
  return [text.slice(0, i), text.slice(i + 1)];
}

/** JSON of one map's content (global data by section name, per-CPU maps with `values`). */
/** A map's entries as `--json` prints them: hex (`--hex`) or formatted from the map's BTF. */
export function dumpMap(m: BpfObjectMap, hex = false): { type: string; entries: object[] } {
  return hex ? dumpMapHex(m) : dumpMapFormatted(m);
}

/** Map name in the JSON output: the C name, or the section for global data. */
function jsonMapName(m: BpfObjectMap): string {
  return m.spec.internal?.section ?? m.name;
}

function hexdump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = [...bytes.subarray(i, i + 16)].map((b) => b.toString(16).padStart(2, '0'));
    lines.push(`${i.toString(16).padStart(4, '0')}: ${row.join(' ')}`);
  }
  return lines.join('\n');
}

/** Options of `run` that only make sense for BPF_PROG_TEST_RUN. */
const TEST_RUN_ONLY = ['data-in', 'ctx-in', 'data-out', 'ctx-out', 'ctx-size-out', 'repeat', 'cpu'] as const;

/** An iterator program: attach (no link info), read the iterator to the end, print its output. */
function runIter(obj: BpfObject, name: string, values: Readonly<Record<string, unknown>>, io: Io): void {
  const extra = TEST_RUN_ONLY.find((o) => values[o] !== undefined);
  if (extra !== undefined) throw new CliError('USAGE', `run: --${extra} does not apply to iterator program '${name}' (it is read, not test-run)`);
  const link = obj.program(name).attach();
  const output = link.readIterBytes();
  link.destroy();
  if (values.json === true) {
    const maps: Record<string, object> = {};
    for (const m of obj.maps) if (m.fd >= 0) maps[jsonMapName(m)] = dumpMap(m, values.hex === true);
    io.out(`${JSON.stringify({ output: new TextDecoder().decode(output), maps })}\n`);
  } else io.out(output);
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run a program of an object like BPF_PROG_TEST_RUN (bpftool prog run)',
  usage: USAGE,
  run(args: readonly string[], io: Io): number {
    const { values, positionals } = parseCommandArgs('run', args, {
      prog: { type: 'string' },
      'data-in': { type: 'string' },
      'ctx-in': { type: 'string' },
      'data-out': { type: 'string' },
      'ctx-out': { type: 'string' },
      'ctx-size-out': { type: 'string' },
      repeat: { type: 'string' },
      cpu: { type: 'string' },
      set: { type: 'string', multiple: true },
      map: { type: 'string', multiple: true },
      'map-out': { type: 'string' },
      hex: { type: 'boolean' },
      kconfig: { type: 'string', multiple: true },
      btf: { type: 'string' },
      testmod: { type: 'boolean' },
      'no-verify': { type: 'boolean' },
      coverage: { type: 'string' },
      budget: { type: 'string' },
      'run-timeout-ms': { type: 'string' },
      engine: { type: 'string' },
      trace: { type: 'boolean' },
      'trace-limit': { type: 'string' },
      json: { type: 'boolean' },
    } as const);
    if (positionals.length !== 1) throw new CliError('USAGE', 'run: expected exactly one object file');
    if (values.prog === undefined) throw new CliError('USAGE', 'run: --prog NAME is required');
    const path = positionals[0]!;
    const kconfig: Record<string, string> = {};
    for (const kv of (values.kconfig as string[] | undefined) ?? []) {
      const [k, v] = pair(kv, '--kconfig');
      kconfig[k] = v;
    }
    let budget: number | undefined;
    if (values.budget !== undefined) {
      const b = parseInt64(values.budget, '--budget');
      if (b < 1n || b > BigInt(Number.MAX_SAFE_INTEGER)) throw new CliError('USAGE', `--budget: expected a positive instruction count, got '${values.budget}'`);
      budget = Number(b);
    }
    let runTimeoutMs: number | undefined;
    if (values['run-timeout-ms'] !== undefined) {
      const t = parseInt64(values['run-timeout-ms'], '--run-timeout-ms');
      if (t < 1n || t > BigInt(Number.MAX_SAFE_INTEGER)) throw new CliError('USAGE', `--run-timeout-ms: expected a positive number of ms, got '${values['run-timeout-ms']}'`);
      runTimeoutMs = Number(t);
    }
    if (values.repeat !== undefined) {
      const n = parseInt64(values.repeat, '--repeat');
      if (n < 0n || n > 0xffffffffn) throw new CliError('USAGE', `--repeat: expected a count in [0, 2^32), got '${values.repeat}'`);
    }
    const engine = values.engine;
    if (engine !== undefined && engine !== 'interp' && engine !== 'js' && engine !== 'auto') throw new CliError('USAGE', `--engine: expected interp, js or auto, got '${engine}'`);
    const kernel = new Kernel({ testmod: values.testmod === true, ...(budget !== undefined ? { budget } : {}), ...(runTimeoutMs !== undefined ? { runTimeoutMs } : {}), ...(engine !== undefined ? { engine } : {}), ...(values.coverage !== undefined ? { coverage: true } : {}) });
    const coverageOut = values.coverage;
    const writeCoverage = (): void => {
      if (coverageOut === undefined || kernel.coverage === null) return;
      const report = kernel.coverage.report();
      io.writeFile(coverageOut, new TextEncoder().encode(coverageOut.endsWith('.json') ? `${JSON.stringify(toIstanbul(report))}\n` : toLcov(report)));
    };
    const obj = openObjectFile(io, path, {
      kernel,
      name: objectNameFromPath(path),
      kconfig,
      ...(values['no-verify'] === true ? { verify: false } : {}),
      ...(values.btf !== undefined ? { coreTarget: parseBtf(io.readFile(values.btf)) } : {}),
    });
    for (const kv of (values.set as string[] | undefined) ?? []) {
      const [name, text] = pair(kv, '--set');
      const v = obj.variable(name);
      if (v.varTypeId !== 0 && obj.spec.btf !== undefined) {
        try {
          v.value = parseSetValue(text);
        } catch (e) {
          throw new CliError('USAGE', `--set ${name}=${text}: ${e instanceof Error ? e.message : String(e)}`);
        }
      } else if (/^-?(0x[0-9a-f]+|\d+)$/i.test(text.trim())) v.setInt(parseInt64(text, `--set ${name}`));
      else {
        const b = new Uint8Array(v.size);
        b.set(new TextEncoder().encode(text).subarray(0, v.size));
        v.set(b);
      }
    }
    const dataIn = values['data-in'] !== undefined ? readOption(io, '--data-in', values['data-in']) : undefined;
    // One test run: V8 would not optimise the interpreter within it, so its one-time warm-up (and
    // the optimising compile it starts, which process exit waits for) would only cost time. Decided
    // before the load, which runs the warm-ups (cmd-prog.ts, warmUpAtLoad).
    if ((values.repeat === undefined || Number(values.repeat) <= 1) && !(dataIn !== undefined && isPcap(dataIn))) skipWarmUp();
    obj.load();
    for (const kv of (values.map as string[] | undefined) ?? []) {
      const [name, file] = pair(kv, '--map');
      let entries: unknown;
      try {
        entries = JSON.parse(new TextDecoder().decode(io.readFile(file)));
      } catch (e) {
        throw new CliError('INPUT', `--map ${name}=${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
      }
      seedMap(obj.map(name), entries, `--map ${name}=${file}`);
    }
    const prog = obj.program(values.prog);
    let tracer: Tracer | null = null;
    if (values.trace === true) {
      // with --json the trace goes to stderr, so stdout is the JSON object alone
      const emit = values.json === true ? (t: string) => io.err(t) : (t: string) => io.out(t);
      const limit = values['trace-limit'] !== undefined ? Number(parseInt64(values['trace-limit'], '--trace-limit')) : Infinity;
      if (!(limit >= 1)) throw new CliError('USAGE', `--trace-limit: expected a positive count, got '${values['trace-limit']}'`);
      tracer = makeTracer(emit, limit);
      kernel.tracer = tracer.trace;
    }
    if (prog.type === ProgType.TRACING && prog.expectedAttachType === AttachType.TRACE_ITER) {
      runIter(obj, values.prog, values, io);
      kernel.tracer = null;
      obj.close();
      return EXIT_OK;
    }
    if (dataIn !== undefined && isPcap(dataIn)) {
      try {
        runPcap(prog, dataIn, values['data-in']!, {
          json: values.json === true,
          ...(values['ctx-in'] !== undefined ? { ctxIn: readOption(io, '--ctx-in', values['ctx-in']) } : {}),
          ...(values['ctx-size-out'] !== undefined ? { ctxSizeOut: Number(parseInt64(values['ctx-size-out'], '--ctx-size-out')) } : {}),
          ...(values.repeat !== undefined ? { repeat: Number(parseInt64(values.repeat, '--repeat')) } : {}),
          ...(values.cpu !== undefined ? { cpu: Number(parseInt64(values.cpu, '--cpu')) } : {}),
          ...(values['data-out'] !== undefined ? { dataOut: values['data-out'] } : {}),
          ...(values['ctx-out'] !== undefined ? { ctxOut: values['ctx-out'] } : {}),
        }, io);
      } finally {
        writeCoverage();
      }
      kernel.tracer = null;
      if (values['map-out'] !== undefined) {
        const out: Record<string, object> = {};
        for (const m of obj.maps) if (m.fd >= 0) out[jsonMapName(m)] = dumpMap(m, values.hex === true);
        io.writeFile(values['map-out'], new TextEncoder().encode(`${JSON.stringify(out, null, 1)}\n`));
      }
      obj.close();
      return EXIT_OK;
    }
    let r;
    try {
      r = prog.testRun({
        ...(dataIn !== undefined ? { dataIn } : {}),
        ...(values['ctx-in'] !== undefined ? { ctxIn: readOption(io, '--ctx-in', values['ctx-in']) } : {}),
        ...(values['ctx-size-out'] !== undefined ? { ctxSizeOut: Number(parseInt64(values['ctx-size-out'], '--ctx-size-out')) } : {}),
        ...(values.repeat !== undefined ? { repeat: Number(parseInt64(values.repeat, '--repeat')) } : {}),
        ...(values.cpu !== undefined ? { cpu: Number(parseInt64(values.cpu, '--cpu')), flags: 1 } : {}),
      });
    } finally {
      // (a faulting run's coverage is written too: it shows how far the run got)
      writeCoverage();
    }
    kernel.tracer = null;
    tracer?.finish();
    if (values['map-out'] !== undefined) {
      const out: Record<string, object> = {};
      for (const m of obj.maps) if (m.fd >= 0) out[jsonMapName(m)] = dumpMap(m, values.hex === true);
      io.writeFile(values['map-out'], new TextEncoder().encode(`${JSON.stringify(out, null, 1)}\n`));
    }
    if (values['data-out'] !== undefined && r.dataOut !== null) io.writeFile(values['data-out'], r.dataOut);
    if (values['ctx-out'] !== undefined && r.ctxOut !== null) io.writeFile(values['ctx-out'], r.ctxOut);
    if (values.json === true) {
      const maps: Record<string, object> = {};
      for (const m of obj.maps) if (m.fd >= 0) maps[jsonMapName(m)] = dumpMap(m, values.hex === true);
      io.out(
        `${JSON.stringify({
          retval: r.retval,
          dataOut: r.dataOut === null ? null : toHex(r.dataOut),
          ctxOut: r.ctxOut === null ? null : toHex(r.ctxOut),
          durationNs: r.durationNs,
          maps,
        })}\n`,
      );
    } else {
      const repeat = values.repeat !== undefined && Number(values.repeat) > 1;
      io.out(`Return value: ${r.retval}, duration${repeat ? ' (average)' : ''}: ${r.durationNs}ns\n`);
      if (r.dataOut !== null && values['data-out'] === undefined && r.dataOut.length > 0) io.out(`data_out:\n${hexdump(r.dataOut)}\n`);
      if (r.ctxOut !== null && values['ctx-out'] === undefined && r.ctxOut.length > 0) io.out(`ctx_out:\n${hexdump(r.ctxOut)}\n`);
    }
    obj.close();
    return EXIT_OK;
  },
};
