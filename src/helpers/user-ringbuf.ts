/**
 * bpf_user_ringbuf_drain (209, kernel/bpf/ringbuf.c) over USER_RINGBUF maps (maps/user-ringbuf.ts).
 *
 * drain(map, callback, ctx, flags): flags other than BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP give
 * -EINVAL, a drain of a map already being drained -EBUSY. Then, up to BPF_MAX_USER_RINGBUF_SAMPLES
 * times: the next sample is handed to `callback(dynptr, ctx)` as a LOCAL dynptr over its bytes, and
 * the consumer moves past it; a reserved (not yet submitted) sample stops the drain, a discarded one
 * is skipped; a callback returning 1 stops it. The result is the number of samples looked at minus
 * the discarded ones (the kernel's `samples - discarded_samples`: the sample whose callback stopped
 * the drain counts), or -E2BIG for a sample too large for a dynptr.
 *
 * The dynptr is the kernel's struct bpf_dynptr_kern (16 bytes: data pointer, u32 size with the type
 * in bits 28-30, u32 offset) in a read-only region of its own, the sample's bytes in another; both
 * are reachable by the run during the callback only.
 *
 * Verifier: the callback is verified as a frame entered from the call (r2 = the ctx argument); its
 * r1 is modelled as 16 read-only bytes, not yet as the kernel's CONST_PTR_TO_DYNPTR, so a callback
 * that passes the dynptr to the dynptr helpers is refused by the emulator's verifier while 6.18
 * accepts it (load such programs with `verify: false` until the verifier models it).
 */
import { UserRingbufMap } from '../maps/user-ringbuf.js';
import { BPF_RB_FORCE_WAKEUP, BPF_RB_NO_WAKEUP, mapTypeName } from '../maps/uapi.js';
import { ERRNO } from '../util/errno.js';
import type { Machine } from '../vm/machine.js';
import { Memory, PERM_R, PERM_RW, RegionKind } from '../vm/memory.js';
import { callbackArg, flagsArg, mapArg, stackOrNullArg } from './args.js';
import { callBoolCallback } from './loop.js';
import type { HelperDef, HelperProto } from './registry.js';

/** kernel/bpf/ringbuf.c BPF_MAX_USER_RINGBUF_SAMPLES. */
export const BPF_MAX_USER_RINGBUF_SAMPLES = 128 * 1024;
/** enum bpf_dynptr_type BPF_DYNPTR_TYPE_LOCAL, and its shift in the size word. */
const DYNPTR_TYPE_LOCAL = 1;
const DYNPTR_TYPE_SHIFT = 28;

function userRingbufDrain(m: Machine): void {
  const H = 'bpf_user_ringbuf_drain';
  const map = mapArg(m, 1, H);
  if (!(map instanceof UserRingbufMap)) {
    throw m.fail('helper', `${H}: map '${map.name || map.id}' of type ${mapTypeName(map.type)} cannot be used with this helper (the verifier rejects the program)`);
  }
  const cb = callbackArg(m, 2, H);
  stackOrNullArg(m, 3, H, 'callback ctx');
  const ctx = m.argU64(3);
  const flags = flagsArg(m, 4);
  if (flags < 0 || (flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) !== 0) {
    m.setR0Num(-ERRNO.EINVAL);
    return;
  }
  if (map.draining) {
    m.setR0Num(-ERRNO.EBUSY);
    return;
  }
  const mem = m.mem;
  map.draining = true;
  try {
    let samples = 0;
    let discarded = 0;
    let stop = false;
    for (; samples < BPF_MAX_USER_RINGBUF_SAMPLES && !stop; samples++) {
      const s = map.peek();
      if (s === -ERRNO.ENODATA) break;
      if (s === -ERRNO.EAGAIN) {
        discarded++;
        continue;
      }
      if (typeof s === 'number') {
        m.setR0Num(s);
        return;
      }
      const data = mem.map(s.data, { kind: RegionKind.OTHER, perm: PERM_RW, label: `user ringbuf sample of ${map.name || map.id}` });
      const dyn = new Uint8Array(16);
      const dv = new DataView(dyn.buffer);
      dv.setBigUint64(0, Memory.pointer(data, 0), true);
      dv.setUint32(8, (s.data.length | (DYNPTR_TYPE_LOCAL << DYNPTR_TYPE_SHIFT)) >>> 0, true);
      const dynRegion = mem.map(dyn, { kind: RegionKind.OTHER, perm: PERM_R, label: `${H} dynptr` });
      m.grant(data);
      m.grant(dynRegion);
      try {
        stop = callBoolCallback(m, cb, [Memory.pointer(dynRegion, 0), ctx, 0n, 0n, 0n], H);
      } finally {
        mem.unmap(dynRegion);
        mem.unmap(data);
      }
      map.consume(s);
    }
    m.setR0Num(samples - discarded);
  } finally {
    map.draining = false;
  }
}

/** bpf_user_ringbuf_drain_proto: the callback returns 0 (go on) or 1 (stop). */
export const USER_RINGBUF_DRAIN_PROTO: HelperProto = {
  ret: 'integer',
  args: [{ kind: 'map' }, { kind: 'func' }, { kind: 'stack_or_null' }, { kind: 'anything' }],
  callback: { arg: 1, retRange: [0, 1] },
};

/** The user ring buffer helper family (every program type, as measured on 6.18). */
export function userRingbufHelpers(): HelperDef[] {
  return [{ id: 209, name: 'user_ringbuf_drain', fn: userRingbufDrain, proto: USER_RINGBUF_DRAIN_PROTO, family: 'ringbuf' }];
}
