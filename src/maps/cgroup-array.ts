/**
 * BPF_MAP_TYPE_CGROUP_ARRAY (kernel/bpf/arraymap.c cgroup_array_map_ops): an fd array of cgroups,
 * set from user space with cgroup directory fds ({@link CgroupTree.openFd}); programs test
 * membership with bpf_current_task_under_cgroup and bpf_skb_under_cgroup (helpers/cgroup.ts).
 * Errnos measured on 6.18 (test/maps/goldens/cgroup-array.json): BPF_ANY only (EINVAL), E2BIG past
 * the end, EBADF for an fd that is not a cgroup directory, ENOTSUPP for user-space lookups.
 */
import { ERRNO } from '../util/errno.js';
import { type Cgroup, cgroupsOf } from './cgroups.js';
import { FdArrayMap } from './fd-array.js';
import { OwnerFile } from './local-storage.js';
import type { ProgOp } from './types.js';

const { EBADF } = ERRNO;

const PROG_OPS: ReadonlySet<ProgOp> = new Set<ProgOp>();

/** A cgroup array: slots hold cgroups. */
export class CgroupArrayMap extends FdArrayMap<Cgroup> {
  /** Programs reach it only through the *_under_cgroup helpers. */
  readonly progOps = PROG_OPS;
  protected readonly sysIdSupported = false;

  /** cgroup_fd_array_get_ptr: cgroup_get_from_fd. */
  protected getPtr(fd: number): Cgroup | number {
    const f = fd < 0 ? undefined : this.env.resolveFd?.(fd);
    if (!(f instanceof OwnerFile) || f.ownerKind !== 'cgroup') return -EBADF;
    const cg = cgroupsOf(this.env).byObject(f.owner);
    return cg === undefined || cg.removed ? -EBADF : cg;
  }

  protected putPtr(_cg: Cgroup): void {}

  protected sysId(_cg: Cgroup): number | null {
    return null;
  }
}
