import type { Database } from '../storage/index.js';
import { insertAssignments, type AssignmentRow } from './experiment-store.js';

export interface AssignmentWriterOptions {
  readonly flushIntervalMs: number;
  readonly batchSize: number;
  /** Rows queued before write() hands back a promise the caller should await (backpressure, never dropping). */
  readonly queueLimit: number;
  readonly onError: (error: unknown) => void;
}

/**
 * Writes experiment assignments off the request path, like the request log: write() only enqueues, a timer or a
 * full batch flushes in the background, a failed batch stays queued for the next flush, close() drains. Rows still
 * queued are visible through pending(), so feedback that arrives before the flush still finds its arm.
 */
export class AssignmentWriter {
  readonly #queue: AssignmentRow[] = [];
  readonly #byRequest = new Map<string, AssignmentRow>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly database: Database,
    private readonly options: AssignmentWriterOptions,
  ) {
    this.#timer = setInterval(() => void this.flush().catch(options.onError), options.flushIntervalMs);
    this.#timer.unref();
  }

  write(row: AssignmentRow): void | Promise<void> {
    if (this.#closed) return;
    this.#queue.push(row);
    this.#byRequest.set(row.request_id, row);
    if (this.#queue.length >= this.options.batchSize) void this.flush().catch(this.options.onError);
    if (this.#queue.length > this.options.queueLimit) return this.flush();
  }

  /** A queued (not yet written) assignment of this request, or of a request of this episode. */
  pending(experiment: string, target: { requestId?: string; episodeId?: string }): AssignmentRow | undefined {
    if (target.requestId !== undefined) {
      const row = this.#byRequest.get(target.requestId);
      return row?.experiment === experiment ? row : undefined;
    }
    return this.#queue.find((row) => row.experiment === experiment && row.episode_id === target.episodeId);
  }

  /** Writes everything queued before the call. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#queue.length === 0) return;
    const batch = this.#queue.slice(0, this.#queue.length);
    this.#flushing = (async () => {
      for (let i = 0; i < batch.length; i += this.options.batchSize) await insertAssignments(this.database, batch.slice(i, i + this.options.batchSize));
      this.#queue.splice(0, batch.length);
      for (const row of batch) this.#byRequest.delete(row.request_id);
    })();
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
  }
}
