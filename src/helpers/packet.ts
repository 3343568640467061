/** Packet helpers (XDP and skb): implemented with the program-type contexts in kernel/progtypes. */
import type { HelperDef } from './registry.js';

/** The packet helper family. */
export function packetHelpers(): HelperDef[] {
  return [];
}
