/** struct_ops maps, links and member invocation (docs/struct-ops-assoc.md §7.4-§7.8). */
import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { STRUCT_OPS_DATA_OFF, structOpsOf, type StructOpsInstance } from '../../src/kernel/structops.js';
import { BPF_F_REPLACE, StructOpsState } from '../../src/kernel/syscall/uapi.js';
import { AttachType } from '../../src/object/uapi.js';
import { Memory } from '../../src/vm/memory.js';
import {
  Cmd,
  createStructOpsMap,
  KEY0,
  kfuncCaller,
  loadProg,
  loadUserBtf,
  mapUpdate,
  ProgType,
  structOpsCommon,
  structOpsValue,
  testKernel,
  testRun,
} from './harness.js';

const { EINVAL, EBUSY, E2BIG, ENOENT, EOPNOTSUPP, EINPROGRESS, ENOLINK, EPERM, ENOTSUPP, EEXIST } = ERRNO;
const T = 'bpf_testmod_multi_st_ops';

function prog(k: Kernel, ret: number, member = 0, type = T): number {
  return loadProg(k, ProgType.STRUCT_OPS, `mov r0, ${ret}\nexit`, { attachBtfId: k.structOps.get(type)!.typeId, eat: member });
}

function kmap(k: Kernel, fd: number) {
  const e = k.mapEntry(fd);
  if (typeof e === 'number') throw new Error(`bad map fd ${fd}`);
  return e.map;
}

describe('struct_ops map creation', () => {
  it('checks key size, max entries, flags, the value type and the value size', () => {
    const k = testKernel();
    const t = k.structOps.get(T)!;
    const btfFd = loadUserBtf(k);
    const base = { map_type: 26, key_size: 4, value_size: t.valueSize, max_entries: 1, btf_fd: btfFd, btf_vmlinux_value_type_id: t.valueTypeId };
    expect(k.bpf(Cmd.MAP_CREATE, { ...base })).toBeGreaterThan(2);
    expect(k.bpf(Cmd.MAP_CREATE, { ...base, key_size: 8 })).toBe(-EINVAL);
    expect(k.bpf(Cmd.MAP_CREATE, { ...base, max_entries: 2 })).toBe(-EINVAL);
    expect(k.bpf(Cmd.MAP_CREATE, { ...base, map_flags: 1 })).toBe(-EINVAL);
    expect(k.bpf(Cmd.MAP_CREATE, { ...base, btf_vmlinux_value_type_id: t.typeId })).toBe(-ENOTSUPP); // not a wrapper
    expect(k.bpf(Cmd.MAP_CREATE, { ...base, value_size: t.valueSize - 8 })).toBe(-EINVAL);
    expect(k.bpf(Cmd.MAP_CREATE, { ...base, btf_vmlinux_value_type_id: 0 })).toBe(-EINVAL);
    // btf_vmlinux_value_type_id is only for struct_ops maps, and excludes key/value type ids.
    expect(k.bpf(Cmd.MAP_CREATE, { ...base, map_type: 2, value_size: 8 })).toBe(-EINVAL);
    expect(k.bpf(Cmd.MAP_CREATE, { ...base, btf_value_type_id: 1 })).toBe(-EINVAL);
  });

  it('the wrapper is bpf_struct_ops_<name>: common header, data at 64, size rounded to 64', () => {
    const k = testKernel();
    const t = k.structOps.get(T)!;
    expect(t.layout.size).toBe(32);
    expect(t.members.map((m) => [m.name, m.offset, m.size])).toEqual([
      ['test_1', 0, 8],
      ['node', 8, 16],
      ['id', 24, 4],
    ]);
    expect(t.valueSize).toBe(128);
    const wrapper = k.vmlinuxBtf.type(t.valueTypeId);
    expect(wrapper.name).toBe('bpf_struct_ops_bpf_testmod_multi_st_ops');
    expect(k.vmlinuxBtf.findMember(t.valueTypeId, 'data')?.byteOffset).toBe(STRUCT_OPS_DATA_OFF);
  });
});

