/** Shared by the object commands (inspect, disasm on ELF input, btf): read and load an object. */
import { loadObjectSpec, objectNameFromPath, type ObjectSpec } from '../../object/index.js';
import { BpfemuError } from '../../util/errors.js';
import type { Io } from '../io.js';

/** Load the object at `path` into its spec, naming the object after the file (as libbpf does). */
export function loadObjectFile(io: Io, path: string, bytes: Uint8Array = io.readFile(path)): ObjectSpec {
  try {
    return loadObjectSpec(bytes, { name: path === '-' ? '' : objectNameFromPath(path) });
  } catch (e) {
    if (e instanceof BpfemuError) throw e.wrap(path === '-' ? 'stdin' : path);
    throw e;
  }
}
