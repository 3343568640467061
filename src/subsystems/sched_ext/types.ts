/**
 * sched_ext's types in the emulated kernel BTF, with the 6.18 layouts (docs sched-ext.md §0.4;
 * include/linux/sched/ext.h and kernel/sched/ext_internal.h of 6.18): `struct sched_ext_ops` (34
 * function pointers then the data members, size 440), the argument containers, `struct
 * sched_ext_entity` as `task_struct.scx`, and the 32-bit public enums. The host kernel has no
 * CONFIG_SCHED_CLASS_EXT, so none of this could be checked against its BTF.
 *
 * `task_struct` gets the members schedulers read (`scx`, `cpus_ptr`, `nr_cpus_allowed`, `policy`,
 * `migration_disabled`, `se.sum_exec_runtime`) besides the emulator's usual ones: 6.18's task_struct
 * (data/kernel-types.ts) is registered first through the kernel options, with these members in place
 * of the kernel's and after its end (their offsets are the emulator's own; programs reach them
 * through CO-RE).
 */
import { KERNEL_CTX_STRUCTS } from '../../kernel/objects/data/kernel-types.js';
import type { KFuncProto, KStructDef, KStructMember } from '../../kernel/objects/ktypes.js';

/** NR_CPUS of distribution configs: `struct cpumask` is 8192 bits. */
export const NR_CPUS = 8192;

const fn = (ret: string, ...params: [string, string][]): KFuncProto => ({ ret, params: params.map(([name, type]) => ({ name, type })) });
const T = 'struct task_struct *';
const CG = 'struct cgroup *';

/** `struct sched_ext_ops` members in the kernel's order (§0.4). */
export const SCHED_EXT_OPS_MEMBERS: readonly KStructMember[] = [
  { name: 'select_cpu', type: fn('s32', ['p', T], ['prev_cpu', 's32'], ['wake_flags', 'u64']) },
  { name: 'enqueue', type: fn('void', ['p', T], ['enq_flags', 'u64']) },
  { name: 'dequeue', type: fn('void', ['p', T], ['deq_flags', 'u64']) },
  { name: 'dispatch', type: fn('void', ['cpu', 's32'], ['prev', T]) },
  { name: 'tick', type: fn('void', ['p', T]) },
  { name: 'runnable', type: fn('void', ['p', T], ['enq_flags', 'u64']) },
  { name: 'running', type: fn('void', ['p', T]) },
  { name: 'stopping', type: fn('void', ['p', T], ['runnable', 'bool']) },
  { name: 'quiescent', type: fn('void', ['p', T], ['deq_flags', 'u64']) },
  { name: 'yield', type: fn('bool', ['from', T], ['to', T]) },
  { name: 'core_sched_before', type: fn('bool', ['a', T], ['b', T]) },
  { name: 'set_weight', type: fn('void', ['p', T], ['weight', 'u32']) },
  { name: 'set_cpumask', type: fn('void', ['p', T], ['cpumask', 'const struct cpumask *']) },
  { name: 'update_idle', type: fn('void', ['cpu', 's32'], ['idle', 'bool']) },
  { name: 'cpu_acquire', type: fn('void', ['cpu', 's32'], ['args', 'struct scx_cpu_acquire_args *']) },
  { name: 'cpu_release', type: fn('void', ['cpu', 's32'], ['args', 'struct scx_cpu_release_args *']) },
  { name: 'init_task', type: fn('s32', ['p', T], ['args', 'struct scx_init_task_args *']) },
  { name: 'exit_task', type: fn('void', ['p', T], ['args', 'struct scx_exit_task_args *']) },
  { name: 'enable', type: fn('void', ['p', T]) },
  { name: 'disable', type: fn('void', ['p', T]) },
  { name: 'dump', type: fn('void', ['ctx', 'struct scx_dump_ctx *']) },
  { name: 'dump_cpu', type: fn('void', ['ctx', 'struct scx_dump_ctx *'], ['cpu', 's32'], ['idle', 'bool']) },
  { name: 'dump_task', type: fn('void', ['ctx', 'struct scx_dump_ctx *'], ['p', T]) },
  { name: 'cgroup_init', type: fn('s32', ['cgrp', CG], ['args', 'struct scx_cgroup_init_args *']) },
  { name: 'cgroup_exit', type: fn('void', ['cgrp', CG]) },
  { name: 'cgroup_prep_move', type: fn('s32', ['p', T], ['from', CG], ['to', CG]) },
  { name: 'cgroup_move', type: fn('void', ['p', T], ['from', CG], ['to', CG]) },
  { name: 'cgroup_cancel_move', type: fn('void', ['p', T], ['from', CG], ['to', CG]) },
  { name: 'cgroup_set_weight', type: fn('void', ['cgrp', CG], ['weight', 'u32']) },
  { name: 'cgroup_set_bandwidth', type: fn('void', ['cgrp', CG], ['period_us', 'u64'], ['quota_us', 'u64'], ['burst_us', 'u64']) },
  { name: 'cpu_online', type: fn('void', ['cpu', 's32']) },
  { name: 'cpu_offline', type: fn('void', ['cpu', 's32']) },
  { name: 'init', type: fn('s32') },
  { name: 'exit', type: fn('void', ['info', 'struct scx_exit_info *']) },
  { name: 'dispatch_max_batch', type: 'u32' },
  { name: 'flags', type: 'u64' },
  { name: 'timeout_ms', type: 'u32' },
  { name: 'exit_dump_len', type: 'u32' },
  { name: 'hotplug_seq', type: 'u64' },
  { name: 'name', type: 'char[128]' },
  { name: 'priv', type: 'void *' },
];

