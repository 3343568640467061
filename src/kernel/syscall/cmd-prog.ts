/**
 * BPF_PROG_LOAD, BPF_PROG_TEST_RUN and BPF_PROG_BIND_MAP (kernel/bpf/syscall.c bpf_prog_load,
 * bpf_prog_test_run, bpf_prog_bind_map; the load-time checks the verifier makes on what the
 * emulator can check statically: pseudo instructions, helper and kfunc availability, struct_ops
 * and tracing attach targets, BTF func/line info).
 *
 * Differences from the kernel, by design: there is no abstract interpretation of register types,
 * so memory safety is enforced at run time (bounds-checked regions) instead of at load; a program
 * the kernel's verifier would reject for type reasons may load here and fault when it misbehaves.
 */
import { HELPER_TABLE } from '../../helpers/table.js';
import { progTypeLabel } from '../../object/uapi.js';
import { VerifyError, POISON_HELPER_ID } from '../../isa/decode.js';
import { formatKernel } from '../../isa/disasm-kernel.js';
import { readInsns, type RawInsn } from '../../isa/insn.js';
import { ADDR_SPACE_CAST_OFF, CAST_IMM_KERN, CAST_IMM_USER, LDDW_CODE, LDDW_IMM64, LDDW_MAP_FD, LDDW_MAP_IDX, LDDW_MAP_IDX_VALUE, LDDW_MAP_VALUE, LDDW_VARIABLE } from '../../isa/opcodes.js';
import { BPF_F } from '../../maps/uapi.js';
import { ERRNO } from '../../util/errno.js';
import { Fault } from '../../vm/fault.js';
import { warmUpOnce } from '../../vm/interp.js';
import { warmUpKindOf, warmUpTestRuns } from '../progtypes/warmup.js';
import type { HelperFn, Machine } from '../../vm/machine.js';
import { Memory, PERM_NONE, RegionKind } from '../../vm/memory.js';
import { buildExecProgram } from '../../vm/program.js';
import { AttachType, ProgType } from '../../object/uapi.js';
import type { Attr } from './attr.js';
import { maxCtxOffset } from '../ctxaccess.js';
import { ErrnoError, KernelError } from '../errors.js';
import type { Kernel } from '../kernel.js';
import type { RegisteredKfunc } from '../kfuncs.js';
import { implOf, mapDirectValue, mapHandlePointer } from '../objects/mapglue.js';
import { ArenaMap } from '../../maps/arena.js';
import { BpfMap } from '../../maps/map.js';
import { STRICT_TRACING_TYPES } from '../../helpers/progtypes.js';
import { ArrayMap } from '../../maps/array.js';
import { ProgArrayMap } from '../../maps/prog-array.js';
import { KMap, KProg, type LoadedFuncInfo, type LoadedLineInfo } from '../objects/objects.js';
import { TestRunInterrupted } from '../progtypes/common.js';
import type { TestRunInput } from '../progtypes/registry.js';
import { COMPLEXITY_LIMIT_INSNS, PROG_FLAGS_MASK, ProgFlags } from './uapi.js';
import { verifyProgram, vmapOf } from '../verify.js';
import type { PseudoTarget } from '../../verifier/api.js';

const { EINVAL, E2BIG, EFAULT, ENOTSUPP, EACCES, ENOSPC, EINTR, EBUSY, EPERM } = ERRNO;
/** BPF_MAXINSNS: the instruction limit of a load without CAP_BPF. */
const BPF_MAXINSNS = 4096;

/** The verifier log (struct bpf_verifier_log): what we would print, and where it goes. */
class VerifierLog {
  private text = '';
  constructor(readonly level: number) {}
  /** A line of the load's own checks (before the verifier runs). */
  log(s: string): void {
    if (this.level > 0) this.text += `${s}\n`;
  }
  /** The verifier's whole log text. */
  raw(s: string): void {
    if (this.level > 0) this.text += s;
  }
  get content(): string {
    return this.text;
  }
}

/** license_is_gpl_compatible (include/linux/license.h). */
export function licenseIsGplCompatible(license: string): boolean {
  return ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(license);
}

/** bpf_obj_name_cpy: only isalnum, '_' and '.', NUL within 16 bytes. Returns the name or -EINVAL. */
export function objName(bytes: Uint8Array): string | number {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0) return s;
    const ch = String.fromCharCode(c);
    if (!/[A-Za-z0-9_.]/.test(ch)) return -EINVAL;
    s += ch;
  }
  return -EINVAL; // no NUL in 16 bytes
}

