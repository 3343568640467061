/** `bpfemu disasm`: raw instruction bytes (or hex) to kernel or mnemonic syntax. */
import { disassemble, type Syntax } from '../../isa/disasm.js';
import { readInsns, type RawInsn } from '../../isa/insn.js';
import { parseHexBytes } from '../../conformance/format.js';
import { utf8, type Io } from '../io.js';
import { CliError, EXIT_OK, parseCommandArgs, type Command } from '../registry.js';

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** What an input file holds. */
export type InputFormat = 'raw' | 'elf';

/** Sniff the input format from its first bytes. */
export function detectFormat(bytes: Uint8Array): InputFormat {
  return ELF_MAGIC.every((b, i) => bytes[i] === b) ? 'elf' : 'raw';
}

/** The instructions of a disasm input, by format. */
function programOf(path: string, bytes: Uint8Array): RawInsn[] {
  switch (detectFormat(bytes)) {
    case 'elf':
      // ELF objects need the object loader; until disasm is wired to it, say so instead of
      // decoding ELF headers as instructions.
      throw new CliError('INPUT', `${path}: ELF objects are not supported by disasm yet; pass raw instruction bytes`);
    case 'raw':
      if (bytes.length % 8 !== 0) throw new CliError('INPUT', `${path}: ${bytes.length} bytes is not a whole number of 8-byte instructions`);
      return readInsns(bytes);
  }
}

/** `bpfemu disasm`. */
export const disasmCommand: Command = {
  name: 'disasm',
  summary: 'disassemble raw instruction bytes (kernel or mnemonic syntax)',
  usage: [
    'usage: bpfemu disasm FILE|- [--hex] [--syntax kernel|mnemonic] [--labels] [--no-pcs]',
    '',
    'Reads little-endian instruction bytes (with --hex: hex text, whitespace ignored) and prints',
    'one instruction per line. --syntax mnemonic prints the assembler dialect; --labels uses',
    'labels for jump targets; --no-pcs drops the pc column so the output assembles again.',
  ].join('\n'),
  run(args: readonly string[], io: Io): number {
    const { values, positionals } = parseCommandArgs('disasm', args, {
      hex: { type: 'boolean' },
      syntax: { type: 'string' },
      labels: { type: 'boolean' },
      'no-pcs': { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new CliError('USAGE', 'disasm: expected one input file (- for stdin)');
    const syntax = values.syntax ?? 'kernel';
    if (syntax !== 'kernel' && syntax !== 'mnemonic') throw new CliError('USAGE', `disasm: --syntax must be kernel or mnemonic, got '${syntax}'`);
    const path = positionals[0]!;
    const name = path === '-' ? 'stdin' : path;
    let bytes = io.readFile(path);
    if (values.hex === true) {
      const parsed = parseHexBytes(utf8(bytes));
      if (parsed === undefined) throw new CliError('INPUT', `${name}: not hex text`);
      bytes = parsed;
    }
    const lines = disassemble(programOf(name, bytes), { syntax: syntax as Syntax, labels: values.labels === true, pcs: values['no-pcs'] !== true });
    io.out(lines.map((l) => `${l}\n`).join(''));
    return EXIT_OK;
  },
};
