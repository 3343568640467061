/** struct_ops objects through the API: map kinds, member calls, the bpf_prog_get_assoc_struct_ops kfunc. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../src/api/index.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { STRUCT_OPS_DATA_OFF } from '../../src/kernel/structops.js';
import { StructOpsState } from '../../src/kernel/syscall/uapi.js';
import { ERRNO } from '../../src/util/errno.js';
import { Memory } from '../../src/vm/memory.js';

const open = (file: string, k = new Kernel({ testmod: true })): BpfObject => BpfObject.open(readFileSync(`programs/${file}`), { kernel: k });
const u32 = (b: Uint8Array, off: number): number => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);

describe('bpf_prog_get_assoc_struct_ops from a compiled program (emulator extension)', () => {
  it('reads magic and tag of its associated struct_ops; NULL before association', () => {
    const o = open('struct_ops_assoc_direct.bpf.o');
    o.load();
    const read = o.program('read_magic');
    expect(read.testRun().retval).toBe(0xbad); // unassociated → NULL
    expect(o.variable('magic_seen').getInt()).toBe(-1n);
    read.assocStructOps(o.map('demo_ops'));
    // Associated with a map still in INIT: the kdata is all zero (the state is not checked).
    expect(read.testRun().retval).toBe(0);
    o.attach();
    expect(read.testRun().retval).toBe(0x600d);
    expect(o.variable('magic_seen').getInt()).toBe(0x600dn);
    expect(new TextDecoder().decode(o.variable('tag_seen').get()).replace(/\0+$/, '')).toBe('bpfemu');
    // The struct_ops program itself is associated implicitly by the map update: magic + args->a.
    const inst = o.map('demo_ops').structOpsInstance;
    const args = o.kernel.mem.map(new Uint8Array([5, 0, 0, 0, 0, 0, 0, 0]), { kind: 6, perm: 3, label: 'args' });
    expect(inst.call('get', [Memory.pointer(args, 0)])).toBe(0x600d + 5);
    expect(o.variable('get_calls').getInt()).toBe(1n);
  });

  it('declared without parameters: r1 (the ctx pointer here) is ignored, the calling program is used', () => {
    const o = open('struct_ops_assoc_direct_void.bpf.o');
    o.load();
    const read = o.program('read_magic_void');
    expect(read.testRun().retval).toBe(0xbad);
    read.assocStructOps(o.map('demo_ops_void'));
    o.attach();
    expect(read.testRun().retval).toBe(0x7e57);
    expect(o.variable('magic_seen').getInt()).toBe(0x7e57n);
    expect(o.map('demo_ops_void').structOpsInstance.call('get', [0n])).toBe(0x7e57);
  });
});

describe('struct_ops variables: link, non-link and autocreate=false', () => {
  it('creates link and non-link maps, skips ?.struct_ops, and gives its only program autoload=false', () => {
    const o = open('struct_ops.bpf.o');
    o.load();
    expect(o.map('my_ops_link').fd).toBeGreaterThan(2);
    expect(o.map('my_ops_plain').fd).toBeGreaterThan(2);
    expect(o.map('my_ops_optional').fd).toBe(-1);
    expect(o.program('test_1_optional').fd).toBe(-1);
    expect(o.program('test_2_sleepable').kernelProg.sleepable).toBe(true);
    const links = o.attach();
    expect(links).toHaveLength(2);
    // Data members were copied into the kernel value; program ids fill the function slots.
    const link = o.map('my_ops_link').lookup(new Uint8Array(4))!;
    expect(u32(link, 4)).toBe(StructOpsState.READY); // a link map stays READY: the link holds the registration
    expect(u32(link, STRUCT_OPS_DATA_OFF + 16)).toBe(0x55);
    expect(new TextDecoder().decode(link.subarray(STRUCT_OPS_DATA_OFF + 20, STRUCT_OPS_DATA_OFF + 31))).toBe('my_ops_link');
    expect(u32(link, STRUCT_OPS_DATA_OFF)).toBe(o.program('test_1').kernelProg.id);
    const plain = o.map('my_ops_plain').lookup(new Uint8Array(4))!;
    expect(u32(plain, 4)).toBe(StructOpsState.INUSE); // non-link map: registered by the update
    // Members run their programs with the u64 argument array.
    expect(o.map('my_ops_link').structOpsInstance.call('test_1', [])).toBe(0x1234);
    expect(o.map('my_ops_link').structOpsInstance.call('test_2', [3n, 4n])).toBe(7);
    expect(o.map('my_ops_plain').structOpsInstance.call('test_2', [3n, 4n])).toBe(12);
    const calls = o.variable('calls').get();
    expect([0, 8, 16, 24].map((off) => u32(calls, off))).toEqual([1, 1, 1, 0]);
    // Destroying the non-link "link" deletes the element (unreg): TOBEFREE.
    links.find((l) => l.fd === o.map('my_ops_plain').fd)!.destroy();
    expect(u32(o.map('my_ops_plain').lookup(new Uint8Array(4))!, 4)).toBe(StructOpsState.TOBEFREE);
  });

  it('attachStructOps on a link map twice: the second update is EBUSY and ignored (libbpf), a second link fails in reg', () => {
    const o = open('struct_ops_assoc.bpf.o');
    o.load();
    const map = o.map('st_ops_map_a');
    const l1 = map.attachStructOps();
    expect(() => map.attachStructOps()).toThrow(expect.objectContaining({ errno: ERRNO.EEXIST }));
    l1.destroy();
    expect(map.attachStructOps()).toBeDefined();
  });

  it("assocStructOps: libbpf's checks happen before any syscall, and option fields are validated", () => {
    const o = open('struct_ops_assoc.bpf.o');
    const map = o.map('st_ops_map_a');
    const prog = o.program('syscall_prog_a');
    expect(() => prog.assocStructOps(map)).toThrow(expect.objectContaining({ code: 'EINVAL' })); // not loaded
    o.load();
    expect(() => o.program('test_1_a').assocStructOps(map)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => prog.assocStructOps(o.map('.bss'))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => prog.assocStructOps(map, { flags: 0, extra: 1 } as { flags: number })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => prog.assocStructOps(map, { flags: 1 })).toThrow(expect.objectContaining({ code: 'EINVAL' })); // kernel: flags
    prog.assocStructOps(map, { flags: 0 });
    prog.assocStructOps(map); // same map again: 0
    expect(() => prog.assocStructOps(o.map('st_ops_map_b'))).toThrow(expect.objectContaining({ code: 'EBUSY' }));
  });

  it('bpf_link__update_map needs a real link; updates the link to another map', () => {
    const k = new Kernel({
      testmod: true,
      structOps: [
        {
          name: 'bpfemu_upd',
          members: [{ name: 'test_1', type: { ret: 'int', params: [{ name: 'args', type: 'struct st_ops_args *' }] } }],
          update: () => 0,
        },
      ],
    });
    // The testmod type has no update callback: EOPNOTSUPP from the kernel.
    const o = open('struct_ops_assoc.bpf.o', k);
    o.load();
    const link = o.map('st_ops_map_a').attachStructOps();
    expect(() => link.updateMap(o.map('st_ops_map_b'))).toThrow(expect.objectContaining({ code: 'EOPNOTSUPP' }));
  });
});
