/** `bpfemu asm`: mnemonic text to raw instruction bytes. */
import { AsmError, assemble } from '../../isa/asm.js';
import { writeInsns } from '../../isa/insn.js';
import { toHex } from '../../util/bytes.js';
import { utf8, type Io } from '../io.js';
import { CliError, EXIT_OK, parseCommandArgs, type Command } from '../registry.js';

/** One slot per line, 16 hex digits each (the bytes in file order; the plugin reads this). */
export function hexLines(bytes: Uint8Array): string {
  let s = '';
  for (let p = 0; p < bytes.length; p += 8) s += `${toHex(bytes.subarray(p, p + 8))}\n`;
  return s;
}

/** `bpfemu asm`. */
export const asmCommand: Command = {
  name: 'asm',
  summary: 'assemble mnemonic text (bpf_conformance dialect) into raw instructions',
  usage: [
    'usage: bpfemu asm FILE|- [-o FILE] [--hex]',
    '',
    'Assembles FILE (or stdin) and writes the little-endian instruction bytes to stdout or to',
    'the -o file. --hex writes hex text instead, one 8-byte instruction per line.',
  ].join('\n'),
  run(args: readonly string[], io: Io): number {
    const { values, positionals } = parseCommandArgs('asm', args, { output: { type: 'string', short: 'o' }, hex: { type: 'boolean' } });
    if (positionals.length !== 1) throw new CliError('USAGE', 'asm: expected one input file (- for stdin)');
    const path = positionals[0]!;
    let bytes: Uint8Array;
    try {
      bytes = writeInsns(assemble(utf8(io.readFile(path))));
    } catch (e) {
      if (e instanceof AsmError) throw e.wrap(path === '-' ? 'stdin' : path);
      throw e;
    }
    const data = values.hex === true ? new TextEncoder().encode(hexLines(bytes)) : bytes;
    if (values.output !== undefined) io.writeFile(values.output, data);
    else io.out(data);
    return EXIT_OK;
  },
};
