/**
 * kfunc arguments by their BTF types (kernel/bpf/verifier.c check_kfunc_args,
 * get_kfunc_ptr_arg_type, check_func_arg_reg_off, process_kf_arg_ptr_to_btf_id): scalars,
 * `__ign`/`__prog`, ctx, `__map` and `__str` parameters, pointers that are not BTF pointers
 * (memory of a scalar or scalar-only struct target), and the BTF type match of struct arguments
 * (btf_struct_ids_match). The messages and errnos are 6.18's, recorded in corpus group kfargs;
 * `__map` and `__str` come from the 6.18 sources (this kernel build registers no kfunc with
 * either that a loadable program may call: the arena kfuncs are "not allowed" here).
 */
import type { VKfunc } from './api.js';
import { checkHelperMem, checkPtrOffReg } from './mem.js';
import { isNullScalar, regTypeStr, type Reg } from './reg.js';
import { isRcuReg } from './trust.js';
import { tnumIsConst } from './tnum.js';
import { ERR, type Verifier } from './verifier.js';

/**
 * The struct a register carries implicitly or through its BTF id (reg2btf_ids: sockets and map
 * pointers), or undefined for registers that are not BTF pointers.
 */
export function btfNameOfReg(r: Reg): string | undefined {
  switch (r.type) {
    case 'btf_id':
      return r.btfName;
    case 'sock':
    case 'sock_common':
    case 'tcp_sock':
      return r.type;
    case 'map_ptr':
      return 'bpf_map';
    default:
      return undefined;
  }
}

/**
 * check_kfunc_args for the arguments {@link VKfunc.argTypes} describes that the older per-kind
 * checks do not: scalars (`R%d is not a scalar`, any register that is not one, unset ones too),
 * `__k` constants, ctx, `__map`, `__str`, pointers to kernel structs whose register is no BTF
 * pointer, and memory of scalar targets in registers other than the stack. Arguments are read
 * only as the kernel reads them: `__ign` and `__prog` ones may be unset.
 */
export function checkKfuncArgTypes(v: Verifier, k: VKfunc): { readonly retSize: number | undefined } {
  let retSize: number | undefined;
  const types = k.argTypes!;
  const f = k.flags ?? {};
  const trusted = f.trustedArgs === true || f.release === true || f.rcu === true;
  for (let i = 0; i < types.length; i++) {
    const a = types[i]!;
    const regno = i + 1;
    const reg = v.regs()[regno]!;
    if (a.kind === 'ignore') continue;
    v.scratchRegs |= 1 << regno;
    if (a.kind === 'scalar') {
      if (reg.type !== 'scalar') v.reject(ERR.EINVAL, `R${regno} is not a scalar`);
      if (k.constArgs?.[i] === true && !tnumIsConst(reg.s.var)) v.reject(ERR.EINVAL, `R${regno} must be a known constant`);
      if (k.retBufSize?.arg === i) {
        // is_ret_buf_sz: the result's memory size
        if (!tnumIsConst(reg.s.var)) v.reject(ERR.EINVAL, `R${regno} is not a const`);
        retSize = Number(reg.s.var.value);
      }
      continue;
    }
    const nullable = a.nullable === true;
    const isNull = isNullScalar(reg);
    if (trusted && (isNull || reg.maybeNull) && !nullable) v.reject(ERR.EACCES, `Possibly NULL pointer passed to trusted arg${i}`);
    if (a.kind === 'special') {
      // dynptrs, iterators, locks: their own checks (process_dynptr_func, process_iter_arg, ...)
      v.readReg(regno);
      continue;
    }
    if (a.kind === 'ctx') {
      // KF_ARG_PTR_TO_CTX comes before KF_ARG_PTR_TO_NULL: a NULL ctx is not a ctx
      if (reg.type === 'ctx') checkPtrOffReg(v, reg, regno, false);
      if (reg.type !== 'ctx') v.reject(ERR.EINVAL, `arg#${i} expected pointer to ctx, but got ${regTypeStr(reg)}`);
      continue;
    }
    if (isNull && nullable) continue;
    if (a.kind === 'map') {
      if (reg.map === null || (reg.type !== 'map_ptr' && reg.type !== 'map_value' && reg.type !== 'map_key')) v.reject(ERR.EINVAL, `pointer in R${regno} isn't map pointer`);
      // only a map pointer (CONST_PTR_TO_MAP) carries the `struct bpf_map` BTF type
      if (reg.type !== 'map_ptr') {
        if (trusted) v.reject(ERR.EINVAL, f.trustedArgs === true || f.release === true ? `R${regno} must be referenced or trusted` : `R${regno} must be a rcu pointer`);
        v.reject(ERR.EINVAL, `arg#${i} is ${regTypeStr(reg)} expected ${regTypeStr(reg)} or socket`);
      }
      continue;
    }
    if (a.kind === 'const_str') {
      if (reg.type !== 'map_value') v.reject(ERR.EINVAL, `arg#${i} doesn't point to a const string`);
      checkConstStr(v, regno, reg);
      continue;
    }
    if (a.kind !== 'ptr') continue;
    // a pointer: a BTF pointer (KF_ARG_PTR_TO_BTF_ID, checked with the struct arguments), or memory
    if (btfNameOfReg(reg) !== undefined) {
      if (a.target !== 'struct' && a.target !== 'scalar_struct') v.reject(ERR.EINVAL, `kernel function ${k.name} args#${i} pointer type ${a.targetStr} is not supported`);
      continue;
    }
    const memOk = a.target === 'scalar' || a.target === 'scalar_struct' || (a.sized && a.target === 'void');
    if (!memOk) v.reject(ERR.EINVAL, `arg#${i} pointer type ${a.targetStr} must point to ${a.sized ? 'void, ' : ''}scalar, or struct with scalar`);
    // recorded on this machine's 6.18 (corpus groups kfunc, kfargs and iterk): a struct that is not
    // made of scalars refuses a scalar first (`must point to scalar`, iterk-task-scalar-arg); then a
    // scalar where a KF_TRUSTED_ARGS or KF_RELEASE kfunc takes a struct is refused as untrusted
    // (kfunc-double-release), where a KF_RCU one takes it, as memory
    if (reg.type === 'scalar' && (f.trustedArgs === true || f.release === true) && a.target !== 'scalar') v.reject(ERR.EINVAL, `R${regno} must be referenced or trusted`);
    // the `__sz` pair: checkKfuncMemSize; stack memory of a scalar target: check_mem_reg in the caller
    // (memArgs); a scalar-only struct on the stack (a `struct pt_regs *` outside kprobe) is checked here
    if (a.sized || (reg.type === 'fp' && a.target !== 'scalar_struct')) continue;
    if (reg.type === 'not_init') v.reject(ERR.EACCES, `R${regno} !read_ok`);
    // check_mem_reg: readable and writable for the target's size
    checkHelperMem(v, regno, a.size, false, false, false);
    checkHelperMem(v, regno, a.size, true, false, false);
  }
  return { retSize };
}

