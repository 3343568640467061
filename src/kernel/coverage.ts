/**
 * Line and branch coverage of BPF programs from their BTF line info: a collector counts, for every
 * program a kernel runs, how often each instruction ran and which way each conditional jump went,
 * and summarises that per C source line (the report `api/coverage.ts` writes as lcov or Istanbul
 * JSON). Counting rides on the kernel's per-instruction tracer, so covered runs use the reference
 * interpreter (several times slower; results are identical).
 *
 * One collector may serve many kernels (a whole test process: {@link enableCoverage}).
 */
import { lookupSpec } from '../isa/opcodes.js';
import type { ExecProgram, Machine } from '../vm/machine.js';
import type { KProg } from './objects/objects.js';

/** What the collector keeps of one program. */
interface ProgCounts {
  readonly prog: KProg;
  /** Executions per pc. */
  readonly hits: Float64Array;
  /** Per conditional-jump pc: [fall-through count, taken count]. */
  readonly branches: Map<number, [number, number]>;
  /** 1 at conditional-jump pcs (computed once per program). */
  readonly cond: Uint8Array;
}

/** A source line's counts in a {@link CoverageReport}. */
export interface LineCoverage {
  readonly line: number;
  /** Times the line's first instruction ran (the most over its line-info records). */
  readonly hits: number;
  /** One entry per conditional jump on the line: [fall-through count, taken count]. */
  readonly branches: readonly (readonly [number, number])[];
}

/** Coverage of one source file. */
export interface FileCoverage {
  /** The file as BTF line info names it (clang's path, `./` removed). */
  readonly file: string;
  /** Programs (object names as loaded) whose code lies in this file. */
  readonly programs: readonly string[];
  /** Each program starting in this file: its first source line and how many runs entered it. */
  readonly entries: readonly { readonly program: string; readonly line: number; readonly runs: number }[];
  /** Every line with instructions, in line order. */
  readonly lines: readonly LineCoverage[];
}

/** Coverage by source file, files sorted by name. */
export interface CoverageReport {
  readonly files: readonly FileCoverage[];
}

/** 1 at the pcs holding a conditional jump (`if ... goto`, by the opcode table's form). */
function condJumps(exec: ExecProgram): Uint8Array {
  const raw = exec.decoded.raw;
  const out = new Uint8Array(raw.length);
  for (let pc = 0; pc < raw.length; pc++) {
    const i = raw[pc]!;
    const f = lookupSpec(i.code, i.src, i.off, i.imm)?.form;
    if (f === 'jmp_k' || f === 'jmp_x') out[pc] = 1;
  }
  return out;
}

/** Counts instruction executions and jump outcomes of every program run under it. */
export class CoverageCollector {
  private readonly byExec = new Map<ExecProgram, ProgCounts>();
  /** The previous traced instruction (to see which way a conditional jump went). */
  private lastExec: ExecProgram | null = null;
  private lastPc = -1;

  /**
   * The tracer to install on a kernel: `resolve` maps an executable program to its loaded
   * program (for its line info); programs it cannot resolve are not counted.
   */
  tracerFor(resolve: (exec: ExecProgram) => KProg | undefined): (m: Machine, prog: ExecProgram, pc: number) => void {
    return (_m, exec, pc) => {
      let c = this.byExec.get(exec);
      if (c === undefined) {
        const prog = resolve(exec);
        if (prog === undefined) return;
        c = { prog, hits: new Float64Array(exec.decoded.raw.length), branches: new Map(), cond: condJumps(exec) };
        this.byExec.set(exec, c);
      }
      // the instruction after a conditional jump in the same program tells its outcome (a fault ends the run)
      const lp = this.lastPc;
      if (this.lastExec === exec && c.cond[lp] === 1) {
        let b = c.branches.get(lp);
        if (b === undefined) c.branches.set(lp, (b = [0, 0]));
        b[pc === lp + 1 ? 0 : 1]++;
      }
      c.hits[pc]!++;
      this.lastExec = exec;
      this.lastPc = pc;
    };
  }

  /** Forget what the previous instruction was (a run ended). */
  endRun(): void {
    this.lastExec = null;
    this.lastPc = -1;
  }

  /** Reset every count. */
  clear(): void {
    this.byExec.clear();
    this.endRun();
  }

