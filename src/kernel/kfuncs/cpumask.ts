/**
 * BPF cpumasks (kernel/bpf/cpumask.c, 6.18) and bpf_kptr_xchg (kernel/bpf/helpers.c), which is how
 * a program keeps one: `struct bpf_cpumask { cpumask_t cpumask; refcount_t usage; }` objects in
 * kernel memory, created with a count of 1 by bpf_cpumask_create, counted up by _acquire and down
 * by _release (freed at 0: a later access faults as a use after free), stored into and taken out
 * of a map value's `__kptr` field with bpf_kptr_xchg, and released by the map (the kptr's
 * destructor) when the value is deleted, overwritten or freed.
 *
 * The read-only kfuncs take any `const struct cpumask *` (a bpf_cpumask, p->cpus_ptr, sched_ext's
 * idle masks). As in the kernel, queries look at the first nr_cpu_ids bits only; setall, clear,
 * copy, or and xor work on whole longs (bitmap_fill/zero/copy/or/xor) and `and` masks the last long
 * (bitmap_and); a CPU number >= nr_cpu_ids is ignored by the setters and false for the tests.
 *
 * Not modelled: the verifier's reference tracking of these objects (acquire/release pairing, the
 * kptr's type and RCU rules); a program that leaks a cpumask loads here and the object stays
 * allocated.
 */
import { ProgType } from '../../object/uapi.js';
import type { Kernel } from '../kernel.js';
import type { KfuncCall, KfuncDef } from '../kfuncs.js';
import { Memory, RegionKind } from '../../vm/memory.js';
import type { HelperProto } from '../../helpers/registry.js';
import type { Machine } from '../../vm/machine.js';
import type { BpfMap } from '../../maps/map.js';

/** NR_CPUS of distribution configs (struct cpumask is 8192 bits), unless the kernel has its own. */
const NR_CPUS_BITS = 8192;
/** BPF_FUNC_kptr_xchg. */
const KPTR_XCHG = 194;

/** A live bpf_cpumask. */
interface CpumaskObj {
  readonly region: number;
  readonly bytes: Uint8Array;
  refs: number;
}

/** The cpumask objects of one kernel. */
export class CpumaskTable {
  private readonly byRegion = new Map<number, CpumaskObj>();
  /** Per current CPU: the last CPU cpumask_any_distribute returned. */
  private readonly distPrev = new Map<number, number>();

  constructor(
    private readonly k: Kernel,
    /** sizeof(struct bpf_cpumask) and offsetof(usage). */
    private readonly size: number,
    private readonly usageOff: number,
  ) {}

  /** Live objects (for tests: leaks, counts). */
  get live(): number {
    return this.byRegion.size;
  }

  /** The object at `ptr` (its start), or undefined. */
  at(ptr: bigint): CpumaskObj | undefined {
    const [id, off] = Memory.split(ptr);
    return off === 0 ? this.byRegion.get(id) : undefined;
  }

  create(): bigint {
    const bytes = new Uint8Array(this.size);
    const region = this.k.mem.map(bytes, { kind: RegionKind.KERNEL, perm: 3, label: 'bpf_cpumask', shared: true });
    const o: CpumaskObj = { region, bytes, refs: 1 };
    this.byRegion.set(region, o);
    this.sync(o);
    return Memory.pointer(region, 0);
  }

  acquire(o: CpumaskObj): void {
    o.refs++;
    this.sync(o);
  }

  release(o: CpumaskObj): void {
    if (--o.refs > 0) {
      this.sync(o);
      return;
    }
    this.byRegion.delete(o.region);
    this.k.retireRegion(o.region);
  }

  private sync(o: CpumaskObj): void {
    new DataView(o.bytes.buffer).setInt32(this.usageOff, o.refs, true);
  }

  /** cpumask_any_distribute: the next CPU after the previous answer on this CPU, wrapping. */
  distribute(pick: (from: number) => number, nr: number): number {
    const cur = this.k.cpu;
    const prev = this.distPrev.get(cur) ?? 0; // a per-CPU variable starting at 0: the first answer skips CPU 0
    let next = pick(prev + 1);
    if (next >= nr) next = pick(0);
    if (next < nr) this.distPrev.set(cur, next);
    return next;
  }
}

