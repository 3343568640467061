/**
 * BPF_MAP_TYPE_QUEUE (FIFO) and BPF_MAP_TYPE_STACK (LIFO) (kernel/bpf/queue_stack_maps.c): keyless
 * maps of fixed-size values, driven by push/pop/peek. User space pushes with update(NULL key),
 * peeks with lookup(NULL) and pops with lookupAndDelete(NULL).
 *
 * Storage is the kernel's ring of max_entries + 1 value slots with head (next push) and tail
 * (oldest) indexes; it is full when head + 1 == tail. BPF_EXIST on a push into a full map drops the
 * oldest element (the tail) to make room, for both types.
 */
import { ERRNO } from '../util/errno.js';
import { MAX_MAP_BYTES } from './array.js';
import { BpfMap, progFlags, type ResolvedAttr } from './map.js';
import { copyBytes } from './storage.js';
import type { MapEnv, ProgOp } from './types.js';
import { BPF_EXIST, BPF_F, BPF_F_ACCESS_MASK, BPF_MAP_TYPE, BPF_NOEXIST, mapFlagsAccessOk } from './uapi.js';

const { EINVAL, E2BIG, ENOENT, ENOMEM } = ERRNO;

const QUEUE_STACK_CREATE_FLAG_MASK = BPF_F.NUMA_NODE | BPF_F_ACCESS_MASK;
/** KMALLOC_MAX_SIZE on x86-64. */
const KMALLOC_MAX_SIZE = 1 << 22;

const OPS: ReadonlySet<ProgOp> = new Set<ProgOp>(['push', 'pop', 'peek']);

/** queue_stack_map_alloc_check: 0 or -errno. */
export function queueStackAllocCheck(attr: ResolvedAttr): number {
  if (attr.maxEntries === 0 || attr.keySize !== 0 || attr.valueSize === 0 || attr.flags & ~QUEUE_STACK_CREATE_FLAG_MASK || !mapFlagsAccessOk(attr.flags)) {
    return -EINVAL;
  }
  if (attr.valueSize > KMALLOC_MAX_SIZE) return -E2BIG;
  return 0;
}

/** QUEUE / STACK. */
export class QueueStackMap extends BpfMap {
  readonly progOps = OPS;
  readonly isStack: boolean;
  private readonly ring: Uint8Array;
  /** max_entries + 1. */
  private readonly size: number;
  private head = 0;
  private tail = 0;

  private constructor(attr: ResolvedAttr, env: MapEnv, ring: Uint8Array) {
    super(attr, env);
    this.isStack = attr.type === BPF_MAP_TYPE.STACK;
    this.ring = ring;
    this.size = attr.maxEntries + 1;
  }

  /** queue_stack_map_alloc: the preallocated ring, or -ENOMEM past the emulator's cap. */
  static create(attr: ResolvedAttr, env: MapEnv): QueueStackMap | number {
    const bytes = (attr.maxEntries + 1) * attr.valueSize;
    if (bytes > MAX_MAP_BYTES) return -ENOMEM;
    return new QueueStackMap(attr, env, new Uint8Array(bytes));
  }

  /** Number of elements. */
  get count(): number {
    return (this.head - this.tail + this.size) % this.size;
  }

  /** queue_stack_map_push_elem: flags BPF_ANY, or BPF_EXIST to overwrite the oldest element when full. */
  push(vb: Uint8Array, vo: number, flags: number): number {
    if (flags < 0 || flags & BPF_NOEXIST || flags > BPF_EXIST) return -EINVAL;
    let next = this.head + 1;
    if (next >= this.size) next = 0;
    if (next === this.tail) {
      if (!(flags & BPF_EXIST)) return -E2BIG;
      if (++this.tail >= this.size) this.tail = 0;
    }
    copyBytes(this.ring, this.head * this.valueSize, vb, vo, this.valueSize);
    this.head = next;
    return 0;
  }

  /** __queue_map_get / __stack_map_get: the oldest (queue) or newest (stack) value; an empty map zeroes it, ENOENT. */
  get(out: Uint8Array, oo: number, del: boolean): number {
    const vs = this.valueSize;
    if (this.head === this.tail) {
      out.fill(0, oo, oo + vs);
      return -ENOENT;
    }
    if (this.isStack) {
      let index = this.head - 1;
      if (index < 0) index = this.size - 1;
      copyBytes(out, oo, this.ring, index * vs, vs);
      if (del) this.head = index;
    } else {
      copyBytes(out, oo, this.ring, this.tail * vs, vs);
      if (del && ++this.tail >= this.size) this.tail = 0;
    }
    return 0;
  }

  protected sysLookup(_key: Uint8Array | null, out: Uint8Array, _flags: number): number {
    return this.get(out, 0, false);
  }

  protected sysUpdate(_key: Uint8Array | null, value: Uint8Array, flags: number): number {
    return this.push(value, 0, flags);
  }

  protected sysDelete(_key: Uint8Array | null): number {
    return -EINVAL; // queue_stack_map_delete_elem
  }

  protected sysGetNextKey(_key: Uint8Array | null, _out: Uint8Array): number {
    return -EINVAL; // queue_stack_map_get_next_key
  }

  protected override sysLookupAndDelete(_key: Uint8Array | null, out: Uint8Array, _flags: number): number {
    return this.get(out, 0, true);
  }

  override pushFromProg(vb: Uint8Array, vo: number, flags: number, _cpu: number): number {
    return this.push(vb, vo, progFlags(flags));
  }

  override popFromProg(vb: Uint8Array, vo: number, _cpu: number): number {
    return this.get(vb, vo, true);
  }

  override peekFromProg(vb: Uint8Array, vo: number, _cpu: number): number {
    return this.get(vb, vo, false);
  }

  /** Values in pop order (copies). */
  override *entries(): Generator<[Uint8Array, Uint8Array]> {
    this.checkLive();
    const n = this.count;
    for (let i = 0; i < n; i++) {
      const idx = this.isStack ? (this.head - 1 - i + 2 * this.size) % this.size : (this.tail + i) % this.size;
      yield [new Uint8Array(0), this.ring.slice(idx * this.valueSize, (idx + 1) * this.valueSize)];
    }
  }

  protected onFree(): void {}
}
