/**
 * Map values holding a `struct bpf_spin_lock`, for the fuzzer's lock shapes: {@link lockValue}
 * lays out a value struct of `int`/`long` fields and one lock in C order, encodes its BTF (key
 * `int`, value the struct) with src/btf/encode.ts, and returns the layout with the BTF as a
 * {@link CaseMap}'s `btf` (the oracle loads the blob with BPF_BTF_LOAD, bpfemu through its own
 * bpf(); both create the map with the same ids).
 */
import { BtfBuilder } from '../../../src/btf/encode.js';
import type { CaseMap } from '../corpus/types.js';

/** A value member: a 4-byte `int`, an 8-byte `long`, or the `struct bpf_spin_lock` (4 bytes). */
export type LockField = 'int' | 'long' | 'lock';

/** A laid-out value type. */
export interface LockValue {
  /** The value's size (C layout, rounded up to its alignment). */
  readonly size: number;
  /** Offset of the `struct bpf_spin_lock`. */
  readonly lockOff: number;
  /** Offsets and sizes of the scalar members. */
  readonly fields: readonly { readonly off: number; readonly size: number }[];
  /** The CaseMap `btf` for a map of this value. */
  readonly btf: NonNullable<CaseMap['btf']>;
}

const SIZE: Readonly<Record<LockField, number>> = { int: 4, long: 8, lock: 4 };

/** The layout and BTF of `struct val { <fields> }` (exactly one 'lock' among them). */
export function lockValue(members: readonly LockField[]): LockValue {
  if (members.filter((m) => m === 'lock').length !== 1) throw new Error('lockValue: exactly one lock member');
  const b = new BtfBuilder();
  const int = b.int('int', 4, { signed: true });
  const long = b.int('long', 8, { signed: true });
  const u32 = b.int('unsigned int', 4);
  const lockT = b.struct('bpf_spin_lock', [{ name: 'val', type: u32, bitOffset: 0 }], 4);
  let off = 0;
  let align = 4;
  let lockOff = -1;
  const fields: { off: number; size: number }[] = [];
  const specs = members.map((m, i) => {
    const sz = SIZE[m];
    off = (off + sz - 1) & ~(sz - 1);
    align = Math.max(align, sz);
    if (m === 'lock') lockOff = off;
    else fields.push({ off, size: sz });
    const spec = { name: m === 'lock' ? 'lock' : `f${i}`, type: m === 'int' ? int : m === 'long' ? long : lockT, bitOffset: off * 8 };
    off += sz;
    return spec;
  });
  const size = (off + align - 1) & ~(align - 1);
  const value = b.struct('val', specs, size);
  const blob = b.encode();
  return { size, lockOff, fields, btf: { hex: Buffer.from(blob).toString('hex'), keyTypeId: int, valueTypeId: value } };
}
