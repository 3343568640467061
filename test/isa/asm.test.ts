import { describe, expect, it } from 'vitest';
import { AsmError, assemble, assembleBytes, parseIntLiteral, slotFromWord, type AsmErrorCode } from '../../src/isa/asm.js';
import { toHex } from '../../src/util/bytes.js';

/** Hex of the assembled bytes of one line. */
function hex(line: string): string {
  return toHex(assembleBytes(line));
}

function asmError(text: string): AsmError {
  try {
    assemble(text);
  } catch (e) {
    if (e instanceof AsmError) return e;
    throw e;
  }
  throw new Error(`expected an AsmError for: ${text}`);
}

describe('assemble: encodings', () => {
  // Expected bytes cross-checked against llvm-mc-19 -mcpu=v4 on the kernel-syntax equivalents.
  const cases: [string, string][] = [
    ['mov %r0, 1', 'b700000001000000'],
    ['mov r0, 1', 'b700000001000000'],
    ['mov64 r0, 1', 'b700000001000000'],
    ['MOV %R0, 1', 'b700000001000000'],
    ['add32 r1, 2', '0401000002000000'],
    ['add r1, r2', '0f21000000000000'],
    ['sub32 r3, -1', '14030000ffffffff'],
    ['mul r1, 0xffffffff', '27010000ffffffff'],
    ['div r1, r2', '3f21000000000000'],
    ['sdiv r1, r2', '3f21010000000000'],
    ['sdiv32 r1, 3', '3401010003000000'],
    ['mod32 r1, r2', '9c21000000000000'],
    ['smod r1, -7', '97010100f9ffffff'],
    ['or r1, 0x10', '4701000010000000'],
    ['and32 r1, r9', '5c91000000000000'],
    ['lsh r1, 63', '670100003f000000'],
    ['rsh32 r1, r2', '7c21000000000000'],
    ['arsh r1, -1', 'c7010000ffffffff'],
    ['xor r1, r1', 'af11000000000000'],
    ['neg r1', '8701000000000000'],
    ['neg32 r1', '8401000000000000'],
    ['neg64 r1', '8701000000000000'],
    ['movsx832 r1, r2', 'bc21080000000000'],
    ['movsx1632 r1, r2', 'bc21100000000000'],
    ['movsx864 r1, r2', 'bf21080000000000'],
    ['movsx1664 r1, r2', 'bf21100000000000'],
    ['movsx3264 r1, r2', 'bf21200000000000'],
    ['le16 r1', 'd401000010000000'],
    ['le32 r1', 'd401000020000000'],
    ['le64 r1', 'd401000040000000'],
    ['be16 r1', 'dc01000010000000'],
    ['be64 r2', 'dc02000040000000'],
    ['bswap16 r3', 'd703000010000000'],
    ['bswap32 r3', 'd703000020000000'],
    ['swap64 r3', 'd703000040000000'],
    ['ja +5', '0500050000000000'],
    ['ja -1', '0500ffff00000000'],
    ['ja32 +5', '0600000005000000'],
    ['ja32 -70000', '0600000090eefeff'],
    ['jeq r1, 0, +3', '1501030000000000'],
    ['jeq32 r1, r2, -2', '1e21feff00000000'],
    ['jsgt r1, -1, +1', '65010100ffffffff'],
    ['jset32 r4, 0x80000000, +0', '4604000000000080'],
    ['jlt r1, r2, 7', 'ad21070000000000'],
    ['call 5', '8500000005000000'],
    ['call helper 5', '8500000005000000'],
    ['call %r2', '8d02000000000000'],
    ['call helper r2', '8d02000000000000'],
    ['call local +2', '8510000002000000'],
    ['call kfunc 7', '8520000007000000'],
    ['call runtime 7', '8520000007000000'],
    ['call kfunc 7, 2', '8520020007000000'],
    ['exit', '9500000000000000'],
    ['may_goto +1', 'e500010000000000'],
    ['ldxw r1, [r2+4]', '6121040000000000'],
    ['ldxb r1, [r2]', '7121000000000000'],
    ['ldxh r1, [ r2 - 2 ]', '6921feff00000000'],
    ['ldxdw r0, [r10-8]', '79a0f8ff00000000'],
    ['ldxsb r1, [r2-1]', '9121ffff00000000'],
    ['ldxsh r1, [r2+0x10]', '8921100000000000'],
    ['ldxsw r1, [r2+32767]', '8121ff7f00000000'],
    ['stw [r10-4], -1', '620afcffffffffff'],
    ['stb [r1+1], 0xff', '72010100ff000000'],
    ['sth [r1], 7', '6a01000007000000'],
    ['stdw [r1-32768], 1', '7a01008001000000'],
    ['stxdw [r10-8], r1', '7b1af8ff00000000'],
    ['stxb [r1+2], r9', '7391020000000000'],
    ['lock add [r10-8], r1', 'db1af8ff00000000'],
    ['lock add64 [r10-8], r1', 'db1af8ff00000000'],
    ['lock fetch add32 [r1+4], r2', 'c321040001000000'],
    ['lock or [r1], r2', 'db21000040000000'],
    ['lock fetch and32 [r1], r2', 'c321000051000000'],
    ['lock xor [r1], r2', 'db210000a0000000'],
    ['lock xchg [r1+8], r2', 'db210800e1000000'],
    ['lock xchg32 [r1], r2', 'c3210000e1000000'],
    ['lock cmpxchg32 [r1], r2', 'c3210000f1000000'],
    ['lock cmpxchg [r1], r2', 'db210000f1000000'],
    ['ldxacqw r0, [r1+4]', 'c310040000010000'],
    ['ldxacqdw r0, [r1]', 'db10000000010000'],
    ['stxrelb [r1], r2', 'd321000010010000'],
    ['stxrelh [r1+2], r2', 'cb21020010010000'],
    ['ldabsw 12', '200000000c000000'],
    ['ldabsb -1', '30000000ffffffff'],
    ['ldindh r3, 2', '4830000002000000'],
    ['lddw r0, 0x1122334455667788', '18000000887766550000000044332211'],
    ['lddw r1, -1', '18010000ffffffff00000000ffffffff'],
    ['lddw r1, 0xffffffffffffffff', '18010000ffffffff00000000ffffffff'],
    ['lddw r1, 18446744073709551615', '18010000ffffffff00000000ffffffff'],
    ['lddw r1, -9223372036854775808', '18010000000000000000000000000080'],
    ['lddw r1, map_fd 5', '18110000050000000000000000000000'],
    ['lddw r1, map_value 5 16', '18210000050000000000000010000000'],
    ['lddw r1, map_value 5, 16', '18210000050000000000000010000000'],
    ['lddw r1, var 77', '183100004d0000000000000000000000'],
    ['lddw r1, map_idx 0', '18510000000000000000000000000000'],
    ['lddw r1, map_idx_value 1 -8', '186100000100000000000000f8ffffff'],
    ['lddw r2, code +3', '18420000030000000000000000000000'],
    ['.raw 0x0000000000000095', '9500000000000000'],
    ['.raw 0x5566778800000018 0x1122334400000000', '18000000887766550000000044332211'],
  ];
  it.each(cases)('%s', (line, expected) => {
    expect(hex(line)).toBe(expected);
  });

  it('accepts decimal and hex imm32 up to the unsigned bit pattern, and the signed minimum', () => {
    expect(assemble('mov r0, 4294967295')[0]!.imm).toBe(-1);
    expect(assemble('mov r0, 0xffffffff')[0]!.imm).toBe(-1);
    expect(assemble('mov r0, -2147483648')[0]!.imm).toBe(-0x80000000);
    expect(assemble('mov r0, -0x80000000')[0]!.imm).toBe(-0x80000000);
    expect(assemble('mov r0, 0b101')[0]!.imm).toBe(5);
  });
});

