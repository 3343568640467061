/**
 * `bpfemu sim NAME ...`: the struct_ops subsystem simulators. Each simulator is one entry of
 * {@link SIMULATORS} (its own command object, kept beside its subsystem's CLI code); this command
 * only dispatches to it by name and lists the simulators there are.
 */
import type { Io } from '../io.js';
import { CliError, EXIT_OK, type Command } from '../registry.js';
import { tcpSimCommand } from '../../subsystems/tcp_cc/cli.js';
import { schedExtSimCommand } from '../../subsystems/sched_ext/cli.js';

/** The simulators by name (`bpfemu sim <name>`); a subsystem adds its entry here. */
export const SIMULATORS: readonly Command[] = [schedExtSimCommand, tcpSimCommand];

function usage(): string {
  const lines = SIMULATORS.map((s) => `  ${s.name.padEnd(12)} ${s.summary}`);
  // runCli answers any `--help` after the command name with this text (`bpfemu sim NAME --help`
  // included), so it carries every simulator's own usage too.
  return `usage: bpfemu sim NAME [options]

simulators:
${lines.length === 0 ? '  (none)' : lines.join('\n')}${SIMULATORS.map((s) => `\n\n${s.usage}`).join('')}`;
}

export const simCommand: Command = {
  name: 'sim',
  summary: 'run a struct_ops object in a subsystem simulator',
  get usage() {
    return usage();
  },
  run(args: readonly string[], io: Io): number {
    const [name, ...rest] = args;
    if (name === undefined || name === '--help' || name === '-h') {
      io.out(`${usage()}\n`);
      return EXIT_OK;
    }
    const sim = SIMULATORS.find((s) => s.name === name);
    if (sim === undefined) throw new CliError('USAGE', `sim: unknown simulator '${name}' (available: ${SIMULATORS.map((s) => s.name).join(', ') || 'none'})`);
    return sim.run(rest, io);
  },
};
