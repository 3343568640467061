/**
 * BpfObject.fire(): a fault in an attached program throws ProgramFaultError unless the caller
 * collects faults; results carry the object's program name and a u32 retval like testRun's. Also
 * the uapi return codes exported by name.
 */
import { describe, expect, it } from 'vitest';
import { BpfObject, ProgramFaultError, SkAction, TcAct, XdpAction } from '../../src/api/index.js';
import { SHF, STB, STT, SHT } from '../../src/elf/constants.js';
import { writeElf } from '../elf/elf-writer.js';

/** A raw_tp/sys_enter program `name` (GPL) of raw instructions. */
function rawTp(name: string, code: number[][]): Uint8Array {
  const bytes = new Uint8Array(code.flat());
  const sec = 'raw_tp/sys_enter';
  return writeElf({
    sections: [
      { name: sec, type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data: bytes, addralign: 8 },
      { name: 'license', type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: new TextEncoder().encode('GPL\0'), addralign: 1 },
    ],
    symbols: [{ name, type: STT.FUNC, bind: STB.GLOBAL, value: 0, size: bytes.length, shndx: sec }],
  }).bytes;
}

const EXIT = [0x95, 0, 0, 0, 0, 0, 0, 0];
/** r0 = 0xfffffffe (-2 as a u32 retval). */
const RET_MINUS_2 = [[0xb7, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff], EXIT];
/** r0 = *(u64 *)(r1 + 4096): past the raw_tp ctx (the verifier would refuse it; at run time a fault). */
const CTX_OOB = [[0x79, 0x10, 0x00, 0x10, 0, 0, 0, 0], EXIT];

describe('BpfObject.fire', () => {
  it('returns the program name in full and r0 as a u32, as testRun reports retval', () => {
    const o = BpfObject.open(rawTp('a_long_program_name', RET_MINUS_2), { name: 'f' });
    o.load();
    o.attach();
    const r = o.fire('raw_tp', 'sys_enter', { args: [0n, 1n] });
    expect(r.map((x) => [x.program, x.prog.name, x.retval, x.fault])).toEqual([['a_long_program_name', 'a_long_program_', 0xfffffffe, null]]);
    o.close();
  });

  it('throws the first fault as ProgramFaultError by default; collectFaults returns it instead', () => {
    const o = BpfObject.open(rawTp('oob', CTX_OOB), { name: 'f', verify: false });
    o.load();
    o.attach();
    expect(() => o.fire('raw_tp', 'sys_enter', { args: [0n, 1n] })).toThrow(ProgramFaultError);
    const r = o.fire('raw_tp', 'sys_enter', { args: [0n, 1n] }, { collectFaults: true });
    expect(r).toHaveLength(1);
    expect(r[0]!.fault?.pc).toBe(0);
    expect(['bad_ctx_access', 'out_of_bounds']).toContain(r[0]!.fault?.kind);
    o.close();
  });
});

describe('uapi return codes by name', () => {
  it('match include/uapi/linux/bpf.h and pkt_cls.h', () => {
    expect(XdpAction).toEqual({ ABORTED: 0, DROP: 1, PASS: 2, TX: 3, REDIRECT: 4 });
    expect([TcAct.UNSPEC, TcAct.OK, TcAct.SHOT, TcAct.REDIRECT, TcAct.TRAP]).toEqual([-1, 0, 2, 7, 8]);
    expect(SkAction).toEqual({ DROP: 0, PASS: 1 });
  });
});
