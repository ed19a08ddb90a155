/**
 * Anthropic's Message Batches in the simulator (`/anthropic/v1/messages/batches`): inline requests, a batch that
 * is in_progress then ended (or canceling, then ended), request_counts by outcome, and results as JSONL at
 * results_url once it has ended.
 */
import type { ServerResponse } from 'node:http';
import type { BatchStore, SimulatedBatch } from './batch-api.js';
import { sendJson } from './wire.js';

let counter = 0;
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function anthropicError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { type: 'error', error: { type, message } });
}

function view(store: BatchStore, batch: SimulatedBatch, origin: string): Record<string, unknown> {
  store.advance(batch);
  const ended = batch.endedAt !== undefined;
  const count = (type: string) => batch.results.filter((result) => (result.line.result as { type?: string } | undefined)?.type === type).length;
  return {
    id: batch.id, type: 'message_batch',
    processing_status: ended ? 'ended' : batch.cancelledAt !== undefined ? 'canceling' : 'in_progress',
    request_counts: ended
      ? { processing: 0, succeeded: count('succeeded'), errored: count('errored'), canceled: count('canceled'), expired: count('expired') }
      : { processing: batch.lines.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    ended_at: iso(batch.endedAt), created_at: iso(batch.createdAt), expires_at: iso(batch.createdAt + 86_400_000),
    archived_at: null, cancel_initiated_at: iso(batch.cancelledAt),
    results_url: ended ? `${origin}/anthropic/v1/messages/batches/${batch.id}/results` : null,
  };
}

/** Routes under /anthropic/v1/messages/batches; false when the path is not one of them. */
export function handleMessageBatches(store: BatchStore, method: string, rest: string, text: string, origin: string, res: ServerResponse): boolean {
  let match: RegExpExecArray | null;
  if (method === 'POST' && /\/messages\/batches$/.test(rest)) {
    const body = JSON.parse(text || '{}') as { requests?: unknown };
    const requests = Array.isArray(body.requests) ? (body.requests as Array<Record<string, unknown>>) : [];
    if (requests.length === 0) return anthropicError(res, 400, 'invalid_request_error', 'requests: at least one request is required'), true;
    for (const [index, request] of requests.entries()) {
      const params = request.params as Record<string, unknown> | undefined;
      if (typeof request.custom_id !== 'string' || !params || typeof params.model !== 'string' || typeof params.max_tokens !== 'number' || !Array.isArray(params.messages)) {
        return anthropicError(res, 400, 'invalid_request_error', `requests.${index}: custom_id and params (model, max_tokens, messages) are required`), true;
      }
    }
    const batch: SimulatedBatch = {
      preset: 'anthropic', id: `msgbatch_sim${Date.now().toString(36)}${(counter += 1)}`, createdAt: Date.now(), lines: requests, endpoint: '/v1/messages', metadata: null, inputFileId: null,
      status: 'in_progress', cancelledAt: undefined, endedAt: undefined, outputFileId: null, errorFileId: null, results: [], failure: [],
    };
    store.batches.push(batch);
    sendJson(res, 200, view(store, batch, origin));
    return true;
  }
  if ((match = /\/messages\/batches\/([^/]+)(\/cancel|\/results)?$/.exec(rest))) {
    const batch = store.batches.find((candidate) => candidate.preset === 'anthropic' && candidate.id === decodeURIComponent(match![1]!));
    if (!batch) return anthropicError(res, 404, 'not_found_error', 'No such message batch'), true;
    if (match[2] === '/cancel' && method === 'POST') {
      store.advance(batch);
      if (batch.endedAt === undefined) batch.cancelledAt ??= Date.now();
      sendJson(res, 200, view(store, batch, origin));
      return true;
    }
    if (match[2] === '/results' && method === 'GET') {
      store.advance(batch);
      if (batch.endedAt === undefined) return anthropicError(res, 400, 'invalid_request_error', 'The batch has not ended yet'), true;
      const content = batch.results.map((result) => JSON.stringify(result.line)).join('\n') + '\n';
      res.writeHead(200, { 'content-type': 'application/binary', 'content-length': Buffer.byteLength(content) });
      res.end(content);
      return true;
    }
    if (method === 'GET' && !match[2]) {
      sendJson(res, 200, view(store, batch, origin));
      return true;
    }
  }
  return false;
}
