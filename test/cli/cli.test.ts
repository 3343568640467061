import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../../src/cli/cli.js';
import { EXIT_FAIL, EXIT_OK, EXIT_USAGE } from '../../src/cli/registry.js';
import { detectFormat } from '../../src/cli/commands/disasm.js';
import { toHex } from '../../src/util/bytes.js';
import { MemIo } from './memio.js';

const PROG = 'mov %r0, 1\nadd %r0, %r2\nexit\n';
const PROG_HEX = 'b700000001000000' + '0f20000000000000' + '9500000000000000';

describe('command table and errors', () => {
  it('lists every command in --help', () => {
    const io = new MemIo();
    expect(runCli(['--help'], io)).toBe(EXIT_OK);
    for (const c of COMMANDS) expect(io.stdout).toContain(c.name);
  });

  it('exits 2 without a command and on an unknown one', () => {
    expect(runCli([], new MemIo())).toBe(EXIT_USAGE);
    const io = new MemIo();
    expect(runCli(['frob'], io)).toBe(EXIT_USAGE);
    expect(io.stderrText).toMatch(/^bpfemu: unknown command 'frob'/);
  });

  it('--version prints the package version; help CMD prints its usage; demo --only refuses unknown demos', () => {
    const io = new MemIo();
    expect(runCli(['--version'], io)).toBe(EXIT_OK);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(io.stdout).toBe(`bpfemu ${pkg.version}\n`);
    const h = new MemIo();
    expect(runCli(['help', 'run'], h)).toBe(EXIT_OK);
    expect(h.stdout).toMatch(/^usage: bpfemu run OBJ/);
    const bad = new MemIo();
    expect(runCli(['help', 'frob'], bad)).toBe(EXIT_USAGE);
    expect(bad.stderrText).toMatch(/^bpfemu: help: unknown command 'frob'/);
    const d = new MemIo();
    expect(runCli(['demo', '--only', 'nope'], d)).toBe(EXIT_USAGE);
    expect(d.stderrText).toMatch(/demo: --only: unknown demo 'nope' \(firewall, struct_ops\)/);
    expect(d.stdout).toBe('');
  });

  it('prints a command usage with --help', () => {
    const io = new MemIo();
    expect(runCli(['asm', '--help'], io)).toBe(EXIT_OK);
    expect(io.stdout).toMatch(/^usage: bpfemu asm/);
  });

  it('reports usage errors with exit 2 and input errors with exit 1', () => {
    const io = new MemIo();
    expect(runCli(['asm', '--bogus', 'x'], io)).toBe(EXIT_USAGE);
    expect(io.stderrText).toMatch(/^bpfemu: asm: /);
    const io2 = new MemIo();
    expect(runCli(['asm', 'missing.s'], io2)).toBe(EXIT_FAIL);
    expect(io2.stderrText).toBe('bpfemu: missing.s: ENOENT\n');
  });
});

describe('asm', () => {
  it('writes raw bytes to stdout', () => {
    const io = new MemIo({ 'p.s': PROG });
    expect(runCli(['asm', 'p.s'], io)).toBe(EXIT_OK);
    expect(toHex(io.stdoutBytes)).toBe(PROG_HEX);
  });

  it('writes hex, one instruction per line, to -o', () => {
    const io = new MemIo({ 'p.s': PROG });
    expect(runCli(['asm', 'p.s', '--hex', '-o', 'p.hex'], io)).toBe(EXIT_OK);
    expect(new TextDecoder().decode(io.files.get('p.hex'))).toBe('b700000001000000\n0f20000000000000\n9500000000000000\n');
  });

  it('reads stdin with -', () => {
    const io = new MemIo();
    io.stdin = new TextEncoder().encode(PROG);
    expect(runCli(['asm', '-', '--hex'], io)).toBe(EXIT_OK);
    expect(io.stdout.split('\n')).toHaveLength(4);
  });

  it('names the file and line of an assembler error', () => {
    const io = new MemIo({ 'bad.s': 'mov %r0, 1\nfrob\n' });
    expect(runCli(['asm', 'bad.s'], io)).toBe(EXIT_FAIL);
    expect(io.stderrText).toBe("bpfemu: bad.s: line 2: unknown mnemonic 'frob'\n");
  });
});

