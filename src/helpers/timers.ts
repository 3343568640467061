/**
 * BPF timers (kernel/bpf/helpers.c): bpf_timer_init, bpf_timer_set_callback, bpf_timer_start and
 * bpf_timer_cancel on the `struct bpf_timer` field of an ARRAY, HASH or LRU_HASH value, fired by
 * the host's virtual clock through {@link BpfTimerService} (the 'timers' service).
 *
 * Life of a timer, as in the kernel:
 *
 *   init ──> set_callback (holds the program) ──> start (armed) ──> deadline passes: callback runs
 *     │          │                                   │                 (disarmed first; it may re-arm)
 *     │          └── cancel: drops the program, disarms, returns 1 if it was armed (0 if not)
 *     └── the element is deleted/overwritten, the map freed or its last user-space reference
 *         dropped (map_release_uref): the timer is cancelled, its program released, and it is gone
 *
 * Errnos: init -EINVAL (flags >= MAX_CLOCKS or a clock other than REALTIME/MONOTONIC/BOOTTIME),
 * -EBUSY (already initialised), -EPERM (the map has no user-space reference); set_callback -EINVAL
 * (not initialised), -EPERM (no user-space reference); start -EINVAL (flags other than
 * BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN, not initialised, or no callback set); cancel -EINVAL (not
 * initialised), -EDEADLK (from the timer's own callback).
 *
 * Time: deadlines are kept on CLOCK_MONOTONIC; a BOOTTIME or REALTIME timer's deadline is converted
 * with the clocks' offset at start time (the emulated clocks never jump). Due timers fire in
 * deadline order, ties in the order they were started. A callback runs as a run of the program
 * that set it (same program, its own stack) with (map, key, value), on the CPU the timer was
 * started on; the program reference is held from set_callback until cancel/free, as the kernel
 * does (not only while armed), so a program whose fds are all closed keeps firing.
 */
import type { BpfMap } from '../maps/map.js';
import { BPF_MAP_TYPE } from '../maps/uapi.js';
import { MapValueRef } from '../maps/types.js';
import { ERRNO } from '../util/errno.js';
import type { Fault } from '../vm/fault.js';
import type { Machine } from '../vm/machine.js';
import { Memory, PERM_R, RegionKind } from '../vm/memory.js';
import { callbackArg, mapArg, regAddr } from './args.js';
import { hostOf, type HelperHost, type TimerService } from './host.js';
import { STRICT_TRACING_TYPES, allTypesExcept } from './progtypes.js';
import type { HelperDef, HelperProto } from './registry.js';
import { realtimeNs } from './time.js';

const { EINVAL, EBUSY, EPERM, EDEADLK } = ERRNO;

/** enum bpf_timer flags (uapi bpf.h): the expiry is absolute time on the timer's clock. */
export const BPF_F_TIMER_ABS = 1 << 0;
/** enum bpf_timer flags: run the callback on the CPU that started the timer. */
export const BPF_F_TIMER_CPU_PIN = 1 << 1;
/** Clock ids (include/uapi/linux/time.h) and MAX_CLOCKS. */
export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_BOOTTIME = 7;
export const MAX_CLOCKS = 16;
/** KTIME_MAX: the latest expiry hrtimers represent. */
const KTIME_MAX = (1n << 63n) - 1n;

/** One initialised bpf_timer (the kernel's struct bpf_hrtimer). */
export class BpfTimer {
  /** The program holding the callback (a reference is held), or null. */
  prog: unknown = null;
  /** First instruction of the callback, -1 when none is set. */
  callbackPc = -1;
  armed = false;
  /** Expiry on CLOCK_MONOTONIC (ns) while armed. */
  deadline = 0n;
  /** Start order, for ties. */
  seq = 0;
  /** CPU the timer was started on. */
  cpu = 0;
  /** Callbacks run so far. */
  fired = 0;

  constructor(
    readonly map: BpfMap,
    /** The map value's region and its owner (identity check: region ids are reused). */
    readonly region: number,
    readonly ref: MapValueRef,
    /** Offset of the bpf_timer field in the value. */
    readonly offset: number,
    readonly clock: number,
    /** The element's key, as the callback receives it. */
    readonly key: Uint8Array,
  ) {}
}

