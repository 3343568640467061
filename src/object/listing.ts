/**
 * Text listing of a linked program in the kernel syntax, with source lines from BTF line info
 * interleaved the way `bpftool prog dump xlated linum` does: a `; <source>  [file:line:col]`
 * line before the first instruction each line_info record covers, a `name:` line at each
 * function start, pseudo operands named (`map[proto_stats]`, `map[globals.bss]+8`,
 * `kfunc bpf_rcu_read_lock`), and poisoned CO-RE instructions annotated.
 */
import { formatKernel, type KernelSyntaxOptions } from '../isa/disasm-kernel.js';
import { LDDW } from '../isa/insn.js';
import type { ObjectSpec, ProgramSpec } from './spec.js';
import { Pseudo } from './uapi.js';

/** Options of {@link programListing}. */
export interface ListingOptions {
  /** Helper id to name (`map_lookup_elem`), if the caller has a helper table. */
  readonly helperName?: (id: number) => string | undefined;
  /** Print source lines (default true). */
  readonly source?: boolean;
}

/** Name resolvers for one program's pseudo operands. */
export function pseudoNames(spec: ObjectSpec, helperName?: (id: number) => string | undefined): KernelSyntaxOptions {
  const mapName = (i: number) => spec.maps[i]?.name ?? `idx:${i}`;
  const base: KernelSyntaxOptions = {
    kfuncName: (imm) => {
      const e = spec.externs[imm];
      return e === undefined ? undefined : `${e.name}`;
    },
    pseudoName: (src, imm, next) => {
      if (src === Pseudo.MAP_IDX) return `map[${mapName(imm)}]`;
      if (src === Pseudo.MAP_IDX_VALUE) return `map[${mapName(imm)}]+${next}`;
      if (src === Pseudo.BTF_ID) {
        const e = spec.externs[imm];
        return e === undefined ? undefined : `${e.kind === 'kfunc' ? 'kfunc' : 'ksym'} ${e.name}`;
      }
      return undefined;
    },
  };
  return helperName === undefined ? base : { ...base, helperName };
}

/** The program as listing lines (no trailing newlines). */
export function programListing(spec: ObjectSpec, prog: ProgramSpec, opts: ListingOptions = {}): string[] {
  const names = pseudoNames(spec, opts.helperName);
  const width = String(Math.max(0, prog.insns.length - 1)).length;
  const starts = new Map(prog.functions.map((f) => [f.pc, f.name]));
  const poison = new Map(prog.poisoned.map((p) => [p.pc, p.reason]));
  const calls = new Map(prog.relocations.filter((r) => r.kind === 'call' || r.kind === 'func_addr').map((r) => [r.pc, r.target]));
  const lines: string[] = [];
  let li = 0;
  let lastSource = '';
  for (let pc = 0; pc < prog.insns.length; pc++) {
    const fn = starts.get(pc);
    if (fn !== undefined) lines.push(`${fn}:`);
    while (li < prog.lineInfo.length && prog.lineInfo[li]!.pc <= pc) {
      const l = prog.lineInfo[li++]!;
      const text = `; ${l.text.trim()}  [${l.file}:${l.line}:${l.column}]`;
      if (opts.source !== false && text !== lastSource) lines.push(text);
      lastSource = text;
    }
    const i = prog.insns[pc]!;
    const next = prog.insns[pc + 1];
    let text = formatKernel(i, next, names);
    const callee = calls.get(pc);
    if (callee !== undefined) text += ` <${callee}>`;
    const why = poison.get(pc);
    if (why !== undefined) text += `  ; poisoned: ${why}`;
    lines.push(`${String(pc).padStart(width)}: ${text}`);
    if (i.code === LDDW && next !== undefined && !poison.has(pc)) pc++;
  }
  return lines;
}
