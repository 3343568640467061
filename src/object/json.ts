/**
 * `specToJSON`: an {@link ObjectSpec} as plain JSON data, for `bpfemu inspect --json` and the
 * golden tests. BigInts become decimal strings, byte arrays lowercase hex, instructions one
 * 16-digit hex string each in the little-endian encoding (`b701000002000000` = `r1 = 2`), so a
 * big-endian object's spec equals its little-endian twin's except for `byteOrder` (and the bytes
 * of initialised data, which stay in object order). The BTF is summarised (type count, string
 * bytes, every DATASEC with its fixed-up layout); `bpfemu btf` prints it in full.
 */
import type { Btf } from '../btf/btf.js';
import { writeInsns, type RawInsn } from '../isa/insn.js';
import { toHex } from '../util/bytes.js';
import type { MapSpec, ObjectSpec, ProgramSpec } from './spec.js';

/**
 * Initialised data up to this many bytes is printed as hex (linear: util/bytes.ts toHex); larger
 * data (up to the 1 GiB a global data section may have) would not fit a JavaScript string as hex,
 * so it is summarised as `dataOmitted: { bytes, allZero }`.
 */
export const JSON_DATA_MAX = 64 << 20;

function dataJson(o: { [key: string]: Json }, data: Uint8Array): void {
  if (data.length <= JSON_DATA_MAX) {
    o.data = toHex(data);
    return;
  }
  let allZero = true;
  for (let i = 0; i < data.length && allZero; i++) if (data[i] !== 0) allZero = false;
  o.dataOmitted = { bytes: data.length, allZero };
}

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One instruction as 16 hex digits (little-endian slot encoding). */
export function insnHex(i: RawInsn): string {
  return toHex(writeInsns([i], true));
}

function btfSummary(btf: Btf | undefined): Json {
  if (btf === undefined) return null;
  return {
    types: btf.typeCount - 1,
    stringBytes: btf.strings.length,
    datasecs: btf.datasecs().map((d) => ({
      name: d.name,
      size: d.size,
      vars: d.vars.map((v) => ({ name: v.name, kind: v.kind, offset: v.offset, size: v.size })),
    })),
  };
}

function mapJson(m: MapSpec): Json {
  const o: { [key: string]: Json } = {
    name: m.name,
    type: m.type,
    typeName: m.typeName,
    keySize: m.keySize,
    valueSize: m.valueSize,
    maxEntries: m.maxEntries,
    flags: m.flags,
    mapExtra: m.mapExtra.toString(),
    numaNode: m.numaNode,
    pinning: m.pinning,
    btfKeyTypeId: m.btfKeyTypeId,
    btfValueTypeId: m.btfValueTypeId,
    keyType: m.keyType,
    valueType: m.valueType,
    source: m.source,
    autocreate: m.autocreate,
  };
  if (m.innerMap !== undefined) o.innerMap = mapJson(m.innerMap);
  if (m.initSlots !== undefined) o.initSlots = m.initSlots.map((s) => ({ index: s.index, kind: s.kind, target: s.target }));
  if (m.internal !== undefined) {
    o.internal = {
      section: m.internal.section,
      readonly: m.internal.readonly,
      variables: m.internal.variables.map((v) => ({ name: v.name, offset: v.offset, size: v.size, typeId: v.typeId, linkage: v.linkage })),
    };
  }
  if (m.data !== undefined) dataJson(o, m.data);
  if (m.arenaData !== undefined) {
    const a: { [key: string]: Json } = {};
    dataJson(a, m.arenaData);
    o.arenaData = a;
  }
  if (m.structOps !== undefined) {
    const so = m.structOps;
    o.structOps = {
      typeName: so.typeName,
      localTypeId: so.localTypeId,
      link: so.link,
      autocreate: so.autocreate,
      members: so.members.map((x) => {
        const mj: { [key: string]: Json } = { name: x.name, offset: x.offset, size: x.size, kind: x.kind };
        if (x.program !== undefined) mj.program = x.program;
        return mj;
      }),
      data: toHex(so.data),
    };
  }
  return o;
}

function programJson(p: ProgramSpec): Json {
  return {
    name: p.name,
    section: p.section,
    sectionIndex: p.sectionIndex,
    sectionOffset: p.sectionOffset,
    ownLength: p.ownLength,
    type: p.type,
    typeName: p.typeName,
    expectedAttachType: p.expectedAttachType,
    expectedAttachTypeName: p.expectedAttachTypeName,
    attachTarget: p.attachTarget,
    attachBtf: p.attachBtf,
    sleepable: p.sleepable,
    xdpFrags: p.xdpFrags,
    autoload: p.autoload,
    license: p.license,
    functions: p.functions.map((f) => ({ name: f.name, pc: f.pc, length: f.length })),
    insns: p.insns.map(insnHex),
    relocations: p.relocations.map((r) => ({ pc: r.pc, kind: r.kind, target: r.target, offset: r.offset })),
    coreRelos: p.coreRelos.map((c) => ({ pc: c.pc, index: c.index, kind: c.kind, typeId: c.typeId, typeName: c.typeName, accessStr: c.accessStr, access: c.access, result: c.result })),
    poisoned: p.poisoned.map((x) => ({ pc: x.pc, reason: x.reason })),
    funcInfo: p.funcInfo.map((f) => ({ pc: f.pc, typeId: f.typeId, name: f.name })),
    lineInfo: p.lineInfo.map((l) => ({ pc: l.pc, file: l.file, line: l.line, column: l.column, text: l.text })),
  };
}

/** The spec as JSON data (BigInt -> decimal string, bytes -> lowercase hex). */
export function specToJSON(spec: ObjectSpec): Json {
  return {
    name: spec.name,
    byteOrder: spec.byteOrder,
    license: spec.license,
    kernVersion: spec.kernVersion,
    hasBtfExt: spec.hasBtfExt,
    sections: spec.sections.map((s) => ({ index: s.index, name: s.name, type: s.type, flags: s.flags, size: s.size, role: s.role })),
    programs: spec.programs.map(programJson),
    maps: spec.maps.map(mapJson),
    externs: spec.externs.map((e) => {
      const o: { [key: string]: Json } = { name: e.name, essentialName: e.essentialName, kind: e.kind, weak: e.weak, typeId: e.typeId, typeless: e.typeless };
      if (e.kconfig !== undefined) o.kconfig = { offset: e.kconfig.offset, size: e.kconfig.size, align: e.kconfig.align, type: e.kconfig.type, signed: e.kconfig.signed };
      return o;
    }),
    btf: btfSummary(spec.btf),
  };
}
