/**
 * BPF iterator sessions (src/kernel/objects/iter.ts): bpf_seq_read over the task iterator, read by read,
 * with the expectations taken from the same programs run on Linux 6.18 (bpftool 7.1, libbpf 1.1):
 *
 *   70 tasks, one line each:        stop call saw seq_num 69 (the last object's), session ids 8, 9
 *   return 1 once at seq_num 3:      read 0 "0..2", read 1 "3..7 + stop", read 2 empty
 *   return 1 once at seq_num 0:      read 0 -EAGAIN, read 1 everything
 *   return 1 always at seq_num 3:    read 0 "0..2", then -EAGAIN on every read
 *   3000 bytes per task (+1):        reads of 30010 bytes (10 tasks), the 11th retried next read
 *   stop output 20000 that overflows: the pending tasks first, the stop output at the next read
 *   stop output 40000, or 32768 per task: -E2BIG on every read; 32767 bytes fit
 *   reads of 7 bytes:                the same bytes, every object shown once
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.js';
import { IterTargetRegistry, type IterCursor } from '../../../src/kernel/objects/iter.js';
import { KObjectError } from '../../../src/kernel/objects/kobjects.js';
import { BPF_F_REPLACE } from '../../../src/kernel/syscall/uapi.js';
import { ERRNO } from '../../../src/util/errno.js';
import { rodata, str } from '../../helpers/env.js';
import { Cmd, iterKernel, iterProg, joined, kobjs, latin1, loadIterProg, openIter, probe, reads, W } from '../iter-harness.js';

const { EAGAIN, E2BIG, EFAULT, EOVERFLOW, EPERM, EINVAL } = ERRNO;

/** Link info of the task iterator: `{ u32 tid; u32 pid; u32 pid_fd; }`. */
function taskInfo(tid: number, pid: number, pidFd = 0): Uint8Array {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, tid, true);
  dv.setUint32(4, pid, true);
  dv.setUint32(8, pidFd, true);
  return b;
}

