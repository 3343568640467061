/**
 * BPF_PROG_ASSOC_STRUCT_OPS and association semantics at the bpf() level, with assembled
 * programs (docs/struct-ops-assoc.md §2, §3, §6).
 */
import { describe, expect, it } from 'vitest';
import { ERRNO } from '../../src/util/errno.js';
import { fireHook } from '../../src/kernel/progtypes/tracing.js';
import { AttachType } from '../../src/object/uapi.js';
import { StructOpsState } from '../../src/kernel/syscall/uapi.js';
import {
  assoc,
  Cmd,
  createStructOpsMap,
  KEY0,
  kfuncCaller,
  loadProg,
  mapUpdate,
  ProgType,
  structOpsCommon,
  structOpsValue,
  testKernel,
  testRun,
} from './harness.js';
import type { Kernel } from '../../src/kernel/kernel.js';

const { EINVAL, EBADF, EBUSY } = ERRNO;
const T = 'bpf_testmod_multi_st_ops';

function structOpsProg(k: Kernel, ret: number, name: string): number {
  return loadProg(k, ProgType.STRUCT_OPS, `mov r0, ${ret}\nexit`, { attachBtfId: k.structOps.get(T)!.typeId, name });
}

function syscallProg(k: Kernel, kfunc = 'bpf_kfunc_multi_st_ops_test_1_impl', name = ''): number {
  return loadProg(k, ProgType.SYSCALL, kfuncCaller(k, kfunc), { name });
}

/** Update a link-mode map with test_1 = progFd and create its link. */
function attach(k: Kernel, mapFd: number, progFd: number): number {
  expect(mapUpdate(k, mapFd, KEY0, structOpsValue(k, T, { test_1: progFd }))).toBe(0);
  const link = k.bpf(Cmd.LINK_CREATE, { prog_fd: mapFd, attach_type: AttachType.STRUCT_OPS });
  expect(link).toBeGreaterThan(0);
  return link;
}

describe('selftest st_ops_assoc (explicit and implicit association)', () => {
  it('routes each program to its own map: 1234 and 5678, EBUSY on re-association', () => {
    const k = testKernel();
    const mapA = createStructOpsMap(k, T, { name: 'st_ops_map_a' });
    const mapB = createStructOpsMap(k, T, { name: 'st_ops_map_b' });
    const test1a = structOpsProg(k, 1234, 'test_1_a');
    const test1b = structOpsProg(k, 5678, 'test_1_b');
    const sysA = syscallProg(k, undefined, 'syscall_prog_a');
    const sysB = syscallProg(k, undefined, 'syscall_prog_b');
    const tpId = k.hooks.get('raw_tp', 'sys_enter')!.btfId;
    const kid = k.kfuncs.get('bpf_kfunc_multi_st_ops_test_1_impl')!.btfId;
    // tp_btf programs: call the kfunc and return its result.
    const tpText = `stdw [r10-8], 0\nmov r1, r10\nadd r1, -8\nmov r2, 0\ncall kfunc ${kid}\nexit`;
    const enterA = loadProg(k, ProgType.TRACING, tpText, { attachBtfId: tpId, eat: AttachType.TRACE_RAW_TP, name: 'sys_enter_a' });
    const enterB = loadProg(k, ProgType.TRACING, tpText, { attachBtfId: tpId, eat: AttachType.TRACE_RAW_TP, name: 'sys_enter_b' });
    for (const fd of [mapA, mapB, test1a, test1b, sysA, sysB, enterA, enterB]) expect(fd).toBeGreaterThan(2);

    expect(assoc(k, test1a, mapA)).toBe(-EINVAL); // struct_ops programs are associated only by update
    expect(assoc(k, sysA, mapA)).toBe(0);
    expect(assoc(k, enterA, mapA)).toBe(0);
    expect(assoc(k, sysB, mapB)).toBe(0);
    expect(assoc(k, enterB, mapB)).toBe(0);
    expect(assoc(k, enterA, mapB)).toBe(-EBUSY); // fixed once set

    const links = [enterA, enterB].map((fd) => k.bpf(Cmd.LINK_CREATE, { prog_fd: fd, attach_type: AttachType.TRACE_RAW_TP }));
    for (const l of links) expect(l).toBeGreaterThan(0);
    attach(k, mapA, test1a);
    attach(k, mapB, test1b);

    // One sys_enter event: each tp_btf program reaches its own instance.
    const results = fireHook(k, 'raw_tp', 'sys_enter', { args: [0n, 186n] });
    expect(results.map((r) => [r.prog.name, Number(BigInt.asIntN(32, r.retval)), r.fault])).toEqual([
      ['sys_enter_a', 1234, null],
      ['sys_enter_b', 5678, null],
    ]);
    expect(testRun(k, sysA)).toEqual({ err: 0, retval: 1234 });
    expect(testRun(k, sysB)).toEqual({ err: 0, retval: 5678 });
  });

  it('the 2026 KF_IMPLICIT_ARGS kfunc behaves the same; the register is ignored', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T);
    const p = structOpsProg(k, 1234, 'test_1');
    const implicit = loadProg(k, ProgType.SYSCALL, kfuncCaller(k, 'bpf_kfunc_multi_st_ops_test_1_assoc'));
    // v8 spelling with garbage in the aux__prog register: still the calling program is used.
    const garbage = loadProg(k, ProgType.SYSCALL, kfuncCaller(k, 'bpf_kfunc_multi_st_ops_test_1_impl', 0, 0xdead));
    expect(assoc(k, implicit, map)).toBe(0);
    expect(assoc(k, garbage, map)).toBe(0);
    attach(k, map, p);
    expect(testRun(k, implicit)).toEqual({ err: 0, retval: 1234 });
    expect(testRun(k, garbage)).toEqual({ err: 0, retval: 1234 });
  });

  it('an unassociated program gets NULL: the kfunc returns -1', () => {
    const k = testKernel();
    const sys = syscallProg(k);
    expect(testRun(k, sys)).toEqual({ err: 0, retval: -1 >>> 0 });
  });

  it('the explicit-id predecessor kfunc finds a registered instance by map id', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T);
    const p = structOpsProg(k, 4567, 'test_1');
    attach(k, map, p);
    const mapId = k.mapEntry(map);
    if (typeof mapId === 'number') throw new Error('no map');
    const byId = loadProg(k, ProgType.SYSCALL, kfuncCaller(k, 'bpf_kfunc_multi_st_ops_test_1', 0, mapId.map.id));
    expect(testRun(k, byId).retval).toBe(4567);
    const wrongId = loadProg(k, ProgType.SYSCALL, kfuncCaller(k, 'bpf_kfunc_multi_st_ops_test_1', 0, mapId.map.id + 100));
    expect(testRun(k, wrongId).retval).toBe(-1 >>> 0);
  });
});

