/**
 * A seeded generator of random *valid* BPF programs (assembler text) for the differential test.
 *
 * Register roles: r6 holds the input pointer (copied from r1) and r9 is the loop counter; random
 * instructions only write r0-r5, r7, r8, so every generated memory access has a known base:
 * r10 (stack, in bounds) or r6 (input, in bounds), or r7/r8 set just before from r10/r6 minus more
 * than the access's offset (the offset carries back across bit 32), except for rare deliberate
 * out-of-bounds accesses. Loops are counted (r9 = 1..10, never nested, and r9 is callee-saved so subprograms
 * cannot disturb it); forward jumps only target later items of the same block; subprogram k only
 * calls subprograms > k, so frames stay within the limit unless a rare self-recursive subprogram
 * is generated on purpose (a call_depth fault).
 */
import { Prng } from '../isa/prng.js';

/** Input region size of generated programs. */
export const INPUT_SIZE = 64;
/** Helper ids the generated programs call (see the differential test's helper table). */
export const MIX_HELPER_ID = 1;
export const UNWIND_HELPER_ID = 5;

const DATA = [0, 1, 2, 3, 4, 5, 7, 8];
const ALU = ['add', 'sub', 'mul', 'div', 'sdiv', 'mod', 'smod', 'or', 'and', 'lsh', 'rsh', 'arsh', 'xor', 'mov'];
const JMP = ['jeq', 'jne', 'jgt', 'jge', 'jlt', 'jle', 'jset', 'jsgt', 'jsge', 'jslt', 'jsle'];
const SIZES: readonly [string, number][] = [
  ['b', 1],
  ['h', 2],
  ['w', 4],
  ['dw', 8],
];
const MOVSX = ['movsx832', 'movsx1632', 'movsx864', 'movsx1664', 'movsx3264'];
const ENDS = ['le16', 'le32', 'le64', 'be16', 'be32', 'be64', 'bswap16', 'bswap32', 'bswap64'];
const ATOMIC = ['add', 'or', 'and', 'xor'];

type Item = string[];

class Gen {
  private labelNo = 0;
  constructor(
    private readonly rng: Prng,
    private readonly subprogs: number,
    private readonly faultRate: number,
  ) {}

  label(): string {
    return `L${this.labelNo++}`;
  }

  reg(): string {
    return `%r${this.rng.pick(DATA)}`;
  }

  imm(): number {
    return this.rng.edgyI32();
  }

  /** A memory operand for `size` bytes: stack or input, in bounds unless a rare fault is wanted. */
  mem(size: number): string {
    const rng = this.rng;
    const bad = rng.chance(this.faultRate);
    // A scalar register used as a pointer: almost always unmapped.
    if (bad && rng.chance(0.25)) return `[${this.reg()}+${rng.int(0, 64)}]`;
    if (rng.chance(0.5)) {
      const off = bad ? rng.pick([0, -513, -size + 1, 8]) : -rng.int(size, 512);
      return `[%r10${off < 0 ? '' : '+'}${off}]`;
    }
    const off = bad ? rng.pick([-1, INPUT_SIZE - size + 1, INPUT_SIZE, 4096]) : rng.int(0, INPUT_SIZE - size);
    return `[%r6${off < 0 ? '' : '+'}${off}]`;
  }

  /**
   * A memory operand whose base register borrowed from the region half (issue 12, bug 1): `base` =
   * r10 or r6 minus more than its offset, so `base + off` carries back into the region; rarely a
   * bad one (a target out of bounds, or a negative offset that borrows from a base one region id up,
   * which is never in bounds). Returns the lines that set the base (into r7 or r8) and the operand.
   */
  carryMem(size: number): [setup: string[], operand: string] {
    const rng = this.rng;
    const base = rng.pick(['%r7', '%r8']);
    const bad = rng.chance(this.faultRate * 4);
    if (bad && rng.chance(0.5)) {
      const from = rng.chance(0.5) ? '%r10' : '%r6';
      return [[`lddw ${base}, 0x100000000`, `add ${base}, ${from}`], `[${base}-${rng.int(1, 32768)}]`];
    }
    if (rng.chance(0.5)) {
      const t = bad ? rng.pick([-513, 0, -size + 1]) : -rng.int(size, 512);
      const b = -(513 + rng.int(0, 20000));
      return [[`mov ${base}, %r10`, `add ${base}, ${b}`], `[${base}+${t - b}]`];
    }
    const t = bad ? rng.pick([-1, INPUT_SIZE - size + 1]) : rng.int(0, INPUT_SIZE - size);
    const b = -rng.int(1, 20000);
    return [[`mov ${base}, %r6`, `add ${base}, ${b}`], `[${base}+${t - b}]`];
  }