describe('the task iterator', () => {
  it('runs the program once per task in pid order (seq_num 0.., the session id), then once with task NULL', () => {
    const k = iterKernel(3);
    const p = probe(k);
    const { link, fd } = openIter(k, p.prog);
    expect(reads(k, fd)).toEqual(['0 1 1\n1 1 100\n2 1 101\n3 1 102\n4 1 4242\nstop 4 1\n', '']);
    expect(p.word(W.calls)).toBe(6n);
    // Reading on after the end runs nothing more.
    expect(reads(k, fd)).toEqual(['']);
    expect(p.word(W.calls)).toBe(6n);
    // Each ITER_CREATE is a new session with the next id.
    const fd2 = k.bpf(Cmd.ITER_CREATE, { link_fd: link });
    expect(joined(reads(k, fd2))).toBe('0 2 1\n1 2 100\n2 2 101\n3 2 102\n4 2 4242\nstop 4 2\n');
  });

  it('the default kernel has init and the current task; the idle task (pid 0) is never shown', () => {
    const k = new Kernel({ task: { pid: 77, tgid: 77, comm: 'worker' } });
    const p = probe(k);
    expect(joined(reads(k, openIter(k, p.prog).fd))).toBe('0 1 1\n1 1 77\nstop 1 1\n');
    // A current task configured as pid 1 is init.
    const k1 = new Kernel({ task: { pid: 1, tgid: 1, comm: 'systemd' } });
    expect(joined(reads(k1, openIter(k1, probe(k1).prog).fd))).toBe('0 1 1\nstop 0 1\n');
  });

  it('small reads return the same bytes and show every object once (reads of 7 bytes on 6.18)', () => {
    const k = iterKernel(3);
    const p = probe(k);
    const rs = reads(k, openIter(k, p.prog).fd, 7);
    expect(rs.slice(0, -1).every((r) => typeof r === 'string' && r.length > 0 && r.length <= 7)).toBe(true);
    expect(rs.at(-1)).toBe('');
    expect(joined(rs)).toBe('0 1 1\n1 1 100\n2 1 101\n3 1 102\n4 1 4242\nstop 4 1\n');
    expect(p.word(W.calls)).toBe(6n);
  });

  it('a read of 0 bytes shows an object and keeps its output for the next read', () => {
    const k = iterKernel();
    const p = probe(k);
    const { fd } = openIter(k, p.prog);
    expect(k.read(fd, 0)).toEqual(new Uint8Array(0));
    expect(p.word(W.calls)).toBe(1n);
    expect(joined(reads(k, fd))).toBe('0 1 1\n1 1 4242\nstop 1 1\n');
  });

  it('returning 1 retries the object at the next read with the same seq_num; its output is dropped', () => {
    const k = iterKernel(3);
    const p = probe(k, { retry: { seq: 1, once: true } });
    expect(reads(k, openIter(k, p.prog).fd)).toEqual(['0 1 1\n', '1 1 100\n2 1 101\n3 1 102\n4 1 4242\nstop 4 1\n', '']);
    expect(p.word(W.calls)).toBe(7n);
  });

  it('returning 1 for the first object of a read fails that read with EAGAIN', () => {
    const k = iterKernel(3);
    const p = probe(k, { retry: { seq: 0, once: true } });
    expect(reads(k, openIter(k, p.prog).fd)).toEqual([-EAGAIN, '0 1 1\n1 1 100\n2 1 101\n3 1 102\n4 1 4242\nstop 4 1\n', '']);
  });

  it('an object that always asks for a retry ends every later read with EAGAIN', () => {
    const k = iterKernel(3);
    const p = probe(k, { retry: { seq: 2, once: false } });
    expect(reads(k, openIter(k, p.prog).fd, 128 * 1024, 4)).toEqual(['0 1 1\n1 1 100\n', -EAGAIN, -EAGAIN, -EAGAIN]);
    // Three objects in the first read, then the third again on each read.
    expect(p.word(W.calls)).toBe(6n);
  });

  it('an object whose output overflows the 32 KiB buffer is dropped and shown again at the next read', () => {
    const k = iterKernel(23); // 25 tasks
    const p = probe(k, { lines: false, objBytes: 3000 });
    const rs = reads(k, openIter(k, p.prog).fd);
    expect(rs.map((r) => (typeof r === 'string' ? r.length : r))).toEqual([30000, 30000, 15000, 0]);
    expect(joined(rs)).toBe('a'.repeat(75000));
    // The 11th and 21st tasks ran twice; their first seq_write returned -EOVERFLOW.
    expect(p.word(W.calls)).toBe(25n + 2n + 1n);
    expect(p.word(W.failed)).toBe(2n);
  });

  it('the stop call runs again at the next read when its output overflows', () => {
    const k = iterKernel(23);
    const p = probe(k, { lines: false, objBytes: 3000, stopBytes: 20000 });
    const rs = reads(k, openIter(k, p.prog).fd);
    expect(rs.map((r) => (typeof r === 'string' ? r.length : r))).toEqual([30000, 30000, 15000, 20000, 0]);
    expect(p.word(W.calls)).toBe(25n + 2n + 2n);
    expect(p.word(W.failed)).toBe(3n);
  });

  it('output that cannot fit even alone fails every read with E2BIG (-EOVERFLOW in the program)', () => {
    const k = iterKernel(23);
    const stop = probe(k, { lines: false, objBytes: 3000, stopBytes: 40000 });
    const rs = reads(k, openIter(k, stop.prog).fd, 128 * 1024, 5);
    expect(rs.map((r) => (typeof r === 'string' ? r.length : r))).toEqual([30000, 30000, 15000, -E2BIG, -E2BIG]);
    expect(stop.word(W.stopRet)).toBe(BigInt(-EOVERFLOW));
    const obj = probe(k, { lines: false, objBytes: 32768 });
    expect(reads(k, openIter(k, obj.prog).fd, 128 * 1024, 3)).toEqual([-E2BIG, -E2BIG, -E2BIG]);
    expect(obj.word(W.objRet)).toBe(BigInt(-EOVERFLOW));
    expect(obj.word(W.calls)).toBe(3n);
  });

  it('32767 bytes fit the buffer (seq_write needs count + len < size)', () => {
    const k = iterKernel();
    const p = probe(k, { lines: false, objBytes: 32767 });
    const rs = reads(k, openIter(k, p.prog).fd);
    expect(rs.map((r) => (typeof r === 'string' ? r.length : r))).toEqual([32767, 32767, 0]);
    expect(p.word(W.calls)).toBe(4n);
    expect(p.word(W.failed)).toBe(1n);
  });

  it('a faulting program fails the read with EFAULT and kernel.lastFault', () => {
    const k = iterKernel();
    // seq_write on the meta pointer instead of the seq_file: the verifier would reject it.
    const prog = iterProg(k, 'ldxdw r1, [r1+0]\nmov r2, r10\nadd r2, -8\nstdw [r10-8], 0\nmov r3, 8\ncall 127\nmov r0, 0\nexit');
    const { fd } = openIter(k, prog);
    expect(k.read(fd)).toBe(-EFAULT);
    expect(k.lastFault?.kind).toBe('helper');
    expect(k.read(fd)).toBe(-EFAULT);
  });

  it('link info selects one task (tid, any thread) or one thread group (pid, a leader: leader first)', () => {
    const k = iterKernel();
    kobjs(k).addTask({ pid: 200, comm: 'app' });
    kobjs(k).addTask({ pid: 202, tgid: 200, comm: 'app-t2' });
    kobjs(k).addTask({ pid: 201, tgid: 200, comm: 'app-t1' });
    const p = probe(k);
    const text = (info?: Uint8Array): string => joined(reads(k, openIter(k, p.prog, info).fd)).replace(/^(\d+|stop \d+) \d+/gm, '$1 _');
    expect(text()).toBe('0 _ 1\n1 _ 200\n2 _ 201\n3 _ 202\n4 _ 4242\nstop 4 _\n');
    expect(text(taskInfo(201, 0))).toBe('0 _ 201\nstop 0 _\n');
    expect(text(taskInfo(999, 0))).toBe('stop 0 _\n');
    expect(text(taskInfo(0, 200))).toBe('0 _ 200\n1 _ 201\n2 _ 202\nstop 2 _\n');
    // A thread's tid is not a thread group (6.18: pid=<thread> shows nothing).
    expect(text(taskInfo(0, 201))).toBe('stop 0 _\n');
  });

  it('tasks added between reads are picked up in pid order', () => {
    const k = iterKernel();
    const p = probe(k);
    const { fd } = openIter(k, p.prog);
    expect(latin1(k.read(fd, 1) as Uint8Array)).toBe('0');
    kobjs(k).addTask({ pid: 9000, comm: 'late' });
    kobjs(k).addTask({ pid: 50, comm: 'early' });
    // pid 50 sorts before the position (the current task) and is not visited; 9000 is.
    expect(joined(reads(k, fd))).toBe(' 1 1\n1 1 4242\n2 1 9000\nstop 2 1\n');
  });

  it('addTask refuses pids in use or out of range and comms over 15 bytes', () => {
    const k = iterKernel(1);
    for (const bad of [{ pid: 1 }, { pid: 4242 }, { pid: 100 }, { pid: 0 }, { pid: 1 << 22 }, { pid: 5, tgid: -1 }, { pid: 6, comm: 'x'.repeat(16) }]) {
      expect(() => kobjs(k).addTask(bad), JSON.stringify(bad)).toThrowError(KObjectError);
    }
    expect(kobjs(k).taskList().map((t) => t.pid)).toEqual([1, 100, 4242]);
  });

  it('a session keeps its program: reading works after the link and program fds are closed; closing frees it', () => {
    const k = iterKernel();
    const p = probe(k);
    const { link, fd } = openIter(k, p.prog);
    const e = k.fds.get(p.prog);
    const prog = e?.kind === 'prog' ? e.obj : null;
    const id = prog!.id;
    k.close(link);
    k.close(p.prog);
    expect(k.progIds.find(id)).toBe(prog);
    expect(joined(reads(k, fd))).toBe('0 1 1\n1 1 4242\nstop 1 1\n');
    k.close(fd);
    expect(k.progIds.find(id)).toBeUndefined();
    expect(k.read(fd)).toBe(-ERRNO.EBADF);
  });

  it('LINK_UPDATE replaces the program for new sessions (bpf_iter_link_replace: EPERM, EINVAL)', () => {
    const k = iterKernel();
    const a = probe(k);
    const fmt = rodata(k, str('B\n'));
    const b = iterProg(k, `lddw r2, map_value ${fmt} 0\nldxdw r1, [r1+0]\nldxdw r1, [r1+0]\nmov r3, 3\nmov r4, 0\nmov r5, 0\ncall 126\nmov r0, 0\nexit`);
    const { link, fd: before } = openIter(k, a.prog);
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: link, new_prog_fd: b, flags: BPF_F_REPLACE, old_prog_fd: b })).toBe(-EPERM);
    const sys = k.bpf(Cmd.PROG_LOAD, { prog_type: 31, prog_flags: 1 << 4, insn_cnt: 2, insns: new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]), license: 'GPL' });
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: link, new_prog_fd: sys })).toBe(-EINVAL);
    expect(k.bpf(Cmd.LINK_UPDATE, { link_fd: link, new_prog_fd: b, flags: BPF_F_REPLACE, old_prog_fd: a.prog })).toBe(0);
    expect(joined(reads(k, openIter(k, b).fd))).toBe('B\nB\nB\n');
    expect(joined(reads(k, k.bpf(Cmd.ITER_CREATE, { link_fd: link })))).toBe('B\nB\nB\n');
    expect(joined(reads(k, before))).toBe('0 1 1\n1 1 4242\nstop 1 1\n');
  });
});