describe('struct_ops map update (order of checks)', () => {
  it('flags, key, holes, common header, then EBUSY once populated', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T, { link: false });
    const p = prog(k, 5);
    const good = structOpsValue(k, T, { test_1: p });
    expect(mapUpdate(k, map, KEY0, good, 1)).toBe(-EINVAL);
    expect(mapUpdate(k, map, new Uint8Array([1, 0, 0, 0]), good)).toBe(-E2BIG);
    const hole = good.slice();
    hole[20] = 1; // between common (8 bytes) and data (64)
    expect(mapUpdate(k, map, KEY0, hole)).toBe(-EINVAL);
    const state = good.slice();
    state[4] = 1; // user-supplied common.state
    expect(mapUpdate(k, map, KEY0, state)).toBe(-EINVAL);
    const dataNonZero = good.slice();
    dataNonZero[STRUCT_OPS_DATA_OFF + 24] = 7; // id: init_member returns 0 → must be zero
    expect(mapUpdate(k, map, KEY0, dataNonZero)).toBe(-EINVAL);
    expect(mapUpdate(k, map, KEY0, good)).toBe(0);
    expect(mapUpdate(k, map, KEY0, good)).toBe(-EBUSY);
  });

  it('function slots must hold struct_ops programs of this type and member; failures roll back', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T);
    const sys = loadProg(k, ProgType.SYSCALL, 'mov r0, 0\nexit');
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, T, { test_1: sys }))).toBe(-EINVAL);
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, T, { test_1: 77 }))).toBe(-ERRNO.EBADF);
    const other = prog(k, 1, 0, 'my_ops'); // another struct_ops type
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, T, { test_1: other }))).toBe(-EINVAL);
    // After the failures the map is still INIT and can be populated.
    expect(structOpsCommon(k, map, T).state).toBe(StructOpsState.INIT);
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, T, { test_1: prog(k, 3) }))).toBe(0);
  });

  it('lookup shows program ids, the state and refcnt - usercnt; INIT is all zero', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T);
    expect(structOpsCommon(k, map, T).value.every((b) => b === 0)).toBe(true);
    const p = prog(k, 9);
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, T, { test_1: p }))).toBe(0);
    const c = structOpsCommon(k, map, T);
    expect(c.state).toBe(StructOpsState.READY);
    expect(c.refcnt).toBe(0);
    const pid = k.fds.get(p);
    if (pid?.kind !== 'prog') throw new Error('no prog');
    expect(new DataView(c.value.buffer).getBigUint64(STRUCT_OPS_DATA_OFF, true)).toBe(BigInt(pid.obj.id));
    // reg's id lives in kdata only: the user-visible value keeps what the user wrote.
    const link = k.bpf(Cmd.LINK_CREATE, { prog_fd: map, attach_type: AttachType.STRUCT_OPS });
    expect(link).toBeGreaterThan(0);
    expect(new DataView(structOpsCommon(k, map, T).value.buffer).getInt32(STRUCT_OPS_DATA_OFF + 24, true)).toBe(0);
    expect(structOpsOf(kmap(k, map))!.instance.readInt('id')).toBe(kmap(k, map).id);
    expect(structOpsCommon(k, map, T).refcnt).toBe(1); // the link
    // Other keys: lookup ENOENT; get_next_key gives 0 then ENOENT.
    const bad = new Uint8Array(128);
    expect(k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: map, key: new Uint8Array([1, 0, 0, 0]), value: bad })).toBe(-ENOENT);
    const next = new Uint8Array([9, 9, 9, 9]);
    expect(k.bpf(Cmd.MAP_GET_NEXT_KEY, { map_fd: map, key: new Uint8Array([5, 0, 0, 0]), next_key: next })).toBe(0);
    expect([...next]).toEqual([0, 0, 0, 0]);
    expect(k.bpf(Cmd.MAP_GET_NEXT_KEY, { map_fd: map, key: KEY0, next_key: next })).toBe(-ENOENT);
    expect(k.bpf(Cmd.MAP_FREEZE, { map_fd: map })).toBe(-ENOTSUPP);
  });

  it('non-link maps register on update and unregister on delete: INUSE, TOBEFREE, EINPROGRESS', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T, { link: false });
    expect(k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: map, key: KEY0 })).toBe(-ENOENT);
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, T, { test_1: prog(k, 2) }))).toBe(0);
    const c = structOpsCommon(k, map, T);
    expect(c.state).toBe(StructOpsState.INUSE);
    expect(c.refcnt).toBe(1); // the registration
    expect(k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: map, key: KEY0 })).toBe(0);
    expect(structOpsCommon(k, map, T)).toMatchObject({ state: StructOpsState.TOBEFREE, refcnt: 0 });
    expect(k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: map, key: KEY0 })).toBe(-EINPROGRESS);
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, T, { test_1: prog(k, 2) }))).toBe(-EBUSY);
  });

  it('reg failures: a NULL test_1 is EINVAL and the map goes back to INIT (non-link)', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T, { link: false });
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, T, {}))).toBe(-EINVAL);
    expect(structOpsCommon(k, map, T).state).toBe(StructOpsState.INIT);
  });

  it('link maps: delete is EOPNOTSUPP; reg runs at LINK_CREATE; a duplicate id would be EEXIST', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T);
    expect(k.bpf(Cmd.LINK_CREATE, { prog_fd: map, attach_type: AttachType.STRUCT_OPS })).toBe(-EINVAL); // not READY
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, T, { test_1: prog(k, 2) }))).toBe(0);
    expect(k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: map, key: KEY0 })).toBe(-EOPNOTSUPP);
    const l1 = k.bpf(Cmd.LINK_CREATE, { prog_fd: map, attach_type: AttachType.STRUCT_OPS });
    expect(l1).toBeGreaterThan(0);
    // A second link on the same map: reg sees the same id registered → EEXIST, link discarded.
    expect(k.bpf(Cmd.LINK_CREATE, { prog_fd: map, attach_type: AttachType.STRUCT_OPS })).toBe(-EEXIST);
    expect(k.bpf(Cmd.LINK_DETACH, { link_fd: l1 })).toBe(0);
    expect(k.bpf(Cmd.LINK_DETACH, { link_fd: l1 })).toBe(0); // detaching twice is a no-op
    expect(k.bpf(Cmd.LINK_CREATE, { prog_fd: map, attach_type: AttachType.STRUCT_OPS })).toBeGreaterThan(0);
  });
});

