/**
 * Resilient spin locks (6.18 kernel/bpf/verifier.c process_spin_lock for bpf_res_spin_lock and
 * check_kfunc_call's fork after it, process_irq_flag): bpf_res_spin_lock / bpf_res_spin_unlock and
 * the _irqsave / _irqrestore forms on a `struct bpf_res_spin_lock` at a constant offset of a map
 * value. The lock may fail, so the call forks: the path that continues holds the lock with r0 = 0,
 * a pushed path does not and has r0 in the s32 range [-4095, -1]. Several res locks may be held
 * (no limit up to 33, measured), released in reverse order only; the same lock twice is refused (AA);
 * an irqsave lock goes with irqrestore and a flag slot on the stack that may not be overwritten
 * while held. Held res locks count as a held lock everywhere a bpf_spin_lock does (calls, exit,
 * LD_ABS, RCU). Messages and errnos are 6.18's, as recorded in corpus group reslock.
 */
import type { VKfunc, VMap } from './api.js';
import { NOT_INIT, constReg, scalarReg, type Reg } from './reg.js';
import { boundsSyncRaw, scalarUnknown } from './scalar.js';
import { STACK_INVALID, STACK_MISC, type Slot, type VState } from './state.js';
import { tnumIsConst } from './tnum.js';
import { ERR, type Verifier } from './verifier.js';

/** One held res lock: the map value's register id (-1: none) and the lock's offset; `irq` the flag's id, 0 without; `insn` the lock call's pc. */
export interface ResLock {
  readonly id: number;
  readonly off: number;
  readonly irq: number;
  readonly insn: number;
}

const LOCK = 'bpf_res_spin_lock';
const UNLOCK = 'bpf_res_spin_unlock';
const LOCK_IRQ = 'bpf_res_spin_lock_irqsave';
const UNLOCK_IRQ = 'bpf_res_spin_unlock_irqrestore';

/** The res lock kfuncs (is_bpf_res_spin_lock_kfunc). */
export function isResLockKfunc(name: string): boolean {
  return name === LOCK || name === UNLOCK || name === LOCK_IRQ || name === UNLOCK_IRQ;
}

/**
 * kfunc_spin_allowed: the kfuncs a program may call while holding a lock (bpf_spin_lock or res):
 * the res lock and numbers-iterator kfuncs (measured: a bpf_iter_num loop inside a res lock section
 * is accepted by 6.18); 6.18 also allows the list/rbtree graph kfuncs, which bpfemu does not have.
 */
export function kfuncSpinAllowed(name: string): boolean {
  return isResLockKfunc(name) || name === 'bpf_iter_num_new' || name === 'bpf_iter_num_next' || name === 'bpf_iter_num_destroy';
}

/** Whether a path holds a res lock (part of the kernel's active_locks). */
export function resLockHeld(st: VState): boolean {
  return (st.resLocks?.length ?? 0) > 0;
}

/** The offset of the map value's `struct bpf_res_spin_lock`, -1 without one. */
export function resLockOff(map: VMap): number {
  return map.specialFields?.find((f) => f.kind === 'bpf_res_spin_lock')?.off ?? -1;
}

/** The held res locks of two states agree (compared exactly: ids too, stricter than check_ids). */
export function resLocksEqual(a: VState, b: VState): boolean {
  const x = a.resLocks ?? [];
  const y = b.resLocks ?? [];
  if (x.length !== y.length) return false;
  return x.every((l, i) => l.id === y[i]!.id && l.off === y[i]!.off && (l.irq !== 0) === (y[i]!.irq !== 0));
}

/** The lock argument (R1): a map value holding a res lock at the constant offset it points to. */
function lockArg(v: Verifier, name: string): { id: number; off: number } {
  const reg = v.readReg(1);
  if (reg.type !== 'map_value' || reg.map === null || reg.map === undefined) v.reject(ERR.EINVAL, `arg#0 expected pointer to map value or allocated object`);
  const map = reg.map;
  if (!tnumIsConst(reg.s.var)) v.reject(ERR.EINVAL, `R1 doesn't have constant offset. ${LOCK} has to be at the constant offset`);
  if (map.hasBtf === false) v.reject(ERR.EINVAL, `map '${map.name}' has to have BTF in order to use ${LOCK}`);
  const at = resLockOff(map);
  if (at < 0) v.reject(ERR.EINVAL, `map '${map.name}' has no valid ${LOCK}`);
  const off = Number(reg.s.var.value) + reg.off;
  if (off !== at) v.reject(ERR.EINVAL, `off ${off} doesn't point to 'struct ${LOCK}' that is at ${at}`);
  void name;
  return { id: reg.id === 0 ? -1 : reg.id, off };
}

