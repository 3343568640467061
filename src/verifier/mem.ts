/**
 * Memory access rules (kernel/bpf/verifier.c check_mem_access and its per-type checks): alignment,
 * the stack (bounds, per-byte slot types, spills and fills, variable offsets), ctx through the
 * program type's access table, map values (bounds with variable offsets, read-only maps, constant
 * reads of frozen maps, special fields), packets (the proven range), sized memory; helper memory
 * arguments (check_helper_mem_access, check_stack_range_initialized); LD_ABS/LD_IND.
 */
import { isRdonlyUntrustedMem } from './rdonly-cast.js';
import type { RawInsn } from '../isa/insn.js';
import { constReg, isNullScalar, isPointer, ptrReg, regTypeStr, scalarReg, UNKNOWN_SCALAR, withReg, type Reg } from './reg.js';
import { formatTnum, tnumAdd, tnumConst, tnumIsAligned, tnumIsConst } from './tnum.js';
import { scalarCoerce, scalarCoerceSx, scalarConst, scalarFromWidth, scalarWidth } from './scalar.js';
import { STACK_DYNPTR, STACK_INVALID, STACK_ITER, STACK_MISC, STACK_SPILL, STACK_ZERO, type Frame, type Slot } from './state.js';
import { destroyIfDynptrSlot } from './dynptr.js';
import { walkedTrust } from './trust.js';
import { ERR, MAX_STACK, MAX_VAR_OFF, type Verifier } from './verifier.js';
import { resLockHeld } from './res-lock.js';
import { checkNotInPreempt } from './preempt.js';

const BPF_F_RDONLY_PROG = 1 << 7;
const BPF_F_WRONLY_PROG = 1 << 8;

/** Where an access comes from: an instruction, or a helper reading/writing its argument. */
type Src = 'direct' | 'helper';

/** The frame a stack pointer points into. */
function frameOf(v: Verifier, reg: Reg): Frame {
  return v.cur.frames[reg.frameno]!;
}

/** tnum_strn as the alignment messages print it: a constant as its value, else `(value; mask)`. */
function tnumStrn(t: { value: bigint; mask: bigint }): string {
  return tnumIsConst(t) ? BigInt.asIntN(64, t.value).toString() : formatTnum(t);
}

/** check_ptr_alignment (stack is always strict; others only with BPF_F_STRICT_ALIGNMENT). */
function checkAlignment(v: Verifier, reg: Reg, off: number, size: number, strictOnce: boolean): void {
  const strict = ((v.input.progFlags & 1) !== 0 && (v.input.progFlags & 2) === 0) || strictOnce;
  let desc = '';
  let s = strict;
  switch (reg.type) {
    case 'pkt':
    case 'pkt_meta': {
      if (!s) return;
      // check_pkt_ptr_alignment: strict mode assumes NET_IP_ALIGN = 2
      if (size === 1) return;
      const ro = tnumAdd(reg.s.var, tnumConst(BigInt.asUintN(64, BigInt(2 + reg.off + off))));
      if (!tnumIsAligned(ro, size)) v.reject(ERR.EACCES, `misaligned packet access off 2+${tnumStrn(reg.s.var)}+${reg.off}+${off} size ${size}`);
      return;
    }
    case 'flow_keys':
      desc = 'flow keys ';
      break;
    case 'map_key':
      desc = 'key ';
      break;
    case 'map_value':
      desc = 'value ';
      break;
    case 'ctx':
      desc = 'context ';
      break;
    case 'fp':
      desc = 'stack ';
      s = true;
      break;
    case 'sock_common':
    case 'sock':
    case 'tcp_sock':
      desc = `${reg.type} `;
      break;
    default:
      break;
  }
  if (!s || size === 1) return;
  const ro = tnumAdd(reg.s.var, tnumConst(BigInt.asUintN(64, BigInt(reg.off + off))));
  if (!tnumIsAligned(ro, size)) v.reject(ERR.EACCES, `misaligned ${desc}access off ${tnumStrn(reg.s.var)}+${reg.off}+${off} size ${size}`);
}

/** __check_mem_access's message for an access outside [0, memSize). */
function memBoundsMsg(reg: Reg, regno: number, off: number, size: number, memSize: number): string {
  switch (reg.type) {
    case 'map_key':
      return `invalid access to map key, key_size=${memSize} off=${off} size=${size}`;
    case 'map_value':
      return `invalid access to map value, value_size=${memSize} off=${off} size=${size}`;
    case 'pkt':
    case 'pkt_meta':
    case 'pkt_end':
      return `invalid access to packet, off=${off} size=${size}, R${regno}(id=${reg.id},off=${off},r=${memSize})`;
    default:
      return `invalid access to memory, mem_size=${memSize} off=${off} size=${size}`;
  }
}

function memOk(off: bigint, size: number, memSize: number, zeroOk: boolean): boolean {
  const sizeOk = size > 0 || (size === 0 && zeroOk);
  return off >= 0n && sizeOk && off + BigInt(size) <= BigInt(memSize);
}

