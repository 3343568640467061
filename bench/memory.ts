/**
 * Memory and load-time measurements of the bench:
 *
 * - bytes allocated per run: with `node --expose-gc`, force a full GC, note heapUsed + arrayBuffers
 *   (JS heap plus ArrayBuffer backing stores, which live outside it), make N calls, note them again.
 *   Without a GC in between the difference is what the calls allocated (garbage included). A
 *   PerformanceObserver watches for 'gc' entries: if a collection ran during the N calls the sample
 *   is discarded and retried with N / 4. The least of three clean samples is reported. Requires the
 *   case to be warm (JIT-compiled) already.
 * - peak memory of a 1-million-entry HASH map (u32 key, u64 value), created and filled through the
 *   user API (BPF_MAP_CREATE + 2^20 BPF_MAP_UPDATE_ELEM calls of kernel.bpf()), measured in a fresh
 *   child process so nothing else is on its heap: maxRSS, and heapUsed + arrayBuffers growth.
 * - object load time per fixture: `BpfObject.open` (ELF/BTF parse, subprogram linking, CO-RE) and
 *   `load()` (instantiate in an emulated kernel: BTF_LOAD, MAP_CREATE, PROG_LOAD with decoding);
 *   cold = the first load in a fresh process, warm = median of later loads.
 */
import { VerifierError } from '../src/verifier/api.js';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { BpfObject } from '../src/api/object.js';
import { Kernel } from '../src/kernel/kernel.js';
import { Cmd } from '../src/kernel/syscall/uapi.js';
import { BPF_MAP_TYPE } from '../src/maps/uapi.js';
import { messageOf } from '../src/util/errors.js';
import { BenchError, type PreparedCase } from './harness.js';
import { fixtureBytes, programsDir } from './objects.js';

type Gc = () => void;

function gcFn(): Gc | undefined {
  const g = (globalThis as { gc?: unknown }).gc;
  return typeof g === 'function' ? (g as Gc) : undefined;
}

/** Whether allocations can be measured (node was started with --expose-gc). */
export function canMeasureAllocation(): boolean {
  return gcFn() !== undefined;
}

function heapBytes(): number {
  const u = process.memoryUsage();
  return u.heapUsed + u.arrayBuffers;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Bytes allocated per program run of a warm case, or null without --expose-gc or when every sample saw a GC. */
export async function bytesPerRun(p: PreparedCase, maxCalls: number): Promise<number | null> {
  const gc = gcFn();
  if (gc === undefined) return null;
  // Start times of the collections seen (the forced one before each sample included).
  const seen: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) seen.push(e.startTime);
  });
  obs.observe({ entryTypes: ['gc'] });
  const good: number[] = [];
  try {
    for (let calls = Math.max(1, maxCalls), tries = 0; calls >= 1 && good.length < 3 && tries < 12; tries++) {
      gc();
      await tick();
      const t0 = performance.now();
      const before = heapBytes();
      for (let i = 0; i < calls; i++) p.call();
      const after = heapBytes();
      const t1 = performance.now();
      await tick();
      await tick();
      if (!seen.some((t) => t >= t0 && t <= t1)) good.push(Math.max(0, after - before) / (calls * p.runsPerCall));
      else calls = Math.floor(calls / 4);
    }
    // The least of three GC-free samples: one-off allocations (optimised code, lazily built
    // tables) land in some samples only, what every run allocates lands in all of them.
    return good.length === 0 ? null : Math.min(...good);
  } finally {
    obs.disconnect();
  }
}

// ---- 1M-entry hash map ---------------------------------------------------------------------------------

/** What the 1M-entry hash map costs. */
export interface HashMapMemory {
  readonly entries: number;
  /** How the map was filled. */
  readonly filledVia: string;
  /** Process peak resident set (child process, MiB). */
  readonly peakRssMiB: number;
  /** Growth of heapUsed + arrayBuffers from before create to after fill (after a GC, MiB). */
  readonly heapGrowthMiB: number;
  readonly bytesPerEntry: number;
  /** Wall time of the fill, ns per BPF_MAP_UPDATE_ELEM. */
  readonly nsPerUpdate: number;
}

/** In the child process: create and fill the map, print a HashMapMemory as JSON. */
export function hashMapChild(entries: number): HashMapMemory {
  const gc = gcFn();
  gc?.();
  const base = heapBytes();
  const k = new Kernel();
  const fd = k.bpf(Cmd.MAP_CREATE, { map_type: BPF_MAP_TYPE.HASH, key_size: 4, value_size: 8, max_entries: entries, map_name: 'big' });
  if (fd < 0) throw new BenchError('SETUP', `hash map: MAP_CREATE: ${fd}`);
  const key = new Uint8Array(4);
  const value = new Uint8Array(8);
  const kv = new DataView(key.buffer);
  const vv = new DataView(value.buffer);
  const attr = { map_fd: fd, key, value, flags: 0 };
  const t0 = performance.now();
  for (let i = 0; i < entries; i++) {
    kv.setUint32(0, i, true);
    vv.setUint32(0, i * 3, true);
    const err = k.bpf(Cmd.MAP_UPDATE_ELEM, attr);
    if (err < 0) throw new BenchError('SETUP', `hash map: update ${i}: ${err}`);
  }
  const t1 = performance.now();
  // Spot-check the contents so a broken fill cannot pass for a cheap one.
  const out = new Uint8Array(8);
  kv.setUint32(0, entries - 1, true);
  if (k.bpf(Cmd.MAP_LOOKUP_ELEM, { map_fd: fd, key, value: out }) !== 0 || new DataView(out.buffer).getUint32(0, true) !== ((entries - 1) * 3) >>> 0) {
    throw new BenchError('WRONG_RESULT', 'hash map: last entry missing after the fill');
  }
  gc?.();
  const growth = heapBytes() - base;
  return {
    entries,
    filledVia: 'user API: kernel.bpf(BPF_MAP_UPDATE_ELEM) per entry',
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    heapGrowthMiB: growth / (1 << 20),
    bytesPerEntry: growth / entries,
    nsPerUpdate: ((t1 - t0) * 1e6) / entries,
  };
}

