/**
 * kfunc argument and result kinds that no kfunc of this kernel build lets a loadable program reach
 * (`__str`, `__map`, `__ign`, `__k`, `__nullable`, `void *` and `int *` results, results sized by
 * `rdonly_buf_size` / `rdwr_buf_size`, `void *` and pointer-to-pointer parameters): test kfuncs registered with such prototypes, and each expectation
 * taken from the 6.18 sources (kernel/bpf/verifier.c check_kfunc_args, get_kfunc_ptr_arg_type,
 * check_reg_const_str, check_kfunc_call), not from a live run. The kinds this kernel does show
 * are in corpus group kfargs (test/verifier/corpus/kfargs.ts).
 */
import { describe, expect, it } from 'vitest';
import { assembleBytes } from '../../src/isa/asm.js';
import { Kernel } from '../../src/kernel/kernel.js';
import type { KfuncDef } from '../../src/kernel/kfuncs.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { ERRNO } from '../../src/util/errno.js';

const SYSCALL = 31;
const SLEEPABLE = 16;
const RDONLY_PROG = 1 << 7;

const P = (name: string, type: string) => ({ name, type });
const TEST_KFUNCS: readonly KfuncDef[] = [
  { name: 't_str', proto: { ret: 'int', params: [P('name__str', 'const char *')] }, impl: () => 0 },
  { name: 't_map', proto: { ret: 'int', params: [P('p__map', 'void *')] }, impl: () => 0 },
  { name: 't_map_trusted', proto: { ret: 'int', params: [P('p__map', 'void *')] }, flags: { trustedArgs: true }, impl: () => 0 },
  { name: 't_ign', proto: { ret: 'int', params: [P('p__ign', 'void *'), P('n', 'u32')] }, impl: () => 0 },
  { name: 't_k', proto: { ret: 'int', params: [P('v__k', 'u32')] }, impl: () => 0 },
  { name: 't_nullable', proto: { ret: 'int', params: [P('t__nullable', 'struct task_struct *')] }, flags: { trustedArgs: true }, impl: () => 0 },
  { name: 't_task', proto: { ret: 'int', params: [P('t', 'struct task_struct *')] }, flags: { trustedArgs: true }, impl: () => 0 },
  { name: 't_void_arg', proto: { ret: 'int', params: [P('p', 'void *')] }, impl: () => 0 },
  { name: 't_ptr_ptr_arg', proto: { ret: 'int', params: [P('p', 'u64 **')] }, impl: () => 0 },
  { name: 't_int_arg', proto: { ret: 'int', params: [P('p', 'int *')] }, impl: () => 0 },
  { name: 't_void_ret', proto: { ret: 'void *', params: [] }, impl: () => 0 },
  { name: 't_int_ret', proto: { ret: 'int *', params: [] }, impl: () => 0 },
  { name: 't_rdwr_ret', proto: { ret: 'int *', params: [P('rdwr_buf_size', 'const int')] }, impl: () => 0 },
  { name: 't_rdonly_ret', proto: { ret: 'int *', params: [P('rdonly_buf_size', 'const int')] }, impl: () => 0 },
];

function kernel(): Kernel {
  return new Kernel({ kfuncs: TEST_KFUNCS });
}

/** BPF_PROG_LOAD of a sleepable syscall program: the fd (or -errno) and the last log line. */
function load(k: Kernel, src: string): { fd: number; line: string } {
  const resolved = src.replace(/call kfunc (\w+)/g, (_, n: string) => `call kfunc ${k.kfuncs.get(n)!.btfId}`);
  const insns = assembleBytes(resolved);
  const buf = new Uint8Array(1 << 16);
  const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: SYSCALL, prog_flags: SLEEPABLE, insn_cnt: insns.length / 8, insns, license: 'GPL', log_level: 1, log_buf: buf, log_size: buf.length });
  const lines = new TextDecoder().decode(buf.subarray(0, buf.indexOf(0))).split('\n').filter((l) => l !== '' && !l.startsWith('processed '));
  return { fd, line: lines.at(-1) ?? '' };
}

/** An array map of one 16-byte value holding "abc\0...", optionally read-only for programs and frozen. */
function strMap(k: Kernel, frozen: boolean): number {
  const fd = k.bpf(Cmd.MAP_CREATE, { map_type: 2, key_size: 4, value_size: 16, max_entries: 1, map_flags: frozen ? RDONLY_PROG : 0 });
  const value = new Uint8Array(16);
  value.set([0x61, 0x62, 0x63]);
  expect(k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: fd, key: new Uint8Array(4), value, flags: 0 })).toBe(0);
  if (frozen) expect(k.bpf(Cmd.MAP_FREEZE, { map_fd: fd })).toBe(0);
  return fd;
}

const ACCEPTED = { fd: expect.any(Number) as number };