/** The current time of `clock`, in ns. */
function clockNow(host: HelperHost, clock: number): bigint {
  if (clock === CLOCK_BOOTTIME) return host.bootNs();
  if (clock === CLOCK_REALTIME) return realtimeNs(host);
  return host.monotonicNs();
}

/** The timers of one emulated kernel; fires them when the host's clock advances. */
export class BpfTimerService implements TimerService {
  private readonly timers = new Map<string, BpfTimer>();
  /** The timer whose callback is running (the kernel's per-CPU hrtimer_running). */
  private running: BpfTimer | null = null;
  private seq = 0;
  /** Faults of timer callbacks, in firing order (a callback's run has no caller to report to). */
  readonly faults: Fault[] = [];

  constructor(private readonly mem: Memory) {}

  /** The timer at `offset` of value region `region`, if initialised and still that value's. */
  get(region: number, offset: number): BpfTimer | undefined {
    const t = this.timers.get(`${region}:${offset}`);
    if (t !== undefined && (this.mem.ownerOf(region) !== t.ref || !t.ref.alive)) {
      this.free(t);
      return undefined;
    }
    return t;
  }

  /** Every initialised timer. */
  all(): BpfTimer[] {
    return [...this.timers.values()];
  }

  /** Armed timers, earliest first. */
  armed(): BpfTimer[] {
    return this.all()
      .filter((t) => t.armed)
      .sort((a, b) => (a.deadline < b.deadline ? -1 : a.deadline > b.deadline ? 1 : a.seq - b.seq));
  }

  /** Add a timer (bpf_timer_init after its checks). */
  add(t: BpfTimer): void {
    this.timers.set(`${t.region}:${t.offset}`, t);
  }

  /** Arm `t` to expire at `deadline` (CLOCK_MONOTONIC ns) on `cpu`. */
  arm(t: BpfTimer, deadline: bigint, cpu: number): void {
    t.armed = true;
    t.deadline = deadline;
    t.seq = ++this.seq;
    t.cpu = cpu;
  }

  /** Whether `t`'s callback is the one running now. */
  isRunning(t: BpfTimer): boolean {
    return this.running === t;
  }

  /** Drop `t`'s program reference and callback (drop_prog_refcnt). */
  dropProg(host: HelperHost, t: BpfTimer): void {
    const p = t.prog;
    t.prog = null;
    t.callbackPc = -1;
    if (p !== null) host.releaseProgram(p);
  }

  /** bpf_timer_cancel_and_free: disarm, release the program, forget the timer. */
  free(t: BpfTimer, host?: HelperHost): void {
    if (this.timers.get(`${t.region}:${t.offset}`) === t) this.timers.delete(`${t.region}:${t.offset}`);
    t.armed = false;
    if (host !== undefined) this.dropProg(host, t);
    else if (t.prog !== null) {
      this.pendingRelease.push(t.prog);
      t.prog = null;
      t.callbackPc = -1;
    }
  }

  /** Program references of timers freed without a host at hand, released at the next host call. */
  private readonly pendingRelease: unknown[] = [];

  private flush(host: HelperHost): void {
    while (this.pendingRelease.length > 0) host.releaseProgram(this.pendingRelease.pop());
  }

  /** A map value is being freed or overwritten: free its timers. */
  valueFreed(host: HelperHost, region: number): void {
    for (const t of this.all()) if (t.region === region) this.free(t, host);
  }

  /** A map lost its last user-space reference (or was freed): free all its timers. */
  mapReleased(host: HelperHost, map: BpfMap): void {
    for (const t of this.all()) if (t.map === map) this.free(t, host);
  }

