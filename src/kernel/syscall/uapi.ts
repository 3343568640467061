/**
 * bpf() command numbers, flags and link types (include/uapi/linux/bpf.h, Linux 6.18 plus
 * BPF_PROG_ASSOC_STRUCT_OPS = 38 from bpf-next, Dec 2025).
 */

/** enum bpf_cmd. BPF_PROG_RUN is an alias of BPF_PROG_TEST_RUN and takes no slot. */
export const Cmd = {
  MAP_CREATE: 0,
  MAP_LOOKUP_ELEM: 1,
  MAP_UPDATE_ELEM: 2,
  MAP_DELETE_ELEM: 3,
  MAP_GET_NEXT_KEY: 4,
  PROG_LOAD: 5,
  OBJ_PIN: 6,
  OBJ_GET: 7,
  PROG_ATTACH: 8,
  PROG_DETACH: 9,
  PROG_TEST_RUN: 10,
  PROG_GET_NEXT_ID: 11,
  MAP_GET_NEXT_ID: 12,
  PROG_GET_FD_BY_ID: 13,
  MAP_GET_FD_BY_ID: 14,
  OBJ_GET_INFO_BY_FD: 15,
  PROG_QUERY: 16,
  RAW_TRACEPOINT_OPEN: 17,
  BTF_LOAD: 18,
  BTF_GET_FD_BY_ID: 19,
  TASK_FD_QUERY: 20,
  MAP_LOOKUP_AND_DELETE_ELEM: 21,
  MAP_FREEZE: 22,
  BTF_GET_NEXT_ID: 23,
  MAP_LOOKUP_BATCH: 24,
  MAP_LOOKUP_AND_DELETE_BATCH: 25,
  MAP_UPDATE_BATCH: 26,
  MAP_DELETE_BATCH: 27,
  LINK_CREATE: 28,
  LINK_UPDATE: 29,
  LINK_GET_FD_BY_ID: 30,
  LINK_GET_NEXT_ID: 31,
  ENABLE_STATS: 32,
  ITER_CREATE: 33,
  LINK_DETACH: 34,
  PROG_BIND_MAP: 35,
  TOKEN_CREATE: 36,
  PROG_STREAM_READ_BY_FD: 37,
  PROG_ASSOC_STRUCT_OPS: 38,
} as const;
export type CmdName = keyof typeof Cmd;

const CMD_NAMES = new Map<number, string>(Object.entries(Cmd).map(([k, v]) => [v, k]));
/** `BPF_MAP_CREATE` etc. for a command number. */
export function cmdName(cmd: number): string {
  const n = CMD_NAMES.get(cmd);
  return n === undefined ? `cmd ${cmd}` : `BPF_${n}`;
}

/** enum bpf_link_type. */
export const LinkType = {
  UNSPEC: 0,
  RAW_TRACEPOINT: 1,
  TRACING: 2,
  CGROUP: 3,
  ITER: 4,
  NETNS: 5,
  XDP: 6,
  PERF_EVENT: 7,
  KPROBE_MULTI: 8,
  STRUCT_OPS: 9,
  NETFILTER: 10,
  TCX: 11,
  UPROBE_MULTI: 12,
  NETKIT: 13,
  SOCKMAP: 14,
} as const;

/** BPF_PROG_LOAD prog_flags. */
export const ProgFlags = {
  STRICT_ALIGNMENT: 1 << 0,
  ANY_ALIGNMENT: 1 << 1,
  TEST_RND_HI32: 1 << 2,
  TEST_STATE_FREQ: 1 << 3,
  SLEEPABLE: 1 << 4,
  XDP_HAS_FRAGS: 1 << 5,
  XDP_DEV_BOUND_ONLY: 1 << 6,
  TEST_REG_INVARIANTS: 1 << 7,
  TOKEN_FD: 1 << 16,
} as const;
/** Every prog_flags bit bpf_prog_load accepts. */
export const PROG_FLAGS_MASK = Object.values(ProgFlags).reduce((a, b) => a | b, 0);

/** BPF_LINK_UPDATE / attach flags. */
export const BPF_F_REPLACE = 1 << 2;
/** Map flags the kernel layer itself needs (the full table is in maps/uapi.ts). */
export const BPF_F_RDONLY = 1 << 3;
export const BPF_F_WRONLY = 1 << 4;
export const BPF_F_RDONLY_PROG = 1 << 7;
export const BPF_F_WRONLY_PROG = 1 << 8;
export const BPF_F_LINK = 1 << 13;
export const BPF_F_TOKEN_FD = 1 << 16;
export const BPF_F_VTYPE_BTF_OBJ_FD = 1 << 15;
/** Map update flags. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;

/** BPF_PROG_TEST_RUN flags. */
export const BPF_F_TEST_RUN_ON_CPU = 1 << 0;
export const BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;
export const BPF_F_TEST_SKB_CHECKSUM_COMPLETE = 1 << 2;

/** BPF_OBJ_NAME_LEN. */
export const OBJ_NAME_LEN = 16;
/** sizeof(struct bpf_insn). */
export const INSN_SIZE = 8;
/** PAGE_SIZE of the emulated machine (x86-64). */
export const PAGE_SIZE = 4096;
/** BPF_COMPLEXITY_LIMIT_INSNS. */
export const COMPLEXITY_LIMIT_INSNS = 1_000_000;
/** enum bpf_struct_ops_state. */
export const StructOpsState = { INIT: 0, INUSE: 1, TOBEFREE: 2, READY: 3 } as const;
