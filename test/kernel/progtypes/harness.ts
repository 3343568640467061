/** Shared helpers of the program-type tests: load assembled programs, BPF_PROG_TEST_RUN, sample frames. */
import { assembleBytes } from '../../../src/isa/asm.js';
import { Kernel, type KernelOptions } from '../../../src/kernel/kernel.js';
import { Cmd } from '../../../src/kernel/syscall/uapi.js';
import { fromHex } from '../../../src/util/bytes.js';

export { ProgType, AttachType } from '../../../src/object/uapi.js';

/** Sample frames of programs/kernel-check.sh (README "Sample frames"). */
export const FRAMES = {
  v4_tcp80: fromHex('02000000000202000000000108004500002d00010000400666c80a0000010a00000204d2005000000001000000005002200032e6000068656c6c6f00'),
  v4_udp: fromHex('02000000000202000000000108004500002100010000401166c90a0000010a00000214e90035000d86cb717565727900000000000000000000000000'),
  v6_udp: fromHex('02000000000202000000000186dd600000000008114000000000000000000000000000000001000000000000000000000000000000020001000200080000'),
  arp: fromHex('020000000002020000000001080600000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'),
} as const;

/** BPF_PROG_LOAD of assembled text; throws with the errno on failure. */
export function load(k: Kernel, type: number, text: string, o: { eat?: number; name?: string } = {}): number {
  const insns = assembleBytes(text);
  const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: type, insn_cnt: insns.length / 8, insns, license: 'GPL', prog_name: o.name ?? 'p', expected_attach_type: o.eat ?? 0, prog_flags: type === 31 ? 1 << 4 : 0 });
  if (fd < 0) throw new Error(`load failed: ${fd}`);
  return fd;
}

/** Options of {@link testRun}. */
export interface RunOpts {
  data?: Uint8Array;
  ctx?: Uint8Array;
  /** data_out buffer size (default 8192); 0 = no data_out buffer. */
  dataOut?: number;
  /** data_size_out attribute (default: the buffer size). */
  dataSizeOut?: number;
  /** ctx_out buffer size (default 0 = none). */
  ctxOut?: number;
  repeat?: number;
  flags?: number;
  cpu?: number;
  batch?: number;
}

/** Result of {@link testRun}. */
export interface RunResult {
  err: number;
  retval: number;
  dataOut: Uint8Array;
  dataSizeOut: number;
  ctxOut: Uint8Array;
  ctxSizeOut: number;
  duration: number;
}

/** BPF_PROG_TEST_RUN through bpf() with typed attributes. */
export function testRun(k: Kernel, fd: number, o: RunOpts = {}): RunResult {
  const dataOutSize = o.dataOut ?? 8192;
  const dataOut = new Uint8Array(Math.max(1, dataOutSize));
  const ctxOut = new Uint8Array(Math.max(1, o.ctxOut ?? 0));
  const attr: Record<string, number | Uint8Array> = { prog_fd: fd, repeat: o.repeat ?? 0, flags: o.flags ?? 0, cpu: o.cpu ?? 0, batch_size: o.batch ?? 0 };
  if (o.data !== undefined) {
    attr.data_in = o.data;
    attr.data_size_in = o.data.length;
  }
  if (dataOutSize > 0) {
    attr.data_out = dataOut;
    attr.data_size_out = o.dataSizeOut ?? dataOutSize;
  }
  if (o.ctx !== undefined) {
    attr.ctx_in = o.ctx;
    attr.ctx_size_in = o.ctx.length;
  }
  if ((o.ctxOut ?? 0) > 0) {
    attr.ctx_out = ctxOut;
    attr.ctx_size_out = o.ctxOut!;
  }
  const err = k.bpf(Cmd.PROG_TEST_RUN, attr);
  const dso = (attr.data_size_out as number | undefined) ?? 0;
  const cso = (attr.ctx_size_out as number | undefined) ?? 0;
  return {
    err,
    retval: (attr.retval as number | undefined) ?? 0,
    dataOut: dataOut.slice(0, Math.min(dso, dataOutSize)),
    dataSizeOut: dso,
    ctxOut: ctxOut.slice(0, Math.min(cso, o.ctxOut ?? 0)),
    ctxSizeOut: cso,
    duration: (attr.duration as number | undefined) ?? 0,
  };
}

/** A new kernel (defaults). */
export function kernel(o: KernelOptions = {}): Kernel {
  return new Kernel(o);
}

/** Little-endian u32s as bytes. */
export function u32s(...v: number[]): Uint8Array {
  const b = new Uint8Array(v.length * 4);
  const dv = new DataView(b.buffer);
  v.forEach((x, i) => dv.setUint32(i * 4, x >>> 0, true));
  return b;
}

/** u32 at `off`. */
export function u32At(b: Uint8Array, off: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
}

/** A 192-byte __sk_buff with the given u32 fields set (offsets from include/uapi/linux/bpf.h). */
export function skbCtx(fields: Record<number, number> = {}, u64s: Record<number, bigint> = {}): Uint8Array {
  const b = new Uint8Array(192);
  const dv = new DataView(b.buffer);
  for (const [off, v] of Object.entries(fields)) dv.setUint32(Number(off), v >>> 0, true);
  for (const [off, v] of Object.entries(u64s)) dv.setBigUint64(Number(off), v, true);
  return b;
}
