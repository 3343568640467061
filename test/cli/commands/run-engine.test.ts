/** `bpfemu run --engine interp|js|auto`: the same results on each engine, the tier really used, bad names refused. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { tierStats } from '../../../src/vm/tier/cache.js';
import { ipv4Frame } from '../../../src/util/packets.js';
import { MemIo } from '../memio.js';

const FW = 'programs/xdp_firewall.bpf.o';

function run(engine: string | null): { code: number; out: Record<string, unknown>; io: MemIo } {
  const m = new MemIo({ [FW]: readFileSync(FW), 'tcp22.bin': ipv4Frame('tcp', { dstPort: 22 }) });
  const code = runCli(['run', FW, '--prog', 'xdp_firewall', '--data-in', 'tcp22.bin', '--repeat', '5', '--json', ...(engine === null ? [] : ['--engine', engine])], m);
  const out = code === 0 ? (JSON.parse(m.stdout) as Record<string, unknown>) : {};
  delete out['durationNs'];
  return { code, out, io: m };
}

describe('bpfemu run --engine', () => {
  it('interp, js and auto give the same retval, packet and maps; js runs translated code', () => {
    const interp = run('interp');
    expect(interp.code).toBe(0);
    expect(interp.out['retval']).toBe(1);
    const calls = tierStats.calls;
    const js = run('js');
    expect(tierStats.calls - calls).toBe(5);
    expect(js.out).toEqual(interp.out);
    expect(run('auto').out).toEqual(interp.out);
    expect(run(null).out).toEqual(interp.out);
  });

  it('refuses an unknown engine with a usage error', () => {
    const r = run('jit');
    expect(r.code).not.toBe(0);
    // under --json the error is a JSON object on stdout
    expect(r.io.stdout).toMatch(/--engine: expected interp, js or auto, got 'jit'/);
  });
});
