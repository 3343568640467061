/**
 * The bpf_conformance plugin protocol, as a pure function (the CLI does the I/O):
 *
 *   argv:   [memory as space-separated hex bytes] [options...]   options start with `-`; unknown
 *           ones (`--elf`, `--debug`, ...) are tolerated. bpfemu adds `--engine fast|reference`
 *           and `--budget N`.
 *   stdin:  the program as hex bytes (whitespace-separated or not), 8 per instruction, little-endian
 *   stdout: r0 in lowercase hex without prefix (the runner parses it with stoull(s, 16)); exit 0
 *   stderr: a message on a load or run error; exit 1
 *
 * r1 points to the memory and r2 holds its length; helper 5 is "unwind" (see runner.ts).
 */
import { readInsns } from '../isa/insn.js';
import type { EngineName } from '../vm/run.js';
import { parseHexBytes } from './format.js';
import { runInsns, type ConformanceRunOptions } from './runner.js';

/** What the CLI should print and exit with. */
export interface PluginResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of the plugin that take a value. */
const VALUE_OPTIONS = new Set(['--engine', '--budget']);

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function fail(message: string): PluginResult {
  return { exitCode: 1, stdout: '', stderr: `${message}\n` };
}

/** Handle one plugin invocation: `args` are the command-line arguments, `input` is stdin. */
export function runPlugin(args: readonly string[], input: string): PluginResult {
  let memText: string | undefined;
  const opts: ConformanceRunOptions = {};
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (a.startsWith('-')) {
      const [name, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      if (!VALUE_OPTIONS.has(name)) continue; // --elf, --debug, ...: tolerated
      const value = inline ?? args[++k];
      if (value === undefined) return fail(`option ${name} needs a value`);
      if (name === '--engine') {
        if (value !== 'fast' && value !== 'reference') return fail(`--engine must be fast or reference, got '${value}'`);
        opts.engine = value as EngineName;
      } else {
        const n = Number(value);
        if (!Number.isSafeInteger(n) || n < 1) return fail(`--budget must be a positive integer, got '${value}'`);
        opts.budget = n;
      }
    } else if (memText === undefined) memText = a;
    else return fail(`unexpected argument '${a}' (the memory was already given)`);
  }
  const program = parseHexBytes(input);
  if (program === undefined) return fail('program: stdin is not hex bytes');
  if (ELF_MAGIC.every((b, i) => program[i] === b)) return fail('program: ELF input is not supported by this plugin yet; pass raw instructions');
  if (program.length === 0) return fail('program: no instructions on stdin');
  if (program.length % 8 !== 0) return fail(`program: ${program.length} bytes is not a whole number of 8-byte instructions`);
  let mem: Uint8Array | null = null;
  if (memText !== undefined) {
    const m = parseHexBytes(memText);
    if (m === undefined) return fail('memory: argument is not hex bytes');
    mem = m;
  }
  const out = runInsns(readInsns(program), mem, opts);
  if (!out.ok) return fail(`${out.error.stage} error: ${out.error.message}`);
  return { exitCode: 0, stdout: `${out.r0.toString(16)}\n`, stderr: '' };
}
