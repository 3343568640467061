/**
 * Test environment for the helper tests: a kernel, programs assembled from text and loaded through
 * BPF_PROG_LOAD, maps through BPF_MAP_CREATE (with BTF value types for bpf_timer / bpf_spin_lock
 * fields), and BPF_PROG_TEST_RUN of syscall programs with a ctx buffer.
 */
import { BtfBuilder } from '../../src/btf/encode.js';
import { assembleBytes } from '../../src/isa/asm.js';
import { Kernel, type KernelOptions } from '../../src/kernel/kernel.js';
import { implOf } from '../../src/kernel/objects/mapglue.js';
import type { ProgTypeOps } from '../../src/kernel/progtypes/registry.js';
import { Cmd, ProgFlags } from '../../src/kernel/syscall/uapi.js';
import type { BpfMap } from '../../src/maps/map.js';
import { ProgType } from '../../src/object/uapi.js';
import type { Fault } from '../../src/vm/fault.js';
import type { RunContext } from '../../src/vm/machine.js';
import { Memory, PERM_RW, RegionKind } from '../../src/vm/memory.js';

export { Cmd, ProgType };

/** A kernel with deterministic defaults (the ones KernelOptions documents), overridable. */
export function newKernel(o: KernelOptions = {}): Kernel {
  // Helper tests check run-time semantics (argument errors included) with hand-written programs,
  // many of which the load-time verifier refuses: they load unverified unless a test asks
  // otherwise. The verifier's view of the same helpers is covered by test/verifier.
  return new Kernel({ verify: false, ...o });
}

/** Options of {@link loadProg}. */
export interface LoadOptions {
  type?: number;
  license?: string;
  sleepable?: boolean;
  name?: string;
  eat?: number;
  attachBtfId?: number;
}

/** BPF_PROG_LOAD of assembled text (a syscall program by default); the fd or -errno. */
export function loadProg(k: Kernel, text: string, o: LoadOptions = {}): number {
  const insns = assembleBytes(text);
  return k.bpf(Cmd.PROG_LOAD, {
    prog_type: o.type ?? ProgType.SYSCALL,
    insn_cnt: insns.length / 8,
    insns,
    license: o.license ?? 'GPL',
    prog_name: o.name ?? '',
    // syscall programs are always sleepable (6.18 refuses them otherwise), as libbpf loads them
    prog_flags: (o.sleepable ?? (o.type ?? ProgType.SYSCALL) === ProgType.SYSCALL) ? ProgFlags.SLEEPABLE : 0,
    expected_attach_type: o.eat ?? 0,
    attach_btf_id: o.attachBtfId ?? 0,
  });
}

/** Like {@link loadProg}, failing the test on an error. */
export function load(k: Kernel, text: string, o: LoadOptions = {}): number {
  const fd = loadProg(k, text, o);
  if (fd < 0) throw new Error(`program load failed: ${fd}`);
  return fd;
}

/** Outcome of {@link run}. */
export interface Ran {
  readonly err: number;
  readonly retval: number;
  /** r0 as a signed 32-bit value (the helpers' negative errnos). */
  readonly ret: number;
  readonly fault: Fault | null;
}

/** BPF_PROG_TEST_RUN with an optional ctx (syscall programs get it as r1; it is written back). */
export function run(k: Kernel, fd: number, ctx?: Uint8Array): Ran {
  const attr: Record<string, number | Uint8Array> = { prog_fd: fd };
  if (ctx !== undefined) {
    attr.ctx_in = ctx;
    attr.ctx_size_in = ctx.length;
  }
  k.lastFault = null;
  const err = k.bpf(Cmd.PROG_TEST_RUN, attr);
  if (ctx !== undefined && attr.ctx_in instanceof Uint8Array && attr.ctx_in !== ctx) ctx.set(attr.ctx_in);
  const retval = (attr.retval as number | undefined) ?? 0;
  return { err, retval, ret: retval | 0, fault: err === -14 ? k.lastFault : null };
}

/** Run and expect a clean run; returns r0 as a signed 32-bit value. */
export function ret(k: Kernel, fd: number, ctx?: Uint8Array): number {
  const r = run(k, fd, ctx);
  if (r.err !== 0) throw new Error(`test run failed: ${r.err}${r.fault !== null ? ` (${r.fault.toString()})` : ''}`);
  return r.ret;
}

/** Map creation attributes in BPF_MAP_CREATE's field names. */
export interface MapSpec {
  type: number;
  key: number;
  value: number;
  max: number;
  flags?: number;
  name?: string;
  extra?: bigint;
  btf?: { fd: number; key: number; value: number };
}

/** BPF_MAP_CREATE; the fd or -errno. */
export function createMap(k: Kernel, s: MapSpec): number {
  return k.bpf(Cmd.MAP_CREATE, {
    map_type: s.type,
    key_size: s.key,
    value_size: s.value,
    max_entries: s.max,
    map_flags: s.flags ?? 0,
    map_name: s.name ?? '',
    map_extra: s.extra ?? 0n,
    ...(s.btf !== undefined ? { btf_fd: s.btf.fd, btf_key_type_id: s.btf.key, btf_value_type_id: s.btf.value } : {}),
  });
}

