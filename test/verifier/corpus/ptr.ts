/**
 * Verifier corpus, group `ptr`: pointer arithmetic and pointer use (verifier.md §4) as root —
 * which ALU ops each pointer type allows (map value, stack, packet, ctx; refused on map_ptr,
 * pkt_end and maybe-null pointers), 32-bit ALU on pointers, pointer + pointer, scalar − pointer,
 * pointer − pointer, bitwise and multiplicative ops, offset limits, ctx with an offset,
 * pointer comparisons, and null checks propagating to copies and spilled copies (same id).
 *
 * Map cases look up key 0 of a hash map with 16-byte values; packet cases are XDP programs
 * (ctx: data at +0, data_end at +4).
 */
import type { CaseMap, VerifierCase } from './types.js';

/**
 * A hash map: lookups return map_value_or_null (an array map looked up with a constant key below
 * max_entries is known non-null on 6.18, which would hide the null-check rules).
 */
const VALUE16: CaseMap = { type: 1, keySize: 4, valueSize: 16, maxEntries: 1 };

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

/** The lookup of key 0 of maps[0], leaving the maybe-null value pointer in r0 (r6 = ctx). */
const LOOKUP = `
  mov r6, r1
  stw [r10-4], 0
  mov r2, r10
  add r2, -4
  lddw r1, map_fd 0
  call 1`;

const EXIT0 = `
out:
  mov r0, 0
  exit`;

/** `body` runs with r0 = the maybe-null 16-byte map value (no null check yet); `out` exits 0. */
function nullable(name: string, what: string, body: string, progType = SOCKET_FILTER): VerifierCase {
  return { name, rule: 'ptr', what, progType, maps: [VALUE16], asm: `${LOOKUP}\n${lines(body)}${EXIT0}\n` };
}

/** `body` runs with r0 = a null-checked 16-byte map value; `out` exits 0. */
function value(name: string, what: string, body: string, progType = SOCKET_FILTER): VerifierCase {
  return nullable(name, what, `jeq r0, 0, out\n${body}`, progType);
}

/** A program with no maps: `body` then `mov r0, 0; exit` (label `out` before it). */
function plain(name: string, what: string, body: string, progType = SOCKET_FILTER): VerifierCase {
  return { name, rule: 'ptr', what, progType, asm: `${lines(body)}${EXIT0}\n` };
}

/** `setR0; exit`: what the program returns. */
function ret(name: string, what: string, setR0: string, progType: number): VerifierCase {
  return { name, rule: 'ptr', what, progType, asm: `${setR0}\nexit\n` };
}

/** An XDP program with r2 = data, r3 = data_end, and `body` after. */
function pkt(name: string, what: string, body: string): VerifierCase {
  return plain(name, what, `ldxw r2, [r1+0]\nldxw r3, [r1+4]\n${body}`, XDP);
}

/** Proves 8 bytes of packet at r2 (r4 = r2 + 8 <= r3), else goes to out. */
const PKT8 = 'mov r4, r2\nadd r4, 8\njgt r4, r3, out';

