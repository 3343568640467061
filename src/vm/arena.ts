/**
 * Arena memory as a program reaches it: the accesses the verifier rewrites to BPF_PROBE_MEM32
 * (loads, stores, atomics through a PTR_TO_ARENA register) and the `addr_space_cast` instruction.
 *
 * Facts from the 6.18 sources (kernel/bpf/arena.c, kernel/bpf/verifier.c, arch/x86/net/bpf_jit_comp.c),
 * not from a live run: this kernel build refuses every arena create with EPERM.
 *
 *   kernel address of an access = kern_vm_start + (u32)reg + off            (off: s16)
 *
 *   kern_vm_start - 32 KiB     kern_vm_start            kern_vm_start + 4 GiB     + 32 KiB
 *        | guard (never mapped) | 2^20 pages, each mapped  | guard (never mapped) |
 *                                 only once allocated
 *
 * A page of the arena sits at `kern_vm_start + (u32)uaddr` for its user address `uaddr`, so the
 * page number here is the low 32 bits of the user address >> 12. A fault (guard, or a page nobody
 * allocated) goes through the JIT's exception table: a load gives 0 in the destination register, a
 * store or an atomic does nothing and leaves every register as it was (the extable entry of a
 * store/atomic is DONT_CLEAR). BPF_F_SEGV_ON_FAULT concerns user-space faults only.
 */

/** log2(PAGE_SIZE). */
export const ARENA_PAGE_SHIFT = 12;
/** PAGE_SIZE. */
export const ARENA_PAGE_SIZE = 1 << ARENA_PAGE_SHIFT;

/** What the interpreter needs of a program's arena (implemented by maps/arena.ts). */
export interface ArenaSpace {
  /** Upper 32 bits of user_vm_start, as a signed int32: what cast_user puts above a non-zero low half. */
  readonly userHi: number;
  /** The page at kernel page number `pn` (0 .. 2^20 - 1), or undefined when nothing is mapped there. */
  page(pn: number): Uint8Array | undefined;
}

/** Scratch for a two-half result (module-level: no allocation per access). */
export const ARENA_OUT = new Int32Array(2);

/** Bytes of the access at window offset `a` (may cross into a second page), or null when any byte faults. */
function span(space: ArenaSpace, a: number, size: number): Uint8Array | null {
  if (a < 0 || a + size > 0x100000000) return null; // the guard regions
  const pn = Math.floor(a / ARENA_PAGE_SIZE);
  const p = space.page(pn);
  if (p === undefined) return null;
  const o = a - pn * ARENA_PAGE_SIZE;
  if (o + size <= ARENA_PAGE_SIZE) return p.subarray(o, o + size);
  const q = space.page(pn + 1);
  if (q === undefined) return null;
  const b = new Uint8Array(size);
  const first = ARENA_PAGE_SIZE - o;
  b.set(p.subarray(o), 0);
  b.set(q.subarray(0, size - first), first);
  return b;
}

function writeBack(space: ArenaSpace, a: number, bytes: Uint8Array): void {
  const pn = Math.floor(a / ARENA_PAGE_SIZE);
  const o = a - pn * ARENA_PAGE_SIZE;
  const p = space.page(pn)!;
  if (o + bytes.length <= ARENA_PAGE_SIZE) return; // written in place through the subarray
  const first = ARENA_PAGE_SIZE - o;
  p.set(bytes.subarray(0, first), o);
  space.page(pn + 1)!.set(bytes.subarray(first), 0);
}

function getLE(b: Uint8Array, size: number, signed: boolean, out: Int32Array): void {
  let lo = 0;
  let hi = 0;
  if (size === 8) {
    lo = b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24);
    hi = b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24);
  } else if (size === 4) {
    lo = b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24);
    hi = signed ? lo >> 31 : 0;
  } else if (size === 2) {
    lo = b[0]! | (b[1]! << 8);
    if (signed) lo = (lo << 16) >> 16;
    hi = signed ? lo >> 31 : 0;
  } else {
    lo = b[0]!;
    if (signed) lo = (lo << 24) >> 24;
    hi = signed ? lo >> 31 : 0;
  }
  out[0] = lo;
  out[1] = hi;
}

function setLE(b: Uint8Array, size: number, lo: number, hi: number): void {
  for (let i = 0; i < size && i < 4; i++) b[i] = (lo >>> (8 * i)) & 0xff;
  for (let i = 4; i < size; i++) b[i] = (hi >>> (8 * (i - 4))) & 0xff;
}

/**
 * PROBE_MEM32 / PROBE_MEM32SX load of `size` bytes at (u32)`reg` + `off` into ARENA_OUT.
 * Returns false (and 0 in ARENA_OUT) on a fault.
 */
export function arenaLoad(space: ArenaSpace | undefined, reg: number, off: number, size: number, signed: boolean): boolean {
  const b = space === undefined ? null : span(space, (reg >>> 0) + off, size);
  if (b === null) {
    ARENA_OUT[0] = 0;
    ARENA_OUT[1] = 0;
    return false;
  }
  getLE(b, size, signed, ARENA_OUT);
  return true;
}

/** PROBE_MEM32 store of the low `size` bytes of (lo, hi) at (u32)`reg` + `off`; false (nothing written) on a fault. */
export function arenaStore(space: ArenaSpace | undefined, reg: number, off: number, size: number, lo: number, hi: number): boolean {
  if (space === undefined) return false;
  const a = (reg >>> 0) + off;
  const b = span(space, a, size);
  if (b === null) return false;
  setLE(b, size, lo, hi);
  writeBack(space, a, b);
  return true;
}

/**
 * cast_user of a register's low half (x86 JIT): 0 stays 0, anything else gets user_vm_start's upper
 * 32 bits. Writes (lo, hi) into ARENA_OUT.
 */
export function castUser(space: ArenaSpace | undefined, lo: number): void {
  ARENA_OUT[0] = lo;
  ARENA_OUT[1] = lo === 0 ? 0 : (space?.userHi ?? 0);
}
