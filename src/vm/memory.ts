/**
 * The guest address space: a table of bounds-checked regions.
 *
 *   guest pointer (64 bits):  +----------------------+----------------------+
 *                             | region id (32 bits)  | offset (32 bits)     |
 *                             +----------------------+----------------------+
 *
 * Region 0 is never mapped, so address 0 (NULL) and every small scalar fault on access. Each region
 * has a kind (stack, ctx, packet, map value, ...), permissions, and either plain bytes or a
 * {@link SpecialRegion} handler (ctx structures whose loads the kernel rewrites).
 *
 * The interpreter's fast path reads `rlen`/`wlen` directly: they hold the region length when plain
 * reads/writes are allowed and -1 otherwise, so one comparison covers bounds *and* permission; every
 * other case (special regions, faults) takes the slow path in this module.
 */

/** Region kinds (for messages, faults and helpers' argument checks). */
export const RegionKind = {
  NONE: 0,
  STACK: 1,
  CTX: 2,
  PACKET: 3,
  MAP_VALUE: 4,
  GLOBAL: 5,
  INPUT: 6,
  KERNEL: 7,
  MAP: 8,
  RINGBUF: 9,
  STRUCT_OPS: 10,
  CODE: 11,
  OTHER: 12,
} as const;
export type RegionKind = (typeof RegionKind)[keyof typeof RegionKind];

const KIND_NAMES: readonly string[] = ['none', 'stack', 'ctx', 'packet', 'map_value', 'global', 'input', 'kernel', 'map', 'ringbuf', 'struct_ops', 'code', 'other'];

/** Name of a region kind. */
export function regionKindName(k: number): string {
  return KIND_NAMES[k] ?? `kind${k}`;
}

export const PERM_NONE = 0;
export const PERM_R = 1;
export const PERM_W = 2;
export const PERM_RW = PERM_R | PERM_W;

/**
 * A region whose accesses are emulated (e.g. `struct xdp_md`, where a 4-byte load of `data` yields a
 * 64-bit packet pointer, as after the kernel's ctx rewriting). Returning false means "fault".
 */
export interface SpecialRegion {
  /** Load `size` bytes at `off` into out[0] (low 32 bits) and out[1] (high 32 bits). */
  load(off: number, size: number, out: Int32Array): boolean;
  /** Store the value (lo, hi) of `size` bytes at `off`. */
  store(off: number, size: number, lo: number, hi: number): boolean;
}

/** Options of a new region. */
export interface RegionOptions {
  kind: RegionKind;
  perm: number;
  label: string;
  owner?: unknown;
  special?: SpecialRegion;
}

const EMPTY = new Uint8Array(0);
const EMPTY_DV = new DataView(new ArrayBuffer(0));

/** Largest region id; ids are reused after unmap. */
export const MAX_REGIONS = 0x7fffffff;

/** The region table. One per emulated kernel (shared by nested program runs). */
export class Memory {
  /** Backing bytes by region id. */
  readonly u8: Uint8Array[] = [EMPTY];
  /** DataView over the same bytes. */
  readonly dv: DataView[] = [EMPTY_DV];
  /** Fast-path readable length (-1: not plainly readable). */
  readonly rlen: number[] = [-1];
  /** Fast-path writable length (-1: not plainly writable). */
  readonly wlen: number[] = [-1];
  readonly kind: number[] = [RegionKind.NONE];
  readonly perm: number[] = [PERM_NONE];
  readonly label: string[] = [''];
  readonly owner: unknown[] = [null];
  readonly special: (SpecialRegion | null)[] = [null];
  private readonly freeIds: number[] = [];
  private live = 0;

