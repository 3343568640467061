/**
 * Local-storage maps (maps/local-storage.ts) against Linux 6.18 (goldens/local-storage.json, recorded
 * by live/local-storage.c): create-time checks and errnos, the syscall side keyed by owner fds,
 * the owner registry's release API, and the maps_local_storage fixture (task storage helpers in a
 * syscall program, verified and run, then read back through a pidfd). As root on 6.18 the probe is
 * compiled and run again and must still print the golden.
 */
import { readFileSync } from 'node:fs';
import { fixturePath, liveProbeGate, runLiveProbe } from './live/probe.js';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { LOCAL_STORAGE_MAX_VALUE_SIZE, LocalStorageMap, OwnerFile, localStorageOf, ownerKey } from '../../src/maps/local-storage.js';
import { createMap } from '../../src/maps/registry.js';
import type { MapAttr } from '../../src/maps/types.js';
import { BPF_ANY, BPF_EXIST, BPF_F, BPF_F_LOCK, BPF_MAP_TYPE, BPF_NOEXIST } from '../../src/maps/uapi.js';
import { Memory, PERM_R, RegionKind } from '../../src/vm/memory.js';
import { mk, testEnv, u32, type TestEnv } from './env.js';

interface Golden {
  readonly release: string;
  readonly results: Readonly<Record<string, number>>;
  readonly fixture: { readonly err: number; readonly retval: number; readonly r: readonly number[]; readonly pidfd_lookup: number; readonly value: readonly number[] };
}
const GOLDEN = JSON.parse(readFileSync(new URL('./goldens/local-storage.json', import.meta.url), 'utf8')) as Golden;
const G = GOLDEN.results;

const TYPES = {
  sk_storage: BPF_MAP_TYPE.SK_STORAGE,
  inode_storage: BPF_MAP_TYPE.INODE_STORAGE,
  task_storage: BPF_MAP_TYPE.TASK_STORAGE,
  cgrp_storage: BPF_MAP_TYPE.CGRP_STORAGE,
} as const;
const OWNER_KIND = { sk_storage: 'sock', inode_storage: 'inode', task_storage: 'task', cgrp_storage: 'cgroup' } as const;

/** The probe's cases as MapAttr overrides (BTF ids: 1 = int key, 3 = the 8-byte value struct). */
const BASE = { keySize: 4, valueSize: 8, maxEntries: 0, flags: BPF_F.NO_PREALLOC, btfKeyTypeId: 1, btfValueTypeId: 3 };
const CREATE_CASES: Readonly<Record<string, Partial<MapAttr>>> = {
  ok: {},
  ok_clone: { flags: BPF_F.NO_PREALLOC | BPF_F.CLONE },
  ok_spin_lock: { specialFields: [{ kind: 'spin_lock', offset: 0, size: 4 }] },
  prealloc: { flags: 0 },
  max_entries_1: { maxEntries: 1 },
  key_size_8: { keySize: 8 },
  value_size_0: { valueSize: 0 },
  no_btf: { btfKeyTypeId: 0, btfValueTypeId: 0 },
  no_btf_key: { btfKeyTypeId: 0 },
  rdonly_prog: { flags: BPF_F.NO_PREALLOC | BPF_F.RDONLY_PROG },
  mmapable: { flags: BPF_F.NO_PREALLOC | BPF_F.MMAPABLE },
  rdonly: { flags: BPF_F.NO_PREALLOC | BPF_F.RDONLY },
  value_size_65536: { valueSize: 65536 },
};

function errnoOf(m: ReturnType<typeof createMap>): number {
  return typeof m === 'number' ? m : 0;
}

describe('local storage: BPF_MAP_CREATE (bpf_local_storage_map_alloc_check)', () => {
  for (const [tn, type] of Object.entries(TYPES)) {
    it(`${tn}: every recorded case gives 6.18's errno`, () => {
      const env = testEnv();
      for (const [name, over] of Object.entries(CREATE_CASES)) {
        const want = G[`${tn}/${name}`];
        expect(want, name).toBeDefined();
        expect([name, errnoOf(createMap({ type, ...BASE, ...over }, env))]).toEqual([name, want]);
      }
    });
  }

  it('the largest value size is 6.18s (65407 on x86-64); one more byte is E2BIG', () => {
    for (const tn of Object.keys(TYPES)) expect(G[`${tn}/max_value_size`]).toBe(LOCAL_STORAGE_MAX_VALUE_SIZE);
    const env = testEnv();
    expect(mk(env, { type: BPF_MAP_TYPE.TASK_STORAGE, ...BASE, valueSize: LOCAL_STORAGE_MAX_VALUE_SIZE })).toBeInstanceOf(LocalStorageMap);
    expect(createMap({ type: BPF_MAP_TYPE.TASK_STORAGE, ...BASE, valueSize: LOCAL_STORAGE_MAX_VALUE_SIZE + 1 }, env)).toBe(-7);
  });
});

/** An owner object: a shared kernel region, as the emulated kernel objects are. */
function ownerRegion(env: TestEnv, label: string): number {
  return env.mem.map(new Uint8Array(64), { kind: RegionKind.KERNEL, perm: PERM_R, label, shared: true });
}

