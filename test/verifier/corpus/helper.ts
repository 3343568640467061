/**
 * Corpus group helper: helper calls (check_helper_call): unknown ids, availability per program
 * type, GPL-only helpers, argument kinds (map_ptr, key/value pointers, ctx, mem + size pairs,
 * const strings, callbacks), r1-r5 clobbering and the r0 type of each return kind, map/helper
 * compatibility, bpf_tail_call's prog array, ringbuf reserve/submit references, socket lookup
 * references, bpf_loop's callback argument (its callbacks need BTF func_info: corpus/c.ts).
 */
import type { CaseMap, VerifierCase } from './types.js';

const SOCKET_FILTER = 1;
const SCHED_CLS = 3;
const XDP = 6;
const CGROUP_SKB = 8;
const RAW_TP = 17;
const SYSCALL = 31;

const HASH = 1;
const ARRAY = 2;
const PROG_ARRAY = 3;
const PERF_EVENT_ARRAY = 4;
const QUEUE = 22;
const RINGBUF = 27;

const RDONLY_PROG = 1 << 7;
const SLEEPABLE = 16;

const FN = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  ktime_get_ns: 5,
  get_prandom_u32: 7,
  skb_store_bytes: 9,
  tail_call: 12,
  get_current_pid_tgid: 14,
  skb_load_bytes: 26,
  get_current_task: 35,
  xdp_adjust_head: 44,
  sk_lookup_tcp: 84,
  sk_release: 86,
  map_push_elem: 87,
  ringbuf_output: 130,
  ringbuf_reserve: 131,
  ringbuf_submit: 132,
  ringbuf_discard: 133,
  copy_from_user: 148,
  loop: 181,
  strncmp: 182,
} as const;

const A16: CaseMap = { type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 4 };
const H16: CaseMap = { type: HASH, keySize: 4, valueSize: 16, maxEntries: 4 };
const RB: CaseMap = { type: RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 };

/** A helper case: `body` then `out: r0 = 0; exit`. */
function h(name: string, what: string, progType: number, body: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'helper', what, progType, asm: `${body}\nout:\nmov r0, 0\nexit`, ...extra };
}

/** A helper case whose `asm` is the whole program. */
function raw(name: string, what: string, progType: number, asm: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'helper', what, progType, asm, ...extra };
}

/** r0 = bpf_map_lookup_elem(maps[0], &(u32)0) with the key at fp-4. */
const LOOKUP = `stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall ${FN.map_lookup_elem}`;

/** sched_cls: bpf_skb_load_bytes(ctx, 0, r3, r4) after `setup` (which sets r3, r4; r6 = ctx). */
function loadBytes(name: string, what: string, setup: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return h(name, what, SCHED_CLS, `mov r6, r1\n${setup}\nmov r1, r6\nmov r2, 0\ncall ${FN.skb_load_bytes}`, extra);
}

/** r0 = bpf_ringbuf_reserve(maps[0], 8, 0). */
const RESERVE = `lddw r1, map_fd 0\nmov r2, 8\nmov r3, 0\ncall ${FN.ringbuf_reserve}`;
/** bpf_ringbuf_submit(r0, 0) (r6 keeps the record). */
const SUBMIT = `mov r6, r0\nmov r1, r0\nmov r2, 0\ncall ${FN.ringbuf_submit}`;

/** A 4-byte const string "abc\0" in a frozen read-only one-element array (maps[0]). */
function constStr(freeze: boolean, rdonly: boolean, init = '61626300'): CaseMap {
  return { type: ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, init, freeze, ...(rdonly ? { flags: RDONLY_PROG } : {}) };
}

/** bpf_strncmp(fp-8 (8 bytes, zeroed), 8, r3) with r3 set by `s2`. */
const STRNCMP = (s2: string): string => `stdw [r10-8], 0\nmov r1, r10\nadd r1, -8\nmov r2, 8\n${s2}\ncall ${FN.strncmp}`;

