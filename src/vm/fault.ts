/**
 * Guest faults: what a BPF program did wrong at run time. A fault is a value returned by a run,
 * never a thrown JS error (the run loop rethrows anything that is not a fault, so a host bug never
 * becomes a guest result).
 */

/** Fault kinds. */
export type FaultKind =
  /** Access outside a region's bounds. */
  | 'out_of_bounds'
  /** Access to an address no region covers (NULL, scalars, freed memory). */
  | 'unmapped'
  /** Write to a read-only region (e.g. frozen `.rodata`). */
  | 'read_only'
  /** Read from a region that may not be read (e.g. a map handle). */
  | 'not_readable'
  /**
   * Access to a region that exists but is outside the run's capabilities (another program's map or
   * stack, a record already submitted elsewhere, memory no helper gave this run).
   */
  | 'foreign_region'
  /** Access a ctx field that cannot be read/written that way (kernel ctx access rules). */
  | 'bad_ctx_access'
  /** More instructions (and helper costs) than the run's budget. */
  | 'budget_exceeded'
  /** The run took longer than its wall-clock limit (runTimeoutMs). */
  | 'run_timeout'
  /** More than the kernel's 8 call frames. */
  | 'call_depth'
  /** callx/helper id with no implementation. */
  | 'unknown_helper'
  /** A helper or kfunc rejected its arguments or failed. */
  | 'helper'
  /** An instruction the loader poisoned (unsatisfiable CO-RE relocation). */
  | 'poisoned'
  /** Invalid operation reached at run time (e.g. misuse of a spin lock). */
  | 'invalid';

/** A guest fault with the location it happened at. */
export class Fault {
  constructor(
    readonly kind: FaultKind,
    /** The pc of the faulting instruction. */
    readonly pc: number,
    /** What went wrong, lowercase, without the location. */
    readonly detail: string,
    readonly extra: {
      /** Guest address of the access, if any. */
      readonly address?: bigint;
      /** Access size in bytes. */
      readonly size?: number;
      /** 'read' or 'write'. */
      readonly access?: 'read' | 'write';
      /** Description of the region involved. */
      readonly region?: string;
      /** Program name. */
      readonly program?: string;
      /** The instruction in kernel syntax. */
      readonly insn?: string;
      /** `file.c:12` when BTF line info exists. */
      readonly source?: string;
      /** The source line text, when BTF line info has it. */
      readonly sourceText?: string;
    } = {},
  ) {}

  get address(): bigint | undefined {
    return this.extra.address;
  }
  get size(): number | undefined {
    return this.extra.size;
  }
  get region(): string | undefined {
    return this.extra.region;
  }

  /** A copy with more location details (the program layer adds insn text and source). */
  with(extra: Fault['extra']): Fault {
    return new Fault(this.kind, this.pc, this.detail, { ...this.extra, ...extra });
  }

  /** One-line description: `out_of_bounds at pc 12 (r0 = *(u32 *)(r1 + 8)) prog.c:40: read of 4 bytes ...`. */
  toString(): string {
    const e = this.extra;
    const where = [`pc ${this.pc}`];
    if (e.program !== undefined) where.unshift(`program ${e.program}`);
    let s = `${this.kind} at ${where.join(' ')}`;
    if (e.insn !== undefined) s += ` (${e.insn})`;
    if (e.source !== undefined) s += ` ${e.source}`;
    s += `: ${this.detail}`;
    if (e.sourceText !== undefined) s += `\n    ${e.sourceText.trim()}`;
    return s;
  }
}

/** Whether a caught value is a guest fault. */
export function isFault(x: unknown): x is Fault {
  return x instanceof Fault;
}
