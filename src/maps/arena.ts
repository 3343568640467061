/**
 * BPF_MAP_TYPE_ARENA (kernel/bpf/arena.c, 6.18): up to 4 GiB of sparsely populated pages that
 * programs reach through arena pointers (vm/arena.ts) and user space through an mmap() of the map.
 *
 * Every fact here comes from reading the 6.18 sources (arena.c, syscall.c, verifier.c), not from a
 * live run: this kernel build refuses every arena create with EPERM (test/maps/arena.test.ts records
 * that refusal, so a machine that allows it is noticed).
 *
 * - Create: key_size = value_size = 0, max_entries = pages (> 0), BPF_F_MMAPABLE required, only
 *   BPF_F_SEGV_ON_FAULT and BPF_F_NO_USER_CONV besides it (EINVAL); map_extra, when set, is the
 *   page-aligned user address the mapping must get (EINVAL); more than 4 GiB is E2BIG; a user range
 *   that crosses a 4 GiB boundary is ERANGE.
 * - Syscall side: lookup EINVAL (arena_map_lookup_elem's ERR_PTR), update, delete and get_next_key
 *   EOPNOTSUPP (any non-NULL key is EINVAL first: key_size 0).
 * - User space ({@link ArenaMap.mmap}): offset 0 only; with map_extra the length must be the whole
 *   arena and the address map_extra; the first mapping fixes user_vm_start, later ones must match
 *   (EBUSY). Touching a page nobody allocated allocates a zeroed page, unless BPF_F_SEGV_ON_FAULT
 *   (then SIGSEGV, a {@link MapError} `MAP_SEGV` here).
 * - Programs: pages come from bpf_arena_alloc_pages (kernel/kfuncs/arena.ts), which hands out the
 *   lowest free run of pages (range_tree_find), or a requested address.
 *
 * The emulator's mmap(NULL) picks user_vm_start = (handle region id) << 32: page aligned, never
 * across a 4 GiB boundary, and an ordinary (non-arena) access through such an address faults in the
 * map's handle region instead of reaching another region.
 */
import { ERRNO } from '../util/errno.js';
import { ARENA_PAGE_SIZE, type ArenaSpace } from '../vm/arena.js';
import { MapError } from './errors.js';
import { BpfMap, type ResolvedAttr } from './map.js';
import type { MapEnv, ProgOp } from './types.js';
import { BPF_F } from './uapi.js';

const { EINVAL, E2BIG, ERANGE, EOPNOTSUPP, EBUSY } = ERRNO;

const SZ_4G = 0x1_0000_0000n;
const PAGE = BigInt(ARENA_PAGE_SIZE);
const LO32 = 0xffff_ffffn;

/** Flags an arena takes besides BPF_F_MMAPABLE (arena_map_alloc). */
export const ARENA_FLAG_MASK = BPF_F.SEGV_ON_FAULT | BPF_F.MMAPABLE | BPF_F.NO_USER_CONV;

/** arena_map_alloc's checks: 0 or -errno. */
export function arenaAllocCheck(attr: ResolvedAttr): number {
  if (attr.keySize !== 0 || attr.valueSize !== 0 || attr.maxEntries === 0 || !(attr.flags & BPF_F.MMAPABLE) || attr.flags & ~ARENA_FLAG_MASK) return -EINVAL;
  if (attr.mapExtra & (PAGE - 1n)) return -EINVAL;
  const range = BigInt(attr.maxEntries) * PAGE;
  if (range > SZ_4G) return -E2BIG;
  if (attr.mapExtra >> 32n !== (attr.mapExtra + range - 1n) >> 32n) return -ERANGE;
  return 0;
}

/** A user-space mapping of an arena: reads and writes at user addresses, pages allocated on first touch. */
export class ArenaMapping {
  constructor(
    private readonly arena: ArenaMap,
    /** The mapping's first user address (user_vm_start). */
    readonly start: bigint,
    /** Its length in bytes. */
    readonly length: number,
  ) {}

  /** `len` bytes at user address `addr` (a copy). Throws MAP_SEGV where the process would get SIGSEGV. */
  read(addr: bigint, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.each(addr, len, (page, at, k, n) => out.set(page.subarray(at, at + n), k));
    return out;
  }

  /** Write `bytes` at user address `addr`. Throws MAP_SEGV where the process would get SIGSEGV. */
  write(addr: bigint, bytes: Uint8Array): void {
    this.each(addr, bytes.length, (page, at, k, n) => page.set(bytes.subarray(k, k + n), at));
  }

  /** Little-endian u64 at `addr`. */
  readU64(addr: bigint): bigint {
    const b = this.read(addr, 8);
    return new DataView(b.buffer).getBigUint64(0, true);
  }

