/**
 * The fixed cost of one BPF_PROG_TEST_RUN repetition (issue 14): a two-instruction XDP program
 * (`r0 = XDP_PASS; exit`) test-run with repeat 1,000,000 on a 42-byte UDP frame, timed by the test
 * run's own `duration` (bpf_test_timer: average ns per repetition, the syscall's setup and copy-out
 * excluded, as in the kernel). Everything it measures is the emulator's per-repetition work: run
 * setup, the engine's entry and exit, the run-end bookkeeping.
 */
import { assembleBytes } from '../src/isa/asm.js';
import { Kernel } from '../src/kernel/kernel.js';
import { Cmd } from '../src/kernel/syscall/uapi.js';
import { ProgType } from '../src/object/uapi.js';
import { ipv4Frame } from '../src/util/packets.js';
import type { EngineName } from '../src/vm/run.js';

/** The figure per engine: median and range of the rounds' ns per repetition. */
export interface FixedCostRow {
  readonly engine: string;
  readonly repeat: number;
  readonly rounds: number;
  readonly nsMedian: number;
  readonly nsMin: number;
  readonly nsMax: number;
}

/** `rounds` test runs of `repeat` repetitions per engine after two warm-up runs. */
export function fixedCost(engines: readonly EngineName[] = ['fast', 'js'], repeat = 1_000_000, rounds = 5): FixedCostRow[] {
  return engines.map((engine) => {
    const k = new Kernel({ engine });
    const insns = assembleBytes('mov r0, 2\nexit');
    const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.XDP, insn_cnt: insns.length / 8, insns, license: 'GPL' });
    if (fd < 0) throw new Error(`fixed cost: PROG_LOAD failed (${fd})`);
    const frame = ipv4Frame('udp');
    const once = (): number => {
      const attr: Record<string, number | Uint8Array> = { prog_fd: fd, data_in: frame, data_size_in: frame.length, repeat };
      const err = k.bpf(Cmd.PROG_TEST_RUN, attr);
      if (err !== 0 || attr.retval !== 2) throw new Error(`fixed cost: test run gave ${err}, retval ${String(attr.retval)}`);
      return attr.duration as number;
    };
    once();
    once();
    const ns = Array.from({ length: rounds }, once).sort((a, b) => a - b);
    return { engine, repeat, rounds, nsMedian: ns[rounds >> 1]!, nsMin: ns[0]!, nsMax: ns[rounds - 1]! };
  });
}

/** The rows as text. */
export function fixedCostText(rows: readonly FixedCostRow[]): string {
  const lines = ['Fixed cost per XDP test-run repetition (2 instructions, test run duration, ns per repetition):'];
  for (const r of rows) lines.push(`  ${r.engine.padEnd(5)} ${r.nsMedian.toFixed(0).padStart(4)} ns (median of ${r.rounds} runs of repeat ${r.repeat}; ${r.nsMin.toFixed(0)}-${r.nsMax.toFixed(0)})`);
  return `${lines.join('\n')}\n`;
}
