/**
 * The playground's Web Worker: opens objects and runs programs (web/engine.ts) off the page's
 * thread, posting progress every 2^18 instructions of a traced run. The page stops a run by
 * terminating this worker and starting a new one.
 */
import { describeObject, encodeCtx, runProgram, simulateSchedExtSvg, simulateTcpSvg, structOpsAssocDemo } from './engine.js';
import type { FromWorker, ToWorker } from './protocol.js';

interface WorkerScope {
  postMessage(m: FromWorker): void;
  onmessage: ((e: { data: ToWorker }) => void) | null;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const m = e.data;
  try {
    if (m.kind === 'open') scope.postMessage({ kind: 'opened', id: m.id, view: describeObject(m.bytes, m.name) });
    else if (m.kind === 'encode-ctx') scope.postMessage({ kind: 'ctx', id: m.id, ctx: encodeCtx(m.bytes, m.program, m.json) });
    else if (m.kind === 'assoc-demo') scope.postMessage({ kind: 'assoc', id: m.id, steps: structOpsAssocDemo(m.bytes) });
    else if (m.kind === 'sim-sched') {
      const r = simulateSchedExtSvg(m.bytes, m.workload, { ops: m.ops, durationNs: m.durationNs });
      scope.postMessage({ kind: 'sim', id: m.id, svg: r.svg, summary: r.exit });
    } else if (m.kind === 'sim-tcp') {
      const r = simulateTcpSvg(m.bytes, { ops: m.ops, vs: m.vs, bandwidthBps: m.bandwidthBps, rttNs: m.rttNs, durationNs: m.durationNs });
      scope.postMessage({ kind: 'sim', id: m.id, svg: r.svg, summary: r.summary });
    } else scope.postMessage({ kind: 'ran', id: m.id, run: runProgram(m.bytes, m.name, m.input, (executed) => scope.postMessage({ kind: 'progress', id: m.id, executed })) });
  } catch (x) {
    const err = x instanceof Error ? x : new Error(String(x));
    scope.postMessage({ kind: 'error', id: m.id, error: (err as { code?: string }).code ?? err.name, message: err.message });
  }
};
