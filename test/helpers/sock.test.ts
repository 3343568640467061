/**
 * The socket helpers (src/helpers/sock.ts) over the emulated socket table: tc programs built with
 * the assembler, loaded with the verifier on (so the lookup/null-check/release pattern is checked
 * as 6.18 checks it), and test-run on a frame. The expected sockets follow the kernel's lookup
 * rules as net/ipv4/inet_hashtables.c and udp.c state them (see kernel/objects/sockets.ts).
 */
import { describe, expect, it } from 'vitest';
import { ipv4Frame } from '../../src/util/packets.js';
import { Cmd, ProgType } from './env.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { assembleBytes } from '../../src/isa/asm.js';
import { cookieMss, mssOption, parseTuple, SockHelperId as H } from '../../src/helpers/sock.js';
import { parseAddress } from '../../src/kernel/objects/sockets.js';

const FRAME = ipv4Frame('tcp', { srcPort: 40000, dstPort: 8080 });
const NONE = 999;

/** bpf_sock_tuple bytes for an IPv4 or IPv6 lookup. */
function tuple(saddr: string, sport: number, daddr: string, dport: number): Uint8Array {
  const s = parseAddress(saddr)!;
  const d = parseAddress(daddr)!;
  const out = new Uint8Array(2 * s.length + 4);
  out.set(s, 0);
  out.set(d, s.length);
  new DataView(out.buffer).setUint16(2 * s.length, sport, false);
  new DataView(out.buffer).setUint16(2 * s.length + 2, dport, false);
  return out;
}

/** `stw` instructions putting `bytes` (zero-padded to 4) at fp-`base`. */
function stores(bytes: Uint8Array, base: number): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const w = (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24);
    lines.push(`stw [r10-${base - i}], ${w | 0}`);
  }
  return lines.join('\n');
}

interface Ask {
  helper?: number;
  len?: number;
  netns?: number;
  flags?: number;
  /** Instructions run with the socket in r0 (not NULL), leaving the answer in r7. */
  use?: string;
}

/** A tc program: look the tuple up, run `use` (default: r7 = state), release, return r7; NONE when NULL. */
function lookupProgram(t: Uint8Array, a: Ask = {}): string {
  return `mov r6, r1
${stores(t, 40)}
mov r1, r6
mov r2, r10
add r2, -40
mov r3, ${a.len ?? t.length}
mov r4, ${a.netns ?? -1}
mov r5, ${a.flags ?? 0}
call ${a.helper ?? H.sk_lookup_tcp}
jeq r0, 0, none
mov r8, r0
${a.use ?? 'ldxw r7, [r0+72]'}
mov r1, r8
call ${H.sk_release}
mov r0, r7
exit
none:
mov r0, ${NONE}
exit`;
}

function loadTc(k: Kernel, text: string): number {
  const insns = assembleBytes(text);
  const fd = k.bpf(Cmd.PROG_LOAD, { prog_type: ProgType.SCHED_CLS, insn_cnt: insns.length / 8, insns, license: 'GPL' });
  if (fd < 0) throw new Error(`load failed: ${fd}\n${JSON.stringify(k.lastVerifierResult).slice(-1500)}`);
  return fd;
}

/** Load (verifier on) and test-run; the retval as a signed 32-bit number. */
function runTc(k: Kernel, text: string): number {
  const fd = loadTc(k, text);
  const attr: Record<string, number | Uint8Array> = { prog_fd: fd, data_in: FRAME, data_size_in: FRAME.length };
  const err = k.bpf(Cmd.PROG_TEST_RUN, attr);
  if (err !== 0) throw new Error(`test run failed: ${err} ${k.lastFault?.toString() ?? ''}`);
  return (attr.retval as number) | 0;
}

const ask = (k: Kernel, t: Uint8Array, a: Ask = {}): number => runTc(k, lookupProgram(t, a));
const newK = (): Kernel => new Kernel({ verify: true });
const TCP_ESTABLISHED = 1;
const TCP_TIME_WAIT = 6;
const TCP_LISTEN = 10;
const TCP_NEW_SYN_RECV = 12;

