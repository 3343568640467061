/**
 * Corpus group dynptr: dynamic pointers through the helpers (kernel/bpf/helpers.c and ringbuf.c):
 * bpf_dynptr_from_mem (local), bpf_ringbuf_reserve_dynptr / submit_dynptr / discard_dynptr
 * (ringbuf, a reference), bpf_dynptr_read / write / data; the STACK_DYNPTR slot rules
 * (initialised and uninitialised arguments, constant 8-aligned stack offsets, slots that may not
 * be read or overwritten while referenced), the ringbuf dynptr's reference on every path (also
 * when the reservation failed), and slices (bpf_dynptr_data) invalidated with their dynptr.
 */
import type { CaseMap, VerifierCase } from './types.js';

const SOCKET_FILTER = 1;
const ARRAY = 2;
const RINGBUF = 27;

const FN = {
  map_lookup_elem: 1,
  get_prandom_u32: 7,
  dynptr_from_mem: 197,
  ringbuf_reserve_dynptr: 198,
  ringbuf_submit_dynptr: 199,
  ringbuf_discard_dynptr: 200,
  dynptr_read: 201,
  dynptr_write: 202,
  dynptr_data: 203,
} as const;

const RB: CaseMap = { type: RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 };
const A16: CaseMap = { type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 4 };

/** A case: `body` then `out: r0 = 0; exit`. */
function d(name: string, what: string, body: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'dynptr', what, progType: SOCKET_FILTER, asm: `${body}\nout:\nmov r0, 0\nexit`, ...extra };
}

/** r7 = bpf_map_lookup_elem(maps[0], &(u32)0), null-checked (6.18 takes local dynptr memory from map values, not the stack). */
const VALUE = `stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall ${FN.map_lookup_elem}\njeq r0, 0, out\nmov r7, r0`;
/** A local dynptr at fp-16 over the 16-byte map value in r7. */
const LOCAL = `mov r1, r7\nmov r2, 16\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.dynptr_from_mem}`;
/** A ringbuf dynptr at fp-16: bpf_ringbuf_reserve_dynptr(maps[0], 8, 0, fp-16). */
const RESERVE = `lddw r1, map_fd 0\nmov r2, 8\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.ringbuf_reserve_dynptr}`;
/** bpf_ringbuf_submit_dynptr(fp-16, 0). */
const SUBMIT = `mov r1, r10\nadd r1, -16\nmov r2, 0\ncall ${FN.ringbuf_submit_dynptr}`;
/** bpf_ringbuf_discard_dynptr(fp-16, 0). */
const DISCARD = `mov r1, r10\nadd r1, -16\nmov r2, 0\ncall ${FN.ringbuf_discard_dynptr}`;
/** r0 = bpf_dynptr_data(fp-16, 0, 8). */
const DATA = `mov r1, r10\nadd r1, -16\nmov r2, 0\nmov r3, 8\ncall ${FN.dynptr_data}`;
/** bpf_dynptr_read(fp-40, 8, fp-16, 0, 0). */
const READ = `mov r1, r10\nadd r1, -40\nmov r2, 8\nmov r3, r10\nadd r3, -16\nmov r4, 0\nmov r5, 0\ncall ${FN.dynptr_read}`;
/** bpf_dynptr_write(fp-16, 0, fp-40, 8, 0) with fp-40 zeroed. */
const WRITE = `stdw [r10-40], 0\nmov r1, r10\nadd r1, -16\nmov r2, 0\nmov r3, r10\nadd r3, -40\nmov r4, 8\nmov r5, 0\ncall ${FN.dynptr_write}`;

const rb = { maps: [RB] };
const a16 = { maps: [A16] };
/** maps[0] an array of 16-byte values, maps[1] a ringbuf. */
const a16rb = { maps: [A16, RB] };

/** A program of programs/verifier_dynptr.bpf.o (the kfuncs need BTF ids, which libbpf resolves). */
function k(name: string, progType: number, prog: string, what: string): VerifierCase {
  return { name, rule: 'dynptr', what, progType, object: { file: 'verifier_dynptr.bpf.o', prog } };
}