/** bpf_prog_load_check_attach (expected attach types per program type). */
function checkAttach(type: number, eat: number, hasAttachBtf: boolean, btfId: number): boolean {
  const A = AttachType;
  if (btfId !== 0) {
    if (!hasAttachBtf) return false;
    if (![ProgType.TRACING, ProgType.LSM, ProgType.STRUCT_OPS, ProgType.EXT].includes(type as 26)) return false;
  }
  if (hasAttachBtf && btfId === 0) return false;
  switch (type) {
    case ProgType.CGROUP_SOCK:
      return [A.CGROUP_INET_SOCK_CREATE, A.CGROUP_INET_SOCK_RELEASE, A.CGROUP_INET4_POST_BIND, A.CGROUP_INET6_POST_BIND].includes(eat as 2);
    case ProgType.CGROUP_SOCK_ADDR:
      return [
        A.CGROUP_INET4_BIND, A.CGROUP_INET6_BIND, A.CGROUP_INET4_CONNECT, A.CGROUP_INET6_CONNECT, A.CGROUP_UNIX_CONNECT,
        A.CGROUP_INET4_GETPEERNAME, A.CGROUP_INET6_GETPEERNAME, A.CGROUP_UNIX_GETPEERNAME, A.CGROUP_INET4_GETSOCKNAME,
        A.CGROUP_INET6_GETSOCKNAME, A.CGROUP_UNIX_GETSOCKNAME, A.CGROUP_UDP4_SENDMSG, A.CGROUP_UDP6_SENDMSG,
        A.CGROUP_UNIX_SENDMSG, A.CGROUP_UDP4_RECVMSG, A.CGROUP_UDP6_RECVMSG, A.CGROUP_UNIX_RECVMSG,
      ].includes(eat as 8);
    case ProgType.CGROUP_SKB:
      return eat === A.CGROUP_INET_INGRESS || eat === A.CGROUP_INET_EGRESS;
    case ProgType.CGROUP_SOCKOPT:
      return eat === A.CGROUP_SETSOCKOPT || eat === A.CGROUP_GETSOCKOPT;
    case ProgType.SK_LOOKUP:
      return eat === A.SK_LOOKUP;
    case ProgType.SK_REUSEPORT:
      return eat === A.SK_REUSEPORT_SELECT || eat === A.SK_REUSEPORT_SELECT_OR_MIGRATE;
    case ProgType.NETFILTER:
      return eat === A.NETFILTER;
    case ProgType.SYSCALL:
    case ProgType.EXT:
      return eat === 0;
    default:
      return true;
  }
}

/** A kfunc as a helper-table entry: reads its BPF-visible arguments, supplies the calling program. */
export function kfuncHelper(r: RegisteredKfunc): HelperFn {
  const def = r.def;
  const n = def.proto.params.length;
  return (m: Machine) => {
    const prog = m.prog?.owner;
    if (!(prog instanceof KProg)) throw m.fail('helper', `kfunc ${def.name}: no calling program`);
    const args: bigint[] = [];
    for (let i = 1; i <= n; i++) args.push(m.argU64(i));
    let v: number | bigint;
    try {
      v = def.impl({ m, prog, args });
    } catch (e) {
      if (e instanceof Fault) throw e;
      if (e instanceof KernelError || e instanceof ErrnoError) throw m.fail('helper', `kfunc ${def.name}: ${e.message}`);
      throw e;
    }
    if (typeof v === 'bigint') m.setR0Big(v);
    else m.setR0Num(v);
    // A pointer the kfunc returns is the calling run's to use (isolation: Machine.grant).
    if (def.proto.ret.includes('*')) m.grant(m.hi[0]!);
  };
}

interface Resolved {
  insns: RawInsn[];
  dump: RawInsn[];
  usedMaps: KMap[];
  kfuncs: Map<number, HelperFn>;
  /** What each pseudo lddw refers to, for the verifier. */
  pseudo: Map<number, PseudoTarget>;
}

