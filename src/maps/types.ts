/**
 * Shared shapes of the map layer: creation attributes (the map half of `union bpf_attr`), the
 * environment a map lives in, special fields from BTF, the program interface prog arrays hold,
 * and the owner object of value regions.
 */
import type { Memory } from '../vm/memory.js';
import type { BpfMap } from './map.js';

/**
 * A special field of a map value, found in BTF by the loader (kernel btf_parse_fields). User-space
 * copies skip these bytes (kernel copy_map_value) and lookups return them zeroed
 * (check_and_init_map_value); freeing a value lets the environment cancel timers and the like.
 */
export interface SpecialField {
  readonly kind: SpecialFieldKind;
  /** Byte offset inside the value. */
  readonly offset: number;
  /** Size in bytes (bpf_spin_lock 4, bpf_timer 16, bpf_wq 16, kptr 8, bpf_list_head 16, ...). */
  readonly size: number;
  /** kptr fields: the type tag (`kptr` referenced, `kptr_untrusted`, `percpu_kptr`) and the struct pointed to. */
  readonly kptr?: { readonly tag: string; readonly struct: string };
}

/** Kinds of special fields (kernel enum btf_field_type, grouped). */
export type SpecialFieldKind =
  | 'spin_lock'
  | 'res_spin_lock'
  | 'timer'
  | 'workqueue'
  | 'kptr'
  | 'list_head'
  | 'rb_root'
  | 'refcount'
  | 'uptr';

/** Map creation attributes, as BPF_MAP_CREATE takes them. */
export interface MapAttr {
  /** A BPF_MAP_TYPE_* number. */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** BPF_F_* creation flags (default 0). */
  readonly flags?: number;
  /** Type-specific: bloom filter hash count in the low 4 bits; must be 0 for most types. */
  readonly mapExtra?: bigint;
  /** NUMA node, used only with BPF_F_NUMA_NODE; the emulated machine has node 0 only. */
  readonly numaNode?: number;
  /** Object name: at most 15 characters of [A-Za-z0-9_.] (kernel bpf_obj_name_cpy). */
  readonly name?: string;
  /** Map-in-map: the inner map template (the kernel's inner_map_fd). */
  readonly innerMap?: BpfMap | undefined;
  /** Special fields of the value (from BTF). */
  readonly specialFields?: readonly SpecialField[];
  /** BTF type ids, kept for printing; only their presence is checked. */
  readonly btfKeyTypeId?: number;
  readonly btfValueTypeId?: number;
}

/**
 * What a map needs from the emulated kernel it lives in. One environment is shared by every map of
 * one emulated kernel.
 */
export interface MapEnv {
  /** The guest address space: value pointers, record pointers and map handles are regions in it. */
  readonly mem: Memory;
  /** Number of emulated CPUs (per-CPU maps keep one value per CPU). */
  readonly nrCpus: number;
  /**
   * Unmap `regionId` at the end of the current program run (RCU-like: a pointer a program obtained
   * before the element went away stays readable until then). The kernel layer drains these; when no
   * run is active it may unmap at once.
   */
  retire(regionId: number): void;
  /** Resolve a user-space fd (prog array / map-in-map / perf event array values); undefined if not open. */
  resolveFd?(fd: number): unknown;
  /**
   * Whether a network device with this ifindex exists (DEVMAP values). Default: only the loopback
   * device, ifindex 1.
   */
  netdevExists?(ifindex: number): boolean;
  /**
   * A map value that had special fields is being freed or overwritten (delete, replacement, array
   * update, map free): cancel its timers, release its kptrs. `regionId` is the value's region (values
   * that were never handed to a program have none, and no hook call); `value` its current bytes.
   */
  onValueFree?(map: BpfMap, regionId: number, value: Uint8Array): void;
  /**
   * A random u32 (the kernel's get_random_u32) for hash seeds. Without it seeds are 0, as with
   * BPF_F_ZERO_SEED, so iteration order and bloom bits are reproducible.
   */
  random?(): number;
  /** Allocate a map id (kernel idr, cyclic from 1). Without it each environment counts from 1. */
  allocMapId?(): number;
}

/**
 * The program object a PROG_ARRAY holds (implemented by the kernel layer). `type` is the
 * `enum bpf_prog_type` number; `id` what user-space lookups return.
 */
export interface BpfProgramLike {
  readonly id: number;
  readonly type: number;
  /** Called when a prog array slot starts holding the program (kernel bpf_prog_inc). */
  acquire?(): void;
  /** Called when a slot stops holding it (kernel bpf_prog_put). */
  release?(): void;
}

/** Whether `x` looks like a {@link BpfProgramLike}. */
export function isProgramLike(x: unknown): x is BpfProgramLike {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as { id?: unknown; type?: unknown };
  return typeof p.id === 'number' && typeof p.type === 'number';
}

/**
 * Owner of a map value region (`mem.owner[id]`): which map, which element (array index or hash
 * slot) and which CPU's copy. `alive` turns false once the element is deleted or replaced, while the
 * region itself lives on until the end of the run.
 */
export class MapValueRef {
  alive = true;

  constructor(
    readonly map: BpfMap,
    /** Array index, hash slot or trie node number. */
    readonly elem: number,
    /** CPU of a per-CPU value; 0 otherwise. */
    readonly cpu: number,
  ) {}
}

/** Helper-visible operations; the verifier lets a program use only those its map type supports. */
export type ProgOp =
  | 'lookup'
  | 'update'
  | 'delete'
  | 'push'
  | 'pop'
  | 'peek'
  | 'for_each'
  | 'lookup_percpu'
  | 'tail_call'
  | 'perf_event_output'
  | 'ringbuf';

/** Options of the BPF_MAP_*_BATCH commands. */
export interface BatchOptions {
  /** Per-element flags (BPF_F_LOCK, or update flags for updateBatch). */
  readonly elemFlags?: number;
  /** Command flags; must be 0. */
  readonly flags?: number;
}

/** Outcome of a batch command: errno (0, or negative), elements processed, and the batch token. */
export interface BatchResult {
  readonly err: number;
  readonly count: number;
  /**
   * The `out_batch` token the kernel wrote (opaque: a key for array-like maps, a 4-byte bucket number
   * for hash maps), to pass as `inBatch` of the next call; null when the kernel would not write it.
   */
  readonly outBatch: Uint8Array | null;
}

/**
 * bpf_for_each_map_elem iteration step: the element's key bytes (valid only during the call) and
 * its value region for the current CPU. Return true to stop.
 */
export type ForEachCallback = (keyBuf: Uint8Array, keyOff: number, valueRegion: number) => boolean;
