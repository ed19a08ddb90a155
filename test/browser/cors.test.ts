import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedProvider, startStack, type Stack } from '../e2e/harness.js';
import { browserRequired, browserUnavailable, launchBrowser } from './browser-harness.js';

// Browser globals used inside page callbacks: this file compiles under the server's tsconfig (no DOM lib).
declare function fetch(url: string, init?: object): Promise<{ status: number; headers: { get(name: string): string | null }; json(): Promise<any> }>;

/**
 * A web app served from one origin calls the gateway on another, as a browser chat client does: the gateway
 * answers the preflight and the call for allowed origins (with its x-tidegate-* headers readable), and the
 * browser refuses the answer for other origins.
 */
const unavailable = browserUnavailable();
if (unavailable && browserRequired) throw new Error(`TIDEGATE_REQUIRE_BROWSER=1 but ${unavailable}`);

let stack: Stack;
let browser: Browser;
const apps: Server[] = [];

async function appOrigin(): Promise<string> {
  const app = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title>'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  apps.push(app);
  return `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
}

describe.skipIf(unavailable !== null)('CORS for browser clients (headless Chromium)', () => {
  let allowed: string;
  let other: string;

  beforeAll(async () => {
    allowed = await appOrigin();
    other = await appOrigin();
    stack = await startStack((simulator) => `
server: { port: 0, cors: { origins: ["${allowed}"], maxAgeSeconds: 60 } }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek }
`);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    for (const app of apps) app.close();
  });

  async function callFrom(origin: string) {
    const page = await browser.newPage();
    try {
      await page.goto(origin);
      return await page.evaluate(async (url) => {
        try {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer sk-from-the-browser' },
            body: JSON.stringify({ model: 'deepseek-flash', messages: [{ role: 'user', content: '你好' }] }),
          });
          const body = await response.json();
          return { status: response.status, cost: response.headers.get('x-tidegate-cost-cny'), text: body.choices[0].message.content as string };
        } catch (error) {
          return { error: String(error) };
        }
      }, `${stack.gateway.url}/v1/chat/completions`);
    } finally {
      await page.close();
    }
  }

  it('an allowed origin gets the answer, with the cost header readable', async () => {
    const result = await callFrom(allowed);
    expect(result).toMatchObject({ status: 200, text: 'Simulated deepseek answer to: 你好' });
    expect((result as { cost: string }).cost).toMatch(/^\d+(\.\d+)?$/);
  });

  it('another origin is refused by the browser', async () => {
    const result = await callFrom(other);
    expect(result).toMatchObject({ error: expect.stringMatching(/Failed to fetch/) });
  });

  it('the preflight is answered before auth, naming what the browser asked for', async () => {
    const response = await globalThis.fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: allowed, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
    expect(response.headers.get('access-control-max-age')).toBe('60');
  });
});
