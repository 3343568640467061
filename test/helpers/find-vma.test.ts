/**
 * bpf_find_vma (src/helpers/find-vma.ts) at run time through programs/find_vma.bpf.o, against what
 * 6.18 gave (golden/find-vma-live.json, recorded by find-vma-live.c as root): the harness's own
 * addresses (stack, text, heap, an anonymous mapping, the unmapped page after it, a file mapping at
 * offset 4096, page 1, flags 1) and its /proc/self/maps. The golden is first checked against
 * itself (each result is the maps line holding the address), then the emulator, configured with
 * the same mappings through kernel.objects.addVma, must give the same results on every engine. As
 * root the live kernel is run again and checked the same way (skipped visibly elsewhere).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { KObjectError, type KernelObjects } from '../../src/kernel/objects/kobjects.js';
import type { EngineName } from '../../src/vm/run.js';

const OBJ_PATH = new URL('../../programs/find_vma.bpf.o', import.meta.url).pathname;
const OBJ = readFileSync(OBJ_PATH);

interface Probe {
  readonly name: string;
  readonly addr: string;
  readonly flags: number;
  readonly ret: number;
  readonly start: string;
  readonly end: string;
  readonly vmFlags: string;
  readonly pgoff: number;
  readonly hasFile: number;
  readonly calls: number;
  readonly pid: number;
}
interface Live {
  readonly pid: number;
  readonly probes: readonly Probe[];
  readonly maps: readonly string[];
}
const GOLDEN = JSON.parse(readFileSync(new URL('./golden/find-vma-live.json', import.meta.url), 'utf8')) as Live & { kernel: string };

interface MapsLine {
  readonly start: bigint;
  readonly end: bigint;
  readonly perms: string;
  readonly offset: bigint;
  readonly path: string;
}

/** A /proc/PID/maps line: `start-end perms offset dev inode path`. */
function parseMaps(line: string): MapsLine {
  const m = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ \d+\s*(.*)$/.exec(line);
  if (m === null) throw new Error(`not a maps line: ${line}`);
  return { start: BigInt(`0x${m[1]}`), end: BigInt(`0x${m[2]}`), perms: m[3]!, offset: BigInt(`0x${m[4]}`), path: m[5]! };
}

/** VM_READ/WRITE/EXEC/SHARED of maps permissions, computed here from the letters. */
const permBits = (perms: string): bigint => BigInt((perms[0] === 'r' ? 1 : 0) | (perms[1] === 'w' ? 2 : 0) | (perms[2] === 'x' ? 4 : 0) | (perms[3] === 's' ? 8 : 0));

/** The golden (or a live run) checked against its own /proc/self/maps. */
function selfConsistency(live: Live): string[] {
  const maps = live.maps.map(parseMaps);
  const problems: string[] = [];
  for (const p of live.probes) {
    const addr = BigInt(p.addr);
    const line = maps.find((l) => l.start <= addr && addr < l.end);
    if (p.flags !== 0) {
      if (p.ret !== -22 || p.calls !== 0) problems.push(`${p.name}: flags ${p.flags} gave ${p.ret} with ${p.calls} callback calls`);
      continue;
    }
    if (line === undefined) {
      if (p.ret !== -2 || p.calls !== 0) problems.push(`${p.name}: no mapping holds ${p.addr} but the helper gave ${p.ret}`);
      continue;
    }
    if (p.ret !== 0 || p.calls !== 1) problems.push(`${p.name}: ${p.addr} is mapped but the helper gave ${p.ret} (${p.calls} calls)`);
    if (BigInt(p.start) !== line.start || BigInt(p.end) !== line.end) problems.push(`${p.name}: vma ${p.start}-${p.end}, maps line ${line.start.toString(16)}-${line.end.toString(16)}`);
    if ((BigInt(p.vmFlags) & 0xfn) !== permBits(line.perms)) problems.push(`${p.name}: vm_flags ${p.vmFlags} against perms ${line.perms}`);
    if ((p.hasFile === 1) !== line.path.startsWith('/')) problems.push(`${p.name}: vm_file ${p.hasFile} against path '${line.path}'`);
    if (p.hasFile === 1 && BigInt(p.pgoff) * 4096n !== line.offset) problems.push(`${p.name}: vm_pgoff ${p.pgoff} against offset ${line.offset}`);
    if (p.pid !== live.pid) problems.push(`${p.name}: task->pid ${p.pid}, harness pid ${live.pid}`);
  }
  return problems;
}

