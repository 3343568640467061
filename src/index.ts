/** bpfemu public entry point. */
export * from './util/errors.js';
export * from './util/errno.js';
