/**
 * The BPF instruction set as data. Source: RFC 9669 "BPF Instruction Set Architecture (ISA)"
 * (sections 3-5), plus the Linux extensions the RFC leaves out and clang/the kernel use:
 * `callx` (BPF_CALL|BPF_X), `may_goto` (BPF_JMP|BPF_JCOND, kernel 6.9), and the atomic
 * load-acquire/store-release sub-ops (kernel 6.15, include/uapi/linux/bpf.h).
 *
 * Opcode byte layout (RFC 9669 §3):
 *
 *   arithmetic/jump:  +-------+---+-----+      load/store:  +-----+------+-----+
 *                     | code:4|s:1|cls:3|                   |mode:3|size:2|cls:3|
 *                     +-------+---+-----+                   +-----+------+-----+
 *
 * The decoder turns each instruction into a *decoded op*: the opcode byte itself for almost every
 * instruction (so the interpreter's `case 0x07:` reads like the spec), and an internal pseudo-code
 * for the few variants that the opcode byte alone does not identify (sdiv/smod by `off`, movsx by
 * `off`, call by `src`). Pseudo-codes live in LD-class slots that are invalid as raw opcodes.
 */

// --- RFC 9669 §3.1: instruction classes -------------------------------------------------------
export const CLS_LD = 0x00;
export const CLS_LDX = 0x01;
export const CLS_ST = 0x02;
export const CLS_STX = 0x03;
export const CLS_ALU = 0x04;
export const CLS_JMP = 0x05;
export const CLS_JMP32 = 0x06;
export const CLS_ALU64 = 0x07;

// --- RFC 9669 §4: source ---------------------------------------------------------------------
export const SRC_K = 0x00;
export const SRC_X = 0x08;

// --- RFC 9669 §4.1: arithmetic codes (upper nibble) -------------------------------------------
export const ALU_ADD = 0x00;
export const ALU_SUB = 0x10;
export const ALU_MUL = 0x20;
export const ALU_DIV = 0x30;
export const ALU_OR = 0x40;
export const ALU_AND = 0x50;
export const ALU_LSH = 0x60;
export const ALU_RSH = 0x70;
export const ALU_NEG = 0x80;
export const ALU_MOD = 0x90;
export const ALU_XOR = 0xa0;
export const ALU_MOV = 0xb0;
export const ALU_ARSH = 0xc0;
export const ALU_END = 0xd0;

// --- RFC 9669 §4.3: jump codes (upper nibble) -------------------------------------------------
export const JMP_JA = 0x00;
export const JMP_JEQ = 0x10;
export const JMP_JGT = 0x20;
export const JMP_JGE = 0x30;
export const JMP_JSET = 0x40;
export const JMP_JNE = 0x50;
export const JMP_JSGT = 0x60;
export const JMP_JSGE = 0x70;
export const JMP_CALL = 0x80;
export const JMP_EXIT = 0x90;
export const JMP_JLT = 0xa0;
export const JMP_JLE = 0xb0;
export const JMP_JSLT = 0xc0;
export const JMP_JSLE = 0xd0;
/** Linux BPF_JCOND (may_goto), not in RFC 9669. */
export const JMP_JCOND = 0xe0;

// --- RFC 9669 §5: load/store size and mode -----------------------------------------------------
export const SZ_W = 0x00;
export const SZ_H = 0x08;
export const SZ_B = 0x10;
export const SZ_DW = 0x18;

export const MODE_IMM = 0x00;
export const MODE_ABS = 0x20;
export const MODE_IND = 0x40;
export const MODE_MEM = 0x60;
export const MODE_MEMSX = 0x80;
export const MODE_ATOMIC = 0xc0;

/** Bytes moved by each size field value. */
export const SIZE_BYTES: Readonly<Record<number, 1 | 2 | 4 | 8>> = { [SZ_W]: 4, [SZ_H]: 2, [SZ_B]: 1, [SZ_DW]: 8 };

