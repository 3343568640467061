/**
 * Kernel objects: programs, maps, links and BTF objects with ids and reference counts.
 *
 * Reference rules (kernel/bpf/syscall.c):
 * - a map has `refcnt` (every holder: fds, programs using it, links, inner-map slots, associated
 *   programs) and `usercnt` (fds and pins only); when usercnt drops to 0 the map's uref release
 *   runs (prog arrays clear their slots); when refcnt drops to 0 its id is freed at once and the
 *   free itself is deferred;
 * - a program has `refcnt`; at 0 its id is freed and the free is deferred;
 * - a link holds its program or struct_ops map.
 */
import type { VerifierStats } from '../../verifier/api.js';
import type { Btf } from '../../btf/btf.js';
import type { RawInsn } from '../../isa/insn.js';
import type { ExecProgram } from '../../vm/machine.js';
import type { IterLink } from './iter.js';

/** A program's struct_ops association (struct bpf_prog_aux::st_ops_assoc). */
export type Assoc = { readonly kind: 'none' } | { readonly kind: 'map'; readonly map: KMap } | { readonly kind: 'poison' };

export const ASSOC_NONE: Assoc = Object.freeze({ kind: 'none' });
export const ASSOC_POISON: Assoc = Object.freeze({ kind: 'poison' });

/** A loaded BTF object (BPF_BTF_LOAD, or the emulated kernel's own vmlinux BTF). */
export class KBtf {
  id = 0;
  refcnt = 1;
  constructor(
    readonly btf: Btf,
    readonly raw: Uint8Array,
    readonly name: string,
    /** The emulated kernel's BTF (vmlinux/module), not a user-loaded one. */
    readonly kernel: boolean,
  ) {}
}

/** One func_info / line_info record as loaded (instruction offsets in instructions). */
export interface LoadedFuncInfo {
  readonly insnOff: number;
  readonly typeId: number;
}
export interface LoadedLineInfo {
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  readonly lineCol: number;
}

/** A loaded program (struct bpf_prog + bpf_prog_aux). */
export class KProg {
  id = 0;
  refcnt = 1;
  /** The executable form; set once loading succeeded. */
  exec!: ExecProgram;
  /** Maps the program references (used_maps), each holding one map reference. */
  usedMaps: KMap[] = [];
  /** Association with a struct_ops map. */
  assoc: Assoc = ASSOC_NONE;
  /**
   * Accumulated run statistics (bpf_prog_get_stats), collected only while stats are enabled
   * (kernel.statsEnabled). Runs are counted in a double (exact to 2^53).
   */
  runCount = 0;
  runTimeNs = 0n;
  /** bpf_prog_info.run_cnt. */
  get runCnt(): bigint {
    return BigInt(this.runCount);
  }
  /** The verifier's statistics and log (log level of the load), when it ran. */
  verifierStats: VerifierStats | null = null;
  verifierLog = '';
  /** Highest ctx byte the program may access (syscall programs: ctx_size_in must cover it). */
  maxCtxOffset = 0;
  /** Region whose offsets are `pc * 8` of this program: what callback addresses point into. */
  codeRegion = 0;
  /** The pc of the exception callback (BTF decl tag "exception_callback:<fn>" on the main program), if any. */
  exceptionCbPc: number | undefined = undefined;
  /** Drops a reference through the owning kernel (set at load). */
  releaser: ((p: KProg) => void) | null = null;

  /** BpfProgramLike: a prog array slot starts holding this program. */
  acquire(): void {
    this.refcnt++;
  }

  /** BpfProgramLike: a prog array slot lets go of this program. */
  release(): void {
    this.releaser?.(this);
  }
  freed = false;

  constructor(
    readonly type: number,
    readonly expectedAttachType: number,
    readonly name: string,
    readonly license: string,
    readonly gplCompatible: boolean,
    readonly sleepable: boolean,
    readonly flags: number,
    /** The instructions as loaded (map fds replaced by ids, as bpf_insn_prepare_dump shows them). */
    public insns: readonly RawInsn[],
    readonly loadTime: bigint,
    readonly tag: Uint8Array,
    readonly btf: KBtf | null,
    readonly funcInfo: readonly LoadedFuncInfo[],
    readonly lineInfo: readonly LoadedLineInfo[],
    readonly attachBtf: KBtf | null,
    readonly attachBtfId: number,
    /** Name of the attach target (`sys_enter` for tp_btf, the member for struct_ops). */
    readonly attachName: string,
  ) {}
}

/** Something a map implementation exposes to the kernel layer. Filled in by maps/. */
export interface KMapCommon {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra: bigint;
}

/** A map (struct bpf_map). `impl` is the type-specific implementation. */
export class KMap {
  id = 0;
  refcnt = 1;
  usercnt = 1;
  frozen = false;
  /** Writable memory mappings / in-flight syscall writes (bpf_map_write_active). */
  writeActive = 0;
  /** Program type owning a prog array (or a map used by programs of one type). */
  ownerProgType = 0;
  freed = false;
  btf: KBtf | null = null;
  btfKeyTypeId = 0;
  btfValueTypeId = 0;
  btfVmlinuxValueTypeId = 0;
  /** Region id of the map's handle (what `lddw rX, map` loads). */
  handle = 0;

  constructor(
    readonly type: number,
    readonly keySize: number,
    readonly valueSize: number,
    readonly maxEntries: number,
    readonly flags: number,
    readonly mapExtra: bigint,
    readonly numaNode: number,
    readonly name: string,
    /** Type-specific implementation (maps/ families, or the struct_ops map). */
    public impl: unknown,
  ) {}
}

/** A link (struct bpf_link). */
export class KLink {
  id = 0;
  refcnt = 1;
  detached = false;
  /** The iterator target and link info of a BPF_LINK_TYPE_ITER link (struct bpf_iter_link), else null. */
  iter: IterLink | null = null;
  constructor(
    readonly type: number,
    readonly attachType: number,
    public prog: KProg | null,
    public map: KMap | null,
    /** Type-specific behaviour. */
    readonly ops: LinkOps,
    /** Free-form target description (hook name, ifindex, ...). */
    readonly target: string,
  ) {}
}

/** struct bpf_link_ops, the parts the emulator uses. */
export interface LinkOps {
  /** Called when the last reference goes (bpf_link_free → release). */
  release(link: KLink): void;
  /** BPF_LINK_DETACH; absent: EOPNOTSUPP. */
  detach?(link: KLink): number;
  /** BPF_LINK_UPDATE for map-based links (struct_ops). */
  updateMap?(link: KLink, newMap: KMap, oldMap: KMap | null): number;
  /** BPF_LINK_UPDATE for program links. */
  updateProg?(link: KLink, newProg: KProg, oldProg: KProg | null): number;
}
