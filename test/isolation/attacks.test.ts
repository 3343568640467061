/**
 * The nine attack classes of the isolation issue, each a guest program in the project's assembler,
 * run without the load-time verifier (the raw runner: only run-time isolation stands between the
 * attacker and the victim) and with it (refused at load, or stopped at run time). Every attack must
 * end in a typed fault (or the verifier's refusal) and leave the victim's bytes unchanged, none of
 * them in the attacker's output.
 */
import { describe, expect, it } from 'vitest';
import { RingbufMap } from '../../src/maps/ringbuf.js';
import { implOf } from '../../src/kernel/objects/mapglue.js';
import { Memory } from '../../src/vm/memory.js';
import {
  BPF_MAP_TYPE,
  MODES,
  del,
  array64,
  attack,
  expectNoVictimBytes,
  expectStopped,
  expectVictimIntact,
  imm64,
  kernel,
  kmap,
  loadProg,
  lookup,
  mkMap,
  ptr,
  readElem,
  run,
  u32,
  update,
  victim,
  victimPattern,
} from './harness.js';

/** Look up element 0 of map `fd` into r0 (jumping to `out` on NULL). */
const lookup0 = (fd: number): string => `
      stw [r10-4], 0
      lddw r1, map_fd ${fd}
      mov r2, r10
      add r2, -4
      call 1
      jeq r0, 0, out`;

