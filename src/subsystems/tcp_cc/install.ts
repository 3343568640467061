/**
 * The TCP congestion-control subsystem of the emulated kernel (net/ipv4/bpf_tcp_ca.c and
 * net/ipv4/tcp_cong.c as of Linux 6.18; specification ../shared/docs/tcp-cc.md):
 *
 * - kernel structs in the emulated vmlinux BTF with 6.18's layouts ({@link ./layout.ts}):
 *   `sock_common`, `sock`, `inet_sock`, `inet_connection_sock`, `tcp_sock`, `ack_sample`,
 *   `rate_sample`, `minmax`;
 * - the struct_ops type `tcp_congestion_ops` with the kernel's member order (so a program's
 *   expected_attach_type is the member index), its registration checks (name, flags, required
 *   members, unique name), a `struct sock *` argument read as `struct tcp_sock *`, and the
 *   kernel's write rule for `tcp_sock`;
 * - the kfuncs tcp_reno_ssthresh, tcp_reno_cong_avoid, tcp_reno_undo_cwnd, tcp_slow_start and
 *   tcp_cong_avoid_ai for STRUCT_OPS programs, and tcp_cubic.c's cubictcp_* kfuncs ({@link ./cubic.ts});
 * - the simulated sockets as targets of bpf_setsockopt / bpf_getsockopt / bpf_tcp_send_ack
 *   (helpers/sockopt.ts; the options a simulated socket models are in ./sockopt.ts);
 * - the list of registered congestion controls (the kernel's tcp_cong_list), with the built-in
 *   names of the 6.18 machine the goldens come from (reno, cubic, bbr).
 *
 * Install it with {@link installTcpCc} on a kernel before opening an object that uses it.
 */
import { ProgType } from '../../object/uapi.js';
import { ERRNO } from '../../util/errno.js';
import { KernelError } from '../../kernel/errors.js';
import { registerSockoptResolver } from '../../helpers/sockopt.js';
import { Memory } from '../../vm/memory.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { KfuncCall } from '../../kernel/kfuncs.js';
import type { KFuncProto, KStructDef, KStructMember } from '../../kernel/objects/ktypes.js';
import type { StructOpsInstance, StructOpsMember } from '../../kernel/structops.js';
import { ACK_SAMPLE_FIELDS, ICSK_ACK_PENDING_OFF, ICSK_FIELDS, RATE_SAMPLE_FIELDS, SIZEOF, SKC_STATE_OFF, SOCK_FIELDS, TCP_FIELDS, WRITABLE, type FieldFact } from './layout.js';
import { cubictcpAcked, cubictcpCongAvoid, cubictcpCwndEvent, cubictcpInit, cubictcpRecalcSsthresh, cubictcpState } from './cubic.js';
import { tcpCongAvoidAi, tcpRenoCongAvoid, tcpRenoSsthresh, tcpRenoUndoCwnd, tcpSlowStart, type TcpSock } from './sock.js';

const { EINVAL, EEXIST, ENOENT } = ERRNO;

/** TCP_CA_NAME_MAX. */
export const TCP_CA_NAME_MAX = 16;
/** tcp_congestion_ops.flags bits (include/net/tcp.h). */
export const TCP_CONG_NON_RESTRICTED = 0x1;
export const TCP_CONG_NEEDS_ECN = 0x2;
/**
 * TCP_CONG_MASK of 6.18: flags 0x1..0x10 register, 0x20 and above are EINVAL (measured on the 6.18
 * machine, test/subsystems/tcp_cc/goldens/registration-6.18.json).
 */
export const TCP_CONG_MASK = 0x1f;

/** enum tcp_ca_state. */
export const TCP_CA = { Open: 0, Disorder: 1, CWR: 2, Recovery: 3, Loss: 4 } as const;
/** enum tcp_ca_event. */
export const CA_EVENT = { TX_START: 0, CWND_RESTART: 1, COMPLETE_CWR: 2, LOSS: 3, ECN_NO_CE: 4, ECN_IS_CE: 5 } as const;
/** enum tcp_ca_ack_event_flags. */
export const CA_ACK = { SLOWPATH: 1, WIN_UPDATE: 2, ECE: 4 } as const;

