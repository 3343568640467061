import { describe, expect, it } from 'vitest';
import { assemble, assembleBytes } from '../../src/isa/asm.js';
import { disassemble, formatMnemonic, formatRaw, slotWord } from '../../src/isa/disasm.js';
import { readInsns, writeInsns, type RawInsn } from '../../src/isa/insn.js';
import { OPCODES, type OpcodeSpec } from '../../src/isa/opcodes.js';
import { toHex } from '../../src/util/bytes.js';
import { Prng } from './prng.js';

/** A random instance of an encoding family: variant applied, reserved fields zero, registers valid. */
function randomInsn(rng: Prng, s: OpcodeSpec): RawInsn[] {
  const i: RawInsn = { code: s.code, dst: rng.int(0, 10), src: rng.int(0, 10), off: rng.i16(), imm: rng.edgyI32() };
  for (const f of s.zero) i[f] = 0;
  if (s.variant !== undefined) i[s.variant.field] = s.variant.value;
  if (s.form === 'lddw') {
    // The pseudo forms with a meaningful second immediate carry a random one.
    const hiFree = i.src === 0 || i.src === 2 || i.src === 6;
    return [i, { code: 0, dst: 0, src: 0, off: 0, imm: hiFree ? rng.edgyI32() : 0 }];
  }
  return [i];
}

function roundTrip(slots: RawInsn[]): { text: string; back: Uint8Array } {
  const text = formatMnemonic(slots[0]!, slots[1], { pc: 0 });
  return { text, back: assembleBytes(text) };
}

describe('mnemonic round trip', () => {
  it('bytes -> mnemonic -> assemble gives the same bytes for every encoding family', () => {
    const rng = new Prng(0x5eed1);
    let checked = 0;
    for (const s of OPCODES) {
      for (let k = 0; k < 200; k++) {
        const slots = randomInsn(rng, s);
        const bytes = writeInsns(slots);
        const { text, back } = roundTrip(slots);
        // A valid encoding must print as real syntax, not the .raw escape.
        expect(text.startsWith('.raw'), `${text} for ${toHex(bytes)}`).toBe(false);
        expect(toHex(back), text).toBe(toHex(bytes));
        checked++;
      }
    }
    expect(checked).toBe(OPCODES.length * 200);
  });

  it('prints unrepresentable slots as .raw words that assemble back', () => {
    const rng = new Prng(77);
    for (let k = 0; k < 3000; k++) {
      const bytes = new Uint8Array(8);
      for (let j = 0; j < 8; j++) bytes[j] = rng.int(0, 255);
      const slot = readInsns(bytes)[0]!;
      const text = formatMnemonic(slot);
      expect(toHex(assembleBytes(text)), text).toBe(toHex(bytes));
    }
  });

  it('uses .raw for reserved fields, big registers and a broken lddw pair', () => {
    expect(formatMnemonic({ code: 0x07, dst: 1, src: 2, off: 0, imm: 1 })).toMatch(/^\.raw /);
    expect(formatMnemonic({ code: 0xbf, dst: 11, src: 1, off: 0, imm: 0 })).toMatch(/^\.raw /);
    expect(formatMnemonic({ code: 0x18, dst: 1, src: 0, off: 0, imm: 1 })).toMatch(/^\.raw /);
    expect(formatMnemonic({ code: 0x18, dst: 1, src: 1, off: 0, imm: 1 }, { code: 0, dst: 0, src: 0, off: 0, imm: 9 })).toMatch(/^\.raw /);
    expect(formatRaw({ code: 0x95, dst: 0, src: 0, off: 0, imm: 0 })).toBe('.raw 0x0000000000000095');
    expect(slotWord({ code: 0x7b, dst: 10, src: 1, off: -8, imm: -1 })).toBe(0xfffffffffff81a7bn);
  });

  it('prints the dialect of the conformance files', () => {
    const lines = disassemble(
      assemble(`
        mov %r0, 1
        add32 r1, 2
        ldxw r1, [r2+4]
        jeq r1, 0, +3
        lddw r1, 0x1122334455667788
        call local +1
        lock add [r10-8], r1
        ja32 -2
        movsx1632 r1, r2
        ldxsb r3, [r10-1]
        bswap16 r3
        sdiv32 r1, r2
        lock fetch or32 [r1], r2
        exit
      `),
      { syntax: 'mnemonic' },
    );
    expect(lines).toEqual([
      ' 0: mov %r0, 1',
      ' 1: add32 %r1, 2',
      ' 2: ldxw %r1, [%r2+4]',
      ' 3: jeq %r1, 0, +3',
      ' 4: lddw %r1, 0x1122334455667788',
      ' 6: call local +1',
      ' 7: lock add [%r10-8], %r1',
      ' 8: ja32 -2',
      ' 9: movsx1632 %r1, %r2',
      '10: ldxsb %r3, [%r10-1]',
      '11: bswap16 %r3',
      '12: sdiv32 %r1, %r2',
      '13: lock fetch or32 [%r1], %r2',
      '14: exit',
    ]);
  });
});

