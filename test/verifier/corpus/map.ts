/**
 * Corpus group map: map value accesses (check_map_access bounds for constant, variable, negative
 * and unbounded offsets; null checks of lookup results; value pointer arithmetic;
 * BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG; direct value lddw (`map_value N OFF`) and constant reads
 * of frozen read-only maps; percpu, hash and LRU maps; map-in-map lookups of the inner map; the
 * map pointer itself).
 *
 * Most cases look up key 0 of maps[0] (`lookup()`), branch to `out` when the result is NULL and
 * end at `out: r0 = 0; exit`; the default map is an array of 4 x 16-byte values.
 */
import type { CaseMap, VerifierCase } from './types.js';

const SOCKET_FILTER = 1;

const HASH = 1;
const ARRAY = 2;
const PERCPU_HASH = 5;
const PERCPU_ARRAY = 6;
const LRU_HASH = 9;
const ARRAY_OF_MAPS = 12;
const HASH_OF_MAPS = 13;

const RDONLY_PROG = 1 << 7;
const WRONLY_PROG = 1 << 8;

const FN_MAP_LOOKUP_ELEM = 1;
const FN_GET_PRANDOM_U32 = 7;

const A16: CaseMap = { type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 4 };
const H16: CaseMap = { type: HASH, keySize: 4, valueSize: 16, maxEntries: 4 };

/** r0 = lookup(maps[map], &(u32)key) (key at fp-4). */
function lookup(map = 0, key = 0): string {
  return `stw [r10-4], ${key}\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd ${map}\ncall ${FN_MAP_LOOKUP_ELEM}`;
}

/** r0 = lookup(maps[0], &(u32)key) with the key stored by `stw [r10-8], key` (an 8-aligned slot). */
function lookup8(key: number): string {
  return `stw [r10-8], ${key}\nmov r2, r10\nadd r2, -8\nlddw r1, map_fd 0\ncall ${FN_MAP_LOOKUP_ELEM}`;
}

/** A map case: `body` then `out: r0 = 0; exit`. */
function m(name: string, what: string, body: string, maps: readonly CaseMap[] = [A16], extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'map', what, progType: SOCKET_FILTER, maps, asm: `${body}\nout:\nmov r0, 0\nexit`, ...extra };
}

/** Look up key 0 of maps[0], skip to `out` on NULL, then `access`. */
function checked(name: string, what: string, access: string, maps: readonly CaseMap[] = [A16]): VerifierCase {
  return m(name, what, `${lookup()}\njeq r0, 0, out\n${access}`, maps);
}

/** r6 = bpf_get_prandom_u32() transformed by `shape`, then a checked lookup, then `access`. */
function varOff(name: string, what: string, shape: string, access: string): VerifierCase {
  return m(name, what, `call ${FN_GET_PRANDOM_U32}\nmov r6, r0\n${shape}\n${lookup()}\njeq r0, 0, out\n${access}`);
}

/** A one-element array whose value (8 bytes) is 5, frozen when `freeze`, read-only for programs when `rdonly`. */
function knob(freeze: boolean, rdonly: boolean): CaseMap {
  return { type: ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, init: '0500000000000000', freeze, ...(rdonly ? { flags: RDONLY_PROG } : {}) };
}

/**
 * r2 = the knob's first word; when the verifier knows r2 == 5 it never walks the branch that
 * reads the uninitialised r9, so the case is accepted only if the read was constant-folded.
 */
const KNOB_PRUNE = 'jeq r2, 5, out\nmov r0, r9\nexit';

const INNER: CaseMap = { type: ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 };
const OUTER: CaseMap = { type: ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 1, inner: 0 };

