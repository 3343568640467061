import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { EXIT_FAIL, EXIT_OK, EXIT_USAGE } from '../../../src/cli/registry.js';
import { loadObjectSpec, specToJSON } from '../../../src/object/index.js';
import { ioWith } from './objects.js';

describe('bpfemu inspect', () => {
  it('lists programs, maps with static slots, and globals', () => {
    const io = ioWith('tailcall');
    expect(runCli(['inspect', 'programs/tailcall.bpf.o'], io)).toBe(EXIT_OK);
    const out = io.stdout;
    expect(out).toMatch(/^object tailcall: little-endian, license "GPL"/);
    expect(out).toContain('  tail_1  xdp  section xdp  attach XDP  11 insns');
    expect(out).toContain('  xdp_entry  xdp  section xdp  attach XDP  24 insns');
    expect(out).toContain('  jmp_table  prog_array  key 4  value 4  max_entries 4');
    expect(out).toContain('    [1] = prog tail_1\n    [3] = prog tail_2\n');
    expect(out).toContain('  .bss (map tailcall.bss, 16 bytes)\n    +0 tail_1_runs (4 bytes)');
  });

  it('shows externs and struct_ops variables', () => {
    const io = ioWith('externs', 'struct_ops');
    runCli(['inspect', 'programs/externs.bpf.o'], io);
    expect(io.stdout).toContain('  CONFIG_HZ  kconfig  .kconfig+4 int (4 bytes)');
    expect(io.stdout).toContain('  bpf_bpfemu_no_such_kfunc  kfunc weak');
    io.stdoutChunks = [];
    runCli(['inspect', 'programs/struct_ops.bpf.o'], io);
    expect(io.stdout).toContain('  my_ops_link: struct my_ops (40 bytes) link\n    +0 test_1 = test_1\n    +8 test_2 = test_2\n    +16 flags\n');
    expect(io.stdout).toContain('  my_ops_optional: struct my_ops (40 bytes) autocreate=false');
    expect(io.stdout).toContain('  test_2_sleepable  struct_ops  section struct_ops.s/test_2  attach test_2  9 insns  [sleepable]');
  });

  it('prints the spec as JSON with --json', () => {
    const io = ioWith('loop');
    expect(runCli(['inspect', 'programs/loop.bpf.o', '--json'], io)).toBe(EXIT_OK);
    const spec = loadObjectSpec(io.files.get('programs/loop.bpf.o')!, { name: 'loop' });
    expect(JSON.parse(io.stdout)).toEqual(specToJSON(spec));
  });

  it('names the file in load errors and checks usage', () => {
    const io = ioWith();
    io.files.set('bad.o', Uint8Array.of(0x7f, 0x45, 0x4c, 0x46));
    expect(runCli(['inspect', 'bad.o'], io)).toBe(EXIT_FAIL);
    expect(io.stderrText).toMatch(/^bpfemu: bad\.o: file of 4 bytes/);
    expect(runCli(['inspect'], io)).toBe(EXIT_USAGE);
  });
});
