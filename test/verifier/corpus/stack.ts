/**
 * Verifier corpus, group `stack`: the frame's stack as root (verifier.md §5.2) — bounds
 * [-512, 0), alignment (always strict for the stack), spill and fill of pointers and scalars
 * (bounds kept, narrow fills, partial overwrites), zero tracking, uninitialised reads (allowed
 * as root), variable-offset reads and writes, stack memory passed to helpers, the read-only r10
 * and copies of the frame pointer.
 *
 * Socket filters unless said otherwise: r1 = ctx, and `ldxw rX, [r1+0]` reads skb->len, an
 * unknown u32. Index cases read one byte of a 16-byte array value at value + index (index <= 15).
 */
import type { CaseMap, VerifierCase } from './types.js';

const VALUE16: CaseMap = { type: 2, keySize: 4, valueSize: 16, maxEntries: 1 };

const SOCKET_FILTER = 1;
const SCHED_CLS = 3;
const XDP = 6;

function lines(body: string): string {
  return body
    .trim()
    .split('\n')
    .map((l) => `  ${l.trim()}`)
    .join('\n');
}

interface Opts {
  readonly progType?: number;
  readonly progFlags?: number;
}

/** `body` (r1 = ctx), then `out: r0 = 0; exit`. */
function s(name: string, what: string, body: string, opts: Opts = {}): VerifierCase {
  const c: VerifierCase = { name, rule: 'stack', what, progType: opts.progType ?? SOCKET_FILTER, asm: `${lines(body)}\nout:\n  mov r0, 0\n  exit\n` };
  return opts.progFlags === undefined ? c : { ...c, progFlags: opts.progFlags };
}

/**
 * `body` computes an index in r1 (r6 = ctx; it may use the stack below fp-8 and jump to `out`);
 * then the 16-byte map value of key 0 (key at fp-4) is read at value + r1.
 */
function idx(name: string, what: string, body: string): VerifierCase {
  return {
    name,
    rule: 'stack',
    what,
    progType: SOCKET_FILTER,
    maps: [VALUE16],
    asm: `
  mov r6, r1
${lines(body)}
  mov r7, r1
  stw [r10-4], 0
  mov r2, r10
  add r2, -4
  lddw r1, map_fd 0
  call 1
  jeq r0, 0, out
  add r0, r7
  ldxb r3, [r0+0]
out:
  mov r0, 0
  exit
`,
  };
}

/** `body` with maps[0] = the 16-byte array map (for helper cases; r6 = ctx). */
function m(name: string, what: string, body: string): VerifierCase {
  return { ...s(name, what, `mov r6, r1\n${body}`), maps: [VALUE16] };
}

