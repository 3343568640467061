import { BpfemuError } from '../util/errors.js';

/** Every reason the BTF layer rejects input or a query. */
export type BtfErrorCode =
  | 'BTF_TRUNCATED' // header, section or record beyond the end of the blob
  | 'BTF_BAD_MAGIC' // magic is not 0xeb9f in either byte order
  | 'BTF_BAD_HEADER' // version, flags, hdr_len, section offsets/lengths
  | 'BTF_BAD_TYPE' // a type record is malformed (kind, info bits, vlen, size, int encoding...)
  | 'BTF_BAD_STRING' // a string offset outside the string section, or a bad string section
  | 'BTF_BAD_ID' // a type id out of range, or of the wrong kind where a kind is required
  | 'BTF_LOOP' // a reference cycle (typedef/modifier/pointer/array chain loops)
  | 'BTF_TOO_DEEP' // a reference chain or nesting deeper than MAX_RESOLVE_DEPTH
  | 'BTF_NO_SIZE' // sizeof/alignof of a type without a size (void, fwd, func...)
  | 'BTF_NOT_FOUND' // a lookup by name found nothing
  | 'BTF_BAD_EXT' // .BTF.ext header or records are malformed
  | 'BTF_FIXUP'; // btf_fixup_datasec could not find a section size or symbol

/** Error thrown by the BTF layer; `code` says what was wrong, the message names type id and kind. */
export class BtfError extends BpfemuError<BtfErrorCode> {
  readonly code: BtfErrorCode;

  constructor(code: BtfErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
