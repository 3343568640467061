/**
 * `bpfemu disasm --visual` (isa/cfg.ts): basic blocks and edges of a hand-written program whose
 * graph is known, DOT that names every edge, an SVG that parses as XML with a group per block, and
 * an object's blocks carrying its C source lines.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { buildCfg } from '../../src/isa/cfg.js';
import { assemble } from '../../src/isa/asm.js';
import { MemIo } from './memio.js';

describe('buildCfg', () => {
  it('splits at jump targets and after jumps and exits; fall and taken edges', () => {
    // 0: r0 = 0; 1: if r1 == 0 goto 4; 2: r0 = 1; 3: goto 5; 4: r0 = 2; 5: exit
    const g = buildCfg(assemble('mov r0, 0\njeq r1, 0, +2\nmov r0, 1\nja +1\nmov r0, 2\nexit'));
    expect(g.blocks.map((b) => [b.start, b.end])).toEqual([[0, 2], [2, 4], [4, 5], [5, 6]]);
    expect(g.edges).toEqual(
      expect.arrayContaining([
        { from: 0, to: 2, kind: 'jump' },
        { from: 0, to: 1, kind: 'fall' },
        { from: 1, to: 3, kind: 'jump' },
        { from: 2, to: 3, kind: 'fall' },
      ]),
    );
    expect(g.edges).toHaveLength(4); // no fall-through after `goto`, nothing after exit
  });
});

describe('bpfemu disasm --visual', () => {
  const FW = 'programs/xdp_firewall.bpf.o';

  it('prints DOT with source lines; -o FILE.svg writes well-formed SVG with a group per block', () => {
    const io = new MemIo({ [FW]: readFileSync(FW) });
    expect(runCli(['disasm', FW, '--visual'], io)).toBe(0);
    expect(io.stdout).toMatch(/^digraph "xdp_firewall" \{\n/);
    expect(io.stdout).toContain('; void *data = (void *)(long)ctx-\\>data; @ xdp_firewall.bpf.c:115');
    expect(io.stdout).toMatch(/b0 -> b\d+ \[color="#c0392b" label="taken"\];/);
    const blocks = (io.stdout.match(/^ {2}b\d+ \[label=/gm) ?? []).length;
    expect(runCli(['disasm', FW, '--visual', '-o', 'fw.svg'], io)).toBe(0);
    const svg = new TextDecoder().decode(io.files.get('fw.svg'));
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect((svg.match(/<g id="b\d+">/g) ?? []).length).toBe(blocks);
    // balanced tags, no raw '<' in text
    expect((svg.match(/<g /g) ?? []).length).toBe((svg.match(/<\/g>/g) ?? []).length);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('-o without --visual is a usage error', () => {
    const io = new MemIo({ [FW]: readFileSync(FW) });
    expect(runCli(['disasm', FW, '-o', 'x.dot'], io)).toBe(2);
  });
});
