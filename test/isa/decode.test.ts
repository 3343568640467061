import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/isa/asm.js';
import { POISON_HELPER_ID, VerifyError, decodeProgram, isLddwAt, setLddwConstant, type DecodeOptions, type VerifyErrorCode } from '../../src/isa/decode.js';
import type { RawInsn } from '../../src/isa/insn.js';
import { XOP_CALL_KFUNC, XOP_CALL_LOCAL, XOP_LDDW_HI, XOP_POISON, XOP_SDIV64_K, XOP_MOVSX32_16 } from '../../src/isa/opcodes.js';

const helpersAll: DecodeOptions = { resolveHelper: (id) => (id < 100 ? id + 1000 : -1), resolveKfunc: (imm) => (imm === 7 ? 3 : -1) };

function verifyError(prog: string | RawInsn[], opts: DecodeOptions = helpersAll): VerifyError {
  try {
    decodeProgram(typeof prog === 'string' ? assemble(prog) : prog, opts);
  } catch (e) {
    if (e instanceof VerifyError) return e;
    throw e;
  }
  throw new Error('expected a VerifyError');
}

const i = (code: number, dst = 0, src = 0, off = 0, imm = 0): RawInsn => ({ code, dst, src, off, imm });
const EXIT = i(0x95);

describe('validator: every error code, with its pc', () => {
  const cases: [VerifyErrorCode, string | RawInsn[], number][] = [
    ['EMPTY_PROGRAM', [], -1],
    ['BAD_OPCODE', [i(0x07, 0, 0, 0, 1), i(0x00), EXIT], 1],
    ['BAD_OPCODE', [i(0xff), EXIT], 0],
    ['BAD_OPCODE', [i(0x3f, 1, 2, 3), EXIT], 0], // div with off 3
    ['BAD_OPCODE', [EXIT, i(0xdb, 1, 2, 0, 0x02)], 1], // atomic sub-op 0x02
    ['BAD_OPCODE', [i(0x85, 0, 4, 0, 1), EXIT], 0], // call src 4
    ['RESERVED_FIELD', [i(0x07, 1, 3, 0, 1), EXIT], 0],
    ['RESERVED_FIELD', [i(0xb7), i(0x0f, 1, 2, 0, 5), EXIT], 1],
    ['RESERVED_FIELD', [i(0x95, 0, 0, 0, 1)], 0],
    ['RESERVED_FIELD', [i(0x05, 1, 0, 0), EXIT], 0],
    ['RESERVED_FIELD', [i(0x61, 1, 2, 0, 9), EXIT], 0],
    ['BAD_REGISTER', [i(0xb7, 11), EXIT], 0],
    ['BAD_REGISTER', [i(0xbf, 1, 12), EXIT], 0],
    ['BAD_LDDW', [EXIT, i(0x18, 1, 0, 0, 1)], 1],
    ['BAD_LDDW', [i(0x18, 1, 0, 0, 1), i(0x07), EXIT], 0],
    ['BAD_LDDW', [i(0x18, 1, 1, 0, 1), i(0, 0, 0, 0, 5), EXIT], 0],
    ['BAD_LDDW', [i(0x18, 1, 0, 0, 1), i(0, 0, 0, 2, 0), EXIT], 0],
    ['JUMP_OUT_OF_RANGE', 'mov %r0, 0\nja +1\nexit', 1],
    ['JUMP_OUT_OF_RANGE', 'ja -2\nexit', 0],
    ['JUMP_OUT_OF_RANGE', 'mov %r0, 0\nmov %r0, 0\njeq %r0, 1, -4\nexit', 2],
    ['JUMP_OUT_OF_RANGE', 'ja32 +7\nexit', 0],
    ['JUMP_INTO_LDDW', 'ja +1\nlddw %r0, 1\nexit', 0],
    ['JUMP_INTO_LDDW', 'mov %r0, 0\nlddw %r0, 1\nja -2\nexit', 3],
    ['JUMP_INTO_LDDW', 'call local +1\nlddw %r0, 1\nexit', 0],
    ['JUMP_ACROSS_SUBPROG', 'call local f\nexit\nf:\nja g\ng2:\nexit\ng:\ncall local g2\nexit', 2],
    ['JUMP_ACROSS_SUBPROG', 'call local f\njeq %r0, 0, f\nexit\nf:\nexit', 1],
    ['BAD_CALL_TARGET', 'mov %r0, 0\ncall local +9\nexit', 1],
    ['BAD_CALL_TARGET', 'lddw %r1, code -9\nexit', 0],
    ['FALLS_OFF_END', 'mov %r0, 0', 0],
    ['FALLS_OFF_END', 'mov %r0, 0\nlddw %r1, 5', 1],
    ['FALLS_OFF_END', 'call local f\nmov %r0, 0\nf:\nexit', 1],
    ['FALLS_OFF_END', 'call local f\nexit\nf:\nmov %r0, 0\njeq %r0, 0, -2', 3],
    ['UNKNOWN_HELPER', 'mov %r0, 0\ncall 100\nexit', 1],
    ['UNKNOWN_KFUNC', 'call kfunc 8\nexit', 0],
  ];
  it.each(cases)('%s (case %#)', (code, prog, pc) => {
    const e = verifyError(prog);
    expect(e.code).toBe(code);
    expect(e.pc).toBe(pc);
  });

  it('rejects programs over the size limit (kernel BPF_COMPLEXITY_LIMIT_INSNS by default)', () => {
    const e = verifyError('mov %r0, 0\nmov %r0, 0\nexit', { maxInsns: 2 });
    expect(e).toMatchObject({ code: 'TOO_LARGE', pc: -1 });
  });

  it('names the instruction in kernel syntax and the source line', () => {
    const e = verifyError('mov %r0, 0\nja +5\nexit', { sourceOf: (pc) => `prog.c:${pc + 10}` });
    expect(e.insn).toBe('goto +5');
    expect(e.source).toBe('prog.c:11');
    expect(e.message).toBe('pc 1: goto +5: jump target 7 is outside the program (0..2) (prog.c:11)');
  });

  it('treats every helper as unknown without a resolver', () => {
    expect(verifyError('call 1\nexit', {}).code).toBe('UNKNOWN_HELPER');
  });
});