/** A kernel whose current task is the harness (its pid) with the harness's mappings. */
function emulatedKernel(live: Live, engine: EngineName): Kernel {
  const k = new Kernel({ task: { pid: live.pid, tgid: live.pid, comm: 'find-vma-live' }, engine });
  const ko = k.service<KernelObjects>('kobjects')!;
  for (const l of live.maps.map(parseMaps)) {
    ko.addVma({ start: l.start, end: l.end, perms: l.perms, ...(l.path.startsWith('/') ? { file: l.path, offset: l.offset } : {}) });
  }
  return k;
}

function u64(b: Uint8Array, off: number): bigint {
  return new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);
}

/** Run find_vma_run for `addr`/`flags` and read struct result. */
function emulate(o: BpfObject, addr: bigint, flags: number): Omit<Probe, 'name' | 'addr' | 'flags'> {
  const input = new Uint8Array(16);
  const dv = new DataView(input.buffer);
  dv.setBigUint64(0, addr, true);
  dv.setBigUint64(8, BigInt(flags), true);
  o.map('input').update(new Uint8Array(4), input);
  expect(o.program('find_vma_run').testRun().retval).toBe(0);
  const r = o.map('output').lookup(new Uint8Array(4))!;
  const hex = (x: bigint): string => `0x${x.toString(16)}`;
  const view = new DataView(r.buffer, r.byteOffset);
  return {
    ret: Number(BigInt.asIntN(64, u64(r, 0))),
    start: hex(u64(r, 8)),
    end: hex(u64(r, 16)),
    vmFlags: hex(u64(r, 24)),
    pgoff: Number(u64(r, 32)),
    hasFile: Number(u64(r, 40)),
    calls: view.getUint32(48, true),
    pid: view.getInt32(52, true),
  };
}

/**
 * The emulator against `live`: every field equal but vm_flags (the emulated mapping has the
 * permission bits only: compared with the live value's low four bits) and the stack's vm_pgoff
 * (a stack grown downwards keeps its first page's pgoff, which /proc/self/maps does not show).
 */
function compareEmulator(live: Live, engine: EngineName): string[] {
  const o = BpfObject.open(OBJ, { kernel: emulatedKernel(live, engine) });
  o.load();
  const problems: string[] = [];
  for (const p of live.probes) {
    const e = emulate(o, BigInt(p.addr), p.flags);
    const want = { ...p, vmFlags: `0x${(BigInt(p.vmFlags) & 0xfn).toString(16)}`, pgoff: p.name === 'stack' ? e.pgoff : p.pgoff };
    const got = { name: p.name, addr: p.addr, flags: p.flags, ...e };
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${p.name}: emulator ${JSON.stringify(e)}, kernel ${JSON.stringify(p)}`);
  }
  o.close();
  return problems;
}

describe('bpf_find_vma against 6.18 (golden/find-vma-live.json)', () => {
  it('the golden is consistent with its own /proc/self/maps (found: the line holding the address; else -ENOENT; flags 1: -EINVAL)', () => {
    expect(selfConsistency(GOLDEN)).toEqual([]);
    expect(GOLDEN.probes.map((p) => [p.name, p.ret])).toEqual([['stack', 0], ['text', 0], ['heap', 0], ['anon', 0], ['hole', -2], ['file', 0], ['page1', -2], ['flags', -22]]);
  });
  for (const engine of ['fast', 'reference', 'js'] as EngineName[]) {
    it(`${engine}: the emulator with the same mappings gives the kernel's results`, () => {
      expect(compareEmulator(GOLDEN, engine)).toEqual([]);
    });
  }
});

