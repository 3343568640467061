/**
 * Coverage reports of BPF programs' C sources (from kernel/coverage.ts) as lcov tracefiles
 * (`genhtml`, editors, CI services) and Istanbul JSON (`coverage-final.json`, what vitest's and
 * nyc's reporters read).
 */
import type { CoverageReport } from '../kernel/coverage.js';

export { CoverageCollector, enableCoverage, globalCoverage, type CoverageReport, type FileCoverage, type LineCoverage } from '../kernel/coverage.js';

/** Options of the writers: `root` is prefixed to each source path (the directory clang ran in). */
export interface CoverageOutputOptions {
  readonly root?: string;
}

function pathOf(file: string, o: CoverageOutputOptions): string {
  if (o.root === undefined || file.startsWith('/')) return file;
  return `${o.root.replace(/\/+$/, '')}/${file}`;
}

/**
 * lcov tracefile text: per file `SF`, `FN`/`FNDA` per program (its first line, its runs), `DA` per line,
 * `BRDA` per conditional jump (block = its index on the line, branch 0 = falls through, 1 = taken;
 * `-` for a jump its line never reached), and the LF/LH/BRF/BRH/FNF/FNH totals.
 */
export function toLcov(report: CoverageReport, o: CoverageOutputOptions = {}): string {
  const out: string[] = [];
  for (const f of report.files) {
    out.push('TN:', `SF:${pathOf(f.file, o)}`);
    for (const e of f.entries) out.push(`FN:${e.line},${e.program}`);
    for (const e of f.entries) out.push(`FNDA:${e.runs},${e.program}`);
    out.push(`FNF:${f.entries.length}`, `FNH:${f.entries.filter((e) => e.runs > 0).length}`);
    let brf = 0;
    let brh = 0;
    for (const l of f.lines) {
      l.branches.forEach(([fall, taken], block) => {
        const reached = l.hits > 0 || fall + taken > 0;
        out.push(`BRDA:${l.line},${block},0,${reached ? fall : '-'}`, `BRDA:${l.line},${block},1,${reached ? taken : '-'}`);
        brf += 2;
        brh += (fall > 0 ? 1 : 0) + (taken > 0 ? 1 : 0);
      });
    }
    out.push(`BRF:${brf}`, `BRH:${brh}`);
    for (const l of f.lines) out.push(`DA:${l.line},${l.hits}`);
    out.push(`LF:${f.lines.length}`, `LH:${f.lines.filter((l) => l.hits > 0).length}`, 'end_of_record');
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** One file of Istanbul's coverage JSON. */
interface IstanbulFile {
  path: string;
  statementMap: Record<string, { start: { line: number; column: number }; end: { line: number; column: number } }>;
  fnMap: Record<string, { name: string; decl: IstanbulLoc; loc: IstanbulLoc; line: number }>;
  branchMap: Record<string, { loc: IstanbulLoc; type: 'branch'; locations: IstanbulLoc[]; line: number }>;
  s: Record<string, number>;
  f: Record<string, number>;
  b: Record<string, number[]>;
}

interface IstanbulLoc {
  start: { line: number; column: number };
  end: { line: number; column: number };
}

/** A whole source line (BTF line info has line numbers; columns are not used). */
function lineLoc(line: number): IstanbulLoc {
  return { start: { line, column: 0 }, end: { line, column: 0 } };
}

/** Istanbul coverage JSON (the `coverage-final.json` shape): a statement per line, a branch pair per conditional jump. */
export function toIstanbul(report: CoverageReport, o: CoverageOutputOptions = {}): Record<string, IstanbulFile> {
  const out: Record<string, IstanbulFile> = {};
  for (const f of report.files) {
    const path = pathOf(f.file, o);
    const file: IstanbulFile = { path, statementMap: {}, fnMap: {}, branchMap: {}, s: {}, f: {}, b: {} };
    f.lines.forEach((l, i) => {
      file.statementMap[i] = lineLoc(l.line);
      file.s[i] = l.hits;
    });
    f.entries.forEach((e, i) => {
      file.fnMap[i] = { name: e.program, decl: lineLoc(e.line), loc: lineLoc(e.line), line: e.line };
      file.f[i] = e.runs;
    });
    let b = 0;
    for (const l of f.lines) {
      for (const [fall, taken] of l.branches) {
        file.branchMap[b] = { loc: lineLoc(l.line), type: 'branch', locations: [lineLoc(l.line), lineLoc(l.line)], line: l.line };
        file.b[b] = [fall, taken];
        b++;
      }
    }
    out[path] = file;
  }
  return out;
}
