import { describe, expect, it } from 'vitest';
import { AsmError } from '../../src/isa/asm.js';
import { CaseFormatError, parseCase, parseHexBytes, type CaseFormatErrorCode } from '../../src/conformance/format.js';
import { checkCase, runCase, runInsns } from '../../src/conformance/runner.js';
import { runPlugin } from '../../src/conformance/plugin.js';
import { assemble } from '../../src/isa/asm.js';

function formatError(text: string): CaseFormatError {
  try {
    parseCase(text);
  } catch (e) {
    if (e instanceof CaseFormatError) return e;
    throw e;
  }
  throw new Error('expected a CaseFormatError');
}

describe('parseCase', () => {
  it('reads every section', () => {
    const c = parseCase(['# comment', '-- asm', 'mov %r0, 1 # trailing', 'exit', '-- mem', '00 ff', '1', '-- budget 50', '-- result', '0x1'].join('\n'), 'x');
    expect(c.name).toBe('x');
    expect(c.program.kind).toBe('asm');
    expect(Array.from(c.mem!)).toEqual([0, 255, 1]);
    expect(c.expect).toEqual({ kind: 'result', value: 1n });
    expect(c.budget).toBe(50);
  });

  it('takes -- budget on the next line too, and decimal or negative results', () => {
    const c = parseCase('-- asm\nexit\n-- budget\n7\n-- result\n-1');
    expect(c.budget).toBe(7);
    expect(c.expect).toEqual({ kind: 'result', value: 0xffffffffffffffffn });
  });

  it('parses an error expectation with stage and message', () => {
    expect(parseCase('-- asm\nexit\n-- error\nrun:out_of_bounds invalid read').expect).toEqual({ kind: 'error', stage: 'run', code: 'out_of_bounds', message: 'invalid read' });
    expect(parseCase('-- asm\nexit\n-- error\nBAD_OPCODE').expect).toEqual({ kind: 'error', code: 'BAD_OPCODE' });
  });

  it('prefers -- raw and checks it against -- asm', () => {
    const c = parseCase('-- asm\nmov %r0, 2\nexit\n-- raw\n0x00000002000000b7\n0x0000000000000095\n-- result\n2');
    expect(c.program.kind).toBe('raw');
    expect(formatError('-- asm\nmov %r0, 3\nexit\n-- raw\n0x00000002000000b7\n0x0000000000000095\n-- result\n2').code).toBe('CONFLICT');
  });

  it('ignores the uBPF `-- c` and `-- no register offset` sections', () => {
    const c = parseCase('-- asm\nexit\n-- c\nint main() { return 0; }\n-- no register offset\nwhatever\n-- result\n0');
    expect(c.expect).toEqual({ kind: 'result', value: 0n });
  });

  const bad: [string, CaseFormatErrorCode][] = [
    ['-- asm\nexit\n-- frob\n-- result\n0', 'UNKNOWN_SECTION'],
    ['stray\n-- asm\nexit\n-- result\n0', 'TEXT_OUTSIDE_SECTION'],
    ['-- asm\nexit\n-- mem\nzz\n-- result\n0', 'BAD_MEM'],
    ['-- raw\n0x1ffffffffffffffff\n-- result\n0', 'BAD_RAW'],
    ['-- asm\nexit\n-- result\nabc', 'BAD_RESULT'],
    ['-- asm\nexit\n-- result\n1\n2', 'BAD_RESULT'],
    ['-- asm\nexit\n-- error\n!!', 'BAD_ERROR'],
    ['-- asm\nexit\n-- budget 0\n-- result\n0', 'BAD_BUDGET'],
    ['-- result\n0', 'NO_PROGRAM'],
    ['-- asm\nexit', 'NO_EXPECTATION'],
    ['-- asm\nexit\n-- result\n0\n-- error\nBAD_OPCODE', 'CONFLICT'],
  ];
  it.each(bad)('rejects %j with %s', (text, code) => {
    expect(formatError(text).code).toBe(code);
  });

  it('parses hex bytes in tokens of one or an even number of digits', () => {
    expect(Array.from(parseHexBytes('0x01 2 dead')!)).toEqual([1, 2, 0xde, 0xad]);
    expect(parseHexBytes('abc')).toBeUndefined();
    expect(parseHexBytes('g0')).toBeUndefined();
  });
});

