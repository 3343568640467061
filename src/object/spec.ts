/**
 * The object spec: what {@link import('./load.js').loadObjectSpec} makes of a clang `.bpf.o`.
 * Plain data, deterministic, no fds or host state: libbpf's open phase plus its relocation
 * collection, with instructions "kernel-ready except for fds and kernel BTF ids".
 *
 * Instruction forms in {@link ProgramSpec.insns} (`imm2` = the second lddw slot's imm):
 * ```
 *  map reference          lddw src=5 (BPF_PSEUDO_MAP_IDX)        imm = index into spec.maps
 *  global data, map value lddw src=6 (BPF_PSEUDO_MAP_IDX_VALUE)  imm = map index, imm2 = byte offset
 *  __kconfig extern       lddw src=6 into the .kconfig map       imm2 = the extern's offset
 *  __ksym variable        lddw src=3 (BPF_PSEUDO_BTF_ID)         imm = index into spec.externs
 *    (typed or typeless; the loader resolves it to a BTF id or a constant address)
 *  kfunc address          lddw src=3                             imm = extern index
 *    (bpf_ksym_exists on a __weak kfunc: the loader makes it 0 or the kfunc's BTF id)
 *  kfunc call             call src=2 (BPF_PSEUDO_KFUNC_CALL)     imm = extern index, off = 0
 *  bpf-to-bpf call        call src=1                             imm = target - (pc + 1)
 *  callback address       lddw src=4 (BPF_PSEUDO_FUNC)           imm = target - (pc + 1)
 *  failed CO-RE relo      call 0xbad2310 (both slots of an lddw)
 * ```
 */
import type { Btf } from '../btf/btf.js';
import type { CoreReloKindName } from '../btf/core.js';
import type { RawInsn } from '../isa/insn.js';

/** A whole object. */
export interface ObjectSpec {
  /** The object name used for internal map names (libbpf: file name up to the first '.'). */
  readonly name: string;
  readonly byteOrder: 'little' | 'big';
  /** The `license` section as a string ('' when absent). */
  readonly license: string;
  /** The `version` section (u32), 0 when absent. */
  readonly kernVersion: number;
  /** Entry-point programs, in section order then offset order (libbpf cmp_progs). */
  readonly programs: readonly ProgramSpec[];
  /** Maps: legacy, BTF-defined, global data, .kconfig, struct_ops (libbpf bpf_object__init_maps order). */
  readonly maps: readonly MapSpec[];
  /** Externs: kconfig ones first (alignment desc, size asc, name), then ksym/kfunc by name (libbpf cmp_externs). */
  readonly externs: readonly ExternSpec[];
  /** The object BTF with DATASEC sizes and VAR offsets fixed up; undefined when the object has none. */
  readonly btf: Btf | undefined;
  /** Whether a `.BTF.ext` section was present (and parsed). */
  readonly hasBtfExt: boolean;
  /** Every ELF section with the role the loader gave it. */
  readonly sections: readonly SectionSummary[];
}

/** What the loader made of one ELF section. */
export type SectionRole =
  | 'program' // executable code holding entry points
  | 'text' // .text: subprograms
  | 'data' // .data, .data.*
  | 'rodata' // .rodata, .rodata.*
  | 'bss' // .bss, .bss.*
  | 'arena' // .addr_space.1: `__arena` globals (libbpf ARENA_SEC), placed in the object's arena map
  | 'maps' // .maps (BTF-defined maps)
  | 'legacy_maps' // maps (struct bpf_map_def)
  | 'struct_ops' // .struct_ops[.link], ?-prefixed
  | 'license'
  | 'version'
  | 'btf'
  | 'btf_ext'
  | 'relocation'
  | 'symtab'
  | 'strtab'
  | 'debug'
  | 'ignored';

/** One ELF section. */
export interface SectionSummary {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly size: number;
  readonly role: SectionRole;
}

