/** `bpfemu conformance-plugin`: the bpf_conformance plugin protocol (see conformance/plugin.ts). */
import { runPlugin } from '../../conformance/plugin.js';
import { utf8, type Io } from '../io.js';
import type { Command } from '../registry.js';

/** `bpfemu conformance-plugin`. */
export const conformancePluginCommand: Command = {
  name: 'conformance-plugin',
  summary: 'run one program the bpf_conformance way (program as hex on stdin, r0 on stdout)',
  usage: [
    'usage: bpfemu conformance-plugin [MEMORY-HEX] [--engine fast|reference] [--budget N]',
    '',
    'Reads the program as hex bytes from stdin; MEMORY-HEX (space-separated hex bytes) becomes',
    'the input region: r1 points to it and r2 holds its length. Prints r0 in hex and exits 0, or',
    'prints the load/run error on stderr and exits 1. Helper 5 is "unwind". Other options',
    '(--elf, --debug, ...) are accepted and ignored, as bpf_conformance runners pass them.',
  ].join('\n'),
  run(args: readonly string[], io: Io): number {
    const r = runPlugin(args, utf8(io.readFile('-')));
    if (r.stdout !== '') io.out(r.stdout);
    if (r.stderr !== '') io.err(r.stderr);
    return r.exitCode;
  },
};
