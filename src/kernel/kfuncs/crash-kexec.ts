/**
 * crash_kexec, the one destructive kfunc of 6.18 (KF_DESTRUCTIVE, kernel/bpf/helpers.c generic set,
 * compiled in only with CONFIG_CRASH_DUMP; this machine's 6.18 build has none, so there is no live
 * golden: every fact here is from the 6.18 sources, kernel/bpf/helpers.c, kernel/crash_core.c and
 * kernel/bpf/verifier.c). Registered only when KernelOptions.crashKexec asks for such a build (the
 * default emulated kernel matches this machine's kfunc availability).
 *
 *   void crash_kexec(struct pt_regs *regs)
 *
 * The verifier refuses the call without CAP_SYS_BOOT (check_kfunc_call, before the sleepable and
 * argument checks: "destructive kfunc calls require CAP_SYS_BOOT capability", EACCES;
 * src/verifier/kfunc.ts). At run time crash_kexec boots the loaded crash kernel, if any: the emulated
 * machine never has one loaded (no kexec_load), so __crash_kexec finds no kexec_crash_image and the
 * call returns, as on a machine without a crash kernel. Each call is counted in `calls`.
 */
import type { Kernel } from '../kernel.js';
import { GENERIC_KFUNC_PROG_TYPES } from './task.js';

/** What the emulated crash_kexec saw. */
export interface CrashKexecService {
  /** Number of crash_kexec calls (each returned: no crash kernel is loaded). */
  calls: number;
}

/** Register crash_kexec into `k` (a build with CONFIG_CRASH_DUMP); its call count is the `crashKexec` service. */
export function installCrashKexec(k: Kernel): void {
  const svc: CrashKexecService = { calls: 0 };
  k.provide('crashKexec', svc);
  k.registerKfunc({
    name: 'crash_kexec',
    proto: { ret: 'void', params: [{ name: 'regs', type: 'struct pt_regs *' }] },
    progTypes: GENERIC_KFUNC_PROG_TYPES,
    flags: { destructive: true },
    impl: () => {
      svc.calls++;
      return 0;
    },
  });
}
