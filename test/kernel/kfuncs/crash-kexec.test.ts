/**
 * crash_kexec, the destructive kfunc (src/kernel/kfuncs/crash-kexec.ts), and the verifier's
 * KF_DESTRUCTIVE rule (src/verifier/kfunc.ts) through programs/crash_kexec.bpf.o. This machine's
 * 6.18 build has no crash_kexec (no CONFIG_CRASH_DUMP), so nothing here is a live golden: the
 * expectations are the 6.18 sources' (kernel/bpf/helpers.c registers it in the generic set with
 * KF_DESTRUCTIVE; verifier.c check_kfunc_call refuses it without CAP_SYS_BOOT with EACCES and
 * "destructive kfunc calls require CAP_SYS_BOOT capability" before the sleepable and argument
 * checks; kernel/crash_core.c returns when no crash kernel is loaded). What is live: the default
 * emulated kernel lacks it as this machine does (test/verifier/goldens/helper-availability.json).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject, type OpenOptions } from '../../../src/api/object.js';
import { BpfError } from '../../../src/api/errors.js';
import type { CrashKexecService } from '../../../src/kernel/kfuncs/crash-kexec.js';
import { Kernel } from '../../../src/kernel/kernel.js';

const OBJ = readFileSync(new URL('../../../programs/crash_kexec.bpf.o', import.meta.url));
const CAP_SYS_BOOT = 'destructive kfunc calls require CAP_SYS_BOOT capability';

/** Load program `name` alone; the object, or the BpfError of the refused load. */
function load(name: string, opts: OpenOptions): BpfObject | BpfError {
  const o = BpfObject.open(OBJ, opts);
  for (const p of o.programs) p.autoload = p.name === name;
  try {
    o.load();
    return o;
  } catch (e) {
    if (e instanceof BpfError) return e;
    throw e;
  }
}

function refused(r: BpfObject | BpfError): BpfError {
  if (!(r instanceof BpfError)) throw new Error('expected the load to be refused');
  return r;
}

const WITH = { kernelOptions: { crashKexec: true } } as const;

describe('crash_kexec (KF_DESTRUCTIVE), from the 6.18 sources', () => {
  it('the default emulated kernel has no crash_kexec, like this machine: the extern does not resolve', () => {
    expect(new Kernel().kfuncs.get('crash_kexec')).toBeUndefined();
    const e = refused(load('kexec_tc', {}));
    expect(e.code).toBe('ESRCH');
    expect(e.message).toMatch(/crash_kexec/);
  });

  it('KernelOptions.crashKexec registers it with KF_DESTRUCTIVE', () => {
    expect(new Kernel({ crashKexec: true }).kfuncs.get('crash_kexec')?.def.flags?.destructive).toBe(true);
  });

  it('root (CAP_SYS_BOOT) loads a tc program calling it; it returns (no crash kernel) and the program goes on', () => {
    for (const engine of ['fast', 'reference', 'js'] as const) {
      const o = load('kexec_tc', { kernelOptions: { crashKexec: true, engine } });
      if (!(o instanceof BpfObject)) throw o;
      const p = o.program('kexec_tc');
      expect(p.testRun({ dataIn: new Uint8Array(14) }).retval).toBe(7);
      expect(p.testRun({ dataIn: new Uint8Array(14) }).retval).toBe(7);
      expect(o.kernel.service<CrashKexecService>('crashKexec')!.calls).toBe(2);
    }
  });

  it('without CAP_SYS_BOOT the call is refused with EACCES, whatever the other capabilities', () => {
    for (const opts of [{ capSysBoot: false }, { privileged: false }, { privileged: true, capSysBoot: false }] as const) {
      const e = refused(load('kexec_tc', { ...WITH, ...opts }));
      expect(e.code).toBe('EACCES');
      expect(e.message).toContain(CAP_SYS_BOOT);
    }
  });

  it('CAP_SYS_BOOT is its own capability: CAP_BPF without CAP_PERFMON but with CAP_SYS_BOOT loads', () => {
    expect(load('kexec_tc', { ...WITH, privileged: false, capSysBoot: true })).toBeInstanceOf(BpfObject);
  });

  it('the capability check comes before the argument checks', () => {
    // root: 8 bytes of stack for the 168-byte struct pt_regs is the argument error
    const root = refused(load('kexec_small', WITH));
    expect(root.message).not.toContain(CAP_SYS_BOOT);
    expect(root.message).toMatch(/stack/);
    // without CAP_SYS_BOOT the capability is reported first
    expect(refused(load('kexec_small', { ...WITH, capSysBoot: false })).message).toContain(CAP_SYS_BOOT);
  });

  it('socket filters are not among the generic set\'s program types', () => {
    const e = refused(load('kexec_socket', WITH));
    expect(e.message).toMatch(/calling kernel function crash_kexec is not allowed/);
  });
});
