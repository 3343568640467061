/**
 * Verifier corpus, group `alu`: scalar tracking through every ALU op (64- and 32-bit, movsx,
 * byte swaps, neg, div/mod, shifts), the ALU encoding checks (reserved fields, "div by zero",
 * "invalid shift") and the narrowing done by conditional jumps (every jump op, both branches,
 * JMP32, signed and unsigned, linked scalars, branches decided from the bounds).
 *
 * Most cases are one template: look up key 0 of a 16-byte array map, load two unknown u64 from
 * the value into r1 and r2, compute an index into r1, then read at value + r1. The verdict then
 * depends only on whether the verifier's bounds of r1 are exact enough: a byte read needs
 * r1 <= 15, a word read r1 <= 12.
 */
import type { CaseMap, VerifierCase } from './types.js';

const VALUE16: CaseMap = { type: 2, keySize: 4, valueSize: 16, maxEntries: 1 };

const SOCKET_FILTER = 1;
const SCHED_CLS = 3;
const XDP = 6;

/** Read sizes of the template's final access, with the largest index each allows. */
const ACCESS = { b: 'ldxb r3, [r0+0]', w: 'ldxw r3, [r0+0]' } as const;

interface IndexOpts {
  /** The final read: a byte (index <= 15, default) or a word (index <= 12). */
  readonly access?: keyof typeof ACCESS;
  readonly progType?: number;
  readonly rule?: string;
}

/**
 * A case of the index template: r0 = a non-null 16-byte map value, r1 and r2 = unknown u64 read
 * from it, r6 = ctx; `body` leaves the index in r1 (it may jump to `out` to skip the access).
 */
function idx(name: string, what: string, body: string, opts: IndexOpts = {}): VerifierCase {
  return {
    name,
    rule: opts.rule ?? 'alu',
    what,
    progType: opts.progType ?? SOCKET_FILTER,
    maps: [VALUE16],
    asm: `
  mov r6, r1
  stw [r10-4], 0
  mov r2, r10
  add r2, -4
  lddw r1, map_fd 0
  call 1
  jeq r0, 0, out
  ldxdw r1, [r0+0]
  ldxdw r2, [r0+8]
${body
  .trim()
  .split('\n')
  .map((l) => `  ${l.trim()}`)
  .join('\n')}
  add r0, r1
  ${ACCESS[opts.access ?? 'b']}
out:
  mov r0, 0
  exit
`,
  };
}

/** A jump-narrowing case of the index template. */
function jmp(name: string, what: string, body: string, opts: IndexOpts = {}): VerifierCase {
  return idx(name, what, body, { ...opts, rule: 'jmp' });
}

/** A program `r0 = 0; <body>; exit` (r1 = ctx on entry). */
function plain(name: string, rule: string, what: string, body: string, progType = SOCKET_FILTER): VerifierCase {
  return {
    name,
    rule,
    what,
    progType,
    asm: `
  mov r0, 0
${body
  .trim()
  .split('\n')
  .map((l) => `  ${l.trim()}`)
  .join('\n')}
  exit
`,
  };
}

/** A `.raw` line for one instruction slot (little-endian word: code, regs, off, imm). */
function raw(code: number, dst: number, src: number, off: number, imm: number): string {
  const lo = (code & 0xff) | ((dst & 0xf) << 8) | ((src & 0xf) << 12) | ((off & 0xffff) << 16);
  const word = (BigInt(imm >>> 0) << 32n) | BigInt(lo >>> 0);
  return `.raw 0x${word.toString(16).padStart(16, '0')}`;
}

// Opcode bytes for the raw encodings (RFC 9669 §3–4).
const ALU = 0x04;
const ALU64 = 0x07;
const JMP = 0x05;
const X = 0x08;
const OP = { add: 0x00, div: 0x30, neg: 0x80, mov: 0xb0, end: 0xd0, jeq: 0x10 } as const;

/**
 * A program whose `dead` code only runs if the branch in `cond` is not decided from the bounds:
 * `cond` jumps to `ok` when the verifier can prove it always does, else falls into a
 * dereference of the scalar r1 ("R1 invalid mem access 'scalar'").
 */
function decided(name: string, what: string, setup: string, cond: string): VerifierCase {
  return plain(
    name,
    'jmp',
    what,
    `
    ldxw r1, [r1+0]
    ${setup}
    ${cond}
    ldxdw r0, [r1+0]
    ok:
    mov r0, 0`,
  );
}