describe('assemble: labels, comments and layout', () => {
  it('resolves forward and backward labels relative to the next slot, counting lddw as two', () => {
    const p = assemble(`
      start:
        mov r0, 0          # 0
        lddw r1, 0x100000000  ; 1-2
        jeq r0, 1, done    // 3
        ja start           # 4
      done: exit           # 5
    `);
    expect(p).toHaveLength(6);
    expect(p[3]!.off).toBe(1);
    expect(p[4]!.off).toBe(-5);
  });

  it('puts label-relative distances of ja32 and local calls in imm', () => {
    const p = assemble('call local f\nexit\nja32 f\nf:\nmov r0, 1\nexit');
    expect(p[0]).toMatchObject({ src: 1, imm: 2 });
    expect(p[2]).toMatchObject({ code: 0x06, imm: 0 });
  });

  it('treats a bare identifier after call as a local call', () => {
    expect(assemble('call fn\nexit\nfn: exit')[0]).toMatchObject({ code: 0x85, src: 1, imm: 1 });
  });

  it('defines `exit` at the first exit unless the program defines it', () => {
    const p = assemble('jne r1, 0, exit\nmov r0, 1\nexit\nmov r0, 2\nexit');
    expect(p[0]!.off).toBe(1);
    const q = assemble('jne r1, 0, exit\nexit\nexit:\nmov r0, 2\nexit');
    expect(q[0]!.off).toBe(1);
    expect(() => assemble('ja exit\nexit', { defaultExitLabel: false })).toThrow(AsmError);
  });

  it('accepts several labels on one slot and a label at the end', () => {
    const p = assemble('a: b: ja end\nexit\nend:');
    expect(p[0]!.off).toBe(1);
  });
});

