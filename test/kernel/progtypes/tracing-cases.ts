/**
 * The cases of golden/tracing-helpers.json (recorded by record-sockctx.ts on Linux 6.18): the
 * tracing helpers of src/helpers/tracing.ts where a test run reaches them. bpf_get_stack (raw_tp)
 * and bpf_get_task_stack (syscall) on their error paths and on a zero-sized buffer (the frames
 * themselves are the kernel's own and differ), with a check that the buffer is zeroed; the cgroup
 * ids from inside a cgroup three levels below the root (`cgroup: true`: the recorder runs the
 * kernel side there and stores the path's ids); bpf_send_signal(_thread) with signals 0, 28
 * (SIGWINCH, ignored by default) and 65.
 */
import type { GoldenCase } from './golden.js';

type CaseDef = Omit<GoldenCase, 'kernel'>;

/** r0 = helper(...) with a 64-byte stack buffer prefilled with 0xff; returns 1 if the helper left a non-zero byte in the first u64 after an error, else its r0. */
const stackCall = (setup: string, id: number, size: number, flags: number): string => `${setup}
lddw r9, 0xffffffffffffffff
stxdw [r10-64], r9
stxdw [r10-56], r9
mov r2, r10
add r2, -64
mov r3, ${size}
lddw r4, ${flags}
call ${id}
mov r7, r0
jsge r7, 0, out
ldxdw r8, [r10-64]
jeq r8, 0, out
mov r7, 1
out:
mov r0, r7
exit`;

const GET_STACK_SETUP = 'mov r6, r1';
const getStack = (name: string, size: number, flags: number): CaseDef => ({
  name: `bpf_get_stack: ${name}`,
  progType: 'raw_tracepoint',
  eat: 0,
  asm: stackCall(`${GET_STACK_SETUP}\nmov r1, r6`, 67, size, flags),
  dataIn: null,
  ctxIn: '0000000000000000',
  ctxSizeOut: 0,
  noDataOut: true,
});

/** bpf_get_current_task_btf (158) into r1, then bpf_get_task_stack. */
const getTaskStack = (name: string, size: number, flags: number): CaseDef => ({
  name: `bpf_get_task_stack: ${name}`,
  progType: 'syscall',
  eat: 0,
  asm: stackCall('call 158\nmov r1, r0', 141, size, flags),
  dataIn: null,
  ctxIn: null,
  ctxSizeOut: 0,
  noDataOut: true,
});

const USER = 1 << 8;
const BUILD_ID = 1 << 11;

/** A socket filter returning the helper's result (low 32 bits). */
const sf = (name: string, asm: string, o: Partial<CaseDef> = {}): CaseDef => ({
  name,
  progType: 'socket_filter',
  eat: 0,
  asm,
  dataIn: '000000000000000000000000080045000014000000004000400000000000000000000000',
  ctxIn: null,
  ctxSizeOut: 0,
  ...o,
});

const ancestor = (level: number): CaseDef => sf(`bpf_get_current_ancestor_cgroup_id(${level}) in a cgroup 3 levels down`, `mov r1, ${level}\ncall 123\nexit`, { cgroup: true });

export const TRACING_CASES: readonly CaseDef[] = [
  getStack('a zero-sized buffer', 0, 0),
  getStack('unknown flags', 64, 1 << 9),
  getStack('a size that is not a multiple of 8', 12, 0),
  getStack('a build id without BPF_F_USER_STACK', 64, BUILD_ID),
  getStack('user build ids in a size that is not a multiple of 32', 48, USER | BUILD_ID),
  getStack('skipping more frames than the stack has', 64, 255),
  getTaskStack('a zero-sized buffer', 0, 0),
  getTaskStack('unknown flags', 64, 1 << 12),
  getTaskStack('a size that is not a multiple of 8', 20, 0),
  getTaskStack('skipping more frames than the stack has', 64, 255),
  sf('bpf_get_current_cgroup_id in a cgroup 3 levels down', 'call 80\nexit', { cgroup: true }),
  sf('bpf_get_current_cgroup_id, upper 32 bits', 'call 80\nrsh r0, 32\nexit', { cgroup: true }),
  ancestor(0),
  ancestor(1),
  ancestor(3),
  ancestor(4),
  ancestor(-1),
  sf('bpf_send_signal(0)', 'mov r1, 0\ncall 109\nexit'),
  sf('bpf_send_signal(SIGWINCH)', 'mov r1, 28\ncall 109\nexit'),
  sf('bpf_send_signal(65)', 'mov r1, 65\ncall 109\nexit'),
  sf('bpf_send_signal_thread(SIGWINCH)', 'mov r1, 28\ncall 117\nexit'),
  sf('bpf_send_signal_thread(65)', 'mov r1, 65\ncall 117\nexit'),
];
