import type { Io } from '../../src/cli/io.js';
import { CliError } from '../../src/cli/registry.js';

/** An in-memory Io: files in a map (directories are path prefixes), captured stdout/stderr. */
export class MemIo implements Io {
  readonly files = new Map<string, Uint8Array>();
  stdoutChunks: (string | Uint8Array)[] = [];
  stderrText = '';
  stdin: Uint8Array = new Uint8Array(0);

  constructor(files: Record<string, string | Uint8Array> = {}) {
    for (const [k, v] of Object.entries(files)) this.files.set(k, typeof v === 'string' ? new TextEncoder().encode(v) : v);
  }

  out(data: string | Uint8Array): void {
    this.stdoutChunks.push(data);
  }
  err(text: string): void {
    this.stderrText += text;
  }
  readFile(path: string): Uint8Array {
    if (path === '-') return this.stdin;
    const f = this.files.get(path);
    if (f === undefined) throw new CliError('IO', `${path}: ENOENT`);
    return f;
  }
  writeFile(path: string, data: Uint8Array): void {
    this.files.set(path, data);
  }
  isDirectory(path: string): boolean {
    return [...this.files.keys()].some((k) => k.startsWith(`${path}/`));
  }
  listDir(path: string): string[] {
    const names = new Set<string>();
    for (const k of this.files.keys()) if (k.startsWith(`${path}/`)) names.add(`${path}/${k.slice(path.length + 1).split('/')[0]!}`);
    return [...names].sort();
  }

  /** Everything written to stdout as text. */
  get stdout(): string {
    return this.stdoutChunks.map((c) => (typeof c === 'string' ? c : new TextDecoder().decode(c))).join('');
  }
  /** Everything written to stdout as bytes. */
  get stdoutBytes(): Uint8Array {
    const parts = this.stdoutChunks.map((c) => (typeof c === 'string' ? new TextEncoder().encode(c) : c));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
