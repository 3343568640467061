/**
 * Open-coded iterators (kernel/bpf/verifier.c process_iter_arg, mark_stack_slots_iter,
 * is_iter_reg_valid_uninit/init, process_iter_next_call): `bpf_iter_<type>_new(&it, ...)` turns
 * the iterator's stack slots into STACK_ITER holding a reference; `_next(&it)` forks the path into
 * "drained" (r0 = NULL, this path) and "active" (r0 = an element, depth + 1, explored later, with
 * scalars that changed since the previous visit widened); `_destroy(&it)` drops the reference and
 * frees the slots. Kfuncs with an `it__iter` argument (KF_ARG_PTR_TO_ITER) need an initialised
 * iterator. Loops converge at the `_next` call (a forced checkpoint): a state equal to one of its
 * ancestors there, ignoring the iterator's depth, with the iterator still active, is pruned.
 *
 * KF_RCU_PROTECTED (6.18: bpf_iter_task_new, bpf_iter_css_new, sched_ext's bpf_iter_scx_dsq_new):
 * the kfunc needs an RCU critical section ("kernel func X requires RCU critical section
 * protection", EACCES; a non-sleepable program is always in one, a sleepable one needs
 * bpf_rcu_read_lock or a held lock), and the iterator it creates is MEM_RCU; bpf_rcu_read_unlock
 * makes it PTR_UNTRUSTED, after which every use, destroy included, is refused with "expected an
 * RCU CS when using <kfunc>" (EPROTO), even inside a new section. The elements `_next` returns are
 * MEM_RCU pointers when the iterator is (task, css: accepted by KF_RCU kfuncs such as
 * bpf_task_acquire, refused as trusted arguments), else plain PTR_TO_BTF_ID (css_task: refused by
 * both). bpf_iter_css_task_new is only allowed in LSM, iter and sleepable programs. All recorded
 * live on 6.18 (corpus group iterk); sched_ext's DSQ iterator follows the same rules from the
 * sources (kernel/sched/ext.c registers bpf_iter_scx_dsq_new KF_RCU_PROTECTED; this kernel cannot
 * load sched_ext programs).
 *
 * Not modelled: the destroy-on-overwrite of iterator slots by plain stores.
 */
import type { VKfunc } from './api.js';
import { constReg, withReg } from './reg.js';
import { tnumIsConst } from './tnum.js';
import { EMPTY_SLOT, STACK_ITER, type IterSlot, type Slot, type VState } from './state.js';
import { ERR, type Verifier } from './verifier.js';

const EPROTO = 71;
const PROG_TYPE_TRACING = 26;
const PROG_TYPE_LSM = 29;
const BPF_TRACE_ITER = 28;
const BPF_F_SLEEPABLE = 16;


/** check_css_task_iter_allowlist: LSM, iter (tracing with BPF_TRACE_ITER) and sleepable programs. */
function cssTaskAllowed(v: Verifier): boolean {
  const i = v.input;
  if (i.progType === PROG_TYPE_LSM) return true;
  if (i.progType === PROG_TYPE_TRACING && i.attachType === BPF_TRACE_ITER) return true;
  return (i.progFlags & BPF_F_SLEEPABLE) !== 0;
}

/** An initialised iterator that an RCU section's end made untrusted may not be used any more. */
function checkIterRcu(v: Verifier, k: VKfunc, iter: IterSlot): void {
  if (iter.trust === 'untrusted') v.reject(EPROTO, `expected an RCU CS when using ${k.name}`);
}

/** The iterator a register points to: its frame and main spi, after the kernel's checks. */
function iterSpi(v: Verifier, regno: number, size: number): { frameno: number; spi: number; nr: number } {
  const reg = v.regs()[regno]!;
  if (reg.type !== 'fp') v.reject(ERR.EINVAL, `arg#${regno - 1} expected pointer to an iterator on stack`);
  if (!tnumIsConst(reg.s.var)) v.reject(ERR.EINVAL, 'iter has to be at a constant offset');
  const off = reg.off + Number(BigInt.asIntN(64, reg.s.var.value));
  if (off % 8 !== 0) v.reject(ERR.EINVAL, `cannot pass in iter at an offset=${off}`);
  const spi = (-off - 1) >> 3;
  const nr = size >> 3;
  if (off >= 0 || spi - nr + 1 < 0) v.reject(ERR.EINVAL, `cannot pass in iter at an offset=${off}`);
  return { frameno: reg.frameno, spi, nr };
}

function slotAt(st: VState, frameno: number, spi: number): Slot {
  return st.frames[frameno]!.stack[spi] ?? EMPTY_SLOT;
}

/** The iterator at `it`, if every one of its slots holds it. */
function iterAt(st: VState, it: { frameno: number; spi: number; nr: number }, type: string): IterSlot | undefined {
  const main = slotAt(st, it.frameno, it.spi).iter;
  if (main === undefined || main.type !== type || main.first !== it.spi) return undefined;
  for (let k = 0; k < it.nr; k++) {
    const s = slotAt(st, it.frameno, it.spi - k);
    if (s.types[0] !== STACK_ITER || s.iter?.refObjId !== main.refObjId) return undefined;
  }
  return main;
}

/** Write the iterator state into all of its slots (or free them with `null`). */
function setIter(v: Verifier, st: VState, it: { frameno: number; spi: number; nr: number }, iter: IterSlot | null, scratch = true): void {
  const f = st.frames[it.frameno]!;
  while (f.stack.length <= it.spi) f.stack.push(EMPTY_SLOT);
  const slot: Slot = iter === null ? EMPTY_SLOT : { types: [STACK_ITER, STACK_ITER, STACK_ITER, STACK_ITER, STACK_ITER, STACK_ITER, STACK_ITER, STACK_ITER], spilled: EMPTY_SLOT.spilled, iter };
  for (let k = 0; k < it.nr; k++) f.stack[it.spi - k] = slot;
  if (scratch && st === v.cur && f === v.frame()) for (let k = 0; k < it.nr; k++) v.scratchSlots.add(it.spi - k);
}

