/**
 * The verifier's contract: what BPF_PROG_LOAD hands it (a program with its pseudo instructions
 * resolved to symbolic targets, the program type, the maps, prototypes and ctx rules) and what it
 * returns (accepted with statistics, or a {@link VerifierError}), always with the kernel-format log.
 *
 * The layer sits between the decoded program (src/isa, src/object) and the kernel's
 * BPF_PROG_LOAD (src/kernel/syscall/cmd-prog.ts). It reads nothing else of the kernel: every fact it needs
 * comes in through {@link VerifierInput}, so it can be run on its own (tests, `bpfemu verify`).
 */
import type { RawInsn } from '../isa/insn.js';
import type { HelperProto } from '../helpers/registry.js';
import { BpfemuError } from '../util/errors.js';

/** A map as the verifier sees it (struct bpf_map's fields that rules depend on). */
export interface VMap {
  /** enum bpf_map_type. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** map_flags (BPF_F_RDONLY_PROG, BPF_F_WRONLY_PROG, ...). */
  readonly flags: number;
  /** The map's name ('' when unnamed); 6.18 logs `map=NAME` for named maps. */
  readonly name: string;
  /** Frozen (BPF_MAP_FREEZE) and read-only for programs: constant-offset loads give constants. */
  readonly frozen: boolean;
  /** The value bytes of element 0 of a frozen array map (global `.rodata`), for direct reads. */
  readonly frozenValue?: Uint8Array;
  /** Map-in-map: the inner map template. */
  readonly inner?: VMap;
  /** Whether the map was created with a BTF (false: bpf_spin_lock on it is "has to have BTF"); unknown when absent. */
  readonly hasBtf?: boolean;
  /** Offsets of special fields in the value (from the map's BTF value type), -1 when absent. */
  readonly spinLockOff: number;
  readonly timerOff: number;
  /** Offsets of other special fields that plain loads and stores may not touch (kptrs, wq, ...). */
  readonly specialFields?: readonly { readonly off: number; readonly size: number; readonly kind: string; readonly kptr?: { readonly tag: string; readonly struct: string } }[];
}

/** What an lddw pair (or other pseudo instruction) refers to, by pc. */
export type PseudoTarget =
  | { readonly kind: 'imm' }
  | { readonly kind: 'map_ptr'; readonly map: VMap }
  | { readonly kind: 'map_value'; readonly map: VMap; readonly off: number }
  | { readonly kind: 'func'; readonly target: number }
  | { readonly kind: 'ksym'; readonly size: number; readonly typeName: string; readonly percpu: boolean };

/** A kfunc as the verifier sees it (enough of the core; references and BTF args are the next issue). */
export interface VKfunc {
  readonly name: string;
  /** Number of BPF-visible arguments (r1..rN). */
  readonly nargs: number;
  /** Whether the result is a scalar (integer / void) or a pointer. */
  readonly ret: 'integer' | 'void' | 'ptr' | 'ptr_or_null';
  /** For pointer returns: the struct pointed to ('' for void *). */
  readonly retStruct?: string;
  /** KF_SLEEPABLE: only sleepable programs may call it. */
  readonly sleepable?: boolean;
  /** Whether r0 is written (void kfuncs leave r0 unset: reading it is "R0 !read_ok"). */
  /**
   * Per argument: the size of the memory a pointer argument points to (`bool *` → 1), or
   * undefined for scalars, kernel objects and strings. A stack pointer there is checked as
   * initialised and then clobbered (check_mem_reg: a read then a write access), as the kfunc may
   * write it.
   */
  readonly memArgs?: readonly (number | undefined)[];
  /**
   * Open-coded iterator kfuncs (KF_ITER_NEW/NEXT/DESTROY): the iterator's type (`scx_dsq` for
   * `struct bpf_iter_scx_dsq`) and its size on the stack. `iterArgs` marks the arguments of other
   * kfuncs that take an initialised iterator (`it__iter`, KF_ARG_PTR_TO_ITER).
   */
  readonly iter?: { readonly kind: 'new' | 'next' | 'destroy'; readonly type: string; readonly size: number };
  readonly iterArgs?: readonly ({ readonly type: string; readonly size: number } | undefined)[];
  /** Per argument: a `struct bpf_dynptr *` parameter (`uninit`: the kfunc initialises it, `__uninit`), or undefined. */
  readonly dynptrArgs?: readonly ({ readonly uninit: boolean } | undefined)[];
  /** Index of a `__szk` parameter: a constant size (KF_ARG_PTR_TO_CONST_SIZE) of the `__opt` buffer before it. */
  readonly constSizeArg?: number;
  /** Index of the `__opt` buffer `constSizeArg` sizes (may be NULL). */
  readonly optBufArg?: number;
  /** KF_* flags of the kfunc's id set entry (include/linux/btf.h). */
  readonly flags?: VKfuncFlags;
  /**
   * Per argument, the pointers to kernel structs (KF_ARG_PTR_TO_BTF_ID): the struct's name,
   * `nullable` for `__nullable`/`__opt` parameters, and `scalarStruct` when the struct holds only
   * scalars (a pointer that is not a BTF pointer is then taken as memory of its size); undefined
   * for scalars, iterators, dynptrs, `__sz`-sized buffers, `__ign` and `__prog` parameters.
   */
  readonly structArgs?: readonly ({ readonly name: string; readonly nullable: boolean; readonly scalarStruct: boolean; readonly size: number } | undefined)[];
  /** Indexes of buffer parameters sized by the next one (`x, x__sz`: KF_ARG_PTR_TO_MEM_SIZE). */
  readonly memSizeArgs?: readonly number[];
  /** Per argument: a scalar parameter with the `__k` suffix (a known constant, KF_ARG_CONST). */
  readonly constArgs?: readonly boolean[];
  /**
   * Per argument, what its BTF type makes it (check_kfunc_args, get_kfunc_ptr_arg_type); when
   * absent only the per-kind lists above are checked and every argument must be initialised.
   */
  readonly argTypes?: readonly VKfuncArgType[];
  /**
   * A result pointing to a scalar type (`int *`): PTR_TO_MEM | MEM_RDONLY of this many bytes
   * (check_kfunc_call, btf_resolve_size of the pointee).
   */
  readonly retMem?: number;
  /**
   * The scalar parameter named `rdonly_buf_size` or `rdwr_buf_size`: a known constant that sizes
   * the memory a pointer-to-scalar result points to (read-only for `rdonly_buf_size`).
   */
  readonly retBufSize?: { readonly arg: number; readonly rdonly: boolean };
}

