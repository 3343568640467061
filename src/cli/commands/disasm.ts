/** `bpfemu disasm`: raw instruction bytes (or hex), or the linked programs of a BPF object. */
import { disassemble, type Syntax } from '../../isa/disasm.js';
import { readInsns, type RawInsn } from '../../isa/insn.js';
import { parseHexBytes } from '../../conformance/format.js';
import { programListing } from '../../object/listing.js';
import { helperName } from '../../helpers/table.js';
import { utf8, type Io } from '../io.js';
import { CliError, EXIT_OK, parseCommandArgs, type Command } from '../registry.js';
import { loadObjectFile } from './object.js';
import type { LineInfoSpec } from '../../object/spec.js';
import { buildCfg, cfgToDot, cfgToSvg } from '../../isa/cfg.js';

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** What an input file holds. */
export type InputFormat = 'raw' | 'elf';

/** Sniff the input format from its first bytes. */
export function detectFormat(bytes: Uint8Array): InputFormat {
  return ELF_MAGIC.every((b, i) => bytes[i] === b) ? 'elf' : 'raw';
}

/** The instructions of a raw disasm input. */
function programOf(path: string, bytes: Uint8Array): RawInsn[] {
  if (bytes.length % 8 !== 0) throw new CliError('INPUT', `${path}: ${bytes.length} bytes is not a whole number of 8-byte instructions`);
  return readInsns(bytes);
}

/**
 * Disassemble the linked programs of an ELF object (all, or the one named by --prog): kernel
 * syntax with source lines from BTF line info, or the mnemonic dialect without them.
 */
function disasmObject(io: Io, path: string, bytes: Uint8Array, prog: string | undefined, syntax: Syntax, pcs: boolean): string {
  const spec = loadObjectFile(io, path, bytes);
  const progs = prog === undefined ? spec.programs : spec.programs.filter((p) => p.name === prog);
  if (progs.length === 0) {
    throw new CliError('INPUT', `${path}: ${prog === undefined ? 'no programs' : `no program '${prog}' (programs: ${spec.programs.map((p) => p.name).join(', ') || 'none'})`}`);
  }
  const out: string[] = [];
  for (const p of progs) {
    if (out.length > 0) out.push('');
    out.push(`${p.name} (${p.typeName.toLowerCase()}, section ${p.section}, ${p.insns.length} insns):`);
    out.push(...(syntax === 'kernel' && pcs ? programListing(spec, p, { helperName }) : disassemble(p.insns, { syntax, pcs })));
  }
  return out.map((l) => `${l}\n`).join('');
}

/** `bpfemu disasm`. */
export const disasmCommand: Command = {
  name: 'disasm',
  summary: 'disassemble raw instruction bytes or the programs of a BPF object',
  usage: [
    'usage: bpfemu disasm FILE|- [--hex] [--syntax kernel|mnemonic] [--labels] [--no-pcs] [--prog NAME] [--visual [-o FILE.dot|FILE.svg]]',
    '',
    'Reads little-endian instruction bytes (with --hex: hex text, whitespace ignored) and prints',
    'one instruction per line. --syntax mnemonic prints the assembler dialect; --labels uses',
    'labels for jump targets; --no-pcs drops the pc column so the output assembles again.',
    '',
    'An ELF object (.bpf.o) is loaded and each linked program (or only --prog NAME) is printed',
    'in the kernel syntax with its source lines from BTF line info, like',
    '`bpftool prog dump xlated linum`.',
    '',
    '--visual writes the control-flow graph of one program (the first, or --prog NAME) like',
    '`bpftool prog dump xlated visual`: Graphviz DOT on stdout, or -o FILE (.dot, or .svg for a',
    'self-contained picture that needs no Graphviz), blocks with their source lines.',
  ].join('\n'),
  run(args: readonly string[], io: Io): number {
    const { values, positionals } = parseCommandArgs('disasm', args, {
      hex: { type: 'boolean' },
      syntax: { type: 'string' },
      labels: { type: 'boolean' },
      'no-pcs': { type: 'boolean' },
      prog: { type: 'string' },
      visual: { type: 'boolean' },
      o: { type: 'string', short: 'o' },
    });
    if (positionals.length !== 1) throw new CliError('USAGE', 'disasm: expected one input file (- for stdin)');
    const syntax = values.syntax ?? 'kernel';
    if (syntax !== 'kernel' && syntax !== 'mnemonic') throw new CliError('USAGE', `disasm: --syntax must be kernel or mnemonic, got '${syntax}'`);
    const path = positionals[0]!;
    const name = path === '-' ? 'stdin' : path;
    let bytes = io.readFile(path);
    if (values.visual === true) {
      // the control-flow graph of one program, as DOT (default) or SVG (-o FILE.svg)
      let insns: readonly RawInsn[];
      let lineInfo: readonly LineInfoSpec[] = [];
      let title = name;
      if (values.hex !== true && detectFormat(bytes) === 'elf') {
        const spec = loadObjectFile(io, path, bytes);
        const p = values.prog === undefined ? spec.programs[0] : spec.programs.find((x) => x.name === values.prog);
        if (p === undefined) throw new CliError('INPUT', `${path}: ${values.prog === undefined ? 'no programs' : `no program '${values.prog}' (programs: ${spec.programs.map((x) => x.name).join(', ')})`}`);
        insns = p.insns;
        lineInfo = p.lineInfo;
        title = p.name;
      } else {
        if (values.hex === true) {
          const parsed = parseHexBytes(utf8(bytes));
          if (parsed === undefined) throw new CliError('INPUT', `${name}: not hex text`);
          bytes = parsed;
        }
        insns = programOf(name, bytes);
      }
      const g = buildCfg(insns, lineInfo, helperName);
      const svg = values.o?.endsWith('.svg') === true;
      const text = svg ? cfgToSvg(title, g) : cfgToDot(title, g);
      if (values.o !== undefined) io.writeFile(values.o, new TextEncoder().encode(text));
      else io.out(text);
      return EXIT_OK;
    }
    if (values.o !== undefined) throw new CliError('USAGE', 'disasm: -o goes with --visual');
    if (values.hex !== true && detectFormat(bytes) === 'elf') {
      io.out(disasmObject(io, path, bytes, values.prog, syntax as Syntax, values['no-pcs'] !== true));
      return EXIT_OK;
    }
    if (values.prog !== undefined) throw new CliError('USAGE', 'disasm: --prog needs an ELF object');
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
