/**
 * BPF_MAP_TYPE_STACK_TRACE (src/maps/stack-trace.ts) against Linux 6.18 (goldens/stack-trace.json,
 * recorded by live/stack-trace.c): BPF_MAP_CREATE's checks and the syscall operations on an empty
 * map, through the emulated bpf(); then bpf_get_stackid filling the map of
 * programs/tracing_helpers from an emulated kernel and user stack.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { withCallStack } from '../../src/helpers/tracing.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { jhash2 } from '../../src/maps/jhash.js';

interface Golden {
  readonly create: Readonly<Record<string, { key: number; value: number; max: number; flags: number; result: number }>>;
  readonly ops: Readonly<Record<string, number | object>>;
}
const G = JSON.parse(readFileSync(new URL('./goldens/stack-trace.json', import.meta.url), 'utf8')) as Golden;

const STACK_TRACE = 7;

function create(k: Kernel, key: number, value: number, max: number, flags: number): number {
  return k.bpf(Cmd.MAP_CREATE, { map_type: STACK_TRACE, key_size: key, value_size: value, max_entries: max, map_flags: flags });
}

const u32 = (v: number): Uint8Array => Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);

describe('STACK_TRACE against 6.18 (goldens/stack-trace.json)', () => {
  for (const [name, c] of Object.entries(G.create)) {
    it(`create: ${name}`, () => {
      const k = new Kernel();
      const fd = create(k, c.key, c.value, c.max, c.flags);
      expect(fd < 0 ? fd : 0).toBe(c.result);
    });
  }

  it('syscall operations on an empty map', () => {
    const k = new Kernel();
    const fd = create(k, 4, 16, 16, 0);
    const value = new Uint8Array(16);
    const next = new Uint8Array(4);
    const got = {
      'lookup 0': k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: fd, key: u32(0), value }),
      'lookup 16 (past the buckets)': k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: fd, key: u32(16), value }),
      'update 0': k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: fd, key: u32(0), value, flags: 0 }),
      'delete 0': k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: fd, key: u32(0) }),
      'delete 16': k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: fd, key: u32(16) }),
      'get_next_key NULL': k.bpf(Cmd.MAP_GET_NEXT_KEY, { map_fd: fd, next_key: next }),
      'get_next_key 0': k.bpf(Cmd.MAP_GET_NEXT_KEY, { map_fd: fd, key: u32(0), next_key: next }),
      'lookup_and_delete 0': k.bpf(Cmd.MAP_LOOKUP_AND_DELETE_ELEM, { map_fd: fd, key: u32(0), value }),
    };
    const { map: _map, ...want } = G.ops as Record<string, number> & { map: object };
    expect(got).toEqual(want);
  });
});

describe('bpf_get_stackid (programs/tracing_helpers kprobe_stackid)', () => {
  const KERNEL = [0xffffffff81000010n, 0xffffffff81000020n, 0xffffffff81000030n, 0xffffffff81000040n, 0xffffffff81000050n];
  const USER = [0x401000n, 0x401100n];

  /** The bucket the kernel picks: jhash2 over the u32 words of the (at most 4) frames, initval 0, & 15. */
  function bucket(frames: readonly bigint[]): number {
    const b = new Uint8Array(frames.length * 8);
    frames.forEach((f, i) => new DataView(b.buffer).setBigUint64(i * 8, f, true));
    return (jhash2(b, 0, frames.length * 2, 0) >>> 0) & 15;
  }

  it('stores each stack in its bucket and returns its id; the same stack gets the same id', () => {
    const o = BpfObject.open(readFileSync('programs/tracing_helpers.bpf.o'));
    o.load();
    o.attach();
    withCallStack(o.kernel, { kernel: KERNEL, user: USER }, () => o.fire('kprobe', 'do_unlinkat', { regs: {} }));
    const out = o.map('out');
    const r = (i: number): bigint => BigInt.asIntN(64, new DataView(out.lookup(u32(i))!.buffer).getBigUint64(0, true));
    const kid = bucket(KERNEL.slice(0, 4));
    const uid = bucket(USER);
    expect([r(31), r(32), r(33), r(34), r(35)]).toEqual([BigInt(kid), BigInt(kid), BigInt(uid), -22n, -14n]);
    const stacks = o.map('stacks');
    const frames = (id: number): bigint[] => {
      const v = stacks.lookup(u32(id))!;
      return [0, 1, 2, 3].map((i) => new DataView(v.buffer).getBigUint64(i * 8, true));
    };
    expect(frames(kid)).toEqual(KERNEL.slice(0, 4));
    expect(frames(uid)).toEqual([...USER, 0n, 0n]);
    // get_next_key walks the occupied buckets in order
    const keys = [...stacks.keys()].map((k) => new DataView(k.buffer).getUint32(0, true));
    expect(keys).toEqual([kid, uid].sort((a, b) => a - b));
    o.close();
  });

  it('another stack in a taken bucket is -EEXIST; BPF_F_REUSE_STACKID would replace it; a full map is -ENOMEM', async () => {
    const { StackTraceMap } = await import('../../src/maps/stack-trace.js');
    const k = new Kernel();
    const fd = create(k, 4, 8, 1, 0);
    const map = k.mapGet(fd);
    if (typeof map === 'number') throw new Error(String(map));
    const m = map.impl as InstanceType<typeof StackTraceMap>;
    expect(m.nBuckets).toBe(1);
    expect(m.getStackId([1n], 0, 0)).toBe(0);
    expect(m.getStackId([1n], 0, 0)).toBe(0);
    expect(m.getStackId([2n], 0, 0)).toBe(-17);
    // every preallocated element is in use: even a replacement fails first
    expect(m.getStackId([2n], 0, 1 << 10)).toBe(-12);
    // BPF_F_FAST_STACK_CMP: an equal hash is enough to return the id
    const fd2 = create(k, 4, 8, 2, 0);
    const m2 = (k.mapGet(fd2) as { impl: InstanceType<typeof StackTraceMap> }).impl;
    const id = m2.getStackId([1n], 0, 0);
    expect(m2.getStackId([1n], 0, 1 << 9)).toBe(id);
    expect(m2.getStackId([1n], 1, 0)).toBe(-14);
  });
});