// --- RFC 9669 §5.3: atomic sub-operations (in imm) --------------------------------------------
export const ATOMIC_FETCH = 0x01;
export const ATOMIC_ADD = 0x00;
export const ATOMIC_OR = 0x40;
export const ATOMIC_AND = 0x50;
export const ATOMIC_XOR = 0xa0;
export const ATOMIC_XCHG = 0xe0 | ATOMIC_FETCH;
export const ATOMIC_CMPXCHG = 0xf0 | ATOMIC_FETCH;
/** Linux 6.15 BPF_LOAD_ACQ / BPF_STORE_REL (include/uapi/linux/bpf.h). */
export const ATOMIC_LOAD_ACQ = 0x100;
export const ATOMIC_STORE_REL = 0x110;

// --- RFC 9669 §4.3.1 / §5.4: src_reg meanings of call and lddw ------------------------------
export const PSEUDO_CALL_HELPER = 0;
export const PSEUDO_CALL_LOCAL = 1;
export const PSEUDO_CALL_KFUNC = 2;

/** lddw src_reg forms (RFC 9669 §5.4 table 11). */
export const LDDW_IMM64 = 0;
export const LDDW_MAP_FD = 1;
export const LDDW_MAP_VALUE = 2;
export const LDDW_VARIABLE = 3;
export const LDDW_CODE = 4;
export const LDDW_MAP_IDX = 5;
export const LDDW_MAP_IDX_VALUE = 6;

// --- Internal pseudo-codes (decoded ops that are not raw opcodes) ------------------------------
// All are CLS_LD encodings that RFC 9669 leaves undefined, so they can never collide with a
// valid raw instruction.
export const XOP_SDIV64_K = 0x38;
export const XOP_SDIV64_X = 0x58;
export const XOP_SMOD64_K = 0x60;
export const XOP_SMOD64_X = 0x68;
export const XOP_SDIV32_K = 0x70;
export const XOP_SDIV32_X = 0x78;
export const XOP_SMOD32_K = 0x80;
export const XOP_SMOD32_X = 0x88;
export const XOP_MOVSX64_8 = 0x90;
export const XOP_MOVSX64_16 = 0x98;
export const XOP_MOVSX64_32 = 0xa0;
export const XOP_MOVSX32_8 = 0xa8;
export const XOP_MOVSX32_16 = 0xb0;
export const XOP_CALL_LOCAL = 0xb8;
export const XOP_CALL_KFUNC = 0xc0;
/** Second slot of an lddw: never executed, never a jump target. */
export const XOP_LDDW_HI = 0xc8;
/** An instruction the loader poisoned (e.g. an unsatisfiable CO-RE relocation): faults if reached. */
export const XOP_POISON = 0xd0;
/** Word 2 of an XOP_POISON slot whose fault kind is `invalid` (a write to r10) rather than `poisoned`. */
export const POISON_INVALID = 1;
/** `rX = addr_space_cast(rY, dst_as, src_as)`: ALU64 MOV X with off = 1 (BPF_ADDR_SPACE_CAST), imm in word 2. */
export const XOP_ADDR_SPACE_CAST = 0xe0;
/** BPF_ADDR_SPACE_CAST: the off of a MOV64 X that casts between address spaces (include/uapi/linux/bpf.h). */
export const ADDR_SPACE_CAST_OFF = 1;
/** addr_space_cast imm 1: as(1) -> as(0) (cast_kern: the verifier makes it a 32-bit move, result PTR_TO_ARENA). */
export const CAST_IMM_KERN = 1;
/** addr_space_cast imm 1 << 16: as(0) -> as(1) (cast_user: 0 stays 0, else user_vm_start's upper half | low 32 bits). */
export const CAST_IMM_USER = 1 << 16;

