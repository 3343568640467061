/**
 * Corpus group c: compiled C programs (programs/verifier_*.bpf.c, built by programs/build.sh),
 * loaded one program at a time through libbpf: an XDP eth/ipv4/udp parser with and without its
 * udp bounds check, packet loops, map counters, .rodata/.data/.bss globals, static and global
 * subprograms, bpf_loop callbacks (which need the BTF func_info only a compiled object carries)
 * and bpf_spin_lock.
 */
import type { VerifierCase } from './types.js';

const SCHED_CLS = 3;
const XDP = 6;
const SYSCALL = 31;

/** A case for program `prog` of programs/`file`.bpf.o. */
function c(name: string, rule: string, what: string, progType: number, file: string, prog: string): VerifierCase {
  return { name, rule, what, progType, object: { file: `${file}.bpf.o`, prog } };
}

const PARSE = 'verifier_xdp_parse';
const MAPS = 'verifier_maps';
const CALLS = 'verifier_calls';
const LOCK = 'verifier_spin_lock';

export const CASES: VerifierCase[] = [
  // --- packet parsing ---------------------------------------------------------------------------
  c('c-xdp-udp-checked', 'pkt', 'eth -> ipv4 -> udp with every header checked against data_end', XDP, PARSE, 'udp_checked'),
  c('c-xdp-udp-unchecked', 'pkt', 'the same parser without the udp + 1 > data_end check: udp->dest is past the proven 34 bytes', XDP, PARSE, 'udp_unchecked'),
  c('c-xdp-udp-ihl-checked', 'pkt', 'the udp header at ip + ihl * 4 (variable offset), checked after the addition', XDP, PARSE, 'udp_ihl_checked'),
  c('c-xdp-eth-off-by-one', 'pkt', 'data + 13 checked, then h_proto (bytes 12..13) read', XDP, PARSE, 'eth_off_by_one'),
  c('c-xdp-pkt-sum-loop', 'pkt', 'a bounded loop over up to 64 packet bytes, each checked before it is read', XDP, PARSE, 'pkt_sum_loop'),
  c('c-xdp-pkt-sum-loop-short', 'pkt', 'a loop reading 16 packet bytes after one 8-byte check', XDP, PARSE, 'pkt_sum_loop_short'),
  c('c-xdp-adjust-head-stale', 'pkt', 'eth->h_proto read through a pointer taken before bpf_xdp_adjust_head', XDP, PARSE, 'adjust_head_stale'),
  c('c-xdp-adjust-head-reload', 'pkt', 'data/data_end reloaded and checked again after bpf_xdp_adjust_head', XDP, PARSE, 'adjust_head_reload'),

  // --- maps and global data ---------------------------------------------------------------------
  c('c-map-counter-ok', 'map', 'hash lookup, null check, atomic add; insert on a miss', XDP, MAPS, 'counter_ok'),
  c('c-map-counter-no-null-check', 'map', 'the hash counter incremented without a null check', XDP, MAPS, 'counter_no_null_check'),
  c('c-map-slot-in-range', 'map', 'value->slot[idx & 3] of a 4-slot value', XDP, MAPS, 'slot_in_range'),
  c('c-map-slot-out-of-range', 'map', 'value->slot[idx & 7] of a 4-slot value may reach past it', XDP, MAPS, 'slot_out_of_range'),
  c('c-map-knob-rodata-prune', 'map', 'a const volatile .rodata knob (frozen, 0) prunes a branch that derefs an unchecked lookup', XDP, MAPS, 'knob_rodata_prune'),
  c('c-map-knob-data-explored', 'map', 'the same branch behind a writable .data knob is walked and refused', XDP, MAPS, 'knob_data_explored'),
  c('c-map-bss-counter', 'map', 'an atomic add on a .bss global', XDP, MAPS, 'bss_counter'),
  c('c-map-bss-array-out-of-range', 'map', 'a .bss u32[4] indexed with idx & 7', XDP, MAPS, 'bss_array_out_of_range'),

  // --- subprograms and callbacks ----------------------------------------------------------------
  c('c-call-static-inherits-range', 'pkt', 'a static subprogram reads 4 packet bytes the caller proved', XDP, CALLS, 'static_inherits_range'),
  c('c-call-static-past-range', 'pkt', 'a static subprogram reads byte 4 when the caller proved 4 bytes', XDP, CALLS, 'static_past_range'),
  c('c-call-global-deref-checked', 'helper', 'a global function null-checks its int * argument before reading it', XDP, CALLS, 'global_deref_checked'),
  c('c-call-global-deref-unchecked', 'helper', 'a global function reads its int * argument without a null check', XDP, CALLS, 'global_deref_unchecked'),
  c('c-loop-cb-ret0', 'helper', 'bpf_loop with a callback returning 0', XDP, CALLS, 'loop_ret0'),
  c('c-loop-cb-ret2', 'helper', 'bpf_loop with a callback returning 2 (callbacks return 0 or 1)', XDP, CALLS, 'loop_ret2'),
  c('c-loop-cb-rand', 'helper', 'bpf_loop with a callback returning an unbounded scalar', XDP, CALLS, 'loop_rand'),
  c('c-loop-cb-rand-masked', 'helper', 'bpf_loop with a callback returning rand & 1', XDP, CALLS, 'loop_rand_masked'),
  c('c-loop-cb-xorshift-sum', 'loop', 'a bpf_loop callback whose xorshift state and growing u64 sum in the caller\'s stack converge by widening', SYSCALL, 'bench_loop', 'loop_bench'),
  c('c-loop-cb-ctx-sum', 'helper', 'a bpf_loop callback updating the caller\'s stack state through its ctx argument', XDP, CALLS, 'loop_ctx_sum'),

  // --- bpf_spin_lock ----------------------------------------------------------------------------
  c('c-lock-ok', 'helper', 'bpf_spin_lock, update, bpf_spin_unlock', SCHED_CLS, LOCK, 'lock_ok'),
  c('c-lock-leak-one-path', 'helper', 'the lock is released on one path only', SCHED_CLS, LOCK, 'lock_leak_one_path'),
  c('c-lock-helper-call', 'helper', 'a helper call while the lock is held', SCHED_CLS, LOCK, 'lock_helper_call'),
  c('c-lock-twice', 'helper', 'the same lock taken twice: the second bpf_spin_lock is a call while holding a lock', SCHED_CLS, LOCK, 'lock_twice'),
  c('c-lock-direct-read', 'helper', 'the lock word read with a plain load', SCHED_CLS, LOCK, 'lock_direct_read'),
];
