/**
 * Reading (and writing) arbitrary memory: bpf_probe_read_kernel/_user and their `_str` variants,
 * the legacy bpf_probe_read/_str, bpf_copy_from_user and bpf_probe_write_user
 * (kernel/trace/bpf_trace.c, kernel/bpf/helpers.c, mm/maccess.c).
 *
 * Addresses follow the model of args.ts: region 0 is user space, other regions are kernel memory.
 * Kernel reads (copy_from_kernel_nofault) of a user-range address fail with -ERANGE as on x86-64
 * (arch/x86/mm/maccess.c copy_from_kernel_nofault_allowed refuses addresses below
 * TASK_SIZE_MAX + PAGE_SIZE before touching them, NULL included); any other unreadable address is
 * -EFAULT. User reads of a kernel address are -EFAULT (access_ok). On any failure the helpers zero
 * the whole destination, as the kernel does.
 *
 * Differences: kernel objects the emulator keeps outside guest memory (a map's `struct bpf_map`,
 * a program's image) read as -EFAULT; context regions with emulated fields are read through their
 * field emulation. Isolation: a running program's kernel reads stay within its capabilities: a
 * region that exists but is out of the run's reach (another program's map value or stack) is a
 * `foreign_region` fault, never data; an unmapped one is -EFAULT as before.
 */
import { ERRNO } from '../util/errno.js';
import { Machine, describeAddr } from '../vm/machine.js';
import { Memory, PERM_R } from '../vm/memory.js';
import { memArg, memArgOrZero } from './args.js';
import { hostOf, type UserAddressSpace } from './host.js';
import { TRACING_TYPES } from './progtypes.js';
import type { HelperDef, HelperProto } from './registry.js';

const { EFAULT, ERANGE } = ERRNO;

/** A guest address split into region and offset. */
function split(addr: bigint): [number, number] {
  return Memory.split(addr);
}

/**
 * Kernel memory as seen by `src`: a Memory (host side: everything), or a running Machine, whose
 * reads of a region outside its capabilities fault (foreign_region) before any byte is copied.
 */
function memoryFor(src: Memory | Machine, id: number, off: number): Memory {
  if (src instanceof Memory) return src;
  const mem = src.mem;
  if (mem.isMapped(id) && !src.reach(id)) {
    throw src.fail('foreign_region', `kernel memory read at ${describeAddr(mem, id, off)}: outside the capabilities of this run`, { address: Memory.pointer(id, off), region: mem.describe(id) });
  }
  return mem;
}

/** One byte of kernel memory, or -1 when it cannot be read. */
function kernelByte(mem: Memory, id: number, off: number, scratch: Int32Array): number {
  if ((mem.permOf(id) & PERM_R) === 0 || off < 0) return -1;
  const sp = mem.specialOf(id);
  if (sp !== null) return sp.load(off, 1, scratch) ? scratch[0]! & 0xff : -1;
  const b = mem.bytes(id);
  return off < b.length ? b[off]! : -1;
}

/** copy_from_kernel_nofault: `dst.length` bytes at `addr` into `dst`; 0, -ERANGE or -EFAULT. */
export function copyFromKernel(src: Memory | Machine, addr: bigint, dst: Uint8Array): number {
  const [id, off] = split(addr);
  if (id === 0) return -ERANGE;
  const n = dst.length;
  if (n === 0) return 0;
  const mem = memoryFor(src, id, off);
  if (mem.isMapped(id) && mem.specialOf(id) === null) {
    if (mem.check(id, off, n, PERM_R) !== null) return -EFAULT;
    dst.set(mem.bytes(id).subarray(off, off + n));
    return 0;
  }
  const scratch = new Int32Array(2);
  for (let i = 0; i < n; i++) {
    const b = kernelByte(mem, id, off + i, scratch);
    if (b < 0) return -EFAULT;
    dst[i] = b;
  }
  return 0;
}

/** copy_from_user_nofault: 0 or -EFAULT (a kernel address is not a user address). */
export function copyFromUser(user: UserAddressSpace, addr: bigint, dst: Uint8Array): number {
  const [id, off] = split(addr);
  if (id !== 0) return -EFAULT;
  if (dst.length === 0) return 0;
  const src = user.read(off, dst.length);
  if (src === null) return -EFAULT;
  dst.set(src);
  return 0;
}

/**
 * strncpy_from_kernel_nofault(dst, addr, dst.length): copy up to the NUL; returns the bytes copied
 * with the NUL, or dst.length when truncated (the last byte becomes NUL), 0 for an empty dst,
 * -ERANGE for user-range addresses, -EFAULT on a fault.
 */
export function strncpyFromKernel(src: Memory | Machine, addr: bigint, dst: Uint8Array): number {
  const count = dst.length;
  if (count <= 0) return 0;
  const [id, off] = split(addr);
  if (id === 0) return -ERANGE;
  const mem = memoryFor(src, id, off);
  const scratch = new Int32Array(2);
  let i = 0;
  do {
    const b = kernelByte(mem, id, off + i, scratch);
    if (b < 0) {
      dst[0] = 0;
      return -EFAULT;
    }
    dst[i++] = b;
  } while (dst[i - 1] !== 0 && i < count);
  dst[i - 1] = 0;
  return i;
}

