/**
 * Corpus group unpriv: what 6.18 refuses when the loader has CAP_BPF but not CAP_PERFMON (nor
 * CAP_SYS_ADMIN): allow_ptr_leaks and allow_uninit_stack are false, so pointers may not leave the
 * program (return value, map values, helper arguments, comparisons, arithmetic that launders
 * them), never-written stack bytes may not be read, and a spilled pointer may not be partly
 * overwritten. Each case runs in the oracle under `setpriv` with only CAP_BPF (profile `cap_bpf`);
 * bpfemu loads it with `privileged: false`. Every refused case has an accepted twin, and the same
 * programs as root are accepted (some of them are in other groups).
 *
 * Not here: the loads without CAP_BPF at all (only socket filter and cgroup skb, 4096
 * instructions, no loops or bpf-to-bpf calls): this machine has kernel.unprivileged_bpf_disabled=2,
 * which refuses every such load with EPERM, so they cannot be recorded here.
 */
import type { CaseMap, VerifierCase } from './types.js';

const SOCKET_FILTER = 1;
const ARRAY = 2;
const A16: CaseMap = { type: ARRAY, keySize: 4, valueSize: 16, maxEntries: 4 };

/** A CAP_BPF-only case: `body` then `out: r0 = 0; exit`. */
function u(name: string, what: string, body: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'unpriv', what, progType: SOCKET_FILTER, asm: `${body}\nout:\nmov r0, 0\nexit`, profile: 'cap_bpf', ...extra };
}

/** A CAP_BPF-only case whose asm is the whole program. */
function raw(name: string, what: string, asm: string, extra: Partial<VerifierCase> = {}): VerifierCase {
  return { name, rule: 'unpriv', what, progType: SOCKET_FILTER, asm, profile: 'cap_bpf', ...extra };
}

/** r0 = bpf_map_lookup_elem(maps[0], &(u32)0), null-checked; r6 = the value. */
const VALUE = 'stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall 1\njeq r0, 0, out\nmov r6, r0';
const a16 = { maps: [A16] };