describe('__str: a constant string in a frozen read-only map (KF_ARG_PTR_TO_CONST_STR)', () => {
  it('accepts a string in a frozen BPF_F_RDONLY_PROG array', () => {
    const k = kernel();
    const m = strMap(k, true);
    const r = load(k, `lddw r1, map_value ${m} 0\ncall kfunc t_str\nmov r0, 0\nexit`);
    expect(r.fd, r.line).toBeGreaterThan(0);
  });
  it('refuses a stack pointer: arg#0 doesn\'t point to a const string', () => {
    const k = kernel();
    expect(load(k, `stdw [r10-8], 0\nmov r1, r10\nadd r1, -8\ncall kfunc t_str\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EINVAL, line: "arg#0 doesn't point to a const string" });
  });
  it('refuses a writable map value: R1 does not point to a readonly map\'', () => {
    const k = kernel();
    const m = strMap(k, false);
    expect(load(k, `lddw r1, map_value ${m} 0\ncall kfunc t_str\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EACCES, line: "R1 does not point to a readonly map'" });
  });
});

describe('__map: a map pointer (KF_ARG_PTR_TO_MAP)', () => {
  it('accepts a map pointer', () => {
    const k = kernel();
    const m = strMap(k, false);
    expect(load(k, `lddw r1, map_fd ${m}\ncall kfunc t_map\nmov r0, 0\nexit`)).toMatchObject(ACCEPTED);
    expect(load(k, `lddw r1, map_fd ${m}\ncall kfunc t_map_trusted\nmov r0, 0\nexit`).fd).toBeGreaterThan(0);
  });
  it('refuses a stack pointer: pointer in R1 isn\'t map pointer', () => {
    const k = kernel();
    expect(load(k, `stdw [r10-8], 0\nmov r1, r10\nadd r1, -8\ncall kfunc t_map\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EINVAL, line: "pointer in R1 isn't map pointer" });
  });
  it('refuses a map value: not trusted for a KF_TRUSTED_ARGS kfunc, not a BTF pointer otherwise', () => {
    const k = kernel();
    const m = strMap(k, false);
    expect(load(k, `lddw r1, map_value ${m} 0\ncall kfunc t_map_trusted\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EINVAL, line: 'R1 must be referenced or trusted' });
    expect(load(k, `lddw r1, map_value ${m} 0\ncall kfunc t_map\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EINVAL, line: 'arg#0 is map_value expected map_value or socket' });
  });
});

describe('__ign, __k, __nullable', () => {
  it('__ign: the argument is not read (an unset register passes)', () => {
    const k = kernel();
    const r = load(k, `call 7\nmov r2, 1\ncall kfunc t_ign\nmov r0, 0\nexit`);
    expect(r.fd, r.line).toBeGreaterThan(0);
    // the scalar after it is read: unset, it is not a scalar
    expect(load(k, `mov r1, 0\ncall 7\nmov r1, 0\ncall kfunc t_ign\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EINVAL, line: 'R2 is not a scalar' });
  });
  it('__k: a known constant', () => {
    const k = kernel();
    expect(load(k, `mov r1, 3\ncall kfunc t_k\nmov r0, 0\nexit`).fd).toBeGreaterThan(0);
    expect(load(k, `call 7\nmov r1, r0\ncall kfunc t_k\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EINVAL, line: 'R1 must be a known constant' });
  });
  it('__nullable: NULL passes a KF_TRUSTED_ARGS struct argument; without the suffix it is Possibly NULL', () => {
    const k = kernel();
    expect(load(k, `mov r1, 0\ncall kfunc t_nullable\nmov r0, 0\nexit`).fd).toBeGreaterThan(0);
    expect(load(k, `mov r1, 0\ncall kfunc t_task\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EACCES, line: 'Possibly NULL pointer passed to trusted arg0' });
    // a trusted task passes both
    expect(load(k, `call 158\nmov r1, r0\ncall kfunc t_nullable\nmov r0, 0\nexit`).fd).toBeGreaterThan(0);
  });
});

describe('pointers that are not BTF pointers (KF_ARG_PTR_TO_MEM)', () => {
  it('an int * takes initialised stack memory of 4 bytes', () => {
    const k = kernel();
    expect(load(k, `stw [r10-4], 0\nmov r1, r10\nadd r1, -4\ncall kfunc t_int_arg\nmov r0, 0\nexit`).fd).toBeGreaterThan(0);
    expect(load(k, `mov r1, 5\ncall kfunc t_int_arg\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EACCES, line: 'R1 type=scalar expected=fp' });
  });
  it('a void * without a __sz size, and a pointer to a pointer, are refused', () => {
    const k = kernel();
    const stack = 'stdw [r10-8], 0\nmov r1, r10\nadd r1, -8';
    expect(load(k, `${stack}\ncall kfunc t_void_arg\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EINVAL, line: 'arg#0 pointer type UNKNOWN  must point to scalar, or struct with scalar' });
    expect(load(k, `${stack}\ncall kfunc t_ptr_ptr_arg\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EINVAL, line: 'arg#0 pointer type PTR  must point to scalar, or struct with scalar' });
  });
  it('a BTF pointer where the target is not a struct: pointer type ... is not supported', () => {
    const k = kernel();
    expect(load(k, `call 158\nmov r1, r0\ncall kfunc t_int_arg\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EINVAL, line: 'kernel function t_int_arg args#0 pointer type INT int is not supported' });
  });
});

