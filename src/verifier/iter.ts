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
 * Not modelled: KF_RCU_PROTECTED (iterators that need an RCU read-side section in sleepable
 * programs) and the destroy-on-overwrite of iterator slots by plain stores.
 */
import type { VKfunc } from './api.js';
import { constReg, withReg } from './reg.js';
import { tnumIsConst } from './tnum.js';
import { EMPTY_SLOT, STACK_ITER, type IterSlot, type Slot, type VState } from './state.js';
import { ERR, type Verifier } from './verifier.js';

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
function setIter(v: Verifier, st: VState, it: { frameno: number; spi: number; nr: number }, iter: IterSlot | null): void {
  const f = st.frames[it.frameno]!;
  while (f.stack.length <= it.spi) f.stack.push(EMPTY_SLOT);
  const slot: Slot = iter === null ? EMPTY_SLOT : { types: [STACK_ITER, STACK_ITER, STACK_ITER, STACK_ITER, STACK_ITER, STACK_ITER, STACK_ITER, STACK_ITER], spilled: EMPTY_SLOT.spilled, iter };
  for (let k = 0; k < it.nr; k++) f.stack[it.spi - k] = slot;
  if (st === v.cur && f === v.frame()) for (let k = 0; k < it.nr; k++) v.scratchSlots.add(it.spi - k);
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
      if (iterAt(v.cur, it, t.type) === undefined) v.reject(ERR.EINVAL, `expected an initialized iter_${t.type} as arg #${a}`);
    }
  }
  const kind = k.iter;
  if (kind === undefined) return null;
  const it = iterSpi(v, 1, kind.size);
  if (kind.kind === 'new') {
    for (let n = 0; n < it.nr; n++) {
      if (slotAt(v.cur, it.frameno, it.spi - n).types[0] === STACK_ITER) v.reject(ERR.EINVAL, `expected uninitialized iter_${kind.type} as arg #0`);
    }
    const id = v.newId();
    v.cur.refs.push({ id, insn: v.pc });
    setIter(v, v.cur, it, { type: kind.type, state: 'active', depth: 0, refObjId: id, first: it.spi });
    return null;
  }
  const cur = iterAt(v.cur, it, kind.type);
  if (cur === undefined) v.reject(ERR.EINVAL, `expected an initialized iter_${kind.type} as arg #0`);
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
    f.regs[0] = withReg(f.regs[0]!, { maybeNull: false });
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
