/**
 * The JavaScript tier's view of a program's control flow (translate.ts emits code from it): the
 * instructions it translates, the basic blocks, the topological order of the `dag` form, and the
 * loops the `switch` form runs as structured loops.
 */
import { LDDW_CODE } from '../../isa/opcodes.js';
import { TIME_SLICE, type ExecProgram } from '../machine.js';

/** Longest basic block (instructions): a block must fit in one budget slice. */
export const MAX_BLOCK = 512;
if (MAX_BLOCK >= TIME_SLICE) throw new Error('tier: MAX_BLOCK must be below TIME_SLICE');

/** Most jump targets (labels) the `dag` form nests; more and the `switch` form is used. */
export const MAX_DAG_LABELS = 256;

export function isCondJump(op: number): boolean {
  const cls = op & 7;
  return (cls === 5 || cls === 6) && op !== 0x05 && op !== 0x06 && op !== 0x85 && op !== 0x8d && op !== 0x95 && op !== 0xe5 && (op & 0xf0) !== 0x80 && (op & 0xf0) !== 0x90 && (op & 0xf0) !== 0xe0 && (op & 0xf0) !== 0xf0;
}

/** Jumps whose target is the decoded word 1 (ja, gotol, conditional jumps, may_goto). */
export function hasTarget(op: number): boolean {
  return op === 0x05 || op === 0x06 || op === 0xe5 || isCondJump(op);
}

/** Ops after which a block ends (control leaves or may leave the straight line). */
export function endsBlock(op: number): boolean {
  return op === 0x05 || op === 0x06 || op === 0xe5 || op === 0x85 || op === 0xc0 || op === 0x8d || op === 0xb8 || op === 0x95 || isCondJump(op) || op === 0xd0 || !KNOWN.has(op);
}

/** Ops the translator emits inline code for (everything else is handed to the interpreter). */
export const KNOWN = new Set<number>([
  // ALU64 K / X
  0x07, 0x17, 0x27, 0x37, 0x47, 0x57, 0x67, 0x77, 0x87, 0x97, 0xa7, 0xb7, 0xc7, 0xd7,
  0x0f, 0x1f, 0x2f, 0x3f, 0x4f, 0x5f, 0x6f, 0x7f, 0x9f, 0xaf, 0xbf, 0xcf,
  // signed div/mod, movsx
  0x38, 0x58, 0x60, 0x68, 0x70, 0x78, 0x80, 0x88, 0x90, 0x98, 0xa0, 0xa8, 0xb0,
  // ALU32
  0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x94, 0x9c, 0xa4, 0xac, 0xb4, 0xbc, 0xc4, 0xcc, 0xd4, 0xdc,
  // jumps, calls, exit
  0x05, 0x06, 0x15, 0x1d, 0x55, 0x5d, 0x45, 0x4d, 0x25, 0x2d, 0x35, 0x3d, 0xa5, 0xad, 0xb5, 0xbd, 0x65, 0x6d, 0x75, 0x7d, 0xc5, 0xcd, 0xd5, 0xdd,
  0x16, 0x1e, 0x56, 0x5e, 0x46, 0x4e, 0x26, 0x2e, 0x36, 0x3e, 0xa6, 0xae, 0xb6, 0xbe, 0x66, 0x6e, 0x76, 0x7e, 0xc6, 0xce, 0xd6, 0xde,
  0xe5, 0x85, 0xc0, 0x8d, 0xb8, 0x95,
  // lddw, loads, stores, atomics, legacy packet loads
  0x18, 0x61, 0x69, 0x71, 0x79, 0x81, 0x89, 0x91, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0xc3, 0xdb, 0xcb, 0xd3,
  0x20, 0x28, 0x30, 0x40, 0x48, 0x50,
  // addr_space_cast; arena loads, stores and atomics (the PROBE_MEM32 modes)
  0xe0, 0xa1, 0xa9, 0xb1, 0xb9, 0xc1, 0xc9, 0xd1, 0xa2, 0xaa, 0xb2, 0xba, 0xa3, 0xab, 0xb3, 0xbb, 0xe3, 0xeb, 0xf3, 0xfb,
  // loads through BTF pointers (the PROBE_MEM modes)
  0x21, 0x29, 0x31, 0x39, 0x41, 0x49, 0x51,
]);

