/**
 * Identity helpers from KernelOptions: the task (pid/tgid/uid/gid/comm), the CPU, the seeded
 * bpf_get_prandom_u32, the task pointer service; bpf_get_current_comm's strscpy_pad.
 */
import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { ProgType, getU64, load, loadProg, newKernel, ret, run } from './env.js';

function call(id: number): string {
  return `
    mov r6, r1
    call ${id}
    stxdw [r6+0], r0
    mov r0, 0
    exit`;
}

function read(k: ReturnType<typeof newKernel>, fd: number): bigint {
  const ctx = new Uint8Array(8);
  expect(run(k, fd, ctx).err).toBe(0);
  return getU64(ctx);
}

/** get_current_comm(ctx, size) and return its result. */
function comm(size: number): string {
  return `
    mov r2, ${size}
    call 16
    exit`;
}

describe('identity helpers', () => {
  it('pid_tgid = tgid << 32 | pid, uid_gid = gid << 32 | uid', () => {
    const k = newKernel({ task: { pid: 7, tgid: 5, uid: 1000, gid: 100 } });
    expect(read(k, load(k, call(14)))).toBe((5n << 32n) | 7n);
    expect(read(k, load(k, call(15)))).toBe((100n << 32n) | 1000n);
    // defaults: pid/tgid 4242, root
    const d = newKernel();
    expect(read(d, load(d, call(14)))).toBe((4242n << 32n) | 4242n);
    expect(read(d, load(d, call(15)))).toBe(0n);
  });

  it('get_current_comm copies at most size - 1 bytes and pads with NULs; comm is at most 15 bytes', () => {
    const k = newKernel({ task: { comm: 'a-very-long-command-name' } });
    const ctx = new Uint8Array(24).fill(0xee);
    expect(run(k, load(k, comm(24)), ctx).ret).toBe(0);
    expect(new TextDecoder().decode(ctx.subarray(0, 15))).toBe('a-very-long-com');
    expect([...ctx.subarray(15)]).toEqual(new Array(9).fill(0));
    const small = new Uint8Array(24).fill(0xee);
    expect(run(k, load(k, comm(4)), small).ret).toBe(0);
    expect([...small.subarray(0, 5)]).toEqual([0x61, 0x2d, 0x76, 0, 0xee]);
    // ARG_CONST_SIZE: zero is refused by the verifier, a fault here
    expect(run(k, load(k, comm(0)), new Uint8Array(8)).fault?.kind).toBe('helper');
    // the buffer must be writable for size bytes: 16 bytes from fp-8 run off the top of the stack
    expect(run(k, load(k, `mov r1, r10\nadd r1, -8\n${comm(16)}`), new Uint8Array(8)).fault?.kind).toBe('out_of_bounds');
    // ctx as the buffer counts towards the ctx extent: an 8-byte ctx is refused before the run
    expect(run(k, load(k, comm(16)), new Uint8Array(8)).err).toBe(-ERRNO.EINVAL);
  });

  it('per_cpu_ptr/this_cpu_ptr address a per-CPU kernel variable\'s copies; NULL past the CPU count', () => {
    const k = newKernel({ nrCpus: 4, cpu: 2 });
    const active = k.vmlinuxBtf.findByName('bpf_prog_active').find((x) => x.kind === 'VAR')!.id;
    // r0 = this_cpu_ptr(v) - per_cpu_ptr(v, cpu): the stride between copies is sizeof(int).
    const diff = (cpu: number): string => `
      lddw r6, var ${active}
      mov r1, r6
      call 154
      mov r7, r0
      mov r1, r6
      mov r2, ${cpu}
      call 153
      jeq r0, 0, +2
      sub r7, r0
      mov r0, r7
      exit`;
    expect(ret(k, load(k, diff(2)))).toBe(0);
    expect(ret(k, load(k, diff(0)))).toBe(8);
    expect(ret(k, load(k, diff(3)))).toBe(-4);
    expect(ret(k, load(k, diff(4)))).toBe(0); // NULL: cpu >= nr_cpu_ids
    expect(ret(k, load(k, diff(-1)))).toBe(0); // u32 0xffffffff
    // The verifier wants a per-CPU ksym in r1; anything else faults here.
    const f = run(k, load(k, 'mov r1, r10\nadd r1, -8\ncall 154\nexit'), new Uint8Array(8)).fault;
    expect(f?.kind).toBe('helper');
    expect(f?.detail).toMatch(/bpf_this_cpu_ptr r1 \(percpu_ptr\).*not the address of a per-CPU kernel variable/);
  });

  it('smp_processor_id is the configured CPU, numa_node_id 0', () => {
    const k = newKernel({ nrCpus: 4, cpu: 3 });
    expect(read(k, load(k, call(8)))).toBe(3n);
    expect(read(k, load(k, call(42)))).toBe(0n);
  });

  it('get_prandom_u32 is reproducible per seed and unsigned 32-bit', () => {
    const seq = (seed: number): bigint[] => {
      const k = newKernel({ seed });
      const fd = load(k, call(7));
      return [read(k, fd), read(k, fd), read(k, fd)];
    };
    const a = seq(42);
    expect(seq(42)).toEqual(a);
    expect(seq(43)).not.toEqual(a);
    for (const v of a) expect(v < 1n << 32n).toBe(true);
    expect(new Set(a).size).toBe(3);
  });

  it('get_current_task(_btf) return the host task pointer; both are GPL-only', () => {
    const k = newKernel();
    expect(read(k, load(k, call(35)))).toBe(k.currentTaskPointer());
    k.provide('currentTaskPointer', () => 0x0000_0123_0000_0040n);
    expect(read(k, load(k, call(35)))).toBe(0x0000_0123_0000_0040n);
    expect(read(k, load(k, call(158)))).toBe(0x0000_0123_0000_0040n);
    expect(loadProg(k, call(35), { license: 'MIT' })).toBe(-ERRNO.EINVAL);
  });

  it('get_attach_cookie is 0, for tracing-attached types only', () => {
    const k = newKernel();
    expect(loadProg(k, call(174))).toBe(-ERRNO.EINVAL);
    const fd = load(k, 'call 174\nexit', { type: ProgType.RAW_TRACEPOINT });
    expect(ret(k, fd, new Uint8Array(8))).toBe(0);
  });
});
