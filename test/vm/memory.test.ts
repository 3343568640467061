import { describe, expect, it } from 'vitest';
import { GENERATIONS, MAX_REGIONS, Memory, PERM_NONE, PERM_R, PERM_RW, PERM_W, RegionKind, SLOT_BITS, regionKindName, type SpecialRegion } from '../../src/vm/memory.js';

const opts = (perm = PERM_RW) => ({ kind: RegionKind.INPUT, perm, label: 'buf' });

describe('Memory regions', () => {
  it('never maps region 0 (NULL)', () => {
    const m = new Memory();
    expect(m.isMapped(0)).toBe(false);
    expect(m.check(0, 0, 1, PERM_R)).toBe('unmapped');
    expect(m.map(new Uint8Array(4), opts())).toBe(1);
    expect(m.slotRlen[0]).toBe(-1);
  });

  it('maps, counts and unmaps; a freed slot comes back under a new id', () => {
    const m = new Memory();
    const a = m.map(new Uint8Array(4), opts());
    const b = m.map(new Uint8Array(8), opts());
    expect([m.liveCount, m.size]).toEqual([2, 3]);
    m.unmap(a);
    expect(m.isMapped(a)).toBe(false);
    expect(m.check(a, 0, 1, PERM_R)).toBe('unmapped');
    expect(m.liveCount).toBe(1);
    const a2 = m.map(new Uint8Array(2), opts());
    // Same slot, next generation: the stale id stays unmapped.
    expect(a2).toBe(a + 2 ** SLOT_BITS);
    expect(Memory.slotOf(a2)).toBe(Memory.slotOf(a));
    expect([m.isMapped(a), m.isMapped(a2), m.bytes(a).length, m.bytes(a2).length]).toEqual([false, true, 0, 2]);
    expect(m.size).toBe(3);
    m.unmap(a2);
    m.unmap(a2); // double unmap is a no-op
    m.unmap(a); // a stale id does not unmap the slot's new region
    m.unmap(0);
    m.unmap(999);
    expect(m.liveCount).toBe(1);
    expect(m.isMapped(b)).toBe(true);
    expect(MAX_REGIONS).toBe(0x7fffffff);
  });

  it('never hands out an id twice: a slot out of generations is retired', () => {
    const m = new Memory();
    const seen = new Set<number>();
    let id = m.map(new Uint8Array(1), opts());
    seen.add(id);
    for (let i = 0; i < GENERATIONS + 10; i++) {
      m.unmap(id);
      id = m.map(new Uint8Array(1), opts());
      expect(seen.has(id)).toBe(false);
      expect(id).toBeGreaterThan(0);
      expect(id).toBeLessThanOrEqual(MAX_REGIONS);
      seen.add(id);
    }
    expect(m.retiredCount).toBe(1);
    expect(m.size).toBe(3);
  });

  it('checks bounds exactly, including negative offsets', () => {
    const m = new Memory();
    const id = m.map(new Uint8Array(16), opts());
    expect(m.check(id, 15, 1, PERM_R)).toBeNull();
    expect(m.check(id, 16, 1, PERM_R)).toBe('out_of_bounds');
    expect(m.check(id, 8, 8, PERM_W)).toBeNull();
    expect(m.check(id, 9, 8, PERM_W)).toBe('out_of_bounds');
    expect(m.check(id, -1, 1, PERM_R)).toBe('out_of_bounds');
  });

  it('checks permissions and keeps the fast-path lengths in step', () => {
    const m = new Memory();
    const id = m.map(new Uint8Array(8), opts(PERM_R));
    expect(m.check(id, 0, 1, PERM_W)).toBe('read_only');
    expect([m.slotRlen[Memory.slotOf(id)], m.slotWlen[Memory.slotOf(id)]]).toEqual([8, -1]);
    m.setPerm(id, PERM_RW);
    expect([m.slotRlen[Memory.slotOf(id)], m.slotWlen[Memory.slotOf(id)]]).toEqual([8, 8]);
    m.setPerm(id, PERM_W);
    expect(m.check(id, 0, 1, PERM_R)).toBe('not_readable');
    expect([m.slotRlen[Memory.slotOf(id)], m.slotWlen[Memory.slotOf(id)]]).toEqual([-1, 8]);
    m.setPerm(id, PERM_NONE);
    expect([m.slotRlen[Memory.slotOf(id)], m.slotWlen[Memory.slotOf(id)]]).toEqual([-1, -1]);
  });

  it('replaces bytes (packet adjustments) and refreshes lengths and views', () => {
    const m = new Memory();
    const id = m.map(new Uint8Array(4), opts());
    m.setBytes(id, Uint8Array.of(1, 2, 3, 4, 5, 6));
    expect(m.slotRlen[Memory.slotOf(id)]).toBe(6);
    expect(m.view(id).getUint16(4, true)).toBe(0x0605);
  });

  it('honours the byteOffset of a subarray', () => {
    const m = new Memory();
    const backing = Uint8Array.of(9, 9, 1, 2, 3, 4);
    const id = m.map(backing.subarray(2), opts());
    expect(m.view(id).getUint32(0, true)).toBe(0x04030201);
    expect(Array.from(m.read(id, 1, 2)!)).toEqual([2, 3]);
  });

  it('keeps special regions off the fast path and out of host reads', () => {
    const special: SpecialRegion = { load: () => true, store: () => true };
    const m = new Memory();
    const id = m.map(new Uint8Array(24), { ...opts(), kind: RegionKind.CTX, special });
    expect([m.slotRlen[Memory.slotOf(id)], m.slotWlen[Memory.slotOf(id)]]).toEqual([-1, -1]);
    expect(m.read(id, 0, 4)).toBeUndefined();
    expect(m.check(id, 0, 4, PERM_R)).toBeNull();
  });

  it('reads host-side only within bounds and permissions', () => {
    const m = new Memory();
    const id = m.map(Uint8Array.of(1, 2, 3), opts(PERM_W));
    expect(m.read(id, 0, 1)).toBeUndefined();
    m.setPerm(id, PERM_R);
    expect(m.read(id, 2, 2)).toBeUndefined();
    expect(Array.from(m.read(id, 0, 3)!)).toEqual([1, 2, 3]);
  });

  it('packs and splits guest pointers (region in the upper half)', () => {
    expect(Memory.pointer(5, 16)).toBe(0x0000000500000010n);
    expect(Memory.pointer(1, -1)).toBe(0x00000001ffffffffn);
    expect(Memory.split(0x0000000700000020n)).toEqual([7, 0x20]);
    expect(Memory.split(-1n)).toEqual([0xffffffff, 0xffffffff]);
  });

  it('describes regions for messages', () => {
    const m = new Memory();
    const id = m.map(new Uint8Array(12), { kind: RegionKind.STACK, perm: PERM_RW, label: 'frame 0' });
    expect(m.describe(id)).toBe(`stack region ${id} 'frame 0' (12 bytes)`);
    expect(m.describe(42)).toBe('unmapped region 42');
    expect(regionKindName(RegionKind.MAP_VALUE)).toBe('map_value');
    expect(regionKindName(99)).toBe('kind99');
  });
});
