/**
 * The compiled-program cases of the corpus: fixtures from programs/ loaded through the libbpf-like
 * API into an emulated kernel (BpfObject.open + load) and timed through BPF_PROG_TEST_RUN, the way a
 * test suite drives them. Expected results come from each fixture's header comment; the smoke run
 * checks them after one pass over the case's frames.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfObject, type BpfProgram, type TestRunOptions } from '../src/api/object.js';
import { Kernel, type KernelOptions } from '../src/kernel/kernel.js';
import { fromHex } from '../src/util/bytes.js';
import { arpFrame, ipv4, ipv4Frame, ipv6Frame } from '../src/util/packets.js';
import { BenchError, type BenchCase, type KernelSpec, type KernelStep, type PreparedCase, type SetupOptions } from './harness.js';

/** The repository's programs/ directory (found upwards from this module: bench/ or dist-bench/bench/). */
export function programsDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(d, 'programs', 'bench_checksum.bpf.o'))) return join(d, 'programs');
    d = dirname(d);
  }
  throw new BenchError('SETUP', `programs/ not found above ${fileURLToPath(import.meta.url)}`);
}

/** Bytes of `programs/<name>.bpf.o`. */
export function fixtureBytes(name: string): Uint8Array {
  return readFileSync(join(programsDir(), `${name}.bpf.o`));
}

/** A loaded fixture in its own kernel, with a per-run instruction counter. */
export interface LoadedFixture {
  readonly kernel: Kernel;
  readonly obj: BpfObject;
  /** Instructions of every top-level run so far (nested struct_ops runs and callbacks included). */
  insns(): number;
}

/** Open and load `programs/<name>.bpf.o` into a fresh kernel. */
export function loadFixture(name: string, o: SetupOptions, kopts: KernelOptions = {}): LoadedFixture {
  const kernel = new Kernel({ ...kopts, engine: o.engine, budget: 1 << 28 });
  let insns = 0;
  // Counted once per top-level run from the budget accounting: nothing per instruction.
  kernel.onRunEnd((m, fault) => {
    insns += m.budget - m.left - m.charged; // instructions: helper costs excluded
    return fault;
  });
  const obj = BpfObject.open(fixtureBytes(name), { kernel, name });
  obj.load();
  return { kernel, obj, insns: () => insns };
}

// ---- frames ---------------------------------------------------------------------------------------

/** programs/README.md "Sample frames": the 1500-byte IPv4/UDP frame (payload byte i = 7i mod 256). */
export function frame1500(): Uint8Array {
  const f = new Uint8Array(1500);
  f.set(fromHex('0200000000020200000000010800450005ce000100004011611c0a0000010a00000203e807d005babfbe'));
  for (let i = 0; i < 1458; i++) f[42 + i] = (7 * i) & 0xff;
  return f;
}

const TCP80 = ipv4Frame('tcp', { srcPort: 1234, dstPort: 80, payload: new TextEncoder().encode('hello') });
const TCP22 = ipv4Frame('tcp', { srcPort: 1234, dstPort: 22, payload: new TextEncoder().encode('hello') });
const UDP53 = ipv4Frame('udp', { srcPort: 5353, dstPort: 53, payload: new TextEncoder().encode('query') });
const ICMP = ipv4Frame('icmp', { payload: new TextEncoder().encode('ping') });
const BLOCKED = ipv4Frame('udp', { src: '192.168.1.66', srcPort: 1, dstPort: 2 });
const V6_UDP = ipv6Frame('udp', { src: '::1', dst: '::2', srcPort: 1, dstPort: 2 });
const ARP = arpFrame();
const IHL15 = ipv4Frame('udp', { ihl: 15, srcPort: 1, dstPort: 2 });
const FROM_10_1_2_3 = ipv4Frame('udp', { src: '10.1.2.3', srcPort: 1, dstPort: 2 });

// ---- checks -----------------------------------------------------------------------------------------

function expectEq(what: string, got: bigint | number | string, want: bigint | number | string): void {
  if (got !== want) throw new BenchError('WRONG_RESULT', `${what}: got ${String(got)}, expected ${String(want)}`);
}

function u32Key(n: number): Uint8Array {
  const k = new Uint8Array(4);
  new DataView(k.buffer).setUint32(0, n, true);
  return k;
}

function u64s(b: Uint8Array): bigint[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: b.length >> 3 }, (_, i) => dv.getBigUint64(i * 8, true));
}

function global(obj: BpfObject, name: string): bigint {
  const v = obj.variable(name);
  return BigInt.asUintN(v.size * 8, v.getInt());
}

