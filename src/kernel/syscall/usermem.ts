/**
 * Emulated user-space memory: where raw `union bpf_attr` pointers (keys, values, instruction
 * arrays, info structs) point. Callers that use the raw-bytes form of `kernel.bpf()` allocate their
 * buffers here; the typed form stages its Uint8Arrays here automatically. Bad pointers give EFAULT,
 * as copy_from_user does.
 */

/** Something raw pointers can be resolved in (user memory, or guest memory for bpf_sys_bpf). */
export interface AddressSpace {
  /** `len` bytes at `addr` (a view), or null when not fully mapped. */
  read(addr: number, len: number): Uint8Array | null;
  /** Copy `bytes` to `addr`; false when not fully mapped. */
  write(addr: number, bytes: Uint8Array): boolean;
}

interface Block {
  readonly addr: number;
  readonly bytes: Uint8Array;
}

/** First address handed out; NULL and the first pages stay unmapped. */
const BASE = 0x10000;

/** A flat, bump-allocated user address space with explicit frees. */
export class UserMemory implements AddressSpace {
  private blocks: Block[] = [];
  private next = BASE;

  /** Map a copy of `init` (or `init` zero bytes) and return its address. */
  alloc(init: Uint8Array | number): number {
    const bytes = typeof init === 'number' ? new Uint8Array(init) : init.slice();
    const addr = this.next;
    this.next += Math.max(16, Math.ceil(bytes.length / 16) * 16) + 16; // a guard gap between blocks
    this.blocks.push({ addr, bytes });
    return addr;
  }

  /** Unmap the block at `addr`. */
  free(addr: number): void {
    const i = this.find(addr);
    if (i >= 0 && this.blocks[i]!.addr === addr) this.blocks.splice(i, 1);
  }

  /** The whole block starting at `addr` (for callers that own it). */
  block(addr: number): Uint8Array | null {
    const i = this.find(addr);
    return i >= 0 && this.blocks[i]!.addr === addr ? this.blocks[i]!.bytes : null;
  }

  read(addr: number, len: number): Uint8Array | null {
    if (len === 0) return new Uint8Array(0);
    const i = this.find(addr);
    if (i < 0) return null;
    const b = this.blocks[i]!;
    const off = addr - b.addr;
    if (off + len > b.bytes.length) return null;
    return b.bytes.subarray(off, off + len);
  }

  write(addr: number, bytes: Uint8Array): boolean {
    const dst = this.read(addr, bytes.length);
    if (dst === null) return false;
    dst.set(bytes);
    return true;
  }

  /**
   * How many whole `size`-byte elements fit from `addr` to the end of its block (0 when `addr` is
   * not mapped): where an element-by-element copy_{from,to}_user would fault. `size` 0 fits any number.
   */
  room(addr: number, size: number): number {
    if (size === 0) return Number.MAX_SAFE_INTEGER;
    const i = this.find(addr);
    if (i < 0) return 0;
    const b = this.blocks[i]!;
    return Math.floor((b.bytes.length - (addr - b.addr)) / size);
  }

  /** A NUL-terminated string of at most `max` bytes at `addr`, or null on a fault/no terminator. */
  readCString(addr: number, max: number): string | null {
    const i = this.find(addr);
    if (i < 0) return null;
    const b = this.blocks[i]!;
    const off = addr - b.addr;
    const end = Math.min(b.bytes.length, off + max);
    for (let p = off; p < end; p++) {
      if (b.bytes[p] === 0) return new TextDecoder().decode(b.bytes.subarray(off, p));
    }
    return null;
  }

  /** Index of the block containing `addr`, or -1 (blocks are sorted by address). */
  private find(addr: number): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = this.blocks[mid]!;
      if (addr < b.addr) hi = mid - 1;
      else if (addr >= b.addr + Math.max(1, b.bytes.length)) lo = mid + 1;
      else return mid;
    }
    return -1;
  }
}
