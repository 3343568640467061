/**
 * Corpus group `loop`: back-edges as root — bounded loops walked to their end, loops whose state
 * repeats ("infinite loop detected"), loops that never settle and hit the 1,000,000-instruction
 * limit ("BPF program is too large"), `may_goto` loops, nested loops, loops over packets, loops in
 * subprograms and bpf_loop callbacks (with oracle-built func_info BTF, `btfFuncs`). Every rule has an accepted and a refused case. Socket
 * filters (progType 1) unless said otherwise; `ldxw r2, [r1+0]` reads skb->len, an unknown scalar.
 * The three 1M-limit cases take about a second each in the kernel.
 */
import type { VerifierCase } from './types.js';

const SOCKET_FILTER = 1;
const XDP = 6;

function c(name: string, what: string, asm: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'loop', what, progType: SOCKET_FILTER, asm, ...extra };
}

const lines = (...l: string[]): string => l.join('\n');

/** XDP: walk the first `n` packet bytes, each read guarded (or not) by its own bounds check. */
function pktScan(n: number, checkEachByte: boolean): string {
  return lines(
    'ldxw r2, [r1+0]',
    'ldxw r3, [r1+4]',
    'mov r0, 0',
    'mov r4, 0',
    ...(checkEachByte ? [] : ['mov r6, r2', 'add r6, 1', 'jgt r6, r3, out']),
    'l:',
    'mov r5, r2',
    'add r5, r4',
    ...(checkEachByte ? ['mov r6, r5', 'add r6, 1', 'jgt r6, r3, out'] : []),
    'ldxb r7, [r5+0]',
    'add r0, r7',
    'add r4, 1',
    `jlt r4, ${n}, l`,
    'out:',
    'mov r0, 2',
    'exit',
  );
}

/** bpf_loop(nr, cb, 0, 0) with the callback body `cb`. */
function bpfLoop(nr: string, cb: string[]): string {
  return lines(nr, 'lddw r2, code cb', 'mov r3, 0', 'mov r4, 0', 'call 181', 'mov r0, 0', 'exit', 'cb:', ...cb);
}

