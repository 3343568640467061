/**
 * The emulated process's file descriptor table and the kernel's object id allocators.
 *
 * Linux hands out the lowest free descriptor (fs/file.c alloc_fd); 0, 1 and 2 are the
 * process's stdin/stdout/stderr, which are open files but not BPF objects, so using them where a
 * map or program is expected gives EINVAL rather than EBADF, as on a real system.
 */

/** What an open descriptor refers to. */
export type FdObject<P, M, L, B> =
  | { readonly kind: 'prog'; readonly obj: P }
  | { readonly kind: 'map'; readonly obj: M; readonly flags: number }
  | { readonly kind: 'link'; readonly obj: L }
  | { readonly kind: 'btf'; readonly obj: B }
  | { readonly kind: 'file'; readonly name: string };

/** A descriptor table; values are whatever the kernel stores per open file. */
export class FdTable<T> {
  private readonly table = new Map<number, T>();

  constructor(reserved: readonly [number, T][] = []) {
    for (const [fd, v] of reserved) this.table.set(fd, v);
  }

  /** Install `v` at the lowest free descriptor and return it. */
  install(v: T): number {
    let fd = 0;
    while (this.table.has(fd)) fd++;
    this.table.set(fd, v);
    return fd;
  }

  get(fd: number): T | undefined {
    return Number.isInteger(fd) && fd >= 0 ? this.table.get(fd) : undefined;
  }

  /** Remove and return the entry, or undefined if `fd` was not open. */
  remove(fd: number): T | undefined {
    const v = this.table.get(fd);
    if (v !== undefined) this.table.delete(fd);
    return v;
  }

  /** Open descriptors in ascending order. */
  entries(): [number, T][] {
    return [...this.table.entries()].sort((a, b) => a[0] - b[0]);
  }

  get size(): number {
    return this.table.size;
  }
}

/**
 * idr_alloc_cyclic(…, 1, INT_MAX): ids start at 1, keep increasing, wrap at INT_MAX and skip ids
 * still in use (kernel/bpf/syscall.c bpf_map_alloc_id / bpf_prog_alloc_id).
 */
export class IdAllocator<T> {
  private readonly live = new Map<number, T>();
  private next = 1;

  alloc(obj: T): number {
    for (;;) {
      const id = this.next;
      this.next = this.next >= 0x7ffffffe ? 1 : this.next + 1;
      if (!this.live.has(id)) {
        this.live.set(id, obj);
        return id;
      }
    }
  }

  /** Allocate an id whose object comes later (find() gives undefined until then). */
  reserve(): number {
    // the id counts as taken (live.has); only the kernel's vmlinux BTF is reserved this way
    return this.alloc(undefined as T);
  }

  free(id: number): void {
    this.live.delete(id);
  }

  find(id: number): T | undefined {
    return this.live.get(id);
  }

  /** The smallest live id greater than `id` (BPF_*_GET_NEXT_ID). */
  nextAfter(id: number): number | undefined {
    let best: number | undefined;
    for (const k of this.live.keys()) if (k > id && (best === undefined || k < best)) best = k;
    return best;
  }

  values(): IterableIterator<T> {
    return this.live.values();
  }
}
