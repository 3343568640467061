/**
 * USER_RINGBUF (maps/user-ringbuf.ts) and bpf_user_ringbuf_drain (helpers/user-ringbuf.ts) against
 * Linux 6.18 (goldens/user-ringbuf.json, recorded by live/user-ringbuf.c): create-time checks, the
 * syscall side, and the maps_user_ringbuf fixture drained between the same producer steps as the
 * kernel's (submitted, discarded, zero-sized and held samples, the producer's E2BIG and ENOSPC). As
 * root on 6.18 the probe runs again and must print the golden.
 */
import { readFileSync } from 'node:fs';
import { fixturePath, liveProbeGate, runLiveProbe } from './live/probe.js';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { implOf } from '../../src/kernel/objects/mapglue.js';
import { createMap } from '../../src/maps/registry.js';
import { BPF_F, BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { UserRingbufMap, type UserRingbufSample } from '../../src/maps/user-ringbuf.js';
import { mk, testEnv } from './env.js';

interface Golden {
  readonly release: string;
  readonly results: Readonly<Record<string, number>>;
}
const GOLDEN = JSON.parse(readFileSync(new URL('./goldens/user-ringbuf.json', import.meta.url), 'utf8')) as Golden;
const G = GOLDEN.results;
const pick = (got: Record<string, number>): Record<string, number | undefined> => Object.fromEntries(Object.keys(got).map((k) => [k, G[k]]));

describe('user ringbuf: BPF_MAP_CREATE and the syscall side', () => {
  it('create-time checks and ENOTSUPP commands as on 6.18', () => {
    const env = testEnv();
    const cases: Record<string, [number, number, number, number]> = {
      'create/ok': [0, 0, 4096, 0],
      'create/key_4': [4, 0, 4096, 0],
      'create/value_4': [0, 4, 4096, 0],
      'create/max_0': [0, 0, 0, 0],
      'create/max_4095': [0, 0, 4095, 0],
      'create/max_6144': [0, 0, 6144, 0],
      'create/max_8192': [0, 0, 8192, 0],
      'create/no_prealloc': [0, 0, 4096, BPF_F.NO_PREALLOC],
      'create/numa_node': [0, 0, 4096, BPF_F.NUMA_NODE],
      'create/rdonly_prog': [0, 0, 4096, BPF_F.RDONLY_PROG],
    };
    const got: Record<string, number> = {};
    for (const [name, [keySize, valueSize, maxEntries, flags]] of Object.entries(cases)) {
      const m = createMap({ type: BPF_MAP_TYPE.USER_RINGBUF, keySize, valueSize, maxEntries, flags }, env);
      got[name] = typeof m === 'number' ? m : 0;
    }
    const m = mk<UserRingbufMap>(env, { type: BPF_MAP_TYPE.USER_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
    const none = new Uint8Array(0);
    got.lookup = m.lookup(null, none);
    got.update = m.update(null, none);
    got.delete = m.delete(null);
    got.get_next_key = m.getNextKey(null, none);
    got.freeze = m.freeze();
    expect(got).toEqual(pick(got));
  });

  it('producer: E2BIG when a sample can never fit, ENOSPC when it does not fit now; positions grow by round_up(size + 8, 8)', () => {
    const m = mk<UserRingbufMap>(testEnv(), { type: BPF_MAP_TYPE.USER_RINGBUF, keySize: 0, valueSize: 0, maxEntries: 4096 });
    expect(m.reserve(4096)).toBe(G.reserve_4096);
    const s = m.reserve(4088) as UserRingbufSample;
    expect(m.producerPos).toBe(4096);
    expect(m.reserve(8)).toBe(G.reserve_full);
    m.submit(s);
    expect(() => m.submit(s)).toThrow();
    expect(m.peek()).toBe(s);
    m.consume(s);
    expect([m.consumerPos, m.push(new Uint8Array(3)), m.producerPos]).toEqual([4096, 0, 4096 + 16]);
  });
});

describe('maps_user_ringbuf fixture (bpf_user_ringbuf_drain, 6.18 results)', () => {
  it('drains as the kernel does between the same producer steps', () => {
    const o = BpfObject.open(readFileSync(new URL('../../programs/maps_user_ringbuf.bpf.o', import.meta.url)));
    o.load();
    const e = o.kernel.fds.get(o.map('urb').fd);
    const rb = e?.kind === 'map' ? implOf(e.obj) : undefined;
    if (!(rb instanceof UserRingbufMap)) throw new Error('urb is not a user ringbuf');
    const got: Record<string, number> = {};
    const run = (prog: string, name: string): void => {
      const ctx = new Uint8Array(24);
      const r = o.program(prog).testRun({ ctxIn: ctx, ctxSizeOut: 0 });
      const dv = new DataView(ctx.buffer);
      got[`${name}/err`] = 0;
      expect(r.retval).toBe(0);
      got[`${name}/drained`] = Number(dv.getBigInt64(0, true));
      got[`${name}/seen`] = Number(dv.getBigInt64(8, true));
      got[`${name}/bad`] = Number(dv.getBigInt64(16, true));
    };
    const post = (size: number, submit: boolean): number => {
      const s = rb.reserve(size);
      if (typeof s === 'number') return s;
      s.data.fill(0xab);
      if (submit) rb.submit(s);
      else rb.discard(s);
      return 0;
    };
    run('drain_all', 'empty');
    got.post_4 = post(4, true);
    got.post_8_discard = post(8, false);
    got.post_12 = post(12, true);
    got.post_0 = post(0, true);
    run('drain_all', 'three');
    got.post_a = post(16, true);
    got.post_b = post(16, true);
    run('drain_one', 'one_a');
    run('drain_one', 'one_b');
    run('drain_one', 'one_empty');
    const held = rb.reserve(8);
    got.held = typeof held === 'number' ? held : 0;
    got.post_after_held = post(8, true);
    run('drain_all', 'held');
    if (typeof held !== 'number') rb.submit(held);
    run('drain_all', 'released');
    const big = rb.reserve(4096);
    got.reserve_4096 = typeof big === 'number' ? big : 0;
    got.reserve_4088 = post(4088, true);
    const full = rb.reserve(8);
    got.reserve_full = typeof full === 'number' ? full : 0;
    run('drain_all', 'big');
    expect(got).toEqual(pick(got));
  });
});

const { live, why } = liveProbeGate(GOLDEN.release);

describe(`live kernel (${live ? `Linux ${GOLDEN.release}` : `SKIPPED: ${why}`})`, () => {
  it.skipIf(!live)('the probe prints the golden again', () => {
    const out = runLiveProbe('user-ringbuf.c', [[fixturePath('maps_user_ringbuf')]]);
    expect(out[0]).toEqual(G);
  });
});
