/**
 * web/serve.mjs, the playground's static server: files from its root, the strict CSP under
 * /strict/, 404 for what is not there, and nothing outside the root (encoded slashes included,
 * and not a sibling directory whose name starts like the root's).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

function get(url: string, path: string): Promise<{ status: number; csp: string | undefined; body: string }> {
  const u = new URL(url);
  return new Promise((ok, fail) => {
    const req = request({ host: u.hostname, port: u.port, path }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => ok({ status: r.statusCode ?? 0, csp: r.headers['content-security-policy'] as string | undefined, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('web/serve.mjs', () => {
  let server: { url: string; close: () => Promise<void> };
  let strictCsp: string;

  beforeAll(async () => {
    const base = mkdtempSync(join(tmpdir(), 'bpfemu-serve-'));
    mkdirSync(join(base, 'site'));
    mkdirSync(join(base, 'site2'));
    writeFileSync(join(base, 'site', 'index.html'), '<p>home</p>');
    writeFileSync(join(base, 'site2', 'secret.txt'), 'secret');
    writeFileSync(join(base, 'outside.txt'), 'outside');
    // @ts-expect-error web/serve.mjs is plain JavaScript (typed by JSDoc)
    const mod = (await import('../../web/serve.mjs')) as { serve: (o: { port: number; root: string }) => Promise<typeof server>; STRICT_CSP: string };
    strictCsp = mod.STRICT_CSP;
    server = await mod.serve({ port: 0, root: join(base, 'site') });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('serves the root, and the same files under /strict/ with the strict CSP', async () => {
    expect(await get(server.url, '/')).toEqual({ status: 200, csp: undefined, body: '<p>home</p>' });
    const strict = await get(server.url, '/strict/');
    expect([strict.status, strict.body, strict.csp]).toEqual([200, '<p>home</p>', strictCsp]);
    expect(strictCsp).toContain("script-src 'self'");
    expect(strictCsp).not.toContain('unsafe-eval');
    expect((await get(server.url, '/missing.js')).status).toBe(404);
  });

  it('refuses paths outside the root', async () => {
    expect((await get(server.url, '/%2f..%2foutside.txt')).status).toBe(403);
    expect((await get(server.url, '/%2f..%2fsite2%2fsecret.txt')).status).toBe(403);
    expect((await get(server.url, '/strict/%2f..%2f..%2foutside.txt')).status).toBe(403);
  });
});