function globalU64s(obj: BpfObject, name: string): string {
  return u64s(obj.variable(name).get()).join(',');
}

function mapU64s(obj: BpfObject, map: string, key: Uint8Array): string {
  const v = obj.map(map).lookup(key);
  return v === undefined ? 'missing' : u64s(v).join(',');
}

/** Apply a setup step through the API (the kernel side does the same with bpftool). */
function applyStep(obj: BpfObject, s: KernelStep): void {
  if (s.kind === 'update') {
    obj.map(s.map).update(s.key, s.value);
    return;
  }
  expectEq(`${s.program}: retval`, obj.program(s.program).testRun({ dataIn: s.frame }).retval, s.retval);
}

function runChecked(p: BpfProgram, opts: TestRunOptions, retval: number, what: string): void {
  const got = p.testRun(opts).retval;
  if (got !== retval) throw new BenchError('WRONG_RESULT', `${what}: retval ${got}, expected ${retval}`);
}

// ---- case builders ----------------------------------------------------------------------------------

interface PacketCaseSpec {
  name: string;
  description: string;
  object: string;
  program: string;
  frames: { frame: Uint8Array; retval: number; label: string }[];
  before?: KernelStep[];
  kernelOptions?: KernelOptions;
  /** Checks after one pass with repeat 1. */
  verify(obj: BpfObject): void;
  /** Whether the real kernel can run it (default true). */
  inKernel?: boolean;
}

/** An XDP program over a mix of frames; one call = one BPF_PROG_TEST_RUN (with `repeat`) per frame. */
function packetCase(spec: PacketCaseSpec): BenchCase {
  const kernel: KernelSpec = {
    object: spec.object,
    program: spec.program,
    frames: spec.frames.map((f) => ({ frame: f.frame, retval: f.retval })),
    ...(spec.before !== undefined ? { before: spec.before } : {}),
  };
  return {
    name: spec.name,
    description: spec.description,
    path: 'BPF_PROG_TEST_RUN',
    ...(spec.inKernel === false ? {} : { kernel }),
    setup(o: SetupOptions): PreparedCase {
      const l = loadFixture(spec.object, o, spec.kernelOptions);
      for (const s of spec.before ?? []) applyStep(l.obj, s);
      const prog = l.obj.program(spec.program);
      const repeat = Math.max(1, o.repeat);
      const opts: TestRunOptions[] = spec.frames.map((f) => ({ dataIn: f.frame, repeat }));
      return {
        runsPerCall: spec.frames.length * repeat,
        insnsExecuted: l.insns,
        call(): void {
          for (let i = 0; i < opts.length; i++) runChecked(prog, opts[i]!, spec.frames[i]!.retval, `${spec.name}: ${spec.frames[i]!.label}`);
        },
        verify: () => spec.verify(l.obj),
      };
    },
  };
}

interface SyscallCaseSpec {
  name: string;
  description: string;
  object: string;
  program: string;
  /** The ctx (written back in place by each run). */
  ctx: () => Uint8Array;
  retval: number;
  kernelOptions?: KernelOptions;
  /** After load, before timing (fill buffers, associate struct_ops maps, ...). */
  prepare?(obj: BpfObject): void;
  verify(obj: BpfObject, ctx: Uint8Array): void;
}

/** A syscall program (BPF_PROG_TEST_RUN refuses repeat for these: one call = one run). */
function syscallCase(spec: SyscallCaseSpec): BenchCase {
  return {
    name: spec.name,
    description: spec.description,
    path: 'BPF_PROG_TEST_RUN',
    setup(o: SetupOptions): PreparedCase {
      const l = loadFixture(spec.object, o, spec.kernelOptions);
      spec.prepare?.(l.obj);
      const prog = l.obj.program(spec.program);
      const ctx = spec.ctx();
      const opts: TestRunOptions = ctx.length > 0 ? { ctxIn: ctx } : {};
      return {
        runsPerCall: 1,
        insnsExecuted: l.insns,
        call: () => runChecked(prog, opts, spec.retval, spec.name),
        verify: () => spec.verify(l.obj, ctx),
      };
    },
  };
}

// ---- the cases ----------------------------------------------------------------------------------------

const F1500 = frame1500();

