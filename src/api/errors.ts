/**
 * Errors of the libbpf-like API: a failed kernel call is a {@link BpfError} with the errno (a
 * number) and its symbolic code (`'EBUSY'`), as libbpf returns `-errno`; a guest fault during a
 * test run is a {@link ProgramFaultError} carrying the {@link Fault} (kind, pc, instruction, source).
 */
import { errnoName, type ErrnoCode } from '../util/errno.js';
import { BpfemuError } from '../util/errors.js';
import type { Fault } from '../vm/fault.js';

/** A failed bpf() call or a libbpf-side check. `errno` is positive. */
export class BpfError extends BpfemuError<ErrnoCode> {
  /** The errno's name (`'EINVAL'`, `'ENOENT'`, ...), typed as the union of the names bpfemu knows. */
  readonly code: ErrnoCode;
  constructor(
    readonly errno: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${message}: ${errnoName(errno)}`, options);
    this.code = errnoName(errno);
  }

  /** Throw a BpfError when `ret` is a negative errno; otherwise return it. */
  static check(ret: number, message: string): number {
    if (ret < 0) throw new BpfError(-ret, message);
    return ret;
  }
}

/** A program faulted at run time (out-of-bounds access, budget, ...). */
export class ProgramFaultError extends BpfemuError<'PROGRAM_FAULT'> {
  readonly code = 'PROGRAM_FAULT' as const;
  constructor(readonly fault: Fault) {
    super(fault.toString());
  }
}
