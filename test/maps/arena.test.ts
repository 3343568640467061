/**
 * BPF_MAP_TYPE_ARENA (maps/arena.ts): create checks, the syscall side, the user-space mapping and the
 * page allocator the kfuncs use. Expectations come from reading the 6.18 sources (kernel/bpf/arena.c),
 * not from this kernel: it refuses every arena create with EPERM, which the live test records.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ArenaMap, ArenaMapping } from '../../src/maps/arena.js';
import { MapError } from '../../src/maps/errors.js';
import { createMap } from '../../src/maps/registry.js';
import type { MapAttr } from '../../src/maps/types.js';
import { BPF_F, BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { ERRNO } from '../../src/util/errno.js';
import { liveProbeGate, runLiveProbe } from './live/probe.js';
import { mk, testEnv } from './env.js';

const { EINVAL, E2BIG, ERANGE, EOPNOTSUPP, EBUSY } = ERRNO;
const PAGE = 4096;
const A: MapAttr = { type: BPF_MAP_TYPE.ARENA, keySize: 0, valueSize: 0, maxEntries: 16, flags: BPF_F.MMAPABLE, name: 'arena' };

describe('arena_map_alloc (6.18 sources)', () => {
  const cases: [string, Partial<MapAttr>, number | 'ok'][] = [
    ['16 pages, mmapable', {}, 'ok'],
    ['BPF_F_SEGV_ON_FAULT', { flags: BPF_F.MMAPABLE | BPF_F.SEGV_ON_FAULT }, 'ok'],
    ['BPF_F_NO_USER_CONV', { flags: BPF_F.MMAPABLE | BPF_F.NO_USER_CONV }, 'ok'],
    ['no BPF_F_MMAPABLE', { flags: 0 }, -EINVAL],
    ['BPF_F_NO_PREALLOC', { flags: BPF_F.MMAPABLE | BPF_F.NO_PREALLOC }, -EINVAL],
    ['BPF_F_RDONLY_PROG', { flags: BPF_F.MMAPABLE | BPF_F.RDONLY_PROG }, -EINVAL],
    ['BPF_F_RDONLY (map_flags as given)', { flags: BPF_F.MMAPABLE | BPF_F.RDONLY }, -EINVAL],
    ['key_size 4', { keySize: 4 }, -EINVAL],
    ['value_size 8', { valueSize: 8 }, -EINVAL],
    ['max_entries 0', { maxEntries: 0 }, -EINVAL],
    ['map_extra 1 << 32', { mapExtra: 1n << 32n }, 'ok'],
    ['map_extra not page aligned', { mapExtra: (1n << 32n) + 8n }, -EINVAL],
    ['4 GiB exactly (2^20 pages)', { maxEntries: 1 << 20 }, 'ok'],
    ['4 GiB + 1 page', { maxEntries: (1 << 20) + 1 }, -E2BIG],
    ['map_extra range crossing 4 GiB', { mapExtra: (1n << 32n) - 4096n, maxEntries: 2 }, -ERANGE],
    ['map_extra range ending at 4 GiB', { mapExtra: (1n << 32n) - 8192n, maxEntries: 2 }, 'ok'],
  ];
  for (const [what, attr, want] of cases) {
    it(`${what}: ${want === 'ok' ? 'created' : `-${-want}`}`, () => {
      const m = createMap({ ...A, ...attr }, testEnv());
      if (want === 'ok') expect(m).toBeInstanceOf(ArenaMap);
      else expect(m).toBe(want);
    });
  }
});

describe('syscall side', () => {
  it('lookup EINVAL, update/delete/get_next_key EOPNOTSUPP, a key EINVAL (key_size 0)', () => {
    const m = mk<ArenaMap>(testEnv(), A);
    const none = new Uint8Array(0);
    expect(m.lookup(null, none)).toBe(-EINVAL);
    expect(m.update(null, none)).toBe(-EOPNOTSUPP);
    expect(m.delete(null)).toBe(-EOPNOTSUPP);
    expect(m.getNextKey(null, none)).toBe(-EOPNOTSUPP);
    expect(m.delete(new Uint8Array(4))).toBe(-EINVAL);
  });
});

describe('user-space mapping', () => {
  it('the first mmap fixes user_vm_start: 4 GiB aligned, the whole arena', () => {
    const m = mk<ArenaMap>(testEnv(), A);
    expect(m.userVmStart).toBe(0n);
    const u = m.mmap() as ArenaMapping;
    expect(u).toBeInstanceOf(ArenaMapping);
    expect(u.start % (1n << 32n)).toBe(0n);
    expect(u.length).toBe(16 * PAGE);
    expect(m.userVmStart).toBe(u.start);
    expect(m.userVmEnd - m.userVmStart).toBe(BigInt(16 * PAGE));
    // a second process must map the same address and length
    expect(m.mmap(0n)).toBe(-EINVAL);
    expect(m.mmap(u.start, 8 * PAGE)).toBe(-EINVAL);
    expect(m.mmap(u.start, 32 * PAGE)).toBe(-E2BIG);
    expect(m.mmap(u.start)).toBeInstanceOf(ArenaMapping);
    expect(m.mmap(u.start, 16 * PAGE, 1)).toBe(-EINVAL);
  });

  it('map_extra: only that address, only the whole length', () => {
    const start = 0x7f00_0000_0000n;
    const m = mk<ArenaMap>(testEnv(), { ...A, mapExtra: start });
    expect(m.userVmStart).toBe(start);
    expect(m.mmap(start + 4096n)).toBe(-EINVAL);
    expect((m.mmap(start) as ArenaMapping).start).toBe(start);
  });

  it('user pages are allocated on first touch and shared with the kfunc allocator', () => {
    const m = mk<ArenaMap>(testEnv(), A);
    const u = m.mmap() as ArenaMapping;
    expect(m.populatedPages).toBe(0);
    expect(u.readU64(u.start + 8n)).toBe(0n); // a read faults the page in (zeroed)
    expect(m.populatedPages).toBe(1);
    u.write(u.start + 4096n * 3n + 4094n, new Uint8Array([1, 2, 3, 4])); // across pages 3 and 4
    expect(m.populatedPages).toBe(3);
    expect([...u.read(u.start + 4096n * 3n + 4094n, 4)]).toEqual([1, 2, 3, 4]);
    // the allocator skips the pages user space took: pages 0, 3, 4 are out of the range tree
    expect(m.allocPages(0n, 2)).toBe(u.start + 4096n);
    expect(m.allocPages(0n, 1)).toBe(u.start + 5n * 4096n);
    expect(() => u.read(u.start - 1n, 1)).toThrow(MapError);
    expect(() => u.read(u.start + BigInt(16 * PAGE), 1)).toThrow(MapError);
  });

  it('BPF_F_SEGV_ON_FAULT: untouched pages fault in user space, allocated ones are shared', () => {
    const m = mk<ArenaMap>(testEnv(), { ...A, flags: BPF_F.MMAPABLE | BPF_F.SEGV_ON_FAULT });
    const u = m.mmap() as ArenaMapping;
    let code = '';
    try {
      u.readU32(u.start);
    } catch (e) {
      code = (e as MapError).code;
    }
    expect(code).toBe('MAP_SEGV');
    const p = m.allocPages(0n, 1);
    m.page(Number(p & 0xffff_ffffn) >> 12)![12] = 0x5a;
    expect(u.read(p + 12n, 1)[0]).toBe(0x5a);
  });
});

describe('page allocator (arena_alloc_pages / arena_free_pages / arena_reserve_pages)', () => {
  const arena = (): { m: ArenaMap; s: bigint } => {
    const m = mk<ArenaMap>(testEnv(), { ...A, mapExtra: 0x1_0000_0000n });
    return { m, s: 0x1_0000_0000n };
  };
  it('first fit from the lowest page, a fixed address, NULL past the end or on overlap', () => {
    const { m, s } = arena();
    expect(m.allocPages(0n, 3)).toBe(s);
    expect(m.allocPages(0n, 1)).toBe(s + 3n * 4096n);
    expect(m.allocPages(s + 8n * 4096n, 2)).toBe(s + 8n * 4096n);
    expect(m.allocPages(s + 8n * 4096n, 1)).toBe(0n); // taken
    expect(m.allocPages(s + 9n * 4096n + 16n, 1)).toBe(0n); // not page aligned
    expect(m.allocPages(s + 15n * 4096n, 2)).toBe(0n); // outside the VMA
    expect(m.allocPages(0n, 17)).toBe(0n); // more than the arena
    expect(m.allocPages(0n, 5)).toBe(s + 10n * 4096n); // free runs are 4..7 and 10..15: the first of 5 pages is 10
    expect(m.allocPages(0n, 5)).toBe(0n); // left: 4..7 and 15
  });
  it('frees back into the range tree; freed pages read as faults for programs', () => {
    const { m, s } = arena();
    const p = m.allocPages(0n, 4);
    expect(m.page(Number(p & 0xffff_ffffn) >> 12)).toBeDefined();
    m.freePages(p + 4096n, 2); // pages 1 and 2
    expect(m.page(Number(((p + 4096n) & 0xffff_ffffn) >> 12n))).toBeUndefined();
    expect(m.populatedPages).toBe(2);
    expect(m.allocPages(0n, 2)).toBe(s + 4096n);
    m.freePages(s + 100n * 4096n, 1); // beyond user_vm_end: nothing
    expect(m.populatedPages).toBe(4);
  });
  it('freeing pages nobody allocated changes nothing but the free set; a NULL-page free is a no-op', () => {
    const { m, s } = arena();
    expect(m.allocPages(0n, 1)).toBe(s);
    m.freePages(s + 5n * 4096n, 3); // pages 5..7 were never allocated
    expect(m.populatedPages).toBe(1);
    expect(m.allocPages(0n, 1)).toBe(s + 4096n);
    // the low 32 bits select the page: the same offset under another upper half frees page 0
    m.freePages(0x7_0000_0000n + (s & 0xffff_ffffn), 1);
    expect(m.populatedPages).toBe(1);
    expect(m.allocPages(0n, 1)).toBe(s);
  });
  it('reserve: EBUSY on allocated pages, EINVAL past the end, blocks later allocations', () => {
    const { m, s } = arena();
    m.allocPages(0n, 1);
    expect(m.reservePages(s, 1)).toBe(-EBUSY);
    expect(m.reservePages(s + 15n * 4096n, 2)).toBe(-EINVAL);
    expect(m.reservePages(s + 4096n, 2)).toBe(0);
    expect(m.allocPages(s + 4096n, 1)).toBe(0n);
    expect(m.allocPages(0n, 1)).toBe(s + 3n * 4096n);
    m.freePages(s + 4096n, 2); // free un-reserves
    expect(m.allocPages(0n, 2)).toBe(s + 4096n);
  });
});

interface Golden {
  readonly release: string;
  readonly results: Readonly<Record<string, number>>;
}
const GOLDEN = JSON.parse(readFileSync(new URL('./goldens/arena.json', import.meta.url), 'utf8')) as Golden;
const { live, why } = liveProbeGate(GOLDEN.release);

describe(`live kernel (${live ? `Linux ${GOLDEN.release}` : `SKIPPED: ${why}`})`, () => {
  it('the golden records this kernel refusing every arena create with EPERM', () => {
    expect(Object.values(GOLDEN.results).every((e) => e === ERRNO.EPERM)).toBe(true);
  });
  it.skipIf(!live)('the kernel still refuses arenas (a kernel that allows them must be recorded again)', () => {
    expect(runLiveProbe('arena.c', [[]])[0]).toEqual(GOLDEN.results);
  });
});
