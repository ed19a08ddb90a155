/**
 * The simulated engine behind the OpenAI-compatible protocol on a loopback port:
 *   POST /v1/chat/completions (plain and streamed, `stream_options.include_usage`), GET /v1/models,
 *   GET /metrics (vLLM names), GET /health, POST /reset_prefix_cache.
 * Usage carries `prompt_tokens_details.cached_tokens`, the hit the engine itself measured at admission.
 * Time runs `timeScale` times faster than the wall clock (all reported times are simulated).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScaledClock, type Clock } from './clock.js';
import { EngineCore, type EngineConfig, type EngineResult } from './core.js';
import { answerSeed, applyChatTemplate, outputToken, tokenize, type EngineMessage } from './tokenizer.js';

export interface EngineServerOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Simulated ms per real ms (default 1). Ignored when `clock` is given. */
  timeScale?: number;
  clock?: Clock;
  engine?: Partial<EngineConfig>;
  /** Output tokens when the request sets no max_tokens (default 16; finish_reason "stop"). */
  defaultMaxTokens?: number;
}

export interface EngineServer {
  url: string;
  port: number;
  core: EngineCore;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string, code = 'invalid_request_error'): void {
  sendJson(res, status, { error: { message, type: code, param: null, code: null } });
}

interface ChatBody {
  model?: unknown;
  messages?: unknown;
  tools?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
}

function usageOf(result: EngineResult) {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
    prompt_tokens_details: { cached_tokens: result.cachedTokens },
  };
}

export async function startEngineServer(options: EngineServerOptions = {}): Promise<EngineServer> {
  const clock = options.clock ?? new ScaledClock(options.timeScale ?? 1);
  const core = new EngineCore(clock, options.engine);
  const model = core.config.modelName;
  let sequence = 0;

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: ChatBody;
    try {
      body = JSON.parse(await readBody(req)) as ChatBody;
    } catch {
      return sendError(res, 400, 'request body is not valid JSON');
    }
    if (!Array.isArray(body.messages) || body.messages.length === 0) return sendError(res, 400, 'messages must be a non-empty array');
    const limit = body.max_completion_tokens ?? body.max_tokens;
    if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && (limit as number) >= 1)) return sendError(res, 400, 'max_tokens must be a positive integer');
    const maxTokens = typeof limit === 'number' ? limit : options.defaultMaxTokens ?? 16;
    const finishReason = typeof limit === 'number' ? 'length' : 'stop';
    const tokens = tokenize(applyChatTemplate(body.messages as EngineMessage[], body.tools));
    const seed = answerSeed(tokens);
    const id = `chatcmpl-sim-${++sequence}`;
    const created = Math.floor(Date.now() / 1000);
    const name = typeof body.model === 'string' ? body.model : model;
    const stream = body.stream === true;
    const includeUsage = body.stream_options?.include_usage === true;
    let text = '';
    let closed = false;

    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({ id, object: 'chat.completion.chunk', created, model: name, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    const write = (payload: unknown) => {
      if (!closed) res.write(`data: ${JSON.stringify(payload)}\n\n`);
    };
    if (stream) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });

    const abort = core.submit({
      tokens,
      maxTokens,
      onToken: (index) => {
        const piece = outputToken(seed, index);
        text += piece;
        if (stream) write(chunk(index === 0 ? { role: 'assistant', content: piece } : { content: piece }, null));
      },
      onFinish: (result) => {
        if (closed) return;
        if (result.finishReason === 'rejected') {
          if (stream) {
            write({ error: { message: 'prompt does not fit in the KV cache', type: 'invalid_request_error' } });
            res.end();
          } else sendError(res, 400, 'prompt does not fit in the KV cache');
          return;
        }
        if (stream) {
          write(chunk({}, finishReason));
          if (includeUsage) write({ id, object: 'chat.completion.chunk', created, model: name, choices: [], usage: usageOf(result) });
          res.end('data: [DONE]\n\n');
        } else {
          sendJson(res, 200, {
            id, object: 'chat.completion', created, model: name,
            choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: finishReason }],
            usage: usageOf(result),
          });
        }
      },
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        closed = true;
        abort();
      }
    });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/v1/chat/completions') {
      chat(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, String(error), 'server_error');
        else res.end();
      });
    } else if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(core.metricsText());
    } else if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model', created: 0, owned_by: 'tidegate-sim' }] });
    } else if (req.method === 'GET' && path === '/health') {
      res.writeHead(200).end();
    } else if (req.method === 'POST' && path === '/reset_prefix_cache') {
      core.resetPrefixCache();
      res.writeHead(200).end();
    } else sendError(res, 404, `no route for ${req.method} ${path}`);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    core,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
