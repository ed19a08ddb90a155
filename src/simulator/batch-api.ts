/**
 * Providers' batch APIs in the simulator. OpenAI's Files + Batches (also DashScope compatible mode and Zhipu,
 * under their own path prefix): multipart upload, batch objects moving validating → in_progress → finalizing →
 * completed after real delays, output and error files in OpenAI's JSONL, expiry and cancellation. Anthropic's
 * Message Batches live in anthropic-batches.ts on the same store.
 */
import type { ServerResponse } from 'node:http';
import { normalizeAnthropic, normalizeOpenAI, type AnswerBook } from './answers.js';
import { envelopeExtras, usageFor } from './quirks.js';
import { sendJson } from './wire.js';

export interface BatchSimulationOptions {
  /** Time a new batch stays validating, then in progress (ms). */
  validatingMs?: number;
  inProgressMs?: number;
  /** End batches as expired after answering this many lines (the rest get batch_expired). */
  expireAfterLines?: number;
  /** Fail every new batch in validation with this message (as a provider refusing the file). */
  failValidation?: string;
}

/** A batch as the simulator holds it (tests read these: upstream lines, status, how many were created). */
export interface SimulatedBatch {
  readonly preset: string;
  readonly id: string;
  readonly createdAt: number;
  /** The lines as received: OpenAI JSONL objects, or Anthropic {custom_id, params}. */
  readonly lines: Array<Record<string, unknown>>;
  readonly endpoint: string;
  readonly metadata: unknown;
  readonly inputFileId: string | null;
  status: string;
  cancelledAt: number | undefined;
  endedAt: number | undefined;
  outputFileId: string | null;
  errorFileId: string | null;
  /** Results per line once ended. */
  results: Array<{ customId: string; ok: boolean; line: Record<string, unknown> }>;
  failure: Array<{ code: string; line: number; message: string }>;
}

interface SimulatedFile { id: string; filename: string; purpose: string; bytes: number; createdAt: number; content: string }

