/**
 * A program's control-flow graph (`bpfemu disasm --visual`, the web playground), as `bpftool prog dump xlated visual`
 * draws it: basic blocks of kernel-syntax instructions with their C source lines, edges for the
 * fall-through and the jump of each block, written as Graphviz DOT or as a self-contained SVG
 * (blocks stacked in program order, jumps drawn beside them; no Graphviz needed).
 */
import { formatKernel } from './disasm-kernel.js';
import { lookupSpec } from './opcodes.js';
import type { RawInsn } from './insn.js';
import type { LineInfoSpec } from '../object/spec.js';

/** A basic block: instructions [start, end) and its text lines. */
export interface CfgBlock {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly lines: readonly string[];
}

/** An edge between blocks: `fall` (next instruction), `jump` (taken branch), `call` (to a subprogram). */
export interface CfgEdge {
  readonly from: number;
  readonly to: number;
  readonly kind: 'fall' | 'jump' | 'call';
}

/** The opcode table's form of `i`. */
function formOf(i: RawInsn): string | undefined {
  return lookupSpec(i.code, i.src, i.off, i.imm)?.form;
}

/** Whether `i` jumps (goto, gotol, if ... goto, may_goto). */
function isJump(i: RawInsn): boolean {
  const f = formOf(i);
  return f === 'ja' || f === 'ja32' || f === 'jmp_k' || f === 'jmp_x' || f === 'may_goto';
}

function target(pc: number, i: RawInsn): number {
  // ja32 (gotol) keeps its offset in imm
  return pc + 1 + (formOf(i) === 'ja32' ? i.imm : i.off);
}

/** The basic blocks and edges of `insns`, with source lines from `lineInfo` before the instructions they start. */
export function buildCfg(insns: readonly RawInsn[], lineInfo: readonly LineInfoSpec[] = [], helperName?: (id: number) => string | undefined): { blocks: CfgBlock[]; edges: CfgEdge[] } {
  const n = insns.length;
  const leader = new Uint8Array(n + 1);
  leader[0] = 1;
  const isHi = new Uint8Array(n);
  for (let pc = 0; pc < n; pc++) {
    const i = insns[pc]!;
    if (i.code === 0x18) isHi[pc + 1] = 1;
    if (isJump(i)) {
      const t = target(pc, i);
      if (t >= 0 && t < n) leader[t] = 1;
      leader[pc + 1] = 1;
    } else if (i.code === 0x95) leader[pc + 1] = 1;
    else if (i.code === 0x85 && i.src === 1) {
      const t = pc + 1 + i.imm;
      if (t >= 0 && t < n) leader[t] = 1;
    }
  }
  const src = new Map<number, LineInfoSpec>();
  for (const l of lineInfo) src.set(l.pc, l);
  const blocks: CfgBlock[] = [];
  const blockAt = new Int32Array(n).fill(-1);
  let start = 0;
  for (let pc = 1; pc <= n; pc++) {
    if (pc < n && (leader[pc] === 0 || isHi[pc] === 1)) continue;
    const lines: string[] = [];
    for (let q = start; q < pc; q++) {
      if (isHi[q]) continue;
      const l = src.get(q);
      if (l !== undefined) lines.push(`; ${l.text.trim()} @ ${l.file.split('/').pop()}:${l.line}`);
      lines.push(`${q}: ${formatKernel(insns[q]!, insns[q + 1], helperName !== undefined ? { helperName } : {})}`);
    }
    for (let q = start; q < pc; q++) blockAt[q] = blocks.length;
    blocks.push({ id: blocks.length, start, end: pc, lines });
    start = pc;
  }
  const edges: CfgEdge[] = [];
  for (const b of blocks) {
    let last = b.end - 1;
    if (isHi[last]) last--;
    const i = insns[last]!;
    const jump = isJump(i);
    if (jump) {
      const t = target(last, i);
      if (t >= 0 && t < n) edges.push({ from: b.id, to: blockAt[t]!, kind: 'jump' });
    }
    const f = formOf(i);
    const uncond = f === 'ja' || f === 'ja32' || f === 'exit';
    if (!uncond && b.end < n) edges.push({ from: b.id, to: blockAt[b.end]!, kind: 'fall' });
    for (let q = b.start; q < b.end; q++) {
      const c = insns[q]!;
      if (c.code === 0x85 && c.src === 1 && !isHi[q]) {
        const t = q + 1 + c.imm;
        if (t >= 0 && t < n) edges.push({ from: b.id, to: blockAt[t]!, kind: 'call' });
      }
    }
  }
  return { blocks, edges };
}

function dotEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[{}<>|]/g, (c) => `\\${c}`);
}

/** Graphviz DOT of the graph (`dot -Tsvg` renders it). */
export function cfgToDot(name: string, g: { blocks: readonly CfgBlock[]; edges: readonly CfgEdge[] }): string {
  const out = [`digraph "${dotEscape(name)}" {`, '  node [shape=record fontname="monospace" fontsize=10];', '  edge [fontname="monospace" fontsize=9];'];
  for (const b of g.blocks) out.push(`  b${b.id} [label="{${b.lines.map(dotEscape).join('\\l')}\\l}"];`);
  for (const e of g.edges) {
    const style = e.kind === 'jump' ? 'color="#c0392b" label="taken"' : e.kind === 'call' ? 'style=dashed color="#2e86c1" label="call"' : 'color="#27ae60"';
    out.push(`  b${e.from} -> b${e.to} [${style}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A self-contained SVG: blocks top to bottom in program order, fall-through edges between them, jumps and calls as curves on the right. */
export function cfgToSvg(name: string, g: { blocks: readonly CfgBlock[]; edges: readonly CfgEdge[] }): string {
  const LINE = 14;
  const CHAR = 7;
  const PAD = 6;
  const GAP = 22;
  const X = 20;
  const width = Math.max(200, ...g.blocks.map((b) => Math.max(...b.lines.map((l) => l.length), 10) * CHAR + 2 * PAD));
  const ys: number[] = [];
  let y = 30;
  for (const b of g.blocks) {
    ys.push(y);
    y += b.lines.length * LINE + 2 * PAD + GAP;
  }
  const heightOf = (b: CfgBlock): number => b.lines.length * LINE + 2 * PAD;
  const jumps = g.edges.filter((e) => e.kind !== 'fall');
  const totalW = X + width + 40 + jumps.length * 12 + 20;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${y}" viewBox="0 0 ${totalW} ${y}" font-family="monospace" font-size="11">`,
    `<title>${xml(name)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    `<text x="${X}" y="18" font-weight="bold">${xml(name)}</text>`,
  ];
  g.blocks.forEach((b, i) => {
    const top = ys[i]!;
    parts.push(`<g id="b${b.id}"><rect x="${X}" y="${top}" width="${width}" height="${heightOf(b)}" fill="#fbfbf7" stroke="#888" rx="3"/>`);
    b.lines.forEach((l, k) => parts.push(`<text x="${X + PAD}" y="${top + PAD + (k + 1) * LINE - 3}"${l.startsWith(';') ? ' fill="#2e7d32"' : ''}>${xml(l)}</text>`));
    parts.push('</g>');
  });
  for (const e of g.edges.filter((x) => x.kind === 'fall')) {
    const a = g.blocks[e.from]!;
    const y1 = ys[e.from]! + heightOf(a);
    const y2 = ys[e.to]!;
    parts.push(`<path class="fall" d="M${X + 30},${y1} L${X + 30},${y2}" stroke="#27ae60" fill="none" marker-end="url(#arrow)"/>`);
  }
  jumps.forEach((e, k) => {
    const a = g.blocks[e.from]!;
    const y1 = ys[e.from]! + heightOf(a) - PAD;
    const y2 = ys[e.to]! + PAD;
    const x1 = X + width;
    const xc = x1 + 20 + k * 12;
    const color = e.kind === 'jump' ? '#c0392b' : '#2e86c1';
    parts.push(`<path class="${e.kind}" d="M${x1},${y1} C${xc},${y1} ${xc},${y2} ${x1},${y2}" stroke="${color}" fill="none"${e.kind === 'call' ? ' stroke-dasharray="4 3"' : ''} marker-end="url(#arrow)"/>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
