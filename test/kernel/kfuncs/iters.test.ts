/**
 * The task, css and css_task iterators (src/kernel/kfuncs/iter-task.ts, iter-css.ts) end to end
 * through programs/iters_kern.bpf.o's rt_* programs, on the same set of tasks and cgroups as the
 * live kernel: cgroups B, B/a, B/a/x, B/a/y, B/b under the root; process P1 with three more
 * threads and process P2, moved into B/a in that order.
 *
 * 1. Against 6.18 (golden/iters-runs.json, recorded by test/kernel/kfuncs/iters-live.c): each
 *    case's new() return value, element count (where it does not depend on the machine's other
 *    tasks), first element and recorded elements, as symbols (P1, P1.t2, idle for pid 0, B, a,
 *    root, ...), on three engines. As root the live kernel is checked against the golden too
 *    (skipped visibly elsewhere); `UPDATE_GOLDEN=1` as root rewrites the golden.
 * 2. Against an independent model: random cgroup trees and task sets, walked by the programs and
 *    by a recursive pre-/post-order, ancestor chain and thread-group listing written here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import { parseBtf } from '../../../src/btf/parse.js';
import type { Btf } from '../../../src/btf/btf.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { cgroupObjectsOf } from '../../../src/kernel/objects/cgroup-objects.js';
import type { KernelObjects } from '../../../src/kernel/objects/kobjects.js';
import { cgroupsOf, type Cgroup } from '../../../src/maps/cgroups.js';
import type { EngineName } from '../../../src/vm/run.js';

const OBJ_PATH = new URL('../../../programs/iters_kern.bpf.o', import.meta.url).pathname;
const OBJ = readFileSync(OBJ_PATH);
const GOLDEN_PATH = new URL('./golden/iters-runs.json', import.meta.url).pathname;
const ENGINES: EngineName[] = ['fast', 'reference', 'js'];
const RT_MAX = 64;

/** NAME, program, task symbol (0: NULL), flags, cgroup symbol, filter (a thread group's symbol or 0). */
type Case = readonly [string, 'rt_task' | 'rt_css' | 'rt_css_task', string, number, string, string];
const CASES: readonly Case[] = [
  ['task-all-procs', 'rt_task', '0', 0, '0', 'P1'],
  ['task-all-threads', 'rt_task', '0', 1, '0', 'P1'],
  ['task-proc-threads', 'rt_task', 'P1', 2, '0', '0'],
  ['task-proc-threads-from-t2', 'rt_task', 'P1.t2', 2, '0', '0'],
  ['task-proc-threads-single', 'rt_task', 'P2', 2, '0', '0'],
  ['task-proc-threads-null', 'rt_task', '0', 2, '0', '0'],
  ['task-flags-3', 'rt_task', '0', 3, '0', '0'],
  ['task-all-procs-task-ignored', 'rt_task', 'P1', 0, '0', 'P1'],
  ['task-all-threads-task-ignored', 'rt_task', 'P2', 1, '0', 'P2'],
  ['css-pre', 'rt_css', '0', 2, 'B', '0'],
  ['css-post', 'rt_css', '0', 3, 'B', '0'],
  ['css-pre-leaf', 'rt_css', '0', 2, 'y', '0'],
  ['css-post-a', 'rt_css', '0', 3, 'a', '0'],
  ['css-up', 'rt_css', '0', 4, 'x', '0'],
  ['css-up-root', 'rt_css', '0', 4, 'root', '0'],
  ['css-flags-0', 'rt_css', '0', 0, 'a', '0'],
  ['css-self-only', 'rt_css', '0', 1, 'a', '0'],
  ['css-flags-5', 'rt_css', '0', 5, 'a', '0'],
  ['css-task-procs', 'rt_css_task', '0', 1, 'a', '0'],
  ['css-task-all', 'rt_css_task', '0', 0, 'a', '0'],
  ['css-task-procs-threaded', 'rt_css_task', '0', 3, 'a', '0'],
  ['css-task-threaded', 'rt_css_task', '0', 2, 'a', '0'],
  ['css-task-flags-4', 'rt_css_task', '0', 4, 'a', '0'],
  ['css-task-empty', 'rt_css_task', '0', 1, 'x', '0'],
  ['css-task-parent', 'rt_css_task', '0', 1, 'B', '0'],
];

/** One run as symbols: retval, new()'s return, the count (when machine-independent), the first element and the recorded ones. */
interface Run {
  readonly retval: number;
  readonly ret: number;
  readonly n?: number;
  readonly first: string;
  readonly seq: readonly string[];
}

/** Raw numbers of a run (what iters-live.c prints). */
interface Raw {
  readonly retval: number;
  readonly ret: number;
  readonly n: number;
  readonly first: number;
  readonly vals: readonly (readonly [bigint, number])[];
}

