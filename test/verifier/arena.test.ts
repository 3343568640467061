/**
 * The verifier and BPF_PROG_LOAD on arena programs: PTR_TO_ARENA from addr_space_cast, the accesses
 * marked for the PROBE_MEM32 rewrite, 64-bit arena arithmetic made 32-bit, and the refusals with
 * the kernel's messages and errnos. All from the 6.18 sources (verifier.c check_alu_op,
 * check_mem_access, check_atomic, check_map_prog_compatibility, check_kfunc_call), not from a live
 * run: this kernel refuses arena maps with EPERM before any program could use one.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { assembleBytes } from '../../src/isa/asm.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { ArenaMap } from '../../src/maps/arena.js';
import { ERRNO } from '../../src/util/errno.js';

const MMAPABLE = 1 << 10;
const SLEEPABLE = 1 << 4;

function arena(k: Kernel, mapExtra = 0x1_0000_0000n): number {
  const fd = k.bpf(Cmd.MAP_CREATE, { map_type: 33, key_size: 0, value_size: 0, max_entries: 4, map_flags: MMAPABLE, map_extra: mapExtra });
  expect(fd).toBeGreaterThan(0);
  return fd;
}

function load(k: Kernel, src: string, type = 1, flags = 0): { fd: number; log: string } {
  const insns = assembleBytes(src);
  const buf = new Uint8Array(1 << 16);
  const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: type, prog_flags: flags, insn_cnt: insns.length / 8, insns, license: 'GPL', log_level: 1, log_buf: buf, log_size: buf.length });
  return { fd, log: new TextDecoder().decode(buf.subarray(0, buf.indexOf(0))) };
}

describe('addr_space_cast and arena accesses', () => {
  it('accepts casts, loads, stores and atomics through the cast pointer, and marks them', () => {
    const k = new Kernel();
    const a = arena(k);
    const { fd, log } = load(
      k,
      `lddw r1, map_value ${a} 16
       addr_space_cast r2, r1, 0, 1
       stdw [r2+0], 7
       ldxdw r3, [r2+8]
       add r2, 8
       mov r4, 1
       lock fetch add [r2+0], r4
       addr_space_cast r5, r2, 1, 0
       mov r0, 0
       exit`,
    );
    expect(fd, log).toBeGreaterThan(0);
    const vr = k.lastVerifierResult!;
    expect(vr.ok).toBe(true);
    if (!vr.ok) return;
    // pcs: lddw 0-1, cast 2, st 3, ldx 4, add 5, mov 6, atomic 7, cast 8
    expect([...vr.arenaAccesses!].sort((x, y) => x - y)).toEqual([3, 4, 7]);
    expect([...vr.arenaAlu32!]).toEqual([5]);
  });

  it('logs the cast in the kernel syntax and the register as arena', () => {
    const k = new Kernel();
    const a = arena(k);
    const insns = assembleBytes(`lddw r1, map_value ${a} 0\naddr_space_cast r2, r1, 0, 1\nmov r0, 0\nexit`);
    const buf = new Uint8Array(1 << 16);
    k.bpf(Cmd.PROG_LOAD, { prog_type: 1, insn_cnt: insns.length / 8, insns, license: 'GPL', log_level: 2, log_buf: buf, log_size: buf.length });
    const log = new TextDecoder().decode(buf.subarray(0, buf.indexOf(0)));
    expect(log).toContain('(bf) r2 = addr_space_cast(r1, 0, 1)');
    expect(log).toMatch(/R2_?w?=arena/);
  });

  const refused: [string, (k: Kernel) => string, number, string][] = [
    ['a cast in a program without an arena', () => 'mov r1, 0\naddr_space_cast r2, r1, 0, 1\nmov r0, 0\nexit', ERRNO.EINVAL, 'addr_space_cast insn can only be used in a program that has an associated arena'],
    ['a cast between other address spaces', (k) => `lddw r1, map_value ${arena(k)} 0\naddr_space_cast r2, r1, 0, 2\nmov r0, 0\nexit`, ERRNO.EINVAL, 'addr_space_cast insn can only convert between address space 1 and 0'],
    ['a load through the arena address before the cast (a scalar)', (k) => `lddw r1, map_value ${arena(k)} 0\nldxdw r0, [r1+0]\nexit`, ERRNO.EACCES, "R1 invalid mem access 'scalar'"],
    ['atomic fetch-and on an arena (not supported by the x86 JIT)', (k) => `lddw r1, map_value ${arena(k)} 0\naddr_space_cast r1, r1, 0, 1\nmov r2, 1\nlock fetch and [r1+0], r2\nmov r0, 0\nexit`, ERRNO.EACCES, 'BPF_ATOMIC stores into R1 arena is not allowed'],
    ['two arenas', (k) => `lddw r1, map_value ${arena(k)} 0\nlddw r2, map_value ${arena(k, 0x2_0000_0000n)} 0\nmov r0, 0\nexit`, ERRNO.EBUSY, 'Only one arena per program'],
    ['an arena whose user address is not set', (k) => `lddw r1, map_value ${arena(k, 0n)} 0\nmov r0, 0\nexit`, ERRNO.EINVAL, "arena's user address must be set via map_extra or mmap()"],
    [
      'a sleepable arena kfunc in a non-sleepable program',
      (k) => `lddw r1, map_fd ${arena(k)}\nmov r2, 0\nmov r3, 1\nmov r4, -1\nmov r5, 0\ncall kfunc ${k.kfuncs.get('bpf_arena_alloc_pages')!.btfId}\nmov r0, 0\nexit`,
      ERRNO.EACCES,
      'program must be sleepable to call sleepable kfunc bpf_arena_alloc_pages',
    ],
  ];
  for (const [what, src, errno, msg] of refused) {
    it(`refuses ${what}: -${errno}, "${msg}"`, () => {
      const k = new Kernel();
      const { fd, log } = load(k, src(k));
      expect(fd).toBe(-errno);
      expect(log).toContain(msg);
    });
  }

  it('an arena mmap()ed first has its user address: the program loads', () => {
    const k = new Kernel();
    const a = arena(k, 0n);
    const impl = k.mapEntry(a);
    if (typeof impl === 'number' || !(impl.map.impl instanceof ArenaMap)) throw new Error('no arena');
    expect(typeof impl.map.impl.mmap()).toBe('object');
    expect(load(k, `lddw r1, map_value ${a} 0\nmov r0, 0\nexit`).fd).toBeGreaterThan(0);
  });

  it('the allocator kfunc in a sleepable syscall program returns a scalar the program casts', () => {
    const k = new Kernel();
    const a = arena(k);
    const id = k.kfuncs.get('bpf_arena_alloc_pages')!.btfId;
    const { fd, log } = load(
      k,
      `lddw r1, map_fd ${a}
       mov r2, 0
       mov r3, 1
       mov r4, -1
       mov r5, 0
       call kfunc ${id}
       jeq r0, 0, out
       addr_space_cast r1, r0, 0, 1
       stdw [r1+0], 42
       ldxdw r0, [r1+0]
       exit
       out:
       mov r0, 0
       exit`,
      31,
      SLEEPABLE,
    );
    expect(fd, log).toBeGreaterThan(0);
    const attr: Record<string, number> = { prog_fd: fd };
    expect(k.bpf(Cmd.PROG_TEST_RUN, attr)).toBe(0);
    expect(attr.retval).toBe(42);
    // the page it got is page 0 of the arena (map_extra 1 << 32), 42 there for user space too
    const e = k.mapEntry(a);
    if (typeof e === 'number' || !(e.map.impl instanceof ArenaMap)) throw new Error('no arena');
    const u = e.map.impl.mmap(0x1_0000_0000n);
    if (typeof u === 'number') throw new Error(`mmap: ${u}`);
    expect(u.readU64(0x1_0000_0000n)).toBe(42n);
  });
});

describe('do_misc_fixups on casts', () => {
  const src = (a: number): string => `lddw r1, map_value ${a} 16\naddr_space_cast r2, r1, 0, 1\naddr_space_cast r0, r2, 1, 0\nrsh r0, 32\nexit`;
  const upperHalf = (flags: number): number => {
    const k = new Kernel();
    const a = k.bpf(Cmd.MAP_CREATE, { map_type: 33, key_size: 0, value_size: 0, max_entries: 4, map_flags: MMAPABLE | flags, map_extra: 0x3_0000_0000n });
    const { fd, log } = load(k, src(a), 31, SLEEPABLE);
    expect(fd, log).toBeGreaterThan(0);
    const attr: Record<string, number> = { prog_fd: fd };
    expect(k.bpf(Cmd.PROG_TEST_RUN, attr)).toBe(0);
    return attr.retval!;
  };
  it("cast_user puts user_vm_start's upper half back (3 for map_extra 3 << 32)", () => {
    expect(upperHalf(0)).toBe(3);
  });
  it('with BPF_F_NO_USER_CONV every cast is a 32-bit move: the upper half stays 0', () => {
    expect(upperHalf(1 << 18)).toBe(0);
  });
});

describe('arg:arena parameters with an arena (programs/arena_arg.bpf.o; rules from the 6.18 sources)', () => {
  it('a global function takes arena addresses as scalars and reaches the pages after its own cast', () => {
    const o = BpfObject.open(readFileSync(new URL('../../programs/arena_arg.bpf.o', import.meta.url)));
    o.load();
    // counter += 5; a fresh page's u64 += 7; counter += 7
    expect(o.program('add_twice').testRun({}).retval).toBe(12);
  });
});
