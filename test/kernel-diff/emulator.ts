/**
 * The emulator side of the differential suite: the same case through the public object API, in a
 * fresh {@link Kernel} per case configured with the environment the result is compared against
 * (possible CPUs, kernel version, the kernel config values the case reads, the calling task's
 * uid/gid and comm), running on CPU 0 like the kernel side. Maps are dumped through the emulated bpf() as bpftool does it on the kernel side.
 */
import { readFileSync } from 'node:fs';
import { BpfError, ProgramFaultError } from '../../src/api/errors.js';
import { BpfObject, type BpfObjectMap } from '../../src/api/object.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { implOf } from '../../src/kernel/objects/mapglue.js';
import { RingbufMap } from '../../src/maps/ringbuf.js';
import { mapTypeName } from '../../src/maps/uapi.js';
import { toHex } from '../../src/util/bytes.js';
import type { EngineName } from '../../src/vm/run.js';
import { goldenMapName } from './kernel.js';
import { CTX_OUT_SIZE, DATA_OUT_SIZE, callerComm, dumpModeOf, perCpuType, type CaseDef, type CaseResult, type Env, type MapDump, type MapEntry, type RunDef, type RunResult } from './model.js';

const PROGRAMS = new URL('../../programs/', import.meta.url);

/** Object bytes, read once per file. */
const objects = new Map<string, Uint8Array>();
function objectBytes(name: string): Uint8Array {
  let b = objects.get(name);
  if (b === undefined) {
    b = new Uint8Array(readFileSync(new URL(`${name}.bpf.o`, PROGRAMS)));
    objects.set(name, b);
  }
  return b;
}

function runOne(obj: BpfObject, c: CaseDef, r: RunDef): RunResult {
  const packet = c.kind !== 'syscall' && c.kind !== 'raw_tp';
  const ctx = r.ctx?.slice();
  if (r.user !== undefined) {
    if (ctx === undefined || r.user.offset + 8 > ctx.length) throw new Error(`case ${c.name}: user pointer outside ctx`);
    const addr = obj.kernel.user.alloc(r.user.bytes);
    new DataView(ctx.buffer).setBigUint64(r.user.offset, BigInt(addr), true);
  }
  try {
    const out = obj.program(r.prog).testRun({
      ...(r.data !== undefined ? { dataIn: r.data, dataSizeOut: DATA_OUT_SIZE } : {}),
      ...(ctx !== undefined ? { ctxIn: ctx } : {}),
      ...(packet && ctx !== undefined ? { ctxSizeOut: CTX_OUT_SIZE } : {}),
      ...(packet ? { repeat: 1 } : {}),
    });
    const ctxOut = c.kind === 'raw_tp' ? null : out.ctxOut === null ? null : toHex(out.ctxOut);
    return { prog: r.prog, retval: out.retval, dataOut: out.dataOut === null ? null : toHex(out.dataOut), ctxOut, error: null };
  } catch (e) {
    if (e instanceof ProgramFaultError) return { prog: r.prog, retval: null, dataOut: null, ctxOut: null, error: `fault: ${e.message}` };
    if (e instanceof BpfError) return { prog: r.prog, retval: null, dataOut: null, ctxOut: null, error: e.code };
    throw e;
  }
}

function lookupOrSkip(m: BpfObjectMap, key: Uint8Array): Uint8Array | undefined {
  try {
    return m.lookup(key);
  } catch (e) {
    if (e instanceof BpfError) return undefined; // bpftool prints an error entry, the kernel side drops it
    throw e;
  }
}

