/**
 * Targeted facts of loadObjectSpec on the committed fixtures (each checked against the fixture's
 * header comment and llvm-objdump-19 -dr), and its error paths on patched fixtures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Btf } from '../../src/btf/btf.js';
import { BtfError } from '../../src/btf/errors.js';
import { CoreError, CORE_POISON_IMM } from '../../src/btf/core.js';
import { parseBtf } from '../../src/btf/parse.js';
import { parseElf, R_BPF, STB, STT } from '../../src/elf/index.js';
import {
  loadObjectSpec,
  MapFlag,
  MapType,
  objectNameFromPath,
  ObjectError,
  ProgType,
  AttachType,
  Pseudo,
  safeLoadObjectSpec,
  sourceOf,
  specToJSON,
  type ObjectSpec,
  type ProgramSpec,
} from '../../src/object/index.js';
import { fixture, patchInsn, patchReloc, patchSection, patchSymbol, strOffset } from './patch.js';

const load = (name: string, opts: { coreTarget?: Btf } = {}): ObjectSpec => loadObjectSpec(fixture(name), { name, ...opts });
const prog = (s: ObjectSpec, name: string): ProgramSpec => {
  const p = s.programs.find((x) => x.name === name);
  if (p === undefined) throw new Error(`no program ${name}`);
  return p;
};
const mapIndex = (s: ObjectSpec, name: string): number => s.maps.findIndex((m) => m.name === name);
const externIndex = (s: ObjectSpec, name: string): number => s.externs.findIndex((e) => e.name === name);

/** The ObjectError (or other typed error) a load throws. */
function failure(bytes: Uint8Array): { code: string; error: Error } {
  const r = safeLoadObjectSpec(bytes, { name: 'x' });
  if (r.ok) throw new Error('expected the load to fail');
  return { code: r.error.code, error: r.error };
}

describe('programs and sections', () => {
  it('splits one section into several programs by FUNC symbol (tailcall)', () => {
    const s = load('tailcall');
    expect(s.programs.map((p) => [p.name, p.section, p.sectionOffset, p.ownLength])).toEqual([
      ['tail_1', 'xdp', 0, 11],
      ['tail_2', 'xdp', 11, 7],
      ['xdp_entry', 'xdp', 18, 24],
    ]);
    for (const p of s.programs) {
      expect(p.type).toBe(ProgType.XDP);
      expect(p.expectedAttachType).toBe(AttachType.XDP);
      expect(p.license).toBe('GPL');
    }
  });

  it('classifies sections with the SEC() table, keeping attach targets', () => {
    const t = load('tracing');
    expect(t.programs.map((p) => [p.typeName, p.attachTarget])).toEqual([
      ['RAW_TRACEPOINT', 'sys_enter'],
      ['TRACEPOINT', 'syscalls/sys_enter_openat'],
      ['KPROBE', 'do_unlinkat'],
    ]);
    const tr = load('tracing_trampoline');
    expect(tr.programs.map((p) => [p.typeName, p.expectedAttachTypeName, p.attachTarget, p.attachBtf])).toEqual([
      ['TRACING', 'TRACE_FENTRY', 'bpf_fentry_test1', true],
      ['TRACING', 'TRACE_FEXIT', 'bpf_fentry_test2', true],
      ['TRACING', 'TRACE_FENTRY', 'do_unlinkat', true],
      ['LSM', 'LSM_MAC', 'file_open', true],
    ]);
    const cg = load('cgroup_skb');
    expect(cg.programs.map((p) => [p.name, p.expectedAttachTypeName])).toEqual([
      ['ingress_prog', 'CGROUP_INET_INGRESS'],
      ['egress_prog', 'CGROUP_INET_EGRESS'],
    ]);
    expect(prog(load('loop'), 'loop_prog').sleepable).toBe(true);
    expect(prog(load('xdp_devmap_ctx'), 'xdp_devmap_prog').expectedAttachType).toBe(AttachType.XDP_DEVMAP);
  });

  it('records every section with its role', () => {
    const s = load('globals');
    const role = (n: string) => s.sections.find((x) => x.name === n)?.role;
    expect([role('xdp'), role('.text'), role('.rodata'), role('.rodata.cst16'), role('.data.custom'), role('.bss'), role('license'), role('.BTF'), role('.BTF.ext'), role('.relxdp'), role('.debug_info'), role('.llvm_addrsig')]).toEqual([
      'program', 'ignored', 'rodata', 'rodata', 'data', 'bss', 'license', 'btf', 'btf_ext', 'relocation', 'debug', 'ignored',
    ]);
  });
});

