/**
 * What a new emulated kernel starts with: the program types, the default hook points, the
 * generic kfuncs bpf_rcu_read_lock/unlock, the emulator-extension kfunc
 * `bpf_prog_get_assoc_struct_ops`, and the opt-in test subsystem.
 */
import { KERNEL_CTX_STRUCTS, KERNEL_TRACEPOINTS } from './objects/data/kernel-types.js';
import { ProgType } from '../object/uapi.js';
import type { Kernel } from './kernel.js';
import { getAssocStructOps } from './structops.js';
import { installTestmod } from '../subsystems/testmod/testmod.js';
import { installHelperServices } from '../helpers/index.js';
import { SYSCALL_PROG } from './progtypes/syscall.js';
import { KPROBE_PROG, LSM_PROG, PERF_EVENT_PROG, RAW_TP_PROG, RAW_TP_WRITABLE_PROG, TRACEPOINT_PROG, TRACING_PROG, PT_REGS } from './progtypes/tracing.js';
import type { ProgTypeOps } from './progtypes/registry.js';
import { XDP_PROG } from './progtypes/xdp.js';
import { SKB_PROG_TYPES } from './progtypes/skb.js';
import { FLOW_DISSECTOR_PROG } from './progtypes/flow-dissector.js';
import { installKernelObjects } from './objects/kobjects.js';
import { installGenericKfuncs } from './kfuncs/generic.js';
import { SK_LOOKUP_PROG } from './progtypes/sk-lookup.js';
import { NETFILTER_PROG } from './progtypes/netfilter.js';

/** Program types loadable in the emulated kernel (struct_ops programs run only through their maps). */
export const DEFAULT_PROG_TYPES: readonly ProgTypeOps[] = [
  SYSCALL_PROG,
  RAW_TP_PROG,
  RAW_TP_WRITABLE_PROG,
  TRACING_PROG,
  LSM_PROG,
  KPROBE_PROG,
  TRACEPOINT_PROG,
  PERF_EVENT_PROG,
  { type: ProgType.STRUCT_OPS, name: 'struct_ops' },
  XDP_PROG,
  ...SKB_PROG_TYPES,
  FLOW_DISSECTOR_PROG,
  // Verified and loaded, not run: the kernel has no BPF_PROG_TEST_RUN for them either (ENOTSUPP),
  // and their attach points (cgroups, sockets, netfilter) are not emulated yet.
  { type: ProgType.CGROUP_SOCK, name: 'cgroup_sock' },
  { type: ProgType.SOCK_OPS, name: 'sock_ops' },
  { type: ProgType.CGROUP_DEVICE, name: 'cgroup_device' },
  { type: ProgType.SK_MSG, name: 'sk_msg' },
  { type: ProgType.CGROUP_SOCK_ADDR, name: 'cgroup_sock_addr' },
  { type: ProgType.SK_REUSEPORT, name: 'sk_reuseport' },
  { type: ProgType.CGROUP_SYSCTL, name: 'cgroup_sysctl' },
  { type: ProgType.CGROUP_SOCKOPT, name: 'cgroup_sockopt' },
  SK_LOOKUP_PROG,
  NETFILTER_PROG,
];

/**
 * Marks the options of a scratch kernel that only loads (without the verifier) and test-runs
 * packet programs: the test-run warm-up's (progtypes/warmup.ts). Such a kernel gets the program
 * types and the helpers' run-end services, not the vmlinux types, kernel objects, hook points and
 * kfuncs, whose registration is most of the cost of a new kernel.
 */
export const RUN_ONLY_KERNEL = Symbol('bpfemu.runOnlyKernel');

/** Register the defaults into `k` (`runOnly`: see {@link RUN_ONLY_KERNEL}). */
export function installDefaults(k: Kernel, extraProgTypes: readonly ProgTypeOps[], runOnly = false): void {
  for (const p of DEFAULT_PROG_TYPES) k.progTypes.register(p);
  for (const p of extraProgTypes) k.progTypes.register(p);
  if (runOnly) {
    installHelperServices(k);
    return;
  }
  // Kernel structs first, so that hook parameters like `struct task_struct *` point at them.
  k.registerStruct({ name: 'pt_regs', members: PT_REGS.map((r) => ({ name: r, type: 'unsigned long' })) });
  const regs = { name: 'regs', type: 'struct pt_regs *' };
  // The uapi ctx and helper-argument structs, the kernel-internal structs programs read (task_struct,
  // sk_buff, sock, file, dentry, ...) and common tracepoints, with 6.18's layouts (data/kernel-types.ts,
  // extracted from a real vmlinux): programs built against vmlinux.h relocate against them (CO-RE),
  // the emulated kernel objects are laid out from them, tp_btf programs attach to the tracepoints and
  // fire() drives them. A struct given in the kernel options (sched_ext's task_struct) comes first.
  for (const def of KERNEL_CTX_STRUCTS) if (!k.types.structs.has(def.name)) k.registerStruct(def);
  installKernelObjects(k);
  for (const tp of KERNEL_TRACEPOINTS) k.addHook({ kind: 'raw_tp', name: tp.name, params: tp.params });
  k.addHook({ kind: 'raw_tp', name: 'sys_enter', params: [regs, { name: 'id', type: 'long' }] });
  k.addHook({ kind: 'raw_tp', name: 'sys_exit', params: [regs, { name: 'ret', type: 'long' }] });
  k.addHook({ kind: 'fentry', name: 'bpf_fentry_test1', params: [{ name: 'a', type: 'int' }], ret: 'int' });
  k.addHook({ kind: 'fentry', name: 'bpf_fentry_test2', params: [{ name: 'a', type: 'int' }, { name: 'b', type: 'u64' }], ret: 'int' });
  k.addHook({ kind: 'fentry', name: 'do_unlinkat', params: [{ name: 'dfd', type: 'int' }, { name: 'name', type: 'struct filename *' }], ret: 'int' });
  k.addHook({ kind: 'lsm', name: 'file_open', params: [{ name: 'file', type: 'struct file *' }], ret: 'int' });
  k.addHook({ kind: 'iter', name: 'task', params: [{ name: 'meta', type: 'struct bpf_iter_meta *' }, { name: 'task', type: 'struct task_struct *' }], ret: 'int' });
  k.addHook({ kind: 'kprobe', name: 'do_unlinkat', params: [] });
  k.addHook({ kind: 'tracepoint', name: 'syscalls/sys_enter_openat', params: [] });
  // Emulator extension: the kernel-internal bpf_prog_get_assoc_struct_ops as a kfunc, with a
  // __prog-style implicit argument (a declaration without parameters works too: r1 is ignored).
  k.registerKfunc({
    name: 'bpf_prog_get_assoc_struct_ops',
    proto: { ret: 'void *', params: [{ name: 'aux__prog', type: 'void *' }] },
    implicitProg: 'suffix',
    // NULL when the program is unassociated or poisoned (KF_RET_NULL for the verifier)
    // the result is read as a kernel object (retObject), not as the scalar the kernel makes of a `void *`
    flags: { retNull: true, retObject: true },
    impl: (c) => getAssocStructOps(c.prog)?.pointer ?? 0n,
  });
  // kernel/bpf/helpers.c generic kfuncs: RCU read-side sections are no-ops in the single-threaded
  // emulator (the verifier's pairing and sleepable rules are not emulated).
  for (const name of ['bpf_rcu_read_lock', 'bpf_rcu_read_unlock']) k.registerKfunc({ name, proto: { ret: 'void', params: [] }, impl: () => 0 });
  installGenericKfuncs(k);
  k.provide('testmod', installTestmod);
  installHelperServices(k);
}
