/**
 * `bpfemu gen types OBJ [-o FILE.ts]`: TypeScript types for a BPF object from its BTF (programs,
 * maps with their key and value types, globals, a typed `bind(obj)`), like `bpftool gen skeleton`.
 */
import { genTypes } from '../../api/gen-types.js';
import { loadObjectSpec, objectNameFromPath } from '../../object/load.js';
import type { Io } from '../io.js';
import { CliError, EXIT_OK, parseCommandArgs, type Command } from '../registry.js';

const USAGE = `usage: bpfemu gen types OBJ [-o FILE.ts]

Write TypeScript declarations for OBJ from its BTF: the program names, every BTF-typed map as
TypedMap<Key, Value>, the globals, and bind(obj) returning them typed:

  import { bind } from './xdp_firewall.types.js';
  const fw = bind(obj);
  fw.maps.proto_stats.get(1);          // Counter | undefined, { packets: bigint; bytes: bigint }
  fw.globals.blocked_tcp_port = 8080;  // number (a u16, range-checked)

  -o FILE   write to FILE instead of stdout`;

export const genCommand: Command = {
  name: 'gen',
  summary: 'generate TypeScript types for a BPF object from its BTF (like bpftool gen skeleton)',
  usage: USAGE,
  run(args: readonly string[], io: Io): number {
    const { values, positionals } = parseCommandArgs('gen', args, { o: { type: 'string', short: 'o' } } as const);
    const [what, path, ...extra] = positionals;
    if (what !== 'types') throw new CliError('USAGE', `gen: expected 'types', got ${what === undefined ? 'nothing' : `'${what}'`}`);
    if (path === undefined) throw new CliError('USAGE', 'gen types: missing OBJ');
    if (extra.length > 0) throw new CliError('USAGE', `gen types: unexpected argument '${extra[0]}'`);
    const name = objectNameFromPath(path);
    const text = genTypes(loadObjectSpec(io.readFile(path), { name }), name);
    if (values.o !== undefined) io.writeFile(values.o, new TextEncoder().encode(text));
    else io.out(text);
    return EXIT_OK;
  },
};