/** Names of the congestion controls built into the 6.18 machine (tcp_available_congestion_control). */
export const BUILTIN_CC_NAMES: readonly string[] = ['reno', 'cubic', 'bbr'];

const SK = 'struct sock *';
const sk = { name: 'sk', type: SK };
const fn = (ret: string, ...params: { name: string; type: string }[]): KFuncProto => ({ ret, params: [sk, ...params] });

/** struct tcp_congestion_ops, 6.18 member order and offsets ({@link CA_OPS_OFFSETS}). */
const CA_OPS_MEMBERS: readonly KStructMember[] = [
  { name: 'ssthresh', type: fn('u32') },
  { name: 'cong_avoid', type: fn('void', { name: 'ack', type: 'u32' }, { name: 'acked', type: 'u32' }) },
  { name: 'set_state', type: fn('void', { name: 'new_state', type: 'u8' }) },
  // enum tcp_ca_event: the emulated BTF's type strings have no enums; a 4-byte unsigned int is the same slot.
  { name: 'cwnd_event', type: fn('void', { name: 'ev', type: 'u32' }) },
  { name: 'in_ack_event', type: fn('void', { name: 'flags', type: 'u32' }) },
  { name: 'pkts_acked', type: fn('void', { name: 'sample', type: 'const struct ack_sample *' }) },
  { name: 'min_tso_segs', type: fn('u32') },
  { name: 'cong_control', type: fn('void', { name: 'ack', type: 'u32' }, { name: 'flag', type: 'int' }, { name: 'rs', type: 'const struct rate_sample *' }) },
  { name: 'undo_cwnd', type: fn('u32') },
  { name: 'sndbuf_expand', type: fn('u32') },
  // union tcp_cc_info * is given as void * (no unions in the type strings); the member has no cfi stub.
  { name: 'get_info', type: fn('size_t', { name: 'ext', type: 'u32' }, { name: 'attr', type: 'int *' }, { name: 'info', type: 'void *' }) },
  { name: 'name', type: 'char[16]', offset: 88 },
  { name: 'owner', type: 'struct module *', offset: 104 },
  { name: 'list', type: 'struct list_head', offset: 112 },
  { name: 'key', type: 'u32', offset: 128 },
  { name: 'flags', type: 'u32', offset: 132 },
  { name: 'init', type: fn('void') },
  { name: 'release', type: fn('void') },
  // ____cacheline_aligned_in_smp: the kernel's BTF pads the struct to 192 bytes with five
  // anonymous `long: 64` members.
  ...[152, 160, 168, 176, 184].map((offset) => ({ name: '', type: 'long', offset })),
];

/** Members with a cfi stub in bpf_tcp_ca.c (all function members but get_info). */
const STUBS = ['ssthresh', 'cong_avoid', 'set_state', 'cwnd_event', 'in_ack_event', 'pkts_acked', 'min_tso_segs', 'cong_control', 'undo_cwnd', 'sndbuf_expand', 'init', 'release'];

const members = (fields: Readonly<Record<string, FieldFact>>): KStructMember[] =>
  Object.entries(fields).map(([name, f]) => ({ name, type: f.type, offset: f.off }));

/** A registered congestion control: a built-in name or a BPF struct_ops instance. */
export interface RegisteredCc {
  readonly name: string;
  readonly inst: StructOpsInstance | null;
}

/** The subsystem's state in one kernel (service `tcp_cc`). */
export class TcpCcSubsystem {
  /** tcp_cong_list by name. */
  readonly list = new Map<string, RegisteredCc>();
  /** Simulated sockets by guest region id (kfunc arguments resolve through it). */
  readonly socks = new Map<number, TcpSock>();

  constructor(readonly kernel: Kernel) {
    for (const n of BUILTIN_CC_NAMES) this.list.set(n, { name: n, inst: null });
  }

  /** The simulated socket a guest pointer points at, or undefined. */
  sockAt(ptr: bigint): TcpSock | undefined {
    const [region, off] = Memory.split(ptr);
    return off === 0 ? this.socks.get(region) : undefined;
  }

  /** A registered BPF congestion control by name. */
  find(name: string): RegisteredCc | undefined {
    return this.list.get(name);
  }
}

