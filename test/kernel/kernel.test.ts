/**
 * The Kernel's vmlinux BTF (src/kernel/kernel.ts): built only when something reads it, while its
 * object id is given at the same moment as before (the object's open), so the BTF ids a program
 * sees do not depend on whether the types were needed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi, type MockInstance } from 'vitest';
import { BpfObject } from '../../src/api/object.js';
import { Cmd } from '../../src/kernel/syscall/uapi.js';
import { Kernel } from '../../src/kernel/kernel.js';
import type { Btf } from '../../src/btf/btf.js';

function btfIds(k: Kernel): number[] {
  const out: number[] = [];
  const a = { start_id: 0, next_id: 0 };
  while (k.bpf(Cmd.BTF_GET_NEXT_ID, a) === 0) {
    out.push(a.next_id);
    a.start_id = a.next_id;
  }
  return out;
}

function openSpied(name: string): { o: BpfObject; build: MockInstance<() => Btf> } {
  const kernel = new Kernel();
  const build = vi.spyOn(kernel.types, 'build');
  const o = BpfObject.open(readFileSync(`programs/${name}.bpf.o`), { name, kernel });
  return { o, build };
}

describe('the vmlinux BTF', () => {
  it('is not built for an object without CO-RE relocations or kernel externs, yet has id 1', () => {
    const { o, build } = openSpied('xdp_firewall');
    o.load();
    const r = o.program('xdp_firewall').testRun({ dataIn: new Uint8Array(64) });
    expect(r.retval).toBeGreaterThanOrEqual(0);
    expect(build).not.toHaveBeenCalled();
    // vmlinux (1), then the object's BTF (2), as when vmlinux was built at open
    expect(btfIds(o.kernel)).toEqual([1, 2]);
    expect(o.kernel.vmlinux.id).toBe(1);
    expect(build).toHaveBeenCalled();
  });

  it('is built for CO-RE against the kernel and keeps the same id', () => {
    const { o, build } = openSpied('core_ctx');
    expect(build).toHaveBeenCalled();
    o.load();
    expect(btfIds(o.kernel)).toEqual([1, 2]);
    expect(o.kernel.vmlinux.id).toBe(1);
    expect(o.kernel.vmlinuxBtf.findByName('__sk_buff', 'STRUCT')).toHaveLength(1);
  });
});