export const CASES: VerifierCase[] = [
  // --- Bounded loops are walked iteration by iteration ---
  c('loop-bounded-count-up', 'r0 counts 0..10 with jlt back-edge: accepted', lines('mov r0, 0', 'l:', 'add r0, 1', 'jlt r0, 10, l', 'exit')),
  c('loop-bounded-count-down', 'r0 counts 10..0 with jne back-edge: accepted', lines('mov r0, 10', 'l:', 'sub r0, 1', 'jne r0, 0, l', 'exit')),
  c('loop-bounded-32bit', '32-bit counter and jmp32 back-edge: accepted', lines('mov32 r0, 0', 'l:', 'add32 r0, 1', 'jlt32 r0, 10, l', 'mov r0, 0', 'exit')),
  c('loop-bounded-signed', 'a signed counter from -10 up to 0 with jslt: accepted', lines('mov r0, -10', 'l:', 'add r0, 1', 'jslt r0, 0, l', 'exit')),
  c('loop-bounded-reg-bound', 'the bound is a constant in a register: accepted', lines('mov r3, 10', 'mov r0, 0', 'l:', 'add r0, 1', 'jlt r0, r3, l', 'exit')),
  c('loop-bounded-masked-reg-bound', 'the bound is skb->len & 15 (unknown but at most 15): accepted', lines('ldxw r3, [r1+0]', 'and r3, 15', 'mov r0, 0', 'l:', 'add r0, 1', 'jlt r0, r3, l', 'exit')),
  c('loop-bounded-masked-countdown', 'counting an unknown skb->len & 0xff down to 0: the range shrinks each turn, accepted', lines('ldxw r2, [r1+0]', 'and r2, 0xff', 'l:', 'jeq r2, 0, out', 'sub r2, 1', 'ja l', 'out:', 'mov r0, 0', 'exit')),
  c('loop-bounded-stack-counter', 'the counter lives in a stack slot (spilled and filled each turn): accepted', lines('stdw [r10-8], 0', 'l:', 'ldxdw r1, [r10-8]', 'add r1, 1', 'stxdw [r10-8], r1', 'jlt r1, 10, l', 'mov r0, 0', 'exit')),
  c('loop-bounded-large-body', '1000 iterations of a 10-instruction body (about 10k insns processed): accepted', lines('mov r0, 0', 'mov r6, 0', 'l:', 'add r0, 1', 'xor r0, 3', 'add r0, r6', 'and r0, 0xffff', 'mov r7, r0', 'rsh r7, 1', 'add r0, r7', 'add r6, 1', 'jlt r6, 1000, l', 'exit')),
  c('loop-bounded-100k', 'a 2-instruction loop of 100,000 iterations stays under the 1M limit: accepted', lines('mov r0, 0', 'l:', 'add r0, 1', 'jlt r0, 100000, l', 'mov r0, 0', 'exit')),
  c('loop-bounded-600k-too-large', 'the same loop with 600,000 iterations processes more than 1M insns: refused', lines('mov r0, 0', 'l:', 'add r0, 1', 'jlt r0, 600000, l', 'mov r0, 0', 'exit')),

  // --- Repeating state: infinite loop detected ---
  c('loop-ja-self', '`ja -1` on a reachable path is an infinite loop', lines('ldxw r2, [r1+0]', 'mov r0, 0', 'jeq r2, 0, +1', 'ja -1', 'exit')),
  c('loop-ja-back-constant-state', 'a ja back-edge over `mov r0, 1`: the state repeats exactly', lines('ldxw r2, [r1+0]', 'mov r0, 0', 'jeq r2, 0, out', 'l:', 'mov r0, 1', 'ja l', 'out:', 'exit')),
  c('loop-cond-unchanged-operand', 'a back-edge `jne r2, 5` where r2 never changes in the loop', lines('ldxw r2, [r1+0]', 'mov r0, 0', 'l:', 'add r0, 0', 'jne r2, 5, l', 'exit')),
  c('loop-reload-each-turn', 'a loop that reloads skb->len at its head and jumps back while it is non-zero', lines('l:', 'ldxw r2, [r1+0]', 'jne r2, 0, l', 'mov r0, 0', 'exit')),
  c('loop-stack-counter-reset', 'the stack counter is reset to 0 every turn, so the state repeats', lines('l:', 'stdw [r10-8], 0', 'ldxdw r1, [r10-8]', 'add r1, 1', 'stxdw [r10-8], r1', 'jlt r1, 10, l', 'mov r0, 0', 'exit')),

  // --- No progress to a repeated state, no exit: 1M limit ---
  c('loop-unknown-bound-too-large', 'counting up to an unknown skb->len never settles: 1M-insn limit', lines('ldxw r2, [r1+0]', 'mov r0, 0', 'l:', 'add r0, 1', 'jne r0, r2, l', 'exit')),
  c('loop-bound-never-hit-too-large', 'r0 += 3 until r0 == 10 never happens: 1M-insn limit', lines('mov r0, 0', 'l:', 'add r0, 3', 'jne r0, 10, l', 'exit')),

  // --- may_goto ---
  c('loop-may-goto-back-edge', 'a loop closed by an unconditional ja whose only exit is may_goto: accepted', lines('mov r0, 0', 'l:', 'may_goto out', 'add r0, 1', 'ja l', 'out:', 'exit')),
  c('loop-may-goto-same-state', 'may_goto + ja back with a state that never changes: accepted (the hidden counter makes it terminate)', lines('mov r0, 0', 'l:', 'may_goto out', 'ja l', 'out:', 'exit')),
  c('loop-same-state-without-may-goto', 'the same loop with a conditional exit on an unchanged value instead of may_goto: infinite loop', lines('ldxw r2, [r1+0]', 'mov r0, 0', 'l:', 'jeq r2, 0, out', 'ja l', 'out:', 'exit')),
  c('loop-may-goto-unknown-sum', 'may_goto loop summing an unknown value: accepted', lines('ldxw r2, [r1+0]', 'mov r0, 0', 'l:', 'may_goto out', 'add r0, r2', 'ja l', 'out:', 'exit')),
  c('loop-may-goto-nested', 'two nested may_goto loops: accepted', lines('mov r0, 0', 'outer:', 'may_goto out', 'inner:', 'may_goto next', 'add r0, 1', 'ja inner', 'next:', 'ja outer', 'out:', 'exit')),
  c('loop-may-goto-body-error', 'an invalid access inside a may_goto loop is still found (stack read below the frame)', lines('mov r0, 0', 'l:', 'may_goto out', 'ldxdw r0, [r10-520]', 'ja l', 'out:', 'exit')),
  c('loop-may-goto-reserved-imm', 'may_goto with a non-zero imm field is refused', lines('mov r0, 0', '.raw 0x00000001000000e5', 'exit')),
  c('loop-may-goto-zero-offset', '`may_goto +0` (jump to the next instruction) is accepted', lines('mov r0, 0', 'may_goto +0', 'exit')),

  // --- Nested loops ---
  c('loop-nested-bounded', 'an outer loop of 5 around an inner loop of 5: accepted', lines('mov r6, 0', 'outer:', 'mov r7, 0', 'inner:', 'add r7, 1', 'jlt r7, 5, inner', 'add r6, 1', 'jlt r6, 5, outer', 'mov r0, 0', 'exit')),
  c('loop-nested-three-deep', 'three nested loops of 4: accepted', lines('mov r0, 0', 'mov r6, 0', 'a:', 'mov r7, 0', 'b:', 'mov r8, 0', 'c:', 'add r0, 1', 'add r8, 1', 'jlt r8, 4, c', 'add r7, 1', 'jlt r7, 4, b', 'add r6, 1', 'jlt r6, 4, a', 'exit')),
  c('loop-nested-inner-infinite', 'a bounded outer loop around an inner loop whose condition never changes: infinite loop', lines('ldxw r2, [r1+0]', 'mov r6, 0', 'outer:', 'inner:', 'jne r2, 3, inner', 'add r6, 1', 'jlt r6, 5, outer', 'mov r0, 0', 'exit')),
  c('loop-nested-inner-reset-outer', 'an inner loop that resets the outer counter makes the outer state repeat: infinite loop', lines('mov r6, 0', 'outer:', 'mov r7, 0', 'inner:', 'mov r6, 0', 'add r7, 1', 'jlt r7, 3, inner', 'add r6, 1', 'jlt r6, 5, outer', 'mov r0, 0', 'exit')),

  // --- Loops over packets (XDP) ---
  c('loop-pkt-scan-checked', 'XDP: reading the first 64 packet bytes with a bounds check before each read: accepted', pktScan(64, true), { progType: XDP }),
  c('loop-pkt-scan-checked-once', 'XDP: one check of data + 1 before the loop does not cover byte i > 0: refused', pktScan(64, false), { progType: XDP }),
  c('loop-pkt-scan-no-check', 'XDP: reading packet bytes in a loop with no check at all: refused', lines('ldxw r2, [r1+0]', 'mov r0, 0', 'mov r4, 0', 'l:', 'mov r5, r2', 'add r5, r4', 'ldxb r7, [r5+0]', 'add r4, 1', 'jlt r4, 4, l', 'mov r0, 2', 'exit'), { progType: XDP }),
  c('loop-pkt-advance-pointer', 'XDP: a pointer advanced 8 bytes per turn and checked against data_end each turn: accepted', lines('ldxw r2, [r1+0]', 'ldxw r3, [r1+4]', 'mov r0, 0', 'mov r4, 0', 'l:', 'mov r5, r2', 'add r5, 8', 'jgt r5, r3, out', 'ldxdw r6, [r2+0]', 'add r0, r6', 'mov r2, r5', 'add r4, 1', 'jlt r4, 16, l', 'out:', 'mov r0, 2', 'exit'), { progType: XDP }),
  c('loop-pkt-advance-pointer-overread', 'XDP: the same loop checking 4 bytes but reading 8: refused', lines('ldxw r2, [r1+0]', 'ldxw r3, [r1+4]', 'mov r0, 0', 'mov r4, 0', 'l:', 'mov r5, r2', 'add r5, 4', 'jgt r5, r3, out', 'ldxdw r6, [r2+0]', 'add r0, r6', 'mov r2, r5', 'add r4, 1', 'jlt r4, 16, l', 'out:', 'mov r0, 2', 'exit'), { progType: XDP }),

  // --- Loops in subprograms ---
  c('loop-in-subprog', 'a bounded loop in a subprogram called twice: accepted', lines('call local f', 'mov r6, r0', 'call local f', 'add r0, r6', 'exit', 'f:', 'mov r0, 0', 'l:', 'add r0, 1', 'jlt r0, 8, l', 'exit')),
  c('loop-in-subprog-infinite', 'a subprogram whose loop state repeats: infinite loop', lines('ldxw r1, [r1+0]', 'call local f', 'exit', 'f:', 'mov r0, 0', 'l:', 'jne r1, 7, l', 'exit')),
  c('loop-calling-subprog', 'a bounded loop calling a subprogram each turn: accepted', lines('mov r6, 0', 'l:', 'mov r1, r6', 'call local f', 'add r6, 1', 'jlt r6, 4, l', 'mov r0, 0', 'exit', 'f:', 'mov r0, r1', 'exit')),

  // --- bpf_loop callbacks (callback return range [0, 1]) ---
  c('loop-bpf-loop-callback-ok', 'bpf_loop(10, cb, 0, 0) with a callback returning 0: accepted', bpfLoop('mov r1, 10', ['mov r0, 0', 'exit']), { btfFuncs: true }),
  c('loop-bpf-loop-callback-returns-1', 'a callback returning 1 (stop) is in range: accepted', bpfLoop('mov r1, 10', ['mov r0, 1', 'exit']), { btfFuncs: true }),
  c('loop-bpf-loop-callback-returns-2', 'a callback returning 2 is outside [0, 1]: refused', bpfLoop('mov r1, 10', ['mov r0, 2', 'exit']), { btfFuncs: true }),
  c('loop-bpf-loop-callback-unknown-ret', 'a callback returning its unknown index argument: refused', bpfLoop('mov r1, 10', ['mov r0, r1', 'exit']), { btfFuncs: true }),
  c('loop-bpf-loop-callback-masked-ret', 'a callback returning index & 1: accepted', bpfLoop('mov r1, 10', ['mov r0, r1', 'and r0, 1', 'exit']), { btfFuncs: true }),
  c('loop-bpf-loop-unknown-count', 'bpf_loop with an unknown iteration count (skb->len): accepted', bpfLoop('ldxw r1, [r1+0]', ['mov r0, 0', 'exit']), { btfFuncs: true }),
  c('loop-bpf-loop-callback-no-btf', 'bpf_loop with a callback but no program BTF (no func_info): refused', bpfLoop('mov r1, 10', ['mov r0, 0', 'exit'])),
  c('loop-bpf-loop-callback-r0-unset', 'a callback that never sets R0: refused', bpfLoop('mov r1, 10', ['exit']), { btfFuncs: true }),
];
