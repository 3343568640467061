/**
 * bpf_spin_lock / bpf_spin_unlock on the bpf_spin_lock field of an ARRAY value, and the locking
 * rules the verifier enforces (process_spin_lock, check_helper_call), checked at run time.
 */
import { describe, expect, it } from 'vitest';
import { BPF_MAP_TYPE } from '../../src/maps/uapi.js';
import { ERRNO } from '../../src/util/errno.js';
import { ProgType, getU64, load, loadProg, lookup, mkMap, newKernel, ret, run, specialValueBtf, u32 } from './env.js';

function setup(): { k: ReturnType<typeof newKernel>; map: number; size: number } {
  const k = newKernel();
  const btf = specialValueBtf(k, 'lock');
  const map = mkMap(k, { type: BPF_MAP_TYPE.ARRAY, key: 4, value: btf.size, max: 1, btf });
  return { k, map, size: btf.size };
}

/** r6 = &value[0] of `map`, then `body`, then return 0. */
function withValue(map: number, body: string): string {
  return `
    stw [r10-4], 0
    lddw r1, map_fd ${map}
    mov r2, r10
    add r2, -4
    call 1
    jeq r0, 0, out
    mov r6, r0
    ${body}
  out:
    mov r0, 0
    exit`;
}

const LOCK = 'mov r1, r6\ncall 93';
const UNLOCK = 'mov r1, r6\ncall 94';
const INC = 'ldxdw r1, [r6+8]\nadd r1, 1\nstxdw [r6+8], r1';

describe('bpf_spin_lock', () => {
  it('guards an update; the lock word is 1 while held and reads as 0 from user space', () => {
    const { k, map, size } = setup();
    const fd = load(k, withValue(map, `${LOCK}\n${INC}\nldxw r7, [r6+0]\nstxw [r6+12], r7\n${UNLOCK}`));
    expect(ret(k, fd)).toBe(0);
    expect(ret(k, fd)).toBe(0);
    const v = lookup(k, map, u32(0), size) as Uint8Array;
    expect(getU64(v, 8) & 0xffffffffn).toBe(2n);
    expect(getU64(v, 8) >> 32n).toBe(1n);
    expect(new DataView(v.buffer).getUint32(0, true)).toBe(0);
  });

  it('faults: taking a second lock, unlocking without a lock, the wrong address', () => {
    const { k, map } = setup();
    expect(run(k, load(k, withValue(map, `${LOCK}\n${LOCK}`))).fault?.kind).toBe('invalid');
    expect(run(k, load(k, withValue(map, UNLOCK))).fault?.kind).toBe('invalid');
    expect(run(k, load(k, withValue(map, 'mov r1, r6\nadd r1, 8\ncall 93'))).fault?.kind).toBe('helper');
    expect(run(k, load(k, 'mov r1, r10\nadd r1, -8\ncall 93\nmov r0, 0\nexit')).fault?.kind).toBe('helper');
  });

  it('faults on any other helper call while the lock is held', () => {
    const { k, map } = setup();
    const f = run(k, load(k, withValue(map, `${LOCK}\ncall 5\n${UNLOCK}`))).fault;
    expect(f?.kind).toBe('invalid');
    expect(f?.detail).toContain('bpf_ktime_get_ns');
  });

  it('a run that exits holding the lock faults, and the lock is released for the next run', () => {
    const { k, map } = setup();
    const f = run(k, load(k, withValue(map, LOCK))).fault;
    expect(f?.kind).toBe('invalid');
    expect(ret(k, load(k, withValue(map, `${LOCK}\n${UNLOCK}`)))).toBe(0);
  });

  it('tracing programs and socket filters may not use it', () => {
    const { k, map } = setup();
    expect(loadProg(k, withValue(map, `${LOCK}\n${UNLOCK}`), { type: ProgType.KPROBE })).toBe(-ERRNO.EINVAL);
    expect(loadProg(k, withValue(map, `${LOCK}\n${UNLOCK}`), { type: ProgType.SOCKET_FILTER })).toBe(-ERRNO.EINVAL);
  });
});
