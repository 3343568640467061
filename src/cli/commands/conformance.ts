/** `bpfemu conformance`: run conformance case files and print a pass/fail summary. */
import { messageOf } from '../../util/errors.js';
import { parseCase } from '../../conformance/format.js';
import { checkCase } from '../../conformance/runner.js';
import type { EngineName } from '../../vm/run.js';
import { utf8, type Io } from '../io.js';
import { CliError, EXIT_FAIL, EXIT_OK, parseCommandArgs, type Command } from '../registry.js';

/** Case files under the given paths: files as given, directories searched for `*.data`. */
export function collectCaseFiles(io: Io, paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (p: string, depth: number): void => {
    if (depth > 32) throw new CliError('INPUT', `${p}: directories nested too deeply`);
    if (!io.isDirectory(p)) {
      out.push(p);
      return;
    }
    for (const child of io.listDir(p)) {
      if (io.isDirectory(child)) walk(child, depth + 1);
      else if (child.endsWith('.data')) out.push(child);
    }
  };
  for (const p of paths) walk(p, 0);
  return out;
}

/** `bpfemu conformance`. */
export const conformanceCommand: Command = {
  name: 'conformance',
  summary: 'run conformance case files (-- asm/raw/mem/result/error) on the interpreters',
  usage: [
    'usage: bpfemu conformance DIR|FILE... [--engine fast|reference|both] [--filter REGEX] [--verbose]',
    '',
    'Runs every case file (directories: every *.data file below them) on the chosen engines',
    '(default both) and prints failures and a summary. Exits 1 if any case fails.',
  ].join('\n'),
  run(args: readonly string[], io: Io): number {
    const { values, positionals } = parseCommandArgs('conformance', args, {
      engine: { type: 'string' },
      filter: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    });
    if (positionals.length === 0) throw new CliError('USAGE', 'conformance: expected at least one case file or directory');
    const which = values.engine ?? 'both';
    if (which !== 'fast' && which !== 'reference' && which !== 'both') throw new CliError('USAGE', `conformance: --engine must be fast, reference or both, got '${which}'`);
    const engines: EngineName[] = which === 'both' ? ['fast', 'reference'] : [which];
    let filter: RegExp | undefined;
    try {
      filter = values.filter === undefined ? undefined : new RegExp(values.filter);
    } catch (e) {
      throw new CliError('USAGE', `conformance: bad --filter: ${messageOf(e)}`);
    }
    const files = collectCaseFiles(io, positionals).filter((f) => filter === undefined || filter.test(f));
    let passed = 0;
    let failed = 0;
    for (const file of files) {
      let c;
      try {
        c = parseCase(utf8(io.readFile(file)), file);
      } catch (e) {
        failed += engines.length;
        io.out(`FAIL ${file}: ${messageOf(e)}\n`);
        continue;
      }
      for (const engine of engines) {
        const v = checkCase(c, { engine });
        if (v.pass) {
          passed++;
          if (values.verbose === true) io.out(`pass ${file} [${engine}]\n`);
        } else {
          failed++;
          io.out(`FAIL ${file} [${engine}]: ${v.detail}\n`);
        }
      }
    }
    io.out(`${files.length} case files, ${engines.join('+')}: ${passed} passed, ${failed} failed\n`);
    return failed === 0 ? EXIT_OK : EXIT_FAIL;
  },
};
