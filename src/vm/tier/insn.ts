/**
 * The JavaScript tier's code for one instruction that does not leave its block (translate.ts puts
 * it in blocks): ALU and byte swaps on the int32 register locals, loads and stores with the
 * interpreter's fast path inline and its slow paths behind it, atomics, arena and legacy packet
 * accesses, rewritten ctx loads; and the comparison of a conditional jump.
 */
import { SLOT_MASK } from '../memory.js';
import type { CtxReads } from '../machine.js';

export const L = (r: number): string => `l${r}`;
export const H = (r: number): string => `h${r}`;
/** A constant as JS source (int32). */
export const k = (v: number): string => (v < 0 ? `(${v})` : `${v}`);
/** Unsigned view of an operand: a constant folded, a local with >>> 0. */
export const u = (x: string, c: number | null): string => (c !== null ? `${c >>> 0}` : `(${x} >>> 0)`);

/** The comparison of a conditional jump as a JS expression. */
export function compareExpr(op: number, aL: string, aH: string, bL: string, bH: string, cL: number | null, cH: number | null): string {
  const wide = (op & 7) === 5;
  const kind = op & 0xf0;
  if (!wide) {
    switch (kind) {
      case 0x10: return `${aL} === ${bL}`;
      case 0x50: return `${aL} !== ${bL}`;
      case 0x40: return `(${aL} & ${bL}) !== 0`;
      case 0x20: return `${u(aL, null)} > ${u(bL, cL)}`;
      case 0x30: return `${u(aL, null)} >= ${u(bL, cL)}`;
      case 0xa0: return `${u(aL, null)} < ${u(bL, cL)}`;
      case 0xb0: return `${u(aL, null)} <= ${u(bL, cL)}`;
      case 0x60: return `${aL} > ${bL}`;
      case 0x70: return `${aL} >= ${bL}`;
      case 0xc0: return `${aL} < ${bL}`;
      case 0xd0: return `${aL} <= ${bL}`;
    }
  } else {
    const rel: Record<number, string> = { 0x20: '>', 0x30: '>=', 0xa0: '<', 0xb0: '<=', 0x60: '>', 0x70: '>=', 0xc0: '<', 0xd0: '<=' };
    const strict: Record<number, string> = { 0x20: '>', 0x30: '>', 0xa0: '<', 0xb0: '<', 0x60: '>', 0x70: '>', 0xc0: '<', 0xd0: '<' };
    switch (kind) {
      case 0x10: return `${aL} === ${bL} && ${aH} === ${bH}`;
      case 0x50: return `${aL} !== ${bL} || ${aH} !== ${bH}`;
      case 0x40: return `(${aL} & ${bL}) !== 0 || (${aH} & ${bH}) !== 0`;
      case 0x20: case 0x30: case 0xa0: case 0xb0:
        return `${u(aH, null)} ${strict[kind]} ${u(bH, cH)} || (${aH} === ${bH} && ${u(aL, null)} ${rel[kind]} ${u(bL, cL)})`;
      case 0x60: case 0x70: case 0xc0: case 0xd0:
        return `${aH} ${strict[kind]} ${bH} || (${aH} === ${bH} && ${u(aL, null)} ${rel[kind]} ${u(bL, cL)})`;
    }
  }
  throw new Error(`tier: not a conditional jump 0x${op.toString(16)}`);
}

/**
 * Inline body of a 4- or 8-byte atomic read-modify-write (interp.ts `atomic`, RFC 9669 §5.3) on the
 * DataView `DV[x]` at `a`, with source register (sL, sH); null for what stays with the interpreter's
 * function (load-acquire, store-release, unknown operations). The source and r0 are read before any
 * of them is written, as there.
 */
