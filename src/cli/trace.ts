/**
 * `bpfemu run --trace`: one line per executed instruction in kernel syntax with only the registers
 * it changed, pointers named by what they point to (`fp-8`, `ctx+0`, `pkt+14`,
 * `map_value(counts)+4`), the C source line once each time it changes, and at most `limit` lines.
 */
import { formatKernel } from '../isa/disasm-kernel.js';
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
