/**
 * The verifier differential corpus: one case is a program (assembler or a compiled C program), its
 * program type and maps; its 6.18 outcome is recorded as a golden (test/verifier/goldens/) by
 * `npm run verifier-goldens` as root, and compared with bpfemu's verifier by test/verifier/*.test.ts.
 */

/** A map the case creates before loading; `lddw rX, map_fd N` in the assembler refers to maps[N]. */
export interface CaseMap {
  /** enum bpf_map_type (1 hash, 2 array, 3 prog_array, 5 percpu hash, 6 percpu array, 27 ringbuf, 12 array_of_maps, ...). */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** map_flags (BPF_F_RDONLY_PROG = 1 << 7, BPF_F_WRONLY_PROG = 1 << 8, BPF_F_NO_PREALLOC = 1, ...). */
  readonly flags?: number;
  /** Map name (6.18 logs `map=NAME`); default unnamed. */
  readonly name?: string;
  /** Freeze the map (BPF_MAP_FREEZE) after writing `init` into key 0. */
  readonly freeze?: boolean;
  /** Initial value of key 0 (array maps), hex. */
  readonly init?: string;
  /** Map-in-map: index into maps[] of the inner map template. */
  readonly inner?: number;
  /**
   * A BTF for the key and value (a value holding a `struct bpf_spin_lock` needs one): the raw blob
   * in hex, loaded with BPF_BTF_LOAD, and the ids the map is created with.
   */
  readonly btf?: { readonly hex: string; readonly keyTypeId: number; readonly valueTypeId: number };
}

/** One corpus case. */
export interface VerifierCase {
  /** Unique within the corpus, kebab-case: `pkt-read-without-check`. */
  readonly name: string;
  /** The rule it exercises (cfg, alu, jmp, ptr, stack, ctx, pkt, map, helper, loop, ret, ...). */
  readonly rule: string;
  /** What the case shows, one line. */
  readonly what: string;
  /** enum bpf_prog_type (1 socket_filter, 3 sched_cls, 6 xdp, 8 cgroup_skb, 17 raw_tp, 31 syscall, ...). */
  readonly progType: number;
  /** expected_attach_type (default 0). */
  readonly attachType?: number;
  /** Program in the project's assembler dialect (src/isa/asm.ts); exclusive with `object`. */
  readonly asm?: string;
  /** A compiled fixture: programs/<file> and the program name in it; exclusive with `asm`. */
  readonly object?: { readonly file: string; readonly prog: string };
  readonly maps?: readonly CaseMap[];
  /** Default 'GPL'. */
  readonly license?: string;
  /** prog_flags (BPF_F_STRICT_ALIGNMENT 1, BPF_F_ANY_ALIGNMENT 2, BPF_F_SLEEPABLE 16, ...). */
  readonly progFlags?: number;
  /**
   * Attach target of tracing/LSM `asm` cases: a vmlinux BTF function name, resolved to
   * attach_btf_id as libbpf does for `attachType` (fentry `bpf_fentry_test1`, iter `task` ->
   * `bpf_iter_task`, lsm `file_open` -> `bpf_lsm_file_open`).
   */
  readonly attachBtf?: string;
  /**
   * Give an `asm` program a BTF with func_info (callbacks, i.e. `lddw rX, code L`, need one): one
   * FUNC `int NAME(void)` per subprogram start (instruction 0, bpf-to-bpf call targets, `lddw
   * code` targets), `main` global and `f1`, `f2`, ... static, in instruction order.
   */
  readonly btfFuncs?: boolean;
  /**
   * Capability profile of the load: default root; `cap_bpf` keeps only CAP_BPF (no CAP_PERFMON,
   * CAP_NET_ADMIN or CAP_SYS_ADMIN: allow_ptr_leaks, allow_uninit_stack and bypass_spec_v1/v4 are
   * false), recorded by running the oracle under `setpriv` with only CAP_BPF; bpfemu loads such a
   * case with `privileged: false`. `none` is an unprivileged user (uid 65534, no capabilities at
   * all), recorded while kernel.unprivileged_bpf_disabled was 0; bpfemu loads such a case with
   * `privileged: 'none'`.
   */
  readonly profile?: 'cap_bpf' | 'none';
}

/** The kernel's outcome of one case (the golden). */
export interface KernelVerdict {
  readonly accepted: boolean;
  /** errno name when refused ('EACCES', 'EINVAL', 'E2BIG', ...). */
  readonly errno?: string;
  /**
   * The kernel's error line: the last non-empty log line before the `processed N insns` stats
   * line (for two-line errors such as "invalid access to packet ..." + "R1 offset is outside of
   * the packet", the last one), with the pointer values of lddw map addresses left as printed.
   */
  readonly errorLine?: string;
  /** `processed N insns` of the stats line. */
  readonly insnsProcessed?: number;
  /** The full level-1 log (text, trailing NUL removed). */
  readonly log: string;
  /**
   * The log is only the tail of a longer one: it overflowed the oracle's 16 MiB buffer (errno is
   * then the verifier's own, from a second load without a buffer, not ENOSPC), or the golden
   * keeps only its last 64 KiB. errorLine and insnsProcessed come from the tail, which has them.
   */
  readonly logTruncated?: boolean;
}
