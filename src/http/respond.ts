import type { ServerResponse } from 'node:http';
import type { GatewayError } from '../errors/catalogue.js';

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
export function sendError(response: ServerResponse, error: GatewayError, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const extra: Record<string, string> = { ...headers };
  if (error.retryAfterMs !== undefined && (error.status === 429 || error.status === 503)) {
    extra['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
  }
  sendJson(response, error.status, error.toJSON(), extra);
}
