/**
 * Arrays of kernel objects set from user space by fd (kernel/bpf/arraymap.c fd_array_map_*):
 * PROG_ARRAY, PERF_EVENT_ARRAY and ARRAY_OF_MAPS. User space writes a 4-byte fd and reads back an
 * id (a program or map id); the slots hold the objects themselves.
 */
import { ERRNO } from '../util/errno.js';
import { MAX_MAP_BYTES } from './array.js';
import { BpfMap, arrayGetNextKey, readU32, writeU32, type ResolvedAttr } from './map.js';
import type { MapEnv } from './types.js';
import { BPF_ANY } from './uapi.js';

const { EINVAL, E2BIG, ENOENT, ENOTSUPP, ENOMEM } = ERRNO;

/** array_map_alloc's size limit for an fd array (8 bytes per slot), -ENOMEM past the emulator's cap. */
export function fdArraySizeCheck(attr: ResolvedAttr): number {
  return attr.maxEntries * 8 > MAX_MAP_BYTES ? -ENOMEM : 0;
}

/** Shared slot logic of the fd arrays. */
export abstract class FdArrayMap<T> extends BpfMap {
  /** Occupied slots (sparse: max_entries may be large). */
  protected readonly slots = new Map<number, T>();

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
  }

  override get userValueSize(): number {
    return 4;
  }

  /** map_fd_get_ptr: the object behind a user-space fd, or -errno (it takes a reference). */
  protected abstract getPtr(fd: number): T | number;
  /** map_fd_put_ptr: drop the slot's reference. */
  protected abstract putPtr(obj: T): void;
  /** map_fd_sys_lookup_elem: the id user space reads, or null when the type has none (ENOTSUPP). */
  protected abstract sysId(obj: T): number | null;

  /** The object in slot `index`, if any. */
  at(index: number): T | undefined {
    return this.slots.get(index);
  }

  /** Number of occupied slots. */
  get count(): number {
    return this.slots.size;
  }

  /** bpf_fd_array_map_lookup_elem. */
  protected sysLookup(key: Uint8Array | null, out: Uint8Array, _flags: number): number {
    const index = readU32(key!, 0);
    const obj = index < this.maxEntries ? this.slots.get(index) : undefined;
    if (obj === undefined) {
      // ENOTSUPP comes first for types without map_fd_sys_lookup_elem
      return this.sysIdSupported ? -ENOENT : -ENOTSUPP;
    }
    const id = this.sysId(obj);
    if (id === null) return -ENOTSUPP;
    writeU32(out, 0, id);
    return 0;
  }

  /** Whether user-space lookups are supported (map_fd_sys_lookup_elem exists). */
  protected abstract readonly sysIdSupported: boolean;

  /** bpf_fd_array_map_update_elem: BPF_ANY only, E2BIG past the end, then the fd. */
  protected sysUpdate(key: Uint8Array | null, value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY) return -EINVAL;
    const index = readU32(key!, 0);
    if (index >= this.maxEntries) return -E2BIG;
    const obj = this.getPtr(readU32(value, 0) | 0);
    if (typeof obj === 'number') return obj;
    this.replace(index, obj);
    return 0;
  }

  /** __fd_array_map_delete_elem. */
  protected sysDelete(key: Uint8Array | null): number {
    const index = readU32(key!, 0);
    if (index >= this.maxEntries) return -E2BIG;
    return this.replace(index, undefined) ? 0 : -ENOENT;
  }

  protected sysGetNextKey(key: Uint8Array | null, out: Uint8Array): number {
    return arrayGetNextKey(this.maxEntries, key, out);
  }

  /** Put `obj` (or nothing) in slot `index`, releasing the old object; whether a slot was occupied. */
  protected replace(index: number, obj: T | undefined): boolean {
    const old = this.slots.get(index);
    if (obj === undefined) this.slots.delete(index);
    else this.slots.set(index, obj);
    if (old !== undefined) this.putPtr(old);
    return old !== undefined;
  }

  protected onFree(): void {
    for (const obj of this.slots.values()) this.putPtr(obj);
    this.slots.clear();
  }
}