describe('local storage: the syscall side, keyed by owner fds', () => {
  for (const [tn, type] of Object.entries(TYPES)) {
    it(`${tn}: lookup, update flags, delete, unsupported commands and wrong fds as on 6.18`, () => {
      const env = testEnv();
      const owner = ownerRegion(env, tn);
      const fd = env.fd(new OwnerFile(`${tn} owner`, OWNER_KIND[tn as keyof typeof OWNER_KIND], owner));
      // the probe's wrong fd: a regular file for sk/task/cgrp storage, a socket for inode storage
      const wrong = env.fd(tn === 'inode_storage' ? new OwnerFile('socket', 'sock', ownerRegion(env, 'sock')) : { kind: 'file', name: '/proc/self/status' });
      const m = mk<LocalStorageMap>(env, { type, ...BASE });
      const mapFd = env.fd(m);
      const v = new Uint8Array(8);
      const dv = new DataView(v.buffer);
      const val = (n: bigint): Uint8Array => {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setBigUint64(0, n, true);
        return b;
      };
      const got: Record<string, number> = {};
      got['op/lookup_empty'] = m.lookup(u32(fd), v);
      got['op/update_exist_empty'] = m.update(u32(fd), val(1n), BPF_EXIST);
      got['op/update_flags_3'] = m.update(u32(fd), val(1n), 3);
      got['op/update_f_lock'] = m.update(u32(fd), val(1n), BPF_F_LOCK);
      got['op/delete_empty'] = m.delete(u32(fd));
      got['op/update_any'] = m.update(u32(fd), val(0x1122334455667788n), BPF_ANY);
      got['op/lookup'] = m.lookup(u32(fd), v);
      got['op/lookup_value_ok'] = dv.getBigUint64(0, true) === 0x1122334455667788n ? 1 : 0;
      got['op/update_noexist'] = m.update(u32(fd), val(2n), BPF_NOEXIST);
      got['op/update_exist'] = m.update(u32(fd), val(3n), BPF_EXIST);
      m.lookup(u32(fd), v);
      got['op/lookup_value_3'] = dv.getBigUint64(0, true) === 3n ? 1 : 0;
      got['op/get_next_key_null'] = m.getNextKey(null, new Uint8Array(4));
      got['op/get_next_key'] = m.getNextKey(u32(fd), new Uint8Array(4));
      got['op/lookup_and_delete'] = m.lookupAndDelete(u32(fd), v);
      got['op/lookup_batch'] = m.lookupBatch(null, new Uint8Array(4), new Uint8Array(8), 1).err;
      got['op/lookup_fd_minus_1'] = m.lookup(u32(0xffffffff), v);
      got['op/lookup_fd_999'] = m.lookup(u32(999), v);
      got['op/update_fd_999'] = m.update(u32(999), val(1n));
      got['op/delete_fd_999'] = m.delete(u32(999));
      got['op/lookup_wrong_fd'] = m.lookup(u32(wrong), v);
      got['op/update_wrong_fd'] = m.update(u32(wrong), val(1n));
      got['op/delete_wrong_fd'] = m.delete(u32(wrong));
      got['op/lookup_map_fd'] = m.lookup(u32(mapFd), v);
      got['op/delete'] = m.delete(u32(fd));
      got['op/delete_again'] = m.delete(u32(fd));
      got['op/freeze'] = m.freeze();
      const want = Object.fromEntries(Object.keys(got).map((k) => [k, G[`${tn}/${k}`]]));
      expect(got).toEqual(want);
    });
  }

  it('a reaped task: its pidfd gives ENOENT for lookup, update and delete', () => {
    const env = testEnv();
    const task = ownerRegion(env, 'task');
    const fd = env.fd(new OwnerFile('pidfd', 'task', task));
    const m = mk<LocalStorageMap>(env, { type: BPF_MAP_TYPE.TASK_STORAGE, ...BASE });
    expect(m.update(u32(fd), new Uint8Array(8))).toBe(0);
    expect(localStorageOf(env).release(task)).toBe(1);
    const v = new Uint8Array(8);
    expect([m.lookup(u32(fd), v), m.update(u32(fd), v), m.delete(u32(fd))]).toEqual([G['task_storage/op/lookup_reaped'], G['task_storage/op/update_reaped'], G['task_storage/op/delete_reaped']]);
  });
});

