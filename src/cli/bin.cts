#!/usr/bin/env node
/**
 * The `bpfemu` executable (package.json `bin`). Starting the CLI is mostly V8 reading and
 * compiling its modules, so `npm run build` also makes a one-file build of it
 * (dist/cli/bpfemu.cjs, scripts/bundle-cli.mjs) and V8's code cache for that file
 * (bpfemu.cjs.cache, produced by one `bpfemu run` at build time). This launcher runs the one-file
 * build with the cache when the build is at least as new as the modules (entry.js), and the modules
 * otherwise; a cache V8 rejects (another Node) only costs the compile it would have saved.
 * BPFEMU_CODE_CACHE_OUT=FILE writes the cache at exit (the build). It is a CommonJS file because
 * Node starts one through its CommonJS loader a few milliseconds sooner than an ES module
 * (`node dist/cli/main.js`, the ES module entry, loads this file).
 */
import fs = require('node:fs');
import nodeModule = require('node:module');
import path = require('node:path');
import vm = require('node:vm');

const bundle = path.join(__dirname, 'bpfemu.cjs');
const modules = path.join(__dirname, 'entry.js');

function current(): boolean {
  return fs.existsSync(bundle) && (!fs.existsSync(modules) || fs.statSync(bundle).mtimeMs >= fs.statSync(modules).mtimeMs);
}

function runBundle(): void {
  const cacheFile = `${bundle}.cache`;
  const cacheOut = process.env['BPFEMU_CODE_CACHE_OUT'];
  const cachedData = cacheOut === undefined && fs.existsSync(cacheFile) ? fs.readFileSync(cacheFile) : undefined;
  // A CommonJS module wrapper, as Node's own loader builds it (the shebang line made a comment).
  const source = fs.readFileSync(bundle, 'utf8').replace(/^#!/, '//');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, ...(cachedData !== undefined ? { cachedData } : {}) });
  if (cacheOut !== undefined) process.on('exit', () => fs.writeFileSync(cacheOut, script.createCachedData()));
  const fn = script.runInThisContext() as (e: object, r: NodeJS.Require, m: object, f: string, d: string) => void;
  const mod = { exports: {} };
  fn.call(mod.exports, mod.exports, nodeModule.createRequire(bundle), mod, bundle, path.dirname(bundle));
}

if (current()) runBundle();
else void import('./entry.js');