/** Pcs where a basic block starts. */
export function leaders(prog: ExecProgram): Uint8Array {
  const code = prog.code;
  const n = code.length >> 2;
  const lead = new Uint8Array(n + 1);
  lead[0] = 1;
  const raw = prog.decoded.raw;
  for (let pc = 0; pc < n; ) {
    const w = pc << 2;
    const op = code[w]! & 0xff;
    const next = op === 0x18 ? pc + 2 : pc + 1;
    if (hasTarget(op) || op === 0xb8) lead[code[w + 1]!] = 1;
    // Callback entries: `lddw rX, func` (BPF_PSEUDO_FUNC) names pc + 1 + imm.
    if (op === 0x18 && raw[pc]?.src === LDDW_CODE) {
      const t = pc + 1 + raw[pc]!.imm;
      if (t >= 0 && t < n) lead[t] = 1;
    }
    if (endsBlock(op) && next <= n) lead[next] = 1;
    pc = next;
  }
  return lead;
}

/** A basic block: its instructions' pcs and the pc after its last one. */
export interface Block {
  readonly start: number;
  readonly pcs: readonly number[];
  readonly next: number;
}

/** `prog`'s basic blocks in pc order: from a leader up to a block end or the next leader (at most MAX_BLOCK instructions). */
export function blocksOf(prog: ExecProgram): Block[] {
  const code = prog.code;
  const n = code.length >> 2;
  const lead = leaders(prog);
  const blocks: Block[] = [];
  let pc = 0;
  while (pc < n) {
    const start = pc;
    const pcs: number[] = [];
    for (;;) {
      pcs.push(pc);
      const op = code[pc << 2]! & 0xff;
      const next = op === 0x18 ? pc + 2 : pc + 1;
      pc = next;
      if (endsBlock(op) || next >= n || lead[next] === 1 || pcs.length >= MAX_BLOCK) break;
    }
    blocks.push({ start, pcs, next: pc });
  }
  return blocks;
}

/** Whether control can go on to the next instruction after `op` (the last of a block). */
export function fallsThrough(op: number): boolean {
  return op !== 0x05 && op !== 0x06 && op !== 0x95 && KNOWN.has(op);
}

/** The successors of each block (indices: its jump's target, then the next block it falls into). */
interface Graph {
  readonly succ: readonly (readonly number[])[];
  /** Each block's jump target (index), -1 for none. */
  readonly jump: readonly number[];
  /** Whether each block goes on into the next one. */
  readonly falls: readonly boolean[];
}

/** `blocks`' graph, or null when a jump lands elsewhere than at a block start. */
function graphOf(code: Int32Array, blocks: readonly Block[]): Graph | null {
  const index = new Map<number, number>();
  blocks.forEach((b, i) => index.set(b.start, i));
  const succ: number[][] = blocks.map(() => []);
  const jump: number[] = blocks.map(() => -1);
  const falls: boolean[] = blocks.map(() => false);
  for (let i = 0; i < blocks.length; i++) {
    const last = blocks[i]!.pcs[blocks[i]!.pcs.length - 1]!;
    const op = code[last << 2]! & 0xff;
    if (hasTarget(op)) {
      const t = index.get(code[(last << 2) + 1]!);
      if (t === undefined) return null;
      succ[i]!.push(t);
      jump[i] = t;
    }
    if (fallsThrough(op) && i + 1 < blocks.length) {
      succ[i]!.push(i + 1);
      falls[i] = true;
    }
  }
  return { succ, jump, falls };
}

/**
 * Blocks first..last in the order a structured form emits them, and the starts that need a label:
 * a topological order from `first` (Kahn's algorithm, the lowest index first among the blocks that
 * are ready, so code whose edges all go forward keeps its order), ignoring edges back to `first`
 * and edges leaving the range; labels for every jump's target inside the range and for every
 * fall-through whose block is not emitted next. Null when a block is not reached from `first` or
 * lies on a cycle, or the labels are more than {@link MAX_DAG_LABELS}.
 */
