/**
 * The arena kfuncs (kernel/kfuncs/arena.ts) and arena programs end to end, through
 * programs/arena_list.bpf.o (a linked list and a bump allocator in the style of the kernel selftests'
 * arena_list): test runs of its syscall programs on the fast interpreter, the reference interpreter
 * and the JS tier, checked against a model of the list kept here, and user-space reads and writes of
 * the same pages through the arena's mapping. The expectations follow the 6.18 sources, not a live
 * run: this kernel refuses arena maps (test/maps/arena.test.ts records it).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import type { EngineName } from '../../../src/vm/run.js';
import { tierStats } from '../../../src/vm/tier/cache.js';

const OBJ = readFileSync(new URL('../../../programs/arena_list.bpf.o', import.meta.url));
const PAGE = 4096n;

/** struct list_args of the fixture, as u64 fields. */
const F = { n: 0, start: 1, step: 2, sum: 3, len: 4, head: 5, pages: 6, magic: 7, err: 8 } as const;

function open(engine: EngineName): BpfObject {
  const o = BpfObject.open(OBJ, { kernelOptions: { engine } });
  o.load();
  return o;
}

function run(o: BpfObject, prog: string, fields: Partial<Record<keyof typeof F, bigint>> = {}): { ret: number; out: bigint[] } {
  const ctx = new Uint8Array(9 * 8);
  const dv = new DataView(ctx.buffer);
  for (const [k, v] of Object.entries(fields)) dv.setBigUint64(F[k as keyof typeof F] * 8, v, true);
  const r = o.program(prog).testRun({ ctxIn: ctx });
  return { ret: r.retval, out: Array.from({ length: 9 }, (_, k) => dv.getBigUint64(k * 8, true)) };
}

/** Offsets of the fixture's `__arena` globals in the arena (its .addr_space.1 DATASEC), by name. */
function arenaGlobals(o: BpfObject): Map<string, number> {
  const btf = o.spec.btf!;
  const ds = btf.types.find((t) => t.kind === 'DATASEC' && t.name === '.addr_space.1');
  if (ds === undefined || ds.kind !== 'DATASEC') throw new Error('no .addr_space.1 DATASEC');
  return new Map(ds.vars.map((v) => [btf.type(v.type).name, v.offset]));
}

/** The list as the model sees it: values from the head. */
class ListModel {
  values: bigint[] = [];
  push(n: number, start: bigint, step: bigint): void {
    for (let i = 0; i < Math.min(n, 64); i++) this.values.unshift(start + BigInt(i) * step);
  }
  pop(n: number): number {
    const k = Math.min(n, 64, this.values.length);
    this.values.splice(0, k);
    return k;
  }
  get sum(): bigint {
    return this.values.reduce((a, b) => a + b, 0n);
  }
}

const ENGINES: EngineName[] = ['fast', 'reference', 'js'];

describe('arena_list on every engine, against a model of the list', () => {
  for (const engine of ENGINES) {
    it(`${engine}: push, sum and pop agree with the model, and user space sees the same elements`, () => {
      const calls = tierStats.calls;
      const o = open(engine);
      const u = o.map('arena').arena();
      const model = new ListModel();
      const steps: [number, bigint, bigint][] = [[3, 10n, 5n], [40, 1000n, 7n], [64, 1n << 40n, 3n], [1, 0n, 0n]];
      for (const [n, start, step] of steps) {
        expect(run(o, 'list_push', { n: BigInt(n), start, step }).ret).toBe(0);
        model.push(n, start, step);
        const s = run(o, 'list_sum');
        expect(s.ret).toBe(0);
        expect(s.out[F.sum]).toBe(BigInt.asUintN(64, model.sum));
        expect(s.out[F.len]).toBe(BigInt(model.values.length));
        // 16-byte elements, 256 a page: a new page on the first push only
        expect(s.out[F.pages]).toBe(BigInt(Math.ceil(model.values.length / 256)));
        expect(s.out[F.magic]).toBe(0x600dcafen);
      }
      // user space walks the same list through its mapping: next at +0, value at +8
      const head = run(o, 'list_sum').out[F.head];
      const seen: bigint[] = [];
      for (let e = head; e !== 0n && seen.length < 1000; e = u.readU64(e)) seen.push(u.readU64(e + 8n));
      expect(seen).toEqual(model.values.map((v) => BigInt.asUintN(64, v)));
      // ... and the globals at their offsets: list_head, list_len, magic (copied in by the loader)
      const g = arenaGlobals(o);
      expect(u.readU64(u.start + BigInt(g.get('list_head')!))).toBe(head);
      expect(u.readU64(u.start + BigInt(g.get('list_len')!))).toBe(BigInt(model.values.length));
      expect(u.readU64(u.start + BigInt(g.get('magic')!))).toBe(0x600dcafen);
      // a user-space write is what the program reads next
      const w = new Uint8Array(8);
      new DataView(w.buffer).setBigUint64(0, 123456789n, true);
      u.write(head + 8n, w);
      model.values[0] = 123456789n;
      expect(run(o, 'list_sum').out[F.sum]).toBe(BigInt.asUintN(64, model.sum));
      // pop
      expect(run(o, 'list_pop', { n: 50n }).ret).toBe(model.pop(50));
      const s = run(o, 'list_sum');
      expect([s.out[F.sum], s.out[F.len]]).toEqual([BigInt.asUintN(64, model.sum), BigInt(model.values.length)]);
      if (engine === 'js') expect(tierStats.calls).toBeGreaterThan(calls);
    });
  }

  it('the bump allocator runs out of pages: ENOMEM in err, the list intact', () => {
    const o = open('fast');
    const model = new ListModel();
    // 8 pages, page 0 holds the globals: 7 pages of 256 elements
    let ret = 0;
    for (let k = 0; k < 40 && ret === 0; k++) {
      const r = run(o, 'list_push', { n: 64n, start: BigInt(k), step: 1n });
      ret = r.ret;
      if (ret === 0) model.push(64, BigInt(k), 1n);
      else {
        expect(r.out[F.err]).toBe(BigInt.asUintN(64, -12n));
        // the elements pushed before the failure are in the list too
        const pushed = 7 * 256 - model.values.length;
        model.push(pushed, BigInt(k), 1n);
      }
    }
    expect(ret).toBe(1);
    // list_sum walks at most 512 elements: it returns 1 (its count differs from list_len)
    const s = run(o, 'list_sum');
    expect(s.ret).toBe(1);
    expect(s.out[F.len]).toBe(512n);
    expect(s.out[F.sum]).toBe(model.values.slice(0, 512).reduce((a, b) => a + b, 0n));
    expect(s.out[F.pages]).toBe(7n);
    const u = o.map('arena').arena();
    expect(u.readU64(u.start + BigInt(arenaGlobals(o).get('list_len')!))).toBe(BigInt(7 * 256));
    expect(model.values.length).toBe(7 * 256);
  });
});

