/**
 * The verifier's ctx rules (src/kernel/progtypes/vctx.ts) against Linux 6.18 and against the
 * run-time ctx regions:
 * - golden/vctx.json (recorded on the kernel by vctx-golden.c): every probed (offset, size) read and
 *   write of 48 program and attach types (the cgroup, socket and netfilter ones included), the
 *   type each accepted read yields, BPF_LD_ABS, direct packet writes and the return range, and the
 *   return ranges of 26 more (type, attach type) pairs;
 * - golden/ctx-access.json (the 6.18 ctx-access table of the run-time regions): the same decisions;
 * - the run-time CtxRegion of each __sk_buff / xdp_md type, and test runs of raw_tp and syscall
 *   programs, accept what the verifier accepts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CtxRegion, type CtxBackend, type CtxField, type CtxLayout, type CtxPolicy } from '../../../src/kernel/progtypes/ctx.js';
import { SK_BUFF, SKB_POLICIES } from '../../../src/kernel/progtypes/skb.js';
import { retRangeOf, verifierCtxOf, type VCtxInfo } from '../../../src/kernel/progtypes/vctx.js';
import { XDP_MD, xdpPolicy } from '../../../src/kernel/progtypes/xdp.js';
import type { CtxAccessResult, VCtx } from '../../../src/verifier/api.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { AttachType, ProgType, load, testRun } from './harness.js';

interface TypeGolden {
  readonly progType: number;
  readonly attachType: number;
  readonly probed: { readonly from: number; readonly to: number; readonly extra: readonly number[] };
  readonly reads: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly writes: Readonly<Record<string, readonly number[]>>;
  readonly ldAbs: boolean;
  readonly pktWrite: boolean | null;
  readonly retRange: readonly [number, number] | null;
}
interface RetGolden {
  readonly progType: number;
  readonly attachType: number;
  readonly retRange: readonly [number, number] | null;
}
const VCTX = JSON.parse(readFileSync(new URL('./golden/vctx.json', import.meta.url), 'utf8')) as {
  readonly types: Readonly<Record<string, TypeGolden>>;
  readonly retRanges: Readonly<Record<string, RetGolden>>;
};
const ACCESS = JSON.parse(readFileSync(new URL('./golden/ctx-access.json', import.meta.url), 'utf8')) as Readonly<Record<string, Readonly<Record<string, readonly number[]>>>>;

const SIZES = [1, 2, 4, 8] as const;

/** The attach targets of the BTF-typed goldens: sched_switch(bool, task *, task *, unsigned int) and bpf_iter__task {meta *, task *}. */
const BTF_INFO: Readonly<Record<string, VCtxInfo>> = {
  'tracing/tp_btf': { args: ['scalar', 'ptr', 'ptr', 'scalar'] },
  'tracing/iter': { args: ['ptr', 'ptr'] },
};

/** The golden's spelling of a read's result: a pointer type, or `scalar:<umax hex>` (`scalar:` unknown). */
function spell(r: CtxAccessResult): string | undefined {
  if (!r.ok) return undefined;
  if (r.type === 'scalar') return `scalar:${r.width === undefined || r.width === 0 ? '' : (2 ** (8 * r.width) - 1).toString(16)}`;
  if (r.type === 'btf_id') return `btf:${r.btfName}${r.nullable ? '?' : ''}`;
  return r.type === 'ctx_mem' ? 'tp_buffer' : r.type;
}

/**
 * The kernel's spelling for comparison: BTF pointers (`trusted_ptr_task_struct`) are given by the
 * VCtx as unknown scalars until CtxAccessResult has a BTF pointer type.
 */
function kernelSpell(t: string, type: string): string {
  if (type.startsWith('tracing/')) return /^(trusted_|rcu_)?ptr_/.test(t) ? 'scalar:' : t;
  // netfilter's trusted pointers are BTF pointers
  const m = /^trusted_ptr_(\w+)$/.exec(t);
  return m !== null ? `btf:${m[1]!}` : t;
}

function probedOffsets(g: TypeGolden): number[] {
  const offs: number[] = [];
  for (let o = g.probed.from; o < g.probed.to; o++) offs.push(o);
  return [...offs, ...g.probed.extra];
}

