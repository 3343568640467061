/**
 * BPF exceptions (6.18, kernel/bpf/helpers.c): the bpf_throw(u64 cookie) kfunc of the generic set.
 * It ends the program from any frame: the exception callback the program names (BTF decl tag
 * "exception_callback:<fn>", the loader's `exceptionCb`) runs with the cookie and its r0 is the
 * program's return value; without one the kernel's default callback returns the cookie (measured on
 * 6.18: a tc program throwing 7 returns 7, test/vm/throw.test.ts). The unwind is a JS throw of
 * {@link Stop} with that r0, which every engine's run entry already turns into the run's result,
 * so no engine's hot loop changes.
 */
import { invokeCallback } from '../../vm/run.js';
import { Stop } from '../../vm/machine.js';
import type { Kernel } from '../kernel.js';
import { GENERIC_KFUNC_PROG_TYPES } from './task.js';

/** Register bpf_throw into `k`. */
export function installThrow(k: Kernel): void {
  k.registerKfunc({
    name: 'bpf_throw',
    proto: { ret: 'void', params: [{ name: 'cookie', type: 'u64' }] },
    progTypes: GENERIC_KFUNC_PROG_TYPES,
    impl: (c) => {
      const cookie = c.args[0]!;
      const cb = c.prog.exceptionCbPc;
      const exec = c.m.prog;
      const r0 = cb !== undefined && exec !== null ? invokeCallback(c.m, exec, cb, [cookie]) : cookie;
      const u = BigInt.asUintN(64, r0);
      throw new Stop(Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0);
    },
  });
}
