/** A ready vitest setup file: BPF coverage of every test file into coverage/bpf/ (see coverage.ts). */
import { installBpfCoverage } from './coverage.js';

installBpfCoverage({ dir: process.env.BPFEMU_COVERAGE_DIR ?? 'coverage/bpf', ...(process.env.BPFEMU_COVERAGE_ROOT !== undefined ? { root: process.env.BPFEMU_COVERAGE_ROOT } : {}) });