// --- Arena access modes (the kernel's internal BPF_PROBE_MEM32 / BPF_PROBE_MEM32SX / BPF_PROBE_ATOMIC
// of include/linux/filter.h, 6.18): the verifier's rewrite of a load, store or atomic through a
// PTR_TO_ARENA register (convert_ctx_accesses). Decoded ops are `class | mode | size`, as the kernel's.
/** BPF_PROBE_MEM: LDX through a BTF pointer (a fault reads 0; include/linux/filter.h). */
export const MODE_PROBE_MEM = 0x20;
/** BPF_PROBE_MEMSX: sign-extending LDX through a BTF pointer. */
export const MODE_PROBE_MEMSX = 0x40;
/** BPF_PROBE_MEM32: LDX/ST/STX through an arena pointer. */
export const MODE_PROBE_MEM32 = 0xa0;
/** BPF_PROBE_MEM32SX: sign-extending LDX through an arena pointer. */
export const MODE_PROBE_MEM32SX = 0xc0;
/** BPF_PROBE_ATOMIC: STX atomic through an arena pointer. */
export const MODE_PROBE_ATOMIC = 0xe0;

/** Operand shapes; the assembler, disassembler and validator switch on these. */
export type Form =
  | 'alu_k' // dst op= imm
  | 'alu_x' // dst op= src
  | 'neg' // dst = -dst
  | 'end' // byte swap, width in imm
  | 'movsx' // dst = (sN) src, N in off
  | 'addr_space_cast' // dst = addr_space_cast(src, dst_as, src_as), as pair in imm
  | 'ja' // goto off
  | 'ja32' // goto imm
  | 'jmp_k' // if dst op imm goto off
  | 'jmp_x' // if dst op src goto off
  | 'call_helper' // call imm
  | 'call_local' // call pc+imm+1
  | 'call_kfunc' // call kfunc imm
  | 'callx' // call helper id in dst
  | 'exit'
  | 'may_goto'
  | 'ldx' // dst = *(size *)(src + off)
  | 'ldsx' // dst = *(s size *)(src + off)
  | 'st' // *(size *)(dst + off) = imm
  | 'stx' // *(size *)(dst + off) = src
  | 'atomic' // lock op, sub-op in imm
  | 'lddw' // dst = imm64 (two slots)
  | 'ldabs' // r0 = ntoh(*(size *)(skb + imm))
  | 'ldind'; // r0 = ntoh(*(size *)(skb + src + imm))

/** One valid encoding (an opcode byte, possibly narrowed by off/imm/src). */
export interface OpcodeSpec {
  /** The raw opcode byte. */
  readonly code: number;
  /** The field whose value distinguishes this variant, if the byte alone does not. */
  readonly variant?: { readonly field: 'off' | 'imm' | 'src'; readonly value: number };
  /** Decoded op the interpreter switches on. */
  readonly op: number;
  /** Mnemonic in the bpf_conformance/uBPF dialect (`add32`, `ldxsb`, `movsx832`, `call`, `lock`). */
  readonly mnemonic: string;
  readonly form: Form;
  /** ALU width in bits (32 or 64), or 0. */
  readonly width: 0 | 32 | 64;
  /** Memory access size in bytes, or 0. */
  readonly size: 0 | 1 | 2 | 4 | 8;
  /** ALU/JMP operation nibble (ALU_* or JMP_*), or -1. */
  readonly aluOp: number;
  /** Fields that must be zero (RFC 9669 "reserved"; kernel check_*). */
  readonly zero: readonly ('dst' | 'src' | 'off' | 'imm')[];
  /** The instruction writes its dst register. */
  readonly writesDst: boolean;
}

const ALU_NAMES: Readonly<Record<number, string>> = {
  [ALU_ADD]: 'add',
  [ALU_SUB]: 'sub',
  [ALU_MUL]: 'mul',
  [ALU_DIV]: 'div',
  [ALU_OR]: 'or',
  [ALU_AND]: 'and',
  [ALU_LSH]: 'lsh',
  [ALU_RSH]: 'rsh',
  [ALU_NEG]: 'neg',
  [ALU_MOD]: 'mod',
  [ALU_XOR]: 'xor',
  [ALU_MOV]: 'mov',
  [ALU_ARSH]: 'arsh',
};