/** Members a sleepable program may implement (bpf_scx_check_member). */
export const SLEEPABLE_MEMBERS: ReadonlySet<string> = new Set(['init_task', 'cgroup_init', 'cgroup_exit', 'cgroup_prep_move', 'cpu_online', 'cpu_offline', 'init', 'exit']);

/** The sched_ext structs, in dependency order, registered before task_struct. */
const SCX_STRUCTS: readonly KStructDef[] = [
  { name: 'list_head', members: [{ name: 'next', type: 'struct list_head *' }, { name: 'prev', type: 'struct list_head *' }] },
  { name: 'rb_node', members: [{ name: '__rb_parent_color', type: 'unsigned long' }, { name: 'rb_right', type: 'struct rb_node *' }, { name: 'rb_left', type: 'struct rb_node *' }] },
  { name: 'cpumask', members: [{ name: 'bits', type: `unsigned long[${NR_CPUS / 64}]` }] },
  { name: 'scx_dsq_list_node', members: [{ name: 'node', type: 'struct list_head' }, { name: 'flags', type: 'u32' }, { name: 'priv', type: 'u32' }] },
  {
    name: 'sched_ext_entity',
    members: [
      { name: 'dsq', type: 'struct scx_dispatch_q *' },
      { name: 'dsq_list', type: 'struct scx_dsq_list_node' },
      { name: 'dsq_priq', type: 'struct rb_node' },
      { name: 'dsq_seq', type: 'u32' },
      { name: 'dsq_flags', type: 'u32' },
      { name: 'flags', type: 'u32' },
      { name: 'weight', type: 'u32' },
      { name: 'sticky_cpu', type: 's32' },
      { name: 'holding_cpu', type: 's32' },
      { name: 'selected_cpu', type: 's32' },
      { name: 'kf_mask', type: 'u32' },
      // struct task_struct *[2] in the kernel: a pointer to task_struct before task_struct is
      // defined would point at a forward declaration for every later user; nothing reads it.
      { name: 'kf_tasks', type: 'unsigned long[2]' },
      { name: 'ops_state', type: 'long' },
      { name: 'runnable_node', type: 'struct list_head' },
      { name: 'runnable_at', type: 'unsigned long' },
      { name: 'core_sched_at', type: 'u64' },
      { name: 'ddsp_dsq_id', type: 'u64' },
      { name: 'ddsp_enq_flags', type: 'u64' },
      { name: 'slice', type: 'u64' },
      { name: 'dsq_vtime', type: 'u64' },
      { name: 'disallow', type: 'bool' },
      { name: 'cgrp_moving_from', type: 'struct cgroup *' },
      { name: 'tasks_node', type: 'struct list_head' },
    ],
  },
  { name: 'sched_entity', members: [{ name: 'load_weight', type: 'unsigned long' }, { name: 'exec_start', type: 'u64' }, { name: 'sum_exec_runtime', type: 'u64' }, { name: 'vruntime', type: 'u64' }] },
];

