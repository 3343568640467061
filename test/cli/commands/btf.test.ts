import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { EXIT_FAIL, EXIT_OK } from '../../../src/cli/registry.js';
import { ioWith } from './objects.js';

describe('bpfemu btf', () => {
  it('prints the object BTF as C with the vmlinux.h-style header', () => {
    const io = ioWith('struct_ops');
    expect(runCli(['btf', 'programs/struct_ops.bpf.o'], io)).toBe(EXIT_OK);
    expect(io.stdout).toMatch(/^#ifndef __VMLINUX_H__\n/);
    expect(io.stdout).toContain('struct my_ops {\n\tint (*test_1)(void);\n\tint (*test_2)(int, int);\n\tint flags;\n\tchar name[16];\n};');
  });

  it('drops the header with --no-header and fails on objects without BTF', () => {
    const io = ioWith('xdp_maps');
    expect(runCli(['btf', 'programs/xdp_maps.bpf.o', '--no-header'], io)).toBe(EXIT_OK);
    expect(io.stdout).toContain('struct proto_stat {');
    expect(io.stdout).not.toContain('__VMLINUX_H__');
    io.files.set('x.o', new Uint8Array(3));
    expect(runCli(['btf', 'x.o'], io)).toBe(EXIT_FAIL);
  });
});
