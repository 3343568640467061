/**
 * The cgroup/sysctl helpers (src/helpers/sysctl.ts): programs/sysctl_helpers attached to the root
 * cgroup and fired with the read and the write of kernel/domainname that
 * test/kernel/progtypes/sysctl-live.c made on 6.18; every helper's return value and buffer must be
 * the kernel's (test/kernel/progtypes/golden/sysctl-live.json), and the write stores the value the
 * program set. Also the event's own checks and the runs without sysctl data.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/index.js';
import { assembleBytes } from '../../src/isa/asm.js';
import { attachCgroup, fireCgroup } from '../../src/kernel/progtypes/cgroup.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { ProgType } from '../../src/object/uapi.js';

interface Rec {
  ret: number[];
  [buf: string]: string | number[];
}
const G = JSON.parse(readFileSync(new URL('../kernel/progtypes/golden/sysctl-live.json', import.meta.url), 'utf8')) as {
  read: Rec;
  write: Rec;
  write_returned: number;
  domainname_after: string;
};

/** struct rec of the fixture: ret[12] (11 used) then the buffers, by name, offset and size. */
const BUFS: readonly [string, number, number][] = [
  ['name', 96, 32],
  ['base', 128, 32],
  ['trunc', 160, 8],
  ['cur', 168, 32],
  ['cur4', 200, 4],
  ['nv', 204, 32],
  ['nv2', 236, 2],
  ['btrunc', 238, 8],
  ['odd', 246, 32],
];
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function rec(o: BpfObject, k: number): Rec {
  const v = o.map('out').lookup(Uint8Array.of(k, 0, 0, 0))!;
  const dv = new DataView(v.buffer, v.byteOffset);
  const out: Rec = { ret: Array.from({ length: 11 }, (_, i) => Number(dv.getBigInt64(8 * i, true))) };
  for (const [n, off, size] of BUFS) out[n] = hex(v.subarray(off, off + size));
  return out;
}