/** Resolve pseudo lddw forms and kfunc calls against fds/BTF, in the order the verifier checks them. */
function resolvePseudo(k: Kernel, prog: KProg, raw: RawInsn[], fdArray: number[] | null, log: VerifierLog, codeRegion: number): Resolved | number {
  const insns = raw.map((i) => ({ ...i }));
  const dump = raw.map((i) => ({ ...i }));
  const used: KMap[] = [];
  const kfuncs = new Map<number, HelperFn>();
  const pseudo = new Map<number, PseudoTarget>();
  const release = (): void => {
    for (const m of used) k.mapPut(m);
  };
  const useMap = (fd: number, pc: number): KMap | number => {
    const m = k.mapGet(fd);
    if (typeof m === 'number') {
      log.log(`fd ${fd} is not pointing to valid bpf_map`);
      return m;
    }
    const known = used.indexOf(m);
    if (known >= 0) {
      k.mapPut(m); // one reference per used map
      return used[known]!;
    }
    // bpf_prog_map_compatible: a prog array's programs share one owner type.
    const impl = implOf(m);
    if (impl instanceof ProgArrayMap && !impl.isCompatible(prog)) {
      k.mapPut(m);
      log.log(`pc ${pc}: prog array ${m.name} holds programs of another type`);
      return -EINVAL;
    }
    // check_map_prog_compatibility: a map holding a bpf_spin_lock is refused to socket filters and to
    // is_tracing_prog_type programs (6.18's messages, the socket filter one measured live)
    if (impl instanceof BpfMap && impl.specialFields.some((f) => f.kind === 'spin_lock' || f.kind === 'res_spin_lock')) {
      const who = prog.type === ProgType.SOCKET_FILTER ? 'socket filter' : STRICT_TRACING_TYPES.includes(prog.type) ? 'tracing' : '';
      if (who !== '') {
        k.mapPut(m);
        log.log(`${who} progs cannot use bpf_spin_lock yet`);
        return -EINVAL;
      }
    }
    // check_map_prog_compatibility for an arena (6.18 sources): one per program, privileged, with its
    // user address known (map_extra or a first mmap) before the program is loaded
    if (impl instanceof ArenaMap) {
      if (used.some((u) => implOf(u) instanceof ArenaMap)) {
        k.mapPut(m);
        log.log('Only one arena per program');
        return -EBUSY;
      }
      if (!k.verifierPrivileged) {
        k.mapPut(m);
        log.log('CAP_BPF and CAP_SYS_ADMIN are required to use arena');
        return -EPERM;
      }
      if (impl.userVmStart === 0n) {
        k.mapPut(m);
        log.log("arena's user address must be set via map_extra or mmap()");
        return -EINVAL;
      }
    }
    used.push(m);
    return m;
  };
  for (let pc = 0; pc < insns.length; pc++) {
    const i = insns[pc]!;
    if (i.code === 0x18) {
      if (pc + 1 >= insns.length) break; // the decoder reports the malformed pair
      const hi = insns[pc + 1]!;
      const src = i.src;
      if (src === LDDW_IMM64) {
        pc++;
        continue;
      }
      if (src === LDDW_MAP_FD || src === LDDW_MAP_VALUE || src === LDDW_MAP_IDX || src === LDDW_MAP_IDX_VALUE) {
        let fd = i.imm;
        if (src === LDDW_MAP_IDX || src === LDDW_MAP_IDX_VALUE) {
          if (fdArray === null || i.imm < 0 || i.imm >= fdArray.length) {
            release();
            log.log(`pc ${pc}: fd_array index ${i.imm} out of range`);
            return -EINVAL;
          }
          fd = fdArray[i.imm]!;
        }
        if ((src === LDDW_MAP_FD || src === LDDW_MAP_IDX) && hi.imm !== 0) {
          release();
          return -EINVAL;
        }
        const map = useMap(fd, pc);
        if (typeof map === 'number') {
          release();
          return map;
        }
        let value: bigint;
        if (src === LDDW_MAP_FD || src === LDDW_MAP_IDX) {
          value = mapHandlePointer(map);
          pseudo.set(pc, { kind: 'map_ptr', map: vmapOf(map) });
        } else {
          pseudo.set(pc, { kind: 'map_value', map: vmapOf(map), off: hi.imm >>> 0 });
          const off = hi.imm >>> 0;
          const v = off >= 1 << 29 ? -EINVAL : mapDirectValue(map, off);
          if (typeof v === 'number') {
            release();
            // resolve_pseudo_ldimm64's messages
            if (off >= 1 << 29) log.log(`direct value offset of ${off} is not allowed`);
            else if (!(implOf(map) instanceof ArrayMap) && !(implOf(map) instanceof ArenaMap)) log.log('no direct value access support for this map type');
            else log.log(`invalid access to map value pointer, value_size=${map.valueSize} off=${off}`);
            return v;
          }
          value = v;
        }
        i.src = LDDW_IMM64;
        i.imm = Number(value & 0xffffffffn) | 0;
        hi.imm = Number(value >> 32n) | 0;
        // bpf_insn_prepare_dump shows map ids.
        dump[pc] = { ...dump[pc]!, src: src === LDDW_MAP_IDX ? LDDW_MAP_FD : src === LDDW_MAP_IDX_VALUE ? LDDW_MAP_VALUE : src, imm: map.id };
        pc++;
        continue;
      }
      if (src === LDDW_VARIABLE) {
        const addr = k.service<(btfId: number) => bigint | undefined>('ksymVar')?.(i.imm);
        if (addr === undefined) {
          release();
          log.log(`pc ${pc}: ldimm64 refers to unknown kernel variable (btf id ${i.imm})`);
          return -EINVAL;
        }
        // a per-CPU variable (bpf_per_cpu_ptr accepts its address) is PTR_TO_PERCPU_BTF_ID
        const percpu = k.service<{ perCpuPointer(p: bigint, cpu: number): bigint | undefined }>('kobjects')?.perCpuPointer(addr, 0) !== undefined;
        pseudo.set(pc, { kind: 'ksym', size: ksymSize(k, i.imm), typeName: '', percpu });
        i.src = LDDW_IMM64;
        i.imm = Number(addr & 0xffffffffn) | 0;
        hi.imm = Number(addr >> 32n) | 0;
        pc++;
        continue;
      }
      if (src === LDDW_CODE) {
        // A callback address: (code region of this program, pc * 8); the decoder checks the target.
        const target = pc + 1 + i.imm;
        const addr = Memory.pointer(codeRegion, target * 8);
        i.src = LDDW_IMM64;
        i.imm = Number(addr & 0xffffffffn) | 0;
        hi.imm = Number(addr >> 32n) | 0;
        pc++;
        continue;
      }
      if (k.verifierEnabled) {
        // the verifier reports it in the kernel's order ("unrecognized bpf_ld_imm64 insn")
        pc++;
        continue;
      }
      release();
      log.log(`pc ${pc}: invalid bpf_ld_imm64 src_reg ${src}`);
      return -EINVAL;
    }
    if (i.code === 0x85 && i.src === 2) {
      if (k.verifierPrivileged === 'none') {
        // add_subprog_and_kfunc without CAP_BPF, before any kfunc is looked up
        release();
        log.log('loading/calling other bpf or kernel functions are allowed for CAP_BPF and CAP_SYS_ADMIN');
        return -EPERM;
      }
      if (i.off !== 0) {
        release();
        log.log(`pc ${pc}: module BTF kfunc calls are not supported by the emulator (off=${i.off})`);
        return -EINVAL;
      }
      const kf = k.kfuncs.byBtfId(i.imm);
      if (kf === undefined) {
        release();
        log.log(`kernel btf_id ${i.imm} is not a function`);
        return -EINVAL;
      }
      if (kf.def.progTypes !== undefined && !kf.def.progTypes.includes(prog.type)) {
        release();
        log.log(`calling kernel function ${kf.def.name} is not allowed`);
        return -EACCES;
      }
      if (!prog.gplCompatible) {
        release();
        log.log('cannot call kernel function from non-GPL compatible program');
        return -EINVAL;
      }
      kfuncs.set(i.imm, kfuncHelper(kf));
    }
  }
  return { insns, dump, usedMaps: used, kfuncs, pseudo };
}

/** Size of a typed ksym (`extern const struct x y __ksym`): its VAR's type size in vmlinux BTF, else 0. */
function ksymSize(k: Kernel, btfId: number): number {
  try {
    const btf = k.vmlinuxBtf;
    const t = btf.type(btfId);
    return t.kind === 'VAR' ? btf.sizeof(t.type) : 0;
  } catch {
    return 0;
  }
}

