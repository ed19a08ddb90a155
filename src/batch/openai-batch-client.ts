import type { ChatResponse } from '../canonical/chat.js';
import { GatewayError } from '../errors/catalogue.js';
import { classifyUpstreamError } from '../providers/error-classifier.js';
import { normalizeOpenAiUsage } from '../providers/openai-usage.js';
import { shapeChatRequest } from '../providers/request-shaping.js';
import { BatchHttp, parseJsonLines, type ExistingLookup, type ForwardLine, type ProviderBatchClient, type UpstreamBatch, type UpstreamLineResult } from './provider-batch-client.js';

const ENDED: Readonly<Record<string, UpstreamBatch['ended']>> = { completed: 'completed', expired: 'expired', cancelled: 'cancelled', failed: 'failed' };

function toBatch(body: Record<string, unknown>): UpstreamBatch {
  if (typeof body.id !== 'string' || typeof body.status !== 'string') throw new GatewayError('upstream_unavailable', 'batch API: a batch object without id or status');
  const errors = (body.errors as { data?: Array<{ message?: string; line?: number }> } | null | undefined)?.data ?? [];
  return {
    id: body.id,
    status: body.status,
    ended: ENDED[body.status],
    cancelling: body.status === 'cancelling',
    failure: errors.length > 0 ? errors.map((error) => `${error.line === undefined ? '' : `line ${error.line}: `}${error.message ?? 'invalid'}`).join('; ') : undefined,
    outputFileId: typeof body.output_file_id === 'string' ? body.output_file_id : null,
    errorFileId: typeof body.error_file_id === 'string' ? body.error_file_id : null,
  };
}

/**
 * OpenAI's Batch API and its copies (DashScope compatible mode, Zhipu): the lines, with upstream model names, go
 * up as a JSONL file (purpose batch), then one batch is created on it; output and error files come back as JSONL
 * keyed by custom_id.
 */
export class OpenAiBatchClient implements ProviderBatchClient {
  constructor(private readonly http: BatchHttp, private readonly lineUrl: string) {}

  private line(line: ForwardLine): string {
    const { body } = shapeChatRequest({ ...line.request, stream: false }, this.http.preset, line.model.upstream);
    delete body.stream;
    delete body.stream_options;
    return JSON.stringify({ custom_id: line.customId, method: 'POST', url: this.lineUrl, body });
  }

  async upload(lines: readonly ForwardLine[], name: string): Promise<string> {
    const form = new FormData();
    form.set('purpose', 'batch');
    form.set('file', new Blob([lines.map((line) => this.line(line)).join('\n') + '\n'], { type: 'application/jsonl' }), name);
    const file = await this.http.json('POST', '/files', form);
    if (typeof file.id !== 'string') throw new GatewayError('upstream_unavailable', `${this.http.provider.id} batch API: the uploaded file has no id`);
    return file.id;
  }

  /**
   * Pages through GET /batches (newest first, 100 a page) until a batch carries this provider batch's metadata
   * (or was made from its input file), or the batches are older than it could be (a minute of clock skew allowed).
   */
  async findExisting(lookup: ExistingLookup): Promise<UpstreamBatch | undefined> {
    const oldest = Math.floor((lookup.notBefore - 60_000) / 1000);
    let after: string | undefined;
    for (let page = 0; page < 50; page++) {
      const list = await this.http.json('GET', `/batches?limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      const data = Array.isArray(list.data) ? (list.data as Array<Record<string, unknown>>) : [];
      const found = data.find((batch) => {
        const metadata = batch.metadata as Record<string, unknown> | null | undefined;
        return metadata?.tidegate_provider_batch === lookup.providerBatchId || (lookup.inputFileId !== undefined && batch.input_file_id === lookup.inputFileId);
      });
      if (found) return toBatch(found);
      const last = data.at(-1);
      if (list.has_more !== true || !last || typeof last.id !== 'string') return undefined;
      if (typeof last.created_at === 'number' && last.created_at < oldest) return undefined;
      after = last.id;
    }
    return undefined;
  }

  async create(_lines: readonly ForwardLine[], inputFileId: string | undefined, metadata: Record<string, string>): Promise<UpstreamBatch> {
    return toBatch(await this.http.json('POST', '/batches', { input_file_id: inputFileId, endpoint: this.lineUrl, completion_window: '24h', metadata }));
  }

  async retrieve(id: string): Promise<UpstreamBatch> {
    return toBatch(await this.http.json('GET', `/batches/${encodeURIComponent(id)}`));
  }

  async cancel(id: string): Promise<UpstreamBatch> {
    return toBatch(await this.http.json('POST', `/batches/${encodeURIComponent(id)}/cancel`));
  }

  async results(batch: UpstreamBatch): Promise<UpstreamLineResult[]> {
    const results: UpstreamLineResult[] = [];
    for (const fileId of [batch.outputFileId, batch.errorFileId]) {
      if (!fileId) continue;
      for (const line of parseJsonLines(await this.http.text(`/files/${encodeURIComponent(fileId)}/content`), `${this.http.provider.id} batch file ${fileId}`)) {
        results.push(this.lineResult(line));
      }
    }
    return results;
  }

  private lineResult(line: Record<string, unknown>): UpstreamLineResult {
    const customId = String(line.custom_id ?? '');
    const response = line.response as { status_code?: number; body?: unknown } | null | undefined;
    const error = line.error as { code?: string; message?: string } | null | undefined;
    if (response && response.status_code === 200 && typeof response.body === 'object' && response.body !== null) {
      const body = response.body as ChatResponse & { usage?: unknown };
      return { customId, kind: 'succeeded', response: body, usage: normalizeOpenAiUsage(body.usage) };
    }
    if (error?.code === 'batch_expired') return { customId, kind: 'expired' };
    if (error?.code === 'batch_cancelled') return { customId, kind: 'cancelled' };
    if (response && typeof response.status_code === 'number') {
      return { customId, kind: 'failed', statusCode: response.status_code, error: classifyUpstreamError(this.http.preset, response.status_code, response.body) };
    }
    return { customId, kind: 'failed', statusCode: null, error: new GatewayError('upstream_bad_request', `${this.http.preset.displayName}: ${error?.message ?? error?.code ?? 'the line failed'}`, { upstreamCode: error?.code }) };
  }
}
