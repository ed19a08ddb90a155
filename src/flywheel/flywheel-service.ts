import { randomBytes } from 'node:crypto';
import type { ChatRequest } from '../canonical/chat.js';
import type { GatewayConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import type { ChatSink } from '../pipeline/chat-pipeline.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { createPrivacyEngine, type PrivacyEngine } from '../privacy/index.js';
import type { Database } from '../storage/index.js';
import { captureRecordOf, CaptureWriter } from './capture-writer.js';
import { captureRetention, capturingSink } from './capture-sink.js';
import { recordFeedback, type FeedbackCaller, type FeedbackResult } from './feedback.js';
import { sweepExpired, type SweepResult } from './retention.js';
import { Shadowing } from './shadow.js';
import type { Services } from '../pipeline/services.js';

/**
 * The privacy engine used for stored content: the gateway's own when privacy is configured, else one with
 * the built-in detectors (its placeholder secret is never used: storage only redacts).
 */
export function storageEngine(privacy: PrivacyEngine | undefined): PrivacyEngine {
  return privacy ?? createPrivacyEngine({ secret: randomBytes(32) });
}

/** Capture, feedback and retention, built once in the composition root. */
export class FlywheelService {
  readonly writer: CaptureWriter;
  readonly engine: PrivacyEngine;
  readonly #sweeper: NodeJS.Timeout;
  /** Shadowing of light-model calls by the flagship (capture.shadow), when configured. */
  readonly shadow: Shadowing | undefined;
  /** Whether this node runs the retention sweep and the shadow judge (leases in a cluster; see leadWith). */
  #sweeping: () => boolean = () => true;
  #judging: () => boolean = () => true;

  constructor(
    private readonly database: Database,
    private readonly config: GatewayConfig,
    privacy: PrivacyEngine | undefined,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.engine = storageEngine(privacy);
    const { capture } = config.flywheel;
    this.writer = new CaptureWriter(database, this.engine, {
      batchSize: capture.batchSize,
      flushIntervalMs: capture.flushIntervalMs,
      queueLimit: capture.queueLimit,
      onError: (error) => logger.error('capture write failed; will retry', { error: String(error) }),
    });
    // The first sweep waits a full interval: a gateway that restarts often still sweeps, a test never does.
    this.#sweeper = setInterval(() => {
      if (this.#sweeping()) void this.sweep().catch((error: unknown) => logger.warn('retention sweep failed', { error: String(error) }));
    }, capture.sweepMs);
    this.#sweeper.unref();
    if (capture.shadow) this.shadow = new Shadowing(database, capture.shadow, this.engine, logger, () => this.writer.flush(), Math.max(capture.retentionMs, ...Object.values(capture.routes), ...Object.values(capture.scenarios), ...Object.values(capture.keys)), now);
  }

  /**
   * Nodes sharing one PostgreSQL store sweep and judge one at a time, the holders of these leases (before attach).
   * A late sweep by a deposed node only deletes rows already past retention again, so it needs no fencing.
   */
  leadWith(retention: { isLeader(): boolean }, judge?: { isLeader(): boolean }): void {
    this.#sweeping = () => retention.isLeader();
    if (judge) this.#judging = () => judge.isLeader();
  }

  /** Once the services exist (the shadow jobs and the judge run through them). */
  attach(services: Services): void {
    this.shadow?.attach(services, this.config.flywheel.capture.shadow?.judgeIntervalMs ?? 60_000, () => this.#judging());
  }

  /** At the start of a chat call: when it is opted in, keep its (masked) request and wrap the sink to keep the answer. */
  capture(context: RequestContext, request: ChatRequest, sink: ChatSink): ChatSink {
    const retentionMs = captureRetention(this.config.flywheel.capture, { model: context.modelRequested, scenario: context.scenario, apiKeyId: context.apiKeyId });
    if (retentionMs === undefined || this.shadow?.internal.has(context)) return sink;
    context.capture = { retentionMs, request, output: '', toolCalls: [], finishReason: null, complete: false };
    return capturingSink(sink, context.capture);
  }

  /** After the call (from the ledger): queue the captured content for the background writer. */
  record(context: RequestContext): void | Promise<void> {
    const record = captureRecordOf(context, this.config.hash);
    if (!record) return;
    this.shadow?.sample(record);
    return this.writer.write(record);
  }

  feedback(caller: FeedbackCaller, body: unknown, idempotencyKey?: string): Promise<FeedbackResult> {
    return recordFeedback({ database: this.database, flywheel: this.config.flywheel, engine: this.engine, writer: this.writer, now: this.now }, caller, body, idempotencyKey);
  }

  async sweep(): Promise<SweepResult> {
    const result = await sweepExpired(this.database, this.now(), this.config.flywheel.capture.metadataRetentionMs);
    if (result.inferences + result.feedback + result.requestLog > 0) this.logger.info('retention sweep', { ...result });
    return result;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.shadow?.close();
    await this.writer.close();
  }
}