describe('subprogram linking', () => {
  it('links both .text relocation forms and same-section calls in libbpf order (subprogs)', () => {
    const s = load('subprogs');
    const tc = prog(s, 'tc_prog');
    expect(tc.functions).toEqual([
      { name: 'tc_prog', pc: 0, length: 19 },
      { name: 'mix', pc: 19, length: 12 },
      { name: 'scale', pc: 31, length: 5 },
      { name: 'global_len_class', pc: 36, length: 9 },
      { name: 'global_sum', pc: 45, length: 6 },
    ]);
    // pc 4: `call 0xe` against the .text section symbol (static mix, .text insn 15)
    expect(tc.insns[4]).toMatchObject({ code: 0x85, src: Pseudo.CALL, imm: 19 - 4 - 1 });
    // pc 7: `call -1` against the GLOBAL FUNC symbol global_len_class
    expect(tc.insns[7]).toMatchObject({ code: 0x85, src: Pseudo.CALL, imm: 36 - 7 - 1 });
    // mix -> scale inside .text had no relocation: .text pc 20 `call 0x6`
    expect(tc.insns[19 + 5]).toMatchObject({ src: Pseudo.CALL, imm: 31 - 24 - 1 });
    expect(tc.relocations.filter((r) => r.kind === 'call').map((r) => [r.pc, r.target, r.offset])).toEqual([
      [4, 'mix', 19],
      [7, 'global_len_class', 36],
      [13, 'global_sum', 45],
      [24, 'scale', 31],
    ]);
    // func_info follows the functions; every function has line info
    expect(tc.funcInfo.map((f) => [f.pc, f.name])).toEqual(tc.functions.map((f) => [f.pc, f.name]));
    for (const f of tc.functions) expect(tc.lineInfo.some((l) => l.pc >= f.pc && l.pc < f.pc + f.length)).toBe(true);
    // sock_prog reaches scale directly first, so the order differs
    expect(prog(s, 'sock_prog').functions.map((f) => f.name)).toEqual(['sock_prog', 'mix', 'scale', 'global_len_class', 'global_sum']);
  });

  it('turns callback addresses into BPF_PSEUDO_FUNC with relative offsets (loop)', () => {
    const p = prog(load('loop'), 'loop_prog');
    expect(p.functions.map((f) => [f.name, f.pc])).toEqual([
      ['loop_prog', 0],
      ['loop_cb', 25],
      ['square', 37],
      ['noop_cb', 40],
    ]);
    expect(p.insns[8]).toMatchObject({ code: 0x18, src: Pseudo.FUNC, imm: 25 - 8 - 1 });
    expect(p.insns[17]).toMatchObject({ code: 0x18, src: Pseudo.FUNC, imm: 40 - 17 - 1 });
    expect(p.relocations).toEqual([
      { pc: 8, kind: 'func_addr', target: 'loop_cb', offset: 25 },
      { pc: 17, kind: 'func_addr', target: 'noop_cb', offset: 40 },
      { pc: 27, kind: 'call', target: 'square', offset: 37 },
    ]);
  });

  it('knows the source line of every instruction with line info', () => {
    const p = prog(load('loop'), 'loop_prog');
    expect(sourceOf(p, 0)).toMatchObject({ file: './loop.bpf.c', line: 54, column: 0 });
    expect(sourceOf(p, 27)).toMatchObject({ line: 44, text: expect.stringContaining('square(index)') });
    expect(sourceOf(p, 9)?.line).toBe(58); // second slot of the lddw at pc 8
    expect(sourceOf(p, 41)).toMatchObject({ line: 50 });
  });
});

