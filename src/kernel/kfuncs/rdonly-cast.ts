/**
 * bpf_rdonly_cast (kernel/bpf/helpers.c, the common kfunc set registered for every program type,
 * KF_FASTCALL in the 6.18 sources; present in this machine's vmlinux BTF and callable from each of
 * the 29 probed program types: test/verifier/goldens/helper-availability.json):
 *
 *   void *bpf_rdonly_cast(const void *obj__ign, u32 btf_id__k)
 *
 * At run time it returns `obj` unchanged; the verifier gives the result its type from `btf_id__k`
 * (src/verifier/rdonly-cast.ts) and loads through it are PROBE_MEM loads. KF_FASTCALL only lets
 * the kernel drop spills around the call (bpf_fastcall); the emulator has no such rewrite, so the
 * flag is not modelled.
 */
import type { Kernel } from '../kernel.js';

/** Register bpf_rdonly_cast into `k` (every program type). */
export function installRdonlyCast(k: Kernel): void {
  k.registerKfunc({
    name: 'bpf_rdonly_cast',
    proto: { ret: 'void *', params: [{ name: 'obj__ign', type: 'const void *' }, { name: 'btf_id__k', type: 'u32' }] },
    impl: (c) => c.args[0]!,
  });
}
