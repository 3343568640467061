/**
 * The trust flags of BTF pointers (src/verifier/trust.ts) against 6.18's check_ptr_to_btf_access as
 * its source reads: trusted members stay trusted, RCU members are MEM_RCU inside an RCU critical
 * section, other members plain there and untrusted outside one; except that 6.18 as measured makes
 * an unlisted member of a trusted pointer untrusted inside a section too (corpus group findvma). The recorded cases (a walked
 * task->parent refused by bpf_task_acquire in a sleepable program, kptrs loaded inside and outside
 * a section) are in corpus group kfunc.
 */
import { describe, expect, it } from 'vitest';
import { ptrReg } from '../../src/verifier/reg.js';
import { isRcuReg, isTrustedReg, walkedTrust } from '../../src/verifier/trust.js';

const task = (trust: '' | 'trusted' | 'rcu' | 'untrusted', refObjId = 0) => ptrReg('btf_id', { btfName: 'task_struct', trust, refObjId });

describe('walkedTrust', () => {
  it('an RCU-safe member of a trusted task is MEM_RCU inside a critical section, untrusted outside', () => {
    expect(walkedTrust(task('trusted'), 'cpus_ptr', true)).toEqual({ trust: 'rcu', maybeNull: false });
    expect(walkedTrust(task('trusted'), 'real_parent', true)).toEqual({ trust: 'rcu', maybeNull: false });
    expect(walkedTrust(task('trusted'), 'cpus_ptr', false)).toEqual({ trust: 'untrusted', maybeNull: false });
  });

  it('a member on no list of a trusted task is untrusted inside a section too (measured: findvma-task-untrusted), of a plain one plain; untrusted stays untrusted', () => {
    expect(walkedTrust(task('trusted'), 'parent', true)).toEqual({ trust: 'untrusted', maybeNull: false });
    expect(walkedTrust(task('trusted'), 'mm', true)).toEqual({ trust: 'untrusted', maybeNull: false });
    expect(walkedTrust(task(''), 'parent', true)).toEqual({ trust: '', maybeNull: false });
    expect(walkedTrust(task('trusted'), 'parent', false)).toEqual({ trust: 'untrusted', maybeNull: false });
    expect(walkedTrust(task('untrusted'), 'real_parent', true)).toEqual({ trust: 'untrusted', maybeNull: false });
  });

  it('members of an RCU pointer, and RCU-or-NULL members, are MEM_RCU and maybe NULL', () => {
    expect(walkedTrust(task('rcu'), 'parent', true)).toEqual({ trust: 'rcu', maybeNull: true });
    expect(walkedTrust(ptrReg('btf_id', { btfName: 'sk_buff', trust: 'trusted' }), 'sk', true)).toEqual({ trust: 'rcu', maybeNull: true });
  });

  it('fully trusted members of a trusted parent stay trusted everywhere', () => {
    const it_ = ptrReg('btf_id', { btfName: 'bpf_iter__task', trust: 'trusted' });
    expect(walkedTrust(it_, 'task', false)).toEqual({ trust: 'trusted', maybeNull: false });
    expect(walkedTrust(ptrReg('btf_id', { btfName: 'socket', trust: 'trusted' }), 'sk', false)).toEqual({ trust: 'trusted', maybeNull: true });
  });
});

describe('isTrustedReg / isRcuReg', () => {
  it('a referenced pointer is trusted whatever its flag; an RCU pointer is not trusted', () => {
    expect(isTrustedReg(task('', 3))).toBe(true);
    expect(isTrustedReg(task('trusted'))).toBe(true);
    expect(isTrustedReg(task('rcu'))).toBe(false);
    expect(isRcuReg(task('rcu'))).toBe(true);
    expect(isTrustedReg(task(''))).toBe(false);
  });
});