describe('VCtx against the 6.18 verifier (golden/vctx.json)', () => {
  for (const [name, g] of Object.entries(VCTX.types)) {
    it(`${name}: reads with their types, writes`, () => {
      const v = verifierCtxOf(g.progType, g.attachType, BTF_INFO[name]);
      const diffs: string[] = [];
      for (const size of SIZES) {
        const reads = g.reads[String(size)]!;
        const writes = g.writes[String(size)]!;
        for (const off of probedOffsets(g)) {
          const want = reads[String(off)];
          const got = spell(v.access(off, size, false));
          if ((want === undefined ? undefined : kernelSpell(want, name)) !== got) diffs.push(`read ${size}@${off}: kernel ${want ?? 'refuses'}, vctx ${got ?? 'refuses'}`);
          const w = v.access(off, size, true).ok;
          if (w !== writes.includes(off)) diffs.push(`write ${size}@${off}: kernel ${writes.includes(off) ? 'accepts' : 'refuses'}`);
        }
      }
      expect(diffs).toEqual([]);
    });

    it(`${name}: BPF_LD_ABS, direct packet writes, return range`, () => {
      const v = verifierCtxOf(g.progType, g.attachType, BTF_INFO[name]);
      expect(v.ldAbs).toBe(g.ldAbs);
      if (g.pktWrite !== null) expect(v.pktWrite).toBe(g.pktWrite);
      expect(retRangeOf(g.progType, g.attachType)).toEqual(g.retRange);
    });
  }

  it('return ranges of the types bpfemu does not emulate (cgroup, sock_ops, sk_lookup, netfilter, ...)', () => {
    const got = Object.fromEntries(Object.entries(VCTX.retRanges).map(([name, g]) => [name, retRangeOf(g.progType, g.attachType)]));
    const want = Object.fromEntries(Object.entries(VCTX.retRanges).map(([name, g]) => [name, g.retRange]));
    expect(got).toEqual(want);
    expect(Object.keys(want).length).toBeGreaterThan(20);
  });

  it('covers the types the brief names', () => {
    for (const t of ['socket_filter', 'sched_cls', 'xdp', 'cgroup_skb/ingress', 'flow_dissector', 'syscall', 'raw_tracepoint']) expect(VCTX.types[t], t).toBeDefined();
  });
});

describe('VCtx against the ctx-access table of the run-time regions (golden/ctx-access.json)', () => {
  const TYPE_OF: Readonly<Record<string, readonly [number, number]>> = {
    socket_filter: [ProgType.SOCKET_FILTER, 0],
    sched_cls: [ProgType.SCHED_CLS, 0],
    sched_act: [ProgType.SCHED_ACT, 0],
    xdp: [ProgType.XDP, 0],
    'cgroup_skb/ingress': [ProgType.CGROUP_SKB, AttachType.CGROUP_INET_INGRESS],
    'cgroup_skb/egress': [ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS],
    lwt_in: [ProgType.LWT_IN, 0],
    lwt_out: [ProgType.LWT_OUT, 0],
    lwt_xmit: [ProgType.LWT_XMIT, 0],
    sk_skb: [ProgType.SK_SKB, 0],
    flow_dissector: [ProgType.FLOW_DISSECTOR, 0],
    lwt_seg6local: [ProgType.LWT_SEG6LOCAL, 0],
    'xdp/devmap': [ProgType.XDP, AttachType.XDP_DEVMAP],
    'xdp/cpumap': [ProgType.XDP, AttachType.XDP_CPUMAP],
  };
  for (const [name, table] of Object.entries(ACCESS)) {
    if (name === '_comment') continue;
    it(`${name}: loads and stores the 6.18 verifier accepts`, () => {
      const [type, eat] = TYPE_OF[name]!;
      const v = verifierCtxOf(type, eat);
      const limit = type === ProgType.XDP ? 32 : 200;
      for (const size of SIZES) {
        for (let off = 0; off < limit; off++) {
          expect([`ld${size}`, off, v.access(off, size, false).ok]).toEqual([`ld${size}`, off, table[`ld${size}`]!.includes(off)]);
          expect([`stx${size}`, off, v.access(off, size, true).ok]).toEqual([`stx${size}`, off, table[`stx${size}`]!.includes(off)]);
        }
      }
    });
  }
});

/** A backend that serves zeros: only the region's acceptance matters here. */
const ZEROS: CtxBackend = {
  read(_f: CtxField, out: Int32Array): void {
    out[0] = 0;
    out[1] = 0;
  },
  write(): void {},
};