describe('iterator targets', () => {
  it('a registered target runs its objects through the same seq_file machinery', () => {
    const k = new Kernel({ hooks: [{ kind: 'iter', name: 'numbers', params: [{ name: 'meta', type: 'struct bpf_iter_meta *' }, { name: 'value', type: 'u64' }] }] });
    const values = [10n, 20n, 30n];
    k.service<IterTargetRegistry>('iterTargets')!.register({
      name: 'numbers',
      attach: () => ({
        open(): IterCursor {
          let i = 0;
          return { start: () => (i < values.length ? [values[i]!] : null), next: () => (++i < values.length ? [values[i]!] : null), stopArgs: [0n] };
        },
      }),
    });
    const fmt = rodata(k, str('v=%llu\n'));
    const prog = loadIterProg(k, `
      ldxdw r2, [r1+8]
      stxdw [r10-8], r2
      ldxdw r1, [r1+0]
      ldxdw r1, [r1+0]
      lddw r2, map_value ${fmt} 0
      mov r3, 8
      mov r4, r10
      add r4, -8
      mov r5, 8
      call 126
      mov r0, 0
      exit`, { target: 'numbers' });
    expect(prog).toBeGreaterThan(0);
    expect(joined(reads(k, openIter(k, prog).fd))).toBe('v=10\nv=20\nv=30\nv=0\n');
  });
});