/** The kdata name of a tcp_congestion_ops instance. */
export function caName(inst: StructOpsInstance): string {
  const m = inst.member('name');
  const b = inst.data.subarray(m.offset, m.offset + m.size);
  const end = b.indexOf(0);
  return new TextDecoder().decode(b.subarray(0, end < 0 ? b.length : end));
}

/**
 * bpf_obj_name_cpy: the name must be non-empty, NUL-terminated within the field, and made of
 * letters, digits, '_' and '.'. Returns its length or -EINVAL.
 */
function objNameCpy(src: Uint8Array): number {
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === 0) return i === 0 ? -EINVAL : i;
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e;
    if (!ok) return -EINVAL;
  }
  return -EINVAL;
}

/** bpf_tcp_ca_btf_struct_access for stores (spec §1.4). */
function tcpSockWrite(struct: string, off: number, size: number): string | null {
  if (struct !== 'tcp_sock') return 'only read is supported';
  for (const w of WRITABLE) {
    if (off < w.off || off >= w.end) continue;
    if (!w.anyOffset && off !== w.off) break;
    if (off + size > w.end) return `write access at off ${off} with size ${size} beyond the member of tcp_sock ended at ${w.end}`;
    return null;
  }
  return `no write support to tcp_sock at off ${off}`;
}

function sockArg(sub: TcpCcSubsystem, c: KfuncCall): TcpSock {
  const s = sub.sockAt(c.args[0]!);
  // The kernel's verifier only lets the trusted socket argument through (KF_TRUSTED_ARGS); the
  // emulator checks it here, where a forged pointer would be found.
  if (s === undefined) throw new KernelError('BAD_STATE', `tcp_cc kfunc ${c.prog.name}: argument 0 (0x${c.args[0]!.toString(16)}) is not a simulated tcp_sock`);
  return s;
}

/**
 * Define `def` in `k`'s BTF, or, when the emulated vmlinux already has the struct (the kernel
 * structs extracted from 6.18's BTF, data/kernel-types.ts), check that it has the size and the
 * members at the offsets this subsystem relies on.
 */
function ensureStruct(k: Kernel, def: KStructDef): void {
  const have = k.types.structs.get(def.name);
  if (have === undefined) {
    k.registerStruct(def);
    return;
  }
  const bad = (what: string): never => {
    throw new KernelError('BAD_STATE', `tcp_cc: the kernel's struct ${def.name} ${what}`);
  };
  if (def.size !== undefined && have.size !== def.size) bad(`has size ${have.size}, not ${def.size}`);
  for (const m of def.members ?? []) {
    const h = have.members.find((x) => x.name === m.name);
    if (h === undefined) bad(`has no member ${m.name}`);
    else if (m.offset !== undefined && h.offset !== m.offset) bad(`has ${m.name} at ${h.offset}, not ${m.offset}`);
  }
}

