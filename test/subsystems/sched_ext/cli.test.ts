/**
 * `bpfemu sim sched-ext` (src/subsystems/sched_ext/cli.ts, dispatched by src/cli/commands/sim.ts):
 * the exact JSON shape the issue specifies, the trace and SVG files, usage errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/cli.js';
import { MemIo } from '../../cli/memio.js';

const workload = JSON.stringify({ cpus: 2, tasks: [{ pid: 100, comm: 'hog', count: 3, behavior: { type: 'cpu' } }, { pid: 200, comm: 'io', behavior: { type: 'periodic', run: '1ms', period: '5ms' } }] });
const io = (): MemIo => new MemIo({ 'fifo.o': readFileSync('programs/scx_fifo.bpf.o'), 'stall.o': readFileSync('programs/scx_stall.bpf.o'), 'wl.json': workload });

describe('bpfemu sim sched-ext', () => {
  it('--json prints exactly one object with the specified keys', () => {
    const m = io();
    expect(runCli(['sim', 'sched-ext', 'fifo.o', '--workload', 'wl.json', '--duration', '300ms', '--json'], m)).toBe(0);
    const lines = m.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(['exit', 'durationNs', 'cpus', 'tasks']);
    expect(Object.keys(j.exit as object)).toEqual(['kind', 'reason', 'message']);
    expect(j.durationNs).toBe(300e6);
    const cpus = j.cpus as Record<string, unknown>[];
    expect(cpus).toHaveLength(2);
    for (const c of cpus) {
      expect(Object.keys(c)).toEqual(['cpu', 'busyNs', 'idleNs']);
      expect((c.busyNs as number) + (c.idleNs as number)).toBe(300e6);
    }
    const tasks = j.tasks as Record<string, unknown>[];
    expect(tasks.map((t) => t.pid)).toEqual([100, 101, 102, 200]);
    for (const t of tasks) {
      expect(Object.keys(t)).toEqual(['pid', 'comm', 'runtimeNs', 'runs', 'waitNs', 'migrations']);
      expect(Object.keys(t.waitNs as object)).toEqual(['p50', 'p99', 'max']);
    }
    // CPU time is conserved: what the tasks ran is what the CPUs were busy.
    expect(tasks.reduce((a, t) => a + (t.runtimeNs as number), 0)).toBe(cpus.reduce((a, c) => a + (c.busyNs as number), 0));
  });

  it('reports the stall exit, and writes a Chrome trace (one track per CPU) and an SVG', () => {
    const m = io();
    expect(runCli(['sim', 'sched-ext', 'stall.o', '--workload', 'wl.json', '--duration', '3s', '--json', '--trace-out', 't.json', '--svg', 'g.svg'], m)).toBe(0);
    const j = JSON.parse(m.stdout) as { exit: { kind: string; reason: string; message: string } };
    expect(j.exit.kind).toBe('ERROR_STALL');
    expect(j.exit.reason).toBe('runnable task stall');
    expect(j.exit.message).toMatch(/^hog-0\[100\] failed to run for 1\.500s$/);
    const trace = JSON.parse(new TextDecoder().decode(m.files.get('t.json'))) as { traceEvents: { ph: string; tid: number; name: string; ts: number; dur?: number }[] };
    const names = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.tid);
    expect(names).toEqual([0, 1]);
    const runs = trace.traceEvents.filter((e) => e.ph === 'X');
    expect(runs.length).toBeGreaterThan(10);
    // Nothing ran before the exit at 1.5 s (the scheduler never dispatched).
    expect(Math.min(...runs.map((e) => e.ts))).toBe(1.5e6);
    expect(trace.traceEvents.some((e) => e.ph === 'i' && e.name === 'exit: ERROR_STALL')).toBe(true);
    const svg = new TextDecoder().decode(m.files.get('g.svg'));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('CPU 1');
  });

  it('the table without --json, and --fair without an object', () => {
    const m = io();
    expect(runCli(['sim', 'sched-ext', '--fair', '--workload', 'wl.json', '--duration', '100ms'], m)).toBe(0);
    expect(m.stdout).toContain('scheduler: fair');
    expect(m.stdout).toMatch(/exit: NONE/);
  });

  it('usage errors and bad workloads are typed errors with exit code 2 / 1', () => {
    const m = io();
    expect(runCli(['sim', 'sched-ext', 'fifo.o'], m)).toBe(2);
    expect(m.stderrText).toContain('--workload FILE.json is required');
    const b = new MemIo({ 'fifo.o': readFileSync('programs/scx_fifo.bpf.o'), 'bad.json': '{"tasks":[{"pid":1,"behavior":{"type":"periodic","run":"5ms","period":"1ms"}}]}' });
    expect(runCli(['sim', 'sched-ext', 'fifo.o', '--workload', 'bad.json'], b)).toBe(1);
    expect(b.stderrText).toContain('workload.tasks[0].behavior: need 0 < run < period');
    const c = io();
    expect(runCli(['sim', 'sched-ext', 'fifo.o', '--workload', 'wl.json', '--duration', 'soon'], c)).toBe(2);
  });
});

describe('bpfemu sim sched-ext --help', () => {
  it('shows the sched-ext options', () => {
    const m = new MemIo();
    expect(runCli(['sim', 'sched-ext', '--help'], m)).toBe(0);
    expect(m.stdout).toContain('usage: bpfemu sim sched-ext OBJ|--fair --workload FILE.json');
    expect(m.stdout).toContain('--trace-out FILE');
  });
});

describe('bpfemu sim sched-ext with objects that are not schedulers', () => {
  it('an object without struct_ops, another struct_ops type, and garbage: typed errors, exit code 1', () => {
    for (const [file, msg] of [
      ['xdp_maps.bpf.o', 'the object has no struct_ops map'],
      ['struct_ops.bpf.o', 'struct bpf_struct_ops_my_ops is not found in kernel BTF'],
    ] as const) {
      const m = new MemIo({ 'x.o': readFileSync(`programs/${file}`), 'wl.json': workload });
      expect(runCli(['sim', 'sched-ext', 'x.o', '--workload', 'wl.json'], m)).toBe(1);
      expect(m.stderrText).toContain(msg);
    }
    const g = new MemIo({ 'x.o': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]), 'wl.json': workload });
    expect(runCli(['sim', 'sched-ext', 'x.o', '--workload', 'wl.json'], g)).toBe(1);
    expect(g.stderrText).toMatch(/^bpfemu: /);
  });
});
