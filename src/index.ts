/**
 * bpfemu: an eBPF emulator. The layers, bottom to top:
 * isa (opcodes, decoder, assembler, disassemblers) → elf/btf → object (specs of clang objects) →
 * vm (regions, interpreters) → maps/helpers → kernel (bpf(), struct_ops, program types) → api
 * (libbpf-like objects).
 */
export * from './util/errors.js';
export * from './util/errno.js';
export { toHex, fromHex } from './util/bytes.js';
export * as packets from './util/packets.js';
export { decodePacket, diffPackets, type PacketLayer } from './util/packet-decode.js';
export { build as buildPacket, PacketBuildError, TCP_FLAGS, type Layer as PacketLayerSpec, type BuildOptions as PacketBuildOptions } from './util/packet-build.js';
export { readPcap, writePcap, isPcap, PcapError, LINKTYPE_ETHERNET, type PcapFile, type PcapPacket, type PcapTimestamp, type WritePcapOptions } from './util/pcap.js';
export { skbCtx, parseSkbCtx, SkbCtxError, SKB_CTX_SIZE, type SkbCtxFields, type SkbCtxView } from './util/skb.js';

export { assemble, assembleBytes, AsmError } from './isa/asm.js';
export { disassemble, formatMnemonic } from './isa/disasm.js';
export { formatKernel } from './isa/disasm-kernel.js';
export { decodeProgram, VerifyError, type DecodedProgram } from './isa/decode.js';
export { readInsns, writeInsns, type RawInsn } from './isa/insn.js';
export { OPCODES, lookupSpec } from './isa/opcodes.js';

export * as elf from './elf/index.js';
export { parseBtf } from './btf/parse.js';
export { Btf } from './btf/btf.js';
export { BtfBuilder, encodeBtf } from './btf/encode.js';
export { printC } from './btf/printc.js';
export { BtfError } from './btf/errors.js';

export { loadObjectSpec, safeLoadObjectSpec, specToJSON, ObjectError, type ObjectSpec, type ProgramSpec, type MapSpec, type ExternSpec } from './object/index.js';

export { Memory, RegionKind } from './vm/memory.js';
export { Machine, type ExecProgram, type HelperFn } from './vm/machine.js';
export { Fault, type FaultKind } from './vm/fault.js';
export { runProgram, invokeCallback, type RunResult, type RunOptions } from './vm/run.js';
export { buildExecProgram } from './vm/program.js';

export * as maps from './maps/index.js';
export { HelperRegistry, type HelperDef } from './helpers/registry.js';

export { Kernel, type KernelOptions } from './kernel/kernel.js';
export type { CallMock, MockMemory } from './kernel/mocks.js';
export { Cmd, StructOpsState } from './kernel/syscall/uapi.js';
export { getAssocStructOps, type StructOpsTypeDef, type StructOpsInstance } from './kernel/structops.js';
export type { KfuncDef, KfuncCall } from './kernel/kfuncs.js';
export { fireHook, type HookEvent } from './kernel/progtypes/tracing.js';

export * from './api/index.js';

export * as schedExt from './subsystems/sched_ext/index.js';
export * as tcpCc from './subsystems/tcp_cc/index.js';
export { simulateTcp } from './subsystems/tcp_cc/report.js';
