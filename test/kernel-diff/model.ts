/**
 * The kernel-differential suite's data model: a case (object, user-space map writes, a sequence of
 * test runs, documented exclusions), the result both sides produce (one entry per run, the content
 * of every map), the environment a result depends on, and the normalisation and comparison that
 * make the kernel's and the emulator's results comparable.
 *
 * Result shape (also the golden file format, `goldens/<case>.json`):
 *
 *   { "case": NAME, "env": { release, version, nrCpus, kconfig, uid, gid },
 *     "runs": [ { "prog": P, "retval": N|null, "dataOut": HEX|null, "ctxOut": HEX|null, "error": E|null } ],
 *     "maps": { NAME: { type, keySize, valueSize, maxEntries, flags,
 *                       entries: [ {key?, value?, values?} ] | null } | { "excluded": REASON } } }
 *
 * Hex is lowercase without separators; a byte excluded by a `differs` entry is written `**` on both
 * sides. Map names are the emulator's JSON names (`bpfemu run --json`): the C name as the kernel
 * stores it (at most 15 characters), or the ELF section for global data (`.bss`, `.data.custom`).
 */

import type { NeighbourSpec, RouteSpec } from '../../src/kernel/objects/net.js';

/** One BPF_PROG_TEST_RUN of a case. */
export interface RunDef {
  /** Program (C function) name. */
  readonly prog: string;
  /** data_in (packet programs). */
  readonly data?: Uint8Array;
  /** ctx_in; for packet programs ctx_out is requested too (ctx_size_out {@link CTX_OUT_SIZE}). */
  readonly ctx?: Uint8Array;
  /**
   * A user-space buffer for probe_read_user & co: its address is written (u64 LE) at `offset` of
   * ctx before the run (the kernel side puts it in the runner process's memory).
   */
  readonly user?: { readonly offset: number; readonly bytes: Uint8Array };
}

