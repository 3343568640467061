/**
 * `bpfemu <command> [args]`: dispatch through the command table, print errors as
 * `bpfemu: <message>`, and map them to exit codes (see registry.ts).
 */
import { BpfemuError } from '../util/errors.js';
import { asmCommand } from './commands/asm.js';
import { conformancePluginCommand } from './commands/conformance-plugin.js';
import { conformanceCommand } from './commands/conformance.js';
import { btfCommand } from './commands/btf.js';
import { disasmCommand } from './commands/disasm.js';
import { inspectCommand } from './commands/inspect.js';
import { runCommand } from './commands/run.js';
import { demoCommand } from './commands/demo.js';
import { verifyCommand } from './commands/verify.js';
import { genCommand } from './commands/gen.js';
import { mapCommand } from './commands/map.js';
import { simCommand } from './commands/sim.js';
import type { Io } from './io.js';
import { VERSION } from './version.js';
import { CliError, EXIT_FAIL, EXIT_OK, EXIT_USAGE, type Command } from './registry.js';

/** Every command of the CLI, in help order. */
export const COMMANDS: readonly Command[] = [demoCommand, runCommand, verifyCommand, inspectCommand, disasmCommand, btfCommand, asmCommand, genCommand, mapCommand, conformanceCommand, conformancePluginCommand, simCommand];

function help(commands: readonly Command[]): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: bpfemu <command> [args]      (bpfemu --version, bpfemu help <command>)',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    "run 'bpfemu <command> --help' for a command's options",
    '',
  ].join('\n');
}

/** Run the CLI with `argv` (without node and script) and return the exit code. */
export function runCli(argv: readonly string[], io: Io, commands: readonly Command[] = COMMANDS): number {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`bpfemu ${VERSION}\n`);
    return EXIT_OK;
  }
  if (name === 'help' && rest.length > 0) {
    // `bpfemu help CMD` is `bpfemu CMD --help`
    const c = commands.find((x) => x.name === rest[0]);
    if (c === undefined) {
      io.err(`bpfemu: help: unknown command '${rest[0]}'\n${help(commands)}`);
      return EXIT_USAGE;
    }
    io.out(`${c.usage}\n`);
    return EXIT_OK;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help(commands));
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const cmd = commands.find((c) => c.name === name);
  if (cmd === undefined) {
    io.err(`bpfemu: unknown command '${name}'\n${help(commands)}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${cmd.usage}\n`);
    return EXIT_OK;
  }
  try {
    return cmd.run(rest, io);
  } catch (e) {
    if (!(e instanceof BpfemuError)) throw e;
    if (rest.includes('--json')) {
      // under --json, stdout stays JSON: the error is an object there (as bpftool -j prints it)
      io.out(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
      return e instanceof CliError && e.code === 'USAGE' ? EXIT_USAGE : EXIT_FAIL;
    }
    io.err(`bpfemu: ${e.message}\n`);
    if (e instanceof CliError && e.code === 'USAGE') {
      io.err(`${cmd.usage}\n`);
      return EXIT_USAGE;
    }
    return EXIT_FAIL;
  }
}
