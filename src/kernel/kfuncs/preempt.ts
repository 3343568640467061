/**
 * Preemption sections (6.18 kernel/bpf/helpers.c, the common kfunc set): bpf_preempt_disable and
 * bpf_preempt_enable. The emulated machine runs one program at a time and never preempts it, so at
 * run time both do nothing; the verifier checks their pairing and what a section may contain
 * (src/verifier/preempt.ts). 6.18 registers the common set for every program type (measured: every
 * probed type may call both, test/verifier/goldens/helper-availability.json).
 */
import type { Kernel } from '../kernel.js';

/** Register the two preemption kfuncs into `k`. */
export function installPreempt(k: Kernel): void {
  for (const name of ['bpf_preempt_disable', 'bpf_preempt_enable']) k.registerKfunc({ name, proto: { ret: 'void', params: [] }, impl: () => 0 });
}
