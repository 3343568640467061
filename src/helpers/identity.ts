/**
 * Who and where the program runs: bpf_get_prandom_u32, bpf_get_smp_processor_id,
 * bpf_get_numa_node_id, bpf_get_current_pid_tgid, bpf_get_current_uid_gid,
 * bpf_get_current_comm, bpf_get_current_task(_btf) (kernel/bpf/helpers.c,
 * kernel/trace/bpf_trace.c), bpf_per_cpu_ptr/bpf_this_cpu_ptr and bpf_get_attach_cookie. Everything comes from the host's
 * configured task, CPU and seeded generator.
 */
import type { Machine } from '../vm/machine.js';
import { ctxArg, memArg } from './args.js';
import { hostOf } from './host.js';
import { ProgType as P } from '../object/uapi.js';
import type { HelperDef, HelperProto } from './registry.js';

/** TASK_COMM_LEN: task->comm holds at most 15 bytes and a NUL. */
export const TASK_COMM_LEN = 16;

/** The task's comm as the kernel stores it: UTF-8, at most TASK_COMM_LEN - 1 bytes. */
export function commBytes(comm: string): Uint8Array {
  return new TextEncoder().encode(comm).subarray(0, TASK_COMM_LEN - 1);
}

/** bpf_get_current_comm(buf, size): strscpy_pad of task->comm; always 0. */
function getCurrentComm(m: Machine): void {
  const size = m.argU32(2);
  if (size === 0) throw m.fail('helper', 'bpf_get_current_comm r2 (size): the verifier rejects a zero size');
  const off = memArg(m, 1, size, true, 'bpf_get_current_comm', 'buf');
  const buf = m.mem.bytes(m.hi[1]!).subarray(off, off + size);
  const comm = commBytes(hostOf(m).currentTask().comm);
  const n = Math.min(comm.length, size - 1);
  buf.fill(0);
  buf.set(comm.subarray(0, n));
  m.setR0(0, 0);
}

/**
 * bpf_per_cpu_ptr(percpu_ptr, cpu) / bpf_this_cpu_ptr(percpu_ptr): the address of `cpu`'s copy of
 * a per-CPU kernel variable (a typed `__ksym`), NULL when cpu >= the CPU count. The verifier only
 * accepts a PTR_TO_PERCPU_BTF_ID here; anything else is a fault.
 */
function perCpuPtr(m: Machine, cpu: number, name: string): void {
  const ptr = m.argU64(1);
  const f = hostOf(m).service<(ptr: bigint, cpu: number) => bigint | undefined>('perCpuPointer');
  const r = f?.(ptr, cpu);
  if (r === undefined) throw m.fail('helper', `${name} r1 (percpu_ptr): 0x${ptr.toString(16)} is not the address of a per-CPU kernel variable`);
  m.setR0Big(r);
}

/** A helper without arguments returning an integer. */
const INT_PROTO: HelperProto = { ret: 'integer', args: [] };

/**
 * bpf_get_current_comm: ARG_PTR_TO_UNINIT_MEM + ARG_CONST_SIZE. bpf_per_cpu_ptr returns
 * RET_PTR_TO_MEM_OR_BTF_ID | PTR_MAYBE_NULL | MEM_RDONLY (NULL for a CPU out of range),
 * bpf_this_cpu_ptr the same without PTR_MAYBE_NULL; bpf_get_current_task_btf a trusted task_struct.
 * bpf_get_smp_processor_id's result is refined by the verifier to [0, nr_cpus - 1].
 */
const COMM_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'mem', uninit: true }, { kind: 'size' }] };
const PER_CPU_PTR_PROTO: HelperProto = { ret: 'mem_or_btf_id', args: [{ kind: 'percpu_btf_id' }, { kind: 'anything' }] };
const THIS_CPU_PTR_PROTO: HelperProto = { ret: 'mem_or_btf_id', args: [{ kind: 'percpu_btf_id' }] };
const TASK_BTF_PROTO: HelperProto = { ret: 'btf_id', retBtfType: 'task_struct', args: [] };
const CTX_INT_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'ctx' }] };

/** The identity helper family. */
export function identityHelpers(): HelperDef[] {
  const family = 'identity';
  const proto = INT_PROTO;
  return [
    { id: 7, name: 'get_prandom_u32', fn: (m) => m.setR0(hostOf(m).prandomU32(), 0), proto, family },
    { id: 8, name: 'get_smp_processor_id', fn: (m) => m.setR0(hostOf(m).currentCpu(), 0), proto, family },
    // the emulated machine has one NUMA node
    { id: 42, name: 'get_numa_node_id', fn: (m) => m.setR0(0, 0), proto, family },
    {
      id: 14,
      name: 'get_current_pid_tgid',
      fn: (m) => {
        const t = hostOf(m).currentTask();
        m.setR0(t.pid, t.tgid);
      },
      proto,
      family,
    },
    {
      id: 15,
      name: 'get_current_uid_gid',
      fn: (m) => {
        const t = hostOf(m).currentTask();
        m.setR0(t.uid, t.gid);
      },
      proto,
      family,
    },
    { id: 16, name: 'get_current_comm', fn: getCurrentComm, proto: COMM_PROTO, family },
    { id: 153, name: 'per_cpu_ptr', fn: (m) => perCpuPtr(m, m.argU32(2), 'bpf_per_cpu_ptr'), proto: PER_CPU_PTR_PROTO, family },
    { id: 154, name: 'this_cpu_ptr', fn: (m) => perCpuPtr(m, hostOf(m).currentCpu(), 'bpf_this_cpu_ptr'), proto: THIS_CPU_PTR_PROTO, family },
    { id: 35, name: 'get_current_task', fn: (m) => m.setR0Big(hostOf(m).currentTaskPointer()), gplOnly: true, proto, family },
    { id: 158, name: 'get_current_task_btf', fn: (m) => m.setR0Big(hostOf(m).currentTaskPointer()), gplOnly: true, proto: TASK_BTF_PROTO, family },
    {
      // kprobe/tracepoint/perf_event/raw_tp/trampoline flavours; the emulator attaches without cookies
      id: 174,
      name: 'get_attach_cookie',
      fn: (m) => {
        ctxArg(m, 1, 'bpf_get_attach_cookie');
        m.setR0(0, 0);
      },
      progTypes: [P.KPROBE, P.TRACEPOINT, P.PERF_EVENT, P.RAW_TRACEPOINT, P.RAW_TRACEPOINT_WRITABLE, P.TRACING, P.LSM],
      proto: CTX_INT_PROTO,
      family,
    },
  ];
}
