/** The libbpf-like API. */
export * from './errors.js';
export * from './object.js';
export * from './constants.js';
export { BtfCodec, type TypedValue } from './typed.js';
export { TypedMap } from './typed-views.js';
export * from './coverage.js';
export { RingbufReader, PerfBufferReader } from './events.js';
export * from './views.js';
export { TraceRecorder, describeValue, type TraceStep, type TraceRecorderOptions } from './trace-record.js';
export { dumpMapFormatted, dumpMapHex, seedMap, jsonOf, MapJsonError, type Json } from './map-json.js';
