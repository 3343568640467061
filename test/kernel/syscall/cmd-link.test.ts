/**
 * BPF_LINK_CREATE for iterator programs, BPF_ITER_CREATE and read(2) of iterator fds
 * (src/kernel/syscall/cmd-link.ts, Kernel.read). Every errno below is what Linux 6.18 returned for the same
 * call (a libbpf 1.1 program issuing raw bpf() calls on an iter/task program).
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.js';
import { ATTR_SIZE } from '../../../src/kernel/syscall/attr.js';
import { LinkType } from '../../../src/kernel/syscall/uapi.js';
import { AttachType } from '../../../src/object/uapi.js';
import { ERRNO } from '../../../src/util/errno.js';
import { Cmd, iterKernel, iterLink, iterOpen, joined, loadIterProg, probe, reads } from '../iter-harness.js';

const { EINVAL, E2BIG, EBADF, EFAULT, ENOENT, EOPNOTSUPP } = ERRNO;

function linkCreate(k: Kernel, attr: Record<string, number | Uint8Array>): number {
  return k.bpf(Cmd.LINK_CREATE, { attach_type: AttachType.TRACE_ITER, ...attr });
}

describe('BPF_LINK_CREATE of an iter program', () => {
  it('rejects what bpf_iter_link_attach rejects, in its order', () => {
    const k = iterKernel();
    const prog = probe(k).prog;
    const info = new Uint8Array(100);
    expect(linkCreate(k, { prog_fd: prog, target_fd: 3 })).toBe(-EINVAL);
    expect(linkCreate(k, { prog_fd: prog, flags: 1 })).toBe(-EINVAL);
    expect(linkCreate(k, { prog_fd: prog, iter_info: info })).toBe(-EINVAL); // a pointer without a length
    expect(linkCreate(k, { prog_fd: prog, iter_info_len: 4 })).toBe(-EINVAL); // a length without a pointer
    expect(linkCreate(k, { prog_fd: prog, iter_info: info, iter_info_len: 5000 })).toBe(-E2BIG); // > PAGE_SIZE
    info[20] = 1;
    expect(linkCreate(k, { prog_fd: prog, iter_info: info, iter_info_len: 100 })).toBe(-E2BIG); // non-zero past the union
    info[20] = 0;
    // sizeof(union bpf_iter_link_info) is 16 (6.18: a non-zero u32 at offset 12 passes, at 16 E2BIG)
    info[16] = 1;
    expect(linkCreate(k, { prog_fd: prog, iter_info: info, iter_info_len: 20 })).toBe(-E2BIG);
    info[16] = 0;
    info[12] = 1;
    expect(linkCreate(k, { prog_fd: prog, iter_info: info, iter_info_len: 20 })).toBeGreaterThan(0);
    info[12] = 0;
    expect(linkCreate(k, { prog_fd: prog, iter_info: new Uint8Array(4096), iter_info_len: 4096 })).toBeGreaterThan(0);
    expect(linkCreate(k, { prog_fd: prog, iter_info: 8, iter_info_len: 4 })).toBe(-EFAULT);
    const two = new Uint8Array(12);
    two[0] = 1;
    two[4] = 1;
    expect(linkCreate(k, { prog_fd: prog, iter_info: two, iter_info_len: 12 })).toBe(-EINVAL); // tid and pid
    const pidFd = new Uint8Array(12);
    pidFd[8] = 99;
    expect(linkCreate(k, { prog_fd: prog, iter_info: pidFd, iter_info_len: 12 })).toBe(-EBADF); // no pidfds
    pidFd[8] = prog;
    expect(linkCreate(k, { prog_fd: prog, iter_info: pidFd, iter_info_len: 12 })).toBe(-EBADF);
    expect(k.bpf(Cmd.LINK_CREATE, { prog_fd: prog, attach_type: AttachType.TRACE_RAW_TP })).toBe(-EINVAL);
    // A zero tail is fine, and so is no info at all.
    const ok = linkCreate(k, { prog_fd: prog, iter_info: info, iter_info_len: 100 });
    expect(ok).toBeGreaterThan(0);
    const fd = linkCreate(k, { prog_fd: prog });
    expect(fd).toBeGreaterThan(0);
    const e = k.fds.get(fd);
    expect(e?.kind === 'link' ? [e.obj.type, e.obj.attachType, e.obj.target] : null).toEqual([LinkType.ITER, AttachType.TRACE_ITER, 'task']);
  });

  it('an iter hook without an iterator target gives ENOENT', () => {
    const k = new Kernel({ hooks: [{ kind: 'iter', name: 'nothing', params: [{ name: 'meta', type: 'struct bpf_iter_meta *' }] }] });
    const prog = loadIterProg(k, 'mov r0, 0\nexit', { target: 'nothing' });
    expect(prog).toBeGreaterThan(0);
    expect(iterLink(k, prog)).toBe(-ENOENT);
  });

  it('an iter link has no detach (EOPNOTSUPP), as bpf_iter_link_lops', () => {
    const k = iterKernel();
    const link = iterLink(k, probe(k).prog);
    expect(k.bpf(Cmd.LINK_DETACH, { link_fd: link })).toBe(-EOPNOTSUPP);
    expect(iterOpen(k, link)).toBeGreaterThan(0);
  });
});

describe('BPF_ITER_CREATE', () => {
  it('checks the attribute, the fd and the link kind', () => {
    const k = iterKernel();
    const p = probe(k);
    const link = iterLink(k, p.prog);
    expect(k.bpf(Cmd.ITER_CREATE, { link_fd: link, flags: 1 })).toBe(-EINVAL);
    expect(k.bpf(Cmd.ITER_CREATE, { link_fd: 999 })).toBe(-EBADF);
    expect(k.bpf(Cmd.ITER_CREATE, { link_fd: p.prog })).toBe(-EINVAL);
    const raw = new Uint8Array(ATTR_SIZE);
    raw[0] = link;
    raw[8] = 1; // CHECK_ATTR: past iter_create.flags
    expect(k.bpf(Cmd.ITER_CREATE, raw)).toBe(-EINVAL);
    raw[8] = 0;
    expect(k.bpf(Cmd.ITER_CREATE, raw)).toBeGreaterThan(0);
    // A link that is not an iterator.
    const tp = loadIterProg(k, 'mov r0, 0\nexit', { eat: AttachType.TRACE_RAW_TP, attachBtfId: k.vmlinuxBtf.findByName('btf_trace_sys_enter', 'TYPEDEF')[0]!.id });
    const tpLink = k.bpf(Cmd.LINK_CREATE, { prog_fd: tp, attach_type: AttachType.TRACE_RAW_TP });
    expect(tpLink).toBeGreaterThan(0);
    expect(k.bpf(Cmd.ITER_CREATE, { link_fd: tpLink })).toBe(-EINVAL);
    // The link closed: its fd is gone.
    k.close(link);
    expect(k.bpf(Cmd.ITER_CREATE, { link_fd: link })).toBe(-EBADF);
  });

  it('an iterator fd is no BPF object for OBJ_GET_INFO_BY_FD (EINVAL)', () => {
    const k = iterKernel();
    const fd = iterOpen(k, iterLink(k, probe(k).prog));
    const info = new Uint8Array(64);
    expect(k.bpf(Cmd.OBJ_GET_INFO_BY_FD, { bpf_fd: fd, info_len: info.length, info })).toBe(-EINVAL);
  });
});

describe('kernel.read', () => {
  it('gives EBADF for a closed fd and EINVAL for fds read(2) cannot read and bad counts', () => {
    const k = iterKernel();
    const p = probe(k);
    const link = iterLink(k, p.prog);
    const fd = iterOpen(k, link);
    expect(k.read(999)).toBe(-EBADF);
    expect(k.read(p.prog)).toBe(-EINVAL);
    expect(k.read(link)).toBe(-EINVAL);
    expect(k.read(p.state)).toBe(-EINVAL);
    expect(k.read(0)).toBe(-EINVAL);
    expect(k.read(fd, -1)).toBe(-EINVAL);
    expect(k.read(fd, 1.5)).toBe(-EINVAL);
    expect(joined(reads(k, fd))).toBe('0 1 1\n1 1 4242\nstop 1 1\n');
    k.close(fd);
    expect(k.read(fd)).toBe(-EBADF);
  });
});
