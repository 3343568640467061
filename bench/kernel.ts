/**
 * The kernel side-by-side: the same fixture, program and frames run by the real kernel through
 * `bpftool prog run ... repeat N` (BPF_PROG_TEST_RUN; the kernel JITs the program). bpftool prints
 * bpf_test_run's `duration`: the average ns per repetition inside the kernel's loop, without the
 * syscall. Needs root, bpftool and a mountable bpffs; otherwise every row says why it was skipped.
 *
 * Each case gets its own `bpftool prog loadall` (fresh maps) on a bpffs mounted in a temp directory;
 * maps are pinned so static PROG_ARRAY slots survive bpftool's exit (as programs/kernel-check.sh).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageOf } from '../src/util/errors.js';
import { BenchError, type KernelSpec, type KernelStep } from './harness.js';
import { programsDir } from './objects.js';

/** Kernel timing of one case, or why there is none. */
export type KernelResult = { readonly nsPerRun: number; readonly repeat: number } | { readonly skipped: string };

function bpftool(args: readonly string[]): string {
  try {
    return execFileSync('bpftool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string };
    throw new BenchError('KERNEL', `bpftool ${args.join(' ')}: ${(err.stderr ?? err.stdout ?? messageOf(e)).trim()}`);
  }
}

/** A mounted scratch bpffs plus bpftool; `close()` unmounts and removes it. */
export class KernelRunner {
  private n = 0;
  private constructor(private readonly dir: string) {}

  /** A runner, or the reason the kernel cannot be used here. */
  static open(): KernelRunner | string {
    if (process.platform !== 'linux') return `not linux (${process.platform})`;
    if (process.getuid?.() !== 0) return 'not root (BPF_PROG_LOAD needs CAP_BPF and CAP_SYS_ADMIN)';
    try {
      execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    } catch {
      return 'bpftool not found';
    }
    const dir = mkdtempSync(join(tmpdir(), 'bpfemu-bench-'));
    try {
      mkdirSync(join(dir, 'fs'));
      execFileSync('mount', ['-t', 'bpf', 'bpf', join(dir, 'fs')], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      return `cannot mount a bpffs (${messageOf(e).split('\n')[0]})`;
    }
    return new KernelRunner(dir);
  }

  /** Load the case's object, do its setup steps, time each frame; the per-run average over the mix. */
  run(spec: KernelSpec, targetMs: number): KernelResult {
    const id = ++this.n;
    // No dots in pin paths: libbpf turns them into '_'.
    const progs = join(this.dir, 'fs', `p${id}`);
    const maps = join(this.dir, 'fs', `m${id}`);
    try {
      bpftool(['prog', 'loadall', join(programsDir(), `${spec.object}.bpf.o`), progs, 'pinmaps', maps]);
      for (const s of spec.before ?? []) this.step(s, progs, maps);
      const prog = join(progs, spec.program);
      let total = 0;
      let repeat = 0;
      for (const f of spec.frames) {
        const file = this.frameFile(f.frame);
        // Calibrate, then size `repeat` to about targetMs per frame; the median of three runs.
        const probe = this.timed(prog, file, 1000, f.retval);
        repeat = Math.max(1000, Math.min(50_000_000, Math.round((targetMs * 1e6) / Math.max(1, probe))));
        const samples = [0, 1, 2].map(() => this.timed(prog, file, repeat, f.retval)).sort((a, b) => a - b);
        total += samples[1]!;
      }
      return { nsPerRun: total / spec.frames.length, repeat };
    } catch (e) {
      return { skipped: messageOf(e) };
    } finally {
      rmSync(progs, { recursive: true, force: true });
      rmSync(maps, { recursive: true, force: true });
    }
  }

  private step(s: KernelStep, progs: string, maps: string): void {
    if (s.kind === 'update') {
      const hex = (b: Uint8Array): string[] => Array.from(b, (x) => x.toString(16).padStart(2, '0'));
      bpftool(['map', 'update', 'pinned', join(maps, s.map), 'key', 'hex', ...hex(s.key), 'value', 'hex', ...hex(s.value)]);
      return;
    }
    this.timed(join(progs, s.program), this.frameFile(s.frame), 1, s.retval);
  }

  private frameFile(frame: Uint8Array): string {
    const file = join(this.dir, `frame${++this.n}.bin`);
    writeFileSync(file, frame);
    return file;
  }

  /** `bpftool prog run`: the kernel's average ns per repetition; checks the verdict. */
  private timed(prog: string, file: string, repeat: number, retval: number): number {
    const out = bpftool(['prog', 'run', 'pinned', prog, 'data_in', file, 'repeat', String(repeat)]);
    const m = /Return value: (\d+), duration(?: \(average\))?: (\d+)ns/.exec(out);
    if (m === null) throw new BenchError('KERNEL', `unexpected bpftool output: ${out.trim()}`);
    if (Number(m[1]) !== retval) throw new BenchError('WRONG_RESULT', `kernel: retval ${m[1]}, expected ${retval}`);
    return Number(m[2]);
  }

  /** Unmount the bpffs (pinned programs and maps go with it) and remove the directory. */
  close(): void {
    try {
      execFileSync('umount', [join(this.dir, 'fs')], { stdio: 'ignore' });
    } catch {
      // Already gone; nothing else holds it.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
