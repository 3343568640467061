/**
 * The sched_ext kfuncs (docs sched-ext.md §4; kernel/sched/ext.c and ext_idle.c of 6.18) bound to
 * the scheduler core of the kernel they are registered in. Per-callback rules (the scx_kf_mask of
 * the running op) are checked by the core and end the scheduler with the kernel's message; the
 * program-type rules are the kfunc id sets' registrations.
 *
 * 6.18 exports only the current names (`scx_bpf_dsq_insert`, `scx_bpf_dsq_move_to_local`,
 * `scx_bpf_dsq_move`, ...): the pre-6.13 ones (`scx_bpf_dispatch`, `scx_bpf_consume`,
 * `scx_bpf_dispatch_from_dsq`, ...) were removed, and objects that
 * still name them do so through `___compat` weak externs that must stay unresolved. They are
 * registered only with {@link SchedExtKfuncOptions.legacyNames} (an emulator option, for objects
 * built for 6.12 kernels).
 */
import { ProgType } from '../../object/uapi.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { KfuncCall, KfuncDef } from '../../kernel/kfuncs.js';
import { Memory } from '../../vm/memory.js';
import { bprintf } from '../../helpers/printf.js';
import { printfMemory } from '../../helpers/print.js';
import type { SchedCore, SimTask } from './core.js';
import { ENQ_DSQ_PRIQ, ExitKind, KF, OPS_FLAGS } from './types.js';

/** Options of the kfunc set. */
export interface SchedExtKfuncOptions {
  /** Also register the pre-6.13 names as aliases (absent from 6.18). */
  readonly legacyNames?: boolean;
}

const SO = [ProgType.STRUCT_OPS];
const ANY = [ProgType.STRUCT_OPS, ProgType.TRACING, ProgType.SYSCALL];
const UNLOCKED = [ProgType.STRUCT_OPS, ProgType.SYSCALL];

const p = (...xs: [string, string][]): { name: string; type: string }[] => xs.map(([name, type]) => ({ name, type }));
const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

/** MAX_BPRINTF_VARARGS and the 1024-byte message buffer of scx_exit_info.msg. */
const MAX_DATA = 12 * 8;
const MSG_LEN = 1024;
/** sizeof(struct bpf_iter_scx_dsq). */
const ITER_SIZE = 48;

/** The sched_ext kfuncs 6.18 flags KF_RCU. */
const KF_RCU_KFUNCS: ReadonlySet<string> = new Set([
  'scx_bpf_select_cpu_dfl', 'scx_bpf_select_cpu_and', 'scx_bpf_dsq_insert', 'scx_bpf_dsq_insert_vtime', 'scx_bpf_dsq_move', 'scx_bpf_dsq_move_vtime',
  'scx_bpf_task_running', 'scx_bpf_task_cpu', 'scx_bpf_pick_idle_cpu', 'scx_bpf_pick_idle_cpu_node', 'scx_bpf_pick_any_cpu', 'scx_bpf_pick_any_cpu_node',
  'scx_bpf_dispatch', 'scx_bpf_dispatch_vtime',
]);