describe('maps', () => {
  it('fills prog-array static slots from .rel.maps (tailcall)', () => {
    const s = load('tailcall');
    const m = s.maps[mapIndex(s, 'jmp_table')]!;
    expect(m).toMatchObject({ type: MapType.PROG_ARRAY, keySize: 4, valueSize: 4, maxEntries: 4, source: 'btf' });
    expect(m.initSlots).toEqual([
      { index: 1, kind: 'prog', target: 'tail_1' },
      { index: 3, kind: 'prog', target: 'tail_2' },
    ]);
    const entry = prog(s, 'xdp_entry');
    expect(entry.insns[1]).toMatchObject({ code: 0x18, src: Pseudo.MAP_IDX, imm: mapIndex(s, 'jmp_table') });
  });

  it('gives map-in-map its inner template and static slots (map_in_map)', () => {
    const s = load('map_in_map');
    const outer = s.maps[mapIndex(s, 'outer_arr')]!;
    expect(outer).toMatchObject({ type: MapType.ARRAY_OF_MAPS, keySize: 4, valueSize: 4, maxEntries: 2 });
    expect(outer.innerMap).toMatchObject({ name: 'outer_arr.inner', type: MapType.ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, keyType: 'u32', valueType: 'u64' });
    expect(outer.initSlots).toEqual([
      { index: 0, kind: 'map', target: 'inner_a' },
      { index: 1, kind: 'map', target: 'inner_b' },
    ]);
    const hash = s.maps[mapIndex(s, 'outer_hash')]!;
    expect(hash.innerMap).toMatchObject({ type: MapType.HASH, maxEntries: 8 });
    expect(hash.initSlots).toEqual([{ index: 5, kind: 'map', target: 'inner_h' }]);
    const inline = s.maps[mapIndex(s, 'outer_inline')]!;
    expect(inline.innerMap).toMatchObject({ name: 'outer_inline.inner', type: MapType.ARRAY, maxEntries: 1 });
    expect(inline.initSlots).toBeUndefined();
  });

  it('parses BTF map attributes (bloom map_extra, flags; lpm no-prealloc)', () => {
    const b = load('maps_bloom').maps[0]!;
    expect(b).toMatchObject({ name: 'bloom', type: MapType.BLOOM_FILTER, keySize: 0, valueSize: 4, maxEntries: 64, flags: 0x40, mapExtra: 3n });
    expect(load('maps_lpm').maps[0]).toMatchObject({ type: MapType.LPM_TRIE, flags: MapFlag.NO_PREALLOC });
  });

  it('reads legacy SEC("maps") definitions', () => {
    const s = load('legacy_maps');
    expect(s.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags, m.source])).toEqual([
      ['legacy_counts', MapType.ARRAY, 4, 8, 4, 0, 'legacy'],
      ['legacy_hash', MapType.HASH, 4, 4, 16, MapFlag.NO_PREALLOC, 'legacy'],
    ]);
    expect(prog(s, 'legacy_prog').relocations.map((r) => [r.kind, r.target])).toEqual([
      ['map', 'legacy_counts'],
      ['map', 'legacy_counts'],
      ['map', 'legacy_hash'],
    ]);
  });
});