  /** TimerService.fireDue: run the earliest timer due at or before `until` (with `peek`: only say whether there is one). */
  fireDue(host: HelperHost, until: bigint, peek = false): boolean {
    this.flush(host);
    let next: BpfTimer | undefined;
    for (const t of this.timers.values()) {
      if (!t.armed || t.deadline > until) continue;
      if (next === undefined || t.deadline < next.deadline || (t.deadline === next.deadline && t.seq < next.seq)) next = t;
    }
    if (next === undefined) return false;
    if (peek) return true;
    const t = next;
    host.setMonotonicNs(t.deadline);
    t.armed = false;
    if (this.get(t.region, t.offset) !== t || t.map.freed) {
      this.free(t, host);
      return true;
    }
    if (t.prog === null || t.callbackPc < 0) return true;
    const mem = this.mem;
    const keyRegion = mem.map(t.key.slice(), { kind: RegionKind.OTHER, perm: PERM_R, label: `timer key of ${t.map.name || t.map.id}` });
    const savedCpu = host.cpu;
    host.cpu = t.cpu;
    this.running = t;
    try {
      t.fired++;
      const r = host.runCallback(t.prog, t.callbackPc, [Memory.pointer(t.map.handleRegion, 0), Memory.pointer(keyRegion, 0), Memory.pointer(t.region, 0)]);
      if (r.fault !== null) this.faults.push(r.fault);
    } finally {
      this.running = null;
      host.cpu = savedCpu;
      mem.unmap(keyRegion);
    }
    this.flush(host);
    return true;
  }
}

/** The timer service of the run's host (installed by installHelperServices). */
function serviceOf(m: Machine): BpfTimerService {
  const s = hostOf(m).service<BpfTimerService>('timers');
  if (!(s instanceof BpfTimerService)) throw new Error('bpf timer helpers need the timer service (installHelperServices)');
  return s;
}

/** ARG_PTR_TO_TIMER: the bpf_timer field of a map value. */
function timerArg(m: Machine, helper: string): { ref: MapValueRef; region: number; offset: number } {
  const id = m.hi[1]!;
  const offset = m.lo[1]! >>> 0;
  const mem = m.mem;
  const ref = mem.kindOf(id) === RegionKind.MAP_VALUE ? mem.ownerOf(id) : undefined;
  if (!(ref instanceof MapValueRef) || !ref.map.specialFields.some((f) => f.kind === 'timer' && f.offset === offset)) {
    throw m.fail('helper', `${helper} r1 (timer): not the bpf_timer field of a map value: ${regAddr(m, 1)}`);
  }
  m.argRegionChecked(1, `${helper} r1 (timer)`);
  return { ref, region: id, offset };
}

/** Whether the map still has user-space references (maps with timers must be held or pinned). */
function userHeld(host: HelperHost, map: BpfMap): boolean {
  return host.mapUserRefs === undefined || host.mapUserRefs(map) > 0;
}

/** The key of the element whose value is `region` (arrays: the index; hashes: looked up). */
function keyOf(m: Machine, ref: MapValueRef, region: number): Uint8Array {
  const map = ref.map;
  const key = new Uint8Array(map.keySize);
  if (map.type === BPF_MAP_TYPE.ARRAY) {
    new DataView(key.buffer).setUint32(0, ref.elem, true);
    return key;
  }
  map.forEachFromProg(
    (kb, ko, vr) => {
      if (vr !== region) return false;
      key.set(kb.subarray(ko, ko + map.keySize));
      return true;
    },
    0,
    hostOf(m).currentCpu(),
  );
  return key;
}

function timerInit(m: Machine): void {
  const H = 'bpf_timer_init';
  const { ref, region, offset } = timerArg(m, H);
  const map = mapArg(m, 2, H);
  if (map !== ref.map) throw m.fail('helper', `${H}: the timer in r1 belongs to map '${ref.map.name || ref.map.id}', r2 is map '${map.name || map.id}'`);
  const flags = m.argU64(3);
  const clock = Number(flags & BigInt(MAX_CLOCKS - 1));
  if (flags >= BigInt(MAX_CLOCKS) || (clock !== CLOCK_MONOTONIC && clock !== CLOCK_REALTIME && clock !== CLOCK_BOOTTIME)) {
    m.setR0Num(-EINVAL);
    return;
  }
  const svc = serviceOf(m);
  if (svc.get(region, offset) !== undefined) {
    m.setR0Num(-EBUSY);
    return;
  }
  if (!userHeld(hostOf(m), map)) {
    m.setR0Num(-EPERM);
    return;
  }
  svc.add(new BpfTimer(map, region, ref, offset, clock, keyOf(m, ref, region)));
  m.setR0(0, 0);
}

