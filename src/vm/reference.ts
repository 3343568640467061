/**
 * The reference interpreter: small, slow and obviously correct. It executes the *raw* instructions
 * (not the decoder's normalised words) with BigInt arithmetic written straight from RFC 9669, so the
 * differential test checks the decoder and the fast loop together. It also drives tracing: it calls
 * `m.tracer` before every instruction.
 *
 * It shares the Machine (registers, frames, budget, helpers, tail calls) with the fast interpreter;
 * only the instruction semantics are reimplemented here.
 */
import { lookupSpec, POISON_INVALID, XOP_POISON, type OpcodeSpec } from '../isa/opcodes.js';
import type { ArenaSpace } from './arena.js';
import { Fault } from './fault.js';
import { accessAddress, ldPacket } from './interp.js';
import { MAX_FRAMES, MAY_GOTO_LIMIT, STACK_SIZE, TIME_SLICE, describeAddr, type ExecProgram, type Machine } from './machine.js';
import { PERM_R, PERM_W } from './memory.js';

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;

const u64 = (v: bigint): bigint => v & M64;
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const u32 = (v: bigint): bigint => v & M32;
const s32 = (v: bigint): bigint => BigInt.asIntN(32, v);
/** Sign-extend a 32-bit immediate to 64 bits, as unsigned (RFC 9669 §2.2 "sign extension"). */
const sext = (imm: number): bigint => u64(BigInt(imm));

function get(m: Machine, r: number): bigint {
  return (BigInt(m.hi[r]! >>> 0) << 32n) | BigInt(m.lo[r]! >>> 0);
}

function set(m: Machine, r: number, v: bigint): void {
  const x = u64(v);
  m.lo[r] = Number(x & M32) | 0;
  m.hi[r] = Number(x >> 32n) | 0;
}

function swap(v: bigint, bytes: number): bigint {
  let out = 0n;
  for (let i = 0; i < bytes; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** RFC 9669 §4.1 arithmetic on `width`-bit operands; returns the new dst (unsigned, 64-bit). */
function alu(op: number, signed: boolean, width: 32 | 64, dst: bigint, src: bigint): bigint {
  const mask = width === 64 ? M64 : M32;
  const a = dst & mask;
  const b = src & mask;
  const sa = width === 64 ? s64(a) : s32(a);
  const sb = width === 64 ? s64(b) : s32(b);
  const shift = b & BigInt(width - 1);
  let r: bigint;
  switch (op) {
    case 0x00: r = a + b; break;
    case 0x10: r = a - b; break;
    case 0x20: r = a * b; break;
    case 0x30: r = b === 0n ? 0n : signed ? sa / sb : a / b; break; // division by zero: 0
    case 0x40: r = a | b; break;
    case 0x50: r = a & b; break;
    case 0x60: r = a << shift; break;
    case 0x70: r = a >> shift; break;
    case 0x80: r = -a; break;
    case 0x90: r = b === 0n ? a : signed ? sa % sb : a % b; break; // modulo by zero: dst unchanged
    case 0xa0: r = a ^ b; break;
    case 0xb0: r = b; break;
    case 0xc0: r = sa >> shift; break;
    default: throw new Error(`reference: alu op ${op}`);
  }
  return r & mask; // 32-bit results are zero-extended
}

function compare(op: number, width: 32 | 64, a0: bigint, b0: bigint): boolean {
  const mask = width === 64 ? M64 : M32;
  const a = a0 & mask;
  const b = b0 & mask;
  const sa = width === 64 ? s64(a) : s32(a);
  const sb = width === 64 ? s64(b) : s32(b);
  switch (op) {
    case 0x10: return a === b;
    case 0x20: return a > b;
    case 0x30: return a >= b;
    case 0x40: return (a & b) !== 0n;
    case 0x50: return a !== b;
    case 0x60: return sa > sb;
    case 0x70: return sa >= sb;
    case 0xa0: return a < b;
    case 0xb0: return a <= b;
    case 0xc0: return sa < sb;
    case 0xd0: return sa <= sb;
    default: throw new Error(`reference: jump op ${op}`);
  }
}

function fault(m: Machine, pc: number, id: number, off: number, size: number, write: boolean): Fault {
  const problem = m.accessProblem(id, off, size, write ? PERM_W : PERM_R) ?? 'bad_ctx_access';
  const why = problem === 'foreign_region' ? ': outside the capabilities of this run' : '';
  return new Fault(problem, pc, `invalid ${write ? 'write' : 'read'} of ${size} bytes at ${describeAddr(m.mem, id, off)}${why}`, {
    address: accessAddress(id, off),
    size,
    access: write ? 'write' : 'read',
    region: m.mem.describe(id),
    program: m.prog?.name ?? '?',
  });
}

/** A BPF_PROBE_MEM load (through a BTF pointer, marked by the verifier): an address the run cannot read gives 0. */
function probeLoad(m: Machine, pc: number, base: bigint, disp: number, size: number): bigint {
  try {
    return load(m, pc, base, disp, size);
  } catch (e) {
    if (e instanceof Fault) return 0n;
    throw e;
  }
}

/**
 * Region and offset of the access at base + off: the 64-bit sum (RFC 9669: `dst + offset`), split
 * into its upper half (region id) and lower half (offset). An offset that carries or borrows across
 * bit 32 lands in the neighbouring region id (issue 12, bug 1).
 */
function regionOffset(base: bigint, off: number): [id: number, off: number] {
  const addr = u64(base + BigInt(off));
  return [Number(addr >> 32n) | 0, Number(addr & M32)];
}

function load(m: Machine, pc: number, base: bigint, disp: number, size: number): bigint {
  const [id, off] = regionOffset(base, disp);
  const mem = m.mem;
  if (!m.reach(id)) throw fault(m, pc, id, off, size, false);
  const sp = mem.specialOf(id);
  if (sp !== null) {
    // The handler decides the whole 64-bit value (a 4-byte ctx load may yield a pointer).
    m.scratch[0] = 0;
    m.scratch[1] = 0;
    if ((mem.permOf(id) & PERM_R) === 0 || off < 0 || !sp.load(off, size, m.scratch)) throw fault(m, pc, id, off, size, false);
    if (m.scratch[1] !== 0 && sp.yieldsPointer !== undefined && sp.yieldsPointer(off)) m.grant(m.scratch[1]!, m.scopeOf(id));
    return (BigInt(m.scratch[1]! >>> 0) << 32n) | BigInt(m.scratch[0]! >>> 0);
  }
  if (mem.check(id, off, size, PERM_R) !== null) throw fault(m, pc, id, off, size, false);
  const bytes = mem.bytes(id);
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]!); // little-endian
  return v;
}

