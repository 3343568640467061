/**
 * kfunc references and KF_* flags (kernel/bpf/verifier.c check_kfunc_call, check_kfunc_args,
 * get_kfunc_ptr_arg_type): sleepable kfuncs, the NULL, trusted and RCU rules of struct-pointer
 * arguments (KF_TRUSTED_ARGS, KF_RCU; a KF_RELEASE kfunc's arguments count as trusted), the
 * reference a KF_RELEASE kfunc releases and the one a KF_ACQUIRE kfunc's result holds. The messages
 * and errnos are 6.18's, as recorded in corpus group kfunc.
 */
import type { VKfunc } from './api.js';
import { isNullScalar, regTypeStr, type Reg } from './reg.js';
import { tnumIsConst } from './tnum.js';
import { checkHelperMem } from './mem.js';
import { checkKfuncBtfArg } from './kfunc-args.js';
import { isRcuReg, isTrustedReg } from './trust.js';
import { ERR, Reject, type Verifier } from './verifier.js';

/** What the argument checks found: the reference to release (0: none) and the one the arguments carry. */
export interface KfuncArgMeta {
  readonly refObjId: number;
  readonly releaseRegno: number;
}

const BTF_REG_TYPES: readonly Reg['type'][] = ['btf_id', 'sock', 'sock_common', 'tcp_sock'];

/**
 * KF_DESTRUCTIVE: check_kfunc_call's first flag check (before the sleepable one and the arguments)
 * is capable(CAP_SYS_BOOT), a capability of its own. From the 6.18 sources: this machine's build has
 * no destructive kfunc (test/verifier/destructive.test.ts).
 */
export function checkKfuncDestructive(v: Verifier, k: VKfunc): void {
  if (k.flags?.destructive === true && v.input.capSysBoot === false) v.reject(ERR.EACCES, 'destructive kfunc calls require CAP_SYS_BOOT capability');
}

/** The flag checks made with the arguments (sleepable, sleepable inside an RCU section). */
export function checkKfuncFlags(v: Verifier, k: VKfunc): void {
  const f = k.flags ?? {};
  if (f.sleepable === true && (v.input.progFlags & 16) === 0) v.reject(ERR.EACCES, `program must be sleepable to call sleepable kfunc ${k.name}`);
  if (f.sleepable === true && v.cur.rcuLock === true) v.reject(ERR.EACCES, `kernel func ${k.name} is sleepable within rcu_read_lock region`);
}