export const CASES: VerifierCase[] = [
  // --- map value: constant offsets ---
  value('ptr-map-value-add-const', 'value + 12, then a 4-byte read: the last word of the 16-byte value', 'add r0, 12\nldxw r1, [r0+0]'),
  value('ptr-map-value-add-const-oob', 'value + 13, then a 4-byte read ends past the 16-byte value', 'add r0, 13\nldxw r1, [r0+0]'),
  value('ptr-map-value-sub-const', 'value + 8 - 4: subtracting a constant from a pointer is allowed', 'add r0, 8\nsub r0, 4\nldxw r1, [r0+0]'),
  value('ptr-map-value-sub-const-negative', 'value - 4, then a read: a negative offset into the value', 'sub r0, 4\nldxw r1, [r0+0]'),
  value('ptr-map-value-oob-no-deref', 'value + 100 is legal as long as it is not dereferenced', 'add r0, 100\nmov r1, r0'),
  value('ptr-map-value-oob-deref', 'value + 100 dereferenced is refused', 'add r0, 100\nldxb r1, [r0+0]'),
  value('ptr-map-value-add-max-off', 'value + (2^29 - 1): the largest constant offset a pointer may get (not dereferenced)', 'add r0, 0x1fffffff'),
  value('ptr-map-value-add-too-large', 'value + 2^29: constant offsets are limited to below 2^29 (BPF_MAX_VAR_OFF)', 'add r0, 0x20000000'),
  value('ptr-map-value-add-neg-too-large', 'value - 2^29: the limit applies to negative offsets too', 'add r0, -0x20000000'),
  // --- map value: variable offsets ---
  value('ptr-map-value-add-bounded', 'value + (unknown & 0xc), a 4-byte read: in bounds for every index', 'ldxdw r1, [r0+0]\nand r1, 0xc\nadd r0, r1\nldxw r2, [r0+0]'),
  value('ptr-map-value-add-unbounded', 'value + an unbounded scalar is refused at the add itself', 'ldxdw r1, [r0+0]\nadd r0, r1'),
  value('ptr-map-value-add-u32-shifted', 'value + (u32 >> 4) (< 2^28) is a legal pointer while not dereferenced', 'ldxw r1, [r0+0]\nrsh r1, 4\nadd r0, r1'),
  value('ptr-map-value-add-u32', 'value + a u32 is a legal pointer while not dereferenced (only constants and an unbounded minimum are refused at the add)', 'ldxw r1, [r0+0]\nadd r0, r1'),
  value('ptr-map-value-add-u32-deref', 'value + a u32 dereferenced is refused', 'ldxw r1, [r0+0]\nadd r0, r1\nldxb r2, [r0+0]'),
  value('ptr-map-value-two-var-adds', 'value + [0,7] + [0,8] is in bounds for a byte read', 'ldxdw r1, [r0+0]\nand r1, 7\nadd r0, r1\nldxdw r2, [r0+0]\nand r2, 8\nadd r0, r2\nldxb r3, [r0+0]'),
  value('ptr-map-value-two-var-adds-oob', 'value + [0,15] + [0,15] may reach 30: the byte read is refused', 'ldxdw r1, [r0+0]\nand r1, 15\nadd r0, r1\nldxdw r2, [r0+0]\nand r2, 15\nadd r0, r2\nldxb r3, [r0+0]'),
  value('ptr-map-value-sub-var-after-add', 'value + 15 - [0,15]: subtracting a variable leaves the unsigned bounds of the offset unknown, so the read is refused as unbounded', 'ldxdw r1, [r0+0]\nand r1, 15\nadd r0, 15\nsub r0, r1\nldxb r2, [r0+0]'),
  value('ptr-map-value-sub-var-negative', 'value - [0,15] may point before the value: the read is refused', 'ldxdw r1, [r0+0]\nand r1, 15\nsub r0, r1\nldxb r2, [r0+0]'),
  // --- scalar + pointer, pointer + pointer, scalar - pointer, pointer - pointer ---
  value('ptr-scalar-plus-pointer', 'r1 = 12; r1 += value makes r1 the pointer value + 12', 'mov r1, 12\nadd r1, r0\nldxw r2, [r1+0]'),
  value('ptr-scalar-plus-pointer-oob', 'r1 = 13; r1 += value: the word read at value + 13 is out of bounds', 'mov r1, 13\nadd r1, r0\nldxw r2, [r1+0]'),
  value('ptr-pointer-plus-pointer', 'value += fp is refused: "pointer += pointer"', 'mov r1, r10\nadd r0, r1'),
  value('ptr-fp-plus-pointer', 'a frame-pointer copy += value is refused: "pointer += pointer"', 'mov r1, r10\nadd r1, r0'),
  value('ptr-scalar-minus-pointer', 'r1 = 16; r1 -= value is refused: a pointer cannot be subtracted from a scalar', 'mov r1, 16\nsub r1, r0'),
  value('ptr-pointer-minus-pointer', 'as root, pointer - pointer (value - fp) is allowed and gives a scalar', 'mov r1, r0\nsub r1, r10\nmov r0, r1\nexit'),
  value('ptr-pointer-minus-pointer-deref', 'the difference of two pointers is a scalar: dereferencing it is refused', 'mov r1, r0\nadd r1, 8\nsub r1, r0\nldxw r2, [r1+0]'),
  value('ptr-pointer-minus-pointer-unknown', '(value + 8) - value is an unknown scalar, not 8: as an index it is unbounded', 'mov r1, r0\nadd r1, 8\nsub r1, r0\nadd r0, r1\nldxb r2, [r0+0]'),
  // --- 32-bit ALU on pointers ---
  value('ptr-alu32-add', 'w0 += 4 on a map value pointer is refused: 32-bit pointer arithmetic', 'add32 r0, 4'),
  value('ptr-alu32-sub', 'as root, w0 -= 4 on a pointer is allowed (the only 32-bit op that is) and gives a scalar', 'sub32 r0, 4'),
  value('ptr-alu32-sub-deref', 'w0 -= 4 turned the pointer into a scalar: reading through it is refused', 'sub32 r0, 4\nldxw r1, [r0+0]'),
  plain('ptr-alu32-add-fp', 'w1 += 8 on a frame-pointer copy is refused: 32-bit pointer arithmetic', 'mov r1, r10\nadd32 r1, 8'),
  value('ptr-mov32-partial-copy', 'as root, w1 = w0 of a pointer gives a scalar: reading through it is refused', 'mov32 r1, r0\nldxw r2, [r1+0]'),
  value('ptr-mov64-copy', 'a 64-bit copy of a pointer is the same pointer: reading through it is accepted', 'mov r1, r0\nldxw r2, [r1+12]'),
  // --- bitwise, multiplicative, shifts, neg, byte swap ---
  value('ptr-and-pointer', 'value &= -4 is refused: bitwise operators on pointers', 'and r0, -4'),
  value('ptr-or-pointer', 'value |= 1 is refused', 'or r0, 1'),
  value('ptr-xor-pointer', 'value ^= r1 is refused', 'mov r1, 0\nxor r0, r1'),
  value('ptr-mul-pointer', 'value *= 1 is refused: pointer arithmetic with *=', 'mul r0, 1'),
  value('ptr-div-pointer', 'value /= 1 is refused', 'div r0, 1'),
  value('ptr-lsh-pointer', 'value <<= 1 is refused', 'lsh r0, 1'),
  value('ptr-rsh-pointer', 'value >>= 1 is refused', 'rsh r0, 1'),
  value('ptr-arsh-pointer', 'value s>>= 1 is refused', 'arsh r0, 1'),
  value('ptr-mod-pointer', 'value %= 3 is refused', 'mod r0, 3'),
  value('ptr-bitwise-on-scalar-first', 'the same mask applied to the scalar offset before adding it is fine', 'ldxdw r1, [r0+0]\nand r1, 0xc\nadd r0, r1\nldxw r2, [r0+0]'),
  value('ptr-neg-pointer', 'as root, neg of a pointer is allowed and gives a scalar', 'neg r0\nmov r0, 0'),
  value('ptr-neg-pointer-deref', 'neg turned the pointer into a scalar: dereferencing it is refused', 'neg r0\nldxw r1, [r0+0]'),
  value('ptr-bswap-pointer', 'as root, a byte swap of a pointer is allowed and gives a scalar', 'be64 r0\nmov r0, 0'),
  value('ptr-bswap-pointer-deref', 'a byte-swapped pointer is a scalar: dereferencing it is refused', 'bswap32 r0\nldxw r1, [r0+0]'),
  // --- maybe-null, map_ptr, pkt_end: no arithmetic ---
  nullable('ptr-or-null-add', 'arithmetic on map_value_or_null before the null check is refused', 'add r0, 4\njeq r0, 0, out'),
  nullable('ptr-or-null-add-zero', 'even + 0 on a map_value_or_null is refused', 'add r0, 0\njeq r0, 0, out'),
  value('ptr-or-null-add-after-check', 'after `if r0 == 0 goto out` the pointer is map_value: arithmetic is allowed', 'add r0, 4\nldxw r1, [r0+0]'),
  { ...plain('ptr-map-ptr-add', 'arithmetic on a map_ptr (lddw map_fd) is refused', 'lddw r1, map_fd 0\nadd r1, 8'), maps: [VALUE16] },
  value('ptr-map-ptr-copy', 'a map_ptr may be copied and the copy passed to a helper', 'lddw r7, map_fd 0\nmov r1, r7\nmov r2, r10\nadd r2, -4\ncall 1'),
  pkt('ptr-pkt-end-add', 'data_end - 1 (add -1) is refused: arithmetic on pkt_end', 'add r3, -1'),
  pkt('ptr-pkt-end-sub', 'data_end -= 8 is refused', 'sub r3, 8'),
  // --- packet pointers ---
  pkt('ptr-pkt-add-checked', 'data + 8 <= data_end proven: an 8-byte read at data is accepted', `${PKT8}\nldxdw r0, [r2+0]`),
  pkt('ptr-pkt-add-checked-oob', 'data + 8 <= data_end proven: an 8-byte read at data + 1 is past the proven range', `${PKT8}\nldxdw r0, [r2+1]`),
  pkt('ptr-pkt-add-var-resets-range', 'data + (a packet byte) gets a new id with range 0: reading it needs a new check', `${PKT8}\nldxb r5, [r2+0]\nadd r2, r5\nldxb r0, [r2+0]`),
  pkt('ptr-pkt-add-var-rechecked', 'data + (a packet byte), checked again against data_end: the read is accepted', `${PKT8}\nldxb r5, [r2+0]\nadd r2, r5\nmov r4, r2\nadd r4, 1\njgt r4, r3, out\nldxb r0, [r2+0]`),
  pkt('ptr-pkt-add-unbounded', 'data + an unbounded u64 read from the packet is refused at the add', `${PKT8}\nldxdw r5, [r2+0]\nadd r2, r5`),
  pkt('ptr-pkt-cmp-jmp32', 'a JMP32 comparison of packet pointers is allowed as root but proves nothing: the read is refused', 'mov r4, r2\nadd r4, 8\njgt32 r4, r3, out\nldxdw r0, [r2+0]'),
  // --- ctx ---
  plain('ptr-ctx-offset-deref', 'ctx + 4 dereferenced is refused: a modified ctx pointer', 'add r1, 4\nldxw r0, [r1+0]'),
  plain('ptr-ctx-insn-offset', 'the same field read through the instruction offset [r1+4] is accepted', 'ldxw r0, [r1+4]'),
  plain('ptr-ctx-offset-and-back', 'ctx + 4 - 4 is back at offset 0 and may be dereferenced', 'add r1, 4\nadd r1, -4\nldxw r0, [r1+0]'),
  plain('ptr-ctx-offset-no-deref', 'ctx + 8 is legal while not dereferenced', 'mov r2, r1\nadd r2, 8\nldxw r0, [r1+0]'),
  plain('ptr-ctx-var-offset', 'ctx + an unknown scalar dereferenced is refused: variable ctx access', 'ldxw r2, [r1+0]\nand r2, 4\nadd r1, r2\nldxw r0, [r1+0]'),
  plain('ptr-ctx-offset-sched-cls', 'sched_cls: ctx + 76 then a read of data is refused like any modified ctx', 'add r1, 76\nldxw r0, [r1+0]', SCHED_CLS),
  plain('ptr-ctx-insn-offset-sched-cls', 'sched_cls: [r1+76] (skb->data) through the instruction offset is accepted', 'ldxw r0, [r1+76]', SCHED_CLS),
  // --- pointer comparisons as root ---
  value('ptr-cmp-value-fp', 'as root, comparing two pointers of different types is allowed', 'jgt r0, r10, out\nldxw r1, [r0+0]'),
  value('ptr-cmp-jmp32-pointers', 'as root, a JMP32 comparison of pointers is allowed', 'jeq32 r0, r10, out\nldxw r1, [r0+0]'),
  value('ptr-cmp-pointer-scalar', 'as root, comparing a pointer with a scalar is allowed', 'ldxdw r1, [r0+0]\njsgt r0, r1, out\nldxw r1, [r0+0]'),
  nullable('ptr-cmp-jgt-not-null-check', '`if r0 > 0` is not a null check: the value is still maybe-null', 'jgt r0, 0, ok\nja out\nok:\nldxw r1, [r0+0]'),
  nullable('ptr-cmp-jne-null-check', '`if r0 != 0` is a null check: the taken branch may read', 'jne r0, 0, ok\nja out\nok:\nldxw r1, [r0+0]'),
  nullable('ptr-cmp-jne32-not-null-check', 'a JMP32 `if w0 != 0` does not null-check the pointer', 'jne32 r0, 0, ok\nja out\nok:\nldxw r1, [r0+0]'),
  nullable('ptr-cmp-reg-zero-null-check', '`if r0 != r1` with r1 = 0 in a register is not a null check (only an immediate 0 is): the read is refused', 'mov r1, 0\njne r0, r1, ok\nja out\nok:\nldxw r1, [r0+0]'),
  nullable('ptr-cmp-reg-unknown-not-null-check', '`if r0 != r7` with r7 an unknown scalar proves nothing about null', 'ldxw r7, [r6+0]\njne r0, r7, ok\nja out\nok:\nldxw r1, [r0+0]'),
  // --- null checks and copies (ids) ---
  nullable('ptr-null-deref-before-check', 'reading a map_value_or_null before the null check is refused', 'ldxw r1, [r0+0]'),
  nullable('ptr-null-branch-is-scalar', 'on the == 0 branch the pointer is the scalar 0: reading it is refused', 'jne r0, 0, out\nldxw r1, [r0+0]'),
  nullable('ptr-null-check-copy-deref-copy', 'r7 = r0 before the check: checking r0 makes r7 non-null too', 'mov r7, r0\njeq r0, 0, out\nldxw r1, [r7+0]'),
  nullable('ptr-null-check-copy-deref-orig', 'r7 = r0, then checking the copy r7 makes r0 non-null', 'mov r7, r0\njeq r7, 0, out\nldxw r1, [r0+0]'),
  nullable('ptr-null-check-copy-null-branch', 'r7 = r0; on the r0 == 0 branch r7 is the scalar 0 too', 'mov r7, r0\njne r0, 0, out\nldxw r1, [r7+0]'),
  nullable(
    'ptr-null-check-other-lookup',
    'two lookups have different ids: checking the second does not make the first non-null',
    'mov r7, r0\nstw [r10-8], 0\nmov r2, r10\nadd r2, -8\nlddw r1, map_fd 0\ncall 1\njeq r0, 0, out\nldxw r1, [r7+0]',
  ),
  nullable(
    'ptr-null-check-both-lookups',
    'two lookups, each null-checked: both may be read',
    'mov r7, r0\nstw [r10-8], 0\nmov r2, r10\nadd r2, -8\nlddw r1, map_fd 0\ncall 1\njeq r0, 0, out\njeq r7, 0, out\nldxw r1, [r7+0]\nldxw r1, [r0+0]',
  ),
  nullable('ptr-null-check-spilled-copy', 'r0 spilled before the check; the filled copy is non-null after checking r0', 'stxdw [r10-16], r0\njeq r0, 0, out\nldxdw r1, [r10-16]\nldxw r2, [r1+0]'),
  nullable('ptr-null-check-spilled-null-branch', 'r0 spilled; on the r0 == 0 branch the spilled copy is the scalar 0', 'stxdw [r10-16], r0\njne r0, 0, out\nldxdw r1, [r10-16]\nldxw r2, [r1+0]'),
  nullable('ptr-null-check-filled-copy', 'r0 spilled and filled into r1; checking r1 makes r0 non-null (the fill keeps the id)', 'stxdw [r10-16], r0\nldxdw r1, [r10-16]\njeq r1, 0, out\nldxw r2, [r0+0]'),
  nullable('ptr-null-check-spilled-unchecked', 'r0 spilled, never checked: the filled copy is still maybe-null', 'stxdw [r10-16], r0\nldxdw r1, [r10-16]\nldxw r2, [r1+0]'),
  // --- returning pointers (root) ---
  ret('ptr-return-fp-socket-filter', 'as root, a socket filter may return the frame pointer', 'mov r0, r10', SOCKET_FILTER),
  ret('ptr-return-fp-xdp', 'as root, XDP returning the frame pointer: the return-value check on a pointer', 'mov r0, r10', XDP),
  ret('ptr-return-ctx-sched-cls', 'as root, sched_cls returning the ctx pointer', 'mov r0, r1', SCHED_CLS),
  ret('ptr-return-scalar-xdp', 'XDP returning XDP_PASS (2), a scalar', 'mov r0, 2', XDP),
];
