/**
 * Ring buffer helpers (kernel/bpf/ringbuf.c): bpf_ringbuf_output, bpf_ringbuf_reserve,
 * bpf_ringbuf_submit, bpf_ringbuf_discard and bpf_ringbuf_query over RingbufMap.
 *
 * The verifier makes a program release every reservation before it exits and only pass the exact
 * pointer reserve returned to submit/discard; here a wrong pointer faults at the call and a run
 * that ends with a reservation outstanding faults at its end (the reservation is discarded so the
 * ring does not stay blocked).
 *
 * Isolation: a record is part of the reserving run's capabilities until it is submitted or
 * discarded; then its region is unmapped, so a pointer the program kept faults instead of changing
 * what the consumer reads. Another run (another program, a nested run) cannot commit it.
 */
import { RingbufMap, RingbufRecord } from '../maps/ringbuf.js';
import { Fault } from '../vm/fault.js';
import type { Machine } from '../vm/machine.js';
import { flagsArg, mapArg, memArgOrZero, regAddr } from './args.js';
import type { HelperHost } from './host.js';
import type { HelperDef, HelperProto } from './registry.js';

/** runState key: the records this run reserved and has not released, with the pc of each reserve. */
const RESERVED = Symbol('ringbuf reservations');

function ringbufArg(m: Machine, reg: number, helper: string): RingbufMap {
  const map = mapArg(m, reg, helper, 'ringbuf');
  if (!(map instanceof RingbufMap)) throw m.fail('helper', `${helper} r${reg}: map '${map.name || map.id}' is not a ring buffer`);
  return map;
}

function reservations(m: Machine): Map<RingbufRecord, number> {
  let r = m.runState.get(RESERVED) as Map<RingbufRecord, number> | undefined;
  if (r === undefined) m.runState.set(RESERVED, (r = new Map()));
  return r;
}

function output(m: Machine): void {
  const H = 'bpf_ringbuf_output';
  const map = ringbufArg(m, 1, H);
  const size = m.argNum(3);
  const off = memArgOrZero(m, 2, size, false, H, 'data');
  m.setR0Num(map.output(m.mem.bytes(m.hi[2]!), off, size, flagsArg(m, 4)));
}

function reserve(m: Machine): void {
  const map = ringbufArg(m, 1, 'bpf_ringbuf_reserve');
  const flags = m.hi[3] !== 0 || m.lo[3] !== 0 ? 1 : 0;
  const region = map.reserve(m.argNum(2), flags);
  if (region > 0) {
    const rec = map.recordAt(region);
    if (rec !== null) reservations(m).set(rec, m.pc);
    m.grant(region);
  }
  m.setR0(0, region > 0 ? region : 0);
}

function commit(discard: boolean): (m: Machine) => void {
  const H = discard ? 'bpf_ringbuf_discard' : 'bpf_ringbuf_submit';
  return (m) => {
    const id = m.hi[1]!;
    const owner = m.mem.ownerOf(id);
    if (!(owner instanceof RingbufRecord) || !owner.live) {
      throw m.fail('helper', `${H} r1 (data): not a ring buffer reservation that is still open: ${regAddr(m, 1)}`);
    }
    m.argRegionChecked(1, `${H} r1 (data)`);
    if (m.lo[1] !== 0) throw m.fail('helper', `${H} r1 (data): must be the pointer bpf_ringbuf_reserve returned (offset 0), not offset ${m.lo[1]! >>> 0}`);
    owner.map.commit(owner, m.lo[2]! >>> 0, discard);
    reservations(m).delete(owner);
  };
}

function query(m: Machine): void {
  const map = ringbufArg(m, 1, 'bpf_ringbuf_query');
  m.setR0Num(m.hi[2] !== 0 ? 0 : map.query(m.lo[2]! >>> 0));
}

/** Fault a run that left reservations open (the verifier's "Unreleased reference"), discarding them. */
export function ringbufRunEnd(m: Machine, fault: Fault | null): Fault | null {
  const r = m.runState.get(RESERVED) as Map<RingbufRecord, number> | undefined;
  if (r === undefined || r.size === 0) return fault;
  let first: [RingbufRecord, number] | undefined;
  for (const e of r) {
    first ??= e;
    if (e[0].live) e[0].map.commit(e[0], 0, true);
  }
  r.clear();
  if (fault !== null || first === undefined) return fault;
  return new Fault('invalid', first[1], `ring buffer record reserved at pc ${first[1]} in '${first[0].map.name || first[0].map.id}' was neither submitted nor discarded before the program exited`, {
    program: m.prog?.name ?? '?',
  });
}

/** Register the end-of-run check. */
export function installRingbufChecks(host: HelperHost): void {
  host.onRunStateEnd(ringbufRunEnd);
}

/**
 * Verifier prototypes (kernel/bpf/ringbuf.c): reserve takes a constant size (it sizes the returned
 * record) and acquires a reference that submit or discard releases.
 */
const OUTPUT_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'map' }, { kind: 'mem', rdonly: true }, { kind: 'size_or_zero' }, { kind: 'anything' }] };
const RESERVE_PROTO: HelperProto = { ret: 'ringbuf_mem_or_null', args: [{ kind: 'map' }, { kind: 'alloc_size' }, { kind: 'anything' }], retSizeArg: 1, acquire: true };
const COMMIT_PROTO: HelperProto = { ret: 'void', args: [{ kind: 'ringbuf_mem', release: true }, { kind: 'anything' }] };
const QUERY_PROTO: HelperProto = { ret: 'integer', args: [{ kind: 'map' }, { kind: 'anything' }] };

/** The ring buffer family. */
export function ringbufHelpers(): HelperDef[] {
  const family = 'ringbuf';
  return [
    { id: 130, name: 'ringbuf_output', fn: output, proto: OUTPUT_PROTO, family },
    { id: 131, name: 'ringbuf_reserve', fn: reserve, proto: RESERVE_PROTO, family },
    { id: 132, name: 'ringbuf_submit', fn: commit(false), proto: COMMIT_PROTO, family },
    { id: 133, name: 'ringbuf_discard', fn: commit(true), proto: COMMIT_PROTO, family },
    { id: 134, name: 'ringbuf_query', fn: query, proto: QUERY_PROTO, family },
  ];
}
