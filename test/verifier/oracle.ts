/**
 * The kernel side of the verifier differential corpus: {@link probeOracle} finds out whether this
 * machine can load programs (Linux, root, a C compiler, libbpf headers, `bpf()` usable) and
 * {@link kernelVerify} sends a batch of {@link VerifierCase}s through one `verifier-oracle`
 * process (oracle.c, compiled here into a temporary directory, removed at exit) and returns the
 * kernel's {@link KernelVerdict} for each, in order. {@link errorLineOf} and
 * {@link insnsProcessedOf} are the golden's extraction rules, shared with bpfemu's side.
 *
 * The request/result line format is documented at the top of oracle.c.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../../src/isa/asm.js';
import { writeInsns } from '../../src/isa/insn.js';
import { errnoName } from '../../src/util/errno.js';
import type { CaseMap, KernelVerdict, VerifierCase } from './corpus/types.js';

const PROGRAMS = new URL('../../programs/', import.meta.url).pathname;
const ORACLE_SRC = new URL('./oracle.c', import.meta.url).pathname;

/** What {@link probeOracle} found. */
export interface OracleProbe {
  readonly available: boolean;
  /** Why not (or "ok"). */
  readonly reason: string;
}

/** One program for {@link kernelVerifyRaw}: a case, and for `asm` cases optionally its encoded instructions. */
export interface OracleRequest {
  readonly case: VerifierCase;
  /** Instruction bytes to load instead of assembling `case.asm` (fuzzers that build slots directly). */
  readonly insns?: Uint8Array;
}

/** Cases per oracle process (bounds the output a single spawnSync collects). */
const BATCH = 2000;

function run(cmd: string, args: readonly string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error !== undefined) return { status: -1, stdout: '', stderr: String(r.error) };
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let oracleDir: string | null = null;
let oraclePath: string | null = null;
let probed: OracleProbe | null = null;

/** Remove the compiled oracle (its temporary directory); also done at process exit. */
export function releaseOracle(): void {
  if (oracleDir !== null) rmSync(oracleDir, { recursive: true, force: true });
  oracleDir = null;
  oraclePath = null;
  probed = null;
}

function compile(): { path: string | null; reason: string } {
  const cc = ['cc', 'gcc', 'clang', 'clang-19'].find((c) => run('sh', ['-c', `command -v ${c}`]).status === 0);
  if (cc === undefined) return { path: null, reason: 'no C compiler (cc, gcc, clang, clang-19)' };
  if (!existsSync('/usr/include/bpf/libbpf.h')) return { path: null, reason: 'no libbpf headers (libbpf-dev)' };
  oracleDir = mkdtempSync(join(tmpdir(), 'bpfemu-verifier-oracle-'));
  process.once('exit', releaseOracle);
  const out = join(oracleDir, 'verifier-oracle');
  const r = run(cc, ['-O2', '-Wall', '-o', out, ORACLE_SRC, '-lbpf']);
  if (r.status !== 0) return { path: null, reason: `oracle.c does not compile: ${r.stderr.trim().split('\n')[0] ?? ''}` };
  return { path: out, reason: 'ok' };
}

