/**
 * Map helpers through programs: errnos of bpf_map_update_elem & co. as the kernel's map
 * implementations return them (kernel/bpf/hashtab.c, arraymap.c, queue_stack_maps.c,
 * bloom_filter.c), bpf_for_each_map_elem (bpf_iter.c), and the argument checks the verifier
 * would have made.
 */
import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { del, getU64, load, loadProg, lookup, mkMap, newKernel, ret, run, u32, u64, update } from './env.js';

const { EEXIST, ENOENT, E2BIG, EINVAL } = ERRNO;
const T = BPF_MAP_TYPE;

/** key (u32) at fp-4, value (u64) at fp-16; r1..r4 = map, &key, &value, flags; then `call`. */
function updateProg(map: number, key: number, value: number | bigint, flags: number): string {
  return `
    stw [r10-4], ${key}
    lddw r1, ${value}
    stxdw [r10-16], r1
    lddw r1, map_fd ${map}
    mov r2, r10
    add r2, -4
    mov r3, r10
    add r3, -16
    mov r4, ${flags}
    call 2
    exit`;
}

/** Look up u32 `key` and return the u64 value's low 32 bits, or -1 for NULL. */
function lookupProg(map: number, key: number, helper = 1, cpu?: number): string {
  return `
    stw [r10-4], ${key}
    lddw r1, map_fd ${map}
    mov r2, r10
    add r2, -4
    ${cpu !== undefined ? `mov r3, ${cpu}` : ''}
    call ${helper}
    jeq r0, 0, miss
    ldxdw r0, [r0+0]
    exit
  miss:
    mov r0, -1
    exit`;
}

describe('bpf_map_lookup_elem / update / delete', () => {
  it('hash: update flags, lookup through the returned pointer, delete', () => {
    const k = newKernel();
    const m = mkMap(k, { type: T.HASH, key: 4, value: 8, max: 2 });
    expect(ret(k, load(k, updateProg(m, 1, 111, 0)))).toBe(0);
    expect(ret(k, load(k, updateProg(m, 1, 222, 1)))).toBe(-EEXIST); // BPF_NOEXIST on an existing key
    expect(ret(k, load(k, updateProg(m, 2, 222, 2)))).toBe(-ENOENT); // BPF_EXIST on a missing key
    expect(ret(k, load(k, updateProg(m, 2, 222, 4)))).toBe(-EINVAL); // BPF_F_LOCK without a lock
    expect(ret(k, load(k, updateProg(m, 2, 222, 0)))).toBe(0);
    expect(ret(k, load(k, updateProg(m, 3, 333, 0)))).toBe(-E2BIG); // full
    expect(ret(k, load(k, lookupProg(m, 1)))).toBe(111);
    expect(ret(k, load(k, lookupProg(m, 9)))).toBe(-1);
    // the value written through the pointer is the map's
    const wr = load(k, `
      stw [r10-4], 2
      lddw r1, map_fd ${m}
      mov r2, r10
      add r2, -4
      call 1
      jeq r0, 0, out
      stdw [r0+0], 4242
    out:
      mov r0, 0
      exit`);
    expect(ret(k, wr)).toBe(0);
    expect(getU64(lookup(k, m, u32(2), 8) as Uint8Array)).toBe(4242n);
    const d = (key: number): string => `
      stw [r10-4], ${key}
      lddw r1, map_fd ${m}
      mov r2, r10
      add r2, -4
      call 3
      exit`;
    expect(ret(k, load(k, d(1)))).toBe(0);
    expect(ret(k, load(k, d(1)))).toBe(-ENOENT);
  });

  it('array: E2BIG past the end, EEXIST for NOEXIST, delete is EINVAL', () => {
    const k = newKernel();
    const m = mkMap(k, { type: T.ARRAY, key: 4, value: 8, max: 4 });
    expect(ret(k, load(k, updateProg(m, 3, 7, 0)))).toBe(0);
    expect(ret(k, load(k, updateProg(m, 4, 7, 0)))).toBe(-E2BIG);
    expect(ret(k, load(k, updateProg(m, 0, 7, 1)))).toBe(-EEXIST);
    expect(ret(k, load(k, lookupProg(m, 3)))).toBe(7);
    expect(ret(k, load(k, lookupProg(m, 4)))).toBe(-1);
    const d = load(k, `
      stw [r10-4], 0
      lddw r1, map_fd ${m}
      mov r2, r10
      add r2, -4
      call 3
      exit`);
    expect(ret(k, d)).toBe(-EINVAL);
  });

  it('flags above 32 bits are invalid', () => {
    const k = newKernel();
    const m = mkMap(k, { type: T.HASH, key: 4, value: 8, max: 2 });
    const p = load(k, updateProg(m, 1, 1, 0).replace('mov r4, 0', 'lddw r4, 0x100000000'));
    expect(ret(k, p)).toBe(-EINVAL);
  });

  it('per-CPU maps: lookup uses the running CPU, lookup_percpu_elem any CPU below nr_cpus', () => {
    const k = newKernel({ nrCpus: 2, cpu: 1 });
    const m = mkMap(k, { type: T.PERCPU_ARRAY, key: 4, value: 8, max: 1 });
    // user space writes one 8-byte slot per CPU
    const v = new Uint8Array(16);
    v.set(u64(10), 0);
    v.set(u64(11), 8);
    expect(update(k, m, u32(0), v)).toBe(0);
    expect(ret(k, load(k, lookupProg(m, 0)))).toBe(11);
    expect(ret(k, load(k, lookupProg(m, 0, 195, 0)))).toBe(10);
    expect(ret(k, load(k, lookupProg(m, 0, 195, 1)))).toBe(11);
    expect(ret(k, load(k, lookupProg(m, 0, 195, 2)))).toBe(-1);
    // a plain array does not support lookup_percpu_elem (the verifier refuses the call)
    const a = mkMap(k, { type: T.ARRAY, key: 4, value: 8, max: 1 });
    expect(run(k, load(k, lookupProg(a, 0, 195, 0))).fault?.kind).toBe('helper');
  });
});