const arith: VerifierCase[] = [
  // and
  idx('alu-and64-imm-bounds', 'r1 &= 0xf bounds an unknown u64 to [0,15]: a byte read of a 16-byte value is accepted', 'and r1, 0xf'),
  idx('alu-and64-imm-too-wide', 'r1 &= 0x1f leaves [0,31]: reading value + r1 may pass the 16-byte value', 'and r1, 0x1f'),
  idx('alu-and32-imm-bounds', 'w1 &= 0xf bounds the low half and zero-extends: [0,15], accepted', 'and32 r1, 0xf'),
  idx('alu-and32-imm-too-wide', 'w1 &= 0x1f gives [0,31]: the byte read may be out of bounds', 'and32 r1, 0x1f'),
  idx('alu-and64-reg-bounded', 'r1 &= r2 with r2 in [0,15] bounds r1 to [0,15]', 'and r2, 0xf\nand r1, r2'),
  idx('alu-and64-reg-unknown', 'r1 &= r2 with both unknown stays unbounded', 'and r1, r2'),
  idx('alu-and64-imm-sign-extended', 'the 64-bit and immediate 0x8000000f is sign-extended: bits 31..63 stay unknown', 'and r1, 0x8000000f'),
  idx('alu-and32-imm-not-sign-extended', 'w1 &= 0x8000000f then r1 >>= 31 leaves [0,1]: the 32-bit result is zero-extended', 'and32 r1, 0x8000000f\nrsh r1, 31'),
  // or
  idx('alu-or64-imm-bounds', '(r1 & 7) | 8 is in [8,15]: accepted', 'and r1, 7\nor r1, 8'),
  idx('alu-or64-imm-too-wide', '(r1 & 7) | 0x10 is in [16,23]: past the 16-byte value', 'and r1, 7\nor r1, 0x10'),
  idx('alu-or32-imm-bounds', 'w1 = (w1 & 7) | 8 is in [8,15]: accepted', 'and r1, 7\nor32 r1, 8'),
  idx('alu-or64-reg-unknown', '(r1 & 0xf) | unknown is unbounded', 'and r1, 0xf\nor r1, r2'),
  // xor
  idx('alu-xor64-imm-bounds', '(r1 & 7) ^ 8 is in [8,15]: accepted', 'and r1, 7\nxor r1, 8'),
  idx('alu-xor64-imm-too-wide', '(r1 & 7) ^ 0x18 is in [24,31]: rejected', 'and r1, 7\nxor r1, 0x18'),
  idx('alu-xor64-reg-bounded', 'xor of two values in [0,15] stays in [0,15]', 'and r1, 0xf\nand r2, 0xf\nxor r1, r2'),
  idx('alu-xor32-imm-all-ones', 'w1 = (w1 & 0xf) ^ -1 is in [0xfffffff0,0xffffffff] after zero-extension: rejected', 'and r1, 0xf\nxor32 r1, -1'),
  // add
  idx('alu-add64-imm-bounds', '(r1 & 7) + 8 is in [8,15]: accepted', 'and r1, 7\nadd r1, 8'),
  idx('alu-add64-imm-too-far', '(r1 & 7) + 9 is in [9,16]: the last byte is past the value', 'and r1, 7\nadd r1, 9'),
  idx('alu-add32-imm-bounds', 'w1 = (w1 & 7) + 8 is in [8,15]: accepted', 'and r1, 7\nadd32 r1, 8'),
  idx('alu-add32-imm-too-far', 'w1 = (w1 & 7) + 9 is in [9,16]: rejected', 'and r1, 7\nadd32 r1, 9'),
  idx('alu-add64-reg-bounds', '[0,7] + [0,8] is in [0,15]: accepted', 'and r1, 7\nand r2, 8\nadd r1, r2'),
  idx('alu-add64-reg-too-far', '[0,7] + [0,9] may reach 16: rejected', 'and r1, 7\nand r2, 9\nadd r1, r2'),
  idx('alu-add64-neg-then-back', '(r1 & 7) - 8 + 8 is back in [0,7]: the signed range survives the round trip', 'and r1, 7\nadd r1, -8\nadd r1, 8'),
  idx('alu-add64-may-be-negative', '(r1 & 7) + -1 is in [-1,6]: a negative index is rejected', 'and r1, 7\nadd r1, -1'),
  idx('alu-add32-wrap-and-back', 'w1 = (w1 & 7) - 8 + 8 wraps twice in 32 bits and is back in [0,7]', 'and r1, 7\nadd32 r1, -8\nadd32 r1, 8'),
  idx('alu-add32-wrap', 'w1 = (w1 & 7) - 8 wraps to [0xfffffff8,0xffffffff], zero-extended: rejected', 'and r1, 7\nadd32 r1, -8'),
  // sub
  idx('alu-sub64-reg-bounds', '15 - (r1 & 0xf) is in [0,15]: accepted', 'and r1, 0xf\nmov r3, 15\nsub r3, r1\nmov r1, r3'),
  idx('alu-sub64-reg-too-far', '16 - (r1 & 0xf) is in [1,16]: rejected', 'and r1, 0xf\nmov r3, 16\nsub r3, r1\nmov r1, r3'),
  idx('alu-sub64-imm-may-be-negative', '(r1 & 0xf) - 1 is in [-1,14]: rejected', 'and r1, 0xf\nsub r1, 1'),
  idx('alu-sub64-imm-round-trip', '(r1 & 0xf) + 1 - 1 is back in [0,15]', 'and r1, 0xf\nadd r1, 1\nsub r1, 1'),
  idx('alu-sub32-reg-bounds', 'w3 = 15 - (w1 & 0xf) is in [0,15]: accepted', 'and r1, 0xf\nmov32 r3, 15\nsub32 r3, r1\nmov r1, r3'),
  idx('alu-sub32-imm-underflow', 'w1 = (w1 & 0xf) - 1 may wrap to 0xffffffff: rejected', 'and r1, 0xf\nsub32 r1, 1'),
  // mul
  idx('alu-mul64-imm-bounds', '(r1 & 3) * 5 is in [0,15]: accepted', 'and r1, 3\nmul r1, 5'),
  idx('alu-mul64-imm-too-far', '(r1 & 3) * 6 may be 18: rejected', 'and r1, 3\nmul r1, 6'),
  idx('alu-mul32-imm-bounds', 'w1 = (w1 & 3) * 5 is in [0,15]: accepted', 'and r1, 3\nmul32 r1, 5'),
  idx('alu-mul32-imm-too-far', 'w1 = (w1 & 3) * 6 may be 18: rejected', 'and r1, 3\nmul32 r1, 6'),
  idx('alu-mul64-reg-bounds', '[0,3] * [0,5] is in [0,15]: accepted', 'and r1, 3\nand r2, 5\nmul r1, r2'),
  idx('alu-mul64-reg-unknown', '[0,3] * unknown is unbounded', 'and r1, 3\nmul r1, r2'),
  idx(
    'alu-mul32-no-overflow-range',
    'r1 in [0,2] (a jump) * 0x60000000 fits in 32 bits; >> 28 gives at most 12, which only the range (not the tnum) shows: a word read is accepted',
    'jgt r1, 2, out\nmul32 r1, 0x60000000\nrsh32 r1, 28',
    { access: 'w' },
  ),
  idx(
    'alu-mul32-overflow-loses-range',
    'r1 in [0,3] * 0x60000000 overflows 32 bits: the range is dropped, >> 28 is only known <= 15 from the tnum, a word read is rejected',
    'jgt r1, 3, out\nmul32 r1, 0x60000000\nrsh32 r1, 28',
    { access: 'w' },
  ),
  idx(
    'alu-mul64-no-overflow-range',
    'r1 in [0,2] * 0x6000000000000000 fits in u64; >> 60 is at most 12 from the range: a word read is accepted',
    'jgt r1, 2, out\nlddw r3, 0x6000000000000000\nmul r1, r3\nrsh r1, 60',
    { access: 'w' },
  ),
  idx(
    'alu-mul64-overflow-loses-range',
    'r1 in [0,3] * 0x6000000000000000 overflows u64: the range is dropped and >> 60 may be 15: a word read is rejected',
    'jgt r1, 3, out\nlddw r3, 0x6000000000000000\nmul r1, r3\nrsh r1, 60',
    { access: 'w' },
  ),
  // div / mod
  plain('alu-div64-imm-zero', 'alu', 'r1 /= 0 with an immediate is refused: "div by zero"', 'mov r1, 1\ndiv r1, 0'),
  plain('alu-div32-imm-zero', 'alu', 'w1 /= 0 with an immediate is refused: "div by zero"', 'mov r1, 1\ndiv32 r1, 0'),
  plain('alu-mod64-imm-zero', 'alu', 'r1 %= 0 with an immediate is refused: "div by zero"', 'mov r1, 1\nmod r1, 0'),
  plain('alu-mod32-imm-zero', 'alu', 'w1 %= 0 with an immediate is refused: "div by zero"', 'mov r1, 1\nmod32 r1, 0'),
  plain('alu-sdiv64-imm-zero', 'alu', 'signed r1 s/= 0 with an immediate is refused: "div by zero"', 'mov r1, 1\nsdiv r1, 0'),
  plain('alu-smod32-imm-zero', 'alu', 'signed w1 s%= 0 with an immediate is refused: "div by zero"', 'mov r1, 1\nsmod32 r1, 0'),
  plain('alu-div-imm-nonzero', 'alu', 'division and modulo by non-zero immediates (also signed) are accepted', 'mov r1, 100\ndiv r1, 7\nmod32 r1, 3\nsdiv r1, -2\nsmod r1, 5'),
  idx('alu-div64-reg-zero-allowed', 'division by a register that is 0 is legal (defined result); the result is then masked to [0,15]', 'mov r3, 0\ndiv r1, r3\nand r1, 0xf'),
  idx('alu-mod32-reg-zero-allowed', 'modulo by a register that is 0 is legal; the result masked to [0,15] is accepted', 'mov r3, 0\nmod32 r1, r3\nand r1, 0xf'),
  idx('alu-div64-imm-range', '6.18 does not track division: (r1 & 0xff) / 16 is an unknown scalar, not [0,15]', 'and r1, 0xff\ndiv r1, 16'),
  idx('alu-div32-imm-range', 'w1 = (w1 & 0xff) / 16: the 32-bit quotient is a fully unknown scalar (the bounds do not even keep the zero-extension): rejected', 'and r1, 0xff\ndiv32 r1, 16'),
  idx('alu-mod64-imm-range', '6.18 does not track modulo: r1 % 16 is an unknown scalar, not [0,15]', 'mod r1, 16'),
  idx('alu-mod-then-mask', 'a remainder masked with & 0xf is in [0,15]: accepted', 'mod r1, 17\nand r1, 0xf'),
  idx('alu-div64-consts', 'even 100 / 7 of two constants is an unknown scalar (not 14): rejected', 'mov r1, 100\ndiv r1, 7'),
  idx('alu-div-then-mask', 'a quotient masked with & 0xf is in [0,15]: accepted', 'div r1, 3\nand r1, 0xf'),
  // shifts
  idx('alu-lsh64-imm-bounds', '(r1 & 3) << 2 is in [0,12]: a word read is accepted', 'and r1, 3\nlsh r1, 2', { access: 'w' }),
  idx('alu-lsh64-imm-too-far', '(r1 & 3) << 3 may be 24: rejected', 'and r1, 3\nlsh r1, 3', { access: 'w' }),
  idx('alu-lsh32-imm-bounds', 'w1 = (w1 & 3) << 2 is in [0,12]: a word read is accepted', 'and r1, 3\nlsh32 r1, 2', { access: 'w' }),
  idx('alu-lsh32-imm-too-far', 'w1 = (w1 & 3) << 3 may be 24: rejected', 'and r1, 3\nlsh32 r1, 3', { access: 'w' }),
  idx('alu-lsh-rsh-60', '(r1 << 60) >> 60 keeps 4 bits: [0,15]', 'lsh r1, 60\nrsh r1, 60'),
  idx('alu-lsh-rsh-59', '(r1 << 59) >> 59 keeps 5 bits: [0,31], rejected', 'lsh r1, 59\nrsh r1, 59'),
  idx('alu-rsh64-imm-60', 'unknown u64 >> 60 is in [0,15]', 'rsh r1, 60'),
  idx('alu-rsh64-imm-59', 'unknown u64 >> 59 is in [0,31]: rejected', 'rsh r1, 59'),
  idx('alu-rsh32-imm-28', 'w1 >> 28 is in [0,15] (the 32-bit op zero-extends)', 'rsh32 r1, 28'),
  idx('alu-rsh32-imm-27', 'w1 >> 27 is in [0,31]: rejected', 'rsh32 r1, 27'),
  idx('alu-rsh64-28-no-zext', 'a 64-bit unknown >> 28 keeps 36 unknown bits: rejected', 'rsh r1, 28'),
  idx('alu-arsh64-imm-negative', 'unknown s>> 60 is in [-8,7]: a negative index is rejected', 'arsh r1, 60'),
  idx('alu-arsh64-imm-nonneg', '(r1 >> 1) s>> 59: the sign bit is known 0, so [0,15]', 'rsh r1, 1\narsh r1, 59'),
  idx('alu-arsh32-imm-negative', 'w1 s>> 28 is in [-8,7] as s32, zero-extended to up to 0xffffffff: rejected', 'arsh32 r1, 28'),
  idx('alu-arsh32-imm-nonneg', '(w1 >> 1) s>> 27 has a known-zero sign: [0,15]', 'rsh32 r1, 1\narsh32 r1, 27'),
  idx('alu-rsh64-reg-const', 'a shift by a register holding the constant 60 is tracked like the immediate: [0,15]', 'mov r3, 60\nrsh r1, r3'),
  idx('alu-rsh64-reg-unknown', 'a shift by an unknown amount in [0,63] gives an unknown result: rejected', 'and r2, 63\nrsh r1, r2'),
  idx('alu-lsh64-reg-64-allowed', 'a shift by a register holding 64 is legal (no check on registers); the masked result is accepted', 'mov r3, 64\nlsh r1, r3\nand r1, 0xf'),
  plain('alu-lsh64-imm-63', 'alu', 'a 64-bit shift by the immediate 63 is valid', 'mov r1, 1\nlsh r1, 63\narsh r1, 63\nrsh r1, 63'),
  plain('alu-lsh64-imm-64', 'alu', 'a 64-bit shift by the immediate 64 is refused: "invalid shift 64"', 'mov r1, 1\nlsh r1, 64'),
  plain('alu-rsh32-imm-31', 'alu', 'a 32-bit shift by the immediate 31 is valid', 'mov r1, 1\nrsh32 r1, 31\nlsh32 r1, 31\narsh32 r1, 31'),
  plain('alu-rsh32-imm-32', 'alu', 'a 32-bit shift by the immediate 32 is refused: "invalid shift 32"', 'mov r1, 1\nrsh32 r1, 32'),
  plain('alu-arsh64-imm-negative-amount', 'alu', 'a shift by the immediate -1 is refused: "invalid shift -1"', 'mov r1, 1\narsh r1, -1'),
  // neg
  idx('alu-neg64-negative', '-(r1 & 0xf) is in [-15,0]: rejected', 'and r1, 0xf\nneg r1'),
  idx('alu-neg64-twice', '-(-(r1 & 0xf)) is back in [0,15]', 'and r1, 0xf\nneg r1\nneg r1'),
  idx('alu-neg64-plus-15', '15 + -(r1 & 0xf) is in [0,15]', 'and r1, 0xf\nneg r1\nadd r1, 15'),
  idx('alu-neg32-zext', 'w1 = -(w1 & 0xf) is up to 0xffffffff after zero-extension: rejected', 'and r1, 0xf\nneg32 r1'),
  idx('alu-neg32-twice', 'w1 = -(-(w1 & 0xf)) is back in [0,15]', 'and r1, 0xf\nneg32 r1\nneg32 r1'),
  // mov
  idx('alu-mov64-copy-keeps-bounds', 'a 64-bit register copy keeps the bounds [0,15]', 'and r2, 0xf\nmov r1, r2'),
  idx('alu-mov32-unknown', 'w1 = w1 of an unknown value is [0,0xffffffff]: rejected', 'mov32 r1, r1'),
  idx('alu-mov32-zext-then-rsh', 'after w1 = w1 the upper half is zero, so >> 28 gives [0,15]', 'mov32 r1, r1\nrsh r1, 28'),
  idx('alu-mov64-imm-sign-extended', 'r1 = -1 is 0xffffffffffffffff (sign-extended); >> 60 is the constant 15', 'mov r1, -1\nrsh r1, 60'),
  idx('alu-mov64-imm-sign-extended-big', 'r1 = -1 >> 28 is the constant 0xfffffffff: rejected', 'mov r1, -1\nrsh r1, 28'),
  idx('alu-mov32-imm-zero-extended', 'w1 = -1 is 0xffffffff (zero-extended); >> 28 is the constant 15', 'mov32 r1, -1\nrsh r1, 28'),
  // movsx / ldsx
  idx('alu-movsx864-fits', '(s8)(r1 & 0xf) stays in [0,15]', 'and r1, 0xf\nmovsx864 r1, r1'),
  idx('alu-movsx864-sign', '(s8)(r1 & 0xff) is in [-128,127]: rejected', 'and r1, 0xff\nmovsx864 r1, r1'),
  idx('alu-movsx864-nonneg-rsh', '(s8)(r1 & 0x7f) >> 3 is in [0,15]: the sign bit is known 0', 'and r1, 0x7f\nmovsx864 r1, r1\nrsh r1, 3'),
  idx('alu-movsx864-neg-rsh', '(s8)(r1 & 0xff) may be negative; >> 3 is then huge: rejected', 'and r1, 0xff\nmovsx864 r1, r1\nrsh r1, 3'),
  idx('alu-movsx1664-nonneg-rsh', '(s16)(r1 & 0x7fff) >> 11 is in [0,15]', 'and r1, 0x7fff\nmovsx1664 r1, r1\nrsh r1, 11'),
  idx('alu-movsx1664-neg-rsh', '(s16)(r1 & 0xffff) may be negative: >> 12 is unbounded, rejected', 'and r1, 0xffff\nmovsx1664 r1, r1\nrsh r1, 12'),
  idx('alu-movsx3264-nonneg-rsh', '(s32)(w1 >> 1) is non-negative; >> 27 gives [0,15]', 'mov32 r1, r1\nrsh r1, 1\nmovsx3264 r1, r1\nrsh r1, 27'),
  idx('alu-movsx3264-neg-rsh', '(s32)w1 may be negative: >> 28 is unbounded, rejected', 'mov32 r1, r1\nmovsx3264 r1, r1\nrsh r1, 28'),
  idx('alu-movsx832-nonneg', 'w1 = (s8)(w1 & 0x7f) >> 3 is in [0,15]', 'and r1, 0x7f\nmovsx832 r1, r1\nrsh r1, 3'),
  idx('alu-movsx832-neg-zext', 'w1 = (s8)(w1 & 0xff) may be 0xffffff80..: zero-extended, >> 3 is too large', 'and r1, 0xff\nmovsx832 r1, r1\nrsh r1, 3'),
  idx('alu-movsx1632-rsh32', 'w1 = (s16)w1 >> 28 (32-bit shift) is in [0,15]', 'movsx1632 r1, r1\nrsh32 r1, 28'),
  idx('alu-movsx1632-rsh64', 'w1 = (s16)w1 >> 27 (64-bit shift of the zero-extended value) is in [0,31]: rejected', 'movsx1632 r1, r1\nrsh r1, 27'),
  idx('alu-ldxb-rsh', 'a zero-extending byte load is in [0,255]; >> 4 gives [0,15]', 'ldxb r1, [r0+0]\nrsh r1, 4'),
  idx('alu-ldxsb-rsh', 'a sign-extending byte load is in [-128,127]; >> 4 may be huge: rejected', 'ldxsb r1, [r0+0]\nrsh r1, 4'),
  idx('alu-ldxsb-and', 'a sign-extending byte load masked with 0xf is in [0,15]', 'ldxsb r1, [r0+0]\nand r1, 0xf'),
  // byte swaps
  idx('alu-be16-bounds', 'be16 of (r1 & 0x0f00) is in [0,15]', 'and r1, 0x0f00\nbe16 r1'),
  idx('alu-be16-too-wide', 'be16 of (r1 & 0xf) is in [0,0x0f00]: rejected', 'and r1, 0xf\nbe16 r1'),
  idx('alu-bswap16-bounds', 'bswap16 of (r1 & 0x0f00) is in [0,15]', 'and r1, 0x0f00\nbswap16 r1'),
  idx('alu-be32-bounds', 'be32 of (r1 & 0x0f000000) is in [0,15]', 'and r1, 0x0f000000\nbe32 r1'),
  idx('alu-le32-no-swap', 'le32 on a little-endian machine only truncates: (r1 & 0x0f000000) stays large, rejected', 'and r1, 0x0f000000\nle32 r1'),
  idx('alu-le16-truncates', 'le16 truncates to 16 bits; >> 12 gives [0,15]', 'le16 r1\nrsh r1, 12'),
  idx('alu-le16-unknown', 'le16 of an unknown value is [0,0xffff]: rejected', 'le16 r1'),
  idx('alu-bswap64-bounds', 'bswap64 of (r1 & 0x0f00000000000000) is in [0,15]', 'lddw r3, 0x0f00000000000000\nand r1, r3\nbswap64 r1'),
  idx('alu-bswap64-too-wide', 'bswap64 of (r1 & 0xf) moves the bits to the top byte: rejected', 'and r1, 0xf\nbswap64 r1'),
  idx('alu-le64-nop', 'le64 is a no-op on little-endian: (r1 & 0xf) stays in [0,15]', 'and r1, 0xf\nle64 r1'),
  // uninitialised operands
  plain('alu-src-uninit', 'alu', 'an ALU op reading an uninitialised source register is refused: "R5 !read_ok"', 'mov r1, 1\nadd r1, r5'),
  plain('alu-dst-uninit', 'alu', 'an ALU op reading an uninitialised destination register is refused: "R4 !read_ok"', 'add r4, 1'),
  plain('alu-mov-to-uninit', 'alu', 'a mov writes its destination without reading it: accepted', 'mov r4, 1\nadd r4, r4\nmov32 r5, r4\nneg r5'),
];

