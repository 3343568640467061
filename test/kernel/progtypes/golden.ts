/**
 * Golden cases recorded on the real Linux 6.18 kernel: an assembled program, its BPF_PROG_TEST_RUN
 * input, and what the kernel returned. The same program and input must give the same result here.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex } from '../../../src/util/bytes.js';
import { kernel, load, ProgType, testRun } from './harness.js';

/** One recorded case (golden/*.json). */
export interface GoldenCase {
  readonly name: string;
  readonly progType: string;
  readonly eat: number;
  readonly asm: string;
  readonly dataIn: string | null;
  readonly ctxIn: string | null;
  readonly ctxSizeOut: number;
  readonly repeat?: number;
  readonly flags?: number;
  readonly cpu?: number;
  readonly dataSizeOut?: number;
  /** Pass no data_out buffer at all (types whose test run refuses one: sk_lookup). */
  readonly noDataOut?: boolean;
  /** Recorded inside a cgroup: the case asks for one (`true`); the golden holds its path's ids, the root's first. */
  readonly cgroup?: boolean | readonly string[];
  readonly kernel: { readonly err: number; readonly retval: number; readonly dataSizeOut: number; readonly dataOut?: string; readonly ctxOut?: string };
}

const TYPES: Readonly<Record<string, number>> = {
  socket_filter: ProgType.SOCKET_FILTER,
  sched_cls: ProgType.SCHED_CLS,
  sched_act: ProgType.SCHED_ACT,
  xdp: ProgType.XDP,
  cgroup_skb: ProgType.CGROUP_SKB,
  lwt_in: ProgType.LWT_IN,
  lwt_out: ProgType.LWT_OUT,
  lwt_xmit: ProgType.LWT_XMIT,
  flow_dissector: ProgType.FLOW_DISSECTOR,
  sk_lookup: ProgType.SK_LOOKUP,
  netfilter: ProgType.NETFILTER,
  raw_tracepoint: ProgType.RAW_TRACEPOINT,
  raw_tracepoint_writable: ProgType.RAW_TRACEPOINT_WRITABLE,
  syscall: ProgType.SYSCALL,
};

/**
 * Input bytes: hex, or a generator for long inputs: `pattern7:N` (byte i = 7i mod 256, the README's
 * 1500-byte frame pattern), `zeros:N`, `ipv4zeros:N` (an IPv4 EtherType, the rest zero).
 */
export function inputBytes(spec: string): Uint8Array {
  const m = /^(pattern7|zeros|ipv4zeros):(\d+)$/.exec(spec);
  if (m === null) return fromHex(spec);
  const b = new Uint8Array(Number(m[2]));
  if (m[1] === 'pattern7') b.forEach((_, i) => (b[i] = (7 * i) & 0xff));
  if (m[1] === 'ipv4zeros') b[12] = 8;
  return b;
}

/** Output bytes as the golden files spell them: hex, or `sha256:<hex>:<length>` beyond 256 bytes. */
export function outputSpec(b: Uint8Array): string {
  return b.length > 256 ? `sha256:${createHash('sha256').update(b).digest('hex')}:${b.length}` : toHex(b);
}

/** Cases of golden/<file>.json. */
export function goldenCases(file: string): GoldenCase[] {
  const path = fileURLToPath(new URL(`./golden/${file}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as GoldenCase[];
}

/** Run a case on a fresh emulated kernel and return what it produced, shaped like `kernel`. */
export function runGolden(c: GoldenCase, setup?: (k: ReturnType<typeof kernel>) => void): GoldenCase['kernel'] {
  const k = kernel();
  setup?.(k);
  const type = TYPES[c.progType];
  if (type === undefined) throw new Error(`unknown program type ${c.progType}`);
  const fd = load(k, type, c.asm, { eat: c.eat });
  const dataOut = c.dataSizeOut ?? 8192;
  const r = testRun(k, fd, {
    ...(c.dataIn !== null ? { data: inputBytes(c.dataIn) } : {}),
    ...(c.ctxIn !== null ? { ctx: fromHex(c.ctxIn) } : {}),
    ctxOut: c.ctxSizeOut,
    dataOut: c.noDataOut === true ? 0 : Math.max(dataOut, 1),
    ...(c.dataSizeOut !== undefined ? { dataSizeOut: c.dataSizeOut } : {}),
    ...(c.repeat !== undefined ? { repeat: c.repeat } : {}),
    ...(c.flags !== undefined ? { flags: c.flags } : {}),
    ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
  });
  const out: { err: number; retval: number; dataSizeOut: number; dataOut?: string; ctxOut?: string } = { err: r.err, retval: r.err === 0 || r.err === -28 ? r.retval : 0, dataSizeOut: r.dataSizeOut };
  if (r.err === 0 || r.err === -28) out.dataOut = outputSpec(r.dataOut);
  if (c.ctxSizeOut > 0 && r.err === 0) out.ctxOut = toHex(r.ctxOut);
  if (r.err !== 0 && r.err !== -28) out.dataSizeOut = c.kernel.dataSizeOut;
  return out;
}
