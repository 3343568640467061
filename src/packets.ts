/**
 * `bpfemu/packets`: the packet tools alone (no emulator): frame shortcuts, the layered builder,
 * the decoder and diff, pcap files, and the __sk_buff ctx builder. Also exported from `bpfemu`.
 */
export * from './util/packets.js';
export { decodePacket, diffPackets, type PacketLayer } from './util/packet-decode.js';
export { build as buildPacket, PacketBuildError, TCP_FLAGS, type Layer as PacketLayerSpec, type BuildOptions as PacketBuildOptions } from './util/packet-build.js';
export { readPcap, writePcap, isPcap, PcapError, LINKTYPE_ETHERNET, type PcapFile, type PcapPacket, type PcapTimestamp, type WritePcapOptions } from './util/pcap.js';
export { skbCtx, parseSkbCtx, SkbCtxError, SKB_CTX_SIZE, type SkbCtxFields, type SkbCtxView } from './util/skb.js';
