/**
 * Verifier states (struct bpf_func_state, struct bpf_verifier_state): call frames with their
 * registers and 8-byte stack slots, acquired references, the held lock; copying (registers and
 * slots are immutable values, so a copy is shallow), the pruning comparison (states_equal:
 * regsafe and stacksafe with an id map) and the log's state dump (print_verifier_state).
 */
import { formatReg, NOT_INIT, type Reg } from './reg.js';
import { scalarWithin, scalarEquals } from './scalar.js';
import { resLocksEqual, type ResLock } from './res-lock.js';

/** Per-byte stack slot types (enum bpf_stack_slot_type) and their log characters. */
export const STACK_INVALID = 0;
export const STACK_SPILL = 1;
export const STACK_MISC = 2;
export const STACK_ZERO = 3;
/** A slot of an open-coded iterator (STACK_ITER; every byte of its slots). */
export const STACK_ITER = 4;
/** A slot of a dynptr (STACK_DYNPTR; both slots of its 16 bytes, every byte). */
export const STACK_DYNPTR = 5;
const SLOT_CHAR = ['?', 'r', 'm', '0', 'i', 'd'] as const;

/** The kind of a dynptr (enum bpf_dynptr_type), as the log prints it. */
export type DynptrKind = 'local' | 'ringbuf' | 'skb' | 'xdp';

/** The state of a dynptr in its two stack slots (the spilled_ptr of STACK_DYNPTR slots). */
export interface DynptrSlot {
  readonly kind: DynptrKind;
  /** The dynptr's id: its slices carry it as their dynptr_id. */
  readonly id: number;
  /** The reference a ringbuf dynptr holds (0: none). */
  readonly refObjId: number;
  /** The main slot (the dynptr's lowest address, the spi a pointer to it names). */
  readonly first: boolean;
  /** Read-only (an skb dynptr of a program type that may not write packets). */
  readonly rdonly: boolean;
}

/** The state of an open-coded iterator in its stack slots (bpf_reg_state.iter). */
export interface IterSlot {
  /** The iterator's type (`scx_dsq` for `struct bpf_iter_scx_dsq`). */
  readonly type: string;
  /** ACTIVE: next may return an element; DRAINED: next returned NULL on this path. */
  readonly state: 'active' | 'drained';
  /** Iterations of the loop on this path (ignored when states are compared). */
  readonly depth: number;
  /** The reference the iterator holds until destroy. */
  readonly refObjId: number;
  /** The iterator's main slot: the spi of its lowest address (the pointer passed to the kfuncs). */
  readonly first: number;
  /** KF_RCU_PROTECTED iterators: MEM_RCU while the RCU section lasts, PTR_UNTRUSTED after it. */
  readonly trust?: 'rcu' | 'untrusted';
}

/**
 * One 8-byte stack slot. `types[k]` is the byte at fp - 8 * spi - k - 1 (the kernel's index
 * order: index 0 is the highest address); `spilled` is the register saved there when the slot
 * holds a spill (types[7] === STACK_SPILL).
 */
export interface Slot {
  readonly types: readonly number[];
  readonly spilled: Reg;
  /** STACK_ITER slots: the iterator they belong to. */
  readonly iter?: IterSlot;
  /** STACK_DYNPTR slots: the dynptr they belong to. */
  readonly dynptr?: DynptrSlot;
  /** An irq flag saved by bpf_res_spin_lock_irqsave (res-lock.ts): the held lock's flag id. */
  readonly irqFlag?: number;
}

export const EMPTY_SLOT: Slot = { types: [0, 0, 0, 0, 0, 0, 0, 0], spilled: NOT_INIT };

/** A call frame. */
export interface Frame {
  regs: Reg[];
  /** Stack slots by spi (slot 0 covers fp-8..fp-1). */
  stack: Slot[];
  /** The call instruction's pc in the caller (-1 for the main frame). */
  readonly callsite: number;
  readonly frameno: number;
  readonly subprog: number;
  /** A callback frame (bpf_loop & co.): its r0 must lie in `cbRet` at exit. */
  readonly cbRet: readonly [number, number] | null;
  readonly async: boolean;
}