describe('local storage: owners and their release API', () => {
  it('ownerKey accepts a pointer, a region id, a KObject-like { pointer } and { region }', () => {
    expect(ownerKey(Memory.pointer(7, 16))).toBe(7);
    expect(ownerKey(7)).toBe(7);
    expect(ownerKey({ pointer: Memory.pointer(9, 0) })).toBe(9);
    expect(ownerKey({ region: 11 })).toBe(11);
  });

  it('release drops the owner in every map of the kernel, and only that owner; a pointer taken before lives to the end of the run', () => {
    const env = testEnv();
    const a = ownerRegion(env, 'task a');
    const b = ownerRegion(env, 'task b');
    const m1 = mk<LocalStorageMap>(env, { type: BPF_MAP_TYPE.TASK_STORAGE, ...BASE });
    const m2 = mk<LocalStorageMap>(env, { type: BPF_MAP_TYPE.TASK_STORAGE, ...BASE, valueSize: 16 });
    const init = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const r1 = m1.getFromProg(a, true, init, 0);
    expect(r1).toBeGreaterThan(0);
    expect([...env.mem.bytes(r1)]).toEqual([...init]);
    expect(m2.getFromProg(a, true, null, 0)).toBeGreaterThan(0);
    expect(m1.getFromProg(b, true, null, 0)).toBeGreaterThan(0);
    const owners = localStorageOf(env);
    expect(owners.mapsOf(a)).toEqual([m1, m2]);
    expect(owners.release(Memory.pointer(a, 0))).toBe(2);
    expect([m1.size, m2.size, m1.hasOwner(b)]).toEqual([1, 0, true]);
    expect(owners.isReleased(a)).toBe(true);
    // RCU: retired, readable until the kernel drains it
    expect(env.retired).toContain(r1);
    expect([...env.mem.bytes(r1)]).toEqual([...init]);
    env.drain();
    expect(env.mem.isMapped(r1)).toBe(false);
    // a released owner gets no new storage; lookups without create still answer NULL
    expect(m1.getFromProg(a, true, null, 0)).toBe(0);
    expect(m1.getFromProg(a, false, null, 0)).toBe(0);
  });

  it('openFd installs an OwnerFile in a kernel-like fd table', () => {
    const env = testEnv();
    const installed: OwnerFile[] = [];
    const fds = { install: (e: OwnerFile): number => installed.push(e) + 2 };
    const fd = localStorageOf(env).openFd({ fds }, 'task', Memory.pointer(5, 0));
    expect(fd).toBe(3);
    expect(installed[0]).toMatchObject({ kind: 'file', name: 'pidfd:5', ownerKind: 'task', owner: 5 });
  });

  it('a replaced value is a new element; the old pointer keeps the old bytes (bpf_local_storage_update)', () => {
    const env = testEnv();
    const t = ownerRegion(env, 'task');
    const fd = env.fd(new OwnerFile('pidfd', 'task', t));
    const m = mk<LocalStorageMap>(env, { type: BPF_MAP_TYPE.TASK_STORAGE, ...BASE });
    const r = m.getFromProg(t, true, Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0), 0);
    expect(m.update(u32(fd), Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0), BPF_EXIST)).toBe(0);
    expect(env.mem.bytes(r)[0]).toBe(9);
    const r2 = m.getFromProg(t, false, null, 0);
    expect(r2).not.toBe(r);
    expect(env.mem.bytes(r2)[0]).toBe(1);
  });

  it('freeing the map retires its values and leaves the registry', () => {
    const env = testEnv();
    const t = ownerRegion(env, 'task');
    const m = mk<LocalStorageMap>(env, { type: BPF_MAP_TYPE.CGRP_STORAGE, ...BASE });
    const r = m.getFromProg(t, true, null, 0);
    m.free();
    expect(env.retired).toContain(r);
    expect(localStorageOf(env).mapsOf(t)).toEqual([]);
  });
});

describe('maps_local_storage fixture (task storage helpers, 6.18 results)', () => {
  it(`verifies and runs to ${JSON.stringify(GOLDEN.fixture.r)}; the value is read back through a pidfd`, () => {
    const o = BpfObject.open(readFileSync(new URL('../../programs/maps_local_storage.bpf.o', import.meta.url)));
    o.load();
    const ctx = new Uint8Array(72);
    const r = o.program('task_storage_ops').testRun({ ctxIn: ctx, ctxSizeOut: 0 });
    expect(r.retval).toBe(GOLDEN.fixture.retval);
    const dv = new DataView(ctx.buffer);
    expect(Array.from({ length: 9 }, (_, i) => Number(dv.getBigInt64(8 * i, true)))).toEqual(GOLDEN.fixture.r);
    const k = o.kernel;
    const owners = localStorageOf(k);
    const pidfd = owners.openFd(k, 'task', k.currentTaskPointer());
    const v = o.map('tstore').lookup(u32(pidfd));
    expect(v).toBeDefined();
    const vd = new DataView(v!.buffer, v!.byteOffset);
    expect([GOLDEN.fixture.pidfd_lookup, Number(vd.getBigUint64(0, true)), Number(vd.getBigUint64(8, true))]).toEqual([0, ...GOLDEN.fixture.value]);
    // the task exits: its storage goes, and its pidfd answers ENOENT
    expect(owners.release(k.currentTaskPointer())).toBe(1);
    expect(o.map('tstore').lookup(u32(pidfd))).toBeUndefined();
  });
});

const { live, why } = liveProbeGate(GOLDEN.release);

describe(`live kernel (${live ? `Linux ${GOLDEN.release}` : `SKIPPED: ${why}`})`, () => {
  it.skipIf(!live)('the probe prints the golden again', () => {
    const out = runLiveProbe('local-storage.c', [[], [fixturePath('maps_local_storage')]]);
    expect(out[0]).toEqual(G);
    expect(out[1]).toEqual(GOLDEN.fixture);
  });
});
