/**
 * The kfunc bpf_rdonly_cast(obj__ign, btf_id__k) as 6.18's check_kfunc_call types its result
 * (kernel/bpf/verifier.c, special_kfunc_list KF_bpf_rdonly_cast): the constant type id names a
 * type of the kernel's BTF (the emulated vmlinux, the BTF bpf_core_type_id_kernel relocations
 * resolve against); a struct or union gives PTR_TO_BTF_ID | PTR_UNTRUSTED of it (never NULL, read
 * by BTF field as PROBE_MEM loads, writes refused by check_ptr_to_btf_access: "only read is
 * supported"), void (id 0) gives PTR_TO_MEM | MEM_RDONLY | PTR_UNTRUSTED of size 0, readable at any
 * offset (no bounds: every load is a PROBE_MEM load); any other id is refused. Messages, errnos and
 * state names as recorded live in corpus group rdonly.
 */
import { tnumIsConst } from './tnum.js';
import { ptrReg, type Reg } from './reg.js';
import { ERR, type Verifier } from './verifier.js';

/** The kfunc's name, as the kfunc registry and the messages spell it. */
export const RDONLY_CAST = 'bpf_rdonly_cast';

/** The type of r0 after bpf_rdonly_cast, from the constant type id in R2 (checked a known constant before). */
export function rdonlyCastResult(v: Verifier): Reg {
  const r2 = v.regs()[2]!;
  // check_kfunc_args made sure of this already (`R2 must be a known constant`); kept as a guard
  if (!tnumIsConst(r2.s.var)) v.reject(ERR.EINVAL, 'R2 must be a known constant');
  const id = r2.s.var.value;
  const t = id <= 0xffffffffn ? v.input.btfTypeById?.(Number(id)) : undefined;
  if (t === undefined) v.reject(ERR.EINVAL, `Unknown type ID ${id} passed to kfunc ${RDONLY_CAST}`);
  if (t.kind === 'struct') return ptrReg('btf_id', { btfName: t.name, trust: 'untrusted' });
  if (t.kind === 'void') return ptrReg('mem', { memSize: 0, rdonly: true, trust: 'untrusted' });
  return v.reject(ERR.EINVAL, `kfunc ${RDONLY_CAST} type ID argument must be of a struct or void`);
}

/** rdonly_untrusted memory (a void cast): loads are PROBE_MEM loads, so no bounds apply. */
export function isRdonlyUntrustedMem(r: Reg): boolean {
  return r.type === 'mem' && r.rdonly && r.trust === 'untrusted';
}

/**
 * A load through this register becomes a BPF_PROBE_MEM load (convert_ctx_accesses: PTR_TO_BTF_ID
 * of any flavour, and PTR_TO_MEM | MEM_RDONLY | PTR_UNTRUSTED): a faulting address reads 0.
 */
export function isProbeMemBase(r: Reg): boolean {
  return r.type === 'btf_id' || isRdonlyUntrustedMem(r);
}