describe('bpf_map_push_elem / pop / peek', () => {
  const push = (m: number, v: number, flags = 0): string => `
    stdw [r10-8], ${v}
    lddw r1, map_fd ${m}
    mov r2, r10
    add r2, -8
    mov r3, ${flags}
    call 87
    exit`;
  const take = (m: number, helper: 88 | 89): string => `
    stdw [r10-8], -1
    lddw r1, map_fd ${m}
    mov r2, r10
    add r2, -8
    call ${helper}
    jne r0, 0, out
    ldxdw r0, [r10-8]
  out:
    exit`;

  it('queue: FIFO, E2BIG when full, BPF_EXIST overwrites the oldest, ENOENT when empty, EINVAL for flags', () => {
    const k = newKernel();
    const q = mkMap(k, { type: T.QUEUE, key: 0, value: 8, max: 2 });
    expect(ret(k, load(k, push(q, 1)))).toBe(0);
    expect(ret(k, load(k, push(q, 2)))).toBe(0);
    expect(ret(k, load(k, push(q, 3)))).toBe(-E2BIG);
    expect(ret(k, load(k, push(q, 3, 2)))).toBe(0);
    expect(ret(k, load(k, push(q, 4, 1)))).toBe(-EINVAL);
    expect(ret(k, load(k, take(q, 89)))).toBe(2);
    expect(ret(k, load(k, take(q, 88)))).toBe(2);
    expect(ret(k, load(k, take(q, 88)))).toBe(3);
    expect(ret(k, load(k, take(q, 88)))).toBe(-ENOENT);
    expect(ret(k, load(k, take(q, 89)))).toBe(-ENOENT);
  });

  it('stack: LIFO', () => {
    const k = newKernel();
    const s = mkMap(k, { type: T.STACK, key: 0, value: 8, max: 4 });
    for (const v of [5, 6, 7]) expect(ret(k, load(k, push(s, v)))).toBe(0);
    expect(ret(k, load(k, take(s, 88)))).toBe(7);
    expect(ret(k, load(k, take(s, 89)))).toBe(6);
  });

  it('bloom filter: peek tests membership (no false negatives)', () => {
    const k = newKernel();
    const b = mkMap(k, { type: T.BLOOM_FILTER, key: 0, value: 8, max: 16, extra: 3n });
    expect(ret(k, load(k, push(b, 99)))).toBe(0);
    const peek = (v: number): string => `
      stdw [r10-8], ${v}
      lddw r1, map_fd ${b}
      mov r2, r10
      add r2, -8
      call 89
      exit`;
    expect(ret(k, load(k, peek(99)))).toBe(0);
    // lookups are not a bloom filter operation
    expect(run(k, load(k, lookupProg(b, 0))).fault?.kind).toBe('helper');
  });
});