/** Register the sched_ext kfuncs of `core()` into `k`. */
export function registerSchedExtKfuncs(k: Kernel, core: () => SchedCore | null, o: SchedExtKfuncOptions = {}): void {
  const withCore = <R extends number | bigint>(fail: R, f: (c: SchedCore, call: KfuncCall) => R) => (call: KfuncCall): R => {
    const c = core();
    return c === null ? fail : f(c, call);
  };
  const task = (c: SchedCore, v: bigint, what: string): SimTask | null => {
    const t = c.taskAt(v);
    if (t === undefined) c.error(`${what} called with ${v === 0n ? 'NULL task' : 'a pointer that is not a task'}`);
    return t ?? null;
  };
  const defs: KfuncDef[] = [
    {
      name: 'scx_bpf_dsq_insert',
      proto: { ret: 'void', params: p(['p', 'struct task_struct *'], ['dsq_id', 'u64'], ['slice', 'u64'], ['enq_flags', 'u64']) },
      progTypes: SO,
      impl: withCore(0, (c, { args }) => {
        const t = task(c, args[0]!, 'scx_bpf_dsq_insert');
        if (t !== null) c.dsqInsert(t, args[1]!, args[2]!, args[3]!, null, 'scx_bpf_dsq_insert');
        return 0;
      }),
    },
    {
      name: 'scx_bpf_dsq_insert_vtime',
      proto: { ret: 'void', params: p(['p', 'struct task_struct *'], ['dsq_id', 'u64'], ['slice', 'u64'], ['vtime', 'u64'], ['enq_flags', 'u64']) },
      progTypes: SO,
      impl: withCore(0, (c, { args }) => {
        const t = task(c, args[0]!, 'scx_bpf_dsq_insert_vtime');
        if (t !== null) c.dsqInsert(t, args[1]!, args[2]!, args[4]!, args[3]!, 'scx_bpf_dsq_insert_vtime');
        return 0;
      }),
    },
    { name: 'scx_bpf_dispatch_nr_slots', proto: { ret: 'u32', params: [] }, progTypes: SO, impl: withCore(0, (c) => c.dispatchNrSlots()) },
    {
      name: 'scx_bpf_dispatch_cancel',
      proto: { ret: 'void', params: [] },
      progTypes: SO,
      impl: withCore(0, (c) => {
        c.dispatchCancel();
        return 0;
      }),
    },
    { name: 'scx_bpf_dsq_move_to_local', proto: { ret: 'bool', params: p(['dsq_id', 'u64']) }, progTypes: SO, impl: withCore(0, (c, { args }) => (c.moveToLocal(args[0]!) ? 1 : 0)) },
    {
      name: 'scx_bpf_reenqueue_local',
      proto: { ret: 'u32', params: [] },
      progTypes: SO,
      // only from cpu_release (a higher-class task took the CPU)
      impl: withCore(0, (c) => c.reenqueueLocal()),
    },
    {
      name: 'scx_bpf_create_dsq',
      proto: { ret: 's32', params: p(['dsq_id', 'u64'], ['node', 's32']) },
      progTypes: UNLOCKED,
      flags: { sleepable: true },
      impl: withCore(-19, (c, { args }) => c.createDsq(args[0]!, s32(args[1]!))),
    },
    {
      name: 'scx_bpf_destroy_dsq',
      proto: { ret: 'void', params: p(['dsq_id', 'u64']) },
      progTypes: ANY,
      impl: withCore(0, (c, { args }) => {
        c.destroyDsq(args[0]!);
        return 0;
      }),
    },
    { name: 'scx_bpf_dsq_nr_queued', proto: { ret: 's32', params: p(['dsq_id', 'u64']) }, progTypes: ANY, impl: withCore(-19, (c, { args }) => c.nrQueued(args[0]!)) },
    {
      name: 'scx_bpf_kick_cpu',
      proto: { ret: 'void', params: p(['cpu', 's32'], ['flags', 'u64']) },
      progTypes: ANY,
      impl: withCore(0, (c, { args }) => {
        c.kickCpu(s32(args[0]!), args[1]!);
        return 0;
      }),
    },
    {
      name: 'scx_bpf_select_cpu_dfl',
      proto: { ret: 's32', params: p(['p', 'struct task_struct *'], ['prev_cpu', 's32'], ['wake_flags', 'u64'], ['is_idle', 'bool *']) },
      progTypes: SO,
      impl: withCore(0, (c, { m, args }) => {
        const prev = s32(args[1]!);
        const t = task(c, args[0]!, 'scx_bpf_select_cpu_dfl');
        if (t === null) return prev;
        const r = c.selectCpuDfl(t, prev);
        const [id, off] = Memory.split(args[3]!);
        m.bytesAt(id, off, 1, true, 'scx_bpf_select_cpu_dfl is_idle')[0] = r.idle ? 1 : 0;
        return r.cpu;
      }),
    },
    {
      name: 'scx_bpf_test_and_clear_cpu_idle',
      proto: { ret: 'bool', params: p(['cpu', 's32']) },
      progTypes: ANY,
      impl: withCore(0, (c, { args }) => (c.testAndClearIdle(s32(args[0]!)) ? 1 : 0)),
    },
    {
      name: 'scx_bpf_pick_idle_cpu',
      proto: { ret: 's32', params: p(['cpus_allowed', 'const struct cpumask *'], ['flags', 'u64']) },
      progTypes: ANY,
      impl: withCore(-16, (c, { m, args }) => c.pickIdle(cpumaskReader(c, m, args[0]!), (args[1]! & 1n) !== 0n)),
    },
    {
      name: 'scx_bpf_get_idle_cpumask',
      proto: { ret: 'const struct cpumask *', params: [] },
      progTypes: ANY,
      flags: { acquire: true },
      impl: withCore(0n, (c) => (perNode(c) ? c.cpumask('none') : c.cpumask('idle'))),
    },
    {
      name: 'scx_bpf_get_idle_smtmask',
      proto: { ret: 'const struct cpumask *', params: [] },
      progTypes: ANY,
      flags: { acquire: true },
      impl: withCore(0n, (c) => (perNode(c) ? c.cpumask('none') : c.cpumask(c.smt > 1 ? 'smt' : 'idle'))),
    },
    { name: 'scx_bpf_put_idle_cpumask', proto: { ret: 'void', params: p(['cpumask', 'const struct cpumask *']) }, progTypes: ANY, flags: { release: true }, impl: () => 0 },
    { name: 'scx_bpf_get_online_cpumask', proto: { ret: 'const struct cpumask *', params: [] }, progTypes: ANY, flags: { acquire: true }, impl: withCore(0n, (c) => c.cpumask('online')) },
    { name: 'scx_bpf_get_possible_cpumask', proto: { ret: 'const struct cpumask *', params: [] }, progTypes: ANY, flags: { acquire: true }, impl: withCore(0n, (c) => c.cpumask('online')) },
    { name: 'scx_bpf_put_cpumask', proto: { ret: 'void', params: p(['cpumask', 'const struct cpumask *']) }, progTypes: ANY, flags: { release: true }, impl: () => 0 },
    {
      name: 'scx_bpf_cpu_curr',
      proto: { ret: 'struct task_struct *', params: p(['cpu', 's32']) },
      progTypes: ANY,
      flags: { retNull: true },
      impl: withCore(0n, (c, { args }) => {
        const cpu = s32(args[0]!);
        if (validCpu(c, cpu, 1, 0) === 0) return 0n;
        return c.curr(cpu)?.ptr ?? 0n;
      }),
    },
    {
      name: 'scx_bpf_pick_any_cpu',
      proto: { ret: 's32', params: p(['cpus_allowed', 'const struct cpumask *'], ['flags', 'u64']) },
      progTypes: ANY,
      impl: withCore(-16, (c, { m, args }) => {
        const allowed = cpumaskReader(c, m, args[0]!);
        const idle = c.pickIdle(allowed);
        if (idle >= 0) return idle;
        for (let i = 0; i < c.nrCpus; i++) if (allowed(i)) return i;
        return -16;
      }),
    },
    {
      name: 'scx_bpf_task_cpu',
      proto: { ret: 's32', params: p(['p', 'const struct task_struct *']) },
      progTypes: ANY,
      impl: withCore(0, (c, { args }) => task(c, args[0]!, 'scx_bpf_task_cpu')?.cpu ?? 0),
    },
    {
      name: 'scx_bpf_task_running',
      proto: { ret: 'bool', params: p(['p', 'const struct task_struct *']) },
      progTypes: ANY,
      impl: withCore(0, (c, { args }) => {
        const t = task(c, args[0]!, 'scx_bpf_task_running');
        return t !== null && c.isRunning(t) ? 1 : 0;
      }),
    },
    { name: 'scx_bpf_now', proto: { ret: 'u64', params: [] }, progTypes: ANY, impl: withCore(0n, (c) => BigInt(c.now)) },
    { name: 'scx_bpf_nr_cpu_ids', proto: { ret: 'u32', params: [] }, progTypes: ANY, impl: withCore(0, (c) => c.nrCpus) },
    { name: 'scx_bpf_nr_node_ids', proto: { ret: 'u32', params: [] }, progTypes: ANY, impl: () => 1 },
    {
      name: 'scx_bpf_cpuperf_cap',
      proto: { ret: 'u32', params: p(['cpu', 's32']) },
      progTypes: ANY,
      impl: withCore(1024, (c, { args }) => validCpu(c, s32(args[0]!), 1024, 1024)),
    },
    {
      name: 'scx_bpf_cpuperf_cur',
      proto: { ret: 'u32', params: p(['cpu', 's32']) },
      progTypes: ANY,
      impl: withCore(1024, (c, { args }) => validCpu(c, s32(args[0]!), 1024, 1024)),
    },
    {
      name: 'scx_bpf_cpuperf_set',
      proto: { ret: 'void', params: p(['cpu', 's32'], ['perf', 'u32']) },
      progTypes: ANY,
      impl: withCore(0, (c, { args }) => {
        const cpu = s32(args[0]!);
        const perf = Number(args[1]! & 0xffff_ffffn);
        if (perf > 1024) c.error(`Invalid cpuperf target ${perf} for CPU ${cpu}`);
        else validCpu(c, cpu, 0, 0);
        return 0;
      }),
    },
    {
      name: 'scx_bpf_error_bstr',
      proto: { ret: 'void', params: p(['fmt', 'char *'], ['data', 'unsigned long long *'], ['data__sz', 'u32']) },
      progTypes: ANY,
      flags: { trustedArgs: true },
      impl: withCore(0, (c, call) => {
        const msg = formatMessage(c, call, 0);
        if (msg !== null) c.exit(ExitKind.ERROR_BPF, 0n, msg);
        return 0;
      }),
    },
    {
      name: 'scx_bpf_exit_bstr',
      proto: { ret: 'void', params: p(['exit_code', 's64'], ['fmt', 'char *'], ['data', 'unsigned long long *'], ['data__sz', 'u32']) },
      progTypes: ANY,
      flags: { trustedArgs: true },
      impl: withCore(0, (c, call) => {
        const msg = formatMessage(c, call, 1);
        if (msg !== null) c.exit(ExitKind.UNREG_BPF, BigInt.asIntN(64, call.args[0]!), msg);
        return 0;
      }),
    },
    {
      name: 'scx_bpf_dump_bstr',
      proto: { ret: 'void', params: p(['fmt', 'char *'], ['data', 'unsigned long long *'], ['data__sz', 'u32']) },
      progTypes: ANY,
      flags: { trustedArgs: true },
      impl: withCore(0, (c, call) => {
        const msg = formatMessage(c, call, 0);
        if (msg !== null && !c.dumpAppend(msg)) c.error('scx_bpf_dump() must only be called from ops.dump() and friends');
        return 0;
      }),
    },
    {
      // counters summed over CPUs; a struct from an older or newer vmlinux.h gets min(size, 72) bytes
      name: 'scx_bpf_events',
      proto: { ret: 'void', params: p(['events', 'struct scx_event_stats *'], ['events__sz', 'size_t']) },
      progTypes: ANY,
      flags: { trustedArgs: true },
      impl: (call) => {
        const vals = core()?.eventCounters() ?? new Array<bigint>(9).fill(0n);
        const size = call.args[1]! > 72n ? 72 : Number(call.args[1]!);
        if (size === 0) return 0;
        const [id, off] = Memory.split(call.args[0]!);
        const b = call.m.bytesAt(id, off, size, true, 'scx_bpf_events');
        const tmp = new DataView(new ArrayBuffer(72));
        vals.forEach((v, i) => tmp.setBigInt64(i * 8, BigInt.asIntN(64, v), true));
        b.set(new Uint8Array(tmp.buffer, 0, size));
        return 0;
      },
    },
    {
      name: 'scx_bpf_cpu_rq',
      proto: { ret: 'struct rq *', params: p(['cpu', 's32']) },
      progTypes: ANY,
      impl: withCore(0n, (c, { args }) => {
        const cpu = s32(args[0]!);
        return validCpu(c, cpu, 1, 0) === 0 ? 0n : c.rq(cpu, true);
      }),
    },
    { name: 'scx_bpf_locked_rq', proto: { ret: 'struct rq *', params: [] }, progTypes: ANY, flags: { retNull: true }, impl: withCore(0n, (c) => c.lockedRq()) },
    {
      // 6.16+: the default selection within cpus_allowed & p->cpus_ptr; an idle CPU (claimed) or -EBUSY
      name: 'scx_bpf_select_cpu_and',
      proto: { ret: 's32', params: p(['p', 'struct task_struct *'], ['prev_cpu', 's32'], ['wake_flags', 'u64'], ['cpus_allowed', 'const struct cpumask *'], ['flags', 'u64']) },
      progTypes: ANY,
      impl: withCore(-19, (c, { m, args }) => {
        const prev = s32(args[1]!);
        if (prev < 0 || prev >= c.nrCpus) {
          c.error(`invalid CPU ${prev}`);
          return -22;
        }
        if (c.kfMask !== 0 && !c.kfAllowed(KF.SELECT_CPU | KF.ENQUEUE)) return -1;
        const t = task(c, args[0]!, 'scx_bpf_select_cpu_and');
        if (t === null) return -22;
        const r = c.selectCpuDfl(t, prev, cpumaskReader(c, m, args[3]!));
        return r.idle ? r.cpu : -16;
      }),
    },
    // The per-node idle kfuncs (one NUMA node here): only with SCX_OPS_BUILTIN_IDLE_PER_NODE
    { name: 'scx_bpf_cpu_node', proto: { ret: 'int', params: p(['cpu', 's32']) }, progTypes: ANY, impl: withCore(0, (c, { args }) => (validCpu(c, s32(args[0]!), 1, 0) === 1 ? 0 : -1)) },
    { name: 'scx_bpf_get_idle_cpumask_node', proto: { ret: 'const struct cpumask *', params: p(['node', 'int']) }, progTypes: ANY, flags: { acquire: true }, impl: withCore(0n, (c, { args }) => (validateNode(c, s32(args[0]!)) < 0 ? c.cpumask('none') : c.cpumask('idle'))) },
    { name: 'scx_bpf_get_idle_smtmask_node', proto: { ret: 'const struct cpumask *', params: p(['node', 'int']) }, progTypes: ANY, flags: { acquire: true }, impl: withCore(0n, (c, { args }) => (validateNode(c, s32(args[0]!)) < 0 ? c.cpumask('none') : c.cpumask(c.smt > 1 ? 'smt' : 'idle'))) },
    {
      name: 'scx_bpf_pick_idle_cpu_node',
      proto: { ret: 's32', params: p(['cpus_allowed', 'const struct cpumask *'], ['node', 'int'], ['flags', 'u64']) },
      progTypes: ANY,
      impl: withCore(-19, (c, { m, args }) => {
        const node = validateNode(c, s32(args[1]!));
        return node < 0 ? node : c.pickIdle(cpumaskReader(c, m, args[0]!), (args[2]! & 1n) !== 0n);
      }),
    },
    {
      name: 'scx_bpf_pick_any_cpu_node',
      proto: { ret: 's32', params: p(['cpus_allowed', 'const struct cpumask *'], ['node', 'int'], ['flags', 'u64']) },
      progTypes: ANY,
      impl: withCore(-19, (c, { m, args }) => {
        const node = validateNode(c, s32(args[1]!));
        if (node < 0) return node;
        const allowed = cpumaskReader(c, m, args[0]!);
        const idle = c.pickIdle(allowed, (args[2]! & 1n) !== 0n);
        if (idle >= 0) return idle;
        for (let i = 0; i < c.nrCpus; i++) if (allowed(i)) return i;
        return -16;
      }),
    },
    // The DSQ iterator (any set; KF_ITER_NEW|KF_RCU_PROTECTED, KF_ITER_NEXT|KF_RET_NULL,
    // KF_ITER_DESTROY). The core keeps the iterator's state; its stack memory holds a handle.
    {
      name: 'bpf_iter_scx_dsq_new',
      proto: { ret: 'int', params: p(['it', 'struct bpf_iter_scx_dsq *'], ['dsq_id', 'u64'], ['flags', 'u64']) },
      progTypes: ANY,
      flags: { iter: 'new', rcuProtected: true },
      impl: (call) => {
        const c = core();
        const [ret, h] = c === null ? [-19, 0] : c.iterNew(call.args[1]!, call.args[2]!);
        iterBytes(call).fill(0).set([h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff, h >>> 24], 0);
        return ret;
      },
    },
    {
      name: 'bpf_iter_scx_dsq_next',
      proto: { ret: 'struct task_struct *', params: p(['it', 'struct bpf_iter_scx_dsq *']) },
      progTypes: ANY,
      flags: { iter: 'next', retNull: true },
      impl: withCore(0n, (c, call) => c.iterNext(iterHandle(call, 0))?.ptr ?? 0n),
    },
    {
      name: 'bpf_iter_scx_dsq_destroy',
      proto: { ret: 'void', params: p(['it', 'struct bpf_iter_scx_dsq *']) },
      progTypes: ANY,
      flags: { iter: 'destroy' },
      impl: (call) => {
        core()?.iterDestroy(iterHandle(call, 0));
        iterBytes(call).fill(0);
        return 0;
      },
    },
    // Moves out of an iterated DSQ (dispatch and unlocked sets).
    {
      name: 'scx_bpf_dsq_move_set_slice',
      proto: { ret: 'void', params: p(['it__iter', 'struct bpf_iter_scx_dsq *'], ['slice', 'u64']) },
      progTypes: UNLOCKED,
      impl: withCore(0, (c, call) => {
        c.iterSet(iterHandle(call, 0), 'slice', call.args[1]!);
        return 0;
      }),
    },
    {
      name: 'scx_bpf_dsq_move_set_vtime',
      proto: { ret: 'void', params: p(['it__iter', 'struct bpf_iter_scx_dsq *'], ['vtime', 'u64']) },
      progTypes: UNLOCKED,
      impl: withCore(0, (c, call) => {
        c.iterSet(iterHandle(call, 0), 'vtime', call.args[1]!);
        return 0;
      }),
    },
    {
      name: 'scx_bpf_dsq_move',
      proto: { ret: 'bool', params: p(['it__iter', 'struct bpf_iter_scx_dsq *'], ['p', 'struct task_struct *'], ['dsq_id', 'u64'], ['enq_flags', 'u64']) },
      progTypes: UNLOCKED,
      impl: withCore(0, (c, call) => {
        const t = task(c, call.args[1]!, 'scx_bpf_dsq_move');
        return t !== null && c.dsqMove(iterHandle(call, 0), t, call.args[2]!, call.args[3]!) ? 1 : 0;
      }),
    },
    {
      name: 'scx_bpf_dsq_move_vtime',
      proto: { ret: 'bool', params: p(['it__iter', 'struct bpf_iter_scx_dsq *'], ['p', 'struct task_struct *'], ['dsq_id', 'u64'], ['enq_flags', 'u64']) },
      progTypes: UNLOCKED,
      impl: withCore(0, (c, call) => {
        const t = task(c, call.args[1]!, 'scx_bpf_dsq_move_vtime');
        return t !== null && c.dsqMove(iterHandle(call, 0), t, call.args[2]!, call.args[3]! | ENQ_DSQ_PRIQ) ? 1 : 0;
      }),
    },
  ];
  if (o.legacyNames === true) {
    const alias = (name: string, of: string): void => {
      const d = defs.find((x) => x.name === of)!;
      defs.push({ ...d, name });
    };
    alias('scx_bpf_dispatch', 'scx_bpf_dsq_insert');
    alias('scx_bpf_dispatch_vtime', 'scx_bpf_dsq_insert_vtime');
    alias('scx_bpf_consume', 'scx_bpf_dsq_move_to_local');
    // 6.12's names of the moves (renamed in 6.13, removed in 6.17)
    alias('scx_bpf_dispatch_from_dsq_set_slice', 'scx_bpf_dsq_move_set_slice');
    alias('scx_bpf_dispatch_from_dsq_set_vtime', 'scx_bpf_dsq_move_set_vtime');
    alias('scx_bpf_dispatch_from_dsq', 'scx_bpf_dsq_move');
    alias('scx_bpf_dispatch_vtime_from_dsq', 'scx_bpf_dsq_move_vtime');
  }
  // KF_RCU in kernel/sched/ext.c and ext_idle.c (6.18 sources): their task and cpumask arguments
  // must be trusted or RCU pointers, never NULL
  for (const d of defs) {
    const def: KfuncDef = KF_RCU_KFUNCS.has(d.name) ? { ...d, flags: { ...d.flags, rcu: true } } : d;
    if (k.kfuncs.get(def.name) === undefined) k.registerKfunc(def);
  }
  // bpf_task_from_pid (src/kernel/kfuncs/task.ts) finds the simulated tasks
  k.provide('taskByPid', (pid: number): bigint => {
    const t = core()?.taskByPid(pid);
    return t === undefined || t.state === 'exited' ? 0n : t.ptr;
  });
}

