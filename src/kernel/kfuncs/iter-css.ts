/**
 * The css iterator of kernel/bpf/cgroup_iter.c (6.18), `bpf_iter_css_*`, over the emulated cgroup
 * hierarchy (maps/cgroups.ts, objects/cgroup-objects.ts), and the cgroup reference kfuncs of
 * kernel/bpf/helpers.c it is used with: bpf_cgroup_from_id (KF_ACQUIRE | KF_RET_NULL),
 * bpf_cgroup_acquire (KF_ACQUIRE | KF_RCU | KF_RET_NULL) and bpf_cgroup_release (KF_RELEASE). As
 * with tasks, the emulator keeps no reference counts (cgroups outlive a run); the verifier enforces
 * the pairing.
 *
 * The iterator's 24 stack bytes are the kernel's struct bpf_iter_css_kern (`start`, `pos`,
 * `flags`). `_new` accepts BPF_CGROUP_ITER_DESCENDANTS_PRE (2), _DESCENDANTS_POST (3) and
 * _ANCESTORS_UP (4) and returns -EINVAL for any other flags (SELF_ONLY and ORDER_UNSPEC included;
 * 6.18 has no _CHILDREN), leaving `start` NULL so that next() returns NULL. next() steps as
 * css_next_descendant_pre / css_next_descendant_post (children in creation order; pre-order gives
 * the start first, post-order last) and, for ANCESTORS_UP, from the start up through `parent` to
 * the root. A start that is not an emulated cgroup's css yields nothing.
 *
 * Program types (probed live on every type, test/verifier/goldens/helper-availability.json): the
 * iterator kfuncs are in 6.18's common set (every type), the cgroup reference kfuncs in the generic
 * set (GENERIC_KFUNC_PROG_TYPES).
 */
import type { Cgroup } from '../../maps/cgroups.js';
import type { Kernel } from '../kernel.js';
import type { KfuncCall } from '../kfuncs.js';
import { cgroupObjectsOf } from '../objects/cgroup-objects.js';
import { Memory } from '../../vm/memory.js';
import { GENERIC_KFUNC_PROG_TYPES } from './task.js';

const EINVAL = 22;
/** sizeof(struct bpf_iter_css) in 6.18's BTF. */
export const BPF_ITER_CSS_SIZE = 24;
/** enum bpf_cgroup_iter_order (include/uapi/linux/bpf.h, 6.18). */
export const BPF_CGROUP_ITER_SELF_ONLY = 1;
export const BPF_CGROUP_ITER_DESCENDANTS_PRE = 2;
export const BPF_CGROUP_ITER_DESCENDANTS_POST = 3;
export const BPF_CGROUP_ITER_ANCESTORS_UP = 4;

function state({ m, args }: KfuncCall): DataView {
  const [id, off] = Memory.split(args[0]!);
  const b = m.bytesAt(id, off, BPF_ITER_CSS_SIZE, true, 'bpf_iter_css');
  return new DataView(b.buffer, b.byteOffset, BPF_ITER_CSS_SIZE);
}

function nextSibling(c: Cgroup): Cgroup | null {
  const sibs = c.parent?.children ?? [];
  return sibs[sibs.indexOf(c) + 1] ?? null;
}

/** css_next_descendant_pre: the next cgroup after `pos` in a pre-order walk of `root` (null: the first). */
export function nextDescendantPre(pos: Cgroup | null, root: Cgroup): Cgroup | null {
  if (pos === null) return root;
  if (pos.children.length > 0) return pos.children[0]!;
  for (let p: Cgroup | null = pos; p !== null && p !== root; p = p.parent) {
    const n = nextSibling(p);
    if (n !== null) return n;
  }
  return null;
}

function leftmostDescendant(c: Cgroup): Cgroup {
  let p = c;
  while (p.children.length > 0) p = p.children[0]!;
  return p;
}

