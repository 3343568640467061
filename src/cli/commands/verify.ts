/**
 * `bpfemu verify OBJ [--prog NAME] [--log-level 1|2|4] [--json]`: run the load-time verifier on
 * every program of an object (each loaded on its own, as `bpftool prog loadall` would try them)
 * and print a veristat-like table, the log of every refused program, or one JSON object.
 */
import { BpfObject } from '../../api/object.js';
import { verifyProgram, type ProgramVerdict } from '../../api/views.js';
import type { Io } from '../io.js';
import { CliError, EXIT_FAIL, EXIT_OK, parseCommandArgs, type Command } from '../registry.js';

const USAGE = `usage: bpfemu verify OBJ [--prog NAME] [--log-level 1|2|4] [--json] [--testmod]

Load every program of OBJ (or only NAME) through the emulated kernel's verifier, as Linux 6.18's
would, and print per program: verdict, instructions processed, total and peak states, time. The
log of every refused program follows the table (level 1: the failing path; 2: every instruction;
4: statistics). Exits 1 when any program is refused.

  --json   one object: {"programs":[{"name","type","verdict","errno","pc","line","insnsProcessed",
           "totalStates","peakStates","timeUs","log"}]}`;

/** One program's verdict. */
type Row = Omit<ProgramVerdict, 'lineText'>;

function verifyOne(bytes: Uint8Array, name: string, prog: string, logLevel: number, testmod: boolean): Row {
  const { lineText: _, ...row } = verifyProgram(bytes, prog, { name, logLevel, ...(testmod ? { kernelOptions: { testmod: true } } : {}) });
  return row;
}

function table(rows: readonly Row[]): string {
  const head = ['Program', 'Type', 'Verdict', 'Insns', 'States', 'Peak states', 'Time (us)'];
  const body = rows.map((r) => [r.name, r.type, r.verdict === 'accepted' ? 'success' : `failure (${r.errno ?? '?'})`, `${r.insnsProcessed}`, `${r.totalStates}`, `${r.peakStates}`, `${r.timeUs}`]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: readonly string[]): string => cells.map((c, i) => (i >= 3 ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [fmt(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(fmt)].join('\n');
}

/** `bpfemu verify`. */
export const verifyCommand: Command = {
  name: 'verify',
  summary: 'verify every program of an object as the 6.18 verifier would (veristat-like table, logs)',
  usage: USAGE,
  run(args: readonly string[], io: Io): number {
    const { values, positionals } = parseCommandArgs('verify', args, {
      prog: { type: 'string' },
      'log-level': { type: 'string' },
      json: { type: 'boolean' },
      testmod: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new CliError('USAGE', 'verify: expected one object file');
    const path = positionals[0]!;
    const level = values['log-level'] === undefined ? 1 : Number(values['log-level']);
    if (![1, 2, 4, 5, 6].includes(level)) throw new CliError('USAGE', `verify: --log-level must be 1, 2 or 4, got '${values['log-level']}'`);
    const bytes = io.readFile(path);
    const name = path.split('/').pop()!.replace(/\.bpf\.o$|\.o$/, '');
    let names: string[];
    try {
      names = BpfObject.open(bytes, { name }).programs.map((p) => p.name);
    } catch (e) {
      if (e instanceof Error && 'wrap' in e) throw (e as unknown as { wrap(s: string): Error }).wrap(path);
      throw e;
    }
    if (values.prog !== undefined) {
      if (!names.includes(values.prog)) throw new CliError('INPUT', `${path}: no program '${values.prog}' (${names.join(', ')})`);
      names = [values.prog];
    }
    const rows = names.map((n) => verifyOne(bytes, name, n, level, values.testmod === true));
    const failed = rows.some((r) => r.verdict === 'rejected');
    if (values.json === true) {
      io.out(`${JSON.stringify({ programs: rows })}\n`);
      return failed ? EXIT_FAIL : EXIT_OK;
    }
    io.out(`${table(rows)}\n`);
    for (const r of rows) {
      if (r.verdict !== 'rejected') continue;
      io.out(`\n-- ${r.name}: ${r.errno}${r.pc !== null ? ` at pc ${r.pc}` : ''}${r.line !== null ? ` (${r.line})` : ''} --\n${r.log.trimEnd()}\n`);
    }
    return failed ? EXIT_FAIL : EXIT_OK;
  },
};
