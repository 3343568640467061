/**
 * Helper verifier prototypes and availability against Linux 6.18 (helper-protos.json, recorded on
 * the kernel by helper-protos.c): every implemented helper has a prototype with the uapi's
 * argument count; HelperRegistry.allowed and gplOnly agree with the kernel's get_func_proto for
 * every recorded program type; and the prototypes predict the verifier's verdict on the recorded
 * argument probes (which argument it refuses first, and how).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinHelpers } from '../../src/helpers/index.js';
import type { HelperDef, HelperProto, ProtoArg } from '../../src/helpers/registry.js';
import { HelperRegistry } from '../../src/helpers/registry.js';
import { CGROUP_CLASSID_SKB_PROTO, CGROUP_CLASSID_SKB_TYPES } from '../../src/helpers/packet.js';
import { SK_DELETE_TRACING, SK_GET_CG_SOCK, SK_GET_TRACING, SK_STORAGE_TRACING_TYPES } from '../../src/helpers/local-storage.js';
import { helperSpec } from '../../src/helpers/table.js';
import { retRangeOf } from '../../src/kernel/progtypes/vctx.js';

/** BPF_F_SLEEPABLE. */
const SLEEPABLE = 1 << 4;

interface TypeEntry {
  readonly progType: number;
  readonly attachType: number;
  readonly progFlags: number;
  readonly allowed: readonly number[];
  readonly gplOnly: readonly number[];
}
interface Golden {
  readonly release: string;
  /** CPUs of the recording machine (bpf_get_smp_processor_id's result is [0, nrCpus - 1]). */
  readonly nrCpus: number;
  readonly types: Readonly<Record<string, TypeEntry>>;
  /** Per helper id, groups of types with the same verdicts: `types` and the verdict of each probe. */
  readonly argProbes: Readonly<Record<string, readonly Readonly<Record<string, string | readonly string[]>>[]>>;
  /** Memory arguments in a read-only map value (token `r`), per helper and setup. */
  readonly rdonlyProbes: readonly { readonly id: number; readonly type: string; readonly setup: string; readonly verdict: string }[];
  /** Per helper id: the verdict on reading a checked packet pointer after calling it. */
  readonly pktProbes: Readonly<Record<string, { readonly type: string; readonly setup: string; readonly verdict: string }>>;
}

const GOLDEN = JSON.parse(readFileSync(new URL('./helper-protos.json', import.meta.url), 'utf8')) as Golden;
const DEFS = builtinHelpers();
const REGISTRY = new HelperRegistry(DEFS);

/**
 * Where the emulator knowingly differs from the recorded kernel, by helper id: the (type names)
 * where they disagree, and why.
 */
interface Exception {
  readonly types: readonly string[];
  readonly why: string;
}
const AVAILABILITY_EXCEPTIONS: ReadonlyMap<number, Exception> = new Map<number, Exception>([
  // The recording machine's kernel is built with CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY, and
  // lockdown refuses bpf_probe_write_user (LOCKDOWN_BPF_WRITE_USER); the emulator models a kernel
  // without lockdown.
  [36, { types: ['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable', 'tracing/tp_btf', 'tracing/iter', 'syscall'], why: 'lockdown' }],
  // This kernel build (6.18.44-fc-v1300) refuses bpf_xdp_adjust_meta in XDP programs; the build the
  // kernel-diff goldens were recorded on (6.18.44-fc-v769) ran it, and the emulator keeps it.
  [54, { types: ['xdp'], why: 'kernel build' }],
  // get_func_proto offers timers to the tracing types, but check_map_prog_compatibility refuses
  // those types any map holding a bpf_timer (EINVAL as well); progTypes stands in for that check
  // (bpfemu makes it at map use for bpf_spin_lock only, whose helpers every type has).
  ...[169, 170, 171, 172].map((id): [number, Exception] => [id, { types: ['kprobe', 'tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable'], why: 'map compatibility' }]),
  // tracing_prog_func_proto offers bpf_get_attach_cookie to trampoline and tp_btf programs only,
  // not to iterators; HelperDef.attachTypes cannot say "all attach types of kprobe, some of tracing".
  [174, { types: ['tracing/iter'], why: 'attach type' }],
  // get_func_proto offers bpf_get_func_ip to every tracing type, but the verifier's
  // check_get_func_ip then refuses it outside kprobes and fentry/fexit/fmod_ret ("not supported
  // for program type", "supported only for fentry/fexit/fmod_ret programs"); the emulator does not offer it there.
  [173, { types: ['tracepoint', 'perf_event', 'raw_tracepoint', 'raw_tracepoint_writable', 'tracing/tp_btf', 'tracing/iter', 'syscall'], why: 'check_get_func_ip' }],
  // The tracing flavour of bpf_xdp_get_buff_len takes a BTF xdp_buff pointer; not emulated.
  [188, { types: ['tracing/tp_btf', 'tracing/iter', 'syscall'], why: 'tracing flavour' }],
  // get_func_proto offers syscall programs the tracing flavour of the sk storage helpers, whose
  // `allowed` check then refuses them ("helper call is not allowed in probe"); the emulator does not offer them.
  ...[107, 108].map((id): [number, Exception] => [id, { types: ['syscall'], why: 'tracing flavour not allowed' }]),
  // The tc flavour of bpf_sk_assign (an skb's socket) is not emulated; the sk_lookup one is.
  [124, { types: ['sched_cls', 'sched_act'], why: 'tc flavour' }],
  // This kernel build has no CONFIG_BPF_KPROBE_OVERRIDE (kprobe_prog_func_proto offers no
  // bpf_override_return); the emulator models a kernel with it (helpers/override.ts).
  [58, { types: ['kprobe'], why: 'CONFIG_BPF_KPROBE_OVERRIDE' }],
  // bpf_setsockopt / bpf_getsockopt are implemented for tcp_congestion_ops programs only
  // (helpers/sockopt.ts); sock_ops and cgroup_sock_addr sockets are not simulated.
  ...[49, 57].map((id): [number, Exception] => [id, { types: ['sock_ops', 'cgroup_sock_addr'], why: 'sockets of these types not simulated' }]),
]);

