import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Make sure dist/ holds a build at least as new as src/ (scripts/ensure-built.mjs, which builds it
 * once across the parallel test processes) and return the paths of the two executables.
 */
export function ensureBuilt(): { main: string; plugin: string } {
  execFileSync(process.execPath, [join(ROOT, 'scripts/ensure-built.mjs')], { cwd: ROOT, stdio: 'pipe' });
  return { main: join(ROOT, 'dist/cli/main.js'), plugin: join(ROOT, 'dist/cli/conformance-plugin.js') };
}