const JMP_NAMES: Readonly<Record<number, string>> = {
  [JMP_JEQ]: 'jeq',
  [JMP_JGT]: 'jgt',
  [JMP_JGE]: 'jge',
  [JMP_JSET]: 'jset',
  [JMP_JNE]: 'jne',
  [JMP_JSGT]: 'jsgt',
  [JMP_JSGE]: 'jsge',
  [JMP_JLT]: 'jlt',
  [JMP_JLE]: 'jle',
  [JMP_JSLT]: 'jslt',
  [JMP_JSLE]: 'jsle',
};

const SIZE_SUFFIX: Readonly<Record<number, string>> = { [SZ_W]: 'w', [SZ_H]: 'h', [SZ_B]: 'b', [SZ_DW]: 'dw' };

/** Atomic sub-operations valid in imm (RFC 9669 §5.3 table 10, plus Linux load-acquire/store-release). */
export const ATOMIC_OPS: readonly { readonly imm: number; readonly name: string; readonly fetch: boolean }[] = [
  { imm: ATOMIC_ADD, name: 'add', fetch: false },
  { imm: ATOMIC_ADD | ATOMIC_FETCH, name: 'add', fetch: true },
  { imm: ATOMIC_OR, name: 'or', fetch: false },
  { imm: ATOMIC_OR | ATOMIC_FETCH, name: 'or', fetch: true },
  { imm: ATOMIC_AND, name: 'and', fetch: false },
  { imm: ATOMIC_AND | ATOMIC_FETCH, name: 'and', fetch: true },
  { imm: ATOMIC_XOR, name: 'xor', fetch: false },
  { imm: ATOMIC_XOR | ATOMIC_FETCH, name: 'xor', fetch: true },
  { imm: ATOMIC_XCHG, name: 'xchg', fetch: true },
  { imm: ATOMIC_CMPXCHG, name: 'cmpxchg', fetch: true },
];

function spec(s: Omit<OpcodeSpec, 'width' | 'size' | 'aluOp' | 'zero' | 'writesDst'> & Partial<OpcodeSpec>): OpcodeSpec {
  return { width: 0, size: 0, aluOp: -1, zero: [], writesDst: false, ...s };
}

