/** `bpfemu btf`: an object's BTF as C declarations. */
import { BtfError } from '../../btf/errors.js';
import { printC } from '../../btf/printc.js';
import type { Io } from '../io.js';
import { CliError, EXIT_OK, parseCommandArgs, type Command } from '../registry.js';
import { loadObjectFile } from './object.js';

/** `bpfemu btf`. */
export const btfCommand: Command = {
  name: 'btf',
  summary: "print a BPF object's BTF as C (like bpftool btf dump format c)",
  usage: [
    'usage: bpfemu btf OBJ [--no-header]',
    '',
    "Loads the object and prints its BTF (DATASECs fixed up) as C declarations, in the style of",
    "`bpftool btf dump file OBJ format c`. --no-header drops the include guard and pragma.",
  ].join('\n'),
  run(args: readonly string[], io: Io): number {
    const { values, positionals } = parseCommandArgs('btf', args, { 'no-header': { type: 'boolean' } });
    if (positionals.length !== 1) throw new CliError('USAGE', 'btf: expected one object file');
    const path = positionals[0]!;
    const spec = loadObjectFile(io, path);
    if (spec.btf === undefined) throw new CliError('INPUT', `${path}: the object has no .BTF section`);
    let text: string;
    try {
      text = printC(spec.btf, { header: values['no-header'] !== true });
    } catch (e) {
      if (e instanceof BtfError) throw e.wrap(path);
      throw e;
    }
    io.out(text);
    return EXIT_OK;
  },
};
