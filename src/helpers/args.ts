/**
 * Argument checks shared by the helper implementations: what the verifier would have guaranteed
 * about a helper's arguments (check_helper_call / check_func_arg), checked at run time against the
 * memory regions instead. A violation is a guest {@link Fault} naming the helper, the register and
 * the address; it never becomes an errno.
 *
 * Address model used by the memory-reading helpers (probe_read & co.):
 *
 *   guest pointer   region 0 (NULL, scalars < 2^32)     region >= 1
 *                   = user space (HelperHost.user)      = kernel memory (the region's bytes)
 *
 * so a user pointer handed to a program (e.g. in a syscall ctx) is a plain number, as on x86-64
 * where user addresses lie below TASK_SIZE_MAX.
 *
 * Isolation: every pointer argument is checked against the run's capabilities (Machine.reach): a
 * region the run may not reach is a `foreign_region` fault even when it exists, a map argument must
 * be one of the maps the program references (or an inner map it looked up in this run).
 */
import { BpfMap } from '../maps/map.js';
import type { ProgOp } from '../maps/types.js';
import { mapTypeName } from '../maps/uapi.js';
import type { ExecProgram, Machine } from '../vm/machine.js';
import { describeAddr } from '../vm/machine.js';
import { PERM_W, RegionKind, SLOT_MASK } from '../vm/memory.js';

/** `bpf_<name> r<reg> (<what>)`, the breadcrumb of an argument. */
function where(helper: string, reg: number, what: string): string {
  return `${helper} r${reg} (${what})`;
}

/** The address in register `reg`, described for messages. */
export function regAddr(m: Machine, reg: number): string {
  return describeAddr(m.mem, m.hi[reg]!, m.lo[reg]! >>> 0);
}

/**
 * ARG_CONST_MAP_PTR: the map whose handle register `reg` points to (offset 0 of a map handle
 * region). With `op`, the map type must also support that helper (check_map_func_compatibility).
 */
export function mapArg(m: Machine, reg: number, helper: string, op?: ProgOp): BpfMap {
  const id = m.hi[reg]!;
  const mem = m.mem;
  const s = id & SLOT_MASK;
  // A live map handle region (Memory.kindOf and ownerOf, by slot: one id comparison for both).
  const map = id !== 0 && mem.slotId[s] === id && mem.slotKind[s] === RegionKind.MAP && m.lo[reg] === 0 ? mem.slotOwner[s] : undefined;
  if (!(map instanceof BpfMap)) throw m.fail('helper', `${where(helper, reg, 'map')}: not a map pointer: ${regAddr(m, reg)}`);
  // (The id is live: checked above. A grant in the access table, or the policy's answer now.)
  if (m.access.cap[s] === 0 && !m.reach(id)) {
    throw m.fail('foreign_region', `${where(helper, reg, 'map')}: map '${map.name || map.id}' is not one the program references: ${regAddr(m, reg)}`, { region: mem.describe(id) });
  }
  if (op !== undefined && !map.progOps.has(op)) {
    throw m.fail('helper', `${helper}: map '${map.name || map.id}' of type ${mapTypeName(map.type)} cannot be used with this helper (the verifier rejects the program)`);
  }
  return map;
}

/**
 * ARG_PTR_TO_MEM and friends: `size` bytes at the pointer in `reg` must be readable (or writable);
 * returns the offset, the bytes being `m.mem.u8[m.hi[reg]]`. Faults like a load or store would.
 */
export function memArg(m: Machine, reg: number, size: number, write: boolean, helper: string, what: string): number {
  const id = m.hi[reg]!;
  const off = m.lo[reg]! >>> 0;
  const s = id & SLOT_MASK;
  // Granted regions: the access table's lengths (capability, permission and bounds in one).
  if (m.mem.slotId[s] === id && size >= 0) {
    const lim = write ? m.access.wl[s]! : m.access.rl[s]!;
    if (lim >= 0 && off + size <= lim) return off;
  }
  m.bytesAt(id, off, size, write, where(helper, reg, what));
  return off;
}

/** Like {@link memArg} for ARG_CONST_SIZE_OR_ZERO sizes: with size 0 any pointer (NULL too) is fine. */
export function memArgOrZero(m: Machine, reg: number, size: number, write: boolean, helper: string, what: string): number {
  return size === 0 ? m.lo[reg]! >>> 0 : memArg(m, reg, size, write, helper, what);
}

