/** The libbpf-like API. */
export * from './errors.js';
export * from './object.js';
export * from './constants.js';
export { BtfCodec, type TypedValue } from './typed.js';
export { TypedMap } from './typed-views.js';
export * from './coverage.js';
export { RingbufReader, PerfBufferReader } from './events.js';