  /** Little-endian u32 at `addr`. */
  readU32(addr: bigint): number {
    const b = this.read(addr, 4);
    return new DataView(b.buffer).getUint32(0, true);
  }

  private each(addr: bigint, len: number, f: (page: Uint8Array, at: number, k: number, n: number) => void): void {
    if (!Number.isInteger(len) || len < 0) throw new MapError('MAP_BAD_ARGUMENT', `arena ${this.arena.name}: length ${len} is not a byte count`);
    let k = 0;
    while (k < len) {
      const a = addr + BigInt(k);
      if (a < this.start || a >= this.start + BigInt(this.length)) throw new MapError('MAP_SEGV', `arena ${this.arena.name}: user address 0x${a.toString(16)} is outside the mapping 0x${this.start.toString(16)}+0x${this.length.toString(16)} (SIGSEGV)`);
      const page = this.arena.userFault(a);
      const at = Number(a & (PAGE - 1n));
      const n = Math.min(len - k, ARENA_PAGE_SIZE - at);
      f(page, at, k, n);
      k += n;
    }
  }
}

/** An arena map: its pages, its free-page set (the kernel's range tree) and its user address range. */
export class ArenaMap extends BpfMap implements ArenaSpace {
  /** Programs reach it only through kfuncs and arena pointers. */
  readonly progOps: ReadonlySet<ProgOp> = new Set<ProgOp>();
  /** user_vm_start and user_vm_end (0 until map_extra or the first mmap sets them). */
  userVmStart: bigint;
  userVmEnd: bigint;
  /** Populated pages by window page number ((u32)user address >> 12). */
  private readonly pages = new Map<number, Uint8Array>();
  /** 1 where the page offset is out of the range tree (allocated or reserved), by pgoff. */
  private readonly taken: Uint8Array;
  private mappings = 0;

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
    this.taken = new Uint8Array(attr.maxEntries);
    this.userVmStart = attr.mapExtra;
    this.userVmEnd = attr.mapExtra === 0n ? 0n : attr.mapExtra + BigInt(attr.maxEntries) * PAGE;
  }

  /** Upper 32 bits of user_vm_start (ArenaSpace: cast_user). */
  get userHi(): number {
    return Number(this.userVmStart >> 32n) | 0;
  }

  /** ArenaSpace: the page at window page number `pn`. */
  page(pn: number): Uint8Array | undefined {
    return this.pages.get(pn);
  }

  /** Number of populated pages. */
  get populatedPages(): number {
    return this.pages.size;
  }

  /** Pages user space may see (user_vm_end - user_vm_start), 0 before the first mapping. */
  get pageCountMax(): number {
    return Number((this.userVmEnd - this.userVmStart) / PAGE);
  }

  /**
   * mmap(addr, length, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0) of the map (arena_get_unmapped_area
   * and arena_map_mmap): the mapping, or -errno. `addr` 0n lets the emulator pick the address
   * (see the module comment); `length` defaults to the whole arena.
   */
  mmap(addr = 0n, length = this.maxEntries * ARENA_PAGE_SIZE, pgoff = 0): ArenaMapping | number {
    this.checkLive();
    if (pgoff !== 0) return -EINVAL;
    if (!Number.isInteger(length) || length <= 0) return -EINVAL;
    const len = BigInt(Math.ceil(length / ARENA_PAGE_SIZE) * ARENA_PAGE_SIZE);
    if (len > SZ_4G) return -E2BIG;
    if (this.userVmStart !== 0n) {
      const size = this.userVmEnd - this.userVmStart;
      if (len > size) return -E2BIG;
      if (len !== size) return -EINVAL;
      if (addr !== this.userVmStart) return -EINVAL;
    } else {
      // mm_get_unmapped_area of len * 2, moved up to the next 4 GiB boundary if it would cross one
      const start = addr !== 0n && (addr & (PAGE - 1n)) === 0n && addr >> 32n === (addr + len - 1n) >> 32n ? addr : BigInt(this.handleRegion) << 32n;
      this.userVmStart = start;
      this.userVmEnd = start + len;
    }
    this.mappings++;
    return new ArenaMapping(this, this.userVmStart, Number(len));
  }

  /** Open user mappings. */
  get userMappings(): number {
    return this.mappings;
  }

  /** compute_pgoff: page offset of a user address in the arena. */
  pgoffOf(uaddr: bigint): number {
    return Number(BigInt.asUintN(32, uaddr - (this.userVmStart & LO32)) >> 12n);
  }

  /** Window page number of page offset `pgoff` ((u32)(user_vm_start + pgoff * PAGE_SIZE) >> 12). */
  private pnOf(pgoff: number): number {
    return Number(BigInt.asUintN(32, this.userVmStart + BigInt(pgoff) * PAGE) >> 12n);
  }

  /** arena_vm_fault: the page under user address `a`, allocated now if needed. */
  userFault(a: bigint): Uint8Array {
    const pn = Number((a & LO32) >> 12n);
    const have = this.pages.get(pn);
    if (have !== undefined) return have;
    if (this.flags & BPF_F.SEGV_ON_FAULT) throw new MapError('MAP_SEGV', `arena ${this.name}: page at 0x${a.toString(16)} was not allocated by a program and the arena has BPF_F_SEGV_ON_FAULT (SIGSEGV)`);
    const pgoff = this.pgoffOf(a);
    if (pgoff >= this.maxEntries) throw new MapError('MAP_SEGV', `arena ${this.name}: 0x${a.toString(16)} is past the arena (SIGSEGV)`);
    this.taken[pgoff] = 1; // range_tree_clear
    const page = new Uint8Array(ARENA_PAGE_SIZE);
    this.pages.set(pn, page);
    return page;
  }

  /** Whether pgoffs [pgoff, pgoff + cnt) are all in the range tree (is_range_tree_set == 0). */
  private allFree(pgoff: number, cnt: number): boolean {
    for (let p = pgoff; p < pgoff + cnt; p++) if (this.taken[p] !== 0) return false;
    return true;
  }

  /** range_tree_find: the lowest pgoff starting `cnt` free pages, or -1. */
  private findFree(cnt: number): number {
    let run = 0;
    for (let p = 0; p < this.maxEntries; p++) {
      run = this.taken[p] === 0 ? run + 1 : 0;
      if (run === cnt) return p - cnt + 1;
    }
    return -1;
  }

  /**
   * arena_alloc_pages: `cnt` zeroed pages at user address `uaddr` (0n: the lowest free run), mapped
   * for programs; the user address of the first, or 0n (the kfunc's NULL).
   */
  allocPages(uaddr: bigint, cnt: number): bigint {
    const max = this.pageCountMax;
    if (cnt > max) return 0n;
    let pgoff = 0;
    if (uaddr !== 0n) {
      if (uaddr & (PAGE - 1n)) return 0n;
      pgoff = this.pgoffOf(uaddr);
      if (pgoff > max - cnt) return 0n; // outside the user VMA
      if (!this.allFree(pgoff, cnt)) return 0n;
    } else {
      pgoff = this.findFree(cnt);
      if (pgoff < 0) return 0n;
    }
    for (let p = pgoff; p < pgoff + cnt; p++) {
      this.taken[p] = 1;
      this.pages.set(this.pnOf(p), new Uint8Array(ARENA_PAGE_SIZE));
    }
    return (this.userVmStart & ~LO32) + BigInt.asUintN(32, this.userVmStart + BigInt(pgoff) * PAGE);
  }

  /** arena_free_pages: back into the range tree, pages unmapped (user mappings see fresh pages next touch). */
  freePages(ptr: bigint, cnt: number): void {
    const uaddr = BigInt.asUintN(32, ptr) & ~(PAGE - 1n);
    const full = (this.userVmStart & ~LO32) + uaddr;
    const limit = full + BigInt(cnt) * PAGE;
    const end = this.userVmEnd < limit ? this.userVmEnd : limit;
    if (full >= end) return;
    const n = Number((end - full) / PAGE);
    const pgoff = this.pgoffOf(uaddr);
    for (let k = 0; k < n; k++) {
      if (pgoff + k < this.maxEntries) this.taken[pgoff + k] = 0; // range_tree_set
      this.pages.delete(Number(((uaddr + BigInt(k) * PAGE) & LO32) >> 12n));
    }
  }

  /** arena_reserve_pages (6.17+): keep [ptr, ptr + cnt pages) from allocation; 0, -EINVAL or -EBUSY. */
  reservePages(ptr: bigint, cnt: number): number {
    if (ptr & (PAGE - 1n)) return 0;
    const pgoff = this.pgoffOf(ptr);
    if (pgoff + cnt > this.pageCountMax) return -EINVAL;
    if (!this.allFree(pgoff, cnt)) return -EBUSY;
    for (let p = pgoff; p < pgoff + cnt; p++) this.taken[p] = 1;
    return 0;
  }

  protected sysLookup(_key: Uint8Array | null, _out: Uint8Array): number {
    return -EINVAL; // arena_map_lookup_elem: ERR_PTR(-EINVAL)
  }

  protected sysUpdate(_key: Uint8Array | null, _value: Uint8Array): number {
    return -EOPNOTSUPP;
  }

  protected sysDelete(_key: Uint8Array | null): number {
    return -EOPNOTSUPP;
  }

  protected sysGetNextKey(_key: Uint8Array | null, _out: Uint8Array): number {
    return -EOPNOTSUPP;
  }

  protected onFree(): void {
    this.pages.clear();
  }
}
