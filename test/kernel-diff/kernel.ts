/**
 * The real-kernel side of the differential suite. {@link probeKernel} finds out whether this
 * machine can do it (root, bpftool, `bpf()` usable, a bpffs mountable, taskset for CPU pinning,
 * and a C compiler with libbpf for the runner); {@link KernelSession} mounts a bpffs in a temporary
 * directory and runs cases on it:
 *
 *   bpftool prog loadall OBJ <fs>/<n>/p pinmaps <fs>/<n>/m      (libbpf load, every map pinned)
 *   bpftool map update pinned ... key hex .. value hex ..        (the case's setup writes)
 *   taskset -c 0 bpftool prog run pinned ... data_in ... data_out ... [ctx_in ... ctx_out ...]
 *   kdiff-runner run PIN ctx=... (syscall/raw_tp: bpftool 7.1 always sends repeat = 1, which those
 *                                  test runs refuse with EINVAL; also used to learn the errno of a
 *                                  test run bpftool reports as failed)
 *   bpftool map show/dump/pop pinned ... -j, kdiff-runner ringbuf PIN   (every map's content)
 *
 * Every run is pinned to CPU 0 (the kernel runs a test run on the calling CPU, so per-CPU values
 * land in CPU 0's copy; the emulator runs on CPU 0 too). Pins are removed after each case and the
 * bpffs is unmounted and its directory removed on close, on failure and at process exit.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { release as osRelease, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { toHex } from '../../src/util/bytes.js';
import { ERRNO, errnoName } from '../../src/util/errno.js';
import { CTX_OUT_SIZE, DATA_OUT_SIZE, dumpModeOf, perCpuType, type CaseDef, type CaseResult, type Env, type MapDump, type MapEntry, type RunResult } from './model.js';

const PROGRAMS = new URL('../../programs/', import.meta.url).pathname;
const RUNNER_SRC = new URL('./runner.c', import.meta.url).pathname;

/** What {@link probeKernel} found. */
export interface KernelProbe {
  /** Whether cases can run in the kernel at all (bpftool path). */
  readonly available: boolean;
  /** Why not (or "ok"). */
  readonly reason: string;
  /** Path of the compiled runner (syscall/raw_tp runs), or null. */
  readonly runner: string | null;
  readonly runnerReason: string;
}

