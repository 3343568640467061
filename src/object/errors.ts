import { ERRNO } from '../util/errno.js';
import { BpfemuError } from '../util/errors.js';

/** Every reason the object loader rejects an object (ELF and BTF problems keep their own classes). */
export type ObjectErrorCode =
  | 'OBJ_NO_SYMTAB' // no SHT_SYMTAB (a stripped object; libbpf -ENOENT)
  | 'OBJ_BAD_SECTION' // a section of a known role is malformed (code size, version size, BTF type)
  | 'OBJ_UNKNOWN_SECTION' // a program section no SEC() convention matches
  | 'OBJ_BAD_PROGRAM' // a program symbol is misaligned, empty, overlapping, static, or outside its section
  | 'OBJ_BAD_RELOCATION' // a code relocation that cannot be resolved (wrong insn, type, symbol, target)
  | 'OBJ_BAD_SUBPROG' // a bpf-to-bpf call or callback that does not reach a .text subprogram
  | 'OBJ_BAD_MAP_DEF' // a .maps / legacy maps definition or a .rel.maps static initialiser is malformed
  | 'OBJ_NO_BTF' // the object needs BTF (.maps, externs, struct_ops) and has none
  | 'OBJ_BAD_BTF' // the BTF does not describe the object (missing DATASEC, func/line info gaps)
  | 'OBJ_BAD_EXTERN' // an extern symbol without a usable BTF VAR/FUNC, or of an unsupported kind
  | 'OBJ_BAD_STRUCT_OPS' // a struct_ops variable or its relocation breaks libbpf's open-phase rules
  | 'OBJ_BAD_CORE'; // a CO-RE relocation libbpf treats as fatal (ambiguity, malformed record, bad insn)

/**
 * Error thrown by the object loader: `code` says what, `errno` what libbpf would have returned
 * (positive), the message where (`programs: section xdp: relocation 3 at insn 17: ...`).
 */
export class ObjectError extends BpfemuError<ObjectErrorCode> {
  readonly code: ObjectErrorCode;
  readonly errno: number;

  constructor(code: ObjectErrorCode, message: string, options?: { cause?: unknown; errno?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errno = options?.errno ?? DEFAULT_ERRNO[code];
  }
}

/** libbpf's errno per code when the call site does not say otherwise (LIBBPF_ERRNO__FORMAT/RELOC are folded into EINVAL). */
const DEFAULT_ERRNO: Readonly<Record<ObjectErrorCode, number>> = {
  OBJ_NO_SYMTAB: ERRNO.ENOENT,
  OBJ_BAD_SECTION: ERRNO.EINVAL,
  OBJ_UNKNOWN_SECTION: ERRNO.EOPNOTSUPP,
  OBJ_BAD_PROGRAM: ERRNO.EINVAL,
  OBJ_BAD_RELOCATION: ERRNO.EINVAL,
  OBJ_BAD_SUBPROG: ERRNO.EINVAL,
  OBJ_BAD_MAP_DEF: ERRNO.EINVAL,
  OBJ_NO_BTF: ERRNO.ENOENT,
  OBJ_BAD_BTF: ERRNO.ENOENT,
  OBJ_BAD_EXTERN: ERRNO.EINVAL,
  OBJ_BAD_STRUCT_OPS: ERRNO.EINVAL,
  OBJ_BAD_CORE: ERRNO.EINVAL,
};
