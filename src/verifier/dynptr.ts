/**
 * Dynptrs (kernel/bpf/verifier.c process_dynptr_func, mark_stack_slots_dynptr,
 * unmark_stack_slots_dynptr, destroy_if_dynptr_stack_slot, is_dynptr_reg_valid_uninit/init): a
 * `struct bpf_dynptr` lives in two 8-byte stack slots marked STACK_DYNPTR. An argument that
 * initialises one (MEM_UNINIT: bpf_dynptr_from_mem, bpf_ringbuf_reserve_dynptr, the skb/xdp
 * kfuncs) writes both slots and gives the dynptr a new id — a ringbuf dynptr also a reference,
 * even when the reservation fails; other arguments need an initialised dynptr of the right type.
 * Releasing a ringbuf dynptr (submit/discard) drops the reference, every slice of it and every
 * clone. A store into either slot destroys an unreferenced dynptr (and its slices) and is refused
 * for a referenced one. Slices (bpf_dynptr_data, bpf_dynptr_slice) are `mem` registers with the
 * dynptr's id as their dynptr_id and its reference as their ref_obj_id.
 */
import { UNKNOWN_SCALAR, type Reg } from './reg.js';
import { tnumIsConst } from './tnum.js';
import { EMPTY_SLOT, STACK_DYNPTR, STACK_INVALID, type DynptrKind, type DynptrSlot, type Frame, type Slot } from './state.js';
import { ERR, type Verifier } from './verifier.js';

/** BPF_DYNPTR_NR_SLOTS: a dynptr takes 16 bytes. */
const NR_SLOTS = 2;

/** The dynptr argument's spi (stack_slot_obj_get_spi): a number, 'erange' (past the allocated stack), or the error text. */
function dynptrSpi(v: Verifier, reg: Reg): number | 'erange' | { err: string } {
  if (!tnumIsConst(reg.s.var)) return { err: 'dynptr has to be at a constant offset' };
  const off = reg.off + Number(BigInt.asIntN(64, reg.s.var.value));
  if (off % 8 !== 0) return { err: `cannot pass in dynptr at an offset=${off}` };
  const spi = Math.floor((-off - 1) / 8);
  if (spi + 1 < NR_SLOTS) return { err: `cannot pass in dynptr at an offset=${off}` };
  const f = v.cur.frames[reg.frameno]!;
  if (spi >= f.stack.length) return 'erange';
  return spi;
}

function frameOf(v: Verifier, reg: Reg): Frame {
  return v.cur.frames[reg.frameno]!;
}

function setSlot(v: Verifier, f: Frame, spi: number, slot: Slot): void {
  f.stack[spi] = slot;
  if (f === v.frame()) v.scratchSlots.add(spi);
}

const FREED: Slot = { types: [STACK_INVALID, STACK_INVALID, STACK_INVALID, STACK_INVALID, STACK_INVALID, STACK_INVALID, STACK_INVALID, STACK_INVALID], spilled: EMPTY_SLOT.spilled };

/** invalidate_dynptr: both slots of the dynptr whose main slot is `spi` become STACK_INVALID. */
function invalidate(v: Verifier, f: Frame, spi: number): void {
  setSlot(v, f, spi, FREED);
  setSlot(v, f, spi - 1, FREED);
}

/** The dynptr whose main slot is `spi` when both slots hold it (is_dynptr_reg_valid_init), else undefined. */
function dynptrAt(f: Frame, spi: number): DynptrSlot | undefined {
  const main = f.stack[spi];
  const second = f.stack[spi - 1];
  if (main === undefined || second === undefined || main.dynptr === undefined || !main.dynptr.first) return undefined;
  if (!main.types.every((t) => t === STACK_DYNPTR) || !second.types.every((t) => t === STACK_DYNPTR)) return undefined;
  return main.dynptr;
}

/**
 * destroy_if_dynptr_stack_slot, before a store into slot `spi` of `f`: a referenced dynptr may not
 * be overwritten; an unreferenced one is gone (both slots), and so are its slices.
 */
export function destroyIfDynptrSlot(v: Verifier, f: Frame, spi: number): void {
  const s = f.stack[spi];
  if (s === undefined || s.types[0] !== STACK_DYNPTR || s.dynptr === undefined) return;
  const main = s.dynptr.first ? spi : spi + 1;
  const d = f.stack[main]!.dynptr!;
  if (d.kind === 'ringbuf') v.reject(ERR.EINVAL, 'cannot overwrite referenced dynptr');
  invalidate(v, f, main);
  // its slices: writable mem registers only (PTR_TO_MEM, with or without PTR_MAYBE_NULL)
  v.forEachReg(v.cur, (r) => (r.type === 'mem' && !r.rdonly && !r.ringbuf && r.dynptrId === d.id ? UNKNOWN_SCALAR : undefined));
}

/**
 * check_func_arg's OBJ_RELEASE check of a dynptr argument (before its type is checked): it must be
 * a dynptr on the stack that holds a reference.
 */
