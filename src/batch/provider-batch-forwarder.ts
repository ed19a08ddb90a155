import type { ChatRequest } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import type { ModelConfig, ProviderConfig } from '../config/types.js';
import { GatewayError, asGatewayError } from '../errors/catalogue.js';
import { uuidv7 } from '../pipeline/ids.js';
import { toLogRow } from '../pipeline/log-row.js';
import { RequestContext } from '../pipeline/request-context.js';
import type { Services } from '../pipeline/services.js';
import type { Leadership } from '../cluster/job-leases.js';
import { LeaseLostError } from '../cluster/leader-lease.js';
import { getPreset } from '../providers/registry.js';
import {
  forwardedLines, getBatch, openProviderBatches, requeueForwardedLines, settleForwardedLine, updateProviderBatch,
  type Database, type ForwardedOutcome, type JobRow, type ProviderBatchRow,
} from '../storage/index.js';
import { AnthropicBatchClient } from './anthropic-batch-client.js';
import { batchModeOf } from './batch-mode.js';
import { OpenAiBatchClient } from './openai-batch-client.js';
import { BatchHttp, type ForwardLine, type ProviderBatchClient, type UpstreamBatch, type UpstreamLineResult } from './provider-batch-client.js';

export interface ForwarderOptions {
  readonly now: () => number;
  readonly pollIntervalMs: number;
  /** Called after a provider batch settled (the client batch is finalised there). */
  readonly onSettled: () => Promise<void>;
  /** Only the leader submits, polls and settles (one node of a cluster; always the node itself on SQLite). */
  readonly leadership: Leadership;
}

/** provider_batches.upstream_status while a create call may be under way (its id not yet recorded). */
const CREATING = 'creating';

const errorJson = (code: string, message: string) => JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } });

/**
 * Forwards batch lines to providers' batch APIs and brings the answers back. Durable at every step: the
 * provider_batches row is written before anything is sent; the uploaded file id and the upstream batch id are
 * stored as soon as the provider returns them, and "creating" is recorded right before the create call, so a
 * restart or a takeover between create and its record finds the batch (by the metadata tidegate_provider_batch
 * it was created with, or its input file) instead of creating a second one; polling resumes from the stored ids; each line is settled and billed
 * (batch tariff) in one transaction with its ledger row, only while it still waits, so a line is billed once.
 *
 * In a cluster one node polls, the holder of the provider-batch lease; every write it makes is fenced by the
 * lease epoch, and it checks the lease under lock right before creating an upstream batch, so a deposed poller
 * neither records nor (short of a call already in flight) submits anything. Any node may flag a cancel.
 */
