import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { createProgress } from './progress.js';
import { UsageError } from './usage-error.js';

export const usage = `usage:
  tidegate batch submit FILE.jsonl [--window 24h] [--wait]   upload a JSONL batch and create it (OpenAI Batch API format)
  tidegate batch status BATCH_ID [--wait]                    counts and state; --wait shows a progress bar until it ends
  tidegate batch results BATCH_ID [--output FILE] [--errors] the output (or error) JSONL
Options: --url URL (default TIDEGATE_URL, else the config's server address), --api-key KEY or --key KEY (default TIDEGATE_API_KEY),
         --config FILE, --json (results --output F: a summary of what was written)
`;

interface BatchView {
  id: string;
  status: string;
  output_file_id: string | null;
  error_file_id: string | null;
  expires_at: number;
  request_counts: { total: number; completed: number; failed: number };
  /** Lines forwarded to providers' batch APIs (Tidegate's extension of the batch object). */
  provider_batches?: Array<{ provider: string; id: string | null; status: string; lines: number }>;
}

const FINAL = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** tidegate batch: a client of a running gateway's /v1/files and /v1/batches. */
export async function batchCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { config: { type: 'string' }, url: { type: 'string' }, 'api-key': { type: 'string' }, key: { type: 'string' }, window: { type: 'string' }, wait: { type: 'boolean' }, output: { type: 'string' }, errors: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const base = (values.url ?? process.env['TIDEGATE_URL'] ?? gatewayUrl(values.config)).replace(/\/+$/, '');
  // eval run spells it --key, batch --api-key: both are accepted on both.
  if (values.key !== undefined && values['api-key'] !== undefined) throw new UsageError('give --key or --api-key, not both');
  const key = values.key ?? values['api-key'] ?? process.env['TIDEGATE_API_KEY'];
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const response = await reach(base, path, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.headers as Record<string, string> | undefined) } });
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: { message?: string; code?: string } };
      throw new Error(`${response.status} ${body.error?.code ?? ''}: ${body.error?.message ?? response.statusText}`);
    }
    return response;
  };
  const print = (batch: BatchView) => {
    if (values.json) process.stdout.write(`${JSON.stringify(batch, null, 2)}\n`);
    else {
      const forwarded = (batch.provider_batches ?? []).map((entry) => `; ${entry.lines} lines at ${entry.provider}'s batch API (${entry.id ?? 'not yet sent'}, ${entry.status})`).join('');
      process.stdout.write(`${batch.id}: ${batch.status}, ${batch.request_counts.completed} completed, ${batch.request_counts.failed} failed of ${batch.request_counts.total}; deadline ${new Date(batch.expires_at * 1000).toISOString()}${forwarded}\n`);
    }
  };
  const watch = async (id: string): Promise<BatchView> => {
    let batch = (await (await call(`/v1/batches/${id}`)).json()) as BatchView;
    const progress = createProgress(batch.request_counts.total, id);
    while (!FINAL.has(batch.status)) {
      progress.update(batch.request_counts.completed + batch.request_counts.failed, batch.status);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      batch = (await (await call(`/v1/batches/${id}`)).json()) as BatchView;
    }
    progress.update(batch.request_counts.total, batch.status);
    return batch;
  };

  if (sub === 'submit' && positionals[0]) {
    const path = positionals[0];
    const form = new FormData();
    form.set('purpose', 'batch');
    form.set('file', new Blob([readFileSync(path)]), basename(path));
    const file = (await (await call('/v1/files', { method: 'POST', body: form })).json()) as { id: string };
    const created = (await (await call('/v1/batches', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: values.window ?? '24h' }),
    })).json()) as BatchView;
    print(values.wait ? await watch(created.id) : created);
    return 0;
  }
  if (sub === 'status' && positionals[0]) {
    print(values.wait ? await watch(positionals[0]) : ((await (await call(`/v1/batches/${positionals[0]}`)).json()) as BatchView));
    return 0;
  }
  if (sub === 'results' && positionals[0]) {
    const batch = (await (await call(`/v1/batches/${positionals[0]}`)).json()) as BatchView;
    const fileId = values.errors ? batch.error_file_id : batch.output_file_id;
    if (!fileId) {
      process.stderr.write(FINAL.has(batch.status) ? `${batch.id} has no ${values.errors ? 'error' : 'output'} file.\n` : `${batch.id} is ${batch.status}; results come when it ends.\n`);
      return 1;
    }
    const text = await (await call(`/v1/files/${fileId}/content`)).text();
    if (!values.output) process.stdout.write(text);
    else {
      writeFileSync(values.output, text);
      const lines = text.split('\n').filter((line) => line.trim() !== '').length;
      if (values.json) process.stdout.write(`${JSON.stringify({ id: batch.id, status: batch.status, file_id: fileId, kind: values.errors ? 'errors' : 'output', output: values.output, lines, bytes: Buffer.byteLength(text) })}\n`);
    }
    return 0;
  }
  process.stderr.write(usage);
  return 2;
}

/** fetch's own "fetch failed" does not say what it failed to reach. */
async function reach(base: string, path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(`${base}${path}`, init);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
}

function gatewayUrl(configFile: string | undefined): string {
  const { host, port } = loadConfig({ file: configFile }).server;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}
