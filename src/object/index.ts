/** Object spec: a clang `.bpf.o` as programs, maps, externs, struct_ops variables and BTF. */
export * from './errors.js';
export * from './spec.js';
export * from './load.js';
export * from './json.js';
export * from './sections.js';
export * from './uapi.js';
export { internalMapName } from './globals.js';
export { describeAccess } from './corerelo.js';
export * from './listing.js';
