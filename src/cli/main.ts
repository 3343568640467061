#!/usr/bin/env node
/**
 * The `bpfemu` executable. Starting the CLI is mostly V8 reading and compiling its modules, so
 * `npm run build` also makes a one-file build of it (dist/cli/bpfemu.cjs, scripts/bundle-cli.mjs)
 * and V8's code cache for that file (bpfemu.cjs.cache, produced by one `bpfemu run` at build
 * time). This launcher runs the one-file build with the cache when the build is at least as new as
 * the modules (entry.js), and the modules otherwise; a cache V8 rejects (another Node) only costs
 * the compile it would have saved. BPFEMU_CODE_CACHE_OUT=FILE writes the cache at exit (the build).
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundle = fileURLToPath(new URL('./bpfemu.cjs', import.meta.url));
const modules = fileURLToPath(new URL('./entry.js', import.meta.url));

function current(): boolean {
  return existsSync(bundle) && (!existsSync(modules) || statSync(bundle).mtimeMs >= statSync(modules).mtimeMs);
}

function runBundle(): void {
  const cacheFile = `${bundle}.cache`;
  const cacheOut = process.env['BPFEMU_CODE_CACHE_OUT'];
  const cachedData = cacheOut === undefined && existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  // A CommonJS module wrapper, as Node's own loader builds it (the shebang line made a comment).
  const source = readFileSync(bundle, 'utf8').replace(/^#!/, '//');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, ...(cachedData !== undefined ? { cachedData } : {}) });
  if (cacheOut !== undefined) process.on('exit', () => writeFileSync(cacheOut, script.createCachedData()));
  const fn = script.runInThisContext() as (e: object, r: NodeJS.Require, m: object, f: string, d: string) => void;
  const mod = { exports: {} };
  fn.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
}

if (current()) runBundle();
else await import('./entry.js');
