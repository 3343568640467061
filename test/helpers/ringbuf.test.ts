/**
 * Ring buffer helpers (kernel/bpf/ringbuf.c): the maps_ringbuf fixture's sequence (6.18 results
 * 0, 24, 1, 1, 0, 96, 4096, 0, 96, 1, -22, 0), the records a consumer sees, and the reservation
 * rules the verifier enforces (faults here).
 */
import { describe, expect, it } from 'vitest';
import { RingbufMap } from '../../src/maps/ringbuf.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { ERRNO } from '../../src/util/errno.js';
import { getS64, load, mapImpl, mkMap, newKernel, ret, run } from './env.js';

const { EINVAL, EAGAIN } = ERRNO;

/** `res[i] = r0` into the ctx (r9). */
const save = (i: number): string => `stxdw [r9+${8 * i}], r0`;

describe('ring buffer helpers', () => {
  it('the maps_ringbuf fixture', () => {
    const k = newKernel();
    const rb = mkMap(k, { type: BPF_MAP_TYPE.RINGBUF, key: 0, value: 0, max: 4096 });
    const map = `lddw r1, map_fd ${rb}`;
    const prog = load(k, `
      mov r9, r1
      stw [r10-16], 1
      stw [r10-12], 0
      stdw [r10-8], 100
      ${map}
      mov r2, r10
      add r2, -16
      mov r3, 16
      mov r4, 0
      call 130
      ${save(0)}
      ${map}
      mov r2, 0
      call 134
      ${save(1)}
      ${map}
      mov r2, 16
      mov r3, 0
      call 131
      mov r1, r0
      mov r0, 0
      jeq r1, 0, s2
      stw [r1+0], 2
      stw [r1+4], 0
      stdw [r1+8], 200
      mov r2, 1
      call 132
      mov r0, 1
    s2:
      ${save(2)}
      ${map}
      mov r2, 16
      mov r3, 0
      call 131
      mov r1, r0
      mov r0, 0
      jeq r1, 0, s3
      mov r2, 0
      call 133
      mov r0, 1
    s3:
      ${save(3)}
      lddw r1, 0x6f6c6c6568
      stxdw [r10-32], r1
      lddw r1, 0x21676e6972202c
      stxdw [r10-27], r1
      ${map}
      mov r2, r10
      add r2, -32
      mov r3, 13
      mov r4, 2
      call 130
      ${save(4)}
      ${[0, 1, 2, 3].map((f, i) => `${map}\nmov r2, ${f}\ncall 134\n${save(5 + i)}`).join('\n')}
      ${map}
      mov r2, 8192
      mov r3, 0
      call 131
      mov r1, r0
      mov r0, 0
      jne r1, 0, s9
      mov r0, 1
    s9:
      ${save(9)}
      ${map}
      mov r2, r10
      add r2, -16
      mov r3, 16
      mov r4, 4
      call 130
      ${save(10)}
      ${map}
      mov r2, 99
      call 134
      ${save(11)}
      mov r0, 0
      exit`);
    const ctx = new Uint8Array(96);
    expect(run(k, prog, ctx).err).toBe(0);
    const res = Array.from({ length: 12 }, (_, i) => Number(getS64(ctx, 8 * i)));
    expect(res).toEqual([0, 24, 1, 1, 0, 96, 4096, 0, 96, 1, -EINVAL, 0]);
    const impl = mapImpl(k, rb) as RingbufMap;
    const records = impl.drain();
    expect(records.map((r) => r.length)).toEqual([16, 16, 13]);
    expect(new DataView(records[1]!.buffer).getBigUint64(8, true)).toBe(200n);
    expect(new TextDecoder().decode(records[2])).toBe('hello, ring!\0');
    // the consumer's position is what CONS_POS reports now
    expect(impl.query(2)).toBe(96);
  });

  it('output: -EAGAIN when the ring is full; reserve: NULL for any flag', () => {
    const k = newKernel();
    const rb = mkMap(k, { type: BPF_MAP_TYPE.RINGBUF, key: 0, value: 0, max: 4096 });
    const out = load(k, `
      lddw r1, map_fd ${rb}
      mov r2, r10
      add r2, -512
      mov r3, 504
      mov r4, 0
      call 130
      exit`);
    // 512 bytes per record: 7 fit (the kernel keeps the ring from becoming completely full)
    for (let i = 0; i < 7; i++) expect(ret(k, out)).toBe(0);
    expect(ret(k, out)).toBe(-EAGAIN);
    (mapImpl(k, rb) as RingbufMap).drain();
    expect(ret(k, out)).toBe(0);
    const flagged = load(k, `
      lddw r1, map_fd ${rb}
      mov r2, 8
      mov r3, 1
      call 131
      exit`);
    expect(ret(k, flagged)).toBe(0);
  });

  it('submit/discard need the exact pointer reserve returned, once', () => {
    const k = newKernel();
    const rb = mkMap(k, { type: BPF_MAP_TYPE.RINGBUF, key: 0, value: 0, max: 4096 });
    const reserveThen = (body: string): number =>
      load(k, `
        lddw r1, map_fd ${rb}
        mov r2, 16
        mov r3, 0
        call 131
        jeq r0, 0, out
        mov r6, r0
        ${body}
      out:
        mov r0, 0
        exit`);
    expect(run(k, reserveThen('mov r1, r6\nmov r2, 0\ncall 132\nmov r1, r6\nmov r2, 0\ncall 133')).fault?.kind).toBe('helper');
    expect(run(k, reserveThen('mov r1, r6\nadd r1, 8\nmov r2, 0\ncall 132')).fault?.kind).toBe('helper');
    expect(run(k, reserveThen('mov r1, r10\nadd r1, -8\nmov r2, 0\ncall 132')).fault?.kind).toBe('helper');
  });

  it('a run that exits with a reservation open faults, and the reservation is discarded', () => {
    const k = newKernel();
    const rb = mkMap(k, { type: BPF_MAP_TYPE.RINGBUF, key: 0, value: 0, max: 4096 });
    const leak = load(k, `
      lddw r1, map_fd ${rb}
      mov r2, 16
      mov r3, 0
      call 131
      mov r0, 0
      exit`);
    const f = run(k, leak).fault;
    expect(f?.kind).toBe('invalid');
    expect(f?.pc).toBe(4); // the reserve call (lddw takes two slots)
    const impl = mapImpl(k, rb) as RingbufMap;
    expect(impl.outstanding).toBe(0);
    // the discarded record does not block the consumer
    expect(impl.consume()).toBe(0);
    expect(impl.query(2)).toBe(24);
  });

  it('r1 must be a ring buffer map', () => {
    const k = newKernel();
    const arr = mkMap(k, { type: BPF_MAP_TYPE.ARRAY, key: 4, value: 8, max: 1 });
    expect(run(k, load(k, `lddw r1, map_fd ${arr}\nmov r2, 0\ncall 134\nexit`)).fault?.kind).toBe('helper');
  });
});
