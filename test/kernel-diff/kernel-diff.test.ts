/**
 * Differential tests against the real kernel (issues 4 and 5): every case of cases.ts runs in
 * bpfemu and is compared with the kernel's result for retval, data_out, ctx_out and the content of
 * every map.
 *
 *   live kernel (root + bpftool + bpf() + bpffs): kernel vs emulator in this machine's environment,
 *       and kernel vs golden when the golden was recorded in the same environment (a changed
 *       kernel is noticed); `UPDATE_GOLDENS=1` rewrites goldens/<case>.json from the kernel first.
 *       Skipped, with the reason in the suite name, where the kernel path is unavailable.
 *   golden (always, no root needed): emulator vs goldens/<case>.json, the emulator configured with
 *       the golden's environment (possible CPUs, kernel version, kconfig values); once on the
 *       default engine and once on the JavaScript tier (`engine: 'js'`), which must have run.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES } from './cases.js';
import { runEmulator } from './emulator.js';
import { tierStats } from '../../src/vm/tier/cache.js';
import { KernelSession, liveEnv, probeKernel, releaseRunner } from './kernel.js';
import { compareResults, normalise, sameEnv, type CaseDef, type CaseResult } from './model.js';

const GOLDENS = new URL('./goldens/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDENS === '1';
const probe = probeKernel();

const gaps = (c: CaseDef): number[] => (c.knownGaps ?? []).map((g) => g.run);

function goldenPath(name: string): URL {
  return new URL(`${name}.json`, GOLDENS);
}

function readGolden(name: string): CaseResult | undefined {
  const p = goldenPath(name);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as CaseResult) : undefined;
}

function writeGolden(r: CaseResult): void {
  mkdirSync(GOLDENS, { recursive: true });
  writeFileSync(goldenPath(r.case), `${JSON.stringify(r, null, 1)}\n`);
}

describe('cases', () => {
  it('has unique names, at least 40 cases, a reason for every exclusion, and no stale golden', () => {
    const names = CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    for (const c of CASES) for (const d of c.differs ?? []) expect(d.reason.length).toBeGreaterThan(10);
    const goldens = existsSync(GOLDENS) ? readdirSync(GOLDENS).filter((f) => f.endsWith('.json')) : [];
    expect(goldens.map((f) => f.slice(0, -5)).filter((n) => !names.includes(n))).toEqual([]);
  });

  if (UPDATE && !probe.available) {
    it('UPDATE_GOLDENS=1 needs the live kernel', () => {
      throw new Error(`cannot regenerate goldens: ${probe.reason}`);
    });
  }
});

describe.skipIf(!probe.available)(`live kernel (${probe.available ? `bpftool on ${liveEnv([]).release}; runner: ${probe.runnerReason}` : `SKIPPED: ${probe.reason}`})`, () => {
  let session: KernelSession;
  beforeAll(() => {
    session = KernelSession.open(probe);
  });
  afterAll(() => {
    session?.close();
    releaseRunner();
  });

  for (const c of CASES) {
    it(c.name, (ctx) => {
      const can = session.canRun(c);
      if (!can.ok) {
        if (UPDATE) throw new Error(`UPDATE_GOLDENS=1 but case ${c.name} cannot run here: ${can.reason}`);
        ctx.skip(can.reason);
        return;
      }
      const env = liveEnv(c.kconfig ?? []);
      let raw;
      try {
        raw = session.runCase(c, env);
      } catch (e) {
        // Kernel builds of one release differ (6.18.44 build v1300 refuses bpf_xdp_adjust_meta in
        // XDP programs; v769, where the goldens were recorded, allows it). Such a case is skipped
        // visibly, naming the refusal; the emulator is still checked against the golden below.
        const golden = readGolden(c.name);
        const refused = /BPF program load failed[\s\S]*?\n([^\n]*)\nprocessed \d+ insns/.exec(String(e));
        if (!UPDATE && refused !== null && golden !== undefined && golden.env.release !== env.release) {
          ctx.skip(`SKIPPED: this kernel build (${env.release}) refuses ${c.object}.bpf.o (${refused[1]}); its golden was recorded on ${golden.env.release}, where it loads`);
          return;
        }
        throw e;
      }
      const kern = normalise(c, raw);
      if (UPDATE) writeGolden(kern);
      const emu = normalise(c, runEmulator(c, env));
      expect(compareResults(kern, emu, 'kernel', 'emulator', gaps(c))).toEqual([]);
      const golden = readGolden(c.name);
      expect(golden, `no golden for ${c.name}: run with UPDATE_GOLDENS=1 as root`).toBeDefined();
      if (golden === undefined) return;
      if (sameEnv(golden.env, env)) expect(compareResults(golden, kern, 'golden', 'kernel')).toEqual([]);
      else ctx.annotate(`kernel vs golden not compared: golden recorded on ${golden.env.release} (${golden.env.nrCpus} CPUs), this is ${env.release} (${env.nrCpus} CPUs)`);
    });
  }
});

for (const engine of [undefined, 'js'] as const) {
  describe(engine === undefined ? 'emulator vs kernel goldens' : 'emulator on the JavaScript tier vs kernel goldens', () => {
    for (const c of CASES) {
      it(c.name, () => {
        const golden = readGolden(c.name);
        expect(golden, `no golden for ${c.name}: run with UPDATE_GOLDENS=1 as root`).toBeDefined();
        if (golden === undefined) return;
        const calls = tierStats.calls;
        const emu = normalise(c, runEmulator(c, golden.env, engine));
        expect(compareResults(golden, emu, 'kernel (golden)', engine === undefined ? 'emulator' : `emulator (${engine})`, gaps(c))).toEqual([]);
        // On the tier, translated code ran wherever a program ran (every program of the cases is
        // within the tier's size limit); a case whose test runs all fail before running has none.
        if (engine !== undefined && golden.runs.some((r) => r.retval !== null)) expect(tierStats.calls).toBeGreaterThan(calls);
      });
    }
  });
}