/**
 * ARG_PTR_TO_CONST_STR: a NUL-terminated string in memory the program cannot write (the verifier
 * wants a read-only map value, e.g. `.rodata`). Returns the string's bytes without the NUL.
 */
export function constStrArg(m: Machine, reg: number, helper: string, what: string): Uint8Array {
  const id = m.hi[reg]!;
  const off = m.lo[reg]! >>> 0;
  const mem = m.mem;
  memArg(m, reg, 1, false, helper, what);
  if ((mem.permOf(id) & PERM_W) !== 0) {
    throw m.fail('helper', `${where(helper, reg, what)}: the string must be in read-only memory (a frozen read-only map value), not ${regAddr(m, reg)}`);
  }
  const bytes = mem.bytes(id);
  const end = bytes.indexOf(0, off);
  if (end < 0) throw m.fail('helper', `${where(helper, reg, what)}: string is not NUL-terminated within ${mem.describe(id)}`);
  return bytes.subarray(off, end);
}

/** ARG_PTR_TO_CTX: the program's context (NULL passes: syscall programs may run without one). */
export function ctxArg(m: Machine, reg: number, helper: string): void {
  if (m.hi[reg] === 0 && m.lo[reg] === 0) return;
  const id = m.hi[reg]!;
  if (m.mem.kindOf(id) !== RegionKind.CTX) throw m.fail('helper', `${where(helper, reg, 'ctx')}: not the program's context: ${regAddr(m, reg)}`);
  m.argRegionChecked(reg, where(helper, reg, 'ctx'));
}

/** ARG_PTR_TO_STACK_OR_NULL (callback contexts): NULL or a pointer into a stack frame. */
export function stackOrNullArg(m: Machine, reg: number, helper: string, what: string): void {
  if (m.hi[reg] === 0 && m.lo[reg] === 0) return;
  const id = m.hi[reg]!;
  if (m.mem.kindOf(id) !== RegionKind.STACK) throw m.fail('helper', `${where(helper, reg, what)}: must be NULL or a stack pointer, not ${regAddr(m, reg)}`);
  m.argRegionChecked(reg, where(helper, reg, what));
}

/** A callback: the program that owns it and the pc of its first instruction. */
export interface Callback {
  /** The loaded program (ExecProgram.owner), what timers hold and run. */
  readonly owner: unknown;
  readonly prog: ExecProgram;
  readonly pc: number;
}

/**
 * ARG_PTR_TO_FUNC: `lddw rX, func` of the calling program, i.e. a pointer into its code region
 * (offset = pc * 8). Callbacks of other programs, or anything else, fault.
 */
export function callbackArg(m: Machine, reg: number, helper: string): Callback {
  const id = m.hi[reg]!;
  const off = m.lo[reg]! >>> 0;
  const mem = m.mem;
  const prog = m.prog;
  if (prog === null || mem.kindOf(id) !== RegionKind.CODE) {
    throw m.fail('helper', `${where(helper, reg, 'callback')}: not a function of this program: ${regAddr(m, reg)}`);
  }
  if (mem.ownerOf(id) !== prog.owner) throw m.fail('helper', `${where(helper, reg, 'callback')}: the function belongs to another program`);
  const pc = off / 8;
  if (!Number.isInteger(pc) || pc >= prog.decoded.length) throw m.fail('helper', `${where(helper, reg, 'callback')}: offset ${off} is not an instruction of ${prog.name}`);
  return { owner: prog.owner, prog, pc };
}

/**
 * A pointer argument the helper only identifies an object by (a map value holding a lock or timer,
 * a ringbuf record): the region it names, which this run must be able to reach; `kind` must match.
 */
export function regionArg(m: Machine, reg: number, kind: number, helper: string, what: string): number {
  const id = m.hi[reg]!;
  if (m.mem.kindOf(id) !== kind) return 0;
  return m.argRegionChecked(reg, where(helper, reg, what));
}

/** A u64 flags argument as a number, or -1 when bits above 31 are set (every such flag is invalid). */
export function flagsArg(m: Machine, reg: number): number {
  return m.hi[reg] === 0 ? m.lo[reg]! >>> 0 : -1;
}
