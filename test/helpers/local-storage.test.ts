/**
 * The local-storage helpers (helpers/local-storage.ts) at run time: bpf_{task,cgrp,sk}_storage_get
 * with and without BPF_LOCAL_STORAGE_GET_F_CREATE, init values, unknown flags and NULL owners;
 * _delete's -ENOENT/-EINVAL; a released owner gets no new storage; a map of another type faults;
 * and the verifier refuses that map (check_map_func_compatibility, as 6.18 does).
 */
import { describe, expect, it } from 'vitest';
import { BtfBuilder } from '../../src/btf/encode.js';
import type { KernelObjects } from '../../src/kernel/objects/kobjects.js';
import { localStorageOf } from '../../src/maps/local-storage.js';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { ERRNO } from '../../src/util/errno.js';
import { Memory, PERM_RW, RegionKind } from '../../src/vm/memory.js';
import { localStorageHelpers } from '../../src/helpers/local-storage.js';
import { Cmd, ProgType, getU64, load, loadProg, mkMap, newKernel, run } from './env.js';

type K = ReturnType<typeof newKernel>;

/** A local-storage map (int key, 8-byte value with BTF) in `k`. */
function storageMap(k: K, type: number): number {
  const b = new BtfBuilder();
  const int = b.int('int', 4, { signed: true });
  const u64 = b.int('unsigned long long', 8);
  const val = b.struct('val', [{ name: 'x', type: u64 }]);
  const bytes = b.encode();
  const fd = k.bpf(Cmd.BTF_LOAD, { btf: bytes, btf_size: bytes.length });
  return mkMap(k, { type, key: 4, value: 8, max: 0, flags: 1, btf: { fd, key: int, value: val } });
}

/**
 * ctx: [0] owner pointer, [8] flags, [16] 1 = pass an init value (77); out: [24] whether r0 is
 * non-NULL, [32] the value read through it.
 */
const getProg = (map: number, id: number): string => `
    mov r9, r1
    stdw [r10-8], 77
    ldxdw r2, [r9+0]
    ldxdw r4, [r9+8]
    ldxdw r3, [r9+16]
    jeq r3, 0, noinit
    mov r3, r10
    add r3, -8
  noinit:
    lddw r1, map_fd ${map}
    call ${id}
    mov r1, 0
    jeq r0, 0, null
    mov r1, 1
    ldxdw r2, [r0+0]
    stxdw [r9+32], r2
  null:
    stxdw [r9+24], r1
    mov r0, 0
    exit`;

/** ctx [0] owner pointer; r0 = the delete helper's result. */
const deleteProg = (map: number, id: number): string => `
    ldxdw r2, [r1+0]
    lddw r1, map_fd ${map}
    call ${id}
    exit`;

function ctx(owner: bigint, flags: bigint, init: boolean): Uint8Array {
  const c = new Uint8Array(40);
  const dv = new DataView(c.buffer);
  dv.setBigUint64(0, owner, true);
  dv.setBigUint64(8, flags, true);
  dv.setBigUint64(16, init ? 1n : 0n, true);
  return c;
}

function get(k: K, fd: number, owner: bigint, flags: bigint, init = false): { nonNull: boolean; value: bigint } {
  const c = ctx(owner, flags, init);
  const r = run(k, fd, c);
  expect(r.err).toBe(0);
  return { nonNull: getU64(c, 24) === 1n, value: getU64(c, 32) };
}

function del(k: K, fd: number, owner: bigint): number {
  const r = run(k, fd, ctx(owner, 0n, false));
  expect(r.err).toBe(0);
  return r.ret;
}

function task(k: K, pid: number): bigint {
  return k.service<KernelObjects>('kobjects')!.addTask({ pid, comm: `t${pid}` }).pointer;
}

