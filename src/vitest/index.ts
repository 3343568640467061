/** `bpfemu/vitest`: helpers for vitest suites that test BPF programs (Node only). */
export { installBpfCoverage, writeBpfCoverage, type BpfCoverageOptions } from './coverage.js';
