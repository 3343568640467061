/**
 * seq_file output of BPF iterators: the buffer one reading session fills (struct seq_file, the
 * parts fs/seq_file.c and kernel/bpf/bpf_iter.c use) and the helpers that write into it,
 * bpf_seq_printf (126) and bpf_seq_write (127) from kernel/trace/bpf_trace.c. Both exist only for
 * BPF_PROG_TYPE_TRACING programs loaded with expected_attach_type BPF_TRACE_ITER
 * (tracing_prog_func_proto) and are GPL-only.
 *
 * The buffer never grows (bpf_seq_read allocates PAGE_SIZE << 3 = 32 KiB once):
 *
 *   buf  [0 ........ from) [from ..... from+count) [ ....... size)
 *         given to read()    produced, not yet read    free
 *
 * A write is kept only if it leaves room for a NUL: seq_write needs `count + len < size`,
 * seq_bprintf needs the formatted length `< size - count`. Otherwise nothing of it is kept and the
 * file is marked overflowed (`count = size`, seq_set_overflow), so every later write of the same
 * element fails as well; both helpers then return -EOVERFLOW. What bpf_seq_read makes of an
 * overflowed element (drop it and retry it at the next read, or E2BIG when it was alone) is in
 * kernel/objects/iter.ts.
 *
 * bpf_seq_printf takes its format from any readable memory (ARG_PTR_TO_MEM, not a constant
 * string) and otherwise follows bpf_bprintf_prepare like bpf_snprintf (printf.ts): `data_len` a
 * multiple of 8 and at most 12 arguments, NULL data only with data_len 0 (-EINVAL otherwise),
 * -EINVAL for a bad format or missing NUL within fmt_size. bpf_seq_printf_btf (150) is not
 * implemented: it needs the kernel's BTF pretty printer (btf_type_seq_show_flags).
 */
import { AttachType, ProgType } from '../object/uapi.js';
import { ERRNO } from '../util/errno.js';
import type { Machine } from '../vm/machine.js';
import { RegionKind } from '../vm/memory.js';
import { memArg, memArgOrZero, regAddr } from './args.js';
import { argArray, printfMemory } from './print.js';
import { bprintfPrepare, bstrPrintf, type Prepared } from './printf.js';
import type { HelperDef, HelperProto } from './registry.js';

const { EOVERFLOW } = ERRNO;

/** bpf_seq_read's buffer: PAGE_SIZE << 3 with the x86-64 PAGE_SIZE of 4096. */
export const SEQ_BUF_SIZE = 4096 << 3;

/** The output side of a `struct seq_file`: the host object behind a seq_file pointer. */
export class SeqFile {
  readonly buf: Uint8Array;
  /** Bytes produced and not yet handed to read(), starting at {@link from}. */
  count = 0;
  /** Where the pending bytes start. */
  from = 0;

  constructor(readonly size: number = SEQ_BUF_SIZE) {
    this.buf = new Uint8Array(size);
  }

  /** seq_has_overflowed: a write did not fit since the count was last reset. */
  get overflowed(): boolean {
    return this.count === this.size;
  }

  /** seq_write: append `data` (0), or mark the file overflowed (-1). */
  write(data: Uint8Array): number {
    if (this.count + data.length < this.size) {
      this.buf.set(data, this.count);
      this.count += data.length;
      return 0;
    }
    this.count = this.size;
    return -1;
  }

  /** seq_bprintf: format a prepared format and arguments into the free space, or mark the file overflowed. */
  bprintf(p: Prepared): void {
    if (this.count < this.size) {
      const r = bstrPrintf(p, this.size - this.count);
      if (this.count + r.length < this.size) {
        this.buf.set(r.bytes, this.count);
        this.count += r.length;
        return;
      }
    }
    this.count = this.size;
  }

  /** The bytes produced and not yet read. */
  pending(): Uint8Array {
    return this.buf.subarray(this.from, this.from + this.count);
  }
}

/**
 * ARG_PTR_TO_BTF_ID of `struct seq_file`: the seq_file pointer in `reg` (offset 0 of a kernel
 * region owned by a {@link SeqFile}). Anything else faults: the verifier would reject the program.
 */
export function seqFileArg(m: Machine, reg: number, helper: string): SeqFile {
  const id = m.hi[reg]!;
  const mem = m.mem;
  const owner = mem.kindOf(id) === RegionKind.KERNEL && m.lo[reg] === 0 ? mem.ownerOf(id) : undefined;
  if (!(owner instanceof SeqFile)) {
    throw m.fail('helper', `${helper} r${reg} (seq_file): not a struct seq_file pointer: ${regAddr(m, reg)} (the verifier rejects the program)`);
  }
  m.argRegionChecked(reg, `${helper} r${reg} (seq_file)`);
  return owner;
}

/** bpf_seq_printf(m, fmt, fmt_size, data, data_len). */
function seqPrintf(m: Machine): void {
  const H = 'bpf_seq_printf';
  const seq = seqFileArg(m, 1, H);
  const fmtSize = m.argU32(3);
  if (fmtSize === 0) throw m.fail('helper', `${H} r3 (fmt_size): the verifier rejects a zero size`);
  const off = memArg(m, 2, fmtSize, false, H, 'fmt');
  const args = argArray(m, 4, m.argU32(5), H);
  if (typeof args === 'number') return void m.setR0Num(args);
  const fmt = m.mem.bytes(m.hi[2]!).subarray(off, off + fmtSize);
  const p = bprintfPrepare(fmt, fmtSize, args, printfMemory(m));
  if (typeof p === 'number') return void m.setR0Num(p);
  seq.bprintf(p);
  m.setR0Num(seq.overflowed ? -EOVERFLOW : 0);
}

/** bpf_seq_write(m, data, len). */
function seqWrite(m: Machine): void {
  const H = 'bpf_seq_write';
  const seq = seqFileArg(m, 1, H);
  const len = m.argU32(3);
  const off = memArgOrZero(m, 2, len, false, H, 'data');
  const data = len === 0 ? new Uint8Array(0) : m.mem.bytes(m.hi[2]!).subarray(off, off + len);
  m.setR0Num(seq.write(data) < 0 ? -EOVERFLOW : 0);
}

/**
 * Verifier prototypes (kernel/trace/bpf_trace.c): the seq_file is a BTF pointer (the iterator's
 * ctx->meta->seq); the format is read-only memory with its size, the u64 argument array may be
 * NULL with size 0.
 */
const SEQ_FILE = { kind: 'btf_id', btfType: 'seq_file' } as const;
const SEQ_PRINTF_PROTO: HelperProto = {
  ret: 'integer',
  args: [SEQ_FILE, { kind: 'mem', rdonly: true }, { kind: 'size' }, { kind: 'mem', rdonly: true, nullable: true }, { kind: 'size_or_zero' }],
};
const SEQ_WRITE_PROTO: HelperProto = { ret: 'integer', args: [SEQ_FILE, { kind: 'mem', rdonly: true }, { kind: 'size_or_zero' }] };

/** The seq_file family: BPF_PROG_TYPE_TRACING with BPF_TRACE_ITER only. */
export function seqHelpers(): HelperDef[] {
  const common = { gplOnly: true, progTypes: [ProgType.TRACING], attachTypes: [AttachType.TRACE_ITER], family: 'seq' } as const;
  return [
    { id: 126, name: 'seq_printf', fn: seqPrintf, proto: SEQ_PRINTF_PROTO, ...common },
    { id: 127, name: 'seq_write', fn: seqWrite, proto: SEQ_WRITE_PROTO, ...common },
  ];
}
