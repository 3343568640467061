/**
 * Event readers over a map of an object, as libbpf's ring_buffer and perf_buffer are: records as
 * bytes, or decoded from a BTF type of the object named by the caller (`map.ringbuf().drain('event')`
 * gives `{ pid, comm, ... }` objects; or by any BtfCodec; see api/typed.ts for the JavaScript types).
 */
import type { Btf } from '../btf/btf.js';
import { PerfReader, type PerfEvent, type PerfEventArrayMap } from '../maps/perf.js';
import type { RingbufMap } from '../maps/ringbuf.js';
import { ERRNO } from '../util/errno.js';
import { BpfError } from './errors.js';
import { BtfCodec, type TypedValue } from './typed.js';

/**
 * The codec of records: a codec given by the caller (a type of any BTF: `new BtfCodec(btf, id)`),
 * or the struct, union or typedef `name` in the object's BTF. (clang puts a type in BTF only when a
 * map, global or function signature uses it: a struct only ever used as a local variable, as
 * ringbuf events often are, is not there; declare a global of it, or bring its BTF.)
 */
function recordCodec(btf: Btf | undefined, name: string | BtfCodec, map: string): BtfCodec {
  if (name instanceof BtfCodec) return name;
  if (btf === undefined) throw new BpfError(ERRNO.EINVAL, `map '${map}': the object has no BTF to decode '${name}' records with`);
  const t = btf.findByName(name, 'STRUCT')[0] ?? btf.findByName(name, 'UNION')[0] ?? btf.findByName(name, 'TYPEDEF')[0];
  if (t === undefined) throw new BpfError(ERRNO.ENOENT, `map '${map}': no struct, union or typedef '${name}' in the object's BTF`);
  return new BtfCodec(btf, t.id, `map '${map}' record '${name}'`);
}

/** A ring buffer's consumer (ring_buffer__consume). */
export class RingbufReader {
  constructor(
    private readonly ring: RingbufMap,
    private readonly btf: Btf | undefined,
    private readonly name: string,
  ) {}

  /** Consume every committed record: their bytes, or decoded as struct/typedef `type` of the object's BTF. */
  drain(): Uint8Array[];
  drain<T extends TypedValue = TypedValue>(type: string | BtfCodec): T[];
  drain(type?: string | BtfCodec): Uint8Array[] | TypedValue[] {
    const recs = this.ring.drain();
    if (type === undefined) return recs;
    const c = recordCodec(this.btf, type, this.name);
    return recs.map((r) => c.decode(r.length >= c.size ? r : padded(r, c.size)));
  }
}

/** A perf buffer over a PERF_EVENT_ARRAY (perf_buffer__new): one buffer per CPU, installed now. */
export class PerfBufferReader {
  private readonly reader: PerfReader;

  constructor(
    map: PerfEventArrayMap,
    private readonly btf: Btf | undefined,
    private readonly name: string,
    pageCount = 8,
  ) {
    this.reader = new PerfReader(map, pageCount);
  }

  /** Samples and lost-sample notes written since the last poll, CPU by CPU. */
  poll(): PerfEvent[] {
    return this.reader.poll();
  }

  /** The samples since the last poll decoded as struct/typedef `type` (lost notes are counted in `lost`). */
  drain<T extends TypedValue = TypedValue>(type: string | BtfCodec): { samples: { cpu: number; value: T }[]; lost: number } {
    const c = recordCodec(this.btf, type, this.name);
    const samples: { cpu: number; value: T }[] = [];
    let lost = 0;
    for (const e of this.reader.poll()) {
      if (e.type === 'lost') lost += e.lost;
      else samples.push({ cpu: e.cpu, value: c.decode(e.data.length >= c.size ? e.data : padded(e.data, c.size)) as T });
    }
    return { samples, lost };
  }
}

/** A record shorter than its type (a truncated sample): zero-extended, so decoding never throws on it. */
function padded(b: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n);
  out.set(b);
  return out;
}
