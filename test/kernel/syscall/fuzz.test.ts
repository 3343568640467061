/**
 * Robustness of the bpf() layer (src/kernel/syscall/commands.ts and the cmd-*.ts handlers): seeded random
 * attributes for every command, shaped by the command's layout so they get past CHECK_ATTR and
 * reach the handlers' deeper checks. Every call must return a number (an fd, 0 or -errno) — never
 * throw — and afterwards the kernel must still work and, once every fd is closed, hold no objects.
 */
import { describe, expect, it } from 'vitest';
import { assembleBytes } from '../../../src/isa/asm.js';
import { ATTR_SIZE, CMD_LAYOUTS } from '../../../src/kernel/syscall/attr.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { BPF_MAP_TYPE } from '../../../src/maps/uapi.js';
import { Cmd, ProgType, createStructOpsMap, loadUserBtf } from '../harness.js';

/** xorshift32: reproducible per seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 16, 64, 255, 4096, 65535, 0x7fffffff, 0x80000000, 0xffffffff];

/** Objects to aim fds and pointers at. */
interface Pool {
  fds: number[];
  addrs: number[];
  /** Instruction count and address of a valid program, a license string and a 64-byte frame. */
  progLen: number;
  prog: number;
  license: number;
  frame: number;
}

function seedPool(k: Kernel): Pool {
  const fds: number[] = [];
  const mk = (type: number, key: number, value: number, max: number, flags = 0): void => {
    const fd = k.bpf(Cmd.MAP_CREATE, { map_type: type, key_size: key, value_size: value, max_entries: max, map_flags: flags });
    if (fd >= 0) fds.push(fd);
  };
  mk(BPF_MAP_TYPE.ARRAY, 4, 8, 4);
  mk(BPF_MAP_TYPE.HASH, 4, 8, 16);
  mk(BPF_MAP_TYPE.PERCPU_ARRAY, 4, 8, 2);
  mk(BPF_MAP_TYPE.QUEUE, 0, 4, 8);
  mk(BPF_MAP_TYPE.LPM_TRIE, 8, 4, 8, 1);
  mk(BPF_MAP_TYPE.RINGBUF, 0, 0, 4096);
  mk(BPF_MAP_TYPE.PROG_ARRAY, 4, 4, 4);
  for (const [type, text] of [
    [ProgType.SOCKET_FILTER, 'mov r0, 1\nexit'],
    [ProgType.XDP, 'mov r0, 2\nexit'],
    [ProgType.SYSCALL, 'ldxw r0, [r1+0]\nexit'],
  ] as const) {
    const insns = assembleBytes(text);
    const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: type, insn_cnt: insns.length / 8, insns, license: 'GPL' });
    if (fd >= 0) fds.push(fd);
  }
  const btf = loadUserBtf(k);
  if (btf >= 0) fds.push(btf);
  const st = createStructOpsMap(k, 'bpf_testmod_multi_st_ops', { btfFd: btf });
  if (st >= 0) fds.push(st);
  // User buffers: zeroed ones of several sizes, a valid program (r0 = *(u32 *)(r1 + 0) would fault
  // on most contexts, so it returns a constant), a license string and a 64-byte frame.
  const prog = assembleBytes('mov r0, 2\nmov r2, r1\nexit');
  const frame = new Uint8Array(64);
  frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0, 0x45]);
  const progAddr = k.user.alloc(prog);
  const license = k.user.alloc(new TextEncoder().encode('GPL\0'));
  const frameAddr = k.user.alloc(frame);
  // And random bytes: as instructions, BTF, keys, anything a pointer field may get.
  let x = 0x9e3779b9;
  const noise = Uint8Array.from({ length: 256 }, () => ((x = (x * 1103515245 + 12345) >>> 0), x >>> 24));
  const addrs = [0, 1, 0x10, ...[8, 16, 64, 168, 512, 4096].map((n) => k.user.alloc(n)), progAddr, license, frameAddr, k.user.alloc(noise)];
  return { fds, addrs, progLen: prog.length / 8, prog: progAddr, license, frame: frameAddr };
}

