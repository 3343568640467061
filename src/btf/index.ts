/** BTF: type model, parser, queries, encoder/builder, .BTF.ext, datasec fix-up, C printers, CO-RE. */
export * from './kinds.js';
export * from './errors.js';
export * from './types.js';
export * from './strings.js';
export * from './btf.js';
export * from './parse.js';
export * from './encode.js';
export * from './ext.js';
export * from './fixup.js';
export * from './printc.js';
export * from './core.js';
