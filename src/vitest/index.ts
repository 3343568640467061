/** `bpfemu/vitest`: helpers for vitest suites that test BPF programs (Node only). */
export { installBpfCoverage, writeBpfCoverage, type BpfCoverageOptions } from './coverage.js';
export { bpfMatchers, installBpfMatchers } from './matchers.js';
export { decodePacket, diffPackets, type PacketLayer } from '../util/packet-decode.js';
