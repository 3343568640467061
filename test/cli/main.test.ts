// The launcher (src/cli/bin.cts, the package's bin, also run by main.ts): the one-file build of the CLI with its code cache must behave as
// the CLI's modules (entry.ts) do — the same output, exit status and errors — and the cache must be
// one V8 accepts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMES } from '../kernel/progtypes/harness.js';
import { ensureBuilt, ROOT } from './built.js';

let dir = '';
let main = '';
const entry = join(ROOT, 'dist/cli/entry.js');
const bundle = join(ROOT, 'dist/cli/bpfemu.cjs');
const bin = join(ROOT, 'dist/cli/bin.cjs');

beforeAll(() => {
  main = ensureBuilt().main;
  dir = mkdtempSync(join(tmpdir(), 'bpfemu-launch-'));
  writeFileSync(join(dir, 'udp.bin'), FRAMES.v4_udp);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(file: string, args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [file, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bpfemu launcher', () => {
  it('the build made the one-file CLI and its code cache, newer than the modules', () => {
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.cache`)).toBe(true);
    expect(statSync(bundle).mtimeMs).toBeGreaterThanOrEqual(statSync(entry).mtimeMs);
  });

  it('runs a program, lists, disassembles and fails exactly as the modules do', () => {
    const fw = join(ROOT, 'programs/xdp_firewall.bpf.o');
    for (const args of [
      ['run', fw, '--prog', 'xdp_firewall', '--data-in', join(dir, 'udp.bin'), '--json'],
      ['disasm', fw, '--prog', 'xdp_firewall'],
      ['run', fw, '--prog', 'no_such_prog'],
      ['demo', '--only', 'firewall'],
    ]) {
      const viaBundle = cli(main, args);
      const viaBin = cli(bin, args);
      const viaModules = cli(entry, args);
      // The test run's measured duration differs from process to process.
      const scrub = (s: string): string => s.replace(/"duration(Ns)?": ?\d+/g, '"duration": 0');
      expect(scrub(viaBundle.stdout), args.join(' ')).toBe(scrub(viaModules.stdout));
      expect(viaBundle.stderr).toBe(viaModules.stderr);
      expect(viaBundle.status).toBe(viaModules.status);
      expect([scrub(viaBin.stdout), viaBin.stderr, viaBin.status]).toEqual([scrub(viaModules.stdout), viaModules.stderr, viaModules.status]);
    }
  });

  it("package.json's bin is the CommonJS launcher, executable", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { bpfemu: string } };
    expect(join(ROOT, pkg.bin.bpfemu)).toBe(bin);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('writes a code cache on request, and V8 accepts the shipped one', () => {
    const out = join(dir, 'cache.bin');
    const r = cli(main, ['run', join(ROOT, 'programs/xdp_firewall.bpf.o'), '--prog', 'xdp_firewall', '--data-in', join(dir, 'udp.bin')], { BPFEMU_CODE_CACHE_OUT: out });
    expect(r.status).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(100_000);
    // Compile the bundle with the shipped cache as the launcher does and ask V8.
    const probe = `const fs=require('fs'),vm=require('vm');const f=${JSON.stringify(bundle)};const src=fs.readFileSync(f,'utf8').replace(/^#!/,'//');const s=new vm.Script('(function (exports, require, module, __filename, __dirname) {'+src+'\\n})',{filename:f,cachedData:fs.readFileSync(f+'.cache')});process.stdout.write(String(s.cachedDataRejected));`;
    const p = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    expect(p.stdout).toBe('false');
  });
});
