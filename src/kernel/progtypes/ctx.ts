/**
 * Program contexts after the kernel's ctx rewriting (bpf_convert_ctx_access): a context struct is a
 * table of fields, each program type has a policy of which fields it may read and write, and a
 * {@link CtxRegion} serves the program's loads and stores from live kernel state instead of bytes.
 *
 * Access rules (is_valid_access of each type, measured on Linux 6.18 by loading one program per
 * offset/size/kind):
 *
 *   kind        loads                                         stores
 *   u32         1, 2 or 4 bytes at a naturally aligned        4 bytes at the field
 *               offset inside the field (narrow loads)
 *   u32-exact   4 bytes at the field                          4 bytes at the field
 *   pkt         4 bytes at the field → a 64-bit packet ptr    never
 *   u64, ptr    8 bytes at the field                          8 bytes (u64 only)
 *   u8          1 byte at the field                           never
 *   cb          as u32, plus 8 bytes over cb[0..1]/cb[2..3]   1, 2, 4 bytes aligned, or 8 as for loads
 *
 * A narrow load returns the bytes of the field's full little-endian value (the verifier loads the
 * whole field and shifts). The kernel rejects every other access when the program is loaded; the
 * emulator faults when the access happens (bad_ctx_access).
 */
import { ERRNO } from '../../util/errno.js';
import type { SpecialRegion } from '../../vm/memory.js';

/** How a field may be accessed (see the table above). */
export type CtxFieldKind = 'u32' | 'u32-exact' | 'pkt' | 'u64' | 'ptr' | 'u8' | 'cb';

/** One field of a context struct (array elements are separate fields sharing a name). */
export interface CtxField {
  readonly name: string;
  readonly off: number;
  readonly size: number;
  readonly kind: CtxFieldKind;
  /** Element index for array fields (cb[i], remote_ip6[i]). */
  readonly index: number;
}

/** A context struct's layout. */
export interface CtxLayout {
  readonly name: string;
  readonly size: number;
  readonly fields: readonly CtxField[];
  /** Field index by byte offset (-1: padding). */
  readonly byByte: Int16Array;
  /** Field by name and index (`cb`, 2). */
  field(name: string, index?: number): CtxField;
}

/** Field spec: name, offset, kind, and for arrays the element count (size follows from kind). */
export type CtxFieldSpec = readonly [name: string, off: number, kind: CtxFieldKind, count?: number];

const KIND_SIZE: Readonly<Record<CtxFieldKind, number>> = { u32: 4, 'u32-exact': 4, pkt: 4, u64: 8, ptr: 8, u8: 1, cb: 4 };

/** Build a layout from field specs. */
export function ctxLayout(name: string, size: number, specs: readonly CtxFieldSpec[]): CtxLayout {
  const fields: CtxField[] = [];
  for (const [n, off, kind, count] of specs) {
    const sz = KIND_SIZE[kind];
    for (let i = 0; i < (count ?? 1); i++) fields.push({ name: n, off: off + i * sz, size: sz, kind, index: i });
  }
  const byByte = new Int16Array(size).fill(-1);
  fields.forEach((f, i) => byByte.fill(i, f.off, f.off + f.size));
  const byName = new Map(fields.map((f) => [`${f.name}#${f.index}`, f]));
  return {
    name,
    size,
    fields,
    byByte,
    field(n: string, index = 0): CtxField {
      const f = byName.get(`${n}#${index}`);
      if (f === undefined) throw new RangeError(`${name} has no field ${n}[${index}]`);
      return f;
    },
  };
}

/** Which fields a program type may read and write (by field name). */
export interface CtxPolicy {
  readonly read: ReadonlySet<string>;
  readonly write: ReadonlySet<string>;
}

/** The live values behind a context. */
export interface CtxBackend {
  /** The field's full value: low 32 bits in out[0], high 32 bits in out[1]. */
  read(f: CtxField, out: Int32Array): void;
  /** Store the field's full new value (narrow cb stores are merged before this is called). */
  write(f: CtxField, lo: number, hi: number): void;
}

const MASK = [0, 0xff, 0xffff, 0, 0xffffffff] as const;

/** A ctx region: loads and stores checked against the layout and policy, served by the backend. */
export class CtxRegion implements SpecialRegion {
  private readonly tmp = new Int32Array(2);
  /** The policy by field index (1: allowed), so an access does no set lookup. */
  private readonly readable: Uint8Array;
  private readonly writable: Uint8Array;
  /** 1 at the bytes of pointer fields (`pkt`, `ptr`): {@link yieldsPointer} without a field lookup. */
  private readonly pointerBytes: Uint8Array;