describe('bpf_task_storage_get / _delete (156 / 157)', () => {
  it('creates from the init value, finds it again, deletes it; unknown flags and NULL give NULL', () => {
    const k = newKernel();
    const map = storageMap(k, BPF_MAP_TYPE.TASK_STORAGE);
    const g = load(k, getProg(map, 156));
    const d = load(k, deleteProg(map, 157));
    const t = task(k, 100);
    expect(get(k, g, t, 0n)).toEqual({ nonNull: false, value: 0n });
    expect(get(k, g, t, 1n, true)).toEqual({ nonNull: true, value: 77n });
    expect(get(k, g, t, 0n)).toEqual({ nonNull: true, value: 77n });
    expect(get(k, g, t, 2n).nonNull).toBe(false);
    expect(get(k, g, t, 1n << 32n).nonNull).toBe(false);
    expect(get(k, g, 0n, 1n).nonNull).toBe(false);
    expect(del(k, d, t)).toBe(0);
    expect(del(k, d, t)).toBe(-ERRNO.ENOENT);
    expect(del(k, d, 0n)).toBe(-ERRNO.EINVAL);
    // without an init value the new storage is zeroed
    expect(get(k, g, t, 1n)).toEqual({ nonNull: true, value: 0n });
  });

  it('owners are separate; a released owner gets no new storage', () => {
    const k = newKernel();
    const map = storageMap(k, BPF_MAP_TYPE.TASK_STORAGE);
    const g = load(k, getProg(map, 156));
    const [a, b] = [task(k, 100), task(k, 200)];
    expect(get(k, g, a, 1n, true).value).toBe(77n);
    expect(get(k, g, b, 1n).value).toBe(0n);
    expect(localStorageOf(k).release(a)).toBe(1);
    expect(get(k, g, a, 1n).nonNull).toBe(false);
    expect(get(k, g, b, 0n).nonNull).toBe(true);
  });

  it('a map of another type faults at run time; the verifier refuses it at load', () => {
    const k = newKernel();
    const cg = storageMap(k, BPF_MAP_TYPE.CGRP_STORAGE);
    const r = run(k, load(k, getProg(cg, 156)), ctx(task(k, 100), 1n, false));
    expect(r.fault?.kind).toBe('helper');
    expect(r.fault?.detail).toContain('cannot be used with this helper');
    const kv = newKernel({ verify: true });
    const arr = mkMap(kv, { type: BPF_MAP_TYPE.ARRAY, key: 4, value: 8, max: 1 });
    const src = `
      call 158
      mov r2, r0
      lddw r1, map_fd ${arr}
      mov r3, 0
      mov r4, 0
      call 156
      mov r0, 0
      exit`;
    expect(loadProg(kv, src)).toBe(-ERRNO.EINVAL);
    const v = kv.lastVerifierResult;
    expect(v !== null && !v.ok ? v.error.reason : '').toBe('cannot pass map_type 2 into func bpf_task_storage_get#156');
    // the same program on a task storage map is accepted
    expect(loadProg(kv, src.replace(`map_fd ${arr}`, `map_fd ${storageMap(kv, BPF_MAP_TYPE.TASK_STORAGE)}`))).toBeGreaterThan(0);
  });
});

