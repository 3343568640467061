/** Fixture objects as MemIo files for the object command tests. */
import { readFileSync } from 'node:fs';
import { MemIo } from '../memio.js';

/** A MemIo holding `programs/<name>.bpf.o` for each name, under the same paths. */
export function ioWith(...names: string[]): MemIo {
  const files: Record<string, Uint8Array> = {};
  for (const n of names) files[`programs/${n}.bpf.o`] = new Uint8Array(readFileSync(new URL(`../../../programs/${n}.bpf.o`, import.meta.url)));
  return new MemIo(files);
}