export const CASES: VerifierCase[] = [
  // --- bounds ---
  s('stack-write-lowest-slot', 'an 8-byte write at fp-512, the lowest slot, is accepted', 'stdw [r10-512], 0'),
  s('stack-write-below-512', 'an 8-byte write at fp-520 is below the 512-byte stack', 'stdw [r10-520], 0'),
  s('stack-write-byte-lowest', 'a 1-byte write at fp-512 is accepted', 'stb [r10-512], 0'),
  s('stack-write-byte-513', 'a 1-byte write at fp-513 is out of the stack', 'stb [r10-513], 0'),
  s('stack-write-byte-top', 'a 1-byte write at fp-1, the highest byte, is accepted', 'stb [r10-1], 0'),
  s('stack-write-at-fp', 'a write at fp+0 is above the stack', 'stw [r10+0], 0'),
  s('stack-write-above-fp', 'a write at fp+8 is above the stack', 'stdw [r10+8], 0'),
  s('stack-read-lowest-slot', 'a read of the initialised slot at fp-512 is accepted', 'stdw [r10-512], 0\nldxdw r0, [r10-512]'),
  s('stack-read-below-512', 'a read at fp-520 is out of the stack', 'ldxdw r0, [r10-520]'),
  s('stack-read-at-fp', 'a read at fp+0 is out of the stack', 'ldxw r0, [r10+0]'),
  s('stack-ptr-lowest', 'r2 = fp - 512, then an 8-byte write through r2', 'mov r2, r10\nadd r2, -512\nstdw [r2+0], 0'),
  s('stack-ptr-below-512', 'r2 = fp - 520, then a write through r2 is out of the stack', 'mov r2, r10\nadd r2, -520\nstdw [r2+0], 0'),
  s('stack-ptr-plus-off', 'r2 = fp + 8 with the instruction offset -16 writes fp-8: accepted', 'mov r2, r10\nadd r2, 8\nstdw [r2-16], 0'),
  s('stack-ptr-plus-off-above', 'r2 = fp + 8 with the instruction offset -8 writes fp+0: out of the stack', 'mov r2, r10\nadd r2, 8\nstdw [r2-8], 0'),
  // --- alignment ---
  s('stack-aligned-word', 'a 4-byte write at fp-8 is aligned', 'stw [r10-8], 0'),
  s('stack-misaligned-word', 'a 4-byte write at fp-6 is misaligned (stack accesses are always strict)', 'stw [r10-6], 0'),
  s('stack-aligned-half', 'a 2-byte write at fp-2 is aligned', 'sth [r10-2], 0'),
  s('stack-misaligned-half', 'a 2-byte write at fp-3 is misaligned', 'sth [r10-3], 0'),
  s('stack-byte-any-offset', 'a 1-byte write at fp-3 is always aligned', 'stb [r10-3], 0'),
  s('stack-misaligned-dword', 'an 8-byte write at fp-12 is misaligned', 'stdw [r10-12], 0'),
  s('stack-misaligned-read', 'a 4-byte read at fp-6 of an initialised slot is misaligned', 'stdw [r10-8], 0\nldxw r0, [r10-6]'),
  s('stack-misaligned-via-reg', 'r2 = fp - 3, then a 4-byte write through r2: the register offset counts for alignment', 'mov r2, r10\nadd r2, -3\nstw [r2+0], 0'),
  s('stack-aligned-via-reg', 'r2 = fp - 3 with the instruction offset -5 writes fp-8: aligned', 'mov r2, r10\nadd r2, -3\nstw [r2-5], 0'),
  s('stack-misaligned-any-alignment', 'BPF_F_ANY_ALIGNMENT does not relax stack alignment: a 4-byte write at fp-6', 'stw [r10-6], 0', { progFlags: 2 }),
  s('stack-misaligned-xdp', 'the same misaligned stack write in XDP', 'stw [r10-6], 0', { progType: XDP }),
  // --- spill / fill of pointers ---
  s('stack-spill-fill-ctx', 'ctx spilled to fp-8 and filled back is still ctx: reading a field through it is accepted', 'stxdw [r10-8], r1\nldxdw r2, [r10-8]\nldxw r0, [r2+0]'),
  s('stack-spill-fill-fp', 'a frame-pointer copy spilled and filled is still a stack pointer: writing through it is accepted', 'mov r2, r10\nadd r2, -16\nstxdw [r10-8], r2\nldxdw r3, [r10-8]\nstdw [r3+0], 0'),
  s('stack-spill-r10', 'r10 itself spilled and filled back is the frame pointer', 'stxdw [r10-8], r10\nldxdw r2, [r10-8]\nstdw [r2-16], 0'),
  s('stack-spill-overwritten-by-scalar', 'a spilled ctx overwritten by an 8-byte scalar store fills back as a scalar: dereferencing it is refused', 'stxdw [r10-8], r1\nstdw [r10-8], 0\nldxdw r2, [r10-8]\nldxw r0, [r2+0]'),
  s('stack-spill-overwritten-by-pointer', 'a spilled ctx overwritten by a spilled frame pointer fills back as the frame pointer', 'stxdw [r10-8], r1\nstxdw [r10-8], r10\nldxdw r2, [r10-8]\nstdw [r2-16], 0'),
  s('stack-narrow-fill-pointer', 'a 4-byte load of a spilled pointer is refused', 'stxdw [r10-8], r1\nldxw r2, [r10-8]'),
  s('stack-narrow-fill-pointer-byte', 'a 1-byte load from inside a spilled pointer (fp-5) is refused', 'stxdw [r10-8], r1\nldxb r2, [r10-5]'),
  s('stack-fill-pointer-full', 'the 8-byte load of the same spill is accepted', 'stxdw [r10-8], r1\nldxdw r2, [r10-8]'),
  s('stack-spill-misaligned', 'spilling a pointer at fp-12 is a misaligned 8-byte access', 'stxdw [r10-12], r1'),
  s('stack-narrow-spill-pointer', 'a 4-byte store of a pointer register is refused even as root', 'stxw [r10-8], r1'),
  s('stack-narrow-spill-scalar', 'a 4-byte store of a scalar register is accepted', 'mov r2, 7\nstxw [r10-8], r2'),
  // --- partial overwrite of a spilled pointer ---
  s('stack-partial-overwrite-then-use', 'a spilled ctx with one byte overwritten degrades to a scalar: dereferencing the fill is refused', 'stxdw [r10-8], r1\nstb [r10-8], 0\nldxdw r2, [r10-8]\nldxw r0, [r2+0]'),
  s('stack-partial-overwrite-unused', 'as root the partial overwrite itself is allowed', 'stxdw [r10-8], r1\nstb [r10-8], 0'),
  s('stack-partial-overwrite-high-word', 'a 4-byte scalar store over the high half of a spilled ctx: the fill is a scalar', 'stxdw [r10-8], r1\nmov r3, 7\nstxw [r10-4], r3\nldxdw r2, [r10-8]\nldxw r0, [r2+0]'),
  s('stack-overwrite-neighbour-slot', 'writing the neighbouring byte fp-9 leaves the spill at fp-8 intact', 'stxdw [r10-8], r1\nstb [r10-9], 0\nldxdw r2, [r10-8]\nldxw r0, [r2+0]'),
  // --- spill / fill of scalars ---
  idx('stack-spill-scalar-bounds', 'r1 & 0xf spilled and filled (8 bytes) keeps [0,15]', 'ldxw r1, [r6+0]\nand r1, 0xf\nstxdw [r10-16], r1\nmov r1, 0\nldxdw r1, [r10-16]'),
  idx('stack-spill-scalar-bounds-too-wide', 'r1 & 0x1f spilled and filled keeps [0,31]: rejected', 'ldxw r1, [r6+0]\nand r1, 0x1f\nstxdw [r10-16], r1\nmov r1, 0\nldxdw r1, [r10-16]'),
  idx('stack-spill32-fill32', 'a 4-byte spill of [0,15] filled with a 4-byte load keeps the bounds', 'ldxw r1, [r6+0]\nand r1, 0xf\nstxw [r10-16], r1\nmov r1, 0\nldxw r1, [r10-16]'),
  idx('stack-spill32-fill64', 'a 4-byte spill filled with an 8-byte load (other half never written) is an unknown scalar', 'ldxw r1, [r6+0]\nand r1, 0xf\nstxw [r10-16], r1\nldxdw r1, [r10-16]'),
  idx('stack-spill64-fill8-fits', 'an 8-byte spill of [0,15] filled with a 1-byte load at the low byte: the value fits, bounds kept', 'ldxw r1, [r6+0]\nand r1, 0xf\nstxdw [r10-16], r1\nldxb r1, [r10-16]'),
  idx('stack-spill64-fill8-wide', 'an 8-byte spill of [0,0x1ff] filled with a 1-byte load: the byte is [0,255], rejected', 'ldxw r1, [r6+0]\nand r1, 0x1ff\nstxdw [r10-16], r1\nldxb r1, [r10-16]'),
  idx('stack-spill-scalar-partial-overwrite', 'an 8-byte spill of [0,15] with its top byte overwritten by 1 is an unknown scalar', 'ldxw r1, [r6+0]\nand r1, 0xf\nstxdw [r10-16], r1\nstb [r10-9], 1\nldxdw r1, [r10-16]'),
  idx('stack-st-imm-const', '*(u64 *)(fp-16) = 5 (ST) is a spilled constant: the fill is 5', 'stdw [r10-16], 5\nldxdw r1, [r10-16]'),
  idx('stack-st-imm-const-out', '*(u64 *)(fp-16) = 16 fills back as 16: the read is past the value', 'stdw [r10-16], 16\nldxdw r1, [r10-16]'),
  idx('stack-st32-imm-const', '*(u32 *)(fp-16) = 7 filled with a 4-byte load is 7', 'stw [r10-16], 7\nldxw r1, [r10-16]'),
  idx('stack-st32-imm-const-out', '*(u32 *)(fp-16) = 16 filled with a 4-byte load is 16: rejected', 'stw [r10-16], 16\nldxw r1, [r10-16]'),
  // --- zero tracking and uninitialised reads ---
  idx('stack-zero-dword-fill-byte', 'fp-16 = 0 (8 bytes), a 1-byte load at fp-13 reads the constant 0', 'stdw [r10-16], 0\nldxb r1, [r10-13]'),
  idx('stack-zero-unaligned-word', 'a 4-byte zero store at fp-12 (not a slot start) marks zero bytes: the 4-byte read there is 0', 'stw [r10-12], 0\nldxw r1, [r10-12]'),
  idx('stack-nonzero-unaligned-word', 'a 4-byte store of 1 at fp-12 marks data bytes: the read is an unknown u32, rejected as an index', 'stw [r10-12], 1\nldxw r1, [r10-12]'),
  idx('stack-zero-halves', 'two 4-byte stores of a zero register (fp-16, fp-12): the 8-byte fill over both is not known to be 0 but an unknown scalar', 'mov r1, 0\nstxw [r10-16], r1\nstxw [r10-12], r1\nldxdw r1, [r10-16]'),
  idx('stack-spill-zero-fill32-high', 'an 8-byte spill of a zero register read back 4 bytes at fp-12 (the high half) is 0', 'mov r1, 0\nstxdw [r10-16], r1\nldxw r1, [r10-12]'),
  idx('stack-uninit-index', 'as root an uninitialised slot reads as an unknown scalar: as an index it is unbounded', 'ldxdw r1, [r10-16]'),
  idx('stack-uninit-index-masked', 'the unknown scalar read from an uninitialised slot, masked with 0xf, is a fine index', 'ldxdw r1, [r10-16]\nand r1, 0xf'),
  s('stack-uninit-read-root', 'as root reading a never-written slot is allowed', 'ldxdw r2, [r10-8]'),
  s('stack-uninit-read-lowest', 'as root reading the never-written byte fp-512 is allowed', 'ldxb r2, [r10-512]'),
  s('stack-uninit-read-deref', 'an uninitialised slot is a scalar, never a pointer: dereferencing it is refused', 'ldxdw r2, [r10-8]\nldxw r0, [r2+0]'),
  // --- variable-offset access ---
  s('stack-var-write', 'a write at fp-16 + (len & 8): both slots in the stack, aligned; accepted as root', 'ldxw r2, [r1+0]\nand r2, 8\nmov r3, r10\nadd r3, -16\nadd r3, r2\nstdw [r3+0], 0'),
  s('stack-var-write-above-fp', 'a write at fp-16 + (len & 0x18) may reach fp+8: refused', 'ldxw r2, [r1+0]\nand r2, 0x18\nmov r3, r10\nadd r3, -16\nadd r3, r2\nstdw [r3+0], 0'),
  s('stack-var-write-below-512', 'a write at fp-520 + (len & 8) may be below the stack: refused', 'ldxw r2, [r1+0]\nand r2, 8\nmov r3, r10\nadd r3, -520\nadd r3, r2\nstdw [r3+0], 0'),
  s('stack-var-write-misaligned', 'an 8-byte write at fp-16 + (len & 4) may be misaligned', 'ldxw r2, [r1+0]\nand r2, 4\nmov r3, r10\nadd r3, -16\nadd r3, r2\nstdw [r3+0], 0'),
  s('stack-var-write-aligned-word', 'a 4-byte write at fp-16 + (len & 4) is aligned either way', 'ldxw r2, [r1+0]\nand r2, 4\nmov r3, r10\nadd r3, -16\nadd r3, r2\nstw [r3+0], 0'),
  s('stack-var-write-unbounded', 'a write at fp-16 + len (a u32): the offset is not bounded to the stack', 'ldxw r2, [r1+0]\nmov r3, r10\nadd r3, -16\nadd r3, r2\nstb [r3+0], 0'),
  s('stack-var-write-sub', 'fp - (len & 8): subtracting a variable scalar from a stack pointer is refused even though every write would be in the stack', 'ldxw r2, [r1+0]\nand r2, 8\nmov r3, r10\nsub r3, r2\nstdw [r3-8], 0'),
  s('stack-var-read-init', 'a read at fp-16 + (len & 8) after both slots were written', 'stdw [r10-16], 0\nstdw [r10-8], 0\nldxw r2, [r1+0]\nand r2, 8\nmov r3, r10\nadd r3, -16\nadd r3, r2\nldxdw r0, [r3+0]'),
  s('stack-var-read-uninit-root', 'as root a variable-offset read of never-written slots is allowed', 'ldxw r2, [r1+0]\nand r2, 8\nmov r3, r10\nadd r3, -16\nadd r3, r2\nldxdw r0, [r3+0]'),
  s('stack-var-read-above-fp', 'a read at fp-8 + (len & 8) may reach fp+0: refused', 'stdw [r10-8], 0\nldxw r2, [r1+0]\nand r2, 8\nmov r3, r10\nadd r3, -8\nadd r3, r2\nldxdw r0, [r3+0]'),
  idx('stack-var-read-zeros', 'a variable-offset read over two slots holding 0 is an unknown scalar (the zeros are not kept): unbounded as an index', 'stdw [r10-24], 0\nstdw [r10-16], 0\nldxw r2, [r6+0]\nand r2, 8\nmov r3, r10\nadd r3, -24\nadd r3, r2\nldxdw r1, [r3+0]'),
  idx('stack-var-read-masked', 'the unknown scalar of a variable-offset read, masked with 0xf, is a fine index', 'stdw [r10-24], 1\nstdw [r10-16], 0\nldxw r2, [r6+0]\nand r2, 8\nmov r3, r10\nadd r3, -24\nadd r3, r2\nldxdw r1, [r3+0]\nand r1, 0xf'),
  s('stack-var-write-destroys-spill', 'a variable-offset write that may hit a spilled ctx turns that slot into scalar bytes: dereferencing the fill is refused', 'stxdw [r10-8], r1\nldxw r2, [r1+0]\nand r2, 8\nmov r3, r10\nadd r3, -16\nadd r3, r2\nstdw [r3+0], 0\nldxdw r4, [r10-8]\nldxw r0, [r4+0]'),
  s('stack-var-write-misses-spill', 'a variable-offset write that cannot reach fp-8 leaves the spilled ctx there intact', 'stxdw [r10-8], r1\nldxw r2, [r1+0]\nand r2, 8\nmov r3, r10\nadd r3, -24\nadd r3, r2\nstdw [r3+0], 0\nldxdw r4, [r10-8]\nldxw r0, [r4+0]'),
  // --- stack memory passed to helpers ---
  m('stack-helper-key', 'a lookup key at fp-4, written first', 'stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall 1'),
  m('stack-helper-key-uninit-root', 'as root a lookup key at fp-4 that was never written is accepted', 'mov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall 1'),
  m('stack-helper-key-above-fp', 'a 4-byte key at fp-2 would extend past fp: refused', 'stw [r10-8], 0\nmov r2, r10\nadd r2, -2\nlddw r1, map_fd 0\ncall 1'),
  m('stack-helper-key-below-512', 'a key at fp-516 is below the stack: refused', 'mov r2, r10\nadd r2, -516\nlddw r1, map_fd 0\ncall 1'),
  m('stack-helper-key-var-offset', 'a key at fp-16 + (len & 4), initialised: accepted as root', 'stdw [r10-16], 0\nstdw [r10-8], 0\nldxw r3, [r6+0]\nand r3, 4\nmov r2, r10\nadd r2, -16\nadd r2, r3\nlddw r1, map_fd 0\ncall 1'),
  m('stack-helper-key-var-offset-above', 'a key at fp-8 + (len & 6) may extend past fp: refused', 'stdw [r10-8], 0\nldxw r3, [r6+0]\nand r3, 6\nmov r2, r10\nadd r2, -8\nadd r2, r3\nlddw r1, map_fd 0\ncall 1'),
  m('stack-helper-update-value', 'map_update_elem with key at fp-4 and a 16-byte value at fp-24 (half written): accepted as root', 'stw [r10-4], 0\nstdw [r10-24], 0\nmov r2, r10\nadd r2, -4\nmov r3, r10\nadd r3, -24\nmov r4, 0\nlddw r1, map_fd 0\ncall 2'),
  m('stack-helper-update-value-above-fp', 'a 16-byte value at fp-8 would extend past fp: refused', 'stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nmov r3, r10\nadd r3, -8\nmov r4, 0\nlddw r1, map_fd 0\ncall 2'),
  m('stack-helper-writes-stack', 'skb_load_bytes writes 8 bytes at fp-8; the slot is then readable', 'mov r1, r6\nmov r2, 0\nmov r3, r10\nadd r3, -8\nmov r4, 8\ncall 26\nldxdw r0, [r10-8]'),
  m('stack-helper-writes-past-fp', 'skb_load_bytes of 9 bytes into fp-8 would write past fp: refused', 'mov r1, r6\nmov r2, 0\nmov r3, r10\nadd r3, -8\nmov r4, 9\ncall 26'),
  m('stack-helper-clobbers-spill', 'skb_load_bytes over a spilled ctx makes the slot data: dereferencing the fill is refused', 'stxdw [r10-8], r6\nmov r1, r6\nmov r2, 0\nmov r3, r10\nadd r3, -8\nmov r4, 8\ncall 26\nldxdw r2, [r10-8]\nldxw r0, [r2+0]'),
  // --- r10 is read-only; frame pointer copies ---
  s('stack-mov-r10', 'r10 = 0 is refused: the frame pointer is read only', 'mov r10, 0'),
  s('stack-add-r10', 'r10 += -8 is refused: the frame pointer is read only', 'add r10, -8'),
  s('stack-load-into-r10', 'a load into r10 is refused', 'stdw [r10-8], 0\nldxdw r10, [r10-8]'),
  s('stack-fp-copy-add', 'r2 = r10; r2 += -8 moves the copy, not the frame pointer', 'mov r2, r10\nadd r2, -8\nstdw [r2+0], 0\nldxdw r0, [r10-8]'),
  s('stack-fp-copy-write-read', 'a write through a frame-pointer copy is seen by a read through r10', 'mov r2, r10\nstdw [r2-8], 7\nldxdw r0, [r10-8]'),
  s('stack-fp-mov32', 'w2 = w10 is a scalar (root): writing through it is refused', 'mov32 r2, r10\nstdw [r2-8], 0'),
  s('stack-fp-minus-fp', 'fp - fp is a scalar as root', 'mov r2, r10\nsub r2, r10\nadd r2, 1'),
  s('stack-fp-copy-sched-cls', 'a frame-pointer copy used for a spill in sched_cls', 'mov r2, r10\nadd r2, -256\nstxdw [r2+0], r1\nldxdw r3, [r10-256]\nldxw r0, [r3+0]', { progType: SCHED_CLS }),
  // --- atomics on the stack ---
  s('stack-atomic-add', 'an atomic add on an initialised stack slot', 'stdw [r10-8], 0\nmov r2, 1\nlock add [r10-8], r2'),
  s('stack-atomic-misaligned', 'an atomic 8-byte add at fp-12 is misaligned', 'stdw [r10-16], 0\nmov r2, 1\nlock add [r10-12], r2'),
  s('stack-atomic-on-spilled-pointer', 'as root an atomic add into a slot holding a spilled ctx is accepted', 'stxdw [r10-8], r1\nmov r2, 1\nlock add [r10-8], r2'),
  s('stack-atomic-on-spilled-pointer-then-use', 'after an atomic add into a spilled ctx the slot holds a scalar: dereferencing the fill is refused', 'stxdw [r10-8], r1\nmov r2, 1\nlock add [r10-8], r2\nldxdw r3, [r10-8]\nldxw r0, [r3+0]'),
];