  constructor(
    readonly layout: CtxLayout,
    readonly policy: CtxPolicy,
    readonly backend: CtxBackend,
  ) {
    this.readable = Uint8Array.from(layout.fields, (f) => (policy.read.has(f.name) ? 1 : 0));
    this.writable = Uint8Array.from(layout.fields, (f) => (policy.write.has(f.name) ? 1 : 0));
    this.pointerBytes = new Uint8Array(layout.size);
    for (const f of layout.fields) if (f.kind === 'pkt' || f.kind === 'ptr') this.pointerBytes.fill(1, f.off, f.off + f.size);
  }

  /** Index of the field covering byte `off`, or -1. */
  private index(off: number): number {
    return off < 0 || off >= this.layout.size ? -1 : this.layout.byByte[off]!;
  }

  private at(off: number): CtxField | undefined {
    if (off < 0 || off >= this.layout.size) return undefined;
    const i = this.layout.byByte[off]!;
    return i < 0 ? undefined : this.layout.fields[i];
  }

  /** The cb pair an 8-byte access at `off` covers, or undefined. */
  private pair(f: CtxField, off: number): CtxField | undefined {
    if (f.kind !== 'cb' || off !== f.off || f.index % 2 !== 0) return undefined;
    const g = this.at(off + 4);
    return g?.kind === 'cb' ? g : undefined;
  }

  load(off: number, size: number, out: Int32Array): boolean {
    const i = this.index(off);
    if (i < 0 || this.readable[i] === 0) return false;
    const f = this.layout.fields[i]!;
    if (size === 8 && f.kind === 'cb') {
      const g = this.pair(f, off);
      if (g === undefined) return false;
      this.backend.read(f, this.tmp);
      const lo = this.tmp[0]!;
      this.backend.read(g, this.tmp);
      out[0] = lo;
      out[1] = this.tmp[0]!;
      return true;
    }
    if (f.kind === 'u32' || f.kind === 'cb') {
      if ((size !== 1 && size !== 2 && size !== 4) || off % size !== 0 || off + size > f.off + 4) return false;
      this.backend.read(f, this.tmp);
      const shift = (off - f.off) * 8;
      out[0] = size === 4 ? this.tmp[0]! : (this.tmp[0]! >>> shift) & MASK[size]!;
      out[1] = 0;
      return true;
    }
    if (off !== f.off || size !== f.size) return false;
    out[0] = 0;
    out[1] = 0;
    this.backend.read(f, out);
    if (size === 1) {
      out[0] = out[0]! & 0xff;
      out[1] = 0;
    }
    return true;
  }

  /** Packet (`pkt`) and object (`ptr`) fields hand the program a pointer the kernel owns for this run. */
  yieldsPointer(off: number): boolean {
    return this.pointerBytes[off] === 1;
  }

  store(off: number, size: number, lo: number, hi: number): boolean {
    const i = this.index(off);
    if (i < 0 || this.writable[i] === 0) return false;
    const f = this.layout.fields[i]!;
    if (f.kind === 'cb') {
      if (size === 8) {
        const g = this.pair(f, off);
        if (g === undefined) return false;
        this.backend.write(f, lo, 0);
        this.backend.write(g, hi, 0);
        return true;
      }
      if ((size !== 1 && size !== 2 && size !== 4) || off % size !== 0) return false;
      if (size === 4) {
        this.backend.write(f, lo, 0);
        return true;
      }
      this.backend.read(f, this.tmp);
      const shift = (off - f.off) * 8;
      const mask = MASK[size]! << shift;
      this.backend.write(f, (this.tmp[0]! & ~mask) | ((lo << shift) & mask), 0);
      return true;
    }
    if (off !== f.off || size !== f.size) return false;
    if (f.kind === 'u32' || f.kind === 'u32-exact' || f.kind === 'u64') {
      this.backend.write(f, lo, hi);
      return true;
    }
    return false;
  }
}

/**
 * bpf_ctx_init: the user's ctx_in as a zeroed buffer of `max` bytes; a longer ctx_in must be zero
 * beyond `max` (bpf_check_uarg_tail_zero: E2BIG). Returns the buffer or -E2BIG.
 */
export function ctxIn(bytes: Uint8Array, max: number): Uint8Array | number {
  for (let i = max; i < bytes.length; i++) if (bytes[i] !== 0) return -ERRNO.E2BIG;
  const out = new Uint8Array(max);
  out.set(bytes.subarray(0, Math.min(max, bytes.length)));
  return out;
}

/** True when bytes [from, to) are all zero (range_is_zero). */
export function rangeIsZero(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}
