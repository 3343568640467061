/** BpfObject.load() of a program whose type the emulated kernel does not implement names the type. */
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { BpfError } from '../../src/api/errors.js';
import { SHF, STB, STT, SHT } from '../../src/elf/constants.js';
import { writeElf } from '../elf/elf-writer.js';

/** `mov r0, 0; exit` in a section of the given name, with a GPL license. */
function objectWith(section: string): Uint8Array {
  const code = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);
  return writeElf({
    sections: [
      { name: section, type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data: code, addralign: 8 },
      { name: 'license', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: new TextEncoder().encode('GPL\0'), addralign: 1 },
    ],
    symbols: [{ name: 'prog', type: STT.FUNC, bind: STB.GLOBAL, value: 0, size: 16, shndx: section }],
  }).bytes;
}

describe('program types the emulated kernel does not implement', () => {
  it('lirc_mode2 fails to load with a message naming the type, its number and the section', () => {
    const obj = BpfObject.open(objectWith('lirc_mode2'), { name: 'lirc' });
    let e: unknown;
    try {
      obj.load();
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(BpfError);
    expect((e as BpfError).errno).toBe(22);
    expect((e as BpfError).message).toBe(`prog 'prog': program type lirc_mode2 (20, SEC("lirc_mode2")) is not emulated by bpfemu (BPF_PROG_LOAD refuses it): EINVAL`);
  });

  it('an implemented type in the same shape loads (the message is not the generic path)', () => {
    const obj = BpfObject.open(objectWith('xdp'), { name: 'x' });
    obj.load();
    expect(obj.program('prog').fd).toBeGreaterThan(0);
    obj.close();
  });
});
