/**
 * Shared by the live checks of the tcp_cc tests (not a test file): the .bss of a registered
 * fixture, found through one of its programs. libbpf names every tcp_cc_kernel_* object's .bss
 * map `tcp_cc_k.bss`, and vitest runs test files in parallel, so a map name alone is ambiguous.
 */
import { execFileSync } from 'node:child_process';

/** The formatted .bss (variable name → value) of the newest loaded program named `progName`. */
export function liveBss(progName: string): Record<string, unknown> {
  const progs = JSON.parse(execFileSync('bpftool', ['prog', 'show', '-j'], { encoding: 'utf8' })) as { id: number; name?: string; map_ids?: number[] }[];
  const mine = progs.filter((p) => p.name === progName);
  if (mine.length === 0) throw new Error(`no loaded program named ${progName}`);
  const prog = mine.reduce((a, b) => (b.id > a.id ? b : a));
  for (const id of prog.map_ids ?? []) {
    const m = JSON.parse(execFileSync('bpftool', ['map', 'show', 'id', String(id), '-j'], { encoding: 'utf8' })) as { name?: string };
    if (m.name?.endsWith('.bss') !== true) continue;
    const d = JSON.parse(execFileSync('bpftool', ['map', 'dump', 'id', String(id), '-j'], { encoding: 'utf8' })) as { formatted: { value: { '.bss': Record<string, unknown>[] } } }[];
    return Object.assign({}, ...d[0]!.formatted.value['.bss']) as Record<string, unknown>;
  }
  throw new Error(`program ${progName} has no .bss map`);
}