describe('VCtx against the run-time CtxRegion', () => {
  const cases: [string, number, number, CtxLayout, CtxPolicy][] = [
    ...[...SKB_POLICIES].map(([t, p]): [string, number, number, CtxLayout, CtxPolicy] => [`__sk_buff type ${t}`, t, 0, SK_BUFF, p]),
    ['cgroup_skb egress', ProgType.CGROUP_SKB, AttachType.CGROUP_INET_EGRESS, SK_BUFF, SKB_POLICIES.get(ProgType.CGROUP_SKB)!],
    ['xdp', ProgType.XDP, 0, XDP_MD, xdpPolicy(0)],
    ['xdp devmap', ProgType.XDP, AttachType.XDP_DEVMAP, XDP_MD, xdpPolicy(AttachType.XDP_DEVMAP)],
  ];
  for (const [name, type, eat, layout, policy] of cases) {
    it(`${name}: every (offset, size, direction) is accepted by both or by neither`, () => {
      const v = verifierCtxOf(type, eat);
      const region = new CtxRegion(layout, policy, ZEROS);
      const out = new Int32Array(2);
      let accepted = 0;
      for (const size of SIZES) {
        for (let off = -8; off < layout.size + 8; off++) {
          const rd = region.load(off, size, out);
          expect([name, 'read', off, size, v.access(off, size, false).ok]).toEqual([name, 'read', off, size, rd]);
          expect([name, 'write', off, size, v.access(off, size, true).ok]).toEqual([name, 'write', off, size, region.store(off, size, 0, 0)]);
          if (rd) accepted++;
        }
      }
      expect(accepted).toBeGreaterThan(0);
    });
  }

  it('pointer fields: packet pointers of size 4, flow keys and the socket of size 8', () => {
    const tc = verifierCtxOf(ProgType.SCHED_CLS, 0);
    expect(tc.access(SK_BUFF.field('data').off, 4, false)).toEqual({ ok: true, type: 'pkt' });
    expect(tc.access(SK_BUFF.field('data_end').off, 4, false)).toEqual({ ok: true, type: 'pkt_end' });
    expect(tc.access(SK_BUFF.field('data_meta').off, 4, false)).toEqual({ ok: true, type: 'pkt_meta' });
    expect(tc.access(SK_BUFF.field('sk').off, 8, false)).toEqual({ ok: true, type: 'sock_common_or_null' });
    expect(tc.access(SK_BUFF.field('data').off, 8, false).ok).toBe(false);
    expect(tc.access(SK_BUFF.field('data').off, 4, true).ok).toBe(false);
    const fd = verifierCtxOf(ProgType.FLOW_DISSECTOR, 0);
    expect(fd.access(SK_BUFF.field('flow_keys').off, 8, false)).toEqual({ ok: true, type: 'flow_keys' });
    const xdp = verifierCtxOf(ProgType.XDP, 0);
    expect(xdp.access(XDP_MD.field('data_meta').off, 4, false)).toEqual({ ok: true, type: 'pkt_meta' });
    expect(xdp.name).toBe('xdp_md');
    expect(tc.name).toBe('__sk_buff');
  });
});

/** Test runs of `r0 = *(uN *)(r1 + off)` (or a store) in the emulator: does the run-time ctx accept it? */
function runs(k: Kernel, type: number, insn: string, ctx: Uint8Array): boolean {
  const fd = load(k, type, `${insn}\nmov r0, 0\nexit`);
  try {
    return testRun(k, fd, { ctx, dataOut: 0 }).err === 0;
  } finally {
    k.close(fd);
  }
}

describe('VCtx against test runs of raw_tracepoint and syscall programs', () => {
  const insn = (size: number, off: number, write: boolean): string => {
    const sfx = { 1: 'b', 2: 'h', 4: 'w', 8: 'dw' }[size]!;
    return write ? `stx${sfx} [r1${off < 0 ? '' : '+'}${off}], r0` : `ldx${sfx} r0, [r1${off < 0 ? '' : '+'}${off}]`;
  };
  const cases: [string, number, number, boolean][] = [
    // raw_tp: a 96-byte argument array, read-only; syscall: the caller's buffer (128 bytes here), read-write
    ['raw_tracepoint', ProgType.RAW_TRACEPOINT, 96, false],
    ['syscall', ProgType.SYSCALL, 128, true],
  ];
  for (const [name, type, ctxSize, writable] of cases) {
    it(`${name}: an in-bounds access runs exactly when the verifier accepts it or it is misaligned`, () => {
      // Without the load-time verifier: what the run-time ctx alone accepts.
      const k = new Kernel({ verify: false });
      const v: VCtx = verifierCtxOf(type, 0);
      const ctx = new Uint8Array(ctxSize);
      for (const size of SIZES) {
        for (let off = -8; off < ctxSize + 8; off++) {
          for (const write of writable ? [false, true] : [false]) {
            const verifier = v.access(off, size, write).ok;
            const runtime = runs(k, type, insn(size, off, write), ctx);
            // A test run needs the access inside the ctx it was given (for syscall programs the
            // kernel checks that at the test run: max_ctx_offset); the verifier also refuses
            // misaligned ctx accesses, which a run would serve.
            const inBounds = off >= 0 && off + size <= ctxSize;
            expect([name, off, size, write, runtime]).toEqual([name, off, size, write, inBounds && (verifier || off % size !== 0)]);
          }
        }
      }
    });
  }
});
