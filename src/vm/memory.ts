/**
 * The guest address space: a table of bounds-checked regions, and the per-run access tables that
 * say which of them a run may reach.
 *
 *   guest pointer (64 bits):  +----------------------+----------------------+
 *                             | region id (32 bits)  | offset (32 bits)     |
 *                             +----------------------+----------------------+
 *
 *   region id (31 bits used): +--------------+-------------------------------+
 *                             | gen (8 bits) | slot (23 bits)                |
 *                             +--------------+-------------------------------+
 *
 * Regions live in slots; a slot that is freed and mapped again gets the next generation, so its new
 * region has a new id and a stale pointer to the old one faults (`unmapped`) instead of reaching the
 * new one. A slot whose generations are used up is retired for good ({@link Memory.unmap}): no id is
 * ever handed out twice by one Memory. Stack frames are the one exception ({@link Memory.renew}):
 * their generation wraps, which can only ever lead a stale stack pointer into the current run's own
 * (zeroed) frame on the same machine.
 *
 * Region id 0 (slot 0) is never mapped, so address 0 (NULL) and every small scalar fault on access.
 * Each region has a kind (stack, ctx, packet, map value, ...), permissions, and either plain bytes or
 * a {@link SpecialRegion} handler (ctx structures whose loads the kernel rewrites).
 *
 * Per-slot arrays (`slot*`) are indexed by slot, never by id: use {@link Memory.slotOf}, or the
 * id-based accessors (`bytes(id)`, `kindOf(id)`, ...), which answer for unmapped ids too.
 *
 * An {@link AccessTable} belongs to one machine: by slot, what its current run was granted. The
 * interpreter's fast path reads the table's `rl`/`wl`: the region length when the run may read
 * (write) the region plainly, -1 otherwise, so one comparison covers bounds, permission and
 * capability, after one comparison of the slot's current id with the pointer's. Grants are made
 * where a region id is resolved for the first time in a run (the slow path), never per byte; this
 * module keeps every table in step when a region changes or goes away.
 */
import { BpfemuError } from '../util/errors.js';

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
  /**
   * Whether the field at `off` holds a pointer the kernel hands to the program (xdp_md->data,
   * __sk_buff->sk): the region a load of it yields joins the run's capabilities.
   */
  yieldsPointer?(off: number): boolean;
}

/** Options of a new region. */
export interface RegionOptions {
  kind: RegionKind;
  perm: number;
  label: string;
  owner?: unknown;
  special?: SpecialRegion;
  /**
   * Emulated kernel memory every run of this address space may read (task_struct & co., kernel
   * variables): the access policy lets any program reach it. Default false.
   */
  shared?: boolean;
}

/** The address space ran out of region ids (a host error, never a guest fault). */
export class MemoryError extends BpfemuError<'REGIONS_EXHAUSTED'> {
  readonly code = 'REGIONS_EXHAUSTED' as const;
}

const EMPTY = new Uint8Array(0);
const EMPTY_DV = new DataView(new ArrayBuffer(0));

/** Bits of a region id that select the slot. */
export const SLOT_BITS = 23;
/** Mask of the slot bits of a region id. */
export const SLOT_MASK = (1 << SLOT_BITS) - 1;
/** Generations per slot: ids stay below 2^31, so they are positive int32 values. */
export const GENERATIONS = 256;
/** Largest region id. */
export const MAX_REGIONS = 0x7fffffff;

/** Grant scopes in an {@link AccessTable}: how long a grant lasts (0: none). */
export const Scope = {
  NONE: 0,
  /** Until the run ends (helper results, ctx pointers, inner maps looked up in this run). */
  RUN: 1,
  /** While the machine keeps running the same program (its maps, shared kernel memory). */
  PROGRAM: 2,
  /** For the machine's life (its own stack frames). */
  MACHINE: 3,
} as const;

/**
 * One machine's view of the address space, by slot: `cap` is the grant's {@link Scope} (0: not
 * granted), `rl`/`wl` the fast-path lengths of granted plain regions (-1 otherwise). A grant always
 * refers to the region currently in the slot: unmapping it revokes the grant in every table.
 */
export class AccessTable {
  readonly rl: number[];
  readonly wl: number[];
  readonly cap: number[];

  constructor(slots: number) {
    this.rl = new Array<number>(slots).fill(-1);
    this.wl = new Array<number>(slots).fill(-1);
    this.cap = new Array<number>(slots).fill(0);
  }
}

/** The region table. One per emulated kernel (shared by nested program runs). */
export class Memory {
  /** Region id of each slot (0: free or retired). */
  readonly slotId: number[] = [0];
  /** Backing bytes by slot. */
  readonly slotBytes: Uint8Array[] = [EMPTY];
  /** DataView over the same bytes, by slot. */
  readonly slotView: DataView[] = [EMPTY_DV];
  /** Plainly readable length by slot (-1: special or not readable); tables copy it when granting. */
  readonly slotRlen: number[] = [-1];
  /** Plainly writable length by slot (-1: special or not writable). */
  readonly slotWlen: number[] = [-1];
  readonly slotKind: number[] = [RegionKind.NONE];
  readonly slotPerm: number[] = [PERM_NONE];
  readonly slotLabel: string[] = [''];
  readonly slotOwner: unknown[] = [null];
  readonly slotSpecial: (SpecialRegion | null)[] = [null];
  readonly slotShared: boolean[] = [false];
  /** Last id of each free slot, to continue its generations. */
  private readonly freeIds: number[] = [];
  private readonly tables: AccessTable[] = [];
  private live = 0;
  private retiredSlots = 0;

