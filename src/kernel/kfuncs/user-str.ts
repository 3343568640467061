/**
 * bpf_copy_from_user_str and bpf_copy_from_user_task_str (6.18 kernel/bpf/helpers.c, common kfunc
 * set, KF_SLEEPABLE). bpf_copy_from_user_str copies a
 * NUL-terminated string from user memory (the emulated user address space bpf_copy_from_user also
 * reads, src/helpers/host.ts) into `dst` of `dst__sz` bytes.
 *
 *   int bpf_copy_from_user_str(void *dst, u32 dst__sz, const void __user *unsafe_ptr__ign, u64 flags)
 *
 * Flags other than BPF_F_PAD_ZEROS (1): -EINVAL, nothing written. dst__sz 0: returns 0. Otherwise
 * strncpy_from_user(dst, src, dst__sz - 1) runs and the result is NUL-terminated: the return value is
 * the string's length + 1 (at most dst__sz, a longer string is cut); a fault is -EFAULT. With
 * BPF_F_PAD_ZEROS the rest of dst after the NUL (all of dst on a fault) is zeroed; without it bytes
 * after the terminator keep their values, except that strncpy_from_user copies whole 8-byte words
 * while 8 or more bytes remain and masks the bytes after the NUL in the word holding it to 0
 * (lib/strncpy_from_user.c). Bytes copied before a fault stay without BPF_F_PAD_ZEROS. Checked
 * against the live kernel: test/kernel-diff case syscall_copy_from_user_str.
 *
 * bpf_copy_from_user_task_str (KF_SLEEPABLE, its task trusted) reads the given task's memory through
 * copy_remote_vm_str: dst[0] is set to 0 first, a fault is -EFAULT (dst[0] left 0), the string is
 * copied by strscpy (8-byte words up to the NUL, the bytes after it in that word zeroed) and a cut
 * string gives dst__sz. Only the current task has user memory here: any other task is one without
 * an mm (-EFAULT, from the sources). Checked live: kernel-diff case syscall_copy_from_user_task_str.
 */
import { memArg } from '../../helpers/args.js';
import { hostOf, type UserAddressSpace } from '../../helpers/host.js';
import { Memory } from '../../vm/memory.js';
import type { Kernel } from '../kernel.js';
import type { KfuncCall } from '../kfuncs.js';

const EINVAL = 22;
const EFAULT = 14;
const E2BIG = 7;
/** enum { BPF_F_PAD_ZEROS = 1 } of 6.18's uapi bpf.h. */
export const BPF_F_PAD_ZEROS = 1n;

/**
 * strncpy_from_user(dst, user + addr, count) as 6.18 does it on x86-64: 8-byte words while 8 or more
 * bytes remain (a word read that faults is retried byte by byte), then single bytes. Returns the
 * string's length when its NUL was copied, `count` when none was found, -EFAULT on a fault.
 */
export function strncpyFromUserRaw(user: UserAddressSpace, addr: bigint, dst: Uint8Array, count: number): number {
  const [id, off] = Memory.split(addr);
  if (id !== 0) return -EFAULT;
  let res = 0;
  while (count - res >= 8) {
    const w = user.read(off + res, 8);
    if (w === null) break;
    const nul = w.indexOf(0);
    if (nul >= 0) {
      dst.set(w.subarray(0, nul), res);
      dst.fill(0, res + nul, res + 8);
      return res + nul;
    }
    dst.set(w, res);
    res += 8;
  }
  while (res < count) {
    const b = user.read(off + res, 1);
    if (b === null) return -EFAULT;
    dst[res] = b[0]!;
    if (b[0] === 0) return res;
    res++;
  }
  return count;
}

/**
 * strscpy(dst, user + addr, count) over user memory, word by word while 8 or more bytes remain
 * (lib/string.c sized_strscpy with aligned buffers): the string's length, or -E2BIG when it was cut
 * (dst then ends in a NUL); -EFAULT when emulated user memory ends before the string does (the
 * kernel reads on through the page: a difference only for strings at the end of a user buffer).
 */