describe.each(MODES)('isolation: attacks $name', ({ verify }) => {
  it('1. map A value pointer + (idB - idA) << 32 does not reach map B', () => {
    const k = kernel(verify);
    const v = victim(k);
    const a = array64(k, 1, 'attacker');
    const out = array64(k, 1, 'out');
    // The attacker's own value region (created by its first lookup) and the distance to the victim's.
    const own = implOf(kmap(k, a)) as unknown as { region(i: number, c: number): number };
    const delta = (BigInt(v.valueRegion) - BigInt(own.region(0, 0))) << 32n;
    const o = attack(
      k,
      `${lookup0(a)}
      lddw r2, ${imm64(delta)}
      add r0, r2
      ldxdw r3, [r0+0]
      stdw [r0+8], 0x41
      stw [r10-8], 0
      lddw r1, map_fd ${out}
      mov r2, r10
      add r2, -8
      stxdw [r10-72], r3
      mov r3, r10
      add r3, -72
      mov r4, 0
      call 2
    out:
      mov r0, 0
      exit`,
    );
    const f = expectStopped(o, verify, ['foreign_region']);
    if (f !== null) expect(f.address).toBe(ptr(v.valueRegion, 0));
    expectVictimIntact(k, v);
    expectNoVictimBytes(readElem(k, out, 0));
  });

  it('2. a pointer built from a number read from ctx neither reads nor writes another map', () => {
    const k = kernel(verify);
    const v = victim(k);
    const ctx = new Uint8Array(8);
    new DataView(ctx.buffer).setBigUint64(0, ptr(v.valueRegion, 0), true);
    const read = attack(k, 'ldxdw r2, [r1+0]\nldxdw r0, [r2+0]\nexit', ctx.slice());
    expectStopped(read, verify, ['foreign_region']);
    if ('ran' in read) expect(read.ran.retval).toBe(0);
    const write = attack(k, 'ldxdw r2, [r1+0]\nstdw [r2+0], 0x41\nmov r0, 0\nexit', ctx.slice());
    const f = expectStopped(write, verify, ['foreign_region']);
    if (f !== null) expect(f.extra.access).toBe('write');
    expectVictimIntact(k, v);
  });

  it('3. scanning region ids with bpf_probe_read_kernel faults at the first foreign region; no store follows', () => {
    const k = kernel(verify);
    const v = victim(k);
    const out = array64(k, 1, 'out');
    const o = attack(
      k,
      `
      mov r6, 1
    scan:
      mov r3, r6
      lsh r3, 32
      mov r1, r10
      add r1, -8
      mov r2, 8
      call 113
      add r6, 1
      jlt r6, ${k.mem.size + 8}, scan
      lddw r1, ${imm64(ptr(v.valueRegion, 0))}
      stdw [r1+0], 0x41
      mov r0, 0
      exit`,
    );
    const f = expectStopped(o, verify, ['foreign_region']);
    if (f !== null) {
      // It stopped inside bpf_probe_read_kernel, before the forged store.
      expect(f.pc).toBe(6);
      expect(f.detail).toMatch(/outside the capabilities of this run/);
    }
    // The exact victim address through the same helper faults too.
    const direct = attack(k, `mov r1, r10\nadd r1, -8\nmov r2, 8\nlddw r3, ${imm64(ptr(v.valueRegion, 0))}\ncall 113\nldxdw r0, [r10-8]\nexit`);
    expectStopped(direct, verify, ['foreign_region']);
    expectVictimIntact(k, v);
    expectNoVictimBytes(readElem(k, out, 0));
  });

  it('4. a forged map handle passed to bpf_map_update_elem does not update a map the program never referenced', () => {
    const k = kernel(verify);
    const v = victim(k);
    const o = attack(
      k,
      `
      stw [r10-4], 0
      stdw [r10-72], 0x41414141
      stdw [r10-64], 0x41414141
      stdw [r10-56], 0x41414141
      stdw [r10-48], 0x41414141
      stdw [r10-40], 0x41414141
      stdw [r10-32], 0x41414141
      stdw [r10-24], 0x41414141
      stdw [r10-16], 0x41414141
      lddw r1, ${imm64(ptr(v.handleRegion, 0))}
      mov r2, r10
      add r2, -4
      mov r3, r10
      add r3, -72
      mov r4, 0
      call 2
      exit`,
    );
    const f = expectStopped(o, verify, ['foreign_region']);
    if (f !== null) expect(f.detail).toMatch(/not one the program references/);
    // The victim map gained no reference from the attacker either: only its fd and its program hold it.
    expect(kmap(k, v.map).refcnt).toBe(2);
    expectVictimIntact(k, v);
  });

  it('5. forged pointers passed to bpf_strtol and bpf_map_update_elem do not read another map', () => {
    const k = kernel(verify);
    const v = victim(k);
    const a = array64(k, 1, 'attacker');
    const strtol = attack(
      k,
      `
      lddw r1, ${imm64(ptr(v.valueRegion, 0))}
      mov r2, 8
      mov r3, 0
      mov r4, r10
      add r4, -8
      call 105
      ldxdw r0, [r10-8]
      exit`,
    );
    const f1 = expectStopped(strtol, verify, ['foreign_region']);
    if (f1 !== null) expect(f1.detail).toMatch(/bpf_strtol r1/);
    const copy = attack(
      k,
      `
      stw [r10-4], 0
      lddw r1, map_fd ${a}
      mov r2, r10
      add r2, -4
      lddw r3, ${imm64(ptr(v.valueRegion, 0))}
      mov r4, 0
      call 2
      exit`,
    );
    const f2 = expectStopped(copy, verify, ['foreign_region']);
    if (f2 !== null) expect(f2.detail).toMatch(/bpf_map_update_elem r3 \(value\)/);
    expectVictimIntact(k, v);
    expectNoVictimBytes(readElem(k, a, 0));
  });

  it('6. a stack pointer saved by program A faults when program B, run later, writes through it', () => {
    const k = kernel(verify);
    const shared = array64(k, 1, 'shared');
    const a = loadProg(
      k,
      `${lookup0(shared)}
      stdw [r10-8], 0x1234
      mov r1, r10
      add r1, -8
      stxdw [r0+0], r1
    out:
      mov r0, 0
      exit`,
      { name: 'a' },
    );
    const b = `${lookup0(shared)}
      ldxdw r1, [r0+0]
      stdw [r1+0], 0x41
    out:
      mov r0, 0
      exit`;
    if (a < 0) {
      // The verifier refuses to let a stack pointer leak into a map: nothing to attack with.
      expect(verify).toBe(true);
      expectStopped(attack(k, b), verify, ['unmapped', 'foreign_region']);
      return;
    }
    expect(run(k, a).err).toBe(0);
    const saved = new DataView(readElem(k, shared, 0).buffer).getBigUint64(0, true);
    const [stackId] = Memory.split(saved);
    const ob = attack(k, b);
    const f = expectStopped(ob, verify, ['unmapped']);
    if (f !== null) {
      expect(f.address).toBe(saved);
      expect(f.extra.access).toBe('write');
    }
    // A's frame got a new id when B's run started: the saved one names nothing now.
    if ('ran' in ob) expect(k.mem.isMapped(stackId)).toBe(false);
  });

  it('7. a pointer to a deleted hash element faults after a new element (another tenant) takes its slot', () => {
    const k = kernel(verify);
    const h = mkMap(k, { type: BPF_MAP_TYPE.HASH, key: 4, value: 16, max: 8, name: 'tenants' });
    const stash = array64(k, 1, 'stash');
    expect(update(k, h, u32(1), new Uint8Array(16).fill(0x11))).toBe(0);
    // Tenant 1 keeps a pointer to its element.
    const keep = loadProg(
      k,
      `
      stw [r10-4], 1
      lddw r1, map_fd ${h}
      mov r2, r10
      add r2, -4
      call 1
      jeq r0, 0, out
      mov r6, r0
      ${lookup0(stash)}
      stxdw [r0+0], r6
    out:
      mov r0, 0
      exit`,
      { name: 'keep' },
    );
    const use = `${lookup0(stash)}
      ldxdw r1, [r0+0]
      ldxdw r2, [r1+0]
      stdw [r1+0], 0x41
      stxdw [r0+8], r2
    out:
      mov r0, 0
      exit`;
    if (keep < 0) {
      expect(verify).toBe(true);
      expectStopped(attack(k, use), verify, ['unmapped', 'foreign_region']);
      return;
    }
    expect(run(k, keep).err).toBe(0);
    const stale = new DataView(readElem(k, stash, 0).buffer).getBigUint64(0, true);
    const [staleId] = Memory.split(stale);
    expect(k.mem.isMapped(staleId)).toBe(true);
    // The element goes; tenant 2's element comes, and tenant 2's program looks it up.
    expect(del(k, h, u32(1))).toBe(0);
    const secret = victimPattern().subarray(0, 16);
    expect(update(k, h, u32(2), secret)).toBe(0);
    const tenant2 = loadProg(k, 'stw [r10-4], 2\nlddw r1, map_fd ' + h + '\nmov r2, r10\nadd r2, -4\ncall 1\nmov r1, r0\nmov r0, 0\njeq r1, 0, out\nldxb r0, [r1+0]\nout:\nexit', { name: 'tenant2' });
    expect(tenant2).toBeGreaterThan(0);
    expect(run(k, tenant2).retval).toBe(secret[0]);
    expect(k.mem.isMapped(staleId)).toBe(false);
    // Tenant 1 follows its old pointer: the id is stale, whatever now lives in the slot.
    const f = expectStopped(attack(k, use), verify, ['unmapped']);
    if (f !== null) expect(f.address).toBe(stale);
    expect(lookup(k, h, u32(2), 16)).toEqual(secret);
    expectNoVictimBytes(readElem(k, stash, 0));
  });

  it('8. writing a ringbuf record after bpf_ringbuf_submit faults; the consumer reads what was submitted', () => {
    const k = kernel(verify);
    const rb = mkMap(k, { type: BPF_MAP_TYPE.RINGBUF, key: 0, value: 0, max: 4096 });
    const o = attack(
      k,
      `
      lddw r1, map_fd ${rb}
      mov r2, 16
      mov r3, 0
      call 131
      jeq r0, 0, out
      mov r6, r0
      stdw [r6+0], 0x11111111
      stdw [r6+8], 0x11111111
      mov r1, r6
      mov r2, 0
      call 132
      stdw [r6+0], 0x22222222
    out:
      mov r0, 0
      exit`,
    );
    expectStopped(o, verify, ['unmapped']);
    const impl = implOf(kmap(k, rb)) as RingbufMap;
    const records: Uint8Array[] = [];
    impl.consume((d) => {
      records.push(d);
    });
    if ('ran' in o) {
      expect(records).toHaveLength(1);
      expect(new DataView(records[0]!.buffer).getBigUint64(0, true)).toBe(0x11111111n);
    } else expect(records).toHaveLength(0);
  });

  it('9. program B reads zeros, not program A\'s stack left over from the previous run', () => {
    const k = kernel(verify);
    const out = array64(k, 1, 'out');
    let fill = '';
    for (let off = 8; off <= 512; off += 8) fill += `stdw [r10-${off}], 0x5a5a5a5a\n`;
    const a = loadProg(k, `${fill}mov r0, 0\nexit`, { name: 'a' });
    expect(a).toBeGreaterThan(0);
    expect(run(k, a).err).toBe(0);
    let copy = '';
    for (let off = 8; off <= 64; off += 8) copy += `ldxdw r1, [r10-${off}]\nstxdw [r0+${off - 8}], r1\n`;
    const b = `${lookup0(out)}
      ${copy}
    out:
      mov r0, 0
      exit`;
    const o = attack(k, b, undefined, 'b');
    if ('refused' in o) expect(verify).toBe(true); // "invalid read from stack"
    else {
      expect(o.ran.err).toBe(0);
      expect(readElem(k, out, 0)).toEqual(new Uint8Array(64));
    }
    // The same program's next run starts from zeros too.
    const again = loadProg(k, `${lookup0(out)}\nldxdw r1, [r10-8]\nstxdw [r0+0], r1\nstdw [r10-8], 7\nout:\nmov r0, 0\nexit`, { name: 'again' });
    if (again > 0) {
      for (let i = 0; i < 2; i++) {
        expect(run(k, again).err).toBe(0);
        expect(readElem(k, out, 0).subarray(0, 8)).toEqual(new Uint8Array(8));
      }
    } else expect(verify).toBe(true);
  });
});

