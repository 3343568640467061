/** The TCP congestion-control subsystem: install it into a kernel, simulate senders, report. */
export { installTcpCc, TcpCcSubsystem, BUILTIN_CC_NAMES, TCP_CA, CA_EVENT, CA_ACK, TCP_CONG_MASK, type RegisteredCc } from './install.js';
export { builtinReno, builtinCubic, bpfCongestionControl, TcpSimError, type CongestionControl, type RateSampleLite } from './cc.js';
export { simulate, type SimConfig, type PathConfig, type FlowConfig, type SimResult, type FlowResult, type FlowSample } from './sim.js';
export { simulateTcp, reportJson, reportCsv, reportSvg, jainIndex, type SimulateTcpOptions, type TcpSimReport, type TcpSummary, type TcpCcChoice } from './report.js';
export { TcpSock } from './sock.js';
