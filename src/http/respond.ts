import type { ServerResponse } from 'node:http';
import type { GatewayError } from '../errors/catalogue.js';
import { anthropicErrorType } from '../translate/anthropic-types.js';

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  response.end(payload);
}

/** Errors always leave in OpenAI's shape with a stable code; nothing about the gateway's internals. */
export function sendError(
  response: ServerResponse,
  error: GatewayError,
  headers: Record<string, string> = {},
  shape: 'openai' | 'anthropic' = 'openai',
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const extra: Record<string, string> = { ...headers };
  if (error.retryAfterMs !== undefined && (error.status === 429 || error.status === 503)) {
    extra['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
  }
  const body = error.toJSON();
  // Anthropic SDKs read {"type":"error","error":{"type","message"}}; the OpenAI fields stay alongside.
  const payload = shape === 'anthropic' ? { type: 'error', error: { ...body.error, type: anthropicErrorType(error) } } : body;
  sendJson(response, error.status, payload, extra);
}