export class ProviderBatchForwarder {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly database: Database, private readonly services: () => Services, private readonly options: ForwarderOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick().finally(() => this.schedule(this.options.pollIntervalMs));
    }, ms);
    this.timer.unref?.();
  }

  /** One pass over every open provider batch: submit what is pending, poll what is submitted, settle what ended. */
  tick(): Promise<void> {
    this.ticking ??= this.pass().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  /** A write that commits only while this node holds the provider-batch lease. */
  private write<T>(write: (database: Database) => Promise<T>): Promise<T> {
    return this.options.leadership.fenced(write);
  }

  private async pass(): Promise<void> {
    if (!this.options.leadership.isLeader()) return;
    for (const row of await openProviderBatches(this.database)) {
      if (this.stopped || !this.options.leadership.isLeader()) return;
      try {
        if (row.status === 'pending') await this.submit(row);
        else await this.poll(row);
      } catch (thrown) {
        if (thrown instanceof LeaseLostError) return; // deposed: the new leader resumes from the stored ids
        const error = asGatewayError(thrown);
        await this.write((database) => updateProviderBatch(database, row.id, [row.status], { error: `${error.code}: ${error.message}` })).catch(() => undefined);
        this.services().logger.warn('provider batch call failed; retried on the next poll', { providerBatch: row.id, code: error.code });
      }
    }
  }

  private provider(id: string): { provider: ProviderConfig; client: ProviderBatchClient } {
    const provider = this.services().config.providers.find((candidate) => candidate.id === id);
    const preset = provider ? getPreset(provider.preset) : undefined;
    const api = preset?.batchApi;
    if (!provider || !preset || !api) throw new GatewayError('upstream_bad_request', `provider ${id} is no longer configured with a batch API`);
    const http = new BatchHttp(provider, preset);
    return { provider, client: api.shape === 'anthropic-message-batches' ? new AnthropicBatchClient(http) : new OpenAiBatchClient(http, api.lineUrl ?? '/v1/chat/completions') };
  }

  private lines(jobs: readonly JobRow[]): ForwardLine[] {
    return jobs.map((job) => {
      const model = this.services().models.get(job.model);
      if (!model) throw new GatewayError('model_not_found', `No configured model is named ${JSON.stringify(job.model)} any more.`);
      return { customId: job.custom_id ?? job.id, request: JSON.parse(job.body) as ChatRequest, model };
    });
  }

  /**
   * Sends a pending provider batch. A refusal that no retry can fix ends it: lines in auto mode go back to
   * Tidegate's own runner, lines in provider mode fail with the provider's reason. Transient failures are retried
   * on the next poll until the client's deadline.
   */
  async submit(row: ProviderBatchRow): Promise<void> {
    const jobs = await forwardedLines(this.database, row.id);
    if (jobs.length === 0) return void (await this.markSettled(row));
    const { client } = this.provider(row.provider);
    try {
      const lines = this.lines(jobs);
      let inputFileId = row.upstream_input_file_id ?? undefined;
      // A node (this one before a restart, or the previous leader) may have created the batch and died before
      // recording its id: look for it first, by the metadata it was created with, so it is never created twice.
      const mayExist = inputFileId !== undefined || row.upstream_status === CREATING;
      let upstream = mayExist ? await client.findExisting({ providerBatchId: row.id, inputFileId, notBefore: row.created_at }) : undefined;
      if (!upstream && row.cancel_requested) return void (await this.giveUp(row, jobs, 'cancelled before it was sent'));
      if (!upstream) {
        if (!inputFileId) {
          inputFileId = await client.upload(lines, `${row.id}.jsonl`);
          if (inputFileId) await this.write((database) => updateProviderBatch(database, row.id, ['pending'], { upstream_input_file_id: inputFileId }));
        }
        // Still the leader (under the lease's lock), and it is on record that a create may be under way, right
        // before the provider runs it: a takeover then searches before creating.
        if (!(await this.write((database) => updateProviderBatch(database, row.id, ['pending'], { upstream_status: CREATING })))) return;
        upstream = await client.create(lines, inputFileId, { tidegate_batch: row.batch_id, tidegate_provider_batch: row.id });
      }
      const stored = await this.write((database) => updateProviderBatch(database, row.id, ['pending'], { status: 'submitted', upstream_batch_id: upstream.id, upstream_status: upstream.status, submitted_at: this.options.now(), error: null }));
      // Cancelled while it was being sent (the row was settled meanwhile): the provider must not run it either.
      if (!stored || row.cancel_requested) await client.cancel(upstream.id).catch(() => undefined);
    } catch (thrown) {
      if (thrown instanceof LeaseLostError) throw thrown;
      const error = asGatewayError(thrown);
      const batch = await getBatch(this.database, row.batch_id);
      if (error.retryable && batch && batch.expires_at > this.options.now()) throw error;
      await this.giveUp(row, jobs, error.message, error);
    }
  }

  /** The provider will not take these lines: auto-mode lines run here after all, provider-mode lines fail. */
  private async giveUp(row: ProviderBatchRow, jobs: readonly JobRow[], why: string, error?: GatewayError): Promise<void> {
    const services = this.services();
    const now = this.options.now();
    const providerConfig = services.config.providers.find((candidate) => candidate.id === row.provider);
    const auto = jobs.filter((job) => batchModeOf(services.models.get(job.model), providerConfig) === 'auto');
    const strict = jobs.filter((job) => !auto.includes(job));
    if (auto.length > 0 && !row.cancel_requested) {
      await this.write((database) => requeueForwardedLines(database, auto.map((job) => job.id), now, `the provider batch API refused the lines (${why}); run by Tidegate`));
    }
    for (const job of row.cancel_requested ? jobs : strict) {
      await this.settleLine(job, row.cancel_requested
        ? { customId: job.custom_id ?? '', kind: 'cancelled' }
        : { customId: job.custom_id ?? '', kind: 'failed', statusCode: error?.status ?? null, error: error ?? new GatewayError('upstream_bad_request', why) });
    }
    await this.write((database) => updateProviderBatch(database, row.id, ['pending', 'submitted'], { status: 'settled', settled_at: now, error: why }));
    await this.options.onSettled();
  }

  private async poll(row: ProviderBatchRow): Promise<void> {
    const { client } = this.provider(row.provider);
    let upstream = await client.retrieve(row.upstream_batch_id!);
    if (row.cancel_requested && !upstream.ended && !upstream.cancelling) upstream = await client.cancel(upstream.id);
    await this.write((database) => updateProviderBatch(database, row.id, ['submitted'], { upstream_status: upstream.status, polled_at: this.options.now(), error: null }));
    if (!upstream.ended) return;
    const jobs = await forwardedLines(this.database, row.id);
    if (upstream.ended === 'failed') return this.giveUp(row, jobs, upstream.failure ?? 'the provider failed the batch');
    const results = new Map((await client.results(upstream)).map((result) => [result.customId, result]));
    for (const [index, job] of jobs.entries()) {
      // SQLite calls complete without yielding to the event loop: let requests through between slices of lines.
      if (index % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
      const customId = job.custom_id ?? job.id;
      const missing: UpstreamLineResult = upstream.ended === 'completed'
        ? { customId, kind: 'failed', statusCode: null, error: new GatewayError('upstream_unavailable', 'The provider ended the batch without an answer for this line.') }
        : upstream.ended === 'expired' ? { customId, kind: 'expired' } : { customId, kind: 'cancelled' };
      await this.settleLine(job, results.get(customId) ?? missing);
    }
    await this.markSettled(row);
  }

  private async markSettled(row: ProviderBatchRow): Promise<void> {
    await this.write((database) => updateProviderBatch(database, row.id, ['pending', 'submitted'], { status: 'settled', settled_at: this.options.now() }));
    await this.options.onSettled();
  }

  /**
   * Cancels a client batch's provider batches: pending ones never leave, submitted ones are cancelled upstream.
   * On a node that does not hold the lease the cancel is only flagged (the client's own write); the leader's next
   * poll gives pending lines up or cancels upstream.
   */
  async cancel(rows: readonly ProviderBatchRow[]): Promise<void> {
    for (const row of rows) {
      if (row.status === 'settled') continue;
      await updateProviderBatch(this.database, row.id, ['pending', 'submitted'], { cancel_requested: 1 });
      if (!this.options.leadership.isLeader()) continue;
      if (row.status === 'pending' && !row.upstream_input_file_id && row.upstream_status !== CREATING) {
        const jobs = await forwardedLines(this.database, row.id);
        await this.giveUp({ ...row, cancel_requested: 1 }, jobs, 'cancelled before it was sent');
        continue;
      }
      if (row.upstream_batch_id) await this.provider(row.provider).client.cancel(row.upstream_batch_id).catch(() => undefined); // retried by the poller
    }
  }

  private settle(jobId: string, outcome: ForwardedOutcome, logRow: Parameters<typeof settleForwardedLine>[3]): Promise<boolean> {
    return this.write((database) => settleForwardedLine(database, jobId, outcome, logRow));
  }

  /** Ends one line: the answer billed at the batch tariff with its ledger row, or its error, in one transaction. */
  private async settleLine(job: JobRow, result: UpstreamLineResult): Promise<void> {
    const services = this.services();
    const model = services.models.get(job.model);
    const now = this.options.now();
    const base = { finishedAt: now, inputTokens: 0, outputTokens: 0, costNanoCny: 0, onDemandNanoCny: 0, tariff: null, requestId: null, statusCode: 0 };
    if (result.kind === 'expired') return void (await this.settle(job.id, { ...base, status: 'failed', error: errorJson('batch_expired', 'The provider did not run this line before its completion window expired.') }, undefined));
    if (result.kind === 'cancelled') return void (await this.settle(job.id, { ...base, status: 'cancelled', error: errorJson('batch_cancelled', 'cancelled before the provider ran it') }, undefined));
    if (result.kind === 'failed') {
      return void (await this.settle(job.id, { ...base, status: 'failed', statusCode: result.statusCode ?? 0, error: JSON.stringify(result.error.toJSON()) }, undefined));
    }
    const usage: NormalizedUsage = result.usage ?? { inputUncached: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, imageTokens: 0, estimated: true };
    const context = model ? this.ledgerContext(job, model, usage, now) : undefined;
    const response = { ...result.response, model: job.model };
    const outcome: ForwardedOutcome = {
      ...base,
      status: 'succeeded',
      statusCode: 200,
      requestId: context?.id ?? uuidv7(),
      result: JSON.stringify(response),
      inputTokens: usage.inputUncached + usage.cacheRead + usage.cacheWrite,
      outputTokens: usage.output,
      costNanoCny: context?.cost?.nanoCny ?? 0,
      onDemandNanoCny: model ? services.pricer.cost(model, usage, new Date(job.created_at)).nanoCny : 0,
      tariff: context?.cost?.tariff ?? null,
    };
    const row = context ? toLogRow(context, services.config.hash) : undefined;
    const logRow = services.config.requestLog.enabled ? row : undefined;
    // Committed with the line, not by the ledger: /metrics and telemetry are told here, once committed.
    if ((await this.settle(job.id, outcome, logRow)) && context && row) services.ledger.observe?.(context, row);
  }

  /** The ledger row of a forwarded line: served by its model, priced at the batch tariff of the day it was submitted. */
  private ledgerContext(job: JobRow, model: ModelConfig, usage: NormalizedUsage, now: number): RequestContext {
    const services = this.services();
    const provider = services.config.providers.find((candidate) => candidate.id === model.provider)!;
    const context = new RequestContext('chat', job.api_key_id ?? undefined, undefined, { id: uuidv7(), startedAt: now });
    const at = new Date(job.created_at);
    context.modelRequested = job.model;
    context.priority = 'deferrable';
    context.queueMs = Math.max(0, now - job.created_at);
    context.served = { model, provider };
    context.attempts.push({ model: model.id, provider: provider.id, outcome: 'ok', ms: 0 });
    context.usage = usage;
    context.cost = services.pricer.cost(model, usage, at, true);
    context.flagship = services.pricer.flagshipEquivalent(model, usage, at);
    context.routeReason = `provider batch API (${provider.id}, ×${context.cost.multiplier})`;
    return context;
  }
}