/** A value for field `name` of kind u32: an fd, a small size, an enum value or an edge value. */
function fieldValue(next: () => number, name: string, pool: Pool): number {
  const r = next() % 8;
  if (r === 0) return INTERESTING[next() % INTERESTING.length]!;
  if (name.endsWith('_fd') || name === 'map_fd' || name === 'prog_fd' || name === 'target_fd') return pool.fds[next() % pool.fds.length]!;
  if (name === 'map_type' || name === 'prog_type') return next() % 36;
  if (name === 'attach_type' || name === 'expected_attach_type') return next() % 60;
  if (name === 'insn_cnt') return pool.progLen;
  if (name.includes('size') || name === 'count' || name === 'max_entries' || name.endsWith('_cnt') || name === 'repeat') return [0, 1, 4, 8, 14, 16, 64, 128, 4096][next() % 9]!;
  if (name.includes('flags')) return [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 1 << 13][next() % 12]!;
  if (name.endsWith('_id')) return next() % 64;
  return next() % 16;
}

/** Valid-looking starting points for the commands with many fields (values by field name). */
function templates(pool: Pool): ReadonlyMap<number, Record<string, number>> {
  const fd = (i: number): number => pool.fds[i % pool.fds.length]!;
  return new Map<number, Record<string, number>>([
    [Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.HASH, key_size: 4, value_size: 8, max_entries: 16 }],
    [Cmd.PROG_LOAD, { prog_type: ProgType.SOCKET_FILTER, insn_cnt: pool.progLen, insns: pool.prog, license: pool.license }],
    [Cmd.PROG_TEST_RUN, { prog_fd: fd(7), data_in: pool.frame, data_size_in: 64, repeat: 2 }],
    [Cmd.MAP_UPDATE_ELEM, { map_fd: fd(1), key: pool.addrs[4]!, value: pool.addrs[5]! }],
    [Cmd.MAP_LOOKUP_BATCH, { map_fd: fd(1), keys: pool.addrs[8]!, values: pool.addrs[8]!, count: 4 }],
    [Cmd.LINK_CREATE, { prog_fd: fd(8), target_fd: 1, attach_type: 37 }],
    [Cmd.PROG_ASSOC_STRUCT_OPS, { map_fd: fd(pool.fds.length - 1), prog_fd: fd(9) }],
  ]);
}

/**
 * Random attribute bytes for `cmd`: from a template or from zeros, with a few fields set to an fd,
 * a pointer or a plausible value (or cleared), and now and then noise or a stray tail byte.
 */