  /** Map `bytes` as a new region and return its id. */
  map(bytes: Uint8Array, o: RegionOptions): number {
    let id = this.freeIds.pop();
    if (id === undefined) {
      id = this.u8.length;
      this.u8.push(EMPTY);
      this.dv.push(EMPTY_DV);
      this.rlen.push(-1);
      this.wlen.push(-1);
      this.kind.push(RegionKind.NONE);
      this.perm.push(PERM_NONE);
      this.label.push('');
      this.owner.push(null);
      this.special.push(null);
    }
    this.kind[id] = o.kind;
    this.label[id] = o.label;
    this.owner[id] = o.owner ?? null;
    this.special[id] = o.special ?? null;
    this.perm[id] = o.perm;
    this.setBytes(id, bytes);
    this.live++;
    return id;
  }

  /** Replace the backing bytes of a live region (packet head/tail adjustments). */
  setBytes(id: number, bytes: Uint8Array): void {
    this.u8[id] = bytes;
    this.dv[id] = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.refreshFast(id);
  }

  /** Change permissions (e.g. freezing `.rodata`). */
  setPerm(id: number, perm: number): void {
    this.perm[id] = perm;
    this.refreshFast(id);
  }

  private refreshFast(id: number): void {
    const plain = this.special[id] === null;
    const n = this.u8[id]!.length;
    this.rlen[id] = plain && (this.perm[id]! & PERM_R) !== 0 ? n : -1;
    this.wlen[id] = plain && (this.perm[id]! & PERM_W) !== 0 ? n : -1;
  }

  /** Unmap a region; its id may be reused. */
  unmap(id: number): void {
    if (id <= 0 || id >= this.u8.length || this.kind[id] === RegionKind.NONE) return;
    this.u8[id] = EMPTY;
    this.dv[id] = EMPTY_DV;
    this.rlen[id] = -1;
    this.wlen[id] = -1;
    this.kind[id] = RegionKind.NONE;
    this.perm[id] = PERM_NONE;
    this.label[id] = '';
    this.owner[id] = null;
    this.special[id] = null;
    this.freeIds.push(id);
    this.live--;
  }

  /** Whether `id` names a mapped region. */
  isMapped(id: number): boolean {
    return id > 0 && id < this.u8.length && this.kind[id] !== RegionKind.NONE;
  }

  /** Number of live regions. */
  get liveCount(): number {
    return this.live;
  }

  /** Total slots in the table (live + free). */
  get size(): number {
    return this.u8.length;
  }

  /** A guest pointer as a BigInt. */
  static pointer(id: number, off: number): bigint {
    const h = id >>> 0;
    // Region ids below 2^21 (all of them in practice): one exact double, one BigInt.
    return h < 0x200000 ? BigInt(h * 0x100000000 + (off >>> 0)) : (BigInt(h) << 32n) | BigInt(off >>> 0);
  }

  /** Split a guest pointer into region id and offset. */
  static split(addr: bigint): [id: number, off: number] {
    const a = BigInt.asUintN(64, addr);
    return [Number(a >> 32n), Number(a & 0xffffffffn)];
  }

  /**
   * Check an access of `size` bytes at (id, off) for `perm` (PERM_R / PERM_W) without the fast-path
   * shortcut. Returns null when valid, or the reason.
   */
  check(id: number, off: number, size: number, perm: number): AccessProblem | null {
    if (!this.isMapped(id)) return 'unmapped';
    if ((this.perm[id]! & perm) === 0) return perm === PERM_W ? 'read_only' : 'not_readable';
    if (off < 0 || off + size > this.u8[id]!.length) return 'out_of_bounds';
    return null;
  }

  /** Read bytes (host side, bounds-checked); undefined on a bad access. */
  read(id: number, off: number, size: number): Uint8Array | undefined {
    if (this.check(id, off, size, PERM_R) !== null || this.special[id] !== null) return undefined;
    return this.u8[id]!.subarray(off, off + size);
  }

  /** Describe a region for messages: `stack#3 (frame 0, 512 bytes)`. */
  describe(id: number): string {
    if (!this.isMapped(id)) return `unmapped region ${id}`;
    return `${regionKindName(this.kind[id]!)} region ${id} '${this.label[id]}' (${this.u8[id]!.length} bytes)`;
  }
}

/** Why an access failed. */
export type AccessProblem = 'unmapped' | 'out_of_bounds' | 'read_only' | 'not_readable';
