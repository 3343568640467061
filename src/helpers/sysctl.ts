/**
 * The cgroup/sysctl helpers (kernel/bpf/cgroup.c, Linux 6.18): bpf_sysctl_get_name,
 * bpf_sysctl_get_current_value, bpf_sysctl_get_new_value and bpf_sysctl_set_new_value, over the
 * sysctl access a `fireCgroup(k, 'cgroup/sysctl', { sysctl: ... })` event describes
 * ({@link SysctlRun}, shared by every program of the run array, as the kernel's ctx is).
 *
 *   get_name           the name below /proc/sys ("kernel/domainname"), or with
 *                      BPF_F_SYSCTL_BASE_NAME (bit 0; other bits are ignored) the last component;
 *                      strscpy: the length without the NUL, or -E2BIG with buf_len - 1 bytes and a
 *                      NUL (the bytes after the NUL are left alone)
 *   get_current_value  the value as a read at offset 0 gives it ("orig\n"); -EINVAL and a zeroed
 *                      buffer when the event has none (the kernel: the handler failed); shorter
 *                      than the buffer: the length, zero-padded; else -E2BIG, truncated with a NUL
 *   get_new_value      writes only (a read: -EINVAL, buffer zeroed); the value being written
 *                      (at most a page), copied as get_current_value does
 *   set_new_value      writes only, with a value being written, at least 1 byte (else -EINVAL),
 *                      at most PAGE_SIZE - 1 (else -E2BIG): replaces the value written when every
 *                      program allows the access
 * Recorded on 6.18 with programs/sysctl_helpers (test/kernel/progtypes/golden/sysctl-live.json).
 */
import { ProgType as P } from '../object/uapi.js';
import type { Machine, RunContext } from '../vm/machine.js';
import type { HelperDef, HelperProto } from './registry.js';

const EINVAL = 22;
const E2BIG = 7;
/** PAGE_SIZE: the kernel's buffer for the value being written. */
export const SYSCTL_PAGE_SIZE = 4096;
const BPF_F_SYSCTL_BASE_NAME = 1n;

/** The sysctl access of one cgroup/sysctl event. */
export class SysctlRun implements RunContext {
  readonly type = 'cgroup_sysctl';
  /** The value being written after the programs (set_new_value), and whether one replaced it. */
  newValue: Uint8Array | null;
  updated = false;
  constructor(
    /** The name below /proc/sys, components joined by '/' (undefined: the event gave none). */
    readonly name: string | undefined,
    /** The current value as text (null: none, cur_len 0). */
    readonly current: Uint8Array | null,
    /** ctx->write. */
    readonly write: boolean,
    /** The bytes being written (writes only; null or empty: none). */
    newValue: Uint8Array | null,
  ) {
    this.newValue = newValue === null ? null : newValue.slice(0, SYSCTL_PAGE_SIZE);
  }
}

function runOf(m: Machine, helper: string): SysctlRun {
  const c = m.context;
  if (!(c instanceof SysctlRun)) throw m.fail('helper', `${helper}: this run is not a cgroup/sysctl event (fireCgroup 'cgroup/sysctl')`);
  return c;
}

/** strscpy into `dst`: the length, or -E2BIG with a truncated, NUL-terminated copy. */
function strscpy(dst: Uint8Array, src: Uint8Array): number {
  if (src.length < dst.length) {
    dst.set(src);
    dst[src.length] = 0;
    return src.length;
  }
  dst.set(src.subarray(0, dst.length - 1));
  dst[dst.length - 1] = 0;
  return -E2BIG;
}

/** copy_sysctl_value. */
function copyValue(dst: Uint8Array, src: Uint8Array | null): number {
  if (src === null || src.length === 0) {
    dst.fill(0);
    return -EINVAL;
  }
  dst.set(src.subarray(0, Math.min(dst.length, src.length)));
  if (dst.length > src.length) {
    dst.fill(0, src.length);
    return src.length;
  }
  dst[dst.length - 1] = 0;
  return -E2BIG;
}

const enc = new TextEncoder();

function getName(m: Machine): void {
  const c = runOf(m, 'bpf_sysctl_get_name');
  if (c.name === undefined) throw m.fail('helper', "bpf_sysctl_get_name: the event names no sysctl (give fireCgroup's event `sysctl: { name }`)");
  const buf = m.argBytes(2, m.argNum(3), true, 'buf');
  const base = (m.argU64(4) & BPF_F_SYSCTL_BASE_NAME) !== 0n;
  m.setR0Num(strscpy(buf, enc.encode(base ? c.name.slice(c.name.lastIndexOf('/') + 1) : c.name)));
}

function getCurrent(m: Machine): void {
  const c = runOf(m, 'bpf_sysctl_get_current_value');
  m.setR0Num(copyValue(m.argBytes(2, m.argNum(3), true, 'buf'), c.current));
}

function getNew(m: Machine): void {
  const c = runOf(m, 'bpf_sysctl_get_new_value');
  const buf = m.argBytes(2, m.argNum(3), true, 'buf');
  if (!c.write) {
    buf.fill(0);
    return m.setR0Num(-EINVAL);
  }
  m.setR0Num(copyValue(buf, c.newValue));
}

function setNew(m: Machine): void {
  const c = runOf(m, 'bpf_sysctl_set_new_value');
  const len = m.argNum(3);
  if (!c.write || c.newValue === null || c.newValue.length === 0) return m.setR0Num(-EINVAL);
  if (len > SYSCTL_PAGE_SIZE - 1) return m.setR0Num(-E2BIG);
  c.newValue = m.argBytes(2, len, false, 'buf').slice();
  c.updated = true;
  m.setR0Num(0);
}

const CTX = { kind: 'ctx' } as const;
const SIZE = { kind: 'size' } as const;
/** The buffers the helpers fill may be uninitialised (measured: 6.18 loads get_name into an uninitialised stack buffer). */
const OUT = { kind: 'mem', uninit: true } as const;
const GET_NAME: HelperProto = { ret: 'integer', args: [CTX, OUT, SIZE, { kind: 'anything' }] };
const GET_VALUE: HelperProto = { ret: 'integer', args: [CTX, OUT, SIZE] };
const SET_VALUE: HelperProto = { ret: 'integer', args: [CTX, { kind: 'mem', rdonly: true }, SIZE] };

/** The sysctl helper family. */
export function sysctlHelpers(): HelperDef[] {
  const family = 'sysctl';
  const progTypes = [P.CGROUP_SYSCTL];
  return [
    { id: 101, name: 'sysctl_get_name', args: ['ctx', 'ptr', 'size', 'anything'], proto: GET_NAME, progTypes, family, fn: getName },
    { id: 102, name: 'sysctl_get_current_value', args: ['ctx', 'ptr', 'size'], proto: GET_VALUE, progTypes, family, fn: getCurrent },
    { id: 103, name: 'sysctl_get_new_value', args: ['ctx', 'ptr', 'size'], proto: GET_VALUE, progTypes, family, fn: getNew },
    { id: 104, name: 'sysctl_set_new_value', args: ['ctx', 'ptr', 'size'], proto: SET_VALUE, progTypes, family, fn: setNew },
  ];
}