function randomAttr(next: () => number, cmd: number, pool: Pool): Uint8Array {
  const b = new Uint8Array(ATTR_SIZE);
  const dv = new DataView(b.buffer);
  const layout = CMD_LAYOUTS.get(cmd);
  if (layout === undefined || next() % 16 === 0) {
    // Unknown command or noise: a few random bytes anywhere.
    for (let i = 0; i < 1 + (next() % 8); i++) b[next() % ATTR_SIZE] = next() & 0xff;
    return b;
  }
  const set = (name: string, v: number): void => {
    const f = layout.fields.find((x) => x.name === name);
    if (f === undefined) return;
    if (f.kind === 'ptr' || f.kind === 'u64') dv.setBigUint64(f.off, BigInt(v), true);
    else if (f.kind !== 'name') dv.setUint32(f.off, v >>> 0, true);
  };
  const t = templates(pool).get(cmd);
  if (t !== undefined && next() % 4 !== 0) for (const [name, v] of Object.entries(t)) set(name, v);
  const changes = 1 + (next() % 4);
  for (let c = 0; c < changes; c++) {
    const f = layout.fields[next() % layout.fields.length]!;
    if (next() % 5 === 0) {
      b.fill(0, f.off, f.off + (f.kind === 'name' ? 16 : f.kind === 'u32' || f.kind === 's32' ? 4 : 8));
      continue;
    }
    switch (f.kind) {
      case 'ptr':
        dv.setBigUint64(f.off, BigInt(pool.addrs[next() % pool.addrs.length]! + (next() % 8 === 0 ? next() % 16 : 0)), true);
        break;
      case 'name':
        b.set(new TextEncoder().encode(['', 'm', 'a_name_of_15chr', 'x'.repeat(16), 'bad-char'][next() % 5]!), f.off);
        break;
      case 'u64':
        dv.setBigUint64(f.off, BigInt(INTERESTING[next() % INTERESTING.length]!), true);
        break;
      default:
        dv.setUint32(f.off, fieldValue(next, f.name, pool) >>> 0, true);
    }
  }
  // Now and then a stray byte past the command's last field (CHECK_ATTR).
  if (next() % 10 === 0 && layout.lastEnd < ATTR_SIZE) b[layout.lastEnd + (next() % (ATTR_SIZE - layout.lastEnd))] = 1;
  return b;
}

const CMDS = Object.values(Cmd);

describe('bpf() under random attributes', () => {
  it.each(Array.from({ length: 24 }, (_, i) => i + 1))('seed %i: 5,000 calls return numbers, the kernel keeps working and leaks nothing', (seed) => {
    // A short test-run time limit: random `repeat` values reach 2^32 - 1 (EINTR, as on a signal).
    const k = new Kernel({ testmod: true, testRunTimeoutMs: 20 });
    const next = rng(seed * 7919);
    const pool = seedPool(k);
    const made: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const cmd = next() % 5 === 0 ? next() % 48 : CMDS[next() % CMDS.length]!;
      const attr = randomAttr(next, cmd, pool);
      let r: number;
      try {
        r = k.bpf(cmd, attr);
      } catch (e) {
        throw new Error(`seed ${seed} call ${i}: bpf(${cmd}) threw ${String(e)} for attr ${Buffer.from(attr).toString('hex')}`);
      }
      expect(Number.isInteger(r), `seed ${seed} call ${i}: bpf(${cmd}) returned ${r}`).toBe(true);
      // New fds from the commands that create objects join the pool (and are closed at the end).
      if (r > 2 && k.fds.get(r) !== undefined && !pool.fds.includes(r)) {
        made.push(r);
        if (pool.fds.length < 40) pool.fds.push(r);
      }
      if (next() % 50 === 0 && made.length > 0) {
        const fd = made.splice(next() % made.length, 1)[0]!;
        k.close(fd);
        const at = pool.fds.indexOf(fd);
        if (at >= 0) pool.fds.splice(at, 1);
      }
    }
    // Still a working kernel.
    const fd = k.bpf(Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.ARRAY, key_size: 4, value_size: 4, max_entries: 1 });
    expect(fd).toBeGreaterThan(2);
    const value = new Uint8Array([1, 2, 3, 4]);
    expect(k.bpf(Cmd.MAP_UPDATE_ELEM, { map_fd: fd, key: new Uint8Array(4), value })).toBe(0);
    const out = new Uint8Array(4);
    expect(k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: fd, key: new Uint8Array(4), value: out })).toBe(0);
    expect(out).toEqual(value);
    // Closing every fd frees every object: no reference was leaked by a failed or odd call.
    for (let f = 3; f < 1024; f++) if (k.fds.get(f) !== undefined) k.close(f);
    k.advance(0);
    expect(k.mapIds.nextAfter(0), 'a map outlived every fd').toBeUndefined();
    expect(k.progIds.nextAfter(0), 'a program outlived every fd').toBeUndefined();
    expect(k.linkIds.nextAfter(0), 'a link outlived every fd').toBeUndefined();
  });
});
