/**
 * Comparison of the kernel's verdicts with bpfemu's on generated programs, shared by the
 * `verifier-diff` command (diff.ts) and the CI slice (fuzz.test.ts): agreement rates on
 * accept/reject, on the errno and on the error line, the disagreements, and the disagreement
 * classes (grouped by the kernel's error line with numbers and register names blanked out).
 */
import { existsSync } from 'node:fs';
import type { KernelVerdict, VerifierCase } from '../corpus/types.js';
import type { FuzzCase } from './gen.js';

/** The part of a verdict the fuzzer compares (what the goldens store). */
export interface Outcome {
  readonly accepted: boolean;
  readonly errno?: string;
  readonly errorLine?: string;
}

/** One program on which the two sides differ. */
export interface Disagreement {
  readonly c: FuzzCase;
  readonly kernel: Outcome;
  readonly emu: Outcome;
  /** 'verdict' (accept/reject), 'errno' (both refuse, different errno) or 'line' (same errno, different error line). */
  readonly kind: 'verdict' | 'errno' | 'line';
}

/** What a comparison found. */
export interface Summary {
  readonly total: number;
  readonly kernelAccepted: number;
  /** Programs whose accept/reject agree. */
  readonly verdictAgree: number;
  /** Programs both refuse. */
  readonly bothRefused: number;
  /** Of bothRefused: same errno; same errno and error line. */
  readonly errnoAgree: number;
  readonly lineAgree: number;
  /** Programs whose block tags mark an intended fault ('!'), and of those the kernel refused. */
  readonly intendedBad: number;
  readonly intendedBadRefused: number;
  /** Programs with no intended fault and no block the generator cannot judge ('?'), and of those the kernel accepted. */
  readonly intendedGood: number;
  readonly intendedGoodAccepted: number;
  /** Per block name: programs containing it, and how many of those the kernel accepted. */
  readonly perBlock: readonly { readonly name: string; readonly n: number; readonly accepted: number }[];
  readonly disagreements: readonly Disagreement[];
}

/** The compared part of a verdict. */
export function outcomeOf(v: KernelVerdict | Outcome): Outcome {
  const o: { -readonly [K in keyof Outcome]: Outcome[K] } = { accepted: v.accepted };
  if (!v.accepted) {
    if (v.errno !== undefined) o.errno = v.errno;
    if (v.errorLine !== undefined) o.errorLine = v.errorLine;
  }
  return o;
}

/** Compare kernel and emulator outcomes case by case. */
export function compare(cases: readonly FuzzCase[], kernel: readonly Outcome[], emu: readonly Outcome[]): Summary {
  let kernelAccepted = 0;
  let verdictAgree = 0;
  let bothRefused = 0;
  let errnoAgree = 0;
  let lineAgree = 0;
  let intendedBad = 0;
  let intendedBadRefused = 0;
  let intendedGood = 0;
  let intendedGoodAccepted = 0;
  const blocks = new Map<string, { n: number; accepted: number }>();
  const disagreements: Disagreement[] = [];
  cases.forEach((c, i) => {
    const k = kernel[i]!;
    const e = emu[i]!;
    if (k.accepted) kernelAccepted++;
    if (c.tags.some((t) => t.includes('(!'))) {
      intendedBad++;
      if (!k.accepted) intendedBadRefused++;
    } else if (!c.tags.some((t) => t.includes('(?'))) {
      intendedGood++;
      if (k.accepted) intendedGoodAccepted++;
    }
    for (const name of new Set(c.tags.map((t) => t.replace(/\(.*$/, '')))) {
      const e = blocks.get(name) ?? { n: 0, accepted: 0 };
      e.n++;
      if (k.accepted) e.accepted++;
      blocks.set(name, e);
    }
    if (k.accepted !== e.accepted || isBroken(e)) {
      disagreements.push({ c, kernel: k, emu: e, kind: 'verdict' });
      return;
    }
    verdictAgree++;
    if (k.accepted) return;
    bothRefused++;
    if (k.errno !== e.errno) {
      disagreements.push({ c, kernel: k, emu: e, kind: 'errno' });
      return;
    }
    errnoAgree++;
    if (k.errorLine !== e.errorLine) {
      disagreements.push({ c, kernel: k, emu: e, kind: 'line' });
      return;
    }
    lineAgree++;
  });
  const perBlock = [...blocks.entries()].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.n - a.n);
  return { total: cases.length, kernelAccepted, verdictAgree, bothRefused, errnoAgree, lineAgree, intendedBad, intendedBadRefused, intendedGood, intendedGoodAccepted, perBlock, disagreements };
}

