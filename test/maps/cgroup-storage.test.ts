/**
 * CGROUP_STORAGE and PERCPU_CGROUP_STORAGE (maps/cgroup-storage.ts) and bpf_get_local_storage
 * (helpers/cgroup.ts) against Linux 6.18 (goldens/cgroup-storage.json, recorded by
 * live/cgroup-storage.c): create-time checks, the syscall side on linked storage, test runs of the
 * maps_cgroup_storage fixture (fresh storage per test run, shared by its repetitions), and a run
 * bound to a linked storage. As root on 6.18 the probe runs again and must print the golden.
 */
import { readFileSync } from 'node:fs';
import { fixturePath, liveProbeGate, runLiveProbe } from './live/probe.js';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { CgroupStorageMap } from '../../src/maps/cgroup-storage.js';
import { createMap } from '../../src/maps/registry.js';
import type { MapAttr } from '../../src/maps/types.js';
import { BPF_ANY, BPF_EXIST, BPF_F, BPF_F_LOCK, BPF_MAP_TYPE, BPF_NOEXIST } from '../../src/maps/uapi.js';
import { mk, testEnv } from './env.js';

interface Golden {
  readonly release: string;
  readonly results: Readonly<Record<string, number>>;
  readonly fixture: Readonly<Record<string, number>>;
}
const GOLDEN = JSON.parse(readFileSync(new URL('./goldens/cgroup-storage.json', import.meta.url), 'utf8')) as Golden;
const G = GOLDEN.results;

/** BPF_CGROUP_INET_EGRESS / _INGRESS (enum bpf_attach_type). */
const EGRESS = 1;
const INGRESS = 0;

const CASES: Readonly<Record<string, Partial<MapAttr>>> = {
  ok_key16: {},
  key_12: { keySize: 12 },
  ok_key8: { keySize: 8 },
  key_4: { keySize: 4 },
  key_24: { keySize: 24 },
  value_0: { valueSize: 0 },
  max_entries_1: { maxEntries: 1 },
  no_prealloc: { flags: BPF_F.NO_PREALLOC },
  rdonly_prog: { flags: BPF_F.RDONLY_PROG },
  rdonly_wronly_prog: { flags: BPF_F.RDONLY_PROG | BPF_F.WRONLY_PROG },
  mmapable: { flags: BPF_F.MMAPABLE },
  value_32768: { valueSize: 32768 },
  value_32769: { valueSize: 32769 },
  value_65407: { valueSize: 65407 },
  value_65408: { valueSize: 65408 },
  value_4096: { valueSize: 4096 },
  value_4097: { valueSize: 4097 },
};

describe('cgroup storage: BPF_MAP_CREATE (cgroup_storage_map_alloc)', () => {
  for (const [tn, type] of [
    ['cgroup_storage', BPF_MAP_TYPE.CGROUP_STORAGE],
    ['percpu_cgroup_storage', BPF_MAP_TYPE.PERCPU_CGROUP_STORAGE],
  ] as const) {
    it(`${tn}: every recorded case gives 6.18's errno`, () => {
      const env = testEnv();
      const got: Record<string, number> = {};
      const want: Record<string, number | undefined> = {};
      for (const [name, over] of Object.entries(CASES)) {
        const m = createMap({ type, keySize: 16, valueSize: 8, maxEntries: 0, ...over }, env);
        got[name] = typeof m === 'number' ? m : 0;
        want[name] = G[`${tn}/${name}`];
      }
      expect(got).toEqual(want);
    });
  }
});

function key16(id: bigint, at: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, id, true);
  dv.setUint32(8, at, true);
  return b;
}

function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

describe('cgroup storage: the syscall side on linked storage', () => {
  it('lookup, update flags, delete and get_next_key as on 6.18 once a program is attached (linked)', () => {
    const env = testEnv();
    const m = mk<CgroupStorageMap>(env, { type: BPF_MAP_TYPE.CGROUP_STORAGE, keySize: 16, valueSize: 8, maxEntries: 0 });
    const cg = 4242n;
    const key = key16(cg, EGRESS);
    const other = key16(cg, INGRESS);
    const v = new Uint8Array(8);
    const next = new Uint8Array(16);
    const got: Record<string, number> = {};
    got.lookup_unattached = m.lookup(key, v);
    got.get_next_key_empty = m.getNextKey(null, next);
    m.link(cg, EGRESS);
    got.lookup_attached = m.lookup(key, v);
    got.lookup_attached_value = Number(new DataView(v.buffer).getBigUint64(0, true));
    got.lookup_other_attach_type = m.lookup(other, v);
    got.update_any = m.update(key, u64(41n), BPF_ANY);
    got.update_exist = m.update(key, u64(41n), BPF_EXIST);
    got.update_noexist = m.update(key, u64(41n), BPF_NOEXIST);
    got.update_f_lock = m.update(key, u64(41n), BPF_F_LOCK);
    got.update_missing = m.update(other, u64(41n), BPF_ANY);
    m.lookup(key, v);
    got.lookup_after_update = Number(new DataView(v.buffer).getBigUint64(0, true));
    got.delete = m.delete(key);
    next.fill(0xff);
    got.get_next_key_null = m.getNextKey(null, next);
    got.next_is_key = next.every((b, i) => b === key[i]) ? 1 : 0;
    got.get_next_key_last = m.getNextKey(key, next);
    got.get_next_key_missing = m.getNextKey(other, next);
    const want = Object.fromEntries(Object.keys(got).map((k) => [k, G[k]]));
    expect(got).toEqual(want);
  });

  it('8-byte keys: one storage per cgroup for every attach type; the newest linked comes first', () => {
    const env = testEnv();
    const m = mk<CgroupStorageMap>(env, { type: BPF_MAP_TYPE.CGROUP_STORAGE, keySize: 8, valueSize: 8, maxEntries: 0 });
    const a = m.link(1n, EGRESS);
    expect(m.link(1n, INGRESS)).toBe(a);
    m.link(2n, EGRESS);
    const next = new Uint8Array(8);
    expect(m.getNextKey(null, next)).toBe(0);
    expect(new DataView(next.buffer).getBigUint64(0, true)).toBe(2n);
    expect(m.getNextKey(next, next)).toBe(0);
    expect(new DataView(next.buffer).getBigUint64(0, true)).toBe(1n);
    expect(m.getNextKey(next, next)).toBe(-2);
    expect(m.unlink(1n, 99)).toBe(true);
    expect(m.storages()).toHaveLength(1);
  });

  it('per-CPU: user space reads and writes one rounded slot per CPU; BPF_NOEXIST and BPF_F_LOCK are EINVAL', () => {
    const env = testEnv({ nrCpus: 3 });
    const m = mk<CgroupStorageMap>(env, { type: BPF_MAP_TYPE.PERCPU_CGROUP_STORAGE, keySize: 16, valueSize: 4, maxEntries: 0 });
    const s = m.link(7n, EGRESS);
    expect(m.userValueSize).toBe(24);
    const val = Uint8Array.from({ length: 24 }, (_, i) => i);
    expect(m.update(key16(7n, EGRESS), val, BPF_NOEXIST)).toBe(-22);
    expect(m.update(key16(7n, EGRESS), val, BPF_ANY)).toBe(0);
    const r1 = m.regionOf(s, 1);
    expect([...env.mem.bytes(r1)]).toEqual([8, 9, 10, 11]);
    const out = new Uint8Array(24);
    expect(m.lookup(key16(7n, EGRESS), out)).toBe(0);
    expect(out).toEqual(val);
  });
});

