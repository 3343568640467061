/** Shared by the object commands (inspect, disasm on ELF input, btf): read and load an object. */
import { loadObjectSpec, objectNameFromPath, type ObjectSpec } from '../../object/index.js';
import type { Io } from '../io.js';

/** Load the object at `path` into its spec, naming the object after the file (as libbpf does). */
export function loadObjectFile(io: Io, path: string, bytes: Uint8Array = io.readFile(path)): ObjectSpec {
  const label = path === '-' ? 'stdin' : path;
  try {
    return loadObjectSpec(bytes, { name: path === '-' ? '' : objectNameFromPath(path) });
  } catch (e) {
    if (e instanceof Error && 'wrap' in e && typeof e.wrap === 'function') throw (e as { wrap(c: string): Error }).wrap(label);
    throw e;
  }
}