/** The 48 bytes of a `struct bpf_iter_scx_dsq` on the BPF stack (r1). */
function iterBytes({ m, args }: KfuncCall): Uint8Array {
  const [id, off] = Memory.split(args[0]!);
  return m.bytesAt(id, off, ITER_SIZE, true, 'bpf_iter_scx_dsq');
}

/** The core's handle stored in an iterator (argument `i`). */
function iterHandle({ m, args }: KfuncCall, i: number): number {
  const [id, off] = Memory.split(args[i]!);
  const b = m.bytesAt(id, off, 4, false, 'bpf_iter_scx_dsq');
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

/**
 * validate_node (ext_idle.c): per-node idle tracking must be on (SCX_OPS_BUILTIN_IDLE_PER_NODE),
 * NUMA_NO_NODE is -ENOENT without an error, anything but node 0 (the only one here) an error.
 */
function validateNode(c: SchedCore, node: number): number {
  if ((c.opsFlags & OPS_FLAGS.BUILTIN_IDLE_PER_NODE) === 0n) {
    c.error('per-node idle tracking is disabled');
    return -95;
  }
  if (node === -1) return -2;
  if (node !== 0) {
    c.error(`invalid node ${node}`);
    return -22;
  }
  return node;
}

/** The flat idle-mask kfuncs in per-node mode: the kernel's error, and an empty mask. */
function perNode(c: SchedCore): boolean {
  if ((c.opsFlags & OPS_FLAGS.BUILTIN_IDLE_PER_NODE) === 0n) return false;
  c.error('SCX_OPS_BUILTIN_IDLE_PER_NODE enabled');
  return true;
}

function validCpu(c: SchedCore, cpu: number, ok: number, bad: number): number {
  if (cpu >= 0 && cpu < c.nrCpus) return ok;
  c.error(`invalid CPU ${cpu}`);
  return bad;
}

/** A cpumask in guest memory (bit i of the `unsigned long bits[]` array) as a predicate. */
function cpumaskReader(c: SchedCore, m: KfuncCall['m'], ptr: bigint): (cpu: number) => boolean {
  const [id, off] = Memory.split(ptr);
  const bytes = m.bytesAt(id, off, Math.ceil(c.nrCpus / 64) * 8, false, 'cpumask');
  return (cpu) => (bytes[cpu >> 3]! & (1 << (cpu & 7))) !== 0;
}

/**
 * scx_bpf_error_bstr/exit_bstr formatting (bstr_format): the format string and the u64 array as
 * bpf_snprintf takes them, into a 1024-byte message. Bad data/size → the kernel's own error exit.
 */
function formatMessage(c: SchedCore, { m, args }: KfuncCall, first: number): string | null {
  const fmtPtr = args[first]!;
  const data = args[first + 1]!;
  const size = Number(args[first + 2]! & 0xffff_ffffn);
  if (size % 8 !== 0 || size > MAX_DATA || (size !== 0 && data === 0n)) {
    c.error(`invalid data=${data === 0n ? '0000000000000000' : data.toString(16)} and data__sz=${size}`);
    return null;
  }
  const [fid, foff] = Memory.split(fmtPtr);
  const avail = m.mem.bytes(fid).length - foff;
  const fmtBytes = m.bytesAt(fid, foff, Math.max(0, Math.min(avail, MSG_LEN)), false, 'fmt');
  const nul = fmtBytes.indexOf(0);
  const fmt = nul < 0 ? fmtBytes : fmtBytes.subarray(0, nul + 1);
  const vals: bigint[] = [];
  if (size > 0) {
    const [did, doff] = Memory.split(data);
    const db = m.bytesAt(did, doff, size, false, 'data');
    const dv = new DataView(db.buffer, db.byteOffset, size);
    for (let i = 0; i < size; i += 8) vals.push(dv.getBigUint64(i, true));
  }
  const r = bprintf(fmt, fmt.length, vals, printfMemory(m), MSG_LEN);
  if (typeof r === 'number') {
    c.error(`format preparation failed (${r})`);
    return null;
  }
  let s = '';
  for (const b of r.bytes) {
    if (b === 0) break;
    s += String.fromCharCode(b);
  }
  return s;
}