describe('disasm', () => {
  const bin = new Uint8Array(PROG_HEX.match(/../g)!.map((b) => parseInt(b, 16)));

  it('prints kernel syntax by default', () => {
    const io = new MemIo({ 'p.bin': bin });
    expect(runCli(['disasm', 'p.bin'], io)).toBe(EXIT_OK);
    expect(io.stdout).toBe('0: r0 = 1\n1: r0 += r2\n2: exit\n');
  });

  it('reads hex and prints the mnemonic dialect without pcs', () => {
    const io = new MemIo({ 'p.hex': PROG_HEX.replace(/(.{16})/g, '$1\n') });
    expect(runCli(['disasm', 'p.hex', '--hex', '--syntax', 'mnemonic', '--no-pcs'], io)).toBe(EXIT_OK);
    expect(io.stdout).toBe('mov %r0, 1\nadd %r0, %r2\nexit\n');
  });

  it('round-trips asm -> disasm --syntax mnemonic --no-pcs -> asm', () => {
    const io = new MemIo({ 'p.s': 'mov %r0, 0\nloop:\nadd %r0, 1\njlt %r0, 3, loop\nexit\n' });
    runCli(['asm', 'p.s', '-o', 'p.bin'], io);
    runCli(['disasm', 'p.bin', '--syntax', 'mnemonic', '--labels', '--no-pcs', '--hex'], io);
    // --hex on a binary file is not hex text: that is an input error.
    expect(io.stderrText).toContain('not hex text');
    const io2 = new MemIo({ 'p.bin': io.files.get('p.bin')! });
    runCli(['disasm', 'p.bin', '--syntax', 'mnemonic', '--labels', '--no-pcs'], io2);
    io2.files.set('q.s', new TextEncoder().encode(io2.stdout));
    io2.stdoutChunks = [];
    runCli(['asm', 'q.s'], io2);
    expect(toHex(io2.stdoutBytes)).toBe(toHex(io.files.get('p.bin')!));
  });

  it('rejects a partial instruction, a bad syntax name and ELF input', () => {
    const io = new MemIo({ 'odd.bin': new Uint8Array(12), 'o.elf': Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0) });
    expect(runCli(['disasm', 'odd.bin'], io)).toBe(EXIT_FAIL);
    expect(runCli(['disasm', 'odd.bin', '--syntax', 'intel'], io)).toBe(EXIT_USAGE);
    expect(runCli(['disasm', 'o.elf'], io)).toBe(EXIT_FAIL);
    expect(io.stderrText).toContain('ELF');
    expect(detectFormat(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46))).toBe('elf');
    expect(detectFormat(Uint8Array.of(0x95, 0, 0, 0))).toBe('raw');
  });
});

describe('conformance', () => {
  const files = {
    'cases/a.data': '-- asm\nmov %r0, 2\nexit\n-- result\n2\n',
    'cases/sub/b.data': '-- asm\nldxb %r0, [%r1+2]\nexit\n-- mem\n01 02\n-- error\nrun:out_of_bounds\n',
    'cases/notes.txt': 'ignored',
    'bad.data': '-- asm\nmov %r0, 2\nexit\n-- result\n3\n',
  };

  it('runs every .data file below a directory on both engines', () => {
    const io = new MemIo(files);
    expect(runCli(['conformance', 'cases'], io)).toBe(EXIT_OK);
    expect(io.stdout).toBe('2 case files, fast+reference: 4 passed, 0 failed\n');
  });

  it('prints failures and exits 1', () => {
    const io = new MemIo(files);
    expect(runCli(['conformance', 'cases', 'bad.data', '--engine', 'fast'], io)).toBe(EXIT_FAIL);
    expect(io.stdout).toContain('FAIL bad.data [fast]: expected r0 = 0x3, got 0x2');
    expect(io.stdout).toContain('3 case files, fast: 2 passed, 1 failed');
  });

  it('filters by regex and lists passes with --verbose', () => {
    const io = new MemIo(files);
    expect(runCli(['conformance', 'cases', '--filter', 'sub/', '-v', '--engine', 'reference'], io)).toBe(EXIT_OK);
    expect(io.stdout).toBe('pass cases/sub/b.data [reference]\n1 case files, reference: 1 passed, 0 failed\n');
  });

  it('counts an unparsable case file as failed', () => {
    const io = new MemIo({ 'x.data': '-- nope\n' });
    expect(runCli(['conformance', 'x.data'], io)).toBe(EXIT_FAIL);
    expect(io.stdout).toContain("FAIL x.data: line 1: unknown section '-- nope'");
  });
});