export function atomicRmw(imm: number, size: number, sL: string, sH: string): string | null {
  if (size !== 4 && size !== 8) return null;
  const fetch = (imm & 1) !== 0;
  const w = size === 8;
  const load = `const v = DV[x], oL = v.getInt32(a, true), oH = ${w ? 'v.getInt32(a + 4, true)' : '0'}, sL = ${sL}, sH = ${w ? sH : '0'};`;
  let next: string;
  switch (imm & ~1) {
    case 0x00: next = 'const t = (oL >>> 0) + (sL >>> 0), nL = t | 0, nH = (oH + sH + (t > 0xffffffff ? 1 : 0)) | 0;'; break;
    case 0x40: next = 'const nL = oL | sL, nH = oH | sH;'; break;
    case 0x50: next = 'const nL = oL & sL, nH = oH & sH;'; break;
    case 0xa0: next = 'const nL = oL ^ sL, nH = oH ^ sH;'; break;
    case 0xe0: if (!fetch) return null; next = 'const nL = sL, nH = sH;'; break;
    case 0xf0: {
      if (!fetch) return null;
      // cmpxchg: compare with r0 (32-bit: its low half), r0 = the old value
      const eq = w ? 'oL === l0 && oH === h0' : 'oL === l0';
      return `${load} if (${eq}) { v.setInt32(a, sL, true);${w ? ' v.setInt32(a + 4, sH, true);' : ''} } l0 = oL; h0 = oH;`;
    }
    default: return null;
  }
  const store = `v.setInt32(a, nL, true);${w ? ' v.setInt32(a + 4, nH, true);' : ''}`;
  return `${load} ${next} ${store}${fetch ? ` ${sL} = oL; ${sH} = oH;` : ''}`;
}

/** 64-bit shift of d by n (a constant 0..63 or an expression). */
export function shift64(kind: 'lsh' | 'rsh' | 'arsh', d: number, n: string, constant: number | null): string {
  const l = L(d);
  const h = H(d);
  // Locals must stay int32 (a >>> result is not): `| 0` where a logical right shift can be by 0.
  const big = kind === 'lsh' ? `${h} = ${l} << (N - 32); ${l} = 0;` : kind === 'rsh' ? `${l} = (${h} >>> (N - 32)) | 0; ${h} = 0;` : `${l} = ${h} >> (N - 32); ${h} = ${h} >> 31;`;
  const small =
    kind === 'lsh'
      ? `${h} = (${h} << N) | (${l} >>> (32 - N)); ${l} = ${l} << N;`
      : kind === 'rsh'
        ? `${l} = (${l} >>> N) | (${h} << (32 - N)); ${h} = ${h} >>> N;`
        : `${l} = (${l} >>> N) | (${h} << (32 - N)); ${h} = ${h} >> N;`;
  if (constant !== null) {
    if (constant === 0) return '';
    return (constant >= 32 ? big : small).replaceAll('N', String(constant));
  }
  return `{ const N = ${n}; if (N >= 32) { ${big} } else if (N !== 0) { ${small} } }`;
}

/**
 * Code of one straight-line instruction at `pc`; `refund` = instructions of its block after it.
 * `ctx`: the program's directly read ctx fields (a rewritten load adds its offset to `ctxSites`).
 */
