/**
 * The emulated file system (src/kernel/objects/vfs.ts): files and their dentry chains as kernel
 * objects, the path walked back from a (mount, dentry) pair as d_path does, and refused paths.
 */
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../src/kernel/kernel.js';
import { KObjectError, type KernelObjects } from '../../../src/kernel/objects/kobjects.js';
import { S_IFDIR, type EmulatedVfs } from '../../../src/kernel/objects/vfs.js';

function setup(): { vfs: EmulatedVfs; ko: KernelObjects } {
  const k = new Kernel();
  return { vfs: k.service<EmulatedVfs>('vfs')!, ko: k.service<KernelObjects>('kobjects')! };
}

describe('emulated vfs', () => {
  it('a file points at its dentry, whose parents up to the root are the path components', () => {
    const { vfs, ko } = setup();
    const f = vfs.file('/var/log/syslog', { ino: 99, size: 1234 });
    const d = f.get('f_path.dentry');
    expect(vfs.pathOf(f.get('f_path.mnt'), d)).toBe('/var/log/syslog');
    const dentry = ko.objectAt(d)!.obj;
    expect(dentry.get('d_name.len')).toBe(6n);
    const parent = ko.objectAt(dentry.get('d_parent'))!.obj;
    expect(ko.readBytes(parent.get('d_name.name'), 3)).toBe('log');
    const inode = ko.objectAt(f.get('f_inode'))!.obj;
    expect([inode.get('i_ino'), inode.get('i_size')]).toEqual([99n, 1234n]);
    expect(ko.objectAt(parent.get('d_inode'))!.obj.get('i_mode') & BigInt(S_IFDIR)).toBe(BigInt(S_IFDIR));
    // the same directory dentry serves every file below it; the root is its own parent
    const g = vfs.file('/var/log/messages');
    expect(ko.objectAt(g.get('f_path.dentry'))!.obj.get('d_parent')).toBe(dentry.get('d_parent'));
    const root = vfs.dentry('/');
    expect(root.get('d_parent')).toBe(root.pointer);
    expect(vfs.pathOf(vfs.vfsmount().pointer, root.pointer)).toBe('/');
  });

  it('pathOf refuses pointers that are not a mount and a dentry', () => {
    const { vfs } = setup();
    const f = vfs.file('/a');
    expect(vfs.pathOf(f.pointer, f.get('f_path.dentry'))).toBeUndefined();
    expect(vfs.pathOf(f.get('f_path.mnt'), 0n)).toBeUndefined();
    expect(vfs.pathOf(f.get('f_path.mnt'), f.pointer + 8n)).toBeUndefined();
  });

  it('refuses relative paths, dot components and names beyond NAME_MAX', () => {
    const { vfs } = setup();
    for (const p of ['etc/passwd', '/a/../b', '/./a', `/${'x'.repeat(256)}`]) expect(() => vfs.file(p), p).toThrow(KObjectError);
  });
});
