/**
 * The kfunc table: kernel functions BPF programs call with `call` src_reg=2 (BPF_PSEUDO_KFUNC_CALL),
 * implemented in TypeScript. Each kfunc gets a FUNC in the emulated vmlinux BTF; its id is what a
 * loader puts in the call's imm, as libbpf does with the real kernel BTF.
 *
 * Implicit program argument (docs/struct-ops-assoc.md §4.2): a kfunc may receive the calling
 * program, ignoring whatever the register holds, in either spelling:
 * - `'suffix'`: the last BPF-visible parameter is named `*__prog` (v8, Dec 2025 objects pass NULL);
 * - `'implicit'`: KF_IMPLICIT_ARGS (2026): the BPF-visible prototype omits the parameter; the
 *   kernel-side `<name>_impl` twin has it. The twin is in the BTF but not callable.
 * Either way the emulator passes the program whose instructions are executing (subprograms and
 * callbacks of a program see that program).
 */
import type { Machine } from '../vm/machine.js';
import type { KFuncProto } from './objects/ktypes.js';
import type { KProg } from './objects/objects.js';

/** KF_* flags the emulator honours or reports. */
export interface KfuncFlags {
  readonly trustedArgs?: boolean;
  readonly acquire?: boolean;
  readonly release?: boolean;
  readonly retNull?: boolean;
  readonly sleepable?: boolean;
  readonly destructive?: boolean;
  /** KF_ARENA_RET: returns an arena (user) address; a `void *` the verifier types as a scalar. */
  readonly arenaRet?: boolean;
  /** KF_RCU: struct arguments may be RCU pointers (trusted or MEM_RCU), not NULL. */
  readonly rcu?: boolean;
  /**
   * Emulator extension: a `void *` result is a read-only kernel object that the program may read
   * through (the kernel types every other `void *` kfunc result as a scalar).
   */
  readonly retObject?: boolean;
  /** KF_ITER_NEW / KF_ITER_NEXT / KF_ITER_DESTROY: an open-coded iterator `bpf_iter_<type>_*` (arg 0 `struct bpf_iter_<type> *`). */
  readonly iter?: 'new' | 'next' | 'destroy';
  /** KF_RCU_PROTECTED: only inside an RCU read-side section (any non-sleepable program is in one). */
  readonly rcuProtected?: boolean;
}

/** What an implementation receives. */
export interface KfuncCall {
  readonly m: Machine;
  /** The calling program (the implicit argument when declared). */
  readonly prog: KProg;
  /** The BPF-visible arguments r1..rN, as unsigned 64-bit values. */
  readonly args: readonly bigint[];
}

/** One kfunc. */
export interface KfuncDef {
  readonly name: string;
  /** The BPF-visible prototype (for 'implicit', without the program parameter). */
  readonly proto: KFuncProto;
  readonly implicitProg?: 'suffix' | 'implicit';
  /** Program types that may call it (the kfunc id set's registrations); undefined = all. */
  readonly progTypes?: readonly number[];
  readonly flags?: KfuncFlags;
  /** Returns r0 (a number is sign-extended, a bigint truncated to 64 bits). */
  readonly impl: (call: KfuncCall) => number | bigint;
}

/** A registered kfunc with its BTF id. */
export interface RegisteredKfunc {
  readonly def: KfuncDef;
  readonly btfId: number;
}

/** kfuncs by name and by BTF id. */
export class KfuncRegistry {
  private readonly byName = new Map<string, RegisteredKfunc>();
  private readonly byId = new Map<number, RegisteredKfunc>();

  add(def: KfuncDef, btfId: number): void {
    const r = { def, btfId };
    const old = this.byName.get(def.name);
    if (old !== undefined) this.byId.delete(old.btfId);
    this.byName.set(def.name, r);
    this.byId.set(btfId, r);
  }

  byBtfId(id: number): RegisteredKfunc | undefined {
    return this.byId.get(id);
  }

  get(name: string): RegisteredKfunc | undefined {
    return this.byName.get(name);
  }

  all(): RegisteredKfunc[] {
    return [...this.byName.values()];
  }
}

/** The kernel-side prototype of a kfunc (with the implicit `struct bpf_prog_aux *aux` for KF_IMPLICIT_ARGS). */
export function kernelProto(def: KfuncDef): KFuncProto {
  if (def.implicitProg !== 'implicit') return def.proto;
  return { ret: def.proto.ret, params: [...def.proto.params, { name: 'aux', type: 'struct bpf_prog_aux *' }] };
}