/** A user-space BPF_MAP_UPDATE_ELEM done after load, before the runs. */
export interface MapWrite {
  readonly map: string;
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/**
 * A value the kernel and the emulator legitimately do not share, excluded on both sides (and in
 * the golden) with the reason: a whole map, bytes of every value of a map, bits of a map's flags,
 * a run's retval, or bytes of a run's ctx_out/data_out.
 */
export type Differs =
  | { readonly map: string; readonly bytes?: readonly [offset: number, length: number]; readonly flags?: number; readonly reason: string }
  | { readonly run: number | 'all'; readonly field: 'retval' | 'ctxOut' | 'dataOut'; readonly bytes?: readonly [offset: number, length: number]; readonly reason: string };

/** Program types of the suite (what the kernel test run and the emulator are asked to run). */
export type ProgKind = 'xdp' | 'tc' | 'socket' | 'cgroup_skb' | 'sk_lookup' | 'lwt' | 'syscall' | 'raw_tp';

/** One differential case. */
export interface CaseDef {
  /** Unique name, also the golden file name. */
  readonly name: string;
  /** Fixture object: programs/<object>.bpf.o. */
  readonly object: string;
  /** Type of the programs run (for the summary and for choosing bpftool or the runner). */
  readonly kind: ProgKind;
  /** What the case exercises (loader and maps/helpers features), for the coverage summary. */
  readonly features: readonly string[];
  /** `__kconfig` externs the object reads: their values come from the kernel config (pinned in the golden). */
  readonly kconfig?: readonly string[];
  /**
   * Typeless `__ksym` symbols the object needs: the kernel side resolves them through kallsyms, the
   * emulator (which has no kernel symbol table) gets these stand-in addresses as its `kallsyms`
   * service. Only use where the address itself is not part of the result.
   */
  readonly ksyms?: Readonly<Record<string, bigint>>;
  readonly setup?: readonly MapWrite[];
  /**
   * Time that passes after the runs, before the maps are dumped (for bpf_timer callbacks): the
   * kernel side sleeps that long, the emulator advances its virtual clock by as much.
   */
  readonly settleMs?: number;
  readonly runs: readonly RunDef[];
  readonly differs?: readonly Differs[];
  /**
   * Runs where the emulator is known to be wrong and the fix belongs to someone else's files: the
   * goldens keep the kernel's values, and the comparison requires these runs to still differ (so
   * a fix is noticed and the entry removed). Reported, not legitimate.
   */
  readonly knownGaps?: readonly { readonly run: number; readonly reason: string }[];
  /**
   * Sockets that exist during the runs (socket lookups): the kernel side opens them in the runner
   * process, the emulator adds the same sockets to its socket table.
   */
  readonly sockets?: readonly SockDef[];
  /**
   * A network for bpf_fib_lookup: the kernel side builds it in a new network namespace with ip(8)
   * (devices are bridges without ports, so ifindexes 2, 3, ... follow the order given) and runs
   * the test runs there; the emulator configures kernel.net the same way.
   */
  readonly net?: NetDef;
  /** Documentation of the expected outcome (from the fixture's header). */
  readonly note?: string;
}

/**
 * A socket of a case: `tcp4`/`tcp6` listening (tcp6 is dual-stack), `tcp6only` listening with
 * IPV6_V6ONLY, `udp4`/`udp6` bound. `clientPort` (TCP): a client bound to addr:clientPort is also
 * connected to it, giving an established pair (the server's side stays in the accept queue).
 */
export interface SockDef {
  readonly kind: 'tcp4' | 'tcp6' | 'tcp6only' | 'udp4' | 'udp6';
  readonly addr: string;
  readonly port: number;
  readonly clientPort?: number;
}

/** A case's network (see {@link CaseDef.net}); `forwarding` is net.ipv{4,6}.conf.all.forwarding. */
export interface NetDef {
  readonly forwarding: boolean;
  /** net.ipv4.tcp_syncookies (the emulator: kernel.sockets.syncookies); unset keeps the default. */
  readonly syncookies?: 0 | 1 | 2;
  readonly devices: readonly { readonly name: string; readonly mac: string; readonly mtu: number; readonly addresses: readonly string[] }[];
  readonly routes?: readonly RouteSpec[];
  readonly neighbours?: readonly NeighbourSpec[];
}

/** What a result depends on beyond the case itself. */
export interface Env {
  /** `uname -r` of the kernel the result was recorded on. */
  readonly release: string;
  /** KERNEL_VERSION triple (LINUX_KERNEL_VERSION; libbpf parses it from uname). */
  readonly version: readonly [number, number, number];
  /** num_possible_cpus (/sys/devices/system/cpu/possible). */
  readonly nrCpus: number;
  /** The kernel config values the cases read through `__kconfig`. */
  readonly kconfig: Readonly<Record<string, string>>;
  /** uid and gid of the process that ran the kernel side (the test run's current task). */
  readonly uid: number;
  readonly gid: number;
}

/**
 * The comm of the task that calls BPF_PROG_TEST_RUN on the kernel side (bpf_get_current_comm):
 * bpftool for packet programs, the runner for syscall and raw_tp programs.
 */
export function callerComm(kind: ProgKind): string {
  return kind === 'syscall' || kind === 'raw_tp' ? 'kdiff-runner' : 'bpftool';
}

/** One run's outcome. */
export interface RunResult {
  readonly prog: string;
  readonly retval: number | null;
  readonly dataOut: string | null;
  readonly ctxOut: string | null;
  /** The test run failed: the errno's name (`EINVAL`), or `fault: ...` for an emulator guest fault. */
  readonly error: string | null;
}

/** One map entry: key (absent for queue/stack/ringbuf), value, or per-CPU values. */
export interface MapEntry {
  key?: string;
  value?: string;
  values?: string[];
}

/** A map's attributes and content (`entries` null: the type cannot be enumerated, e.g. bloom filter). */
export interface MapDump {
  readonly type: string;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  entries: MapEntry[] | null;
}

/** A case's outcome on one side. */
export interface CaseResult {
  readonly case: string;
  readonly env: Env;
  readonly runs: RunResult[];
  readonly maps: Record<string, MapDump | { readonly excluded: string }>;
}

/** ctx_size_out / data_size_out asked for on both sides (the kernel reports how much it wrote). */
export const CTX_OUT_SIZE = 4096;
export const DATA_OUT_SIZE = 16384;

/**
 * How a map's entries are enumerated and compared:
 *   values   get_next_key + lookup (per-CPU maps: one value per possible CPU)
 *   keys     get_next_key + lookup, keeping only the keys (the values are kernel ids: prog/map ids,
 *            ifindexes are fine but lookups of xsk/perf maps fail; a failed lookup drops the key)
 *   pop      queue/stack: lookup_and_delete until empty (FIFO/LIFO order)
 *   ringbuf  the committed records, in order (discarded ones skipped), consumed
 *   none     not enumerable (bloom filter: the programs' peek results cover it)
 */
export type DumpMode = 'values' | 'keys' | 'pop' | 'ringbuf' | 'none';

/** The dump mode of a bpftool map type name. */
export function dumpModeOf(type: string): DumpMode {
  switch (type) {
    case 'prog_array':
    case 'array_of_maps':
    case 'hash_of_maps':
    case 'devmap':
    case 'devmap_hash':
    case 'cpumap':
    case 'xskmap':
    case 'perf_event_array':
      return 'keys';
    case 'queue':
    case 'stack':
      return 'pop';
    case 'ringbuf':
      return 'ringbuf';
    case 'bloom_filter':
      return 'none';
    default:
      return 'values';
  }
}

/** Whether get_next_key order depends on a hash seed (random unless BPF_F_ZERO_SEED): compared sorted. */
export function unorderedType(type: string): boolean {
  return type === 'hash' || type === 'percpu_hash' || type === 'lru_hash' || type === 'lru_percpu_hash' || type === 'hash_of_maps' || type === 'devmap_hash';
}

/** Whether a map type stores one value per possible CPU. */
export function perCpuType(type: string): boolean {
  return type === 'percpu_array' || type === 'percpu_hash' || type === 'lru_percpu_hash';
}

function maskHex(hex: string, bytes: readonly [number, number] | undefined): string {
  if (bytes === undefined) return '*'.repeat(hex.length);
  const [off, len] = bytes;
  let out = '';
  for (let i = 0; i < hex.length; i += 2) out += i / 2 >= off && i / 2 < off + len ? '**' : hex.slice(i, i + 2);
  return out;
}

/**
 * Apply a case's exclusions and the ordering rule (hash maps sorted by key) to a raw result, in
 * place; the same function runs on the kernel's and the emulator's results.
 */
export function normalise(c: CaseDef, r: CaseResult): CaseResult {
  for (const d of c.differs ?? []) {
    if ('map' in d) {
      const m = r.maps[d.map];
      if (m === undefined) throw new Error(`case ${c.name}: differs names map '${d.map}', which the result does not have`);
      if ('excluded' in m) continue;
      if (d.flags !== undefined) {
        r.maps[d.map] = { ...m, flags: m.flags & ~d.flags };
        continue;
      }
      if (d.bytes === undefined) {
        r.maps[d.map] = { excluded: d.reason };
        continue;
      }
      if (m.entries === null) continue;
      for (const e of m.entries) {
        if (e.value !== undefined) e.value = maskHex(e.value, d.bytes);
        if (e.values !== undefined) e.values = e.values.map((v) => maskHex(v, d.bytes));
      }
    } else {
      r.runs.forEach((run, i) => {
        if (d.run !== 'all' && d.run !== i) return;
        const w = run as { retval: number | null; dataOut: string | null; ctxOut: string | null };
        if (d.field === 'retval') w.retval = null;
        else if (w[d.field] !== null) w[d.field] = maskHex(w[d.field]!, d.bytes);
      });
    }
  }
  for (const m of Object.values(r.maps)) {
    if ('excluded' in m || m.entries === null || !unorderedType(m.type)) continue;
    m.entries.sort((a, b) => ((a.key ?? '') < (b.key ?? '') ? -1 : (a.key ?? '') > (b.key ?? '') ? 1 : 0));
  }
  return r;
}

/**
 * Differences between two normalised results, one line each (empty when they agree). The
 * environment is not compared: callers choose results recorded in the same environment.
 */
export function compareResults(want: CaseResult, got: CaseResult, wantName: string, gotName: string, knownGaps: readonly number[] = []): string[] {
  const out: string[] = [];
  const show = (v: unknown): string => JSON.stringify(v);
  if (want.runs.length !== got.runs.length) out.push(`runs: ${wantName} has ${want.runs.length}, ${gotName} ${got.runs.length}`);
  want.runs.forEach((w, i) => {
    const g = got.runs[i];
    if (g === undefined) return;
    const fields = (['prog', 'error', 'retval', 'dataOut', 'ctxOut'] as const).filter((f) => w[f] !== g[f]);
    if (knownGaps.includes(i)) {
      if (fields.length === 0) out.push(`run ${i} (${w.prog}): listed as a known gap but ${wantName} and ${gotName} now agree: remove it from knownGaps`);
      return;
    }
    for (const f of fields) out.push(`run ${i} (${w.prog}) ${f}: ${wantName} ${show(w[f])}, ${gotName} ${show(g[f])}`);
  });
  const names = [...new Set([...Object.keys(want.maps), ...Object.keys(got.maps)])].sort();
  for (const n of names) {
    const w = want.maps[n];
    const g = got.maps[n];
    if (w === undefined || g === undefined) {
      out.push(`map ${n}: only in ${w === undefined ? gotName : wantName}`);
      continue;
    }
    if ('excluded' in w || 'excluded' in g) {
      if (!('excluded' in w && 'excluded' in g)) out.push(`map ${n}: excluded on one side only`);
      continue;
    }
    for (const f of ['type', 'keySize', 'valueSize', 'maxEntries', 'flags'] as const) {
      if (w[f] !== g[f]) out.push(`map ${n} ${f}: ${wantName} ${show(w[f])}, ${gotName} ${show(g[f])}`);
    }
    if (w.entries === null || g.entries === null) {
      if (w.entries !== g.entries) out.push(`map ${n}: enumerable on one side only`);
      continue;
    }
    const len = Math.max(w.entries.length, g.entries.length);
    for (let i = 0; i < len; i++) {
      const a = w.entries[i];
      const b = g.entries[i];
      if (show(a) !== show(b)) out.push(`map ${n} entry ${i}: ${wantName} ${show(a ?? null)}, ${gotName} ${show(b ?? null)}`);
    }
  }
  return out;
}

/** Whether two environments give the same results for version-, CPU- and config-dependent values. */
export function sameEnv(a: Env, b: Env): boolean {
  return a.release === b.release && a.nrCpus === b.nrCpus && a.uid === b.uid && a.gid === b.gid && JSON.stringify(a.kconfig) === JSON.stringify(b.kconfig);
}

/** Little-endian integer bytes (for building ctx and keys). */
export function le(value: number | bigint, size: 1 | 2 | 4 | 8): Uint8Array {
  const out = new Uint8Array(size);
  let v = BigInt.asUintN(size * 8, BigInt(value));
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