/** Like {@link createMap}, failing the test on an error. */
export function mkMap(k: Kernel, s: MapSpec): number {
  const fd = createMap(k, s);
  if (fd < 0) throw new Error(`map create failed: ${fd}`);
  return fd;
}

export function update(k: Kernel, fd: number, key: Uint8Array, value: Uint8Array, flags = 0): number {
  return k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: fd, key, value, flags });
}

export function lookup(k: Kernel, fd: number, key: Uint8Array, size: number): Uint8Array | number {
  const value = new Uint8Array(size);
  const err = k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: fd, key, value });
  return err < 0 ? err : value;
}

export function del(k: Kernel, fd: number, key: Uint8Array): number {
  return k.bpf(Cmd.MAP_DELETE_ELEM, { map_fd: fd, key });
}

/** A u32 key. */
export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** A u64 value. */
export function u64(v: bigint | number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(v)), true);
  return b;
}

/** Little-endian u64 at `off`. */
export function getU64(b: Uint8Array, off = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off, true);
}

/** Little-endian s64 at `off`. */
export function getS64(b: Uint8Array, off = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigInt64(off, true);
}

/** Bytes of an ASCII string, NUL-terminated when `nul`. */
export function str(s: string, nul = true): Uint8Array {
  const b = new Uint8Array(s.length + (nul ? 1 : 0));
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/**
 * A BTF object with `struct val { <special> at 0; u64 data[n] }` where special is a
 * `struct bpf_timer` (16 bytes) or `struct bpf_spin_lock` (4 bytes, then padding), loaded into `k`.
 * Returns the BTF fd and the key (u32) and value type ids, and the value size.
 */
export function specialValueBtf(k: Kernel, special: 'timer' | 'lock', words = 2): { fd: number; key: number; value: number; size: number } {
  const b = new BtfBuilder();
  const u32t = b.int('unsigned int', 4);
  const u64t = b.int('unsigned long long', 8);
  const field =
    special === 'timer'
      ? b.struct('bpf_timer', [
          { name: '__opaque', type: b.array(u64t, 2) },
        ])
      : b.struct('bpf_spin_lock', [{ name: 'val', type: u32t }]);
  const value = b.struct('val', [
    { name: special, type: field },
    { name: 'data', type: b.array(u64t, words) },
  ]);
  const bytes = b.encode();
  const fd = k.bpf(Cmd.BTF_LOAD, { btf: bytes, btf_size: bytes.length });
  if (fd < 0) throw new Error(`BTF load failed: ${fd}`);
  return { fd, key: u32t, value, size: 8 + (special === 'timer' ? 8 : 0) + 8 * words };
}

/** BPF_F_RDONLY_PROG. */
export const BPF_F_RDONLY_PROG = 1 << 7;

/**
 * A read-only (to programs) single-element ARRAY holding `bytes`, for constant strings: programs
 * reach it with `lddw rX, map_value <fd> <offset>`.
 */
export function rodata(k: Kernel, bytes: Uint8Array, size = bytes.length): number {
  const fd = mkMap(k, { type: 2, key: 4, value: Math.max(size, 1), max: 1, flags: BPF_F_RDONLY_PROG });
  const v = new Uint8Array(Math.max(size, 1));
  v.set(bytes);
  if (update(k, fd, u32(0), v) !== 0) throw new Error('rodata update failed');
  return fd;
}

/** The map implementation behind a map fd. */
export function mapImpl(k: Kernel, fd: number): BpfMap {
  const e = k.fds.get(fd);
  const impl = e?.kind === 'map' ? implOf(e.obj) : undefined;
  if (impl === undefined) throw new Error(`fd ${fd} is not a map`);
  return impl;
}

/**
 * A program type for tests: BPF_PROG_TEST_RUN runs the program with ctx_in as a writable ctx (as
 * syscall programs do) and, if given, a run context (Machine.context) made by `context`.
 */
export function testProgType(type: number, name: string, context?: () => RunContext): ProgTypeOps {
  return {
    type,
    name,
    testRun(k, t) {
      const ctx = t.ctxIn ?? new Uint8Array(8);
      const region = k.mem.map(ctx, { kind: RegionKind.CTX, perm: PERM_RW, label: `${name} ctx` });
      try {
        const setup = context === undefined ? {} : { setup: (m: { context: RunContext | null }) => void (m.context = context()) };
        const r = k.execute(t.prog, [Memory.pointer(region, 0)], setup);
        if (r.fault !== null) return k.reportFault(r.fault);
        return { retval: Number(r.r0 & 0xffffffffn), durationNs: 0, ...(t.ctxIn !== null ? { ctxInWriteBack: ctx } : {}) };
      } finally {
        k.retireRegion(region);
      }
    },
  };
}