describe('assemble: errors carry a code and the line', () => {
  const cases: [string, AsmErrorCode, number][] = [
    ['mov r0, 1\nfrob r1', 'UNKNOWN_MNEMONIC', 2],
    ['mov r0', 'OPERAND_COUNT', 1],
    ['exit r0', 'OPERAND_COUNT', 1],
    ['neg r1, 2', 'OPERAND_COUNT', 1],
    ['\n\nmov r11, 1', 'BAD_REGISTER', 3],
    ['mov x1, 1', 'BAD_REGISTER', 1],
    ['ldxw r1, r2', 'SYNTAX', 1],
    ['ldxw r1, [r2+]', 'SYNTAX', 1],
    ['mov r0, 1,', 'SYNTAX', 1],
    ['mov r0, 4294967296', 'OUT_OF_RANGE', 1],
    ['mov r0, -2147483649', 'OUT_OF_RANGE', 1],
    ['mov r0, 0x100000000', 'OUT_OF_RANGE', 1],
    ['mov r0, abc', 'BAD_NUMBER', 1],
    ['ldxw r1, [r2+32768]', 'OUT_OF_RANGE', 1],
    ['stw [r2-32769], 1', 'OUT_OF_RANGE', 1],
    ['ja +32768', 'OUT_OF_RANGE', 1],
    ['ja32 +2147483648', 'OUT_OF_RANGE', 1],
    ['lddw r1, 0x10000000000000000', 'OUT_OF_RANGE', 1],
    ['lddw r1, -0x1', 'OUT_OF_RANGE', 1],
    ['lddw r1, -9223372036854775809', 'OUT_OF_RANGE', 1],
    ['lddw r1, map_value 5', 'OPERAND_COUNT', 1],
    ['lddw r1, bogus', 'BAD_NUMBER', 1],
    ['ja nowhere\nexit', 'UNKNOWN_LABEL', 1],
    ['x:\nx:\nexit', 'DUPLICATE_LABEL', 2],
    ['lock frob [r1], r2', 'UNKNOWN_MNEMONIC', 1],
    ['lock fetch xchg [r1], r2', 'SYNTAX', 1],
    ['lock add r1, r2', 'SYNTAX', 1],
    ['call weird 5', 'SYNTAX', 1],
    ['call', 'OPERAND_COUNT', 1],
    ['.raw 0x10000000000000000', 'OUT_OF_RANGE', 1],
    ['movsx3232 r1, r2', 'UNKNOWN_MNEMONIC', 1],
  ];
  it.each(cases)('%j -> %s at line %d', (text, code, line) => {
    const e = asmError(text);
    expect(e.code).toBe(code);
    expect(e.line).toBe(line);
  });

  it('reports a label that is too far for a 16-bit offset', () => {
    const body = Array.from({ length: 40000 }, () => 'mov r0, 0').join('\n');
    const e = asmError(`ja far\n${body}\nfar: exit`);
    expect(e.code).toBe('OUT_OF_RANGE');
    expect(e.line).toBe(1);
    // ja32 reaches it.
    expect(assemble(`ja32 far\n${body}\nfar: exit`)[0]!.imm).toBe(40000);
  });

  it('shifts line numbers by lineOffset', () => {
    try {
      assemble('exit\nbad', { lineOffset: 10 });
      expect.unreachable();
    } catch (e) {
      expect((e as AsmError).line).toBe(12);
    }
  });
});

describe('literals and raw words', () => {
  it('parses signed decimal, hex, binary and octal', () => {
    expect(parseIntLiteral('-0x10')).toBe(-16n);
    expect(parseIntLiteral('+7')).toBe(7n);
    expect(parseIntLiteral('0o17')).toBe(15n);
    expect(parseIntLiteral('12a')).toBeUndefined();
  });

  it('splits a little-endian word into fields', () => {
    expect(slotFromWord(0xfffffffffff81a7bn)).toEqual({ code: 0x7b, dst: 10, src: 1, off: -8, imm: -1 });
  });
});
