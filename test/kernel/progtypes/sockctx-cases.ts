/**
 * The cases of golden/sockctx.json (recorded by record-sockctx.ts on Linux 6.18): sk_lookup and
 * netfilter test runs. Their programs must return 0 or 1 (the verifier's return range), so each
 * checks the ctx values it expects and returns 1 only when all match; the inputs make both
 * outcomes happen.
 */
import { toHex } from '../../../src/util/bytes.js';
import type { GoldenCase } from './golden.js';
import { FRAMES, ProgType, AttachType } from './harness.js';

export const TYPE_NUMBERS: Readonly<Record<string, number>> = {
  sk_lookup: ProgType.SK_LOOKUP,
  netfilter: ProgType.NETFILTER,
  raw_tracepoint: ProgType.RAW_TRACEPOINT,
  raw_tracepoint_writable: ProgType.RAW_TRACEPOINT_WRITABLE,
  syscall: ProgType.SYSCALL,
  socket_filter: ProgType.SOCKET_FILTER,
};

type CaseDef = Omit<GoldenCase, 'kernel'>;

/** struct bpf_sk_lookup (72 bytes) as hex; addresses as network-order bytes. */
function skl(f: { family?: number; protocol?: number; rip4?: number[]; lip4?: number[]; rip6?: number[]; lip6?: number[]; rport?: number; lport?: number; cookie?: number; ifindex?: number; pad?: number; tail?: number[] }): string {
  const b = new Uint8Array(72 + (f.tail?.length ?? 0));
  const dv = new DataView(b.buffer);
  dv.setUint32(0, f.cookie ?? 0, true);
  dv.setUint32(8, f.family ?? 2, true);
  dv.setUint32(12, f.protocol ?? 6, true);
  b.set(f.rip4 ?? [], 16);
  b.set(f.rip6 ?? [], 20);
  // remote_port: __be16, network order
  dv.setUint16(36, f.rport ?? 12345, false);
  dv.setUint16(38, f.pad ?? 0, true);
  b.set(f.lip4 ?? [], 40);
  b.set(f.lip6 ?? [], 44);
  dv.setUint32(60, f.lport ?? 80, true);
  dv.setUint32(64, f.ifindex ?? 0, true);
  b.set(f.tail ?? [], 72);
  return toHex(b);
}

const V4 = { rip4: [10, 0, 0, 1], lip4: [10, 0, 0, 2] };
const LOOP6 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const FD00_2 = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

/** Returns 1 for an IPv4 TCP lookup 10.0.0.1:12345 -> 10.0.0.2:80 and checks what else reads as 0. */
const SKL_V4 = `mov r0, 0
ldxw r2, [r1+8]
jne r2, 2, out
ldxw r2, [r1+12]
jne r2, 6, out
ldxw r2, [r1+60]
jne r2, 80, out
ldxw r2, [r1+36]
jne r2, 0x3930, out
ldxh r2, [r1+38]
jne r2, 0, out
ldxw r2, [r1+16]
jne r2, 0x0100000a, out
ldxb r2, [r1+43]
jne r2, 2, out
ldxw r2, [r1+20]
jne r2, 0, out
ldxw r2, [r1+64]
jne r2, 0, out
ldxdw r2, [r1+0]
jne r2, 0, out
mov r0, 1
out:
exit`;

/** Returns 1 for an IPv6 lookup ::1:12345 -> fd00::2 whose IPv4 fields read 0. */
const SKL_V6 = `mov r0, 0
ldxw r2, [r1+8]
jne r2, 10, out
ldxw r2, [r1+32]
jne r2, 0x01000000, out
ldxh r2, [r1+58]
jne r2, 0x0200, out
ldxb r2, [r1+44]
jne r2, 0xfd, out
ldxw r2, [r1+16]
jne r2, 0, out
ldxw r2, [r1+40]
jne r2, 0, out
ldxh r2, [r1+36]
jne r2, 0x3930, out
mov r0, 1
out:
exit`;

const PASS = 'mov r0, 1\nexit';
const DROP = 'mov r0, 0\nexit';

const sk = (name: string, asm: string, ctxIn: string | null, o: Partial<CaseDef> = {}): CaseDef => ({
  name: `sk_lookup: ${name}`,
  progType: 'sk_lookup',
  eat: AttachType.SK_LOOKUP,
  asm,
  dataIn: null,
  ctxIn,
  ctxSizeOut: 72,
  noDataOut: true,
  ...o,
});