function buildTable(): OpcodeSpec[] {
  const t: OpcodeSpec[] = [];

  // Arithmetic (RFC 9669 §4.1). ALU64 and ALU, each with K and X sources.
  for (const [cls, width, sfx] of [
    [CLS_ALU64, 64, ''],
    [CLS_ALU, 32, '32'],
  ] as const) {
    for (const aluOpStr of Object.keys(ALU_NAMES)) {
      const aluOp = Number(aluOpStr);
      const name = ALU_NAMES[aluOp]!;
      if (aluOp === ALU_NEG) {
        // RFC 9669: NEG uses only K; src and imm are reserved (kernel: imm, off, src all 0).
        t.push(spec({ code: cls | SRC_K | aluOp, op: cls | SRC_K | aluOp, mnemonic: name + sfx, form: 'neg', width, aluOp, zero: ['src', 'off', 'imm'], writesDst: true }));
        continue;
      }
      for (const src of [SRC_K, SRC_X] as const) {
        const code = cls | src | aluOp;
        const form = src === SRC_K ? 'alu_k' : 'alu_x';
        const zeroes: ('src' | 'off' | 'imm')[] = src === SRC_K ? ['src'] : ['imm'];
        if (aluOp === ALU_DIV || aluOp === ALU_MOD) {
          // RFC 9669 §4.1: off=0 unsigned, off=1 signed (sdiv/smod).
          t.push(spec({ code, variant: { field: 'off', value: 0 }, op: code, mnemonic: name + sfx, form, width, aluOp, zero: zeroes, writesDst: true }));
          const signed = aluOp === ALU_DIV ? 'sdiv' : 'smod';
          const xop =
            width === 64
              ? aluOp === ALU_DIV
                ? src === SRC_K ? XOP_SDIV64_K : XOP_SDIV64_X
                : src === SRC_K ? XOP_SMOD64_K : XOP_SMOD64_X
              : aluOp === ALU_DIV
                ? src === SRC_K ? XOP_SDIV32_K : XOP_SDIV32_X
                : src === SRC_K ? XOP_SMOD32_K : XOP_SMOD32_X;
          t.push(spec({ code, variant: { field: 'off', value: 1 }, op: xop, mnemonic: signed + sfx, form, width, aluOp, zero: zeroes, writesDst: true }));
          continue;
        }
        if (aluOp === ALU_MOV && src === SRC_X) {
          // RFC 9669 §4.1: MOVSX is MOV|X with off = 8/16/32 (32 only for ALU64).
          t.push(spec({ code, variant: { field: 'off', value: 0 }, op: code, mnemonic: name + sfx, form, width, aluOp, zero: ['imm'], writesDst: true }));
          const widths = width === 64 ? [8, 16, 32] : [8, 16];
          for (const w of widths) {
            const xop =
              width === 64
                ? w === 8 ? XOP_MOVSX64_8 : w === 16 ? XOP_MOVSX64_16 : XOP_MOVSX64_32
                : w === 8 ? XOP_MOVSX32_8 : XOP_MOVSX32_16;
            t.push(spec({ code, variant: { field: 'off', value: w }, op: xop, mnemonic: `movsx${w}${width === 64 ? '64' : '32'}`, form: 'movsx', width, aluOp, zero: ['imm'], writesDst: true }));
          }
          if (width === 64) {
            // addr_space_cast (kernel 6.9+, LLVM 18+): imm = dst_as << 16 | src_as; only 1 and 1 << 16
            // are valid, which the verifier checks (check_alu_op), so the decoder keeps any imm.
            t.push(spec({ code, variant: { field: 'off', value: ADDR_SPACE_CAST_OFF }, op: XOP_ADDR_SPACE_CAST, mnemonic: 'addr_space_cast', form: 'addr_space_cast', width, aluOp, zero: [], writesDst: true }));
          }
          continue;
        }
        t.push(spec({ code, op: code, mnemonic: name + sfx, form, width, aluOp, zero: [...zeroes, 'off'], writesDst: true }));
      }
    }
    // Byte swaps (RFC 9669 §4.2): ALU|END|K = to LE, ALU|END|X = to BE, ALU64|END|K = bswap.
    for (const imm of [16, 32, 64]) {
      if (cls === CLS_ALU) {
        t.push(spec({ code: CLS_ALU | SRC_K | ALU_END, variant: { field: 'imm', value: imm }, op: CLS_ALU | SRC_K | ALU_END, mnemonic: `le${imm}`, form: 'end', width: 64, aluOp: ALU_END, zero: ['src', 'off'], writesDst: true }));
        t.push(spec({ code: CLS_ALU | SRC_X | ALU_END, variant: { field: 'imm', value: imm }, op: CLS_ALU | SRC_X | ALU_END, mnemonic: `be${imm}`, form: 'end', width: 64, aluOp: ALU_END, zero: ['src', 'off'], writesDst: true }));
      } else {
        t.push(spec({ code: CLS_ALU64 | SRC_K | ALU_END, variant: { field: 'imm', value: imm }, op: CLS_ALU64 | SRC_K | ALU_END, mnemonic: `bswap${imm}`, form: 'end', width: 64, aluOp: ALU_END, zero: ['src', 'off'], writesDst: true }));
      }
    }
  }

  // Jumps (RFC 9669 §4.3).
  t.push(spec({ code: CLS_JMP | JMP_JA, op: CLS_JMP | JMP_JA, mnemonic: 'ja', form: 'ja', aluOp: JMP_JA, zero: ['dst', 'src', 'imm'] }));
  t.push(spec({ code: CLS_JMP32 | JMP_JA, op: CLS_JMP32 | JMP_JA, mnemonic: 'ja32', form: 'ja32', aluOp: JMP_JA, zero: ['dst', 'src', 'off'] }));
  for (const [cls, width, sfx] of [
    [CLS_JMP, 64, ''],
    [CLS_JMP32, 32, '32'],
  ] as const) {
    for (const jopStr of Object.keys(JMP_NAMES)) {
      const jop = Number(jopStr);
      t.push(spec({ code: cls | SRC_K | jop, op: cls | SRC_K | jop, mnemonic: JMP_NAMES[jop]! + sfx, form: 'jmp_k', width, aluOp: jop, zero: ['src'] }));
      t.push(spec({ code: cls | SRC_X | jop, op: cls | SRC_X | jop, mnemonic: JMP_NAMES[jop]! + sfx, form: 'jmp_x', width, aluOp: jop, zero: ['imm'] }));
    }
  }
  const CALL = CLS_JMP | JMP_CALL;
  t.push(spec({ code: CALL, variant: { field: 'src', value: PSEUDO_CALL_HELPER }, op: CALL, mnemonic: 'call', form: 'call_helper', aluOp: JMP_CALL, zero: ['dst', 'off'] }));
  t.push(spec({ code: CALL, variant: { field: 'src', value: PSEUDO_CALL_LOCAL }, op: XOP_CALL_LOCAL, mnemonic: 'call', form: 'call_local', aluOp: JMP_CALL, zero: ['dst', 'off'] }));
  // kfunc calls carry the module BTF fd index in off (kernel fixup_kfunc_call), so off is free.
  t.push(spec({ code: CALL, variant: { field: 'src', value: PSEUDO_CALL_KFUNC }, op: XOP_CALL_KFUNC, mnemonic: 'call', form: 'call_kfunc', aluOp: JMP_CALL, zero: ['dst'] }));
  // callx: helper id in dst (LLVM's encoding; bpf_conformance `call %rN`).
  t.push(spec({ code: CALL | SRC_X, op: CALL | SRC_X, mnemonic: 'call', form: 'callx', aluOp: JMP_CALL, zero: ['src', 'off', 'imm'] }));
  t.push(spec({ code: CLS_JMP | JMP_EXIT, op: CLS_JMP | JMP_EXIT, mnemonic: 'exit', form: 'exit', aluOp: JMP_EXIT, zero: ['dst', 'src', 'off', 'imm'] }));
  // may_goto: JMP|JCOND|K with src=0 (kernel 6.9 BPF_MAY_GOTO).
  t.push(spec({ code: CLS_JMP | JMP_JCOND, variant: { field: 'src', value: 0 }, op: CLS_JMP | JMP_JCOND, mnemonic: 'may_goto', form: 'may_goto', aluOp: JMP_JCOND, zero: ['dst', 'imm'] }));

  // Loads and stores (RFC 9669 §5.1, §5.2).
  for (const sz of [SZ_W, SZ_H, SZ_B, SZ_DW]) {
    const size = SIZE_BYTES[sz]!;
    const s = SIZE_SUFFIX[sz]!;
    t.push(spec({ code: CLS_LDX | MODE_MEM | sz, op: CLS_LDX | MODE_MEM | sz, mnemonic: 'ldx' + s, form: 'ldx', size, zero: ['imm'], writesDst: true }));
    t.push(spec({ code: CLS_ST | MODE_MEM | sz, op: CLS_ST | MODE_MEM | sz, mnemonic: 'st' + s, form: 'st', size, zero: ['src'] }));
    t.push(spec({ code: CLS_STX | MODE_MEM | sz, op: CLS_STX | MODE_MEM | sz, mnemonic: 'stx' + s, form: 'stx', size, zero: ['imm'] }));
    if (sz !== SZ_DW) {
      t.push(spec({ code: CLS_LDX | MODE_MEMSX | sz, op: CLS_LDX | MODE_MEMSX | sz, mnemonic: 'ldxs' + s, form: 'ldsx', size, zero: ['imm'], writesDst: true }));
      // Legacy packet access (RFC 9669 §5.5); kernel: dst=0, off=0, and src=0 for ABS.
      t.push(spec({ code: CLS_LD | MODE_ABS | sz, op: CLS_LD | MODE_ABS | sz, mnemonic: 'ldabs' + s, form: 'ldabs', size, zero: ['dst', 'src', 'off'] }));
      t.push(spec({ code: CLS_LD | MODE_IND | sz, op: CLS_LD | MODE_IND | sz, mnemonic: 'ldind' + s, form: 'ldind', size, zero: ['dst', 'off'] }));
    }
  }
  // Atomics (RFC 9669 §5.3): 32 and 64 bit; load-acquire/store-release for every size.
  for (const sz of [SZ_W, SZ_DW]) {
    const size = SIZE_BYTES[sz]!;
    const code = CLS_STX | MODE_ATOMIC | sz;
    for (const a of ATOMIC_OPS) {
      t.push(spec({ code, variant: { field: 'imm', value: a.imm }, op: code, mnemonic: 'lock', form: 'atomic', size }));
    }
  }
  for (const sz of [SZ_W, SZ_H, SZ_B, SZ_DW]) {
    const size = SIZE_BYTES[sz]!;
    const code = CLS_STX | MODE_ATOMIC | sz;
    t.push(spec({ code, variant: { field: 'imm', value: ATOMIC_LOAD_ACQ }, op: code, mnemonic: 'lock', form: 'atomic', size, writesDst: true }));
    t.push(spec({ code, variant: { field: 'imm', value: ATOMIC_STORE_REL }, op: code, mnemonic: 'lock', form: 'atomic', size }));
  }
  // 64-bit immediate load (RFC 9669 §5.4) with its src_reg forms 0..6.
  for (let src = LDDW_IMM64; src <= LDDW_MAP_IDX_VALUE; src++) {
    t.push(spec({ code: CLS_LD | MODE_IMM | SZ_DW, variant: { field: 'src', value: src }, op: CLS_LD | MODE_IMM | SZ_DW, mnemonic: 'lddw', form: 'lddw', size: 8, zero: ['off'], writesDst: true }));
  }
  return t;
}

