// Build dist/ with tsc (and the CLI's one-file build) when it is missing or older than src/ (what
// `npm start` runs first, and what the tests that run the CLI call). The package has no install scripts: a published tarball ships
// dist/ (built by `prepack`), and a checkout builds on first use here instead of on `npm ci`.
// Parallel callers (test files run in several processes) build once: the first takes the lock
// directory dist/.building, the others wait for it and find dist/ current.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const main = join(root, 'dist/cli/main.js');
const plugin = join(root, 'dist/cli/conformance-plugin.js');
const bin = join(root, 'dist/cli/bin.cjs');
const lock = join(root, 'dist/.building');
/** A lock older than this is left over from a killed process. */
const STALE_LOCK_MS = 180_000;

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stale = () => !existsSync(main) || !existsSync(plugin) || Math.min(statSync(main).mtimeMs, statSync(plugin).mtimeMs) < newest(join(root, 'src'));
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

mkdirSync(join(root, 'dist'), { recursive: true });
while (stale()) {
  try {
    mkdirSync(lock);
  } catch {
    if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
    sleep(200);
    continue;
  }
  try {
    if (!stale()) break;
    process.stderr.write('building dist/ (tsc -p tsconfig.build.json) ...\n');
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    } catch {
      // tsc still emits when some file has a type error; whether the build is usable is checked below.
    }
    if (!existsSync(main) || !existsSync(plugin)) throw new Error('tsc emitted no dist/cli/main.js');
    chmodSync(main, 0o755);
    chmodSync(plugin, 0o755);
    if (existsSync(bin)) chmodSync(bin, 0o755);
    // The CLI's one-file build and code cache (scripts/bundle-cli.mjs; the CLI starts faster with them).
    execFileSync(process.execPath, [join(root, 'scripts/bundle-cli.mjs')], { cwd: root, stdio: 'inherit' });
    break;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