describe('struct_ops links: BPF_LINK_UPDATE', () => {
  function kernelWithUpdatable(log: string[]): Kernel {
    const updatable = (name: string) => ({
      name,
      members: [
        { name: 'run', type: { ret: 'int', params: [] } },
        { name: 'v', type: 'int' },
      ],
      copyDataMembers: true,
      update: () => 0,
    });
    return new Kernel({
      testmod: true,
      structOps: [
        updatable('upd_ops2'),
        {
          name: 'upd_ops',
          members: [
            { name: 'run', type: { ret: 'int', params: [] } },
            { name: 'v', type: 'int' },
          ],
          copyDataMembers: true,
          reg: (inst) => (log.push(`reg ${inst.readInt('v')}`), 0),
          unreg: (inst) => void log.push(`unreg ${inst.readInt('v')}`),
          update: (n, o) => (log.push(`update ${o.readInt('v')}->${n.readInt('v')}`), n.readInt('v') < 0 ? -EINVAL : 0),
        },
      ],
    });
  }
  function updMap(k: Kernel, v: number): number {
    const map = createStructOpsMap(k, 'upd_ops');
    const p = loadProg(k, ProgType.STRUCT_OPS, `mov r0, ${v}\nexit`, { attachBtfId: k.structOps.get('upd_ops')!.typeId });
    const value = structOpsValue(k, 'upd_ops', { run: p }, { v: new Uint8Array(new Int32Array([v]).buffer) });
    expect(mapUpdate(k, map, KEY0, value)).toBe(0);
    return map;
  }

  it('swaps maps through the update callback; references move with it', () => {
    const log: string[] = [];
    const k = kernelWithUpdatable(log);
    const a = updMap(k, 1);
    const b = updMap(k, 2);
    const link = k.bpf(Cmd.LINK_CREATE, { prog_fd: a, attach_type: AttachType.STRUCT_OPS });
    expect(structOpsCommon(k, a, 'upd_ops').refcnt).toBe(1);
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: link, new_map_fd: b })).toBe(0);
    expect(structOpsCommon(k, a, 'upd_ops').refcnt).toBe(0);
    expect(structOpsCommon(k, b, 'upd_ops').refcnt).toBe(1);
    // BPF_F_REPLACE with the wrong old map: EPERM; with the right one: 0.
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: link, new_map_fd: a, flags: BPF_F_REPLACE, old_map_fd: a })).toBe(-EPERM);
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: link, new_map_fd: a, flags: BPF_F_REPLACE, old_map_fd: b })).toBe(0);
    // old_map_fd without BPF_F_REPLACE: EINVAL.
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: link, new_map_fd: b, old_map_fd: a })).toBe(-EINVAL);
    // The callback's error is returned and nothing moves.
    const bad = updMap(k, -5);
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: link, new_map_fd: bad })).toBe(-EINVAL);
    expect(structOpsCommon(k, a, 'upd_ops').refcnt).toBe(1);
    expect(k.bpf(Cmd.LINK_DETACH, { link_fd: link })).toBe(0);
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: link, new_map_fd: b })).toBe(-ENOLINK);
    expect(log).toEqual(['reg 1', 'update 1->2', 'update 2->1', 'update 1->-5', 'unreg 1']);
  });

  it('a new map whose type has no update: EOPNOTSUPP; another type: EINVAL; a non-READY map: EINVAL', () => {
    const log: string[] = [];
    const k = kernelWithUpdatable(log);
    const t1 = createStructOpsMap(k, T);
    expect(mapUpdate(k, t1, KEY0, structOpsValue(k, T, { test_1: prog(k, 1) }))).toBe(0);
    const t2 = createStructOpsMap(k, T);
    expect(mapUpdate(k, t2, KEY0, structOpsValue(k, T, { test_1: prog(k, 2) }))).toBe(0);
    const link = k.bpf(Cmd.LINK_CREATE, { prog_fd: t1, attach_type: AttachType.STRUCT_OPS });
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: link, new_map_fd: t2 })).toBe(-EOPNOTSUPP);
    const u = updMap(k, 3);
    const ul = k.bpf(Cmd.LINK_CREATE, { prog_fd: u, attach_type: AttachType.STRUCT_OPS });
    const u2 = updMap(k, 4);
    // The new map's type is checked for an update callback first (EOPNOTSUPP), then the type match.
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: ul, new_map_fd: t2 })).toBe(-EOPNOTSUPP);
    const other = createStructOpsMap(k, 'upd_ops2');
    const op = loadProg(k, ProgType.STRUCT_OPS, 'mov r0, 0\nexit', { attachBtfId: k.structOps.get('upd_ops2')!.typeId });
    expect(mapUpdate(k, other, KEY0, structOpsValue(k, 'upd_ops2', { run: op }))).toBe(0);
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: ul, new_map_fd: other })).toBe(-EINVAL);
    const fresh = createStructOpsMap(k, 'upd_ops'); // INIT, not READY
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: ul, new_map_fd: fresh })).toBe(-EINVAL);
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: ul, new_map_fd: u2 })).toBe(0);
  });
});