describe('maps_cgroup_storage fixture (bpf_get_local_storage in cgroup_skb, 6.18 results)', () => {
  const FRAME = (() => {
    const f = new Uint8Array(60);
    f[12] = 0x08;
    f[14] = 0x45;
    return f;
  })();

  it(`test runs get storage of their own, shared by their repetitions: ${JSON.stringify(GOLDEN.fixture)}`, () => {
    const o = BpfObject.open(readFileSync(new URL('../../programs/maps_cgroup_storage.bpf.o', import.meta.url)));
    o.load();
    const p = o.program('count_egress');
    const got = {
      repeat_1: p.testRun({ dataIn: FRAME, repeat: 1 }).retval,
      repeat_2: p.testRun({ dataIn: FRAME, repeat: 2 }).retval,
      repeat_3: p.testRun({ dataIn: FRAME, repeat: 3 }).retval,
      repeat_1_again: p.testRun({ dataIn: FRAME, repeat: 1 }).retval,
    };
    expect(got).toEqual(GOLDEN.fixture);
    // nothing is linked by a test run
    expect(o.map('cstore').lookup(key16(0n, 0))).toBeUndefined();
  });

  it('a run bound to linked storage counts into it (what an attached program does)', async () => {
    const { bindCgroupStorage } = await import('../../src/helpers/cgroup.js');
    const o = BpfObject.open(readFileSync(new URL('../../programs/maps_cgroup_storage.bpf.o', import.meta.url)));
    o.load();
    const k = o.kernel;
    const impl = (name: string): CgroupStorageMap => {
      const e = k.fds.get(o.map(name).fd);
      const m = e?.kind === 'map' ? e.obj.impl : undefined;
      if (!(m instanceof CgroupStorageMap)) throw new Error(`${name} is not a cgroup storage map`);
      return m;
    };
    const cs = impl('cstore');
    const ps = impl('pstore');
    const linked = cs.link(77n, EGRESS);
    const plinked = ps.link(77n, EGRESS);
    const p = o.program('count_egress');
    // bind through the program type's setup: run with the storage bound by a wrapper of the test
    // run's repetitions (Kernel.repeatRuns, which runs the setup before every repetition)
    const run = (): number => {
      const saved = k.repeatRuns.bind(k);
      k.repeatRuns = ((prog, regs, n, setup, each) =>
        saved(prog, regs, n, (m) => {
          setup(m);
          bindCgroupStorage(m, cs, linked);
          bindCgroupStorage(m, ps, plinked);
        }, each)) as typeof k.repeatRuns;
      try {
        return p.testRun({ dataIn: FRAME }).retval;
      } finally {
        k.repeatRuns = saved;
      }
    };
    expect([run(), run(), run()]).toEqual([1, 0, 1]);
    const v = o.map('cstore').lookup(key16(77n, EGRESS))!;
    const dv = new DataView(v.buffer, v.byteOffset);
    // a cgroup_skb test run starts at the network header: skb->len is 60 - 14 = 46
    expect([dv.getBigUint64(0, true), dv.getBigUint64(8, true)]).toEqual([3n, 138n]);
    const pv = o.map('pstore').lookup(key16(77n, EGRESS))!;
    const pdv = new DataView(pv.buffer, pv.byteOffset);
    expect(pdv.getBigUint64(0, true)).toBe(3n); // every run on CPU 0
  });
});

const { live, why } = liveProbeGate(GOLDEN.release);

describe(`live kernel (${live ? `Linux ${GOLDEN.release}` : `SKIPPED: ${why}`})`, () => {
  it.skipIf(!live)('the probe prints the golden again', () => {
    const out = runLiveProbe('cgroup-storage.c', [[], [fixturePath('maps_cgroup_storage')]]);
    expect(out[0]).toEqual(G);
    expect(out[1]).toEqual(GOLDEN.fixture);
  });
});