export function checkDynptrRelease(v: Verifier, regno: number): void {
  const reg = v.regs()[regno]!;
  if (reg.type !== 'fp') v.reject(ERR.EINVAL, 'cannot release unowned const bpf_dynptr');
  const spi = dynptrSpi(v, reg);
  const pre = typeof spi === 'object' ? `${spi.err}\n` : '';
  if (typeof spi !== 'number' || (frameOf(v, reg).stack[spi]?.dynptr?.refObjId ?? 0) === 0) v.reject(ERR.EINVAL, `${pre}arg ${regno} is an unacquired reference`);
}

/**
 * process_dynptr_func for a stack dynptr argument: `uninit` initialises a dynptr of `kind`
 * (acquiring a reference for ringbuf ones); otherwise the dynptr must be initialised and, when
 * `kind` is given, of that kind. A clone (`cloneRef`) shares its parent's reference. `write8` performs the 8-byte stack writes of the initialisation
 * (check_mem_access) so that bounds, stack depth and the overwrite rule apply.
 */
export function processDynptrArg(v: Verifier, regno: number, uninit: boolean, kind: DynptrKind | undefined, rdonly: boolean, write8: (off: number) => void, cloneRef?: number): void {
  const reg = v.regs()[regno]!;
  if (reg.type !== 'fp') {
    if (uninit) v.reject(ERR.EINVAL, 'Dynptr has to be an uninitialized dynptr');
    return;
  }
  const spi = dynptrSpi(v, reg);
  if (uninit) {
    if (typeof spi === 'object') v.reject(ERR.EINVAL, `${spi.err}\nDynptr has to be an uninitialized dynptr`);
    write8(0);
    write8(8);
    if (kind === undefined) v.reject(ERR.EINVAL, 'verifier internal error: no dynptr type');
    const f = frameOf(v, reg);
    const at = dynptrSpi(v, reg) as number;
    destroyIfDynptrSlot(v, f, at);
    destroyIfDynptrSlot(v, f, at - 1);
    const id = v.newId();
    let refObjId = 0;
    if (cloneRef !== undefined) refObjId = cloneRef;
    else if (kind === 'ringbuf') {
      refObjId = v.newId();
      v.cur.refs.push({ id: refObjId, insn: v.pc });
    }
    const types = [STACK_DYNPTR, STACK_DYNPTR, STACK_DYNPTR, STACK_DYNPTR, STACK_DYNPTR, STACK_DYNPTR, STACK_DYNPTR, STACK_DYNPTR];
    setSlot(v, f, at, { types, spilled: EMPTY_SLOT.spilled, dynptr: { kind, id, refObjId, first: true, rdonly } });
    setSlot(v, f, at - 1, { types, spilled: EMPTY_SLOT.spilled, dynptr: { kind, id, refObjId, first: false, rdonly } });
    return;
  }
  const pre = typeof spi === 'object' ? `${spi.err}\n` : '';
  const d = typeof spi === 'number' ? dynptrAt(frameOf(v, reg), spi) : undefined;
  if (d === undefined) v.reject(ERR.EINVAL, `${pre}Expected an initialized dynptr as arg #${regno - 1}`);
  if (kind !== undefined && d.kind !== kind) v.reject(ERR.EINVAL, `Expected a dynptr of type ${kind} as arg #${regno - 1}`);
  if (frameOf(v, reg) === v.frame()) {
    v.scratchSlots.add(spi as number);
    v.scratchSlots.add((spi as number) - 1);
  }
}

/** The initialised dynptr a stack pointer argument names (after {@link processDynptrArg} accepted it). */
export function dynptrOfArg(v: Verifier, reg: Reg): DynptrSlot | undefined {
  // PTR_TO_DYNPTR (a callback's argument): a local dynptr that holds no reference, its id in the register
  if (reg.type === 'dynptr_ptr') return { kind: 'local', id: reg.id, refObjId: 0, first: true, rdonly: false };
  if (reg.type !== 'fp') return undefined;
  const spi = dynptrSpi(v, reg);
  return typeof spi === 'number' ? dynptrAt(frameOf(v, reg), spi) : undefined;
}

/**
 * unmark_stack_slots_dynptr, releasing the dynptr argument in `reg`: a ringbuf dynptr's reference is
 * released (every register and spilled register carrying it becomes an unknown scalar) and every
 * dynptr holding that reference (clones) is freed; an unreferenced one is just freed.
 */
export function releaseDynptr(v: Verifier, reg: Reg): void {
  const f = frameOf(v, reg);
  const spi = dynptrSpi(v, reg) as number;
  const d = f.stack[spi]!.dynptr!;
  if (d.refObjId === 0) {
    invalidate(v, f, spi);
    return;
  }
  const ref = d.refObjId;
  v.cur.refs = v.cur.refs.filter((r) => r.id !== ref);
  v.forEachReg(v.cur, (r) => (r.refObjId === ref ? UNKNOWN_SCALAR : undefined));
  for (let i = 1; i < f.stack.length; i++) {
    const s = f.stack[i]!;
    if (s.dynptr !== undefined && s.dynptr.refObjId === ref && s.dynptr.first) invalidate(v, f, i);
  }
}
