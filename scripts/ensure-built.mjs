// Build dist/ with tsc when it is missing or older than src/ (what `npm start` runs first). The
// package has no install scripts: a published tarball ships dist/ (built by `prepack`), and a
// checkout builds on first use here instead of on `npm ci`.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const main = join(root, 'dist/cli/main.js');
if (!existsSync(main) || statSync(main).mtimeMs < newest(join(root, 'src'))) {
  process.stderr.write('building dist/ (tsc -p tsconfig.build.json) ...\n');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  for (const f of ['dist/cli/main.js', 'dist/cli/conformance-plugin.js']) chmodSync(join(root, f), 0o755);
}
