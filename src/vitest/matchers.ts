/**
 * vitest matchers for BPF tests (`installBpfMatchers()` once, e.g. in a setup file):
 *   expect(r.dataOut).toEqualPacket(expected)        layer-by-layer, field-by-field diff
 *   expect(obj.map('stats')).toHaveMapEntry(1, v)     key and value typed by BTF (or bytes)
 *   expect(() => prog.testRun(o)).toFault('out_of_bounds')
 */
import { expect } from 'vitest';
import { ProgramFaultError } from '../api/errors.js';
import type { BpfObjectMap } from '../api/object.js';
import type { TypedValue } from '../api/typed.js';
import { toHex } from '../util/bytes.js';
import { diffPackets } from '../util/packet-decode.js';
import type { FaultKind } from '../vm/fault.js';

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return bytesEqual(a, b);
  return JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) === JSON.stringify(b, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

function show(v: unknown): string {
  if (v instanceof Uint8Array) return toHex(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
}

/** The matchers, for `expect.extend`. */
export const bpfMatchers = {
  toEqualPacket(received: Uint8Array | null | undefined, expected: Uint8Array): MatcherResult {
    if (!(received instanceof Uint8Array)) return { pass: false, message: () => `expected a packet (Uint8Array), got ${String(received)}` };
    const diff = diffPackets(received, expected);
    return {
      pass: diff.length === 0,
      message: () => (diff.length === 0 ? 'expected the packets to differ' : `packets differ:\n  ${diff.join('\n  ')}`),
    };
  },

  toHaveMapEntry(received: BpfObjectMap, key: Uint8Array | TypedValue, value?: Uint8Array | TypedValue): MatcherResult {
    const raw = key instanceof Uint8Array;
    const got = raw ? received.lookup(key) : received.typed().get(key);
    const name = `map '${received.name}' key ${show(key)}`;
    if (got === undefined) return { pass: false, message: () => `${name}: no entry` };
    if (value === undefined) return { pass: true, message: () => `${name}: expected no entry, found ${show(got)}` };
    const ok = same(got, value);
    return { pass: ok, message: () => (ok ? `${name}: expected a value other than ${show(value)}` : `${name}: ${show(got)}, expected ${show(value)}`) };
  },

  toFault(received: () => unknown, kind?: FaultKind): MatcherResult {
    try {
      received();
    } catch (e) {
      if (e instanceof ProgramFaultError) {
        const ok = kind === undefined || e.fault.kind === kind;
        return { pass: ok, message: () => (ok ? `expected no ${kind ?? ''} fault, got: ${e.message}` : `expected a ${kind} fault, got: ${e.message}`) };
      }
      return { pass: false, message: () => `expected a program fault, the call threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
    }
    return { pass: false, message: () => `expected a program fault${kind !== undefined ? ` (${kind})` : ''}, the run ended normally` };
  },
};

/** Register the matchers with vitest's `expect`. */
export function installBpfMatchers(): void {
  expect.extend(bpfMatchers);
}

declare module 'vitest' {
  interface Assertion<T> {
    /** The packet equals `expected`; on failure a per-layer, per-field diff. */
    toEqualPacket(expected: Uint8Array): T;
    /** The map has `key` (bytes, or a value typed by its BTF key type), with `value` when given. */
    toHaveMapEntry(key: Uint8Array | TypedValue, value?: Uint8Array | TypedValue): T;
    /** Calling the function throws a ProgramFaultError (of `kind` when given). */
    toFault(kind?: FaultKind): T;
  }
}
