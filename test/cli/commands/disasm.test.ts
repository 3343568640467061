import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { EXIT_FAIL, EXIT_OK, EXIT_USAGE } from '../../../src/cli/registry.js';
import { ioWith } from './objects.js';

describe('bpfemu disasm on ELF objects', () => {
  it('prints the linked program with source lines before the instructions they cover', () => {
    const io = ioWith('loop');
    expect(runCli(['disasm', 'programs/loop.bpf.o'], io)).toBe(EXIT_OK);
    const lines = io.stdout.split('\n');
    expect(lines[0]).toBe('loop_prog (syscall, section syscall, 42 insns):');
    const at = lines.indexOf(' 8: r2 = func pc+16 <loop_cb>');
    expect(at).toBeGreaterThan(0);
    expect(lines[at - 1]).toBe('; args->iterations = bpf_loop(args->nr_loops, loop_cb, &st, 0);  [./loop.bpf.c:58:21]');
    expect(lines).toContain('loop_cb:');
    expect(lines).toContain('27: call pc+9 <square>');
    expect(lines).toContain('41: exit');
  });

  it('names maps, externs and kfuncs, and selects one program with --prog', () => {
    const io = ioWith('externs', 'tailcall');
    expect(runCli(['disasm', 'programs/externs.bpf.o', '--prog', 'externs_prog'], io)).toBe(EXIT_OK);
    expect(io.stdout).toContain(' 1: r1 = map[externs.kconfig]+8\n');
    expect(io.stdout).toContain('21: r2 = ksym bpf_prog_put\n');
    expect(io.stdout).toContain('27: r8 = kfunc bpf_bpfemu_no_such_kfunc\n');
    expect(io.stdout).toContain('32: call bpf_rcu_read_lock\n');
    io.stdoutChunks = [];
    expect(runCli(['disasm', 'programs/tailcall.bpf.o', '--prog', 'tail_2'], io)).toBe(EXIT_OK);
    expect(io.stdout).toMatch(/^tail_2 \(xdp, section xdp, 7 insns\):\ntail_2:\n/);
    expect(io.stdout).toContain('0: r1 = map[tailcall.bss]+4');
  });

  it('marks poisoned CO-RE instructions', () => {
    const io = ioWith('core');
    runCli(['disasm', 'programs/core.bpf.o'], io);
    expect(io.stdout).toMatch(/\n167: call 195896080 {2}; poisoned: CO-RE relocation #23 \(enumval_value of enum bpf_map_type___bpfemu::BPF_MAP_TYPE_ARENA \(0\)\) failed: /);
  });

  it('rejects an unknown --prog and --prog on raw input', () => {
    const io = ioWith('loop');
    expect(runCli(['disasm', 'programs/loop.bpf.o', '--prog', 'nope'], io)).toBe(EXIT_FAIL);
    expect(io.stderrText).toContain("no program 'nope' (programs: loop_prog)");
    io.files.set('p.bin', new Uint8Array(8));
    expect(runCli(['disasm', 'p.bin', '--prog', 'x'], io)).toBe(EXIT_USAGE);
  });
});
