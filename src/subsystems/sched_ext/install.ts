/**
 * sched_ext in an emulated kernel: the `sched_ext_ops` struct_ops type with the kernel's
 * registration rules (bpf_scx_init_member, bpf_scx_check_member, bpf_scx_reg/unreg/update; docs
 * sched-ext.md §1.2–1.4), its BTF types and enums, and the kfuncs, all through the kernel's
 * registries. One scheduler at a time per kernel (EBUSY otherwise), as in the kernel.
 */
import { Kernel, type KernelOptions } from '../../kernel/kernel.js';
import type { StructOpsInstance, StructOpsMember } from '../../kernel/structops.js';
import type { KProg } from '../../kernel/objects/objects.js';
import { ERRNO } from '../../util/errno.js';
import { registerSchedExtKfuncs, type SchedExtKfuncOptions } from './kfuncs.js';
import type { SchedCore } from './core.js';
import { OPS_ALL_FLAGS, SCHED_EXT_OPS_MEMBERS, SCX_ARG_STRUCTS, SCX_ENUMS, SCX_ENUMS64, SLEEPABLE_MEMBERS, schedExtKernelStructs } from './types.js';
import { WATCHDOG_MAX_MS } from './core.js';

const { EINVAL, E2BIG, EBUSY, EOPNOTSUPP } = ERRNO;

/** What {@link installSchedExt} returns: the attached scheduler and the core it drives. */
export interface SchedExtState {
  /** The registered (attached) scheduler instance, or null. */
  attached: StructOpsInstance | null;
  /** The core kfuncs act on (set by the simulator). */
  core: SchedCore | null;
}

/** bpf_obj_name_cpy's character rule plus the empty-name check of bpf_scx_init_member. */
function nameError(bytes: Uint8Array): number {
  const nul = bytes.indexOf(0);
  if (nul < 0) return -EINVAL;
  if (nul === 0) return -EINVAL;
  for (let i = 0; i < nul; i++) {
    const c = bytes[i]!;
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e;
    if (!ok) return -EINVAL;
  }
  return 0;
}

/** bpf_scx_init_member: data members copied with their checks; 0 for the generic rule. */
function initMember(m: StructOpsMember, inst: StructOpsInstance, udata: Uint8Array): number {
  const u = new DataView(udata.buffer, udata.byteOffset + m.offset, m.size);
  const kdata = inst.data;
  const copy = (): number => {
    kdata.set(udata.subarray(m.offset, m.offset + m.size), m.offset);
    return 1;
  };
  switch (m.name) {
    case 'dispatch_max_batch':
      return u.getUint32(0, true) > 0x7fff_ffff ? -E2BIG : copy();
    case 'flags':
      return (u.getBigUint64(0, true) & ~OPS_ALL_FLAGS) !== 0n ? -EINVAL : copy();
    case 'name': {
      const err = nameError(udata.subarray(m.offset, m.offset + m.size));
      return err < 0 ? err : copy();
    }
    case 'timeout_ms':
      return u.getUint32(0, true) > WATCHDOG_MAX_MS ? -E2BIG : copy();
    case 'exit_dump_len':
    case 'hotplug_seq':
      return copy();
    default:
      return 0;
  }
}

/**
 * bpf_scx_btf_struct_access: a store through a BTF pointer is allowed only when it lies entirely
 * inside `task_struct.scx.slice`, `.dsq_vtime` or `.disallow`; every other store is refused with
 * EACCES (the kernel logs no message of its own for it).
 */
function scxWriteRule(k: Kernel): (struct: string, off: number, size: number) => string | null {
  const task = k.types.structs.get('task_struct');
  const ent = k.types.structs.get('sched_ext_entity');
  const scx = task?.members.find((m) => m.name === 'scx');
  const ranges: [number, number][] = [];
  if (scx !== undefined && ent !== undefined) {
    for (const name of ['slice', 'dsq_vtime', 'disallow']) {
      const m = ent.members.find((x) => x.name === name);
      if (m !== undefined) ranges.push([scx.offset + m.offset, scx.offset + m.offset + m.size]);
    }
  }
  return (struct, off, size) => {
    if (struct === 'task_struct' && ranges.some(([a, b]) => off >= a && off + size <= b)) return null;
    return '';
  };
}

/** Options of {@link installSchedExt}. */
export interface InstallSchedExtOptions extends SchedExtKfuncOptions {}

/**
 * Register sched_ext into `k` (created with {@link schedExtKernelOptions}, so that task_struct has
 * its `scx` member). Returns the state the struct_ops callbacks and kfuncs share.
 */
export function installSchedExt(k: Kernel, o: InstallSchedExtOptions = {}): SchedExtState {
  const state: SchedExtState = { attached: null, core: null };
  for (const e of SCX_ENUMS) k.types.addEnum(e.name, e.values);
  for (const e of SCX_ENUMS64) k.types.addEnum64(e.name, e.values);
  for (const s of SCX_ARG_STRUCTS) k.registerStruct(s);
  k.registerStructOps({
    name: 'sched_ext_ops',
    members: SCHED_EXT_OPS_MEMBERS,
    initMember,
    checkMember(m: StructOpsMember, prog: KProg): number {
      return prog.sleepable && !SLEEPABLE_MEMBERS.has(m.name) ? -EINVAL : 0;
    },
    reg(inst) {
      if (state.attached !== null) return -EBUSY;
      state.attached = inst;
      return 0;
    },
    unreg(inst) {
      if (state.attached !== inst) return;
      state.core?.unregister();
      state.attached = null;
    },
    update: () => -EOPNOTSUPP,
    btfWrite: scxWriteRule(k),
  });
  registerSchedExtKfuncs(k, () => state.core, o);
  return state;
}

/** Kernel options for a sched_ext-capable emulated kernel (task_struct with `scx`, `nrCpus`). */
export function schedExtKernelOptions(nrCpus: number, extra: KernelOptions = {}): KernelOptions {
  return { ...extra, nrCpus, structs: [...schedExtKernelStructs(), ...(extra.structs ?? [])] };
}

/** A new emulated kernel with sched_ext installed. */
export function createSchedExtKernel(nrCpus: number, o: InstallSchedExtOptions & { kernel?: KernelOptions } = {}): { kernel: Kernel; state: SchedExtState } {
  const kernel = new Kernel(schedExtKernelOptions(nrCpus, o.kernel));
  return { kernel, state: installSchedExt(kernel, o) };
}