/**
 * Kernel prototypes whose arity is not the uapi C prototype's: bpf_trace_printk is variadic in C
 * (fmt, fmt_size, ...) but its bpf_func_proto declares two arguments (r3-r5 are not checked);
 * bpf_get_cgroup_classid's prototype outside tc/lwt has none.
 */
const ARITY_EXCEPTIONS: ReadonlyMap<number, number> = new Map([
  [6, 2],
  [17, 0],
]);

/** The prototype a program of `progType` gets (bpf_get_cgroup_classid has a second flavour for tc and lwt). */
function protoOf(d: HelperDef, progType: number): HelperProto {
  if (d.id === 17 && CGROUP_CLASSID_SKB_TYPES.includes(progType)) return CGROUP_CLASSID_SKB_PROTO;
  // bpf_sk_storage_get/delete: the cgroup_sock and tracing flavours (helpers/local-storage.ts)
  if (d.id === 107 && progType === 9) return SK_GET_CG_SOCK;
  if ((d.id === 107 || d.id === 108) && SK_STORAGE_TRACING_TYPES.includes(progType)) return d.id === 107 ? SK_GET_TRACING : SK_DELETE_TRACING;
  return d.proto!;
}

function def(id: number): HelperDef {
  const d = DEFS.find((x) => x.id === id);
  if (d === undefined) throw new Error(`helper ${id} is not implemented`);
  return d;
}