describe('decoder output', () => {
  const W = 4;

  it('keeps the opcode byte as the op and packs dst/src', () => {
    const p = decodeProgram(assemble('add %r3, %r7\nexit'));
    expect(p.code[0]! & 0xff).toBe(0x0f);
    expect((p.code[0]! >> 8) & 15).toBe(3);
    expect((p.code[0]! >> 12) & 15).toBe(7);
    expect(p.length).toBe(2);
  });

  it('turns variants into pseudo-ops', () => {
    const p = decodeProgram(assemble('sdiv %r1, 3\nmovsx1632 %r1, %r2\ncall local f\ncall kfunc 7\nexit\nf: exit'), helpersAll);
    expect(p.code[0]! & 0xff).toBe(XOP_SDIV64_K);
    expect(p.code[W]! & 0xff).toBe(XOP_MOVSX32_16);
    expect(p.code[2 * W]! & 0xff).toBe(XOP_CALL_LOCAL);
    expect(p.code[3 * W]! & 0xff).toBe(XOP_CALL_KFUNC);
    expect(p.code[3 * W + 3]).toBe(3); // kfunc table slot
  });

  it('masks K shift amounts and precomputes the sign half of K operands', () => {
    const p = decodeProgram(assemble('lsh %r1, 65\nrsh32 %r1, -1\narsh %r1, 64\nadd %r1, -5\nexit'));
    expect(p.code[2]).toBe(1);
    expect(p.code[W + 2]).toBe(31);
    expect(p.code[2 * W + 2]).toBe(0);
    expect(p.code[3 * W + 2]).toBe(-5);
    expect(p.code[3 * W + 3]).toBe(-1);
  });

  it('stores absolute jump and call targets, lddw halves and helper slots', () => {
    const p = decodeProgram(assemble('jeq %r1, -1, +2\nlddw %r2, 0x1122334455667788\nja32 -4\ncall 5\ncall local +1\nexit\nexit'), helpersAll);
    expect(p.code[1]).toBe(3);
    expect(p.code[3]).toBe(-1);
    expect(p.code[W + 2]).toBe(0x55667788);
    expect(p.code[W + 3]).toBe(0x11223344);
    expect(p.code[2 * W] & 0xff).toBe(XOP_LDDW_HI);
    expect(p.code[3 * W + 1]).toBe(0);
    expect(p.code[4 * W + 3]).toBe(1005);
    expect(p.code[5 * W + 1]).toBe(7);
    expect(p.subprogs).toEqual([0, 7]);
    expect(isLddwAt(p, 1)).toBe(true);
    expect(isLddwAt(p, 0)).toBe(false);
    setLddwConstant(p, 1, 7, 8);
    expect([p.code[W + 2], p.code[W + 3]]).toEqual([7, 8]);
  });

  it('finds subprograms from local calls and code addresses', () => {
    const p = decodeProgram(assemble('lddw %r1, code g\ncall local f\nexit\nf: exit\ng: exit'));
    expect(p.subprogs).toEqual([0, 4, 5]);
  });

  it('poisons instructions by option and libbpf poison calls, keeping an lddw pair together', () => {
    const raw = assemble(`lddw %r1, 5\ncall ${POISON_HELPER_ID}\nexit`);
    const p = decodeProgram(raw, { poison: new Map([[0, 'relo #3: field not found']]) });
    expect(p.code[0]! & 0xff).toBe(XOP_POISON);
    expect(p.code[W]! & 0xff).toBe(XOP_LDDW_HI);
    expect(p.code[2 * W]! & 0xff).toBe(XOP_POISON);
    expect(p.poison[p.code[3]!]).toBe('relo #3: field not found');
    expect(p.poison[p.code[2 * W + 3]!]).toMatch(/CO-RE/);
  });
});