/**
 * check_reg_const_str: a `__str` argument (or a helper's ARG_PTR_TO_CONST_STR) points into a
 * frozen read-only map at a constant offset, and the string there ends inside the value.
 */
export function checkConstStr(v: Verifier, regno: number, reg: Reg): void {
  const map = reg.map!;
  if (!map.frozen || (map.flags & (1 << 7)) === 0) v.reject(ERR.EACCES, `R${regno} does not point to a readonly map'`);
  if (!tnumIsConst(reg.s.var)) v.reject(ERR.EACCES, `R${regno} is not a constant address'`);
  if (map.frozenValue === undefined) v.reject(ERR.EACCES, 'no direct value access support for this map type');
  const at = reg.off + Number(reg.s.var.value);
  checkHelperMem(v, regno, map.valueSize - at, false, false, false);
  if (map.frozenValue.subarray(at).indexOf(0) < 0) v.reject(ERR.EINVAL, 'string is not zero-terminated');
}

/**
 * The BTF half of KF_ARG_PTR_TO_BTF_ID for argument `i` (register `regno` holds a BTF pointer):
 * check_func_arg_reg_off (a fixed offset is allowed unless the pointer is released, a variable one
 * never), an untrusted pointer refused (`arg#%d is untrusted_ptr_ expected ptr_ or socket`) unless
 * it is an RCU pointer, and process_kf_arg_ptr_to_btf_id's type match — strict for a referenced
 * pointer passed to a KF_RELEASE kfunc, otherwise walking first members (a `struct bpf_cpumask *`
 * is a `struct cpumask *`); a kfunc taking `__sk_buff` or `xdp_md` also takes the kernel's
 * `sk_buff` / `xdp_buff` (btf_is_projection_of).
 */
export function checkKfuncBtfArg(v: Verifier, k: VKfunc, i: number, want: string, release: boolean): void {
  const regno = i + 1;
  const reg = v.regs()[regno]!;
  if (release && reg.refObjId !== 0) {
    if (reg.off !== 0) v.reject(ERR.EINVAL, `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`);
    checkPtrOffReg(v, reg, regno, false);
  } else if (reg.type === 'btf_id') checkPtrOffReg(v, reg, regno, true);
  else checkPtrOffReg(v, reg, regno, false);
  if (reg.type === 'btf_id' && reg.trust === 'untrusted' && !isRcuReg(reg)) {
    v.reject(ERR.EINVAL, `arg#${i} is ${regTypeStr(reg)} expected ${regTypeStr({ ...reg, trust: '' })} or socket`);
  }
  const have = btfNameOfReg(reg);
  const match = v.input.btfStructMatch;
  if (have === undefined || have === '' || match === undefined) return;
  const strict = release && reg.refObjId !== 0;
  const projection = (want === '__sk_buff' && have === 'sk_buff') || (want === 'xdp_md' && have === 'xdp_buff');
  if (!projection && !match(have, reg.off, want, strict)) {
    v.reject(ERR.EINVAL, `kernel function ${k.name} args#${i} expected pointer to STRUCT ${want} but R${regno} has a pointer to STRUCT ${have}`);
  }
}
