import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The committed BPF fixtures: programs/SHA256SUMS must describe exactly the
 * sources, headers and objects in programs/, so that editing a .bpf.c without
 * rerunning programs/build.sh (or committing a stale object) fails here even on
 * machines without clang. Byte-for-byte reproducibility of the objects is
 * checked separately by `programs/build.sh --check`, which needs clang-19.
 */

const PROGRAMS = new URL('../../programs/', import.meta.url);

function programsFile(path: string): Buffer {
  return readFileSync(new URL(path, PROGRAMS));
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

interface SumEntry {
  readonly hash: string;
  readonly path: string;
}

/** Parses `sha256sum` output: "<64 hex digits>  <relative path>" per line. */
function parseSums(text: string): SumEntry[] {
  const entries: SumEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^([0-9a-f]{64}) {2}([A-Za-z0-9_./-]+)$/.exec(line);
    if (!m) throw new Error(`SHA256SUMS: malformed line ${JSON.stringify(line)}`);
    entries.push({ hash: m[1]!, path: m[2]! });
  }
  return entries;
}

/** The files build.sh hashes: *.bpf.c, include/*.h and *.bpf.o. */
function expectedPaths(): string[] {
  const top = readdirSync(PROGRAMS).filter((f) => f.endsWith('.bpf.c') || f.endsWith('.bpf.o'));
  const headers = readdirSync(new URL('include/', PROGRAMS))
    .filter((f) => f.endsWith('.h'))
    .map((f) => `include/${f}`);
  return [...top, ...headers].sort();
}

const sums = parseSums(programsFile('SHA256SUMS').toString('utf8'));

describe('programs/SHA256SUMS', () => {
  it('lists sources, headers and objects, each once, without path escapes', () => {
    expect(sums.length).toBeGreaterThan(0);
    const paths = sums.map((e) => e.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const p of paths) {
      expect(p.startsWith('/')).toBe(false);
      expect(p.split('/')).not.toContain('..');
    }
    expect(paths.some((p) => p.endsWith('.bpf.c'))).toBe(true);
    expect(paths.some((p) => p.endsWith('.bpf.o'))).toBe(true);
  });

  it.each(sums.map((e) => [e.path, e.hash] as const))('%s matches its SHA-256', (path, hash) => {
    expect(existsSync(new URL(path, PROGRAMS))).toBe(true);
    expect(sha256(programsFile(path))).toBe(hash);
  });

  it('covers every fixture file present (rerun programs/build.sh after adding one)', () => {
    expect(sums.map((e) => e.path).sort()).toEqual(expectedPaths());
  });
});

describe('programs/*.bpf.o', () => {
  const sources = readdirSync(PROGRAMS).filter((f) => f.endsWith('.bpf.c'));
  const objects = readdirSync(PROGRAMS).filter((f) => f.endsWith('.bpf.o'));

  it.each(sources)('%s has a committed object', (src) => {
    expect(objects).toContain(src.replace(/\.c$/, '.o'));
  });

  it.each(objects)('%s is an ELF64 relocatable object for EM_BPF', (obj) => {
    const b = programsFile(obj);
    expect([...b.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(b[4]).toBe(2); // ELFCLASS64
    const little = b[5] === 1;
    expect(little || b[5] === 2).toBe(true);
    const u16 = (off: number): number => (little ? b.readUInt16LE(off) : b.readUInt16BE(off));
    expect(u16(16)).toBe(1); // ET_REL
    expect(u16(18)).toBe(247); // EM_BPF
    // Only the -target bpfeb build is big-endian.
    expect(little).toBe(!obj.endsWith('_be.bpf.o'));
  });
});
