/**
 * The conformance test-file format of uBPF / bpf_conformance, plus two bpfemu additions.
 *
 *   -- asm        program in the mnemonic dialect (isa/asm.ts)
 *   -- raw        program as little-endian 64-bit words, one slot each (`0x0000000000000095`)
 *   -- mem        hex bytes; r1 points to a copy (an INPUT region), r2 = its length
 *   -- result     expected r0, 64-bit, hex (`0x...`) or decimal
 *   -- error      expected error: `[stage:]code [message substring]`          (bpfemu)
 *                 stage = asm | load | run; code = an AsmError/VerifyError code or a fault kind
 *   -- budget N   instruction budget of the run (also `-- budget` then N)      (bpfemu)
 *   -- c, -- no register offset   ignored, as in uBPF's files
 *
 * `#` starts a comment anywhere. Either `-- result` or `-- error` is required, not both. When both
 * `-- asm` and `-- raw` are present, they must assemble to the same slots.
 */
import { BpfemuError } from '../util/errors.js';
import { assemble, parseIntLiteral, slotFromWord } from '../isa/asm.js';
import type { RawInsn } from '../isa/insn.js';
import { bytesEqual } from '../util/bytes.js';
import { writeInsns } from '../isa/insn.js';

/** Error codes of the case-file parser. */
export type CaseFormatErrorCode =
  | 'UNKNOWN_SECTION'
  | 'TEXT_OUTSIDE_SECTION'
  | 'BAD_MEM'
  | 'BAD_RAW'
  | 'BAD_RESULT'
  | 'BAD_ERROR'
  | 'BAD_BUDGET'
  | 'NO_PROGRAM'
  | 'NO_EXPECTATION'
  | 'CONFLICT';

/** A malformed case file; `line` is 1-based, or 0 for whole-file problems. */
export class CaseFormatError extends BpfemuError<CaseFormatErrorCode> {
  constructor(
    readonly code: CaseFormatErrorCode,
    readonly line: number,
    detail: string,
  ) {
    super(line > 0 ? `line ${line}: ${detail}` : detail);
  }
}

/** Stages a case can fail in. */
export type CaseStage = 'asm' | 'load' | 'run';

/** What a case expects. */
export type Expectation =
  | { readonly kind: 'result'; readonly value: bigint }
  | { readonly kind: 'error'; readonly stage?: CaseStage; readonly code: string; readonly message?: string };

/** The program of a case, as written. */
export type CaseProgram =
  | { readonly kind: 'asm'; readonly text: string; /** Line of the file before the first asm line. */ readonly lineOffset: number }
  | { readonly kind: 'raw'; readonly insns: readonly RawInsn[] };

/** One parsed case file. */
export interface ConformanceCase {
  readonly name: string;
  readonly program: CaseProgram;
  /** Input memory, or null when the case has none (r1 = r2 = 0). */
  readonly mem: Uint8Array | null;
  readonly expect: Expectation;
  /** Instruction budget, if the case sets one. */
  readonly budget?: number;
}

type Section = 'asm' | 'raw' | 'mem' | 'result' | 'error' | 'budget' | 'ignore';

const IGNORED = new Set(['c', 'no register offset']);

/** Parse hex bytes: whitespace-separated tokens of 1 or an even number of digits (`0x` allowed). */
export function parseHexBytes(text: string): Uint8Array | undefined {
  const out: number[] = [];
  for (const raw of text.split(/[\s,]+/)) {
    if (raw === '') continue;
    const t = raw.replace(/^0x/i, '');
    if (!/^[0-9a-f]+$/i.test(t)) return undefined;
    if (t.length === 1) out.push(parseInt(t, 16));
    else if (t.length % 2 === 0) for (let k = 0; k < t.length; k += 2) out.push(parseInt(t.slice(k, k + 2), 16));
    else return undefined;
  }
  return Uint8Array.from(out);
}

