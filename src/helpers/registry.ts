/**
 * The helper registry: BPF helper implementations by id, with the facts the loader checks
 * (availability per program type, GPL-only). Ids, names and prototypes of the built-in helpers
 * live in helpers/table.ts; implementations register here. Users can add or override helpers
 * through the kernel options.
 */
import type { BpfMap } from '../maps/map.js';
import type { HelperFn } from '../vm/machine.js';

/**
 * Argument kinds (a coarse struct bpf_func_proto arg_type). `btf_id` is a pointer to a kernel
 * object (task_struct, sock, ...), `timer`/`spin_lock`/`dynptr` the special map-value fields.
 */
export type ArgKind =
  | 'anything'
  | 'ptr'
  | 'ptr_or_null'
  | 'map'
  | 'size'
  | 'size_or_zero'
  | 'ctx'
  | 'func'
  | 'const'
  | 'btf_id'
  | 'timer'
  | 'spin_lock'
  | 'dynptr';

/** Return kinds (struct bpf_func_proto ret_type, coarse). */
export type RetKind = 'integer' | 'void' | 'ptr_or_null' | 'btf_id';

/**
 * A helper's verifier prototype (struct bpf_func_proto, include/linux/bpf.h): what the load-time
 * verifier checks at each argument and what it puts in r0. One prototype per helper, beside its
 * implementation (`HelperDef.proto`).
 *
 * Argument kinds (enum bpf_arg_type, base types):
 *   anything        ARG_ANYTHING: any initialised register
 *   map             ARG_CONST_MAP_PTR (`map_ptr`; later key/value arguments are sized by it)
 *   map_key         ARG_PTR_TO_MAP_KEY: key_size readable bytes
 *   map_value       ARG_PTR_TO_MAP_VALUE: value_size readable bytes
 *   mem             ARG_PTR_TO_MEM: memory sized by the next `size`/`size_or_zero` argument, or
 *                   by `fixedSize`; `uninit` (MEM_UNINIT|MEM_WRITE: the helper writes it), `rdonly`
 *                   (MEM_RDONLY: read-only memory accepted), `nullable` (PTR_MAYBE_NULL)
 *   size            ARG_CONST_SIZE (> 0);  size_or_zero  ARG_CONST_SIZE_OR_ZERO
 *   alloc_size      ARG_CONST_ALLOC_SIZE_OR_ZERO (a constant; sizes the returned memory)
 *   ctx             ARG_PTR_TO_CTX (unmodified);  ctx_or_null
 *   spin_lock       ARG_PTR_TO_SPIN_LOCK;  timer  ARG_PTR_TO_TIMER
 *   func            ARG_PTR_TO_FUNC (a callback subprogram);  stack_or_null  ARG_PTR_TO_STACK_OR_NULL
 *   const_str       ARG_PTR_TO_CONST_STR (frozen read-only map value, NUL inside)
 *   ringbuf_mem     ARG_PTR_TO_RINGBUF_MEM (a reserved record; release argument of submit/discard)
 *   dynptr          ARG_PTR_TO_DYNPTR;  btf_id  ARG_PTR_TO_BTF_ID (`btfType` names the struct)
 *   sock_common     ARG_PTR_TO_SOCK_COMMON;  socket  ARG_PTR_TO_SOCKET;  kptr_xchg_dest
 *   btf_id_sock_common  ARG_PTR_TO_BTF_ID_SOCK_COMMON (sock_common types, BTF socket pointers)
 *   percpu_btf_id   ARG_PTR_TO_PERCPU_BTF_ID;  long  ARG_PTR_TO_LONG (8 writable bytes)
 *
 * Return kinds (enum bpf_return_type): integer, void, map_value_or_null, mem_or_null (size from
 * the argument `retSizeArg`, ringbuf reserve: `ringbuf_mem_or_null` with a reference), socket_or_null,
 * tcp_sock_or_null, sock_common_or_null, btf_id (`retBtfType`), btf_id_or_null, mem_or_btf_id,
 * dynptr_mem_or_null (a slice of the dynptr argument: RET_PTR_TO_DYNPTR_MEM_OR_NULL, sized by `alloc_size`).
 */
export type ProtoArgKind =
  | 'anything'
  | 'map'
  | 'map_key'
  | 'map_value'
  | 'mem'
  | 'size'
  | 'size_or_zero'
  | 'alloc_size'
  | 'ctx'
  | 'ctx_or_null'
  | 'spin_lock'
  | 'timer'
  | 'func'
  | 'stack_or_null'
  | 'const_str'
  | 'ringbuf_mem'
  | 'dynptr'
  | 'btf_id'
  | 'sock_common'
  | 'btf_id_sock_common'
  | 'socket'
  | 'kptr_xchg_dest'
  | 'percpu_btf_id'
  | 'long';