/**
 * A kfunc parameter by its BTF type and name suffix, in get_kfunc_ptr_arg_type's order:
 * `__ign` / `__prog` parameters are not looked at; scalars must be scalars; the program type's
 * ctx struct is KF_ARG_PTR_TO_CTX; `__map` and `__str` name a map and a read-only string;
 * dynptrs, iterators, locks and irq flags have their own checks ('special'); any other pointer is
 * a BTF pointer when the register holds one, else memory (`sized`: by the next `__sz`/`__szk`
 * parameter) of a scalar or scalar-only struct target.
 */
export type VKfuncArgType =
  | { readonly kind: 'ignore' | 'scalar' | 'ctx' | 'map' | 'const_str' | 'special'; readonly nullable?: boolean }
  | {
      readonly kind: 'ptr';
      /** What the pointer points to: a struct or union, a scalar, a struct of scalars only, void, or anything else. */
      readonly target: 'struct' | 'scalar' | 'scalar_struct' | 'void' | 'other';
      /** btf_type_str and name of the target, as messages print it (`STRUCT task_struct`, `UNKNOWN `). */
      readonly targetStr: string;
      /** The target's size in bytes (memory arguments). */
      readonly size: number;
      readonly sized: boolean;
      readonly nullable: boolean;
    };

/** KF_ACQUIRE, KF_RELEASE, KF_RET_NULL, KF_TRUSTED_ARGS, KF_RCU, KF_SLEEPABLE, KF_DESTRUCTIVE. */
export interface VKfuncFlags {
  readonly acquire?: boolean;
  readonly release?: boolean;
  readonly retNull?: boolean;
  readonly trustedArgs?: boolean;
  readonly rcu?: boolean;
  readonly sleepable?: boolean;
  readonly destructive?: boolean;
  /** KF_RCU_PROTECTED: callable only in an RCU critical section; an iterator it creates is MEM_RCU. */
  readonly rcuProtected?: boolean;
}

/** How a ctx access resolves: refused, a scalar, or a pointer of the given type. */
export type CtxAccessResult =
  | { readonly ok: false }
  | {
      readonly ok: true;
      /** The type the load yields ('scalar' with the field's width for bounds). */
      readonly type: 'scalar' | 'pkt' | 'pkt_end' | 'pkt_meta' | 'flow_keys' | 'sock_common_or_null' | 'sock' | 'sock_or_null' | 'ctx_mem';
      /** For scalar loads: the width of the field in bytes (bounds [0, 2^(8w)-1]); 0 = unknown 64-bit. */
      readonly width?: number;
    }
  | {
      readonly ok: true;
      /** A typed kernel pointer (tracing/iter/struct_ops arguments): PTR_TO_BTF_ID of `btfName`. */
      readonly type: 'btf_id';
      readonly btfName: string;
      readonly nullable: boolean;
      /** PTR_TRUSTED (prog_args_trusted: tp_btf, iter, LSM and struct_ops arguments). */
      readonly trusted?: boolean;
    };

