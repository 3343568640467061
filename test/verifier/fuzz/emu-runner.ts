/**
 * Runs bpfemu's side of the fuzzer out of process: `jobs` child processes (emu-worker.ts, through
 * vite's module runner) each verify a share of the seeds and report one line per seed. A seed with
 * no verdict after `timeoutMs` (a verification that does not end) is recorded as errno 'TIMEOUT'
 * and its worker is killed and restarted on the remaining seeds; a worker that dies on a seed
 * records 'CRASH' with its stderr. So a hang or a crash in the verifier is a disagreement, not a
 * stuck run.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Outcome } from './compare.js';

const WORKER = new URL('./emu-worker.ts', import.meta.url).pathname;
const ROOT = new URL('../../../', import.meta.url).pathname;
/** Extra time for a worker's first answer (starting node and vite's module runner, importing the emulator). */
const STARTUP_MS = 60_000;

/** Options of {@link runEmu}. */
export interface EmuRunOptions {
  /** Worker processes (default: the available parallelism, at most 4). */
  readonly jobs?: number;
  /** Per-seed limit in ms (default 20 s). */
  readonly timeoutMs?: number;
  /** The generator's shape of the seeds (default standard). */
  readonly shape?: string;
  /** Called after every verdict with the number done so far. */
  readonly progress?: (done: number) => void;
}

/** What {@link runEmu} returns, in the order of the seeds given. */
export interface EmuRun {
  readonly outcomes: Outcome[];
  /** Wall time of each verification in ms (the limit for timeouts, 0 for crashes). */
  readonly ms: number[];
}

interface WorkerLine {
  readonly seed: number;
  readonly ms: number;
  readonly outcome: Outcome;
}

/** One worker on `seeds` until it finishes, hangs or dies. */
function runWorker(seeds: readonly number[], timeoutMs: number, shape: string, got: (l: WorkerLine) => void): Promise<{ killed: boolean; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', `globalThis.__verifierFuzzWorker = true; await (await import('vite')).runnerImport(${JSON.stringify(WORKER)});`], {
      cwd: ROOT,
      env: { ...process.env, VERIFIER_FUZZ_SHAPE: shape },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, ms);
    };
    arm(STARTUP_MS + timeoutMs);
    let buf = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      buf += d;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() === '') continue;
        got(JSON.parse(line) as WorkerLine);
        arm(timeoutMs);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    child.stdin.on('error', () => {});
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ killed, code, stderr });
    });
    child.stdin.end(seeds.join('\n') + '\n');
  });
}

/** bpfemu's outcome for every seed, verified in child processes with a per-seed time limit. */
export async function runEmu(seeds: readonly number[], opts: EmuRunOptions = {}): Promise<EmuRun> {
  const jobs = Math.max(1, Math.min(opts.jobs ?? Math.min(4, availableParallelism()), seeds.length));
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const index = new Map<number, number>();
  seeds.forEach((s, i) => index.set(s, i));
  const outcomes: Outcome[] = new Array<Outcome>(seeds.length);
  const ms: number[] = new Array<number>(seeds.length).fill(0);
  let done = 0;
  const record = (seed: number, o: Outcome, t: number): void => {
    const i = index.get(seed)!;
    if (outcomes[i] !== undefined) return;
    outcomes[i] = o;
    ms[i] = t;
    opts.progress?.(++done);
  };
  const share = async (mine: number[]): Promise<void> => {
    let rest = mine;
    while (rest.length > 0) {
      let answered = 0;
      const r = await runWorker(rest, timeoutMs, opts.shape ?? 'standard', (l) => {
        answered++;
        record(l.seed, l.outcome, l.ms);
      });
      rest = rest.filter((s) => outcomes[index.get(s)!] === undefined);
      if (rest.length === 0) break;
      const stuck = rest[0]!;
      if (r.killed) record(stuck, { accepted: false, errno: 'TIMEOUT', errorLine: `no verdict after ${timeoutMs} ms` }, timeoutMs);
      else {
        const last = r.stderr.trim().split('\n').slice(-3).join(' | ');
        if (answered === 0) throw new Error(`emu-worker exited with ${r.code} before any verdict: ${last}`);
        record(stuck, { accepted: false, errno: 'CRASH', errorLine: `worker exited with ${r.code}: ${last}` }, 0);
      }
      rest = rest.slice(1);
    }
  };
  const shares: number[][] = Array.from({ length: jobs }, () => []);
  seeds.forEach((s, i) => shares[i % jobs]!.push(s));
  await Promise.all(shares.map(share));
  return { outcomes, ms };
}