/** An acquired reference (ringbuf record, socket, ...). */
export interface Ref {
  readonly id: number;
  readonly insn: number;
}

/** The whole state of one path. */
export interface VState {
  frames: Frame[];
  refs: Ref[];
  /** The held bpf_spin_lock: the id of the map value it lives in, or 0. */
  lockId: number;
  /** 0 outside a lock; the map's value_size offset of the held lock. */
  lockOff: number;
  /** Depth counter of may_goto (states compare ignoring it for convergence). */
  mayGotoDepth: number;
  /** Number of ongoing callback iterations (convergence of bpf_loop bodies). */
  cbDepth: number;
  /** Inside a bpf_rcu_read_lock() section (active_rcu_lock; 6.18 does not nest them). */
  rcuLock?: boolean;
  /** Nesting count of bpf_preempt_disable() sections (active_preempt_locks; preempt.ts); absent when 0. */
  preemptLocks?: number;
  /** A path simulated for speculative execution only (without CAP_PERFMON: sanitize_speculative_path). */
  speculative?: boolean;
  /** Held resilient spin locks, oldest first (res-lock.ts); absent when none. */
  resLocks?: readonly ResLock[];
}

/** A deep-enough copy (frames and their arrays; registers and slots are shared). */
export function copyState(s: VState): VState {
  return {
    frames: s.frames.map((f) => ({ ...f, regs: f.regs.slice(), stack: f.stack.slice() })),
    refs: s.refs.slice(),
    lockId: s.lockId,
    lockOff: s.lockOff,
    mayGotoDepth: s.mayGotoDepth,
    cbDepth: s.cbDepth,
    ...(s.rcuLock === true ? { rcuLock: true } : {}),
    ...(s.preemptLocks !== undefined ? { preemptLocks: s.preemptLocks } : {}),
    ...(s.speculative === true ? { speculative: true } : {}),
    ...(s.resLocks !== undefined ? { resLocks: s.resLocks } : {}),
  };
}

/** Consistent id mapping between an old and a current state (check_ids). */
class IdMap {
  private readonly map = new Map<number, number>();
  private readonly rev = new Map<number, number>();
  check(oldId: number, curId: number): boolean {
    if (oldId === 0 && curId === 0) return true;
    if (oldId === 0 || curId === 0) return false;
    const m = this.map.get(oldId);
    if (m !== undefined) return m === curId;
    if (this.rev.has(curId)) return false;
    this.map.set(oldId, curId);
    this.rev.set(curId, oldId);
    return true;
  }
}

function sameBase(a: Reg, b: Reg): boolean {
  return a.type === b.type && a.maybeNull === b.maybeNull && a.rdonly === b.rdonly && a.ringbuf === b.ringbuf && a.map === b.map && a.memSize === b.memSize && a.frameno === b.frameno && a.subprog === b.subprog && a.btfName === b.btfName && a.trust === b.trust;
}

/** regsafe: `cur` is covered by `old`. `exact` demands equality (loop detection). */
function regsafe(old: Reg, cur: Reg, ids: IdMap, exact: boolean): boolean {
  if (old.type === 'not_init') return exact ? cur.type === 'not_init' : true;
  if (!sameBase(old, cur)) return false;
  if (old.type === 'scalar') {
    if (exact) return scalarEquals(old.s, cur.s) && ids.check(old.id, cur.id);
    if (!scalarWithin(old.s, cur.s)) return false;
    // Linked scalars: narrowing one narrows the others, so the links must agree.
    return old.id === 0 || ids.check(old.id, cur.id);
  }
  if (old.off !== cur.off) return false;
  if (exact ? !scalarEquals(old.s, cur.s) : !scalarWithin(old.s, cur.s)) return false;
  if (old.type === 'pkt' || old.type === 'pkt_meta') {
    if (exact ? cur.range !== old.range : cur.range < old.range) return false;
  }
  if (!ids.check(old.id, cur.id)) return false;
  if ((old.refObjId !== 0 || cur.refObjId !== 0) && !ids.check(old.refObjId + 0x40000000, cur.refObjId + 0x40000000)) return false;
  return true;
}