function dumpMap(m: BpfObjectMap): MapDump {
  const km = m.kernelMap;
  const type = mapTypeName(km.type);
  const base = { type, keySize: km.keySize, valueSize: km.valueSize, maxEntries: km.maxEntries, flags: km.flags };
  const mode = dumpModeOf(type);
  if (mode === 'none') return { ...base, entries: null };
  if (mode === 'ringbuf') {
    const rb = implOf(km);
    if (!(rb instanceof RingbufMap)) throw new Error(`map ${m.name}: not a ringbuf implementation`);
    return { ...base, entries: rb.drain().map((d) => ({ value: toHex(d) })) };
  }
  const entries: MapEntry[] = [];
  if (mode === 'pop') {
    for (let i = 0; i <= km.maxEntries; i++) {
      const v = m.lookupAndDelete(null);
      if (v === undefined) break;
      entries.push({ value: toHex(v) });
    }
    return { ...base, entries };
  }
  for (const key of m.keys()) {
    if (mode === 'keys') {
      if (lookupOrSkip(m, key) !== undefined) entries.push({ key: toHex(key) });
    } else if (perCpuType(type)) {
      const vs = m.lookupPerCpu(key);
      if (vs !== undefined) entries.push({ key: toHex(key), values: vs.map(toHex) });
    } else {
      const v = m.lookup(key);
      if (v !== undefined) entries.push({ key: toHex(key), value: toHex(v) });
    }
  }
  return { ...base, entries };
}

/**
 * Run a case in a fresh emulated kernel configured for `env`; the raw (not normalised) result.
 * `engine`: the kernel's engine option (unset: the default).
 */
export function runEmulator(c: CaseDef, env: Env, engine?: EngineName): CaseResult {
  const kernel = new Kernel({ nrCpus: env.nrCpus, cpu: 0, version: env.version, task: { uid: env.uid, gid: env.gid, comm: callerComm(c.kind) }, ...(engine !== undefined ? { engine } : {}) });
  const kconfig: Record<string, string> = {};
  for (const k of c.kconfig ?? []) {
    const v = env.kconfig[k];
    if (v !== undefined && v !== 'n') kconfig[k] = v;
  }
  const ksyms = c.ksyms;
  if (ksyms !== undefined) kernel.provide('kallsyms', (name: string): bigint | undefined => ksyms[name]);
  if (c.net !== undefined) {
    for (const d of c.net.devices) kernel.net.addDevice(d);
    kernel.net.setForwarding(c.net.forwarding);
    for (const r of c.net.routes ?? []) kernel.net.addRoute(r);
    for (const nb of c.net.neighbours ?? []) kernel.net.addNeighbour(nb);
    if (c.net.syncookies !== undefined) kernel.sockets.syncookies = c.net.syncookies;
  }
  for (const s of c.sockets ?? []) {
    const protocol = s.kind.startsWith('tcp') ? 'tcp' : 'udp';
    const family = s.kind.endsWith('4') ? 'ipv4' : 'ipv6';
    kernel.sockets.add({ protocol, family, localAddress: s.addr, localPort: s.port, v6only: s.kind === 'tcp6only' });
    if (s.clientPort !== undefined) {
      const pair = { protocol, family, localAddress: s.addr, remoteAddress: s.addr, state: 'established' } as const;
      kernel.sockets.add({ ...pair, localPort: s.clientPort, remotePort: s.port });
      kernel.sockets.add({ ...pair, localPort: s.port, remotePort: s.clientPort });
    }
  }
  const obj = BpfObject.open(objectBytes(c.object), { kernel, name: c.object, kconfig });
  obj.load();
  try {
    for (const w of c.setup ?? []) obj.map(w.map).update(w.key, w.value);
    const runs = c.runs.map((r) => runOne(obj, c, r));
    if (c.settleMs !== undefined) kernel.advance(BigInt(c.settleMs) * 1_000_000n);
    const maps: Record<string, MapDump> = {};
    for (const m of obj.maps) {
      if (m.fd < 0) continue;
      const name = goldenMapName(m.kernelMap.name);
      if (maps[name] !== undefined) throw new Error(`case ${c.name}: two maps are named ${name}`);
      maps[name] = dumpMap(m);
    }
    return { case: c.name, env, runs, maps };
  } finally {
    obj.close();
  }
}
