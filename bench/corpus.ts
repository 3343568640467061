/**
 * The named benchmark corpus: compiled programs from programs/ first (objects.ts), then the
 * assembled hot loops (asm.ts). Names are unique; `--filter REGEX` selects by name.
 */
import { ASM_CASES } from './asm.js';
import type { BenchCase } from './harness.js';
import { OBJECT_CASES } from './objects.js';

/** Every benchmark case, in report order. */
export const CORPUS: readonly BenchCase[] = [...OBJECT_CASES, ...ASM_CASES];

/** The cases whose name matches `filter` (all when undefined). */
export function selectCases(filter: RegExp | undefined): BenchCase[] {
  return CORPUS.filter((c) => filter === undefined || filter.test(c.name));
}
