/**
 * The command registry of `bpfemu`: each command is a table entry with a name, a one-line summary,
 * its usage text and a `run` function returning the exit code.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BpfemuError } from '../util/errors.js';
import type { Io } from './io.js';

/** Exit code of success. */
export const EXIT_OK = 0;
/** Exit code when the work failed (bad input, a load or run error, failing cases). */
export const EXIT_FAIL = 1;
/** Exit code of a usage error (unknown command or option, missing argument). */
export const EXIT_USAGE = 2;

/** Error codes of the CLI layer. */
export type CliErrorCode = 'USAGE' | 'INPUT' | 'IO';

/** A CLI-level error: printed as `bpfemu: <message>`; USAGE exits 2, the others 1. */
export class CliError extends BpfemuError<CliErrorCode> {
  constructor(
    readonly code: CliErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One `bpfemu <name>` command. */
export interface Command {
  readonly name: string;
  /** One line for `bpfemu --help`. */
  readonly summary: string;
  /** Full usage text for `bpfemu <name> --help`. */
  readonly usage: string;
  /** Run with the arguments after the command name; returns the exit code. */
  run(args: readonly string[], io: Io): number;
}

/** `util.parseArgs` with usage errors turned into {@link CliError}. */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: readonly string[],
  options: O,
): { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] } {
  try {
    const r = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return r as unknown as { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] };
  } catch (e) {
    throw new CliError('USAGE', `${command}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
