/**
 * How far a BTF pointer is trusted (kernel/bpf/verifier.c is_trusted_reg, is_rcu_reg, in_rcu_cs,
 * check_ptr_to_btf_access): the flag a pointer read through another gets, from 6.18's
 * BTF_TYPE_SAFE_RCU / _RCU_OR_NULL / _TRUSTED / _TRUSTED_OR_NULL member lists. The lists are
 * transcribed from the 6.18 sources (kernel/bpf/verifier.c), not measured: this kernel build
 * cannot load the tracing programs that would show most of them.
 */
import type { Reg } from './reg.js';

type Safe = Readonly<Record<string, readonly string[]>>;

/** Trusted inside an RCU read-side section, never NULL. */
const SAFE_RCU: Safe = {
  task_struct: ['cpus_ptr', 'cgroups', 'real_parent', 'group_leader'],
  cgroup: ['kn'],
  css_set: ['dfl_cgrp'],
  cgroup_subsys_state: ['cgroup'],
};
/** Trusted inside an RCU read-side section, may be NULL. */
const SAFE_RCU_OR_NULL: Safe = {
  mm_struct: ['exe_file'],
  sk_buff: ['sk'],
  request_sock: ['sk'],
};
/** Trusted everywhere, never NULL (the parent must be trusted). */
const SAFE_TRUSTED: Safe = {
  bpf_iter_meta: ['seq'],
  bpf_iter__task: ['meta', 'task'],
  linux_binprm: ['file'],
  file: ['f_inode'],
};
/** Trusted everywhere, may be NULL (the parent must be trusted). */
const SAFE_TRUSTED_OR_NULL: Safe = {
  dentry: ['d_inode'],
  socket: ['sk'],
  vm_area_struct: ['vm_file'],
};

const listed = (safe: Safe, parent: string, field: string | undefined): boolean => field !== undefined && safe[parent]?.includes(field) === true;

/** is_trusted_reg: referenced, or PTR_TRUSTED (an untrusted or RCU pointer is not). */
export function isTrustedReg(r: Reg): boolean {
  if (r.refObjId !== 0) return true;
  if (r.type === 'btf_id') return r.trust === 'trusted';
  // reg2btf_ids: sockets and the ctx-like pointer types carry their BTF type implicitly
  return r.type === 'sock' || r.type === 'sock_common' || r.type === 'tcp_sock';
}

/** is_rcu_reg. */
export function isRcuReg(r: Reg): boolean {
  return r.type === 'btf_id' && r.trust === 'rcu';
}

/**
 * The flags of a pointer loaded from member `field` of the BTF pointer `parent`
 * (check_ptr_to_btf_access): trusted members of a trusted parent stay trusted, RCU members of a
 * non-NULL parent are MEM_RCU inside an RCU critical section (`inRcuCs`: an RCU lock or spin lock
 * held, or a non-sleepable program), other members of a trusted parent untrusted there as 6.18
 * measures it (the source reads plain), of a plain parent plain; outside one, untrusted.
 */
export function walkedTrust(parent: Reg, field: string | undefined, inRcuCs: boolean): { trust: Reg['trust']; maybeNull: boolean } {
  const untrusted = parent.trust === 'untrusted';
  if (!untrusted && isTrustedReg(parent)) {
    if (listed(SAFE_TRUSTED, parent.btfName, field)) return { trust: 'trusted', maybeNull: false };
    if (listed(SAFE_TRUSTED_OR_NULL, parent.btfName, field)) return { trust: 'trusted', maybeNull: true };
  }
  if (inRcuCs && !parent.maybeNull) {
    if (untrusted) return { trust: 'untrusted', maybeNull: false };
    if (listed(SAFE_RCU, parent.btfName, field)) return { trust: 'rcu', maybeNull: false };
    if (parent.trust === 'rcu' || listed(SAFE_RCU_OR_NULL, parent.btfName, field)) return { trust: 'rcu', maybeNull: true };
    // an unlisted member of a trusted parent is untrusted even here (measured on 6.18: current->mm
    // in a raw_tp program, corpus case findvma-task-untrusted); a plain parent's stays plain
    return { trust: isTrustedReg(parent) ? 'untrusted' : '', maybeNull: false };
  }
  return { trust: 'untrusted', maybeNull: false };
}