/** Extra task_struct members (after the end of 6.18's task_struct, replacing the kernel's own). */
const TASK_EXTRA: readonly KStructMember[] = [
  { name: 'policy', type: 'unsigned int' },
  { name: 'nr_cpus_allowed', type: 'int' },
  { name: 'migration_disabled', type: 'unsigned short' },
  { name: 'cpus_ptr', type: 'const struct cpumask *' },
  { name: 'cpus_mask', type: 'struct cpumask' },
  { name: 'se', type: 'struct sched_entity' },
  { name: 'scx', type: 'struct sched_ext_entity' },
];

/**
 * The argument containers and what ops.exit and the iterator need (§0.4), registered after the
 * enums they use (installSchedExt).
 */
export const SCX_ARG_STRUCTS: readonly KStructDef[] = [
  { name: 'scx_init_task_args', members: [{ name: 'fork', type: 'bool' }, { name: 'cgroup', type: CG }] },
  { name: 'scx_exit_task_args', members: [{ name: 'cancelled', type: 'bool' }] },
  { name: 'scx_cgroup_init_args', members: [{ name: 'weight', type: 'u32' }, { name: 'bw_period_us', type: 'u64' }, { name: 'bw_quota_us', type: 'u64' }, { name: 'bw_burst_us', type: 'u64' }] },
  { name: 'scx_cpu_acquire_args', size: 0, align: 1 },
  { name: 'scx_cpu_release_args', members: [{ name: 'reason', type: 'enum scx_cpu_preempt_reason' }, { name: 'task', type: T }] },
  { name: 'scx_dump_ctx', members: [{ name: 'kind', type: 'enum scx_exit_kind' }, { name: 'exit_code', type: 's64' }, { name: 'reason', type: 'const char *' }, { name: 'at_ns', type: 'u64' }, { name: 'at_jiffies', type: 'u64' }] },
  {
    name: 'scx_exit_info',
    members: [
      { name: 'kind', type: 'enum scx_exit_kind' },
      { name: 'exit_code', type: 's64' },
      { name: 'flags', type: 'u64' },
      { name: 'reason', type: 'const char *' },
      { name: 'bt', type: 'unsigned long *' },
      { name: 'bt_len', type: 'u32' },
      { name: 'msg', type: 'char *' },
      { name: 'dump', type: 'char *' },
    ],
  },
  { name: 'scx_event_stats', members: ['SCX_EV_SELECT_CPU_FALLBACK', 'SCX_EV_DISPATCH_LOCAL_DSQ_OFFLINE', 'SCX_EV_DISPATCH_KEEP_LAST', 'SCX_EV_ENQ_SKIP_EXITING', 'SCX_EV_ENQ_SKIP_MIGRATION_DISABLED', 'SCX_EV_REFILL_SLICE_DFL', 'SCX_EV_BYPASS_DURATION', 'SCX_EV_BYPASS_DISPATCH', 'SCX_EV_BYPASS_ACTIVATE'].map((name) => ({ name, type: 's64' })) },
  { name: 'bpf_iter_scx_dsq', members: [{ name: '__opaque', type: 'u64[6]' }] },
  // struct rq as scx_bpf_cpu_rq/scx_bpf_locked_rq give it: the members schedulers read (the
  // emulator's offsets; programs reach them through CO-RE)
  { name: 'scx_rq', members: [{ name: 'nr_running', type: 'u32' }, { name: 'flags', type: 'u32' }, { name: 'cpuperf_target', type: 'u32' }] },
  { name: 'rq', members: [{ name: 'nr_running', type: 'unsigned int' }, { name: 'cpu', type: 'int' }, { name: 'clock', type: 'u64' }, { name: 'curr', type: T }, { name: 'scx', type: 'struct scx_rq' }] },
];

/** The counters of struct scx_event_stats, in order (SCX_EV_*). */
export const SCX_EVENTS = ['SELECT_CPU_FALLBACK', 'DISPATCH_LOCAL_DSQ_OFFLINE', 'DISPATCH_KEEP_LAST', 'ENQ_SKIP_EXITING', 'ENQ_SKIP_MIGRATION_DISABLED', 'REFILL_SLICE_DFL', 'BYPASS_DURATION', 'BYPASS_DISPATCH', 'BYPASS_ACTIVATE'] as const;

