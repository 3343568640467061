/**
 * The emulated cgroup v2 hierarchy, small: a root (cgroup id 1, as the kernel's v2 root), cgroups
 * made with `mkdir`, and the current task's cgroup. CGROUP_ARRAY slots and cgroup local storage
 * name cgroups by fd (a cgroup directory opened with {@link CgroupTree.openFd}); each cgroup is a
 * small read-only kernel object region holding its id, which is what a `struct cgroup *` addresses
 * for bpf_cgrp_storage_*.
 *
 * API: `const cg = cgroupsOf(kernel)`; `const a = cg.mkdir(cg.root, 'app')`; `cg.current = a` (the
 * current task moves there; sockets it creates, such as a test run's skb socket, are in it too);
 * `cg.openFd(kernel, a)`; `cg.rmdir(a)` (its cgroup storage goes, as when the kernel frees it).
 * Ids of new cgroups count up from 2 (the kernel's are kernfs inode numbers).
 */
import { Memory, PERM_R, RegionKind } from '../vm/memory.js';
import { MapError } from './errors.js';
import { localStorageOf, OwnerFile } from './local-storage.js';

/** One cgroup. */
export class Cgroup {
  readonly children: Cgroup[] = [];
  removed = false;
  constructor(
    /** cgroup_id (the kernfs id; 1 for the root). */
    readonly id: bigint,
    readonly name: string,
    readonly parent: Cgroup | null,
    /** The kernel object region a `struct cgroup *` points to. */
    readonly region: number,
  ) {}

  /** Depth below the root (the root is level 0). */
  get level(): number {
    return this.parent === null ? 0 : this.parent.level + 1;
  }

  /** Path from the root (`/` for the root). */
  get path(): string {
    if (this.parent === null) return '/';
    const p = this.parent.path;
    return `${p === '/' ? '' : p}/${this.name}`;
  }

  /** Guest pointer to the cgroup object. */
  get pointer(): bigint {
    return Memory.pointer(this.region, 0);
  }

  /** cgroup_is_descendant: `this` is `ancestor` or below it. */
  isDescendantOf(ancestor: Cgroup): boolean {
    for (let c: Cgroup | null = this; c !== null; c = c.parent) if (c === ancestor) return true;
    return false;
  }
}

/** The hierarchy of one emulated kernel. */
export class CgroupTree {
  readonly root: Cgroup;
  /** The current task's cgroup (default: the root). */
  current: Cgroup;
  private readonly byRegion = new Map<number, Cgroup>();
  private nextId = 2n;

  constructor(private readonly mem: Memory) {
    this.root = this.make(1n, '', null);
    this.current = this.root;
  }

  private make(id: bigint, name: string, parent: Cgroup | null): Cgroup {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigUint64(0, id, true);
    const region = this.mem.map(bytes, { kind: RegionKind.KERNEL, perm: PERM_R, label: `cgroup ${parent === null ? '/' : name}`, shared: true });
    const cg = new Cgroup(id, name, parent, region);
    this.byRegion.set(region, cg);
    parent?.children.push(cg);
    return cg;
  }

  /** A new child cgroup of `parent` (names are unique among siblings, [A-Za-z0-9_.-]). */
  mkdir(parent: Cgroup, name: string): Cgroup {
    if (parent.removed) throw new MapError('MAP_BAD_ARGUMENT', `cgroup ${parent.path} was removed`);
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name === '.' || name === '..') throw new MapError('MAP_BAD_ARGUMENT', `cgroup name '${name}' is not a directory name`);
    if (parent.children.some((c) => c.name === name)) throw new MapError('MAP_BAD_ARGUMENT', `cgroup ${parent.path === '/' ? '' : parent.path}/${name} exists`);
    return this.make(this.nextId++, name, parent);
  }

  /** The cgroup at `path` (`/a/b`), or undefined. */
  lookup(path: string): Cgroup | undefined {
    let c: Cgroup | undefined = this.root;
    for (const part of path.split('/').filter((x) => x !== '')) c = c?.children.find((x) => x.name === part);
    return c;
  }

  /** The cgroup whose object is region `region`, or undefined. */
  byObject(region: number): Cgroup | undefined {
    return this.byRegion.get(region);
  }

  /** Remove an empty cgroup other than the root and the current one; its cgroup storage goes. */
  rmdir(cg: Cgroup): void {
    if (cg.parent === null || cg.children.length > 0 || cg === this.current) throw new MapError('MAP_BAD_ARGUMENT', `cgroup ${cg.path} is busy`);
    cg.parent.children.splice(cg.parent.children.indexOf(cg), 1);
    cg.removed = true;
    localStorageOf({ mem: this.mem }).release(cg.region);
  }

  /** Open the cgroup's directory in `kernel`'s fd table (what CGROUP_ARRAY updates and cgrp storage keys take). */
  openFd(kernel: { readonly fds: { install(e: OwnerFile): number } }, cg: Cgroup): number {
    return kernel.fds.install(new OwnerFile(`cgroup:${cg.path}`, 'cgroup', cg.region));
  }
}

const trees = new WeakMap<Memory, CgroupTree>();

/** The cgroup hierarchy of the emulated kernel (or map environment) whose memory is `host.mem`. */
export function cgroupsOf(host: { readonly mem: Memory }): CgroupTree {
  let t = trees.get(host.mem);
  if (t === undefined) {
    t = new CgroupTree(host.mem);
    trees.set(host.mem, t);
  }
  return t;
}
