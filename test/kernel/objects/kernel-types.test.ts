/**
 * The kernel's own types in the emulated vmlinux BTF (src/kernel/data/kernel-types.ts, extracted
 * from 6.18's BTF by scripts/kernel-types.ts): a program written the vmlinux.h way (CO-RE reads of
 * __sk_buff) gives the values 6.18 gave (goldens/core-ctx.json), a tp_btf program attaches to a
 * tracepoint from the data and fire() drives it, and the extracted layouts agree with the
 * emulator's independent ctx tables (and, where this machine has one, with the live vmlinux).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import { parseBtf } from '../../../src/btf/parse.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { KERNEL_CTX_STRUCTS, KERNEL_TRACEPOINTS } from '../../../src/kernel/objects/data/kernel-types.js';
import { SK_BUFF } from '../../../src/kernel/progtypes/skb.js';
import { fromHex } from '../../../src/util/bytes.js';

const golden = JSON.parse(readFileSync(new URL('../goldens/core-ctx.json', import.meta.url), 'utf8')) as { frameHex: string; retval: number; res: number[] };

describe('kernel types in the emulated vmlinux', () => {
  it('CO-RE reads of __sk_buff through a vmlinux.h-style flavour give what 6.18 gave', () => {
    const o = BpfObject.open(readFileSync('programs/core_ctx.bpf.o'), { name: 'core_ctx' });
    o.load();
    const r = o.program('skb_fields').testRun({ dataIn: fromHex(golden.frameHex) });
    expect(r.retval).toBe(golden.retval);
    expect(o.globals.res).toEqual(golden.res.map(BigInt));
    // the relocated loads are the kernel offsets of len, protocol and ifindex
    const loads = o.program('skb_fields').spec.insns.filter((i) => i.code === 0x61 && i.src === 1).map((i) => i.off);
    expect(loads).toEqual([SK_BUFF.field('len').off, SK_BUFF.field('protocol').off, SK_BUFF.field('ifindex').off]);
  });

  it('a tp_btf program attaches to sched_switch and fire() runs it with the tracepoint arguments', () => {
    const o = BpfObject.open(readFileSync('programs/core_ctx.bpf.o'), { name: 'core_ctx' });
    o.load();
    o.program('on_switch').attach();
    o.fire('raw_tp', 'sched_switch', { args: [1n, 0n, 0n, 0n] });
    o.fire('raw_tp', 'sched_switch', { args: [0n, 0n, 0n, 0n] });
    expect(o.globals.switches).toBe(2n);
    expect(o.globals.last_preempt).toBe(0n);
    expect(KERNEL_TRACEPOINTS.find((t) => t.name === 'sched_switch')!.params.map((p) => p.type)).toEqual(['bool', 'struct task_struct *', 'struct task_struct *', 'u32']);
  });

  it('__sk_buff agrees with the emulator\'s own ctx table field by field', () => {
    const def = KERNEL_CTX_STRUCTS.find((s) => s.name === '__sk_buff')!;
    expect(def.size).toBe(SK_BUFF.size);
    for (const f of SK_BUFF.fields) {
      if (f.index !== undefined && f.index > 0) continue;
      const m = def.members!.find((x) => x.name === f.name);
      expect(m?.offset, f.name).toBe(f.off);
    }
    const k = new Kernel();
    expect(k.vmlinuxBtf.findByName('__sk_buff', 'STRUCT')).toHaveLength(1);
    expect(k.vmlinuxBtf.findByName('btf_trace_sched_switch', 'TYPEDEF')).toHaveLength(1);
  });

  const live = existsSync('/sys/kernel/btf/vmlinux');
  it.skipIf(!live)('every extracted struct has the live vmlinux layout (live check; skipped without /sys/kernel/btf/vmlinux)', () => {
    const btf = parseBtf(new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux')));
    // a synthesized struct (an anonymous type) is found through its typedef (kuid_t) or as the type
    // of its parent's member (in6_addr__in6_u is in6_addr.in6_u)
    const find = (name: string): number | undefined => {
      const t = btf.findByName(name, 'STRUCT')[0] ?? btf.findByName(name, 'TYPEDEF')[0];
      if (t !== undefined) return btf.resolved(t.id).id;
      const cut = name.lastIndexOf('__');
      if (cut <= 0) return undefined;
      const parent = find(name.slice(0, cut));
      const m = parent === undefined ? undefined : btf.findMember(parent, name.slice(cut + 2));
      return m === undefined ? undefined : btf.resolved(m.type).id;
    };
    for (const def of KERNEL_CTX_STRUCTS) {
      const id = find(def.name);
      expect(id, def.name).toBeDefined();
      expect(btf.sizeof(id!), def.name).toBe(def.size);
      for (const m of def.members!) {
        const found = btf.findMember(id!, m.name);
        expect(found, `${def.name}.${m.name}`).toBeDefined();
        if (m.bits !== undefined) {
          expect([found!.bitOffset, found!.bitfieldSize], `${def.name}.${m.name}`).toEqual([m.bitOffset, m.bits]);
        } else expect(Math.floor(found!.bitOffset / 8), `${def.name}.${m.name}`).toBe(m.offset);
      }
    }
  });
});