function strscpyFromUser(user: UserAddressSpace, off: number, dst: Uint8Array, count: number): number {
  let res = 0;
  let max = count;
  while (max >= 8) {
    const w = user.read(off + res, 8);
    if (w === null) return -EFAULT;
    const nul = w.indexOf(0);
    if (nul >= 0) {
      dst.set(w.subarray(0, nul), res);
      dst.fill(0, res + nul, res + 8);
      return res + nul;
    }
    count -= 8;
    if (count === 0) {
      dst.set(w.subarray(0, 7), res);
      dst[res + 7] = 0;
      return -E2BIG;
    }
    dst.set(w, res);
    res += 8;
    max -= 8;
  }
  while (count > 1) {
    const b = user.read(off + res, 1);
    if (b === null) return -EFAULT;
    dst[res] = b[0]!;
    if (b[0] === 0) return res;
    res++;
    count--;
  }
  dst[res] = 0;
  const last = user.read(off + res, 1);
  if (last === null) return -EFAULT;
  return last[0] !== 0 ? -E2BIG : res;
}

/**
 * copy_remote_vm_str(tsk, addr, dst, dst.length) for the emulated machine: only the current task
 * has a user address space (any other task is like one without an mm: dst[0] = 0, -EFAULT); dst[0]
 * is set to 0 first; a non-user address is -EFAULT; the string is copied by strscpy (one page: the
 * emulated user memory is flat); a cut string gives dst.length - 1.
 */
function copyRemoteVmStr(user: UserAddressSpace, own: boolean, addr: bigint, dst: Uint8Array): number {
  dst[0] = 0;
  const [id, off] = Memory.split(addr);
  if (!own || id !== 0) return -EFAULT;
  const r = strscpyFromUser(user, off, dst, dst.length);
  if (r === -E2BIG) return dst.length - 1;
  return r;
}

/**
 * What both kfuncs do around the copy: flags other than BPF_F_PAD_ZEROS -EINVAL, `dst__sz` (r2) 0
 * returns 0, `dst` (r1) checked writable for it; `copy` returns the string's length or -errno, and
 * the result is that length + 1, with BPF_F_PAD_ZEROS zeroing dst after the string (all of it on a
 * fault). The NUL after a string is `copy`'s to write (strncpy_from_user and strscpy differ).
 */
function copyToDst(c: KfuncCall, flags: bigint, name: string, copy: (dst: Uint8Array) => number): number {
  if ((flags & ~BPF_F_PAD_ZEROS) !== 0n) return -EINVAL;
  const size = Number(c.args[1]! & 0xffffffffn);
  if (size === 0) return 0;
  const off = memArg(c.m, 1, size, true, name, 'dst');
  const dst = c.m.mem.bytes(c.m.hi[1]!).subarray(off, off + size);
  const pad = (flags & BPF_F_PAD_ZEROS) !== 0n;
  const ret = copy(dst);
  if (ret < 0) {
    if (pad) dst.fill(0);
    return ret;
  }
  if (pad) dst.fill(0, ret);
  return ret + 1;
}

/** Register bpf_copy_from_user_str and bpf_copy_from_user_task_str into `k`. */
export function installUserStr(k: Kernel): void {
  k.registerKfunc({
    name: 'bpf_copy_from_user_str',
    proto: {
      ret: 'int',
      params: [
        { name: 'dst', type: 'void *' },
        { name: 'dst__sz', type: 'u32' },
        { name: 'unsafe_ptr__ign', type: 'const void *' },
        { name: 'flags', type: 'u64' },
      ],
    },
    // KF_SLEEPABLE (6.18 helpers.c common set)
    flags: { sleepable: true },
    impl: (c) =>
      copyToDst(c, c.args[3]!, 'bpf_copy_from_user_str', (dst) => {
        const ret = strncpyFromUserRaw(hostOf(c.m).user, c.args[2]!, dst, dst.length - 1);
        if (ret >= 0) dst[ret] = 0;
        return ret;
      }),
  });
  k.registerKfunc({
    name: 'bpf_copy_from_user_task_str',
    proto: {
      ret: 'int',
      params: [
        { name: 'dst', type: 'void *' },
        { name: 'dst__sz', type: 'u32' },
        { name: 'unsafe_ptr__ign', type: 'const void *' },
        { name: 'tsk', type: 'struct task_struct *' },
        { name: 'flags', type: 'u64' },
      ],
    },
    // KF_SLEEPABLE, and the task argument trusted and not NULL (measured: a NULL or unchecked task
    // is refused with "Possibly NULL pointer passed to trusted arg3", corpus group userstr)
    flags: { sleepable: true, trustedArgs: true },
    impl: (c) => copyToDst(c, c.args[4]!, 'bpf_copy_from_user_task_str', (dst) => copyRemoteVmStr(hostOf(c.m).user, c.args[3]! === k.currentTaskPointer(), c.args[2]!, dst)),
  });
}