describe('bpf_find_vma: emulator-only cases', () => {
  it('a task without an mm (an added task) gives -ENOENT without calling back; a task with no mappings too', () => {
    const k = new Kernel({ task: { pid: 100, tgid: 100, comm: 'x' } });
    const ko = k.service<KernelObjects>('kobjects')!;
    const added = ko.addTask({ pid: 200, comm: 'other' });
    expect(ko.findVma(added.pointer, 0x1000n)).toBe('no_mm');
    expect(ko.findVma(ko.currentTask().pointer, 0x1000n)).toBe('none');
    expect(ko.findVma(ko.currentTask().get('mm'), 0x1000n)).toBeUndefined();
    const o = BpfObject.open(OBJ, { kernel: k });
    o.load();
    expect(emulate(o, 0x1000n, 0)).toMatchObject({ ret: -2, calls: 0 });
  });

  it('the mapping boundaries: start is inside, end is not; the next mapping starts there', () => {
    const k = new Kernel({ task: { pid: 7, tgid: 7, comm: 'b' } });
    const ko = k.service<KernelObjects>('kobjects')!;
    ko.addVma({ start: 0x2000, end: 0x4000, perms: 'rw-s' });
    ko.addVma({ start: 0x4000, end: 0x5000, flags: 0x75, file: '/bin/true', offset: 0x3000 });
    const o = BpfObject.open(OBJ, { kernel: k });
    o.load();
    expect(emulate(o, 0x1fffn, 0)).toMatchObject({ ret: -2, calls: 0 });
    expect(emulate(o, 0x2000n, 0)).toMatchObject({ ret: 0, start: '0x2000', end: '0x4000', vmFlags: '0xb', pgoff: 2, hasFile: 0, calls: 1, pid: 7 });
    expect(emulate(o, 0x3fffn, 0)).toMatchObject({ ret: 0, start: '0x2000', end: '0x4000' });
    expect(emulate(o, 0x4000n, 0)).toMatchObject({ ret: 0, start: '0x4000', end: '0x5000', vmFlags: '0x75', pgoff: 3, hasFile: 1 });
    expect(emulate(o, 0x5000n, 0)).toMatchObject({ ret: -2, calls: 0 });
    expect(emulate(o, 0x2000n, 2)).toMatchObject({ ret: -22, calls: 0 });
    expect(k.service<KernelObjects>('kobjects')!.currentTask().get('mm')).not.toBe(0n);
  });

  it('bad mappings are refused with typed errors naming the problem', () => {
    const ko = new Kernel().service<KernelObjects>('kobjects')!;
    ko.addVma({ start: 0x10000, end: 0x12000, perms: 'r--p' });
    const bad: [Parameters<KernelObjects['addVma']>[0], RegExp][] = [
      [{ start: 0x1001, end: 0x2000 }, /not page-aligned/],
      [{ start: 0x3000, end: 0x3000 }, /empty/],
      [{ start: 0x11000, end: 0x13000 }, /overlaps the mapping 0x10000-0x12000/],
      [{ start: 0x20000, end: 0x21000, perms: 'rwx' }, /perms 'rwx'/],
      [{ start: 0x20000, end: 0x21000, perms: 'r--p', flags: 1 }, /perms or flags, not both/],
      [{ start: 0x20000, end: 0x21000, offset: 5 }, /offset 0x5 is not page-aligned/],
      [{ start: -4096, end: 0x1000 }, /not a u64/],
      [{ start: 0x20000, end: 0x21000, file: 'rel/path' }, /not an absolute path/],
    ];
    for (const [spec, msg] of bad) {
      let err: unknown;
      try {
        ko.addVma(spec);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KObjectError);
      expect((err as KObjectError).code).toBe('KOBJ_BAD_VALUE');
      expect((err as Error).message).toMatch(msg);
    }
    expect(ko.vmas()).toHaveLength(1);
  });
});

function liveRunner(): string | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'find-vma-live-'));
    const bin = join(dir, 'find-vma-live');
    execFileSync('cc', ['-O2', new URL('./find-vma-live.c', import.meta.url).pathname, '-lbpf', '-o', bin], { stdio: 'pipe' });
    return bin;
  } catch {
    return null;
  }
}
const BIN = liveRunner();
describe.skipIf(BIN === null)(`bpf_find_vma: the live kernel again${BIN === null ? ' (SKIPPED: needs root, cc and libbpf-dev)' : ''}`, () => {
  it('a fresh run is consistent with its maps, gives the golden results per probe, and the emulator matches it', () => {
    const live = JSON.parse(execFileSync(BIN!, [OBJ_PATH], { encoding: 'utf8' })) as Live;
    expect(selfConsistency(live)).toEqual([]);
    expect(live.probes.map((p) => [p.name, p.ret, p.calls])).toEqual(GOLDEN.probes.map((p) => [p.name, p.ret, p.calls]));
    expect(compareEmulator(live, 'fast')).toEqual([]);
  });
});