/** One entry-point program, with the .text subprograms it reaches appended. */
export interface ProgramSpec {
  readonly name: string;
  /** The section as written (a leading '?' means autoload = false). */
  readonly section: string;
  readonly sectionIndex: number;
  /** First instruction of the program inside its section. */
  readonly sectionOffset: number;
  /** Instructions of the program itself, before subprograms were appended. */
  readonly ownLength: number;
  /** `enum bpf_prog_type`. */
  readonly type: number;
  readonly typeName: string;
  /** `enum bpf_attach_type` expected at load (0 when the convention has none). */
  readonly expectedAttachType: number;
  readonly expectedAttachTypeName: string;
  /** Text after the SEC() prefix and '/', e.g. `sys_enter`, `do_unlinkat` ('' if none). */
  readonly attachTarget: string;
  /** The convention wants the target resolved in kernel BTF (tp_btf, fentry, lsm, iter...). */
  readonly attachBtf: boolean;
  readonly sleepable: boolean;
  readonly xdpFrags: boolean;
  /** libbpf's autoload: false for `?sec` programs. */
  readonly autoload: boolean;
  /** The object's license (what BPF_PROG_LOAD sends). */
  readonly license: string;
  /** The linked program: own code, then every reachable .text subprogram (libbpf order). */
  readonly insns: readonly RawInsn[];
  /** Functions of the linked program: the program at pc 0, then each appended subprogram. */
  readonly functions: readonly FunctionSpan[];
  readonly funcInfo: readonly FuncInfoSpec[];
  readonly lineInfo: readonly LineInfoSpec[];
  /** What each pseudo instruction refers to, sorted by pc. */
  readonly relocations: readonly RelocationSpec[];
  readonly coreRelos: readonly CoreReloSpec[];
  readonly poisoned: readonly PoisonSpec[];
}

/** A function inside a linked program. */
export interface FunctionSpan {
  readonly name: string;
  readonly pc: number;
  readonly length: number;
}

/** A func_info record, instruction-indexed in the linked program. */
export interface FuncInfoSpec {
  readonly pc: number;
  /** The FUNC type id in the object BTF. */
  readonly typeId: number;
  readonly name: string;
}

/** A line_info record, instruction-indexed in the linked program. */
export interface LineInfoSpec {
  readonly pc: number;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The source line as clang recorded it. */
  readonly text: string;
}

/** Kinds of {@link RelocationSpec}. */
export type RelocationKind =
  | 'map' // lddw src=5, target = map name
  | 'map_value' // lddw src=6, target = map name, offset = byte offset in the value
  | 'kconfig' // lddw src=6 into .kconfig, target = extern name, offset = its offset
  | 'ksym' // lddw src=3, target = extern name
  | 'kfunc_addr' // lddw src=3 against a kfunc (bpf_ksym_exists), target = extern name
  | 'kfunc_call' // call src=2, target = extern name
  | 'call' // call src=1, target = function name, offset = its pc
  | 'func_addr'; // lddw src=4, target = function name, offset = its pc

/** A symbolic record of what one instruction refers to. */
export interface RelocationSpec {
  readonly pc: number;
  readonly kind: RelocationKind;
  readonly target: string;
  readonly offset: number;
}

/** One CO-RE relocation as applied. */
export interface CoreReloSpec {
  readonly pc: number;
  /** Index of the record in its section's core_relo block (libbpf's "relo #N"). */
  readonly index: number;
  readonly kind: CoreReloKindName;
  /** Local root type id. */
  readonly typeId: number;
  /** The local root type in C (`struct task_struct`). */
  readonly typeName: string;
  readonly accessStr: string;
  /** Human form of the access (`struct task_struct::thread_info.cpu`, `enum e::X`). */
  readonly access: string;
  /** The value patched into the instruction, or null when it was poisoned. */
  readonly result: number | null;
}

/** An instruction replaced by libbpf's `call 0xbad2310`. */
export interface PoisonSpec {
  readonly pc: number;
  readonly reason: string;
}

/** Where a map spec came from. */
export type MapSource = 'btf' | 'legacy' | 'internal' | 'struct_ops';

