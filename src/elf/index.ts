/** ELF64 reader for BPF objects: constants, errors, parser. */
export * from './constants.js';
export * from './errors.js';
export * from './reader.js';
