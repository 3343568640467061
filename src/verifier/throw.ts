/**
 * bpf_throw (BPF exceptions, 6.18): a call to it ends the path like a program exit. The rules and
 * messages are 6.18's, recorded in corpus group throw: refused inside a callback subprogram
 * (bpf_loop & co., and the exception callback itself), inside an RCU read section and with a
 * reference held in any frame; with the default exception callback the cookie in R1 becomes the
 * return value, so R1 is checked against the program type's return range. (A throw while holding a
 * bpf_spin_lock is refused earlier, as any call under the lock.)
 */
import { checkNotInPreempt } from './preempt.js';
import { ERR, invalidScalar, type Verifier } from './verifier.js';

/** The checks at a bpf_throw call; the caller then ends the path. */
export function checkThrow(v: Verifier): void {
  const frames = v.cur.frames;
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i]!;
    if (f.cbRet !== null || (i === 0 && f.subprog === v.excCbSub && v.excCbSub >= 0)) v.reject(ERR.EINVAL, `bpf_throw kfunc (insn ${v.pc}) cannot be called from callback subprog ${f.subprog}`);
  }
  if (v.cur.rcuLock === true) v.reject(ERR.EINVAL, 'bpf_throw cannot be used inside bpf_rcu_read_lock-ed region');
  checkNotInPreempt(v, 'bpf_throw');
  if (v.cur.refs.length > 0) {
    const lines = v.cur.refs.map((r) => `Unreleased reference id=${r.id} alloc_insn=${r.insn}`);
    v.reject(ERR.EINVAL, `${lines.join('\n')}\nbpf_throw would lead to reference leak`);
  }
  // the default callback returns the cookie: R1 must fit the program's return range
  if (v.input.exceptionCb !== undefined) return;
  const range = v.input.retRange;
  if (range === null) return;
  const r1 = v.regs()[1]!;
  if (r1.type !== 'scalar') v.reject(ERR.EINVAL, 'At program exit the register R1 is not a known value');
  if (!(BigInt(range[0]) <= r1.s.smin && r1.s.smax <= BigInt(range[1]))) v.reject(ERR.EINVAL, invalidScalar(r1.s, range, 'At program exit', 'R1'));
}
