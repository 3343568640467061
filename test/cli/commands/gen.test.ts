/**
 * `bpfemu gen types`: the generated declarations type-check with the TypeScript compiler against
 * this package's API, give the C types their JavaScript types (u64 → bigint, u16 → number, bool →
 * boolean), and reject misuse (a u64 field used as a number, an unknown map or program).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { MemIo } from '../memio.js';

const FW = 'programs/xdp_firewall.bpf.o';

function generate(): string {
  const io = new MemIo({ [FW]: readFileSync(FW) });
  expect(runCli(['gen', 'types', FW, '-o', 'fw.types.ts'], io)).toBe(0);
  return new TextDecoder().decode(io.files.get('fw.types.ts'));
}

/**
 * Type-check usage files (each importing ./fw.types.js) with the generated file in one compiler
 * program (the package's sources are checked once); the diagnostics' texts by usage file.
 */
function typecheck(generated: string, usages: Record<string, string>): Record<string, string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bpfemu-gen-'));
  try {
    const api = resolve('src/index.ts').replace(/\.ts$/, '.js');
    writeFileSync(join(dir, 'fw.types.ts'), generated.replace("from 'bpfemu'", `from '${api}'`));
    for (const [name, text] of Object.entries(usages)) writeFileSync(join(dir, `${name}.ts`), text.replace("from 'bpfemu'", `from '${api}'`));
    const program = ts.createProgram(
      Object.keys(usages).map((n) => join(dir, `${n}.ts`)),
      { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, types: [] },
    );
    const out: Record<string, string[]> = {};
    for (const n of Object.keys(usages)) out[n] = [];
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const f = d.file?.fileName ?? '';
      const n = Object.keys(usages).find((u) => f === join(dir, `${u}.ts`));
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (n !== undefined) out[n]!.push(text);
      else if (f.startsWith(dir)) (out['fw.types'] ??= []).push(text);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('bpfemu gen types', () => {
  const text = generate();

  it('declares the programs, the BTF-typed maps and the globals with their JavaScript types', () => {
    expect(text).toContain('export type XdpFirewallProgram = "xdp_firewall";');
    expect(text).toMatch(/export type Counter = \{\n {2}packets: bigint;\n {2}bytes: bigint;\n\};/);
    expect(text).toContain('  proto_stats: TypedMap<number, Counter>;');
    expect(text).toContain('  blocked_tcp_port: number;');
    expect(text).toContain('  monitor_only: boolean;');
  });

  it('type-checks, and rejects misuse', { timeout: 60_000 }, () => {
    const ok = `import { BpfObject } from 'bpfemu';
import { bind, type Counter } from './fw.types.js';
export function use(obj: BpfObject): bigint {
  const fw = bind(obj);
  fw.globals.blocked_tcp_port = 8080;
  const on: boolean = fw.globals.monitor_only;
  fw.program('xdp_firewall').testRun({ dataIn: new Uint8Array(60) });
  const c: Counter | undefined = fw.maps.proto_stats.get(1);
  fw.maps.blocklist.set(0x0100000a, 0n);
  return (c?.packets ?? 0n) + (on ? 1n : 0n);
}
`;
    const bad = `import { BpfObject } from 'bpfemu';
import { bind } from './fw.types.js';
export function use(obj: BpfObject): void {
  const fw = bind(obj);
  const n: number = fw.maps.proto_stats.get(1)!.packets;
  fw.maps.nope.get(1);
  fw.program('other');
  fw.globals.monitor_only = 1;
}
`;
    const r = typecheck(text, { ok, bad });
    expect(r['fw.types']).toBeUndefined();
    expect(r.ok).toEqual([]);
    const errs = r.bad!;
    expect(errs.some((e) => /Type 'bigint' is not assignable to type 'number'/.test(e))).toBe(true);
    expect(errs.some((e) => /Property 'nope' does not exist/.test(e))).toBe(true);
    expect(errs.some((e) => /'"other"' is not assignable to parameter of type '"xdp_firewall"'/.test(e))).toBe(true);
    expect(errs.some((e) => /Type 'number' is not assignable to type 'boolean'/.test(e))).toBe(true);
    expect(errs).toHaveLength(4);
  });

  it('refuses a missing object or subcommand', () => {
    const io = new MemIo();
    expect(runCli(['gen', 'skeleton', FW], io)).toBe(2);
    expect(io.stderrText).toMatch(/gen: expected 'types', got 'skeleton'/);
  });
});