/** Every valid encoding, one entry per (opcode byte, variant). */
export const OPCODES: readonly OpcodeSpec[] = buildTable();

const BY_CODE: ReadonlyMap<number, readonly OpcodeSpec[]> = (() => {
  const m = new Map<number, OpcodeSpec[]>();
  for (const s of OPCODES) {
    const list = m.get(s.code) ?? [];
    list.push(s);
    m.set(s.code, list);
  }
  return m;
})();

/** The specs sharing one opcode byte (empty if the byte is not a valid opcode). */
export function specsForCode(code: number): readonly OpcodeSpec[] {
  return BY_CODE.get(code) ?? [];
}

/** Find the spec of an instruction from its fields, or undefined if the encoding is invalid. */
export function lookupSpec(code: number, src: number, off: number, imm: number): OpcodeSpec | undefined {
  const list = BY_CODE.get(code);
  if (list === undefined) return undefined;
  for (const s of list) {
    const v = s.variant;
    if (v === undefined) return s;
    const actual = v.field === 'off' ? off : v.field === 'imm' ? imm : src;
    if (actual === v.value) return s;
  }
  return undefined;
}

/** Human names of jump operations (shared by disassemblers). */
export const JUMP_OP_NAMES = JMP_NAMES;
/** Human names of ALU operations. */
export const ALU_OP_NAMES = ALU_NAMES;
/** Size suffixes of the mnemonic dialect (`w`, `h`, `b`, `dw`). */
export const SIZE_SUFFIXES = SIZE_SUFFIX;

/** BPF_CLASS(code). */
export function opClass(code: number): number {
  return code & 0x07;
}

/** Number of 8-byte slots an instruction occupies (2 for lddw). */
export function slotsOf(code: number): 1 | 2 {
  return code === (CLS_LD | MODE_IMM | SZ_DW) ? 2 : 1;
}
