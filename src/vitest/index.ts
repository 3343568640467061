/** `bpfemu/vitest`: helpers for vitest suites that test BPF programs (Node only). */
export { installBpfCoverage, writeBpfCoverage, type BpfCoverageOptions } from './coverage.js';
export { bpfMatchers, installBpfMatchers } from './matchers.js';
export { decodePacket, diffPackets, type PacketLayer } from '../util/packet-decode.js';
export { build as buildPacket, PacketBuildError, type Layer as PacketLayerSpec } from '../util/packet-build.js';
export { readPcap, writePcap, PcapError } from '../util/pcap.js';
export { skbCtx, parseSkbCtx } from '../util/skb.js';
