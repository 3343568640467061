/**
 * The README's vitest coverage example (`<!-- example: vitest-coverage -->`) works as documented: a
 * vitest project whose config is that snippet, with a test that runs a BPF program through the
 * package, writes an lcov tracefile of the program's C lines into coverage/bpf/ when it ends. It
 * runs vitest in a child process inside the repository, so `bpfemu/...` resolves to this package
 * (its own exports, from the build).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../cli/built.js';

it('the coverage setup file of the README writes coverage/bpf/bpf-<pid>-<n>.info at the end of a vitest run', () => {
  ensureBuilt();
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- example: vitest-coverage -->\n```js\n\/\/ vitest\.config\.ts\n([\s\S]*?)```/.exec(readme);
  expect(m).not.toBeNull();
  const dir = mkdtempSync(join(ROOT, '.example-'));
  try {
    writeFileSync(join(dir, 'vitest.config.mjs'), m![1]!.replace(/\s*\/\/ .*$/m, '').replace('export default { test: {', "export default { test: { include: ['fw.test.mjs'],"));
    writeFileSync(
      join(dir, 'fw.test.mjs'),
      [
        "import { readFileSync } from 'node:fs';",
        "import { it, expect } from 'vitest';",
        "import { BpfObject, packets } from 'bpfemu';",
        "it('drops tcp/22', () => {",
        `  const obj = BpfObject.open(readFileSync(${JSON.stringify(join(ROOT, 'programs/xdp_firewall.bpf.o'))}));`,
        '  obj.load();',
        "  expect(obj.program('xdp_firewall').testRun({ dataIn: packets.ipv4Frame('tcp', { dstPort: 22 }) }).retval).toBe(1);",
        '});',
      ].join('\n'),
    );
    execFileSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir], { cwd: dir, env: { ...process.env, BPFEMU_COVERAGE_ROOT: 'programs' }, stdio: 'pipe' });
    const files = readdirSync(join(dir, 'coverage/bpf'));
    expect(files.length).toBe(1);
    expect(files[0]).toMatch(/^bpf-\d+-1\.info$/);
    const lcov = readFileSync(join(dir, 'coverage/bpf', files[0]!), 'utf8');
    expect(lcov).toMatch(/^TN:\nSF:programs\/xdp_firewall\.bpf\.c\nFN:115,xdp_firewall\nFNDA:1,xdp_firewall\n/);
    expect(lcov).toMatch(/\nDA:\d+,1\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