describe('helper prototypes', () => {
  it('every implemented helper has a prototype with as many arguments as its uapi prototype', () => {
    expect(DEFS.length).toBeGreaterThan(70);
    for (const d of DEFS) {
      expect(d.proto, d.name).toBeDefined();
      expect([d.name, d.proto!.args.length]).toEqual([d.name, ARITY_EXCEPTIONS.get(d.id) ?? helperSpec(d.id)!.args.length]);
    }
  });

  it('sizes follow a memory argument, size-giving and callback indexes point at the right arguments', () => {
    for (const d of DEFS) {
      const p = d.proto!;
      p.args.forEach((a, i) => {
        if (a.kind === 'size' || a.kind === 'size_or_zero') expect([d.name, i, p.args[i - 1]?.kind]).toEqual([d.name, i, 'mem']);
        if (a.kind === 'mem' && a.fixedSize === undefined) expect([d.name, i, p.args[i + 1]?.kind ?? 'none']).toSatisfy(([, , k]: [string, number, string]) => k === 'size' || k === 'size_or_zero');
      });
      if (p.retSizeArg !== undefined) expect(p.args[p.retSizeArg]?.kind).toBe('alloc_size');
      if (p.callback !== undefined) expect(p.args[p.callback.arg]?.kind).toBe('func');
      if (p.args.some((a) => a.kind === 'func')) expect(p.callback, d.name).toBeDefined();
      // the map argument comes before its key and value (first, or after the ctx: bpf_sk_redirect_hash)
      const kv = p.args.findIndex((a) => a.kind === 'map_key' || a.kind === 'map_value');
      if (kv >= 0) expect(p.args.slice(0, kv).some((a) => a.kind === 'map'), d.name).toBe(true);
    }
  });

  it('packet-changing helpers are the implemented ones of bpf_helper_changes_pkt_data', () => {
    const changing = DEFS.filter((d) => d.proto!.pktChanging === true).map((d) => d.name).sort();
    expect(changing).toEqual(['l3_csum_replace', 'l4_csum_replace', 'skb_adjust_room', 'skb_change_head', 'skb_change_proto', 'skb_change_tail', 'skb_pull_data', 'skb_store_bytes', 'skb_vlan_pop', 'skb_vlan_push', 'xdp_adjust_head', 'xdp_adjust_meta', 'xdp_adjust_tail']);
  });

  it('pktChanging is what 6.18 does to a checked packet pointer across the call (pktProbes)', () => {
    let n = 0;
    for (const [id, p] of Object.entries(GOLDEN.pktProbes)) {
      if (p.verdict.includes('cannot use helper')) continue; // bpf_xdp_adjust_meta on this kernel build
      const d = DEFS.find((x) => x.id === Number(id));
      if (d === undefined) continue;
      expect(["R7 invalid mem access 'scalar'", 'ok']).toContain(p.verdict);
      expect([d.name, d.proto!.pktChanging === true]).toEqual([d.name, p.verdict !== 'ok']);
      n++;
    }
    // bpf_tail_call does not invalidate them in the main program (6.18 only marks subprograms
    // that tail-call as changing packet data).
    expect(GOLDEN.pktProbes['12']!.verdict).toBe('ok');
    expect(n).toBeGreaterThan(20);
  });

  it('callback return ranges: bpf_loop and bpf_for_each_map_elem [0, 1], timer callbacks [0, 0]', () => {
    expect(def(181).proto!.callback).toEqual({ arg: 1, retRange: [0, 1] });
    expect(def(164).proto!.callback).toEqual({ arg: 1, retRange: [0, 1] });
    expect(def(170).proto!.callback).toEqual({ arg: 1, retRange: [0, 0] });
  });

  it('references: ringbuf reserve and the socket lookups acquire; submit, discard and bpf_sk_release release', () => {
    expect(def(131).proto).toMatchObject({ ret: 'ringbuf_mem_or_null', acquire: true, retSizeArg: 1 });
    for (const id of [132, 133]) expect(def(id).proto!.args[0]).toEqual({ kind: 'ringbuf_mem', release: true });
    expect(DEFS.filter((d) => d.proto!.acquire === true).map((d) => d.id).sort((a, b) => a - b)).toEqual([84, 85, 99, 131]);
    expect(def(86).proto!.args[0]).toEqual({ kind: 'btf_id_sock_common', release: true });
  });
});

describe('availability on Linux 6.18 (get_func_proto)', () => {
  const types = Object.entries(GOLDEN.types);

  it('covers the representative program types', () => {
    for (const t of ['socket_filter', 'sched_cls', 'xdp', 'cgroup_skb/ingress', 'raw_tracepoint', 'kprobe', 'tracepoint', 'syscall', 'flow_dissector']) expect(GOLDEN.types[t], t).toBeDefined();
  });

  it('HelperRegistry.allowed agrees with the kernel for every implemented helper and recorded type', () => {
    const diffs: string[] = [];
    for (const d of DEFS) {
      for (const [name, t] of types) {
        const kernel = t.allowed.includes(d.id);
        if (REGISTRY.allowed(d.id, t.progType, t.attachType) === kernel) continue;
        if (AVAILABILITY_EXCEPTIONS.get(d.id)?.types.includes(name) === true) continue;
        diffs.push(`bpf_${d.name}#${d.id} on ${name}: kernel ${kernel ? 'allows' : 'refuses'}`);
      }
    }
    expect(diffs).toEqual([]);
  });

  it('every listed exception is still a real difference', () => {
    for (const [id, e] of AVAILABILITY_EXCEPTIONS) {
      for (const name of e.types) {
        const t = GOLDEN.types[name]!;
        expect([id, name, REGISTRY.allowed(id, t.progType, t.attachType)]).toEqual([id, name, !t.allowed.includes(id)]);
      }
    }
  });

  it('gplOnly agrees with the kernel wherever the helper is available', () => {
    const diffs: string[] = [];
    for (const d of DEFS) {
      for (const [name, t] of types) {
        if (!t.allowed.includes(d.id)) continue;
        // bpf_get_stackid: perf_event programs get bpf_get_stackid_proto_pe, the only flavour that is not
        // gpl_only; HelperDef.gplOnly is one flag per helper
        if (d.id === 27 && name === 'perf_event') continue;
        if (t.gplOnly.includes(d.id) !== (d.gplOnly === true)) diffs.push(`bpf_${d.name}#${d.id} on ${name}: kernel gpl_only ${t.gplOnly.includes(d.id)}`);
      }
    }
    expect(diffs).toEqual([]);
  });
});

