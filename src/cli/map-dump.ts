/**
 * Map contents for the CLI: the JSON forms of `src/api/map-json.ts` (formatted from BTF, or hex),
 * and entries written into a map for `run --map NAME=FILE.json`, its errors as the CLI's INPUT errors.
 */
import type { BpfObjectMap } from '../api/object.js';
import { MapJsonError, seedMap as seedMapJson } from '../api/map-json.js';
import { CliError } from './registry.js';

export { jsonOf, dumpMapHex, dumpMapFormatted } from '../api/map-json.js';

/** Write `entries` into `m` (see the API's seedMap); a bad entry is a CliError naming `what`. */
export function seedMap(m: BpfObjectMap, entries: unknown, what: string): void {
  try {
    seedMapJson(m, entries, what);
  } catch (e) {
    if (e instanceof MapJsonError) throw new CliError('INPUT', e.message);
    throw e;
  }
}
