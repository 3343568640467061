/**
 * The verifier differential corpus: every case of test/verifier/corpus/*.ts is loaded into a fresh
 * emulated kernel and its verdict (accepted or refused, errno, the error line) compared with the
 * Linux 6.18 golden recorded by `npm run verifier-goldens`. As root with a usable `bpf()`, the live
 * kernel is compared with the goldens too (skipped visibly elsewhere).
 *
 * Known differences are listed below with their reason; a listed case that starts to agree fails
 * the test, so the list stays true. The overall accept/reject agreement must stay at 99% or more.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KernelVerdict, VerifierCase } from './corpus/types.js';
import { emuVerify } from './emulator.js';
import { errorLineOf, kernelVerify, probeOracle } from './oracle.js';

const DIR = new URL('./corpus/', import.meta.url).pathname;
const GOLDENS = new URL('./goldens/', import.meta.url).pathname;
const UNPRIV_SYSCTL = '/proc/sys/kernel/unprivileged_bpf_disabled';

/** Cases where bpfemu's verdict differs from 6.18's, with the reason (README "Verifier"). */
export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {
  'kfargs-map-array':
    'this kernel build offers no arena at all (map create EPERM, the arena kfuncs "not allowed" for every program type); bpfemu models the 6.18 sources, which register bpf_arena_alloc_pages for every program type and accept any map pointer as its __map argument',
};

/** Cases whose verdict agrees but whose errno or error line differs, with the reason. */
const KNOWN_LINE_DIFFERENCES: Readonly<Record<string, string>> = {
  'unpriv-spec-loop-const': 'both refuse; 6.18 walks the speculative loop (counter unknown) to the 1,000,000-insn limit (E2BIG), bpfemu finds it equal to an ancestor state and reports an infinite loop (EINVAL)',
};

interface Group {
  readonly name: string;
  readonly cases: readonly VerifierCase[];
  readonly goldens: Readonly<Record<string, KernelVerdict>>;
}

async function groups(): Promise<Group[]> {
  const out: Group[] = [];
  for (const f of readdirSync(DIR).sort()) {
    if (f === 'types.ts' || !f.endsWith('.ts')) continue;
    const name = f.slice(0, -3);
    const mod = (await import(`${DIR}${f}`)) as { CASES: VerifierCase[] };
    const golden = JSON.parse(readFileSync(`${GOLDENS}${name}.json`, 'utf8')) as { cases: Record<string, KernelVerdict> };
    out.push({ name, cases: mod.CASES, goldens: golden.cases });
  }
  return out;
}

const ALL = await groups();

function same(a: KernelVerdict, b: KernelVerdict): { verdict: boolean; errno: boolean; line: boolean } {
  const verdict = a.accepted === b.accepted;
  const errno = verdict && a.errno === b.errno;
  const line = errno && (a.accepted || errorLineOf(a.log) === errorLineOf(b.log));
  return { verdict, errno, line };
}

describe('verifier corpus: bpfemu against the 6.18 goldens', () => {
  let total = 0;
  let agreeVerdict = 0;
  let agreeLine = 0;
  for (const g of ALL) {
    it(`${g.name}: ${g.cases.length} cases`, () => {
      const problems: string[] = [];
      for (const c of g.cases) {
        const k = g.goldens[c.name];
        if (k === undefined) {
          problems.push(`${c.name}: no golden (npm run verifier-goldens -- ${g.name})`);
          continue;
        }
        const e = emuVerify(c);
        const r = same(k, e);
        total++;
        if (r.verdict) agreeVerdict++;
        if (r.line) agreeLine++;
        const known = KNOWN_DIFFERENCES[c.name];
        const knownLine = KNOWN_LINE_DIFFERENCES[c.name];
        const describeBoth = `kernel ${k.accepted ? 'accepts' : `refuses (${k.errno}: ${errorLineOf(k.log)})`}, bpfemu ${e.accepted ? 'accepts' : `refuses (${e.errno}: ${e.errorLine})`}`;
        if (known !== undefined) {
          if (r.verdict) problems.push(`${c.name}: listed as a known difference (${known}) but now agrees: remove it from KNOWN_DIFFERENCES`);
          continue;
        }
        if (!r.verdict) problems.push(`${c.name}: ${describeBoth}`);
        else if (!r.line && knownLine === undefined) problems.push(`${c.name}: same verdict, different errno or error line: ${describeBoth}`);
      }
      expect(problems, problems.join('\n')).toEqual([]);
    }, 600_000);
  }
  it('agreement: at least 99% of accept/reject verdicts', () => {
    const rate = agreeVerdict / Math.max(1, total);
    console.log(`verifier corpus: ${total} cases, verdict ${agreeVerdict} (${(100 * rate).toFixed(2)}%), errno and error line ${agreeLine} (${((100 * agreeLine) / Math.max(1, total)).toFixed(2)}%)`);
    expect(total).toBeGreaterThanOrEqual(300);
    expect(rate).toBeGreaterThanOrEqual(0.99);
  });
});

const probe = probeOracle();
describe.skipIf(!probe.available)(`verifier corpus: the live kernel against the goldens${probe.available ? '' : ` (SKIPPED: ${probe.reason})`}`, () => {
  // unprivileged loads only reach the verifier while kernel.unprivileged_bpf_disabled is 0
  const unprivOk = existsSync(UNPRIV_SYSCTL) && readFileSync(UNPRIV_SYSCTL, 'utf8').trim() === '0';
  for (const g of ALL) {
    const unpriv = g.cases.filter((c) => c.profile === 'none').length;
    if (unpriv > 0 && !unprivOk) {
      it.skip(`${g.name}: SKIPPED live: ${unpriv} unprivileged cases need kernel.unprivileged_bpf_disabled=0 (see test/verifier/README.md)`, () => {});
    }
    it(`${g.name}: the running kernel gives the recorded verdicts`, () => {
      const cases = g.cases.filter((c) => g.goldens[c.name] !== undefined && (unprivOk || c.profile !== 'none'));
      const live = kernelVerify(cases);
      const diffs = cases.flatMap((c, i) => {
        const k = g.goldens[c.name]!;
        const l = live[i]!;
        return l.accepted === k.accepted && l.errno === k.errno ? [] : [`${c.name}: golden ${k.accepted ? 'OK' : k.errno}, live ${l.accepted ? 'OK' : l.errno}`];
      });
      expect(diffs, diffs.join('\n')).toEqual([]);
    }, 600_000);
  }
});