/** The irq flag argument (R2): a pointer to an 8-byte stack slot of this frame; its spi and frame. */
function flagSlot(v: Verifier): { frame: number; spi: number } {
  const reg: Reg = v.readReg(2);
  if (reg.type !== 'fp') v.reject(ERR.EINVAL, 'arg#1 expected pointer to an irq flag on stack');
  const off = reg.off + (tnumIsConst(reg.s.var) ? Number(reg.s.var.value) : NaN);
  if (!Number.isInteger(off) || off >= 0 || off % 8 !== 0) v.reject(ERR.EINVAL, 'arg#1 expected pointer to an irq flag on stack');
  const frame = reg.frameno;
  const f = v.cur.frames[frame]!;
  v.growStack(f, -off);
  return { frame, spi: -off / 8 - 1 };
}

function setStack(st: VState, frame: number, spi: number, slot: Slot): void {
  st.frames[frame]!.stack[spi] = slot;
}

/** check_kfunc_call for the four res lock kfuncs: arguments, the lock state, r0 and the fork. */
export function checkResLockCall(v: Verifier, k: VKfunc): void {
  const lock = k.name === LOCK || k.name === LOCK_IRQ;
  const irq = k.name === LOCK_IRQ || k.name === UNLOCK_IRQ;
  const held = v.cur.resLocks ?? [];
  let fail: VState | null = null;
  if (lock) {
    // the failing path: no lock, r0 an errno (pushed before the arguments are processed)
    fail = v.pushBranch(v.pc + 1);
  }
  const l = lockArg(v, k.name);
  if (lock) {
    if (held.some((h) => h.id === l.id && h.off === l.off)) v.reject(ERR.EINVAL, 'Acquiring the same lock again, AA deadlock detected');
    let irqId = 0;
    if (irq) {
      const s = flagSlot(v);
      const cur = v.cur.frames[s.frame]!.stack[s.spi];
      if (cur?.irqFlag !== undefined) v.reject(ERR.EINVAL, 'expected uninitialized irq flag as arg#1');
      irqId = v.newId();
      setStack(v.cur, s.frame, s.spi, { types: [STACK_MISC, STACK_MISC, STACK_MISC, STACK_MISC, STACK_MISC, STACK_MISC, STACK_MISC, STACK_MISC], spilled: NOT_INIT, irqFlag: irqId });
    }
    v.cur.resLocks = [...held, { id: l.id, off: l.off, irq: irqId, insn: v.pc }];
  } else {
    if (held.length === 0) v.reject(ERR.EINVAL, `${UNLOCK} without taking a lock`);
    const at = held.findIndex((h) => h.id === l.id && h.off === l.off && (h.irq !== 0) === irq);
    if (at < 0) v.reject(ERR.EINVAL, `${UNLOCK} of different lock`);
    if (at !== held.length - 1) v.reject(ERR.EINVAL, `${UNLOCK} cannot be out of order`);
    if (irq) {
      const s = flagSlot(v);
      const cur = v.cur.frames[s.frame]!.stack[s.spi];
      if (cur?.irqFlag === undefined) v.reject(ERR.EINVAL, 'expected an initialized irq flag as arg#1');
      if (cur.irqFlag !== held[at]!.irq) v.reject(ERR.EACCES, `cannot restore irq state out of order, expected id=${held[at]!.irq} acquired at insn_idx=${held[at]!.insn}`);
      setStack(v.cur, s.frame, s.spi, { types: [STACK_INVALID, STACK_INVALID, STACK_INVALID, STACK_INVALID, STACK_INVALID, STACK_INVALID, STACK_INVALID, STACK_INVALID], spilled: NOT_INIT });
    }
    const rest = held.slice(0, at);
    if (rest.length > 0) v.cur.resLocks = rest;
    else delete v.cur.resLocks;
  }
  for (let r = 1; r <= 5; r++) v.setReg(r, NOT_INIT);
  v.setReg(0, lock ? constReg(0n) : NOT_INIT);
  if (fail !== null) {
    const regs = fail.frames[fail.frames.length - 1]!.regs;
    for (let r = 1; r <= 5; r++) regs[r] = NOT_INIT;
    regs[0] = scalarReg(boundsSyncRaw({ ...scalarUnknown(), s32min: -4095n, s32max: -1n }));
  }
}
