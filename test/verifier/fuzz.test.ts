/**
 * The CI slices of the verifier differential fuzzer: the seeds recorded in goldens/fuzz.json (and
 * goldens/fuzz-locks.json for the locks shape) by `npm run verifier-diff -- --record [--shape S]`
 * are regenerated (and must give the same programs), then bpfemu's verdicts are compared with the
 * kernel's recorded ones; below {@link THRESHOLD} agreement on accept/reject (and for the locks
 * slice below 95% on the error line) the test fails and lists the disagreements. As root, the live kernel
 * is also checked against the goldens (same kernel release only).
 */
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/asm.js';
import { kernelVerify, probeOracle } from './oracle.js';
import { compare, formatDisagreement, formatSummary, outcomeOf, type Outcome } from './fuzz/compare.js';
import { goldenOf, type FuzzGolden } from './fuzz/diff.js';
import { runEmu } from './fuzz/emu-runner.js';
import { caseHash, generate, MAX_SLOTS, MIN_SLOTS, type Shape } from './fuzz/gen.js';
import { lockValue } from './fuzz/lock-value.js';
import { parseBtf } from '../../src/btf/parse.js';

/** Minimum agreement on accept/reject (the issue's target). */
const THRESHOLD = 0.97;

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

  it('the locks shape puts a locks block into every program; its maps carry a BTF for key and value', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const c = generate(seed, 'locks');
      expect(c.name).toBe(`fuzz-locks-${seed}`);
      expect(c.tags.some((t) => t.startsWith('locks('))).toBe(true);
      const slots = assemble(c.asm!).length;
      expect(slots).toBeLessThanOrEqual(MAX_SLOTS);
      expect(c.maps?.some((m) => m.btf !== undefined)).toBe(true);
    }
    expect(generate(7, 'locks')).toEqual(generate(7, 'locks'));
  });

  it('lock values are laid out as C lays them out (offsets worked out by hand) and their BTF says so', () => {
    // struct { long f0; struct bpf_spin_lock lock; int f2; }: 8 + 4 + 4 = 16
    const a = lockValue(['long', 'lock', 'int']);
    expect([a.size, a.lockOff, a.fields]).toEqual([16, 8, [{ off: 0, size: 8 }, { off: 12, size: 4 }]]);
    // struct { int f0; struct bpf_spin_lock lock; long f2; long f3; }: the longs aligned to 8
    const b = lockValue(['int', 'lock', 'long', 'long']);
    expect([b.size, b.lockOff, b.fields.map((f) => f.off)]).toEqual([24, 4, [0, 8, 16]]);
    // struct { long; long; int; struct bpf_spin_lock; }: 24 bytes, the lock at 20
    expect(lockValue(['long', 'long', 'int', 'lock']).lockOff).toBe(20);
    const btf = parseBtf(Uint8Array.from(Buffer.from(a.btf.hex, 'hex')));
    const v = btf.type(a.btf.valueTypeId);
    expect(v.kind).toBe('STRUCT');
    if (v.kind !== 'STRUCT') return;
    expect(v.size).toBe(16);
    const lock = v.members.find((m) => m.name === 'lock')!;
    expect(lock.bitOffset).toBe(64);
    expect(btf.name(lock.type)).toBe('bpf_spin_lock');
    expect(btf.type(a.btf.keyTypeId)).toMatchObject({ kind: 'INT', size: 4 });
    expect(() => lockValue(['int', 'long'])).toThrow(/exactly one lock/);
  });

  it('varies: different seeds give different programs', () => {
    const hashes = new Set<string>();
    for (let seed = 1; seed <= 300; seed++) hashes.add(caseHash(generate(seed)));
    expect(hashes.size).toBeGreaterThan(290);
  });
});

/** Per shape: its slice file and the error-line agreement it must keep (locks: the lock rules' messages). */
const SLICES: readonly { shape: Shape; lineThreshold: number }[] = [
  { shape: 'standard', lineThreshold: 0 },
  { shape: 'locks', lineThreshold: 0.95 },
];

for (const { shape, lineThreshold } of SLICES) {
  const file = goldenOf(shape);
  const golden: FuzzGolden | undefined = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as FuzzGolden) : undefined;
  const rerecord = `npm run verifier-diff -- --count 500 --record${shape === 'standard' ? '' : ` --shape ${shape}`}`;

  describe.runIf(golden !== undefined)(`verifier fuzz: the recorded ${shape} slice`, () => {
    const g = golden!;
    const cases = g.cases.map((e) => generate(e.seed, shape));
    const recorded: Outcome[] = g.cases.map((e) => outcomeOf(e));

    it(`regenerates the recorded programs (else re-record: ${rerecord})`, () => {
      const drift = g.cases.filter((e, i) => caseHash(cases[i]!) !== e.hash).map((e) => e.seed);
      expect(drift).toEqual([]);
    });

    it('is a balanced mix of accepted and refused programs', () => {
      const acc = recorded.filter((o) => o.accepted).length / recorded.length;
      expect(acc).toBeGreaterThan(0.3);
      expect(acc).toBeLessThan(0.7);
    });

    const title = `bpfemu agrees with the kernel on accept/reject for >= ${THRESHOLD * 100}% of ${g.cases.length} programs${lineThreshold > 0 ? ` and on the error line for >= ${lineThreshold * 100}% of the refused` : ''}`;
    if (!haveEmu) it.todo(`${title} (test/verifier/emulator.ts emuVerify does not exist yet)`);
    else
      it(
        title,
        async () => {
          // Out of process with a per-program limit: a verification that does not end is a TIMEOUT disagreement.
          const { outcomes } = await runEmu(g.cases.map((e) => e.seed), { timeoutMs: 10_000, shape });
          const s = compare(cases, recorded, outcomes);
          const report = [formatSummary(s), ...s.disagreements.slice(0, 30).map(formatDisagreement)].join('\n');
          expect(s.verdictAgree / s.total, report).toBeGreaterThanOrEqual(THRESHOLD);
          expect(s.lineAgree / Math.max(1, s.bothRefused), report).toBeGreaterThanOrEqual(lineThreshold);
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
}