/** Helper names by uapi id (enum bpf_func_id), implemented or not. */
const HELPER_NAMES: ReadonlyMap<number, string> = new Map(HELPER_TABLE.map((h) => [h.id, h.name]));

/** Helper availability (get_func_proto) and GPL-only checks. */
function checkHelpers(k: Kernel, prog: KProg, insns: readonly RawInsn[], log: VerifierLog): number {
  for (let pc = 0; pc < insns.length; pc++) {
    const i = insns[pc]!;
    if (i.code === 0x18) {
      pc++;
      continue;
    }
    if (i.code !== 0x85 || i.src !== 0 || i.imm === POISON_HELPER_ID) continue;
    const def = k.helpers.get(i.imm);
    if (def === undefined || !k.helpers.allowed(i.imm, prog.type, prog.expectedAttachType)) {
      // The uapi name even for helpers bpfemu does not implement (the kernel's func_id_name).
      const name = def !== undefined ? `bpf_${def.name}` : HELPER_NAMES.has(i.imm) ? `bpf_${HELPER_NAMES.get(i.imm)!}` : 'unknown';
      log.log(`${pc}: (85) call ${name}#${i.imm}`);
      if (def !== undefined) log.log(`program of this type cannot use helper ${name}#${i.imm}`);
      else log.log(`invalid func ${name}#${i.imm}${name !== 'unknown' ? ' (bpfemu does not implement this helper)' : ''}`);
      return -EINVAL;
    }
    if (def.allowedIn !== undefined && !def.allowedIn(prog)) {
      // check_helper_call: fn->allowed(env->prog)
      log.log(`${pc}: (85) call bpf_${def.name}#${i.imm}`);
      log.log('helper call is not allowed in probe');
      return -EINVAL;
    }
    if (def.gplOnly === true && !prog.gplCompatible) {
      log.log('cannot call GPL-restricted function from non-GPL compatible program');
      return -EINVAL;
    }
  }
  return 0;
}

/** check_struct_ops_btf_id and tracing attach targets. */
function checkAttachTarget(k: Kernel, prog: KProg, log: VerifierLog): number {
  if (prog.type === ProgType.STRUCT_OPS) {
    if (!prog.gplCompatible) {
      log.log('struct ops programs must have a GPL compatible license');
      return -EINVAL;
    }
    const t = k.structOps.byStructTypeId(prog.attachBtfId);
    if (t === undefined) {
      log.log(`attach_btf_id ${prog.attachBtfId} is not a supported struct`);
      return -ENOTSUPP;
    }
    const idx = prog.expectedAttachType;
    if (idx >= t.members.length) {
      log.log(`member idx ${idx} (expected_attach_type) is out of range for struct ${t.def.name}`);
      return -EINVAL;
    }
    const member = t.members[idx]!;
    if (!member.isFunc) {
      log.log(`attach to invalid member ${member.name}(@idx ${idx}) in struct ${t.def.name}`);
      return -EINVAL;
    }
    if (t.def.stubs !== undefined && !t.def.stubs.includes(member.name)) {
      log.log(`attach to unsupported member ${member.name} of struct ${t.def.name}`);
      return -ENOTSUPP;
    }
    const err = t.def.checkMember?.(member, prog) ?? 0;
    if (err < 0) {
      log.log(`attach to unsupported member ${member.name} of struct ${t.def.name}`);
      return err;
    }
    return 0;
  }
  if (prog.type === ProgType.TRACING || prog.type === ProgType.LSM) {
    const hook = k.hooks.byBtfId(prog.attachBtfId);
    const kf = hook === undefined ? k.kfuncs.byBtfId(prog.attachBtfId) : undefined;
    if (hook === undefined && kf === undefined) {
      log.log(`attach_btf_id ${prog.attachBtfId} is not a hook of the emulated kernel`);
      return -EINVAL;
    }
    if (hook !== undefined) {
      const want = prog.type === ProgType.LSM ? 'lsm' : prog.expectedAttachType === AttachType.TRACE_RAW_TP ? 'raw_tp' : prog.expectedAttachType === AttachType.TRACE_ITER ? 'iter' : 'fentry';
      if (hook.def.kind !== want) {
        log.log(`attach_btf_id ${prog.attachBtfId} (${hook.btfName}) does not match the program's attach type`);
        return -EINVAL;
      }
    }
  }
  return 0;
}

/** Read `cnt` records of `recSize` bytes (each at least `minSize`) from user memory. */
function readRecords(k: Kernel, addr: number, cnt: number, recSize: number): Uint8Array[] | number {
  const bytes = k.user.read(addr, cnt * recSize);
  if (bytes === null) return -EFAULT;
  const out: Uint8Array[] = [];
  for (let i = 0; i < cnt; i++) out.push(bytes.subarray(i * recSize, (i + 1) * recSize));
  return out;
}

/** Offsets into the PROG_LOAD member. */
const PL = {
  prog_type: 0, insn_cnt: 4, insns: 8, license: 16, log_level: 24, log_size: 28, log_buf: 32, kern_version: 40,
  prog_flags: 44, prog_name: 48, prog_ifindex: 64, expected_attach_type: 68, prog_btf_fd: 72, func_info_rec_size: 76,
  func_info: 80, func_info_cnt: 88, line_info_rec_size: 92, line_info: 96, line_info_cnt: 104, attach_btf_id: 108,
  attach_prog_fd: 112, core_relo_cnt: 116, fd_array: 120, core_relos: 128, core_relo_rec_size: 136, log_true_size: 140,
  prog_token_fd: 144, fd_array_cnt: 148, signature: 152, signature_size: 160, keyring_id: 164,
} as const;