/** css_next_descendant_post: the next cgroup after `pos` in a post-order walk of `root` (null: the first). */
export function nextDescendantPost(pos: Cgroup | null, root: Cgroup): Cgroup | null {
  if (pos === null) return leftmostDescendant(root);
  if (pos === root) return null;
  const n = nextSibling(pos);
  return n !== null ? leftmostDescendant(n) : pos.parent;
}

/** Register `struct bpf_iter_css`, its kfuncs and the cgroup reference kfuncs into `k`. */
export function installIterCss(k: Kernel): void {
  k.registerStruct({ name: 'bpf_iter_css', members: [{ name: '__opaque', type: 'u64[3]' }] });
  const progTypes = GENERIC_KFUNC_PROG_TYPES;
  const co = () => cgroupObjectsOf(k);
  const ptr = (c: Cgroup | null): bigint => (c === null ? 0n : co().objectOf(c).pointer);
  const it = [{ name: 'it', type: 'struct bpf_iter_css *' }];
  k.registerKfunc({
    name: 'bpf_iter_css_new',
    proto: { ret: 'int', params: [...it, { name: 'start', type: 'struct cgroup_subsys_state *' }, { name: 'flags', type: 'unsigned int' }] },
    flags: { iter: 'new', trustedArgs: true, rcuProtected: true },
    impl: (c) => {
      const s = state(c);
      const flags = Number(c.args[2]! & 0xffffffffn);
      s.setBigUint64(0, 0n, true);
      if (flags !== BPF_CGROUP_ITER_DESCENDANTS_PRE && flags !== BPF_CGROUP_ITER_DESCENDANTS_POST && flags !== BPF_CGROUP_ITER_ANCESTORS_UP) return -EINVAL;
      s.setBigUint64(0, c.args[1]!, true);
      s.setBigUint64(8, 0n, true);
      s.setUint32(16, flags, true);
      return 0;
    },
  });
  k.registerKfunc({
    name: 'bpf_iter_css_next',
    proto: { ret: 'struct cgroup_subsys_state *', params: it },
    flags: { iter: 'next', retNull: true },
    impl: (c) => {
      const s = state(c);
      const startPtr = s.getBigUint64(0, true);
      if (startPtr === 0n) return 0n;
      const start = co().cgroupAt(startPtr);
      const posPtr = s.getBigUint64(8, true);
      const pos = posPtr === 0n ? null : co().cgroupAt(posPtr) ?? null;
      let next: Cgroup | null = null;
      if (start !== undefined && (posPtr === 0n || pos !== null)) {
        const flags = s.getUint32(16, true);
        if (flags === BPF_CGROUP_ITER_DESCENDANTS_PRE) next = nextDescendantPre(pos, start);
        else if (flags === BPF_CGROUP_ITER_DESCENDANTS_POST) next = nextDescendantPost(pos, start);
        else next = pos === null ? start : pos.parent;
      }
      const p = ptr(next);
      s.setBigUint64(8, p, true);
      return p;
    },
  });
  k.registerKfunc({ name: 'bpf_iter_css_destroy', proto: { ret: 'void', params: it }, flags: { iter: 'destroy' }, impl: () => 0 });

  const cg = (name: string) => ({ name, type: 'struct cgroup *' });
  k.registerKfunc({
    name: 'bpf_cgroup_from_id',
    proto: { ret: 'struct cgroup *', params: [{ name: 'cgid', type: 'u64' }] },
    progTypes,
    flags: { acquire: true, retNull: true },
    impl: (c) => ptr(co().byId(c.args[0]!) ?? null),
  });
  k.registerKfunc({ name: 'bpf_cgroup_acquire', proto: { ret: 'struct cgroup *', params: [cg('cgrp')] }, progTypes, flags: { acquire: true, rcu: true, retNull: true }, impl: (c) => c.args[0]! });
  k.registerKfunc({ name: 'bpf_cgroup_release', proto: { ret: 'void', params: [cg('cgrp')] }, progTypes, flags: { release: true }, impl: () => 0 });
}
