/**
 * Errors of the emulated kernel layer. Guest-visible failures of bpf() commands are `-errno`
 * return values, never exceptions; these classes are for host misuse (a bad registration, calling
 * an empty struct_ops slot from TypeScript) and for carrying an errno through TypeScript call
 * chains (subsystem callbacks).
 */
import { BpfemuError } from '../util/errors.js';
import { errnoName } from '../util/errno.js';

export type KernelErrorCode =
  | 'BAD_REGISTRATION'
  | 'EMPTY_SLOT'
  | 'NOT_REGISTERED'
  | 'NESTING_LIMIT'
  | 'BAD_STATE'
  /** A KernelOptions value that is not a number of the right kind (NaN, negative, fractional). */
  | 'BAD_OPTION'
  /** kernel.advance() ran KernelOptions.maxTimerCallbacks timer callbacks without reaching its target time. */
  | 'TIMER_LIMIT';

/** Host-side misuse of the kernel API. */
export class KernelError extends BpfemuError<KernelErrorCode> {
  constructor(
    readonly code: KernelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** An errno travelling through TypeScript (e.g. from a struct_ops callback); `errno` is positive. */
export class ErrnoError extends BpfemuError<string> {
  readonly code: string;
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(`${message} (${errnoName(errno)})`);
    this.code = errnoName(errno);
  }
}