/**
 * The process's one-time warm-ups, at the first program load that will need them rather than in
 * the first run: the interpreter's type-feedback warm-up (vm/warmup.ts) on the engines that
 * interpret, and the test-run warm-up of this program type's path (progtypes/warmup.ts) for types
 * with BPF_PROG_TEST_RUN. Called before verification, so V8's optimising compile of the interpreter
 * loop, which the warm-up starts on a background thread (40-60 ms on these machines), overlaps the
 * verifier's work instead of the first runs: measured on bench_checksum's xdp_csum, the first 100
 * test runs in a fresh process took 7 ms instead of 82 ms (README, issue 14). Each runs once per
 * process; the test-run command still calls them first, for runs of programs loaded without them.
 * With `KernelOptions.warmUp: false` neither runs here (the interpreter's then runs in the first
 * run, as it must before any real program; the test-run one not at all).
 */
function warmUpAtLoad(k: Kernel, type: number): void {
  if (!k.warmUp) return;
  warmUpInterpreter(k);
  if (k.progTypes.get(type)?.testRun !== undefined) warmUpTestRuns(k, warmUpKindOf(type));
}

/** The interpreter's one-time warm-up, with `k`'s budget, when `k`'s engine interprets. */
function warmUpInterpreter(k: Kernel): void {
  if (k.engine === 'fast' || k.engine === 'interp' || k.engine === 'auto') warmUpOnce(k.budget);
}

