/** The published package: its entry points exist in the build, source maps carry their sources, a LICENSE ships. */
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ensureBuilt } from '../cli/built.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { license: string; files: string[]; exports: Record<string, string>; bin: Record<string, string>; scripts: Record<string, string> };

it('every export and the bin point at built files; the maps inline their TypeScript sources', () => {
  ensureBuilt();
  expect(Object.keys(pkg.exports).sort()).toEqual(['.', './packets', './vitest', './vitest/coverage-setup']);
  for (const [name, path] of Object.entries(pkg.exports)) {
    expect(existsSync(path), `${name} -> ${path}`).toBe(true);
    const map = JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sourcesContent?: string[] };
    expect(map.sourcesContent?.[0]?.length ?? 0, `${path}.map has its source inline`).toBeGreaterThan(0);
  }
  expect(existsSync(pkg.bin.bpfemu!)).toBe(true);
});

it('ships a LICENSE matching package.json, with dist (not src) in the files', () => {
  expect(pkg.license).toBe('MIT');
  expect(readFileSync('LICENSE', 'utf8')).toMatch(/^MIT License\n/);
  expect(pkg.files).toEqual(['dist', 'programs', 'LICENSE']);
});

it('has no install scripts (npm warns about them on install), and builds dist/ before packing', () => {
  for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook], hook).toBeUndefined();
  expect(pkg.scripts.prepack).toBe('npm run build');
  expect(pkg.scripts.start).toMatch(/^node scripts\/ensure-built\.mjs && /);
});