/** check_mem_region_access: fixed offset `off` plus the register's variable part within `memSize`. */
function checkMemRegion(v: Verifier, regno: number, reg: Reg, off: number, size: number, memSize: number, zeroOk: boolean): void {
  const s = reg.s;
  const o = BigInt(off);
  if (s.smin < 0n && (s.smin === -(1n << 63n) || BigInt.asIntN(32, o + s.smin) !== o + s.smin || s.smin + o < 0n)) {
    v.reject(ERR.EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  }
  if (!memOk(s.smin + o, size, memSize, zeroOk)) {
    v.reject(ERR.EACCES, `${memBoundsMsg(reg, regno, Number(s.smin + o), size, memSize)}\nR${regno} min value is outside of the allowed memory range`);
  }
  if (s.umax >= BigInt(MAX_VAR_OFF)) v.reject(ERR.EACCES, `R${regno} unbounded memory access, make sure to bounds check any such access`);
  if (!memOk(s.umax + o, size, memSize, zeroOk)) {
    v.reject(ERR.EACCES, `${memBoundsMsg(reg, regno, Number(s.umax + o), size, memSize)}\nR${regno} max value is outside of the allowed memory range`);
  }
}

/** check_map_access: bounds, then special fields (spin lock, timer, kptrs). */
function checkMapAccess(v: Verifier, regno: number, reg: Reg, off: number, size: number, zeroOk: boolean, src: Src): void {
  const map = reg.map!;
  checkMemRegion(v, regno, reg, off, size, map.valueSize, zeroOk);
  const lo = reg.s.smin + BigInt(off);
  const hi = reg.s.umax + BigInt(off) + BigInt(size);
  const fields: { off: number; size: number; kind: string }[] = [];
  if (map.spinLockOff >= 0) fields.push({ off: map.spinLockOff, size: 4, kind: 'bpf_spin_lock' });
  if (map.timerOff >= 0) fields.push({ off: map.timerOff, size: 16, kind: 'bpf_timer' });
  for (const f of map.specialFields ?? []) fields.push(f);
  for (const f of fields) {
    if (lo < BigInt(f.off + f.size) && BigInt(f.off) < hi) {
      if (f.kind === 'kptr' || f.kind === 'kptr_ref' || f.kind === 'percpu_kptr' || f.kind === 'uptr') {
        if (src !== 'direct') v.reject(ERR.EACCES, `${f.kind} cannot be accessed indirectly by helper`);
        if (!tnumIsConst(reg.s.var)) v.reject(ERR.EACCES, 'kptr access cannot have variable offset');
        const at = off + Number(reg.s.var.value);
        if (at !== f.off) v.reject(ERR.EACCES, `kptr access misaligned expected=${f.off} off=${at}`);
        if (size !== 8) v.reject(ERR.EACCES, 'kptr access size must be BPF_DW');
        continue;
      }
      v.reject(ERR.EACCES, `${f.kind} cannot be accessed directly by load/store`);
    }
  }
}

/** bpf_cpumask and the other types whose kptrs are RCU-protected (rcu_protected_object, 6.18 sources). */
const RCU_PROTECTED_KPTRS: readonly string[] = ['cgroup', 'bpf_cpumask', 'task_struct', 'bpf_crypto_ctx'];

/**
 * check_map_kptr_access: a load gives the kptr's struct pointer, maybe NULL — MEM_RCU inside an
 * RCU critical section for a referenced kptr of an RCU-protected type, untrusted otherwise; a
 * store of a register into a referenced kptr is refused (bpf_kptr_xchg moves references), BPF_ST
 * only stores 0.
 */
function checkMapKptrAccess(v: Verifier, off: number, kptr: { readonly tag: string; readonly struct: string }, write: boolean, valueRegno: number, stImm: bigint | null): void {
  if (!write) {
    if (valueRegno < 0) return;
    const rcu = kptr.tag === 'kptr' && RCU_PROTECTED_KPTRS.includes(kptr.struct) && v.inRcuCs();
    v.setReg(valueRegno, ptrReg('btf_id', { btfName: kptr.struct, maybeNull: true, id: v.newId(), trust: rcu ? 'rcu' : 'untrusted', percpu: kptr.tag === 'percpu_kptr' && rcu }));
    return;
  }
  if (kptr.tag === 'percpu_kptr') v.reject(ERR.EACCES, 'store to percpu kptr not allowed');
  if (stImm !== null) {
    if (stImm !== 0n) v.reject(ERR.EACCES, `BPF_ST imm must be 0 when storing to kptr at off=${off}`);
    return;
  }
  if (valueRegno >= 0 && !isNullScalar(v.regs()[valueRegno]!) && kptr.tag === 'kptr') v.reject(ERR.EACCES, 'store to referenced kptr disallowed');
}

/** check_map_access_type. */
function checkMapAccessType(v: Verifier, reg: Reg, off: number, size: number, write: boolean): void {
  const map = reg.map!;
  const o = Number(reg.s.smin) + off;
  if (write && (map.flags & BPF_F_RDONLY_PROG) !== 0) v.reject(ERR.EACCES, `write into map forbidden, value_size=${map.valueSize} off=${o} size=${size}`);
  if (!write && (map.flags & BPF_F_WRONLY_PROG) !== 0) v.reject(ERR.EACCES, `read from map forbidden, value_size=${map.valueSize} off=${o} size=${size}`);
}

/** check_packet_access. */
function checkPacketAccess(v: Verifier, regno: number, reg: Reg, off: number, size: number, zeroOk: boolean): void {
  if (reg.s.smin < 0n) v.reject(ERR.EACCES, `R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  if (reg.range < 0) v.reject(ERR.EINVAL, `R${regno} offset is outside of the packet`);
  if (!memOk(BigInt(off), size, reg.range, zeroOk)) {
    v.reject(ERR.EACCES, `${memBoundsMsg(reg, regno, off, size, reg.range)}\nR${regno} offset is outside of the packet`);
  }
}

/** __check_ptr_off_reg: pointers that must not be moved before use (ctx, sockets). */
export function checkPtrOffReg(v: Verifier, reg: Reg, regno: number, fixedOffOk: boolean): void {
  if (reg.off < 0) v.reject(ERR.EACCES, `negative offset ${regTypeStr(reg)} ptr R${regno} off=${reg.off} disallowed`);
  if (!fixedOffOk && reg.off !== 0) v.reject(ERR.EACCES, `dereference of modified ${regTypeStr(reg)} ptr R${regno} off=${reg.off} disallowed`);
  if (!tnumIsConst(reg.s.var) || reg.s.var.value !== 0n) v.reject(ERR.EACCES, `variable ${regTypeStr(reg)} access var_off=${formatTnum(reg.s.var)} disallowed`);
}

/** Where check_mem_access refuses a pointer store without allow_ptr_leaks ("R%d leaks addr into %s"). */
const LEAK_INTO: Readonly<Partial<Record<Reg['type'], string>>> = { map_value: 'map', mem: 'mem', ctx: 'ctx', pkt: 'packet', pkt_meta: 'packet', flow_keys: 'flow keys' };

/** check_stack_access_within_bounds; grows the frame. */
function checkStackBounds(v: Verifier, regno: number, reg: Reg, off: number, size: number, what: string): void {
  let minOff: bigint;
  let maxOff: bigint;
  const s = reg.s;
  if (tnumIsConst(s.var)) {
    minOff = BigInt.asIntN(64, s.var.value) + BigInt(off);
    maxOff = minOff + BigInt(size);
  } else {
    if (s.smax >= BigInt(MAX_VAR_OFF) || s.smin <= -BigInt(MAX_VAR_OFF)) v.reject(ERR.EACCES, `invalid unbounded variable-offset${what} stack R${regno}`);
    minOff = s.smin + BigInt(off);
    maxOff = s.smax + BigInt(off) + BigInt(size);
  }
  let errno = 0;
  // without allow_uninit_stack a read must stay inside the stack written so far (allocated_stack)
  const minValid = what === ' read from' && !v.allowPtrLeaks ? -BigInt(frameOf(v, reg).stack.length * 8) : -BigInt(MAX_STACK);
  if (minOff < minValid || minOff > -1n) errno = ERR.EACCES;
  else if (maxOff > 0n) errno = ERR.EINVAL;
  else if (size < 0) errno = ERR.EFAULT;
  if (errno !== 0) {
    if (tnumIsConst(s.var)) v.reject(errno, `invalid${what} stack R${regno} off=${off} size=${size}`);
    v.reject(errno, `invalid variable-offset${what} stack R${regno} var_off=${formatTnum(s.var)} off=${off} size=${size}`);
  }
  v.growStack(frameOf(v, reg), Number(-minOff));
}

function setSlot(v: Verifier, f: Frame, spi: number, slot: Slot): void {
  f.stack[spi] = slot;
  if (f === v.frame()) v.scratchSlots.add(spi);
}

function isSpilledScalar(s: Slot): boolean {
  return s.types[7] === STACK_SPILL && s.spilled.type === 'scalar';
}

/** check_stack_write_fixed_off. `value` is the stored register, or null for BPF_ST (imm). */
function stackWriteFixed(v: Verifier, f: Frame, off: number, size: number, value: Reg | null, stImm: bigint | null): void {
  const spi = Math.floor((-off - 1) / 8);
  const slot = -off - 1;
  const old = f.stack[spi]!;
  const aligned = off % 8 === 0;
  if (!v.allowPtrLeaks && old.types[7] === STACK_SPILL && old.spilled.type !== 'scalar' && size !== 8) v.reject(ERR.EACCES, 'attempt to corrupt spilled pointer on stack');
  // Spectre v4 (no bypass_spec_v4): a pointer spill, or a store over bytes that are not misc/zero, gets a barrier after it
  if (!v.allowPtrLeaks && ((value !== null && isPointer(value)) || old.types.slice(0, size).some((t) => t !== STACK_MISC && t !== STACK_ZERO))) v.markNospecResult();
  // without CAP_BPF scalars are not tracked through the stack: their bytes become misc (or zero)
  if (value !== null && aligned && value.type === 'scalar' && v.bpfCapable) {
    // the spilled copy and the register share an id, so narrowing one narrows the other
    let reg = value;
    const fits = scalarWidth(reg.s) <= size * 8;
    if (fits && reg.id === 0 && !tnumIsConst(reg.s.var)) {
      reg = withReg(reg, { id: v.newId() });
      const src = v.regs().indexOf(value);
      if (src >= 0) v.regs()[src] = reg;
    }
    setSlot(v, f, spi, spillSlot(old, fits ? reg : withReg(reg, { id: 0, addConst: false }), size));
    return;
  }
  if (value === null && aligned && stImm !== null && v.bpfCapable) {
    setSlot(v, f, spi, spillSlot(old, constReg(BigInt.asUintN(64, stImm)), size));
    return;
  }
  if (value !== null && isPointer(value)) {
    if (size !== 8) v.reject(ERR.EACCES, 'invalid size of register spill');
    if (f !== v.frame() && value.type === 'fp') v.reject(ERR.EINVAL, 'cannot spill pointers to stack into stack frame of the caller');
    setSlot(v, f, spi, spillSlot(old, value, size));
    return;
  }
  const zero = (value !== null && isNullScalar(value)) || (value === null && stImm === 0n);
  const types = old.types.slice();
  if (old.types[7] === STACK_SPILL) for (let k = 0; k < 8; k++) if (types[k] === STACK_SPILL) types[k] = STACK_MISC;
  for (let k = 0; k < size; k++) types[(slot - k) % 8] = zero ? STACK_ZERO : STACK_MISC;
  setSlot(v, f, spi, { types, spilled: UNKNOWN_SCALAR_NOT_INIT });
}

const UNKNOWN_SCALAR_NOT_INIT = withReg(UNKNOWN_SCALAR, { type: 'not_init' });

/** save_register_state: a spill of `size` bytes at the slot's low addresses. */
function spillSlot(old: Slot, reg: Reg, size: number): Slot {
  const types = old.types.slice();
  for (let k = 7; k > 7 - size; k--) types[k] = STACK_SPILL;
  for (let k = 7 - size; k >= 0; k--) if (types[k] !== STACK_ZERO && types[k] !== STACK_INVALID) types[k] = STACK_MISC;
  return { types, spilled: reg };
}

/** check_stack_write_var_off. */
function stackWriteVar(v: Verifier, f: Frame, minOff: number, maxOff: number, value: Reg | null, stImm: bigint | null): void {
  const zero = (value !== null && isNullScalar(value)) || (value === null && stImm === 0n);
  for (let i = minOff; i < maxOff; i++) {
    const slot = -i - 1;
    const spi = Math.floor(slot / 8);
    const old = f.stack[spi]!;
    const k = slot % 8;
    if (zero && old.types[k] === STACK_SPILL && isSpilledScalar(old) && tnumIsConst(old.spilled.s.var) && old.spilled.s.var.value === 0n) continue;
    const types = old.types.slice();
    let nt = STACK_MISC;
    if (zero && types[k] === STACK_ZERO) nt = STACK_ZERO;
    types[k] = nt;
    setSlot(v, f, spi, { types, spilled: UNKNOWN_SCALAR_NOT_INIT });
  }
}

/** check_stack_read_fixed_off. */
function stackReadFixed(v: Verifier, f: Frame, off: number, size: number, dst: number): void {
  const spi = Math.floor((-off - 1) / 8);
  const slot = -off - 1;
  const st = f.stack[spi]!;
  if (f === v.frame()) v.scratchSlots.add(spi);
  if (st.types[7] === STACK_SPILL) {
    let spillSize = 1;
    for (let k = 7; k > 0 && st.types[k - 1] === STACK_SPILL; k--) spillSize++;
    const reg = st.spilled;
    if (size !== 8 || spillSize !== 8) {
      if (reg.type !== 'scalar') v.reject(ERR.EACCES, 'invalid size of register fill');
      if (dst < 0) return;
      if (size <= spillSize && off % 8 === 0) {
        let r = reg;
        if (size !== 4 || spillSize !== 4) r = withReg(r, { id: 0 });
        v.setReg(dst, r);
      } else {
        let spill = 0;
        let zero = 0;
        for (let i = 0; i < size; i++) {
          const t = st.types[(slot - i) % 8];
          if (t === STACK_SPILL) spill++;
          else if (t === STACK_ZERO) zero++;
          else if (t === STACK_INVALID && !v.allowPtrLeaks) v.reject(ERR.EACCES, `invalid read from stack off ${off}+${i} size ${size}`);
        }
        if (spill === size && tnumIsConst(reg.s.var) && reg.s.var.value === 0n) v.setReg(dst, constReg(0n));
        else if (zero === size) v.setReg(dst, constReg(0n));
        else v.setReg(dst, UNKNOWN_SCALAR);
      }
      return;
    }
    if (dst >= 0) v.setReg(dst, reg);
    return;
  }
  // an iterator's slots are not memory the program may read
  // never-written bytes are unknown scalars only with allow_uninit_stack
  if (!v.allowPtrLeaks) for (let i = 0; i < size; i++) if (st.types[(slot - i) % 8] === STACK_INVALID) v.reject(ERR.EACCES, `invalid read from stack off ${off}+${i} size ${size}`);
  for (let i = 0; i < size; i++) if (st.types[(slot - i) % 8] === STACK_ITER || st.types[(slot - i) % 8] === STACK_DYNPTR) v.reject(ERR.EACCES, `invalid read from stack off ${off}+${i} size ${size}`);
  if (dst < 0) return;
  let zeros = 0;
  for (let i = 0; i < size; i++) if (st.types[(slot - i) % 8] === STACK_ZERO) zeros++;
  v.setReg(dst, zeros === size ? constReg(0n) : UNKNOWN_SCALAR);
}

/** The stack part of check_mem_access. */
function stackAccess(v: Verifier, regno: number, reg: Reg, off: number, size: number, write: boolean, valueRegno: number, stImm: bigint | null): void {
  checkStackBounds(v, regno, reg, off, size, write ? ' write to' : ' read from');
  const f = frameOf(v, reg);
  const value = valueRegno >= 0 ? v.regs()[valueRegno]! : null;
  if (tnumIsConst(reg.s.var)) {
    const abs = Number(BigInt.asIntN(64, reg.s.var.value)) + off;
    // a store into a dynptr's slot destroys it (refused when it holds a reference)
    if (write) destroyIfDynptrSlot(v, f, Math.floor((-abs - 1) / 8));
    if (write) stackWriteFixed(v, f, abs, size, value, stImm);
    else stackReadFixed(v, f, abs, size, valueRegno);
    return;
  }
  const minOff = Number(reg.s.smin) + off;
  const maxOff = Number(reg.s.smax) + off + size;
  if (write) for (let i = minOff; i < maxOff; i++) destroyIfDynptrSlot(v, f, Math.floor((-i - 1) / 8));
  if (write) stackWriteVar(v, f, minOff, maxOff, value, stImm);
  else if (valueRegno >= 0) {
    for (let i = minOff; i < maxOff; i++) v.scratchSlots.add(Math.floor((-i - 1) / 8));
    v.setReg(valueRegno, UNKNOWN_SCALAR);
  }
}

/**
 * check_mem_access: `regno + off` read into `valueRegno` (-1: none) or written from it (`stImm`
 * for BPF_ST), `size` bytes.
 */
export function checkMemAccess(v: Verifier, regno: number, off: number, size: number, write: boolean, valueRegno: number, strictOnce: boolean, ldsx: boolean, stImm: bigint | null): void {
  const reg = v.regs()[regno]!;
  checkAlignment(v, reg, off, size, strictOnce);
  const o = off + reg.off;
  let loaded = false;
  if (reg.maybeNull) v.reject(ERR.EACCES, `R${regno} invalid mem access '${regTypeStr(reg)}'`);
  // without allow_ptr_leaks a pointer may not be stored where it can be read back as a number
  if (write && valueRegno >= 0 && !v.allowPtrLeaks && isPointer(v.regs()[valueRegno]!)) {
    const into = LEAK_INTO[reg.type];
    if (into !== undefined) v.reject(ERR.EACCES, `R${valueRegno} leaks addr into ${into}`);
  }
  switch (reg.type) {
    case 'arena':
      // check_mem_access: any offset, any size; a load gives an unknown scalar
      if (!write && valueRegno >= 0) {
        v.setReg(valueRegno, UNKNOWN_SCALAR);
        loaded = true;
      }
      break;
    case 'map_ptr': {
      // check_ptr_to_map_access: struct bpf_map fields, read only
      if (write) v.reject(ERR.EACCES, `only read from bpf_array is supported`);
      if (valueRegno >= 0) {
        v.setReg(valueRegno, UNKNOWN_SCALAR);
        loaded = true;
      }
      break;
    }
    case 'map_value': {
      checkMapAccessType(v, reg, o, size, write);
      checkMapAccess(v, regno, reg, o, size, false, 'direct');
      const kf = tnumIsConst(reg.s.var) ? reg.map!.specialFields?.find((f) => f.kptr !== undefined && f.off === o + Number(reg.s.var.value)) : undefined;
      if (kf?.kptr !== undefined) {
        checkMapKptrAccess(v, kf.off, kf.kptr, write, valueRegno, stImm);
        break;
      }
      if (!write && valueRegno >= 0) {
        const map = reg.map!;
        if (tnumIsConst(reg.s.var) && map.frozen && (map.flags & BPF_F_RDONLY_PROG) !== 0 && map.frozenValue !== undefined) {
          const at = o + Number(reg.s.var.value);
          let val = 0n;
          for (let k = size - 1; k >= 0; k--) val = (val << 8n) | BigInt(map.frozenValue[at + k] ?? 0);
          if (ldsx) val = BigInt.asUintN(64, BigInt.asIntN(size * 8, val));
          v.setReg(valueRegno, constReg(val));
          return;
        }
        v.setReg(valueRegno, UNKNOWN_SCALAR);
        loaded = true;
      }
      break;
    }
    case 'mem': {
      if (write && reg.rdonly) v.reject(ERR.EACCES, `R${regno} cannot write into ${regTypeStr(reg)}`);
      // rdonly_untrusted memory (bpf_rdonly_cast to void) is read by PROBE_MEM loads: no bounds
      if (!isRdonlyUntrustedMem(reg)) checkMemRegion(v, regno, reg, o, size, reg.memSize, false);
      if (!write && valueRegno >= 0) {
        v.setReg(valueRegno, UNKNOWN_SCALAR);
        loaded = true;
      }
      break;
    }
    case 'map_key': {
      if (write) v.reject(ERR.EACCES, `R${regno} cannot write into ${regTypeStr(reg)}`);
      checkMemRegion(v, regno, reg, o, size, reg.map!.keySize, false);
      if (valueRegno >= 0) {
        v.setReg(valueRegno, UNKNOWN_SCALAR);
        loaded = true;
      }
      break;
    }
    case 'ctx': {
      checkPtrOffReg(v, reg, regno, false);
      const res = v.input.ctx.access(o, size, write);
      if (!res.ok) {
        linfoLine(v);
        v.reject(ERR.EACCES, `invalid bpf_context access off=${o} size=${size}`);
      }
      if (!write && valueRegno >= 0) {
        if (ldsx && res.type !== 'scalar') v.reject(ERR.EACCES, `invalid bpf_context access off=${o} size=${size}`);
        if (res.type === 'btf_id') {
          const nr = ptrReg('btf_id', { btfName: res.btfName, maybeNull: res.nullable, trust: res.trusted === true ? 'trusted' : '' });
          v.setReg(valueRegno, res.nullable ? withReg(nr, { id: v.newId() }) : nr);
        } else if (res.type === 'scalar' || res.type === 'ctx_mem') {
          v.setReg(valueRegno, UNKNOWN_SCALAR);
          loaded = true;
        } else {
          // PTR_TO_SOCK_COMMON_OR_NULL / PTR_TO_SOCKET(_OR_NULL) fields (__sk_buff->sk, bpf_sock_addr->sk, bpf_sk_lookup->sk, ...)
          const t = res.type === 'sock_common_or_null' ? 'sock_common' : res.type === 'sock_or_null' ? 'sock' : res.type;
          const nr = withReg(constReg(0n), { type: t, maybeNull: res.type === 'sock_common_or_null' || res.type === 'sock_or_null' });
          v.setReg(valueRegno, nr.maybeNull ? withReg(nr, { id: v.newId() }) : nr);
        }
      }
      break;
    }
    case 'fp':
      stackAccess(v, regno, reg, o, size, write, valueRegno, stImm);
      loaded = !write && valueRegno >= 0;
      break;
    case 'pkt':
    case 'pkt_meta': {
      if (write && !v.input.ctx.pktWrite) v.reject(ERR.EACCES, 'cannot write into packet');
      checkPacketAccess(v, regno, reg, o, size, false);
      if (!write && valueRegno >= 0) {
        v.setReg(valueRegno, UNKNOWN_SCALAR);
        loaded = true;
      }
      break;
    }
    case 'flow_keys': {
      if (!memOk(BigInt(o), size, 56, false) || !tnumIsConst(reg.s.var)) v.reject(ERR.EACCES, `invalid access to flow keys off=${o} size=${size}`);
      if (!write && valueRegno >= 0) {
        v.setReg(valueRegno, UNKNOWN_SCALAR);
        loaded = true;
      }
      break;
    }
    case 'sock_common':
    case 'sock':
    case 'tcp_sock': {
      // bpf_sock_common_is_valid_access / bpf_sock_is_valid_access: aligned reads of struct bpf_sock
      // (80 bytes); bpf_tcp_sock_is_valid_access: struct bpf_tcp_sock (112 bytes), u64 counters at 80 and 88
      const end = reg.type === 'tcp_sock' ? 112 : 80;
      const wide = reg.type === 'tcp_sock' && (o === 80 || o === 88);
      if (write || o < 0 || o + size > end || o % size !== 0 || (reg.type === 'tcp_sock' && size !== (wide ? 8 : 4)) || !tnumIsConst(reg.s.var)) v.reject(ERR.EACCES, `R${regno} invalid ${reg.type} access off=${o} size=${size}`);
      if (valueRegno >= 0) {
        v.setReg(valueRegno, UNKNOWN_SCALAR);
        loaded = true;
      }
      break;
    }
    case 'btf_id': {
      // check_ptr_to_btf_access: fixed non-negative offset, fields by BTF
      if (o < 0) v.reject(ERR.EACCES, `R${regno} is ptr_${reg.btfName} invalid negative access: off=${o}`);
      if (!tnumIsConst(reg.s.var)) v.reject(ERR.EACCES, `R${regno} is ptr_${reg.btfName} invalid variable offset: off=${o}, var_off=${formatTnum(reg.s.var)}`);
      if (write && v.input.progType !== 27) v.reject(ERR.EACCES, 'only read is supported');
      if (write) {
        const refused = v.input.btfWrite?.(reg.btfName, o, size) ?? null;
        if (refused !== null) v.reject(ERR.EACCES, refused);
      }
      const acc = v.input.btfAccess?.(reg.btfName, o, size) ?? { kind: 'scalar' as const };
      if (acc.kind === 'error') v.reject(ERR.EACCES, acc.msg);
      if (!write && valueRegno >= 0) {
        if (acc.kind === 'ptr') {
          const w = walkedTrust(reg, acc.field, v.inRcuCs());
          v.setReg(valueRegno, ptrReg('btf_id', { btfName: acc.name, trust: w.trust, maybeNull: w.maybeNull, ...(w.maybeNull ? { id: v.newId() } : {}) }));
        }
        else {
          v.setReg(valueRegno, UNKNOWN_SCALAR);
          loaded = true;
        }
      }
      break;
    }
    default:
      v.reject(ERR.EACCES, `R${regno} invalid mem access '${regTypeStr(reg)}'`);
  }
  if (loaded && size < 8) {
    const r = v.regs()[valueRegno]!;
    if (r.type === 'scalar') v.setReg(valueRegno, scalarReg(ldsx ? scalarCoerceSx(r.s, size as 1 | 2 | 4) : scalarCoerce(r.s, size as 1 | 2 | 4), r.id));
  }
}

/** A source-line prefix the kernel prints before some errors (verbose_linfo with "; "). */
function linfoLine(_v: Verifier): void {
  // The kernel prints the line only if it changed since the last printed one; the instruction
  // line already printed it in every trace, so nothing is added here.
}

/** check_ld_abs. */
export function checkLdAbs(v: Verifier, i: RawInsn): void {
  if (!v.input.ctx.ldAbs) v.reject(ERR.EINVAL, 'BPF_LD_[ABS|IND] instructions not allowed for this program type');
  const mode = i.code & 0xe0;
  if (i.dst !== 0 || i.off !== 0 || (i.code & 0x18) === 0x18 || (mode === 0x20 && i.src !== 0)) v.reject(ERR.EINVAL, 'BPF_LD_[ABS|IND] uses reserved fields');
  const r6 = v.readReg(6);
  if (v.cur.refs.length > 0) v.reject(ERR.EINVAL, 'BPF_LD_[ABS|IND] would lead to reference leak');
  if (v.cur.lockId !== 0 || v.cur.lockOff !== 0 || resLockHeld(v.cur)) v.reject(ERR.EINVAL, 'BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region');
  checkNotInPreempt(v, 'BPF_LD_[ABS|IND]');
  if (r6.type !== 'ctx') v.reject(ERR.EINVAL, 'at the time of BPF_LD_ABS|IND R6 != pointer to skb');
  if (mode === 0x40) v.readReg(i.src);
  checkPtrOffReg(v, r6, 6, false);
  for (let r = 1; r <= 5; r++) v.setReg(r, withReg(UNKNOWN_SCALAR, { type: 'not_init' }));
  v.setReg(0, UNKNOWN_SCALAR);
}

/** Helper-argument memory access (check_helper_mem_access); `raw` = MEM_UNINIT (the helper writes). */
export function checkHelperMem(v: Verifier, regno: number, size: number, write: boolean, zeroOk: boolean, raw: boolean): void {
  const reg = v.regs()[regno]!;
  switch (reg.type) {
    case 'pkt':
    case 'pkt_meta':
      checkPacketAccess(v, regno, reg, reg.off, size, zeroOk);
      return;
    case 'map_key':
      if (write) v.reject(ERR.EACCES, `R${regno} cannot write into ${regTypeStr(reg)}`);
      checkMemRegion(v, regno, reg, reg.off, size, reg.map!.keySize, false);
      return;
    case 'map_value':
      checkMapAccessType(v, reg, reg.off, size, write);
      checkMapAccess(v, regno, reg, reg.off, size, zeroOk, 'helper');
      return;
    case 'mem':
      if (reg.rdonly && write) v.reject(ERR.EACCES, `R${regno} cannot write into ${regTypeStr(reg)}`);
      checkMemRegion(v, regno, reg, reg.off, size, reg.memSize, zeroOk);
      return;
    case 'fp':
      stackRangeInit(v, regno, reg, reg.off, size, zeroOk, write, raw);
      return;
    case 'btf_id': {
      // the bytes must be readable through the kernel's BTF (btf_struct_access)
      const acc = v.input.btfAccess?.(reg.btfName, reg.off, size);
      if (acc?.kind === 'error') v.reject(ERR.EACCES, acc.msg);
      return;
    }
    case 'ctx':
      // syscall programs have no ctx conversion: a helper may read their ctx bytes
      if (v.input.progType === 31) {
        if (size === 0) {
          if (!zeroOk) v.reject(ERR.EACCES, '');
          return;
        }
        checkMemAccess(v, regno, size - 1, 1, write, -1, false, false, null);
        return;
      }
      if (zeroOk && size === 0 && isNullScalar(reg)) return;
      v.reject(ERR.EACCES, `R${regno} type=${regTypeStr(reg)} expected=fp`);
      break;
    default:
      if (zeroOk && size === 0 && isNullScalar(reg)) return;
      v.reject(ERR.EACCES, `R${regno} type=${regTypeStr(reg)} expected=fp`);
  }
}

/** check_stack_range_initialized. */
function stackRangeInit(v: Verifier, regno: number, reg: Reg, off: number, size: number, zeroOk: boolean, write: boolean, raw: boolean): void {
  if (size === 0 && !zeroOk) v.reject(ERR.EACCES, 'invalid zero-sized read');
  checkStackBounds(v, regno, reg, off, size, write || raw ? ' write to' : ' read from');
  const f = frameOf(v, reg);
  let minOff: number;
  let maxOff: number;
  let rawMode = raw;
  if (tnumIsConst(reg.s.var)) {
    minOff = maxOff = Number(BigInt.asIntN(64, reg.s.var.value)) + off;
  } else {
    rawMode = false;
    minOff = Number(reg.s.smin) + off;
    maxOff = Number(reg.s.smax) + off;
  }
  if (rawMode) {
    // a helper's write may not land on a dynptr (check_stack_range_initialized, raw mode)
    for (let i = minOff; i < minOff + size; i++) {
      const slot = -i - 1;
      const s = f.stack[Math.floor(slot / 8)];
      if (s !== undefined && s.types[slot % 8] === STACK_DYNPTR) v.reject(ERR.EACCES, `potential write to dynptr at off=${i} disallowed`);
    }
  }
  if (rawMode) {
    // the helper writes [min, min + size): every byte becomes STACK_MISC
    for (let i = minOff; i < minOff + size; i++) {
      const slot = -i - 1;
      const spi = Math.floor(slot / 8);
      const old = f.stack[spi]!;
      const types = old.types.slice();
      if (old.types[7] === STACK_SPILL) for (let k = 0; k < 8; k++) if (types[k] === STACK_SPILL) types[k] = STACK_MISC;
      types[slot % 8] = STACK_MISC;
      setSlot(v, f, spi, { types, spilled: UNKNOWN_SCALAR_NOT_INIT });
    }
    return;
  }
  for (let i = minOff; i < maxOff + size; i++) {
    const slot = -i - 1;
    const spi = Math.floor(slot / 8);
    const old = f.stack[spi]!;
    const k = slot % 8;
    const t = old.types[k]!;
    if (t === STACK_MISC) continue;
    if (t === STACK_ZERO || (t === STACK_INVALID && v.allowPtrLeaks)) {
      if (write) {
        const types = old.types.slice();
        types[k] = STACK_MISC;
        setSlot(v, f, spi, { types, spilled: old.spilled });
      }
      continue;
    }
    if (old.types[7] === STACK_SPILL && (old.spilled.type === 'scalar' || v.allowPtrLeaks)) {
      if (write) {
        const types = old.types.map((x) => (x === STACK_SPILL ? STACK_MISC : x));
        setSlot(v, f, spi, { types, spilled: UNKNOWN_SCALAR_NOT_INIT });
      }
      continue;
    }
    v.reject(ERR.EACCES, `invalid read from stack R${regno} off ${minOff}+${i - minOff} size ${size}`);
  }
}

/**
 * A register's constant value as a key (get_constant_map_key): the spilled constant at the slot, or -1.
 * Never for a user without CAP_BPF (6.18 keeps such a lookup's result nullable: corpus unpriv0-null-ptr-add).
 */
export function constantStackKey(v: Verifier, reg: Reg, keySize: number): bigint {
  if (!v.bpfCapable) return -1n;
  if (reg.type !== 'fp' || !tnumIsConst(reg.s.var)) return -1n;
  const f = frameOf(v, reg);
  const off = Number(BigInt.asIntN(64, reg.s.var.value)) + reg.off;
  if (off % 8 !== 0 && keySize > 4) return -1n;
  const spi = Math.floor((-off - 1) / 8);
  const st = f.stack[spi];
  if (st === undefined) return -1n;
  const slot = -off - 1;
  let zeroCount = 0;
  for (let i = 0; i < keySize; i++) if (st.types[(slot - i) % 8] === STACK_ZERO) zeroCount++;
  if (zeroCount === keySize) return 0n;
  if (st.types[7] !== STACK_SPILL || st.spilled.type !== 'scalar') return -1n;
  let spillSize = 0;
  for (let k = 7; k >= 0 && st.types[k] === STACK_SPILL; k--) spillSize++;
  if (off % 8 !== 0 || spillSize < keySize) return -1n;
  if (!tnumIsConst(st.spilled.s.var)) return -1n;
  return st.spilled.s.var.value & ((1n << BigInt(keySize * 8)) - 1n);
}

export { scalarConst, scalarFromWidth };
