import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { staticUiRoutes, UI_PAGE_PATHS } from '../../src/http/static-ui.js';
import { Router } from '../../src/http/router.js';
import { silentLogger } from '../../src/logging/logger.js';

/** Raw HTTP, so paths reach the gateway exactly as written (fetch would normalise dot segments). */
function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the dashboard served by the gateway', () => {
  let dir: string;
  let gateway: RunningGateway;
  const uiDir = () => join(dir, 'ui');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidegate-static-ui-'));
    // A stand-in build: the routes serve whatever vite wrote to the folder.
    mkdirSync(join(uiDir(), 'assets'), { recursive: true });
    writeFileSync(join(uiDir(), 'index.html'), '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script></body></html>');
    writeFileSync(join(uiDir(), 'assets', 'index-abc123.js'), `console.log(${JSON.stringify('x'.repeat(5000))});`);
    writeFileSync(join(uiDir(), 'assets', 'index-abc123.css'), 'body{margin:0}');
    writeFileSync(join(uiDir(), 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(dir, 'secret.txt'), 'do not serve');
    const config = parseConfigText(`server: { port: 0 }\nstorage: { url: "sqlite:${join(dir, 'tidegate.db')}" }\nadmin: { key: "tg-admin-static" }\n`, 'static.yaml', {});
    gateway = await startGateway(config, { logger: silentLogger, cwd: dir });
  });

  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The production route table uses dist/ui; these tests mount the same routes on the stand-in folder. */
  async function serve(path: string, headers: Record<string, string> = {}, method = 'GET') {
    const router = new Router(staticUiRoutes(uiDir()));
    const match = router.match(method, path.split('?')[0]!);
    if (match === undefined || match === 'method') return { status: 404, headers: {}, body: Buffer.alloc(0) };
    return invoke(match.route.handler, match.params, path, headers, method);
  }

  it('answers every client page path with index.html, revalidated, public, with a strict content security policy', async () => {
    for (const path of [...UI_PAGE_PATHS, '/usage?group=key&range=7', '/requests/']) {
      const response = await serve(path);
      expect(response.status, path).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(String(response.headers['content-security-policy'])).toContain("script-src 'self'");
      expect(response.body.toString()).toContain('<div id="root">');
    }
  });

  it('serves hashed assets with their content type, long-lived caching and gzip when accepted', async () => {
    const js = await serve('/assets/index-abc123.js', { 'accept-encoding': 'gzip, br' });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['content-encoding']).toBe('gzip');
    const css = await serve('/assets/index-abc123.css');
    expect([css.status, css.headers['content-type'], css.headers['content-encoding']]).toEqual([200, 'text/css; charset=utf-8', undefined]);
    expect(css.body.toString()).toBe('body{margin:0}');
    expect((await serve('/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
  });

  it('answers a missing asset or an escape attempt with a 404 in the OpenAI error shape', async () => {
    for (const path of ['/assets/missing.js', '/assets/..%2Fsecret.txt', '/assets/..%2F..%2Fsecret.txt', '/assets/.hidden', '/assets/%2e%2e%2fsecret.txt']) {
      const response = await serve(path);
      expect(response.status, path).toBe(404);
      expect(JSON.parse(response.body.toString()).error.code, path).toBe('not_found');
      expect(response.body.toString()).not.toContain('do not serve');
    }
  });

  it('says how to build the dashboard when dist/ui has not been built', async () => {
    const router = new Router(staticUiRoutes(join(dir, 'no-such-build')));
    const match = router.match('GET', '/');
    if (match === undefined || match === 'method') throw new Error('no route for /');
    const response = await invoke(match.route.handler, match.params, '/', {}, 'GET');
    expect(response.status).toBe(503);
    expect(response.body.toString()).toContain('npm run build');
  });

  it('is mounted in the gateway: pages are public, data needs the admin key, unknown assets are JSON 404s', async () => {
    const page = await get(gateway.url, '/keys');
    // dist/ui may or may not be built where this runs; either way the shell is public.
    expect([200, 503]).toContain(page.status);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await get(gateway.url, '/', {}, 'HEAD')).status).toBe(page.status);
    const data = await get(gateway.url, '/admin/dashboard/overview');
    expect(data.status).toBe(401);
    expect(JSON.parse(data.body.toString()).error.code).toBe('missing_api_key');
    const missing = await get(gateway.url, '/assets/..%2F..%2Fpackage.json');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString()).error.code).toBe('not_found');
    const dotted = await get(gateway.url, '/assets/../../package.json');
    expect(dotted.status).toBe(404);
    expect(dotted.body.toString()).not.toContain('"devDependencies"');
  });
});

/** Run one route handler on a real socket (a throwaway server), rendering thrown errors as the gateway does. */
async function invoke(
  handler: ReturnType<typeof staticUiRoutes>[number]['handler'],
  params: Record<string, string>,
  path: string,
  headers: Record<string, string>,
  method: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  const { createServer } = await import('node:http');
  const { asGatewayError } = await import('../../src/errors/catalogue.js');
  const { sendError } = await import('../../src/http/respond.js');
  const server = createServer((req, res) => {
    const exchange = { request: req, response: res, url: new URL(req.url ?? '/', 'http://x'), params, principal: { kind: 'open' as const }, signal: new AbortController().signal };
    Promise.resolve(handler({} as never, exchange)).catch((error: unknown) => sendError(res, asGatewayError(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const address = server.address() as { port: number };
    return await get(`http://127.0.0.1:${address.port}`, path, headers, method);
  } finally {
    server.close();
  }
}