describe('bpf_sk_lookup_tcp / bpf_skc_lookup_tcp', () => {
  const T = tuple('10.0.0.1', 40000, '10.0.0.2', 8080);

  it('finds nothing in an empty table, and a listener on the destination port', () => {
    const k = newK();
    expect(ask(k, T)).toBe(NONE);
    k.sockets.add({ protocol: 'tcp', localAddress: '10.0.0.2', localPort: 8080 });
    expect(ask(k, T)).toBe(TCP_LISTEN);
    // struct bpf_sock: family @4, type @8, protocol @12, src_port (host order) @44, src_ip4 @24
    expect(ask(k, T, { use: 'ldxw r7, [r0+4]' })).toBe(2);
    expect(ask(k, T, { use: 'ldxw r7, [r0+8]' })).toBe(1);
    expect(ask(k, T, { use: 'ldxw r7, [r0+12]' })).toBe(6);
    expect(ask(k, T, { use: 'ldxw r7, [r0+44]' })).toBe(8080);
    expect(ask(k, T, { use: 'ldxw r7, [r0+24]' })).toBe(0x0200000a);
    expect(ask(k, tuple('10.0.0.1', 40000, '10.0.0.2', 8081))).toBe(NONE);
  });

  it('prefers the listener bound to the address over the wildcard one, and the 4-tuple over both', () => {
    const k = newK();
    k.sockets.add({ protocol: 'tcp', localAddress: '0.0.0.0', localPort: 8080, mark: 1 });
    expect(ask(k, T, { use: 'ldxw r7, [r0+16]' })).toBe(1);
    k.sockets.add({ protocol: 'tcp', localAddress: '10.0.0.2', localPort: 8080, mark: 2 });
    expect(ask(k, T, { use: 'ldxw r7, [r0+16]' })).toBe(2);
    k.sockets.add({ protocol: 'tcp', localAddress: '10.0.0.2', localPort: 8080, remoteAddress: '10.0.0.1', remotePort: 40000, mark: 3 });
    expect(ask(k, T, { use: 'ldxw r7, [r0+16]' })).toBe(3);
    expect(ask(k, T)).toBe(TCP_ESTABLISHED);
    // dst_port is the peer port in network order in a u16 (bpf_sock @48)
    expect(ask(k, T, { use: 'ldxh r7, [r0+48]' })).toBe(((40000 & 0xff) << 8) | (40000 >> 8));
  });

  it('gives NULL for TIME_WAIT and the listener for a request socket; skc_lookup gives both as they are', () => {
    const k = newK();
    const l = k.sockets.add({ protocol: 'tcp', localAddress: '10.0.0.2', localPort: 8080 });
    k.sockets.add({ protocol: 'tcp', localAddress: '10.0.0.2', localPort: 8080, remoteAddress: '10.0.0.1', remotePort: 40000, state: 'new_syn_recv', listener: l.id });
    expect(ask(k, T)).toBe(TCP_LISTEN);
    expect(ask(k, T, { helper: H.skc_lookup_tcp })).toBe(TCP_NEW_SYN_RECV);
    const k2 = newK();
    k2.sockets.add({ protocol: 'tcp', localAddress: '10.0.0.2', localPort: 8080, remoteAddress: '10.0.0.1', remotePort: 40000, state: 'time_wait' });
    expect(ask(k2, T)).toBe(NONE);
    expect(ask(k2, T, { helper: H.skc_lookup_tcp })).toBe(TCP_TIME_WAIT);
  });

  it('returns NULL for a tuple size other than 12 or 36, non-zero flags, or a netns id above S32_MAX', () => {
    const k = newK();
    k.sockets.add({ protocol: 'tcp', localPort: 8080 });
    expect(ask(k, T)).toBe(TCP_LISTEN);
    expect(ask(k, T, { len: 13 })).toBe(NONE);
    expect(ask(k, T, { len: 0 })).toBe(NONE);
    expect(ask(k, T, { flags: 1 })).toBe(NONE);
    // 0xffffffff as the netns argument (mov r4, -1 sign-extends: -1 as u64) is the caller's namespace
    expect(ask(k, T, { netns: -1 })).toBe(TCP_LISTEN);
    // nsid 0 is a peer namespace the caller does not know here
    expect(ask(k, T, { netns: 0 })).toBe(NONE);
  });

  it('looks in a peer namespace by its nsid', () => {
    const k = newK();
    k.sockets.add({ protocol: 'tcp', localPort: 8080, netns: 5, mark: 5 });
    expect(ask(k, T)).toBe(NONE);
    expect(ask(k, T, { netns: 5, use: 'ldxw r7, [r0+16]' })).toBe(5);
  });

  it('lets a dual-stack IPv6 listener take IPv4 but not an IPV6_V6ONLY one; an IPv4 listener wins over both', () => {
    const k = newK();
    k.sockets.add({ protocol: 'tcp', family: 'ipv6', localAddress: '::', localPort: 8080, v6only: true });
    expect(ask(k, T)).toBe(NONE);
    k.sockets.add({ protocol: 'tcp', family: 'ipv6', localAddress: '::', localPort: 8080, mark: 6 });
    expect(ask(k, T, { use: 'ldxw r7, [r0+4]' })).toBe(10);
    k.sockets.add({ protocol: 'tcp', localAddress: '0.0.0.0', localPort: 8080, mark: 4 });
    expect(ask(k, T, { use: 'ldxw r7, [r0+16]' })).toBe(4);
  });

  it('finds IPv6 sockets with a 36-byte tuple', () => {
    const k = newK();
    k.sockets.add({ protocol: 'tcp', localAddress: 'fd00::2', localPort: 443 });
    const t6 = tuple('fd00::1', 5555, 'fd00::2', 443);
    expect(t6.length).toBe(36);
    expect(ask(k, t6)).toBe(TCP_LISTEN);
    // src_ip6[3] @40: the last 4 bytes of fd00::2
    expect(ask(k, t6, { use: 'ldxw r7, [r0+40]' })).toBe(0x02000000);
  });

  it('skips a socket bound to another device than the packet\'s (lo, ifindex 1)', () => {
    const k = newK();
    k.sockets.add({ protocol: 'tcp', localPort: 8080, boundDevIf: 7 });
    expect(ask(k, T)).toBe(NONE);
    k.sockets.add({ protocol: 'tcp', localPort: 8080, boundDevIf: 1, mark: 9 });
    expect(ask(k, T, { use: 'ldxw r7, [r0+16]' })).toBe(9);
  });
});