/** struct nf_hook_state (48 bytes) as hex. */
function nfState(hook: number, pf: number, o: { in?: number; tail?: number[] } = {}): string {
  const b = new Uint8Array(48 + (o.tail?.length ?? 0));
  b[0] = hook;
  b[1] = pf;
  b[8] = o.in ?? 0;
  b.set(o.tail ?? [], 48);
  return toHex(b);
}

/** Returns 1 when state->hook, state->pf and skb->len are the given values. */
const nfCheck = (hook: number, pf: number, len: number): string => `mov r0, 0
ldxdw r2, [r1+0]
ldxb r3, [r2+0]
jne r3, ${hook}, out
ldxb r3, [r2+1]
jne r3, ${pf}, out
ldxdw r4, [r1+8]
ldxw r5, [r4+112]
jne r5, ${len}, out
mov r0, 1
out:
exit`;

const V4_FRAME = toHex(FRAMES.v4_tcp80);
const V6_FRAME = toHex(FRAMES.v6_udp);
const ARP_FRAME = toHex(FRAMES.arp);
const V4_LEN = FRAMES.v4_tcp80.length;
const V6_LEN = FRAMES.v6_udp.length;

const nf = (name: string, asm: string, dataIn: string | null, ctxIn: string | null, o: Partial<CaseDef> = {}): CaseDef => ({
  name: `netfilter: ${name}`,
  progType: 'netfilter',
  eat: 45,
  asm,
  dataIn,
  ctxIn,
  ctxSizeOut: 0,
  ...o,
});

/** A raw_tp.w (BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE) test run: ctx is the u64 argument array. */
const rawTpW = (name: string, asm: string, ctxIn: string | null, o: Partial<CaseDef> = {}): CaseDef => ({
  name: `raw_tp.w: ${name}`,
  progType: 'raw_tracepoint_writable',
  eat: 0,
  asm,
  dataIn: null,
  ctxIn,
  ctxSizeOut: 0,
  noDataOut: true,
  ...o,
});

const ARGS2 = '1100000000000000' + '2233445566778899';