  /** The counts so far, per source file and line. */
  report(): CoverageReport {
    const files = new Map<string, { programs: Set<string>; entries: Map<string, { line: number; runs: number }>; lines: Map<number, { hits: number; branches: [number, number][] }> }>();
    for (const c of this.byExec.values()) {
      const p = c.prog;
      if (p.btf === null || p.lineInfo.length === 0) continue;
      const btf = p.btf.btf;
      const recs = p.lineInfo;
      // The line of every pc (the last record at or before it), and the pcs each record starts.
      const lineOfPc: { file: string; line: number }[] = [];
      let r = -1;
      const n = c.hits.length;
      const at = (i: number): { file: string; line: number } => {
        const rec = recs[i]!;
        return { file: cleanPath(stringAt(btf, rec.fileNameOff)), line: rec.lineCol >>> 10 };
      };
      for (let pc = 0; pc < n; pc++) {
        while (r + 1 < recs.length && recs[r + 1]!.insnOff <= pc) r++;
        lineOfPc.push(r >= 0 ? at(r) : { file: '', line: 0 });
      }
      // Within one program a line's count is the most of its records (inlined copies of a line
      // each have one); across programs (other kernels, other loads) the counts add up.
      const mine = new Map<string, number>();
      for (let i = 0; i < recs.length; i++) {
        const { file, line } = at(i);
        if (file === '' || line === 0) continue;
        const f = files.get(file) ?? { programs: new Set<string>(), entries: new Map(), lines: new Map() };
        files.set(file, f);
        f.programs.add(p.name);
        if (recs[i]!.insnOff === 0) {
          const e = f.entries.get(p.name);
          f.entries.set(p.name, { line, runs: (e?.runs ?? 0) + c.hits[0]! });
        }
        if (!f.lines.has(line)) f.lines.set(line, { hits: 0, branches: [] });
        const pc = recs[i]!.insnOff;
        const key = `${file}\0${line}`;
        const h = pc < n ? c.hits[pc]! : 0;
        if (h > (mine.get(key) ?? 0)) mine.set(key, h);
      }
      for (const [key, h] of mine) {
        const [file, line] = key.split('\0') as [string, string];
        files.get(file)!.lines.get(Number(line))!.hits += h;
      }
      // This program's jumps per line in pc order, added to the line's (the same jump of another
      // load of the program has the same index on its line).
      const jumps = new Map<string, [number, number][]>();
      for (let pc = 0; pc < n; pc++) {
        if (c.cond[pc] !== 1) continue;
        const where = lineOfPc[pc]!;
        if (files.get(where.file)?.lines.get(where.line) === undefined) continue;
        const key = `${where.file}\0${where.line}`;
        const list = jumps.get(key) ?? [];
        jumps.set(key, list);
        const b = c.branches.get(pc) ?? [0, 0];
        list.push([b[0], b[1]]);
      }
      for (const [key, list] of jumps) {
        const [file, line] = key.split('\0') as [string, string];
        const l = files.get(file)!.lines.get(Number(line))!;
        list.forEach(([a, b], i) => {
          const have = l.branches[i];
          if (have === undefined) l.branches.push([a, b]);
          else {
            have[0] += a;
            have[1] += b;
          }
        });
      }
    }
    return {
      files: [...files.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([file, f]) => ({
          file,
          programs: [...f.programs].sort(),
          entries: [...f.entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([program, e]) => ({ program, line: e.line, runs: e.runs })),
          lines: [...f.lines.entries()].sort(([a], [b]) => a - b).map(([line, l]) => ({ line, hits: l.hits, branches: l.branches })),
        })),
    };
  }
}

function stringAt(btf: { stringAt(o: number): string }, off: number): string {
  try {
    return btf.stringAt(off);
  } catch {
    return '';
  }
}

function cleanPath(p: string): string {
  return p.startsWith('./') ? p.slice(2) : p;
}

/** The process-wide collector {@link enableCoverage} installs on every kernel created after it. */
let globalCollector: CoverageCollector | null = null;

/**
 * Count coverage of everything every Kernel created from now on runs (a test process: call it in
 * a vitest setup file) and return the collector; `coverageReport()` gives the counts.
 */
export function enableCoverage(): CoverageCollector {
  globalCollector ??= new CoverageCollector();
  return globalCollector;
}

/** The process-wide collector, if {@link enableCoverage} was called. */
export function globalCoverage(): CoverageCollector | null {
  return globalCollector;
}