/** BPF_PROG_LOAD. */
export function progLoad(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(168)) return -EINVAL;
  const flags = a.u32(PL.prog_flags);
  if ((flags & ~PROG_FLAGS_MASK) !== 0) return -EINVAL;
  if ((flags & ProgFlags.TOKEN_FD) !== 0) return -EINVAL; // BPF tokens are not emulated
  const type = a.u32(PL.prog_type);
  let eat = a.u32(PL.expected_attach_type);
  if (type === ProgType.CGROUP_SOCK && eat === 0) eat = AttachType.CGROUP_INET_SOCK_CREATE;
  if (type === ProgType.SK_REUSEPORT && eat === 0) eat = AttachType.SK_REUSEPORT_SELECT;
  const cnt = a.u32(PL.insn_cnt);
  // without CAP_BPF (verifierPrivileged 'none'): BPF_MAXINSNS instructions, and only the program
  // types bpf_prog_load lets an unprivileged user load (socket filter, cgroup skb) — 6.18, measured
  // in corpus group unpriv0
  const unpriv = k.verifierPrivileged === 'none';
  if (cnt === 0 || cnt > (unpriv ? BPF_MAXINSNS : COMPLEXITY_LIMIT_INSNS)) return -E2BIG;
  if (unpriv && type !== ProgType.SOCKET_FILTER && type !== ProgType.CGROUP_SKB) return -EPERM;
  // attach_prog_fd / attach_btf_obj_fd: a program (freplace/fentry on BPF) or a kernel BTF object.
  const attachFd = a.u32(PL.attach_prog_fd);
  const attachBtfId = a.u32(PL.attach_btf_id);
  let attachBtf = null;
  if (attachFd !== 0) {
    const e = k.fds.get(attachFd);
    if (e?.kind === 'prog') {
      return -EINVAL; // attaching to BPF programs (freplace, fentry on BPF) is not emulated
    }
    const b = k.btfFromFd(attachFd);
    if (typeof b === 'number') return -EINVAL;
    if (!b.kernel) return -ENOTSUPP;
    attachBtf = b;
  } else if (attachBtfId !== 0) attachBtf = k.vmlinux;
  if (!checkAttach(type, eat, attachBtf !== null, attachBtfId)) return -EINVAL;

  const insnBytes = k.user.read(a.addr(PL.insns), cnt * 8);
  if (insnBytes === null) return -EFAULT;
  const license = k.user.readCString(a.addr(PL.license), 128);
  if (license === null) return -EFAULT;
  if (a.u64(PL.signature) !== 0n) return -EINVAL; // no keyrings in the emulator: signature checks fail
  const ops = k.progTypes.get(type);
  if (ops === undefined) return -EINVAL;
  const name = objName(a.name(PL.prog_name));
  if (typeof name === 'number') return name;

  // bpf_vlog_init: log_level/log_buf/log_size must agree.
  const logLevel = a.u32(PL.log_level);
  const logSize = a.u32(PL.log_size);
  const logBuf = a.addr(PL.log_buf);
  // bpf_verifier_log_attr_valid (6.18): buffer and size together, no minimum size, a level
  // without a buffer is valid (only log_true_size is reported), a buffer needs a level.
  if ((logBuf === 0) !== (logSize === 0)) return -EINVAL;
  if (logBuf !== 0 && logLevel === 0) return -EINVAL;
  if ((logLevel & ~0xf) !== 0 || logSize > 0x3fffffff) return -EINVAL;
  const log = new VerifierLog(logLevel);

  // Program BTF and its func/line info.
  const btfFd = a.u32(PL.prog_btf_fd);
  const fiCnt = a.u32(PL.func_info_cnt);
  const liCnt = a.u32(PL.line_info_cnt);
  let progBtf = null;
  if (btfFd !== 0) {
    const b = k.btfFromFd(btfFd);
    if (typeof b === 'number') return b;
    if (b.kernel) return -EINVAL;
    progBtf = b;
  }
  if ((fiCnt !== 0 || liCnt !== 0) && progBtf === null) return -EINVAL;
  const funcInfo: LoadedFuncInfo[] = [];
  if (fiCnt !== 0) {
    const rs = a.u32(PL.func_info_rec_size);
    if (rs < 8 || rs > 252 || rs % 4 !== 0) return -EINVAL;
    const recs = readRecords(k, a.addr(PL.func_info), fiCnt, rs);
    if (typeof recs === 'number') return recs;
    for (const r of recs) {
      const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
      funcInfo.push({ insnOff: dv.getUint32(0, true), typeId: dv.getUint32(4, true) });
    }
    if (funcInfo[0]!.insnOff !== 0) return -EINVAL;
    for (let i = 1; i < funcInfo.length; i++) if (funcInfo[i]!.insnOff <= funcInfo[i - 1]!.insnOff || funcInfo[i]!.insnOff >= cnt) return -EINVAL;
    for (const fi of funcInfo) if (!progBtf!.btf.has(fi.typeId) || progBtf!.btf.type(fi.typeId).kind !== 'FUNC') return -EINVAL;
  }
  const lineInfo: LoadedLineInfo[] = [];
  if (liCnt !== 0) {
    const rs = a.u32(PL.line_info_rec_size);
    if (rs < 16 || rs % 4 !== 0) return -EINVAL;
    const recs = readRecords(k, a.addr(PL.line_info), liCnt, rs);
    if (typeof recs === 'number') return recs;
    for (const r of recs) {
      const dv = new DataView(r.buffer, r.byteOffset, r.byteLength);
      lineInfo.push({ insnOff: dv.getUint32(0, true), fileNameOff: dv.getUint32(4, true), lineOff: dv.getUint32(8, true), lineCol: dv.getUint32(12, true) });
    }
    if (lineInfo[0]!.insnOff !== 0) return -EINVAL;
    for (let i = 1; i < lineInfo.length; i++) if (lineInfo[i]!.insnOff < lineInfo[i - 1]!.insnOff || lineInfo[i]!.insnOff >= cnt) return -EINVAL;
  }
  if (a.u32(PL.core_relo_cnt) !== 0) return -EINVAL; // kernel-side CO-RE is not emulated; libbpf-style user-space CO-RE is (object layer)

  let fdArray: number[] | null = null;
  const fdArrayAddr = a.addr(PL.fd_array);
  if (fdArrayAddr !== 0) {
    const n = a.u32(PL.fd_array_cnt) || 64;
    const b = k.user.read(fdArrayAddr, n * 4) ?? k.user.read(fdArrayAddr, 4);
    if (b === null) return -EFAULT;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    fdArray = [];
    for (let i = 0; i + 4 <= b.length; i += 4) fdArray.push(dv.getInt32(i, true));
  }

  const raw = readInsns(insnBytes, true);
  const attachName = attachNameOf(k, type, attachBtfId);
  const prog = new KProg(
    type, eat, name, license, licenseIsGplCompatible(license), (flags & ProgFlags.SLEEPABLE) !== 0, flags,
    raw, k.bootNs(), new Uint8Array(8), progBtf, funcInfo, lineInfo, attachBtf, attachBtfId, attachName,
  );
  let err = checkAttachTarget(k, prog, log);
  if (err === 0 && !k.verifierEnabled) err = checkHelpers(k, prog, raw, log);
  if (err < 0) return finishLog(k, a, log, err);
  const codeRegion = k.mem.map(new Uint8Array(cnt * 8), { kind: RegionKind.CODE, perm: PERM_NONE, label: `code of ${name || 'prog'}`, owner: prog });
  const res = resolvePseudo(k, prog, raw, fdArray, log, codeRegion);
  if (typeof res === 'number') {
    k.mem.unmap(codeRegion);
    return finishLog(k, a, log, res);
  }
  warmUpAtLoad(k, type);
  const deadCode = new Map<number, string>();
  let arenaAccesses: ReadonlySet<number> | undefined;
  let probeLoads: ReadonlySet<number> | undefined;
  if (k.verifierEnabled) {
    const vr = verifyProgram(k, prog, raw, res.pseudo, logLevel, (pc) => {
      const src = sourceOf(prog, pc);
      if (src === undefined || src.text === undefined) return undefined;
      const [file, line] = src.source.split(':');
      return { text: src.text, file: file!, line: Number(line) };
    });
    k.lastVerifierResult = vr;
    log.raw(vr.ok ? vr.log : vr.error.log);
    if (!vr.ok) {
      for (const m of res.usedMaps) k.mapPut(m);
      k.mem.unmap(codeRegion);
      return finishLog(k, a, log, -vr.error.errno);
    }
    prog.verifierStats = vr.stats;
    prog.verifierLog = vr.log;
    // The arena rewrites: accesses through arena pointers in the PROBE_MEM32 modes (decoded so), and
    // 64-bit arithmetic on arena pointers made 32-bit (do_misc_fixups, needs_zext).
    arenaAccesses = vr.arenaAccesses;
    // loads through BTF pointers: BPF_PROBE_MEM (a fault reads 0)
    probeLoads = vr.probeLoads;
    for (const pc of vr.arenaAlu32 ?? []) res.insns[pc]!.code = (res.insns[pc]!.code & ~0x07) | 0x04;
    // do_misc_fixups: addr_space_cast as(1) -> as(0), and every cast when the arena has
    // BPF_F_NO_USER_CONV, become `wX = wY`; as(0) -> as(1) is otherwise left to the JIT (here: the engines)
    const noUserConv = res.usedMaps.some((m) => implOf(m) instanceof ArenaMap && (m.flags & BPF_F.NO_USER_CONV) !== 0);
    for (const i of res.insns) {
      if (i.code === 0xbf && i.off === ADDR_SPACE_CAST_OFF && (i.imm === CAST_IMM_KERN || (noUserConv && i.imm === CAST_IMM_USER))) {
        i.code = 0xbc;
        i.off = 0;
        i.imm = 0;
      }
    }
    // Dead code (never reached on any path) is removed by the kernel; here it faults if reached.
    for (let pc = 0; pc < raw.length; pc++) {
      if (vr.visited[pc] === 0) deadCode.set(pc, 'dead code removed by the verifier');
      if (raw[pc]!.code === 0x18) pc++;
    }
  }
  const arenaOfProg = res.usedMaps.map((m) => implOf(m)).find((m): m is ArenaMap => m instanceof ArenaMap);
  try {
    prog.exec = buildExecProgram(res.insns, {
      name: name || `prog${k.progIds.nextAfter(0) ?? ''}`,
      owner: prog,
      helpers: k.helperTable(type, eat),
      kfuncs: k.mockableKfuncs(res.kfuncs),
      sourceOf: (pc) => sourceOf(prog, pc),
      helperName: (id) => (k.helpers.get(id) ? `bpf_${k.helpers.get(id)!.name}` : undefined),
      kfuncName: (imm) => k.kfuncs.byBtfId(imm)?.def.name,
      ...(deadCode.size > 0 ? { poison: deadCode } : {}),
      ctxReads: ops.ctxReads?.(eat),
      ...(arenaOfProg !== undefined ? { arena: arenaOfProg } : {}),
      ...(arenaAccesses !== undefined ? { arenaAccesses } : {}),
      ...(probeLoads !== undefined ? { probeLoads } : {}),
    });
  } catch (e) {
    for (const m of res.usedMaps) k.mapPut(m);
    k.mem.unmap(codeRegion);
    if (e instanceof VerifyError) {
      log.log(e.message);
      return finishLog(k, a, log, -EINVAL);
    }
    throw e;
  }
  // bpf_vlog_finalize: a log that did not fit fails the load with ENOSPC, even a successful one
  const logRet = finishLog(k, a, log, 0);
  if (logRet < 0) {
    for (const m of res.usedMaps) k.mapPut(m);
    k.mem.unmap(codeRegion);
    return logRet;
  }
  prog.insns = res.dump;
  // Only BPF_PROG_TEST_RUN of syscall programs consults it (ctx_size_in must cover it).
  if (type === ProgType.SYSCALL) prog.maxCtxOffset = maxCtxOffset(res.insns, (id) => k.helpers.get(id)?.args);
  prog.usedMaps = res.usedMaps;
  prog.codeRegion = codeRegion;
  prog.releaser = (p) => k.progPut(p);
  if (progBtf !== null) progBtf.refcnt++;
  prog.id = k.progIds.alloc(prog);
  return k.newFd({ kind: 'prog', obj: prog });
}

