/**
 * bpf_override_return, recorded (src/helpers/override.ts): a kprobe program on an error-injectable
 * function reports the value it made the call return (FireResult.override, the kernel's log of
 * overridden calls, the ctx's ax), attaching it elsewhere fails with EINVAL. The kernel of the
 * goldens lacks CONFIG_BPF_KPROBE_OVERRIDE: it refuses the helper at load (checked live below and
 * in helper-protos.json), so the run-time rules come from the kernel sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { BpfError } from '../../src/api/errors.js';
import { isErrorInjectable, overriddenCalls } from '../../src/helpers/override.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { liveProbeGate } from '../maps/live/probe.js';

const O_CREAT = 0o100n;

function setup(): BpfObject {
  const k = new Kernel();
  k.addHook({ kind: 'kprobe', name: '__x64_sys_openat', params: [] });
  const o = BpfObject.open(readFileSync('programs/override_return.bpf.o'), { name: 'override_return', kernel: k });
  o.load();
  return o;
}

describe('bpf_override_return', () => {
  it('overrides an error-injectable call: the fire result, the log and regs->ax carry the value', () => {
    const o = setup();
    o.program('fail_openat').attach();
    const ko = o.kernel.service<{ create(n: string, f: Record<string, bigint>): { pointer: bigint } }>('kobjects')!;
    const inner = (flags: bigint): bigint => ko.create('pt_regs', { di: 0xffffff9cn, si: 0x1000n, dx: flags }).pointer;
    // O_CREAT: overridden with -EACCES
    const r1 = o.fire('kprobe', '__x64_sys_openat', { regs: { di: inner(O_CREAT | 1n) } });
    expect(r1.map((r) => [r.program, r.retval, r.override])).toEqual([['fail_openat', 0, BigInt.asUintN(64, -13n)]]);
    // no O_CREAT: the call runs (no override)
    const r2 = o.fire('kprobe', '__x64_sys_openat', { regs: { di: inner(0n) } });
    expect(r2.map((r) => r.override)).toEqual([null]);
    expect(o.globals.overrides).toBe(1n);
    expect(o.globals.last_ax).toBe(BigInt.asUintN(64, -13n));
    expect(overriddenCalls(o.kernel)).toEqual([{ func: '__x64_sys_openat', prog: 'fail_openat', rc: BigInt.asUintN(64, -13n) }]);
  });

  it('refuses to attach a program that calls it to a function off the error-injection list (EINVAL)', () => {
    const o = setup();
    expect(isErrorInjectable('do_unlinkat')).toBe(false);
    expect(() => o.program('fail_unlink').attach()).toThrow(expect.objectContaining({ errno: 22 }));
    expect(() => o.program('fail_unlink').attach()).toThrow(BpfError);
    expect(isErrorInjectable('__x64_sys_openat') && isErrorInjectable('should_failslab')).toBe(true);
  });

  const gate = liveProbeGate('6.18');
  const bpftool = spawnSync('bpftool', ['version'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!gate.live || !bpftool)(`6.18 here has no CONFIG_BPF_KPROBE_OVERRIDE: a kprobe program calling it is refused at load (live; ${gate.live && bpftool ? 'root on 6.18' : `skipped: ${gate.live ? 'no bpftool' : gate.why}`})`, () => {
    const pin = '/sys/fs/bpf/bpfemu-override-live';
    if (existsSync(pin)) rmSync(pin);
    const r = spawnSync('bpftool', ['-d', 'prog', 'load', 'programs/override_return.bpf.o', pin], { encoding: 'utf8' });
    if (existsSync(pin)) rmSync(pin);
    expect(r.status).not.toBe(0);
    expect(r.stderr + r.stdout).toContain('program of this type cannot use helper bpf_override_return#58');
  });
});
