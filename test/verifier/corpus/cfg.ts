/**
 * Corpus group `cfg`: the control-flow rules checked before and around the walk — unreachable
 * instructions, jump ranges, the lddw second half, the last instruction, call targets and
 * subprograms (check_subprogs, check_cfg), opcode and reserved-field validation, invalid
 * registers and the read-only frame pointer, the 8-frame call limit and stack depth over call
 * chains (check_max_stack_depth). Every rule has an accepted and a refused case. Socket filters
 * (progType 1) unless said otherwise; `ldxw r2, [r1+0]` reads skb->len, an unknown scalar.
 */
import type { VerifierCase } from './types.js';

const SOCKET_FILTER = 1;
const XDP = 6;

function c(name: string, what: string, asm: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'cfg', what, progType: SOCKET_FILTER, asm, ...extra };
}

/** A program whose main calls f1, f1 calls f2, ... f(n-1): n frames in all; each frame returns 0. */
function callChain(frames: number): string {
  const out: string[] = [];
  for (let i = 0; i < frames; i++) {
    if (i > 0) out.push(`f${i}:`);
    if (i < frames - 1) out.push(`call local f${i + 1}`);
    out.push('mov r0, 0', 'exit');
  }
  return out.join('\n');
}

/** main writes `mainDepth` bytes below r10 then calls sub, which writes `subDepth` bytes below its r10. */
function stackPair(mainDepth: number, subDepth: number): string {
  return [`stdw [r10-${mainDepth}], 0`, 'call local sub', 'mov r0, 0', 'exit', 'sub:', `stdw [r10-${subDepth}], 0`, 'mov r0, 0', 'exit'].join('\n');
}