/** Name of the attach target for messages and hooks. */
function attachNameOf(k: Kernel, type: number, btfId: number): string {
  if (btfId === 0) return '';
  if (type === ProgType.STRUCT_OPS) return k.structOps.byStructTypeId(btfId)?.def.name ?? '';
  const hook = k.hooks.byBtfId(btfId);
  if (hook !== undefined) return hook.def.name;
  return k.kfuncs.byBtfId(btfId)?.def.name ?? '';
}

/**
 * bpf_vlog_finalize: copy the log to the user's buffer (rotating mode keeps the tail, BPF_LOG_FIXED
 * the head; always NUL-terminated), write log_true_size, and fail with ENOSPC when the log did not
 * fit, whatever `ret` was (6.18: the overflow overrides the verifier's own errno).
 */
function finishLog(k: Kernel, a: Attr, log: VerifierLog, ret: number): number {
  if (log.level === 0) return ret;
  const text = new TextEncoder().encode(log.content);
  const trueSize = text.length + 1;
  a.setU32(PL.log_true_size, trueSize);
  const size = a.u32(PL.log_size);
  const buf = a.addr(PL.log_buf);
  if (buf === 0 || size === 0) return ret;
  const out = new Uint8Array(Math.min(size, trueSize));
  const n = out.length - 1;
  const fixed = (log.level & 8) !== 0;
  out.set(fixed ? text.subarray(0, n) : text.subarray(text.length - n));
  if (!k.user.write(buf, out)) return -EFAULT;
  if (trueSize > size) return -ENOSPC;
  return ret;
}

/** `file.c:12` and the line text for a pc, from the program's BTF line info. */
export function sourceOf(prog: KProg, pc: number): { source: string; text?: string } | undefined {
  if (prog.btf === null || prog.lineInfo.length === 0) return undefined;
  let rec: LoadedLineInfo | undefined;
  for (const l of prog.lineInfo) {
    if (l.insnOff > pc) break;
    rec = l;
  }
  if (rec === undefined) return undefined;
  const btf = prog.btf.btf;
  const file = safeString(btf, rec.fileNameOff);
  const text = safeString(btf, rec.lineOff);
  const line = rec.lineCol >>> 10;
  return { source: `${file.split('/').pop() ?? file}:${line}`, ...(text !== '' ? { text } : {}) };
}

function safeString(btf: { stringAt(o: number): string }, off: number): string {
  try {
    return btf.stringAt(off);
  } catch {
    return '';
  }
}

