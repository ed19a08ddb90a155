import type { ChatRequest, ChatResponse } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import type { ModelConfig, ProviderConfig } from '../config/types.js';
import { GatewayError } from '../errors/catalogue.js';
import { classifyUpstreamError } from '../providers/error-classifier.js';
import { authHeaders, joinUrl } from '../providers/http-transport.js';
import type { PresetDefinition } from '../providers/preset.js';

/** One line sent to a provider batch: the client's custom_id and the canonical request with its model config. */
export interface ForwardLine {
  readonly customId: string;
  readonly request: ChatRequest;
  readonly model: ModelConfig;
}

/** The provider's view of a batch, as polled. */
export interface UpstreamBatch {
  readonly id: string;
  /** The provider's own status word. */
  readonly status: string;
  /** How it ended, once it has: completed (every line answered or errored), expired, cancelled, or failed (refused as a whole). */
  readonly ended: 'completed' | 'expired' | 'cancelled' | 'failed' | undefined;
  readonly cancelling: boolean;
  /** Why a batch failed as a whole (validation errors), for the lines' error. */
  readonly failure?: string;
  readonly outputFileId?: string | null;
  readonly errorFileId?: string | null;
  readonly resultsUrl?: string | null;
}

/** One line's outcome, keyed by the client's custom_id. */
export type UpstreamLineResult =
  | { readonly customId: string; readonly kind: 'succeeded'; readonly response: ChatResponse; readonly usage: NormalizedUsage | undefined }
  | { readonly customId: string; readonly kind: 'failed'; readonly statusCode: number | null; readonly error: GatewayError }
  | { readonly customId: string; readonly kind: 'expired' }
  | { readonly customId: string; readonly kind: 'cancelled' };

/** What identifies a provider batch Tidegate may already have created upstream. */
export interface ExistingLookup {
  /** Tidegate's provider_batches id, sent as metadata.tidegate_provider_batch when it was created. */
  readonly providerBatchId: string;
  /** The uploaded input file, when the API takes one and its id was recorded. */
  readonly inputFileId: string | undefined;
  /** Epoch ms: no batch of ours is older than this (the search stops there). */
  readonly notBefore: number;
}

/** What Tidegate needs from a provider batch API. Every call maps failures to catalogue errors (retryable or not). */
export interface ProviderBatchClient {
  /** Upload the lines where the API takes a file (returns its id), else undefined. */
  upload(lines: readonly ForwardLine[], name: string): Promise<string | undefined>;
  /**
   * A batch already created for this provider batch (a node died between create and recording its id), if the
   * API can find one: by the metadata Tidegate sets (tidegate_provider_batch) or the uploaded input file.
   */
  findExisting(lookup: ExistingLookup): Promise<UpstreamBatch | undefined>;
  create(lines: readonly ForwardLine[], inputFileId: string | undefined, metadata: Record<string, string>): Promise<UpstreamBatch>;
  retrieve(id: string): Promise<UpstreamBatch>;
  cancel(id: string): Promise<UpstreamBatch>;
  results(batch: UpstreamBatch): Promise<UpstreamLineResult[]>;
}

/** HTTP to a provider's batch endpoints (control plane: few calls, so the platform's fetch). */
export class BatchHttp {
  constructor(readonly provider: ProviderConfig, readonly preset: PresetDefinition) {}

  url(path: string): string {
    return /^https?:\/\//.test(path) ? path : joinUrl(this.provider.baseUrl, path);
  }

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const headers = authHeaders(this.provider, this.preset);
    let payload: string | FormData | undefined;
    if (body instanceof FormData) {
      delete headers['content-type']; // fetch writes the multipart boundary
      payload = body;
    } else if (body !== undefined) payload = JSON.stringify(body);
    else if (method === 'GET') delete headers['content-type'];
    let response: Response;
    try {
      response = await fetch(this.url(path), { method, headers, body: payload, signal: AbortSignal.timeout(this.provider.timeouts.firstByteMs + this.provider.timeouts.connectMs) });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new GatewayError(timedOut ? 'upstream_timeout' : 'upstream_unavailable', `${this.provider.id} batch API ${method} ${path}: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) {
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep the text
      }
      throw classifyUpstreamError(this.preset, response.status, parsed, response.headers.get('retry-after') ?? undefined);
    }
    return response;
  }

  async json(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await this.request(method, path, body);
    const parsed = (await response.json().catch(() => undefined)) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new GatewayError('upstream_unavailable', `${this.provider.id} batch API ${method} ${path}: not a JSON object`);
    return parsed as Record<string, unknown>;
  }

  async text(path: string): Promise<string> {
    return (await this.request('GET', path)).text();
  }
}

/** Parse JSONL, skipping blank lines; a line that is not JSON is reported, not dropped silently. */
export function parseJsonLines(text: string, what: string): Array<Record<string, unknown>> {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new GatewayError('upstream_unavailable', `${what} line ${index + 1} is not JSON`);
      }
    });
}