// ---- argument probes ---------------------------------------------------------------------------

/**
 * What a probe register holds (see helper-protos.c): z 0, k 8, c ctx, s stack pointer, m hash map,
 * r a read-only (BPF_F_RDONLY_PROG, frozen) map value, - nothing (uninitialised).
 */
type Token = 'z' | 'k' | 'c' | 's' | 'm' | 'r' | '-';
const REG_TYPE: Readonly<Record<Token, string>> = { z: 'scalar', k: 'scalar', c: 'ctx', s: 'fp', m: 'map_ptr', r: 'map_value', '-': '?' };
const WRITE_FORBIDDEN = 'write into map forbidden';
const MEM_TYPES = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_';

/** The verifier's list of acceptable register types of each argument kind (compatible_reg_types). */
const EXPECTED: Readonly<Partial<Record<ProtoArg['kind'], string>>> = {
  map: 'map_ptr',
  ctx: 'ctx',
  ctx_or_null: 'ctx',
  mem: MEM_TYPES,
  map_key: MEM_TYPES,
  map_value: MEM_TYPES,
  stack_or_null: 'fp',
  size: 'scalar',
  size_or_zero: 'scalar',
  alloc_size: 'scalar',
  func: 'func',
  spin_lock: 'map_value, ptr_',
  timer: 'map_value',
  const_str: 'map_value',
  ringbuf_mem: 'ringbuf_mem',
  btf_id: 'ptr_, trusted_ptr_, rcu_ptr_',
  percpu_btf_id: 'percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_',
  dynptr: 'fp, dynptr_ptr',
  btf_id_sock_common: 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_',
  sock_common: 'sock_common, sock, tcp_sock, xdp_sock',
  socket: 'sock',
};

/**
 * The verdict a prototype predicts for a probe, checking arguments in order as check_func_arg does:
 * a register of the wrong type is refused with the kind's type list; a NULL is accepted where the
 * kind allows it; a zero size where it must be positive is a zero-sized read. With every argument
 * accepted, a void helper leaves r0 unreadable at the exit; anything else loads ("ok").
 */
