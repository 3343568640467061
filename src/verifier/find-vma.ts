/**
 * bpf_find_vma's verifier rules (kernel/bpf/verifier.c, 6.18): the task argument as check_reg_type
 * takes an ARG_PTR_TO_BTF_ID (plain, trusted or RCU `struct task_struct *`, never NULL, percpu or
 * untrusted; then btf_struct_ids_match against task_struct), and the callback's entry registers
 * (set_find_vma_callback_state: r1 = the caller's task, r2 = a plain PTR_TO_BTF_ID to `struct
 * vm_area_struct`, r3 = the caller's ctx argument, r4 and r5 not initialised). The callback's return
 * range [0, 1] comes with the helper's prototype (helpers/find-vma.ts).
 */
import { ptrReg, regTypeStr, type Reg } from './reg.js';
import { ERR, type Verifier } from './verifier.js';

/** BPF_FUNC_find_vma. */
export const FIND_VMA = 180;

/** The register types ARG_PTR_TO_BTF_ID accepts (compatible_reg_types btf_ptr_types), as the log names them. */
const BTF_PTR_TYPES = ['ptr_', 'trusted_ptr_', 'rcu_ptr_'] as const;

/** check_reg_type for bpf_find_vma's task argument in register `regno`. */
export function checkFindVmaTask(v: Verifier, regno: number, reg: Reg): void {
  const trust = reg.refObjId !== 0 ? 'trusted' : reg.trust;
  const ok = reg.type === 'btf_id' && !reg.percpu && !reg.maybeNull && !reg.rdonly && trust !== 'untrusted';
  if (!ok) v.reject(ERR.EACCES, `R${regno} type=${regTypeStr(reg)} expected=${BTF_PTR_TYPES.join(', ')}`);
  if (reg.btfName !== 'task_struct') v.reject(ERR.EACCES, `R${regno} is of type ${reg.btfName} but task_struct is expected`);
}

/** set_find_vma_callback_state: the callback's r1-r3 from the caller's registers at the call. */
export function setFindVmaCallbackRegs(caller: readonly Reg[], callee: Reg[]): void {
  callee[1] = caller[1]!;
  callee[2] = ptrReg('btf_id', { btfName: 'vm_area_struct' });
  callee[3] = caller[4]!;
}
