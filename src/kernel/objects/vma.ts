/**
 * Emulated memory mappings (VMAs) of the current task's address space: one `struct vm_area_struct`
 * per mapping (vm_start, vm_end, vm_mm, vm_flags, vm_pgoff and, for a file mapping, vm_file, at
 * 6.18's offsets, data/kernel-types.ts), kept sorted by address like the kernel's maple tree, and
 * the lookup bpf_find_vma does (mm/mmap.c find_vma: the first mapping ending above the address,
 * which must also start at or below it).
 *
 * Mappings are described as /proc/PID/maps shows them: page-aligned [start, end), permissions
 * `rwxp`/`r--s` (VM_READ, VM_WRITE, VM_EXEC, VM_SHARED) or raw vm_flags, the file offset (vm_pgoff
 * is that offset in pages; an anonymous mapping's defaults to its start page) and an optional file path (vm_file is then a `struct file` of the
 * emulated VFS with that path).
 */

/** include/linux/mm.h VM_* bits /proc/PID/maps prints. */
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;

/** PAGE_SIZE on x86-64. */
export const PAGE_SIZE = 4096;

/** One mapping added with KernelObjects.addVma. */
export interface VmaSpec {
  /** First address (page-aligned). */
  readonly start: bigint | number;
  /** Address past the end (page-aligned, above start). */
  readonly end: bigint | number;
  /** /proc/PID/maps permissions, 4 characters (`r-xp`, `rw-s`); exclusive with `flags`. */
  readonly perms?: string;
  /** Raw vm_flags (the kernel's VM_* bits, e.g. 0x8000075 for a private r-x mapping); exclusive with `perms`. */
  readonly flags?: bigint | number;
  /**
   * Offset in the file, in bytes (page-aligned); vm_pgoff is offset / PAGE_SIZE. Default: 0 for a
   * file mapping; for an anonymous one start / PAGE_SIZE, what the kernel gives a new anonymous
   * mapping (/proc/PID/maps prints 0 for those; a stack grown downwards keeps its first pgoff).
   */
  readonly offset?: bigint | number;
  /** Path of the mapped file (vm_file); none for anonymous mappings. */
  readonly file?: string;
}

/** A validated mapping. */
export interface Vma {
  readonly start: bigint;
  readonly end: bigint;
  readonly flags: bigint;
  readonly pgoff: bigint;
  readonly file: string | undefined;
}

/** vm_flags of /proc/PID/maps permissions (`r-xp` -> VM_READ | VM_EXEC), or a message saying what is wrong. */
export function permsToFlags(perms: string): bigint | string {
  if (!/^[r-][w-][x-][ps]$/.test(perms)) return `perms '${perms}' is not of the form [r-][w-][x-][ps] (as /proc/PID/maps prints them)`;
  let f = 0;
  if (perms[0] === 'r') f |= VM_READ;
  if (perms[1] === 'w') f |= VM_WRITE;
  if (perms[2] === 'x') f |= VM_EXEC;
  if (perms[3] === 's') f |= VM_SHARED;
  return BigInt(f);
}

const U64_MAX = (1n << 64n) - 1n;

function big(v: bigint | number, what: string): bigint | string {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) return `${what} ${v} is not an integer`;
  const b = BigInt(v);
  return b < 0n || b > U64_MAX ? `${what} ${v} is not a u64` : b;
}

/**
 * Check a mapping against the ones already there: page-aligned non-empty range, one of
 * perms/flags, no overlap. Returns the mapping or a message naming what is wrong.
 */
export function validateVma(spec: VmaSpec, existing: readonly Vma[]): Vma | string {
  const start = big(spec.start, 'start');
  const end = big(spec.end, 'end');
  if (typeof start === 'string') return start;
  const offset = big(spec.offset ?? (spec.file === undefined ? start : 0), 'offset');
  if (typeof end === 'string') return end;
  if (typeof offset === 'string') return offset;
  const hex = (x: bigint): string => `0x${x.toString(16)}`;
  if (start % BigInt(PAGE_SIZE) !== 0n || end % BigInt(PAGE_SIZE) !== 0n) return `range ${hex(start)}-${hex(end)} is not page-aligned (${PAGE_SIZE})`;
  if (end <= start) return `range ${hex(start)}-${hex(end)} is empty (end must be above start)`;
  if (offset % BigInt(PAGE_SIZE) !== 0n) return `offset ${hex(offset)} is not page-aligned`;
  if (spec.perms !== undefined && spec.flags !== undefined) return 'give perms or flags, not both';
  let flags = 0n;
  if (spec.perms !== undefined) {
    const f = permsToFlags(spec.perms);
    if (typeof f === 'string') return f;
    flags = f;
  } else if (spec.flags !== undefined) {
    const f = big(spec.flags, 'flags');
    if (typeof f === 'string') return f;
    flags = f;
  }
  const clash = existing.find((v) => start < v.end && v.start < end);
  if (clash !== undefined) return `range ${hex(start)}-${hex(end)} overlaps the mapping ${hex(clash.start)}-${hex(clash.end)}`;
  if (spec.file !== undefined && !spec.file.startsWith('/')) return `file '${spec.file}' is not an absolute path`;
  return { start, end, flags, pgoff: offset / BigInt(PAGE_SIZE), file: spec.file };
}

/** Insert `v` into the address-sorted list `list` (returns a new list). */
export function insertVma(list: readonly Vma[], v: Vma): Vma[] {
  return [...list, v].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/**
 * find_vma(mm, addr) followed by bpf_find_vma's containment check: the index of the mapping with
 * start <= addr < end in the sorted list, or -1.
 */
export function findVmaIndex(list: readonly Vma[], addr: bigint): number {
  let lo = 0;
  let hi = list.length;
  // the first mapping whose end is above addr (the maple tree walk of find_vma)
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.end > addr) hi = mid;
    else lo = mid + 1;
  }
  return lo < list.length && list[lo]!.start <= addr ? lo : -1;
}