function run(cmd: string, args: readonly string[], input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 30_000 });
  if (r.error !== undefined) return { status: -1, stdout: '', stderr: String(r.error) };
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function must(cmd: string, args: readonly string[]): string {
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

function has(cmd: string): boolean {
  return run('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

let runnerDir: string | null = null;

/** Remove the compiled runner (its temporary directory); also done at process exit. */
export function releaseRunner(): void {
  if (runnerDir !== null) rmSync(runnerDir, { recursive: true, force: true });
  runnerDir = null;
}

/** Compile runner.c with the system compiler and libbpf into a temporary directory. */
function buildRunner(): { path: string | null; reason: string } {
  const cc = ['cc', 'gcc', 'clang', 'clang-19'].find(has);
  if (cc === undefined) return { path: null, reason: 'no C compiler (cc, gcc, clang, clang-19)' };
  if (!existsSync('/usr/include/bpf/libbpf.h')) return { path: null, reason: 'no libbpf headers (libbpf-dev)' };
  runnerDir = mkdtempSync(join(tmpdir(), 'bpfemu-kdiff-runner-'));
  process.once('exit', releaseRunner);
  const out = join(runnerDir, 'kdiff-runner');
  const r = run(cc, ['-O2', '-Wall', '-o', out, RUNNER_SRC, '-lbpf']);
  if (r.status !== 0) return { path: null, reason: `runner does not compile: ${r.stderr.trim().split('\n')[0] ?? ''}` };
  return { path: out, reason: 'ok' };
}

/** Can this machine run BPF programs through bpftool? Never throws. */
export function probeKernel(): KernelProbe {
  const no = (reason: string): KernelProbe => ({ available: false, reason, runner: null, runnerReason: reason });
  if (process.platform !== 'linux') return no(`not Linux (${process.platform})`);
  if (process.getuid?.() !== 0) return no('not root (bpf() needs CAP_BPF + CAP_SYS_ADMIN)');
  if (!has('bpftool')) return no('bpftool not installed');
  const version = run('bpftool', ['version']);
  if (version.status !== 0) return no(`bpftool does not run: ${(version.stderr || version.stdout).trim().split('\n')[0] ?? ''}`);
  if (!has('taskset')) return no('taskset not installed (needed to pin runs to CPU 0)');
  const show = run('bpftool', ['prog', 'show']);
  if (show.status !== 0) return no(`bpf() unusable: bpftool prog show: ${show.stderr.trim()}`);
  const dir = mkdtempSync(join(tmpdir(), 'bpfemu-kdiff-probe-'));
  try {
    const m = run('mount', ['-t', 'bpf', 'bpf', dir]);
    if (m.status !== 0) return no(`bpffs not mountable: ${m.stderr.trim()}`);
    run('umount', [dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const r = buildRunner();
  return { available: true, reason: 'ok', runner: r.path, runnerReason: r.reason };
}

/** Parse /sys/devices/system/cpu/possible ("0-1", "0-3,8") into a count. */
export function parseCpuList(text: string): number {
  let n = 0;
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-').map(Number);
    n += b === undefined ? 1 : b - a! + 1;
  }
  return n;
}

/** The kernel config (/proc/config.gz, else /boot/config-RELEASE) as KEY -> value text. */
function kernelConfig(rel: string): Map<string, string> {
  let text = '';
  if (existsSync('/proc/config.gz')) text = gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
  else if (existsSync(`/boot/config-${rel}`)) text = readFileSync(`/boot/config-${rel}`, 'utf8');
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m !== null) out.set(m[1]!, m[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

/** This machine's environment, with the config values of `kconfig` ('n' for an unset option). */
export function liveEnv(kconfig: readonly string[]): Env {
  const rel = osRelease();
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(rel);
  const version: [number, number, number] = m === null ? [0, 0, 0] : [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const cfg = kconfig.length > 0 ? kernelConfig(rel) : new Map<string, string>();
  const values: Record<string, string> = {};
  for (const k of [...kconfig].sort()) values[k] = cfg.get(k) ?? 'n';
  const possible = existsSync('/sys/devices/system/cpu/possible') ? readFileSync('/sys/devices/system/cpu/possible', 'utf8') : '0';
  return { release: rel, version, nrCpus: parseCpuList(possible), kconfig: values, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}

/** The JSON name of a map from its kernel name: global data by section, others as named. */
export function goldenMapName(kernelName: string): string {
  const dot = kernelName.indexOf('.');
  return dot < 0 ? kernelName : kernelName.slice(dot);
}

const STRERROR: Readonly<Record<string, number>> = {
  'Invalid argument': ERRNO.EINVAL,
  'No space left on device': ERRNO.ENOSPC,
  'Bad address': ERRNO.EFAULT,
  'Operation not permitted': ERRNO.EPERM,
  'Argument list too long': ERRNO.E2BIG,
  'Operation not supported': ERRNO.EOPNOTSUPP,
  'Unknown error 524': ERRNO.ENOTSUPP,
  'No such file or directory': ERRNO.ENOENT,
};

interface BpftoolMapInfo {
  type: string;
  name: string;
  flags: number;
  bytes_key: number;
  bytes_value: number;
  max_entries: number;
}

interface BpftoolEntry {
  key?: string[];
  value?: string[] | { error: string };
  values?: { cpu: number; value: string[] }[];
}

const hexOf = (bytes: readonly string[]): string => bytes.map((b) => b.replace(/^0x/, '').padStart(2, '0')).join('');

function spaced(b: Uint8Array): string[] {
  return [...b].map((x) => x.toString(16).padStart(2, '0'));
}

/** A bpffs mounted in a temporary directory, on which cases are loaded, run and dumped. */
export class KernelSession {
  private n = 0;
  private closed = false;
  private readonly onExit = (): void => this.close();

  private constructor(
    private readonly probe: KernelProbe,
    private readonly tmp: string,
    private readonly fs: string,
  ) {
    process.once('exit', this.onExit);
  }

  /** Mount a bpffs in a new temporary directory. */
  static open(probe: KernelProbe): KernelSession {
    if (!probe.available) throw new Error(`kernel not available: ${probe.reason}`);
    const tmp = mkdtempSync(join(tmpdir(), 'bpfemu-kdiff-'));
    const fs = join(tmp, 'bpffs');
    mkdirSync(fs);
    try {
      must('mount', ['-t', 'bpf', 'bpf', fs]);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    return new KernelSession(probe, tmp, fs);
  }

  /** Whether a case can run here (syscall and raw_tp runs need the compiled runner). */
  canRun(c: CaseDef): { ok: boolean; reason: string } {
    if (this.closed) return { ok: false, reason: 'session closed' };
    if ((c.kind === 'syscall' || c.kind === 'raw_tp') && this.probe.runner === null) return { ok: false, reason: `${c.kind} test runs need the runner: ${this.probe.runnerReason}` };
    if (c.runs.some((r) => r.user !== undefined) && this.probe.runner === null) return { ok: false, reason: `user buffers need the runner: ${this.probe.runnerReason}` };
    if (c.sockets !== undefined && this.probe.runner === null) return { ok: false, reason: `sockets need the runner: ${this.probe.runnerReason}` };
    if (c.net !== undefined && this.probe.runner === null) return { ok: false, reason: `a network namespace needs the runner: ${this.probe.runnerReason}` };
    if (c.net !== undefined && !has('ip')) return { ok: false, reason: 'a network namespace needs ip(8) (iproute2)' };
    return { ok: true, reason: 'ok' };
  }

  /** Load the case's object, apply its setup, run its runs and dump every map; pins are removed afterwards. */
  runCase(c: CaseDef, env: Env): CaseResult {
    const dir = join(this.fs, String(this.n++));
    const p = join(dir, 'p');
    const m = join(dir, 'm');
    const files = join(this.tmp, `io-${this.n}`);
    mkdirSync(dir);
    mkdirSync(files);
    try {
      must('bpftool', ['prog', 'loadall', join(PROGRAMS, `${c.object}.bpf.o`), p, 'pinmaps', m]);
      const pins = this.mapPins(m);
      for (const w of c.setup ?? []) {
        const pin = pins.get(w.map);
        if (pin === undefined) throw new Error(`case ${c.name}: setup names map '${w.map}', not pinned (${[...pins.keys()].join(', ')})`);
        must('bpftool', ['map', 'update', 'pinned', pin.path, 'key', 'hex', ...spaced(w.key), 'value', 'hex', ...spaced(w.value)]);
      }
      if (c.net !== undefined) this.makeNetns(c);
      const runs = c.runs.map((r, i) => this.runOne(c, r, join(p, r.prog), join(files, String(i))));
      if (c.settleMs !== undefined) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, c.settleMs);
      const maps: Record<string, MapDump> = {};
      for (const [name, pin] of pins) maps[name] = this.dumpMap(pin.path, pin.info);
      return { case: c.name, env, runs, maps };
    } finally {
      if (this.netns !== null) run('ip', ['netns', 'del', this.netns]);
      this.netns = null;
      rmSync(dir, { recursive: true, force: true });
      rmSync(files, { recursive: true, force: true });
    }
  }

  /** The network namespace of the running case (CaseDef.net), or null. */
  private netns: string | null = null;

  /** Build a case's network in a new namespace with ip(8) (this.netns). */
  private makeNetns(c: CaseDef): void {
    const net = c.net!;
    const ns = `bpfemu-kdiff-${process.pid}-${this.n}`;
    must('ip', ['netns', 'add', ns]);
    this.netns = ns;
    const ip = (...a: string[]): string => must('ip', ['-n', ns, ...a]);
    ip('link', 'set', 'lo', 'up');
    for (const d of net.devices) {
      ip('link', 'add', d.name, 'address', d.mac, 'mtu', String(d.mtu), 'type', 'bridge');
      ip('link', 'set', d.name, 'up');
      for (const a of d.addresses) ip('addr', 'add', a, 'dev', d.name, ...(a.includes(':') ? ['nodad'] : []));
    }
    const fw = net.forwarding ? '1' : '0';
    must('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv4.conf.all.forwarding=${fw}`, `net.ipv6.conf.all.forwarding=${fw}`]);
    if (net.syncookies !== undefined) must('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv4.tcp_syncookies=${net.syncookies}`]);
    for (const r of net.routes ?? []) {
      const a: string[] = ['route', 'add'];
      if (r.type !== undefined && r.type !== 'unicast') a.push(r.type);
      if (r.dst === 'default' && r.family === 'ipv6') a.unshift('-6');
      a.push(r.dst);
      if (r.via !== undefined) a.push('via', r.via);
      if (r.dev !== undefined) a.push('dev', String(r.dev));
      if (r.metric !== undefined) a.push('metric', String(r.metric));
      if (r.mtu !== undefined) a.push('mtu', ...(r.mtuLock === true ? ['lock'] : []), String(r.mtu));
      if (r.table !== undefined) a.push('table', String(r.table));
      if (r.src !== undefined) a.push('src', r.src);
      ip(...a);
    }
    for (const nb of net.neighbours ?? []) ip('neigh', 'add', nb.addr, 'lladdr', nb.mac, 'dev', String(nb.dev), 'nud', 'permanent');
  }

  /** Pinned maps by JSON name, with their kernel attributes. */
  private mapPins(dir: string): Map<string, { path: string; info: BpftoolMapInfo }> {
    const out = new Map<string, { path: string; info: BpftoolMapInfo }>();
    if (!existsSync(dir)) return out;
    for (const f of readdirSync(dir).sort()) {
      const path = join(dir, f);
      const info = JSON.parse(must('bpftool', ['map', 'show', 'pinned', path, '-j'])) as BpftoolMapInfo;
      const name = goldenMapName(info.name);
      if (out.has(name)) throw new Error(`two pinned maps are named ${name}`);
      out.set(name, { path, info });
    }
    return out;
  }

  private runOne(c: CaseDef, r: CaseDef['runs'][number], pin: string, base: string): RunResult {
    const useRunner = c.kind === 'syscall' || c.kind === 'raw_tp' || r.user !== undefined || c.sockets !== undefined || c.net !== undefined;
    if (!useRunner) {
      const args = ['-c', '0', 'bpftool', 'prog', 'run', 'pinned', pin];
      if (r.data !== undefined) {
        writeFileSync(`${base}.data`, r.data);
        args.push('data_in', `${base}.data`, 'data_out', `${base}.dout`, 'data_size_out', String(DATA_OUT_SIZE));
      }
      if (r.ctx !== undefined) {
        writeFileSync(`${base}.ctx`, r.ctx);
        args.push('ctx_in', `${base}.ctx`, 'ctx_out', `${base}.cout`, 'ctx_size_out', String(CTX_OUT_SIZE));
      }
      args.push('repeat', '1');
      const res = run('taskset', args);
      const ret = /Return value: (\d+)/.exec(res.stdout);
      if (res.status === 0 && ret !== null) {
        const read = (f: string): string | null => (existsSync(f) ? toHex(readFileSync(f)) : null);
        return { prog: r.prog, retval: Number(ret[1]), dataOut: r.data !== undefined ? (read(`${base}.dout`) ?? '') : null, ctxOut: r.ctx !== undefined ? (read(`${base}.cout`) ?? '') : null, error: null };
      }
      if (this.probe.runner === null) {
        const msg = /: ([A-Za-z][^:\n]*)\s*$/.exec(res.stderr.trim())?.[1] ?? '';
        const no = STRERROR[msg];
        if (no === undefined) throw new Error(`bpftool prog run ${r.prog}: ${res.stderr.trim()}`);
        return { prog: r.prog, retval: null, dataOut: null, ctxOut: null, error: errnoName(no) };
      }
      // The failed run had no effect: ask the runner for the errno.
    }
    const args = ['run', pin];
    const packet = c.kind !== 'syscall' && c.kind !== 'raw_tp';
    if (r.ctx !== undefined) {
      writeFileSync(`${base}.ctx`, r.ctx);
      args.push(`ctx=${base}.ctx`);
      if (packet) args.push(`ctxout=${CTX_OUT_SIZE}`);
    }
    if (r.data !== undefined) {
      writeFileSync(`${base}.data`, r.data);
      args.push(`data=${base}.data`, `dataout=${DATA_OUT_SIZE}`);
    }
    if (r.user !== undefined) {
      writeFileSync(`${base}.user`, r.user.bytes);
      args.push(`uptr=${r.user.offset}:${base}.user`);
    }
    for (const s of c.sockets ?? []) {
      args.push(`sock=${s.kind}:${s.addr}:${s.port}`);
      if (s.clientPort !== undefined) args.push(`conn=${s.kind === 'tcp6only' ? 'tcp6' : s.kind}:${s.addr}:${s.port}:${s.clientPort}`);
    }
    if (packet) args.push('repeat=1');
    const out = JSON.parse(this.netns !== null ? must('ip', ['netns', 'exec', this.netns, this.probe.runner!, ...args]) : must(this.probe.runner!, args)) as { errno?: number; retval?: number; dataOut?: string | null; ctxOut?: string | null; ctxIn?: string | null };
    if (out.errno !== undefined) return { prog: r.prog, retval: null, dataOut: null, ctxOut: null, error: errnoName(out.errno) };
    const ctxOut = c.kind === 'syscall' ? (out.ctxIn ?? null) : c.kind === 'raw_tp' ? null : (out.ctxOut ?? null);
    return { prog: r.prog, retval: out.retval!, dataOut: out.dataOut ?? null, ctxOut, error: null };
  }

  private dumpMap(pin: string, info: BpftoolMapInfo): MapDump {
    const base = { type: info.type, keySize: info.bytes_key, valueSize: info.bytes_value, maxEntries: info.max_entries, flags: info.flags };
    const mode = dumpModeOf(info.type);
    if (mode === 'none') return { ...base, entries: null };
    if (mode === 'ringbuf') {
      if (this.probe.runner === null) throw new Error('ringbuf dump needs the runner');
      const out = JSON.parse(must(this.probe.runner, ['ringbuf', pin])) as { records: string[] };
      return { ...base, entries: out.records.map((value) => ({ value })) };
    }
    if (mode === 'pop') {
      const entries: MapEntry[] = [];
      for (let i = 0; i <= info.max_entries; i++) {
        const r = run('bpftool', ['map', info.type === 'queue' ? 'dequeue' : 'pop', 'pinned', pin, '-j']);
        if (r.status !== 0) break;
        const v = JSON.parse(r.stdout) as { value: string[] };
        entries.push({ value: hexOf(v.value) });
      }
      return { ...base, entries };
    }
    const raw = JSON.parse(must('bpftool', ['map', 'dump', 'pinned', pin, '-j'])) as BpftoolEntry[];
    const entries: MapEntry[] = [];
    for (const e of raw) {
      const key = hexOf(e.key ?? []);
      if (mode === 'keys') {
        if (Array.isArray(e.value)) entries.push({ key });
      } else if (perCpuType(info.type)) {
        if (e.values !== undefined) entries.push({ key, values: e.values.map((v) => hexOf(v.value)) });
      } else if (Array.isArray(e.value)) entries.push({ key, value: hexOf(e.value) });
    }
    return { ...base, entries };
  }

  /** Remove everything: unmount the bpffs (pins go with it) and delete the temporary directory. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    process.removeListener('exit', this.onExit);
    try {
      execFileSync('umount', [this.fs], { stdio: 'ignore' });
    } catch {
      // already unmounted; fall through to removing the directory
    }
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
