/**
 * How each program type runs in the emulator when 6.18's BPF_PROG_TEST_RUN cannot run it
 * (ENOTSUPP there, so here too): the attach-and-fire path or the run function that plays the
 * kernel's event. README's program-type table is generated from this (test/docs/tables.ts).
 */
import { ProgType as P } from '../../object/uapi.js';

const CGROUP = '`attachCgroup` + `fireCgroup` (`progtypes/cgroup.ts`)';

/** By program type: the way to run it without BPF_PROG_TEST_RUN. */
export const RUN_PATHS: ReadonlyMap<number, string> = new Map([
  [P.KPROBE, 'attach + `fire(\'kprobe\', …)`'],
  [P.TRACEPOINT, 'attach + `fire(\'tracepoint\', …)`'],
  [P.PERF_EVENT, '`runPerfEvent` (`progtypes/perf-event.ts`)'],
  [P.CGROUP_SOCK, CGROUP],
  [P.SOCK_OPS, CGROUP],
  [P.SK_SKB, '`runSkb` (`progtypes/skb.ts`)'],
  [P.CGROUP_DEVICE, CGROUP],
  [P.SK_MSG, '`runSkMsg` (`progtypes/sk-msg.ts`)'],
  [P.CGROUP_SOCK_ADDR, CGROUP],
  [P.LWT_SEG6LOCAL, '`runSkb` (`progtypes/skb.ts`)'],
  [P.SK_REUSEPORT, '`runSkReuseport` (`progtypes/sk-msg.ts`)'],
  [P.CGROUP_SYSCTL, CGROUP],
  [P.CGROUP_SOCKOPT, CGROUP],
  [P.RAW_TRACEPOINT_WRITABLE, 'attach + `fire(\'raw_tp\', …)`'],
  [P.TRACING, 'attach + `fire(\'raw_tp\' | \'fentry\', …)`; iterators: `BPF_ITER_CREATE` + read'],
  [P.STRUCT_OPS, 'through their struct_ops map (registration, subsystem callbacks)'],
  [P.LSM, 'attach + `fire(\'lsm\', …)`'],
]);
