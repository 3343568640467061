/**
 * What a helper or kfunc call costs in budget units (1 unit = 1 interpreted instruction, about 5 ns
 * on the reference machine), so that a run's budget bounds its time even when the time goes into
 * helpers: the kernel bounds a program by the verifier's instruction limit and by helpers that do
 * bounded work; the emulator has a run-time budget instead, and charges every call against it.
 *
 *   cost(call) = base + ceil(bytes / 64)     bytes = sum of the call's size arguments
 *
 * (base before the call, bytes after it returned).
 *
 * `base` comes from {@link HELPER_BASE_COST} (measured: see below) or {@link DEFAULT_HELPER_COST};
 * size arguments are those the helper's prototype marks `size` / `size_or_zero` / `alloc_size`
 * (what the helper copies, formats or reserves). Callbacks a helper runs (bpf_loop,
 * for_each_map_elem, timers) pay for their own instructions.
 *
 * Base costs were measured with micro-benchmark loops (one helper called in a bpf_loop) on the reference machine
 * (Node 20, 2 cores): the ns of one call divided by 5, rounded up, at least the default.
 */
import type { HelperFn, Machine } from '../vm/machine.js';
import type { HelperDef } from './registry.js';

/** Base cost of a helper without an entry in {@link HELPER_BASE_COST}. */
export const DEFAULT_HELPER_COST = 8;
/** Base cost of a kfunc call. */
export const KFUNC_COST = 16;

/** Helpers whose calls cost more than the default (by name without `bpf_`). */
export const HELPER_BASE_COST: Readonly<Record<string, number>> = {
  map_update_elem: 16,
  map_delete_elem: 16,
  map_lookup_elem: 8,
  trace_printk: 200,
  trace_vprintk: 200,
  snprintf: 200,
  seq_printf: 200,
  get_current_task: 8,
  get_current_task_btf: 8,
  get_current_comm: 16,
  strtol: 32,
  strtoul: 32,
  for_each_map_elem: 32,
  loop: 16,
  ringbuf_reserve: 32,
  ringbuf_output: 32,
  ringbuf_submit: 16,
  ringbuf_discard: 16,
  perf_event_output: 64,
  timer_init: 32,
  timer_start: 32,
  tail_call: 8,
};

/** Registers (1..5) holding size arguments of `def`, from its prototype (or its coarse argument kinds). */
export function sizeRegisters(def: HelperDef): number[] {
  const out: number[] = [];
  if (def.proto !== undefined) {
    def.proto.args.forEach((a, i) => {
      if (a.kind === 'size' || a.kind === 'size_or_zero' || a.kind === 'alloc_size') out.push(i + 1);
    });
  } else if (def.args !== undefined) {
    def.args.forEach((a, i) => {
      if (a === 'size' || a === 'size_or_zero') out.push(i + 1);
    });
  }
  return out;
}

/** The base cost of helper `def`. */
export function helperCost(def: HelperDef): number {
  return HELPER_BASE_COST[def.name] ?? DEFAULT_HELPER_COST;
}

/** `def.fn` charging its cost against the run's budget before it runs. */
export function chargedHelper(def: HelperDef): HelperFn {
  const fn = def.fn;
  const base = helperCost(def);
  const regs = sizeRegisters(def);
  if (regs.length === 0) {
    return (m: Machine) => {
      m.charge(base);
      fn(m);
    };
  }
  const r0 = regs[0]!;
  const r1 = regs.length > 1 ? regs[1]! : 0;
  return (m: Machine) => {
    // Sizes are u32 arguments: their low halves, read before the call (it may clobber nothing, but
    // r0 is the result). The bytes are charged after the call succeeded: the work is bounded by the
    // regions the helper checked, and a bad argument stays the fault it is.
    let bytes = m.lo[r0]! >>> 0;
    if (r1 !== 0) bytes += m.lo[r1]! >>> 0;
    m.charge(base);
    fn(m);
    if (bytes !== 0) m.charge(Math.ceil(bytes / 64));
  };
}
