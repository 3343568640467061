/**
 * Test harness for BPF iterators: iter/task programs assembled from text and loaded through
 * BPF_PROG_LOAD (BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, attach_btf_id of `bpf_iter_task`), iter
 * links, iterator fds and reads, and a configurable "probe" program modelled on the programs the
 * real-kernel checks used (/tmp experiments on 6.18, recorded in the tests' comments).
 */
import { assembleBytes } from '../../src/isa/asm.js';
import { Kernel, type KernelOptions } from '../../src/kernel/kernel.js';
import type { KernelObjects } from '../../src/kernel/objects/kobjects.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { AttachType, ProgType } from '../../src/object/uapi.js';
import { mkMap, rodata, str } from '../helpers/env.js';

export { Cmd };

/** A kernel (defaults: init pid 1, current task pid 4242 "bpfemu") with `extra` tasks added (pids 100, 101, ...). */
export function iterKernel(extra = 0, o: KernelOptions = {}): Kernel {
  const k = new Kernel(o);
  for (let i = 0; i < extra; i++) kobjs(k).addTask({ pid: 100 + i, comm: `worker${i}` });
  return k;
}

export function kobjs(k: Kernel): KernelObjects {
  return k.service<KernelObjects>('kobjects')!;
}

/** BTF id of the vmlinux FUNC `bpf_iter_<name>` (what libbpf puts in attach_btf_id for SEC("iter/<name>")). */
export function iterBtfId(k: Kernel, name = 'task'): number {
  return k.vmlinuxBtf.findByName(`bpf_iter_${name}`, 'FUNC')[0]!.id;
}

/** Byte offset of `member` in vmlinux `struct name`. */
export function offsetOf(k: Kernel, name: string, member: string): number {
  const btf = k.vmlinuxBtf;
  const t = btf.findByName(name).find((x) => x.kind === 'STRUCT')!;
  return btf.findMember(t.id, member)!.byteOffset;
}

/** BPF_PROG_LOAD of an assembled iter program; the fd or -errno. */
export function loadIterProg(k: Kernel, text: string, o: { license?: string; eat?: number; type?: number; attachBtfId?: number; target?: string } = {}): number {
  const insns = assembleBytes(text);
  return k.bpf(Cmd.PROG_LOAD, {
    prog_type: o.type ?? ProgType.TRACING,
    insn_cnt: insns.length / 8,
    insns,
    license: o.license ?? 'GPL',
    expected_attach_type: o.eat ?? AttachType.TRACE_ITER,
    attach_btf_id: o.attachBtfId ?? iterBtfId(k, o.target),
  });
}

/** Like {@link loadIterProg}, failing on an error. */
export function iterProg(k: Kernel, text: string): number {
  const fd = loadIterProg(k, text);
  if (fd < 0) throw new Error(`iter program load failed: ${fd}`);
  return fd;
}

/** BPF_LINK_CREATE with BPF_TRACE_ITER and optional link info; the fd or -errno. */
export function iterLink(k: Kernel, progFd: number, info?: Uint8Array): number {
  return k.bpf(Cmd.LINK_CREATE, { prog_fd: progFd, attach_type: AttachType.TRACE_ITER, ...(info !== undefined ? { iter_info: info, iter_info_len: info.length } : {}) });
}

/** BPF_ITER_CREATE; the fd or -errno. */
export function iterOpen(k: Kernel, linkFd: number): number {
  return k.bpf(Cmd.ITER_CREATE, { link_fd: linkFd });
}

/** Program → link → iterator fd, failing on an error. */
export function openIter(k: Kernel, progFd: number, info?: Uint8Array): { link: number; fd: number } {
  const link = iterLink(k, progFd, info);
  if (link < 0) throw new Error(`iter link failed: ${link}`);
  const fd = iterOpen(k, link);
  if (fd < 0) throw new Error(`iter create failed: ${fd}`);
  return { link, fd };
}

/** One read's result: the text, or -errno. */
export type ReadResult = string | number;

/** Read `fd` with reads of `size` until a read returns nothing (or `max` reads); each read's text or -errno. */
export function reads(k: Kernel, fd: number, size = 128 * 1024, max = 64): ReadResult[] {
  const out: ReadResult[] = [];
  for (let i = 0; i < max; i++) {
    const r = k.read(fd, size);
    out.push(typeof r === 'number' ? r : latin1(r));
    if (r instanceof Uint8Array && r.length === 0) break;
  }
  return out;
}