function timerSetCallback(m: Machine): void {
  const H = 'bpf_timer_set_callback';
  const { region, offset } = timerArg(m, H);
  const cb = callbackArg(m, 2, H);
  const host = hostOf(m);
  const t = serviceOf(m).get(region, offset);
  if (t === undefined) return void m.setR0Num(-EINVAL);
  if (!userHeld(host, t.map)) return void m.setR0Num(-EPERM);
  if (t.prog !== cb.owner) {
    host.holdProgram(cb.owner);
    const prev = t.prog;
    t.prog = cb.owner;
    if (prev !== null) host.releaseProgram(prev);
  }
  t.callbackPc = cb.pc;
  m.setR0(0, 0);
}

function timerStart(m: Machine): void {
  const H = 'bpf_timer_start';
  const { region, offset } = timerArg(m, H);
  if (m.hi[3] !== 0 || (m.lo[3]! & ~(BPF_F_TIMER_ABS | BPF_F_TIMER_CPU_PIN)) !== 0) return void m.setR0Num(-EINVAL);
  const svc = serviceOf(m);
  const t = svc.get(region, offset);
  if (t === undefined || t.prog === null) return void m.setR0Num(-EINVAL);
  const host = hostOf(m);
  const nsecs = m.argS64(2);
  const now = clockNow(host, t.clock);
  let expiry = (m.lo[3]! & BPF_F_TIMER_ABS) !== 0 ? nsecs : now + nsecs;
  if (expiry > KTIME_MAX) expiry = KTIME_MAX;
  // to CLOCK_MONOTONIC
  svc.arm(t, expiry - (now - host.monotonicNs()), host.currentCpu());
  m.setR0(0, 0);
}

function timerCancel(m: Machine): void {
  const H = 'bpf_timer_cancel';
  const { region, offset } = timerArg(m, H);
  const svc = serviceOf(m);
  const t = svc.get(region, offset);
  if (t === undefined) return void m.setR0Num(-EINVAL);
  if (svc.isRunning(t)) return void m.setR0Num(-EDEADLK);
  svc.dropProg(hostOf(m), t);
  const was = t.armed;
  t.armed = false;
  m.setR0Num(was ? 1 : 0);
}

/** Install the timer service and its map hooks into a host. */
export function installTimers(host: HelperHost): BpfTimerService {
  const svc = new BpfTimerService(host.mem);
  host.provide('timers', svc);
  host.onMapValueFree((_map, region) => svc.valueFreed(host, region));
  host.onMapUrefRelease?.((map) => svc.mapReleased(host, map));
  return svc;
}

/** is_tracing_prog_type programs may not use maps holding a bpf_timer (check_map_prog_compatibility). */
const TIMER_TYPES = allTypesExcept(STRICT_TRACING_TYPES);

/**
 * Verifier prototypes (kernel/bpf/helpers.c): the timer argument is a map value's bpf_timer field;
 * bpf_timer_init also takes the map (it must be the timer's own map); the callback of
 * bpf_timer_set_callback runs asynchronously and must return 0.
 */
const TIMER = { kind: 'timer' } as const;
const ANY = { kind: 'anything' } as const;
const TIMER_PROTOS = {
  init: { ret: 'integer', args: [TIMER, { kind: 'map' }, ANY] },
  setCallback: { ret: 'integer', args: [TIMER, { kind: 'func' }], callback: { arg: 1, retRange: [0, 0] } },
  start: { ret: 'integer', args: [TIMER, ANY, ANY] },
  cancel: { ret: 'integer', args: [TIMER] },
} as const satisfies Record<string, HelperProto>;

/** The timer family. */
export function timerHelpers(): HelperDef[] {
  const family = 'timers';
  return [
    { id: 169, name: 'timer_init', fn: timerInit, gplOnly: true, progTypes: TIMER_TYPES, proto: TIMER_PROTOS.init, family },
    { id: 170, name: 'timer_set_callback', fn: timerSetCallback, gplOnly: true, progTypes: TIMER_TYPES, proto: TIMER_PROTOS.setCallback, family },
    { id: 171, name: 'timer_start', fn: timerStart, gplOnly: true, progTypes: TIMER_TYPES, proto: TIMER_PROTOS.start, family },
    { id: 172, name: 'timer_cancel', fn: timerCancel, gplOnly: true, progTypes: TIMER_TYPES, proto: TIMER_PROTOS.cancel, family },
  ];
}
