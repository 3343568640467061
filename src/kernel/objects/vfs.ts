/**
 * Emulated files and paths: the `struct file` → `f_path { mnt, dentry }` → `dentry` (`d_name`,
 * `d_parent`, `d_inode`, `d_sb`) → `inode` → `super_block` objects a tracing or LSM program reaches
 * from a `struct file *` argument, laid out from the kernel BTF (6.18's layouts, data/kernel-types.ts)
 * like every kernel object (kobjects.ts). One mounted file system (a `vfsmount` and its
 * `super_block`) holds one dentry per absolute path, made on first use with its parents; the root
 * dentry is its own parent, named "/", as the kernel's is.
 *
 * {@link EmulatedVfs.pathOf} walks those objects' memory back to the root the way the kernel's
 * d_path does (prepend each `d_name` until the mount's root), so bpf_d_path reads what a program
 * could have changed nothing of (kernel objects are read-only to programs).
 *
 * Not emulated: more than one mount, `d_name.hash` (the kernel salts it with the parent dentry's
 * address; it reads 0 here), unlinked dentries (d_path's " (deleted)" suffix), symlinks.
 */
import type { Btf } from '../../btf/btf.js';
import { KObjectError, type KObject, type KernelObjects } from './kobjects.js';

/** include/uapi/linux/stat.h. */
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
/** include/linux/fs.h FMODE_READ, FMODE_WRITE. */
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;
/** EXT4_SUPER_MAGIC (include/uapi/linux/magic.h), the default file system's s_magic. */
export const EXT4_SUPER_MAGIC = 0xef53;
/** PATH_MAX (include/uapi/linux/limits.h). */
export const PATH_MAX = 4096;

/** What a new file's objects hold besides its path. */
export interface FileSpec {
  /** inode number (default: the next free one, from 12 on). */
  readonly ino?: number;
  /** i_mode (default S_IFREG | 0644). */
  readonly mode?: number;
  /** i_size. */
  readonly size?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** f_flags (O_* bits, default 0: O_RDONLY). */
  readonly flags?: number;
  /** f_mode (default FMODE_READ). */
  readonly fmode?: number;
  /** f_pos. */
  readonly pos?: number;
}

/** The mounted file system (default: an ext4 on "vda", device 254:0, root inode 2). */
export interface FsSpec {
  readonly magic?: number;
  /** s_id, at most 31 bytes. */
  readonly id?: string;
  /** s_dev as the kernel encodes it (MKDEV: major << 20 | minor). */
  readonly dev?: number;
}

interface Mount {
  readonly btf: Btf;
  readonly sb: KObject;
  readonly mnt: KObject;
  readonly root: KObject;
}

/** Bound on the components walked back from a dentry (untrusted memory could loop). */
const MAX_DEPTH = PATH_MAX / 2;

/** The emulated file system of one kernel (the 'vfs' service). */
export class EmulatedVfs {
  private mount: Mount | undefined;
  private readonly dentries = new Map<string, KObject>();
  private nextIno = 12;

  constructor(
    private readonly ko: KernelObjects,
    private readonly fs: FsSpec = {},
  ) {}

  /** The mount (made again when objects are laid out from another BTF). */
  private mounted(): Mount {
    const btf = this.ko.btf;
    if (this.mount !== undefined && this.mount.btf === btf) return this.mount;
    this.dentries.clear();
    const id = this.fs.id ?? 'vda';
    const sb = this.ko.create('super_block', { s_magic: this.fs.magic ?? EXT4_SUPER_MAGIC, s_dev: this.fs.dev ?? 254 << 20, s_blocksize: 4096, s_blocksize_bits: 12, s_id: id }, { label: `super_block ${id}` });
    const rootInode = this.inode(sb, { ino: 2, mode: S_IFDIR | 0o755 });
    const root = this.ko.create('dentry', { 'd_name.name': this.ko.string('/', 'dentry name /'), 'd_name.len': 1, d_inode: rootInode, d_sb: sb }, { label: 'dentry /' });
    root.set('d_parent', root);
    sb.set('s_root', root);
    const mnt = this.ko.create('vfsmount', { mnt_root: root, mnt_sb: sb }, { label: `vfsmount ${id}` });
    this.mount = { btf, sb, mnt, root };
    this.dentries.set('/', root);
    return this.mount;
  }