export const CASES: VerifierCase[] = [
  // --- Unreachable instructions (check_cfg) ---
  c('cfg-min-exit', 'r0 = 0; exit is accepted', 'mov r0, 0\nexit'),
  c('cfg-unreachable-insn', 'an instruction after the last exit that no jump reaches is refused', 'mov r0, 0\nexit\nmov r0, 1\nexit'),
  c('cfg-unreachable-skipped-by-ja', 'an instruction skipped by an unconditional ja is unreachable', 'mov r0, 0\nja +1\nmov r0, 1\nexit'),
  c('cfg-cond-both-arms-reachable', 'both successors of a conditional jump count as reachable', 'ldxw r2, [r1+0]\nmov r0, 0\njeq r2, 0, +1\nmov r0, 1\nexit'),
  c('cfg-unreachable-tail-after-loop-exit', 'code after the exit of the only path is unreachable even when it is a well-formed block', 'mov r0, 0\nexit\nmov r0, 2\nja -2'),

  // --- Jump ranges ---
  c('cfg-jump-to-last-insn', 'a forward jump to the last instruction is in range', 'mov r0, 0\nja +0\nexit'),
  c('cfg-jump-out-of-range-forward', 'ja past the end of the program is refused', 'mov r0, 0\nja +5\nexit'),
  c('cfg-jump-out-of-range-backward', 'ja before instruction 0 is refused', 'mov r0, 0\nja -3\nexit'),
  c('cfg-cond-jump-out-of-range', 'a conditional jump past the end is refused even if never taken at run time', 'mov r0, 0\njeq r0, 1, +7\nexit'),
  c('cfg-ja32-in-range', 'gotol (ja32, imm offset) to an instruction inside the program is accepted', 'ldxw r2, [r1+0]\nmov r0, 0\njeq r2, 0, +1\nja32 +1\nmov r0, 1\nexit'),
  c('cfg-ja32-out-of-range', 'gotol (ja32) past the end is refused', 'mov r0, 0\nja32 +100\nexit'),

  // --- lddw second half ---
  c('cfg-jump-over-lddw', 'a jump over a whole (reachable) lddw lands on the next instruction', 'ldxw r2, [r1+0]\nmov r0, 0\njeq r2, 0, +2\nlddw r0, 0x1122334455667788\nexit'),
  c('cfg-jump-into-lddw-second-half', 'a ja to the second slot of a reachable lddw is refused', 'ldxw r2, [r1+0]\nmov r0, 0\njeq r2, 0, +1\nja +1\nlddw r0, 0x1122334455667788\nexit'),
  c('cfg-jump-into-unreached-lddw-second-half', 'a ja to the second slot of an lddw nothing else reaches: the first slot is reported unreachable', 'mov r0, 0\nja +1\nlddw r0, 0x1122334455667788\nexit'),
  c('cfg-cond-jump-into-lddw-second-half', 'a conditional jump to the second slot of an lddw is refused', 'ldxw r2, [r1+0]\nmov r0, 0\njeq r2, 0, +1\nlddw r0, 0x1122334455667788\nexit'),
  c('cfg-lddw-last-slot-missing', 'an lddw whose second slot is missing (it is the last slot) is refused, as a last insn that is not an exit', 'mov r0, 0\nexit\n.raw 0x0000000000000018'),
  c('cfg-lddw-bad-second-half', 'an lddw whose second slot has a non-zero opcode is refused', 'mov r0, 0\n.raw 0x0000000000000018, 0x00000000000000b7\nexit'),
  c('cfg-lddw-unknown-src', 'an lddw with src_reg 7 (no such pseudo kind) is refused', 'mov r0, 0\n.raw 0x0000000000007118, 0x0000000000000000\nexit'),

  // --- The last instruction ---
  c('cfg-last-insn-not-exit', 'a program that falls off its end (last insn is an ALU op) is refused', 'mov r0, 0'),
  c('cfg-last-insn-cond-jump', 'a conditional jump as the last instruction is refused (it may fall through)', 'ldxw r2, [r1+0]\nmov r0, 0\nja +1\nexit\njeq r2, 0, -2'),
  c('cfg-last-insn-ja', 'an unconditional ja back to an exit is a valid last instruction', 'mov r0, 0\nja +1\nexit\nja -2'),
  c('cfg-empty-program', 'a program with no instructions is refused before verification (E2BIG, empty log)', ''),
  c('cfg-subprog-last-insn-not-exit', 'a subprogram that falls through into the next subprogram is refused', 'call local f1\ncall local f2\nmov r0, 0\nexit\nf1:\nmov r0, 1\nf2:\nmov r0, 2\nexit'),

  // --- Jumps between subprograms ---
  c('cfg-jump-within-subprog', 'jumps that stay inside their subprogram are accepted', 'call local f1\nexit\nf1:\nldxw r2, [r1+0]\nmov r0, 0\njeq r2, 0, +1\nmov r0, 1\nexit'),
  c('cfg-jump-into-other-subprog', 'a jump from main into a subprogram body is refused', 'ldxw r2, [r1+0]\ncall local f1\njeq r2, 0, +2\nmov r0, 0\nexit\nf1:\nmov r0, 1\nexit'),
  c('cfg-jump-out-of-subprog', 'a jump from a subprogram back into main is refused', 'call local f1\nmov r0, 0\nexit\nf1:\nmov r0, 1\nja -3\nexit'),

  // --- Call targets ---
  c('cfg-call-helper-ok', 'a call to a helper available to the type (bpf_get_prandom_u32) is accepted', 'call 7\nexit'),
  c('cfg-call-unknown-helper', 'a call to helper id 12345 (no such helper) is refused', 'call 12345\nmov r0, 0\nexit'),
  c('cfg-call-helper-zero', 'a call to helper id 0 (BPF_FUNC_unspec) is refused', 'call 0\nmov r0, 0\nexit'),
  c('cfg-call-helper-negative', 'a call to helper id -1 is refused', 'call -1\nmov r0, 0\nexit'),
  c('cfg-call-helper-not-for-type', 'a helper that exists but is not offered to socket filters (bpf_redirect) is refused', 'mov r1, 1\nmov r2, 0\ncall 23\nexit'),
  c('cfg-call-local-out-of-range', 'a bpf-to-bpf call past the end of the program is refused', 'call local +10\nmov r0, 0\nexit'),
  c('cfg-call-local-before-start', 'a bpf-to-bpf call before instruction 0 is refused', 'mov r0, 0\ncall local -3\nexit'),
  c('cfg-call-local-into-lddw-second-half', 'a bpf-to-bpf call to the second slot of an lddw is refused (the caller subprogram then ends with the lddw first slot)', 'call local +3\nmov r0, 0\nexit\nlddw r0, 0x1\nexit'),
  c('cfg-callx-register', 'an indirect call (callx r2) is refused', 'mov r2, 0\ncall r2\nmov r0, 0\nexit'),
  c('cfg-kfunc-without-btf', 'a kfunc call whose BTF id does not exist in vmlinux is refused', 'call kfunc 0x7fffff00\nmov r0, 0\nexit'),

  // --- Calls into subprograms ---
  c('cfg-subprog-call-returns', 'main calls a subprogram that returns 3 and returns its value', 'call local f1\nexit\nf1:\nmov r0, 3\nexit'),
  c('cfg-subprog-args-r1-r5', 'R1..R5 of the caller are readable in the callee', 'mov r2, 2\nmov r3, 3\nmov r4, 4\nmov r5, 5\ncall local f1\nexit\nf1:\nmov r0, r2\nadd r0, r3\nadd r0, r4\nadd r0, r5\nexit'),
  c('cfg-subprog-r6-not-passed', 'R6 of the caller is not initialised in the callee', 'mov r6, 1\ncall local f1\nexit\nf1:\nmov r0, r6\nexit'),
  c('cfg-subprog-r1-clobbered', 'R1..R5 are not readable in the caller after a call returns', 'mov r1, 1\ncall local f1\nmov r0, r1\nexit\nf1:\nmov r0, 0\nexit'),
  c('cfg-subprog-r6-preserved', 'R6..R9 of the caller survive a call', 'mov r6, 5\ncall local f1\nmov r0, r6\nexit\nf1:\nmov r6, 9\nmov r0, 0\nexit'),
  c('cfg-subprog-r0-unset-unread', 'a subprogram exiting with R0 unset is accepted when the caller never reads R0', 'call local f1\nmov r0, 0\nexit\nf1:\nexit'),
  c('cfg-subprog-r0-unset-read', 'the caller reading R0 of a subprogram that never set it is refused', 'call local f1\nexit\nf1:\nexit'),
  c('cfg-subprog-dead-call-garbage', 'a subprogram called only from dead code is never walked, so its bad body (r10 write) is accepted', 'mov r0, 0\njeq r0, 1, +2\nmov r0, 0\nexit\ncall local f1\nexit\nf1:\nmov r10, 0\nmov r0, 0\nexit'),
  c('cfg-subprog-live-call-garbage', 'the same subprogram called from live code is walked and refused', 'mov r0, 0\njeq r0, 0, +2\nmov r0, 0\nexit\ncall local f1\nexit\nf1:\nmov r10, 0\nmov r0, 0\nexit'),
  c('cfg-subprog-called-twice', 'a subprogram called from two sites is verified at both', 'call local f1\nmov r6, r0\ncall local f1\nadd r0, r6\nexit\nf1:\nmov r0, 1\nexit'),
  c('cfg-subprog-ctx-arg', 'the ctx pointer passed in R1 keeps its type in the callee (ctx load)', 'call local f1\nexit\nf1:\nldxw r0, [r1+0]\nexit'),
  c('cfg-subprog-ctx-arg-bad-offset', 'a callee reading the passed ctx out of bounds is refused like main would be', 'call local f1\nexit\nf1:\nldxw r0, [r1+4096]\nexit'),

  // --- Recursion and the 8-frame limit ---
  c('cfg-frames-8-ok', 'a call chain of 8 frames (main + 7 nested subprograms) is accepted', callChain(8)),
  c('cfg-frames-9-too-deep', 'a call chain of 9 frames is refused', callChain(9)),
  c('cfg-recursion-direct', 'a subprogram calling itself unconditionally is refused (frame limit)', 'call local f1\nexit\nf1:\ncall local f1\nmov r0, 0\nexit'),
  c('cfg-recursion-mutual', 'two subprograms calling each other are refused (frame limit)', 'call local f1\nexit\nf1:\ncall local f2\nmov r0, 0\nexit\nf2:\ncall local f1\nmov r0, 0\nexit'),
  c('cfg-recursion-main', 'a subprogram calling instruction 0 (main) is refused', 'ldxw r2, [r1+0]\njeq r2, 0, +2\ncall local f1\nexit\nmov r0, 0\nexit\nf1:\ncall local -7\nmov r0, 0\nexit'),

  // --- Stack depth per subprogram and over call chains ---
  c('cfg-stack-512-main', 'main writing at r10-512 (the frame limit) is accepted', 'stdw [r10-512], 0\nmov r0, 0\nexit'),
  c('cfg-stack-520-main', 'main writing at r10-520 (below the 512-byte frame) is refused', 'stdw [r10-520], 0\nmov r0, 0\nexit'),
  c('cfg-stack-512-subprog', 'a subprogram writing at r10-512 of its own frame is accepted', 'call local f1\nexit\nf1:\nstdw [r10-512], 0\nmov r0, 0\nexit'),
  c('cfg-stack-520-subprog', 'a subprogram writing at r10-520 of its own frame is refused', 'call local f1\nexit\nf1:\nstdw [r10-520], 0\nmov r0, 0\nexit'),
  c('cfg-stack-combined-512', 'two frames of 256 bytes (combined 512) are accepted', stackPair(256, 256)),
  c('cfg-stack-combined-over-512', 'frames of 256 and 264 bytes (264 rounds up, combined > 512) are refused', stackPair(256, 264)),
  c('cfg-stack-combined-rounding', 'frames of 8 and 504 bytes: rounding of the small frame pushes the chain past 512', stackPair(8, 504)),
  c('cfg-stack-combined-three-frames', 'three frames of 192 bytes (576) are refused', 'stdw [r10-192], 0\ncall local f1\nmov r0, 0\nexit\nf1:\nstdw [r10-192], 0\ncall local f2\nmov r0, 0\nexit\nf2:\nstdw [r10-192], 0\nmov r0, 0\nexit'),
  c('cfg-stack-combined-siblings', 'two sibling calls of 256 bytes each from a 256-byte main (each chain 512) are accepted', 'stdw [r10-256], 0\ncall local f1\ncall local f2\nmov r0, 0\nexit\nf1:\nstdw [r10-256], 0\nmov r0, 0\nexit\nf2:\nstdw [r10-256], 0\nmov r0, 0\nexit'),
  c('cfg-stack-combined-deepest-chain', 'the deepest chain counts: main 128 -> f1 128 -> f2 320 (576) is refused though main -> f2 alone fits', 'stdw [r10-128], 0\ncall local f1\ncall local f2\nmov r0, 0\nexit\nf1:\nstdw [r10-128], 0\ncall local f2\nmov r0, 0\nexit\nf2:\nstdw [r10-320], 0\nmov r0, 0\nexit'),

  // --- Opcodes and reserved fields ---
  c('cfg-unknown-opcode-ff', 'opcode 0xff is refused', 'mov r0, 0\n.raw 0x00000000000000ff\nexit'),
  c('cfg-unknown-opcode-alu-0xe0', 'ALU64 op 0xe (no such ALU operation, code 0xe7) is refused', 'mov r0, 0\n.raw 0x00000000000000e7\nexit'),
  c('cfg-unknown-opcode-jmp-0xf5', 'JMP op 0xf (no such jump, code 0xf5) is refused', 'mov r0, 0\n.raw 0x00000000000000f5\nexit'),
  c('cfg-reserved-mov-src', 'mov r0, imm with a non-zero src_reg field is refused', 'mov r0, 0\n.raw 0x00000000000010b7\nexit'),
  c('cfg-reserved-alu-off', 'add r0, imm with a non-zero off field is refused', 'mov r0, 0\n.raw 0x0000000000010007\nexit'),
  c('cfg-reserved-exit-imm', 'exit with a non-zero imm field is refused', 'mov r0, 0\n.raw 0x0000000100000095'),
  c('cfg-reserved-ja-src', 'ja with a non-zero src_reg field is refused', 'mov r0, 0\n.raw 0x0000000000001005\nexit'),
  c('cfg-reserved-ldx-imm', 'ldxw with a non-zero imm field is refused', 'mov r0, 0\n.raw 0x0000000100001061\nexit'),
  c('cfg-reserved-call-dst', 'a helper call with a non-zero dst_reg field is refused', '.raw 0x0000000700000185\nexit'),
  c('cfg-reserved-st-src', 'st (store immediate) with a non-zero src_reg field is refused', 'mov r0, 0\n.raw 0x00000000fff81a7a\nexit'),
  c('cfg-well-formed-same-insns', 'the well-formed forms of the reserved-field cases (add, ja, ldxw, st) are accepted', 'mov r0, 0\nadd r0, 0\nja +0\nldxw r2, [r1+0]\nstdw [r10-8], 0\nexit'),

  // --- Invalid registers, R10 read-only ---
  c('cfg-r11-dst', 'mov with dst_reg 11 is refused', 'mov r0, 0\n.raw 0x0000000000000bb7\nexit'),
  c('cfg-r11-src', 'mov r0, r11 (src_reg 11) is refused', 'mov r0, 0\n.raw 0x000000000000b0bf\nexit'),
  c('cfg-r11-jump', 'a jump comparing r11 is refused', 'mov r0, 0\n.raw 0x0000000000000b15\nexit'),
  c('cfg-r10-read-ok', 'reading r10 (frame pointer) into another register is accepted', 'mov r2, r10\nmov r0, 0\nexit'),
  c('cfg-r10-write-mov', 'mov r10, 0 is refused (frame pointer is read only)', 'mov r0, 0\nmov r10, 0\nexit'),
  c('cfg-r10-write-alu', 'add r10, 8 is refused (frame pointer is read only)', 'mov r0, 0\nadd r10, 8\nexit'),
  c('cfg-r10-write-ldx', 'a load into r10 is refused', 'ldxw r10, [r1+0]\nmov r0, 0\nexit'),
  c('cfg-r10-write-dead-jeq-same-reg', 'an r10 write in code proven dead by `jeq r0, r0` (r0 known) is accepted: it is never walked', 'mov r0, 0\njeq r0, r0, +1\nmov r10, 0\nexit'),
  c('cfg-r10-write-dead-const-branch', 'an r10 write behind `jne r0, 0` with r0 = 0 is never walked and accepted', 'mov r0, 0\njne r0, 0, +1\nexit\nmov r10, 0\nexit'),
  c('cfg-r10-write-reached-branch', 'the same r10 write behind a branch on an unknown value is walked and refused', 'ldxw r2, [r1+0]\nmov r0, 0\njne r2, 0, +1\nexit\nmov r10, 0\nexit'),
  c('cfg-r0-uninit-jeq-same-reg', '`jeq r0, r0` with r0 never written is refused (R0 read before init), not treated as dead code', 'jeq r0, r0, +1\nmov r10, 0\nmov r0, 0\nexit'),

  // --- A different program type, same CFG rules ---
  c('cfg-xdp-unreachable', 'check_cfg refuses unreachable code for XDP too', 'mov r0, 2\nexit\nmov r0, 1\nexit', { progType: XDP }),
  c('cfg-xdp-jumps-ok', 'XDP program with forward branches only is accepted', 'ldxw r2, [r1+0]\nldxw r3, [r1+4]\nmov r0, 2\njge r2, r3, +1\nmov r0, 1\nexit', { progType: XDP }),
];