function predict(d: HelperDef, t: TypeEntry, probe: string): string {
  // fn->allowed (bpf_d_path): checked before the arguments; the probes attach to no allow-listed function
  if (d.allowedIn !== undefined && !d.allowedIn({ type: t.progType, expectedAttachType: t.attachType, attachName: '' })) return 'helper call is not allowed in probe';
  if (d.mightSleep === true && (t.progFlags & SLEEPABLE) === 0) return 'helper call might sleep in a non-sleepable prog';
  const proto = protoOf(d, t.progType);
  const regs = [...probe] as Token[];
  for (let i = 0; i < proto.args.length; i++) {
    const a = proto.args[i]!;
    const t = regs[i]!;
    const r = `R${i + 1}`;
    // ARG_PTR_TO_BTF_ID_SOCK_COMMON (a 'sock_common' with btfType) also takes BTF pointers
    const expected = a.kind === 'sock_common' && a.btfType !== undefined ? 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_' : EXPECTED[a.kind];
    const refuse = `${r} type=${REG_TYPE[t]} expected=${expected ?? '?'}`;
    if (t === '-') return `${r} !read_ok`;
    // Read-only memory: accepted where the helper only reads it (MEM_RDONLY) or wants a constant string.
    if (t === 'r' && (a.kind === 'mem' || a.kind === 'map_key' || a.kind === 'map_value')) {
      if (a.uninit === true) return WRITE_FORBIDDEN;
      continue;
    }
    if (t === 'r' && a.kind === 'const_str') continue;
    switch (a.kind) {
      case 'anything':
        continue;
      case 'map':
        if (t !== 'm') return refuse;
        continue;
      case 'ctx':
      case 'ctx_or_null':
        if (t === 'c' || (a.kind === 'ctx_or_null' && t === 'z')) continue;
        return refuse;
      case 'mem':
      case 'map_key':
      case 'map_value':
      case 'stack_or_null':
        if (t === 's' || (t === 'z' && (a.nullable === true || a.kind === 'stack_or_null'))) continue;
        return refuse;
      case 'btf_id':
      case 'socket':
        if (t === 'z' && a.nullable === true) continue;
        return refuse;
      case 'dynptr':
        // a stack pointer: initialised here (MEM_UNINIT) or, never initialised, refused
        if (t !== 's') return refuse;
        if (a.release === true) return `arg ${i + 1} is an unacquired reference`;
        if (a.uninit === true) continue;
        return `Expected an initialized dynptr as arg #${i}`;
      case 'size':
      case 'size_or_zero':
      case 'alloc_size':
        if (t !== 'z' && t !== 'k') return refuse;
        if (t === 'z' && a.kind === 'size') return `${r} invalid zero-sized read: u64=[0,0]`;
        continue;
      default:
        return refuse;
    }
  }
  // check_helper_call: bpf_get_local_storage cannot fail, so its flags must be a known zero
  if (d.id === 81 && regs[1] !== 'z') return "get_local_storage() doesn't support non-zero flags";
  if (proto.ret === 'void') return 'R0 !read_ok';
  // Where the type wants a return range, check_return_code refuses a pointer or an unknown scalar;
  // bpf_get_smp_processor_id's result is known to be a CPU number.
  const range = retRangeOf(t.progType, t.attachType);
  if (range === null) return 'ok';
  if (d.id === 8) return range[0] <= 0 && GOLDEN.nrCpus - 1 <= range[1] ? 'ok' : 'return range';
  return 'return range';
}

/** Checks after the arguments that a probe's hash map fails (check_map_func_compatibility): the arguments were accepted. */
function normalise(verdict: string): string {
  if (/^cannot pass map_type \d+ into func|^expected prog array map for tail call/.test(verdict)) return 'arguments accepted';
  if (verdict.startsWith('At program exit the register R0 ')) return 'return range';
  if (verdict.startsWith(`${WRITE_FORBIDDEN},`)) return WRITE_FORBIDDEN;
  return verdict;
}

/** Whether a predicted verdict matches the kernel's (normalised). */
function matches(predicted: string, kernel: string): boolean {
  if (kernel === 'arguments accepted') return predicted === 'ok' || predicted === 'R0 !read_ok' || predicted === 'return range';
  return predicted === kernel;
}

describe('argument probes on Linux 6.18', () => {
  it('each prototype predicts which argument the verifier refuses first, and how', () => {
    const diffs: string[] = [];
    let n = 0;
    for (const d of DEFS) {
      for (const group of GOLDEN.argProbes[String(d.id)] ?? []) {
        for (const name of group.types as readonly string[]) {
          const t = GOLDEN.types[name]!;
          // Only where the emulator offers the helper (AVAILABILITY_EXCEPTIONS).
          if (!REGISTRY.allowed(d.id, t.progType, t.attachType)) continue;
          for (const [probe, verdict] of Object.entries(group)) {
            if (probe === 'types') continue;
            n++;
            const want = normalise(verdict as string);
            const got = predict(d, t, probe);
            if (!matches(got, want)) diffs.push(`bpf_${d.name}#${d.id} ${probe} on ${name}: kernel "${want}", prototype "${got}"`);
          }
        }
      }
    }
    expect(diffs).toEqual([]);
    expect(n).toBeGreaterThan(10_000);
  });

  it('read-only map values: refused where the helper writes the memory (uninit), accepted where it reads it', () => {
    const diffs: string[] = [];
    for (const p of GOLDEN.rdonlyProbes) {
      const d = def(p.id);
      const want = normalise(p.verdict);
      const got = predict(d, GOLDEN.types[p.type]!, p.setup);
      if (!matches(got, want)) diffs.push(`bpf_${d.name}#${d.id} ${p.setup} on ${p.type}: kernel "${want}", prototype "${got}"`);
    }
    expect(diffs).toEqual([]);
    expect(GOLDEN.rdonlyProbes.filter((p) => p.verdict.startsWith(WRITE_FORBIDDEN)).length).toBeGreaterThan(10);
    expect(GOLDEN.rdonlyProbes.filter((p) => p.verdict === 'ok').length).toBeGreaterThan(8);
  });
});