describe('bpf_sk_lookup_udp', () => {
  const T = tuple('10.0.0.1', 5353, '10.0.0.2', 53);

  it('picks the highest compute_score: bound address and connected peer count, a mismatching peer excludes', () => {
    const k = newK();
    k.sockets.add({ protocol: 'udp', localPort: 53, mark: 1 });
    expect(ask(k, T, { helper: H.sk_lookup_udp, use: 'ldxw r7, [r0+16]' })).toBe(1);
    k.sockets.add({ protocol: 'udp', localAddress: '10.0.0.2', localPort: 53, mark: 2 });
    expect(ask(k, T, { helper: H.sk_lookup_udp, use: 'ldxw r7, [r0+16]' })).toBe(2);
    k.sockets.add({ protocol: 'udp', localAddress: '10.0.0.2', localPort: 53, remoteAddress: '10.0.0.9', remotePort: 5353, mark: 3 });
    expect(ask(k, T, { helper: H.sk_lookup_udp, use: 'ldxw r7, [r0+16]' })).toBe(2);
    k.sockets.add({ protocol: 'udp', localAddress: '10.0.0.2', localPort: 53, remoteAddress: '10.0.0.1', remotePort: 5353, mark: 4 });
    expect(ask(k, T, { helper: H.sk_lookup_udp, use: 'ldxw r7, [r0+16]' })).toBe(4);
    // the TCP lookup does not see UDP sockets
    expect(ask(k, T)).toBe(NONE);
    // an unconnected UDP socket reports TCP_CLOSE (7)
    expect(ask(k, tuple('10.0.0.7', 1, '10.0.0.3', 53), { helper: H.sk_lookup_udp })).toBe(7);
  });
});