/** Turn a raw run into symbols with the task and cgroup tables of the kernel it ran on. */
function symbolic(c: Case, raw: Raw, tasks: ReadonlyMap<number, string>, cgs: ReadonlyMap<bigint, string>): Run {
  const task = (pid: number): string => (pid === 0 ? 'idle' : pid === -1 ? 'none' : (tasks.get(pid) ?? 'other'));
  const seq = raw.vals.map(([a, b]) => (c[1] === 'rt_css' ? `${cgs.get(a) ?? 'other'}/${b}` : `${task(Number(a))}/${task(b)}`));
  // ALL_PROCS / ALL_THREADS see every task of the machine: their count is not part of the golden
  const machineDependent = c[1] === 'rt_task' && c[3] !== 2 && raw.ret === 0;
  return { retval: raw.retval, ret: raw.ret, ...(machineDependent ? {} : { n: raw.n }), first: c[1] === 'rt_css' ? (raw.first === -1 ? 'none' : 'other') : task(raw.first), seq };
}

/** struct rt_args. */
function args(pid: number, flags: number, cgid: bigint, filter: number): Uint8Array {
  const b = new Uint8Array(24);
  const d = new DataView(b.buffer);
  d.setInt32(0, pid, true);
  d.setUint32(4, flags, true);
  d.setBigUint64(8, cgid, true);
  d.setInt32(16, filter, true);
  return b;
}

/** struct rt_out read back from map rt_out. */
function rawOf(retval: number, v: Uint8Array, css: boolean): Raw {
  const d = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const kept = Math.min(d.getUint32(16, true), RT_MAX);
  const vals: [bigint, number][] = [];
  for (let i = 0; i < kept; i++) {
    if (css) vals.push([d.getBigUint64(24 + 8 * RT_MAX + 8 * i, true), d.getInt32(24 + 16 * RT_MAX + 4 * i, true)]);
    else vals.push([BigInt(d.getInt32(24 + 4 * i, true)), d.getInt32(24 + 4 * RT_MAX + 4 * i, true)]);
  }
  return { retval, ret: Number(d.getBigInt64(0, true)), n: d.getUint32(8, true), first: d.getInt32(12, true), vals };
}

/** An emulated kernel with the set, and the object loaded into it. */
function emulated(engine: EngineName): { o: BpfObject; tasks: Map<string, number>; cgs: Map<string, Cgroup> } {
  const k = new Kernel({ engine, task: { pid: 4242, tgid: 4242, comm: 'runner' } });
  const ko = k.service<KernelObjects>('kobjects')!;
  const tree = cgroupsOf(k);
  const B = tree.mkdir(tree.root, 'B');
  const a = tree.mkdir(B, 'a');
  const cgs = new Map<string, Cgroup>([['root', tree.root], ['B', B], ['a', a], ['x', tree.mkdir(a, 'x')], ['y', tree.mkdir(a, 'y')], ['b', tree.mkdir(B, 'b')]]);
  const tasks = new Map<string, number>([['P1', 700], ['P1.t1', 701], ['P1.t2', 702], ['P1.t3', 703], ['P2', 704]]);
  for (const [, pid] of tasks) ko.addTask({ pid, tgid: pid <= 703 ? 700 : pid, comm: 'iters' });
  cgroupObjectsOf(k).moveProcess(700, a);
  cgroupObjectsOf(k).moveProcess(704, a);
  const o = BpfObject.open(OBJ, { kernel: k });
  for (const p of o.programs) p.autoload = p.name.startsWith('rt_');
  o.load();
  return { o, tasks, cgs };
}

function runEmulated(engine: EngineName): Record<string, Run> {
  const { o, tasks, cgs } = emulated(engine);
  const sym = (s: string): number => (s === '0' ? 0 : tasks.get(s)!);
  const out: Record<string, Run> = {};
  const byPid = new Map([...tasks].map(([s, p]) => [p, s]));
  const byId = new Map([...cgs].map(([s, c]) => [c.id, s]));
  for (const c of CASES) {
    const [name, prog, pid, flags, cg, filter] = c;
    const r = o.program(prog).testRun({ ctxIn: args(sym(pid), flags, cg === '0' ? 0n : cgs.get(cg)!.id, sym(filter)) });
    const v = o.map('rt_out').lookup(new Uint8Array(4))!;
    out[name] = symbolic(c, rawOf(r.retval, v, prog === 'rt_css'), byPid, byId);
  }
  return out;
}

const GOLDEN = JSON.parse(readFileSync(GOLDEN_PATH, 'utf8')) as { kernel: string; runs: Record<string, Run> };

