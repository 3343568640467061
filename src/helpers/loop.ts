/**
 * bpf_loop (kernel/bpf/bpf_iter.c): call a callback `nr_loops` times with (index, ctx); a return of
 * 1 stops early. Returns the number of iterations done (the stopping one included), -EINVAL for
 * flags != 0 or -E2BIG as a zero-extended u32 (inlined call) for more than BPF_MAX_LOOPS (1 << 23)
 * iterations.
 */
import { ERRNO } from '../util/errno.js';
import type { Machine } from '../vm/machine.js';
import { CALLBACK_R0, invokeCallbackRaw, type RunArgs } from '../vm/run.js';
import { callbackArg, stackOrNullArg, type Callback } from './args.js';
import type { HelperDef, HelperProto } from './registry.js';

const { EINVAL, E2BIG } = ERRNO;

/** BPF_MAX_LOOPS. */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;

/**
 * Run a synchronous callback (bpf_loop, bpf_for_each_map_elem) in a new frame and return whether it
 * asked to stop. The verifier only accepts callbacks returning 0 or 1; anything else faults.
 */
export function callBoolCallback(m: Machine, cb: Callback, args: RunArgs, helper: string): boolean {
  invokeCallbackRaw(m, cb.prog, cb.pc, args);
  const lo = CALLBACK_R0[0]!;
  const hi = CALLBACK_R0[1]!;
  if (hi !== 0 || (lo !== 0 && lo !== 1)) {
    const r = BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
    throw m.fail('helper', `${helper}: callback at pc ${cb.pc} returned ${r}; the verifier requires 0 or 1`);
  }
  return lo === 1;
}

/** bpf_loop(u32 nr_loops, callback_fn, callback_ctx, u64 flags). */
function bpfLoop(m: Machine): void {
  const H = 'bpf_loop';
  const nr = m.argU32(1);
  const cb = callbackArg(m, 2, H);
  stackOrNullArg(m, 3, H, 'callback ctx');
  if (m.hi[4] !== 0 || m.lo[4] !== 0) {
    m.setR0Num(-EINVAL);
    return;
  }
  if (nr > BPF_MAX_LOOPS) {
    // The verifier inlines bpf_loop when flags is a known 0 and the callback is fixed (kernel
    // verifier.c inline_bpf_loop, since 6.0); the inlined code sets -E2BIG with a 32-bit move, so
    // r0 is 0x00000000fffffff9 (measured on 6.18). Flags reaching here are 0; a 0 the verifier
    // could not prove constant (not inlined, -E2BIG sign-extended) is not told apart.
    m.setR0Num(-E2BIG >>> 0);
    return;
  }
  // r1 = index, r2 = ctx, as register halves reused across iterations (no allocation per call).
  const args = Int32Array.of(0, 0, m.lo[3]!, m.hi[3]!);
  for (let i = 0; i < nr; i++) {
    args[0] = i;
    if (callBoolCallback(m, cb, args, H)) {
      m.setR0Num(i + 1);
      return;
    }
  }
  m.setR0Num(nr);
}

/** bpf_loop_proto (kernel/bpf/bpf_iter.c): nr_loops, callback, ctx (stack or NULL), flags; the callback returns 0 or 1. */
const LOOP_PROTO: HelperProto = {
  ret: 'integer',
  args: [{ kind: 'anything' }, { kind: 'func' }, { kind: 'stack_or_null' }, { kind: 'anything' }],
  callback: { arg: 1, retRange: [0, 1] },
};

/** The bpf_loop family. */
export function loopHelpers(): HelperDef[] {
  return [{ id: 181, name: 'loop', fn: bpfLoop, proto: LOOP_PROTO, family: 'loop' }];
}
