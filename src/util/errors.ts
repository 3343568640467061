/**
 * Host-side error base class. Every error bpfemu throws on purpose is a subclass with a
 * literal `code` that callers can switch on; messages are lowercase breadcrumbs
 * ("load maps: section .maps: map counters: ...").
 *
 * Guest faults (a BPF program doing something wrong at run time) are *not* errors: they are
 * {@link import('../vm/fault.js').Fault} values returned by a run.
 */
export abstract class BpfemuError<C extends string = string> extends Error {
  abstract readonly code: C;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }

  /** Prefix the message with a breadcrumb, keeping class, code and cause. */
  wrap(context: string): this {
    this.message = `${context}: ${this.message}`;
    return this;
  }
}

/** A bug in bpfemu itself: never a guest result, never an errno. */
export class InternalError extends BpfemuError<'INTERNAL'> {
  readonly code = 'INTERNAL' as const;
}

/** Narrow an unknown caught value to a message for breadcrumbs. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