describe('program disassembly', () => {
  const prog = assemble(`
      mov r0, 0
      lddw r2, 0x100000000
    loop:
      add r0, 1
      jlt r0, 10, loop
      call local fn
      lddw r3, code fn
      exit
    fn:
      mov r0, 7
      exit
  `);

  it('round-trips a whole program through labelled output', () => {
    const text = disassemble(prog, { syntax: 'mnemonic', labels: true, pcs: false }).join('\n');
    expect(text).toContain('L3:');
    expect(text).toContain('jlt %r0, 10, L3');
    expect(text).toContain('call local L9');
    expect(text).toContain('lddw %r3, code L9');
    expect(toHex(assembleBytes(text))).toBe(toHex(writeInsns(prog)));
  });

  it('round-trips without labels', () => {
    const text = disassemble(prog, { syntax: 'mnemonic', pcs: false }).join('\n');
    expect(toHex(assembleBytes(text))).toBe(toHex(writeInsns(prog)));
  });

  it('prints the kernel syntax with pcs, an lddw pair on one line', () => {
    expect(disassemble(prog)).toEqual([
      ' 0: r0 = 0',
      ' 1: r2 = 0x100000000 ll',
      ' 3: r0 += 1',
      ' 4: if r0 < 10 goto -2',
      ' 5: call pc+3',
      ' 6: r3 = func pc+2',
      ' 8: exit',
      ' 9: r0 = 7',
      '10: exit',
    ]);
  });

  it('prints the examples of the issue in kernel syntax', () => {
    const k = (line: string): string => disassemble(assemble(line), { pcs: false })[0]!;
    expect(k('mov r0, 1')).toBe('r0 = 1');
    expect(k('jgt r1, r2, +3')).toBe('if r1 > r2 goto +3');
    expect(k('stxw [r10-4], r1')).toBe('*(u32 *)(r10 - 4) = r1');
    expect(k('lock add [r1], r2')).toBe('lock *(u64 *)(r1 + 0) += r2');
    expect(k('call 1')).toBe('call 1');
    expect(k('exit')).toBe('exit');
  });

  it('formats every valid encoding in kernel syntax without falling back to raw fields', () => {
    const rng = new Prng(99);
    for (const s of OPCODES) {
      const slots = randomInsn(rng, s);
      const line = disassemble(slots, { pcs: false })[0]!;
      expect(line.startsWith('invalid'), line).toBe(false);
    }
  });

  it('keeps numbering across a truncated lddw at the end', () => {
    const lines = disassemble([{ code: 0x18, dst: 1, src: 0, off: 0, imm: 1 }], { syntax: 'mnemonic' });
    expect(lines).toEqual(['0: .raw 0x0000000100000118']);
  });
});