describe('bpf_sysctl_get_name / get_current_value / get_new_value / set_new_value', () => {
  it('a read and a write of kernel/domainname give 6.18\'s return values and buffers; the write stores the program\'s value', () => {
    const o = BpfObject.open(readFileSync('programs/sysctl_helpers.bpf.o'));
    o.load();
    expect(attachCgroup(o.kernel, o.program('probe').fd)).toBeGreaterThan(0);
    const name = 'kernel/domainname';
    const rd = fireCgroup(o.kernel, 'cgroup/sysctl', { ctx: { write: 0 }, sysctl: { name, current: 'orig\n' } });
    expect([rd.retval, rd.sysctlValue]).toEqual([0, undefined]);
    const wr = fireCgroup(o.kernel, 'cgroup/sysctl', { sysctl: { name, current: 'orig\n', newValue: 'newname\n' } });
    expect(wr.retval).toBe(0);
    expect(rec(o, 0)).toEqual(G.read);
    expect(rec(o, 1)).toEqual(G.write);
    // write() returned the stored length; the domain name afterwards
    expect(wr.sysctlValue!.length).toBe(G.write_returned);
    expect(new TextDecoder().decode(wr.sysctlValue)).toBe(G.domainname_after);
    o.close();
  });

  const loadSysctl = (k: Kernel, text: string): number => {
    const insns = assembleBytes(text);
    const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.CGROUP_SYSCTL, expected_attach_type: 18, insn_cnt: insns.length / 8, insns, license: 'GPL' });
    if (fd < 0) throw new Error(`load failed: ${fd} ${JSON.stringify(k.lastVerifierResult).slice(-300)}`);
    return fd;
  };
  // ctx->file_pos = bpf_sysctl_set_new_value(ctx, "xy" on the stack, 2); return <r>
  const setter = (r: number): string => `mov r6, r1\nsth [r10-8], 0x7978\nmov r2, r10\nadd r2, -8\nmov r3, 2\ncall 104\nstxw [r6+4], r0\nmov r0, ${r}\nexit`;

  it('a denied write stores what was written; set_new_value on a read is EINVAL', () => {
    const k = new Kernel({ verify: true });
    attachCgroup(k, loadSysctl(k, setter(1)));
    const allowed = fireCgroup(k, 'cgroup/sysctl', { sysctl: { name: 'net/ipv4/ip_forward', current: '0\n', newValue: '1\n' } });
    expect([allowed.retval, new TextDecoder().decode(allowed.sysctlValue), allowed.ctx.file_pos]).toEqual([0, 'xy', 0]);
    const rd = fireCgroup(k, 'cgroup/sysctl', { sysctl: { name: 'net/ipv4/ip_forward', current: '0\n' } });
    expect(rd.ctx.file_pos).toBe(-22 >>> 0);
    attachCgroup(k, loadSysctl(k, setter(0)));
    const denied = fireCgroup(k, 'cgroup/sysctl', { sysctl: { name: 'net/ipv4/ip_forward', newValue: '1\n' } });
    expect([denied.retval, new TextDecoder().decode(denied.sysctlValue)]).toEqual([-1, '1\n']);
  });

  it('set_new_value takes at most PAGE_SIZE - 1 bytes (E2BIG above, after the EINVAL checks); the write then stores them all', () => {
    const k = new Kernel({ verify: true });
    const arr = k.bpf(Cmd.MAP_CREATE, { map_type: 2, key_size: 4, value_size: 4096, max_entries: 1 });
    expect(k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: arr, key: new Uint8Array(4), value: new Uint8Array(4096).fill(0x61), flags: 0 })).toBe(0);
    // ctx->file_pos = set_new_value(ctx, the 4096-byte map value, n)
    const prog = (n: number): string =>
      `mov r6, r1\nstw [r10-4], 0\nlddw r1, map_fd ${arr}\nmov r2, r10\nadd r2, -4\ncall 1\njeq r0, 0, out\nmov r1, r6\nmov r2, r0\nmov r3, ${n}\ncall 104\nstxw [r6+4], r0\nout:\nmov r0, 1\nexit`;
    const fire = (n: number): { pos: unknown; len: number | undefined } => {
      const link = attachCgroup(k, loadSysctl(k, prog(n)));
      try {
        const r = fireCgroup(k, 'cgroup/sysctl', { sysctl: { name: 'kernel/domainname', newValue: 'x' } });
        return { pos: r.ctx.file_pos, len: r.sysctlValue?.length };
      } finally {
        k.close(link);
      }
    };
    expect(fire(4096)).toEqual({ pos: -7 >>> 0, len: 1 });
    expect(fire(4095)).toEqual({ pos: 0, len: 4095 });
  });

  it('without a current value get_current_value is EINVAL with a zeroed buffer; without a name get_name faults, naming what is missing', () => {
    const k = new Kernel({ verify: true });
    // ctx->file_pos = get_current_value(ctx, stack, 8) ; return 1 if the buffer is all zero
    attachCgroup(k, loadSysctl(k, 'mov r6, r1\nmov r1, -1\nstxdw [r10-8], r1\nmov r1, r6\nmov r2, r10\nadd r2, -8\nmov r3, 8\ncall 102\nstxw [r6+4], r0\nldxdw r1, [r10-8]\nmov r0, 1\njeq r1, 0, out\nmov r0, 0\nout:\nexit'));
    const r = fireCgroup(k, 'cgroup/sysctl', { sysctl: { name: 'kernel/domainname' } });
    expect([r.retval, r.ctx.file_pos]).toEqual([0, -22 >>> 0]);
    const k2 = new Kernel({ verify: true });
    attachCgroup(k2, loadSysctl(k2, 'mov r2, r10\nadd r2, -8\nmov r3, 8\nmov r4, 0\ncall 101\nmov r0, 1\nexit'));
    const f = fireCgroup(k2, 'cgroup/sysctl', {});
    expect(f.runs[0]!.fault).toMatchObject({ kind: 'helper', detail: expect.stringMatching(/names no sysctl/) });
    expect(() => fireCgroup(k2, 'cgroup/sysctl', { ctx: { write: 0 }, sysctl: { newValue: 'x' } })).toThrow(/a read \(ctx.write 0\) has no newValue/);
    expect(() => fireCgroup(k2, 'cgroup/sysctl', { sysctl: { name: '/kernel/x' } })).toThrow(/must be a path below \/proc\/sys/);
    expect(() => fireCgroup(k2, 'cgroup/connect4', { sysctl: { name: 'kernel/x' } })).toThrow(/for cgroup\/sysctl events only/);
  });
});