  private inode(sb: KObject, spec: FileSpec): KObject {
    const ino = spec.ino ?? this.nextIno++;
    return this.ko.create(
      'inode',
      { i_ino: ino, i_mode: spec.mode ?? S_IFREG | 0o644, i_size: spec.size ?? 0, 'i_uid.val': spec.uid ?? 0, 'i_gid.val': spec.gid ?? 0, i_nlink: 1, i_sb: sb, i_blkbits: 12 },
      { label: `inode ${ino}` },
    );
  }

  /** The components of absolute path `path` ('/a//b/' → ['a', 'b']); refuses '.', '..' and relative paths. */
  private static components(path: string): string[] {
    if (!path.startsWith('/')) throw new KObjectError('KOBJ_BAD_VALUE', `vfs: path '${path}' is not absolute`);
    if (new TextEncoder().encode(path).length >= PATH_MAX) throw new KObjectError('KOBJ_BAD_VALUE', `vfs: path '${path.slice(0, 32)}...' is not shorter than PATH_MAX (${PATH_MAX})`);
    const parts = path.split('/').filter((p) => p !== '');
    for (const p of parts) {
      if (p === '.' || p === '..') throw new KObjectError('KOBJ_BAD_VALUE', `vfs: path '${path}' has a '${p}' component`);
      if (new TextEncoder().encode(p).length > 255) throw new KObjectError('KOBJ_BAD_VALUE', `vfs: a component of '${path}' is longer than NAME_MAX (255)`);
    }
    return parts;
  }

  /** The dentry of `path`, made with its parents (directories) on first use; `leaf` sets the last one's inode. */
  dentry(path: string, leaf: FileSpec = {}): KObject {
    const m = this.mounted();
    const parts = EmulatedVfs.components(path);
    let parent = m.root;
    let at = '';
    parts.forEach((name, i) => {
      at += `/${name}`;
      let d = this.dentries.get(at);
      if (d === undefined) {
        const last = i === parts.length - 1;
        const inode = this.inode(m.sb, last ? leaf : { mode: S_IFDIR | 0o755 });
        d = this.ko.create('dentry', { d_parent: parent, 'd_name.name': this.ko.string(name, `dentry name ${name}`), 'd_name.len': new TextEncoder().encode(name).length, d_inode: inode, d_sb: m.sb }, { label: `dentry ${at}` });
        this.dentries.set(at, d);
      }
      parent = d;
    });
    return parent;
  }

  /** A new open `struct file` of `path` (f_path, f_inode, f_flags, f_mode, f_pos). */
  file(path: string, spec: FileSpec = {}): KObject {
    const m = this.mounted();
    const d = this.dentry(path, spec);
    const inode = d.get('d_inode');
    return this.ko.create('file', { 'f_path.mnt': m.mnt, 'f_path.dentry': d, f_inode: inode, f_flags: spec.flags ?? 0, f_mode: spec.fmode ?? FMODE_READ, f_pos: spec.pos ?? 0 }, { label: `file ${path}` });
  }

  /** The mount's vfsmount object. */
  vfsmount(): KObject {
    return this.mounted().mnt;
  }

  /**
   * The path of (`mnt`, `dentry`) as d_path builds it: each dentry's name prepended until the
   * mount's root; undefined when a pointer is not a dentry/vfsmount object of this kernel or the
   * walk does not reach the root.
   */
  pathOf(mnt: bigint, dentry: bigint): string | undefined {
    const mo = this.ko.objectAt(mnt);
    if (mo === undefined || mo.off !== 0) return undefined;
    let root: bigint;
    try {
      root = mo.obj.get('mnt_root');
    } catch {
      return undefined;
    }
    const names: string[] = [];
    let d = dentry;
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      const o = this.ko.objectAt(d);
      if (o === undefined || o.off !== 0) return undefined;
      let parent: bigint;
      let name: string | undefined;
      try {
        parent = o.obj.get('d_parent');
        name = this.ko.readBytes(o.obj.get('d_name.name'), Number(o.obj.get('d_name.len')));
      } catch {
        return undefined;
      }
      if (name === undefined) return undefined;
      if (d === root || parent === d) return `/${names.reverse().join('/')}`;
      names.push(name);
      d = parent;
    }
    return undefined;
  }
}

