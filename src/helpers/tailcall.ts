/**
 * bpf_tail_call(ctx, prog_array_map, index) (kernel/bpf/core.c ___bpf_prog_run JMP_TAIL_CALL):
 * jump into the program in slot `index`, in the current frame, with the same ctx (r1); the target
 * never returns here. The call falls through (the helper returns, r0 untouched, as the
 * interpreter's `goto out` leaves it) when the index is past max_entries, when the run already
 * made MAX_TAIL_CALL_CNT tail calls, or when the slot is empty; the count goes up before the slot
 * is read, as in the kernel.
 *
 * The kernel guarantees at load and update time that every program in a prog array has the type
 * of the programs using it (bpf_prog_map_compatible); a mismatch found here is reported as a fault.
 */
import { ProgArrayMap } from '../maps/prog-array.js';
import type { ExecProgram, Machine } from '../vm/machine.js';
import { ctxArg, mapArg } from './args.js';
import type { HelperDef, HelperProto } from './registry.js';

/** MAX_TAIL_CALL_CNT (include/linux/bpf.h). */
export const MAX_TAIL_CALL_CNT = 33;

/** What a prog array slot holds, as far as tail calls need it (the kernel layer's loaded program). */
interface TailTarget {
  readonly type: number;
  readonly name?: string;
  readonly exec?: ExecProgram;
}

function tailCall(m: Machine): void {
  const H = 'bpf_tail_call';
  ctxArg(m, 1, H);
  const map = mapArg(m, 2, H, 'tail_call');
  if (!(map instanceof ProgArrayMap)) throw m.fail('helper', `${H} r2: map '${map.name || map.id}' is not a prog array`);
  const index = m.argU32(3);
  if (index >= map.maxEntries) return;
  if (m.tailCalls >= MAX_TAIL_CALL_CNT) return;
  m.tailCalls++;
  const target = map.progAt(index) as TailTarget | null;
  if (target === null) return;
  const exec = target.exec;
  if (exec === undefined) throw m.fail('helper', `${H}: slot ${index} of '${map.name || map.id}' holds a program that was never loaded`);
  const caller = m.prog?.owner as { type?: unknown } | undefined;
  if (typeof caller?.type === 'number' && caller.type !== target.type) {
    throw m.fail('helper', `${H}: program ${exec.name} in slot ${index} has type ${target.type}, the caller ${caller.type} (the kernel refuses mixing program types in a prog array)`);
  }
  m.tailTarget = exec;
}

/**
 * bpf_tail_call_proto (kernel/bpf/core.c): ctx, a map (the verifier insists on a prog array) and an
 * index; RET_VOID, so r0 is not readable after the call.
 */
const TAIL_CALL_PROTO: HelperProto = { ret: 'void', args: [{ kind: 'ctx' }, { kind: 'map' }, { kind: 'anything' }] };

/** The tail-call family. */
export function tailCallHelpers(): HelperDef[] {
  return [{ id: 12, name: 'tail_call', fn: tailCall, proto: TAIL_CALL_PROTO, family: 'tail_call' }];
}
