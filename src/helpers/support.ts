/**
 * The helper support table, generated from the code: every id of the uapi `enum bpf_func_id`
 * (table.ts) with whether the emulator implements it, its family, and where the kernel allows it.
 * README's helper section is rendered from {@link helperSupportMarkdown}.
 */
import { AttachType, ProgType } from '../object/uapi.js';
import { builtinHelpers } from './index.js';
import type { HelperDef } from './registry.js';
import { HELPER_TABLE } from './table.js';

/** One row of the support table. */
export interface HelperSupportRow {
  readonly id: number;
  /** `bpf_<name>`. */
  readonly name: string;
  readonly implemented: boolean;
  /** Helper family of the implementation (`maps`, `timers`, ...), null when not implemented. */
  readonly family: string | null;
  readonly gplOnly: boolean;
  /** Program type names allowed to call it, or null for every type. */
  readonly progTypes: readonly string[] | null;
  /** Expected attach type names it is further limited to (`trace_iter`), or null. */
  readonly attachTypes: readonly string[] | null;
}

const PROG_TYPE_NAMES = new Map<number, string>(Object.entries(ProgType).map(([k, v]) => [v, k.toLowerCase()]));
const ATTACH_TYPE_NAMES = new Map<number, string>(Object.entries(AttachType).map(([k, v]) => [v, k.toLowerCase()]));

/** Every helper id 1..211 with its implementation status (from `defs`, by default the built-ins). */
export function helperSupportTable(defs: readonly HelperDef[] = builtinHelpers()): HelperSupportRow[] {
  const byId = new Map(defs.map((d) => [d.id, d]));
  return HELPER_TABLE.filter((s) => s.id !== 0).map((s) => {
    const d = byId.get(s.id);
    return {
      id: s.id,
      name: `bpf_${s.name}`,
      implemented: d !== undefined,
      family: d?.family ?? null,
      gplOnly: d?.gplOnly === true,
      progTypes: d?.progTypes === undefined ? null : d.progTypes.map((t) => PROG_TYPE_NAMES.get(t) ?? String(t)),
      attachTypes: d?.attachTypes === undefined ? null : attachTypeNames(d.attachTypes, d.progTypes),
    };
  });
}

/** Ranges of consecutive numbers: `0-16`, `1, 3-4`. */
function ranges(ns: readonly number[]): string {
  const s = [...ns].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    out.push(i === j ? String(s[i]) : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

/**
 * What a helper's expected-attach-type limits mean. For struct_ops programs expected_attach_type is
 * the index of the member the program implements (`struct_ops (members 0-16 only)`); for kprobe programs it
 * is 0 (the plain kprobe, not BPF_CGROUP_INET_INGRESS, which shares the number); otherwise the
 * enum bpf_attach_type names.
 */
function attachTypeNames(types: readonly number[], progTypes: readonly number[] | undefined): string[] {
  if (progTypes !== undefined && progTypes.length === 1 && progTypes[0] === ProgType.STRUCT_OPS) return [`members ${ranges(types)}`];
  const kprobe = progTypes?.includes(ProgType.KPROBE) === true;
  return types.map((t) => (t === 0 && kprobe ? 'kprobe' : (ATTACH_TYPE_NAMES.get(t) ?? String(t))));
}

/** `all`, `all but a, b` or the list of names. */
function typesText(types: readonly string[] | null): string {
  if (types === null) return 'all';
  const all = [...PROG_TYPE_NAMES.values()].filter((n) => n !== 'unspec');
  const missing = all.filter((n) => !types.includes(n));
  return missing.length < types.length ? `all but ${missing.join(', ')}` : types.join(', ');
}

/** The implemented helpers as a Markdown table (id, helper, family, GPL, program types), plus a count line. */
export function helperSupportMarkdown(defs: readonly HelperDef[] = builtinHelpers()): string {
  const rows = helperSupportTable(defs);
  const done = rows.filter((r) => r.implemented);
  const lines = [`${done.length} of ${rows.length} helpers implemented.`, '', '| id | helper | family | GPL | program types |', '|---:|---|---|---|---|'];
  for (const r of done) lines.push(`| ${r.id} | \`${r.name}\` | ${r.family ?? ''} | ${r.gplOnly ? 'yes' : ''} | ${typesText(r.progTypes)}${r.attachTypes === null ? '' : ` (${r.attachTypes.join(', ')} only)`} |`);
  return `${lines.join('\n')}\n`;
}