describe('selftest st_ops_assoc_reuse (poison)', () => {
  it('a struct_ops program used by two maps is poisoned: its inner kfunc call gets NULL (-1)', () => {
    const k = testKernel();
    const kid = k.kfuncs.get('bpf_kfunc_multi_st_ops_test_1_impl')!.btfId;
    // test_1_a: if args->a == 0 { r = kfunc(&{a: 1}); return r == -1 ? 1234 : 999 } else return 1234
    const test1a = loadProg(
      k,
      ProgType.STRUCT_OPS,
      `ldxdw r6, [r1+0]
       ldxdw r6, [r6+0]
       jne r6, 0, done
       stdw [r10-8], 1
       mov r1, r10
       add r1, -8
       mov r2, 0
       call kfunc ${kid}
       lsh r0, 32
       arsh r0, 32
       jeq r0, -1, done
       mov r0, 999
       exit
       done:
       mov r0, 1234
       exit`,
      { attachBtfId: k.structOps.get(T)!.typeId, name: 'test_1_a' },
    );
    expect(test1a).toBeGreaterThan(2);
    const mapA = createStructOpsMap(k, T);
    const mapB = createStructOpsMap(k, T);
    const sysA = syscallProg(k);
    const sysB = syscallProg(k);
    expect(assoc(k, sysA, mapA)).toBe(0);
    expect(assoc(k, sysB, mapB)).toBe(0);
    attach(k, mapA, test1a);
    const prog = k.fds.get(test1a)!;
    if (prog.kind !== 'prog') throw new Error('not a prog');
    expect(prog.obj.assoc.kind).toBe('map');
    attach(k, mapB, test1a); // the second update poisons; it still succeeds
    expect(prog.obj.assoc.kind).toBe('poison');
    expect(testRun(k, sysA)).toEqual({ err: 0, retval: 1234 });
    expect(testRun(k, sysB)).toEqual({ err: 0, retval: 1234 });
    // Poison is permanent: freeing a map does not clear it.
    k.close(mapA);
    expect(prog.obj.assoc.kind).toBe('poison');
  });
});

