/**
 * `bpfemu sim sched-ext OBJ --workload FILE.json [...]`: run a sched_ext scheduler object (or,
 * with --fair, the built-in fair policy) on a workload and show what it did: a table, or exactly
 * one JSON object with --json; --trace-out writes a Chrome/Perfetto trace, --svg a Gantt chart.
 */
import type { Io } from '../../cli/io.js';
import { CliError, EXIT_OK, parseCommandArgs, type Command } from '../../cli/registry.js';
import { chromeTrace, ganttSvg, textSummary } from './output.js';
import { simulateSchedExt } from './simulate.js';
import { parseDuration, parseWorkload, SchedSimError } from './workload.js';

const USAGE = `usage: bpfemu sim sched-ext OBJ|--fair --workload FILE.json [options]

  OBJ                  a sched_ext scheduler object (SEC(".struct_ops.link") struct sched_ext_ops)
  --fair               no BPF scheduler: the built-in fair policy, for comparison
  --ops MAP            the sched_ext_ops map to attach (default: the only one)
  --workload FILE      tasks and behaviours (JSON; see README "sched_ext")
  --cpus N             CPUs (default: the workload's "cpus", else 4)
  --smt N              SMT siblings per core (default 1)
  --llc N              CPUs per last-level cache (default: all)
  --duration D         virtual time to simulate, e.g. 5s, 200ms (default 5s)
  --seed N             seed of the bursty behaviours (default 1)
  --json               print one JSON object: exit, durationNs, cpus, tasks
  --trace-out FILE     write a Chrome/Perfetto trace-event JSON (one track per CPU)
  --svg FILE           write an SVG Gantt chart
  --svg-until D        draw only the first D of the run in the SVG`;

function int(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new CliError('USAGE', `sim sched-ext: ${what} must be an integer, got '${v}'`);
  return Number(v);
}

function duration(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseDuration(/^\d+$/.test(v) ? `${v}ns` : v, what);
  } catch (e) {
    if (e instanceof SchedSimError) throw new CliError('USAGE', `sim sched-ext: ${e.message}`);
    throw e;
  }
}

/** `bpfemu sim sched-ext`. */
export const schedExtSimCommand: Command = {
  name: 'sched-ext',
  summary: 'run a sched_ext scheduler on an emulated scheduler core',
  usage: USAGE,
  run(args: readonly string[], io: Io): number {
    const { values, positionals } = parseCommandArgs('sim sched-ext', args, {
      fair: { type: 'boolean' },
      ops: { type: 'string' },
      workload: { type: 'string' },
      cpus: { type: 'string' },
      smt: { type: 'string' },
      llc: { type: 'string' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      'trace-out': { type: 'string' },
      svg: { type: 'string' },
      'svg-until': { type: 'string' },
    });
    const fair = values.fair === true;
    if (fair ? positionals.length !== 0 : positionals.length !== 1) throw new CliError('USAGE', 'sim sched-ext: expected one object file, or --fair');
    if (values.workload === undefined) throw new CliError('USAGE', 'sim sched-ext: --workload FILE.json is required');
    const text = new TextDecoder().decode(io.readFile(values.workload));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new CliError('INPUT', `${values.workload}: not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    const obj = fair ? null : io.readFile(positionals[0]!);
    const cpus = int(values.cpus, '--cpus');
    const durationNs = duration(values.duration, '--duration');
    const seed = int(values.seed, '--seed');
    const smt = int(values.smt, '--smt');
    const llc = int(values.llc, '--llc');
    const wantSpans = values['trace-out'] !== undefined || values.svg !== undefined;
    let r;
    try {
      const wl = parseWorkload(json);
      r = simulateSchedExt(obj, wl, { ...(cpus !== undefined ? { cpus } : {}), ...(durationNs !== undefined ? { durationNs } : {}), ...(seed !== undefined ? { seed } : {}), ...(smt !== undefined ? { smt } : {}), ...(llc !== undefined ? { llc } : {}), ...(values.ops !== undefined ? { ops: values.ops } : {}), spans: wantSpans });
    } catch (e) {
      if (e instanceof SchedSimError) throw new CliError(e.code === 'BAD_OPTION' ? 'USAGE' : 'INPUT', `sim sched-ext: ${e.message}`);
      throw e;
    }
    const nrCpus = r.summary.cpus.length;
    if (values['trace-out'] !== undefined) io.writeFile(values['trace-out'], new TextEncoder().encode(chromeTrace(r, nrCpus)));
    if (values.svg !== undefined) {
      const until = duration(values['svg-until'], '--svg-until');
      io.writeFile(values.svg, new TextEncoder().encode(ganttSvg(r, nrCpus, until !== undefined ? { untilNs: until } : {})));
    }
    io.out(values.json === true ? `${JSON.stringify(r.summary)}\n` : textSummary(r));
    return EXIT_OK;
  },
};