export const CASES: VerifierCase[] = [
  // --- constant offsets -----------------------------------------------------------------------
  checked('map-read-first', 'a 4-byte read at value offset 0', 'ldxw r1, [r0+0]'),
  checked('map-read-last-word', 'a 4-byte read of the last word (off 12 of 16)', 'ldxw r1, [r0+12]'),
  checked('map-read-dw', 'an 8-byte read at off 8 ends at the value end', 'ldxdw r1, [r0+8]'),
  checked('map-read-past-end', 'a read at off 16 of a 16-byte value is refused', 'ldxw r1, [r0+16]'),
  checked('map-read-straddle', 'a 4-byte read at off 13 crosses the value end', 'ldxw r1, [r0+13]'),
  checked('map-read-negative', 'a read at off -1 is refused', 'ldxb r1, [r0-1]'),
  checked('map-write', 'stores of all sizes inside the value', 'stb [r0+0], 1\nsth [r0+2], 1\nstw [r0+4], 1\nmov r1, 1\nstxdw [r0+8], r1'),
  checked('map-write-past-end', 'an 8-byte store at off 12 crosses the value end', 'mov r1, 1\nstxdw [r0+12], r1'),
  checked('map-atomic-add', 'an atomic add inside the value', 'mov r1, 1\nlock add32 [r0+0], r1'),
  checked('map-atomic-fetch-add-dw', 'a 64-bit atomic fetch-add at off 8', 'mov r1, 1\nlock fetch add [r0+8], r1'),
  checked('map-atomic-misaligned', 'atomics are always strictly aligned: a 64-bit atomic add at off 12 is refused as misaligned', 'mov r1, 1\nlock add [r0+12], r1'),
  checked('map-atomic-past-end', 'a 64-bit atomic add at off 16 is past the value end', 'mov r1, 1\nlock add [r0+16], r1'),
  checked('map-value-size-1-byte', 'a 1-byte value: a 1-byte read', 'ldxb r1, [r0+0]', [{ type: ARRAY, keySize: 4, valueSize: 1, maxEntries: 1 }]),
  checked('map-value-size-1-half', 'a 1-byte value: a 2-byte read is refused', 'ldxh r1, [r0+0]', [{ type: ARRAY, keySize: 4, valueSize: 1, maxEntries: 1 }]),
  checked('map-store-stack-ptr', 'as root a stack pointer may be stored into a map value', 'stxdw [r0+0], r10'),
  checked('map-value-as-key', 'a map value pointer may serve as the key of another lookup', `mov r2, r0\nlddw r1, map_fd 0\ncall ${FN_MAP_LOOKUP_ELEM}`),

  // --- null checks (hash lookups; array lookups of a constant in-range key are never NULL) -------
  m('map-no-null-check', 'a hash lookup result may be NULL: dereferencing it unchecked is refused', `${lookup()}\nldxw r1, [r0+0]`, [H16]),
  m('map-null-check', 'the hash lookup result dereferenced after if (r0 == NULL) goto out', `${lookup()}\njeq r0, 0, out\nldxw r1, [r0+0]`, [H16]),
  m('map-null-branch-deref', 'on the NULL branch of the check r0 is the scalar 0', `${lookup()}\njne r0, 0, out\nldxw r1, [r0+0]`, [H16]),
  m('map-null-check-jne', 'if (r0 != NULL) taken branch dereferences', `${lookup()}\njne r0, 0, ok\nja out\nok:\nldxw r1, [r0+0]`, [H16]),
  m('map-null-check-copy', 'a copy made before the check is non-NULL after it (same id)', `${lookup()}\nmov r6, r0\njeq r0, 0, out\nldxw r1, [r6+0]`, [H16]),
  m('map-null-check-spilled', 'a spilled copy is non-NULL after the check too', `${lookup()}\nstxdw [r10-16], r0\njeq r0, 0, out\nldxdw r6, [r10-16]\nldxw r1, [r6+0]`, [H16]),
  m('map-null-check-other-lookup', 'checking one lookup result says nothing about another', `${lookup()}\nmov r6, r0\n${lookup()}\njeq r0, 0, out\nldxw r1, [r6+0]`, [H16]),
  m('map-arith-before-null-check', 'pointer arithmetic on map_value_or_null is refused', `${lookup()}\nadd r0, 4\njeq r0, 0, out\nldxw r1, [r0+0]`, [H16]),
  m('map-null-check-jmp32', 'a 32-bit comparison with 0 is not a null check', `${lookup()}\njeq32 r0, 0, out\nldxw r1, [r0+0]`, [H16]),
  m('map-array-const-key-no-null-check', '6.18: an array lookup of a constant in-range key (0 of 4) is never NULL, no check needed', `${lookup()}\nldxw r1, [r0+0]`),
  m('map-array-const-key-last', 'the last in-range key (3 of 4), stored at the 8-aligned slot fp-8 where it is tracked, needs no check either', `${lookup8(3)}\nldxw r1, [r0+0]`),
  m('map-array-const-key-out-of-range', 'a constant key equal to max_entries (4 of 4) may give NULL: the check is needed', `${lookup8(4)}\nldxw r1, [r0+0]`),
  m('map-array-const-key-untracked-slot', 'key 3 stored with stw at fp-4 (not a tracked spill slot) is not known: the check is needed', `${lookup(0, 3)}\nldxw r1, [r0+0]`),
  m('map-array-var-key-needs-check', 'an array lookup with a key not known at load time may give NULL',
    `call ${FN_GET_PRANDOM_U32}\nstxw [r10-4], r0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall ${FN_MAP_LOOKUP_ELEM}\nldxw r1, [r0+0]`),
  m('map-percpu-array-const-key', 'a percpu array lookup of a constant in-range key', `${lookup()}\nldxw r1, [r0+0]`, [{ type: PERCPU_ARRAY, keySize: 4, valueSize: 16, maxEntries: 4 }]),

  // --- pointer arithmetic ---------------------------------------------------------------------
  checked('map-ptr-add-const', 'value + 8, then an 8-byte read', 'add r0, 8\nldxdw r1, [r0+0]'),
  checked('map-ptr-add-const-past', 'value + 12, then an 8-byte read, crosses the end', 'add r0, 12\nldxdw r1, [r0+0]'),
  checked('map-ptr-sub-const', 'value + 8 - 4, then a read at [+8] is off 12', 'add r0, 8\nsub r0, 4\nldxw r1, [r0+8]'),
  checked('map-ptr-sub-below', 'value - 4, then a read at [+0] is off -4', 'sub r0, 4\nldxw r1, [r0+0]'),
  checked('map-ptr-32bit-arith', '32-bit arithmetic on a map value pointer is refused', 'add32 r0, 4\nldxw r1, [r0+0]'),
  checked('map-ptr-out-and-back', 'a pointer moved past the end and back may be dereferenced', 'add r0, 64\nadd r0, -64\nldxw r1, [r0+0]'),

  // --- variable offsets -----------------------------------------------------------------------
  varOff('map-var-off-bounded', 'value + (rand & 12): the 4-byte read ends at most at 16', 'and r6, 12', 'add r0, r6\nldxw r1, [r0+0]'),
  varOff('map-var-off-too-big', 'value + (rand & 15): a 4-byte read may end at 19', 'and r6, 15', 'add r0, r6\nldxw r1, [r0+0]'),
  varOff('map-var-off-branch-bounded', 'value + u32 after if (u32 > 12) goto out', 'mov32 r6, r6', 'jgt r6, 12, out\nadd r0, r6\nldxw r1, [r0+0]'),
  varOff('map-var-off-branch-off-by-one', 'value + u32 after if (u32 > 13) goto out: a 4-byte read may end at 17', 'mov32 r6, r6', 'jgt r6, 13, out\nadd r0, r6\nldxw r1, [r0+0]'),
  varOff('map-var-off-unbounded', 'value + an unbounded u32 is an unbounded access', 'mov32 r6, r6', 'add r0, r6\nldxw r1, [r0+0]'),
  varOff('map-var-off-unbounded-min', 'value + a full 64-bit unknown (unbounded minimum) is refused at the addition', 'mov r6, r6', 'add r0, r6\nldxw r1, [r0+0]'),
  varOff('map-var-off-negative', 'value + (rand & 7) - 4 may point before the value', 'and r6, 7\nsub r6, 4', 'add r0, r6\nldxb r1, [r0+0]'),
  varOff('map-var-off-negative-range-unbounded', 'value + (rand & 7) - 4 read at [+4]: signed offsets 0..7, but the unsigned view of the index wraps, so the access is unbounded', 'and r6, 7\nsub r6, 4', 'add r0, r6\nldxb r1, [r0+4]'),
  varOff('map-var-off-write', 'a store at a bounded variable offset', 'and r6, 8', 'add r0, r6\nmov r1, 1\nstxdw [r0+0], r1'),
  varOff('map-var-off-signed-check', 'value + s64 after 0 <= x <= 12 checked with signed jumps', 'mov r6, r6',
    'jsgt r6, 12, out\njslt r6, 0, out\nadd r0, r6\nldxw r1, [r0+0]'),
  varOff('map-var-off-signed-check-missing-lower', 'value + s64 after only x <= 12 (signed): the minimum is unbounded, refused at the addition', 'mov r6, r6',
    'jsgt r6, 12, out\nadd r0, r6\nldxw r1, [r0+0]'),

  // --- BPF_F_RDONLY_PROG / BPF_F_WRONLY_PROG --------------------------------------------------
  checked('map-rdonly-read', 'a BPF_F_RDONLY_PROG map value may be read', 'ldxw r1, [r0+0]', [{ ...A16, flags: RDONLY_PROG }]),
  checked('map-rdonly-write', 'a BPF_F_RDONLY_PROG map value may not be written', 'stw [r0+0], 1', [{ ...A16, flags: RDONLY_PROG }]),
  checked('map-rdonly-atomic', 'an atomic add into a BPF_F_RDONLY_PROG map value is refused', 'mov r1, 1\nlock add32 [r0+0], r1', [{ ...A16, flags: RDONLY_PROG }]),
  checked('map-wronly-write', 'a BPF_F_WRONLY_PROG map value may be written', 'stw [r0+0], 1', [{ ...A16, flags: WRONLY_PROG }]),
  checked('map-wronly-read', 'a BPF_F_WRONLY_PROG map value may not be read', 'ldxw r1, [r0+0]', [{ ...A16, flags: WRONLY_PROG }]),
  checked('map-wronly-atomic', 'an atomic add into a BPF_F_WRONLY_PROG map value (it also reads)', 'mov r1, 1\nlock add32 [r0+0], r1', [{ ...A16, flags: WRONLY_PROG }]),

  // --- other map types ------------------------------------------------------------------------
  checked('map-hash-read', 'a hash map value read', 'ldxw r1, [r0+12]', [{ type: HASH, keySize: 4, valueSize: 16, maxEntries: 4 }]),
  checked('map-hash-read-past', 'a hash map value read past the end', 'ldxw r1, [r0+16]', [{ type: HASH, keySize: 4, valueSize: 16, maxEntries: 4 }]),
  checked('map-percpu-array-read', 'a percpu array value read (this CPU\'s copy)', 'ldxdw r1, [r0+8]', [{ type: PERCPU_ARRAY, keySize: 4, valueSize: 16, maxEntries: 4 }]),
  checked('map-percpu-array-read-past', 'a percpu array value is value_size long, not value_size * CPUs', 'ldxdw r1, [r0+16]', [{ type: PERCPU_ARRAY, keySize: 4, valueSize: 16, maxEntries: 4 }]),
  checked('map-percpu-hash-write', 'a percpu hash value write', 'stw [r0+12], 1', [{ type: PERCPU_HASH, keySize: 4, valueSize: 16, maxEntries: 4 }]),
  checked('map-percpu-hash-write-past', 'a percpu hash value write past the end', 'stw [r0+13], 1', [{ type: PERCPU_HASH, keySize: 4, valueSize: 16, maxEntries: 4 }]),
  checked('map-lru-hash-read', 'an LRU hash value read', 'ldxw r1, [r0+0]', [{ type: LRU_HASH, keySize: 4, valueSize: 16, maxEntries: 4 }]),

  // --- direct value lddw (BPF_PSEUDO_MAP_VALUE) -----------------------------------------------
  m('map-direct-value-read', 'lddw map_value 0 0 of a one-element array, then a read at 12', 'lddw r1, map_value 0 0\nldxw r2, [r1+12]', [{ type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 1 }]),
  m('map-direct-value-offset', 'lddw map_value 0 8 points at byte 8: an 8-byte read there', 'lddw r1, map_value 0 8\nldxdw r2, [r1+0]', [{ type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 1 }]),
  m('map-direct-value-offset-past', 'lddw map_value 0 8 then a read at [+8] is off 16', 'lddw r1, map_value 0 8\nldxdw r2, [r1+8]', [{ type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 1 }]),
  m('map-direct-value-off-last', 'lddw map_value 0 15, the last byte of a 16-byte value', 'lddw r1, map_value 0 15\nldxb r2, [r1+0]', [{ type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 1 }]),
  m('map-direct-value-off-out-of-range', 'lddw map_value 0 16: the offset is not inside the 16-byte value', 'lddw r1, map_value 0 16\nldxb r2, [r1+0]', [{ type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 1 }]),
  m('map-direct-value-two-entries', 'direct value access needs a one-element array (ENOTSUPP)', 'lddw r1, map_value 0 0\nldxb r2, [r1+0]', [{ type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 2 }]),
  m('map-direct-value-hash', 'a hash map has no direct value access', 'lddw r1, map_value 0 0\nldxb r2, [r1+0]', [{ type: HASH, keySize: 4, valueSize: 16, maxEntries: 1 }]),
  m('map-direct-value-write', 'a direct value of a writable array may be written', 'lddw r1, map_value 0 0\nstw [r1+0], 1', [{ type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 1 }]),
  m('map-direct-value-rdonly-write', 'a direct value of a BPF_F_RDONLY_PROG array may not be written', 'lddw r1, map_value 0 0\nstw [r1+0], 1', [{ type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 1, flags: RDONLY_PROG }]),
  m('map-direct-value-no-null-check', 'a direct value pointer is never NULL: no check needed', 'lddw r1, map_value 0 4\nldxw r2, [r1+0]\nmov r1, 0', [{ type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 1 }]),

  // --- frozen read-only maps: constant reads --------------------------------------------------
  m('map-rodata-frozen-const', 'a frozen BPF_F_RDONLY_PROG value read at a constant offset is the constant 5: the dead branch is pruned',
    `lddw r1, map_value 0 0\nldxw r2, [r1+0]\n${KNOB_PRUNE}`, [knob(true, true)]),
  m('map-rodata-frozen-const-dw', 'an 8-byte constant read of the frozen knob', `lddw r1, map_value 0 0\nldxdw r2, [r1+0]\n${KNOB_PRUNE}`, [knob(true, true)]),
  m('map-rodata-not-frozen', 'the same read-only map not frozen: its value is unknown and the r9 branch is walked', `lddw r1, map_value 0 0\nldxw r2, [r1+0]\n${KNOB_PRUNE}`, [knob(false, true)]),
  m('map-rodata-frozen-not-rdonly', 'frozen but without BPF_F_RDONLY_PROG: the value is unknown', `lddw r1, map_value 0 0\nldxw r2, [r1+0]\n${KNOB_PRUNE}`, [knob(true, false)]),
  m('map-rodata-frozen-var-off', 'a frozen read-only value read at a variable offset is not folded', `call ${FN_GET_PRANDOM_U32}\nand r0, 4\nlddw r1, map_value 0 0\nadd r1, r0\nldxw r2, [r1+0]\n${KNOB_PRUNE}`, [knob(true, true)]),
  m('map-rodata-frozen-via-lookup', 'the value pointer of a lookup in the frozen read-only one-element array is folded too',
    `${lookup()}\njeq r0, 0, out\nldxw r2, [r0+0]\n${KNOB_PRUNE}`, [knob(true, true)]),
  m('map-rodata-frozen-write', 'a frozen read-only map may not be written', 'lddw r1, map_value 0 0\nstw [r1+0], 1', [knob(true, true)]),
  m('map-rodata-frozen-read-past', 'a frozen read-only value read past its 8 bytes', 'lddw r1, map_value 0 0\nldxw r2, [r1+8]', [knob(true, true)]),

  // --- map-in-map and the map pointer ---------------------------------------------------------
  m('map-in-map-lookup-inner', 'an array-of-maps lookup gives the inner map pointer, whose lookup gives an 8-byte value',
    `${lookup(1)}\njeq r0, 0, out\nmov r1, r0\nmov r2, r10\nadd r2, -4\ncall ${FN_MAP_LOOKUP_ELEM}\njeq r0, 0, out\nldxdw r1, [r0+0]`, [INNER, OUTER]),
  m('map-in-map-inner-past-end', 'the inner value is 8 bytes (the template\'s size): a read at 8 is refused',
    `${lookup(1)}\njeq r0, 0, out\nmov r1, r0\nmov r2, r10\nadd r2, -4\ncall ${FN_MAP_LOOKUP_ELEM}\njeq r0, 0, out\nldxdw r1, [r0+8]`, [INNER, OUTER]),
  m('map-in-map-outer-no-null-check', 'the outer lookup result must be null-checked before it is used as a map',
    `${lookup(1)}\nmov r1, r0\nmov r2, r10\nadd r2, -4\ncall ${FN_MAP_LOOKUP_ELEM}`, [INNER, OUTER]),
  m('map-in-map-inner-array-const-key', 'an inner array lookup of a constant in-range key needs no null check either',
    `${lookup(1)}\njeq r0, 0, out\nmov r1, r0\nmov r2, r10\nadd r2, -4\ncall ${FN_MAP_LOOKUP_ELEM}\nldxdw r1, [r0+0]`, [INNER, OUTER]),
  m('map-in-map-inner-hash-no-null-check', 'an inner hash lookup result must be null-checked',
    `${lookup(1)}\njeq r0, 0, out\nmov r1, r0\nmov r2, r10\nadd r2, -4\ncall ${FN_MAP_LOOKUP_ELEM}\nldxdw r1, [r0+0]`,
    [{ type: HASH, keySize: 4, valueSize: 8, maxEntries: 1 }, OUTER]),
  m('map-in-map-hash-of-maps', 'a hash-of-maps lookup gives the inner map pointer as well',
    `${lookup(1)}\njeq r0, 0, out\nmov r1, r0\nmov r2, r10\nadd r2, -4\ncall ${FN_MAP_LOOKUP_ELEM}\njeq r0, 0, out\nldxdw r1, [r0+0]`,
    [INNER, { type: HASH_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 1, inner: 0 }]),
  m('map-in-map-outer-value-read', 'the outer lookup result is a map pointer: as root its struct bpf_map may be read (BTF access)',
    `${lookup(1)}\njeq r0, 0, out\nldxdw r1, [r0+0]`, [INNER, OUTER]),
  m('map-ptr-deref', 'as root, reading struct bpf_map through the map pointer (lddw map_fd) is allowed', 'lddw r1, map_fd 0\nldxw r2, [r1+0]'),
  m('map-ptr-arith', 'arithmetic on the map pointer itself is refused', 'lddw r1, map_fd 0\nadd r1, 8'),
  m('map-ptr-bad-fd', 'lddw map_fd of a map index that does not exist (fd -1) is refused before verification', 'lddw r1, map_fd 3\nmov r1, 0'),
];
