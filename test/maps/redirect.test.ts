/** DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP (kernel/bpf/devmap.c, cpumap.c, xskmap.c) and bpf_redirect_map. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/index.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { ERRNO } from '../../src/util/errno.js';
import { ipv4Frame } from '../../src/util/packets.js';

const { EINVAL, E2BIG, EEXIST, ENOENT, EOPNOTSUPP, EOVERFLOW, EBADF, ENOTSOCK } = ERRNO;

const u32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v]).buffer);

function create(k: Kernel, type: number, max: number, valueSize = 4, flags = 0): number {
  return k.bpf(Cmd.MAP_CREATE, { map_type: type, key_size: 4, value_size: valueSize, max_entries: max, map_flags: flags });
}
const update = (k: Kernel, fd: number, key: number, value: Uint8Array, flags = 0): number => k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: fd, key: u32(key), value, flags });
function lookup(k: Kernel, fd: number, key: number, size = 4): [number, Uint8Array] {
  const v = new Uint8Array(size);
  return [k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: fd, key: u32(key), value: v }), v];
}

describe('redirect map creation (dev_map_alloc, cpu_map_alloc, xsk_map_alloc)', () => {
  it('checks key size, value size, max_entries and flags', () => {
    const k = new Kernel();
    for (const t of [BPF_MAP_TYPE.DEVMAP, BPF_MAP_TYPE.DEVMAP_HASH, BPF_MAP_TYPE.CPUMAP]) {
      expect(create(k, t, 4)).toBeGreaterThan(2);
      expect(create(k, t, 4, 8)).toBeGreaterThan(2);
      expect(create(k, t, 4, 12)).toBe(-EINVAL);
      expect(create(k, t, 0)).toBe(-EINVAL);
    }
    expect(create(k, BPF_MAP_TYPE.XSKMAP, 2)).toBeGreaterThan(2);
    expect(create(k, BPF_MAP_TYPE.XSKMAP, 2, 8)).toBe(-EINVAL);
    expect(create(k, BPF_MAP_TYPE.CPUMAP, 8193)).toBe(-E2BIG);
    expect(create(k, BPF_MAP_TYPE.CPUMAP, 2, 4, 1 << 3 /* RDONLY */)).toBe(-EINVAL);
  });

  it('DEVMAP and DEVMAP_HASH get BPF_F_RDONLY_PROG (dev_map_init_map; 6.18 map info flags 0x80), the others keep their flags', () => {
    const k = new Kernel();
    const flagsOf = (fd: number): number => {
      const e = k.mapEntry(fd);
      if (typeof e === 'number') throw new Error(`map fd ${fd}: ${e}`);
      return e.map.flags;
    };
    expect(flagsOf(create(k, BPF_MAP_TYPE.DEVMAP, 4))).toBe(1 << 7);
    expect(flagsOf(create(k, BPF_MAP_TYPE.DEVMAP_HASH, 4, 4, 1 << 3 /* RDONLY: per fd, not kept */))).toBe(1 << 7);
    expect(flagsOf(create(k, BPF_MAP_TYPE.CPUMAP, 2))).toBe(0);
    expect(flagsOf(create(k, BPF_MAP_TYPE.XSKMAP, 2))).toBe(0);
  });
});

