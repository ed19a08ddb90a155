import { GatewayError } from '../errors/catalogue.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../http/body.js';
import type { BatchRow, FileRow, JobRow } from '../storage/index.js';

/** OpenAI's Batch API shapes: input lines, output and error lines, file and batch objects. */
export interface BatchInputLine {
  readonly customId: string;
  readonly body: Record<string, unknown>;
  readonly lineNo: number;
}

export const SUPPORTED_ENDPOINTS = ['/v1/chat/completions'] as const;
export const MAX_BATCH_LINES = 50_000;

/** Parses a batch input file (JSONL of {custom_id, method, url, body}); every problem names its line. */
export function parseBatchInput(content: string, endpoint: string): BatchInputLine[] {
  const lines: BatchInputLine[] = [];
  const seen = new Set<string>();
  const problem = (lineNo: number, message: string) => new GatewayError('invalid_request', `input file line ${lineNo}: ${message}`, { param: 'input_file_id' });
  // A byte-order mark (some Windows editors write one) is not part of the first line's JSON.
  content.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((text, index) => {
    const lineNo = index + 1;
    if (text.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw problem(lineNo, `not valid JSON (${(error as Error).message})`);
    }
    // The line's body runs later as a chat request: refused here as readJsonBody refuses one sent directly.
    if (nestedDeeperThan(parsed, MAX_JSON_DEPTH)) throw problem(lineNo, `arrays and objects nest more than ${MAX_JSON_DEPTH} levels deep`);
    const line = parsed as { custom_id?: unknown; method?: unknown; url?: unknown; body?: unknown };
    if (typeof line !== 'object' || line === null) throw problem(lineNo, 'expected a JSON object');
    if (typeof line.custom_id !== 'string' || line.custom_id === '') throw problem(lineNo, 'custom_id must be a non-empty string');
    if (seen.has(line.custom_id)) throw problem(lineNo, `custom_id ${JSON.stringify(line.custom_id)} is used twice`);
    if (line.method !== 'POST') throw problem(lineNo, 'method must be "POST"');
    if (line.url !== endpoint) throw problem(lineNo, `url must be the batch endpoint ${endpoint}`);
    if (typeof line.body !== 'object' || line.body === null || Array.isArray(line.body)) throw problem(lineNo, 'body must be a JSON object');
    seen.add(line.custom_id);
    lines.push({ customId: line.custom_id, body: line.body as Record<string, unknown>, lineNo });
  });
  if (lines.length === 0) throw new GatewayError('invalid_request', 'The input file has no requests.', { param: 'input_file_id' });
  if (lines.length > MAX_BATCH_LINES) throw new GatewayError('invalid_request', `The input file has ${lines.length} requests; the limit is ${MAX_BATCH_LINES}.`, { param: 'input_file_id' });
  return lines;
}

/**
 * completion_window: "24h" as OpenAI, or any whole number of hours from 1 to 336 (a deliberate extension: the
 * window is the deadline the scheduler plans lines against; README "Peaks and valleys"). Written without leading
 * zeros, so the window stored and echoed is the one the client meant.
 */
export function parseCompletionWindow(value: unknown): number {
  const match = typeof value === 'string' ? /^([1-9]\d{0,2})h$/.exec(value) : null;
  const hours = match ? Number(match[1]) : Number.NaN;
  if (!(hours >= 1 && hours <= 336)) throw new GatewayError('invalid_request', 'completion_window: expected hours such as "24h" (1h to 336h).', { param: 'completion_window' });
  return hours * 3_600_000;
}

/** One line of the output file (succeeded) or the error file (failed, expired, cancelled). */
export function resultLine(job: JobRow): { output: boolean; text: string } {
  const id = `batch_req_${job.id.replace(/^job_/, '')}`;
  if (job.status === 'succeeded') {
    return { output: true, text: JSON.stringify({ id, custom_id: job.custom_id, response: { status_code: 200, request_id: job.request_id, body: JSON.parse(job.result ?? 'null') }, error: null }) };
  }
  const error = job.error ? (JSON.parse(job.error) as { error?: { code?: string; message?: string } }) : undefined;
  if (job.status_code !== null && job.status_code !== undefined) {
    return { output: false, text: JSON.stringify({ id, custom_id: job.custom_id, response: { status_code: job.status_code, request_id: job.request_id, body: error ?? null }, error: null }) };
  }
  const code = job.status === 'cancelled' ? 'batch_cancelled' : error?.error?.code === 'deadline_unreachable' ? 'batch_expired' : error?.error?.code ?? 'batch_failed';
  return { output: false, text: JSON.stringify({ id, custom_id: job.custom_id, response: null, error: { code, message: error?.error?.message ?? job.status } }) };
}

const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : Math.floor(ms / 1000));

export function fileObject(file: Omit<FileRow, 'content'>) {
  return { id: file.id, object: 'file', bytes: Number(file.bytes), created_at: seconds(file.created_at), filename: file.filename, purpose: file.purpose, status: 'processed', expires_at: null, status_details: null };
}

export function batchObject(batch: BatchRow, counts: { total: number; completed: number; failed: number }) {
  return {
    id: batch.id,
    object: 'batch',
    endpoint: batch.endpoint,
    errors: null,
    input_file_id: batch.input_file_id,
    completion_window: batch.completion_window,
    status: batch.status,
    output_file_id: batch.output_file_id,
    error_file_id: batch.error_file_id,
    created_at: seconds(batch.created_at),
    in_progress_at: seconds(batch.in_progress_at),
    expires_at: seconds(batch.expires_at),
    finalizing_at: seconds(batch.finalizing_at),
    completed_at: seconds(batch.completed_at),
    failed_at: null,
    expired_at: seconds(batch.expired_at),
    cancelling_at: batch.status === 'cancelling' ? seconds(batch.cancelled_at) : null,
    cancelled_at: batch.status === 'cancelled' ? seconds(batch.cancelled_at) : null,
    request_counts: counts,
    metadata: batch.metadata ? (JSON.parse(batch.metadata) as Record<string, string>) : null,
  };
}