/** Can this machine load programs into its kernel? Compiles the oracle once; never throws. */
export function probeOracle(): OracleProbe {
  if (probed !== null) return probed;
  const no = (reason: string): OracleProbe => (probed = { available: false, reason });
  try {
    if (process.platform !== 'linux') return no(`not Linux (${process.platform})`);
    if (process.getuid?.() !== 0) return no('not root (BPF_PROG_LOAD of most types needs CAP_BPF + CAP_SYS_ADMIN)');
    const c = compile();
    if (c.path === null) return no(c.reason);
    oraclePath = c.path;
    const [v] = runOracle(c.path, [{ case: { name: 'probe', rule: 'probe', what: 'r0 = 0; exit', progType: 1, asm: 'mov r0, 0\nexit' } }]);
    if (v === undefined || !v.accepted) return no(`bpf() unusable: a trivial socket filter was refused (${v?.errno ?? 'no answer'})`);
    return (probed = { available: true, reason: 'ok' });
  } catch (e) {
    return no(`probe failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * The kernel's error line of a level-1 log: the last non-empty line before the last
 * `processed N insns` stats line (the last non-empty line of the log if it has none).
 */
export function errorLineOf(log: string): string | undefined {
  // "infinite loop detected" is followed by two state dumps (and may share a line with the insn)
  const loop = /infinite loop detected at insn \d+/.exec(log);
  if (loop !== null) return loop[0];
  // "expected prog array map for tail call" has no newline: the stats line follows on its line
  const glued = /^(.+\S)processed \d+ insns \(limit/m.exec(log);
  if (glued !== null) return glued[1];
  const lines = log.split('\n');
  let end = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^processed \d+ insns/.test(lines[i]!)) {
      end = i;
      break;
    }
  }
  for (let i = end - 1; i >= 0; i--) if (lines[i]!.trim() !== '') return lines[i]!;
  return undefined;
}

/** N of the last `processed N insns` stats line of a log, or undefined. */
export function insnsProcessedOf(log: string): number | undefined {
  const all = [...log.matchAll(/processed (\d+) insns \(limit/g)];
  const last = all[all.length - 1];
  return last === undefined ? undefined : Number(last[1]);
}

/** The kernel's verdict on each case, in order. Throws if the oracle is unavailable, a case's asm does not assemble or its setup fails. */
export function kernelVerify(cases: readonly VerifierCase[]): KernelVerdict[] {
  return kernelVerifyRaw(cases.map((c) => ({ case: c })));
}

/** {@link kernelVerify} for requests that may carry their instruction bytes. */
export function kernelVerifyRaw(requests: readonly OracleRequest[]): KernelVerdict[] {
  const probe = probeOracle();
  if (!probe.available || oraclePath === null) throw new Error(`kernel oracle not available: ${probe.reason}`);
  // one oracle process per profile (the CAP_BPF-only one runs under setpriv), results back in request order
  const out: KernelVerdict[] = new Array<KernelVerdict>(requests.length);
  for (const profile of [undefined, 'cap_bpf', 'none'] as const) {
    const idx = requests.map((r, i) => (r.case.profile === profile ? i : -1)).filter((i) => i >= 0);
    for (let i = 0; i < idx.length; i += BATCH) {
      const part = idx.slice(i, i + BATCH);
      const res = runOracle(oraclePath, part.map((j) => requests[j]!), profile);
      part.forEach((j, k) => (out[j] = res[k]!));
    }
  }
  return out;
}

const hex = (s: string): string => (s === '' ? '-' : Buffer.from(s, 'utf8').toString('hex'));

function mapLine(m: CaseMap): string {
  const f = ['M', m.type, m.keySize, m.valueSize, m.maxEntries, m.flags ?? 0, m.inner ?? -1, m.freeze === true ? 1 : 0, hex(m.name ?? ''), m.init === undefined || m.init === '' ? '-' : m.init.toLowerCase()];
  if (m.btf !== undefined) f.push(m.btf.hex.toLowerCase(), m.btf.keyTypeId, m.btf.valueTypeId);
  return f.join(' ');
}

function requestLines(r: OracleRequest): string {
  const c = r.case;
  const lines = (c.maps ?? []).map(mapLine);
  const head = [c.progType, c.attachType ?? 0, c.progFlags ?? 0];
  if (c.object !== undefined) {
    if (c.asm !== undefined) throw new Error(`case ${c.name}: asm and object are exclusive`);
    lines.push(['O', ...head, hex(join(PROGRAMS, c.object.file)), hex(c.object.prog)].join(' '));
  } else {
    let bytes = r.insns;
    if (bytes === undefined) {
      if (c.asm === undefined) throw new Error(`case ${c.name}: neither asm nor object`);
      try {
        bytes = writeInsns(assemble(c.asm));
      } catch (e) {
        throw new Error(`case ${c.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    }
    const code = bytes.length === 0 ? '-' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
    lines.push(['P', ...head, c.btfFuncs === true ? 1 : 0, hex((c.license ?? 'GPL') + '\0'), hex(c.attachBtf ?? ''), code].join(' '));
  }
  return lines.join('\n') + '\n';
}

/** setpriv arguments that keep only CAP_BPF (bounding, inheritable and ambient sets) for the oracle process. */
const CAP_BPF_ONLY = ['--bounding-set=-all,+bpf', '--inh-caps=-all,+bpf', '--ambient-caps=-all,+bpf', '--'];
/**
 * setpriv arguments of an unprivileged user (nobody, no groups, no capabilities). Its loads only
 * reach the verifier while kernel.unprivileged_bpf_disabled is 0 (see README, "Unprivileged").
 */
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--'];

function runOracle(path: string, requests: readonly OracleRequest[], profile?: 'cap_bpf' | 'none'): KernelVerdict[] {
  if (requests.length === 0) return [];
  const input = requests.map(requestLines).join('');
  // nobody must be able to run the oracle out of its temporary directory
  if (profile === 'none' && oracleDir !== null) chmodSync(oracleDir, 0o755);
  const [cmd, args] = profile === 'cap_bpf' ? ['setpriv', [...CAP_BPF_ONLY, path]] : profile === 'none' ? ['setpriv', [...NOBODY, path]] : [path, []];
  const r = spawnSync(cmd, args, { input, maxBuffer: 2 ** 32 - 1, timeout: 30 * 60_000 });
  if (r.error !== undefined) throw new Error(`verifier-oracle: ${String(r.error)}`);
  if (r.status !== 0) throw new Error(`verifier-oracle: exit ${r.status ?? r.signal}: ${r.stderr.toString('utf8').trim()}`);
  const stdout = r.stdout;
  const out: KernelVerdict[] = [];
  let pos = 0;
  while (pos < stdout.length) {
    let nl = stdout.indexOf(10, pos);
    if (nl < 0) nl = stdout.length;
    const line = stdout.toString('latin1', pos, nl);
    pos = nl + 1;
    if (line === '') continue;
    const c = requests[out.length]?.case;
    if (c === undefined) throw new Error('verifier-oracle: more results than cases');
    const f = line.split(' ');
    if (f[0] === 'X') throw new Error(`case ${c.name}: setup failed: ${Buffer.from(f[1] ?? '', 'hex').toString('utf8')}`);
    if (f[0] !== 'R' || f.length !== 5) throw new Error(`verifier-oracle: bad result line for case ${c.name}: ${line.slice(0, 200)}`);
    const accepted = f[1] === '1';
    const log = f[4] === '-' ? '' : Buffer.from(f[4]!, 'hex').toString('utf8');
    out.push(verdict(accepted, Number(f[2]), f[3] === '1', log));
  }
  if (out.length !== requests.length) throw new Error(`verifier-oracle: ${out.length} results for ${requests.length} cases`);
  return out;
}

function verdict(accepted: boolean, errno: number, truncated: boolean, log: string): KernelVerdict {
  const v: { -readonly [K in keyof KernelVerdict]: KernelVerdict[K] } = { accepted, log };
  if (!accepted) {
    v.errno = errnoName(errno);
    const line = errorLineOf(log);
    if (line !== undefined) v.errorLine = line;
  }
  const n = insnsProcessedOf(log);
  if (n !== undefined) v.insnsProcessed = n;
  if (truncated) v.logTruncated = true;
  return v;
}
