import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { GatewayError } from '../errors/catalogue.js';
import type { Services } from '../pipeline/services.js';
import type { Exchange } from './exchange.js';
import type { Route } from './router.js';

/** The dashboard's client-side pages (ui/src/pages.ts): each serves index.html, the app picks the page. */
export const UI_PAGE_PATHS = ['/', '/routing', '/usage', '/performance', '/reliability', '/cache', '/requests', '/keys', '/batches', '/settings'] as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);
/** A file name in the build: no separators, no leading dot, so nothing outside the folder can be named. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Vite names built assets by content hash, so they never change under the same name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Everything is bundled: no CDN, no inline script; ECharts and React set inline style attributes.
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

/** The repository root (the folder holding package.json), from src/http or dist/src/http alike. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export function defaultUiDir(): string {
  return join(packageRoot(), 'dist', 'ui');
}

const notBuilt = (dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tidegate: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>Tidegate serves its web dashboard from <code>${dir.replace(/[<>&]/g, '')}</code>, which has no <code>index.html</code>.
Build it with <code>npm run build</code> (run by <code>npm install</code>), or only the dashboard with
<code>npx vite build --config ui/vite.config.ts</code>, then reload this page.</p>
<p>看板尚未构建：请运行 <code>npm run build</code>，然后刷新本页。</p>
<p>The API works without it: <code>/v1/*</code>, <code>/admin/*</code>, <code>/healthz</code>.</p>
</body></html>`;

interface CachedAsset {
  body: Buffer;
  gzip: Buffer | null;
  mtimeMs: number;
}

/**
 * Static files of the built dashboard (dist/ui): index.html at every page path (public: the page holds no data,
 * every data call needs the admin key), hashed assets with long-lived caching, gzip when the client accepts it.
 * A missing asset is a 404 in the OpenAI error shape, like any unknown route.
 */
export function staticUiRoutes(dir: string = defaultUiDir()): Route[] {
  const root = resolve(dir);
  const cache = new Map<string, CachedAsset>();
  const cacheLimit = 64;

  async function load(file: string): Promise<CachedAsset | undefined> {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === info.mtimeMs) return cached;
    const body = await readFile(file);
    const entry = { body, gzip: COMPRESSIBLE.has(extname(file)) && body.length > 1024 ? gzipSync(body) : null, mtimeMs: info.mtimeMs };
    if (cache.size >= cacheLimit) cache.delete(cache.keys().next().value as string);
    cache.set(file, entry);
    return entry;
  }

  function send(exchange: Exchange, status: number, asset: CachedAsset, type: string, caching: string): void {
    const accepts = String(exchange.request.headers['accept-encoding'] ?? '');
    const gzip = asset.gzip !== null && /\bgzip\b/.test(accepts);
    const body = gzip ? asset.gzip! : asset.body;
    exchange.response.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': type,
      'content-length': body.length,
      'cache-control': caching,
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    exchange.response.end(body);
  }

  async function page(_services: Services, exchange: Exchange): Promise<void> {
    const index = await load(join(root, 'index.html'));
    if (!index) {
      const body = Buffer.from(notBuilt(root));
      exchange.response.writeHead(503, { ...SECURITY_HEADERS, 'content-type': CONTENT_TYPES['.html']!, 'content-length': body.length, 'cache-control': 'no-store' });
      exchange.response.end(body);
      return;
    }
    // The page names its hashed assets, so it must be revalidated to pick up a new build.
    send(exchange, 200, index, CONTENT_TYPES['.html']!, 'no-cache');
  }

  function file(folder: string, caching: string) {
    return async (_services: Services, exchange: Exchange): Promise<void> => {
      const name = exchange.params.file ?? '';
      const base = resolve(root, folder);
      const path = resolve(base, name);
      if (!SAFE_NAME.test(name) || !path.startsWith(base + sep)) throw new GatewayError('not_found', 'No such dashboard file.');
      const asset = await load(path);
      if (!asset) throw new GatewayError('not_found', `No dashboard file ${folder ? `${folder}/` : ''}${name}; rebuild the dashboard if it was just updated.`);
      send(exchange, 200, asset, CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', caching);
    };
  }

  const asset = file('assets', IMMUTABLE);
  const favicon = file('', 'public, max-age=86400');
  // HEAD answers like GET without a body (Node's http drops it).
  return ['GET', 'HEAD'].flatMap((method): Route[] => [
    ...UI_PAGE_PATHS.map((path): Route => ({ method, path, access: 'public', handler: page })),
    { method, path: '/assets/:file', access: 'public', handler: asset },
    { method, path: '/favicon.svg', access: 'public', handler: (services, exchange) => favicon(services, { ...exchange, params: { file: 'favicon.svg' } }) },
  ]);
}