describe('runner', () => {
  it('reports each stage with its code', () => {
    const asm = runCase(parseCase('-- asm\nfrob\n-- result\n0'));
    expect(asm.ok ? null : asm.error).toMatchObject({ stage: 'asm', code: 'UNKNOWN_MNEMONIC' });
    const load = runInsns(assemble('ja +1\nexit'), null);
    expect(load.ok ? null : load.error).toMatchObject({ stage: 'load', code: 'JUMP_OUT_OF_RANGE', pc: 0 });
    const run = runInsns(assemble('mov %r0, 0\nldxb %r0, [%r1+4]\nexit'), Uint8Array.of(1, 2, 3, 4));
    expect(run.ok ? null : run.error).toMatchObject({ stage: 'run', code: 'out_of_bounds', pc: 1 });
  });

  it('runs on a copy of the memory', () => {
    const mem = Uint8Array.of(5, 6);
    const out = runInsns(assemble('stb [%r1], 9\nldxb %r0, [%r1]\nexit'), mem);
    expect(out).toMatchObject({ ok: true, r0: 9n });
    expect(mem[0]).toBe(5);
  });

  it('fails a case on a wrong value, a wrong code, a wrong stage or a missing message', () => {
    expect(checkCase(parseCase('-- asm\nmov %r0, 1\nexit\n-- result\n2')).pass).toBe(false);
    expect(checkCase(parseCase('-- asm\nmov %r0, 1\nexit\n-- error\nBAD_OPCODE')).pass).toBe(false);
    expect(checkCase(parseCase('-- asm\nja +1\nexit\n-- error\nBAD_OPCODE')).pass).toBe(false);
    expect(checkCase(parseCase('-- asm\nja +1\nexit\n-- error\nrun:JUMP_OUT_OF_RANGE')).pass).toBe(false);
    expect(checkCase(parseCase('-- asm\nja +1\nexit\n-- error\nload:JUMP_OUT_OF_RANGE no such text')).pass).toBe(false);
    expect(checkCase(parseCase('-- asm\nja +1\nexit\n-- error\nload:JUMP_OUT_OF_RANGE outside the program')).pass).toBe(true);
  });

  it('lets extra helpers replace or extend the table', () => {
    const c = parseCase('-- asm\nmov %r1, 0\ncall 5\nadd %r0, 1\ncall 6\nexit\n-- result\n0x2a');
    const helpers = new Map([
      [5, (m: { setR0(lo: number, hi: number): void }) => m.setR0(40, 0)],
      [6, (m: { lo: Int32Array; setR0(lo: number, hi: number): void }) => m.setR0(m.lo[0]! + 1, 0)],
    ]);
    expect(checkCase(c, { helpers }).pass).toBe(true);
  });

  it('propagates assembler errors from parseCase when comparing asm and raw', () => {
    expect(() => parseCase('-- asm\nfrob\n-- raw\n0x95\n-- result\n0')).toThrow(AsmError);
  });

  it('stops the run with r0 = 0 when unwind gets 0', () => {
    expect(runInsns(assemble('mov %r1, 0\ncall 5\nmov %r0, 1\nexit'), null)).toMatchObject({ ok: true, r0: 0n });
  });
});

describe('plugin protocol', () => {
  it('prints r0 in lowercase hex without a prefix', () => {
    expect(runPlugin([], 'b7 00 00 00 ff ff ff ff 95 00 00 00 00 00 00 00')).toEqual({ exitCode: 0, stdout: 'ffffffffffffffff\n', stderr: '' });
  });

  it('maps the memory argument: r1 = pointer, r2 = length', () => {
    // ldxw r0, [r1]; exit
    expect(runPlugin(['01 02 03 04'], '6110000000000000 9500000000000000').stdout).toBe('4030201\n');
    // mov r0, r2; exit
    expect(runPlugin(['00  00  00', '--debug'], 'bf200000000000009500000000000000').stdout).toBe('3\n');
  });

  it('tolerates unknown options and honours --engine and --budget', () => {
    const loop = '05 00 ff ff 00 00 00 00 95 00 00 00 00 00 00 00';
    const r = runPlugin(['--elf', '--budget', '100', '--engine=reference'], loop);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('budget_exceeded');
    expect(runPlugin(['--engine', 'bogus'], loop).exitCode).toBe(1);
    expect(runPlugin(['--budget'], loop).exitCode).toBe(1);
  });

  it('fails with a message on bad input and on load errors', () => {
    expect(runPlugin([], 'zz').exitCode).toBe(1);
    expect(runPlugin([], '').exitCode).toBe(1);
    expect(runPlugin([], '95 00 00 00').stderr).toContain('8-byte');
    expect(runPlugin([], '7f 45 4c 46 00 00 00 00').stderr).toContain('ELF');
    expect(runPlugin(['xyz'], '9500000000000000').stderr).toContain('memory');
    const unknown = runPlugin([], '85 00 00 00 63 00 00 00 95 00 00 00 00 00 00 00');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/^load error: .*unknown or unsupported helper 99/);
  });
});