function slotSafe(old: Slot, cur: Slot, ids: IdMap, exact: boolean): boolean {
  if (old.types[0] === STACK_DYNPTR || cur.types[0] === STACK_DYNPTR) {
    // stacksafe, STACK_DYNPTR: same kind and slot, and a consistent reference
    const a = old.dynptr;
    const b = cur.dynptr;
    if (a === undefined || b === undefined || old.types[0] !== cur.types[0]) return false;
    return a.kind === b.kind && a.first === b.first && a.rdonly === b.rdonly && ids.check(a.refObjId + 0x20000000, b.refObjId + 0x20000000);
  }
  if (old.types[0] === STACK_ITER || cur.types[0] === STACK_ITER) {
    // stacksafe, STACK_ITER: same type and state and a consistent reference; the depth is ignored
    const a = old.iter;
    const b = cur.iter;
    if (a === undefined || b === undefined || old.types[0] !== cur.types[0]) return false;
    return a.type === b.type && a.state === b.state && a.first === b.first && a.trust === b.trust && ids.check(a.refObjId + 0x40000000, b.refObjId + 0x40000000);
  }
  if (exact) {
    for (let k = 0; k < 8; k++) if (old.types[k] !== cur.types[k]) return false;
    return old.types[7] !== STACK_SPILL || regsafe(old.spilled, cur.spilled, ids, true);
  }
  for (let k = 0; k < 8; k++) {
    const o = old.types[k]!;
    if (o === STACK_INVALID || o === STACK_MISC) continue; // allow_uninit_stack: both read as unknown
    const c = cur.types[k]!;
    if (o === STACK_ZERO) {
      if (c === STACK_ZERO) continue;
      if (c === STACK_SPILL && cur.spilled.type === 'scalar' && cur.spilled.s.var.mask === 0n && cur.spilled.s.var.value === 0n) continue;
      return false;
    }
    if (c !== o) return false;
  }
  if (old.types[7] === STACK_SPILL || old.types[0] === STACK_SPILL) return regsafe(old.spilled, cur.spilled, ids, false);
  return true;
}

/** iter_active_depths_differ: an active iterator of `old` has another depth in `cur` (a loop that progresses). */
export function iterDepthsDiffer(old: VState, cur: VState): boolean {
  for (let f = 0; f < old.frames.length && f < cur.frames.length; f++) {
    const so = old.frames[f]!.stack;
    const sc = cur.frames[f]!.stack;
    for (let spi = 0; spi < so.length; spi++) {
      const a = so[spi]!.iter;
      if (a === undefined || a.state !== 'active' || a.first !== spi) continue;
      const b = sc[spi]?.iter;
      if (b !== undefined && b.depth !== a.depth) return true;
    }
  }
  return false;
}

/**
 * states_equal: every path from `cur` is safe if it was from `old`. `live` is the set of live
 * registers of the innermost frame at this instruction (bit r); outer frames compare r6..r9.
 */
