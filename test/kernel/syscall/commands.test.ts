/**
 * The bpf() entry and the object commands (src/kernel/kernel.ts sysBpf, commands.ts, cmd-obj.ts,
 * fdtable.ts): attribute size and tail rules, CHECK_ATTR, the fd table, OBJ_GET_INFO_BY_FD,
 * *_GET_FD_BY_ID and *_GET_NEXT_ID. Expected errnos were checked with the same calls on Linux 6.18.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.js';
import { ATTR_SIZE } from '../../../src/kernel/syscall/attr.js';
import { BPF_MAP_TYPE } from '../../../src/maps/uapi.js';
import { ERRNO } from '../../../src/util/errno.js';
import { Cmd, ProgType, loadProg } from '../harness.js';

const { EINVAL, E2BIG, ENOENT, EBADF, EBADFD, EPERM } = ERRNO;

/** MAP_CREATE attribute bytes for an ARRAY of 4 u64 values named `name`. */
function arrayAttr(name = 'm1', size = ATTR_SIZE): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, BPF_MAP_TYPE.ARRAY, true);
  dv.setUint32(4, 4, true);
  dv.setUint32(8, 8, true);
  dv.setUint32(12, 4, true);
  b.set(new TextEncoder().encode(name), 28);
  return b;
}

/** BPF_OBJ_GET_INFO_BY_FD into a buffer of `len` bytes (pre-filled by `fill`); returns err, info_len and the bytes. */
function info(k: Kernel, fd: number, len: number, fill?: (b: Uint8Array) => void): { err: number; len: number; bytes: Uint8Array } {
  const bytes = new Uint8Array(len);
  fill?.(bytes);
  const attr = { bpf_fd: fd, info_len: len, info: bytes };
  const err = k.bpf(Cmd.OBJ_GET_INFO_BY_FD, attr);
  return { err, len: attr.info_len, bytes };
}

const u32 = (b: Uint8Array, off: number): number => new DataView(b.buffer, b.byteOffset).getUint32(off, true);

describe('bpf() attribute rules', () => {
  it('takes raw union bpf_attr bytes as well as typed objects, with the same result', () => {
    const k = new Kernel();
    const raw = k.bpf(Cmd.MAP_CREATE, arrayAttr());
    const typed = k.bpf(Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.ARRAY, key_size: 4, value_size: 8, max_entries: 4, map_name: 'm1' });
    expect([raw, typed]).toEqual([3, 4]);
    const a = info(k, raw, 104).bytes;
    const b = info(k, typed, 104).bytes;
    expect(a.subarray(8, 40)).toEqual(b.subarray(8, 40)); // sizes, flags, name; ids differ
    expect(u32(b, 4)).toBe(u32(a, 4) + 1);
  });

  it('bytes past the kernel\'s union must be zero (E2BIG), a size above a page is E2BIG', () => {
    const k = new Kernel();
    const big = arrayAttr('m1', 256);
    expect(k.bpf(Cmd.MAP_CREATE, big, 256)).toBe(3);
    big[200] = 1;
    expect(k.bpf(Cmd.MAP_CREATE, big, 256)).toBe(-E2BIG);
    expect(k.bpf(Cmd.MAP_CREATE, arrayAttr('m1', 4097), 4097)).toBe(-E2BIG);
    // A short size zero-fills the rest: 16 bytes are a full enough ARRAY map.
    expect(k.bpf(Cmd.MAP_CREATE, arrayAttr(), 16)).toBe(4);
  });

  it('CHECK_ATTR: a non-zero byte after the command\'s last field is EINVAL', () => {
    const k = new Kernel();
    const a = arrayAttr();
    a[ATTR_SIZE - 1] = 1;
    expect(k.bpf(Cmd.MAP_CREATE, a)).toBe(-EINVAL);
    const fd = k.bpf(Cmd.MAP_CREATE, arrayAttr());
    const id = u32(info(k, fd, 8).bytes, 4);
    const get = new Uint8Array(ATTR_SIZE);
    new DataView(get.buffer).setUint32(0, id, true);
    get[12] = 1; // past open_flags
    expect(k.bpf(Cmd.MAP_GET_FD_BY_ID, get)).toBe(-EINVAL);
    get[12] = 0;
    expect(k.bpf(Cmd.MAP_GET_FD_BY_ID, get)).toBe(fd + 1);
  });

  it('an unknown command is EINVAL; a typed field the command does not have is a host error', () => {
    const k = new Kernel();
    expect(k.bpf(999, new Uint8Array(ATTR_SIZE))).toBe(-EINVAL);
    expect(() => k.bpf(Cmd.MAP_CREATE, { no_such_field: 1 })).toThrow(/no_such_field/);
  });
});

