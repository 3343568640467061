/**
 * src/kernel/objects/cgroup-objects.ts: the `struct cgroup` objects of the emulated hierarchy (their
 * fields against the cgroup tree they mirror), pointer and id lookups, process membership and the
 * order of a cgroup's tasks, and thread-group ordering.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfObject } from '../../../src/api/object.js';
import { Kernel } from '../../../src/kernel/kernel.js';
import { cgroupObjectsOf, threadGroups } from '../../../src/kernel/objects/cgroup-objects.js';
import { KObjectError, type KernelObjects } from '../../../src/kernel/objects/kobjects.js';
import { cgroupsOf } from '../../../src/maps/cgroups.js';
import { Memory } from '../../../src/vm/memory.js';

function setup() {
  const k = new Kernel({ task: { pid: 4242, tgid: 4242 } });
  const tree = cgroupsOf(k);
  const a = tree.mkdir(tree.root, 'a');
  const b = tree.mkdir(a, 'b');
  return { k, tree, a, b, co: cgroupObjectsOf(k), ko: k.service<KernelObjects>('kobjects')! };
}

describe('cgroup objects', () => {
  it('a struct cgroup per cgroup: self.cgroup points back, self.parent to the parent, level and kn (id, name)', () => {
    const { k, tree, a, b, co, ko } = setup();
    for (const cg of [tree.root, a, b]) {
      const o = co.objectOf(cg);
      expect(o.get('self.cgroup')).toBe(o.pointer);
      expect(o.get('self.parent')).toBe(cg.parent === null ? 0n : co.objectOf(cg.parent).pointer);
      expect(o.get('level')).toBe(BigInt(cg.level));
      const kn = ko.objectAt(o.get('kn'))!;
      expect(kn.off).toBe(0);
      expect(kn.obj.get('id')).toBe(cg.id);
      expect(ko.readBytes(kn.obj.get('name'), (cg.parent === null ? '/' : cg.name).length + 1)).toBe(`${cg.parent === null ? '/' : cg.name}\0`);
    }
    // the same object on every call, and 6.18's size
    expect(co.objectOf(a)).toBe(co.objectOf(a));
    expect(co.objectOf(a).size).toBe(2240);
    void k;
  });

  it('cgroupAt finds a cgroup by its object address (offset 0 only), byId by id; removed cgroups are gone', () => {
    const { tree, a, b, co } = setup();
    expect(co.cgroupAt(co.objectOf(b).pointer)).toBe(b);
    expect(co.cgroupAt(co.objectOf(b).pointer + 8n)).toBeUndefined();
    expect(co.cgroupAt(Memory.pointer(tree.root.region, 0))).toBeUndefined();
    expect(co.byId(1n)).toBe(tree.root);
    expect(co.byId(b.id)).toBe(b);
    expect(co.byId(999n)).toBeUndefined();
    tree.rmdir(b);
    expect(co.byId(b.id)).toBeUndefined();
    expect(() => co.moveProcess(7, b)).toThrowError(KObjectError);
    void a;
  });

  it('a layout change rebuilds the objects from the new BTF: the old addresses no longer resolve', () => {
    const { k, a, co } = setup();
    const old = co.objectOf(a).pointer;
    // opening an object with its own BTF as CO-RE target lays kernel objects out from that BTF
    BpfObject.open(readFileSync(new URL('../../../programs/iters_kern.bpf.o', import.meta.url)), { kernel: k, coreTarget: 'local' });
    expect(co.cgroupAt(old)).toBeUndefined();
    const o = co.objectOf(a);
    expect(o.pointer).not.toBe(old);
    expect(o.size).toBeLessThan(2240);
    expect(o.get('level')).toBe(1n);
    expect(co.cgroupAt(o.pointer)).toBe(a);
  });

  it('membership: processes join at the tail; the current task moves the tree\'s current cgroup; the others start in the root', () => {
    const { tree, a, b, co, ko } = setup();
    ko.addTask({ pid: 10 });
    ko.addTask({ pid: 11, tgid: 10 });
    ko.addTask({ pid: 20 });
    ko.addTask({ pid: 30 });
    expect(co.tasksOf(tree.root, true).map((t) => t.pid)).toEqual([1, 10, 20, 30, 4242]);
    co.moveProcess(30, a);
    co.moveProcess(10, a);
    co.moveProcess(4242, b);
    expect(tree.current).toBe(b);
    expect(co.cgroupOf(4242)).toBe(b);
    expect(co.tasksOf(a, false).map((t) => t.pid)).toEqual([30, 10, 11]);
    expect(co.tasksOf(a, true).map((t) => t.pid)).toEqual([30, 10]);
    co.moveProcess(30, a); // again: to the tail
    expect(co.tasksOf(a, true).map((t) => t.pid)).toEqual([10, 30]);
    expect(co.tasksOf(tree.root, true).map((t) => t.pid)).toEqual([1, 20]);
    expect(co.tasksOf(b, false).map((t) => t.pid)).toEqual([4242]);
  });

  it('threadGroups: by tgid, the leader first whatever the order tasks were added, else the lowest pid', () => {
    const { ko } = setup();
    ko.addTask({ pid: 52, tgid: 50 });
    ko.addTask({ pid: 51, tgid: 50 });
    ko.addTask({ pid: 50 });
    ko.addTask({ pid: 61, tgid: 60 }); // no leader
    ko.addTask({ pid: 62, tgid: 60 });
    const g = threadGroups(ko.taskList()).map((x) => [x.tgid, x.threads.map((t) => t.pid)]);
    expect(g).toEqual([[1, [1]], [50, [50, 51, 52]], [60, [61, 62]], [4242, [4242]]]);
  });
});