describe('bpf_tcp_sock, bpf_sk_fullsock, bpf_get_listener_sock', () => {
  const T = tuple('10.0.0.1', 40000, '10.0.0.2', 8080);

  it('bpf_tcp_sock gives struct bpf_tcp_sock of a TCP socket (u64 counters included)', () => {
    const k = newK();
    k.sockets.add({ protocol: 'tcp', localAddress: '10.0.0.2', localPort: 8080, remoteAddress: '10.0.0.1', remotePort: 40000, tcp: { snd_cwnd: 42, srtt_us: 800, bytes_acked: 0x1_0000_0005n } });
    const use = (body: string): string => `mov r1, r0\ncall ${H.tcp_sock}\nmov r7, ${NONE + 1}\njeq r0, 0, +1\n${body}`;
    expect(ask(k, T, { use: use('ldxw r7, [r0+0]') })).toBe(42);
    expect(ask(k, T, { use: use('ldxw r7, [r0+4]') })).toBe(800);
    expect(ask(k, T, { use: use('ldxdw r7, [r0+88]\nrsh r7, 32') })).toBe(1);
    // default: snd_cwnd 10 when not given
    const k2 = newK();
    k2.sockets.add({ protocol: 'tcp', localPort: 8080 });
    expect(ask(k2, T, { use: use('ldxw r7, [r0+0]') })).toBe(10);
  });

  it('bpf_tcp_sock gives NULL for a UDP socket; bpf_sk_fullsock NULL for TIME_WAIT', () => {
    const k = newK();
    k.sockets.add({ protocol: 'udp', localPort: 8080 });
    const use = (id: number): string => `mov r1, r0\ncall ${id}\nmov r7, 1\njne r0, 0, +1\nmov r7, 0`;
    expect(ask(k, T, { helper: H.sk_lookup_udp, use: use(H.tcp_sock) })).toBe(0);
    expect(ask(k, T, { helper: H.sk_lookup_udp, use: use(H.sk_fullsock) })).toBe(1);
    const k2 = newK();
    k2.sockets.add({ protocol: 'tcp', localAddress: '10.0.0.2', localPort: 8080, remoteAddress: '10.0.0.1', remotePort: 40000, state: 'time_wait' });
    expect(ask(k2, T, { helper: H.skc_lookup_tcp, use: use(H.sk_fullsock) })).toBe(0);
    expect(ask(k2, T, { helper: H.skc_lookup_tcp, use: use(H.tcp_sock) })).toBe(0);
  });

  it('bpf_get_listener_sock reaches the listener of a request socket', () => {
    const k = newK();
    const l = k.sockets.add({ protocol: 'tcp', localPort: 8080, mark: 77 });
    k.sockets.add({ protocol: 'tcp', localAddress: '10.0.0.2', localPort: 8080, remoteAddress: '10.0.0.1', remotePort: 40000, state: 'new_syn_recv', listener: l.id });
    const use = `mov r1, r0\ncall ${H.get_listener_sock}\nmov r7, 0\njeq r0, 0, +1\nldxw r7, [r0+16]`;
    expect(ask(k, T, { helper: H.skc_lookup_tcp, use })).toBe(77);
  });

  it('__sk_buff->sk of a test run is a full socket that is not TCP', () => {
    const k = newK();
    const prog = (id: number): string => `ldxdw r1, [r1+168]\nmov r0, 2\njeq r1, 0, +5\ncall ${id}\nmov r2, r0\nmov r0, 1\njne r2, 0, +1\nmov r0, 0\nexit`;
    expect(runTc(k, prog(H.sk_fullsock))).toBe(1);
    expect(runTc(k, prog(H.tcp_sock))).toBe(0);
    expect(runTc(k, prog(H.get_listener_sock))).toBe(0);
  });
});

describe('the verifier on socket references (6.18 rules)', () => {
  const T = tuple('10.0.0.1', 40000, '10.0.0.2', 8080);
  const loadErr = (text: string): number => {
    const insns = assembleBytes(text);
    return new Kernel({ verify: true }).bpf(Cmd.PROG_LOAD, { prog_type: ProgType.SCHED_CLS, insn_cnt: insns.length / 8, insns, license: 'GPL' });
  };

  it('refuses a leaked socket and a release without a null check; accepts releasing through bpf_tcp_sock', () => {
    expect(loadErr(lookupProgram(T).replace(`mov r1, r8\ncall ${H.sk_release}\n`, ''))).toBe(-22);
    expect(loadErr(lookupProgram(T).replace('jeq r0, 0, none\n', 'jeq r6, 0, none\n'))).toBe(-13);
    const viaTcp = lookupProgram(T, { use: `mov r1, r0\ncall ${H.tcp_sock}\nmov r7, 0\njeq r0, 0, +2\nmov r8, r0\nldxw r7, [r0+0]` });
    expect(loadErr(viaTcp)).toBeGreaterThan(0);
    // a u32 load of a bpf_tcp_sock u64 counter is refused
    expect(loadErr(lookupProgram(T, { use: `mov r1, r0\ncall ${H.tcp_sock}\nmov r7, 0\njeq r0, 0, +1\nldxw r7, [r0+80]` }))).toBe(-13);
  });
});