describe('global data', () => {
  const s = load('globals');
  const byName = (n: string) => s.maps.find((m) => m.name === n)!;

  it('makes one internal ARRAY per data section, named as libbpf names them', () => {
    expect(s.maps.map((m) => [m.name, m.internal?.section, m.valueSize, m.flags])).toEqual([
      ['globals.rodata', '.rodata', 34, MapFlag.RDONLY_PROG | MapFlag.MMAPABLE],
      ['.rodata.custom', '.rodata.custom', 4, MapFlag.RDONLY_PROG | MapFlag.MMAPABLE],
      ['globals.data', '.data', 28, MapFlag.MMAPABLE],
      ['.data.custom', '.data.custom', 8, MapFlag.MMAPABLE],
      ['globals.bss', '.bss', 57, MapFlag.MMAPABLE],
      // only a static VAR: not mmapable (libbpf map_is_mmapable)
      ['.rodata.cst16', '.rodata.cst16', 16, MapFlag.RDONLY_PROG],
    ]);
    for (const m of s.maps) expect(m).toMatchObject({ type: MapType.ARRAY, keySize: 4, maxEntries: 1, source: 'internal' });
    expect(byName('.rodata.custom').data).toEqual(Uint8Array.of(3, 0, 0, 0));
    expect(byName('globals.bss').data).toEqual(new Uint8Array(57));
    expect(byName('globals.rodata').internal!.readonly).toBe(true);
    expect(byName('globals.data').internal!.readonly).toBe(false);
  });

  it('fixes DATASEC sizes and VAR offsets from the symbol table before using them', () => {
    const rodata = s.btf!.datasec('.rodata')!;
    expect(rodata.size).toBe(34);
    expect(rodata.vars.map((v) => [v.name, v.offset, v.linkage])).toEqual([
      ['drop_ethertype', 0, 'global'],
      ['verbose', 2, 'global'],
      ['xdp_globals.____fmt', 3, 'static'],
    ]);
    expect(byName('globals.bss').internal!.variables.map((v) => [v.name, v.offset])).toEqual([
      ['xdp_globals.calls', 0],
      ['total_packets', 8],
      ['hist', 16],
      ['static_hits', 48],
      ['last_parity', 56],
    ]);
  });

  it('rewrites both global data reference forms to map value pointers at st_value + imm', () => {
    const p = prog(s, 'xdp_globals');
    const rel = (pc: number) => p.relocations.find((r) => r.pc === pc);
    // against the variable symbol total_packets (st_value 8, imm 0)
    expect(rel(2)).toEqual({ pc: 2, kind: 'map_value', target: 'globals.bss', offset: 8 });
    // against the .bss section symbol with imm 0x30 (static_hits)
    expect(rel(7)).toEqual({ pc: 7, kind: 'map_value', target: 'globals.bss', offset: 48 });
    // the bpf_printk format: .rodata section symbol + 3
    expect(rel(62)).toEqual({ pc: 62, kind: 'map_value', target: 'globals.rodata', offset: 3 });
    expect(p.insns[62]).toMatchObject({ src: Pseudo.MAP_IDX_VALUE, imm: mapIndex(s, 'globals.rodata') });
    expect(p.insns[63]!.imm).toBe(3);
    expect(p.insns[7]).toMatchObject({ src: Pseudo.MAP_IDX_VALUE, imm: mapIndex(s, 'globals.bss') });
    expect(p.insns[8]!.imm).toBe(48);
  });

  it('names internal maps after the sections when no object name is given', () => {
    const anon = loadObjectSpec(fixture('globals'));
    expect(anon.maps.map((m) => m.name)).toEqual(['.rodata', '.rodata.custom', '.data', '.data.custom', '.bss', '.rodata.cst16']);
  });
});

describe('externs', () => {
  const s = load('externs');

  it('sorts externs like libbpf and lays kconfig out by alignment, size, name', () => {
    expect(s.externs.map((e) => [e.name, e.kind, e.weak, e.kconfig?.offset, e.kconfig?.type])).toEqual([
      ['CONFIG_BPF_LSM', 'kconfig', true, 0, 'tristate'],
      ['CONFIG_HZ', 'kconfig', false, 4, 'int'],
      ['LINUX_KERNEL_VERSION', 'kconfig', false, 8, 'int'],
      ['CONFIG_BPFEMU_NOT_AN_OPTION', 'kconfig', true, 12, 'bool'],
      ['CONFIG_BPF_SYSCALL', 'kconfig', false, 13, 'bool'],
      ['bpf_bpfemu_no_such_kfunc', 'kfunc', true, undefined, undefined],
      ['bpf_prog_put', 'ksym', false, undefined, undefined],
      ['bpf_rcu_read_lock', 'kfunc', false, undefined, undefined],
      ['bpf_rcu_read_unlock', 'kfunc', false, undefined, undefined],
    ]);
    expect(s.externs[externIndex(s, 'bpf_prog_put')]!.typeless).toBe(true);
    const kc = s.maps[0]!;
    expect(kc).toMatchObject({ name: 'externs.kconfig', type: MapType.ARRAY, valueSize: 14, flags: MapFlag.RDONLY_PROG | MapFlag.MMAPABLE });
    expect(kc.internal).toMatchObject({ section: '.kconfig', readonly: true });
    expect(kc.data).toEqual(new Uint8Array(14));
    const ds = s.btf!.datasec('.kconfig')!;
    expect(ds.size).toBe(14);
    expect(ds.vars.map((v) => [v.name, v.offset])).toEqual(kc.internal!.variables.map((v) => [v.name, v.offset]));
  });

  it('rewrites kconfig, ksym, kfunc and weak-kfunc references to the index forms', () => {
    const p = prog(s, 'externs_prog');
    // LINUX_KERNEL_VERSION: lddw src=6 into .kconfig at offset 8
    expect(p.insns[1]).toMatchObject({ code: 0x18, src: Pseudo.MAP_IDX_VALUE, imm: 0 });
    expect(p.insns[2]!.imm).toBe(8);
    // typeless ksym bpf_prog_put: lddw src=3, imm = extern index
    expect(p.insns[21]).toMatchObject({ code: 0x18, src: Pseudo.BTF_ID, imm: externIndex(s, 'bpf_prog_put') });
    // bpf_ksym_exists(weak kfunc): lddw src=3 against the kfunc extern
    expect(p.insns[27]).toMatchObject({ code: 0x18, src: Pseudo.BTF_ID, imm: externIndex(s, 'bpf_bpfemu_no_such_kfunc') });
    // kfunc calls: src=2, imm = extern index, off = 0
    expect(p.insns[32]).toMatchObject({ code: 0x85, src: Pseudo.KFUNC_CALL, imm: externIndex(s, 'bpf_rcu_read_lock'), off: 0 });
    expect(p.insns[38]).toMatchObject({ code: 0x85, src: Pseudo.KFUNC_CALL, imm: externIndex(s, 'bpf_bpfemu_no_such_kfunc') });
    expect(p.relocations.map((r) => r.kind)).toEqual(['kconfig', 'kconfig', 'kconfig', 'kconfig', 'kconfig', 'ksym', 'kfunc_addr', 'kfunc_call', 'kfunc_call', 'kfunc_call']);
  });

  it('keeps typed ksyms typed and weak ones weak (externs_percpu)', () => {
    const e = load('externs_percpu');
    expect(e.externs.map((x) => [x.name, x.kind, x.weak, x.typeless])).toEqual([
      ['bpf_prog_active', 'ksym', false, false],
      ['bpfemu_no_such_percpu_var', 'ksym', true, false],
    ]);
    expect(e.maps).toEqual([]);
  });
});

