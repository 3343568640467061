/**
 * Formatted output (kernel/trace/bpf_trace.c, kernel/bpf/helpers.c): bpf_trace_printk (at most
 * three arguments in r3..r5), bpf_trace_vprintk (an array of u64 arguments) and bpf_snprintf.
 * Formats follow bpf_bprintf_prepare and bstr_printf (printf.ts); an invalid format returns
 * -EINVAL and prints nothing.
 *
 * The printk helpers hand the message to HelperHost.printk: the text the trace buffer shows after
 * `bpf_trace_printk: ` (the kernel formats into a 1024-byte buffer, so at most 1023 bytes, and the
 * event keeps the string up to its first NUL; a trailing "\n" in the format stays part of the
 * message and shows as an empty line in trace_pipe). They return the length bstr_printf computed
 * (without the NUL), bpf_snprintf that length + 1 (the size needed).
 */
import type { Machine } from '../vm/machine.js';
import { constStrArg, memArg, memArgOrZero } from './args.js';
import { hostOf } from './host.js';
import { MAX_BPRINTF_BUF, MAX_BPRINTF_VARARGS, bprintf, type PrintfMemory } from './printf.js';
import { copyFromKernel, strncpyFromKernel, strncpyFromUser } from './probe.js';
import type { HelperDef, HelperProto } from './registry.js';
import { ERRNO } from '../util/errno.js';
import { Memory } from '../vm/memory.js';

const { EINVAL } = ERRNO;

/** MAX_TRACE_PRINTK_VARARGS. */
export const MAX_TRACE_PRINTK_VARARGS = 3;

/** Where a running program's %s / %pI arguments are read from. */
export function printfMemory(m: Machine): PrintfMemory {
  return {
    copyString(kind, addr, dst) {
      const user = kind === 'u' || (kind === 's' && Memory.split(addr)[0] === 0);
      return user ? strncpyFromUser(hostOf(m).user, addr, dst) : strncpyFromKernel(m, addr, dst);
    },
    copyKernel: (addr, dst) => copyFromKernel(m, addr, dst),
  };
}

/** The message as the trace event stores it: up to the first NUL. */
function message(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  let s = '';
  for (const b of nul < 0 ? bytes : bytes.subarray(0, nul)) s += String.fromCharCode(b);
  return s;
}

/** The u64 argument array of trace_vprintk / snprintf / seq_printf: data_len % 8 == 0, at most 12 entries. */
export function argArray(m: Machine, reg: number, len: number, helper: string): bigint[] | number {
  if (len % 8 !== 0 || len > MAX_BPRINTF_VARARGS * 8) return -EINVAL;
  if (len === 0) return [];
  if (m.hi[reg] === 0 && m.lo[reg] === 0) return -EINVAL;
  const off = memArg(m, reg, len, false, helper, 'data');
  const dv = m.mem.view(m.hi[reg]!);
  const out: bigint[] = [];
  for (let i = 0; i < len; i += 8) out.push(dv.getBigUint64(off + i, true));
  return out;
}

function emit(m: Machine, fmtReg: number, fmtSize: number, args: readonly bigint[], helper: string): void {
  if (fmtSize === 0) throw m.fail('helper', `${helper} r${fmtReg} (fmt_size): the verifier rejects a zero size`);
  const off = memArg(m, fmtReg, fmtSize, false, helper, 'fmt');
  const fmt = m.mem.bytes(m.hi[fmtReg]!).subarray(off, off + fmtSize);
  const r = bprintf(fmt, fmtSize, args, printfMemory(m), MAX_BPRINTF_BUF);
  if (typeof r === 'number') {
    m.setR0Num(r);
    return;
  }
  hostOf(m).printk(message(r.bytes));
  m.setR0Num(r.length);
}

/** bpf_trace_printk(fmt, fmt_size, arg1, arg2, arg3). */
function tracePrintk(m: Machine): void {
  emit(m, 1, m.argU32(2), [m.argU64(3), m.argU64(4), m.argU64(5)], 'bpf_trace_printk');
}

/** bpf_trace_vprintk(fmt, fmt_size, args, data_len). */
function traceVprintk(m: Machine): void {
  const H = 'bpf_trace_vprintk';
  const args = argArray(m, 3, m.argU32(4), H);
  if (typeof args === 'number') return void m.setR0Num(args);
  emit(m, 1, m.argU32(2), args, H);
}

/** bpf_snprintf(str, str_size, fmt, data, data_len). */
function snprintf(m: Machine): void {
  const H = 'bpf_snprintf';
  const size = m.argU32(2);
  const so = memArgOrZero(m, 1, size, true, H, 'str');
  const fmt = constStrArg(m, 3, H, 'fmt');
  const args = argArray(m, 4, m.argU32(5), H);
  if (typeof args === 'number') return void m.setR0Num(args);
  const fmtZ = new Uint8Array(fmt.length + 1);
  fmtZ.set(fmt);
  const r = bprintf(fmtZ, fmtZ.length, args, printfMemory(m), size);
  if (typeof r === 'number') return void m.setR0Num(r);
  if (size > 0) {
    const out = m.mem.bytes(m.hi[1]!);
    out.set(r.bytes, so);
    out[so + r.bytes.length] = 0;
  }
  m.setR0Num(r.length + 1);
}

/**
 * Verifier prototypes (kernel/trace/bpf_trace.c, kernel/bpf/helpers.c): the format is read-only
 * memory with its size (bpf_trace_printk, bpf_trace_vprintk) or a constant string in a frozen map
 * (bpf_snprintf); the u64 argument array may be NULL with size 0; bpf_snprintf's output buffer may be
 * NULL with size 0 and is written (MEM_WRITE).
 */
const TRACE_PRINTK_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'mem', rdonly: true }, { kind: 'size' }] };
const DATA_ARRAY = [{ kind: 'mem', rdonly: true, nullable: true }, { kind: 'size_or_zero' }] as const;
const TRACE_VPRINTK_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'mem', rdonly: true }, { kind: 'size' }, ...DATA_ARRAY] };
const SNPRINTF_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'mem', nullable: true, uninit: true }, { kind: 'size_or_zero' }, { kind: 'const_str' }, ...DATA_ARRAY] };

/** The printing family. */
export function printHelpers(): HelperDef[] {
  const family = 'print';
  return [
    { id: 6, name: 'trace_printk', fn: tracePrintk, gplOnly: true, proto: TRACE_PRINTK_PROTO, family },
    { id: 177, name: 'trace_vprintk', fn: traceVprintk, gplOnly: true, proto: TRACE_VPRINTK_PROTO, family },
    { id: 165, name: 'snprintf', fn: snprintf, gplOnly: true, proto: SNPRINTF_PROTO, family },
  ];
}
