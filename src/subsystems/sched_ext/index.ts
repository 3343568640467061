/**
 * sched_ext: the `sched_ext_ops` struct_ops subsystem of the emulated kernel and its scheduler
 * simulator (see README "sched_ext").
 */
export { simulateSchedExt, openSchedExtSim, summarize, type SchedSimOptions, type SchedSimResult, type SchedSummary, type SchedSim, type WaitStats } from './simulate.js';
export { SchedCore, type ExitInfo, type SimEvent, type Span } from './core.js';
export { installSchedExt, createSchedExtKernel, schedExtKernelOptions, type SchedExtState } from './install.js';
export { parseWorkload, SchedSimError, type Workload, type TaskSpec, type Behavior } from './workload.js';
export { chromeTrace, ganttSvg } from './output.js';
export { ExitKind, niceToScxWeight } from './types.js';