/**
 * The kernel structs of a sched_ext-enabled emulated kernel, for `KernelOptions.structs`: the
 * emulator's KERNEL_STRUCTS with task_struct extended and the sched_ext structs before it.
 */
export function schedExtKernelStructs(): KStructDef[] {
  const task = KERNEL_CTX_STRUCTS.find((s) => s.name === 'task_struct')!;
  const extra = new Set(TASK_EXTRA.map((m) => m.name));
  // 6.18's task_struct (data/kernel-types.ts) without the members sched_ext redefines, which follow
  // at the end of it (this host's kernel has no task_struct.scx to take offsets from)
  const members = (task.members ?? []).filter((m) => !extra.has(m.name));
  const end = Math.ceil(task.size! / 8) * 8;
  // the structs task_struct's kept members embed by value (thread_info, kuid_t, ...), deps first
  const deps: KStructDef[] = [];
  const visit = (def: KStructDef): void => {
    for (const m of def.members ?? []) {
      const dep = typeof m.type === 'string' ? /^struct (\w+)(\[\d+\])?$/.exec(m.type)?.[1] : undefined;
      const d = dep === undefined ? undefined : KERNEL_CTX_STRUCTS.find((s) => s.name === dep);
      if (d !== undefined && !deps.includes(d)) {
        visit(d);
        deps.push(d);
      }
    }
  };
  visit({ name: 'task_struct', members });
  return [...deps, ...SCX_STRUCTS.filter((s) => !deps.some((d) => d.name === s.name)), { name: 'task_struct', members: [...members, { ...TASK_EXTRA[0]!, offset: end }, ...TASK_EXTRA.slice(1)] }];
}

/** 32-bit public enums (§0.4). The 64-bit ones (DSQ ids, enqueue flags) are not in the BTF yet. */
export const SCX_ENUMS: readonly { name: string; values: readonly [string, number][] }[] = [
  {
    name: 'scx_exit_kind',
    values: [
      ['SCX_EXIT_NONE', 0],
      ['SCX_EXIT_DONE', 1],
      ['SCX_EXIT_UNREG', 64],
      ['SCX_EXIT_UNREG_BPF', 65],
      ['SCX_EXIT_UNREG_KERN', 66],
      ['SCX_EXIT_SYSRQ', 67],
      ['SCX_EXIT_ERROR', 1024],
      ['SCX_EXIT_ERROR_BPF', 1025],
      ['SCX_EXIT_ERROR_STALL', 1026],
    ],
  },
  { name: 'scx_kick_flags', values: [['SCX_KICK_IDLE', 1], ['SCX_KICK_PREEMPT', 2], ['SCX_KICK_WAIT', 4]] },
  { name: 'scx_pick_idle_cpu_flags', values: [['SCX_PICK_IDLE_CORE', 1], ['SCX_PICK_IDLE_IN_NODE', 2]] },
  { name: 'scx_cpu_preempt_reason', values: [['SCX_CPU_PREEMPT_RT', 0], ['SCX_CPU_PREEMPT_DL', 1], ['SCX_CPU_PREEMPT_STOP', 2], ['SCX_CPU_PREEMPT_UNKNOWN', 3]] },
  { name: 'scx_task_state', values: [['SCX_TASK_NONE', 0], ['SCX_TASK_INIT', 1], ['SCX_TASK_READY', 2], ['SCX_TASK_ENABLED', 3], ['SCX_TASK_NR_STATES', 4]] },
  { name: 'scx_kf_mask', values: [['SCX_KF_UNLOCKED', 0], ['SCX_KF_CPU_RELEASE', 1], ['SCX_KF_DISPATCH', 2], ['SCX_KF_ENQUEUE', 4], ['SCX_KF_SELECT_CPU', 8], ['SCX_KF_REST', 16]] },
  { name: 'scx_exit_flags', values: [['SCX_EFLAG_INITIALIZED', 1]] },
  { name: 'scx_dsq_lnode_flags', values: [['SCX_DSQ_LNODE_ITER_CURSOR', 1], ['__SCX_DSQ_LNODE_PRIV_SHIFT', 16]] },
];

/**
 * The 64-bit public enums (ENUM64 in BTF), for `bpf_core_enum_value()` and loaders that read
 * constants from the kernel BTF at open time. The core-derived bits (SCX_ENQ_WAKEUP & co.) are
 * the 6.14–6.17 values the spec records; the emulated core passes the same numbers to programs.
 */
