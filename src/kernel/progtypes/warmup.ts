/**
 * The test-run warm-up: once per process, before the first timed BPF_PROG_TEST_RUN of a packet
 * program, run a small built-in XDP and a tc program a few times in a scratch kernel, so that
 * `durationNs` of a user's first run does not time V8 compiling the paths every test run takes
 * (the test-run setup, packet access, map lookups and updates, helper calls, the data copy-out).
 *
 * The kernel pays none of this at run time. What it gains and costs (measured on xdp_firewall in
 * fresh processes) and what is left (per kernel and per program: map-value regions created on first
 * use, the program's own paths) are in README's test-run API section.
 *
 * The scratch kernel is private: the user's kernel sees no new fds, ids, maps or programs, and its
 * clock, PRNG and trace pipe are untouched. The warm-up runs without the verifier (it is warming
 * the run path, not the verifier) and is skipped when a kernel is created with `warmUp: false`.
 */
import { assembleBytes } from '../../isa/asm.js';
import { ProgType } from '../../object/uapi.js';
import { ipv4Frame } from '../../util/packets.js';
import type { Kernel } from '../kernel.js';
import { Cmd } from '../syscall/uapi.js';

let done = false;
let running = false;

/** Runs of each warm-up program (repeat of one test run). */
const RUNS = 24;

/**
 * The warm-up program: bounds-check the Ethernet and IPv4 headers, count the IP protocol in an
 * array map (lookup + atomic add), record the source address in a hash map (update), read the
 * clock, and return 2. `$data` and `$end` are the ctx offsets of data and
 * data_end for the program type.
 */
function warmUpText(data: number, end: number, array: number, hash: number): string {
  return `
    mov r6, r1
    ldxw r2, [r6+${data}]
    ldxw r3, [r6+${end}]
    mov r4, r2
    add r4, 34
    jgt r4, r3, out
    ldxb r5, [r2+23]
    stxw [r10-4], r5
    ldxw r7, [r2+26]
    stxw [r10-8], r7
    lddw r1, map_fd ${array}
    mov r2, r10
    add r2, -4
    call 1
    jeq r0, 0, out
    mov r1, 1
    lock add [r0+0], r1
    call 5
    stxdw [r10-16], r0
    lddw r1, map_fd ${hash}
    mov r2, r10
    add r2, -8
    mov r3, r10
    add r3, -16
    mov r4, 0
    call 2
  out:
    mov r0, 2
    exit`;
}

/**
 * Run the warm-up once per process (see the module comment). `k` is the user's kernel: only its
 * class is used, to build the scratch kernel without an import cycle.
 */
export function warmUpTestRuns(k: Kernel): void {
  if (done || running) return;
  running = true;
  try {
    runWarmUp(k);
  } finally {
    running = false;
    done = true;
  }
}

/** One warm-up in a scratch kernel of `k`'s class, whether or not it ran before. */
export function runWarmUp(k: Kernel): WarmUpReport {
  const report: WarmUpReport = { runs: 0, retvals: [] };
  try {
    const KernelClass = k.constructor as new (o: object) => Kernel;
    // On the user's engine: a scratch kernel on the interpreter would run the interpreter's own
    // warm-up (src/vm/warmup.ts, 30-80 ms) inside the first test run of a process on engine 'js'.
    const s = new KernelClass({ verify: false, nrCpus: 1, warmUp: false, engine: k.engine });
    const array = s.bpf(Cmd.MAP_CREATE, { map_type: 2, key_size: 4, value_size: 8, max_entries: 256 });
    const hash = s.bpf(Cmd.MAP_CREATE, { map_type: 1, key_size: 4, value_size: 8, max_entries: 64 });
    const frames = [ipv4Frame('udp', { dstPort: 53 }), ipv4Frame('tcp', { dstPort: 80 })];
    for (const [type, data, end] of [
      [ProgType.XDP, 0, 4],
      [ProgType.SCHED_CLS, 76, 80],
    ] as const) {
      const insns = assembleBytes(warmUpText(data, end, array, hash));
      const fd = s.bpf(Cmd.PROG_LOAD, { prog_type: type, insn_cnt: insns.length / 8, insns, license: 'GPL' });
      for (const repeat of [RUNS / 2, 1]) {
        for (const f of frames) {
          const attr = { prog_fd: fd, data_in: f, data_size_in: f.length, data_out: new Uint8Array(f.length), data_size_out: f.length, repeat, retval: 0 };
          if (s.bpf(Cmd.PROG_TEST_RUN, attr) === 0) {
            report.runs += repeat;
            report.retvals.push(attr.retval);
          }
        }
      }
    }
  } catch {
    // A warm-up that fails costs only speed; test/kernel/progtypes/warmup.test.ts makes sure it runs.
  }
  return report;
}

/** What the warm-up did (for its test): test-run repetitions that succeeded, and their retvals. */
export interface WarmUpReport {
  runs: number;
  readonly retvals: number[];
}