/** Bytes as a string of the same length. */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/** The text of reads that succeeded, joined. */
export function joined(rs: readonly ReadResult[]): string {
  return rs.filter((r): r is string => typeof r === 'string').join('');
}

/**
 * Probe program state (an ARRAY with one 512-byte value the program reaches with
 * `lddw r9, map_value`): word 0 the retry-once flag, 8 invocations, 10 the last per-object
 * seq_write result, 11 the stop call's seq_write result, 12 the number of failed seq_writes.
 */
export const W = { flag: 0, calls: 8, objRet: 10, stopRet: 11, failed: 12 } as const;

/** What the probe program does. */
export interface ProbeOptions {
  /** Print `<seq_num> <session_id> <pid>\n` per task and `stop <seq_num> <session_id>\n` at the end (default true). */
  lines?: boolean;
  /** seq_write this many bytes ('a's) per task. */
  objBytes?: number;
  /** seq_write this many bytes in the stop call. */
  stopBytes?: number;
  /** Return 1 for the task with this seq_num (every time, or only the first time). */
  retry?: { seq: number; once: boolean };
}

/** A loaded probe program and its state map. */
export interface Probe {
  readonly prog: number;
  readonly state: number;
  /** Word `i` of the state. */
  word(i: number): bigint;
}

/** Load the probe program (see {@link ProbeOptions}). */
export function probe(k: Kernel, o: ProbeOptions = {}): Probe {
  const state = mkMap(k, { type: 2, key: 4, value: 512, max: 1 });
  const big = mkMap(k, { type: 2, key: 4, value: 40000, max: 1, flags: 1 << 7 });
  const fill = new Uint8Array(40000).fill(0x61);
  k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: big, key: new Uint8Array(4), value: fill });
  const fmt = rodata(k, str('%llu %llu %d\n'));
  const stopFmt = rodata(k, str('stop %llu %llu\n'));
  const pid = offsetOf(k, 'task_struct', 'pid');
  const lines = o.lines ?? true;
  const write = (n: number, slot: number): string => `
      mov r1, r7
      lddw r2, map_value ${big} 0
      mov r3, ${n}
      call 127
      stxdw [r9+${slot * 8}], r0
      jeq r0, 0, +2
      mov r1, 1
      lock add [r9+${W.failed * 8}], r1`;
  const retry =
    o.retry === undefined
      ? ''
      : `
      ldxdw r3, [r10-24]
      jne r3, ${o.retry.seq}, +${o.retry.once ? 6 : 2}
      ${o.retry.once ? `ldxdw r3, [r9+0]\n      jne r3, 0, +4\n      mov r3, 1\n      stxdw [r9+0], r3` : ''}
      mov r0, 1
      exit`;
  const text = `
      mov r6, r1
      ldxdw r2, [r6+0]
      ldxdw r7, [r2+0]
      ldxdw r3, [r2+16]
      stxdw [r10-24], r3
      ldxdw r3, [r2+8]
      stxdw [r10-16], r3
      lddw r9, map_value ${state} 0
      mov r1, 1
      lock add [r9+${W.calls * 8}], r1
      ldxdw r8, [r6+8]
      jeq r8, 0, stop
      ${retry}
      ${
        lines
          ? `ldxw r3, [r8+${pid}]
      stxdw [r10-8], r3
      mov r1, r7
      lddw r2, map_value ${fmt} 0
      mov r3, 14
      mov r4, r10
      add r4, -24
      mov r5, 24
      call 126`
          : ''
      }
      ${o.objBytes !== undefined ? write(o.objBytes, W.objRet) : ''}
      mov r0, 0
      exit
    stop:
      ${
        lines
          ? `mov r1, r7
      lddw r2, map_value ${stopFmt} 0
      mov r3, 16
      mov r4, r10
      add r4, -24
      mov r5, 16
      call 126`
          : ''
      }
      ${o.stopBytes !== undefined ? write(o.stopBytes, W.stopRet) : ''}
      mov r0, 0
      exit`;
  const prog = iterProg(k, text);
  return {
    prog,
    state,
    word(i: number): bigint {
      const v = new Uint8Array(512);
      k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: state, key: new Uint8Array(4), value: v });
      return new DataView(v.buffer).getBigInt64(i * 8, true);
    },
  };
}
