import { GatewayError } from '../errors/catalogue.js';
import { classifyUpstreamError } from '../providers/error-classifier.js';
import { chatRequestToMessages, messageToChatResponse } from '../translate/anthropic-outbound.js';
import { BatchHttp, parseJsonLines, type ForwardLine, type ProviderBatchClient, type UpstreamBatch, type UpstreamLineResult } from './provider-batch-client.js';

function toBatch(body: Record<string, unknown>): UpstreamBatch {
  if (typeof body.id !== 'string' || typeof body.processing_status !== 'string') throw new GatewayError('upstream_unavailable', 'Anthropic: a message batch without id or processing_status');
  const ended = body.processing_status === 'ended';
  const cancelled = typeof body.cancel_initiated_at === 'string';
  return {
    id: body.id,
    status: body.processing_status,
    ended: ended ? (cancelled ? 'cancelled' : 'completed') : undefined,
    cancelling: body.processing_status === 'canceling',
    resultsUrl: typeof body.results_url === 'string' ? body.results_url : null,
  };
}

/**
 * Anthropic's Message Batches: the requests go inline (`requests: [{custom_id, params}]`, params being a Messages
 * body with the upstream model name), results come back as JSONL of {custom_id, result: succeeded | errored |
 * canceled | expired}; answers are translated back to chat.completion objects for the client's output file.
 */
export class AnthropicBatchClient implements ProviderBatchClient {
  constructor(private readonly http: BatchHttp) {}

  async upload(): Promise<undefined> {
    return undefined;
  }

  /**
   * Message Batches carry no metadata and no input file, so a batch created by a node that died before recording
   * its id cannot be told apart from another one: not found (the forwarder then creates it again).
   */
  async findExisting(): Promise<undefined> {
    return undefined;
  }

  async create(lines: readonly ForwardLine[]): Promise<UpstreamBatch> {
    const requests = lines.map((line) => ({ custom_id: line.customId, params: chatRequestToMessages({ ...line.request, stream: false }, line.model.upstream).body }));
    return toBatch(await this.http.json('POST', '/messages/batches', { requests }));
  }

  async retrieve(id: string): Promise<UpstreamBatch> {
    return toBatch(await this.http.json('GET', `/messages/batches/${encodeURIComponent(id)}`));
  }

  async cancel(id: string): Promise<UpstreamBatch> {
    return toBatch(await this.http.json('POST', `/messages/batches/${encodeURIComponent(id)}/cancel`));
  }

  async results(batch: UpstreamBatch): Promise<UpstreamLineResult[]> {
    const url = batch.resultsUrl ?? `/messages/batches/${encodeURIComponent(batch.id)}/results`;
    return parseJsonLines(await this.http.text(url), `Anthropic batch ${batch.id} results`).map((line) => {
      const customId = String(line.custom_id ?? '');
      const result = (line.result ?? {}) as { type?: string; message?: unknown; error?: unknown };
      if (result.type === 'succeeded') {
        const { response, usage } = messageToChatResponse(result.message, 'unknown'); // the forwarder names the client's model
        return { customId, kind: 'succeeded', response, usage };
      }
      if (result.type === 'canceled') return { customId, kind: 'cancelled' };
      if (result.type === 'expired') return { customId, kind: 'expired' };
      return { customId, kind: 'failed', statusCode: 400, error: classifyUpstreamError(this.http.preset, 400, result.error) };
    });
  }
}