/** What a load through a BTF pointer finds (btf_struct_access). */
export type BtfAccess =
  | { readonly kind: 'scalar' }
  /** A pointer to struct `name`, read from member `field` (the innermost member holding it). */
  | { readonly kind: 'ptr'; readonly name: string; readonly field?: string }
  | { readonly kind: 'error'; readonly msg: string };

/** The ctx rules of the program type (is_valid_access). */
export interface VCtx {
  /** struct name for messages (`xdp_md`, `__sk_buff`). */
  readonly name: string;
  /** is_valid_access(off, size, type). `off` is the constant offset from the ctx start. */
  access(off: number, size: number, write: boolean): CtxAccessResult;
  /** BPF_LD_ABS / BPF_LD_IND are allowed (socket filter, tc, ...). */
  readonly ldAbs: boolean;
  /** Direct packet writes are allowed (may_access_direct_pkt_data with BPF_WRITE). */
  readonly pktWrite: boolean;
}

/** An argument of a global function, from its BTF prototype (btf_prepare_func_args). */
export type GlobalArg =
  | { readonly kind: 'scalar' }
  | { readonly kind: 'ctx' }
  | { readonly kind: 'mem'; readonly size: number; readonly nullable: boolean }
  /** `arg:trusted` (optionally with `arg:nullable`): a trusted pointer to kernel struct `name`. */
  | { readonly kind: 'trusted'; readonly name: string; readonly nullable: boolean }
  /**
   * `arg:arena` (`__arg_arena`): the caller passes an arena pointer or a scalar, the function sees
   * an unknown scalar (6.18 btf_prepare_func_args ARG_PTR_TO_ARENA, btf_check_func_arg_match).
   */
  | { readonly kind: 'arena' }
  /** A prototype btf_prepare_func_args refuses (EINVAL), with its log line (`arg#0 arena cannot be combined with any other tags`). */
  | { readonly kind: 'invalid'; readonly msg: string }
  | { readonly kind: 'unsupported'; readonly type: string };

/** A subprogram of BTF func_info. */
export interface VFunc {
  readonly pc: number;
  readonly name: string;
  readonly global: boolean;
  readonly args: readonly GlobalArg[];
  /** The return type is a scalar (or void). */
  readonly retScalar: boolean;
}

/** Everything a verification needs. */
export interface VerifierInput {
  /** The program's instructions as loaded (pseudo lddw and calls intact). */
  readonly insns: readonly RawInsn[];
  /** The target of every lddw with a pseudo src_reg, by pc of its first half. */
  readonly pseudo: ReadonlyMap<number, PseudoTarget>;
  readonly progType: number;
  readonly attachType: number;
  /** prog_flags (BPF_F_ANY_ALIGNMENT, BPF_F_STRICT_ALIGNMENT, BPF_F_SLEEPABLE, ...). */
  readonly progFlags: number;
  readonly gplCompatible: boolean;
  /** Helper prototypes available to this program type (get_func_proto), by helper id. */
  helper(id: number): { readonly name: string; readonly proto: HelperProto | undefined; readonly gplOnly: boolean; readonly mightSleep: boolean; readonly notAllowed?: boolean } | undefined;
  /** The uapi name of any helper id (implemented or not), for messages; undefined: unknown id. */
  helperName(id: number): string | undefined;
  /** Whether the emulator implements helper `id` at all (for any program type). */
  helperImplemented?(id: number): boolean;
  /** kfuncs by BTF id. */
  kfunc(btfId: number): VKfunc | undefined;
  readonly ctx: VCtx;
  /** The number of possible CPUs (bounds of bpf_get_smp_processor_id). */
  readonly nrCpus: number;
  /** Return-value range the program type enforces at exit, or null for any scalar. */
  readonly retRange: readonly [number, number] | null;
  /** BTF line info: the source line of a pc and its file, for `; text @ file:N` log lines. */
  lineOf?(pc: number): { readonly text: string; readonly file: string; readonly line: number } | undefined;
  /**
   * Subprograms declared by BTF func_info, with their linkage and, for global functions, their
   * argument kinds from the BTF prototype (verified once, separately, as the kernel does).
   */
  readonly funcs?: readonly VFunc[];
  /**
   * btf_struct_ids_match on the kernel's BTF: whether a pointer to struct `have` at offset `off` is
   * a pointer to struct `want` — the same type at offset 0, or (unless `strict`) a struct nested at
   * that offset, walking first members. Absent: any struct matches.
   */
  btfStructMatch?(have: string, off: number, want: string, strict: boolean): boolean;
  /**
   * btf_type_by_id on the kernel's BTF (bpf_rdonly_cast's type id): a struct or union by name, void
   * (id 0), another kind, or undefined when no type has the id.
   */
  btfTypeById?(id: number): { readonly kind: 'struct'; readonly name: string } | { readonly kind: 'void' | 'other' } | undefined;
  /** btf_struct_access on the kernel's BTF: a load of `size` bytes at `off` of `struct <name>`. */
  btfAccess?(name: string, off: number, size: number): BtfAccess;
  /** The pc of the program's exception callback (BTF decl tag "exception_callback:<fn>"), if it names one. */
  readonly exceptionCb?: number;
  /** Why the exception callback the decl tag names is refused before verification (static, not in func info). */
  readonly exceptionCbError?: string;
  /** The attach target returns void (a struct_ops member): check_return_code accepts any exit, R0 unset too. */
  readonly voidReturn?: boolean;
  /** A struct_ops type's rule for stores through a BTF pointer: null allows, a string is the EACCES log line. */
  btfWrite?(name: string, off: number, size: number): string | null;
  /** log_level bits (1, 2, 4); 0 = no log. */
  readonly logLevel: number;
  /**
   * Capability profile: true (default) is root; false is CAP_BPF without CAP_PERFMON —
   * allow_ptr_leaks, allow_uninit_stack and bypass_spec_v1/v4 false (pointer leaks, pointer
   * comparisons and laundering arithmetic, uninitialised stack reads, partial overwrites of spilled
   * pointers and out-of-object pointer arithmetic are refused), and speculative paths are walked
   * as 6.18 does (sanitize_speculative_path, sanitize_ptr_alu). 'none' is a user without CAP_BPF
   * (bpf_capable false): the CAP_BPF-only rules plus no loops (`back-edge from insn N to M`), no
   * calls to other BPF or kernel functions (EPERM), no scalar tracking through the stack and no
   * constant-key lookup elision.
   */
  readonly privileged?: boolean | 'none';
  /** The loader has CAP_SYS_BOOT (destructive kfuncs); default true. */
  readonly capSysBoot?: boolean;
}