/** A cpumask argument in guest memory: the longs that hold the first `nr` bits. */
class Mask {
  constructor(
    readonly bytes: Uint8Array,
    readonly nr: number,
  ) {}
  static at(m: Machine, ptr: bigint, nr: number, write: boolean, what: string): Mask {
    const [id, off] = Memory.split(ptr);
    return new Mask(m.bytesAt(id, off, longs(nr) * 8, write, what), nr);
  }
  test(cpu: number): boolean {
    return (this.bytes[cpu >> 3]! & (1 << (cpu & 7))) !== 0;
  }
  set(cpu: number, on: boolean): void {
    if (on) this.bytes[cpu >> 3]! |= 1 << (cpu & 7);
    else this.bytes[cpu >> 3]! &= ~(1 << (cpu & 7));
  }
  /** The first CPU >= from in [0, nr) for which f holds, else nr. */
  find(from: number, f: (cpu: number) => boolean): number {
    for (let c = Math.max(0, from); c < this.nr; c++) if (f(c)) return c;
    return this.nr;
  }
}

const longs = (nr: number): number => Math.ceil(nr / 64);

/**
 * The program types cpumask.c's set reaches: its tracing hook (tracepoint, perf_event, tracing and
 * LSM programs), struct_ops and syscall — measured for the probed types
 * (test/verifier/goldens/helper-availability.json), struct_ops and LSM from the 6.18 sources.
 */
const CPUMASK_PROG_TYPES: readonly number[] = [ProgType.TRACEPOINT, ProgType.PERF_EVENT, ProgType.TRACING, ProgType.LSM, ProgType.STRUCT_OPS, ProgType.SYSCALL];