export const CASES: VerifierCase[] = [
  // local dynptrs
  d('dynptr-local-from-mem', 'bpf_dynptr_from_mem over a 16-byte map value', `${VALUE}\n${LOCAL}`, a16),
  d('dynptr-local-from-stack', 'bpf_dynptr_from_mem over stack bytes: 6.18 refuses the stack', `stdw [r10-32], 0\nstdw [r10-24], 0\nmov r1, r10\nadd r1, -32\nmov r2, 16\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.dynptr_from_mem}`),
  d('dynptr-local-read', 'a local dynptr read into the stack', `${VALUE}\n${LOCAL}\n${READ}`, a16),
  d('dynptr-local-write', 'a local dynptr written from the stack', `${VALUE}\n${LOCAL}\n${WRITE}`, a16),
  d('dynptr-local-data', 'a slice of a local dynptr, null-checked, read', `${VALUE}\n${LOCAL}\n${DATA}\njeq r0, 0, out\nldxdw r1, [r0+0]`, a16),
  d('dynptr-local-data-unchecked', 'a slice read without a NULL check', `${VALUE}\n${LOCAL}\n${DATA}\nldxdw r1, [r0+0]`, a16),
  d('dynptr-local-data-past-end', 'a slice of 8 bytes read at offset 8', `${VALUE}\n${LOCAL}\n${DATA}\njeq r0, 0, out\nldxdw r1, [r0+8]`, a16),
  d('dynptr-local-data-len-unknown', 'a slice length that is not a constant', `${VALUE}\n${LOCAL}\ncall ${FN.get_prandom_u32}\nand r0, 7\nmov r3, r0\nmov r1, r10\nadd r1, -16\nmov r2, 0\ncall ${FN.dynptr_data}`, a16),
  d('dynptr-local-from-map-value', 'a local dynptr over a map value', `stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall ${FN.map_lookup_elem}\njeq r0, 0, out\nmov r1, r0\nmov r2, 16\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.dynptr_from_mem}\n${READ}`, { maps: [A16] }),
  d('dynptr-local-from-mem-twice', 'an unreferenced dynptr may be initialised again', `${VALUE}\n${LOCAL}\n${LOCAL}\n${READ}`, a16),
  d('dynptr-read-uninit', 'bpf_dynptr_read from a dynptr never initialised', READ),
  d('dynptr-data-uninit', 'bpf_dynptr_data of a dynptr never initialised', DATA),
  d('dynptr-read-slot', 'reading a dynptr\'s stack bytes as a u64', `${VALUE}\n${LOCAL}\nldxdw r1, [r10-16]`, a16),
  d('dynptr-read-slot-second', 'reading the second half of a dynptr as a u32', `${VALUE}\n${LOCAL}\nldxw r1, [r10-8]`, a16),
  d('dynptr-misaligned', 'a dynptr at fp-12 (not 8-aligned)', `${VALUE}\nmov r1, r7\nmov r2, 8\nmov r3, 0\nmov r4, r10\nadd r4, -12\ncall ${FN.dynptr_from_mem}`, a16),
  d('dynptr-misaligned-read', 'an initialised dynptr read through fp-8 (its second slot)', `${VALUE}\n${LOCAL}\nmov r1, r10\nadd r1, -40\nmov r2, 8\nmov r3, r10\nadd r3, -8\nmov r4, 0\nmov r5, 0\ncall ${FN.dynptr_read}`, a16),
  d('dynptr-var-offset', 'a dynptr at a variable stack offset', `${VALUE}\ncall ${FN.get_prandom_u32}\nand r0, 8\nmov r4, r10\nadd r4, r0\nadd r4, -24\nmov r1, r7\nmov r2, 8\nmov r3, 0\ncall ${FN.dynptr_from_mem}`, a16),
  d('dynptr-not-stack', 'the ctx passed as a dynptr', `mov r3, r1\nmov r1, r10\nadd r1, -40\nmov r2, 8\nmov r4, 0\nmov r5, 0\ncall ${FN.dynptr_read}`),
  d('dynptr-local-overwrite-then-read', 'a local dynptr overwritten by a store is no longer a dynptr', `${VALUE}\n${LOCAL}\nstdw [r10-16], 0\n${READ}`, a16),
  d('dynptr-local-overwrite-half', 'one byte of a local dynptr overwritten: the whole dynptr is gone', `${VALUE}\n${LOCAL}\nstb [r10-8], 0\n${READ}`, a16),
  d('dynptr-local-slice-after-overwrite', 'a slice used after its (local) dynptr was overwritten', `${VALUE}\n${LOCAL}\n${DATA}\njeq r0, 0, out\nmov r6, r0\nstdw [r10-16], 0\nldxdw r1, [r6+0]`, a16),
  d('dynptr-local-slice-after-reinit', 'a slice used after its dynptr was initialised again', `${VALUE}\n${LOCAL}\n${DATA}\njeq r0, 0, out\nmov r6, r0\n${LOCAL}\nldxdw r1, [r6+0]`, a16),
  d('dynptr-local-slice-spilled', 'a slice spilled to the stack and filled back is still a slice', `${VALUE}\n${LOCAL}\n${DATA}\njeq r0, 0, out\nstxdw [r10-48], r0\nldxdw r6, [r10-48]\nldxdw r1, [r6+0]`, a16),
  d('dynptr-local-submit', 'bpf_ringbuf_submit_dynptr of a local dynptr', `${VALUE}\n${LOCAL}\n${SUBMIT}`, a16),
  d('dynptr-from-mem-size-var', 'bpf_dynptr_from_mem with a bounded size', `${VALUE}\ncall ${FN.get_prandom_u32}\nand r0, 15\nmov r2, r0\nmov r1, r7\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.dynptr_from_mem}\n${READ}`, a16),
  d('dynptr-from-mem-size-too-big', 'bpf_dynptr_from_mem of 24 bytes over a 16-byte value', `${VALUE}\nmov r1, r7\nmov r2, 24\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.dynptr_from_mem}`, a16),
  d('dynptr-from-mem-flags', 'bpf_dynptr_from_mem with flags 1 (checked at run time, not load time)', `${VALUE}\nmov r1, r7\nmov r2, 16\nmov r3, 1\nmov r4, r10\nadd r4, -16\ncall ${FN.dynptr_from_mem}`, a16),
  d('dynptr-from-mem-rodata-ptr', 'bpf_dynptr_from_mem over the ctx', `mov r2, 16\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.dynptr_from_mem}`),
  d('dynptr-read-into-itself', 'bpf_dynptr_read with the dynptr itself as the destination', `${VALUE}\n${LOCAL}\nmov r1, r10\nadd r1, -16\nmov r2, 8\nmov r3, r10\nadd r3, -16\nmov r4, 0\nmov r5, 0\ncall ${FN.dynptr_read}`, a16),
  d('dynptr-output-slot', 'a dynptr\'s bytes passed to bpf_ringbuf_output as data', `${VALUE}\n${LOCAL}\nlddw r1, map_fd 1\nmov r2, r10\nadd r2, -16\nmov r3, 8\nmov r4, 0\ncall 130`, a16rb),
  d('dynptr-branch-join-local', 'a local dynptr made on both sides of a branch, read after the join', `${VALUE}\ncall ${FN.get_prandom_u32}\njeq r0, 0, other\n${LOCAL}\nja join\nother:\nmov r1, r7\nmov r2, 8\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.dynptr_from_mem}\njoin:\n${READ}`, a16),
  d('dynptr-branch-join-kinds', 'a ringbuf dynptr on one path, a local one on the other, discarded after the join', `${VALUE}\ncall ${FN.get_prandom_u32}\njeq r0, 0, other\n${LOCAL}\nja join\nother:\nlddw r1, map_fd 1\nmov r2, 8\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.ringbuf_reserve_dynptr}\njoin:\n${DISCARD}`, a16rb),
  d('dynptr-ringbuf-spill-over-second', 'a pointer spilled over the second slot of a ringbuf dynptr', `${RESERVE}\nstxdw [r10-8], r10\n${SUBMIT}`, rb),
  // ringbuf dynptrs
  d('dynptr-ringbuf-submit', 'reserve then submit', `${RESERVE}\n${SUBMIT}`, rb),
  d('dynptr-ringbuf-discard', 'reserve then discard', `${RESERVE}\n${DISCARD}`, rb),
  d('dynptr-ringbuf-discard-on-failure', 'the reservation failed: the dynptr is still discarded', `${RESERVE}\njeq r0, 0, ok\n${DISCARD}\nja out\nok:\n${SUBMIT}`, rb),
  d('dynptr-ringbuf-leak', 'a reserved dynptr never submitted', RESERVE, rb),
  d('dynptr-ringbuf-leak-on-failure', 'discarded only when the reservation worked', `${RESERVE}\njne r0, 0, out\n${SUBMIT}`, rb),
  d('dynptr-ringbuf-submit-twice', 'submitting the same dynptr twice', `${RESERVE}\n${SUBMIT}\n${SUBMIT}`, rb),
  d('dynptr-ringbuf-read-after-submit', 'reading a dynptr after submitting it', `${RESERVE}\n${SUBMIT}\n${READ}`, rb),
  d('dynptr-ringbuf-write', 'writing into a ringbuf dynptr', `${RESERVE}\n${WRITE}\n${SUBMIT}`, rb),
  d('dynptr-ringbuf-data-write', 'a ringbuf slice written, then submitted', `${RESERVE}\n${DATA}\njeq r0, 0, sub\nstdw [r0+0], 1\nsub:\n${SUBMIT}`, rb),
  d('dynptr-ringbuf-slice-after-submit', 'a ringbuf slice used after submit', `${RESERVE}\n${DATA}\nmov r6, r0\n${SUBMIT}\njeq r6, 0, out\nstdw [r6+0], 1`, rb),
  d('dynptr-ringbuf-overwrite', 'a store over a referenced dynptr', `${RESERVE}\nstdw [r10-16], 0\n${SUBMIT}`, rb),
  d('dynptr-ringbuf-overwrite-half', 'a store over the second slot of a referenced dynptr', `${RESERVE}\nstw [r10-8], 0\n${SUBMIT}`, rb),
  d('dynptr-ringbuf-reinit', 'reserve_dynptr again over a referenced dynptr', `${RESERVE}\n${RESERVE}\n${SUBMIT}`, rb),
  d('dynptr-ringbuf-from-mem-over', 'bpf_dynptr_from_mem over a referenced dynptr', `${VALUE}\nlddw r1, map_fd 1\nmov r2, 8\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.ringbuf_reserve_dynptr}\n${LOCAL}\n${SUBMIT}`, a16rb),
  d('dynptr-ringbuf-local-discard', 'a local dynptr passed to bpf_ringbuf_discard_dynptr', `${VALUE}\n${LOCAL}\n${DISCARD}`, a16),
  d('dynptr-ringbuf-read', 'reading a ringbuf dynptr before submit', `${RESERVE}\n${READ}\n${SUBMIT}`, rb),
  d('dynptr-ringbuf-branch-submit-discard', 'submitted on one path, discarded on the other', `${RESERVE}\ncall ${FN.get_prandom_u32}\njeq r0, 0, dis\n${SUBMIT}\nja out\ndis:\n${DISCARD}`, rb),
  d('dynptr-ringbuf-slice-spill-after-discard', 'a ringbuf slice kept on the stack, used after discard', `${RESERVE}\n${DATA}\nstxdw [r10-48], r0\n${DISCARD}\nldxdw r6, [r10-48]\njeq r6, 0, out\nstdw [r6+0], 1`, rb),
  d('dynptr-ringbuf-reserve-array', 'bpf_ringbuf_reserve_dynptr on an array map', `lddw r1, map_fd 0\nmov r2, 8\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.ringbuf_reserve_dynptr}\n${DISCARD}`, { maps: [A16] }),
  d('dynptr-ringbuf-size-var', 'a reservation of a variable size (ARG_ANYTHING)', `call ${FN.get_prandom_u32}\nmov r2, r0\nlddw r1, map_fd 0\nmov r3, 0\nmov r4, r10\nadd r4, -16\ncall ${FN.ringbuf_reserve_dynptr}\n${DISCARD}`, rb),
  d('dynptr-ringbuf-submit-offset', 'submit through a pointer into the dynptr\'s middle', `${RESERVE}\nmov r1, r10\nadd r1, -8\nmov r2, 0\ncall ${FN.ringbuf_submit_dynptr}`, rb),
  d('dynptr-ringbuf-two', 'two ringbuf dynptrs, each submitted', `${RESERVE}\nlddw r1, map_fd 0\nmov r2, 8\nmov r3, 0\nmov r4, r10\nadd r4, -48\ncall ${FN.ringbuf_reserve_dynptr}\n${SUBMIT}\nmov r1, r10\nadd r1, -48\nmov r2, 0\ncall ${FN.ringbuf_discard_dynptr}`, rb),
  d('dynptr-ringbuf-two-one-leaks', 'two ringbuf dynptrs, one submitted', `${RESERVE}\nlddw r1, map_fd 0\nmov r2, 8\nmov r3, 0\nmov r4, r10\nadd r4, -48\ncall ${FN.ringbuf_reserve_dynptr}\n${SUBMIT}`, rb),
  // the dynptr kfuncs (programs/verifier_dynptr.bpf.c, one program per rule)
  k('dynptr-k-skb-slice-ok', 3, 'skb_slice_ok', 'an skb dynptr and a read-only slice of the Ethernet header, null-checked'),
  k('dynptr-k-skb-slice-rdwr-ok', 3, 'skb_slice_rdwr_ok', 'a writable slice of an skb dynptr in tc'),
  k('dynptr-k-cgskb-slice-ok', 8, 'cgskb_slice_ok', 'a read-only slice in cgroup_skb'),
  k('dynptr-k-cgskb-slice-rdwr', 8, 'cgskb_slice_rdwr', 'bpf_dynptr_slice_rdwr in cgroup_skb, which may not write packets'),
  k('dynptr-k-xdp-slice-ok', 6, 'xdp_slice_ok', 'an xdp dynptr and a writable slice'),
  k('dynptr-k-xdp-from-skb', 6, 'xdp_from_skb', 'bpf_dynptr_from_skb in an XDP program'),
  k('dynptr-k-skb-slice-rdonly-write', 3, 'skb_slice_rdonly_write', 'a write through a bpf_dynptr_slice (read-only) slice'),
  k('dynptr-k-skb-slice-unchecked', 3, 'skb_slice_unchecked', 'a slice read without a NULL check'),
  k('dynptr-k-skb-slice-past', 3, 'skb_slice_past', 'a 14-byte slice read at offset 14'),
  k('dynptr-k-skb-slice-after-pull', 3, 'skb_slice_after_pull', 'a slice used after bpf_skb_pull_data'),
  k('dynptr-k-skb-slice-after-write', 3, 'skb_slice_after_write', 'a slice used after bpf_dynptr_write on the skb dynptr'),
  k('dynptr-k-skb-helpers-ok', 3, 'skb_helpers_ok', 'is_null, is_rdonly, size, clone, adjust, read and write on an skb dynptr'),
  k('dynptr-k-skb-clone-uninit', 3, 'skb_clone_uninit', 'bpf_dynptr_clone of a dynptr never initialised'),
  k('dynptr-k-skb-size-uninit', 3, 'skb_size_uninit', 'bpf_dynptr_size of a dynptr never initialised'),
  k('dynptr-k-rb-clone-ok', 31, 'rb_clone_ok', 'a clone of a ringbuf dynptr written, the original submitted'),
  k('dynptr-k-rb-clone-use-after-submit', 31, 'rb_clone_use_after_submit', 'a ringbuf dynptr used after its clone was submitted'),
  k('dynptr-k-rb-slice-ok', 31, 'rb_slice_ok', 'a writable slice of a ringbuf dynptr without a buffer'),
  k('dynptr-k-rb-slice-after-discard', 31, 'rb_slice_after_discard', 'a ringbuf slice used after discard'),
  // the run-time fixture (programs/dynptr.bpf.c) as clang compiles it
  { name: 'dynptr-c-helpers', rule: 'dynptr', what: 'programs/dynptr.bpf.c: every dynptr helper, local and ringbuf, as compiled by clang', progType: 31, object: { file: 'dynptr.bpf.o', prog: 'dynptr_ops' } },
  { name: 'dynptr-c-skb', rule: 'dynptr', what: 'programs/dynptr.bpf.c: the skb dynptr kfuncs in tc', progType: 3, object: { file: 'dynptr.bpf.o', prog: 'dynptr_skb' } },
  { name: 'dynptr-c-cgskb', rule: 'dynptr', what: 'programs/dynptr.bpf.c: the same in cgroup_skb (a read-only skb dynptr)', progType: 8, object: { file: 'dynptr.bpf.o', prog: 'dynptr_cgskb' } },
  { name: 'dynptr-c-xdp', rule: 'dynptr', what: 'programs/dynptr.bpf.c: the xdp dynptr kfuncs', progType: 6, object: { file: 'dynptr.bpf.o', prog: 'dynptr_xdp' } },
];
