/** The built-in helper set, assembled from the helper families, and the services they need. */
import type { HelperFn } from '../vm/machine.js';
import type { BpfMap } from '../maps/map.js';
import type { HelperHost } from './host.js';
import { identityHelpers } from './identity.js';
import { cgroupHelpers } from './cgroup.js';
import { userRingbufHelpers } from './user-ringbuf.js';
import { findVmaHelpers } from './find-vma.js';
import { localStorageHelpers } from './local-storage.js';
import { guardLockedCalls, installLockChecks, lockHelpers } from './lock.js';
import { loopHelpers } from './loop.js';
import { mapHelpers } from './maps.js';
import { packetHelpers } from './packet.js';
import { perfHelpers } from './perf.js';
import { printHelpers } from './print.js';
import { probeHelpers } from './probe.js';
import type { HelperDef } from './registry.js';
import { installRingbufChecks, ringbufHelpers } from './ringbuf.js';
import { dynptrHelpers, installDynptrChecks } from './dynptr.js';
import { seqHelpers } from './seq.js';
import { sockoptHelpers } from './sockopt.js';
import { sockHelpers } from './sock.js';
import { fibHelpers } from './fib.js';
import { skbRoomHelpers } from './skb-room.js';
import { sockmapHelpers } from './sockmap.js';
import { stringHelpers } from './string.js';
import { helperSpec } from './table.js';
import { sysctlHelpers } from './sysctl.js';
import { tailCallHelpers } from './tailcall.js';
import { timeHelpers } from './time.js';
import { tracingHelpers } from './tracing.js';
import { dPathHelpers } from './d-path.js';
import { overrideHelpers } from './override.js';
import { skAssignHelpers } from './sk-assign.js';
import { installTimers, timerHelpers } from './timers.js';

/** BPF_FUNC_spin_unlock: the one helper a program may call while holding a bpf_spin_lock. */
const SPIN_UNLOCK = 94;

/** A helper that faults when the calling program is not sleepable (bpf_func_proto.might_sleep). */
function sleepableOnly(name: string, fn: HelperFn): HelperFn {
  return (m) => {
    const owner = m.prog?.owner as { sleepable?: unknown } | undefined;
    if (owner?.sleepable === false) throw m.fail('helper', `bpf_${name} might sleep and the program is not sleepable (load it with BPF_F_SLEEPABLE)`);
    fn(m);
  };
}

/** The checks every built-in helper gets: might-sleep, no calls under a spin lock, default argument kinds. */
function finish(def: HelperDef, family: string): HelperDef {
  const wrap = (f: HelperFn): HelperFn => {
    let fn = f;
    if (def.mightSleep === true) fn = sleepableOnly(def.name, fn);
    if (def.id !== SPIN_UNLOCK) fn = guardLockedCalls(def.name, fn);
    return fn;
  };
  const fn = wrap(def.fn);
  // A call site's faster form gets the same checks around it.
  const inner = def.forMap;
  const forMap = inner === undefined ? {} : { forMap: (map: BpfMap) => { const f = inner(map); return f === null ? null : wrap(f); } };
  const args = def.args ?? helperSpec(def.id)?.args;
  return { ...def, fn, ...forMap, family: def.family ?? family, ...(args !== undefined ? { args } : {}) };
}

/** Every built-in helper implementation. */
export function builtinHelpers(): HelperDef[] {
  return [
    ...mapHelpers(),
    ...tailCallHelpers(),
    ...timeHelpers(),
    ...identityHelpers(),
    ...printHelpers(),
    ...probeHelpers(),
    ...ringbufHelpers(),
    ...dynptrHelpers(),
    ...perfHelpers(),
    ...lockHelpers(),
    ...loopHelpers(),
    ...stringHelpers(),
    ...timerHelpers(),
    ...seqHelpers(),
    ...sockoptHelpers(),
    ...sockHelpers(),
    ...fibHelpers(),
    ...skbRoomHelpers(),
    ...sockmapHelpers(),
    ...sysctlHelpers(),
    ...localStorageHelpers(),
    ...cgroupHelpers(),
    ...userRingbufHelpers(),
    ...findVmaHelpers(),
    ...tracingHelpers(),
    ...dPathHelpers(),
    ...overrideHelpers(),
    ...skAssignHelpers(),
  ]
    .map((d) => finish(d, 'other'))
    .concat(packetHelpers().map((d) => finish(d, 'packet')));
}

/** Services the helpers need in a new kernel: timers, and the end-of-run checks of locks and ring buffers. */
export function installHelperServices(host: HelperHost): void {
  installTimers(host);
  installLockChecks(host);
  installRingbufChecks(host);
  installDynptrChecks(host);
}