describe('bpf_for_each_map_elem', () => {
  /** Sum the values (callback: r3 = &value, r4 = ctx = &sum) and return the helper's result. */
  function forEach(m: number, o: { stopAt?: number; deleteKey?: number; flags?: number } = {}): string {
    return `
      stdw [r10-8], 0
      lddw r1, map_fd ${m}
      lddw r2, code cb
      mov r3, r10
      add r3, -8
      mov r4, ${o.flags ?? 0}
      call 164
      stxw [r10-16], r0
      ldxdw r1, [r10-8]
      lsh r1, 16
      ldxw r0, [r10-16]
      or r0, r1
      exit
    cb:
      mov r6, r1
      mov r7, r2
      ldxdw r1, [r3+0]
      ldxdw r5, [r4+0]
      add r5, r1
      stxdw [r4+0], r5
      ${o.deleteKey !== undefined ? `ldxw r1, [r7+0]\n jne r1, ${o.deleteKey}, nodel\n mov r1, r6\n mov r2, r7\n call 3\n nodel:` : ''}
      mov r0, 0
      ${o.stopAt !== undefined ? `ldxw r1, [r7+0]\n jne r1, ${o.stopAt}, done\n mov r0, 1\n done:` : ''}
      exit`;
  }

  it('array: visits every index in order, returns the count; 1 from the callback stops', () => {
    const k = newKernel();
    const a = mkMap(k, { type: T.ARRAY, key: 4, value: 8, max: 8 });
    for (let i = 0; i < 8; i++) update(k, a, u32(i), u64(10 * i));
    const r = ret(k, load(k, forEach(a)));
    expect(r & 0xffff).toBe(8);
    expect(r >>> 16).toBe(280);
    const s = ret(k, load(k, forEach(a, { stopAt: 3 })));
    expect(s & 0xffff).toBe(4);
    expect(s >>> 16).toBe(60);
  });

  it('hash: every element once, deleting the current one in the callback is allowed', () => {
    const k = newKernel();
    const h = mkMap(k, { type: T.HASH, key: 4, value: 8, max: 8 });
    for (let i = 1; i <= 5; i++) update(k, h, u32(i), u64(100 * i));
    const r = ret(k, load(k, forEach(h, { deleteKey: 3 })));
    expect(r & 0xffff).toBe(5);
    expect(r >>> 16).toBe(1500);
    expect(lookup(k, h, u32(3), 8)).toBe(-ENOENT);
    expect(lookup(k, h, u32(4), 8)).toBeInstanceOf(Uint8Array);
  });

  it('flags != 0 is EINVAL', () => {
    const k = newKernel();
    const a = mkMap(k, { type: T.ARRAY, key: 4, value: 8, max: 2 });
    expect(ret(k, load(k, forEach(a, { flags: 1 })))).toBe(-EINVAL);
  });

  it('the key is read-only and the callback must return 0 or 1', () => {
    const k = newKernel();
    const a = mkMap(k, { type: T.ARRAY, key: 4, value: 8, max: 2 });
    const writeKey = load(k, forEach(a).replace('mov r7, r2', 'mov r7, r2\n stw [r2+0], 1'));
    expect(run(k, writeKey).fault?.kind).toBe('read_only');
    const bad = load(k, forEach(a).replace(/mov r0, 0\n(\s*)exit$/, 'mov r0, 2\n$1exit'));
    expect(run(k, bad).fault?.kind).toBe('helper');
  });
});

describe('argument checks (what the verifier guarantees)', () => {
  it('r1 must be a map, keys and values must be readable for key_size / value_size', () => {
    const k = newKernel();
    const m = mkMap(k, { type: T.HASH, key: 8, value: 8, max: 2 });
    const notMap = load(k, 'mov r1, 0\nmov r2, r10\nadd r2, -8\ncall 1\nexit');
    expect(run(k, notMap).fault?.kind).toBe('helper');
    // key of 8 bytes at fp-4: 4 bytes past the top of the stack
    const shortKey = load(k, `lddw r1, map_fd ${m}\nmov r2, r10\nadd r2, -4\ncall 1\nexit`);
    expect(run(k, shortKey).fault?.kind).toBe('out_of_bounds');
    const nullKey = load(k, `lddw r1, map_fd ${m}\nmov r2, 0\ncall 1\nexit`);
    const f = run(k, nullKey).fault;
    expect(f?.kind).toBe('unmapped');
    expect(f?.detail).toContain('bpf_map_lookup_elem r2 (key)');
  });

  it('operations the map type does not have fault (check_map_func_compatibility)', () => {
    const k = newKernel();
    const q = mkMap(k, { type: T.QUEUE, key: 0, value: 8, max: 2 });
    expect(run(k, load(k, lookupProg(q, 0))).fault?.kind).toBe('helper');
    const h = mkMap(k, { type: T.HASH, key: 4, value: 8, max: 2 });
    const pushHash = load(k, `stdw [r10-8], 1\nlddw r1, map_fd ${h}\nmov r2, r10\nadd r2, -8\nmov r3, 0\ncall 87\nexit`);
    expect(run(k, pushHash).fault?.kind).toBe('helper');
  });

  it('a value pointer obtained before a delete stays readable for the rest of the run', () => {
    const k = newKernel();
    const h = mkMap(k, { type: T.HASH, key: 4, value: 8, max: 2 });
    update(k, h, u32(1), u64(77));
    const p = load(k, `
      stw [r10-4], 1
      lddw r1, map_fd ${h}
      mov r2, r10
      add r2, -4
      call 1
      jeq r0, 0, miss
      mov r6, r0
      lddw r1, map_fd ${h}
      mov r2, r10
      add r2, -4
      call 3
      ldxdw r0, [r6+0]
      exit
    miss:
      mov r0, -1
      exit`);
    expect(ret(k, p)).toBe(77);
    expect(del(k, h, u32(1))).toBe(-ENOENT);
  });

  it('a load of a program calling an unknown helper id fails (EINVAL)', () => {
    const k = newKernel();
    expect(loadProg(k, 'call 9999\nexit')).toBe(-EINVAL);
  });
});