/**
 * process_iter_arg for every iterator argument of a kfunc, before the call's registers are
 * clobbered: `_new` initialises (and acquires), `_next` and `it__iter` arguments need an
 * initialised iterator, `_destroy` releases it. Returns what `_next` needs afterwards.
 */
export function checkIterArgs(v: Verifier, k: VKfunc): { frameno: number; spi: number; nr: number; type: string } | null {
  if (k.iterArgs !== undefined) {
    for (let a = 0; a < k.iterArgs.length; a++) {
      const t = k.iterArgs[a];
      if (t === undefined) continue;
      const it = iterSpi(v, a + 1, t.size);
      const cur = iterAt(v.cur, it, t.type);
      if (cur === undefined) v.reject(ERR.EINVAL, `expected an initialized iter_${t.type} as arg #${a}`);
      checkIterRcu(v, k, cur);
    }
  }
  const kind = k.iter;
  const rcuProtected = k.flags?.rcuProtected === true;
  // check_kfunc_call, after the arguments: KF_RCU_PROTECTED needs an RCU critical section
  const checkRcuCs = (): void => {
    if (rcuProtected && !v.inRcuCs()) v.reject(ERR.EACCES, `kernel func ${k.name} requires RCU critical section protection`);
  };
  if (kind === undefined) {
    checkRcuCs();
    return null;
  }
  if (kind.kind === 'new' && kind.type === 'css_task' && !cssTaskAllowed(v)) v.reject(ERR.EINVAL, 'css_task_iter is only allowed in bpf_lsm, bpf_iter and sleepable progs');
  const it = iterSpi(v, 1, kind.size);
  if (kind.kind === 'new') {
    for (let n = 0; n < it.nr; n++) {
      if (slotAt(v.cur, it.frameno, it.spi - n).types[0] === STACK_ITER) v.reject(ERR.EINVAL, `expected uninitialized iter_${kind.type} as arg #0`);
    }
    const id = v.newId();
    v.cur.refs.push({ id, insn: v.pc });
    setIter(v, v.cur, it, { type: kind.type, state: 'active', depth: 0, refObjId: id, first: it.spi, ...(rcuProtected ? { trust: 'rcu' as const } : {}) });
    checkRcuCs();
    return null;
  }
  const cur = iterAt(v.cur, it, kind.type);
  if (cur === undefined) v.reject(ERR.EINVAL, `expected an initialized iter_${kind.type} as arg #0`);
  checkIterRcu(v, k, cur);
  checkRcuCs();
  if (kind.kind === 'destroy') {
    v.cur.refs = v.cur.refs.filter((r) => r.id !== cur.refObjId);
    setIter(v, v.cur, it, null);
    return null;
  }
  return { ...it, type: kind.type };
}

/**
 * process_iter_next_call, after r0 was typed: an active iterator forks an "active" path at the
 * next instruction (r0 not NULL, depth + 1, scalars widened against the previous visit of this
 * call); this path continues drained with r0 = 0.
 */
export function iterNext(v: Verifier, it: { frameno: number; spi: number; nr: number; type: string }, prevVisit: VState | null): void {
  const cur = iterAt(v.cur, it, it.type)!;
  if (cur.state === 'active') {
    const q = v.pushBranch(v.pc + 1);
    setIter(v, q, it, { ...cur, depth: cur.depth + 1 });
    const f = q.frames[q.frames.length - 1]!;
    // the element: MEM_RCU from a KF_RCU_PROTECTED iterator, else a plain PTR_TO_BTF_ID
    f.regs[0] = withReg(f.regs[0]!, { maybeNull: false, ...(f.regs[0]!.type === 'btf_id' ? { trust: cur.trust === 'rcu' ? 'rcu' : '' } : {}) });
    if (prevVisit !== null) v.widen(prevVisit, q);
  }
  setIter(v, v.cur, it, { ...cur, state: 'drained' });
  v.setReg(0, constReg(0n));
}

/** Whether the iterator that r1 points to (at an iter `_next` call) is active in `st`. */
export function iterActiveAtR1(st: VState, k: VKfunc): boolean {
  if (k.iter?.kind !== 'next') return false;
  const f = st.frames[st.frames.length - 1]!;
  const reg = f.regs[1]!;
  if (reg.type !== 'fp' || !tnumIsConst(reg.s.var)) return false;
  const off = reg.off + Number(BigInt.asIntN(64, reg.s.var.value));
  const spi = (-off - 1) >> 3;
  return iterAt(st, { frameno: reg.frameno, spi, nr: k.iter.size >> 3 }, k.iter.type)?.state === 'active';
}

/** bpf_rcu_read_unlock: the MEM_RCU iterators of every frame become PTR_UNTRUSTED. */
export function iterRcuUnlock(v: Verifier): void {
  const st = v.cur;
  for (let f = 0; f < st.frames.length; f++) {
    const stack = st.frames[f]!.stack;
    for (let spi = 0; spi < stack.length; spi++) {
      const s = stack[spi]!.iter;
      if (s === undefined || s.first !== spi || s.trust !== 'rcu') continue;
      let nr = 1;
      while (spi - nr >= 0 && stack[spi - nr]!.types[0] === STACK_ITER && stack[spi - nr]!.iter?.refObjId === s.refObjId) nr++;
      // not scratched: the kernel changes the slot's type without printing it
      setIter(v, st, { frameno: f, spi, nr }, { ...s, trust: 'untrusted' }, false);
    }
  }
}
