import { describe, expect, it } from 'vitest';
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_F,
  BPF_F_ACCESS_MASK,
  BPF_F_CURRENT_CPU,
  BPF_F_LOCK,
  BPF_MAP_TYPE,
  BPF_NOEXIST,
  BPF_RINGBUF_BUSY_BIT,
  BPF_RINGBUF_DISCARD_BIT,
  MAP_TYPES,
  mapFlagsAccessOk,
  mapTypeByName,
  mapTypeName,
} from '../../src/maps/uapi.js';

describe('map type table (include/uapi/linux/bpf.h enum bpf_map_type)', () => {
  it('is dense from 0 to ARENA = 33, indexed by number', () => {
    expect(MAP_TYPES).toHaveLength(34);
    MAP_TYPES.forEach((t, i) => expect(t.id).toBe(i));
    expect(BPF_MAP_TYPE.ARENA).toBe(33);
  });

  it('has the uapi numbers of well-known types', () => {
    expect([BPF_MAP_TYPE.HASH, BPF_MAP_TYPE.ARRAY, BPF_MAP_TYPE.PROG_ARRAY, BPF_MAP_TYPE.LRU_HASH, BPF_MAP_TYPE.LPM_TRIE]).toEqual([1, 2, 3, 9, 11]);
    expect([BPF_MAP_TYPE.QUEUE, BPF_MAP_TYPE.STACK, BPF_MAP_TYPE.RINGBUF, BPF_MAP_TYPE.BLOOM_FILTER, BPF_MAP_TYPE.CGRP_STORAGE]).toEqual([22, 23, 27, 30, 32]);
  });

  it('names types as bpftool prints them', () => {
    expect(mapTypeName(BPF_MAP_TYPE.LRU_PERCPU_HASH)).toBe('lru_percpu_hash');
    expect(mapTypeName(19)).toBe('cgroup_storage');
    expect(mapTypeName(21)).toBe('percpu_cgroup_storage');
    expect(mapTypeName(99)).toBe('type99');
    expect(mapTypeByName('bloom_filter')).toBe(30);
    expect(mapTypeByName('nope')).toBeUndefined();
    expect(new Set(MAP_TYPES.map((t) => t.name)).size).toBe(MAP_TYPES.length);
  });
});

describe('flags', () => {
  it('has the creation flag bits', () => {
    expect(BPF_F.NO_PREALLOC).toBe(1);
    expect(BPF_F.RDONLY_PROG).toBe(128);
    expect(BPF_F.MMAPABLE).toBe(1024);
    expect(BPF_F.INNER_MAP).toBe(4096);
    expect(BPF_F.TOKEN_FD).toBe(65536);
    expect(BPF_F.SEGV_ON_FAULT).toBe(1 << 17);
    expect(BPF_F.NO_USER_CONV).toBe(1 << 18);
    expect(BPF_F_ACCESS_MASK).toBe(8 | 16 | 128 | 256);
  });

  it('has the update flags', () => {
    expect([BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK]).toEqual([0, 1, 2, 4]);
  });

  it('rejects RDONLY_PROG together with WRONLY_PROG (bpf_map_flags_access_ok)', () => {
    expect(mapFlagsAccessOk(BPF_F.RDONLY_PROG)).toBe(true);
    expect(mapFlagsAccessOk(BPF_F.WRONLY_PROG | BPF_F.RDONLY)).toBe(true);
    expect(mapFlagsAccessOk(BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG)).toBe(false);
  });

  it('has the ring buffer header bits and the perf current-cpu index', () => {
    expect(BPF_RINGBUF_BUSY_BIT).toBe(2 ** 31);
    expect(BPF_RINGBUF_DISCARD_BIT).toBe(2 ** 30);
    expect(BPF_F_CURRENT_CPU).toBe(0xffffffff);
  });
});
