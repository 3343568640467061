/**
 * Tables of the README generated from the code: helpers, map types, program types, kfuncs. The
 * README holds them between `<!-- BEGIN generated: NAME -->` / `<!-- END generated: NAME -->`
 * markers; readme.test.ts checks they are current (`UPDATE_README=1` rewrites them).
 */
import { helperSupportMarkdown } from '../../src/helpers/support.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { MAP_TYPE_SUPPORT } from '../../src/maps/registry.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { progTypeName } from '../../src/object/uapi.js';
import { RUN_PATHS } from '../../src/kernel/progtypes/run-paths.js';

/** Map types the kernel layer implements itself rather than the map registry (src/kernel/structops.ts). */
const KERNEL_MAP_TYPES = new Map<number, string>([[BPF_MAP_TYPE.STRUCT_OPS, 'yes (`src/kernel/structops.ts`)']]);

function mapsTable(): string {
  const rows = MAP_TYPE_SUPPORT.filter((t) => t.id !== 0).map((t) => ({ ...t, cell: t.implemented ? 'yes' : (KERNEL_MAP_TYPES.get(t.id) ?? 'no') }));
  const no = rows.filter((t) => t.cell === 'no');
  return [
    `${rows.length - no.length} of ${rows.length} map types implemented.`,
    '',
    '| id | map type | implemented |',
    '|---:|---|---|',
    ...rows.map((t) => `| ${t.id} | \`${t.name}\` | ${t.cell} |`),
    ...(no.length > 0 ? ['', `Not implemented: ${no.map((t) => `\`${t.name}\``).join(', ')}.`] : []),
  ].join('\n');
}

function progTypesTable(): string {
  const k = new Kernel();
  return [
    '| id | program type | `BPF_PROG_TEST_RUN` | without a test run |',
    '|---:|---|---|---|',
    ...k.progTypes.all().map((p) => `| ${p.type} | \`${progTypeName(p.type).toLowerCase()}\` | ${p.testRun !== undefined ? 'yes' : 'no (ENOTSUPP, as the kernel)'} | ${RUN_PATHS.get(p.type) ?? ''} |`),
  ].join('\n');
}

function kfuncsTable(): string {
  const k = new Kernel({ testmod: true });
  return [
    '| kfunc | implicit program argument | callable from |',
    '|---|---|---|',
    ...k.kfuncs
      .all()
      .sort((a, b) => a.def.name.localeCompare(b.def.name))
      .map((r) => `| \`${r.def.name}(${r.def.proto.params.map((p) => p.type).join(', ')})\` | ${r.def.implicitProg === 'suffix' ? '`*__prog` parameter' : r.def.implicitProg === 'implicit' ? 'KF_IMPLICIT_ARGS' : '—'} | ${r.def.progTypes === undefined ? 'all' : r.def.progTypes.map((t) => progTypeName(t).toLowerCase()).join(', ')} |`),
  ].join('\n');
}

/** Every generated table by name. */
export function generatedTables(): Record<string, string> {
  return { helpers: helperSupportMarkdown(), maps: mapsTable(), progtypes: progTypesTable(), kfuncs: kfuncsTable() };
}

/** Replace each generated section of `readme` with the current table. */
export function updateReadme(readme: string): string {
  let out = readme;
  for (const [name, table] of Object.entries(generatedTables())) {
    const re = new RegExp(`(<!-- BEGIN generated: ${name} -->\\n)[\\s\\S]*?(<!-- END generated: ${name} -->)`);
    if (!re.test(out)) throw new Error(`README has no generated section '${name}'`);
    out = out.replace(re, (_all, begin: string, end: string) => `${begin}${table}\n${end}`);
  }
  return out;
}
