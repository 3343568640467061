/**
 * Map contents as JSON (what `bpfemu run --json`, `bpfemu map dump` and the web playground show): formatted from the map's BTF as `bpftool map dump` prints them
 * (`{"key": 9999, "value": {"packets": 1, "bytes": 60}}`; per-CPU maps `{"key", "values":
 * [{"cpu", "value"}]}`; global data by variable name), or as hex (`--hex`, and maps without BTF).
 * Also the reverse: entries in that JSON shape written into a map (`run --map NAME=FILE.json`).
 */
import type { BpfObjectMap } from './object.js';
import type { TypedValue } from './typed.js';
import { BPF_MAP_TYPE, isPerCpuValueType, mapTypeName } from '../maps/uapi.js';
import { fromHex, toHex } from '../util/bytes.js';
import { BpfemuError } from '../util/errors.js';

/** Map types whose contents are not listed (no key iteration, or fds and programs). */
const NOT_DUMPED: readonly number[] = [BPF_MAP_TYPE.RINGBUF, BPF_MAP_TYPE.PERF_EVENT_ARRAY, BPF_MAP_TYPE.QUEUE, BPF_MAP_TYPE.STACK, BPF_MAP_TYPE.BLOOM_FILTER, BPF_MAP_TYPE.STRUCT_OPS, BPF_MAP_TYPE.PROG_ARRAY, BPF_MAP_TYPE.ARRAY_OF_MAPS, BPF_MAP_TYPE.HASH_OF_MAPS];

/** Entries that cannot be written into a map: not the dump's shape, or a key or value its BTF type refuses. */
export class MapJsonError extends BpfemuError<'INPUT'> {
  readonly code = 'INPUT' as const;
}

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A typed value as JSON: bigints as numbers when exact, else as decimal strings. */
export function jsonOf(v: TypedValue): Json {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(jsonOf);
  if (v !== null && typeof v === 'object') {
    const o: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) o[k] = jsonOf(x);
    return o;
  }
  return v;
}

/** Hex entries (the CLI's `--hex` form). */
export function dumpMapHex(m: BpfObjectMap): { type: string; entries: object[] } {
  const type = mapTypeName(m.spec.type);
  const t = m.spec.type;
  if (NOT_DUMPED.includes(t) || m.fd < 0) return { type, entries: [] };
  const entries: object[] = [];
  for (const key of m.keys()) {
    if (isPerCpuValueType(t)) {
      const vs = m.lookupPerCpu(key);
      if (vs !== undefined) entries.push({ key: toHex(key), values: vs.map(toHex) });
    } else {
      const v = m.lookup(key);
      if (v !== undefined) entries.push({ key: toHex(key), value: toHex(v) });
    }
  }
  return { type, entries };
}

/** Formatted entries when the map has BTF (global data by variable), hex otherwise. */
export function dumpMapFormatted(m: BpfObjectMap): { type: string; entries: object[] } {
  const type = mapTypeName(m.spec.type);
  const t = m.spec.type;
  if (NOT_DUMPED.includes(t) || m.fd < 0) return { type, entries: [] };
  const internal = m.spec.internal;
  if (internal !== undefined) {
    const obj = m.object;
    const value: { [k: string]: Json } = {};
    for (const v of internal.variables) {
      if (v.linkage === 'extern' || v.typeId === 0) continue;
      try {
        value[v.name] = jsonOf(obj.variable(v.name).value);
      } catch {
        value[v.name] = toHex(obj.variable(v.name).get());
      }
    }
    return { type, entries: [{ key: 0, value }] };
  }
  if (m.spec.btfValueTypeId === 0 || m.object.spec.btf === undefined) return dumpMapHex(m);
  const typed = m.typed();
  const entries: object[] = [];
  for (const [k, v] of typed.entries()) {
    if (isPerCpuValueType(t)) entries.push({ key: jsonOf(k), values: (v as TypedValue[]).map((x, cpu) => ({ cpu, value: jsonOf(x) })) });
    else entries.push({ key: jsonOf(k), value: jsonOf(v) });
  }
  return { type, entries };
}

/** A JSON value back as a typed value (decimal strings of big integers as bigints where the field is one). */
function typedOf(j: unknown): TypedValue {
  if (Array.isArray(j)) return j.map(typedOf);
  if (j !== null && typeof j === 'object') {
    const o: { [k: string]: TypedValue } = {};
    for (const [k, x] of Object.entries(j)) o[k] = typedOf(x);
    return o;
  }
  if (typeof j === 'string' && /^-?\d+$/.test(j)) return BigInt(j);
  return j as TypedValue;
}

/**
 * Write `entries` (the dump's JSON shape: `[{key, value}]`, hex strings or typed values, per-CPU
 * `values`) into `m`; `what` names the source in errors.
 */
export function seedMap(m: BpfObjectMap, entries: unknown, what: string): void {
  if (!Array.isArray(entries)) throw new MapJsonError(`${what}: expected a JSON array of {"key", "value"} entries`);
  const typed = m.spec.btfValueTypeId !== 0 && m.object.spec.btf !== undefined ? m.typed() : null;
  entries.forEach((e: unknown, i) => {
    if (e === null || typeof e !== 'object' || !('key' in e)) throw new MapJsonError(`${what}: entry ${i} has no "key"`);
    const { key, value, values } = e as { key: unknown; value?: unknown; values?: unknown };
    const v = values !== undefined && Array.isArray(values) ? values.map((x: unknown) => (x !== null && typeof x === 'object' && 'value' in x ? (x as { value: unknown }).value : x)) : value;
    if (v === undefined) throw new MapJsonError(`${what}: entry ${i} has no "value"`);
    try {
      if (typeof key === 'string' && typeof v === 'string' && /^[0-9a-f\s]*$/i.test(key + v)) m.update(fromHex(key), fromHex(v));
      else if (typed !== null) {
        // (numbers beyond 2^53 come as decimal strings; the codec takes numbers for u64 too)
        typed.set(typedOf(key), typedOf(v));
      } else throw new MapJsonError(`${what}: map '${m.name}' has no BTF types: give key and value as hex strings`);
    } catch (x) {
      if (x instanceof MapJsonError) throw x;
      throw new MapJsonError(`${what}: entry ${i}: ${x instanceof Error ? x.message : String(x)}`);
    }
  });
}
