/**
 * The live probes of the map tests (test/maps/live/*.c): whether they can run here (root, the
 * kernel release the goldens were recorded on, a C compiler), and compiling one against libbpf and
 * running it once per argument list, each run's stdout parsed as JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Whether the probes can run here, and why not. */
export function liveProbeGate(release: string): { live: boolean; why: string } {
  const isRoot = process.getuid?.() === 0;
  const isRelease = readFileSync('/proc/version', 'utf8').includes(` ${release}`);
  const hasCc = spawnSync('cc', ['--version'], { stdio: 'ignore' }).status === 0;
  return { live: isRoot && isRelease && hasCc, why: !isRoot ? 'not root' : !isRelease ? `not Linux ${release}` : 'no C compiler' };
}

/** Path of `programs/<name>.bpf.o`. */
export function fixturePath(name: string): string {
  return new URL(`../../../programs/${name}.bpf.o`, import.meta.url).pathname;
}

/** Compile live/`source` and run it once per argument list; the parsed stdout of each run. */
export function runLiveProbe(source: string, runs: readonly (readonly string[])[]): unknown[] {
  const dir = mkdtempSync(join(tmpdir(), 'bpfemu-probe-'));
  try {
    const exe = join(dir, 'probe');
    const cc = spawnSync('cc', ['-O1', '-o', exe, new URL(`./${source}`, import.meta.url).pathname, '-lbpf'], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    return runs.map((args) => JSON.parse(spawnSync(exe, [...args], { encoding: 'utf8' }).stdout) as unknown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
