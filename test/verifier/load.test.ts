/**
 * The verifier as BPF_PROG_LOAD, the API and the CLI use it: the log attributes with 6.18's rules
 * (no minimum size, a level without a buffer, ENOSPC overriding the verdict, the tail kept, level 4
 * statistics), `verify: false`, `program.verifierStats`, the VerifierError behind a refused load,
 * and `bpfemu verify`. The 6.18 facts are those observed in ../shared/docs/verifier.md §12 and
 * re-checked by the corpus goldens (the same messages and errnos).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { BpfError } from '../../src/api/errors.js';
import { runCli } from '../../src/cli/cli.js';
import { assembleBytes } from '../../src/isa/asm.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { ERRNO } from '../../src/util/errno.js';
import { VerifierError } from '../../src/verifier/api.js';
import { MemIo } from '../cli/memio.js';

const OK = assembleBytes('mov r0, 0\nexit');
const BAD = assembleBytes('ldxdw r0, [r1+1000]\nexit'); // invalid bpf_context access off=1000 size=8
const PARSE = readFileSync(new URL('../../programs/verifier_xdp_parse.bpf.o', import.meta.url));

function load(k: Kernel, insns: Uint8Array, extra: Record<string, number | Uint8Array> = {}): number {
  return k.bpf(Cmd.PROG_LOAD, { prog_type: 1, insn_cnt: insns.length / 8, insns, license: 'GPL', ...extra });
}

function text(buf: Uint8Array): string {
  return new TextDecoder().decode(buf.subarray(0, buf.indexOf(0)));
}

describe('BPF_PROG_LOAD log attributes (6.18)', () => {
  it('a refused program: errno EACCES, the error line then the stats line', () => {
    const k = new Kernel();
    const log = new Uint8Array(4096);
    expect(load(k, BAD, { log_level: 1, log_buf: log, log_size: log.length })).toBe(-ERRNO.EACCES);
    expect(text(log)).toMatch(/invalid bpf_context access off=1000 size=8\nprocessed 1 insns \(limit 1000000\) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n$/);
  });

  it('no minimum size: 1 byte is accepted, and the overflow gives ENOSPC even for a valid program', () => {
    const k = new Kernel();
    const log = new Uint8Array(1);
    expect(load(k, OK, { log_level: 1, log_buf: log, log_size: 1 })).toBe(-ERRNO.ENOSPC);
    expect(log[0]).toBe(0);
  });

  it('ENOSPC overrides the verifier errno; the tail of the log is kept, NUL-terminated', () => {
    const k = new Kernel();
    const log = new Uint8Array(40);
    expect(load(k, BAD, { log_level: 1, log_buf: log, log_size: 40 })).toBe(-ERRNO.ENOSPC);
    expect(text(log)).toHaveLength(39);
    expect(text(log).endsWith('mark_read 0\n')).toBe(true);
  });

  it('a level without a buffer is valid; a buffer without a level, or a level above 15, is EINVAL', () => {
    const k = new Kernel();
    expect(load(k, OK, { log_level: 1 })).toBeGreaterThan(0);
    expect(load(k, OK, { log_level: 0, log_buf: new Uint8Array(64), log_size: 64 })).toBe(-ERRNO.EINVAL);
    expect(load(k, OK, { log_level: 16, log_buf: new Uint8Array(64), log_size: 64 })).toBe(-ERRNO.EINVAL);
  });

  it('level 4 prints the time, the stack depth and the processed line only', () => {
    const k = new Kernel();
    const log = new Uint8Array(4096);
    expect(load(k, OK, { log_level: 4, log_buf: log, log_size: log.length })).toBeGreaterThan(0);
    expect(text(log)).toMatch(/^verification time \d+ usec\nstack depth 0\nprocessed 2 insns/);
  });

  it('KernelOptions.verify: false loads what the verifier refuses (and the run-time wall faults instead)', () => {
    expect(load(new Kernel(), BAD)).toBe(-ERRNO.EACCES);
    expect(load(new Kernel({ verify: false }), BAD)).toBeGreaterThan(0);
  });
});

describe('the API', () => {
  it('a refused program throws BpfError with the VerifierError: errno, pc, instruction, C line, log', () => {
    const obj = BpfObject.open(PARSE, { name: 'p' });
    for (const p of obj.programs) p.autoload = p.name === 'udp_unchecked';
    let err: unknown;
    try {
      obj.load();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BpfError);
    const v = (err as BpfError).cause;
    expect(v).toBeInstanceOf(VerifierError);
    const ve = v as VerifierError;
    expect(ve.errno).toBe(ERRNO.EACCES);
    expect(ve.reason).toContain('R1 offset is outside of the packet');
    expect(ve.source?.file).toBe('verifier_xdp_parse.bpf.c');
    expect(ve.log).toContain('; ');
  });

  it('accepted programs carry their statistics; verify: false loads without them', () => {
    const obj = BpfObject.open(PARSE, { name: 'p' });
    for (const p of obj.programs) p.autoload = p.name === 'udp_checked';
    obj.load();
    const st = obj.program('udp_checked').verifierStats!;
    expect(st.insnsProcessed).toBeGreaterThan(10);
    expect(obj.program('udp_checked').verifierLog).toMatch(/processed \d+ insns/);
    const raw = BpfObject.open(PARSE, { name: 'p', verify: false });
    raw.load(); // udp_unchecked and the other refused programs load unverified
    expect(raw.program('udp_unchecked').verifierStats).toBeNull();
  });
});

describe('bpfemu verify', () => {
  it('prints a table and the refused programs\' logs, exits 1; --json gives one object', () => {
    const io = new MemIo({ 'p.bpf.o': PARSE });
    expect(runCli(['verify', 'p.bpf.o'], io)).toBe(1);
    expect(io.stdout).toMatch(/udp_checked\s+xdp\s+success/);
    expect(io.stdout).toMatch(/udp_unchecked\s+xdp\s+failure \(EACCES\)/);
    expect(io.stdout).toContain('R1 offset is outside of the packet');
    const j = new MemIo({ 'p.bpf.o': PARSE });
    expect(runCli(['verify', 'p.bpf.o', '--prog', 'udp_checked', '--json'], j)).toBe(0);
    const out = JSON.parse(j.stdout) as { programs: { name: string; verdict: string; insnsProcessed: number }[] };
    expect(out.programs).toHaveLength(1);
    expect(out.programs[0]).toMatchObject({ name: 'udp_checked', verdict: 'accepted' });
  });
});

describe('the CAP_BPF-only profile (privileged: false)', () => {
  // `mov r0, r10; exit` as a socket filter: 6.18 loads it as root and refuses it with only CAP_BPF
  // ("R0 leaks addr as return value", EACCES: corpus case unpriv-ret-fp, recorded under setpriv).
  const LEAK = assembleBytes('mov r0, r10\nexit');

  it('Kernel.withPrivileges(false) refuses what root loads, with the kernel line, and restores the profile', () => {
    const k = new Kernel();
    expect(load(k, LEAK)).toBeGreaterThan(0);
    const log = new Uint8Array(4096);
    expect(k.withPrivileges(false, () => load(k, LEAK, { log_level: 1, log_buf: log, log_size: log.length }))).toBe(-ERRNO.EACCES);
    expect(text(log)).toContain('R0 leaks addr as return value\nprocessed 2 insns');
    expect(k.verifierPrivileged).toBe(true);
    expect(load(k, LEAK)).toBeGreaterThan(0);
  });
});

describe("the unprivileged profile (privileged: 'none')", () => {
  // 6.18 as uid 65534 without capabilities (corpus group unpriv0): socket filters load, XDP is EPERM
  // before the verifier, bounded loops are refused ("back-edge from insn 2 to 1").
  const LOOP = assembleBytes('mov r1, 0\nl:\nadd r1, 1\njlt r1, 4, l\nmov r0, 0\nexit');

  it('BpfObject.open(..., { privileged: "none" }) loads a socket filter and refuses an XDP program with EPERM', () => {
    const sock = BpfObject.open(readFileSync(new URL('../../programs/socket_filter.bpf.o', import.meta.url)), { privileged: 'none' });
    sock.program('sock_oob').autoload = false;
    expect(() => sock.load()).not.toThrow();
    sock.close();
    const xdp = BpfObject.open(PARSE, { privileged: 'none' });
    let err: unknown;
    try {
      xdp.load();
    } catch (e) {
      err = e;
    }
    xdp.close();
    expect(err).toBeInstanceOf(BpfError);
    expect((err as BpfError).code).toBe('EPERM');
  });

  it("a loop root loads is refused without CAP_BPF (back-edge), and the profile is restored", () => {
    const k = new Kernel();
    expect(load(k, LOOP)).toBeGreaterThan(0);
    const log = new Uint8Array(4096);
    expect(k.withPrivileges('none', () => load(k, LOOP, { log_level: 1, log_buf: log, log_size: log.length }))).toBe(-ERRNO.EINVAL);
    expect(text(log)).toContain('back-edge from insn 2 to 1\n');
    expect(k.verifierPrivileged).toBe(true);
  });
});