export function straight(code: Int32Array, pc: number, refund: number, ctx?: CtxReads, ctxSites?: Set<number>): string | null {
  const w = pc << 2;
  const ins = code[w]!;
  const op = ins & 0xff;
  const d = (ins >> 8) & 15;
  const s = (ins >> 12) & 15;
  const off = code[w + 1]!;
  const imm = code[w + 2]!;
  const aux = code[w + 3]!;
  const ld = L(d);
  const hd = H(d);
  const x = (op & 8) !== 0 && (op & 7) !== 0 ? true : false;
  const bL = x ? L(s) : k(imm);
  const bH = x ? H(s) : k(aux);
  const give = refund > 0 ? `left += ${refund}; ` : '';
  const take = refund > 0 ? ` left -= ${refund};` : '';
  const cls = op & 7;
  if (cls === 7) {
    // ALU64
    switch (op & 0xf0) {
      case 0x00: return `{ const t = (${ld} >>> 0) + ${u(bL, x ? null : imm)}; ${hd} = (${hd} + ${bH} + (t > 0xffffffff ? 1 : 0)) | 0; ${ld} = t | 0; }`;
      case 0x10: return `{ const t = (${ld} >>> 0) - ${u(bL, x ? null : imm)}; ${hd} = (${hd} - ${bH} - (t < 0 ? 1 : 0)) | 0; ${ld} = t | 0; }`;
      case 0x20: return `{ const a = ${ld}, b = ${bL}, bh = ${bH}; ${ld} = Math.imul(a, b); ${hd} = (rt.mulhi(a >>> 0, b >>> 0) + Math.imul(a, bh) + Math.imul(${hd}, b)) | 0; }`;
      case 0x30: return `divU64(${ld}, ${hd}, ${bL}, ${bH}); ${ld} = T[0]; ${hd} = T[1];`;
      case 0x40: return `${ld} |= ${bL}; ${hd} |= ${bH};`;
      case 0x50: return `${ld} &= ${bL}; ${hd} &= ${bH};`;
      case 0x60: return x ? shift64('lsh', d, `${L(s)} & 63`, null) : shift64('lsh', d, '', imm);
      case 0x70: return x ? shift64('rsh', d, `${L(s)} & 63`, null) : shift64('rsh', d, '', imm);
      case 0x80: return `{ const l = (-${ld}) | 0; ${hd} = (~${hd} + (l === 0 ? 1 : 0)) | 0; ${ld} = l; }`;
      case 0x90: return `modU64(${ld}, ${hd}, ${bL}, ${bH}); ${ld} = T[0]; ${hd} = T[1];`;
      case 0xa0: return `${ld} ^= ${bL}; ${hd} ^= ${bH};`;
      case 0xb0: return `${ld} = ${bL}; ${hd} = ${bH};`;
      case 0xc0: return x ? shift64('arsh', d, `${L(s)} & 63`, null) : shift64('arsh', d, '', imm);
      case 0xd0:
        if (imm === 16) return `${ld} = ((${ld} & 0xff) << 8) | ((${ld} >>> 8) & 0xff); ${hd} = 0;`;
        if (imm === 32) return `${ld} = rt.bswap32(${ld}); ${hd} = 0;`;
        return `{ const t = rt.bswap32(${ld}); ${ld} = rt.bswap32(${hd}); ${hd} = t; }`;
    }
  }
  if (cls === 4 && op !== 0xd4 && op !== 0xdc) {
    // ALU32 (upper half zeroed)
    const b = x ? L(s) : k(imm);
    const set = (e: string): string => `${ld} = ${e}; ${hd} = 0;`;
    switch (op & 0xf0) {
      case 0x00: return set(`(${ld} + ${b}) | 0`);
      case 0x10: return set(`(${ld} - ${b}) | 0`);
      case 0x20: return set(`Math.imul(${ld}, ${b})`);
      case 0x30: return `{ const b = ${u(b, x ? null : imm)}; ${ld} = b === 0 ? 0 : Math.floor((${ld} >>> 0) / b) | 0; ${hd} = 0; }`;
      case 0x40: return set(`${ld} | ${b}`);
      case 0x50: return set(`${ld} & ${b}`);
      case 0x60: return set(`${ld} << ${x ? `(${b} & 31)` : b}`);
      case 0x70: return set(`(${ld} >>> ${x ? `(${b} & 31)` : b}) | 0`);
      case 0x80: return set(`(-${ld}) | 0`);
      case 0x90: return `{ const b = ${u(b, x ? null : imm)}; if (b !== 0) ${ld} = (${ld} >>> 0) % b | 0; ${hd} = 0; }`;
      case 0xa0: return set(`${ld} ^ ${b}`);
      case 0xb0: return set(b);
      case 0xc0: return set(`${ld} >> ${x ? `(${b} & 31)` : b}`);
    }
  }
  switch (op) {
    case 0xd4: // le16/32/64
      if (imm === 16) return `${ld} &= 0xffff; ${hd} = 0;`;
      return imm === 32 ? `${hd} = 0;` : '';
    case 0xdc: // be16/32/64
      if (imm === 16) return `${ld} = ((${ld} & 0xff) << 8) | ((${ld} >>> 8) & 0xff); ${hd} = 0;`;
      if (imm === 32) return `${ld} = rt.bswap32(${ld}); ${hd} = 0;`;
      return `{ const t = rt.bswap32(${ld}); ${ld} = rt.bswap32(${hd}); ${hd} = t; }`;
    case 0x38: return `divS64(${ld}, ${hd}, ${k(imm)}, ${k(aux)}); ${ld} = T[0]; ${hd} = T[1];`;
    case 0x58: return `divS64(${ld}, ${hd}, ${L(s)}, ${H(s)}); ${ld} = T[0]; ${hd} = T[1];`;
    case 0x60: return `modS64(${ld}, ${hd}, ${k(imm)}, ${k(aux)}); ${ld} = T[0]; ${hd} = T[1];`;
    case 0x68: return `modS64(${ld}, ${hd}, ${L(s)}, ${H(s)}); ${ld} = T[0]; ${hd} = T[1];`;
    case 0x70: return `{ const b = ${k(imm)}; ${ld} = b === 0 ? 0 : Math.trunc(${ld} / b) | 0; ${hd} = 0; }`;
    case 0x78: return `{ const b = ${L(s)}; ${ld} = b === 0 ? 0 : Math.trunc(${ld} / b) | 0; ${hd} = 0; }`;
    case 0x80: return `{ const b = ${k(imm)}; if (b !== 0) ${ld} = ${ld} % b | 0; ${hd} = 0; }`;
    case 0x88: return `{ const b = ${L(s)}; if (b !== 0) ${ld} = ${ld} % b | 0; ${hd} = 0; }`;
    case 0x90: return `{ const v = (${L(s)} << 24) >> 24; ${ld} = v; ${hd} = v >> 31; }`;
    case 0x98: return `{ const v = (${L(s)} << 16) >> 16; ${ld} = v; ${hd} = v >> 31; }`;
    case 0xa0: return `{ const v = ${L(s)}; ${ld} = v; ${hd} = v >> 31; }`;
    case 0xa8: return `${ld} = (${L(s)} << 24) >> 24; ${hd} = 0;`;
    case 0xb0: return `${ld} = (${L(s)} << 16) >> 16; ${hd} = 0;`;
    case 0x18: return `${ld} = ${k(imm)}; ${hd} = ${k(aux)};`;
    // ---- loads: the interpreter's fast path inline, slowLoad (with the block's rest given back) otherwise
    case 0x61: case 0x69: case 0x71: case 0x79: case 0x81: case 0x89: case 0x91: {
      const size = op === 0x61 || op === 0x81 ? 4 : op === 0x69 || op === 0x89 ? 2 : op === 0x71 || op === 0x91 ? 1 : 8;
      const signed = op === 0x81 || op === 0x89 || op === 0x91;
      const inb = `${off < 0 ? 'a >= 0 && ' : ''}${size === 1 ? 'a < RL[x]' : `a + ${size} <= RL[x]`}`;
      const head = `const r = ${H(s)}, x = r & ${SLOT_MASK}, a = (${L(s)} >>> 0) + ${k(off)};`;
      const slow = `rt.slowLoad(m, ${pc}, ${H(s)}, ${L(s)}, ${k(off)}, ${size}, ${signed})`;
      if (signed) {
        const fast = size === 4 ? 'DV[x].getInt32(a, true)' : size === 2 ? 'DV[x].getInt16(a, true)' : '(U8[x][a] << 24) >> 24';
        return `{ ${head} let v; if (IDS[x] === r && ${inb}) v = ${fast}; else { ${give}v = ${slow};${take} } ${ld} = v; ${hd} = v >> 31; }`;
      }
      const fast = size === 8 ? `{ const v = DV[x]; ${ld} = v.getInt32(a, true); ${hd} = v.getInt32(a + 4, true); }` : `{ ${ld} = ${size === 4 ? 'DV[x].getInt32(a, true)' : size === 2 ? 'DV[x].getUint16(a, true)' : 'U8[x][a]'}; ${hd} = 0; }`;
      const generic = `{ ${head} if (IDS[x] === r && ${inb}) ${fast} else { ${give}${ld} = ${slow}; ${hd} = SCR[1];${take} } }`;
      const field = ctx?.fields.get(off);
      if (field === undefined || field.size !== size || ctxSites === undefined) return generic;
      // A ctx field read directly (convert_ctx_access): this run's ctx at offset 0, reachable. The
      // value is what the slow path's handler gives; a pointer joins the reach as slowLoad does.
      ctxSites.add(off);
      const grant = field.pointer ? ` if (${hd} !== 0 && !(CAP[${hd} & ${SLOT_MASK}] !== 0 && IDS[${hd} & ${SLOT_MASK}] === ${hd})) m.grant(${hd}, CAP[x]);` : '';
      return `{ const r = ${H(s)}, x = r & ${SLOT_MASK}; if (r === CXID && r !== 0 && ${L(s)} === 0 && CAP[x] !== 0 && IDS[x] === r) { CR${off}(m.context, SCR); ${ld} = SCR[0]; ${hd} = SCR[1];${grant} } else ${generic} }`;
    }
    // ---- PROBE_MEM / PROBE_MEMSX loads (through BTF pointers): the interpreter's probeLoad, a fault reads 0
    case 0x21: case 0x29: case 0x31: case 0x39: case 0x41: case 0x49: case 0x51: {
      const size = (op & 0x18) === 0x00 ? 4 : (op & 0x18) === 0x08 ? 2 : (op & 0x18) === 0x10 ? 1 : 8;
      const signed = (op & 0xe0) === 0x40;
      const call = `rt.probeLoad(m, ${pc}, ${H(s)}, ${L(s)}, ${k(off)}, ${size}, ${signed})`;
      return signed ? `{ ${give}const v = ${call};${take} ${ld} = v; ${hd} = v >> 31; }` : `{ ${give}${ld} = ${call}; ${hd} = SCR[1];${take} }`;
    }
    // ---- stores
    case 0x62: case 0x6a: case 0x72: case 0x7a: case 0x63: case 0x6b: case 0x73: case 0x7b: {
      const size = (op & 0x18) === 0x00 ? 4 : (op & 0x18) === 0x08 ? 2 : (op & 0x18) === 0x10 ? 1 : 8;
      const vL = (op & 1) === 1 ? L(s) : k(imm);
      const vH = (op & 1) === 1 ? H(s) : k(aux);
      const inb = `${off < 0 ? 'a >= 0 && ' : ''}${size === 1 ? 'a < WL[x]' : `a + ${size} <= WL[x]`}`;
      const fast = size === 8 ? `{ const v = DV[x]; v.setInt32(a, ${vL}, true); v.setInt32(a + 4, ${vH}, true); }` : size === 4 ? `DV[x].setInt32(a, ${vL}, true);` : size === 2 ? `DV[x].setInt16(a, ${vL}, true);` : `U8[x][a] = ${vL};`;
      return `{ const r = ${hd}, x = r & ${SLOT_MASK}, a = (${ld} >>> 0) + ${k(off)}; if (IDS[x] === r && ${inb}) ${fast} else { ${give}rt.slowStore(m, ${pc}, ${hd}, ${ld}, ${k(off)}, ${size}, ${vL}, ${size === 8 ? vH : 0});${take} } }`;
    }
    // ---- atomics: the read-modify-writes inline on a plain region (the interpreter's fast-path
    // test: slot id, then both lengths of the access table), the interpreter's function otherwise
    case 0xc3: case 0xdb: case 0xcb: case 0xd3: {
      const size = op === 0xc3 ? 4 : op === 0xdb ? 8 : op === 0xcb ? 2 : 1;
      const regs = [...new Set([0, d, s])];
      const out = regs.map((r) => `lo[${r}] = ${L(r)}; hi[${r}] = ${H(r)};`).join(' ');
      const back = regs.map((r) => `${L(r)} = lo[${r}]; ${H(r)} = hi[${r}];`).join(' ');
      const slow = `${out} ${give}rt.atomic(m, ${pc}, ${d}, ${s}, ${k(off)}, ${k(imm)}, ${size});${take} ${back}`;
      const rmw = atomicRmw(imm, size, L(s), H(s));
      if (rmw === null) return slow;
      return `{ const r = ${hd}, x = r & ${SLOT_MASK}, a = (${ld} >>> 0) + ${k(off)}; if (IDS[x] === r && a >= 0 && a + ${size} <= RL[x] && a + ${size} <= WL[x]) { ${rmw} } else { ${slow} } }`;
    }
    // ---- arena: cast_kern inline, cast_user and PROBE_MEM32 accesses through the interpreter's functions
    case 0xe0:
      if (imm === 1) return `${ld} = ${L(s)}; ${hd} = 0;`;
      return `rt.castUser(P.arena, ${L(s)}); ${ld} = AO[0]; ${hd} = AO[1];`;
    case 0xa1: case 0xa9: case 0xb1: case 0xb9: case 0xc1: case 0xc9: case 0xd1:
    case 0xa2: case 0xaa: case 0xb2: case 0xba: case 0xa3: case 0xab: case 0xb3: case 0xbb:
    case 0xe3: case 0xeb: case 0xf3: case 0xfb: {
      // never faults (an arena fault reads 0 / drops the store), so nothing is given back
      const regs = [...new Set([0, d, s])];
      const out = regs.map((r) => `lo[${r}] = ${L(r)}; hi[${r}] = ${H(r)};`).join(' ');
      const back = regs.map((r) => `${L(r)} = lo[${r}]; ${H(r)} = hi[${r}];`).join(' ');
      return `${out} rt.arenaOp(m, P.arena, ${op}, ${d}, ${s}, ${k(off)}, ${k(imm)}, ${k(aux)}); ${back}`;
    }
    case 0x20: case 0x28: case 0x30: case 0x40: case 0x48: case 0x50:
      return `m.pc = ${pc}; lo[${s}] = ${L(s)}; ${give}rt.ldPacket(m, ${op}, ${s}, ${k(imm)});${take} l0 = lo[0]; h0 = hi[0];`;
  }
  return null;
}