describe('struct_ops', () => {
  const s = load('struct_ops');
  const so = (n: string) => s.maps.find((m) => m.name === n)!;

  it('builds one STRUCT_OPS map per variable with link mode and autocreate', () => {
    expect(s.maps.filter((m) => m.source === 'struct_ops').map((m) => [m.name, m.flags, m.autocreate, m.valueSize])).toEqual([
      ['my_ops_link', MapFlag.LINK, true, 40],
      ['my_ops_plain', 0, true, 40],
      ['my_ops_optional', 0, false, 40],
    ]);
    const l = so('my_ops_link');
    expect(l).toMatchObject({ type: MapType.STRUCT_OPS, keySize: 4, maxEntries: 1 });
    expect(l.structOps).toMatchObject({ typeName: 'my_ops', link: true, autocreate: true });
  });

  it('binds function-pointer members to programs through the relocations', () => {
    const members = (n: string) => so(n).structOps!.members.map((m) => [m.name, m.offset, m.kind, m.program]);
    expect(members('my_ops_link')).toEqual([
      ['test_1', 0, 'func', 'test_1'],
      ['test_2', 8, 'func', 'test_2'],
      ['flags', 16, 'data', undefined],
      ['name', 20, 'data', undefined],
    ]);
    expect(members('my_ops_plain').map((m) => m[3])).toEqual([undefined, 'test_2_sleepable', undefined, undefined]);
    expect(members('my_ops_optional').map((m) => m[3])).toEqual(['test_1_optional', undefined, undefined, undefined]);
    const data = so('my_ops_link').structOps!.data;
    expect(data[16]).toBe(0x55);
    expect(new TextDecoder().decode(data.subarray(20, 31))).toBe('my_ops_link');
    expect(data.subarray(0, 16)).toEqual(new Uint8Array(16));
    expect(prog(s, 'test_2_sleepable')).toMatchObject({ type: ProgType.STRUCT_OPS, sleepable: true });
  });
});

describe('byte order', () => {
  it('loads the big-endian build to the same spec as the little-endian one', () => {
    const le = specToJSON(loadObjectSpec(fixture('subprogs'), { name: 'subprogs' })) as Record<string, unknown>;
    const beSpec = loadObjectSpec(fixture('subprogs_be'), { name: 'subprogs' });
    expect(beSpec.byteOrder).toBe('big');
    const be = specToJSON(beSpec) as Record<string, unknown>;
    // initialised data stays in the object's byte order: each variable here is one u32
    const swap = (m: Record<string, unknown>) => {
      if (typeof m.data !== 'string') return m;
      const words = (m.data as string).match(/.{8}/g) ?? [];
      return { ...m, data: words.map((w) => w.match(/../g)!.reverse().join('')).join('') };
    };
    expect({ ...be, byteOrder: 'little', maps: (be.maps as Record<string, unknown>[]).map(swap) }).toEqual(le);
    expect(beSpec.maps.find((m) => m.name === 'subprogs.data')!.data).toEqual(Uint8Array.of(0, 0, 0, 3));
  });
});

