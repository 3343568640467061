/**
 * Typed views over the byte API: `map.typed()` (keys and values as JavaScript values by the map's
 * BTF key/value types) and `obj.globals` (global variables by name, read and written by their BTF
 * types with range checks). Values follow the table in typed.ts.
 */
import type { Btf } from '../btf/btf.js';
import { ERRNO } from '../util/errno.js';
import { BpfError } from './errors.js';
import { BtfCodec, type TypedValue } from './typed.js';

/** What a typed map needs of the byte-level map (BpfObjectMap implements it). */
export interface ByteMap {
  readonly name: string;
  readonly valueSize: number;
  /** Per-CPU map: a value is one slot per CPU. */
  readonly perCpu: boolean;
  readonly nrCpus: number;
  lookup(key: Uint8Array | null): Uint8Array | undefined;
  update(key: Uint8Array | null, value: Uint8Array, flags?: number): void;
  delete(key: Uint8Array | null): void;
  keys(): Uint8Array[];
}

/**
 * A map seen through its BTF types. Per-CPU maps give and take one value per CPU (an array of
 * `nrCpus` values): type them `TypedMap<K, T[]>`.
 */
export class TypedMap<K extends TypedValue = TypedValue, V extends TypedValue = TypedValue> {
  constructor(
    private readonly map: ByteMap,
    private readonly key: BtfCodec,
    private readonly value: BtfCodec,
  ) {}

  /** The value of `key`, or undefined when there is none. */
  get(key: K): V | undefined {
    const v = this.map.lookup(this.key.encode(key));
    return v === undefined ? undefined : this.decodeValue(v);
  }

  /** BPF_MAP_UPDATE_ELEM of `key` and `value` (per-CPU: an array of one value per CPU). */
  set(key: K, value: V, flags = 0): void {
    this.map.update(this.key.encode(key), this.encodeValue(value), flags);
  }

  /** BPF_MAP_DELETE_ELEM. */
  delete(key: K): void {
    this.map.delete(this.key.encode(key));
  }

  /** Keys in get_next_key order. */
  keys(): K[] {
    return this.map.keys().map((k) => this.key.decode(k) as K);
  }

  /** [key, value] pairs in get_next_key order. */
  entries(): [K, V][] {
    const out: [K, V][] = [];
    for (const k of this.map.keys()) {
      const v = this.map.lookup(k);
      if (v !== undefined) out.push([this.key.decode(k) as K, this.decodeValue(v)]);
    }
    return out;
  }

  private decodeValue(v: Uint8Array): V {
    if (!this.map.perCpu) return this.value.decode(v) as V;
    const slot = Math.ceil(this.map.valueSize / 8) * 8;
    return Array.from({ length: this.map.nrCpus }, (_, c) => this.value.decode(v, c * slot)) as V;
  }

  private encodeValue(value: V): Uint8Array {
    if (!this.map.perCpu) return this.value.encode(value);
    if (!Array.isArray(value) || value.length !== this.map.nrCpus) {
      throw new BpfError(ERRNO.EINVAL, `map '${this.map.name}': a per-CPU value is an array of ${this.map.nrCpus} values (one per CPU)`);
    }
    const slot = Math.ceil(this.map.valueSize / 8) * 8;
    const out = new Uint8Array(slot * this.map.nrCpus);
    (value as TypedValue[]).forEach((x, c) => out.set(this.value.encode(x), c * slot));
    return out;
  }
}

/** A typed map over `map`, whose key and value BTF types are `keyType` and `valueType` in `btf`. */
export function typedMap(map: ByteMap, btf: Btf | undefined, keyType: number, valueType: number): TypedMap {
  if (btf === undefined || valueType === 0) {
    throw new BpfError(ERRNO.EINVAL, `map '${map.name}' has no BTF value type (a legacy or BTF-less map): use the byte API (lookup/update)`);
  }
  // A map without a key type (array, queue) keeps a u32 index or no key.
  const key = keyType !== 0 ? new BtfCodec(btf, keyType, `map '${map.name}' key`) : u32Codec(btf, map.name);
  return new TypedMap(map, key, new BtfCodec(btf, valueType, `map '${map.name}' value`));
}

function u32Codec(btf: Btf, name: string): BtfCodec {
  const u32 = btf.ofKind('INT').find((t) => t.kind === 'INT' && t.size === 4 && !t.signed);
  if (u32 === undefined) throw new BpfError(ERRNO.EINVAL, `map '${name}' has no BTF key type: use the byte API`);
  return new BtfCodec(btf, u32.id, `map '${name}' key`);
}

/** A global variable as a typed view needs it (GlobalVariable implements it). */
export interface ByteVariable {
  readonly name: string;
  get(): Uint8Array;
  set(bytes: Uint8Array): void;
}

/**
 * `obj.globals`: every global variable of the object as a property, read and written by its BTF
 * type (`obj.globals.blocked_port = 9999` before load sets a `const volatile` knob; after load it
 * writes the map). Unknown names throw.
 */
export function typedGlobals(vars: ReadonlyMap<string, { variable: () => ByteVariable; codec: BtfCodec }>): Record<string, TypedValue> {
  const target: Record<string, TypedValue> = {};
  return new Proxy(target, {
    get(_t, prop) {
      if (typeof prop !== 'string') return undefined;
      const v = vars.get(prop);
      if (v === undefined) throw new BpfError(ERRNO.ENOENT, `no global variable '${prop}' (globals: ${[...vars.keys()].join(', ')})`);
      return v.codec.decode(v.variable().get());
    },
    set(_t, prop, value: TypedValue) {
      if (typeof prop !== 'string') return false;
      const v = vars.get(prop);
      if (v === undefined) throw new BpfError(ERRNO.ENOENT, `no global variable '${prop}' (globals: ${[...vars.keys()].join(', ')})`);
      v.variable().set(v.codec.encode(value));
      return true;
    },
    has(_t, prop) {
      return typeof prop === 'string' && vars.has(prop);
    },
    ownKeys() {
      return [...vars.keys()];
    },
    getOwnPropertyDescriptor(_t, prop) {
      if (typeof prop !== 'string' || !vars.has(prop)) return undefined;
      return { enumerable: true, configurable: true, writable: true, value: undefined };
    },
  });
}