  /** A load, store or atomic through {@link carryMem}. */
  carryAccess(): Item {
    const rng = this.rng;
    const kind = rng.int(0, 3);
    if (kind === 3) {
      const size = rng.chance(0.5) ? 4 : 8;
      const [setup, m] = this.carryMem(size);
      return [...setup, `lock ${rng.chance(0.5) ? 'fetch ' : ''}${rng.pick(ATOMIC)}${size === 4 ? '32' : ''} ${m}, ${this.reg()}`];
    }
    const [s, n] = rng.pick(SIZES);
    const [setup, m] = this.carryMem(n);
    if (kind === 0) return [...setup, `ldx${s} ${this.reg()}, ${m}`];
    if (kind === 1) return [...setup, `st${s} ${m}, ${this.imm()}`];
    return [...setup, `stx${s} ${m}, ${this.reg()}`];
  }

  /** One straight-line instruction (or a short fixed sequence). */
  simple(): Item {
    const rng = this.rng;
    const k = rng.int(0, 99);
    if (k < 30) {
      const op = rng.pick(ALU);
      const sfx = rng.chance(0.5) ? '32' : '';
      return [`${op}${sfx} ${this.reg()}, ${rng.chance(0.5) ? this.reg() : this.imm()}`];
    }
    if (k < 33) return [`${rng.pick(['neg', 'neg32'])} ${this.reg()}`];
    if (k < 37) return [`${rng.pick(MOVSX)} ${this.reg()}, ${this.reg()}`];
    if (k < 41) return [`${rng.pick(ENDS)} ${this.reg()}`];
    if (k < 45) return [`lddw ${this.reg()}, 0x${(BigInt(rng.u32()) << 32n | BigInt(rng.u32())).toString(16)}`];
    if (k < 57) {
      const [s, n] = rng.pick(SIZES);
      const signed = n < 8 && rng.chance(0.3);
      return [`ldx${signed ? 's' : ''}${s} ${this.reg()}, ${this.mem(n)}`];
    }
    if (k < 63) {
      const [s, n] = rng.pick(SIZES);
      return [`st${s} ${this.mem(n)}, ${this.imm()}`];
    }
    if (k < 71) {
      const [s, n] = rng.pick(SIZES);
      return [`stx${s} ${this.mem(n)}, ${this.reg()}`];
    }
    if (k < 80) {
      const w = rng.chance(0.5);
      const size = w ? 4 : 8;
      const sfx = w ? '32' : '';
      const kind = rng.int(0, 5);
      const m = this.mem(size);
      if (kind === 0) return [`lock xchg${sfx} ${m}, ${this.reg()}`];
      if (kind === 1) return [`lock cmpxchg${sfx} ${m}, ${this.reg()}`];
      return [`lock ${rng.chance(0.5) ? 'fetch ' : ''}${rng.pick(ATOMIC)}${sfx} ${m}, ${this.reg()}`];
    }
    if (k < 83) {
      const [s, n] = rng.pick(SIZES);
      return rng.chance(0.5) ? [`ldxacq${s} ${this.reg()}, ${this.mem(n)}`] : [`stxrel${s} ${this.mem(n)}, ${this.reg()}`];
    }
    if (k < 86) {
      // Helper calls: a deterministic mixing helper, direct or through callx.
      if (rng.chance(0.5)) return [`call ${MIX_HELPER_ID}`];
      return [`mov %r5, ${MIX_HELPER_ID}`, 'call %r5'];
    }
    if (k < 87) {
      // Unwind: stops the program when r1 is 0.
      return [rng.chance(0.7) ? `mov %r1, ${rng.int(1, 9)}` : 'mov %r1, 0', `call ${UNWIND_HELPER_ID}`];
    }
    if (k < 91) return this.carryAccess();
    return [`mov ${this.reg()}, ${this.imm()}`];
  }

