/**
 * bpf_spin_lock / bpf_spin_unlock (kernel/bpf/helpers.c) on the `struct bpf_spin_lock` field of a
 * map value. The verifier enforces the locking discipline statically (check_helper_call,
 * process_spin_lock): one lock at a time, no other helper calls while holding it, unlock the same
 * lock, unlock before exit. The emulator checks the same rules at run time and faults:
 *
 *   - the argument is not the bpf_spin_lock field of a map value;
 *   - bpf_spin_lock while this run already holds a lock (or the lock word is taken: a deadlock);
 *   - bpf_spin_unlock without holding that lock;
 *   - a helper call other than bpf_spin_unlock while holding a lock ({@link guardLockedCalls});
 *   - the run ends with the lock held ({@link lockRunEnd}; the lock is released).
 *
 * The 4-byte lock word reads 1 while held and 0 otherwise, like the kernel's queued spinlock's
 * locked byte.
 */
import { MapValueRef } from '../maps/types.js';
import { Fault } from '../vm/fault.js';
import type { HelperFn, Machine } from '../vm/machine.js';
import { RegionKind } from '../vm/memory.js';
import { regAddr } from './args.js';
import type { HelperHost } from './host.js';
import type { HelperDef, HelperProto } from './registry.js';

/** runState key of the lock this run holds. */
const HELD = Symbol('bpf_spin_lock held');

interface Held {
  readonly region: number;
  readonly off: number;
  /** pc of the bpf_spin_lock call. */
  readonly pc: number;
}

/** The lock word's region and offset, after checking it is a bpf_spin_lock field. */
function lockArg(m: Machine, helper: string): { region: number; off: number } {
  const id = m.hi[1]!;
  const off = m.lo[1]! >>> 0;
  const mem = m.mem;
  const ref = mem.kindOf(id) === RegionKind.MAP_VALUE ? mem.ownerOf(id) : undefined;
  if (!(ref instanceof MapValueRef) || !ref.map.specialFields.some((f) => f.kind === 'spin_lock' && f.offset === off)) {
    throw m.fail('helper', `${helper} r1 (lock): not the bpf_spin_lock field of a map value: ${regAddr(m, 1)}`);
  }
  m.argRegionChecked(1, `${helper} r1 (lock)`);
  return { region: id, off };
}

function spinLock(m: Machine): void {
  const H = 'bpf_spin_lock';
  const { region, off } = lockArg(m, H);
  const held = m.runState.get(HELD) as Held | undefined;
  if (held !== undefined) throw m.fail('invalid', `${H}: this program already holds the lock taken at pc ${held.pc}; only one lock may be held at a time`);
  const dv = m.mem.view(region);
  if (dv.getUint32(off, true) !== 0) throw m.fail('invalid', `${H}: the lock at ${regAddr(m, 1)} is already taken: deadlock`);
  dv.setUint32(off, 1, true);
  m.runState.set(HELD, { region, off, pc: m.pc } satisfies Held);
}

function spinUnlock(m: Machine): void {
  const H = 'bpf_spin_unlock';
  const { region, off } = lockArg(m, H);
  const held = m.runState.get(HELD) as Held | undefined;
  if (held === undefined) throw m.fail('invalid', `${H}: no lock is held`);
  if (held.region !== region || held.off !== off) throw m.fail('invalid', `${H}: unlocking a different lock than the one taken at pc ${held.pc}`);
  m.mem.view(region).setUint32(off, 0, true);
  m.runState.delete(HELD);
}

/** Release a lock left held at the end of a run and report it (the verifier's "bpf_spin_unlock is missing"). */
export function lockRunEnd(m: Machine, fault: Fault | null): Fault | null {
  const held = m.runState.get(HELD) as Held | undefined;
  if (held === undefined) return fault;
  m.runState.delete(HELD);
  if (m.mem.isMapped(held.region)) m.mem.view(held.region).setUint32(held.off, 0, true);
  return fault ?? new Fault('invalid', held.pc, `the bpf_spin_lock taken at pc ${held.pc} is still held when the program exits`, { program: m.prog?.name ?? '?' });
}

/** Wrap a helper so that calling it while a bpf_spin_lock is held faults (helpers other than unlock). */
export function guardLockedCalls(name: string, fn: HelperFn): HelperFn {
  return (m) => {
    if (m.runState.size !== 0) {
      const held = m.runState.get(HELD) as Held | undefined;
      if (held !== undefined) throw m.fail('invalid', `bpf_${name} called while holding the bpf_spin_lock taken at pc ${held.pc}; only bpf_spin_unlock is allowed`);
    }
    fn(m);
  };
}

/** Register the end-of-run check. */
export function installLockChecks(host: HelperHost): void {
  host.onRunStateEnd(lockRunEnd);
}


/** bpf_spin_lock_proto / bpf_spin_unlock_proto (kernel/bpf/helpers.c): RET_VOID, ARG_PTR_TO_SPIN_LOCK. */
const LOCK_PROTO: HelperProto = { ret: 'void', args: [{ kind: 'spin_lock' }] };

/**
 * The spin lock family, offered to every program type (bpf_base_func_proto, as 6.18 answers);
 * socket filters and the tracing types are refused the maps holding a lock instead, at map use
 * (check_map_prog_compatibility in src/kernel/syscall/cmd-prog.ts).
 */
export function lockHelpers(): HelperDef[] {
  const family = 'lock';
  return [
    { id: 93, name: 'spin_lock', fn: spinLock, proto: LOCK_PROTO, family },
    { id: 94, name: 'spin_unlock', fn: spinUnlock, proto: LOCK_PROTO, family },
  ];
}
