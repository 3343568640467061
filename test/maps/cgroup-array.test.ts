/**
 * CGROUP_ARRAY (maps/cgroup-array.ts), the emulated cgroup hierarchy (maps/cgroups.ts) and
 * bpf_current_task_under_cgroup / bpf_skb_under_cgroup (helpers/cgroup.ts) against Linux 6.18
 * (goldens/cgroup-array.json, recorded by live/cgroup-array.c): create-time checks, the syscall side
 * with cgroup fds and other fds, both helpers for every index, and the maps_cgroup_array fixture.
 * As root on 6.18 the probe runs again and must print the golden.
 */
import { readFileSync } from 'node:fs';
import { fixturePath, liveProbeGate, runLiveProbe } from './live/probe.js';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { assembleBytes } from '../../src/isa/asm.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { ProgType } from '../../src/object/uapi.js';
import { CgroupArrayMap } from '../../src/maps/cgroup-array.js';
import { cgroupsOf } from '../../src/maps/cgroups.js';
import { MapError } from '../../src/maps/errors.js';
import { createMap } from '../../src/maps/registry.js';
import { BPF_ANY, BPF_EXIST, BPF_F, BPF_MAP_TYPE, BPF_NOEXIST } from '../../src/maps/uapi.js';
import { mk, testEnv, u32 } from './env.js';
import { OwnerFile } from '../../src/maps/local-storage.js';

interface Golden {
  readonly release: string;
  readonly results: Readonly<Record<string, number>>;
  readonly fixture: { readonly retval: number; readonly results: readonly number[] };
}
const GOLDEN = JSON.parse(readFileSync(new URL('./goldens/cgroup-array.json', import.meta.url), 'utf8')) as Golden;
const G = GOLDEN.results;

describe('cgroup array: BPF_MAP_CREATE and the syscall side', () => {
  it('create-time checks as on 6.18', () => {
    const env = testEnv();
    const cases: Record<string, [number, number, number, number]> = {
      'create/ok': [4, 4, 4, 0],
      'create/key_8': [8, 4, 4, 0],
      'create/value_8': [4, 8, 4, 0],
      'create/max_0': [4, 4, 0, 0],
      'create/no_prealloc': [4, 4, 4, BPF_F.NO_PREALLOC],
      'create/rdonly_prog': [4, 4, 4, BPF_F.RDONLY_PROG],
      'create/mmapable': [4, 4, 4, BPF_F.MMAPABLE],
    };
    const got: Record<string, number> = {};
    for (const [name, [keySize, valueSize, maxEntries, flags]] of Object.entries(cases)) {
      const m = createMap({ type: BPF_MAP_TYPE.CGROUP_ARRAY, keySize, valueSize, maxEntries, flags }, env);
      got[name] = typeof m === 'number' ? m : 0;
    }
    expect(got).toEqual(Object.fromEntries(Object.keys(cases).map((k) => [k, G[k]])));
  });

  it('update by cgroup fd, lookup, delete and get_next_key errnos as on 6.18', () => {
    const env = testEnv();
    const tree = cgroupsOf(env);
    const child = tree.mkdir(tree.root, 'bpfemu_ca');
    const root = env.fd(new OwnerFile('cgroup:/', 'cgroup', tree.root.region));
    const childFd = env.fd(new OwnerFile('cgroup:/bpfemu_ca', 'cgroup', child.region));
    const file = env.fd({ kind: 'file', name: '/proc/self/status' });
    const m = mk<CgroupArrayMap>(env, { type: BPF_MAP_TYPE.CGROUP_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4 });
    const mapFd = env.fd(m);
    const v = new Uint8Array(4);
    const next = new Uint8Array(4);
    const got: Record<string, number> = {
      update_root: m.update(u32(0), u32(root), BPF_ANY),
      update_child: m.update(u32(1), u32(childFd), BPF_ANY),
      update_file: m.update(u32(2), u32(file), BPF_ANY),
      update_bad_fd: m.update(u32(2), u32(999), BPF_ANY),
      update_map_fd: m.update(u32(2), u32(mapFd), BPF_ANY),
      update_noexist: m.update(u32(3), u32(root), BPF_NOEXIST),
      update_exist: m.update(u32(3), u32(root), BPF_EXIST),
      update_out_of_range: m.update(u32(4), u32(root), BPF_ANY),
      lookup_set: m.lookup(u32(0), v),
      lookup_empty: m.lookup(u32(2), v),
      get_next_key_null: m.getNextKey(null, next),
    };
    got.get_next_key_null_value = new DataView(next.buffer).getUint32(0, true);
    got.get_next_key_last = m.getNextKey(u32(3), next);
    got.delete_empty = m.delete(u32(2));
    got.delete_out_of_range = m.delete(u32(4));
    got.delete_set = m.delete(u32(0));
    got.freeze = m.freeze();
    expect(got).toEqual(Object.fromEntries(Object.keys(got).map((k) => [k, G[k]])));
    expect(m.at(1)).toBe(child);
  });
});

