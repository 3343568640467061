/** Messages between the playground page (main.ts) and its Web Worker (worker.ts). */
import type { ObjectView, RunInput, RunView } from './engine.js';

export type ToWorker =
  | { readonly kind: 'open'; readonly id: number; readonly bytes: Uint8Array; readonly name: string }
  | { readonly kind: 'run'; readonly id: number; readonly bytes: Uint8Array; readonly name: string; readonly input: RunInput };

export type FromWorker =
  | { readonly kind: 'opened'; readonly id: number; readonly view: ObjectView }
  | { readonly kind: 'ran'; readonly id: number; readonly run: RunView }
  | { readonly kind: 'progress'; readonly id: number; readonly executed: number }
  | { readonly kind: 'error'; readonly id: number; readonly error: string; readonly message: string };