describe('fd table', () => {
  it('hands out the lowest free fd above stdio and reuses closed ones; close of a bad fd is EBADF', () => {
    const k = new Kernel();
    const fds = [0, 1, 2].map(() => k.bpf(Cmd.MAP_CREATE, arrayAttr()));
    expect(fds).toEqual([3, 4, 5]);
    expect(k.close(4)).toBe(0);
    expect(k.close(4)).toBe(-EBADF);
    expect(k.bpf(Cmd.MAP_CREATE, arrayAttr())).toBe(4);
    expect(k.bpf(Cmd.MAP_CREATE, arrayAttr())).toBe(6);
    expect(k.close(99)).toBe(-EBADF);
  });
});

describe('BPF_OBJ_GET_INFO_BY_FD', () => {
  it('map info: type, id, sizes, flags and name, truncated to info_len', () => {
    const k = new Kernel();
    const fd = k.bpf(Cmd.MAP_CREATE, arrayAttr('counters'));
    const full = info(k, fd, 104);
    expect(full.err).toBe(0);
    expect(full.len).toBe(104);
    const b = full.bytes;
    expect([u32(b, 0), u32(b, 8), u32(b, 12), u32(b, 16), u32(b, 20)]).toEqual([BPF_MAP_TYPE.ARRAY, 4, 8, 4, 0]);
    expect(new TextDecoder().decode(b.subarray(24, 32))).toBe('counters');
    expect(u32(b, 4)).toBeGreaterThan(0);
    const short = info(k, fd, 8);
    expect([short.err, short.len, u32(short.bytes, 0), u32(short.bytes, 4)]).toEqual([0, 8, BPF_MAP_TYPE.ARRAY, u32(b, 4)]);
  });

  it('a longer buffer gets the kernel\'s size back; non-zero bytes beyond it are E2BIG', () => {
    const k = new Kernel();
    const fd = k.bpf(Cmd.MAP_CREATE, arrayAttr());
    const long = info(k, fd, 300);
    expect([long.err, long.len, u32(long.bytes, 8)]).toEqual([0, 104, 4]);
    expect(info(k, fd, 300, (b) => (b[250] = 1)).err).toBe(-E2BIG);
  });

  it('prog info: type, id, name, map ids, xlated length', () => {
    const k = new Kernel();
    const mfd = k.bpf(Cmd.MAP_CREATE, arrayAttr());
    const pfd = loadProg(k, ProgType.SOCKET_FILTER, `lddw r1, map_fd ${mfd}\nmov r0, 0\nexit`, { name: 'p1' });
    expect(pfd).toBe(4);
    const mapId = u32(info(k, mfd, 8).bytes, 4);
    const ids = new Uint8Array(8);
    const p = info(k, pfd, 232, (b) => {
      const dv = new DataView(b.buffer);
      dv.setUint32(52, 2, true); // nr_map_ids: room for two
      dv.setBigUint64(56, BigInt(k.user.alloc(ids)), true);
    });
    expect(p.err).toBe(0);
    const b = p.bytes;
    expect(u32(b, 0)).toBe(ProgType.SOCKET_FILTER);
    expect(new TextDecoder().decode(b.subarray(64, 66))).toBe('p1');
    expect(u32(b, 52)).toBe(1); // nr_map_ids: how many there are
    expect(u32(b, 20)).toBe(4 * 8); // xlated_prog_len: lddw takes two slots
    expect(u32(b, 84)).toBe(1); // gpl_compatible
    const idsBack = k.user.read(Number(new DataView(b.buffer).getBigUint64(56, true)), 4)!;
    expect(u32(idsBack, 0)).toBe(mapId);
  });

  it('a bad fd is EBADFD; an fd that is not a BPF object is EINVAL', () => {
    const k = new Kernel();
    expect(info(k, 99, 8).err).toBe(-EBADFD);
    expect(info(k, 1, 8).err).toBe(-EINVAL);
  });
});