/** errnos that are no verdict: bpfemu threw, its worker died, or the verification did not end. */
const BROKEN = new Set(['THROW', 'CRASH', 'TIMEOUT']);

/** Whether an outcome is no verdict at all (always a disagreement). */
export function isBroken(o: Outcome): boolean {
  return !o.accepted && o.errno !== undefined && BROKEN.has(o.errno);
}

/** An error line with its numbers and register names blanked: the disagreement class. */
export function lineClass(line: string | undefined): string {
  if (line === undefined) return '(no error line)';
  // "infinite loop detected at insn N" is followed by the two states; the last line is the old one.
  if (line.startsWith('old state:')) return 'old state: ... (infinite loop detected)';
  return line
    .replace(/\bR\d+/g, 'R#')
    .replace(/0x[0-9a-f]+/gi, 'X')
    .replace(/-?\d+/g, 'N')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The class of a disagreement: the kernel's error line, or (kernel accepted) bpfemu's. */
export function classOf(d: Disagreement): string {
  if (isBroken(d.emu)) return `bpfemu ${d.emu.errno} (kernel ${d.kernel.accepted ? 'ACCEPTS' : 'refuses'}): ${d.emu.errno === 'TIMEOUT' ? '' : lineClass(d.emu.errorLine)}`;
  if (d.kind === 'verdict') {
    return d.kernel.accepted ? `kernel ACCEPTS, bpfemu refuses: ${lineClass(d.emu.errorLine)}` : `kernel refuses, bpfemu ACCEPTS: ${lineClass(d.kernel.errorLine)}`;
  }
  if (d.kind === 'errno') return `errno ${d.kernel.errno} vs ${d.emu.errno}: ${lineClass(d.kernel.errorLine)}`;
  return `error line: ${lineClass(d.kernel.errorLine)}`;
}

/** Disagreement classes with their counts, largest first. */
export function classes(ds: readonly Disagreement[]): { cls: string; count: number; seeds: number[] }[] {
  const m = new Map<string, number[]>();
  for (const d of ds) {
    const k = classOf(d);
    const l = m.get(k) ?? [];
    l.push(d.c.seed);
    m.set(k, l);
  }
  return [...m.entries()].map(([cls, seeds]) => ({ cls, count: seeds.length, seeds })).sort((a, b) => b.count - a.count || a.cls.localeCompare(b.cls));
}

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(2)}%`);

/** The summary lines (rates, balance, classes). */
export function formatSummary(s: Summary, topClasses = 15): string {
  const verdictDis = s.disagreements.filter((d) => d.kind === 'verdict');
  const out = [
    `programs: ${s.total}; kernel accepts ${s.kernelAccepted} (${pct(s.kernelAccepted, s.total)}), refuses ${s.total - s.kernelAccepted} (${pct(s.total - s.kernelAccepted, s.total)})`,
    `generator intent: ${s.intendedBad} meant to fail, ${pct(s.intendedBadRefused, s.intendedBad)} of them refused; ${s.intendedGood} meant to pass, ${pct(s.intendedGoodAccepted, s.intendedGood)} of them accepted; ${s.total - s.intendedBad - s.intendedGood} undecided`,
    `kernel accepts, by block: ${s.perBlock.map((b) => `${b.name} ${pct(b.accepted, b.n)} of ${b.n}`).join(', ')}`,
    `agreement on accept/reject: ${s.verdictAgree}/${s.total} = ${pct(s.verdictAgree, s.total)}` +
      ` (kernel accepts, bpfemu refuses: ${verdictDis.filter((d) => d.kernel.accepted && !isBroken(d.emu)).length}; kernel refuses, bpfemu accepts: ${verdictDis.filter((d) => !d.kernel.accepted && d.emu.accepted).length}; bpfemu no verdict (timeout, crash, throw): ${verdictDis.filter((d) => isBroken(d.emu)).length})`,
    `agreement on errno (both refuse): ${s.errnoAgree}/${s.bothRefused} = ${pct(s.errnoAgree, s.bothRefused)}`,
    `agreement on the error line (both refuse): ${s.lineAgree}/${s.bothRefused} = ${pct(s.lineAgree, s.bothRefused)}`,
  ];
  const cls = classes(s.disagreements);
  if (cls.length > 0) {
    out.push(`disagreement classes (${cls.length}; top ${Math.min(topClasses, cls.length)}):`);
    for (const c of cls.slice(0, topClasses)) out.push(`  ${String(c.count).padStart(5)}  ${c.cls}   [seeds ${c.seeds.slice(0, 5).join(', ')}${c.seeds.length > 5 ? ', ...' : ''}]`);
  }
  return out.join('\n');
}

const verdictText = (o: Outcome): string => (o.accepted ? 'ACCEPT' : `${o.errno ?? '?'}: ${o.errorLine ?? '(no error line)'}`);

/** One disagreement in full: seed, intent, both verdicts, the program and its maps. */
export function formatDisagreement(d: Disagreement): string {
  const c = d.c;
  const maps = (c.maps ?? []).map((m, i) => `  map ${i}: type ${m.type} key ${m.keySize} value ${m.valueSize} max ${m.maxEntries}${m.flags ? ` flags ${m.flags}` : ''}`);
  return [
    `--- seed ${c.seed} (${d.kind}) prog_type ${c.progType}${c.progFlags ? ` prog_flags ${c.progFlags}` : ''}: ${c.what}`,
    `kernel: ${verdictText(d.kernel)}`,
    `bpfemu: ${verdictText(d.emu)}`,
    ...maps,
    ...withPcs(c.asm ?? ''),
  ].join('\n');
}

/** Program lines prefixed with the pc of their instruction (labels get none; lddw takes two slots). */
function withPcs(asm: string): string[] {
  let pc = 0;
  return asm
    .trimEnd()
    .split('\n')
    .map((l) => {
      if (/^\s*[\w.$]+:\s*$/.test(l)) return `    ${l}`;
      const at = pc;
      pc += /^\s*lddw\b/i.test(l) ? 2 : 1;
      return `  ${String(at).padStart(2)}: ${l}`;
    });
}

/** bpfemu's side: `emuVerify` of test/verifier/emulator.ts, or undefined while that file does not exist. */
export type EmuVerify = (c: VerifierCase) => KernelVerdict;

/** Import test/verifier/emulator.ts's `emuVerify` if the file exists. */
export async function loadEmuVerify(): Promise<EmuVerify | undefined> {
  const url = new URL('../emulator.ts', import.meta.url);
  if (!existsSync(url)) return undefined;
  const mod = (await import(/* @vite-ignore */ url.href)) as { emuVerify?: EmuVerify };
  return typeof mod.emuVerify === 'function' ? mod.emuVerify : undefined;
}

/** Run emuVerify on every case; a throw (a host bug, not a verdict) becomes errno 'THROW' with its message. */
export function emuOutcomes(emu: EmuVerify, cases: readonly VerifierCase[]): Outcome[] {
  return cases.map((c) => {
    try {
      return outcomeOf(emu(c));
    } catch (e) {
      return { accepted: false, errno: 'THROW', errorLine: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
  });
}