/** check_kfunc_args for scalar `__k` and struct-pointer arguments. */
export function checkKfuncStructArgs(v: Verifier, k: VKfunc): KfuncArgMeta {
  const f = k.flags ?? {};
  const trusted = f.trustedArgs === true || f.release === true;
  let refObjId = 0;
  let releaseRegno = 0;
  for (let i = 0; i < k.nargs; i++) {
    const regno = i + 1;
    const reg = v.regs()[regno]!;
    if (k.constArgs?.[i] === true) {
      if (reg.type !== 'scalar') v.reject(ERR.EINVAL, `R${regno} is not a scalar`);
      if (!tnumIsConst(reg.s.var)) v.reject(ERR.EINVAL, `R${regno} must be a known constant`);
      continue;
    }
    const a = k.structArgs?.[i];
    if (a === undefined) continue;
    const isNull = isNullScalar(reg);
    if ((trusted || f.rcu === true) && (isNull || reg.maybeNull) && !a.nullable) v.reject(ERR.EACCES, `Possibly NULL pointer passed to trusted arg${i}`);
    if (isNull && a.nullable) continue;
    if (reg.refObjId !== 0) {
      if (f.release === true && refObjId !== 0) v.reject(ERR.EFAULT, `verifier internal error: more than one arg with ref_obj_id R${regno} ${reg.refObjId} ${refObjId}`);
      refObjId = reg.refObjId;
      if (f.release === true) releaseRegno = regno;
    }
    if (BTF_REG_TYPES.includes(reg.type)) {
      // KF_ARG_PTR_TO_BTF_ID: a possibly-NULL BTF pointer (a `__nullable` argument passed the NULL
      // check above) is refused unless MEM_RCU (6.18, corpus group iterk)
      if (reg.type === 'btf_id' && reg.maybeNull && reg.trust !== 'rcu') {
        v.reject(ERR.EINVAL, `arg#${i} is ${regTypeStr(reg)} expected ${regTypeStr({ ...reg, maybeNull: false, trust: reg.trust === 'trusted' ? 'trusted' : '' })} or socket`);
      }
      if ((trusted || f.rcu === true) && !isTrustedReg(reg)) {
        if (f.rcu !== true) v.reject(ERR.EINVAL, `R${regno} must be referenced or trusted`);
        if (!isRcuReg(reg)) v.reject(ERR.EINVAL, `R${regno} must be a rcu pointer`);
      }
      if (k.argTypes !== undefined) checkKfuncBtfArg(v, k, i, a.name, f.release === true);
      else if (releaseRegno === regno && reg.off !== 0) v.reject(ERR.EINVAL, `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
      continue;
    }
    // not a BTF pointer: checkKfuncArgTypes took it (KF_ARG_PTR_TO_MEM) when the kfunc has argument types
    if (k.argTypes !== undefined) continue;
    // otherwise memory of the struct's size when the struct holds only scalars (checked first, as
    // 6.18 does), and a trusted argument refuses a scalar
    if (!a.scalarStruct) v.reject(ERR.EINVAL, `arg#${i} pointer type STRUCT ${a.name} must point to scalar, or struct with scalar`);
    if (trusted && reg.type === 'scalar') v.reject(ERR.EINVAL, `R${regno} must be referenced or trusted`);
    checkHelperMem(v, regno, a.size, false, false, false);
  }
  for (const i of k.memSizeArgs ?? []) checkKfuncMemSize(v, i);
  if (f.release === true && releaseRegno === 0) v.reject(ERR.EINVAL, `release kernel function ${k.name} expects refcounted PTR_TO_BTF_ID`);
  return { refObjId, releaseRegno };
}

/**
 * check_kfunc_mem_size_reg for a buffer `arg#i` sized by `arg#i+1` (`__sz`): the size a bounded
 * non-negative scalar, the buffer readable and writable for its largest value; a failure adds
 * 6.18's `arg#i arg#i+1 memory, len pair leads to invalid memory access`. The buffer may not be NULL,
 * not even with size 0.
 */
function checkKfuncMemSize(v: Verifier, i: number): void {
  const buf = i + 1;
  const sizeReg = v.regs()[buf + 1]!;
  // check_kfunc_args' NULL check, which this 6.18 build applies to kfuncs without KF_TRUSTED_ARGS
  // too (measured: bpf_copy_from_user_str, registered KF_SLEEPABLE only, refuses a NULL dst with
  // size 0; corpus group userstr); applied here to `__sz` buffers only
  const bufReg = v.regs()[buf]!;
  if (isNullScalar(bufReg) || bufReg.maybeNull) v.reject(ERR.EACCES, `Possibly NULL pointer passed to trusted arg${i}`);
  try {
    const s = sizeReg.s;
    if (sizeReg.type !== 'scalar') v.reject(ERR.EACCES, `R${buf + 1} is not a scalar`);
    if (s.smin < 0n) v.reject(ERR.EACCES, `R${buf + 1} min value is negative, either use unsigned or 'var &= const'`);
    if (s.umax >= 1n << 29n) v.reject(ERR.EACCES, `R${buf + 1} unbounded memory access, use 'var &= const' or 'if (var < const)'`);
    const isNull = isNullScalar(v.regs()[buf]!);
    if (!(isNull && s.umax === 0n)) {
      checkHelperMem(v, buf, Number(s.umax), false, true, false);
      checkHelperMem(v, buf, Number(s.umax), true, true, false);
    }
  } catch (e) {
    if (e instanceof Reject) v.reject(e.errno, `${e.msg}\narg#${i} arg#${i + 1} memory, len pair leads to invalid memory access`);
    throw e;
  }
}
