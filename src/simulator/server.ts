/**
 * The provider simulator: one loopback HTTP server that answers as every preset at once, each under
 * `/<preset><real path style>`, speaking that preset's real wire format, quirks and failures.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AnswerBook } from './answers.js';
import { handleMessages } from './anthropic-dialect.js';
import { handleMessageBatches } from './anthropic-batches.js';
import { BatchStore } from './batch-api.js';
import { errorResponse, minimaxFailure } from './errors.js';
import { handleChat, handleEmbeddings } from './openai-dialect.js';
import { PRESET_QUIRKS, quirksFor, refusedResponseFormat } from './quirks.js';
import { ScriptBook } from './script.js';
import type { RecordedRequest, ScriptStep, Simulator, SimulatorOptions } from './types.js';
import { sendJson, sleep } from './wire.js';

export type { RecordedRequest, ScriptStep, Simulator, SimulatorOptions } from './types.js';

/** Preset ids the simulator knows by name; any other first path segment acts as an OpenAI-compatible server. */
export const SIMULATED_PRESETS: readonly string[] = Object.keys(PRESET_QUIRKS);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

type Route = 'chat' | 'embeddings' | 'messages';

function routeOf(preset: string, rest: string): Route | undefined {
  if (preset === 'anthropic') return rest.endsWith('/messages') ? 'messages' : undefined;
  if (rest.endsWith('/chat/completions')) return 'chat';
  if (rest.endsWith('/embeddings')) return 'embeddings';
  return undefined;
}

function authorized(preset: string, req: IncomingMessage): boolean {
  if (preset === 'anthropic') {
    const key = req.headers['x-api-key'];
    return typeof key === 'string' && key.trim() !== '' && typeof req.headers['anthropic-version'] === 'string';
  }
  if (!quirksFor(preset).requireBearer) return true;
  return /^Bearer\s+\S+/i.test(req.headers.authorization ?? '');
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const tokenDelayMs = options.tokenDelayMs ?? 0;
  const latencyMs = options.latencyMs ?? 0;
  const book = new AnswerBook();
  const scripts = new ScriptBook();
  const requests: RecordedRequest[] = [];
  const batches = new BatchStore(book);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname;
    const text = await readBody(req);
    const [, preset = '', ...restParts] = path.split('/');
    const rest = '/' + restParts.join('/');
    const body = parse(text);
    if (preset === '' || preset === 'health') return sendJson(res, 200, { ok: true, presets: SIMULATED_PRESETS });
    requests.push({ preset, path, method: req.method ?? 'GET', headers: { ...req.headers }, body, at: Date.now() });

    // Providers' batch APIs (files, batches, Anthropic message batches): batch-api.ts, anthropic-batches.ts.
    if (/\/(files|batches)(\/|$)/.test(rest)) {
      if (!authorized(preset, req)) return sendJson(res, 401, errorResponse(preset, 'auth', 401, 'batch').body);
      const method = req.method ?? 'GET';
      const handled = preset === 'anthropic'
        ? handleMessageBatches(batches, method, rest, text, `http://${req.headers.host ?? host}`, res)
        : await batches.handleOpenAi(preset, method, rest, text, req.headers['content-type'] ?? '', res, url.searchParams);
      if (handled) return;
    }

    const route = req.method === 'POST' ? routeOf(preset, rest) : undefined;
    if (!route) return sendJson(res, 404, { error: { message: `simulator: no route for ${req.method} ${path}`, type: 'not_found' } });
    const model = typeof body === 'object' && body !== null ? String((body as Record<string, unknown>).model ?? 'unknown') : 'unknown';
    if (!authorized(preset, req)) {
      const { status, body: errorBody } = errorResponse(preset, 'auth', 401, model);
      return sendJson(res, status, errorBody);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      const { status, body: errorBody } = errorResponse(preset, 'bad_request', 400, model);
      return sendJson(res, status, errorBody);
    }

    await sleep(latencyMs);
    let step: ScriptStep | undefined = scripts.next(preset);
    while (step?.kind === 'delay') {
      await sleep(step.ms);
      step = step.then;
    }
    if (step?.kind === 'error') {
      const { status, body: errorBody } = errorResponse(preset, step.error, step.status, model);
      return sendJson(res, status, errorBody, step.retryAfter !== undefined ? { 'retry-after': step.retryAfter } : {});
    }
    if (step?.kind === 'ok-200-error') return sendJson(res, 200, minimaxFailure(model, 1008, 'insufficient balance'));
    if (step?.kind === 'raw') {
      res.writeHead(step.status ?? 200, { 'content-type': step.contentType ?? 'application/json' });
      return void res.end(step.body);
    }

    const refused = route === 'chat' ? refusedResponseFormat(quirksFor(preset), body as Record<string, unknown>) : undefined;
    if (refused !== undefined) {
      const { status, body: errorBody } = errorResponse(preset, 'bad_request', 400, model);
      (errorBody.error as Record<string, unknown>).message = refused;
      return sendJson(res, status, errorBody);
    }
    const exchange = { res, preset, body: body as Record<string, unknown>, step, book, tokenDelayMs };
    if (route === 'messages') return handleMessages(exchange);
    if (route === 'embeddings') return handleEmbeddings(exchange);
    return handleChat(exchange);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `simulator: ${String(error)}`, type: 'server_error' } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    requests,
    baseUrlFor(preset: string): string {
      if (preset === 'anthropic') return `${url}/anthropic/v1`;
      return `${url}/${preset}${quirksFor(preset).pathSuffix}`;
    },
    batches,
    script(preset: string, steps: ScriptStep[]): void {
      scripts.push(preset, steps);
    },
    reset(): void {
      scripts.clear();
      requests.length = 0;
      book.reset();
      batches.reset();
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
