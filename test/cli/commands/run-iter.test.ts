/** `bpfemu run` of an iterator program: attached and read to the end, printed like `cat` of a pinned iterator. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { EXIT_OK, EXIT_USAGE } from '../../../src/cli/registry.js';
import { MemIo } from '../memio.js';

const FILE = 'programs/tracing_btf.bpf.o';

function io(): MemIo {
  return new MemIo({ [FILE]: readFileSync(FILE), 'x.bin': new Uint8Array(60) });
}

describe('bpfemu run --prog <iter program>', () => {
  it('prints the iterator output', () => {
    const m = io();
    expect(runCli(['run', FILE, '--prog', 'iter_task'], m)).toBe(EXIT_OK);
    expect(m.stdout).toBe('1 init\n4242 bpfemu\ntasks: 2\n');
  });

  it('--json prints the output and the maps', () => {
    const m = io();
    expect(runCli(['run', FILE, '--prog', 'iter_task', '--json'], m)).toBe(EXIT_OK);
    const r = JSON.parse(m.stdout) as { output: string; maps: Record<string, { entries: { value: unknown }[] }> };
    expect(r.output).toBe('1 init\n4242 bpfemu\ntasks: 2\n');
    // .bss by variable (formatted from BTF): iter_tasks 2, btf_calls, btf_last_id
    expect(r.maps['.bss']!.entries[0]!.value).toEqual({ iter_tasks: 2, btf_calls: 0, btf_last_id: 0 });
    // --hex: the bytes as clang laid them out
    const h = io();
    expect(runCli(['run', FILE, '--prog', 'iter_task', '--json', '--hex'], h)).toBe(EXIT_OK);
    const rh = JSON.parse(h.stdout) as { maps: Record<string, { entries: { value: string }[] }> };
    expect(rh.maps['.bss']!.entries[0]!.value).toBe(`0200000000000000${'00'.repeat(16)}`);
  });

  it('refuses the test-run options', () => {
    for (const opt of [['--data-in', 'x.bin'], ['--repeat', '2'], ['--cpu', '1']]) {
      const m = io();
      expect(runCli(['run', FILE, '--prog', 'iter_task', ...opt], m), opt[0]).toBe(EXIT_USAGE);
      expect(m.stderrText).toContain(`${opt[0]} does not apply to iterator program 'iter_task'`);
    }
  });
});
