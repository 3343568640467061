/**
 * BPF_MAP_TYPE_PROG_ARRAY (kernel/bpf/arraymap.c prog_array_map_ops): slots of programs for
 * bpf_tail_call. User space stores a program by fd and reads back its id; programs can only tail
 * call through it.
 *
 * Every program in one prog array must be compatible with its owner (kernel
 * __bpf_prog_map_compatible): the first program checked against the map - stored in it, or loaded
 * with a reference to it - fixes the owner program type. Extension programs (BPF_PROG_TYPE_EXT) are
 * never allowed.
 *
 * Difference: the kernel empties a prog array when its last user-space reference goes away
 * (map_release_uref); the emulator's maps have one reference count, so slots stay until free().
 */
import { ERRNO } from '../util/errno.js';
import { FdArrayMap } from './fd-array.js';
import { BpfMap, type ResolvedAttr } from './map.js';
import { isProgramLike, type BpfProgramLike, type MapEnv, type ProgOp } from './types.js';
import { BPF_PROG_TYPE_EXT } from './uapi.js';

const { EBADF, EINVAL } = ERRNO;

const OPS: ReadonlySet<ProgOp> = new Set<ProgOp>(['tail_call']);

/** PROG_ARRAY. */
export class ProgArrayMap extends FdArrayMap<BpfProgramLike> {
  readonly progOps = OPS;
  protected readonly sysIdSupported = true;
  /** Program type every member must have (null until the first compatibility check). */
  ownerType: number | null = null;

  constructor(attr: ResolvedAttr, env: MapEnv) {
    super(attr, env);
  }

  /** The program in slot `index` for bpf_tail_call, or null (an empty or out-of-range slot falls through). */
  progAt(index: number): BpfProgramLike | null {
    if (!(index >= 0 && index < this.maxEntries)) return null;
    return this.slots.get(index) ?? null;
  }

  /**
   * bpf_prog_map_compatible: whether `prog` may live in (or tail call through) this map. The first
   * program checked fixes the owner type. The kernel layer calls this for every program it loads that
   * references the map.
   */
  isCompatible(prog: BpfProgramLike): boolean {
    this.checkLive();
    if (prog.type === BPF_PROG_TYPE_EXT) return false;
    if (this.ownerType === null) {
      this.ownerType = prog.type;
      return true;
    }
    return this.ownerType === prog.type;
  }

  /** Store `prog` in slot `index` directly (the loader's static initialisers); 0 or -errno like update. */
  setSlot(index: number, prog: BpfProgramLike): number {
    this.checkLive();
    if (!(index >= 0 && index < this.maxEntries)) return -ERRNO.E2BIG;
    if (!this.isCompatible(prog)) return -EINVAL;
    prog.acquire?.();
    this.replace(index, prog);
    return 0;
  }

  protected getPtr(fd: number): BpfProgramLike | number {
    const obj = this.env.resolveFd?.(fd);
    if (obj === undefined) return -EBADF;
    if (obj instanceof BpfMap || !isProgramLike(obj)) return -EINVAL;
    if (!this.isCompatible(obj)) return -EINVAL;
    obj.acquire?.();
    return obj;
  }

  protected putPtr(prog: BpfProgramLike): void {
    prog.release?.();
  }

  protected sysId(prog: BpfProgramLike): number {
    return prog.id;
  }
}