const reserved: VerifierCase[] = [
  plain(
    'alu-encodings-reserved-zero',
    'alu',
    'the raw encodings used by the reserved-field cases, with every reserved field zero (and sdiv with off = 1, movsx with off = 8): accepted',
    [
      raw(ALU64 | OP.add, 0, 0, 0, 1),
      raw(ALU64 | X | OP.add, 0, 0, 0, 0),
      raw(ALU64 | OP.mov, 1, 0, 0, 7),
      raw(ALU64 | X | OP.mov, 2, 1, 0, 0),
      raw(ALU64 | X | OP.mov, 3, 1, 8, 0),
      raw(ALU | X | OP.mov, 4, 1, 16, 0),
      raw(ALU64 | OP.neg, 2, 0, 0, 0),
      raw(ALU | OP.end, 2, 0, 0, 16),
      raw(ALU64 | OP.div, 2, 0, 1, 3),
      raw(JMP | OP.jeq, 2, 0, 0, 0),
    ].join('\n'),
  ),
  plain('alu-reserved-add-k-src', 'alu', 'an ALU64 add with an immediate and a non-zero src_reg is refused (reserved field)', raw(ALU64 | OP.add, 0, 1, 0, 1)),
  plain('alu-reserved-add-x-imm', 'alu', 'an ALU64 add of a register with a non-zero imm is refused (reserved field)', raw(ALU64 | X | OP.add, 0, 0, 0, 1)),
  plain('alu-reserved-add32-off', 'alu', 'a 32-bit add with a non-zero off is refused (reserved field)', raw(ALU | OP.add, 0, 0, 1, 1)),
  plain('alu-reserved-div-off2', 'alu', 'a div with off = 2 (only 0 and 1 = signed are defined) is refused', raw(ALU64 | OP.div, 0, 0, 2, 3)),
  plain('alu-reserved-mov-x-imm', 'alu', 'a register mov with a non-zero imm is refused: "BPF_MOV uses reserved fields"', 'mov r1, 1\n' + raw(ALU64 | X | OP.mov, 2, 1, 0, 1)),
  plain('alu-reserved-mov-k-src', 'alu', 'an immediate mov with a non-zero src_reg is refused: "BPF_MOV uses reserved fields"', raw(ALU64 | OP.mov, 1, 2, 0, 1)),
  plain('alu-reserved-movsx64-off24', 'alu', 'a 64-bit movsx with off = 24 (not 8/16/32) is refused', 'mov r1, 1\n' + raw(ALU64 | X | OP.mov, 2, 1, 24, 0)),
  plain('alu-reserved-movsx32-off32', 'alu', 'a 32-bit movsx with off = 32 is refused (only 8 and 16 are defined for 32 bits)', 'mov r1, 1\n' + raw(ALU | X | OP.mov, 2, 1, 32, 0)),
  plain('alu-reserved-neg-src', 'alu', 'neg with a non-zero src_reg is refused: "BPF_NEG uses reserved fields"', raw(ALU64 | OP.neg, 0, 1, 0, 0)),
  plain('alu-reserved-neg-imm', 'alu', 'neg with a non-zero imm is refused: "BPF_NEG uses reserved fields"', raw(ALU64 | OP.neg, 0, 0, 0, 1)),
  plain('alu-reserved-end-imm8', 'alu', 'a byte swap of width 8 is refused: "BPF_END uses reserved fields"', raw(ALU | OP.end, 0, 0, 0, 8)),
  plain('alu-reserved-bswap-x', 'alu', 'the 64-bit byte swap with the BPF_X (to-BE) bit set, opcode 0xdf, is not in the instruction table: "unknown opcode df"', raw(ALU64 | X | OP.end, 0, 0, 0, 16)),
  plain('alu-reserved-jeq-k-src', 'jmp', 'a conditional jump with an immediate and a non-zero src_reg is refused (reserved field)', raw(JMP | OP.jeq, 0, 1, 0, 0)),
];