export const SCX_ENUMS64: readonly { name: string; values: readonly [string, bigint][] }[] = [
  { name: 'scx_public_consts', values: [['SCX_OPS_NAME_LEN', 128n], ['SCX_SLICE_DFL', 20_000_000n], ['SCX_SLICE_INF', 0xffff_ffff_ffff_ffffn]] },
  {
    name: 'scx_dsq_id_flags',
    values: [
      ['SCX_DSQ_FLAG_BUILTIN', 1n << 63n],
      ['SCX_DSQ_FLAG_LOCAL_ON', 1n << 62n],
      ['SCX_DSQ_INVALID', 1n << 63n],
      ['SCX_DSQ_GLOBAL', (1n << 63n) | 1n],
      ['SCX_DSQ_LOCAL', (1n << 63n) | 2n],
      ['SCX_DSQ_LOCAL_ON', (1n << 63n) | (1n << 62n)],
      ['SCX_DSQ_LOCAL_CPU_MASK', 0xffff_ffffn],
    ],
  },
  {
    name: 'scx_enq_flags',
    values: [
      ['SCX_ENQ_WAKEUP', 1n],
      ['SCX_ENQ_HEAD', 0x10n],
      ['SCX_ENQ_CPU_SELECTED', 0x400n],
      ['SCX_ENQ_PREEMPT', 1n << 32n],
      ['SCX_ENQ_REENQ', 1n << 40n],
      ['SCX_ENQ_LAST', 1n << 41n],
      ['__SCX_ENQ_INTERNAL_MASK', 0xffn << 56n],
      ['SCX_ENQ_CLEAR_OPSS', 1n << 56n],
      ['SCX_ENQ_DSQ_PRIQ', 1n << 57n],
    ],
  },
  { name: 'scx_deq_flags', values: [['SCX_DEQ_SLEEP', 1n], ['SCX_DEQ_CORE_SCHED_EXEC', 1n << 32n]] },
  { name: 'scx_wake_flags', values: [['SCX_WAKE_FORK', 4n], ['SCX_WAKE_TTWU', 8n], ['SCX_WAKE_SYNC', 0x10n]] },
  { name: 'scx_exit_code', values: [['SCX_ECODE_RSN_HOTPLUG', 1n << 32n], ['SCX_ECODE_ACT_RESTART', 1n << 48n]] },
  {
    name: 'scx_ops_flags',
    values: [
      ['SCX_OPS_KEEP_BUILTIN_IDLE', 1n],
      ['SCX_OPS_ENQ_LAST', 2n],
      ['SCX_OPS_ENQ_EXITING', 4n],
      ['SCX_OPS_SWITCH_PARTIAL', 8n],
      ['SCX_OPS_ENQ_MIGRATION_DISABLED', 16n],
      ['SCX_OPS_ALLOW_QUEUED_WAKEUP', 32n],
      ['SCX_OPS_BUILTIN_IDLE_PER_NODE', 64n],
      ['SCX_OPS_HAS_CGROUP_WEIGHT', 1n << 16n],
      ['SCX_OPS_ALL_FLAGS', 0x1007fn],
      ['__SCX_OPS_INTERNAL_MASK', 0xffn << 56n],
      ['SCX_OPS_HAS_CPU_PREEMPT', 1n << 56n],
    ],
  },
  { name: 'scx_dsq_iter_flags', values: [['SCX_DSQ_ITER_REV', 1n << 16n], ['__SCX_DSQ_ITER_HAS_SLICE', 1n << 30n], ['__SCX_DSQ_ITER_HAS_VTIME', 1n << 31n]] },
  {
    name: 'scx_ent_flags',
    values: [['SCX_TASK_QUEUED', 1n], ['SCX_TASK_RESET_RUNNABLE_AT', 4n], ['SCX_TASK_DEQD_FOR_SLEEP', 8n], ['SCX_TASK_STATE_SHIFT', 8n], ['SCX_TASK_STATE_BITS', 2n], ['SCX_TASK_STATE_MASK', 0x300n], ['SCX_TASK_CURSOR', 1n << 31n]],
  },
];

// ---- constants the core uses (must equal what schedulers compile in) ----------------------------