describe('open-coded kernel-object iterators: run-time results against 6.18', () => {
  for (const engine of ENGINES) {
    it(`${engine}: every case gives what the kernel gave`, () => {
      expect(runEmulated(engine)).toEqual(GOLDEN.runs);
    });
  }
  it('the golden says what task_iter.c and cgroup_iter.c do (bad flags -EINVAL, idle first, threads after their leader)', () => {
    const g = GOLDEN.runs;
    for (const n of ['task-proc-threads-null', 'task-flags-3', 'css-flags-0', 'css-self-only', 'css-flags-5', 'css-task-threaded', 'css-task-flags-4']) expect(g[n]).toMatchObject({ ret: -22, n: 0, seq: [] });
    expect(g['task-all-threads']).toMatchObject({ first: 'idle', seq: ['P1/P1', 'P1.t1/P1', 'P1.t2/P1', 'P1.t3/P1'] });
    expect(g['css-up']!.seq).toEqual(['x/3', 'a/2', 'B/1', 'root/0']);
  });
});

/** Iterator struct sizes of 6.18's BTF (bpftool btf dump of this machine's vmlinux). */
const ITER_SIZES: Readonly<Record<string, number>> = { bpf_iter_task: 24, bpf_iter_css: 24, bpf_iter_css_task: 8, bpf_iter_num: 8 };
const sizesIn = (btf: Btf): Record<string, number> => Object.fromEntries(Object.keys(ITER_SIZES).map((n) => [n, btf.sizeof(btf.findByName(n, 'STRUCT')[0]!.id)]));

describe('iterator struct sizes', () => {
  it("the emulated vmlinux BTF has 6.18's sizes", () => {
    expect(sizesIn(new Kernel().vmlinuxBtf)).toEqual(ITER_SIZES);
  });
  const VMLINUX = '/sys/kernel/btf/vmlinux';
  it.skipIf(!existsSync(VMLINUX))(`the running kernel's BTF has them too${existsSync(VMLINUX) ? '' : ' (SKIPPED: no /sys/kernel/btf/vmlinux)'}`, () => {
    expect(sizesIn(parseBtf(new Uint8Array(readFileSync(VMLINUX))))).toEqual(ITER_SIZES);
  });
});

function liveRunner(): string | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'iters-live-'));
    const bin = join(dir, 'iters-live');
    execFileSync('cc', ['-O2', new URL('./iters-live.c', import.meta.url).pathname, '-lbpf', '-lpthread', '-o', bin], { stdio: 'pipe' });
    return bin;
  } catch {
    return null;
  }
}

/** Run the live harness and turn its output into symbolic runs. */
function runLive(bin: string): Record<string, Run> {
  const text = execFileSync(bin, [OBJ_PATH, ...CASES.map((c) => c.join(':'))], { encoding: 'utf8' });
  const tasks = new Map<number, string>();
  const cgs = new Map<bigint, string>([[1n, 'root']]);
  const out: Record<string, Run> = {};
  for (const line of text.trim().split('\n')) {
    const w = line.split(' ');
    if (w[0] === 'task') tasks.set(Number(w[2]), w[1]!);
    else if (w[0] === 'cgroup') cgs.set(BigInt(w[2]!), w[1]!);
    else if (w[0] === 'case') {
      const c = CASES.find((x) => x[0] === w[1])!;
      const vals = w.slice(7).map((x) => x.split('/')).map(([a, b]) => [BigInt(a!), Number(b)] as const);
      out[c[0]] = symbolic(c, { retval: Number(w[2]), ret: Number(w[3]), n: Number(w[4]), first: Number(w[5]), vals }, tasks, cgs);
    }
  }
  return out;
}

const BIN = liveRunner();
describe.skipIf(BIN === null)(`open-coded kernel-object iterators: the live kernel against the golden${BIN === null ? ' (SKIPPED: needs root, cc and libbpf-dev)' : ''}`, () => {
  it('every case gives the recorded result', () => {
    const live = runLive(BIN!);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN_PATH, `${JSON.stringify({ kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(), runs: live }, null, 1)}\n`);
    expect(live).toEqual(GOLDEN.runs);
  });
});

// ---- the independent model ----------------------------------------------------------------------