/** One argument of a {@link HelperProto}. */
export interface ProtoArg {
  readonly kind: ProtoArgKind;
  /** mem: the helper writes the memory (MEM_UNINIT | MEM_WRITE); stack bytes need not be initialised. */
  readonly uninit?: boolean;
  /** mem: read-only memory (MEM_RDONLY) is accepted. */
  readonly rdonly?: boolean;
  /** PTR_MAYBE_NULL: NULL (a known zero) is accepted. */
  readonly nullable?: boolean;
  /** mem: MEM_FIXED_SIZE with this many bytes (no size argument follows). */
  readonly fixedSize?: number;
  /** btf_id: the struct the pointer must point to (`task_struct`). */
  readonly btfType?: string;
  /** This argument's reference is released (OBJ_RELEASE: ringbuf submit/discard, sk_release). */
  readonly release?: boolean;
  /**
   * dynptr: the dynptr type it must be (DYNPTR_TYPE_LOCAL, _RINGBUF, ...; any when absent); with
   * `uninit` the helper initialises the dynptr (MEM_UNINIT), otherwise it must be initialised.
   */
  readonly dynptrType?: 'local' | 'ringbuf' | 'skb' | 'xdp';
}

export type ProtoRetKind =
  | 'integer'
  | 'void'
  | 'map_value'
  | 'map_value_or_null'
  | 'mem_or_null'
  | 'ringbuf_mem_or_null'
  | 'socket_or_null'
  | 'tcp_sock_or_null'
  | 'sock_common_or_null'
  | 'btf_id'
  | 'btf_id_or_null'
  | 'mem_or_btf_id'
  | 'dynptr_mem_or_null';

/** A helper's verifier prototype; see {@link ProtoArgKind}. */
export interface HelperProto {
  readonly ret: ProtoRetKind;
  /** Up to five arguments, r1 first; absent slots are ARG_DONTCARE. */
  readonly args: readonly ProtoArg[];
  /** mem_or_null / ringbuf_mem_or_null: index (0-based) of the constant argument giving the size. */
  readonly retSizeArg?: number;
  /** btf_id returns: the struct (`task_struct`). */
  readonly retBtfType?: string;
  /** The result is a new reference the program must release (ringbuf reserve, sk lookups). */
  readonly acquire?: boolean;
  /** The helper may change packet data: every packet pointer is invalidated after the call. */
  readonly pktChanging?: boolean;
  /** Refined range of an integer result (e.g. bpf_get_smp_processor_id: [0, nr_cpus - 1]). */
  readonly retRange?: readonly [min: number, max: number];
  /** Callback helpers: which argument is the callback and the range its r0 must lie in. */
  readonly callback?: { readonly arg: number; readonly retRange: readonly [number, number] };
}

/** One registered helper. */
export interface HelperDef {
  /** enum bpf_func_id value. */
  readonly id: number;
  /** Name without the `bpf_` prefix, as in the uapi `FN(name)` list. */
  readonly name: string;
  readonly fn: HelperFn;
  /** Only GPL-compatible programs may call it (bpf_func_proto.gpl_only). */
  readonly gplOnly?: boolean;
  /** Program types that may call it (get_func_proto); undefined = every type. */
  readonly progTypes?: readonly number[];
  /**
   * Expected attach types that may call it, on top of `progTypes` (tracing_prog_func_proto offers
   * bpf_seq_printf only when `prog->expected_attach_type == BPF_TRACE_ITER`); undefined = any.
   */
  readonly attachTypes?: readonly number[];
  /**
   * bpf_func_proto.allowed: a check on the loaded program beyond its types (bpf_d_path's attach
   * functions); false makes the load fail with "helper call is not allowed in probe" (EINVAL).
   */
  readonly allowedIn?: (prog: { readonly type: number; readonly expectedAttachType: number; readonly attachName: string }) => boolean;
  readonly args?: readonly ArgKind[];
  /** The verifier prototype (struct bpf_func_proto); a helper without one is refused at load. */
  readonly proto?: HelperProto;
  /** Only sleepable programs may call it (bpf_func_proto.might_sleep). */
  readonly mightSleep?: boolean;
  /** The helper family it belongs to (`maps`, `time`, ...), for the support table. */
  readonly family?: string;
  /**
   * `fn` for call sites whose r1 is known to be `map`'s handle (map helpers; see HelperFn.site):
   * the map's argument checks done once here, or null when this map gains nothing. It must act as
   * `fn` for any r1 (checking that r1 is still that handle and deferring to `fn` otherwise).
   */
  readonly forMap?: (map: BpfMap) => HelperFn | null;
}

/** Helper lookup by id. */
export class HelperRegistry {
  private readonly byId = new Map<number, HelperDef>();

  constructor(defs: readonly HelperDef[] = []) {
    for (const d of defs) this.register(d);
  }

  /** Add or replace a helper. */
  register(def: HelperDef): void {
    this.byId.set(def.id, def);
  }

  /** The helper registered under `id`. */
  get(id: number): HelperDef | undefined {
    return this.byId.get(id);
  }

  /** Whether a program of `progType` loaded with `attachType` may call helper `id` (kernel get_func_proto). */
  allowed(id: number, progType: number, attachType = 0): boolean {
    const d = this.byId.get(id);
    return d !== undefined && (d.progTypes === undefined || d.progTypes.includes(progType)) && (d.attachTypes === undefined || d.attachTypes.includes(attachType));
  }

  /** Every registered helper, by id. */
  all(): HelperDef[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }
}
