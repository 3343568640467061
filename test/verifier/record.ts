/**
 * Records the verifier goldens: every corpus group test/verifier/corpus/<group>.ts (exporting
 * `CASES: VerifierCase[]`) goes through the kernel oracle and its verdicts are written to
 * test/verifier/goldens/<group>.json as `{ "kernel": "<uname -r>", "cases": { name: verdict } }`,
 * cases in corpus order, each verdict's keys sorted, logs over 64 KiB cut to their tail
 * (`logTruncated`). Root only.
 *
 *   npm run verifier-goldens                     every group
 *   npm run verifier-goldens -- loop cfg         only these groups
 *   npm run verifier-goldens -- -v loop          also print one line per case (verdict, error line)
 *
 * Node 20 cannot run TypeScript by itself: the npm script imports this file through vite's module
 * runner (vitest's dependency) after putting its arguments in `globalThis.__verifierGoldensArgs`;
 * {@link main} then runs during the import (the runner is closed afterwards, and the groups are
 * imported through it). Importing this file anywhere else runs nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KernelVerdict, VerifierCase } from './corpus/types.js';
import { availabilityOf, kfuncAvailabilityOf, kfuncProbeCase, MAX_HELPER_ID, probeCase, TARGETS, UNPRIV_TARGETS, type AvailabilityGolden } from './availability.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { kernelVerify, probeOracle } from './oracle.js';

const CORPUS = new URL('./corpus/', import.meta.url).pathname;
const GOLDENS = new URL('./goldens/', import.meta.url).pathname;

/** Logs longer than this are stored as their tail in the goldens. */
export const GOLDEN_LOG_MAX = 64 * 1024;

/** Group names of the corpus directory (every .ts but types.ts), sorted. */
export function corpusGroups(): string[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith('.ts') && f !== 'types.ts' && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

/** Load one group's CASES. */
export async function loadGroup(group: string): Promise<VerifierCase[]> {
  const mod = (await import(/* @vite-ignore */ pathToFileURL(join(CORPUS, `${group}.ts`)).href)) as { CASES?: VerifierCase[] };
  if (!Array.isArray(mod.CASES)) throw new Error(`corpus/${group}.ts does not export CASES`);
  return mod.CASES;
}

/** The verdict as stored: keys sorted, an over-long log cut to its last lines. */
export function goldenVerdict(v: KernelVerdict): KernelVerdict {
  let log = v.log;
  let truncated = v.logTruncated === true;
  if (log.length > GOLDEN_LOG_MAX) {
    const tail = log.slice(log.length - GOLDEN_LOG_MAX);
    const nl = tail.indexOf('\n');
    log = nl >= 0 ? tail.slice(nl + 1) : tail;
    truncated = true;
  }
  const full: Record<string, unknown> = { ...v, log };
  if (truncated) full['logTruncated'] = true;
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(full).sort()) if (full[k] !== undefined) sorted[k] = full[k];
  return sorted as unknown as KernelVerdict;
}

/** goldens/helper-availability.json: the helpers 6.18 has for each program type (availability.ts). */
function recordAvailability(): number {
  const probe = probeOracle();
  if (!probe.available) {
    console.error(`cannot record the helper availability: ${probe.reason}`);
    return 1;
  }
  const targets: Record<string, number[]> = {};
  for (const t of [...TARGETS, ...UNPRIV_TARGETS]) {
    const ids = Array.from({ length: MAX_HELPER_ID }, (_, i) => i + 1);
    const verdicts = kernelVerify(ids.map((id) => probeCase(t, id)));
    targets[t.name] = ids.filter((_, i) => availabilityOf(verdicts[i]!) === 'has');
    console.log(`${t.name}: ${targets[t.name]!.length} helpers`);
  }
  // kfuncs: the emulated kernel's generic ones that the running vmlinux has, by its BTF ids
  const raw = spawnSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'raw'], { encoding: 'utf8', maxBuffer: 2 ** 30 });
  const ids = new Map<string, number>();
  for (const m of (raw.stdout ?? '').matchAll(/^\[(\d+)\] FUNC '(\w+)'/gm)) ids.set(m[2]!, Number(m[1]));
  const kfuncNames = new Kernel().kfuncs.all().map((r) => r.def.name).filter((n) => ids.has(n)).sort();
  const kfuncs: Record<string, string[]> = {};
  for (const t of TARGETS) {
    // (unprivileged users call no kfunc at all: corpus group unpriv0)
    const verdicts = kernelVerify(kfuncNames.map((n) => kfuncProbeCase(t, n, ids.get(n)!)));
    kfuncs[t.name] = kfuncNames.filter((_, i) => kfuncAvailabilityOf(verdicts[i]!) === 'has');
    console.log(`${t.name}: ${kfuncs[t.name]!.length} of ${kfuncNames.length} kfuncs`);
  }
  const golden: AvailabilityGolden = { kernel: release(), targets, kfuncNames, kfuncs };
  writeFileSync(join(GOLDENS, 'helper-availability.json'), JSON.stringify(golden, null, 1) + '\n');
  return 0;
}

/** Record the goldens of the groups named in args (all when none); returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  if (args.includes('--availability')) return recordAvailability();
  const verbose = args.includes('-v');
  const wanted = args.filter((a) => a !== '-v' && a !== '--').map((a) => a.replace(/\.ts$/, '').replace(/^.*\//, ''));
  const all = corpusGroups();
  const unknown = wanted.filter((g) => !all.includes(g));
  if (unknown.length > 0) {
    console.error(`no such corpus group: ${unknown.join(', ')} (have: ${all.join(', ')})`);
    return 2;
  }
  const probe = probeOracle();
  if (!probe.available) {
    console.error(`cannot record goldens: ${probe.reason}`);
    return 1;
  }
  mkdirSync(GOLDENS, { recursive: true });
  for (const group of wanted.length > 0 ? wanted : all) {
    const cases = await loadGroup(group);
    const seen = new Set<string>();
    for (const c of cases) {
      if (seen.has(c.name)) throw new Error(`corpus/${group}.ts: duplicate case name ${c.name}`);
      seen.add(c.name);
    }
    const t0 = Date.now();
    const verdicts = kernelVerify(cases);
    const out: Record<string, KernelVerdict> = {};
    cases.forEach((c, i) => (out[c.name] = goldenVerdict(verdicts[i]!)));
    writeFileSync(join(GOLDENS, `${group}.json`), JSON.stringify({ kernel: release(), cases: out }, null, 2) + '\n');
    const acc = verdicts.filter((v) => v.accepted).length;
    console.log(`${group}: ${cases.length} cases, ${acc} accepted, ${cases.length - acc} refused (${Date.now() - t0} ms) -> goldens/${group}.json`);
    if (verbose) {
      cases.forEach((c, i) => {
        const v = verdicts[i]!;
        console.log(`  ${c.name}: ${v.accepted ? 'ACCEPT' : v.errno} ${v.insnsProcessed ?? '-'} ${v.accepted ? '' : (v.errorLine ?? '')}`);
      });
    }
  }
  return 0;
}

const args = (globalThis as { __verifierGoldensArgs?: readonly string[] }).__verifierGoldensArgs;
if (args !== undefined) process.exitCode = await main(args);