function store(m: Machine, pc: number, base: bigint, disp: number, size: number, value: bigint): void {
  const [id, off] = regionOffset(base, disp);
  const mem = m.mem;
  if (!m.reach(id)) throw fault(m, pc, id, off, size, true);
  const sp = mem.specialOf(id);
  if (sp !== null) {
    // The handler sees the stored value truncated to `size` bytes.
    const v = value & ((1n << BigInt(size * 8)) - 1n);
    if ((mem.permOf(id) & PERM_W) === 0 || off < 0 || !sp.store(off, size, Number(v & M32) | 0, Number(v >> 32n) | 0)) throw fault(m, pc, id, off, size, true);
    return;
  }
  if (mem.check(id, off, size, PERM_W) !== null) throw fault(m, pc, id, off, size, true);
  const bytes = mem.bytes(id);
  for (let i = 0; i < size; i++) bytes[off + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

/** Byte `a` of the 4 GiB arena window (kern_vm_start + a), or undefined when it faults (guard, unpopulated page). */
function arenaPage(arena: ArenaSpace | undefined, a: bigint): { page: Uint8Array; at: number } | undefined {
  if (arena === undefined || a < 0n || a >= 1n << 32n) return undefined;
  const page = arena.page(Number(a >> 12n));
  return page === undefined ? undefined : { page, at: Number(a & 0xfffn) };
}

/**
 * An access the verifier rewrote to PROBE_MEM32 (see vm/arena.ts): address (u32)reg + off in the
 * arena window, byte by byte; any faulting byte makes a load give 0 and a store or atomic do nothing.
 */
function arenaAccess(m: Machine, arena: ArenaSpace | undefined, s: OpcodeSpec, i: { dst: number; src: number; off: number; imm: number }, dst: bigint, src: bigint): void {
  const size = s.size;
  const base = (s.form === 'ldx' || s.form === 'ldsx' || (s.form === 'atomic' && i.imm === 0x100) ? u32(src) : u32(dst)) + BigInt(i.off);
  const bytes: { page: Uint8Array; at: number }[] = [];
  for (let k = 0; k < size; k++) {
    const b = arenaPage(arena, base + BigInt(k));
    if (b !== undefined) bytes.push(b);
  }
  const ok = bytes.length === size;
  const read = (): bigint => bytes.reduceRight((v, b) => (v << 8n) | BigInt(b.page[b.at]!), 0n);
  const write = (v: bigint): void => bytes.forEach((b, k) => (b.page[b.at] = Number((v >> BigInt(8 * k)) & 0xffn)));
  if (s.form === 'ldx' || s.form === 'ldsx' || (s.form === 'atomic' && i.imm === 0x100)) {
    const v = ok ? read() : 0n;
    set(m, i.dst, s.form === 'ldsx' ? u64(BigInt.asIntN(size * 8, v)) : v);
    return;
  }
  if (!ok) return;
  if (s.form === 'st') return write(sext(i.imm));
  if (s.form === 'stx' || i.imm === 0x110) return write(src);
  const mask = size === 8 ? M64 : M32;
  const old = read();
  const operand = src & mask;
  const op = i.imm & ~1;
  let next: bigint;
  if (op === 0xf0) {
    next = old === (get(m, 0) & mask) ? operand : old;
    set(m, 0, old);
  } else if (op === 0xe0) next = operand;
  else next = alu(op, false, size === 8 ? 64 : 32, old, operand);
  write(next);
  if ((i.imm & 1) !== 0 && op !== 0xf0) set(m, i.src, old);
}

/** Same contract as the fast `execute` (see interp.ts). */
export function executeReference(m: Machine, startProg: ExecProgram, entryPc: number, baseDepth: number): void {
  let prog = startProg;
  let pc = entryPc;
  m.prog = prog;
  // As in the fast loop: the wall clock is looked at each time TIME_SLICE units are used; a helper's
  // callback (baseDepth > 0) continues its caller's slice (m.refStop).
  if (baseDepth === 0 || m.refStop > m.left) m.refStop = m.left > TIME_SLICE ? m.left - TIME_SLICE : 0;
  for (;;) {
    if (--m.left < m.refStop) {
      if (m.left < 0) {
        m.left = 0;
        throw new Fault('budget_exceeded', pc, `instruction budget of ${m.budget} exhausted`, { program: prog.name });
      }
      m.checkClock(pc);
      m.refStop = m.left > TIME_SLICE ? m.left - TIME_SLICE : 0;
    }
    m.pc = pc;
    if (m.tracer !== null) m.tracer(m, prog, pc);
    const raw = prog.decoded.raw;
    const i = raw[pc]!;
    if ((prog.code[pc * 4]! & 0xff) === XOP_POISON) throw m.fail(prog.code[pc * 4 + 2] === POISON_INVALID ? 'invalid' : 'poisoned', prog.decoded.poison[prog.code[pc * 4 + 3]!] ?? 'poisoned instruction');
    const s: OpcodeSpec | undefined = lookupSpec(i.code, i.src, i.off, i.imm);
    if (s === undefined) throw m.fail('invalid', `reference: invalid instruction at pc ${pc}`);
    const dst = get(m, i.dst);
    const src = get(m, i.src);
    const cls = i.code & 7;
    if (prog.arenaAccesses?.has(pc) === true) {
      arenaAccess(m, prog.arena, s, i, dst, src);
      pc++;
      continue;
    }
    switch (s.form) {
      case 'addr_space_cast': {
        const low = u32(src);
        // imm 1: as(1) -> as(0), a 32-bit move; imm 1 << 16: as(0) -> as(1), user_vm_start's upper half unless 0
        set(m, i.dst, i.imm === 1 || low === 0n ? low : (BigInt((prog.arena?.userHi ?? 0) >>> 0) << 32n) | low);
        break;
      }
      case 'alu_k':
      case 'alu_x':
      case 'neg': {
        const operand = s.form === 'alu_x' ? src : sext(i.imm);
        set(m, i.dst, alu(s.aluOp, i.off === 1, s.width as 32 | 64, dst, operand));
        break;
      }
      case 'movsx': {
        const v = BigInt.asIntN(i.off, src);
        set(m, i.dst, s.width === 64 ? u64(v) : u32(v));
        break;
      }
      case 'end': {
        const bytes = i.imm / 8;
        const low = dst & ((1n << BigInt(i.imm)) - 1n);
        // RFC 9669 §4.2: le is a no-op but truncates on a little-endian machine; be and bswap swap.
        set(m, i.dst, s.mnemonic.startsWith('le') ? low : swap(low, bytes));
        break;
      }
      case 'ja':
        pc = pc + 1 + i.off;
        continue;
      case 'ja32':
        pc = pc + 1 + i.imm;
        continue;
      case 'jmp_k':
      case 'jmp_x': {
        const width = cls === 6 ? 32 : 64;
        if (compare(s.aluOp, width, dst, s.form === 'jmp_x' ? src : sext(i.imm))) {
          pc = pc + 1 + i.off;
          continue;
        }
        break;
      }
      case 'may_goto': {
        const c = m.mayGoto[m.depth]!;
        if (c <= 0) {
          pc = pc + 1 + i.off;
          continue;
        }
        m.mayGoto[m.depth] = c - 1;
        break;
      }
      case 'call_helper':
      case 'call_kfunc':
      case 'callx': {
        m.prog = prog;
        if (s.form === 'callx') {
          const f = prog.helperById?.(Number(dst & M32));
          if (f === undefined || dst > M32) throw m.fail('unknown_helper', `callx: no helper with id ${dst}`);
          f(m);
        } else {
          const slot = prog.code[pc * 4 + 3]!;
          (s.form === 'call_helper' ? prog.helpers : prog.kfuncs)[slot]!(m);
        }
        if (m.tailTarget !== null) {
          m.noteFrames(m.tailTarget, m.depth);
          prog = m.tailTarget;
          m.tailTarget = null;
          m.prog = prog;
          m.mayGoto[m.depth] = MAY_GOTO_LIMIT;
          pc = 0;
          continue;
        }
        break;
      }
      case 'call_local': {
        const d = m.depth;
        if (d + 1 >= MAX_FRAMES) throw m.fail('call_depth', `call would exceed ${MAX_FRAMES} frames`);
        for (let r = 6; r <= 9; r++) {
          m.saved[d * 8 + (r - 6) * 2] = m.lo[r]!;
          m.saved[d * 8 + (r - 6) * 2 + 1] = m.hi[r]!;
        }
        m.retPc[d] = pc + 1;
        m.frameProg[d] = prog;
        m.depth = d + 1;
        m.setFramePointer(d + 1);
        m.mayGoto[d + 1] = MAY_GOTO_LIMIT;
        pc = pc + 1 + i.imm;
        continue;
      }
      case 'exit': {
        if (m.depth === baseDepth) return;
        const d = m.depth - 1;
        for (let r = 6; r <= 9; r++) {
          m.lo[r] = m.saved[d * 8 + (r - 6) * 2]!;
          m.hi[r] = m.saved[d * 8 + (r - 6) * 2 + 1]!;
        }
        m.depth = d;
        m.lo[10] = STACK_SIZE;
        m.hi[10] = m.stackRegion[d]!;
        prog = m.frameProg[d]!;
        m.prog = prog;
        pc = m.retPc[d]!;
        continue;
      }
      case 'ldx':
      case 'ldsx': {
        const v = prog.probeLoads?.has(pc) === true ? probeLoad(m, pc, src, i.off, s.size) : load(m, pc, src, i.off, s.size);
        set(m, i.dst, s.form === 'ldsx' ? u64(BigInt.asIntN(s.size * 8, v)) : v);
        break;
      }
      case 'st':
        store(m, pc, dst, i.off, s.size, sext(i.imm));
        break;
      case 'stx':
        store(m, pc, dst, i.off, s.size, src);
        break;
      case 'atomic': {
        if (i.imm === 0x100) {
          set(m, i.dst, load(m, pc, src, i.off, s.size));
          break;
        }
        if (i.imm === 0x110) {
          store(m, pc, dst, i.off, s.size, src);
          break;
        }
        const [id, off] = regionOffset(dst, i.off);
        if (m.accessProblem(id, off, s.size, PERM_W) !== null || m.mem.specialOf(id) !== null) throw fault(m, pc, id, off, s.size, m.accessProblem(id, off, s.size, PERM_R) === null);
        const mask = s.size === 8 ? M64 : M32;
        const old = load(m, pc, dst, i.off, s.size);
        const operand = src & mask;
        const op = i.imm & ~1;
        let next: bigint;
        if (op === 0xf0) {
          next = old === (get(m, 0) & mask) ? operand : old;
          set(m, 0, old);
        } else if (op === 0xe0) next = operand;
        else next = alu(op, false, s.size === 8 ? 64 : 32, old, operand);
        store(m, pc, dst, i.off, s.size, next);
        if ((i.imm & 1) !== 0 && op !== 0xf0) set(m, i.src, old);
        break;
      }
      case 'lddw': {
        if (i.src === 0) {
          m.lo[i.dst] = i.imm;
          m.hi[i.dst] = raw[pc + 1]!.imm;
        } else {
          // Pseudo forms (maps, globals, code) were resolved by the loader into the decoded words.
          const w = pc * 4;
          m.lo[i.dst] = prog.code[w + 2]!;
          m.hi[i.dst] = prog.code[w + 3]!;
        }
        pc += 2;
        continue;
      }
      case 'ldabs':
      case 'ldind':
        ldPacket(m, i.code, i.src, i.imm);
        break;
    }
    pc++;
  }
}
