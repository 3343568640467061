/** Test environment for maps: a Memory, a retire list that can be drained, an fd table. */
import { expect } from 'vitest';
import { Memory } from '../../src/vm/memory.js';
import { BpfMap } from '../../src/maps/map.js';
import { createMap } from '../../src/maps/registry.js';
import type { MapAttr, MapEnv } from '../../src/maps/types.js';

export interface TestEnv extends MapEnv {
  readonly mem: Memory;
  readonly retired: number[];
  readonly freedValues: { map: BpfMap; regionId: number; value: Uint8Array }[];
  /** fd -> object for resolveFd. */
  readonly fds: Map<number, unknown>;
  /** Unmap every retired region (end of a run). */
  drain(): void;
  /** Register an object under a new fd. */
  fd(obj: unknown): number;
}

export function testEnv(opts: { nrCpus?: number; random?: () => number } = {}): TestEnv {
  const mem = new Memory();
  const retired: number[] = [];
  const fds = new Map<number, unknown>();
  const freedValues: TestEnv['freedValues'] = [];
  let nextFd = 3;
  const env: TestEnv = {
    mem,
    nrCpus: opts.nrCpus ?? 2,
    retired,
    fds,
    freedValues,
    retire: (id) => {
      retired.push(id);
    },
    resolveFd: (fd) => fds.get(fd),
    onValueFree: (map, regionId, value) => {
      freedValues.push({ map, regionId, value: value.slice() });
    },
    drain() {
      for (const id of retired.splice(0)) mem.unmap(id);
    },
    fd(obj) {
      const n = nextFd++;
      fds.set(n, obj);
      return n;
    },
  };
  if (opts.random) (env as { random?: () => number }).random = opts.random;
  return env;
}

/** createMap that must succeed. */
export function mk<T extends BpfMap = BpfMap>(env: MapEnv, attr: MapAttr): T {
  const m = createMap(attr, env);
  if (typeof m === 'number') throw new Error(`createMap failed: ${m}`);
  return m as T;
}

/** Little-endian u32 bytes. */
export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** Little-endian u64 bytes. */
export function u64(n: number | bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

export function getU32(b: Uint8Array, off = 0): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
}

export function getU64(b: Uint8Array, off = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off, true);
}

/** The bytes of a region as programs see them. */
export function regionBytes(env: TestEnv, id: number): Uint8Array {
  expect(env.mem.isMapped(id)).toBe(true);
  return env.mem.bytes(id);
}

/** Concatenate keys. */
export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
