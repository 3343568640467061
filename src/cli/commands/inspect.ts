/** `bpfemu inspect`: what an object holds (sections, programs, maps, globals, externs, struct_ops). */
import { specToJSON, type MapSpec, type ObjectSpec } from '../../object/index.js';
import type { Io } from '../io.js';
import { CliError, EXIT_OK, parseCommandArgs, type Command } from '../registry.js';
import { loadObjectFile } from './object.js';

const hex = (n: number) => `0x${n.toString(16)}`;

function mapLine(m: MapSpec, indent = '  '): string[] {
  const types = m.keyType !== '' || m.valueType !== '' ? `  key ${m.keyType || '-'}  value ${m.valueType || '-'}` : '';
  const extra = [m.flags !== 0 ? `flags ${hex(m.flags)}` : '', m.mapExtra !== 0n ? `map_extra ${m.mapExtra}` : '', m.pinning !== 0 ? 'pinned by name' : '', m.autocreate ? '' : 'autocreate=false']
    .filter((x) => x !== '')
    .join(', ');
  const out = [`${indent}${m.name}  ${m.typeName.toLowerCase()}  key ${m.keySize}  value ${m.valueSize}  max_entries ${m.maxEntries}${extra === '' ? '' : `  (${extra})`}${types}`];
  if (m.innerMap !== undefined) out.push(...mapLine(m.innerMap, `${indent}  inner: `));
  for (const s of m.initSlots ?? []) out.push(`${indent}  [${s.index}] = ${s.kind} ${s.target}`);
  return out;
}

/** The human-readable summary printed by `bpfemu inspect`. */
export function inspectText(spec: ObjectSpec): string {
  const out: string[] = [];
  out.push(`object ${spec.name || '-'}: ${spec.byteOrder}-endian, license "${spec.license}"${spec.kernVersion !== 0 ? `, version ${hex(spec.kernVersion)}` : ''}, ${spec.btf === undefined ? 'no BTF' : `BTF ${spec.btf.typeCount - 1} types`}${spec.hasBtfExt ? ' + .BTF.ext' : ''}`);
  out.push('', 'sections:');
  for (const s of spec.sections) if (s.role !== 'debug' && s.role !== 'ignored') out.push(`  [${String(s.index).padStart(2)}] ${s.name.padEnd(24)} ${s.role.padEnd(11)} ${s.size} bytes`);
  out.push('', 'programs:');
  for (const p of spec.programs) {
    const attach = [p.expectedAttachTypeName, p.attachTarget].filter((x) => x !== '').join(' ');
    const flags = [p.sleepable ? 'sleepable' : '', p.xdpFrags ? 'frags' : '', p.autoload ? '' : 'autoload=false', p.poisoned.length > 0 ? `${p.poisoned.length} poisoned` : ''].filter((x) => x !== '');
    out.push(`  ${p.name}  ${p.typeName.toLowerCase()}  section ${p.section}${attach === '' ? '' : `  attach ${attach}`}  ${p.insns.length} insns${p.functions.length > 1 ? ` (${p.functions.slice(1).map((f) => f.name).join(', ')})` : ''}${flags.length > 0 ? `  [${flags.join(', ')}]` : ''}`);
  }
  const user = spec.maps.filter((m) => m.source === 'btf' || m.source === 'legacy');
  const globals = spec.maps.filter((m) => m.source === 'internal');
  const structOps = spec.maps.filter((m) => m.source === 'struct_ops');
  if (user.length > 0) {
    out.push('', 'maps:');
    for (const m of user) out.push(...mapLine(m));
  }
  if (globals.length > 0) {
    out.push('', 'globals:');
    for (const m of globals) {
      const i = m.internal!;
      out.push(`  ${i.section} (map ${m.name}, ${m.valueSize} bytes${i.readonly ? ', read-only' : ''})`);
      for (const v of i.variables) out.push(`    +${v.offset} ${v.name} (${v.size} bytes${v.linkage === 'static' ? ', static' : ''})`);
    }
  }
  if (spec.externs.length > 0) {
    out.push('', 'externs:');
    for (const e of spec.externs) {
      const k = e.kconfig === undefined ? '' : `  .kconfig+${e.kconfig.offset} ${e.kconfig.type} (${e.kconfig.size} bytes)`;
      out.push(`  ${e.name}  ${e.kind}${e.weak ? ' weak' : ''}${e.typeless ? ' typeless' : ''}${k}`);
    }
  }
  if (structOps.length > 0) {
    out.push('', 'struct_ops:');
    for (const m of structOps) {
      const so = m.structOps!;
      out.push(`  ${m.name}: struct ${so.typeName} (${m.valueSize} bytes)${so.link ? ' link' : ''}${so.autocreate ? '' : ' autocreate=false'}`);
      for (const mem of so.members) out.push(`    +${mem.offset} ${mem.name}${mem.kind === 'func' ? ` = ${mem.program ?? 'NULL'}` : ''}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** `bpfemu inspect`. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show what a BPF object holds: sections, programs, maps, globals, externs, struct_ops',
  usage: [
    'usage: bpfemu inspect OBJ [--json]',
    '',
    'Loads a clang-built BPF object (.bpf.o) into its spec and prints its sections, programs',
    '(type, attach, instruction count), maps, global data, externs and struct_ops variables.',
    '--json prints the whole spec as JSON instead.',
  ].join('\n'),
  run(args: readonly string[], io: Io): number {
    const { values, positionals } = parseCommandArgs('inspect', args, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new CliError('USAGE', 'inspect: expected one object file');
    const spec = loadObjectFile(io, positionals[0]!);
    io.out(values.json === true ? `${JSON.stringify(specToJSON(spec), null, 2)}\n` : inspectText(spec));
    return EXIT_OK;
  },
};