/** Install the subsystem into `k` (once); returns its state. */
export function installTcpCc(k: Kernel): TcpCcSubsystem {
  const existing = k.service<TcpCcSubsystem>('tcp_cc');
  if (existing !== undefined) return existing;
  const sub = new TcpCcSubsystem(k);
  k.provide('tcp_cc', sub);
  // bpf_setsockopt / bpf_getsockopt / bpf_tcp_send_ack on a simulated socket reach its options.
  registerSockoptResolver(k, (ptr) => sub.sockAt(ptr)?.sockopt);

  const t = k.types;
  ensureStruct(k, { name: 'list_head', members: [{ name: 'next', type: 'struct list_head *' }, { name: 'prev', type: 'struct list_head *' }] });
  ensureStruct(k, { name: 'sock_common', members: [{ name: 'skc_state', type: 'unsigned char', offset: SKC_STATE_OFF }], size: SIZEOF.sock_common, align: 8 });
  ensureStruct(k, { name: 'sock', members: [{ name: '__sk_common', type: 'struct sock_common', offset: 0 }, ...members(SOCK_FIELDS)], size: SIZEOF.sock, align: 8 });
  ensureStruct(k, { name: 'inet_sock', members: [{ name: 'sk', type: 'struct sock', offset: 0 }], size: SIZEOF.inet_sock, align: 8 });
  // inet_connection_sock.icsk_ack is an anonymous struct in the kernel; CO-RE matches it by member name
  // (the extracted 6.18 inet_connection_sock names it inet_connection_sock__icsk_ack).
  if (!t.structs.has('inet_connection_sock')) ensureStruct(k, { name: 'inet_connection_sock_ack', members: [{ name: 'pending', type: '__u8', offset: 0 }], size: 32, align: 8 });
  const icsk = members(ICSK_FIELDS);
  const syncMss = icsk.findIndex((m) => m.name === 'icsk_sync_mss');
  icsk.splice(
    syncMss + 1,
    0,
    // the bitfields follow icsk_sync_mss (which ends at byte 1248) in one u8 unit
    { name: 'icsk_ca_state', type: '__u8', bits: 5 },
    { name: 'icsk_ca_initialized', type: '__u8', bits: 1 },
    { name: 'icsk_ca_setsockopt', type: '__u8', bits: 1 },
    { name: 'icsk_ca_dst_locked', type: '__u8', bits: 1 },
  );
  const ackAt = icsk.findIndex((m) => m.name === 'icsk_ca_priv');
  icsk.splice(ackAt, 0, { name: 'icsk_ack', type: 'struct inet_connection_sock_ack', offset: ICSK_ACK_PENDING_OFF });
  ensureStruct(k, { name: 'inet_connection_sock', members: [{ name: 'icsk_inet', type: 'struct inet_sock', offset: 0 }, ...icsk], size: SIZEOF.inet_connection_sock, align: 8 });
  ensureStruct(k, { name: 'minmax_sample', members: [{ name: 't', type: 'u32' }, { name: 'v', type: 'u32' }] });
  ensureStruct(k, { name: 'minmax', members: [{ name: 's', type: 'struct minmax_sample[3]' }] });
  ensureStruct(k, { name: 'tcp_sock', members: [{ name: 'inet_conn', type: 'struct inet_connection_sock', offset: 0 }, ...members(TCP_FIELDS)], size: SIZEOF.tcp_sock, align: 8 });
  k.registerStruct({ name: 'ack_sample', members: members(ACK_SAMPLE_FIELDS), size: SIZEOF.ack_sample });
  k.registerStruct({ name: 'rate_sample', members: members(RATE_SAMPLE_FIELDS), size: SIZEOF.rate_sample });

  k.registerStructOps({
    name: 'tcp_congestion_ops',
    members: CA_OPS_MEMBERS,
    stubs: STUBS,
    promoteArgs: { sock: 'tcp_sock' },
    btfWrite: tcpSockWrite,
    // bpf_tcp_ca_init_member: name (bpf_obj_name_cpy) and flags (within TCP_CONG_MASK) are copied;
    // function members and the rest (owner, list, key: must be zero) take the default path.
    initMember(m: StructOpsMember, inst: StructOpsInstance, udata: Uint8Array): number {
      if (m.name === 'flags') {
        const flags = new DataView(udata.buffer, udata.byteOffset + m.offset, 4).getUint32(0, true);
        if ((flags & ~TCP_CONG_MASK) !== 0) return -EINVAL;
        inst.writeInt('flags', flags);
        return 1;
      }
      if (m.name === 'name') {
        const src = udata.subarray(m.offset, m.offset + m.size);
        const n = objNameCpy(src);
        if (n < 0) return n;
        inst.data.set(src.subarray(0, n), m.offset);
        return 1;
      }
      return 0;
    },
    // tcp_validate_congestion_control: ssthresh, undo_cwnd and one of cong_avoid / cong_control.
    validate(inst): number {
      if (inst.program('ssthresh') === null || inst.program('undo_cwnd') === null) return -EINVAL;
      if (inst.program('cong_avoid') === null && inst.program('cong_control') === null) return -EINVAL;
      return 0;
    },
    // tcp_register_congestion_control: the key is a hash of the name; a taken name is EEXIST.
    reg(inst): number {
      const name = caName(inst);
      if (sub.list.has(name)) return -EEXIST;
      sub.list.set(name, { name, inst });
      return 0;
    },
    unreg(inst): void {
      const name = caName(inst);
      if (sub.list.get(name)?.inst === inst) sub.list.delete(name);
    },
    // tcp_update_congestion_control: same name, and the old one must be the registered one.
    update(newInst, oldInst): number {
      const name = caName(oldInst);
      if (caName(newInst) !== name) return -EINVAL;
      const cur = sub.list.get(name);
      if (cur === undefined) return -ENOENT;
      if (cur.inst !== oldInst) return -EINVAL;
      sub.list.set(name, { name, inst: newInst });
      return 0;
    },
  });

  // bpf_tcp_ca_check_kfunc_ids: the generic Reno building blocks, for every struct_ops program.
  const progTypes = [ProgType.STRUCT_OPS];
  const tp = { name: 'tp', type: 'struct tcp_sock *' };
  const u32 = (name: string): { name: string; type: string } => ({ name, type: 'u32' });
  k.registerKfunc({ name: 'tcp_reno_ssthresh', proto: { ret: 'u32', params: [sk] }, progTypes, impl: (c) => tcpRenoSsthresh(sockArg(sub, c)) });
  k.registerKfunc({
    name: 'tcp_reno_cong_avoid',
    proto: { ret: 'void', params: [sk, u32('ack'), u32('acked')] },
    progTypes,
    impl: (c) => {
      tcpRenoCongAvoid(sockArg(sub, c), Number(c.args[1]! & 0xffffffffn), Number(c.args[2]! & 0xffffffffn));
      return 0;
    },
  });
  k.registerKfunc({ name: 'tcp_reno_undo_cwnd', proto: { ret: 'u32', params: [sk] }, progTypes, impl: (c) => tcpRenoUndoCwnd(sockArg(sub, c)) });
  k.registerKfunc({ name: 'tcp_slow_start', proto: { ret: 'u32', params: [tp, u32('acked')] }, progTypes, impl: (c) => tcpSlowStart(sockArg(sub, c), Number(c.args[1]! & 0xffffffffn)) });
  k.registerKfunc({
    name: 'tcp_cong_avoid_ai',
    proto: { ret: 'void', params: [tp, u32('w'), u32('acked')] },
    progTypes,
    impl: (c) => {
      tcpCongAvoidAi(sockArg(sub, c), Number(c.args[1]! & 0xffffffffn), Number(c.args[2]! & 0xffffffffn));
      return 0;
    },
  });
  // tcp_cubic.c's kfunc set (BTF-tagged bpf_kfunc on the 6.18 machine), for every struct_ops program.
  const clock = { jiffies: (): number => Number(k.jiffies64() & 0xffffffffn) };
  const u32arg = (c: KfuncCall, i: number): number => Number(c.args[i]! & 0xffffffffn);
  k.registerKfunc({ name: 'cubictcp_init', proto: { ret: 'void', params: [sk] }, progTypes, impl: (c) => (cubictcpInit(sockArg(sub, c)), 0) });
  k.registerKfunc({ name: 'cubictcp_recalc_ssthresh', proto: { ret: 'u32', params: [sk] }, progTypes, impl: (c) => cubictcpRecalcSsthresh(sockArg(sub, c)) });
  k.registerKfunc({
    name: 'cubictcp_cong_avoid',
    proto: { ret: 'void', params: [sk, u32('ack'), u32('acked')] },
    progTypes,
    impl: (c) => (cubictcpCongAvoid(sockArg(sub, c), u32arg(c, 1), u32arg(c, 2), clock), 0),
  });
  k.registerKfunc({ name: 'cubictcp_state', proto: { ret: 'void', params: [sk, { name: 'new_state', type: 'u8' }] }, progTypes, impl: (c) => (cubictcpState(sockArg(sub, c), Number(c.args[1]! & 0xffn)), 0) });
  k.registerKfunc({ name: 'cubictcp_cwnd_event', proto: { ret: 'void', params: [sk, u32('event')] }, progTypes, impl: (c) => (cubictcpCwndEvent(sockArg(sub, c), u32arg(c, 1), clock), 0) });
  k.registerKfunc({
    name: 'cubictcp_acked',
    proto: { ret: 'void', params: [sk, { name: 'sample', type: 'const struct ack_sample *' }] },
    progTypes,
    impl: (c) => {
      const [region, off] = Memory.split(c.args[1]!);
      const b = c.m.bytesAt(region, off, SIZEOF.ack_sample, false, 'cubictcp_acked r2 (sample)');
      const rtt = new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(ACK_SAMPLE_FIELDS.rtt_us!.off, true);
      cubictcpAcked(sockArg(sub, c), rtt, clock);
      return 0;
    },
  });
  return sub;
}