  /** The slot of region id `id`. */
  static slotOf(id: number): number {
    return id & SLOT_MASK;
  }

  /** A new access table, kept in step with this memory until {@link releaseTable}. */
  newTable(): AccessTable {
    const t = new AccessTable(this.slotId.length);
    this.tables.push(t);
    return t;
  }

  /** Stop keeping `t` in step. */
  releaseTable(t: AccessTable): void {
    const i = this.tables.indexOf(t);
    if (i >= 0) this.tables.splice(i, 1);
  }

  /** Map `bytes` as a new region and return its id (never an id this memory handed out before). */
  map(bytes: Uint8Array, o: RegionOptions): number {
    let id: number;
    const last = this.freeIds.pop();
    if (last !== undefined) id = last + (1 << SLOT_BITS);
    else {
      const slot = this.slotId.length;
      if (slot > SLOT_MASK) throw new MemoryError(`address space exhausted: ${this.live} live regions, ${this.retiredSlots} retired slots`);
      id = slot;
      this.slotId.push(0);
      this.slotBytes.push(EMPTY);
      this.slotView.push(EMPTY_DV);
      this.slotRlen.push(-1);
      this.slotWlen.push(-1);
      this.slotKind.push(RegionKind.NONE);
      this.slotPerm.push(PERM_NONE);
      this.slotLabel.push('');
      this.slotOwner.push(null);
      this.slotSpecial.push(null);
      this.slotShared.push(false);
      for (const t of this.tables) {
        t.rl.push(-1);
        t.wl.push(-1);
        t.cap.push(0);
      }
    }
    const s = id & SLOT_MASK;
    this.slotId[s] = id;
    this.slotKind[s] = o.kind;
    this.slotLabel[s] = o.label;
    this.slotOwner[s] = o.owner ?? null;
    this.slotSpecial[s] = o.special ?? null;
    this.slotShared[s] = o.shared ?? false;
    this.slotPerm[s] = o.perm;
    this.slotBytes[s] = bytes;
    this.slotView[s] = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.refreshFast(s);
    this.live++;
    return id;
  }

  /** Replace the backing bytes of a live region (packet head/tail adjustments). */
  setBytes(id: number, bytes: Uint8Array): void {
    if (!this.isMapped(id)) return;
    const s = id & SLOT_MASK;
    this.slotBytes[s] = bytes;
    this.slotView[s] = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.refreshFast(s);
  }

  /** Change permissions (e.g. freezing `.rodata`). */
  setPerm(id: number, perm: number): void {
    if (!this.isMapped(id)) return;
    const s = id & SLOT_MASK;
    this.slotPerm[s] = perm;
    this.refreshFast(s);
  }

  /** Change the label (messages only). */
  setLabel(id: number, label: string): void {
    if (this.isMapped(id)) this.slotLabel[id & SLOT_MASK] = label;
  }

  private refreshFast(s: number): void {
    const plain = this.slotSpecial[s] === null;
    const n = this.slotBytes[s]!.length;
    const rl = plain && (this.slotPerm[s]! & PERM_R) !== 0 ? n : -1;
    const wl = plain && (this.slotPerm[s]! & PERM_W) !== 0 ? n : -1;
    this.slotRlen[s] = rl;
    this.slotWlen[s] = wl;
    for (const t of this.tables) {
      if (t.cap[s] !== 0) {
        t.rl[s] = rl;
        t.wl[s] = wl;
      }
    }
  }

  /** Unmap a region. Its slot is mapped again later under a new id, or retired when out of generations. */
  unmap(id: number): void {
    if (!this.isMapped(id)) return;
    const s = id & SLOT_MASK;
    this.slotId[s] = 0;
    this.slotBytes[s] = EMPTY;
    this.slotView[s] = EMPTY_DV;
    this.slotRlen[s] = -1;
    this.slotWlen[s] = -1;
    this.slotKind[s] = RegionKind.NONE;
    this.slotPerm[s] = PERM_NONE;
    this.slotLabel[s] = '';
    this.slotOwner[s] = null;
    this.slotSpecial[s] = null;
    this.slotShared[s] = false;
    this.revoke(s);
    if (id >>> SLOT_BITS < GENERATIONS - 1) this.freeIds.push(id);
    else this.retiredSlots++;
    this.live--;
  }