describe('parseTuple and the socket table', () => {
  it('parses the two bpf_sock_tuple sizes only', () => {
    expect(parseTuple(tuple('1.2.3.4', 1, '5.6.7.8', 258))).toEqual({ family: 2, saddr: Uint8Array.of(1, 2, 3, 4), daddr: Uint8Array.of(5, 6, 7, 8), sport: 1, dport: 258 });
    expect(parseTuple(new Uint8Array(13))).toBeNull();
  });

  it('refuses bad definitions with typed errors', () => {
    const k = new Kernel();
    const bad = (spec: Parameters<typeof k.sockets.add>[0]): string => {
      try {
        k.sockets.add(spec);
        return 'ok';
      } catch (e) {
        return (e as { code: string }).code;
      }
    };
    expect(bad({ protocol: 'tcp', localPort: 0 })).toBe('SOCK_BAD_SPEC');
    expect(bad({ protocol: 'tcp', localPort: 70000 })).toBe('SOCK_BAD_SPEC');
    expect(bad({ protocol: 'tcp', localPort: 1, localAddress: '10.0.0.256' })).toBe('SOCK_BAD_SPEC');
    expect(bad({ protocol: 'udp', localPort: 1, state: 'listen' })).toBe('SOCK_BAD_SPEC');
    expect(bad({ protocol: 'tcp', localPort: 1, state: 'established' })).toBe('SOCK_BAD_SPEC');
    expect(bad({ protocol: 'tcp', localPort: 1, remoteAddress: '1.1.1.1', remotePort: 2 })).toBe('SOCK_BAD_SPEC');
    expect(bad({ protocol: 'tcp', localPort: 1, remoteAddress: '1.1.1.1', remotePort: 2, state: 'new_syn_recv' })).toBe('SOCK_BAD_SPEC');
    expect(bad({ protocol: 'udp', localPort: 1, tcp: { snd_cwnd: 1 } })).toBe('SOCK_BAD_SPEC');
    expect(bad({ protocol: 'tcp', localPort: 1, family: 'ipv4', localAddress: 'fd00::1' })).toBe('SOCK_BAD_SPEC');
    expect(() => k.sockets.remove(12345)).toThrow(expect.objectContaining({ code: 'SOCK_NOT_FOUND' }));
  });

  it('parses IPv6 text forms', () => {
    expect([...parseAddress('::')!]).toEqual(new Array(16).fill(0));
    expect([...parseAddress('fd00::1')!].slice(0, 2)).toEqual([0xfd, 0]);
    expect(parseAddress('::ffff:10.0.0.1')![15]).toBe(1);
    expect(parseAddress('::ffff:10.0.0.1')![10]).toBe(0xff);
    expect(parseAddress('1:2:3:4:5:6:7:8')![15]).toBe(8);
    expect(parseAddress('1::2::3')).toBeNull();
    expect(parseAddress('x')).toBeNull();
  });

  it('hands out cookies in order and unmaps a removed socket\'s views', () => {
    const k = new Kernel();
    const a = k.sockets.add({ protocol: 'tcp', localPort: 1 });
    const b = k.sockets.add({ protocol: 'tcp', localPort: 2 });
    expect(b.cookie).toBe(a.cookie + 1n);
    k.sockets.sockPointer(a);
    const region = a.sockRegion;
    expect(k.mem.bytes(region).length).toBe(80);
    k.sockets.remove(a.id);
    expect(k.mem.bytes(region).length).toBe(0);
    expect(k.sockets.list().map((s) => s.id)).toEqual([b.id]);
  });
});

describe('SYN cookie MSS (syncookies.c msstab)', () => {
  /** A TCP header of `doff` words with the option bytes `opts` after the 20 fixed bytes. */
  const tcp = (opts: number[]): Uint8Array => {
    const doff = 5 + Math.ceil(opts.length / 4);
    const h = new Uint8Array(doff * 4);
    h[12] = doff << 4;
    h[13] = 0x02;
    h.set(opts, 20);
    return h;
  };
  it('reads the MSS option (after NOPs) and rounds it down to the table', () => {
    expect(mssOption(tcp([2, 4, 0x05, 0xb4]))).toBe(1460);
    expect(mssOption(tcp([1, 1, 2, 4, 0x05, 0x78]))).toBe(1400);
    expect(mssOption(tcp([]))).toBe(0);
    expect(mssOption(tcp([0, 2, 4, 5]))).toBe(0);
    expect(cookieMss(tcp([2, 4, 0x05, 0xb4]), false)).toEqual({ mss: 1460, ind: 3 });
    expect(cookieMss(tcp([2, 4, 0x05, 0x78]), false)).toEqual({ mss: 1300, ind: 1 });
    expect(cookieMss(tcp([2, 4, 0x01, 0x00]), false)).toEqual({ mss: 536, ind: 0 });
    expect(cookieMss(tcp([]), false)).toEqual({ mss: 536, ind: 0 });
    expect(cookieMss(tcp([]), true)).toEqual({ mss: 1220, ind: 0 });
    expect(cookieMss(tcp([2, 4, 0x23, 0x28]), true)).toEqual({ mss: 8940, ind: 3 });
  });
});