/** Parse a case file. Throws {@link CaseFormatError} (and AsmError when `-- asm` and `-- raw` are compared). */
export function parseCase(text: string, name = 'case'): ConformanceCase {
  const lines = text.split(/\r?\n/);
  let section: Section | null = null;
  const body: Record<Exclude<Section, 'ignore'>, { line: number; text: string }[]> = { asm: [], raw: [], mem: [], result: [], error: [], budget: [] };
  const seen = new Set<Section>();
  let asmStart = -1;
  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    const hash = lines[li]!.indexOf('#');
    const line = (hash >= 0 ? lines[li]!.slice(0, hash) : lines[li]!).trim();
    const header = /^--\s*(.*)$/.exec(line);
    if (header !== null) {
      const words = header[1]!.trim().toLowerCase();
      const m = /^(asm|raw|mem|result|error|budget)\b\s*(.*)$/.exec(words);
      if (m !== null) {
        section = m[1] as Section;
        seen.add(section);
        if (section === 'asm') asmStart = lineNo;
        if (m[2] !== '') {
          if (section !== 'budget') throw new CaseFormatError('UNKNOWN_SECTION', lineNo, `unexpected text after '-- ${section}'`);
          body.budget.push({ line: lineNo, text: m[2]! });
        }
      } else if (IGNORED.has(words)) section = 'ignore';
      else throw new CaseFormatError('UNKNOWN_SECTION', lineNo, `unknown section '-- ${header[1]!.trim()}'`);
      continue;
    }
    if (section === 'asm') {
      // The assembler needs every line (blank ones too) to keep line numbers right.
      body.asm.push({ line: lineNo, text: line });
      continue;
    }
    if (line === '') continue;
    if (section === null) throw new CaseFormatError('TEXT_OUTSIDE_SECTION', lineNo, `text before the first section: '${line}'`);
    if (section !== 'ignore') body[section].push({ line: lineNo, text: line });
  }

  // Program.
  let raw: RawInsn[] | undefined;
  if (seen.has('raw')) {
    raw = [];
    for (const { line, text: t } of body.raw) {
      for (const tok of t.split(/\s+/)) {
        const v = parseIntLiteral(tok);
        if (v === undefined || v < 0n || v > 0xffffffffffffffffn) throw new CaseFormatError('BAD_RAW', line, `expected a 64-bit instruction word, got '${tok}'`);
        raw.push(slotFromWord(v));
      }
    }
  }
  const asmText = body.asm.map((l) => l.text).join('\n');
  let program: CaseProgram;
  if (raw !== undefined) {
    if (seen.has('asm') && asmText.trim() !== '') {
      const assembled = assemble(asmText, { lineOffset: asmStart });
      if (!bytesEqual(writeInsns(assembled), writeInsns(raw))) throw new CaseFormatError('CONFLICT', 0, '-- asm and -- raw describe different programs');
    }
    program = { kind: 'raw', insns: raw };
  } else if (seen.has('asm')) program = { kind: 'asm', text: asmText, lineOffset: asmStart };
  else throw new CaseFormatError('NO_PROGRAM', 0, 'no -- asm or -- raw section');

  // Memory.
  let mem: Uint8Array | null = null;
  if (seen.has('mem')) {
    const parts: number[] = [];
    for (const { line, text: t } of body.mem) {
      const b = parseHexBytes(t);
      if (b === undefined) throw new CaseFormatError('BAD_MEM', line, `expected hex bytes, got '${t}'`);
      parts.push(...b);
    }
    mem = parts.length === 0 ? null : Uint8Array.from(parts);
  }

  // Expectation.
  if (seen.has('result') && seen.has('error')) throw new CaseFormatError('CONFLICT', 0, 'a case expects either a result or an error, not both');
  let expect: Expectation;
  if (seen.has('result')) {
    const r = body.result;
    if (r.length !== 1) throw new CaseFormatError('BAD_RESULT', r[1]?.line ?? 0, '-- result takes exactly one value');
    const v = parseIntLiteral(r[0]!.text);
    if (v === undefined || v < -(1n << 63n) || v > 0xffffffffffffffffn) throw new CaseFormatError('BAD_RESULT', r[0]!.line, `expected a 64-bit value, got '${r[0]!.text}'`);
    expect = { kind: 'result', value: BigInt.asUintN(64, v) };
  } else if (seen.has('error')) {
    const e = body.error;
    if (e.length !== 1) throw new CaseFormatError('BAD_ERROR', e[1]?.line ?? 0, '-- error takes exactly one line: [stage:]code [message substring]');
    const m = /^(?:(asm|load|run):)?([A-Za-z_][\w]*)(?:\s+(.*))?$/.exec(e[0]!.text);
    if (m === null) throw new CaseFormatError('BAD_ERROR', e[0]!.line, `expected [stage:]code [message], got '${e[0]!.text}'`);
    expect = {
      kind: 'error',
      code: m[2]!,
      ...(m[1] !== undefined ? { stage: m[1] as CaseStage } : {}),
      ...(m[3] !== undefined ? { message: m[3] } : {}),
    };
  } else throw new CaseFormatError('NO_EXPECTATION', 0, 'no -- result or -- error section');

  // Budget.
  let budget: number | undefined;
  if (seen.has('budget')) {
    const b = body.budget;
    const v = b.length === 1 ? parseIntLiteral(b[0]!.text) : undefined;
    if (v === undefined || v < 1n || v > 0x7fffffffn) throw new CaseFormatError('BAD_BUDGET', b[0]?.line ?? 0, '-- budget takes one positive instruction count');
    budget = Number(v);
  }
  return { name, program, mem, expect, ...(budget !== undefined ? { budget } : {}) };
}
