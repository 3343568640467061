/** The built-in helper set, assembled from the helper families. */
import type { HelperHost } from './host.js';
import { packetHelpers } from './packet.js';
import type { HelperDef } from './registry.js';

/** Every built-in helper implementation. */
export function builtinHelpers(): HelperDef[] {
  return [...packetHelpers()];
}

/** Services the helpers need in a new kernel (timers, ...). */
export function installHelperServices(host: HelperHost): void {
  void host;
}
