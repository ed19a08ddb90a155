import type { PrivacyEngine } from '../privacy/index.js';
import type { RequestContext } from '../pipeline/request-context.js';
import type { Database } from '../storage/index.js';
import { captureInput, maskForStorage } from './captured-content.js';
import type { CaptureDraft } from './capture-sink.js';
import { insertInferences, type InferenceRow } from './inference-store.js';
import { promptHash } from './prompt-hash.js';

/** A finished call to capture: its metadata now, its content turned into a stored row later, in the background. */
export interface CaptureRecord {
  readonly id: string;
  readonly episodeId: string;
  readonly createdAt: number;
  readonly apiKeyId: string | null;
  readonly scenario: string | null;
  readonly modelRequested: string;
  readonly modelServed: string | null;
  readonly provider: string | null;
  readonly tier: string | null;
  readonly stream: boolean;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costNanoCny: number;
  readonly configHash: string;
  readonly draft: CaptureDraft;
}

/** The record for a finished call, or undefined when it is not to be captured (not opted in, failed, cut short). */
export function captureRecordOf(context: RequestContext, configHash: string): CaptureRecord | undefined {
  const draft = context.capture;
  if (!draft || !draft.complete || context.status !== 200) return undefined;
  const usage = context.usage;
  return {
    id: context.id,
    episodeId: context.episodeId ?? context.id,
    createdAt: context.startedAt,
    apiKeyId: context.apiKeyId ?? null,
    scenario: context.scenario ?? null,
    modelRequested: context.modelRequested,
    modelServed: context.served?.model.id ?? null,
    provider: context.served?.provider.id ?? null,
    tier: context.served?.model.tier ?? null,
    stream: context.stream,
    inputTokens: usage ? usage.inputUncached + usage.cacheRead + usage.cacheWrite : 0,
    outputTokens: usage ? usage.output : 0,
    costNanoCny: context.cost?.nanoCny ?? 0,
    configHash,
    draft,
  };
}

/** Masks (again, for storage) and hashes a record into the row that is stored. */
export function toInferenceRow(engine: PrivacyEngine, record: CaptureRecord): InferenceRow {
  const input = captureInput(engine, record.draft.request);
  const calls = record.draft.toolCalls.filter((call) => call.name !== '');
  const output = maskForStorage(engine, record.draft.output);
  return {
    id: record.id,
    episodeId: record.episodeId,
    createdAt: record.createdAt,
    expiresAt: record.createdAt + record.draft.retentionMs,
    apiKeyId: record.apiKeyId,
    scenario: record.scenario,
    modelRequested: record.modelRequested,
    modelServed: record.modelServed,
    provider: record.provider,
    tier: record.tier,
    stream: record.stream,
    finishReason: record.draft.finishReason,
    input: calls.length === 0 ? input : { ...input, params: { ...input.params, answer_tool_calls: calls.map((call) => ({ ...call, arguments: maskForStorage(engine, call.arguments) })) } },
    output,
    promptHash: promptHash(input.messages),
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    costNanoCny: record.costNanoCny,
    configHash: record.configHash,
  };
}

export interface CaptureWriterOptions {
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  /** Records queued before write() hands back a promise to wait on (backpressure, never dropping). */
  readonly queueLimit: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Stores captured calls off the request path, like the request-log writer: write() only enqueues; a timer or
 * a full batch masks, hashes and inserts a batch in one transaction; failed batches stay queued for the next
 * flush; close() drains. Queued ids are visible to feedback at once (`pending`), before they reach the store.
 */
export class CaptureWriter {
  readonly #queue: CaptureRecord[] = [];
  readonly #pending = new Map<string, CaptureRecord>();
  readonly #pendingEpisodes = new Map<string, number>();
  readonly #waiters: Array<() => void> = [];
  readonly #timer: NodeJS.Timeout;
  #active: Promise<unknown> | undefined;
  #soon: NodeJS.Immediate | undefined;
  #failing = false;
  #closed = false;
  written = 0;

  constructor(
    private readonly database: Database,
    private readonly engine: PrivacyEngine,
    private readonly options: CaptureWriterOptions,
  ) {
    this.#timer = setInterval(() => {
      if (this.#queue.length > 0) void this.#pump();
    }, options.flushIntervalMs);
    this.#timer.unref();
  }

  write(record: CaptureRecord): void | Promise<void> {
    if (this.#closed) return;
    this.#queue.push(record);
    this.#pending.set(record.id, record);
    this.#pendingEpisodes.set(record.episodeId, (this.#pendingEpisodes.get(record.episodeId) ?? 0) + 1);
    const over = this.#queue.length > this.options.queueLimit;
    if (!this.#failing && (over || this.#queue.length >= this.options.batchSize) && this.#soon === undefined) {
      this.#soon = setImmediate(() => {
        this.#soon = undefined;
        void this.#pump();
      });
    }
    if (over) return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** A queued (not yet stored) record by inference id. */
  pending(id: string): CaptureRecord | undefined {
    return this.#pending.get(id);
  }

  /** Queued records of an episode (their owners and expiries). */
  pendingEpisode(episodeId: string): CaptureRecord[] {
    if (!this.#pendingEpisodes.has(episodeId)) return [];
    return [...this.#pending.values()].filter((record) => record.episodeId === episodeId);
  }

  async flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const error = await this.#pump();
      if (error !== undefined) throw error;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    if (this.#soon !== undefined) clearImmediate(this.#soon);
    await this.flush();
  }

  /** A record that cannot be turned into a row is left out (and reported) so it never blocks the batches behind it. */
  #row(record: CaptureRecord): InferenceRow[] {
    try {
      return [toInferenceRow(this.engine, record)];
    } catch (error) {
      this.options.onError?.(error);
      return [];
    }
  }

  #pump(): Promise<unknown> {
    this.#active ??= this.#drain().finally(() => {
      this.#active = undefined;
    });
    return this.#active;
  }

  async #drain(): Promise<unknown> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.slice(0, this.options.batchSize);
      try {
        await insertInferences(this.database, batch.flatMap((record) => this.#row(record)));
      } catch (error) {
        if (!this.#failing) this.options.onError?.(error);
        this.#failing = true;
        return error;
      }
      this.#failing = false;
      this.#queue.splice(0, batch.length);
      this.written += batch.length;
      for (const record of batch) {
        this.#pending.delete(record.id);
        const left = (this.#pendingEpisodes.get(record.episodeId) ?? 1) - 1;
        if (left === 0) this.#pendingEpisodes.delete(record.episodeId);
        else this.#pendingEpisodes.set(record.episodeId, left);
      }
      if (this.#queue.length <= this.options.queueLimit) this.#waiters.splice(0).forEach((resolve) => resolve());
    }
    return undefined;
  }
}
