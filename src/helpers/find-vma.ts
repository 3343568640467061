/**
 * bpf_find_vma (180, kernel/bpf/task_iter.c): find_vma(task, addr, callback, ctx, flags) looks up
 * the mapping of `task`'s address space that contains `addr` and calls `callback(task, vma, ctx)`
 * once with its `struct vm_area_struct` (kernel/objects/vma.ts: the current task's mappings, added
 * with `kernel.objects.addVma`).
 *
 * Results as 6.18 gives them: flags other than 0 -> -EINVAL; a NULL task or one without an mm
 * (here init, the idle task and added tasks; kernel threads in the kernel) -> -ENOENT; no mapping
 * containing addr -> -ENOENT; otherwise the callback runs and the result is 0 whatever it returned
 * (the verifier holds it to [0, 1]). The kernel's -EBUSY (the mmap lock not taken: an irq_work
 * already pending for the unlock, or a contended mmap_read_trylock) does not arise in the emulator,
 * which has neither interrupts nor concurrent lock holders.
 *
 * Verifier (verifier/calls.ts): the task is a task_struct BTF pointer (ARG_PTR_TO_BTF_ID: plain,
 * trusted or RCU), the callback a subprogram entered with r1 = the task, r2 = a `struct
 * vm_area_struct` BTF pointer, r3 = the ctx (ARG_PTR_TO_STACK_OR_NULL); it must return 0 or 1.
 * bpf_base_func_proto offers the helper to every program type (CAP_BPF and CAP_PERFMON tier).
 */
import { ERRNO } from '../util/errno.js';
import type { Machine } from '../vm/machine.js';
import { KObjectError, type KernelObjects } from '../kernel/objects/kobjects.js';
import { callbackArg, stackOrNullArg } from './args.js';
import { hostOf } from './host.js';
import { callBoolCallback } from './loop.js';
import type { HelperDef, HelperProto } from './registry.js';

function bpfFindVma(m: Machine): void {
  const H = 'bpf_find_vma';
  const task = m.argU64(1);
  const addr = m.argU64(2);
  const cb = callbackArg(m, 3, H);
  stackOrNullArg(m, 4, H, 'callback ctx');
  const ctx = m.argU64(4);
  if (m.argU64(5) !== 0n) return m.setR0Num(-ERRNO.EINVAL);
  if (task === 0n) return m.setR0Num(-ERRNO.ENOENT);
  const ko = hostOf(m).service<KernelObjects>('kobjects');
  if (ko === undefined) throw m.fail('helper', `${H}: this kernel has no emulated kernel objects`);
  let found: ReturnType<KernelObjects['findVma']>;
  try {
    found = ko.findVma(task, addr);
  } catch (e) {
    if (e instanceof KObjectError) throw m.fail('helper', `${H}: ${e.message}`);
    throw e;
  }
  if (found === undefined) throw m.fail('helper', `${H} r1 (task): 0x${task.toString(16)} is not a task_struct of the emulated kernel`);
  if (found === 'no_mm' || found === 'none') return m.setR0Num(-ERRNO.ENOENT);
  const vma = found.pointer;
  callBoolCallback(m, cb, [task, vma, ctx, 0n, 0n], H);
  m.setR0Num(0);
}

/** bpf_find_vma_proto: callback_fn returns 0 or 1 (the helper ignores the value). */
export const FIND_VMA_PROTO: HelperProto = {
  ret: 'integer',
  args: [{ kind: 'btf_id', btfType: 'task_struct' }, { kind: 'anything' }, { kind: 'func' }, { kind: 'stack_or_null' }, { kind: 'anything' }],
  callback: { arg: 2, retRange: [0, 1] },
};

/** The bpf_find_vma helper (every program type, as measured on 6.18). */
export function findVmaHelpers(): HelperDef[] {
  return [{ id: 180, name: 'find_vma', fn: bpfFindVma, proto: FIND_VMA_PROTO, family: 'tracing' }];
}
