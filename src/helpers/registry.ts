/**
 * The helper registry: BPF helper implementations by id, with the facts the loader checks
 * (availability per program type, GPL-only). Ids, names and prototypes of the built-in helpers
 * live in helpers/table.ts; implementations register here. Users can add or override helpers
 * through the kernel options.
 */
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
  readonly args?: readonly ArgKind[];
  /** Only sleepable programs may call it (bpf_func_proto.might_sleep). */
  readonly mightSleep?: boolean;
  /** The helper family it belongs to (`maps`, `time`, ...), for the support table. */
  readonly family?: string;
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