function structure(blocks: readonly Block[], g: Graph, first: number, last: number): { order: Block[]; labels: Set<number> } | null {
  const inside = (t: number): boolean => t > first && t <= last;
  const indeg = new Int32Array(last - first + 1);
  for (let i = first; i <= last; i++) for (const t of g.succ[i]!) if (inside(t)) indeg[t - first]!++;
  const ready = [first];
  const order: Block[] = [];
  const placed = new Int32Array(last - first + 1).fill(-1);
  while (ready.length > 0) {
    let at = 0;
    for (let j = 1; j < ready.length; j++) if (ready[j]! < ready[at]!) at = j;
    const i = ready.splice(at, 1)[0]!;
    placed[i - first] = order.length;
    order.push(blocks[i]!);
    for (const t of g.succ[i]!) if (inside(t) && --indeg[t - first]! === 0) ready.push(t);
  }
  if (order.length !== last - first + 1) return null;
  const labels = new Set<number>();
  for (let i = first; i <= last; i++) {
    // A jump is a `break` to its target's label; a fall-through needs one only away from its block.
    if (inside(g.jump[i]!)) labels.add(blocks[g.jump[i]!]!.start);
    if (g.falls[i] && inside(i + 1) && placed[i + 1 - first] !== placed[i - first]! + 1) labels.add(blocks[i + 1]!.start);
  }
  if (labels.size > MAX_DAG_LABELS) return null;
  return { order, labels };
}

/**
 * The order the `dag` form emits `prog`'s blocks in, or null when the form does not apply: a local
 * call, a callback address, a cycle, a block pc 0 does not reach (entered some other way: a
 * callback whose address a loaded program holds as a plain constant, as the kernel path rewrites
 * BPF_PSEUDO_FUNC), or more than {@link MAX_DAG_LABELS} labels (see {@link structure}); clang's
 * shared tails (a backward jump to a common exit block) move after their predecessors.
 */
export function dagOrder(prog: ExecProgram, blocks: readonly Block[]): { order: Block[]; labels: Set<number> } | null {
  const code = prog.code;
  const raw = prog.decoded.raw;
  for (let pc = 0; pc < code.length >> 2; pc++) {
    const op = code[pc << 2]! & 0xff;
    if (op === 0xb8 || (op === 0x18 && raw[pc]?.src === LDDW_CODE)) return null;
  }
  const g = graphOf(code, blocks);
  // An edge back to pc 0 is a cycle (structure() would take it for a loop's back edge).
  if (g === null || g.succ.some((ts) => ts.includes(0))) return null;
  return structure(blocks, g, 0, blocks.length - 1);
}

/**
 * A loop of the `switch` form run as a structured loop: blocks first..last (indices into the
 * block list, a contiguous pc range) entered only at its first block, whose blocks without the
 * edges back to that head form an acyclic graph; `order` is their topological order and `labels`
 * the starts that need a label inside the loop (see translateSource).
 */
export interface Region {
  readonly head: number;
  readonly first: number;
  readonly last: number;
  readonly order: readonly Block[];
  readonly labels: ReadonlySet<number>;
}

/**
 * The innermost loops of `blocks` that can run as structured loops (`for (;;)` with `continue` for
 * the edges back to the head, labelled blocks for the forward edges inside, the switch for the
 * ways out): each a contiguous range of at least two blocks entered only at its head, with no
 * local call in it but to a callee `inlinable` runs inline (a return would land inside the loop).
 */
export function loopRegions(prog: ExecProgram, blocks: readonly Block[], inlinable: (t: number) => boolean): Region[] {
  const code = prog.code;
  const g = graphOf(code, blocks);
  if (g === null) return [];
  const heads = new Map<number, number>();
  g.succ.forEach((ts, i) => {
    for (const t of ts) if (t <= i) heads.set(t, Math.max(heads.get(t) ?? t, i));
  });
  const candidates = [...heads].filter(([h, e]) => e > h).sort((a, b) => a[1] - a[0] - (b[1] - b[0]));
  const taken = new Uint8Array(blocks.length);
  const regions: Region[] = [];
  next: for (const [h, e] of candidates) {
    for (let i = h; i <= e; i++) if (taken[i] !== 0) continue next;
    // Entered only at the head.
    for (let i = 0; i < blocks.length; i++) if (i < h || i > e) for (const t of g.succ[i]!) if (t > h && t <= e) continue next;
    // No local call whose return lands inside, no slot the translator hands over.
    for (let i = h; i <= e; i++) {
      for (const pc of blocks[i]!.pcs) {
        const op = code[pc << 2]! & 0xff;
        if (!KNOWN.has(op) || (op === 0xb8 && !inlinable(code[(pc << 2) + 1]!))) continue next;
      }
    }
    const s = structure(blocks, g, h, e);
    if (s === null) continue;
    for (let i = h; i <= e; i++) taken[i] = 1;
    regions.push({ head: blocks[h]!.start, first: h, last: e, order: s.order, labels: s.labels });
  }
  return regions;
}