describe('DEVMAP', () => {
  it('stores existing devices only; NOEXIST is EEXIST; out of range is E2BIG; delete empties a slot', () => {
    const k = new Kernel();
    const fd = create(k, BPF_MAP_TYPE.DEVMAP, 4);
    expect(lookup(k, fd, 0)[0]).toBe(-ENOENT);
    expect(update(k, fd, 0, u32(7))).toBe(-EINVAL); // no device with ifindex 7
    expect(update(k, fd, 0, u32(1))).toBe(0);
    expect(lookup(k, fd, 0)).toEqual([0, u32(1)]);
    expect(update(k, fd, 1, u32(1), 1 /* BPF_NOEXIST */)).toBe(-EEXIST);
    expect(update(k, fd, 4, u32(1))).toBe(-E2BIG);
    expect(update(k, fd, 0, u32(1), 3)).toBe(-EINVAL);
    expect(k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: fd, key: u32(0) })).toBe(0);
    expect(lookup(k, fd, 0)[0]).toBe(-ENOENT);
    expect(k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: fd, key: u32(9) })).toBe(-EINVAL);
  });

  it('DEVMAP_HASH: NOEXIST/EXIST, ENOENT on delete, bucket iteration order (newest first in a bucket)', () => {
    const k = new Kernel();
    const fd = create(k, BPF_MAP_TYPE.DEVMAP_HASH, 4);
    expect(update(k, fd, 9, u32(1), 2 /* BPF_EXIST */)).toBe(-ENOENT);
    for (const key of [9, 5, 2, 1]) expect(update(k, fd, key, u32(1))).toBe(0);
    expect(update(k, fd, 9, u32(1), 1)).toBe(-EEXIST);
    expect(update(k, fd, 3, u32(1))).toBe(-E2BIG); // full
    const keys: number[] = [];
    let prev: Uint8Array | null = null;
    for (;;) {
      const next = new Uint8Array(4);
      if (k.bpf(Cmd.MAP_GET_NEXT_KEY, { map_fd: fd, key: prev, next_key: next }) !== 0) break;
      keys.push(new DataView(next.buffer).getUint32(0, true));
      prev = next;
    }
    // 4 buckets: bucket 1 holds 5 then 9 (newest first) and 1; bucket 2 holds 2.
    expect(keys).toEqual([1, 5, 9, 2]);
    expect(k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: fd, key: u32(7) })).toBe(-ENOENT);
  });
});

describe('CPUMAP and XSKMAP', () => {
  it('CPUMAP: a qsize per possible CPU (EOVERFLOW past them); qsize 0 deletes', () => {
    const k = new Kernel({ nrCpus: 2 });
    const fd = create(k, BPF_MAP_TYPE.CPUMAP, 4);
    expect(update(k, fd, 1, u32(192))).toBe(0);
    expect(lookup(k, fd, 1)).toEqual([0, u32(192)]);
    expect(update(k, fd, 3, u32(192))).toBe(-EOVERFLOW);
    expect(update(k, fd, 1, u32(0))).toBe(0);
    expect(lookup(k, fd, 1)[0]).toBe(-ENOENT);
  });

  it('XSKMAP: no sockets exist; user lookups are EOPNOTSUPP', () => {
    const k = new Kernel();
    const fd = create(k, BPF_MAP_TYPE.XSKMAP, 2);
    expect(update(k, fd, 0, u32(77))).toBe(-EBADF);
    expect(update(k, fd, 0, u32(fd))).toBe(-ENOTSOCK);
    expect(update(k, fd, 2, u32(fd))).toBe(-E2BIG);
    expect(lookup(k, fd, 0)[0]).toBe(-EOPNOTSUPP);
  });
});

describe('xdp_redirect fixture: the 6.18 results', () => {
  it('bpf_redirect and bpf_redirect_map verdicts, before and after storing a device', () => {
    const k = new Kernel({ nrCpus: 2 });
    const o = BpfObject.open(readFileSync('programs/xdp_redirect.bpf.o'), { kernel: k });
    o.load();
    const run = (p: string): number => o.program(p).testRun({ dataIn: ipv4Frame('udp') }).retval;
    expect(run('redirect_ifindex')).toBe(4);
    expect(run('redirect_bad')).toBe(0);
    expect(run('redirect_dev')).toBe(2);
    expect(run('redirect_cpu')).toBe(1);
    expect(run('redirect_xsk')).toBe(2);
    o.map('tx_ports').update(u32(0), u32(1));
    expect(run('redirect_dev')).toBe(4);
    expect(k.lastTestRun?.redirect).toMatchObject({ kind: 'map', key: 0, target: { ifindex: 1 } });
  });
});
