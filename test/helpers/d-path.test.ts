/**
 * bpf_d_path (src/helpers/d-path.ts) over the emulated file system: the return values and buffer
 * bytes 6.18 gave for one path and ten buffer sizes (golden/d-path-live.json, recorded through an
 * iterator by d-path-live.c), the allow rule (bpf_d_path_allowed, from the kernel sources: this
 * kernel build refuses fentry and LSM loads), and -EFAULT for a path the emulator did not make.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { D_PATH_ALLOWLIST, dPathAllowed } from '../../src/helpers/d-path.js';
import type { KernelObjects } from '../../src/kernel/objects/kobjects.js';
import type { EmulatedVfs } from '../../src/kernel/objects/vfs.js';
import { AttachType, ProgType } from '../../src/object/uapi.js';
import { toHex } from '../../src/util/bytes.js';
import { liveProbeGate } from '../maps/live/probe.js';

interface Golden {
  readonly kernel: string;
  readonly path: string;
  readonly runs: number;
  readonly calls: readonly { readonly size: number; readonly ret: number; readonly buf: string }[];
}
const G = JSON.parse(readFileSync(new URL('./golden/d-path-live.json', import.meta.url), 'utf8')) as Golden;

/** The fixture with only `prog` loaded. */
function open(prog: string): BpfObject {
  const o = BpfObject.open(readFileSync('programs/d_path.bpf.o'), { name: 'd_path' });
  for (const p of o.programs) p.autoload = p.name === prog;
  return o;
}

/** Run dpath_lsm on the file at `path` with the golden's sizes; each call's return and buffer. */
function measure(path: string | null): { size: number; ret: number; buf: string }[] {
  const o = open('dpath_lsm');
  o.globals.dp = { sizes: G.calls.map((c) => BigInt(c.size)) } as never;
  o.load();
  o.program('dpath_lsm').attach();
  const k = o.kernel;
  const file = path === null ? k.service<KernelObjects>('kobjects')!.create('file') : k.service<EmulatedVfs>('vfs')!.file(path);
  o.fire('lsm', 'file_open', { args: [file.pointer] });
  const bss = o.map('.bss').lookup(new Uint8Array(4))!;
  const dv = new DataView(bss.buffer, bss.byteOffset);
  // struct dp: tgid, fd, sizes[10] (48 bytes), rets[10] at 48, bufs[10][128] at 128, runs
  expect(dv.getUint32(128 + 10 * 128, true)).toBe(1);
  return G.calls.map((c, i) => ({ size: c.size, ret: Number(dv.getBigInt64(48 + 8 * i, true)), buf: toHex(bss.subarray(128 + 128 * i, 128 + 128 * (i + 1))) }));
}

describe('bpf_d_path', () => {
  it('gives 6.18\'s return values and buffer bytes for every buffer size (golden recorded through an iterator)', () => {
    expect(G.runs).toBe(1);
    expect(measure(G.path)).toEqual(G.calls);
  });

  it('-EFAULT for a struct path that is not one of the emulated file system\'s (the buffer is untouched)', () => {
    const r = measure(null);
    for (const c of r.filter((x) => x.size > 0)) expect([c.size, c.ret, c.buf]).toEqual([c.size, -14, '2e'.repeat(128)]);
    expect(r[0]!.ret).toBe(0);
  });

  it('is allowed in iterators, sleepable-set LSM hooks and btf_allowlist_d_path functions only', () => {
    const T = ProgType.TRACING;
    expect(dPathAllowed({ type: T, expectedAttachType: AttachType.TRACE_ITER, attachName: 'task_file' })).toBe(true);
    expect(dPathAllowed({ type: ProgType.LSM, expectedAttachType: AttachType.LSM_MAC, attachName: 'file_open' })).toBe(true);
    // security_file_permission is allowed from fentry, but its LSM hook is not in the sleepable set
    expect(dPathAllowed({ type: ProgType.LSM, expectedAttachType: AttachType.LSM_MAC, attachName: 'file_permission' })).toBe(false);
    expect(dPathAllowed({ type: T, expectedAttachType: AttachType.TRACE_FENTRY, attachName: 'security_file_permission' })).toBe(true);
    for (const f of D_PATH_ALLOWLIST) expect(dPathAllowed({ type: T, expectedAttachType: AttachType.TRACE_FEXIT, attachName: f })).toBe(true);
    for (const f of ['vfs_open', 'do_unlinkat', 'd_path']) expect(dPathAllowed({ type: T, expectedAttachType: AttachType.TRACE_FENTRY, attachName: f })).toBe(false);
    expect(dPathAllowed({ type: T, expectedAttachType: AttachType.TRACE_RAW_TP, attachName: 'sched_switch' })).toBe(false);
    expect(dPathAllowed({ type: ProgType.SYSCALL, expectedAttachType: 0, attachName: '' })).toBe(false);
  });

  it('a load from fentry/do_unlinkat fails with "helper call is not allowed in probe"', () => {
    const o = open('dpath_refused');
    expect(() => o.load()).toThrow(expect.objectContaining({ errno: 22, cause: expect.objectContaining({ message: expect.stringMatching(/^helper call is not allowed in probe/) }) }));
    const ok = open('dpath_lsm');
    ok.load();
  });

  const gate = liveProbeGate('6.18');
  it.skipIf(!gate.live || spawnSync('cc', ['-O2', '-o', '/tmp/bpfemu-d-path-live', new URL('./d-path-live.c', import.meta.url).pathname, '-lbpf']).status !== 0)(
    `the running kernel still gives the golden (live; ${gate.live ? 'root on 6.18' : `skipped: ${gate.why}`})`,
    () => {
      const r = spawnSync('/tmp/bpfemu-d-path-live', ['programs/d_path.bpf.o'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const live = JSON.parse(r.stdout) as Golden;
      expect({ ...live, kernel: '' }).toEqual({ ...G, kernel: '' });
    },
  );
});