describe('*_GET_FD_BY_ID and *_GET_NEXT_ID', () => {
  it('MAP_GET_FD_BY_ID: a new fd on the same map, open flags, ENOENT for id 0 and freed maps', () => {
    const k = new Kernel();
    const fd = k.bpf(Cmd.MAP_CREATE, arrayAttr());
    const id = u32(info(k, fd, 8).bytes, 4);
    expect(k.bpf(Cmd.MAP_GET_FD_BY_ID, { map_id: 0 })).toBe(-ENOENT);
    expect(k.bpf(Cmd.MAP_GET_FD_BY_ID, { map_id: id, open_flags: 0x18 })).toBe(-EINVAL); // RDONLY | WRONLY
    const rd = k.bpf(Cmd.MAP_GET_FD_BY_ID, { map_id: id, open_flags: 0x08 });
    const wr = k.bpf(Cmd.MAP_GET_FD_BY_ID, { map_id: id, open_flags: 0x10 });
    const key = new Uint8Array(4);
    const value = new Uint8Array(8).fill(5);
    expect(k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: rd, key, value })).toBe(-EPERM);
    expect(k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: wr, key, value })).toBe(0);
    expect(k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: wr, key, value: new Uint8Array(8) })).toBe(-EPERM);
    const out = new Uint8Array(8);
    expect(k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: rd, key, value: out })).toBe(0);
    expect(out).toEqual(value);
    for (const f of [fd, rd, wr]) expect(k.close(f)).toBe(0);
    expect(k.bpf(Cmd.MAP_GET_FD_BY_ID, { map_id: id })).toBe(-ENOENT);
  });

  it('PROG_GET_FD_BY_ID keeps the program alive after its first fd closes', () => {
    const k = new Kernel();
    const pfd = loadProg(k, ProgType.SOCKET_FILTER, 'mov r0, 7\nexit');
    const id = u32(info(k, pfd, 8).bytes, 4);
    const again = k.bpf(Cmd.PROG_GET_FD_BY_ID, { prog_id: id });
    expect(again).toBe(pfd + 1);
    expect(k.close(pfd)).toBe(0);
    const attr = { prog_fd: again, data_in: new Uint8Array(64), data_size_in: 64, retval: 0 };
    expect(k.bpf(Cmd.PROG_TEST_RUN, attr)).toBe(0);
    expect(attr.retval).toBe(7);
    expect(k.close(again)).toBe(0);
    expect(k.bpf(Cmd.PROG_GET_FD_BY_ID, { prog_id: id })).toBe(-ENOENT);
  });

  it('GET_NEXT_ID walks ids in order; INT_MAX and above is EINVAL, the end is ENOENT', () => {
    const k = new Kernel();
    const ids = [0, 1, 2].map(() => u32(info(k, k.bpf(Cmd.MAP_CREATE, arrayAttr()), 8).bytes, 4));
    const walk: number[] = [];
    let start = 0;
    for (;;) {
      const a = { start_id: start, next_id: 0 };
      const r = k.bpf(Cmd.MAP_GET_NEXT_ID, a);
      if (r === -ENOENT) break;
      expect(r).toBe(0);
      walk.push(a.next_id);
      start = a.next_id;
    }
    expect(walk).toEqual(ids);
    expect(k.bpf(Cmd.MAP_GET_NEXT_ID, { start_id: 0x7fffffff })).toBe(-EINVAL);
    expect(k.bpf(Cmd.MAP_GET_NEXT_ID, { start_id: 0x7ffffffe })).toBe(-ENOENT);
  });
});