let counter = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}sim${(counter += 1)}`;
const seconds = (ms: number | undefined) => (ms === undefined ? null : Math.floor(ms / 1000));

/** Max output tokens the simulated providers accept in a batch line (DashScope-style range check). */
const MAX_TOKENS = 8192;

export class BatchStore {
  readonly batches: SimulatedBatch[] = [];
  readonly files = new Map<string, SimulatedFile>();
  options: Required<Pick<BatchSimulationOptions, 'validatingMs' | 'inProgressMs'>> & Omit<BatchSimulationOptions, 'validatingMs' | 'inProgressMs'> = { validatingMs: 30, inProgressMs: 60 };

  constructor(private readonly book: AnswerBook) {}

  configure(options: BatchSimulationOptions): void {
    this.options = { ...this.options, ...options };
  }

  reset(): void {
    this.batches.length = 0;
    this.files.clear();
    this.options = { validatingMs: 30, inProgressMs: 60 };
  }

  /** Moves a batch along its life by the clock; answers its lines once it ends. */
  advance(batch: SimulatedBatch, now = Date.now()): void {
    if (batch.endedAt !== undefined || batch.status === 'failed') return;
    const age = now - batch.createdAt;
    if (batch.cancelledAt !== undefined) {
      if (now - batch.cancelledAt >= this.options.validatingMs) this.end(batch, 'cancelled', 0, now);
      return;
    }
    if (age < this.options.validatingMs) batch.status = 'validating';
    else if (age < this.options.validatingMs + this.options.inProgressMs) batch.status = 'in_progress';
    else if (this.options.expireAfterLines !== undefined) this.end(batch, 'expired', this.options.expireAfterLines, now);
    else this.end(batch, 'completed', batch.lines.length, now);
  }

  private end(batch: SimulatedBatch, status: 'completed' | 'expired' | 'cancelled', answered: number, now: number): void {
    batch.status = status;
    batch.endedAt = now;
    batch.results = batch.lines.map((line, index) => (index < answered ? this.answer(batch, line) : this.unanswered(batch, line, status)));
    if (batch.preset === 'anthropic') return;
    const write = (ok: boolean) => {
      const lines = batch.results.filter((result) => result.ok === ok && result.line !== null).map((result) => JSON.stringify(result.line));
      if (lines.length === 0) return null;
      const file = { id: nextId('file-'), filename: `${batch.id}_${ok ? 'output' : 'error'}.jsonl`, purpose: 'batch_output', bytes: 0, createdAt: now, content: `${lines.join('\n')}\n` };
      file.bytes = Buffer.byteLength(file.content);
      this.files.set(file.id, file);
      return file.id;
    };
    batch.outputFileId = write(true);
    batch.errorFileId = write(false);
  }

  private answer(batch: SimulatedBatch, line: Record<string, unknown>): SimulatedBatch['results'][number] {
    const customId = String(line.custom_id);
    if (batch.preset === 'anthropic') {
      const params = line.params as Record<string, unknown>;
      const plan = this.book.plan('anthropic', normalizeAnthropic(params));
      const { prompt, cached, cacheWrite, completion } = plan.usage;
      const message = {
        id: nextId('msg_'), type: 'message', role: 'assistant', model: plan.model, content: [{ type: 'text', text: plan.content ?? '' }], stop_reason: 'end_turn', stop_sequence: null,
        usage: { input_tokens: Math.max(0, prompt - cached - cacheWrite), cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cached, output_tokens: completion },
      };
      return { customId, ok: true, line: { custom_id: customId, result: { type: 'succeeded', message } } };
    }
    const body = line.body as Record<string, unknown>;
    const requestId = nextId('req_');
    if (typeof body.max_tokens === 'number' && body.max_tokens > MAX_TOKENS) {
      const error = { message: `Range of max_tokens should be [1, ${MAX_TOKENS}]`, type: 'invalid_request_error', param: 'max_tokens', code: 'invalid_parameter' };
      return { customId, ok: false, line: { id: nextId('batch_req_'), custom_id: customId, response: { status_code: 400, request_id: requestId, body: { error } }, error: null } };
    }
    const plan = this.book.plan(batch.preset, normalizeOpenAI(body));
    const completion = {
      id: nextId('chatcmpl-'), object: 'chat.completion', created: seconds(Date.now()), model: plan.model,
      choices: [{ index: 0, message: { role: 'assistant', content: plan.content }, logprobs: null, finish_reason: plan.finishReason }],
      usage: usageFor(batch.preset, plan.usage), system_fingerprint: null, ...envelopeExtras(batch.preset),
    };
    return { customId, ok: true, line: { id: nextId('batch_req_'), custom_id: customId, response: { status_code: 200, request_id: requestId, body: completion }, error: null } };
  }

  private unanswered(batch: SimulatedBatch, line: Record<string, unknown>, status: 'completed' | 'expired' | 'cancelled'): SimulatedBatch['results'][number] {
    const customId = String(line.custom_id);
    if (batch.preset === 'anthropic') return { customId, ok: false, line: { custom_id: customId, result: { type: status === 'expired' ? 'expired' : 'canceled' } } };
    const error = status === 'expired'
      ? { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' }
      : { code: 'batch_cancelled', message: 'This request was cancelled before it was executed.' };
    return { customId, ok: false, line: { id: nextId('batch_req_'), custom_id: customId, response: null, error } };
  }

  openAiBatch(batch: SimulatedBatch): Record<string, unknown> {
    this.advance(batch);
    const completed = batch.results.filter((result) => result.ok).length;
    const failed = batch.endedAt === undefined ? 0 : batch.results.length - completed;
    const at = (status: string) => (batch.status === status ? seconds(batch.endedAt) : null);
    return {
      id: batch.id, object: 'batch', endpoint: batch.endpoint,
      errors: batch.failure.length > 0 ? { object: 'list', data: batch.failure } : null,
      input_file_id: batch.inputFileId, completion_window: '24h', status: batch.status,
      output_file_id: batch.outputFileId, error_file_id: batch.errorFileId,
      created_at: seconds(batch.createdAt), in_progress_at: batch.status === 'validating' || batch.status === 'failed' ? null : seconds(batch.createdAt + this.options.validatingMs),
      expires_at: seconds(batch.createdAt + 86_400_000), finalizing_at: batch.status === 'completed' ? seconds(batch.endedAt) : null,
      completed_at: at('completed'), failed_at: batch.status === 'failed' ? seconds(batch.createdAt) : null, expired_at: at('expired'),
      cancelling_at: seconds(batch.cancelledAt), cancelled_at: at('cancelled'),
      request_counts: { total: batch.lines.length, completed, failed }, metadata: batch.metadata ?? null,
    };
  }

  /** The OpenAI-compatible routes under a preset's prefix; false when the path is not one of them. */
  async handleOpenAi(preset: string, method: string, rest: string, text: string, contentType: string, res: ServerResponse, query = new URLSearchParams()): Promise<boolean> {
    const notFound = (what: string) => sendJson(res, 404, { error: { message: `No such ${what}`, type: 'invalid_request_error', param: 'id', code: null } });
    const invalid = (message: string, param: string) => sendJson(res, 400, { error: { message, type: 'invalid_request_error', param, code: null } });
    let match: RegExpExecArray | null;
    if (method === 'POST' && /\/files$/.test(rest)) {
      const form = await new Response(Buffer.from(text, 'utf8'), { headers: { 'content-type': contentType } }).formData().catch(() => undefined);
      const file = form?.get('file');
      if (!form || form.get('purpose') !== 'batch' || !file || typeof file === 'string') { invalid('Upload a multipart form with purpose "batch" and a file.', 'file'); return true; }
      const content = Buffer.from(await file.arrayBuffer()).toString('utf8');
      const stored = { id: nextId('file-'), filename: file.name, purpose: 'batch', bytes: Buffer.byteLength(content), createdAt: Date.now(), content };
      this.files.set(stored.id, stored);
      sendJson(res, 200, { id: stored.id, object: 'file', bytes: stored.bytes, created_at: seconds(stored.createdAt), filename: stored.filename, purpose: 'batch', status: 'processed' });
      return true;
    }
    if (method === 'GET' && (match = /\/files\/([^/]+)\/content$/.exec(rest))) {
      const file = this.files.get(decodeURIComponent(match[1]!));
      if (!file) { notFound('file'); return true; }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(file.content) });
      res.end(file.content);
      return true;
    }
    if (method === 'POST' && /\/batches$/.test(rest)) {
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      const file = typeof body.input_file_id === 'string' ? this.files.get(body.input_file_id) : undefined;
      if (!file) { invalid('input_file_id: no such file', 'input_file_id'); return true; }
      if (body.completion_window !== '24h') { invalid('completion_window: only "24h" is supported', 'completion_window'); return true; }
      // OpenAI's metadata: at most 16 pairs, string keys up to 64 characters and string values up to 512.
      const metadata = body.metadata;
      if (metadata !== undefined && metadata !== null && (typeof metadata !== 'object' || Array.isArray(metadata) || Object.keys(metadata).length > 16
        || Object.entries(metadata).some(([key, value]) => key.length > 64 || typeof value !== 'string' || value.length > 512))) {
        invalid('metadata: at most 16 string pairs (keys up to 64 characters, values up to 512)', 'metadata');
        return true;
      }
      const failure: SimulatedBatch['failure'] = [];
      const lines = file.content.split('\n').filter((line) => line.trim() !== '').map((line, index) => {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.url !== body.endpoint) failure.push({ code: 'invalid_url', line: index + 1, message: `url must be ${String(body.endpoint)}` });
          return parsed;
        } catch {
          failure.push({ code: 'invalid_json_line', line: index + 1, message: 'not JSON' });
          return {};
        }
      });
      if (this.options.failValidation !== undefined) failure.push({ code: 'invalid_request', line: 1, message: this.options.failValidation });
      const batch: SimulatedBatch = {
        preset, id: nextId('batch_'), createdAt: Date.now(), lines, endpoint: String(body.endpoint), metadata: body.metadata, inputFileId: file.id,
        status: failure.length > 0 ? 'failed' : 'validating', cancelledAt: undefined, endedAt: undefined, outputFileId: null, errorFileId: null, results: [], failure,
      };
      this.batches.push(batch);
      sendJson(res, 200, this.openAiBatch(batch));
      return true;
    }
    if (method === 'GET' && /\/batches$/.test(rest)) {
      // As OpenAI's GET /v1/batches: newest first, `limit` 1–100 (default 20), `after` a batch id (the page after it), has_more.
      const limit = query.has('limit') ? Number(query.get('limit')) : 20;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) { invalid('limit: expected an integer from 1 to 100', 'limit'); return true; }
      const all = this.batches.filter((batch) => batch.preset === preset).reverse();
      const after = query.get('after');
      const start = after === null ? 0 : all.findIndex((batch) => batch.id === after) + 1;
      if (after !== null && start === 0) { invalid('after: no such batch', 'after'); return true; }
      const data = all.slice(start, start + limit).map((batch) => this.openAiBatch(batch));
      sendJson(res, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < all.length });
      return true;
    }
    if ((match = /\/batches\/([^/]+)(\/cancel)?$/.exec(rest)) && (method === 'GET' || (method === 'POST' && match[2]))) {
      const batch = this.batches.find((candidate) => candidate.id === decodeURIComponent(match![1]!) && candidate.preset === preset);
      if (!batch) { notFound('batch'); return true; }
      if (match[2]) {
        this.advance(batch);
        if (batch.endedAt !== undefined || batch.status === 'failed') { invalid(`Cannot cancel a batch with status ${batch.status}.`, 'id'); return true; }
        batch.cancelledAt ??= Date.now();
        batch.status = 'cancelling';
      }
      sendJson(res, 200, this.openAiBatch(batch));
      return true;
    }
    return false;
  }
}