const jumps: VerifierCase[] = [
  // unsigned, 64-bit
  jmp('jmp-jgt-fallthrough-bounds', 'fall-through of `if r1 > 15` gives r1 <= 15', 'jgt r1, 15, out'),
  jmp('jmp-jgt-fallthrough-too-wide', 'fall-through of `if r1 > 16` gives r1 <= 16: rejected', 'jgt r1, 16, out'),
  jmp('jmp-jge-fallthrough-bounds', 'fall-through of `if r1 >= 16` gives r1 <= 15', 'jge r1, 16, out'),
  jmp('jmp-jge-fallthrough-too-wide', 'fall-through of `if r1 >= 17` gives r1 <= 16: rejected', 'jge r1, 17, out'),
  jmp('jmp-jlt-taken-bounds', 'taken branch of `if r1 < 16` gives r1 <= 15', 'jlt r1, 16, use\nja out\nuse:'),
  jmp('jmp-jlt-taken-too-wide', 'taken branch of `if r1 < 17` gives r1 <= 16: rejected', 'jlt r1, 17, use\nja out\nuse:'),
  jmp('jmp-jle-taken-bounds', 'taken branch of `if r1 <= 15` gives r1 <= 15', 'jle r1, 15, use\nja out\nuse:'),
  jmp('jmp-jle-taken-too-wide', 'taken branch of `if r1 <= 16`: rejected', 'jle r1, 16, use\nja out\nuse:'),
  jmp('jmp-jlt-fallthrough-min', 'fall-through of `if r1 < 16` gives r1 >= 16; with r1 <= 31, r1 - 16 is in [0,15]', 'jlt r1, 16, out\njgt r1, 31, out\nsub r1, 16'),
  jmp('jmp-jlt-fallthrough-min-short', 'fall-through of `if r1 < 15` gives r1 >= 15; r1 - 15 may be 16: rejected', 'jlt r1, 15, out\njgt r1, 31, out\nsub r1, 15'),
  jmp('jmp-jgt-taken-min', 'taken branch of `if r1 > 15` gives r1 >= 16; with r1 <= 31, r1 - 16 is in [0,15]', 'jgt r1, 15, use\nja out\nuse:\njgt r1, 31, out\nsub r1, 16'),
  jmp('jmp-jgt-taken-min-short', 'taken branch of `if r1 > 14` gives r1 >= 15; r1 - 16 may be -1: rejected', 'jgt r1, 14, use\nja out\nuse:\njgt r1, 31, out\nsub r1, 16'),
  // equality
  jmp('jmp-jeq-taken-const', 'taken branch of `if r1 == 15` makes r1 the constant 15', 'jeq r1, 15, use\nja out\nuse:'),
  jmp('jmp-jeq-taken-const-out', 'taken branch of `if r1 == 16` makes r1 = 16: the read is past the value', 'jeq r1, 16, use\nja out\nuse:'),
  jmp('jmp-jne-fallthrough-const', 'fall-through of `if r1 != 15` makes r1 the constant 15', 'jne r1, 15, out'),
  jmp('jmp-jne-fallthrough-const-out', 'fall-through of `if r1 != 16` makes r1 = 16: rejected', 'jne r1, 16, out'),
  jmp('jmp-jne-taken-shaves-max', 'with r1 in [0,16], the taken branch of `if r1 != 16` shaves the upper bound to 15', 'jgt r1, 16, out\njne r1, 16, use\nja out\nuse:'),
  jmp('jmp-jne-taken-shaves-min', 'with r1 in [0,16], `if r1 != 0` only raises the lower bound: r1 may still be 16', 'jgt r1, 16, out\njne r1, 0, use\nja out\nuse:'),
  jmp('jmp-jeq-fallthrough-shaves-max', 'with r1 in [0,16], the fall-through of `if r1 == 16` gives [0,15]', 'jgt r1, 16, out\njeq r1, 16, out'),
  jmp('jmp-jeq-fallthrough-middle', 'with r1 in [0,16], the fall-through of `if r1 == 8` cannot shave a bound: rejected', 'jgt r1, 16, out\njeq r1, 8, out'),
  // jset
  jmp('jmp-jset-fallthrough-bounds', 'fall-through of `if r1 & ~0xf` (imm 0xfffffff0 sign-extended) clears the high bits: [0,15]', 'jset r1, 0xfffffff0, out'),
  jmp('jmp-jset-fallthrough-too-wide', 'fall-through of `if r1 & ~0x1f` leaves [0,31]: rejected', 'jset r1, 0xffffffe0, out'),
  jmp('jmp-jset-taken-single-bit', 'with r1 in [0,31], the taken branch of `if r1 & 0x10` knows bit 4 set: r1 - 16 is in [0,15]', 'and r1, 0x1f\njset r1, 0x10, use\nja out\nuse:\nsub r1, 16'),
  jmp('jmp-jset-taken-two-bits', 'the taken branch of `if r1 & 0x18` does not know which bit is set: r1 - 16 may be negative', 'and r1, 0x1f\njset r1, 0x18, use\nja out\nuse:\nsub r1, 16'),
  // signed
  jmp('jmp-jsgt-fallthrough-negative', 'fall-through of the signed `if r1 s> 15` still allows negative values: rejected', 'jsgt r1, 15, out'),
  jmp('jmp-jsgt-jslt-bounds', 'fall-throughs of `if r1 s> 15` and `if r1 s< 0` give [0,15]', 'jsgt r1, 15, out\njslt r1, 0, out'),
  jmp('jmp-jsge-fallthrough-bounds', 'r1 s>= 0 (taken) and the fall-through of `if r1 s>= 16` give [0,15]', 'jsge r1, 0, use\nja out\nuse:\njsge r1, 16, out'),
  jmp('jmp-jsge-fallthrough-too-wide', 'r1 s>= 0 and the fall-through of `if r1 s>= 17` give [0,16]: rejected', 'jsge r1, 0, use\nja out\nuse:\njsge r1, 17, out'),
  jmp('jmp-jslt-taken-bounds', 'taken `if r1 s< 16`, then fall-through of `if r1 s< 0`: [0,15]', 'jslt r1, 16, use\nja out\nuse:\njslt r1, 0, out'),
  jmp('jmp-jslt-taken-negative', 'taken `if r1 s< 16` alone allows negative values: rejected', 'jslt r1, 16, use\nja out\nuse:'),
  jmp('jmp-jsle-taken-bounds', 'fall-through of `if r1 s<= -1`, then taken `if r1 s<= 15`: [0,15]', 'jsle r1, -1, out\njsle r1, 15, use\nja out\nuse:'),
  jmp('jmp-jsle-taken-minus-one', 'fall-through of `if r1 s<= -2` leaves -1 possible: rejected', 'jsle r1, -2, out\njsle r1, 15, use\nja out\nuse:'),
  jmp('jmp-signed-vs-unsigned', '`if r1 > 15` (unsigned) then `if r1 s> 15`: the unsigned check alone bounds r1 to [0,15] (the signed one alone does not, see jmp-jsgt-fallthrough-negative)', 'jgt r1, 15, out\njsgt r1, 15, out'),
  // register operands
  jmp('jmp-jgt-reg-const', '`if r1 > r3` with r3 = 15: fall-through r1 <= 15', 'mov r3, 15\njgt r1, r3, out'),
  jmp('jmp-jgt-reg-const-too-wide', '`if r1 > r3` with r3 = 16: rejected', 'mov r3, 16\njgt r1, r3, out'),
  jmp('jmp-jgt-reg-bounded', '`if r1 > r2` with r2 in [0,15]: fall-through r1 <= r2 <= 15', 'and r2, 0xf\njgt r1, r2, out'),
  jmp('jmp-jgt-reg-unknown', '`if r1 > r2` with r2 unknown bounds nothing: rejected', 'jgt r1, r2, out'),
  jmp('jmp-jlt-src-narrowed', '`if r3 < r1` with r3 = 15 narrows the source register r1 to <= 15 on the fall-through', 'mov r3, 15\njlt r3, r1, out'),
  jmp('jmp-jlt-src-narrowed-too-wide', '`if r3 < r1` with r3 = 16 leaves r1 <= 16: rejected', 'mov r3, 16\njlt r3, r1, out'),
  // JMP32
  jmp('jmp32-jgt-upper-unknown', '`if w1 > 15` bounds only the low half of a 64-bit unknown: rejected', 'jgt32 r1, 15, out'),
  jmp('jmp32-jgt-after-zext', 'after w1 = w1 (upper half zero), `if w1 > 15` bounds the whole register', 'mov32 r1, r1\njgt32 r1, 15, out'),
  jmp('jmp32-jge-after-zext', 'after w1 = w1, fall-through of `if w1 >= 16` gives [0,15]', 'mov32 r1, r1\njge32 r1, 16, out'),
  jmp('jmp32-jlt-taken', 'after w1 = w1, taken `if w1 < 16` gives [0,15]', 'mov32 r1, r1\njlt32 r1, 16, use\nja out\nuse:'),
  jmp('jmp32-jle-taken-too-wide', 'after w1 = w1, taken `if w1 <= 16` gives [0,16]: rejected', 'mov32 r1, r1\njle32 r1, 16, use\nja out\nuse:'),
  jmp('jmp32-jeq-upper-unknown', 'taken `if w1 == 5` fixes only the low half of a 64-bit unknown: rejected', 'jeq32 r1, 5, use\nja out\nuse:'),
  jmp('jmp32-jeq-after-zext', 'after w1 = w1, taken `if w1 == 5` makes r1 the constant 5', 'mov32 r1, r1\njeq32 r1, 5, use\nja out\nuse:'),
  jmp('jmp32-jne-fallthrough', 'after w1 = w1, fall-through of `if w1 != 15` makes r1 = 15', 'mov32 r1, r1\njne32 r1, 15, out'),
  jmp('jmp32-jset-after-zext', 'after w1 = w1, fall-through of `if w1 & 0xfffffff0` gives [0,15]', 'mov32 r1, r1\njset32 r1, 0xfffffff0, out'),
  jmp('jmp32-jset-upper-unknown', 'fall-through of `if w1 & 0xfffffff0` says nothing about bits 32..63: rejected', 'jset32 r1, 0xfffffff0, out'),
  jmp('jmp32-jsgt-jslt', 'after w1 = w1, `if w1 s> 15` and `if w1 s< 0` (fall-throughs) give [0,15]', 'mov32 r1, r1\njsgt32 r1, 15, out\njslt32 r1, 0, out'),
  jmp('jmp32-jsgt-negative', 'after w1 = w1, `if w1 s> 15` alone allows 0x80000000..0xffffffff: rejected', 'mov32 r1, r1\njsgt32 r1, 15, out'),
  jmp('jmp32-jsge-jsle', 'after w1 = w1, taken `if w1 s>= 0` and taken `if w1 s<= 15` give [0,15]', 'mov32 r1, r1\njsge32 r1, 0, a\nja out\na:\njsle32 r1, 15, use\nja out\nuse:'),
  jmp('jmp32-jslt-taken-negative', 'after w1 = w1, taken `if w1 s< 16` allows the negative half: rejected', 'mov32 r1, r1\njslt32 r1, 16, use\nja out\nuse:'),
  // linked scalars
  jmp('jmp-linked-copy-narrowed', 'r3 = r1 links the two; `if r3 > 15` also narrows r1', 'mov r3, r1\njgt r3, 15, out'),
  jmp('jmp-linked-copy-broken', 'after r3 = r1, r1 &= 0xff breaks the link: checking r3 leaves r1 in [0,255]', 'mov r3, r1\nand r1, 0xff\njgt r3, 15, out'),
  jmp('jmp-linked-original-checked', 'r3 = r1, `if r1 > 15`, then r1 = r3: the copy was narrowed too', 'mov r3, r1\njgt r1, 15, out\nmov r1, r3'),
  jmp('jmp-linked-const-offset', 'r3 = r1 + 1 (r1 in [0,255]) stays linked with offset 1; `if r3 > 16` gives r1 <= 15', 'and r1, 0xff\nmov r3, r1\nadd r3, 1\njgt r3, 16, out'),
  jmp('jmp-linked-const-offset-too-wide', 'r3 = r1 + 1 linked; `if r3 > 17` gives r1 <= 16: rejected', 'and r1, 0xff\nmov r3, r1\nadd r3, 1\njgt r3, 17, out'),
  jmp('jmp-linked-mov32', 'w3 = w1 of a zero-extended value links the two: `if w3 > 15` also narrows r1 to [0,15]', 'mov32 r1, r1\nmov32 r3, r1\njgt32 r3, 15, out'),
  jmp('jmp-linked-spilled-copy', 'r1 is spilled, `if r1 > 15`, then refilled: the spilled copy shares the id and is narrowed', 'stxdw [r10-16], r1\njgt r1, 15, out\nldxdw r1, [r10-16]'),
  jmp('jmp-linked-spill-then-modified', 'r1 is spilled, then replaced by another unknown and checked: the spilled old value is not narrowed', 'stxdw [r10-16], r1\nmov r1, r2\njgt r1, 15, out\nldxdw r1, [r10-16]'),
  // decided branches
  decided('jmp-decided-const-jgt', '`if 5 > 4` on a constant is always taken: the dereference of a scalar after it is dead', 'mov r1, 5', 'jgt r1, 4, ok'),
  decided('jmp-undecided-const-jgt', '`if 5 > 5` is never taken: the dereference of the scalar r1 runs', 'mov r1, 5', 'jgt r1, 5, ok'),
  decided('jmp-decided-range-jle', 'with r1 in [0,15], `if r1 <= 15` is always taken', 'and r1, 0xf', 'jle r1, 15, ok'),
  decided('jmp-undecided-range-jle', 'with r1 in [0,15], `if r1 <= 14` is undecided: the scalar dereference is reached', 'and r1, 0xf', 'jle r1, 14, ok'),
  decided('jmp-decided-jset-known-bit', 'r1 | 1 has bit 0 known set: `if r1 & 1` is always taken', 'or r1, 1', 'jset r1, 1, ok'),
  decided('jmp-undecided-jset', 'r1 | 2 does not know bit 0: `if r1 & 1` is undecided', 'or r1, 2', 'jset r1, 1, ok'),
  decided('jmp-decided-jne-tnum', 'r1 & 0xe has bit 0 known clear: `if r1 != 1` is always taken', 'and r1, 0xe', 'jne r1, 1, ok'),
  decided('jmp-undecided-jne-tnum', 'r1 & 0xf may be 1: `if r1 != 1` is undecided', 'and r1, 0xf', 'jne r1, 1, ok'),
  decided('jmp-decided-jsgt-signed', 'r1 = (w1 & 0x7f) is non-negative: `if r1 s> -1` is always taken', 'and r1, 0x7f', 'jsgt r1, -1, ok'),
  decided('jmp-undecided-jgt-signed-imm', '`if r1 > -1` compares with 0xffffffffffffffff unsigned: never taken for r1 in [0,0x7f]', 'and r1, 0x7f', 'jgt r1, -1, ok'),
  decided('jmp32-decided-low-half', 'r1 = 0x100000005: `if w1 == 5` (JMP32) is always taken', 'lddw r1, 0x100000005', 'jeq32 r1, 5, ok'),
  decided('jmp-undecided-full-width', 'r1 = 0x100000005: the 64-bit `if r1 == 5` is never taken', 'lddw r1, 0x100000005', 'jeq r1, 5, ok'),
];

/**
 * Program type per case: socket filters by default; the JMP32 cases run as XDP and the byte-swap
 * and movsx cases as sched_cls (the template does not touch ctx, so the verdict must not change).
 */
function withType(c: VerifierCase): VerifierCase {
  if (c.name.startsWith('jmp32-') && c.maps !== undefined) return { ...c, progType: XDP };
  if (/^alu-(movsx|be|le|bswap)/.test(c.name)) return { ...c, progType: SCHED_CLS };
  return c;
}

/** The `alu` group: scalar ALU tracking, ALU encodings and jump narrowing. */
export const CASES: VerifierCase[] = [...arith, ...reserved, ...jumps].map(withType);