describe('bpf_arena_alloc_pages / bpf_arena_free_pages edge cases (page_ops)', () => {
  const names = ['zero_pages', 'too_many', 'bad_flags', 'first', 'fixed', 'fixed_again', 'unaligned', 'read_back', 'after_free', 'after_store', 'unallocated', 'realloc'] as const;
  for (const engine of ENGINES) {
    it(`${engine}: NULL for 0 pages, too many pages, flags, a taken or unaligned address; faults read 0`, () => {
      const o = open(engine);
      const u = o.map('arena').arena();
      const ctx = new Uint8Array(names.length * 8);
      const dv = new DataView(ctx.buffer);
      expect(o.program('page_ops').testRun({ ctxIn: ctx }).retval).toBe(0);
      const r = Object.fromEntries(names.map((n, k) => [n, dv.getBigUint64(k * 8, true)]));
      // page 0 holds the globals (the loader wrote them), so the first free page is page 1
      const first = u.start + PAGE;
      expect(r).toEqual({
        zero_pages: 0n,
        too_many: 0n,
        bad_flags: 0n,
        first,
        fixed: first + 2n * PAGE,
        fixed_again: 0n,
        unaligned: 0n,
        read_back: 0x1122334455667788n,
        after_free: 0n,
        after_store: 0n,
        unallocated: 0n,
        realloc: first,
      });
      // the reallocated page is a fresh zeroed page, for user space too
      expect(u.readU64(first)).toBe(0n);
    });
  }
});

describe('the kfuncs in the registry', () => {
  it('are registered sleepable (KF_SLEEPABLE) with the 6.18 prototypes', () => {
    const k = BpfObject.open(OBJ).kernel;
    const protos = Object.fromEntries(
      ['bpf_arena_alloc_pages', 'bpf_arena_free_pages', 'bpf_arena_reserve_pages'].map((n) => {
        const r = k.kfuncs.get(n)!;
        expect(r.def.flags?.sleepable, n).toBe(true);
        return [n, `${r.def.proto.ret} (${r.def.proto.params.map((p) => `${p.type} ${p.name}`).join(', ')})`];
      }),
    );
    expect(protos).toEqual({
      bpf_arena_alloc_pages: 'void * (void * p__map, void * addr__ign, u32 page_cnt, int node_id, u64 flags)',
      bpf_arena_free_pages: 'void (void * p__map, void * ptr__ign, u32 page_cnt)',
      bpf_arena_reserve_pages: 'int (void * p__map, void * ptr__ign, u32 page_cnt)',
    });
  });
});

describe('an arena placed by the object (map_extra) with BPF_F_SEGV_ON_FAULT (programs/arena_fixed.bpf.c)', () => {
  const FIXED = readFileSync(new URL('../../../programs/arena_fixed.bpf.o', import.meta.url));
  const START = 0x7f00_0000_0000n;
  const take = (o: BpfObject, want: bigint, value: bigint): { ret: number; got: bigint } => {
    const ctx = new Uint8Array(24);
    const dv = new DataView(ctx.buffer);
    dv.setBigUint64(0, want, true);
    dv.setBigUint64(8, value, true);
    const ret = o.program('take_page').testRun({ ctxIn: ctx }).retval;
    return { ret, got: dv.getBigUint64(16, true) };
  };
  it('maps at map_extra; pages come from there; untouched pages SIGSEGV in user space', () => {
    const o = BpfObject.open(FIXED);
    expect(o.spec.maps.find((m) => m.name === 'fixed')!.mapExtra).toBe(START);
    o.load();
    const u = o.map('fixed').arena();
    expect(u.start).toBe(START);
    expect(u.length).toBe(4 * 4096);
    expect(take(o, 0n, 7n)).toEqual({ ret: 0, got: START });
    expect(take(o, START + 2n * PAGE, 9n)).toEqual({ ret: 0, got: START + 2n * PAGE });
    expect(take(o, START + 2n * PAGE, 1n)).toEqual({ ret: 1, got: 0n }); // taken
    expect(u.readU64(START)).toBe(7n);
    expect(u.readU64(START + 2n * PAGE)).toBe(9n);
    let code = '';
    try {
      u.readU64(START + PAGE);
    } catch (e) {
      code = (e as { code?: string }).code ?? '';
    }
    expect(code).toBe('MAP_SEGV');
  });
});
