/** The built-in helper set, assembled from the helper families. */
import type { HelperDef } from './registry.js';

/** Every built-in helper implementation. */
export function builtinHelpers(): HelperDef[] {
  return [];
}