/** The compiled-program cases, in report order. */
export const OBJECT_CASES: readonly BenchCase[] = [
  packetCase({
    name: 'xdp-maps-mix',
    description: 'xdp_maps/xdp_count: Eth/IPv4/IPv6 parser, ARRAY + PERCPU_ARRAY counters, per-protocol HASH counters (lookup + atomic add, insert on first sight); TCP, UDP, ICMP, IPv6/UDP, ARP',
    object: 'xdp_maps',
    program: 'xdp_count',
    frames: [
      { frame: TCP80, retval: 2, label: 'v4 tcp' },
      { frame: UDP53, retval: 2, label: 'v4 udp' },
      { frame: ICMP, retval: 2, label: 'v4 icmp' },
      { frame: V6_UDP, retval: 1, label: 'v6 udp' },
      { frame: ARP, retval: 2, label: 'arp' },
    ],
    verify(obj) {
      expectEq('pkt_count[0]', mapU64s(obj, 'pkt_count', u32Key(0)), '5');
      expectEq('proto_stats[6]', mapU64s(obj, 'proto_stats', u32Key(6)), '1,60');
      expectEq('proto_stats[17]', mapU64s(obj, 'proto_stats', u32Key(17)), `2,${60 + V6_UDP.length}`);
      expectEq('proto_stats[1]', mapU64s(obj, 'proto_stats', u32Key(1)), '1,60');
      expectEq('proto_stats entries', obj.map('proto_stats').keys().length, 3);
      const cpu = obj.map('cpu_bytes').lookupPerCpu(u32Key(0));
      expectEq('cpu_bytes[0] on cpu 0', cpu === undefined ? 'missing' : u64s(cpu[0]!).join(','), String(4 * 60 + V6_UDP.length));
    },
  }),
  packetCase({
    name: 'xdp-firewall-mix',
    description: 'xdp_firewall: parser with ARRAY counters, HASH blocklist lookup, TCP port knob; the eight frames of the fixture comment',
    object: 'xdp_firewall',
    program: 'xdp_firewall',
    before: [{ kind: 'update', map: 'blocklist', key: ipv4('192.168.1.66'), value: new Uint8Array(8) }],
    frames: [
      { frame: TCP80, retval: 2, label: 'tcp:80' },
      { frame: TCP22, retval: 1, label: 'tcp:22' },
      { frame: UDP53, retval: 2, label: 'udp' },
      { frame: ICMP, retval: 2, label: 'icmp' },
      { frame: BLOCKED, retval: 1, label: '192.168.1.66' },
      { frame: V6_UDP, retval: 2, label: 'v6 udp' },
      { frame: ARP, retval: 2, label: 'arp' },
      { frame: IHL15, retval: 1, label: 'ihl 15' },
    ],
    verify(obj) {
      const ps = [0, 1, 2, 3].map((i) => mapU64s(obj, 'proto_stats', u32Key(i))).join(' ');
      expectEq('proto_stats', ps, `2,120 4,${180 + V6_UDP.length} 1,60 1,60`);
      expectEq('drop_stats', [0, 1, 2].map((i) => mapU64s(obj, 'drop_stats', u32Key(i))).join(' '), '1 1 1');
      expectEq('blocklist[192.168.1.66]', mapU64s(obj, 'blocklist', ipv4('192.168.1.66')), '1');
    },
  }),
  packetCase({
    name: 'csum-1500',
    description: 'bench_checksum/xdp_csum: RFC 1071 checksum of a 1500-byte frame (bounded loop, 16-bit big-endian words)',
    object: 'bench_checksum',
    program: 'xdp_csum',
    frames: [{ frame: F1500, retval: 2, label: '1500 bytes' }],
    verify: (obj) => expectEq('pkt_csum', global(obj, 'pkt_csum'), 0x0dcbn),
  }),
  packetCase({
    name: 'fnv1a-1500',
    description: 'bench_checksum/xdp_fnv1a: 32-bit FNV-1a of a 1500-byte frame',
    object: 'bench_checksum',
    program: 'xdp_fnv1a',
    frames: [{ frame: F1500, retval: 2, label: '1500 bytes' }],
    verify: (obj) => expectEq('pkt_fnv', global(obj, 'pkt_fnv'), 0x7b50e541n),
  }),
  syscallCase({
    name: 'csum-64k',
    description: 'bench_checksum/sys_csum: RFC 1071 checksum of a 64 KiB .bss buffer (filled once by sys_fill)',
    object: 'bench_checksum',
    program: 'sys_csum',
    ctx: () => new Uint8Array(0),
    retval: 0x3fc0,
    prepare: (obj) => runChecked(obj.program('sys_fill'), {}, 0, 'sys_fill'),
    verify: (obj) => expectEq('buf_csum', global(obj, 'buf_csum'), 0x3fc0n),
  }),
  syscallCase({
    name: 'fnv1a-64k',
    description: 'bench_checksum/sys_fnv1a: 32-bit FNV-1a of a 64 KiB .bss buffer (filled once by sys_fill)',
    object: 'bench_checksum',
    program: 'sys_fnv1a',
    ctx: () => new Uint8Array(0),
    retval: 0xabaa9dc5,
    prepare: (obj) => runChecked(obj.program('sys_fill'), {}, 0, 'sys_fill'),
    verify: (obj) => expectEq('buf_fnv', global(obj, 'buf_fnv'), 0xabaa9dc5n),
  }),
  syscallCase({
    name: 'bpf-loop-1000',
    description: 'bench_loop/loop_bench: bpf_loop(1000) calling a xorshift64 callback (helper → callback frame → return, 1000 times)',
    object: 'bench_loop',
    program: 'loop_bench',
    ctx: () => {
      const c = new Uint8Array(40);
      const dv = new DataView(c.buffer);
      dv.setUint32(0, 1000, true);
      dv.setBigUint64(8, 1n, true);
      return c;
    },
    retval: 0,
    verify(_obj, ctx) {
      const [, , iterations, state, acc] = u64s(ctx);
      expectEq('iterations', iterations!, 1000n);
      expectEq('state', state!, 0x9e8b2325c8f3382dn);
      expectEq('acc', acc!, 0x1e9220c28f0n);
    },
  }),
  packetCase({
    name: 'calls-mix',
    description: 'bench_calls/xdp_calls: 4-5 bpf-to-bpf calls per packet (static and global subprograms); UDP, ICMP, ARP, TCP',
    object: 'bench_calls',
    program: 'xdp_calls',
    frames: [
      { frame: UDP53, retval: 2, label: 'udp' },
      { frame: ICMP, retval: 2, label: 'icmp' },
      { frame: ARP, retval: 2, label: 'arp' },
      { frame: TCP80, retval: 2, label: 'tcp' },
    ],
    verify(obj) {
      expectEq('class_count', globalU64s(obj, 'class_count'), '1,1,1,1');
      expectEq('last_hash', global(obj, 'last_hash'), 0xeae98eb5n);
    },
  }),
  packetCase({
    name: 'tailcall-chain',
    description: 'bench_tailcall/stage_0: 8 programs chained by 7 tail calls through a PROG_ARRAY',
    object: 'bench_tailcall',
    program: 'stage_0',
    frames: [{ frame: TCP80, retval: 2, label: 'tcp' }],
    verify: (obj) => expectEq('hops', globalU64s(obj, 'hops'), '1,1,1,1,1,1,1,1'),
  }),
  packetCase({
    name: 'lpm-lookup-mix',
    description: 'bench_lpm/lpm_lookup: LPM_TRIE lookup of the IPv4 source in 514 prefixes (populated once by lpm_populate); default, /16, non-IP, /24',
    object: 'bench_lpm',
    program: 'lpm_lookup',
    before: [{ kind: 'run', program: 'lpm_populate', frame: TCP80, retval: 2 }],
    frames: [
      { frame: BLOCKED, retval: 2, label: '192.168.1.66' },
      { frame: FROM_10_1_2_3, retval: 2, label: '10.1.2.3' },
      { frame: V6_UDP, retval: 2, label: 'v6' },
      { frame: TCP80, retval: 2, label: '10.0.0.1' },
    ],
    verify(obj) {
      expectEq('route_hits', globalU64s(obj, 'route_hits'), '1,1,0,1,1');
      expectEq('last_route', global(obj, 'last_route'), 2000n);
    },
  }),
  syscallCase({
    name: 'struct-ops-chain',
    description: 'struct_ops_demo/dispatch_double: syscall program → kfunc bpf_kfunc_multi_st_ops_test_1_impl → associated struct_ops program double_it (a nested run)',
    object: 'struct_ops_demo',
    program: 'dispatch_double',
    kernelOptions: { testmod: true },
    ctx: () => {
      const c = new Uint8Array(16);
      new DataView(c.buffer).setBigUint64(0, 21n, true);
      return c;
    },
    retval: 0,
    prepare(obj) {
      obj.program('dispatch_double').assocStructOps(obj.map('doubler'));
      obj.attach();
    },
    verify(obj, ctx) {
      expectEq('result', new DataView(ctx.buffer).getInt32(8, true), 42);
      expectEq('dispatch_calls', global(obj, 'dispatch_calls'), 1n);
    },
  }),
];
