import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
  }
  return t;
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A build lock older than this is left over from a killed process. */
const STALE_LOCK_MS = 180_000;

/**
 * Make sure dist/ holds a build at least as new as src/ and return the paths of the two
 * executables. A fresh checkout has no dist/ (`npm ci` runs no build), so the first test that needs
 * it builds it, as `npm run build` would; test files run in parallel processes, so the build is
 * done by one of them under a lock directory (dist/.building) while the others wait for it.
 */
export function ensureBuilt(): { main: string; plugin: string } {
  const main = join(ROOT, 'dist/cli/main.js');
  const plugin = join(ROOT, 'dist/cli/conformance-plugin.js');
  const stale = (): boolean => !existsSync(main) || !existsSync(plugin) || Math.min(statSync(main).mtimeMs, statSync(plugin).mtimeMs) < newestMtime(join(ROOT, 'src'));
  const lock = join(ROOT, 'dist', '.building');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  while (stale()) {
    try {
      mkdirSync(lock);
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      sleepMs(200);
      continue;
    }
    try {
      if (!stale()) break;
      try {
        execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
      } catch {
        // tsc still emits when unrelated files have type errors; the checks of the callers decide.
      }
      chmodSync(main, 0o755);
      chmodSync(plugin, 0o755);
      break;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return { main, plugin };
}