export function statesEqual(old: VState, cur: VState, live: number, exact: boolean): boolean {
  if (old.frames.length !== cur.frames.length) return false;
  if (old.lockId !== 0 !== (cur.lockId !== 0) || old.lockOff !== cur.lockOff) return false;
  if ((old.rcuLock === true) !== (cur.rcuLock === true)) return false;
  if ((old.preemptLocks ?? 0) !== (cur.preemptLocks ?? 0)) return false;
  // a speculative state never covers an architectural one
  if (old.speculative === true && cur.speculative !== true) return false;
  if (!resLocksEqual(old, cur)) return false;
  if (old.refs.length !== cur.refs.length) return false;
  const ids = new IdMap();
  if (old.lockId !== 0 && !ids.check(old.lockId, cur.lockId)) return false;
  for (let i = 0; i < old.refs.length; i++) if (!ids.check(old.refs[i]!.id + 0x40000000, cur.refs[i]!.id + 0x40000000)) return false;
  const top = old.frames.length - 1;
  for (let f = 0; f <= top; f++) {
    const fo = old.frames[f]!;
    const fc = cur.frames[f]!;
    if (fo.callsite !== fc.callsite) return false;
    for (let r = 0; r < 10; r++) {
      const isLive = f === top ? (live & (1 << r)) !== 0 : r >= 6;
      if (!isLive && !exact) continue;
      if (!regsafe(fo.regs[r]!, fc.regs[r]!, ids, exact)) return false;
    }
    const n = Math.max(fo.stack.length, fc.stack.length);
    for (let spi = 0; spi < n; spi++) {
      const so = fo.stack[spi] ?? EMPTY_SLOT;
      const sc = fc.stack[spi] ?? EMPTY_SLOT;
      if (so === sc) continue;
      if (!slotSafe(so, sc, ids, exact)) return false;
    }
  }
  return true;
}

/**
 * The state dump of one frame (print_verifier_state): ` frame1: R0=2 R10=fp0 fp-8=mmmm???? cb`,
 * each item with a leading space. `regs`/`slots` limit it to scratched registers and slots
 * (-1 / null: everything).
 */
export function formatFrame(f: Frame, regs: number, slots: ReadonlySet<number> | null, refs: readonly Ref[]): string {
  let text = f.frameno > 0 ? ` frame${f.frameno}:` : '';
  for (let r = 0; r <= 10; r++) {
    if (regs !== -1 && (regs & (1 << r)) === 0) continue;
    const reg = f.regs[r]!;
    if (reg.type === 'not_init') continue;
    text += ` R${r}=${formatReg(reg, f.frameno)}`;
  }
  for (let spi = 0; spi < f.stack.length; spi++) {
    if (slots !== null && !slots.has(spi)) continue;
    const s = f.stack[spi]!;
    if (s.types.every((t) => t === STACK_INVALID)) continue;
    const off = -(spi + 1) * 8;
    if (s.types[0] === STACK_DYNPTR) {
      // printed once, at the main slot: id, ref_id and first_slot (which the log calls dynptr_id)
      const d = s.dynptr;
      if (d !== undefined && d.first) text += ` fp${off}=dynptr_${d.kind}(${[d.id !== 0 ? `id=${d.id}` : '', d.refObjId !== 0 ? `ref_id=${d.refObjId}` : '', 'dynptr_id=1'].filter((x) => x !== '').join(',')})`;
      continue;
    }
    if (s.types[0] === STACK_ITER) {
      // only the main slot (the iterator's lowest address) is printed
      if (s.iter !== undefined && s.iter.first === spi) text += ` fp${off}=iter_${s.iter.type}(ref_id=${s.iter.refObjId},state=${s.iter.state},depth=${s.iter.depth})`;
      continue;
    }
    if (s.types[7] === STACK_SPILL) {
      const j = s.types.indexOf(STACK_SPILL);
      text += ` fp${off}=${s.types.slice(0, j).map((t) => SLOT_CHAR[t]).join('')}${formatReg(s.spilled, f.frameno)}`;
      continue;
    }
    text += ` fp${off}=${s.types.map((t) => SLOT_CHAR[t]).join('')}`;
  }
  if (refs.length > 0) text += ` refs=${refs.map((r) => r.id).join(',')}`;
  if (f.cbRet !== null) text += f.async ? ' async_cb' : ' cb';
  return text;
}