describe('struct_ops program load checks (check_struct_ops_btf_id)', () => {
  it('license, attach_btf_id, member index, member kind and cfi stub', () => {
    const k = testKernel();
    const t = k.structOps.get(T)!;
    const load = (o: Parameters<typeof loadProg>[3]) => loadProg(k, ProgType.STRUCT_OPS, 'mov r0, 0\nexit', o);
    expect(load({ attachBtfId: t.typeId, license: 'Proprietary' })).toBe(-EINVAL);
    expect(load({ attachBtfId: k.vmlinuxBtf.findOne('st_ops_args', 'STRUCT').id })).toBe(-ENOTSUPP);
    expect(load({ attachBtfId: t.typeId, eat: 3 })).toBe(-EINVAL); // only 3 members
    expect(load({ attachBtfId: t.typeId, eat: 2 })).toBe(-EINVAL); // `id` is not a function pointer
    expect(load({ attachBtfId: t.typeId, eat: 0 })).toBeGreaterThan(2);
    expect(load({})).toBe(-ENOTSUPP); // no attach_btf_id
  });
});

describe('invoking members from TypeScript', () => {
  it('calls the bound program with a u64 argument array; nesting BPF → kfunc → struct_ops → kfunc works', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T);
    // test_1 returns args->a * 2 + (inner kfunc result when a > 0 ... via association)
    const p = loadProg(
      k,
      ProgType.STRUCT_OPS,
      `ldxdw r1, [r1+0]
       ldxdw r0, [r1+0]
       lsh r0, 1
       exit`,
      { attachBtfId: k.structOps.get(T)!.typeId },
    );
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, T, { test_1: p }))).toBe(0);
    const inst: StructOpsInstance = structOpsOf(kmap(k, map))!.instance;
    const argBuf = new Uint8Array(8);
    new DataView(argBuf.buffer).setBigUint64(0, 21n, true);
    const region = k.mem.map(argBuf, { kind: 6, perm: 3, label: 'args' });
    expect(inst.call('test_1', [Memory.pointer(region, 0)])).toBe(42);
    // From BPF: a syscall program associated with the map, a = 50 → 100.
    const sys = loadProg(k, ProgType.SYSCALL, kfuncCaller(k, 'bpf_kfunc_multi_st_ops_test_1_impl', 50));
    expect(k.bpf(Cmd.PROG_ASSOC_STRUCT_OPS, { map_fd: map, prog_fd: sys })).toBe(0);
    expect(testRun(k, sys)).toEqual({ err: 0, retval: 100 });
    expect(() => inst.call('id', [])).toThrow(/not a function pointer/);
  });

  it('calling an empty slot is a typed error, not a crash', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, 'my_ops');
    const p = loadProg(k, ProgType.STRUCT_OPS, 'mov r0, 1\nexit', { attachBtfId: k.structOps.get('my_ops')!.typeId, eat: 0 });
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, 'my_ops', { test_1: p }))).toBe(0);
    const inst = structOpsOf(kmap(k, map))!.instance;
    expect(inst.call('test_1', [])).toBe(1);
    expect(() => inst.call('test_2', [1n, 2n])).toThrow(expect.objectContaining({ code: 'EMPTY_SLOT' }));
  });

  it('data members are copied into kdata (copyDataMembers) and visible read-only to BPF', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, 'bpfemu_demo_ops');
    const get = loadProg(k, ProgType.STRUCT_OPS, 'mov r0, 0\nexit', { attachBtfId: k.structOps.get('bpfemu_demo_ops')!.typeId, eat: 0 });
    const value = structOpsValue(k, 'bpfemu_demo_ops', { get }, { magic: new Uint8Array([0x0d, 0x60, 0, 0]), tag: new TextEncoder().encode('bpfemu') });
    expect(mapUpdate(k, map, KEY0, value)).toBe(0);
    const id = k.kfuncs.get('bpf_prog_get_assoc_struct_ops')!.btfId;
    // ops = bpf_prog_get_assoc_struct_ops(NULL); return ops ? ops->magic : 0xbad
    const reader = loadProg(k, ProgType.SYSCALL, `mov r1, 0\ncall kfunc ${id}\njeq r0, 0, none\nldxw r0, [r0+8]\nexit\nnone:\nmov r0, 0xbad\nexit`);
    expect(testRun(k, reader).retval).toBe(0xbad);
    expect(k.bpf(Cmd.PROG_ASSOC_STRUCT_OPS, { map_fd: map, prog_fd: reader })).toBe(0);
    expect(testRun(k, reader).retval).toBe(0x600d);
    // The function slot holds a non-zero opaque value; a write through the pointer is refused at
    // load by the verifier (a BTF pointer is read-only), and faults at run time without it.
    const text = `mov r1, 0\ncall kfunc ${id}\nldxdw r2, [r0+0]\nstw [r0+8], 1\nmov r0, r2\nexit`;
    expect(loadProg(k, ProgType.SYSCALL, text)).toBe(-ERRNO.EACCES);
    const writer = k.withVerifier(false, () => loadProg(k, ProgType.SYSCALL, text));
    expect(k.bpf(Cmd.PROG_ASSOC_STRUCT_OPS, { map_fd: map, prog_fd: writer })).toBe(0);
    expect(testRun(k, writer).err).toBe(-ERRNO.EFAULT);
    expect(k.lastFault?.kind).toBe('read_only');
  });
});
