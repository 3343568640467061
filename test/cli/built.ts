import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
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

/**
 * Make sure dist/ holds a build at least as new as src/ (after `npm ci` it does; during development
 * the test rebuilds, as `npm run build` would) and return the paths of the two executables.
 */
export function ensureBuilt(): { main: string; plugin: string } {
  const main = join(ROOT, 'dist/cli/main.js');
  const plugin = join(ROOT, 'dist/cli/conformance-plugin.js');
  const stale = !existsSync(main) || !existsSync(plugin) || Math.min(statSync(main).mtimeMs, statSync(plugin).mtimeMs) < newestMtime(join(ROOT, 'src'));
  if (stale) {
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    } catch {
      // tsc still emits when unrelated files have type errors; the checks below decide.
    }
    chmodSync(main, 0o755);
    chmodSync(plugin, 0o755);
  }
  return { main, plugin };
}