export const CASES: VerifierCase[] = [
  raw('unpriv-ret-scalar', 'returning a scalar', 'mov r0, 1\nexit'),
  raw('unpriv-ret-fp', 'returning the frame pointer leaks an address', 'mov r0, r10\nexit'),
  raw('unpriv-ret-ctx', 'returning the ctx pointer', 'mov r0, r1\nexit'),
  u('unpriv-map-store-scalar', 'a scalar stored into a map value', `${VALUE}\nstdw [r6+0], 7`, a16),
  u('unpriv-map-store-fp', 'the frame pointer stored into a map value', `${VALUE}\nstxdw [r6+0], r10`, a16),
  u('unpriv-map-store-value-ptr', 'a map value pointer stored into itself', `${VALUE}\nstxdw [r6+8], r6`, a16),
  u('unpriv-helper-anything-scalar', 'bpf_map_update_elem with flags (ARG_ANYTHING) 0', `${VALUE}\nstw [r10-4], 0\nmov r2, r10\nadd r2, -4\nmov r3, r6\nlddw r1, map_fd 0\nmov r4, 0\ncall 2`, a16),
  u('unpriv-helper-anything-ptr', 'bpf_map_update_elem with the frame pointer as flags (ARG_ANYTHING)', `${VALUE}\nstw [r10-4], 0\nmov r2, r10\nadd r2, -4\nmov r3, r6\nlddw r1, map_fd 0\nmov r4, r10\ncall 2`, a16),
  u('unpriv-cmp-scalar', 'comparing two scalars', 'ldxw r2, [r1+0]\njeq r2, 5, out'),
  u('unpriv-cmp-ptr-imm', 'comparing a pointer with a constant', 'mov r2, r10\njeq r2, 5, out'),
  u('unpriv-cmp-ptr-ptr', 'comparing two stack pointers', 'mov r2, r10\nmov r3, r10\nadd r3, -8\njgt r2, r3, out'),
  u('unpriv-null-check', 'a NULL check of a map lookup is allowed', VALUE, a16),
  u('unpriv-stack-read-init', 'reading stack bytes written before', 'stdw [r10-8], 1\nldxdw r0, [r10-8]'),
  u('unpriv-stack-read-uninit', 'reading never-written stack bytes', 'ldxdw r0, [r10-8]'),
  u('unpriv-stack-read-partial', 'reading 8 bytes of which 4 were written', 'stw [r10-8], 1\nldxdw r0, [r10-8]'),
  u('unpriv-helper-read-uninit', 'a helper reading never-written stack bytes (map key)', 'mov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall 1', a16),
  u('unpriv-spill-ptr-fill', 'a spilled pointer filled back whole', 'stxdw [r10-8], r1\nldxdw r2, [r10-8]'),
  u('unpriv-spill-ptr-corrupt', 'one byte written over a spilled pointer', 'stxdw [r10-8], r1\nstb [r10-8], 0'),
  u('unpriv-spill-ptr-overwrite', 'a spilled pointer overwritten whole by a scalar', 'stxdw [r10-8], r1\nstdw [r10-8], 0'),
  u('unpriv-ptr-add-const', 'a stack pointer plus a constant', 'mov r2, r10\nadd r2, -8\nstdw [r2+0], 0'),
  u('unpriv-ptr-mul', 'a pointer multiplied', 'mov r2, r10\nmul r2, 2'),
  u('unpriv-ptr-alu32', '32-bit arithmetic on a pointer', 'mov r2, r10\nadd32 r2, -8'),
  u('unpriv-ptr-mov32', 'a 32-bit copy of a pointer', 'mov32 r2, r10'),
  u('unpriv-ptr-sub-ptr', 'a pointer minus a pointer', 'mov r2, r10\nmov r3, r10\nadd r3, -8\nsub r2, r3'),
  u('unpriv-ptr-neg', 'a pointer negated', 'mov r2, r10\nneg r2'),
  u('unpriv-stack-var-off', 'a stack access at a variable offset', 'stdw [r10-16], 0\nstdw [r10-8], 0\nldxw r2, [r1+0]\nand r2, 8\nmov r3, r10\nadd r3, -16\nadd r3, r2\nldxdw r0, [r3+0]'),
  u('unpriv-map-ptr-var-in-range', 'a map value pointer plus a bounded index that stays inside the value', `mov r9, r1\n${VALUE}\nldxw r2, [r9+0]\nand r2, 7\nadd r6, r2\nldxb r0, [r6+0]`, a16),
  u('unpriv-map-ptr-var-out-of-range', 'a map value pointer plus an index that may run past the value', `mov r9, r1\n${VALUE}\nldxw r2, [r9+0]\nand r2, 31\nadd r6, r2`, a16),
  u('unpriv-ptr-mixed-bounds', 'a stack pointer plus a scalar that may be negative or positive', 'ldxw r2, [r1+0]\nand r2, 7\nsub r2, 4\nmov r3, r10\nadd r3, -16\nadd r3, r2'),
  u('unpriv-ctx-ptr-plus-reg', 'the ctx pointer plus a register (known constant)', 'mov r2, 4\nmov r3, r1\nadd r3, r2\nldxw r0, [r3+0]'),
  u('unpriv-ctx-ptr-plus-imm', 'the ctx pointer plus an immediate is not sanitized (BPF_K), its dereference is refused as for root', 'mov r3, r1\nadd r3, 4\nldxw r0, [r3+0]'),
  u('unpriv-ctx-field-read', 'a ctx field read at a constant offset', 'ldxw r0, [r1+4]'),
  u('unpriv-stack-ptr-out-of-range', 'a stack pointer moved above the frame', 'mov r2, 8\nmov r3, r10\nadd r3, r2'),
  u('unpriv-helper-reads-spilled-ptr', 'a spilled pointer passed as a map key (helper reads it)', 'stxdw [r10-8], r10\nmov r2, r10\nadd r2, -8\nlddw r1, map_fd 0\ncall 1', { maps: [{ type: 1, keySize: 8, valueSize: 8, maxEntries: 1 }] }),
  u('unpriv-helper-reads-spilled-scalar', 'a spilled scalar passed as a map key', 'mov r3, 0\nstxdw [r10-8], r3\nmov r2, r10\nadd r2, -8\nlddw r1, map_fd 0\ncall 1', { maps: [{ type: 1, keySize: 8, valueSize: 8, maxEntries: 1 }] }),
  u('unpriv-const-key-lookup-add', 'pointer arithmetic on the result of an array lookup with a constant key, not null-checked (CAP_BPF elides the check)', 'stw [r10-4], 0\nmov r2, r10\nadd r2, -4\nlddw r1, map_fd 0\ncall 1\nadd r0, 4', a16),
  u('unpriv-spec-loop-const', 'a bounded loop over a constant counter: each decided exit test also walks its other side speculatively', 'mov r1, 0\nl:\nadd r1, 1\njlt r1, 100, l'),
  u('unpriv-spec-loop-map', 'a bounded loop adding a variable index to a map value pointer each round', `${VALUE}\nmov r7, 0\nl:\nldxw r2, [r6+0]\nand r2, 7\nmov r3, r6\nadd r3, r2\nldxb r0, [r3+0]\nadd r7, 1\njlt r7, 20, l`, a16),
  u('unpriv-ptr-sub32-ptr', '32-bit pointer subtraction', 'mov r2, r10\nsub32 r2, 8'),
];
