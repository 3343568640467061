/**
 * The task kfuncs of the generic set (src/kernel/kfuncs/task.ts) in a kernel without sched_ext:
 * bpf_task_from_pid finds the current task by its pid (the only task such a kernel has) and gives
 * NULL for any other pid, bpf_task_acquire returns its argument, and the program type table keeps a
 * socket filter out (as 6.18 does: corpus case kfunc-not-allowed-socket refuses the cpumask set the
 * same way). The verifier's rules for these kfuncs are in test/verifier (corpus group kfunc).
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.js';
import { ERRNO } from '../../../src/util/errno.js';
import { loadProg, ProgType, ret } from '../../helpers/env.js';

function ids(k: Kernel): { fromPid: number; release: number; acquire: number } {
  const id = (n: string): number => k.kfuncs.get(n)!.btfId;
  return { fromPid: id('bpf_task_from_pid'), release: id('bpf_task_release'), acquire: id('bpf_task_acquire') };
}

/** r0 = pid of bpf_task_from_pid(PID) read back through the task pointer, or -1 for NULL (verified). */
function fromPidProgram(k: Kernel, pid: number): string {
  const { fromPid, release } = ids(k);
  return [
    `mov r1, ${pid}`,
    `call kfunc ${fromPid}`,
    'jne r0, 0, +2',
    'mov r0, -1',
    'exit',
    'mov r1, r0',
    `call kfunc ${release}`,
    `mov r0, 1`,
    'exit',
  ].join('\n');
}

describe('generic task kfuncs', () => {
  it('bpf_task_from_pid: the current task for its pid, NULL for another; both paths release what they hold', () => {
    const k = new Kernel({ task: { pid: 777, tgid: 777 } });
    expect(ret(k, loadProg(k, fromPidProgram(k, 777)))).toBe(1);
    expect(ret(k, loadProg(k, fromPidProgram(k, 778)))).toBe(-1);
  });

  it('a program that keeps the reference is refused at load (Unreleased reference)', () => {
    const k = new Kernel();
    const { fromPid } = ids(k);
    const fd = loadProg(k, `mov r1, 1\ncall kfunc ${fromPid}\nmov r0, 0\nexit`);
    expect(fd).toBe(-ERRNO.EINVAL);
  });

  it('the generic set is not registered for socket filters: EACCES at load', () => {
    const k = new Kernel();
    expect(loadProg(k, fromPidProgram(k, 1), { type: ProgType.SOCKET_FILTER })).toBe(-ERRNO.EACCES);
  });
});
