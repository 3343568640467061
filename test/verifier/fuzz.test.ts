/**
 * The CI slice of the verifier differential fuzzer: the seeds recorded in goldens/fuzz.json by
 * `npm run verifier-diff -- --record` are regenerated (and must give the same programs), then
 * bpfemu's verdicts are compared with the kernel's recorded ones; below {@link THRESHOLD}
 * agreement on accept/reject the test fails and lists the disagreements. As root, the live kernel
 * is also checked against the goldens (same kernel release only).
 */
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/asm.js';
import { kernelVerify, probeOracle } from './oracle.js';
import { compare, formatDisagreement, formatSummary, outcomeOf, type Outcome } from './fuzz/compare.js';
import { GOLDEN, type FuzzGolden } from './fuzz/diff.js';
import { runEmu } from './fuzz/emu-runner.js';
import { caseHash, generate, MAX_SLOTS, MIN_SLOTS } from './fuzz/gen.js';

/** Minimum agreement on accept/reject (the issue's target). */
const THRESHOLD = 0.97;

const golden: FuzzGolden | undefined = existsSync(GOLDEN) ? (JSON.parse(readFileSync(GOLDEN, 'utf8')) as FuzzGolden) : undefined;
const haveEmu = existsSync(new URL('./emulator.ts', import.meta.url));

describe('verifier fuzz: the generator', () => {
  it('is deterministic, names cases fuzz-<seed>, and stays within 5..60 instruction slots', () => {
    for (let seed = 1000; seed < 1300; seed++) {
      const a = generate(seed);
      const b = generate(seed);
      expect(b).toEqual(a);
      expect(a.name).toBe(`fuzz-${seed}`);
      const slots = assemble(a.asm!).length;
      expect(slots).toBeGreaterThanOrEqual(MIN_SLOTS);
      expect(slots).toBeLessThanOrEqual(MAX_SLOTS);
      // Every lddw map_fd names a map of the case.
      for (const m of a.asm!.matchAll(/map_fd (\d+)/g)) expect(Number(m[1])).toBeLessThan(a.maps?.length ?? 0);
    }
  });

  it('varies: different seeds give different programs', () => {
    const hashes = new Set<string>();
    for (let seed = 1; seed <= 300; seed++) hashes.add(caseHash(generate(seed)));
    expect(hashes.size).toBeGreaterThan(290);
  });
});

describe.runIf(golden !== undefined)('verifier fuzz: the recorded slice', () => {
  const g = golden!;
  const cases = g.cases.map((e) => generate(e.seed));
  const recorded: Outcome[] = g.cases.map((e) => outcomeOf(e));

  it('regenerates the recorded programs (else re-record: npm run verifier-diff -- --count 500 --record)', () => {
    const drift = g.cases.filter((e, i) => caseHash(cases[i]!) !== e.hash).map((e) => e.seed);
    expect(drift).toEqual([]);
  });

  it('is a balanced mix of accepted and refused programs', () => {
    const acc = recorded.filter((o) => o.accepted).length / recorded.length;
    expect(acc).toBeGreaterThan(0.3);
    expect(acc).toBeLessThan(0.7);
  });

  const title = `bpfemu agrees with the kernel on accept/reject for >= ${THRESHOLD * 100}% of ${g.cases.length} programs`;
  if (!haveEmu) it.todo(`${title} (test/verifier/emulator.ts emuVerify does not exist yet)`);
  else
    it(
      title,
      async () => {
        // Out of process with a per-program limit: a verification that does not end is a TIMEOUT disagreement.
        const { outcomes } = await runEmu(g.cases.map((e) => e.seed), { timeoutMs: 10_000 });
        const s = compare(cases, recorded, outcomes);
        const report = [formatSummary(s), ...s.disagreements.filter((d) => d.kind === 'verdict').slice(0, 30).map(formatDisagreement)].join('\n');
        expect(s.verdictAgree / s.total, report).toBeGreaterThanOrEqual(THRESHOLD);
      },
      900_000,
    );

  const probe = probeOracle();
  const live = !probe.available ? `no kernel oracle: ${probe.reason}` : g.kernel !== release() ? `recorded on ${g.kernel}, running ${release()}` : '';
  it.skipIf(live !== '')(`the live kernel still gives the recorded verdicts${live !== '' ? ` (SKIPPED: ${live})` : ''}`, () => {
    const now = kernelVerify(cases).map(outcomeOf);
    const s = compare(cases, recorded, now);
    expect(s.disagreements.map(formatDisagreement)).toEqual([]);
  });
});