/** Statistics as the kernel prints them at log level 4. */
export interface VerifierStats {
  readonly insnsProcessed: number;
  readonly maxStatesPerInsn: number;
  readonly totalStates: number;
  readonly peakStates: number;
  /** Stack depth per subprogram, in bytes. */
  readonly stackDepth: readonly number[];
  /** Wall time of the verification, in microseconds. */
  readonly timeUs: number;
}

export type VerifierErrorCode = 'EACCES' | 'EINVAL' | 'E2BIG' | 'EFAULT' | 'ENOTSUPP' | 'EBADF' | 'EPERM';

/** A program the verifier refuses: errno, pc, instruction, C line, and the full log. */
export class VerifierError extends BpfemuError<VerifierErrorCode> {
  constructor(
    readonly code: VerifierErrorCode,
    /** Positive errno (EACCES 13, EINVAL 22, E2BIG 7, ...). */
    readonly errno: number,
    /** The pc of the rejected instruction, or -1 for whole-program errors. */
    readonly pc: number,
    /** The instruction in kernel syntax ('' when pc is -1). */
    readonly insn: string,
    /** The kernel's error line(s), without the trailing stats line. */
    readonly reason: string,
    /** `file.c:N` and the source text of the pc, when line info exists. */
    readonly source: { readonly file: string; readonly line: number; readonly text: string } | undefined,
    /** The whole log at the requested level (the failing path, the error, the stats). */
    readonly log: string,
    readonly stats: VerifierStats,
  ) {
    super(
      `${reason.split('\n').filter((l) => l !== '').pop() ?? reason}` +
        (pc >= 0 ? ` (pc ${pc}: ${insn}${source !== undefined ? `, ${source.file}:${source.line}: ${source.text}` : ''})` : ''),
    );
  }
}

/** A successful verification. */
export interface VerifierOk {
  readonly ok: true;
  readonly log: string;
  readonly stats: VerifierStats;
  /** 1 for every instruction some path reached; the rest is dead code the kernel removes. */
  readonly visited: Uint8Array;
  /** Loads, stores and atomics through PTR_TO_ARENA: rewritten to BPF_PROBE_MEM32 (convert_ctx_accesses). */
  readonly arenaAccesses?: ReadonlySet<number>;
  /**
   * Loads through PTR_TO_BTF_ID and through rdonly_untrusted memory (bpf_rdonly_cast): rewritten
   * to BPF_PROBE_MEM / BPF_PROBE_MEMSX (convert_ctx_accesses), a fault reads 0.
   */
  readonly probeLoads?: ReadonlySet<number>;
  /** 64-bit ALU insns on an arena pointer: made 32-bit (needs_zext, do_misc_fixups). */
  readonly arenaAlu32?: ReadonlySet<number>;
}

/** The verdict: accepted, or the error. */
export type VerifierResult = VerifierOk | { readonly ok: false; readonly error: VerifierError };
