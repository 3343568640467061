import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './built.js';

let main = '';
let plugin = '';

beforeAll(() => {
  ({ main, plugin } = ensureBuilt());
});

/** Run an executable directly (through its shebang), like bpf_conformance runs a plugin. */
function run(file: string, args: string[], input: string | Uint8Array = '') {
  const r = spawnSync(file, args, { input, timeout: 30_000 });
  if (r.error !== undefined) throw r.error;
  return { code: r.status, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8'), raw: new Uint8Array(r.stdout) };
}

describe('dist/cli/conformance-plugin.js as a bpf_conformance plugin', () => {
  it('is executable and starts with a node shebang', () => {
    expect(statSync(plugin).mode & 0o111).not.toBe(0);
    expect(readFileSync(plugin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('prints r0 in hex and exits 0', () => {
    // lddw r0, 0x1122334455667788; exit (bytes as the runner sends them: "b7  00  ..." with double spaces)
    const prog = '18 00 00 00 88 77 66 55 00 00 00 00 44 33 22 11 95 00 00 00 00 00 00 00'.split(' ').join('  ');
    const r = run(plugin, [], prog);
    expect(r).toMatchObject({ code: 0, stdout: '1122334455667788\n', stderr: '' });
  });

  it('passes the memory argument as r1/r2 and tolerates runner options', () => {
    // ldxh r0, [r1+1]; add r0, r2; exit
    const r = run(plugin, ['aa  bb  cc  ', '--elf', '--debug'], '6910010000000000 0f20000000000000 9500000000000000');
    expect(r).toMatchObject({ code: 0, stdout: `${(0xccbb + 3).toString(16)}\n` });
  });

  it('implements helper 5 as unwind', () => {
    // mov r1, 0; call 5; mov r0, 1; exit
    const r = run(plugin, [], 'b701000000000000 8500000005000000 b700000001000000 9500000000000000');
    expect(r).toMatchObject({ code: 0, stdout: '0\n' });
  });

  it('reports load and run errors on stderr with a non-zero exit', () => {
    const load = run(plugin, [], '0500010000000000 9500000000000000');
    expect(load.code).not.toBe(0);
    expect(load.stdout).toBe('');
    expect(load.stderr).toMatch(/^load error: pc 0: .*outside the program/);
    const fault = run(plugin, ['01'], '7110080000000000 9500000000000000');
    expect(fault.code).not.toBe(0);
    expect(fault.stderr).toMatch(/^run error: out_of_bounds at .*pc 0/);
  });
});

describe('dist/cli/main.js', () => {
  it('runs conformance-plugin as a command too', () => {
    expect(run(main, ['conformance-plugin'], 'b700000007000000 9500000000000000')).toMatchObject({ code: 0, stdout: '7\n' });
  });

  it('a reader that closes the pipe early (| head -1) ends the output quietly, without a stack trace', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${main}" run programs/xdp_firewall.bpf.o --prog xdp_firewall --data-in programs/xdp_firewall.bpf.o --trace | head -1`], { encoding: 'utf8' });
    expect(r.stdout.split('\n')).toHaveLength(2);
    expect(r.stderr).toBe('');
  });

  it('assembles and disassembles through files and pipes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfemu-cli-'));
    const src = join(dir, 'p.s');
    writeFileSync(src, 'mov %r0, 1\njeq %r0, 1, +1\nmov %r0, 2\nexit\n');
    const bin = run(main, ['asm', src]);
    expect(bin.code).toBe(0);
    expect(bin.raw.length).toBe(32);
    const dis = run(main, ['disasm', '-'], bin.raw);
    expect(dis).toMatchObject({ code: 0, stdout: '0: r0 = 1\n1: if r0 == 1 goto +1\n2: r0 = 2\n3: exit\n' });
    const hex = run(main, ['asm', src, '--hex']);
    expect(run(plugin, [], hex.stdout).stdout).toBe('1\n');
  });

  it('prints errors as `bpfemu: <message>` with exit codes', () => {
    expect(run(main, ['nope'])).toMatchObject({ code: 2 });
    const r = run(main, ['asm', '/nonexistent/x.s']);
    expect(r).toMatchObject({ code: 1, stderr: 'bpfemu: /nonexistent/x.s: no such file or directory (ENOENT)\n' });
  });
});
