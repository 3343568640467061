import { BpfemuError } from '../util/errors.js';

/** Every reason the ELF reader rejects its input. */
export type ElfErrorCode =
  | 'ELF_TRUNCATED' // a header, table or section lies (partly) beyond the end of the file
  | 'ELF_BAD_MAGIC' // not "\x7fELF"
  | 'ELF_BAD_CLASS' // EI_CLASS is not ELFCLASS64
  | 'ELF_BAD_ENCODING' // EI_DATA is neither LSB nor MSB
  | 'ELF_BAD_VERSION' // EI_VERSION / e_version is not EV_CURRENT
  | 'ELF_BAD_TYPE' // e_type is not ET_REL
  | 'ELF_BAD_MACHINE' // e_machine is not EM_BPF
  | 'ELF_BAD_HEADER' // inconsistent e_ehsize / e_shentsize / e_shnum / e_shstrndx
  | 'ELF_BAD_SECTION' // a section header is inconsistent (link, info, entsize, size, alignment)
  | 'ELF_BAD_STRING' // a name offset outside its string table, or an unterminated string
  | 'ELF_BAD_SYMBOL' // a symbol with an invalid section index or a value >= 2^53
  | 'ELF_BAD_RELOCATION' // a relocation with a bad symbol index or an offset outside its target
  | 'ELF_TOO_LARGE' // a 64-bit field that does not fit in 2^53
  | 'ELF_NOT_FOUND'; // a lookup helper was asked for something that does not exist

/** Error thrown by the ELF reader; `code` says what was wrong, the message where. */
export class ElfError extends BpfemuError<ElfErrorCode> {
  readonly code: ElfErrorCode;

  constructor(code: ElfErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
