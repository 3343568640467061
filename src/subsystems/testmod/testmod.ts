/**
 * An opt-in test subsystem mirroring the kernel's bpf_testmod multi-instance struct_ops
 * (tools/testing/selftests/bpf/test_kmods/bpf_testmod.c, docs/struct-ops-assoc.md §4.3 and §6),
 * plus two emulator-only struct_ops types the fixtures use:
 *
 * - `struct bpf_testmod_multi_st_ops { int (*test_1)(struct st_ops_args *); struct hlist_node node;
 *   int id; }`: `reg` rejects a NULL test_1 (EINVAL), stores the map id in `id`, rejects a duplicate
 *   id (EEXIST) and adds the instance to a list; `unreg` removes it; no validate/update callbacks.
 * - kfuncs `bpf_kfunc_multi_st_ops_test_1(args, id)` (explicit id, Aug 2025),
 *   `bpf_kfunc_multi_st_ops_test_1_impl(args, aux__prog)` (v8, Dec 2025) and
 *   `bpf_kfunc_multi_st_ops_test_1_assoc(args)` (KF_IMPLICIT_ARGS, 2026), callable from SCHED_CLS,
 *   TRACING, SYSCALL and STRUCT_OPS programs.
 * - `struct my_ops` and `struct bpfemu_demo_ops`, whose data members are copied from the map value.
 *
 * The kernel's kfuncs call a NULL test_1 without checking (an oops); here an associated map without a
 * program in test_1 ends the run with a fault naming the map.
 */
import { ProgType } from '../../object/uapi.js';
import { ERRNO } from '../../util/errno.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { KfuncCall } from '../../kernel/kfuncs.js';
import { getAssocStructOps, type StructOpsInstance } from '../../kernel/structops.js';

const { EINVAL, EEXIST } = ERRNO;

const KFUNC_PROG_TYPES = [ProgType.SCHED_CLS, ProgType.TRACING, ProgType.SYSCALL, ProgType.STRUCT_OPS];

/** Install the test subsystem into `k`. Returns the registered instances list (for tests). */
export function installTestmod(k: Kernel): Map<number, StructOpsInstance> {
  const registered = new Map<number, StructOpsInstance>();
  k.registerStruct({ name: 'st_ops_args', members: [{ name: 'a', type: 'u64' }] });
  k.registerStruct({ name: 'hlist_node', members: [{ name: 'next', type: 'struct hlist_node *' }, { name: 'pprev', type: 'struct hlist_node **' }] });
  const argsProto = { ret: 'int', params: [{ name: 'args', type: 'struct st_ops_args *' }] };
  k.registerStructOps({
    name: 'bpf_testmod_multi_st_ops',
    members: [
      { name: 'test_1', type: argsProto },
      { name: 'node', type: 'struct hlist_node' },
      { name: 'id', type: 'int' },
    ],
    stubs: ['test_1'],
    reg(inst) {
      if (inst.program('test_1') === null) return -EINVAL;
      inst.writeInt('id', inst.id);
      if (registered.has(inst.id)) return -EEXIST;
      registered.set(inst.id, inst);
      return 0;
    },
    unreg(inst) {
      registered.delete(inst.readInt('id'));
    },
  });
  const callTest1 = (inst: StructOpsInstance | null | undefined, args: bigint): number => (inst == null ? -1 : inst.call('test_1', [args]));
  k.registerKfunc({
    name: 'bpf_kfunc_multi_st_ops_test_1',
    proto: { ret: 'int', params: [{ name: 'args', type: 'struct st_ops_args *' }, { name: 'id', type: 'u32' }] },
    progTypes: KFUNC_PROG_TYPES,
    // bpf_testmod.c of 6.18 (read in the sources): BTF_ID_FLAGS(func, bpf_kfunc_multi_st_ops_test_1, KF_TRUSTED_ARGS)
    flags: { trustedArgs: true },
    impl: (c: KfuncCall) => callTest1(registered.get(Number(c.args[1]! & 0xffffffffn)), c.args[0]!),
  });
  k.registerKfunc({
    name: 'bpf_kfunc_multi_st_ops_test_1_impl',
    proto: { ret: 'int', params: [{ name: 'args', type: 'struct st_ops_args *' }, { name: 'aux__prog', type: 'void *' }] },
    implicitProg: 'suffix',
    progTypes: KFUNC_PROG_TYPES,
    flags: { trustedArgs: true },
    impl: (c: KfuncCall) => callTest1(getAssocStructOps(c.prog), c.args[0]!),
  });
  k.registerKfunc({
    name: 'bpf_kfunc_multi_st_ops_test_1_assoc',
    proto: argsProto,
    implicitProg: 'implicit',
    progTypes: KFUNC_PROG_TYPES,
    flags: { trustedArgs: true },
    impl: (c: KfuncCall) => callTest1(getAssocStructOps(c.prog), c.args[0]!),
  });
  k.registerStructOps({
    name: 'my_ops',
    members: [
      { name: 'test_1', type: { ret: 'int', params: [] } },
      { name: 'test_2', type: { ret: 'int', params: [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }] } },
      { name: 'flags', type: 'int' },
      { name: 'name', type: 'char[16]' },
    ],
    copyDataMembers: true,
  });
  k.registerStructOps({
    name: 'bpfemu_demo_ops',
    members: [
      { name: 'get', type: argsProto },
      { name: 'magic', type: 'int' },
      { name: 'tag', type: 'char[8]' },
    ],
    copyDataMembers: true,
  });
  return registered;
}