export const SOCKCTX_CASES: readonly CaseDef[] = [
  // ---- sk_lookup -----------------------------------------------------------------------------------
  sk('IPv4 lookup: every field as the program expects', SKL_V4, skl(V4)),
  sk('IPv4 lookup: another local port', SKL_V4, skl({ ...V4, lport: 81 })),
  sk('IPv4 lookup: family and protocol are taken as u16 (0x10002, 0x10006)', SKL_V4, skl({ ...V4, family: 0x10002, protocol: 0x10006 })),
  sk('IPv4 lookup: the padding after remote_port reads 0 and is echoed in ctx_out', SKL_V4, skl({ ...V4, pad: 0xabcd })),
  sk('IPv4 lookup: IPv6 addresses in ctx_in are not seen', SKL_V4, skl({ ...V4, rip6: LOOP6 })),
  sk('IPv6 lookup: addresses of its family only', SKL_V6, skl({ family: 10, protocol: 17, rip6: LOOP6, lip6: FD00_2, rip4: [1, 2, 3, 4], lip4: [5, 6, 7, 8] })),
  sk('IPv6 program on an IPv4 lookup', SKL_V6, skl(V4)),
  sk('SK_DROP', DROP, skl(V4)),
  sk('SK_DROP repeated', DROP, skl(V4), { repeat: 5 }),
  sk('SK_PASS with a short ctx_out', PASS, skl(V4), { ctxSizeOut: 16 }),
  sk('SK_PASS without ctx_out', PASS, skl(V4), { ctxSizeOut: 0 }),
  sk('ctx_in shorter than the struct (zero-filled: family 0)', PASS, skl(V4).slice(0, 16)),
  sk('ctx_in longer with a zero tail', PASS, skl({ ...V4, tail: [0, 0, 0, 0, 0, 0, 0, 0] })),
  sk('ctx_in longer with a non-zero tail', PASS, skl({ ...V4, tail: [0, 0, 0, 1] })),
  sk('no ctx at all', PASS, null, { ctxSizeOut: 0 }),
  sk('ctx_out only', PASS, null),
  sk('a cookie in ctx_in', PASS, skl({ ...V4, cookie: 1 })),
  sk('ingress_ifindex in ctx_in', PASS, skl({ ...V4, ifindex: 1 })),
  sk('local_port above 65535', PASS, skl({ ...V4, lport: 65536 })),
  sk('local_port 65535', PASS, skl({ ...V4, lport: 65535 })),
  sk('family AF_UNIX', PASS, skl({ ...V4, family: 1 })),
  sk('flags', PASS, skl(V4), { flags: 1 }),
  sk('data_in', PASS, skl(V4), { dataIn: V4_FRAME }),
  sk('data_out', PASS, skl(V4), { noDataOut: false, dataSizeOut: 64 }),
  // ---- raw_tp.w --------------------------------------------------------------------------------------
  rawTpW('args[1] (the low 32 bits of r0)', 'ldxdw r0, [r1+8]\nexit', ARGS2),
  rawTpW('args[1] >> 32', 'ldxdw r0, [r1+8]\nrsh r0, 32\nexit', ARGS2),
  rawTpW('12 arguments (96 bytes)', 'mov r0, 7\nexit', '00'.repeat(96)),
  rawTpW('13 arguments (104 bytes)', 'mov r0, 7\nexit', '00'.repeat(104)),
  rawTpW('repeat', 'mov r0, 7\nexit', ARGS2, { repeat: 2 }),
  rawTpW('BPF_F_TEST_RUN_ON_CPU on CPU 0', 'mov r0, 7\nexit', ARGS2, { flags: 1, cpu: 0 }),
  rawTpW('a CPU without BPF_F_TEST_RUN_ON_CPU', 'mov r0, 7\nexit', ARGS2, { cpu: 1 }),
  rawTpW('no ctx', 'mov r0, 7\nexit', null),
  // ---- netfilter -----------------------------------------------------------------------------------
  nf('default state: LOCAL_OUT, IPv4, skb->len is the whole data', nfCheck(3, 2, V4_LEN), V4_FRAME, null),
  nf('default state, another length', nfCheck(3, 2, V4_LEN), V4_FRAME.slice(0, 2 * 40), null),
  nf('LOCAL_IN takes an Ethernet frame: len without the header', nfCheck(1, 2, V4_LEN - 14), V4_FRAME, nfState(1, 2)),
  nf('PRE_ROUTING IPv6', nfCheck(0, 10, V6_LEN - 14), V6_FRAME, nfState(0, 10)),
  nf('FORWARD IPv4', nfCheck(2, 2, V4_LEN - 14), V4_FRAME, nfState(2, 2)),
  nf('LOCAL_OUT IPv6: the data is the packet', nfCheck(3, 10, V6_LEN), V6_FRAME, nfState(3, 10)),
  nf('NF_DROP repeated', DROP, V4_FRAME, null, { repeat: 4 }),
  nf('hook 9 (no such hook)', nfCheck(9, 2, V4_LEN - 14), V4_FRAME, nfState(9, 2)),
  nf('IPv6 frame with pf IPv4', PASS, V6_FRAME, nfState(0, 2)),
  nf('IPv4 frame with pf IPv6', PASS, V4_FRAME, nfState(1, 10)),
  nf('ARP frame at PRE_ROUTING', PASS, ARP_FRAME, nfState(0, 2)),
  nf('pf 7', PASS, V4_FRAME, nfState(3, 7)),
  nf('state->in set', PASS, V4_FRAME, nfState(3, 2, { in: 1 })),
  nf('ctx_in longer with a zero tail', PASS, V4_FRAME, nfState(3, 2, { tail: [0, 0, 0, 0] })),
  nf('ctx_in longer with a non-zero tail', PASS, V4_FRAME, nfState(3, 2, { tail: [0, 1] })),
  nf('19 bytes of data', PASS, V4_FRAME.slice(0, 38), null),
  nf('20 bytes of data at LOCAL_OUT', PASS, V4_FRAME.slice(0, 40), null),
  nf('33 bytes of frame at LOCAL_IN', PASS, V4_FRAME.slice(0, 66), nfState(1, 2)),
  nf('no data', PASS, null, null),
  nf('flags', PASS, V4_FRAME, null, { flags: 1 }),
  nf('ctx_out', PASS, V4_FRAME, nfState(3, 2), { ctxSizeOut: 48 }),
  nf('data_out is left empty', PASS, V4_FRAME, null, { dataSizeOut: 128 }),
];
