/**
 * `bpfemu run --trace`: one line per executed instruction in kernel syntax with only the registers
 * it changed, pointers named by what they point to (`fp-8`, `ctx+0`, `pkt+14`,
 * `map_value(counts)+4`), the C source line once each time it changes, and at most `limit` lines.
 */
import { formatKernel } from '../isa/disasm-kernel.js';
import type { ExecProgram, Machine } from '../vm/machine.js';
import { describeValue } from '../api/trace-record.js';

export { describeValue };

/** A tracer (install `trace` as the kernel's tracer, call `finish` after the run) printing through `emit`. */
export interface Tracer {
  trace(m: Machine, p: ExecProgram, pc: number): void;
  /** Print the last instruction (a run's exit or fault has no next instruction to show its effects). */
  finish(): void;
}

/** A tracer printing through `emit`; it stops printing after `limit` instructions (and says so once). */
export function makeTracer(emit: (text: string) => void, limit = Infinity): Tracer {
  let lastSrc = '';
  let n = 0;
  const prevLo = new Int32Array(11);
  const prevHi = new Int32Array(11);
  let pending: { p: ExecProgram; pc: number } | null = null;
  /** Print the instruction before this one with the registers it changed (known now). */
  const flush = (m: Machine | null): void => {
    if (pending === null) return;
    const { p, pc } = pending;
    const changed: string[] = [];
    for (let r = 0; m !== null && r <= 10; r++) {
      if (m.lo[r] !== prevLo[r] || m.hi[r] !== prevHi[r]) changed.push(`R${r}=${describeValue(m, m.lo[r]!, m.hi[r]!)}`);
    }
    const info = p.describePc?.(pc);
    const text = info?.insn ?? formatKernel(p.decoded.raw[pc]!, p.decoded.raw[pc + 1]);
    emit(`${p.name} ${String(pc).padStart(4)}: ${text.padEnd(36)}${changed.length > 0 ? ` ; ${changed.join(' ')}` : ''}\n`);
    pending = null;
  };
  const trace = (m: Machine, p: ExecProgram, pc: number): void => {
    flush(m);
    if (n >= limit) {
      if (n === limit) emit(`... trace stopped after ${limit} instructions (--trace-limit)\n`);
      n++;
      return;
    }
    n++;
    const info = p.describePc?.(pc);
    const src = info?.source ?? '';
    if (src !== '' && src !== lastSrc) emit(`; ${info?.sourceText?.trim() ?? ''} @ ${src}\n`);
    lastSrc = src;
    for (let r = 0; r <= 10; r++) {
      prevLo[r] = m.lo[r]!;
      prevHi[r] = m.hi[r]!;
    }
    pending = { p, pc };
  };
  return { trace, finish: () => flush(null) };
}