/** Register struct bpf_cpumask, the bpf_cpumask_* kfuncs and bpf_kptr_xchg into `k`. */
export function installCpumask(k: Kernel): CpumaskTable {
  if (!k.types.structs.has('cpumask')) k.registerStruct({ name: 'cpumask', members: [{ name: 'bits', type: `unsigned long[${NR_CPUS_BITS / 64}]` }] });
  if (!k.types.structs.has('refcount_struct')) k.registerStruct({ name: 'refcount_struct', members: [{ name: 'refs', type: 'int' }] });
  k.registerStruct({ name: 'bpf_cpumask', members: [{ name: 'cpumask', type: 'struct cpumask' }, { name: 'usage', type: 'struct refcount_struct' }] });
  const layout = k.types.structs.get('bpf_cpumask')!;
  const table = new CpumaskTable(k, layout.size, layout.members.find((m) => m.name === 'usage')!.offset);
  const nr = (): number => k.nrCpus;

  const obj = (c: KfuncCall, i: number, name: string): CpumaskObj => {
    const o = table.at(c.args[i]!);
    if (o === undefined) throw c.m.fail('helper', `${name}: arg#${i} 0x${c.args[i]!.toString(16)} is not a live struct bpf_cpumask`);
    return o;
  };
  const mask = (c: KfuncCall, i: number, write: boolean, name: string): Mask => Mask.at(c.m, c.args[i]!, nr(), write, `${name} arg#${i}`);
  const cpuArg = (c: KfuncCall, i: number): number => Number(c.args[i]! & 0xffff_ffffn);
  const B = 'struct bpf_cpumask *';
  const C = 'const struct cpumask *';
  const p = (...xs: [string, string][]): { name: string; type: string }[] => xs.map(([name, type]) => ({ name, type }));
  const setter = (name: string, on: boolean): KfuncDef => ({
    name,
    proto: { ret: 'void', params: p(['cpu', 'u32'], ['cpumask', B]) },
    impl: (c) => {
      const cpu = cpuArg(c, 0);
      if (cpu < nr()) mask(c, 1, true, name).set(cpu, on);
      return 0;
    },
  });
  const testAnd = (name: string, on: boolean): KfuncDef => ({
    name,
    proto: { ret: 'bool', params: p(['cpu', 'u32'], ['cpumask', B]) },
    impl: (c) => {
      const cpu = cpuArg(c, 0);
      if (cpu >= nr()) return 0;
      const m = mask(c, 1, true, name);
      const was = m.test(cpu);
      m.set(cpu, on);
      return was ? 1 : 0;
    },
  });
  const query = (name: string, params: [string, string][], f: (ms: Mask[], c: KfuncCall) => number): KfuncDef => ({
    name,
    proto: { ret: name.startsWith('bpf_cpumask_first') || name.includes('distribute') || name.endsWith('weight') ? 'u32' : 'bool', params: p(...params) },
    impl: (c) => f(params.map((_, i) => mask(c, i, false, name)), c),
  });
  // word-level binary operations into dst (arg 0) from src1, src2
  const binop = (name: string, ret: 'void' | 'bool', op: (a: number, b: number) => number, maskLast: boolean): KfuncDef => ({
    name,
    proto: { ret, params: p(['dst', B], ['src1', C], ['src2', C]) },
    impl: (c) => {
      const d = mask(c, 0, true, name);
      const a = mask(c, 1, false, name).bytes.slice();
      const b = mask(c, 2, false, name).bytes.slice();
      let any = 0;
      for (let i = 0; i < d.bytes.length; i++) {
        let v = op(a[i]!, b[i]!) & 0xff;
        if (maskLast && i * 8 >= nr()) v = 0;
        else if (maskLast && i * 8 + 8 > nr()) v &= (1 << (nr() - i * 8)) - 1;
        d.bytes[i] = v;
        any |= v;
      }
      return ret === 'bool' && any !== 0 ? 1 : 0;
    },
  });
  const all = (m: Mask, f: (cpu: number) => boolean): boolean => m.find(0, (c) => !f(c)) === m.nr;

  const defs: KfuncDef[] = [
    { name: 'bpf_cpumask_create', proto: { ret: B, params: [] }, flags: { acquire: true, retNull: true }, impl: () => table.create() },
    {
      name: 'bpf_cpumask_acquire',
      proto: { ret: B, params: p(['cpumask', B]) },
      flags: { acquire: true, trustedArgs: true },
      impl: (c) => {
        table.acquire(obj(c, 0, 'bpf_cpumask_acquire'));
        return c.args[0]!;
      },
    },
    {
      name: 'bpf_cpumask_release',
      proto: { ret: 'void', params: p(['cpumask', B]) },
      flags: { release: true },
      impl: (c) => {
        table.release(obj(c, 0, 'bpf_cpumask_release'));
        return 0;
      },
    },
    query('bpf_cpumask_first', [['cpumask', C]], ([m]) => m!.find(0, (x) => m!.test(x))),
    query('bpf_cpumask_first_zero', [['cpumask', C]], ([m]) => m!.find(0, (x) => !m!.test(x))),
    query('bpf_cpumask_first_and', [['src1', C], ['src2', C]], ([a, b]) => a!.find(0, (x) => a!.test(x) && b!.test(x))),
    setter('bpf_cpumask_set_cpu', true),
    setter('bpf_cpumask_clear_cpu', false),
    {
      name: 'bpf_cpumask_test_cpu',
      proto: { ret: 'bool', params: p(['cpu', 'u32'], ['cpumask', C]) },
      impl: (c) => {
        const cpu = cpuArg(c, 0);
        return cpu < nr() && mask(c, 1, false, 'bpf_cpumask_test_cpu').test(cpu) ? 1 : 0;
      },
    },
    testAnd('bpf_cpumask_test_and_set_cpu', true),
    testAnd('bpf_cpumask_test_and_clear_cpu', false),
    {
      name: 'bpf_cpumask_setall',
      proto: { ret: 'void', params: p(['cpumask', B]) },
      impl: (c) => {
        mask(c, 0, true, 'bpf_cpumask_setall').bytes.fill(0xff);
        return 0;
      },
    },
    {
      name: 'bpf_cpumask_clear',
      proto: { ret: 'void', params: p(['cpumask', B]) },
      impl: (c) => {
        mask(c, 0, true, 'bpf_cpumask_clear').bytes.fill(0);
        return 0;
      },
    },
    binop('bpf_cpumask_and', 'bool', (a, b) => a & b, true),
    binop('bpf_cpumask_or', 'void', (a, b) => a | b, false),
    binop('bpf_cpumask_xor', 'void', (a, b) => a ^ b, false),
    query('bpf_cpumask_equal', [['src1', C], ['src2', C]], ([a, b]) => (all(a!, (x) => a!.test(x) === b!.test(x)) ? 1 : 0)),
    query('bpf_cpumask_intersects', [['src1', C], ['src2', C]], ([a, b]) => (a!.find(0, (x) => a!.test(x) && b!.test(x)) < nr() ? 1 : 0)),
    query('bpf_cpumask_subset', [['src1', C], ['src2', C]], ([a, b]) => (all(a!, (x) => !a!.test(x) || b!.test(x)) ? 1 : 0)),
    query('bpf_cpumask_empty', [['cpumask', C]], ([m]) => (all(m!, (x) => !m!.test(x)) ? 1 : 0)),
    query('bpf_cpumask_full', [['cpumask', C]], ([m]) => (all(m!, (x) => m!.test(x)) ? 1 : 0)),
    {
      name: 'bpf_cpumask_copy',
      proto: { ret: 'void', params: p(['dst', B], ['src', C]) },
      impl: (c) => {
        mask(c, 0, true, 'bpf_cpumask_copy').bytes.set(mask(c, 1, false, 'bpf_cpumask_copy').bytes.slice());
        return 0;
      },
    },
    query('bpf_cpumask_any_distribute', [['cpumask', C]], ([m]) => table.distribute((from) => m!.find(from, (x) => m!.test(x)), nr())),
    query('bpf_cpumask_any_and_distribute', [['src1', C], ['src2', C]], ([a, b]) => table.distribute((from) => a!.find(from, (x) => a!.test(x) && b!.test(x)), nr())),
    query('bpf_cpumask_weight', [['cpumask', C]], ([m]) => {
      let n = 0;
      for (let x = 0; x < m!.nr; x++) if (m!.test(x)) n++;
      return n;
    }),
    {
      // 6.16+: fill a cpumask from a bitmap of at least cpumask_size() bytes, 8-byte aligned
      name: 'bpf_cpumask_populate',
      proto: { ret: 'int', params: p(['cpumask', 'struct cpumask *'], ['src', 'void *'], ['src__sz', 'size_t']) },
      impl: (c) => {
        const size = Number(c.args[2]!);
        const d = mask(c, 0, true, 'bpf_cpumask_populate');
        if (size < d.bytes.length) return -13;
        if ((Memory.split(c.args[1]!)[1] & 7) !== 0) return -22;
        const s = Mask.at(c.m, c.args[1]!, nr(), false, 'bpf_cpumask_populate src');
        for (let x = 0; x < nr(); x++) d.set(x, s.test(x));
        return 0;
      },
    },
  ];
  // kernel/bpf/cpumask.c (6.18): every kfunc but create, acquire and release is KF_RCU; a socket
  // filter's call is refused (corpus case kfunc-not-allowed-socket)
  const OWN_FLAGS = ['bpf_cpumask_create', 'bpf_cpumask_acquire', 'bpf_cpumask_release'];
  for (const d of defs) {
    const def: KfuncDef = { ...d, progTypes: CPUMASK_PROG_TYPES, ...(OWN_FLAGS.includes(d.name) ? {} : { flags: { ...d.flags, rcu: true } }) };
    if (k.kfuncs.get(def.name) === undefined) k.registerKfunc(def);
  }

  // bpf_kptr_xchg(dst, ptr): the old kptr out of the map value, `ptr` in (both may be NULL)
  // (6.18: ARG_PTR_TO_KPTR, ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE; the result, typed by the kptr
  // field, is an acquired reference: the reference passed in moves into the map)
  const proto: HelperProto = { ret: 'btf_id_or_null', retBtfType: '', acquire: true, args: [{ kind: 'kptr_xchg_dest' }, { kind: 'btf_id', nullable: true, release: true }] };
  k.helpers.register({
    id: KPTR_XCHG,
    name: 'kptr_xchg',
    proto,
    family: 'other',
    fn: (m) => {
      const [id, off] = Memory.split(m.argU64(1));
      const b = m.bytesAt(id, off, 8, true, 'bpf_kptr_xchg dst');
      const dv = new DataView(b.buffer, b.byteOffset, 8);
      const old = dv.getBigUint64(0, true);
      dv.setBigUint64(0, m.argU64(2), true);
      m.setR0Big(old);
    },
  });
  // the kptr's destructor (bpf_cpumask_release_dtor) when the value holding it goes away
  k.onMapValueFree((map: BpfMap, _region: number, value: Uint8Array) => {
    const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
    for (const f of map.specialFields) {
      if (f.kind !== 'kptr' || f.offset + 8 > value.length) continue;
      const o = table.at(dv.getBigUint64(f.offset, true));
      if (o !== undefined) table.release(o);
    }
  });
  k.provide('cpumasks', table);
  return table;
}