/** A tiny deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Node {
  readonly name: string;
  readonly kids: Node[];
  readonly parent: Node | null;
}

const pre = (n: Node): Node[] => [n, ...n.kids.flatMap(pre)];
const post = (n: Node): Node[] => [...n.kids.flatMap(post), n];
const up = (n: Node): Node[] => (n.parent === null ? [n] : [n, ...up(n.parent)]);
const depth = (n: Node): number => (n.parent === null ? 0 : 1 + depth(n.parent));

describe('open-coded kernel-object iterators: against a model of the walks', () => {
  for (let seed = 1; seed <= 6; seed++) {
    it(`seed ${seed}: css pre/post/up, task and css_task listings`, () => {
      const rand = rng(seed);
      const k = new Kernel({ task: { pid: 4242, tgid: 4242, comm: 'runner' } });
      const ko = k.service<KernelObjects>('kobjects')!;
      const tree = cgroupsOf(k);
      // a random tree of up to 12 cgroups below a top one, children in creation order
      const top: Node = { name: 'top', kids: [], parent: null };
      const cgOf = new Map<Node, Cgroup>([[top, tree.mkdir(tree.root, 'top')]]);
      const nodes = [top];
      const count = 1 + Math.floor(rand() * 12);
      for (let i = 0; i < count; i++) {
        const parent = nodes[Math.floor(rand() * nodes.length)]!;
        const n: Node = { name: `c${i}`, kids: [], parent };
        parent.kids.push(n);
        nodes.push(n);
        cgOf.set(n, tree.mkdir(cgOf.get(parent)!, n.name));
      }
      // random processes with 0..3 extra threads at random pids, each moved to a random cgroup (or left in the root)
      const procs: { tgid: number; threads: number[]; node: Node | null; order: number }[] = [];
      const used = new Set([1, 4242]);
      const pick = (): number => {
        let p: number;
        do p = 2 + Math.floor(rand() * 3000);
        while (used.has(p));
        used.add(p);
        return p;
      };
      const nprocs = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < nprocs; i++) {
        const tgid = pick();
        const threads = Array.from({ length: Math.floor(rand() * 4) }, pick);
        procs.push({ tgid, threads, node: null, order: 0 });
      }
      // threads are added before their leader in random order: the listing must not depend on it
      const specs = procs.flatMap((p) => [p.tgid, ...p.threads].map((pid) => ({ pid, tgid: p.tgid })));
      for (const s of specs.sort(() => rand() - 0.5)) ko.addTask({ ...s, comm: 'm' });
      let order = 0;
      for (const p of [...procs].sort(() => rand() - 0.5)) {
        if (rand() < 0.2) continue;
        p.node = nodes[Math.floor(rand() * nodes.length)]!;
        p.order = ++order;
        cgroupObjectsOf(k).moveProcess(p.tgid, cgOf.get(p.node)!);
      }
      const o = BpfObject.open(OBJ, { kernel: k });
      for (const p of o.programs) p.autoload = p.name.startsWith('rt_');
      o.load();
      const run = (prog: string, a: Uint8Array): Raw => {
        const r = o.program(prog).testRun({ ctxIn: a });
        return rawOf(r.retval, o.map('rt_out').lookup(new Uint8Array(4))!, prog === 'rt_css');
      };
      const names = new Map([...cgOf].map(([n, c]) => [c.id, n.name]));
      names.set(1n, 'root');
      const base = 1; // top is at level 1
      for (const n of nodes) {
        const id = cgOf.get(n)!.id;
        const walk = (flags: number): string[] => run('rt_css', args(0, flags, id, 0)).vals.map(([i, l]) => `${names.get(i)}/${l}`);
        expect(walk(2), `pre ${n.name}`).toEqual(pre(n).map((x) => `${x.name}/${depth(x) + base}`));
        expect(walk(3), `post ${n.name}`).toEqual(post(n).map((x) => `${x.name}/${depth(x) + base}`));
        expect(walk(4), `up ${n.name}`).toEqual([...up(n).map((x) => `${x.name}/${depth(x) + base}`), 'root/0']);
        // css_task: the processes moved here, in the order they moved, each with its threads (sorted) after the leader
        const here = procs.filter((p) => p.node === n).sort((x, y) => x.order - y.order);
        const tasksOf = (flags: number): number[] => run('rt_css_task', args(0, flags, id, 0)).vals.map(([p]) => Number(p));
        expect(tasksOf(1), `css_task procs ${n.name}`).toEqual(here.map((p) => p.tgid));
        expect(tasksOf(0), `css_task all ${n.name}`).toEqual(here.flatMap((p) => [p.tgid, ...[...p.threads].sort((x, y) => x - y)]));
      }
      // the task iterator: idle, then every process by tgid (init, the runner, the added ones), threads after their leader
      const all = [{ tgid: 1, threads: [] as number[] }, { tgid: 4242, threads: [] }, ...procs].sort((x, y) => x.tgid - y.tgid);
      const listed = (flags: number): number[] => run('rt_task', args(0, flags, 0n, 0)).vals.map(([p]) => Number(p));
      expect(listed(0)).toEqual([0, ...all.map((p) => p.tgid)]);
      expect(listed(1)).toEqual([0, ...all.flatMap((p) => [p.tgid, ...[...p.threads].sort((x, y) => x - y)])]);
      for (const p of procs) {
        const ts = [p.tgid, ...[...p.threads].sort((x, y) => x - y)];
        for (let i = 0; i < ts.length; i++) expect(run('rt_task', args(ts[i]!, 2, 0n, 0)).vals.map(([x]) => Number(x)), `proc threads from ${ts[i]}`).toEqual(ts.slice(i));
      }
    });
  }
});
