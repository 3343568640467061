/**
 * A run's trace as data (the web playground steps through it forwards and backwards): every
 * executed instruction with its program, pc, kernel-syntax text, C source line and the whole
 * register file before it, pointers named by what they point to (`fp-8`, `ctx+0`, `pkt+14`,
 * `map_value(counts)+4`), plus how often each C line was entered (line coverage of the runs).
 * Install `recorder.trace` as `kernel.tracer` (runs then use the reference interpreter), run, then
 * call `finish()`.
 */
import type { ExecProgram, Machine } from '../vm/machine.js';
import { RegionKind } from '../vm/memory.js';

/** A register's value for humans: a named pointer, or the number (decimal when small, else hex). */
export function describeValue(m: Machine, lo: number, hi: number): string {
  const mem = m.mem;
  if (hi !== 0 && mem.isMapped(hi)) {
    const off = lo | 0;
    const sign = (n: number): string => (n < 0 ? `${n}` : `+${n}`);
    const label = mem.labelOf(hi);
    switch (mem.kindOf(hi)) {
      case RegionKind.STACK:
        return off === 512 ? 'fp0' : `fp${sign(off - 512)}`;
      case RegionKind.CTX:
        return `ctx${sign(off)}`;
      case RegionKind.PACKET:
        return `pkt${sign(off)}`;
      case RegionKind.MAP_VALUE:
      case RegionKind.GLOBAL:
        return `map_value(${label.replace(/^.*map '?([^' ]+)'?.*$/, '$1')})${sign(off)}`;
      case RegionKind.MAP:
        return `map_ptr(${label.replace(/^.*map '?([^' ]+)'?.*$/, '$1')})`;
      default:
        return `${label || 'region'}${sign(off)}`;
    }
  }
  const v = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const s = BigInt.asIntN(64, v);
  return s >= -1024n && s <= 1024n ? `${s}` : `0x${v.toString(16)}`;
}

/** One executed instruction. */
export interface TraceStep {
  /** The program's kernel name (15 characters at most, as the kernel keeps it). */
  readonly program: string;
  readonly pc: number;
  /** The instruction in kernel syntax. */
  readonly insn: string;
  /** `file.c:LINE` of the instruction, or '' without line info. */
  readonly source: string;
  /** That line's text as clang recorded it ('' without line info). */
  readonly sourceText: string;
  /** R0..R10 before the instruction ran. */
  readonly regs: readonly string[];
  /** The registers the instruction changed, as `R0=1` (empty for the last instruction of a run). */
  changed: string[];
}

/** Options of {@link TraceRecorder}. */
export interface TraceRecorderOptions {
  /** Steps kept (default 10,000); later instructions are only counted (and covered). */
  readonly limit?: number;
  /** Called every `progressEvery` instructions with the count so far. */
  readonly onProgress?: (executed: number) => void;
  /** Default 1,048,576. */
  readonly progressEvery?: number;
}

/** Records runs' instructions; see the file comment. */
export class TraceRecorder {
  readonly steps: TraceStep[] = [];
  /** Instructions executed (also those beyond the limit). */
  executed = 0;
  /** How often each `file.c:LINE` was entered (an instruction of it ran after one of another line). */
  readonly lineHits = new Map<string, number>();
  readonly limit: number;
  private readonly sources = new WeakMap<ExecProgram, (string | null)[]>();
  private lastSource = '';
  private pending: TraceStep | null = null;
  private readonly prevLo = new Int32Array(11);
  private readonly prevHi = new Int32Array(11);

  constructor(private readonly opts: TraceRecorderOptions = {}) {
    this.limit = opts.limit ?? 10_000;
  }

  /** Whether steps were dropped because of the limit. */
  get truncated(): boolean {
    return this.executed > this.steps.length;
  }

  private sourceOf(p: ExecProgram, pc: number): string {
    let cache = this.sources.get(p);
    if (cache === undefined) {
      cache = [];
      this.sources.set(p, cache);
    }
    let s = cache[pc];
    if (s === undefined) {
      s = p.describePc?.(pc).source ?? null;
      cache[pc] = s;
    }
    return s ?? '';
  }

  /** The kernel tracer: call before each instruction. */
  readonly trace = (m: Machine, p: ExecProgram, pc: number): void => {
    this.flush(m);
    this.executed++;
    const every = this.opts.progressEvery ?? 1 << 20;
    if (this.opts.onProgress !== undefined && this.executed % every === 0) this.opts.onProgress(this.executed);
    const source = this.sourceOf(p, pc);
    if (source !== '' && source !== this.lastSource) this.lineHits.set(source, (this.lineHits.get(source) ?? 0) + 1);
    this.lastSource = source;
    if (this.steps.length >= this.limit) return;
    const regs: string[] = [];
    for (let r = 0; r <= 10; r++) {
      this.prevLo[r] = m.lo[r]!;
      this.prevHi[r] = m.hi[r]!;
      regs.push(describeValue(m, m.lo[r]!, m.hi[r]!));
    }
    const info = p.describePc?.(pc);
    const step: TraceStep = { program: p.name, pc, insn: info?.insn ?? '?', source, sourceText: info?.sourceText?.trim() ?? '', regs, changed: [] };
    this.steps.push(step);
    this.pending = step;
  };

  /** The registers the pending step changed, now that the next instruction shows them. */
  private flush(m: Machine): void {
    const s = this.pending;
    if (s === null) return;
    for (let r = 0; r <= 10; r++) {
      if (m.lo[r] !== this.prevLo[r] || m.hi[r] !== this.prevHi[r]) s.changed.push(`R${r}=${describeValue(m, m.lo[r]!, m.hi[r]!)}`);
    }
    this.pending = null;
  }

  /** End of a run: the next run's first instruction starts a new line. */
  finish(): void {
    this.pending = null;
    this.lastSource = '';
  }
}
