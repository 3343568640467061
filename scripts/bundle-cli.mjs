// The one-file build of the CLI and V8's code cache for it (see src/cli/bin.cts, the launcher that
// uses them): rolldown bundles dist/cli/entry.js into dist/cli/bpfemu.cjs, then one `bpfemu run`
// of the XDP firewall fixture writes the cache of the functions it compiled. Run after tsc by
// `npm run build` and scripts/ensure-built.mjs. Without rolldown (a dev dependency, the same version
// vite uses) nothing is built and the launcher runs the modules.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist/cli/bpfemu.cjs');
const cache = `${out}.cache`;

let rolldown;
try {
  rolldown = await import('rolldown');
} catch {
  process.stderr.write('bundle-cli: rolldown not found; the CLI runs from its modules\n');
  process.exit(0);
}
rmSync(cache, { force: true });
await rolldown.build({ input: join(root, 'dist/cli/entry.js'), platform: 'node', output: { file: out, format: 'cjs', comments: false }, logLevel: 'warn' });

// The cache: one test run of a small XDP program on a 42-byte UDP frame (README "Sample frames").
const dir = mkdtempSync(join(tmpdir(), 'bpfemu-cache-'));
try {
  const frame = join(dir, 'udp.bin');
  writeFileSync(frame, Buffer.from('02000000000202000000000108004500002100010000401166c90a0000010a00000214e90035000d86cb717565727900000000000000000000000000', 'hex'));
  execFileSync(process.execPath, [join(root, 'dist/cli/bin.cjs'), 'run', join(root, 'programs/xdp_firewall.bpf.o'), '--prog', 'xdp_firewall', '--data-in', frame], {
    env: { ...process.env, BPFEMU_CODE_CACHE_OUT: cache },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (!existsSync(cache)) throw new Error('bundle-cli: no code cache was written');
