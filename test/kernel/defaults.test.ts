/** What a new emulated kernel starts with (src/kernel/defaults.ts): the generic RCU kfuncs. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { Kernel } from '../../src/kernel/kernel.js';

describe('default kfuncs', () => {
  it('bpf_rcu_read_lock/unlock resolve and run: the externs fixture gives the 6.18 results', () => {
    const k = new Kernel({ version: [6, 18, 44] });
    expect(k.kfuncs.get('bpf_rcu_read_lock')?.def.proto).toEqual({ ret: 'void', params: [] });
    expect(k.kfuncs.get('bpf_rcu_read_unlock')).toBeDefined();
    // typeless __ksym: the emulator has no kallsyms of its own
    k.provide('kallsyms', (name: string) => (name === 'bpf_prog_put' ? 0xffffffff81234560n : undefined));
    const o = BpfObject.open(readFileSync(new URL('../../programs/externs.bpf.o', import.meta.url)), { kernel: k, name: 'externs', kconfig: { CONFIG_BPF_SYSCALL: 'y', CONFIG_BPF_LSM: 'y', CONFIG_HZ: 250 } });
    o.load();
    const ctx = new Uint8Array(32);
    expect(o.program('externs_prog').testRun({ ctxIn: ctx }).retval).toBe(0);
    expect([...new Int32Array(ctx.buffer)]).toEqual([0x06122c, 1, 1, 250, 0, 1, 0, -1]);
  });
});