  /** A block of items; forward jumps target later item boundaries of this block. */
  block(len: number, subIndex: number, allowLoop: boolean): Item {
    const rng = this.rng;
    const items: Item[] = [];
    const labelsBefore: string[][] = Array.from({ length: len + 1 }, () => []);
    for (let i = 0; i < len; i++) {
      const k = rng.int(0, 99);
      if (k < 12 && i + 1 <= len) {
        const l = this.label();
        labelsBefore[rng.int(i + 1, len)]!.push(l);
        const op = `${rng.pick(JMP)}${rng.chance(0.4) ? '32' : ''}`;
        const rhs = rng.chance(0.5) ? this.reg() : `${this.imm()}`;
        items.push([`${op} ${this.reg()}, ${rhs}, ${l}`]);
      } else if (k < 14) {
        const l = this.label();
        labelsBefore[rng.int(i + 1, len)]!.push(l);
        items.push([rng.pick([`ja ${l}`, `ja32 ${l}`, `may_goto ${l}`])]);
      } else if (k < 20 && allowLoop) {
        const top = this.label();
        const back = rng.pick(['jne %r9, 0', 'jsgt %r9, 0', 'jne32 %r9, 0', 'jgt %r9, 0']);
        items.push([`mov %r9, ${rng.int(1, 10)}`, `${top}:`, ...this.block(rng.int(2, 8), subIndex, false), 'sub %r9, 1', `${back}, ${top}`]);
      } else if (k < 25 && subIndex + 1 < this.subprogs) {
        items.push([`call local f${rng.int(subIndex + 1, this.subprogs - 1)}`]);
      } else {
        items.push(this.simple());
      }
    }
    const out: string[] = [];
    for (let i = 0; i < len; i++) {
      for (const l of labelsBefore[i]!) out.push(`${l}:`);
      out.push(...items[i]!);
    }
    for (const l of labelsBefore[len]!) out.push(`${l}:`);
    return out;
  }
}

/** A generated program: assembler text and its input bytes. */
export interface GeneratedProgram {
  readonly seed: number;
  readonly text: string;
  readonly input: Uint8Array;
}

/**
 * Generate the program of `seed`. `loopFree`: one function without loops or local calls whose
 * control flow is still not in pc order: a shared tail (simple instructions and an exit) sits in
 * the middle, jumped over, and reached by backward jumps from the code after it, the shape clang
 * gives a common exit block.
 */
export function generateProgram(seed: number, o: { loopFree?: boolean } = {}): GeneratedProgram {
  if (o.loopFree === true) return loopFreeProgram(seed);
  const rng = new Prng(seed);
  const subprogs = rng.int(0, 3);
  const recursive = subprogs > 0 && rng.chance(0.01);
  const g = new Gen(rng, subprogs, rng.chance(0.1) ? 0.05 : 0.002);
  const lines: string[] = ['mov %r6, %r1'];
  for (const r of DATA) {
    if (r === 1) continue;
    lines.push(rng.chance(0.5) ? `mov %r${r}, ${rng.edgyI32()}` : `lddw %r${r}, 0x${(BigInt(rng.u32()) << 32n | BigInt(rng.u32())).toString(16)}`);
  }
  lines.push(...g.block(rng.int(10, 60), -1, true), 'exit');
  for (let s = 0; s < subprogs; s++) {
    lines.push(`f${s}:`, ...g.block(rng.int(3, 20), s, true));
    if (recursive && s === subprogs - 1) lines.push(`call local f${s}`);
    lines.push('exit');
  }
  const input = new Uint8Array(INPUT_SIZE);
  for (let i = 0; i < INPUT_SIZE; i++) input[i] = rng.int(0, 255);
  return { seed, text: lines.join('\n'), input };
}

function loopFreeProgram(seed: number): GeneratedProgram {
  const rng = new Prng(seed);
  const g = new Gen(rng, 0, rng.chance(0.1) ? 0.05 : 0.002);
  const lines: string[] = ['mov %r6, %r1'];
  for (const r of DATA) {
    if (r === 1) continue;
    lines.push(rng.chance(0.5) ? `mov %r${r}, ${rng.edgyI32()}` : `lddw %r${r}, 0x${(BigInt(rng.u32()) << 32n | BigInt(rng.u32())).toString(16)}`);
  }
  const tail = g.label();
  const over = g.label();
  lines.push(...g.block(rng.int(5, 30), -1, false), `ja ${over}`, `${tail}:`);
  for (let i = rng.int(1, 4); i > 0; i--) lines.push(...g.simple());
  lines.push('exit', `${over}:`);
  const after = g.block(rng.int(5, 30), -1, false);
  // Backward jumps into the tail, between the lines of the code after it.
  for (let i = rng.int(1, 4); i > 0; i--) {
    const at = rng.int(0, after.length);
    after.splice(at, 0, `${rng.pick(['jne', 'jeq', 'jgt', 'jslt'])} %r${rng.pick([0, 2, 3, 4, 5, 7, 8])}, ${rng.int(-4, 4)}, ${tail}`);
  }
  lines.push(...after, 'exit');
  const input = new Uint8Array(INPUT_SIZE);
  for (let i = 0; i < INPUT_SIZE; i++) input[i] = rng.int(0, 255);
  return { seed, text: lines.join('\n'), input };
}