describe('results', () => {
  it('void *: a scalar', () => {
    const k = kernel();
    expect(load(k, `call kfunc t_void_ret\nmov r0, 0\nexit`).fd).toBeGreaterThan(0);
    expect(load(k, `call kfunc t_void_ret\nldxw r0, [r0+0]\nexit`)).toEqual({ fd: -ERRNO.EACCES, line: "R0 invalid mem access 'scalar'" });
  });
  it('int *: read-only memory of 4 bytes', () => {
    const k = kernel();
    expect(load(k, `call kfunc t_int_ret\nldxw r0, [r0+0]\nexit`).fd).toBeGreaterThan(0);
    expect(load(k, `call kfunc t_int_ret\nstw [r0+0], 1\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EACCES, line: 'R0 cannot write into rdonly_mem' });
    // check_mem_region_access: `invalid access to memory, mem_size=4 off=4 size=4`, then this line
    // (as the live case kfargs-ret-iter-next-past-end shows)
    expect(load(k, `call kfunc t_int_ret\nldxw r0, [r0+4]\nexit`)).toEqual({ fd: -ERRNO.EACCES, line: 'R0 min value is outside of the allowed memory range' });
  });
  it('rdwr_buf_size / rdonly_buf_size: a constant argument sizes the result, writable for rdwr', () => {
    const k = kernel();
    expect(load(k, `mov r1, 16\ncall kfunc t_rdwr_ret\nstw [r0+12], 1\nmov r0, 0\nexit`).fd).toBeGreaterThan(0);
    expect(load(k, `mov r1, 16\ncall kfunc t_rdwr_ret\nstw [r0+16], 1\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EACCES, line: 'R0 min value is outside of the allowed memory range' });
    expect(load(k, `mov r1, 16\ncall kfunc t_rdonly_ret\nldxw r0, [r0+12]\nexit`).fd).toBeGreaterThan(0);
    expect(load(k, `mov r1, 16\ncall kfunc t_rdonly_ret\nstw [r0+0], 1\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EACCES, line: 'R0 cannot write into rdonly_mem' });
    expect(load(k, `call 7\nmov r1, r0\ncall kfunc t_rdwr_ret\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EINVAL, line: 'R1 is not a const' });
  });
});

describe('the struct_ops association kfuncs (bpf_testmod of 6.18 and its 2026 forms)', () => {
  const withTestmod = (): Kernel => new Kernel({ testmod: true });
  it('bpf_kfunc_multi_st_ops_test_1 and its _impl / _assoc forms are KF_TRUSTED_ARGS: NULL args is refused, a stack struct taken', () => {
    const k = withTestmod();
    for (const name of ['bpf_kfunc_multi_st_ops_test_1', 'bpf_kfunc_multi_st_ops_test_1_impl', 'bpf_kfunc_multi_st_ops_test_1_assoc']) {
      expect(load(k, `mov r1, 0\nmov r2, 0\ncall kfunc ${name}\nmov r0, 0\nexit`), name).toEqual({ fd: -ERRNO.EACCES, line: 'Possibly NULL pointer passed to trusted arg0' });
      const r = load(k, `stdw [r10-8], 0\nmov r1, r10\nadd r1, -8\nmov r2, 0\ncall kfunc ${name}\nmov r0, 0\nexit`);
      expect(r.fd, `${name}: ${r.line}`).toBeGreaterThan(0);
    }
  });
  it('the __prog argument of _impl is not read (NULL or unset), the id of the plain form is a scalar', () => {
    const k = withTestmod();
    const r = load(k, `stdw [r10-8], 0\ncall 7\nmov r1, r10\nadd r1, -8\ncall kfunc bpf_kfunc_multi_st_ops_test_1_impl\nmov r0, 0\nexit`);
    expect(r.fd, r.line).toBeGreaterThan(0);
    expect(load(k, `stdw [r10-8], 0\nmov r1, r10\nadd r1, -8\nmov r2, r10\ncall kfunc bpf_kfunc_multi_st_ops_test_1\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EINVAL, line: 'R2 is not a scalar' });
  });
  it('bpf_prog_get_assoc_struct_ops (emulator extension): its `void *` result is an object the program may read after a NULL check', () => {
    const k = withTestmod();
    expect(load(k, `mov r1, 0\ncall kfunc bpf_prog_get_assoc_struct_ops\njeq r0, 0, +1\nldxw r0, [r0+0]\nmov r0, 0\nexit`).fd).toBeGreaterThan(0);
    expect(load(k, `mov r1, 0\ncall kfunc bpf_prog_get_assoc_struct_ops\nldxw r0, [r0+0]\nmov r0, 0\nexit`)).toEqual({ fd: -ERRNO.EACCES, line: "R0 invalid mem access 'ptr_or_null_'" });
  });
});
