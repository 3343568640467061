/**
 * The syscall side of cgroup attachment (src/kernel/syscall/cmd-cgroup.ts) beyond the recorded
 * script of test/kernel/progtypes/cgroup-attach.test.ts: program references held by a cgroup, the
 * refusals that are the emulator's own (named in lastErrorReason), and the typed attribute fields
 * the commands write back.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.js';
import { Cmd } from '../../../src/kernel/syscall/uapi.js';
import { cgroupsOf } from '../../../src/maps/cgroups.js';
import { AttachType, ProgType } from '../../../src/object/uapi.js';
import { ERRNO } from '../../../src/util/errno.js';

const { EINVAL, ENOENT } = ERRNO;
const SOCK_CREATE = AttachType.CGROUP_INET_SOCK_CREATE;

function setup(): { k: Kernel; cgFd: number; load: () => number } {
  const k = new Kernel();
  const tree = cgroupsOf(k);
  const cgFd = tree.openFd(k, tree.mkdir(tree.root, 'a'));
  const insns = Uint8Array.of(0xb7, 0, 0, 0, 1, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0); // r0 = 1; exit
  const load = (): number => k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.CGROUP_SOCK, insn_cnt: 2, insns, license: 'GPL', expected_attach_type: SOCK_CREATE });
  return { k, cgFd, load };
}

function progId(k: Kernel, fd: number): number {
  const info = new Uint8Array(256);
  expect(k.bpf(Cmd.OBJ_GET_INFO_BY_FD, { bpf_fd: fd, info_len: 256, info })).toBe(0);
  return new DataView(info.buffer).getUint32(4, true);
}

describe('BPF_PROG_ATTACH / DETACH / QUERY: the syscall layer', () => {
  it('an attached program outlives its fd until it is detached', () => {
    const { k, cgFd, load } = setup();
    const fd = load();
    const id = progId(k, fd);
    expect(k.bpf(Cmd.PROG_ATTACH, { target_fd: cgFd, attach_bpf_fd: fd, attach_type: SOCK_CREATE, attach_flags: 0 })).toBe(0);
    k.close(fd);
    const again = k.bpf(Cmd.PROG_GET_FD_BY_ID, { prog_id: id });
    expect(again).toBeGreaterThan(0);
    k.close(again);
    // single mode: detach without a program fd
    expect(k.bpf(Cmd.PROG_DETACH, { target_fd: cgFd, attach_bpf_fd: 0, attach_type: SOCK_CREATE })).toBe(0);
    expect(k.bpf(Cmd.PROG_GET_FD_BY_ID, { prog_id: id })).toBe(-ENOENT);
  });

  it('replacing a single program drops the old one; attaching the same one again keeps one reference', () => {
    const { k, cgFd, load } = setup();
    const a = load();
    const b = load();
    const idA = progId(k, a);
    const attach = (fd: number): number => k.bpf(Cmd.PROG_ATTACH, { target_fd: cgFd, attach_bpf_fd: fd, attach_type: SOCK_CREATE });
    expect([attach(a), attach(a), attach(b)]).toEqual([0, 0, 0]);
    k.close(a);
    expect(k.bpf(Cmd.PROG_GET_FD_BY_ID, { prog_id: idA })).toBe(-ENOENT);
    expect(k.bpf(Cmd.PROG_DETACH, { target_fd: cgFd, attach_bpf_fd: b, attach_type: SOCK_CREATE })).toBe(0);
  });

  it('refuses what it does not emulate with EINVAL and a reason', () => {
    const { k, cgFd, load } = setup();
    const fd = load();
    // an anchor given as a link (BPF_F_LINK)
    expect(k.bpf(Cmd.PROG_ATTACH, { target_fd: cgFd, attach_bpf_fd: fd, attach_type: SOCK_CREATE, attach_flags: 2 | 8 | (1 << 13), relative_fd: fd })).toBe(-EINVAL);
    expect(k.lastErrorReason).toMatch(/BPF_F_LINK.*not emulated/);
    expect(k.bpf(Cmd.PROG_ATTACH, { target_fd: cgFd, attach_bpf_fd: fd, attach_type: AttachType.SK_MSG_VERDICT })).toBe(-EINVAL);
    expect(k.lastErrorReason).toMatch(/not a cgroup attach type/);
    expect(k.bpf(Cmd.PROG_QUERY, { target_fd: cgFd, attach_type: AttachType.SK_MSG_VERDICT })).toBe(-EINVAL);
  });

  it('typed queries get attach_flags, prog_cnt and revision back', () => {
    const { k, cgFd, load } = setup();
    const fd = load();
    expect(k.bpf(Cmd.PROG_ATTACH, { target_fd: cgFd, attach_bpf_fd: fd, attach_type: SOCK_CREATE, attach_flags: 1 })).toBe(0);
    const q: Record<string, number | bigint | Uint8Array> = { target_fd: cgFd, attach_type: SOCK_CREATE, prog_ids: new Uint8Array(8), prog_cnt: 2 };
    expect(k.bpf(Cmd.PROG_QUERY, q)).toBe(0);
    expect([q.attach_flags, q.prog_cnt, q.revision]).toEqual([1, 1, 2n]);
    expect(new DataView((q.prog_ids as Uint8Array).buffer).getUint32(0, true)).toBe(progId(k, fd));
  });
});
