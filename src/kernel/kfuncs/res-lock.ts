/**
 * Resilient spin locks (6.18 kernel/bpf/helpers.c over kernel/bpf/rqspinlock.c): bpf_res_spin_lock,
 * bpf_res_spin_unlock and the _irqsave / _irqrestore forms on the `struct bpf_res_spin_lock` field of
 * a map value. The emulated machine is one CPU, so a lock word already taken can only be this CPU's
 * own lock: the kernel's AA-deadlock detection fires and the lock returns -EDEADLK (-35, measured on
 * 6.18: programs/reslock.bpf.c aa_runtime locks one element through two lookups and gets -35). The
 * 4-byte lock word reads 1 while held and 0 otherwise. The irq flag is written 0 on save (no
 * interrupts are emulated) and ignored on restore. Pairing, order and flags are the verifier's
 * (src/verifier/res-lock.ts); a lock argument that is not a res lock field faults.
 */
import { MapValueRef } from '../../maps/types.js';
import type { Machine } from '../../vm/machine.js';
import { Memory, RegionKind } from '../../vm/memory.js';
import type { Kernel } from '../kernel.js';
import type { KfuncCall } from '../kfuncs.js';
import { GENERIC_KFUNC_PROG_TYPES } from './task.js';

const EDEADLK = 35;
const LOCK_T = 'struct bpf_res_spin_lock *';
const FLAGS_T = 'unsigned long *';

/** The lock word's region view and offset, after checking it is a bpf_res_spin_lock field. */
function lockWord(m: Machine, name: string, addr: bigint): { dv: DataView; off: number } {
  const [id, off] = Memory.split(addr);
  const ref = m.mem.isMapped(id) && m.mem.kindOf(id) === RegionKind.MAP_VALUE ? m.mem.ownerOf(id) : undefined;
  if (!(ref instanceof MapValueRef) || !ref.map.specialFields.some((f) => f.kind === 'res_spin_lock' && f.offset === off)) {
    throw m.fail('helper', `${name}: arg#0 0x${addr.toString(16)} is not the bpf_res_spin_lock field of a map value`);
  }
  return { dv: m.mem.view(id), off };
}

/** Write the saved irq flags (0) through the flags pointer. */
function saveFlags(c: KfuncCall, name: string): void {
  const [id, off] = Memory.split(c.args[1]!);
  if (!c.m.mem.isMapped(id) || c.m.mem.view(id).byteLength < off + 8) throw c.m.fail('helper', `${name}: arg#1 0x${c.args[1]!.toString(16)} is not 8 writable bytes`);
  c.m.mem.view(id).setBigUint64(off, 0n, true);
}

function lock(c: KfuncCall, name: string): number {
  const { dv, off } = lockWord(c.m, name, c.args[0]!);
  if (dv.getUint32(off, true) !== 0) return -EDEADLK;
  dv.setUint32(off, 1, true);
  return 0;
}

function unlock(c: KfuncCall, name: string): number {
  const { dv, off } = lockWord(c.m, name, c.args[0]!);
  dv.setUint32(off, 0, true);
  return 0;
}

/** Register the four res lock kfuncs into `k`. */
export function installResLock(k: Kernel): void {
  const progTypes = GENERIC_KFUNC_PROG_TYPES;
  const lockP = { name: 'lock', type: LOCK_T };
  const flagsP = { name: 'flags__irq_flag', type: FLAGS_T };
  k.registerKfunc({ name: 'bpf_res_spin_lock', proto: { ret: 'int', params: [lockP] }, progTypes, impl: (c) => lock(c, 'bpf_res_spin_lock') });
  k.registerKfunc({ name: 'bpf_res_spin_unlock', proto: { ret: 'void', params: [lockP] }, progTypes, impl: (c) => unlock(c, 'bpf_res_spin_unlock') });
  k.registerKfunc({
    name: 'bpf_res_spin_lock_irqsave',
    proto: { ret: 'int', params: [lockP, flagsP] },
    progTypes,
    impl: (c) => {
      const r = lock(c, 'bpf_res_spin_lock_irqsave');
      if (r === 0) saveFlags(c, 'bpf_res_spin_lock_irqsave');
      return r;
    },
  });
  k.registerKfunc({ name: 'bpf_res_spin_unlock_irqrestore', proto: { ret: 'void', params: [lockP, flagsP] }, progTypes, impl: (c) => unlock(c, 'bpf_res_spin_unlock_irqrestore') });
}