/** strncpy_from_user_nofault: like {@link strncpyFromKernel} for user memory (-EFAULT for kernel addresses). */
export function strncpyFromUser(user: UserAddressSpace, addr: bigint, dst: Uint8Array): number {
  const count = dst.length;
  if (count <= 0) return 0;
  const [id, off] = split(addr);
  if (id !== 0) return -EFAULT;
  for (let i = 0; i < count; i++) {
    const b = user.read(off + i, 1);
    if (b === null) return -EFAULT;
    dst[i] = b[0]!;
    if (b[0] === 0) return i + 1;
  }
  dst[count - 1] = 0;
  return count;
}

type Reader = (m: Machine, addr: bigint, dst: Uint8Array) => number;

const readKernel: Reader = (m, addr, dst) => copyFromKernel(m, addr, dst);
const readUser: Reader = (m, addr, dst) => copyFromUser(hostOf(m).user, addr, dst);
/** bpf_probe_read_compat (x86 has non-overlapping address spaces): below TASK_SIZE user, else kernel. */
const readCompat: Reader = (m, addr, dst) => (split(addr)[0] === 0 ? readUser(m, addr, dst) : readKernel(m, addr, dst));
const strKernel: Reader = (m, addr, dst) => strncpyFromKernel(m, addr, dst);
const strUser: Reader = (m, addr, dst) => strncpyFromUser(hostOf(m).user, addr, dst);
const strCompat: Reader = (m, addr, dst) => (split(addr)[0] === 0 ? strUser(m, addr, dst) : strKernel(m, addr, dst));

/** (dst, u32 size, unsafe_ptr): read into dst; on failure dst is zeroed and the errno returned. */
function probeHelper(name: string, read: Reader): (m: Machine) => void {
  const h = `bpf_${name}`;
  return (m) => {
    const size = m.argU32(2);
    const off = memArgOrZero(m, 1, size, true, h, 'dst');
    const dst = size === 0 ? new Uint8Array(0) : m.mem.bytes(m.hi[1]!).subarray(off, off + size);
    const r = read(m, m.argU64(3), dst);
    if (r < 0) dst.fill(0);
    m.setR0Num(r);
  };
}

/** bpf_copy_from_user: like probe_read_user, but -EFAULT for every failure (might sleep). */
function copyFromUserHelper(m: Machine): void {
  const size = m.argU32(2);
  const off = memArgOrZero(m, 1, size, true, 'bpf_copy_from_user', 'dst');
  const dst = size === 0 ? new Uint8Array(0) : m.mem.bytes(m.hi[1]!).subarray(off, off + size);
  const r = readUser(m, m.argU64(3), dst);
  if (r < 0) dst.fill(0);
  m.setR0Num(r < 0 ? -EFAULT : 0);
}

/** bpf_probe_write_user(dst, src, u32 len): copy_to_user_nofault; 0 or -EFAULT. */
function probeWriteUser(m: Machine): void {
  const len = m.argU32(3);
  if (len === 0) throw m.fail('helper', 'bpf_probe_write_user r3 (len): the verifier rejects a zero size');
  const off = memArg(m, 2, len, false, 'bpf_probe_write_user', 'src');
  const [id, uoff] = split(m.argU64(1));
  const ok = id === 0 && hostOf(m).user.write(uoff, m.mem.bytes(m.hi[2]!).subarray(off, off + len));
  m.setR0Num(ok ? 0 : -EFAULT);
}

/**
 * Verifier prototypes (kernel/trace/bpf_trace.c, kernel/bpf/helpers.c): every reader writes
 * `size` bytes (0 allowed) of uninitialised destination memory from an arbitrary address;
 * bpf_probe_write_user reads `size` (> 0) bytes of program memory.
 */
const READ_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'mem', uninit: true }, { kind: 'size_or_zero' }, { kind: 'anything' }] };
const WRITE_USER_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'anything' }, { kind: 'mem', rdonly: true }, { kind: 'size' }] };

/** The memory-reading helper family. */
export function probeHelpers(): HelperDef[] {
  const family = 'probe';
  const proto = READ_PROTO;
  return [
    { id: 4, name: 'probe_read', fn: probeHelper('probe_read', readCompat), gplOnly: true, progTypes: TRACING_TYPES, proto, family },
    { id: 45, name: 'probe_read_str', fn: probeHelper('probe_read_str', strCompat), gplOnly: true, progTypes: TRACING_TYPES, proto, family },
    { id: 36, name: 'probe_write_user', fn: probeWriteUser, gplOnly: true, progTypes: TRACING_TYPES, proto: WRITE_USER_PROTO, family },
    { id: 112, name: 'probe_read_user', fn: probeHelper('probe_read_user', readUser), gplOnly: true, proto, family },
    { id: 113, name: 'probe_read_kernel', fn: probeHelper('probe_read_kernel', readKernel), gplOnly: true, proto, family },
    { id: 114, name: 'probe_read_user_str', fn: probeHelper('probe_read_user_str', strUser), gplOnly: true, proto, family },
    { id: 115, name: 'probe_read_kernel_str', fn: probeHelper('probe_read_kernel_str', strKernel), gplOnly: true, proto, family },
    { id: 148, name: 'copy_from_user', fn: copyFromUserHelper, mightSleep: true, proto, family },
  ];
}
