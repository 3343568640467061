/** Messages between the playground page (main.ts) and its Web Worker (worker.ts). */
import type { AssocStep, ObjectView, RunInput, RunView } from './engine.js';

export type ToWorker =
  | { readonly kind: 'open'; readonly id: number; readonly bytes: Uint8Array; readonly name: string }
  | { readonly kind: 'run'; readonly id: number; readonly bytes: Uint8Array; readonly name: string; readonly input: RunInput }
  | { readonly kind: 'encode-ctx'; readonly id: number; readonly bytes: Uint8Array; readonly program: string; readonly json: unknown }
  | { readonly kind: 'assoc-demo'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly kind: 'sim-sched'; readonly id: number; readonly bytes: Uint8Array; readonly workload: unknown; readonly ops: string; readonly durationNs: number }
  | { readonly kind: 'sim-tcp'; readonly id: number; readonly bytes: Uint8Array; readonly ops: string; readonly vs: 'reno' | 'cubic' | 'none'; readonly bandwidthBps: number; readonly rttNs: number; readonly durationNs: number };

export type FromWorker =
  | { readonly kind: 'opened'; readonly id: number; readonly view: ObjectView }
  | { readonly kind: 'ran'; readonly id: number; readonly run: RunView }
  | { readonly kind: 'ctx'; readonly id: number; readonly ctx: Uint8Array }
  | { readonly kind: 'assoc'; readonly id: number; readonly steps: readonly AssocStep[] }
  | { readonly kind: 'sim'; readonly id: number; readonly svg: string; readonly summary: string }
  | { readonly kind: 'progress'; readonly id: number; readonly executed: number }
  | { readonly kind: 'error'; readonly id: number; readonly error: string; readonly message: string };