/** One map. */
export interface MapSpec {
  /** BTF/legacy/struct_ops: the variable's name; internal maps: libbpf's `<obj>.<section>` name. */
  readonly name: string;
  /** `enum bpf_map_type`. */
  readonly type: number;
  readonly typeName: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  /** u64 `map_extra` (bloom filter hash count, arena address). */
  readonly mapExtra: bigint;
  readonly numaNode: number;
  /** 0 none, 1 LIBBPF_PIN_BY_NAME. */
  readonly pinning: number;
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  /** One-line C spelling of the key/value types ('' when untyped). */
  readonly keyType: string;
  readonly valueType: string;
  readonly source: MapSource;
  /** libbpf's autocreate: false only for `?.struct_ops*` variables. */
  readonly autocreate: boolean;
  /** Template of map-in-map values (`__array(values, struct inner)`), named `<outer>.inner`. */
  readonly innerMap?: MapSpec;
  /** Static `.values = {...}` initialisers, sorted by slot. */
  readonly initSlots?: readonly InitSlot[];
  /** Global data maps only. */
  readonly internal?: InternalMapInfo;
  /** Initial value of a global data map (`.bss` and `.kconfig`: zeros), in the object's byte order. */
  readonly data?: Uint8Array;
  /**
   * The arena map of an object with `__arena` globals: the `.addr_space.1` section's bytes, which
   * libbpf (1.6, the tools/lib/bpf of Linux 6.18) copies to the start of the arena (offset 0) right
   * after creating and mmap()ing it; relocations against those globals point at arena offset
   * st_value + addend. (libbpf 1.7 moved them to the end of the arena; not what 6.18 ships.)
   */
  readonly arenaData?: Uint8Array;
  readonly structOps?: StructOpsInfo;
}

/** A statically initialised slot of a PROG_ARRAY or map-in-map. */
export interface InitSlot {
  readonly index: number;
  readonly kind: 'prog' | 'map';
  /** Program or map name. */
  readonly target: string;
}

/** A global data map's origin. */
export interface InternalMapInfo {
  /** ELF section name (`.bss`, `.rodata.str1.1`), or `.kconfig` for the extern map. */
  readonly section: string;
  /** `.rodata*` and `.kconfig`: BPF_F_RDONLY_PROG and frozen after load. */
  readonly readonly: boolean;
  readonly variables: readonly InternalVariable[];
}

/** A variable of a global data map (from its DATASEC). */
export interface InternalVariable {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** The BTF VAR id. */
  readonly typeId: number;
  readonly linkage: 'static' | 'global' | 'extern';
}

/** A struct_ops variable. */
export interface StructOpsInfo {
  /** Local struct name as written (flavour suffix kept). */
  readonly typeName: string;
  readonly localTypeId: number;
  /** The section is `.struct_ops.link` (BPF_F_LINK). */
  readonly link: boolean;
  readonly autocreate: boolean;
  readonly members: readonly StructOpsMember[];
  /** The variable's raw bytes (function-pointer slots are zero), object byte order. */
  readonly data: Uint8Array;
}

/** A member of a struct_ops variable's type. */
export interface StructOpsMember {
  readonly name: string;
  /** Byte offset in the struct. */
  readonly offset: number;
  /** sizeof the member type (0 when it has none). */
  readonly size: number;
  readonly kind: 'func' | 'data';
  /** The program a function-pointer member is initialised with. */
  readonly program?: string;
}

/** Extern kinds. */
export type ExternKind = 'kconfig' | 'ksym' | 'kfunc';

/** How a kconfig extern is stored (libbpf kcfg_type). */
export type KconfigType = 'bool' | 'tristate' | 'char' | 'int' | 'char_array';

/** One extern symbol. */
export interface ExternSpec {
  readonly name: string;
  /** The name without a `___flavour` suffix, when it has one (what the kernel is asked for). */
  readonly essentialName: string;
  readonly kind: ExternKind;
  /** The symbol is STB_WEAK (`__weak`): may be missing at load. */
  readonly weak: boolean;
  /** The VAR or FUNC in the object BTF. */
  readonly typeId: number;
  /** A ksym VAR whose type is void (`extern const void sym __ksym`). */
  readonly typeless: boolean;
  readonly kconfig?: KconfigLayout;
}

/** Where a kconfig extern sits in the `.kconfig` map. */
export interface KconfigLayout {
  readonly offset: number;
  readonly size: number;
  readonly align: number;
  readonly type: KconfigType;
  readonly signed: boolean;
}