describe('BPF_PROG_TEST_RUN repetitions', () => {
  it('a repeat that outlasts testRunTimeoutMs ends with EINTR, as a signal ends it in the kernel', () => {
    const k = new Kernel({ testRunTimeoutMs: 50 });
    const fd = loadProg(k, ProgType.XDP, 'mov r0, 0\nloop:\nadd r0, 1\njlt r0, 100, loop\nmov r0, 2\nexit');
    const data = new Uint8Array(64);
    // A repeat that finishes in time is unaffected (20 runs of ~300 instructions: far inside 50 ms
    // even for a cold interpreter on a loaded machine; 300 runs were not, and made this test flaky).
    const ok = { prog_fd: fd, data_in: data, data_size_in: 64, repeat: 20, retval: 0 };
    expect(k.bpf(Cmd.PROG_TEST_RUN, ok)).toBe(0);
    const regions = k.mem.liveCount; // the program's code and the run machine's stack frames
    const started = performance.now();
    const attr = { prog_fd: fd, data_in: data, data_size_in: 64, repeat: 0xffffffff, retval: 0 };
    expect(k.bpf(Cmd.PROG_TEST_RUN, attr)).toBe(-ERRNO.EINTR);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(k.mem.liveCount).toBe(regions); // the interrupted run's packet and ctx regions were retired
    // The kernel is usable afterwards.
    expect(k.bpf(Cmd.PROG_TEST_RUN, ok)).toBe(0);
    expect(ok.retval).toBe(2);
  });
});

describe('BPF_ENABLE_STATS and run statistics', () => {
  it('run_cnt/run_time_ns count only while a stats fd is open (or the sysctl is on)', () => {
    const k = new Kernel();
    const fd = loadProg(k, ProgType.SOCKET_FILTER, 'mov r0, 0\nloop:\nadd r0, 1\njlt r0, 1000, loop\nexit');
    const stats = (): [number, bigint] => {
      const b = info(k, fd, 232).bytes;
      const dv = new DataView(b.buffer);
      return [Number(dv.getBigUint64(200, true)), dv.getBigUint64(192, true)]; // run_cnt, run_time_ns
    };
    const run = (repeat: number): number => k.bpf(Cmd.PROG_TEST_RUN, { prog_fd: fd, data_in: new Uint8Array(64), data_size_in: 64, repeat });
    expect(run(5)).toBe(0);
    expect(stats()).toEqual([0, 0n]);
    expect(k.bpf(Cmd.ENABLE_STATS, { type: 1 })).toBe(-ERRNO.EINVAL); // only BPF_STATS_RUN_TIME
    const s1 = k.bpf(Cmd.ENABLE_STATS, { type: 0 });
    const s2 = k.bpf(Cmd.ENABLE_STATS, { type: 0 });
    expect([s1, s2]).toEqual([fd + 1, fd + 2]);
    expect(info(k, s1, 8).err).toBe(-ERRNO.EINVAL); // not a BPF object
    expect(run(3)).toBe(0);
    const [cnt, ns] = stats();
    expect(cnt).toBe(3);
    expect(ns > 0n).toBe(true);
    k.close(s1);
    expect(run(2)).toBe(0);
    expect(stats()[0]).toBe(5); // s2 still open
    k.close(s2);
    expect(run(2)).toBe(0);
    expect(stats()[0]).toBe(5);
    // CHECK_ATTR: nothing after enable_stats.type.
    const raw = new Uint8Array(ATTR_SIZE);
    raw[4] = 1;
    expect(k.bpf(Cmd.ENABLE_STATS, raw)).toBe(-ERRNO.EINVAL);
    // kernel.bpf_stats_enabled = 1
    const on = new Kernel({ statsEnabled: true });
    const pfd = loadProg(on, ProgType.SOCKET_FILTER, 'mov r0, 0\nexit');
    expect(on.bpf(Cmd.PROG_TEST_RUN, { prog_fd: pfd, data_in: new Uint8Array(64), data_size_in: 64, repeat: 4 })).toBe(0);
    const dv = new DataView(info(on, pfd, 232).bytes.buffer);
    expect(dv.getBigUint64(200, true)).toBe(4n);
  });
});
