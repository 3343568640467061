/**
 * The test-run warm-up: once per process and path, before the first timed BPF_PROG_TEST_RUN that
 * takes it, run a small built-in XDP program (before an XDP test run) or tc program (before any
 * other) a few times in a scratch kernel, so that
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
import { writeInsns, type RawInsn } from '../../isa/insn.js';
import { ProgType } from '../../object/uapi.js';
import { ipv4Frame } from '../../util/packets.js';
import type { Kernel } from '../kernel.js';
import { RUN_ONLY_KERNEL } from '../defaults.js';
import { Cmd } from '../syscall/uapi.js';

/** The two warm-ups: the XDP test-run path, and the `__sk_buff` one (tc) for every other type. */
export type WarmUpKind = 'xdp' | 'skb';

const done = new Set<WarmUpKind>();
let running = false;

/** Runs of each warm-up program (repeat of one test run). */
const RUNS = 24;

/** Program type and the ctx offsets of data and data_end, per warm-up. */
const KINDS: Readonly<Record<WarmUpKind, { readonly type: number; readonly data: number; readonly end: number }>> = {
  xdp: { type: ProgType.XDP, data: 0, end: 4 },
  skb: { type: ProgType.SCHED_CLS, data: 76, end: 80 },
};

/**
 * The warm-up program: bounds-check the Ethernet and IPv4 headers, count the IP protocol in an
 * array map (lookup + atomic add), record the source address in a hash map (update), read the
 * clock, and return 2. Encoded here rather than assembled from text: the assembler would be
 * compiled and run by V8 in every process only for this (its test checks the same program
 * assembled from text).
 */
export function warmUpProgram(data: number, end: number, array: number, hash: number): Uint8Array {
  const i = (code: number, dst: number, src: number, off: number, imm: number): RawInsn => ({ code, dst, src, off, imm });
  return writeInsns([
    i(0xbf, 6, 1, 0, 0), //     mov r6, r1
    i(0x61, 2, 6, data, 0), //  ldxw r2, [r6+data]
    i(0x61, 3, 6, end, 0), //   ldxw r3, [r6+data_end]
    i(0xbf, 4, 2, 0, 0), //     mov r4, r2
    i(0x07, 4, 0, 0, 34), //    add r4, 34
    i(0x2d, 4, 3, 22, 0), //    jgt r4, r3, out
    i(0x71, 5, 2, 23, 0), //    ldxb r5, [r2+23]
    i(0x63, 10, 5, -4, 0), //   stxw [r10-4], r5
    i(0x61, 7, 2, 26, 0), //    ldxw r7, [r2+26]
    i(0x63, 10, 7, -8, 0), //   stxw [r10-8], r7
    i(0x18, 1, 1, 0, array), // lddw r1, map_fd array
    i(0, 0, 0, 0, 0),
    i(0xbf, 2, 10, 0, 0), //    mov r2, r10
    i(0x07, 2, 0, 0, -4), //    add r2, -4
    i(0x85, 0, 0, 0, 1), //     call bpf_map_lookup_elem
    i(0x15, 0, 0, 12, 0), //    jeq r0, 0, out
    i(0xb7, 1, 0, 0, 1), //     mov r1, 1
    i(0xdb, 0, 1, 0, 0), //     lock add [r0+0], r1
    i(0x85, 0, 0, 0, 5), //     call bpf_ktime_get_ns
    i(0x7b, 10, 0, -16, 0), //  stxdw [r10-16], r0
    i(0x18, 1, 1, 0, hash), //  lddw r1, map_fd hash
    i(0, 0, 0, 0, 0),
    i(0xbf, 2, 10, 0, 0), //    mov r2, r10
    i(0x07, 2, 0, 0, -8), //    add r2, -8
    i(0xbf, 3, 10, 0, 0), //    mov r3, r10
    i(0x07, 3, 0, 0, -16), //   add r3, -16
    i(0xb7, 4, 0, 0, 0), //     mov r4, 0
    i(0x85, 0, 0, 0, 2), //     call bpf_map_update_elem
    i(0xb7, 0, 0, 0, 2), // out: mov r0, 2
    i(0x95, 0, 0, 0, 0), //     exit
  ]);
}

/** The warm-up a test run of `progType` takes: XDP's, or the tc one for every other type. */
export function warmUpKindOf(progType: number): WarmUpKind {
  return progType === ProgType.XDP ? 'xdp' : 'skb';
}

/**
 * Run the warm-up of `kind` once per process (see the module comment). `k` is the user's kernel:
 * only its class and engine are used, to build the scratch kernel without an import cycle.
 */
export function warmUpTestRuns(k: Kernel, kind: WarmUpKind): void {
  if (done.has(kind) || running) return;
  running = true;
  try {
    runWarmUp(k, [kind]);
  } finally {
    running = false;
    done.add(kind);
  }
}

/** One warm-up (both kinds unless told) in a scratch kernel of `k`'s class, whether or not it ran before. */
export function runWarmUp(k: Kernel, kinds: readonly WarmUpKind[] = ['xdp', 'skb']): WarmUpReport {
  const report: WarmUpReport = { runs: 0, retvals: [] };
  try {
    const KernelClass = k.constructor as new (o: object) => Kernel;
    // On the user's engine: a scratch kernel on the interpreter would run the interpreter's own
    // warm-up (src/vm/warmup.ts, 30-80 ms) inside the first test run of a process on engine 'js'.
    const s = new KernelClass({ verify: false, nrCpus: 1, warmUp: false, engine: k.engine, [RUN_ONLY_KERNEL]: true });
    const array = s.bpf(Cmd.MAP_CREATE, { map_type: 2, key_size: 4, value_size: 8, max_entries: 256 });
    const hash = s.bpf(Cmd.MAP_CREATE, { map_type: 1, key_size: 4, value_size: 8, max_entries: 64 });
    const frames = [ipv4Frame('udp', { dstPort: 53 }), ipv4Frame('tcp', { dstPort: 80 })];
    for (const kind of kinds) {
      const { type, data, end } = KINDS[kind];
      const insns = warmUpProgram(data, end, array, hash);
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
