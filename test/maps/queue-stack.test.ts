import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { createMap } from '../../src/maps/registry.js';
import type { BpfMap } from '../../src/maps/map.js';
import type { MapAttr } from '../../src/maps/types.js';
import { BPF_EXIST, BPF_F, BPF_MAP_TYPE, BPF_NOEXIST } from '../../src/maps/uapi.js';
import { getU32, mk, testEnv, u32 } from './env.js';

const { EINVAL, E2BIG, ENOENT, ENOTSUPP } = ERRNO;

const Q: MapAttr = { type: BPF_MAP_TYPE.QUEUE, keySize: 0, valueSize: 4, maxEntries: 3, name: 'queue' };
const S: MapAttr = { ...Q, type: BPF_MAP_TYPE.STACK, name: 'stack' };

/** The maps_queue_stack.bpf.c sequence, returning popped values or negative errnos. */
function fixtureSequence(m: BpfMap): number[] {
  const out = new Uint8Array(4);
  const pop = (): number => {
    const r = m.popFromProg(out, 0, 0);
    return r === 0 ? getU32(out) : r;
  };
  const peek = (): number => {
    const r = m.peekFromProg(out, 0, 0);
    return r === 0 ? getU32(out) : r;
  };
  return [
    m.pushFromProg(u32(1), 0, 0, 0),
    m.pushFromProg(u32(2), 0, 0, 0),
    m.pushFromProg(u32(3), 0, 0, 0),
    m.pushFromProg(u32(4), 0, 0, 0),
    m.pushFromProg(u32(5), 0, BPF_EXIST, 0),
    peek(),
    pop(),
    pop(),
    pop(),
    pop(),
    peek(),
    m.pushFromProg(u32(6), 0, 4, 0),
  ];
}

describe('queue_stack_map_alloc_check', () => {
  it('needs key_size 0, a value, entries and known flags', () => {
    const env = testEnv();
    expect(typeof createMap(Q, env)).toBe('object');
    expect(createMap({ ...Q, keySize: 4 }, env)).toBe(-EINVAL);
    expect(createMap({ ...Q, valueSize: 0 }, env)).toBe(-EINVAL);
    expect(createMap({ ...Q, maxEntries: 0 }, env)).toBe(-EINVAL);
    expect(createMap({ ...Q, flags: BPF_F.NO_PREALLOC }, env)).toBe(-EINVAL);
    expect(createMap({ ...Q, flags: BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG }, env)).toBe(-EINVAL);
    expect(createMap({ ...Q, valueSize: (1 << 22) + 1 }, env)).toBe(-E2BIG);
  });
});

describe('QUEUE and STACK from programs (maps_queue_stack.bpf.c)', () => {
  it('queue: FIFO, BPF_EXIST drops the oldest when full', () => {
    expect(fixtureSequence(mk(testEnv(), Q))).toEqual([0, 0, 0, -E2BIG, 0, 2, 2, 3, 5, -ENOENT, -ENOENT, -EINVAL]);
  });

  it('stack: LIFO, BPF_EXIST drops the bottom (oldest) when full', () => {
    expect(fixtureSequence(mk(testEnv(), S))).toEqual([0, 0, 0, -E2BIG, 0, 5, 5, 3, 2, -ENOENT, -ENOENT, -EINVAL]);
  });

  it('zeroes the value on an empty pop or peek', () => {
    const m = mk(testEnv(), Q);
    const out = Uint8Array.of(9, 9, 9, 9, 9);
    expect(m.popFromProg(out, 1, 0)).toBe(-ENOENT);
    expect([...out]).toEqual([9, 0, 0, 0, 0]);
  });

  it('rejects BPF_NOEXIST on push', () => {
    const m = mk(testEnv(), Q);
    expect(m.pushFromProg(u32(1), 0, BPF_NOEXIST, 0)).toBe(-EINVAL);
    expect(m.pushFromProg(u32(1), 0, BPF_NOEXIST | BPF_EXIST, 0)).toBe(-EINVAL);
  });

  it('has no keyed operations for programs', () => {
    const m = mk(testEnv(), Q);
    expect(m.lookupPtr(new Uint8Array(0), 0, 0)).toBe(0);
    expect([...m.progOps].sort()).toEqual(['peek', 'pop', 'push']);
  });

  it('wraps around the ring many times', () => {
    const m = mk(testEnv(), { ...Q, maxEntries: 2 });
    const out = new Uint8Array(4);
    for (let i = 0; i < 50; i++) {
      expect(m.pushFromProg(u32(i), 0, 0, 0)).toBe(0);
      expect(m.popFromProg(out, 0, 0)).toBe(0);
      expect(getU32(out)).toBe(i);
    }
  });
});

describe('QUEUE and STACK from user space', () => {
  it('pushes with update(NULL), peeks with lookup(NULL), pops with lookupAndDelete(NULL)', () => {
    const m = mk(testEnv(), Q);
    expect(m.update(null, u32(7))).toBe(0);
    expect(m.update(null, u32(8), BPF_EXIST)).toBe(0);
    const v = new Uint8Array(4);
    expect(m.lookup(null, v)).toBe(0);
    expect(getU32(v)).toBe(7);
    expect(m.lookupAndDelete(null, v)).toBe(0);
    expect(getU32(v)).toBe(7);
    expect([...m.entries()].map(([, val]) => getU32(val))).toEqual([8]);
    expect(m.lookupAndDelete(null, v)).toBe(0);
    expect(m.lookupAndDelete(null, v)).toBe(-ENOENT);
    expect(m.lookup(null, v)).toBe(-ENOENT);
  });

  it('refuses delete and get_next_key (EINVAL), lookup_and_delete flags (EINVAL), batches (ENOTSUPP)', () => {
    const m = mk(testEnv(), S);
    expect(m.delete(null)).toBe(-EINVAL);
    expect(m.getNextKey(null, new Uint8Array(0))).toBe(-EINVAL);
    expect(m.lookupAndDelete(null, new Uint8Array(4), 4)).toBe(-EINVAL);
    expect(m.update(null, u32(1), BPF_NOEXIST)).toBe(-EINVAL);
    expect(m.lookupBatch(null, new Uint8Array(0), new Uint8Array(4), 1).err).toBe(-ENOTSUPP);
  });

  it('lists stack values in pop order', () => {
    const m = mk(testEnv(), S);
    for (const v of [1, 2, 3]) m.update(null, u32(v));
    expect([...m.entries()].map(([, val]) => getU32(val))).toEqual([3, 2, 1]);
  });
});