describe('bpf_cgrp_storage_get / _delete (210 / 211) and bpf_sk_storage_get / _delete (107 / 108)', () => {
  it('cgroup storage keyed by a cgroup object', () => {
    const k = newKernel();
    const map = storageMap(k, BPF_MAP_TYPE.CGRP_STORAGE);
    const g = load(k, getProg(map, 210));
    const d = load(k, deleteProg(map, 211));
    // any emulated kernel object can be an owner; a cgroup here is a plain object region
    const cg = k.service<KernelObjects>('kobjects')!.create('cred', {}, { label: 'cgroup stand-in' }).pointer;
    expect(get(k, g, cg, 1n, true).value).toBe(77n);
    expect(del(k, d, cg)).toBe(0);
    expect(del(k, d, 0n)).toBe(-ERRNO.EINVAL);
  });

  it('sk storage: flags above F_CREATE give NULL; delete of a NULL socket is -EINVAL', () => {
    // the helpers as registered, offered to syscall programs so the test can run them with a ctx
    const defs = localStorageHelpers().filter((h) => h.id === 107 || h.id === 108).map((h) => ({ ...h, progTypes: [ProgType.SYSCALL] }));
    const k = newKernel({ helpers: defs });
    const map = storageMap(k, BPF_MAP_TYPE.SK_STORAGE);
    const g = load(k, getProg(map, 107));
    const d = load(k, deleteProg(map, 108));
    const sk = k.service<KernelObjects>('kobjects')!.create('cred', {}, { label: 'sock stand-in' }).pointer;
    expect(get(k, g, sk, 3n).nonNull).toBe(false);
    expect(get(k, g, sk, 1n, true).value).toBe(77n);
    expect(localStorageOf(k).mapsOf(sk)).toHaveLength(1);
    expect(del(k, d, sk)).toBe(0);
    expect(del(k, d, sk)).toBe(-ERRNO.ENOENT);
    expect(del(k, d, 0n)).toBe(-ERRNO.EINVAL);
  });

  it('sk storage of a socket of the table goes when the socket is removed (bpf_sk_storage_free)', () => {
    const k = newKernel();
    const map = storageMap(k, BPF_MAP_TYPE.SK_STORAGE);
    const s = k.sockets.add({ protocol: 'tcp', localAddress: '10.0.0.1', localPort: 1000, remoteAddress: '10.0.0.2', remotePort: 80 });
    const sk = k.sockets.sockPointer(s);
    // user space stores a value through the socket's fd, as with a real socket
    const fd = localStorageOf(k).openFd(k, 'sock', sk);
    const key = new Uint8Array(new Int32Array([fd]).buffer);
    expect(k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: map, key, value: new Uint8Array(8).fill(5), flags: 0 })).toBe(0);
    expect(localStorageOf(k).mapsOf(sk)).toHaveLength(1);
    k.sockets.remove(s.id);
    expect(localStorageOf(k).mapsOf(sk)).toHaveLength(0);
    expect(localStorageOf(k).isReleased(sk)).toBe(true);
  });

  it('inode storage (LSM-only helpers, re-registered for a syscall program here) keyed by an inode object', () => {
    const defs = localStorageHelpers().filter((h) => h.id === 145 || h.id === 146).map((h) => ({ ...h, progTypes: [ProgType.SYSCALL] }));
    const k = newKernel({ helpers: defs });
    const map = storageMap(k, BPF_MAP_TYPE.INODE_STORAGE);
    const g = load(k, getProg(map, 145));
    const d = load(k, deleteProg(map, 146));
    const inode = k.service<KernelObjects>('kobjects')!.create('cred', {}, { label: 'inode stand-in' }).pointer;
    expect(get(k, g, inode, 0n).nonNull).toBe(false);
    expect(get(k, g, inode, 1n, true).value).toBe(77n);
    expect(get(k, g, inode, 2n).nonNull).toBe(false);
    expect(del(k, d, inode)).toBe(0);
    expect(del(k, d, inode)).toBe(-ERRNO.ENOENT);
    expect(del(k, d, 0n)).toBe(-ERRNO.EINVAL);
  });

  it('sk storage: a table socket is one owner through its bpf_sock and bpf_tcp_sock views', () => {
    const defs = localStorageHelpers().filter((h) => h.id === 107 || h.id === 108).map((h) => ({ ...h, progTypes: [ProgType.SYSCALL] }));
    const k = newKernel({ helpers: defs });
    const map = storageMap(k, BPF_MAP_TYPE.SK_STORAGE);
    const e = k.fds.get(load(k, getProg(map, 107)));
    if (e?.kind !== 'prog') throw new Error('no program');
    const sock = k.sockets.add({ protocol: 'tcp', localPort: 8080 });
    // the run is granted the socket's views, as a lookup helper would grant them
    const views = [k.sockets.tcpPointer(sock), k.sockets.sockPointer(sock)];
    const getVia = (view: bigint, flags: bigint, init: boolean): { nonNull: boolean; value: bigint } => {
      const c = ctx(view, flags, init);
      const region = k.mem.map(c, { kind: RegionKind.OTHER, perm: PERM_RW, label: 'test ctx' });
      const r = k.execute(e.obj, [Memory.pointer(region, 0)], { grants: [Memory.pointer(region, 0), ...views] });
      k.mem.unmap(region);
      expect(r.fault).toBeNull();
      return { nonNull: getU64(c, 24) === 1n, value: getU64(c, 32) };
    };
    expect(getVia(views[0]!, 1n, true)).toEqual({ nonNull: true, value: 77n });
    expect(getVia(views[1]!, 0n, false)).toEqual({ nonNull: true, value: 77n });
    expect(localStorageOf(k).mapsOf(views[1]!)).toHaveLength(1);
    expect(localStorageOf(k).mapsOf(views[0]!)).toHaveLength(0);
  });
});