describe('CO-RE', () => {
  it('applies every relocation against the object BTF as a kernel would see it (no flavours)', () => {
    const s = load('core');
    const p = prog(s, 'core_prog');
    expect(p.coreRelos).toHaveLength(28);
    const at = (pc: number) => p.coreRelos.find((c) => c.pc === pc)!;
    expect(at(6)).toMatchObject({ kind: 'FIELD_BYTE_OFFSET', access: 'struct task_struct::pid', accessStr: '0:7', result: 32 });
    expect(at(66)).toMatchObject({ access: 'struct task_struct::thread_info.cpu', accessStr: '0:0:1' });
    expect(at(101)).toMatchObject({ access: 'struct task_struct::comm[2]' });
    // a member only the ___bpfemu flavour has: the plain task_struct lacks it
    expect(at(150)).toMatchObject({ kind: 'FIELD_EXISTS', result: 0 });
    // BPF_MAP_TYPE_ARENA is missing from the object's 6.1 uapi enum: value poisoned
    expect(at(164)).toMatchObject({ kind: 'ENUMVAL_EXISTS', result: 0 });
    expect(at(167)).toMatchObject({ kind: 'ENUMVAL_VALUE', result: null });
    expect(p.poisoned).toEqual([
      {
        pc: 167,
        reason: expect.stringMatching(/^CO-RE relocation #23 \(enumval_value of enum bpf_map_type___bpfemu::BPF_MAP_TYPE_ARENA \(0\)\) failed: /),
      },
    ]);
    expect(p.insns[167]).toEqual({ code: 0x85, dst: 0, src: 0, off: 0, imm: CORE_POISON_IMM });
  });

  const vmlinux = '/sys/kernel/btf/vmlinux';
  it.skipIf(!existsSync(vmlinux))('relocates against a vmlinux BTF when one is given (skipped without /sys/kernel/btf/vmlinux)', () => {
    const target = parseBtf(new Uint8Array(readFileSync(vmlinux)));
    const s = load('core', { coreTarget: target });
    const p = prog(s, 'core_prog');
    expect(p.poisoned).toEqual([]);
    const task = target.findByName('task_struct', 'STRUCT')[0]!;
    const pid = target.findMember(task.id, 'pid')!;
    const at = (pc: number) => p.coreRelos.find((c) => c.pc === pc)!;
    expect(at(6).result).toBe(pid.byteOffset);
    expect(p.insns[6]!.imm).toBe(pid.byteOffset);
    expect(at(33).result).toBe(task.kind === 'STRUCT' ? task.size : -1);
    expect(at(154)).toMatchObject({ kind: 'TYPE_EXISTS', result: 0 }); // struct bpfemu_no_such_type
    expect(at(156)).toMatchObject({ kind: 'FIELD_BYTE_SIZE', result: 16 }); // comm
  });
});

describe('errors', () => {
  it('rejects a program section no SEC() convention knows, naming it', () => {
    const { code, error } = failure(patchSection(fixture('xdp_maps'), 'xdp', { nameOff: strOffset(fixture('xdp_maps'), '.symtab') }));
    expect(code).toBe('OBJ_UNKNOWN_SECTION');
    expect(error.message).toContain("'.symtab'");
  });

  it('rejects static entry points (libbpf ENOTSUP)', () => {
    const r = failure(patchSymbol(fixture('xdp_maps'), 'xdp_count', { info: (STB.LOCAL << 4) | STT.FUNC }));
    expect(r.code).toBe('OBJ_BAD_PROGRAM');
    expect((r.error as ObjectError).errno).toBe(95);
  });

  it('rejects relocations that do not fit their instruction', () => {
    expect(failure(patchReloc(fixture('tailcall'), 'xdp', 0, { type: R_BPF.R_64_32 })).code).toBe('OBJ_BAD_RELOCATION');
    // move the first relocation of tail_1 (lddw at 0) onto insn 2, which is not a call or lddw
    expect(failure(patchReloc(fixture('tailcall'), 'xdp', 0, { offset: 16 })).code).toBe('OBJ_BAD_RELOCATION');
  });

  it('rejects a call into the middle of a subprogram', () => {
    // tc_prog pc 4: `call 0xe` -> .text 15 (mix); 0xf lands inside mix
    expect(failure(patchInsn(fixture('subprogs'), 'tc', 4, { imm: 0xf })).code).toBe('OBJ_BAD_SUBPROG');
  });

  it('rejects a misplaced prog-array initialiser', () => {
    expect(failure(patchReloc(fixture('tailcall'), '.maps', 0, { offset: 0x24 })).code).toBe('OBJ_BAD_MAP_DEF');
    expect(failure(patchReloc(fixture('tailcall'), '.maps', 0, { offset: 0x8 })).code).toBe('OBJ_BAD_MAP_DEF');
  });

  it('rejects struct_ops relocations on data members or non-members (EINVAL)', () => {
    const r = failure(patchReloc(fixture('struct_ops'), '.struct_ops.link', 0, { offset: 16 }));
    expect(r.code).toBe('OBJ_BAD_STRUCT_OPS');
    expect((r.error as ObjectError).errno).toBe(22);
    expect(failure(patchReloc(fixture('struct_ops'), '.struct_ops.link', 0, { offset: 4 })).code).toBe('OBJ_BAD_STRUCT_OPS');
  });

  it('needs BTF for BTF-defined maps', () => {
    const b = fixture('xdp_maps');
    expect(failure(patchSection(b, '.BTF', { nameOff: strOffset(b, '.symtab') })).code).toBe('OBJ_NO_BTF');
  });

  it('rejects an extern whose BTF entry is not extern', () => {
    const b = fixture('externs');
    expect(failure(patchSymbol(b, 'CONFIG_HZ', { nameOff: strOffset(b, 'LICENSE') })).code).toBe('OBJ_BAD_EXTERN');
  });

  it('fails on a CO-RE instruction that does not hold the local value, with the CoreError as cause', () => {
    // core_prog pc 6 holds the local offset of task_struct::pid (32) in its imm
    const r = failure(patchInsn(fixture('core'), 'raw_tp/sys_enter', 6, { imm: 33 }));
    expect(r.code).toBe('OBJ_BAD_CORE');
    expect((r.error.cause as CoreError).code).toBe('CORE_BAD_INSN');
  });

  it('bounds global data sections as the kernel (E2BIG above 2^31 - 1 bytes)', () => {
    const r = failure(patchSection(fixture('tailcall'), '.bss', { size: 2 ** 31 }));
    expect(r.code).toBe('OBJ_BAD_SECTION');
    expect((r.error as ObjectError).errno).toBe(7);
  });

  it('lets ELF and BTF errors through with their own classes', () => {
    expect(failure(fixture('loop').slice(0, 100)).code).toBe('ELF_TRUNCATED');
    const b = fixture('loop');
    const bad = b.slice();
    bad[parseElf(b).sectionByName('.BTF')!.offset + 2] = 2; // BTF version 2
    const r = failure(bad);
    expect(r.error).toBeInstanceOf(BtfError);
    expect(r.code).toBe('BTF_BAD_HEADER');
    expect(r.error.message).toMatch(/^btf: \.BTF: /);
  });

  it('returns typed errors as values from safeLoadObjectSpec', () => {
    const r = safeLoadObjectSpec(Uint8Array.of(1, 2, 3));
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error.code).toBe('ELF_TRUNCATED');
    expect(safeLoadObjectSpec(fixture('loop')).ok).toBe(true);
  });
});

describe('helpers', () => {
  it('derives the object name from a path as libbpf does', () => {
    expect(objectNameFromPath('programs/xdp_maps.bpf.o')).toBe('xdp_maps');
    expect(objectNameFromPath('/a/b.c/obj')).toBe('obj');
    expect(objectNameFromPath('plain')).toBe('plain');
  });

  it('is deterministic', () => {
    expect(JSON.stringify(specToJSON(load('struct_ops_demo')))).toBe(JSON.stringify(specToJSON(load('struct_ops_demo'))));
  });

  it('keeps Btf instances usable after the kconfig layout', () => {
    expect(load('externs').btf).toBeInstanceOf(Btf);
  });
});
