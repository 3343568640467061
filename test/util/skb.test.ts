/**
 * The struct __sk_buff builder and reader (src/util/skb.ts). Offsets are checked against the
 * running 6.18 kernel's BTF (fixtures/sk_buff.btf.json, dumped with `bpftool btf dump file
 * /sys/kernel/btf/vmlinux format raw`) and against the emulator's ctx table; fixtures/
 * tc_ctx.kernel.json is a run of programs/tc_ctx.bpf.o in the real kernel (`bpftool prog run` with
 * a hand-written ctx_in) that the builder must reproduce and the reader parse; a live run of
 * programs/tc_ctx.bpf.o checks that the kernel emulation reads the built fields (that program's
 * documented behaviour: mark + 1, priority 7, cb[i] = 0x100 + i + cb[i]).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { SK_BUFF } from '../../src/kernel/progtypes/skb.js';
import { build } from '../../src/util/packet-build.js';
import { parseSkbCtx, SKB_CTX_SIZE, SKB_OTHER_FIELDS, SKB_U32_FIELDS, skbCtx, SkbCtxError } from '../../src/util/skb.js';

const BTF = JSON.parse(readFileSync('test/util/fixtures/sk_buff.btf.json', 'utf8')) as { size: number; offsets: Record<string, number> };

describe('skbCtx', () => {
  it("uses the 6.18 kernel's __sk_buff offsets (BTF) and agrees with the emulator's ctx table", () => {
    expect(SKB_CTX_SIZE).toBe(BTF.size);
    const mine: Record<string, number> = { ...SKB_U32_FIELDS, ...SKB_OTHER_FIELDS };
    for (const [name, off] of Object.entries(mine)) expect([name, off]).toEqual([name, BTF.offsets[name]]);
    expect(SK_BUFF.size).toBe(SKB_CTX_SIZE);
    for (const [name, off] of Object.entries(mine)) expect([name, SK_BUFF.field(name).off]).toEqual([name, off]);
  });

  it('writes each field little-endian at its offset, zero elsewhere', () => {
    const b = skbCtx({ mark: 7, priority: 0x01020304, ifindex: 1, ingress_ifindex: 2, tc_index: 9, queue_mapping: 3, cb: [1, 2, 3, 4, 5], tstamp: 0x1122334455667788n, tstamp_type: 1, hwtstamp: 5 });
    expect(b).toHaveLength(192);
    const expected = new Uint8Array(192);
    const put = (o: number, bytes: number[]): void => expected.set(bytes, o);
    put(8, [7, 0, 0, 0]);
    put(32, [4, 3, 2, 1]);
    put(40, [1, 0, 0, 0]);
    put(36, [2, 0, 0, 0]);
    put(44, [9, 0, 0, 0]);
    put(12, [3, 0, 0, 0]);
    put(48, [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0]);
    put(152, [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11]);
    put(180, [1]);
    put(184, [5, 0, 0, 0, 0, 0, 0, 0]);
    expect(b).toEqual(expected);
    const v = parseSkbCtx(b);
    expect([v.mark, v.priority, v.cb, v.tstamp, v.hwtstamp, v.tstamp_type, v.len]).toEqual([7, 0x01020304, [1, 2, 3, 4, 5], 0x1122334455667788n, 5n, 1, 0]);
  });

  it('refuses values that do not fit and unknown or pointer fields', () => {
    expect(() => skbCtx({ mark: -1 })).toThrow(SkbCtxError);
    expect(() => skbCtx({ cb: [1, 2, 3, 4, 5, 6] })).toThrow(/__sk_buff\.cb: 6 words, it has 5/);
    expect(() => skbCtx({ data: 4 } as never)).toThrow(/no settable field 'data'/);
    expect(() => skbCtx({ tstamp: 2n ** 64n })).toThrow(/not a u64/);
    expect(() => parseSkbCtx(new Uint8Array(10))).toThrow(/10 bytes, it has 192/);
  });

  it('makes the ctx_in the real kernel ran tc_ctx.bpf.o with; parses its ctx_out; the emulator gives the same ctx_out', () => {
    const k = JSON.parse(readFileSync('test/util/fixtures/tc_ctx.kernel.json', 'utf8')) as { ctxIn: string; dataIn: string; retval: number; ctxOut: string };
    const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    const from = (h: string): Uint8Array => new Uint8Array(h.match(/../g)!.map((x) => parseInt(x, 16)));
    const ctxIn = skbCtx({ mark: 5, priority: 3, cb: [1, 2, 3, 4, 5], tstamp: 1000 });
    expect(hex(ctxIn)).toBe(k.ctxIn);
    const out = parseSkbCtx(from(k.ctxOut));
    expect([out.mark, out.priority, out.ifindex, out.cb, out.wire_len]).toEqual([6, 7, 1, [0x101, 0x103, 0x105, 0x107, 0x109], 60]);
    const obj = BpfObject.open(readFileSync('programs/tc_ctx.bpf.o'), { name: 'tc_ctx' });
    obj.load();
    const r = obj.program('tc_ctx_prog').testRun({ dataIn: from(k.dataIn), ctxIn });
    expect(r.retval).toBe(k.retval);
    expect(hex(r.ctxOut!)).toBe(k.ctxOut);
    obj.close();
  });

  it('is what a tc program reads from ctx_in (tc_ctx.bpf.o)', () => {
    const obj = BpfObject.open(readFileSync('programs/tc_ctx.bpf.o'), { name: 'tc_ctx' });
    obj.load();
    const r = obj.program('tc_ctx_prog').testRun({ dataIn: build([{ eth: {} }, { ipv4: {} }, { udp: {} }], { minLength: 60 }), ctxIn: skbCtx({ mark: 5, cb: [1, 2, 3, 4, 5] }) });
    expect(r.retval).toBe(0); // TC_ACT_OK
    const out = parseSkbCtx(r.ctxOut!);
    expect(out.mark).toBe(6);
    expect(out.priority).toBe(7);
    expect(out.cb).toEqual([0x101, 0x103, 0x105, 0x107, 0x109]);
    obj.close();
  });
});