export const SCX_SLICE_DFL = 20_000_000n;
export const SCX_SLICE_INF = 0xffff_ffff_ffff_ffffn;
export const DSQ_FLAG_BUILTIN = 1n << 63n;
/** SCX_DSQ_ITER_REV: the one flag bpf_iter_scx_dsq_new accepts (__SCX_DSQ_ITER_USER_FLAGS). */
export const DSQ_ITER_REV = 1n << 16n;
export const DSQ_FLAG_LOCAL_ON = 1n << 62n;
export const SCX_DSQ_INVALID = DSQ_FLAG_BUILTIN;
export const SCX_DSQ_GLOBAL = DSQ_FLAG_BUILTIN | 1n;
export const SCX_DSQ_LOCAL = DSQ_FLAG_BUILTIN | 2n;
export const SCX_DSQ_LOCAL_ON = DSQ_FLAG_BUILTIN | DSQ_FLAG_LOCAL_ON;
export const ENQ_WAKEUP = 1n;
export const ENQ_HEAD = 0x10n;
export const ENQ_CPU_SELECTED = 0x400n;
export const ENQ_PREEMPT = 1n << 32n;
export const ENQ_REENQ = 1n << 40n;
export const ENQ_LAST = 1n << 41n;
export const ENQ_INTERNAL_MASK = 0xffn << 56n;
export const ENQ_DSQ_PRIQ = 1n << 57n;
export const DEQ_SLEEP = 1n;
export const WAKE_FORK = 4n;
export const WAKE_TTWU = 8n;
export const KICK_IDLE = 1n;
export const KICK_PREEMPT = 2n;
export const KICK_WAIT = 4n;
export const PICK_IDLE_CORE = 1n;

/** SCX_OPS_* flags (§1.3). */
export const OPS_FLAGS = {
  KEEP_BUILTIN_IDLE: 1n,
  ENQ_LAST: 2n,
  ENQ_EXITING: 4n,
  SWITCH_PARTIAL: 8n,
  ENQ_MIGRATION_DISABLED: 16n,
  ALLOW_QUEUED_WAKEUP: 32n,
  BUILTIN_IDLE_PER_NODE: 64n,
  HAS_CGROUP_WEIGHT: 1n << 16n,
} as const;
export const OPS_ALL_FLAGS = Object.values(OPS_FLAGS).reduce((a, b) => a | b, 0n);

/** scx_exit_kind. */
export const ExitKind = { NONE: 0, DONE: 1, UNREG: 64, UNREG_BPF: 65, UNREG_KERN: 66, SYSRQ: 67, ERROR: 1024, ERROR_BPF: 1025, ERROR_STALL: 1026 } as const;

/** scx_exit_reason's strings. */
export function exitReason(kind: number): string {
  switch (kind) {
    case ExitKind.UNREG:
      return 'unregistered from user space';
    case ExitKind.UNREG_BPF:
      return 'unregistered from BPF';
    case ExitKind.UNREG_KERN:
      return 'unregistered from the main kernel';
    case ExitKind.SYSRQ:
      return 'disabled by sysrq-S';
    case ExitKind.ERROR:
      return 'runtime error';
    case ExitKind.ERROR_BPF:
      return 'scx_bpf_error';
    case ExitKind.ERROR_STALL:
      return 'runnable task stall';
    default:
      return '<UNKNOWN>';
  }
}

/** The name of an exit kind for summaries (`SCX_EXIT_ERROR_STALL` → `ERROR_STALL`). */
export function exitKindName(kind: number): string {
  for (const [k, v] of Object.entries(ExitKind)) if (v === kind) return k;
  return `KIND_${kind}`;
}

/** scx_kf_mask bits. */
export const KF = { UNLOCKED: 0, CPU_RELEASE: 1, DISPATCH: 2, ENQUEUE: 4, SELECT_CPU: 8, REST: 16 } as const;

/** sched_prio_to_weight (kernel/sched/core.c) for nice -20..19. */
const PRIO_TO_WEIGHT = [
  88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277, 1024, 820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
];

/** p->scx.weight for a nice level: load weight × 100 / 1024, rounded, clamped to 1..10000 (§3.9). */
export function niceToScxWeight(nice: number): number {
  const w = PRIO_TO_WEIGHT[nice + 20]!;
  return Math.min(10000, Math.max(1, Math.round((w * 100) / 1024)));
}
