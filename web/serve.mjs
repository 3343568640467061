#!/usr/bin/env node
/**
 * `npm run web`: serves dist-web/ on http://127.0.0.1:PORT/ (PORT from the environment or the
 * first argument, default 5173; 0 picks a free one) and prints the URL. Everything under
 * /strict/ is the same site sent with a strict content-security policy (no 'unsafe-eval', no
 * inline scripts or styles), where the JavaScript tier cannot build functions and the emulator
 * stays on its interpreter. Tests import `serve()`.
 */
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../dist-web/', import.meta.url));

/** The policy of /strict/: scripts, workers, styles and fetches from this origin only. */
export const STRICT_CSP = "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.c': 'text/plain; charset=utf-8',
  '.o': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Start the server; resolves to `{ url, close }` once it listens.
 * @param {{ port?: number, root?: string }} [opts]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function serve(opts = {}) {
  const root = resolve(opts.root ?? ROOT);
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (path === '/strict') path = '/strict/';
    if (path.startsWith('/strict/')) {
      headers['content-security-policy'] = STRICT_CSP;
      path = path.slice('/strict'.length);
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    // (decoded %2e%2e segments must not reach outside root, nor a sibling such as dist-web2/)
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 5173, '127.0.0.1', () => {
      const a = server.address();
      const port = typeof a === 'object' && a !== null ? a.port : opts.port;
      ok({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 5173);
  try {
    await stat(join(ROOT, 'index.html'));
  } catch {
    console.error('dist-web/index.html is missing: run `npm run build:web` first');
    process.exit(1);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`not a port: ${process.argv[2] ?? process.env.PORT}`);
    process.exit(1);
  }
  let url;
  try {
    ({ url } = await serve({ port }));
  } catch (e) {
    console.error(`cannot listen on 127.0.0.1:${port}: ${e instanceof Error ? e.message : String(e)} (npm run web -- PORT picks another; 0 any free one)`);
    process.exit(1);
  }
  console.log(`bpfemu playground: ${url}  (strict CSP: ${url}strict/)`);
}
