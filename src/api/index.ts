/** The libbpf-like API. */
export * from './errors.js';
export * from './object.js';