/** Kernel-syntax text of a loaded program (`bpftool prog dump xlated`), with map ids. */
export function dumpXlated(prog: KProg): string[] {
  const out: string[] = [];
  for (let pc = 0; pc < prog.insns.length; pc++) {
    const i = prog.insns[pc]!;
    out.push(`${pc}: ${formatKernel(i, prog.insns[pc + 1])}`);
    if (i.code === 0x18) pc++;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------

const TR = { prog_fd: 0, retval: 4, data_size_in: 8, data_size_out: 12, data_in: 16, data_out: 24, repeat: 32, duration: 36, ctx_size_in: 40, ctx_size_out: 44, ctx_in: 48, ctx_out: 56, flags: 64, cpu: 68, batch_size: 72 } as const;

/** BPF_PROG_TEST_RUN (bpf_prog_test_run + bpf_test_finish's copy-out rules). */
export function progTestRun(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(76)) return -EINVAL;
  const ctxIn = a.addr(TR.ctx_in);
  const ctxSizeIn = a.u32(TR.ctx_size_in);
  const ctxOut = a.addr(TR.ctx_out);
  const ctxSizeOut = a.u32(TR.ctx_size_out);
  if ((ctxSizeIn !== 0) !== (ctxIn !== 0)) return -EINVAL;
  if ((ctxSizeOut !== 0) !== (ctxOut !== 0)) return -EINVAL;
  const prog = k.progGet(a.u32(TR.prog_fd));
  if (typeof prog === 'number') return prog;
  try {
    const ops = k.progTypes.get(prog.type);
    if (ops?.testRun === undefined) {
      return k.refuse(-ENOTSUPP, `${progTypeLabel(prog.type)} programs have no BPF_PROG_TEST_RUN in the kernel: attach them and fire their hook (obj.attach(), obj.fire(); kprobes fire with { regs })`);
    }
    const dataInAddr = a.addr(TR.data_in);
    const dataSizeIn = a.u32(TR.data_size_in);
    let dataIn: Uint8Array | null = null;
    if (dataInAddr !== 0 || dataSizeIn !== 0) {
      const b = k.user.read(dataInAddr, dataSizeIn);
      if (b === null) return -EFAULT;
      dataIn = b.slice();
    }
    let ctxBytes: Uint8Array | null = null;
    if (ctxIn !== 0) {
      const b = k.user.read(ctxIn, ctxSizeIn);
      if (b === null) return -EFAULT;
      ctxBytes = b.slice();
    }
    const input: TestRunInput = {
      prog,
      hasDataIn: dataInAddr !== 0,
      dataIn,
      dataSizeOut: a.u32(TR.data_size_out),
      hasDataOut: a.addr(TR.data_out) !== 0,
      ctxIn: ctxBytes,
      ctxSizeOut,
      hasCtxOut: ctxOut !== 0,
      repeat: a.u32(TR.repeat),
      flags: a.u32(TR.flags),
      cpu: a.u32(TR.cpu),
      batchSize: a.u32(TR.batch_size),
      hasDuration: a.u32(TR.duration) !== 0,
    };
    k.lastTestRun = null;
    // The interpreter's one-time warm-up must not land in the first run's duration.
    warmUpInterpreter(k);
    if (k.warmUp) warmUpTestRuns(k, warmUpKindOf(prog.type));
    k.prepareRun();
    let out;
    try {
      out = ops.testRun(k, input);
    } catch (e) {
      if (e instanceof TestRunInterrupted) return -EINTR;
      throw e;
    }
    if (typeof out === 'number') return out;
    k.lastTestRun = out;
    let ret = 0;
    // bpf_test_finish: copy data_out up to data_size_out; a short buffer gets a partial copy and
    // ENOSPC. With XDP frags, a data_size_out below the frag bytes fails before anything is written.
    if (out.dataOut !== undefined) {
      const cap = a.u32(TR.data_size_out);
      const dataOutAddr = a.addr(TR.data_out);
      let bytes = out.dataOut;
      const frags = out.fragsSize ?? 0;
      if (cap !== 0 && bytes.length > cap) {
        ret = -ENOSPC;
        if (dataOutAddr !== 0 && cap - frags < 0) return -ENOSPC;
        // The linear part is cut to leave room for all frag bytes, which follow it.
        const linear = bytes.length - frags;
        const clipped = new Uint8Array(cap);
        clipped.set(bytes.subarray(0, cap - frags));
        clipped.set(bytes.subarray(linear, linear + frags), cap - frags);
        bytes = clipped;
      }
      if (dataOutAddr !== 0 && !k.user.write(dataOutAddr, bytes)) return -EFAULT;
      a.setU32(TR.data_size_out, out.dataOut.length);
    }
    a.setU32(TR.retval, out.retval >>> 0);
    a.setU32(TR.duration, Math.min(0xffffffff, Math.round(out.durationNs)));
    // bpf_ctx_finish runs only when bpf_test_finish succeeded.
    if (ret === 0 && out.ctxOut !== undefined && ctxOut !== 0) {
      let n = out.ctxOut.length;
      if (n > ctxSizeOut) {
        n = ctxSizeOut;
        ret = -ENOSPC;
      }
      if (!k.user.write(ctxOut, out.ctxOut.subarray(0, n))) return -EFAULT;
      a.setU32(TR.ctx_size_out, out.ctxOut.length);
    }
    if (out.ctxInWriteBack !== undefined && !k.user.write(ctxIn, out.ctxInWriteBack)) return -EFAULT;
    return ret;
  } finally {
    k.progPut(prog);
  }
}

/** BPF_PROG_BIND_MAP: add a map to a program's used maps. */
export function progBindMap(k: Kernel, a: Attr): number {
  if (!a.zeroFrom(12)) return -EINVAL;
  if (a.u32(8) !== 0) return -EINVAL;
  const prog = k.progGet(a.u32(0));
  if (typeof prog === 'number') return prog;
  try {
    const map = k.mapGet(a.u32(4));
    if (typeof map === 'number') return map;
    if (prog.usedMaps.includes(map)) k.mapPut(map);
    else prog.usedMaps.push(map);
    return 0;
  } finally {
    k.progPut(prog);
  }
}