/** bpf_sk_lookup_tcp(ctx, fp-16 (a zeroed 12-byte ipv4 tuple), 12, -1, 0) in sched_cls. */
const SK_LOOKUP = `stdw [r10-16], 0\nstdw [r10-8], 0\nmov r2, r10\nadd r2, -16\nmov r3, 12\nmov r4, -1\nmov r5, 0\ncall ${FN.sk_lookup_tcp}`;

export const CASES: VerifierCase[] = [
  // --- helper ids and availability --------------------------------------------------------------
  h('helper-known-prandom', 'bpf_get_prandom_u32 (7) is available to every program type', SOCKET_FILTER, `call ${FN.get_prandom_u32}`),
  h('helper-unknown-huge', 'helper id 100000 does not exist', SOCKET_FILTER, 'call 100000'),
  h('helper-unknown-max-id', 'helper id 212 (__BPF_FUNC_MAX_ID on 6.18) does not exist', SOCKET_FILTER, 'call 212'),
  h('helper-unknown-zero', 'helper id 0 (bpf_unspec) exists in the table but no program type gets it', SOCKET_FILTER, 'call 0'),
  h('helper-unknown-negative', 'a negative helper id', SOCKET_FILTER, 'call -1'),
  h('helper-sf-skb-store-bytes-refused', 'a socket filter may not call bpf_skb_store_bytes', SOCKET_FILTER,
    `stdw [r10-8], 0\nmov r3, r10\nadd r3, -8\nmov r2, 0\nmov r4, 4\nmov r5, 0\ncall ${FN.skb_store_bytes}`),
  h('helper-tc-skb-store-bytes', 'sched_cls may call bpf_skb_store_bytes', SCHED_CLS,
    `stdw [r10-8], 0\nmov r3, r10\nadd r3, -8\nmov r2, 0\nmov r4, 4\nmov r5, 0\ncall ${FN.skb_store_bytes}`),
  h('helper-tc-skb-store-bytes-r5-uninit', 'the fifth argument (flags) is read: r5 must be initialised', SCHED_CLS,
    `stdw [r10-8], 0\nmov r3, r10\nadd r3, -8\nmov r2, 0\nmov r4, 4\ncall ${FN.skb_store_bytes}`),
  h('helper-tc-xdp-adjust-head-refused', 'sched_cls may not call bpf_xdp_adjust_head', SCHED_CLS, `mov r2, 0\ncall ${FN.xdp_adjust_head}`),
  h('helper-xdp-adjust-head', 'XDP may call bpf_xdp_adjust_head', XDP, `mov r2, 0\ncall ${FN.xdp_adjust_head}`),
  h('helper-xdp-skb-load-bytes-refused', 'XDP may not call bpf_skb_load_bytes', XDP,
    `mov r2, 0\nmov r3, r10\nadd r3, -8\nmov r4, 8\ncall ${FN.skb_load_bytes}`),
  h('helper-cgskb-skb-load-bytes', 'cgroup_skb may call bpf_skb_load_bytes', CGROUP_SKB,
    `mov r2, 0\nmov r3, r10\nadd r3, -8\nmov r4, 8\ncall ${FN.skb_load_bytes}`),
  h('helper-rawtp-skb-load-bytes-refused', 'raw_tracepoint may not call bpf_skb_load_bytes', RAW_TP,
    `mov r2, 0\nmov r3, r10\nadd r3, -8\nmov r4, 8\ncall ${FN.skb_load_bytes}`),
  h('helper-sf-get-current-pid-tgid', '6.18: a socket filter may call bpf_get_current_pid_tgid (base proto)', SOCKET_FILTER, `call ${FN.get_current_pid_tgid}`),
  h('helper-syscall-copy-from-user', 'a sleepable syscall program may call bpf_copy_from_user', SYSCALL,
    `mov r1, r10\nadd r1, -8\nmov r2, 8\nmov r3, 0\ncall ${FN.copy_from_user}`, { progFlags: SLEEPABLE }),
  h('helper-rawtp-copy-from-user-refused', 'a non-sleepable raw_tp program gets no bpf_copy_from_user', RAW_TP,
    `mov r1, r10\nadd r1, -8\nmov r2, 8\nmov r3, 0\ncall ${FN.copy_from_user}`),

  // --- GPL-only helpers -----------------------------------------------------------------------
  h('helper-gpl-only-gpl', 'bpf_get_current_task (GPL-only) from a GPL program', XDP, `call ${FN.get_current_task}`),
  h('helper-gpl-only-proprietary', 'bpf_get_current_task (GPL-only) from a non-GPL program is refused', XDP, `call ${FN.get_current_task}`, { license: 'Proprietary' }),
  h('helper-gpl-only-dual', 'a "Dual MIT/GPL" license is GPL-compatible', XDP, `call ${FN.get_current_task}`, { license: 'Dual MIT/GPL' }),
  h('helper-not-gpl-only-proprietary', 'bpf_ktime_get_ns is not GPL-only: a non-GPL program may call it', XDP, `call ${FN.ktime_get_ns}`, { license: 'Proprietary' }),

  // --- map_ptr and key/value arguments --------------------------------------------------------
  h('helper-lookup-ok', 'bpf_map_lookup_elem(map, fp-4) with an initialised 4-byte key', SOCKET_FILTER, LOOKUP, { maps: [A16] }),
  h('helper-map-arg-scalar', 'r1 = 0 where a map pointer is expected', SOCKET_FILTER, `stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nmov r1, 0\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-map-arg-ctx', 'r1 = ctx where a map pointer is expected', SOCKET_FILTER, `stw [r10-4], 0\nmov r2, r10\nadd r2, -4\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-map-arg-clobbered', 'r1 clobbered by an earlier call where a map pointer is expected', SOCKET_FILTER, `call ${FN.get_prandom_u32}\nstw [r10-4], 0\nmov r2, r10\nadd r2, -4\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-key-arg-scalar', 'r2 = 0 (a scalar) where a key pointer is expected', SOCKET_FILTER, `lddw r1, map_fd 0\nmov r2, 0\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-key-arg-ctx', 'r2 = ctx: ctx is not a memory kind a key may live in', SOCKET_FILTER, `mov r2, r1\nlddw r1, map_fd 0\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-key-arg-uninit-reg', 'r2 never written', SOCKET_FILTER, `lddw r1, map_fd 0\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-key-stack-out-of-frame', 'a 4-byte key at fp-2 would extend above the frame', SOCKET_FILTER, `mov r2, r10\nadd r2, -2\nlddw r1, map_fd 0\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-key-stack-below-frame', 'a key pointer at fp-516 is below the 512-byte stack', SOCKET_FILTER, `mov r2, r10\nadd r2, -516\nlddw r1, map_fd 0\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-key-stack-uninit-root', 'as root an uninitialised stack key is accepted (allow_uninit_stack)', SOCKET_FILTER, `mov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-key-stack-var-off', 'a key at a variable stack offset (fp-16 + 0..8) as root', SOCKET_FILTER,
    `stdw [r10-16], 0\nstdw [r10-8], 0\ncall ${FN.get_prandom_u32}\nand r0, 8\nmov r2, r10\nadd r2, -16\nadd r2, r0\nlddw r1, map_fd 0\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-key-pkt-checked', 'a key inside a checked packet range', XDP,
    `ldxw r2, [r1+0]\nldxw r3, [r1+4]\nmov r4, r2\nadd r4, 4\njgt r4, r3, out\nlddw r1, map_fd 0\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-key-pkt-short', 'a 4-byte key where only 2 packet bytes are proven', XDP,
    `ldxw r2, [r1+0]\nldxw r3, [r1+4]\nmov r4, r2\nadd r4, 2\njgt r4, r3, out\nlddw r1, map_fd 0\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-key-pkt-unchecked', 'a key in the packet without any check', XDP, `ldxw r2, [r1+0]\nlddw r1, map_fd 0\ncall ${FN.map_lookup_elem}`, { maps: [A16] }),
  h('helper-key-map-value-short', 'an 8-byte key taken from offset 12 of a 16-byte map value runs past it', SOCKET_FILTER,
    `${LOOKUP}\njeq r0, 0, out\nmov r2, r0\nadd r2, 12\nlddw r1, map_fd 1\ncall ${FN.map_lookup_elem}`, { maps: [A16, { type: HASH, keySize: 8, valueSize: 8, maxEntries: 1 }] }),
  h('helper-update-ok', 'bpf_map_update_elem with a 16-byte initialised value at fp-24', SOCKET_FILTER,
    `stw [r10-4], 0\nstdw [r10-24], 0\nstdw [r10-16], 0\nlddw r1, map_fd 0\nmov r2, r10\nadd r2, -4\nmov r3, r10\nadd r3, -24\nmov r4, 0\ncall ${FN.map_update_elem}`, { maps: [H16] }),
  h('helper-update-value-out-of-frame', 'a 16-byte value at fp-8 would extend above the frame', SOCKET_FILTER,
    `stw [r10-12], 0\nstdw [r10-8], 0\nlddw r1, map_fd 0\nmov r2, r10\nadd r2, -12\nmov r3, r10\nadd r3, -8\nmov r4, 0\ncall ${FN.map_update_elem}`, { maps: [H16] }),
  h('helper-update-value-partly-uninit', 'as root a value whose last 8 bytes were never written is accepted', SOCKET_FILTER,
    `stw [r10-4], 0\nstdw [r10-24], 0\nlddw r1, map_fd 0\nmov r2, r10\nadd r2, -4\nmov r3, r10\nadd r3, -24\nmov r4, 0\ncall ${FN.map_update_elem}`, { maps: [H16] }),
  h('helper-update-value-from-small-map-value', 'a 16-byte value read from an 8-byte map value runs past it', SOCKET_FILTER,
    `${LOOKUP}\njeq r0, 0, out\nmov r3, r0\nlddw r1, map_fd 1\nmov r2, r10\nadd r2, -4\nmov r4, 0\ncall ${FN.map_update_elem}`,
    { maps: [{ type: ARRAY, keySize: 4, valueSize: 8, maxEntries: 1 }, H16] }),
  h('helper-update-key-uninit-reg', 'bpf_map_update_elem with r2 never written', SOCKET_FILTER,
    `stdw [r10-24], 0\nstdw [r10-16], 0\nlddw r1, map_fd 0\nmov r3, r10\nadd r3, -24\nmov r4, 0\ncall ${FN.map_update_elem}`, { maps: [H16] }),

  // --- ctx arguments --------------------------------------------------------------------------
  loadBytes('helper-ctx-arg-ok', 'bpf_skb_load_bytes(ctx, 0, fp-8, 8)', 'mov r3, r10\nadd r3, -8\nmov r4, 8'),
  h('helper-ctx-arg-fp', 'bpf_skb_load_bytes with r1 = fp where ctx is expected', SCHED_CLS, `mov r1, r10\nmov r2, 0\nmov r3, r10\nadd r3, -8\nmov r4, 8\ncall ${FN.skb_load_bytes}`),
  h('helper-ctx-arg-modified', 'bpf_skb_load_bytes with r1 = ctx + 4', SCHED_CLS, `add r1, 4\nmov r2, 0\nmov r3, r10\nadd r3, -8\nmov r4, 8\ncall ${FN.skb_load_bytes}`),
  h('helper-ctx-arg-scalar', 'bpf_xdp_adjust_head with r1 = 0 where ctx is expected', XDP, `mov r1, 0\nmov r2, 0\ncall ${FN.xdp_adjust_head}`),

  // --- mem + size pairs (bpf_skb_load_bytes: ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE) -----------
  loadBytes('helper-mem-size-zero', 'a constant size 0 for ARG_CONST_SIZE is refused', 'mov r3, r10\nadd r3, -8\nmov r4, 0'),
  loadBytes('helper-mem-size-too-big', 'size 16 with an 8-byte buffer at fp-8', 'mov r3, r10\nadd r3, -8\nmov r4, 16'),
  loadBytes('helper-mem-size-negative', 'a negative size (-8)', 'mov r3, r10\nadd r3, -8\nmov r4, -8'),
  loadBytes('helper-mem-size-u32-may-be-zero', 'a size read from ctx (u32) may be 0: the zero-size check comes first', 'mov r3, r10\nadd r3, -64\nldxw r4, [r6+0]'),
  loadBytes('helper-mem-size-unbounded', 'a size read from ctx plus 1 (1..2^32) is unbounded', 'mov r3, r10\nadd r3, -64\nldxw r4, [r6+0]\nadd r4, 1'),
  loadBytes('helper-mem-size-masked-plus-one', '(len & 63) + 1 bytes into a 64-byte buffer', 'mov r3, r10\nadd r3, -64\nldxw r4, [r6+0]\nand r4, 63\nadd r4, 1'),
  loadBytes('helper-mem-size-masked-may-be-zero', 'len & 63 may be 0, which ARG_CONST_SIZE refuses', 'mov r3, r10\nadd r3, -64\nldxw r4, [r6+0]\nand r4, 63'),
  loadBytes('helper-mem-size-masked-too-big', '(len & 127) + 1 bytes may overflow a 64-byte buffer', 'mov r3, r10\nadd r3, -64\nldxw r4, [r6+0]\nand r4, 127\nadd r4, 1'),
  loadBytes('helper-mem-size-branch-bounded', 'len checked by if (len > 64) and if (len == 0) before the call', 'mov r3, r10\nadd r3, -64\nldxw r4, [r6+0]\njgt r4, 64, out\njeq r4, 0, out'),
  loadBytes('helper-mem-size-branch-off-by-one', 'len checked by if (len > 65): 65 bytes may overflow a 64-byte buffer', 'mov r3, r10\nadd r3, -64\nldxw r4, [r6+0]\njgt r4, 65, out\njeq r4, 0, out'),
  loadBytes('helper-mem-size-uninit', 'the size register r4 never written', 'mov r3, r10\nadd r3, -8'),
  loadBytes('helper-mem-ctx-refused', 'ctx is not memory a helper may write', 'mov r3, r6\nmov r4, 4'),
  loadBytes('helper-mem-scalar-refused', 'a NULL buffer with size 8', 'mov r3, 0\nmov r4, 8'),
  h('helper-mem-map-value', 'bpf_skb_load_bytes into a whole 16-byte map value', SCHED_CLS,
    `mov r6, r1\n${LOOKUP}\njeq r0, 0, out\nmov r3, r0\nmov r1, r6\nmov r2, 0\nmov r4, 16\ncall ${FN.skb_load_bytes}`, { maps: [A16] }),
  h('helper-mem-map-value-too-big', 'bpf_skb_load_bytes of 17 bytes into a 16-byte map value', SCHED_CLS,
    `mov r6, r1\n${LOOKUP}\njeq r0, 0, out\nmov r3, r0\nmov r1, r6\nmov r2, 0\nmov r4, 17\ncall ${FN.skb_load_bytes}`, { maps: [A16] }),
  h('helper-mem-rdonly-map-write', 'bpf_skb_load_bytes writes its buffer: a BPF_F_RDONLY_PROG map value is refused', SCHED_CLS,
    `mov r6, r1\n${LOOKUP}\njeq r0, 0, out\nmov r3, r0\nmov r1, r6\nmov r2, 0\nmov r4, 16\ncall ${FN.skb_load_bytes}`, { maps: [{ ...A16, flags: RDONLY_PROG }] }),
  h('helper-mem-rdonly-map-read', 'bpf_ringbuf_output only reads its data: a BPF_F_RDONLY_PROG map value is fine', SOCKET_FILTER,
    `${LOOKUP}\njeq r0, 0, out\nmov r2, r0\nlddw r1, map_fd 1\nmov r3, 16\nmov r4, 0\ncall ${FN.ringbuf_output}`, { maps: [{ ...A16, flags: RDONLY_PROG }, RB] }),
  h('helper-mem-or-zero-size-zero', 'bpf_ringbuf_output takes ARG_CONST_SIZE_OR_ZERO: size 0 is fine', SOCKET_FILTER,
    `stdw [r10-8], 0\nlddw r1, map_fd 0\nmov r2, r10\nadd r2, -8\nmov r3, 0\nmov r4, 0\ncall ${FN.ringbuf_output}`, { maps: [RB] }),
  h('helper-mem-or-zero-null-ptr', 'bpf_ringbuf_output with data = NULL (size 0): the pointer is not nullable', SOCKET_FILTER,
    `lddw r1, map_fd 0\nmov r2, 0\nmov r3, 0\nmov r4, 0\ncall ${FN.ringbuf_output}`, { maps: [RB] }),
  h('helper-mem-or-zero-masked', 'bpf_ringbuf_output of len & 7 bytes (0 allowed) from an 8-byte buffer', SOCKET_FILTER,
    `stdw [r10-8], 0\nldxw r3, [r1+0]\nand r3, 7\nlddw r1, map_fd 0\nmov r2, r10\nadd r2, -8\nmov r4, 0\ncall ${FN.ringbuf_output}`, { maps: [RB] }),

  // --- const strings (bpf_strncmp's ARG_PTR_TO_CONST_STR) -------------------------------------
  h('helper-const-str-frozen', 'bpf_strncmp against "abc" in a frozen read-only map value', SOCKET_FILTER, STRNCMP('lddw r3, map_value 0 0'), { maps: [constStr(true, true)] }),
  h('helper-const-str-not-frozen', 'the const string must live in a frozen read-only map', SOCKET_FILTER, STRNCMP('lddw r3, map_value 0 0'), { maps: [constStr(false, true)] }),
  h('helper-const-str-stack', 'a stack string is not a const string', SOCKET_FILTER, `stdw [r10-16], 0\n${STRNCMP('mov r3, r10\nadd r3, -16')}`),
  h('helper-const-str-unterminated', 'the const string must be NUL-terminated inside the value', SOCKET_FILTER, STRNCMP('lddw r3, map_value 0 0'), { maps: [constStr(true, true, '61626364')] }),
  h('helper-const-str-offset', 'a const string may start at a constant offset inside the value ("bc")', SOCKET_FILTER, STRNCMP('lddw r3, map_value 0 1'), { maps: [constStr(true, true)] }),

  // --- clobbered registers and return types ---------------------------------------------------
  raw('helper-clobbers-r5', 'r1-r5 are unreadable after a call: reading r5', SOCKET_FILTER, `mov r5, 1\ncall ${FN.get_prandom_u32}\nmov r0, r5\nexit`),
  raw('helper-clobbers-r1', 'r1 (the ctx argument) is unreadable after a call', SOCKET_FILTER, `call ${FN.get_prandom_u32}\nmov r0, r1\nexit`),
  raw('helper-keeps-r6-r9', 'r6-r9 survive a call', SOCKET_FILTER, `mov r6, 1\nmov r7, 2\nmov r8, 3\nmov r9, 4\ncall ${FN.get_prandom_u32}\nadd r6, r7\nadd r6, r8\nadd r6, r9\nmov r0, r6\nexit`),
  raw('helper-keeps-stack', 'the stack survives a call: a value spilled before is readable after', SOCKET_FILTER, `stdw [r10-8], 7\ncall ${FN.get_prandom_u32}\nldxdw r0, [r10-8]\nexit`),
  h('helper-r0-integer-deref', 'an integer return (bpf_get_prandom_u32) is a scalar, not a pointer', SOCKET_FILTER, `call ${FN.get_prandom_u32}\nldxw r1, [r0+0]`),
  raw('helper-r0-integer-as-return', 'an integer return may be the program\'s return value', SOCKET_FILTER, `call ${FN.get_prandom_u32}\nexit`),
  raw('helper-r0-void', 'bpf_ringbuf_submit returns void: r0 is unreadable after it', SOCKET_FILTER, `${RESERVE}\njeq r0, 0, null\n${SUBMIT}\nexit\nnull:\nmov r0, 0\nexit`, { maps: [RB] }),
  h('helper-r0-map-value-or-null', 'a hash lookup returns map_value_or_null: it must be checked', SOCKET_FILTER, `${LOOKUP}\nldxw r1, [r0+0]`, { maps: [H16] }),

  // --- map type / helper compatibility and bpf_tail_call ---------------------------------------
  h('helper-tail-call-prog-array', 'bpf_tail_call with a prog array', SOCKET_FILTER, `lddw r2, map_fd 0\nmov r3, 0\ncall ${FN.tail_call}`, { maps: [{ type: PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }] }),
  h('helper-tail-call-array', 'bpf_tail_call with a plain array map', SOCKET_FILTER, `lddw r2, map_fd 0\nmov r3, 0\ncall ${FN.tail_call}`, { maps: [A16] }),
  h('helper-tail-call-scalar', 'bpf_tail_call with r2 = 0', SOCKET_FILTER, `mov r2, 0\nmov r3, 0\ncall ${FN.tail_call}`),
  h('helper-tail-call-ctx-not-ctx', 'bpf_tail_call with r1 = fp instead of ctx', SOCKET_FILTER, `mov r1, r10\nlddw r2, map_fd 0\nmov r3, 0\ncall ${FN.tail_call}`, { maps: [{ type: PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }] }),
  h('helper-lookup-prog-array', 'bpf_map_lookup_elem on a prog array is refused', SOCKET_FILTER, LOOKUP, { maps: [{ type: PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }] }),
  h('helper-lookup-perf-event-array', 'bpf_map_lookup_elem on a perf event array is refused', SOCKET_FILTER, LOOKUP, { maps: [{ type: PERF_EVENT_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }] }),
  h('helper-lookup-ringbuf-zero-key', 'bpf_map_lookup_elem on a ringbuf: its key_size 0 makes the key a zero-sized read, refused before the map/helper check', SOCKET_FILTER, LOOKUP, { maps: [RB] }),
  h('helper-ringbuf-output-array', 'bpf_ringbuf_output on an array map is refused', SOCKET_FILTER,
    `stdw [r10-8], 0\nlddw r1, map_fd 0\nmov r2, r10\nadd r2, -8\nmov r3, 8\nmov r4, 0\ncall ${FN.ringbuf_output}`, { maps: [A16] }),
  h('helper-push-queue', 'bpf_map_push_elem on a queue map', SOCKET_FILTER,
    `stw [r10-4], 1\nlddw r1, map_fd 0\nmov r2, r10\nadd r2, -4\nmov r3, 0\ncall ${FN.map_push_elem}`, { maps: [{ type: QUEUE, keySize: 0, valueSize: 4, maxEntries: 4 }] }),
  h('helper-push-array', 'bpf_map_push_elem on an array map is refused', SOCKET_FILTER,
    `stw [r10-4], 1\nlddw r1, map_fd 0\nmov r2, r10\nadd r2, -4\nmov r3, 0\ncall ${FN.map_push_elem}`, { maps: [{ type: ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 }] }),

  // --- ringbuf reserve / submit (references) --------------------------------------------------
  h('helper-ringbuf-reserve-submit', 'reserve 8 bytes, null-check, write, submit', SOCKET_FILTER, `${RESERVE}\njeq r0, 0, out\nstdw [r0+0], 1\n${SUBMIT}`, { maps: [RB] }),
  h('helper-ringbuf-reserve-discard', 'reserve then discard releases the record too', SOCKET_FILTER,
    `${RESERVE}\njeq r0, 0, out\nmov r1, r0\nmov r2, 0\ncall ${FN.ringbuf_discard}`, { maps: [RB] }),
  h('helper-ringbuf-leak', 'a reserved record that is never submitted is a leaked reference', SOCKET_FILTER, `${RESERVE}\njeq r0, 0, out\nstdw [r0+0], 1`, { maps: [RB] }),
  h('helper-ringbuf-leak-one-path', 'submitted on one path only: the other path leaks', SOCKET_FILTER,
    `${RESERVE}\njeq r0, 0, out\nmov r6, r0\ncall ${FN.get_prandom_u32}\njeq r0, 0, out\nmov r1, r6\nmov r2, 0\ncall ${FN.ringbuf_submit}`, { maps: [RB] }),
  h('helper-ringbuf-double-submit', 'submitting the same record twice: after the first submit every copy of it is a scalar', SOCKET_FILTER, `${RESERVE}\njeq r0, 0, out\n${SUBMIT}\nmov r1, r6\nmov r2, 0\ncall ${FN.ringbuf_submit}`, { maps: [RB] }),
  h('helper-ringbuf-submit-unchecked', 'submitting the maybe-NULL result without a null check', SOCKET_FILTER, `${RESERVE}\n${SUBMIT}`, { maps: [RB] }),
  h('helper-ringbuf-write-past', 'a write at off 8 of an 8-byte record', SOCKET_FILTER, `${RESERVE}\njeq r0, 0, out\nstw [r0+8], 1\n${SUBMIT}`, { maps: [RB] }),
  h('helper-ringbuf-use-after-submit', 'writing a record after submitting it', SOCKET_FILTER, `${RESERVE}\njeq r0, 0, out\n${SUBMIT}\nstw [r6+0], 1`, { maps: [RB] }),
  h('helper-ringbuf-submit-offset', 'submitting record + 4 (not the pointer reserve returned)', SOCKET_FILTER,
    `${RESERVE}\njeq r0, 0, out\nmov r6, r0\nmov r1, r0\nadd r1, 4\nmov r2, 0\ncall ${FN.ringbuf_submit}\nmov r1, r6\nmov r2, 0\ncall ${FN.ringbuf_discard}`, { maps: [RB] }),
  h('helper-ringbuf-submit-stack', 'submitting a stack pointer', SOCKET_FILTER, `mov r1, r10\nadd r1, -8\nmov r2, 0\ncall ${FN.ringbuf_submit}`),
  h('helper-ringbuf-var-size', 'the reserve size must be a known constant', SOCKET_FILTER,
    `call ${FN.get_prandom_u32}\nand r0, 8\nadd r0, 8\nmov r2, r0\nlddw r1, map_fd 0\nmov r3, 0\ncall ${FN.ringbuf_reserve}\njeq r0, 0, out\n${SUBMIT}`, { maps: [RB] }),
  h('helper-ringbuf-reserve-array', 'bpf_ringbuf_reserve on an array map is refused', SOCKET_FILTER, `${RESERVE}\njeq r0, 0, out\n${SUBMIT}`, { maps: [A16] }),

  // --- socket lookup references ---------------------------------------------------------------
  h('helper-sk-lookup-release', 'bpf_sk_lookup_tcp result released with bpf_sk_release', SCHED_CLS, `${SK_LOOKUP}\njeq r0, 0, out\nmov r1, r0\ncall ${FN.sk_release}`),
  h('helper-sk-lookup-leak', 'a socket from bpf_sk_lookup_tcp that is never released', SCHED_CLS, `${SK_LOOKUP}\njeq r0, 0, out\nldxw r1, [r0+4]`),
  h('helper-sk-release-unchecked', 'releasing the maybe-NULL socket without a null check', SCHED_CLS, `${SK_LOOKUP}\nmov r1, r0\ncall ${FN.sk_release}`),
  h('helper-sk-lookup-short-tuple', 'the tuple size is checked at run time, not at load: 13 (neither the ipv4 nor the ipv6 size) is accepted', SCHED_CLS, SK_LOOKUP.replace('mov r3, 12', 'mov r3, 13').concat(`\njeq r0, 0, out\nmov r1, r0\ncall ${FN.sk_release}`)),

  // --- bpf_loop (callbacks need BTF func_info, so the callback cases are C programs: corpus/c.ts) --
  {
    name: 'helper-loop-cb-scalar',
    rule: 'helper',
    what: 'bpf_loop with r2 = 0 where a callback is expected (refused before BTF is needed)',
    progType: SOCKET_FILTER,
    asm: `mov r1, 10\nmov r2, 0\nmov r3, 0\nmov r4, 0\ncall ${FN.loop}\nmov r0, 0\nexit`,
  },
];