describe('BPF_PROG_ASSOC_STRUCT_OPS order of checks (docs §2.2)', () => {
  function setup() {
    const k = testKernel();
    const map = createStructOpsMap(k, T);
    const st = structOpsProg(k, 1, 'st');
    const sys = syscallProg(k);
    const array = k.bpf(Cmd.MAP_CREATE, { map_type: 2, key_size: 4, value_size: 8, max_entries: 1 });
    return { k, map, st, sys, array };
  }

  it('non-zero flags: EINVAL whatever the fds', () => {
    const { k, map, sys } = setup();
    expect(assoc(k, 999, 998, 1)).toBe(-EINVAL);
    expect(assoc(k, sys, map, 1)).toBe(-EINVAL);
  });

  it('stray bytes after prog_fd in the raw attribute: EINVAL', () => {
    const { k, map, sys } = setup();
    const raw = new Uint8Array(168);
    const dv = new DataView(raw.buffer);
    dv.setUint32(0, map, true);
    dv.setUint32(4, sys, true);
    raw[100] = 1;
    expect(k.bpf(Cmd.PROG_ASSOC_STRUCT_OPS, raw)).toBe(-EINVAL);
    raw[100] = 0;
    expect(k.bpf(Cmd.PROG_ASSOC_STRUCT_OPS, raw)).toBe(0);
    // A short attribute is zero-extended (an old caller without flags is fine).
    const short = raw.slice(0, 8);
    expect(k.bpf(Cmd.PROG_ASSOC_STRUCT_OPS, short)).toBe(0);
  });

  it('bad prog fd and bad map fd: EBADF (program checked first)', () => {
    const { k } = setup();
    expect(assoc(k, 900, 901)).toBe(-EBADF);
  });

  it('struct_ops program with a bad map fd: EINVAL (type checked before the map)', () => {
    const { k, st } = setup();
    expect(assoc(k, st, 901)).toBe(-EINVAL);
  });

  it('valid program, closed map fd: EBADF; fd of a non-map object: EINVAL', () => {
    const { k, sys, st } = setup();
    expect(assoc(k, sys, 901)).toBe(-EBADF);
    expect(assoc(k, sys, st)).toBe(-EINVAL); // a program fd where a map is expected
    expect(assoc(k, sys, 1)).toBe(-EINVAL); // stdout: open, but not a BPF map
  });

  it('prog fd that is not a program: EINVAL', () => {
    const { k, map } = setup();
    expect(assoc(k, map, map)).toBe(-EINVAL);
  });

  it('map of another type: EINVAL', () => {
    const { k, sys, array } = setup();
    expect(array).toBeGreaterThan(2);
    expect(assoc(k, sys, array)).toBe(-EINVAL);
  });

  it('first association takes one map reference; repeating it takes none; errors take none', () => {
    const { k, map, sys, st } = setup();
    const sys2 = syscallProg(k);
    attach(k, map, st);
    const base = structOpsCommon(k, map, T).refcnt; // refcnt - usercnt
    expect(assoc(k, sys, map)).toBe(0);
    expect(structOpsCommon(k, map, T).refcnt).toBe(base + 1);
    expect(assoc(k, sys, map)).toBe(0);
    expect(structOpsCommon(k, map, T).refcnt).toBe(base + 1);
    expect(assoc(k, sys2, map, 1)).toBe(-EINVAL);
    expect(structOpsCommon(k, map, T).refcnt).toBe(base + 1);
    const other = createStructOpsMap(k, T);
    expect(assoc(k, sys, other)).toBe(-EBUSY);
    expect(structOpsCommon(k, map, T).refcnt).toBe(base + 1);
  });
});

describe('association lifetime (docs §3.3, §3.4)', () => {
  it('freeing an associated program releases its map reference', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T);
    const st = structOpsProg(k, 7, 'st');
    const link = attach(k, map, st);
    const sys = syscallProg(k);
    const before = structOpsCommon(k, map, T).refcnt;
    expect(assoc(k, sys, map)).toBe(0);
    expect(structOpsCommon(k, map, T).refcnt).toBe(before + 1);
    expect(k.close(sys)).toBe(0);
    expect(structOpsCommon(k, map, T).refcnt).toBe(before);
    expect(k.close(link)).toBe(0);
  });

  it('an associated program keeps the map alive; freeing the map clears its struct_ops programs', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T);
    const st = structOpsProg(k, 7, 'st');
    const stObj = k.fds.get(st);
    if (stObj?.kind !== 'prog') throw new Error('not a prog');
    expect(mapUpdate(k, map, KEY0, structOpsValue(k, T, { test_1: st }))).toBe(0);
    expect(stObj.obj.assoc.kind).toBe('map');
    const sys = syscallProg(k);
    expect(assoc(k, sys, map)).toBe(0);
    const mapObj = k.mapEntry(map);
    if (typeof mapObj === 'number') throw new Error('no map');
    const id = mapObj.map.id;
    expect(k.close(map)).toBe(0);
    // The syscall program's reference keeps the map (and its id) alive.
    expect(k.mapIds.find(id)).toBe(mapObj.map);
    expect(testRun(k, sys).retval).toBe(7);
    expect(k.close(sys)).toBe(0);
    // Last reference gone: the map is freed and the struct_ops program disassociated.
    expect(k.mapIds.find(id)).toBeUndefined();
    expect(stObj.obj.assoc.kind).toBe('none');
    expect(mapObj.map.freed).toBe(true);
  });

  it('association survives link create, detach and map deletion; the map state is not checked', () => {
    const k = testKernel();
    const map = createStructOpsMap(k, T);
    const sys = syscallProg(k);
    expect(assoc(k, sys, map)).toBe(0);
    // INIT state: associated but no program in test_1 → the emulator reports the empty slot as a fault.
    expect(testRun(k, sys).err).toBe(-ERRNO.EFAULT);
    expect(k.lastFault?.detail).toMatch(/has no program/);
    const st = structOpsProg(k, 11, 'st');
    const link = attach(k, map, st);
    expect(structOpsCommon(k, map, T).state).toBe(StructOpsState.READY);
    expect(testRun(k, sys).retval).toBe(11);
    expect(k.bpf(Cmd.LINK_DETACH, { link_fd: link })).toBe(0);
    expect(testRun(k, sys).retval).toBe(11); // unregistered, still associated
  });
});