describe('the emulated cgroup hierarchy', () => {
  it('paths, levels, ids, descendants; rmdir refuses busy cgroups', () => {
    const tree = cgroupsOf(testEnv());
    const a = tree.mkdir(tree.root, 'a');
    const b = tree.mkdir(a, 'b');
    expect([tree.root.id, a.id, b.id]).toEqual([1n, 2n, 3n]);
    expect([b.path, b.level, tree.lookup('/a/b')]).toEqual(['/a/b', 2, b]);
    expect([b.isDescendantOf(a), b.isDescendantOf(tree.root), a.isDescendantOf(b)]).toEqual([true, true, false]);
    expect(() => tree.mkdir(a, 'b')).toThrow(MapError);
    expect(() => tree.rmdir(a)).toThrow(MapError);
    tree.current = b;
    expect(() => tree.rmdir(b)).toThrow(MapError);
    tree.current = tree.root;
    tree.rmdir(b);
    expect(tree.lookup('/a/b')).toBeUndefined();
  });
});

/** A tc program: r0 = helper(index) for one of the two helpers. */
function prog(k: Kernel, mapFd: number, helper: 33 | 37, index: number): number {
  const text = helper === 37 ? `lddw r1, map_fd ${mapFd}\nmov r2, ${index}\ncall 37\nexit` : `lddw r2, map_fd ${mapFd}\nmov r3, ${index}\ncall 33\nexit`;
  const insns = assembleBytes(text);
  const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.SCHED_CLS, insn_cnt: insns.length / 8, insns, license: 'GPL', prog_name: '' });
  if (fd < 0) throw new Error(`load failed: ${fd}`);
  return fd;
}

function runTc(k: Kernel, fd: number): number {
  const pkt = new Uint8Array(60);
  pkt[12] = 0x08;
  pkt[14] = 0x45;
  const attr: Record<string, number | Uint8Array> = { prog_fd: fd, data_in: pkt, data_size_in: 60 };
  expect(k.bpf(Cmd.PROG_TEST_RUN, attr)).toBe(0);
  return (attr.retval as number) | 0;
}

describe('bpf_current_task_under_cgroup (37) and bpf_skb_under_cgroup (33)', () => {
  it('for every index as on 6.18 (verified programs), and they follow the current cgroup', () => {
    const k = new Kernel();
    const tree = cgroupsOf(k);
    const child = tree.mkdir(tree.root, 'bpfemu_ca');
    const map = k.bpf(Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.CGROUP_ARRAY, key_size: 4, value_size: 4, max_entries: 4 });
    for (const [i, cg] of [[0, tree.root], [1, child]] as const) {
      expect(k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: map, key: u32(i), value: u32(tree.openFd(k, cg)), flags: 0 })).toBe(0);
    }
    const got: Record<string, number> = {};
    for (const h of [37, 33] as const) {
      for (let i = 0; i <= 5; i++) got[`${h === 37 ? 'current_task_under_cgroup' : 'skb_under_cgroup'}/${i}`] = runTc(k, prog(k, map, h, i));
    }
    expect(got).toEqual(Object.fromEntries(Object.keys(got).map((key) => [key, G[key]])));
    // the task moves into the child: it is under both slots now
    tree.current = child;
    expect([runTc(k, prog(k, map, 37, 0)), runTc(k, prog(k, map, 37, 1)), runTc(k, prog(k, map, 33, 1))]).toEqual([1, 1, 1]);
  });

  it('maps_cgroup_array fixture: retval and results as on 6.18', () => {
    const o = BpfObject.open(readFileSync(new URL('../../programs/maps_cgroup_array.bpf.o', import.meta.url)));
    o.load();
    const tree = cgroupsOf(o.kernel);
    const child = tree.mkdir(tree.root, 'bpfemu_ca');
    o.map('cgs').update(u32(0), u32(tree.openFd(o.kernel, tree.root)));
    o.map('cgs').update(u32(1), u32(tree.openFd(o.kernel, child)));
    const pkt = new Uint8Array(60);
    pkt[12] = 0x08;
    pkt[14] = 0x45;
    expect(o.program('under_cgroup').testRun({ dataIn: pkt }).retval).toBe(GOLDEN.fixture.retval);
    const res = Array.from({ length: 6 }, (_, i) => Number(new DataView(o.map('results').lookup(u32(i))!.buffer).getBigInt64(0, true)));
    expect(res).toEqual(GOLDEN.fixture.results);
  });
});

const { live, why } = liveProbeGate(GOLDEN.release);

describe(`live kernel (${live ? `Linux ${GOLDEN.release}` : `SKIPPED: ${why}`})`, () => {
  it.skipIf(!live)('the probe prints the golden again', () => {
    const out = runLiveProbe('cgroup-array.c', [[], [fixturePath('maps_cgroup_array')]]);
    expect(out[0]).toEqual(G);
    expect(out[1]).toEqual(GOLDEN.fixture);
  });
});
