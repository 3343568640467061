/**
 * The CLI's window on the host: files, stdin/stdout/stderr. Commands only use this interface, so
 * tests can run them in-process with an in-memory implementation; {@link nodeIo} is the real one
 * (the only code in bpfemu that touches `fs` and `process`).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './registry.js';

/** Host I/O used by commands. */
export interface Io {
  /** Write text or bytes to stdout. */
  out(data: string | Uint8Array): void;
  /** Write text to stderr. */
  err(text: string): void;
  /** Read a file; `-` is stdin. */
  readFile(path: string): Uint8Array;
  writeFile(path: string, data: Uint8Array): void;
  isDirectory(path: string): boolean;
  /** Entries of a directory, as joined paths, sorted. */
  listDir(path: string): string[];
}

/** The real I/O of a Node process. */
export function nodeIo(): Io {
  return {
    out: (data) => {
      process.stdout.write(data);
    },
    err: (text) => {
      process.stderr.write(text);
    },
    readFile: (path) => host(path, () => new Uint8Array(readFileSync(path === '-' ? 0 : path))),
    writeFile: (path, data) => host(path, () => writeFileSync(path, data)),
    isDirectory: (path) => host(path, () => statSync(path).isDirectory()),
    listDir: (path) =>
      host(path, () =>
        readdirSync(path)
          .sort()
          .map((n) => join(path, n)),
      ),
  };
}

/** Run a file-system call, turning its failure into a CliError naming the path. */
function host<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const words: Record<string, string> = { ENOENT: 'no such file or directory', EISDIR: 'is a directory', EACCES: 'permission denied', ENOTDIR: 'not a directory', EPIPE: 'broken pipe' };
    const what = typeof code === 'string' ? (words[code] !== undefined ? `${words[code]} (${code})` : code) : e instanceof Error ? e.message : String(e);
    throw new CliError('IO', `${path === '-' ? 'stdin' : path}: ${what}`, { cause: e });
  }
}

/** Decode UTF-8 text. */
export function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