/** Run {@link hashMapChild} in a fresh `node --expose-gc` process (`script` is bench main). */
export function hashMapMemory(script: string, entries: number): HashMapMemory | { skipped: string } {
  try {
    const out = execFileSync(process.execPath, ['--expose-gc', script, '--child', `hashmap:${entries}`], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out) as HashMapMemory;
  } catch (e) {
    return { skipped: messageOf(e) };
  }
}

// ---- load time -----------------------------------------------------------------------------------------

/** Load time of one fixture, ms. */
export interface LoadTime {
  readonly fixture: string;
  readonly bytes: number;
  /** BpfObject.open: parse + link + CO-RE (median of warm runs). */
  readonly openMs: number;
  /** load(): instantiate in a fresh kernel (median of warm runs). */
  readonly loadMs: number;
  /** The verifier's time over every program of the fixture (each loaded alone; median of 5). */
  readonly verifyMs: number;
  readonly totalMs: number;
  /** Set when the fixture does not load with the bench's default kernel options. */
  readonly error?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** The fixture names (programs/*.bpf.o), largest file first. */
export function fixtureNames(): string[] {
  const dir = programsDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.bpf.o'))
    .map((f) => ({ name: f.slice(0, -'.bpf.o'.length), size: statSync(join(dir, f)).size }))
    .sort((a, b) => b.size - a.size || a.name.localeCompare(b.name))
    .map((f) => f.name);
}

/** One open + load of a fixture in a fresh kernel (testmod on, so struct_ops fixtures load too). */
export function loadOnce(name: string, bytes: Uint8Array): { openMs: number; loadMs: number } {
  const kernel = new Kernel({ testmod: true });
  const t0 = performance.now();
  const obj = BpfObject.open(bytes, { kernel, name, kconfig: { CONFIG_BPF_SYSCALL: 'y', CONFIG_HZ: 250 } });
  const t1 = performance.now();
  obj.load();
  const t2 = performance.now();
  obj.close();
  return { openMs: t1 - t0, loadMs: t2 - t1 };
}

/**
 * The verifier's own time for every program of a fixture (each loaded on its own, refused ones
 * included), in ms: the sum over the programs, from the verifier's statistics.
 */
export function verifyMsOnce(name: string, bytes: Uint8Array): number {
  let us = 0;
  const names = BpfObject.open(bytes, { kernel: new Kernel({ testmod: true }), name }).programs.map((p) => p.name);
  for (const prog of names) {
    const obj = BpfObject.open(bytes, { kernel: new Kernel({ testmod: true }), name, kconfig: { CONFIG_BPF_SYSCALL: 'y', CONFIG_HZ: 250 } });
    for (const p of obj.programs) p.autoload = p.name === prog;
    try {
      obj.load();
      us += obj.program(prog).verifierStats?.timeUs ?? 0;
    } catch (e) {
      const c = e instanceof Error ? e.cause : undefined;
      if (c instanceof VerifierError) us += c.stats.timeUs;
    } finally {
      obj.close();
    }
  }
  return us / 1000;
}

/** Warm load times of every fixture: one untimed load, then the median of `n`. */
export function loadTimes(n: number): LoadTime[] {
  return fixtureNames().map((name) => {
    const bytes = fixtureBytes(name);
    verifyMsOnce(name, bytes);
    const verifyMs = median(Array.from({ length: 5 }, () => verifyMsOnce(name, bytes)));
    try {
      loadOnce(name, bytes);
      const runs = Array.from({ length: n }, () => loadOnce(name, bytes));
      const openMs = median(runs.map((r) => r.openMs));
      const loadMs = median(runs.map((r) => r.loadMs));
      return { fixture: name, bytes: bytes.length, openMs, loadMs, totalMs: median(runs.map((r) => r.openMs + r.loadMs)), verifyMs };
    } catch (e) {
      return { fixture: name, bytes: bytes.length, openMs: 0, loadMs: 0, totalMs: 0, verifyMs, error: messageOf(e).split('\n')[0]! };
    }
  });
}

/** The first load of `fixture` in a fresh process (nothing JIT-compiled yet), ms. */
export function coldLoad(script: string, fixture: string): { openMs: number; loadMs: number } | { skipped: string } {
  try {
    return JSON.parse(execFileSync(process.execPath, [script, '--child', `load:${fixture}`], { encoding: 'utf8' })) as { openMs: number; loadMs: number };
  } catch (e) {
    return { skipped: messageOf(e) };
  }
}
