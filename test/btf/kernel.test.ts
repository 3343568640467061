/**
 * Tests against the running kernel's BTF (/sys/kernel/btf/vmlinux) and the clang-built
 * fixtures in programs/. Each test skips visibly when its input is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Btf } from '../../src/btf/btf.js';
import { CORE_RELO_KIND as K, CoreRelocator } from '../../src/btf/core.js';
import { BtfBuilder, encodeBtf } from '../../src/btf/encode.js';
import { extRecordsFor, parseBtfExt } from '../../src/btf/ext.js';
import { fixupDatasecs } from '../../src/btf/fixup.js';
import { parseBtf } from '../../src/btf/parse.js';
import { printC } from '../../src/btf/printc.js';
import { isComposite } from '../../src/btf/types.js';
import { STT } from '../../src/elf/constants.js';
import { parseElf } from '../../src/elf/reader.js';
import { fixtureObjects } from '../elf/mutate.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';
const hasVmlinux = existsSync(VMLINUX);
let vmlinuxCache: Btf | undefined;
const vmlinux = (): Btf => (vmlinuxCache ??= parseBtf(new Uint8Array(readFileSync(VMLINUX))));

const fixtures = fixtureObjects();

describe('kernel BTF', () => {
  it.skipIf(!hasVmlinux)(`parses /sys/kernel/btf/vmlinux and finds known facts${!hasVmlinux ? ' (skipped: no /sys/kernel/btf/vmlinux)' : ''}`, () => {
    const v = vmlinux();
    expect(v.types.length).toBeGreaterThan(10_000);
    const task = v.findOne('task_struct', 'STRUCT');
    const pid = v.findMember(task.id, 'pid')!;
    expect(pid).toBeDefined();
    expect(v.name(pid.type)).toBe('pid_t');
    expect(v.resolved(pid.type)).toMatchObject({ kind: 'INT', size: 4, signed: true });
    expect(v.sizeof(task.id)).toBeGreaterThan(pid.byteOffset);
    const kinds = new Set(v.types.map((t) => t.kind));
    for (const k of ['ENUM64', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'FUNC', 'DATASEC'] as const) expect(kinds.has(k), k).toBe(true);
    expect(v.findByName('bpf_map_type', 'ENUM').length).toBe(1);
    expect(v.datasec('.data..percpu')).toBeDefined();
  });

  it.skipIf(!hasVmlinux)(`round-trips vmlinux through the encoder and prints it as C${!hasVmlinux ? ' (skipped: no vmlinux BTF)' : ''}`, () => {
    const v = vmlinux();
    expect(parseBtf(encodeBtf(v)).types).toEqual(v.types);
    const c = printC(v);
    expect(c).toContain('struct task_struct {');
    expect(c.startsWith('#ifndef __VMLINUX_H__')).toBe(true);
  });

  it.skipIf(!hasVmlinux)(`relocates a hand-built CO-RE type against vmlinux${!hasVmlinux ? ' (skipped: no vmlinux BTF)' : ''}`, () => {
    const v = vmlinux();
    const b = new BtfBuilder();
    const int = b.int('int', 4, { signed: true });
    const local = b.struct('task_struct___mine', [{ name: 'tgid', type: int }, { name: 'pid', type: int }]);
    const r = new CoreRelocator(b.build(), v);
    const task = v.findOne('task_struct', 'STRUCT').id;
    const off = r.relocate({ typeId: local, accessStr: '0:1', kind: K.FIELD_BYTE_OFFSET });
    expect(off).toMatchObject({ ok: true, value: v.findMember(task, 'pid')!.byteOffset, targetId: task });
    expect(r.relocate({ typeId: local, accessStr: '0', kind: K.TYPE_SIZE })).toMatchObject({ ok: true, value: v.sizeof(task) });
  });

  const modules = existsSync('/sys/kernel/btf') ? readdirSync('/sys/kernel/btf').filter((n) => n !== 'vmlinux') : [];
  it.skipIf(!hasVmlinux || modules.length === 0)(`parses module split BTF on top of vmlinux${!hasVmlinux || modules.length === 0 ? ' (skipped: no module BTF)' : ''}`, () => {
    const v = vmlinux();
    for (const m of modules.slice(0, 5)) {
      const split = parseBtf(new Uint8Array(readFileSync(`/sys/kernel/btf/${m}`)), { base: v });
      expect(split.startId).toBe(v.typeCount);
      for (const t of split.types) if (isComposite(t)) split.members(t.id);
    }
  });
});

describe('clang-built fixtures (programs/*.bpf.o)', () => {
  it.skipIf(fixtures.size === 0)(`parse .BTF and .BTF.ext, fix up datasecs, print and round-trip${fixtures.size === 0 ? ' (skipped: no fixture objects)' : ''}`, () => {
    for (const [name, bytes] of fixtures) {
      const elf = parseElf(bytes);
      const raw = elf.sectionByName('.BTF');
      expect(raw, name).toBeDefined();
      const btf = parseBtf(raw!.data);
      expect(btf.littleEndian, name).toBe(elf.littleEndian);
      expect(parseBtf(encodeBtf(btf)).types, name).toEqual(btf.types);
      printC(btf);
      const extSec = elf.sectionByName('.BTF.ext');
      if (extSec !== undefined) {
        const ext = parseBtfExt(extSec.data, elf.littleEndian, btf);
        for (const blk of ext.funcInfo) {
          const sec = elf.sectionByName(blk.section);
          expect(sec, `${name}: ${blk.section}`).toBeDefined();
          for (const r of blk.records) {
            expect(r.insnOff, name).toBeLessThan(sec!.size);
            // func_info names the FUNC symbol at that offset
            const sym = elf.symbols.find((s) => s.type === STT.FUNC && s.shndx === sec!.index && s.value === r.insnOff);
            expect(sym?.name, `${name}: ${blk.section}+${r.insnOff}`).toBe(btf.name(r.typeId));
          }
        }
        for (const blk of ext.lineInfo) for (const r of blk.records) expect(r.line, name).toBeGreaterThan(0);
      }
      const fixed = fixupDatasecs(
        btf,
        (s) => elf.sectionByName(s)?.size,
        (v) => elf.symbols.find((s) => s.name === v && s.type === STT.OBJECT)?.value,
      );
      for (const ds of fixed.datasecs()) {
        if (ds.name === '.ksyms' || ds.name === '.kconfig') continue;
        expect(ds.size, `${name}: ${ds.name}`).toBe(elf.sectionByName(ds.name)!.size);
        for (const v of ds.vars) expect(v.offset + v.size, `${name}: ${ds.name}.${v.name}`).toBeLessThanOrEqual(ds.size);
      }
    }
  });

  const core = fixtures.get('core.bpf.o');
  it.skipIf(!hasVmlinux || core === undefined)(`relocates core.bpf.o against vmlinux with the documented results${!hasVmlinux || core === undefined ? ' (skipped: needs vmlinux BTF and programs/core.bpf.o)' : ''}`, () => {
    const v = vmlinux();
    const elf = parseElf(core!);
    const local = parseBtf(elf.sectionByName('.BTF')!.data);
    const ext = parseBtfExt(elf.sectionByName('.BTF.ext')!.data, elf.littleEndian, local);
    const sec = ext.coreRelos[0]!.section;
    const records = extRecordsFor(ext.coreRelos, sec);
    expect(records.length).toBeGreaterThan(10);
    const rel = new CoreRelocator(local, v);
    const seen = new Set<number>();
    for (const r of records) {
      const res = rel.relocate(r);
      seen.add(r.kind);
      const root = local.type(r.typeId).name;
      if (!res.ok) throw new Error(`unexpected poison: ${res.reason}`);
      if (r.kind === K.FIELD_BYTE_OFFSET && root === 'task_struct') {
        // independent computation: follow the same member names in vmlinux
        let lt = r.typeId;
        let vt = v.findOne('task_struct', 'STRUCT').id;
        let off = 0;
        const idx = r.accessStr.split(':').map(Number).slice(1);
        for (const i of idx) {
          const lc = local.resolved(lt);
          if (lc.kind === 'ARRAY') {
            const vc = v.resolved(vt);
            if (vc.kind !== 'ARRAY') throw new Error('array expected');
            off += i * v.sizeof(vc.type);
            lt = lc.type;
            vt = vc.type;
            continue;
          }
          const m = local.members(lt)[i]!;
          const vm = v.findMember(vt, m.name)!;
          if (vm.bitfieldSize > 0) {
            off = -1;
            break;
          }
          off += vm.byteOffset;
          lt = m.type;
          vt = vm.type;
        }
        if (off >= 0) expect(res.value, `${r.accessStr}`).toBe(off);
      }
      if (r.kind === K.FIELD_EXISTS) expect(res.value).toBe(root === 'task_struct' ? 1 : 0);
      if (r.kind === K.TYPE_EXISTS) expect(res.value).toBe(root === 'task_struct' ? 1 : 0);
      if (r.kind === K.TYPE_SIZE) expect(res.value).toBe(v.sizeof(v.findOne('task_struct', 'STRUCT').id));
      if (r.kind === K.TYPE_ID_TARGET) expect(res.value).toBe(v.findOne('task_struct', 'STRUCT').id);
      if (r.kind === K.TYPE_MATCHES) expect(res.value).toBe(root === 'task_struct___ids' ? 1 : 0);
      if (r.kind === K.ENUMVAL_VALUE) {
        const e = local.type(r.typeId);
        if (e.kind !== 'ENUM') throw new Error('enum expected');
        const want = v.findOne('bpf_map_type', 'ENUM');
        const name = e.values[Number(r.accessStr)]!.name;
        const tv = want.kind === 'ENUM' ? want.values.find((x) => x.name === name) : undefined;
        expect(res.value, name).toBe(tv!.value);
      }
    }
    // the fixture exercises every kind libbpf 1.1's macros can emit
    for (const k of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) expect(seen.has(k), `kind ${k}`).toBe(true);
  });
});
