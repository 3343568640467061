import { BpfemuError } from '../util/errors.js';

/**
 * Host-side misuse of the map layer. Guest-visible failures are never thrown: they are `-errno`
 * return values, as the kernel would give them.
 */
export type MapErrorCode =
  | 'MAP_BAD_ARGUMENT' // a key/value/batch buffer of the wrong size, a cpu number out of range, a bad attribute object
  | 'MAP_FREED' // an operation on a map after free()
  | 'MAP_BAD_REGISTRATION' // a registry entry without a valid type number
  | 'MAP_SEGV'; // a user-space access to an arena that would get SIGSEGV (outside the mapping, BPF_F_SEGV_ON_FAULT)

/** Error thrown by the map layer for host bugs; `code` says what was wrong, the message where. */
export class MapError extends BpfemuError<MapErrorCode> {
  readonly code: MapErrorCode;

  constructor(code: MapErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