  /**
   * Give a live region a new id in the same slot (same bytes and attributes); pointers to the old id
   * fault from now on. Every table's grant is revoked except `keep`'s, whose run goes on using the
   * region. Generations wrap (see the module comment: for stack frames only).
   */
  renew(id: number, keep: AccessTable | null): number {
    if (!this.isMapped(id)) return id;
    const s = id & SLOT_MASK;
    const next = (((id >>> SLOT_BITS) + 1) % GENERATIONS) * (1 << SLOT_BITS) + s;
    this.slotId[s] = next;
    const tables = this.tables;
    if (tables.length > 1) for (const t of tables) if (t !== keep && t.cap[s] !== 0) revokeIn(t, s);
    return next;
  }

  private revoke(s: number): void {
    for (const t of this.tables) if (t.cap[s] !== 0) revokeIn(t, s);
  }

  /** Whether `id` names a mapped region. */
  isMapped(id: number): boolean {
    return id !== 0 && this.slotId[id & SLOT_MASK] === id;
  }

  /** Bytes of region `id` (empty when unmapped). */
  bytes(id: number): Uint8Array {
    return this.isMapped(id) ? this.slotBytes[id & SLOT_MASK]! : EMPTY;
  }
  /** DataView of region `id` (empty when unmapped). */
  view(id: number): DataView {
    return this.isMapped(id) ? this.slotView[id & SLOT_MASK]! : EMPTY_DV;
  }
  /** Kind of region `id` (NONE when unmapped). */
  kindOf(id: number): number {
    return this.isMapped(id) ? this.slotKind[id & SLOT_MASK]! : RegionKind.NONE;
  }
  /** Permissions of region `id` (PERM_NONE when unmapped). */
  permOf(id: number): number {
    return this.isMapped(id) ? this.slotPerm[id & SLOT_MASK]! : PERM_NONE;
  }
  /** Label of region `id` ('' when unmapped). */
  labelOf(id: number): string {
    return this.isMapped(id) ? this.slotLabel[id & SLOT_MASK]! : '';
  }
  /** Owner of region `id` (undefined when unmapped). */
  ownerOf(id: number): unknown {
    return this.isMapped(id) ? this.slotOwner[id & SLOT_MASK] : undefined;
  }
  /** Special handler of region `id` (null when plain or unmapped). */
  specialOf(id: number): SpecialRegion | null {
    return this.isMapped(id) ? this.slotSpecial[id & SLOT_MASK]! : null;
  }
  /** Whether region `id` is shared kernel memory (see {@link RegionOptions.shared}). */
  isShared(id: number): boolean {
    return this.isMapped(id) && this.slotShared[id & SLOT_MASK] === true;
  }

  /** Number of live regions. */
  get liveCount(): number {
    return this.live;
  }

  /** Total slots in the table (live, free and retired, plus slot 0). */
  get size(): number {
    return this.slotId.length;
  }

  /** Slots retired because their generations ran out. */
  get retiredCount(): number {
    return this.retiredSlots;
  }

  /** A guest pointer as a BigInt. */
  static pointer(id: number, off: number): bigint {
    const h = id >>> 0;
    // Region ids below 2^21 (first-generation slots of small tables): one exact double, one BigInt.
    return h < 0x200000 ? BigInt(h * 0x100000000 + (off >>> 0)) : (BigInt(h) << 32n) | BigInt(off >>> 0);
  }

  /** Split a guest pointer into region id and offset. */
  static split(addr: bigint): [id: number, off: number] {
    const a = BigInt.asUintN(64, addr);
    return [Number(a >> 32n), Number(a & 0xffffffffn)];
  }

  /**
   * Check an access of `size` bytes at (id, off) for `perm` (PERM_R / PERM_W), region-wise only
   * (capabilities are the machine's business). Returns null when valid, or the reason.
   */
  check(id: number, off: number, size: number, perm: number): AccessProblem | null {
    if (!this.isMapped(id)) return 'unmapped';
    const s = id & SLOT_MASK;
    if ((this.slotPerm[s]! & perm) === 0) return perm === PERM_W ? 'read_only' : 'not_readable';
    if (off < 0 || off + size > this.slotBytes[s]!.length) return 'out_of_bounds';
    return null;
  }

  /** Read bytes (host side, bounds-checked); undefined on a bad access. */
  read(id: number, off: number, size: number): Uint8Array | undefined {
    if (this.check(id, off, size, PERM_R) !== null || this.slotSpecial[id & SLOT_MASK] !== null) return undefined;
    return this.slotBytes[id & SLOT_MASK]!.subarray(off, off + size);
  }

  /** Describe a region for messages: `stack region 3 'run0 frame 0' (512 bytes)`. */
  describe(id: number): string {
    if (!this.isMapped(id)) return `unmapped region ${id >>> 0}`;
    const s = id & SLOT_MASK;
    return `${regionKindName(this.slotKind[s]!)} region ${id} '${this.slotLabel[s]}' (${this.slotBytes[s]!.length} bytes)`;
  }
}

function revokeIn(t: AccessTable, s: number): void {
  t.cap[s] = 0;
  t.rl[s] = -1;
  t.wl[s] = -1;
}

/** Why an access failed. `foreign_region`: the region exists but is outside the run's capabilities. */
export type AccessProblem = 'unmapped' | 'out_of_bounds' | 'read_only' | 'not_readable' | 'foreign_region';
