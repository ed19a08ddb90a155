import { randomBytes } from 'node:crypto';
import type { ChatRequest } from '../canonical/chat.js';
import { GatewayError } from '../errors/catalogue.js';
import type { Principal } from '../http/auth.js';
import type { RequestContext } from '../pipeline/request-context.js';
import type { Services } from '../pipeline/services.js';
import { planWindow, type WindowPlan } from '../scheduling/window-planner.js';
import {
  batchCounts, deferredReport, getBatch, getFile, getJob, listFiles, insertFile, insertJobs, jobsOfBatch, listBatches, openBatches,
  failQueuedJobs, priorityReport, recoverInterrupted, updateBatch, type BatchRow, type Database, type FileRow, type JobRow, type NewJob,
} from '../storage/index.js';
import { batchObject, fileObject, parseBatchInput, parseCompletionWindow, resultLine, SUPPORTED_ENDPOINTS } from './batch-files.js';
import { JobRunner, reportRecovery } from './job-runner.js';
import { placeLine } from './batch-mode.js';
import { ProviderBatchForwarder } from './provider-batch-forwarder.js';
import { validateChatRequest } from '../api/validate-chat.js';
import { getPreset } from '../providers/registry.js';
import { filedCandidates } from '../aigc/filing-policy.js';
import { defaultMaxOutputTokens, scopesFor } from '../budgets/admission.js';
import type { Reservation } from '../budgets/budget-guard.js';
import { estimatePromptTokens } from '../tokens/estimate.js';
import { insertBatchWithLines, providerBatchesOf, type NewProviderBatch, type ProviderBatchRow } from '../storage/index.js';
import { buildSchedulingReport } from '../reports/scheduling.js';
import { soleLeadership, type Leadership } from '../cluster/job-leases.js';
import { inTransaction } from '../storage/jobs.js';

/** Each kind of row has its own not-found code, as OpenAI's files and batches do; job_not_found is for /v1/jobs. */
const NOT_FOUND = { job: 'job_not_found', file: 'file_not_found', batch: 'batch_not_found' } as const;

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const ownerOf = (principal: Principal) => (principal.kind === 'key' ? principal.keyId : null);

/**
 * Deferred work: deferrable chat requests (202 + job id), OpenAI-compatible files and batches, all durable in
 * the store and run by the JobRunner at the cheapest window before their deadline. Survives restarts: an
 * attempt interrupted by a crash before it was sent is queued again on start; one interrupted after it was sent
 * fails with interrupted_unknown_outcome unless batch.retryInterrupted is on (job-runner.ts). Neither was billed.
 */
export class DeferredWork {
  private services!: Services;
  readonly runner: JobRunner;
  /** Lines forwarded to providers' batch APIs (built at start, when the config is known). */
  forwarder: ProviderBatchForwarder | undefined;
  /** Budget holds for forwarded lines, per client batch: their worst case at the batch price, settled when it ends. */
  private readonly holds = new Map<string, Reservation>();

  private readonly forwarderLeadership: Leadership;
  private readonly runnerLeadership: Leadership;

  /**
   * `runner` and `forwarder` say which node runs the jobs and polls provider batches (leases on PostgreSQL,
   * src/cluster/job-leases.ts); by default this node alone, as with SQLite.
   */
  constructor(
    private readonly database: Database,
    readonly now: () => number,
    options: { concurrency: number; pollIntervalMs: number; runner?: Leadership; forwarder?: Leadership },
  ) {
    this.runnerLeadership = options.runner ?? soleLeadership(database, 'batch-runner');
    this.forwarderLeadership = options.forwarder ?? soleLeadership(database, 'provider-batches');
    this.runner = new JobRunner(database, () => this.services, { concurrency: options.concurrency, pollIntervalMs: options.pollIntervalMs, now, onSettled: () => this.finalizeBatches(), leadership: this.runnerLeadership });
  }

  async start(services: Services): Promise<void> {
    this.services = services;
    // Alone on the store, every line still marked running died with this node's last run. In a cluster they may
    // be running on another node: the runner's lease holder queues them again when it takes over (job-runner.ts).
    if (this.runnerLeadership.sole) {
      const recovered = await recoverInterrupted(this.database, { retryInterrupted: services.config.batch?.retryInterrupted === true, now: this.now() });
      await reportRecovery(services, recovered, { after: 'restart' }, async () => undefined); // finalised just below
    }
    await this.finalizeBatches();
    this.runner.start();
    this.forwarder = new ProviderBatchForwarder(this.database, () => this.services, {
      now: this.now, pollIntervalMs: services.config.scheduling.providerBatchPollMs, onSettled: () => this.finalizeBatches(), leadership: this.forwarderLeadership,
    });
    this.forwarder.start();
  }

  /** Stops polling and claiming; lines in flight may finish for `deadlineMs` (unbounded when not given). */
  async stop(deadlineMs?: number): Promise<void> {
    await this.forwarder?.stop();
    await this.runner.stop(deadlineMs);
  }

  private plan(model: string, deadlineAt: number): WindowPlan {
    return planWindow(this.services.models.get(model), this.now(), deadlineAt, this.services.scheduler?.serviceMs(model) ?? 30_000);
  }

  private checkModel(model: string, param: string): void {
    if (!this.services.models.has(model) && !this.services.routing.routes.has(model)) throw new GatewayError('model_not_found', `No configured model or route is named ${JSON.stringify(model)}.`, { param });
  }

  /** The row if this principal may see it; another key's row is as missing as an unknown id (no probing for ids). */
  private owned<T extends { api_key_id: string | null }>(row: T | undefined, principal: Principal, what: keyof typeof NOT_FOUND, id: string, param?: string): T {
    if (!row || (principal.kind === 'key' && row.api_key_id !== principal.keyId)) throw new GatewayError(NOT_FOUND[what], `No ${what} ${id}.`, { param });
    return row;
  }

  /** A deferrable chat request: stored with its plan; answered 202 by the caller. */
  async submitChat(context: RequestContext, request: ChatRequest, deadlineAt: number): Promise<JobRow> {
    if (request.stream === true) throw new GatewayError('invalid_request', 'A deferrable request cannot stream; send stream: false and GET /v1/jobs/{id} for the answer.', { param: 'stream' });
    this.checkModel(request.model, 'model');
    const plan = this.plan(request.model, deadlineAt);
    const job: NewJob = {
      id: newId('job'), batch_id: null, custom_id: null, line_no: null, api_key_id: context.apiKeyId ?? null, scenario: context.scenario ?? null,
      model: request.model, body: JSON.stringify(request), status: 'queued', created_at: this.now(), not_before: plan.startAt, deadline_at: deadlineAt, plan: plan.reason,
    };
    await insertJobs(this.database, [job]);
    return (await getJob(this.database, job.id))!;
  }

  async job(id: string, principal: Principal): Promise<JobRow> {
    return this.owned(await getJob(this.database, id), principal, 'job', id);
  }

  async createFile(principal: Principal, purpose: string, filename: string, content: string): Promise<FileRow> {
    if (purpose !== 'batch') throw new GatewayError('invalid_request', 'purpose: only "batch" is supported.', { param: 'purpose' });
    const file = { id: newId('file'), api_key_id: ownerOf(principal), purpose, filename, bytes: Buffer.byteLength(content), created_at: this.now(), content };
    await insertFile(this.database, file);
    return file;
  }

  async file(id: string, principal: Principal, param?: string): Promise<FileRow> {
    return this.owned(await getFile(this.database, id), principal, 'file', id, param);
  }

  files(principal: Principal, limit: number) {
    return listFiles(this.database, ownerOf(principal), limit);
  }

  async createBatch(principal: Principal, body: Record<string, unknown>): Promise<BatchView> {
    const endpoint = body.endpoint;
    if (typeof endpoint !== 'string' || !(SUPPORTED_ENDPOINTS as readonly string[]).includes(endpoint)) {
      throw new GatewayError('invalid_request', `endpoint: supported endpoints are ${SUPPORTED_ENDPOINTS.join(', ')}.`, { param: 'endpoint' });
    }
    if (typeof body.input_file_id !== 'string' || body.input_file_id === '') throw new GatewayError('invalid_request', 'input_file_id: expected the id of a file uploaded with purpose "batch".', { param: 'input_file_id' });
    const windowMs = parseCompletionWindow(body.completion_window);
    const input = await this.file(body.input_file_id, principal, 'input_file_id');
    const lines = parseBatchInput(input.content, endpoint);
    for (const line of lines) this.checkModel(typeof line.body.model === 'string' ? line.body.model : '', `input file line ${line.lineNo}: model`);
    const now = this.now();
    const deadlineAt = now + windowMs;
    const batchId = newId('batch');
    const plans = new Map<string, WindowPlan>();
    const jobs: NewJob[] = lines.map((line) => {
      const model = typeof line.body.model === 'string' ? line.body.model : '';
      let plan = plans.get(model);
      if (!plan) plans.set(model, (plan = this.plan(model, deadlineAt)));
      return {
        id: newId('job'), batch_id: batchId, custom_id: line.customId, line_no: line.lineNo, api_key_id: ownerOf(principal), scenario: null,
        model, body: JSON.stringify(line.body), status: 'queued', created_at: now, not_before: plan.startAt, deadline_at: deadlineAt, plan: plan.reason,
      };
    });
    const forwarded = this.placeLines(batchId, lines, jobs, windowMs, now);
    const metadata = body.metadata && typeof body.metadata === 'object' ? JSON.stringify(body.metadata) : null;
    const hold = await this.holdBudget(principal, jobs, now); // 429 budget_exceeded before anything is stored
    if (hold) this.holds.set(batchId, hold);
    try {
      await insertBatchWithLines(this.database, {
        id: batchId, api_key_id: ownerOf(principal), endpoint, input_file_id: input.id, completion_window: String(body.completion_window), status: 'in_progress',
        total: lines.length, metadata, created_at: now, expires_at: deadlineAt, in_progress_at: now, finalizing_at: null, completed_at: null, cancelled_at: null,
        expired_at: null, output_file_id: null, error_file_id: null,
      }, forwarded, jobs);
    } catch (error) {
      this.holds.delete(batchId);
      hold?.settle(0);
      throw error;
    }
    if (forwarded.length > 0) await this.forwarder?.tick(); // submitted now; a failure is retried by the poller
    return this.batchView((await getBatch(this.database, batchId))!);
  }

  /**
   * Forwarded lines are billed when the provider's results come back, so the key's (and team's) budget must cover
   * their worst case (prompt estimate plus max_tokens, at the batch price) when the batch is created; the hold is
   * settled with the real cost when the batch ends. Lines Tidegate runs itself reserve their own, line by line.
   */
  private async holdBudget(principal: Principal, jobs: readonly NewJob[], now: number): Promise<Reservation | undefined> {
    const forwarded = jobs.filter((job) => job.status === 'upstream');
    if (forwarded.length === 0) return undefined;
    const scopes = await scopesFor(principal, this.services.budgets.teams);
    if (scopes.length === 0) return undefined;
    let worst = 0;
    for (const job of forwarded) {
      const model = this.services.models.get(job.model)!;
      const { request } = validateChatRequest({ ...(JSON.parse(job.body) as object), stream: false });
      const output = (request.max_completion_tokens ?? request.max_tokens ?? defaultMaxOutputTokens) * (request.n ?? 1);
      worst += this.services.pricer.cost(model, { inputUncached: estimatePromptTokens(request.messages), cacheRead: 0, cacheWrite: 0, output, reasoning: 0, imageTokens: 0, estimated: true }, new Date(now), true).nanoCny;
    }
    return this.services.budgets.guard.reserve(scopes, worst);
  }

  /**
   * Lines whose model forwards to its provider's batch API (models[].batch / providers[].batch, src/batch/batch-mode.ts)
   * leave the runner's queue (status upstream) and are grouped into one provider batch per provider. A line that is
   * not a valid chat request, or whose model the filing policy refuses, stays with the runner, which fails it with
   * its own error line as usual.
   */
  private placeLines(batchId: string, lines: ReturnType<typeof parseBatchInput>, jobs: NewJob[], windowMs: number, now: number): NewProviderBatch[] {
    const groups = new Map<string, NewProviderBatch>();
    lines.forEach((line, index) => {
      const model = this.services.models.get(String(line.body.model));
      const provider = model ? this.services.config.providers.find((candidate) => candidate.id === model.provider) : undefined;
      const placement = placeLine({ model, provider, preset: provider ? getPreset(provider.preset) : undefined, windowHours: windowMs / 3_600_000, privacy: this.services.privacy !== undefined, at: new Date(now) });
      if (!placement.forward || !provider) return;
      try {
        validateChatRequest({ ...line.body, stream: false });
        filedCandidates(this.services.config, undefined, [model!]); // requireFiled: an unfiled model's line is refused by the runner, never forwarded
      } catch {
        return;
      }
      let group = groups.get(provider.id);
      if (!group) {
        group = { id: newId('pbatch'), batch_id: batchId, provider: provider.id, status: 'pending', lines: 0, cancel_requested: 0, created_at: now, upstream_input_file_id: null, upstream_batch_id: null, upstream_status: null, submitted_at: null, polled_at: null, settled_at: null, error: null };
        groups.set(provider.id, group);
      }
      group.lines += 1;
      jobs[index] = { ...jobs[index]!, status: 'upstream', provider_batch_id: group.id, not_before: now, plan: placement.reason };
    });
    return [...groups.values()];
  }

  async batch(id: string, principal: Principal): Promise<BatchView> {
    return this.batchView(this.owned(await getBatch(this.database, id), principal, 'batch', id));
  }

  async batches(principal: Principal, limit: number, after?: string): Promise<BatchView[]> {
    return Promise.all((await listBatches(this.database, ownerOf(principal), limit, after)).map((batch) => this.batchView(batch)));
  }

  /** Cancels the lines not yet started; running ones finish and are billed, then the batch ends as cancelled. */
  async cancelBatch(id: string, principal: Principal): Promise<BatchView> {
    const batch = this.owned(await getBatch(this.database, id), principal, 'batch', id);
    if (await updateBatch(this.database, id, ['validating', 'in_progress'], { status: 'cancelling', cancelled_at: this.now() })) {
      const queued = (await jobsOfBatch(this.database, id)).filter((job) => job.status === 'queued').map((job) => job.id);
      await failQueuedJobs(this.database, queued, 'cancelled', JSON.stringify({ error: { code: 'batch_cancelled', message: 'cancelled before it ran' } }), this.now());
      await this.forwarder?.cancel(await providerBatchesOf(this.database, id)); // propagated to the provider; lines it already ran are kept and billed
      await this.finalizeBatches();
    }
    return this.batchView((await getBatch(this.database, batch.id))!);
  }

  private async batchView(batch: BatchRow): Promise<BatchView> {
    const counts = await batchCounts(this.database, batch.id);
    const view = batchObject(batch, { total: batch.total, completed: counts.succeeded, failed: counts.failed + counts.cancelled });
    const forwarded = await providerBatchesOf(this.database, batch.id);
    return forwarded.length === 0 ? view : { ...view, provider_batches: forwarded.map(providerBatchView) };
  }

  private finalizing: Promise<void> = Promise.resolve();

  /**
   * Batches whose every line has ended get their output and error files (OpenAI's JSONL) and a final status.
   * One pass at a time: the runner and the provider-batch forwarder both ask, and a batch gets one set of files.
   */
  finalizeBatches(): Promise<void> {
    const next = this.finalizing.catch(() => undefined).then(() => this.finalizeOnce());
    this.finalizing = next;
    return next;
  }

  private async finalizeOnce(): Promise<void> {
    for (const batch of await openBatches(this.database)) {
      const counts = await batchCounts(this.database, batch.id);
      if (counts.queued + counts.running + counts.upstream > 0) continue;
      const jobs = await jobsOfBatch(this.database, batch.id);
      const lines = jobs.map(resultLine);
      const now = this.now();
      const expired = jobs.some((job) => job.error?.includes('deadline_unreachable') || job.error?.includes('"batch_expired"'));
      const status = batch.status === 'cancelling' ? 'cancelled' : expired ? 'expired' : 'completed';
      // The files and the final status commit together, only if the batch is still as read: several nodes may
      // finalise at once (the runner's leader, the forwarder's, a cancel on any node) and one set of files wins.
      const finalized = await inTransaction(this.database, async (trx) => {
        const database: Database = { db: trx, dialect: this.database.dialect, close: async () => undefined };
        const write = async (output: boolean) => {
          const text = lines.filter((line) => line.output === output).map((line) => `${line.text}\n`).join('');
          if (text === '') return null;
          const file = { id: newId('file'), api_key_id: batch.api_key_id, purpose: 'batch_output', filename: `${batch.id}_${output ? 'output' : 'error'}.jsonl`, bytes: Buffer.byteLength(text), created_at: now, content: text };
          await insertFile(database, file);
          return file.id;
        };
        const updated = await updateBatch(database, batch.id, [batch.status], {
          status, output_file_id: await write(true), error_file_id: await write(false), finalizing_at: now,
          ...(status === 'completed' ? { completed_at: now } : status === 'expired' ? { expired_at: now } : { cancelled_at: batch.cancelled_at ?? now }),
        });
        if (!updated) throw new AlreadyFinalized();
        return true;
      }).catch((error: unknown) => {
        if (error instanceof AlreadyFinalized) return false;
        throw error;
      });
      if (!finalized) this.services.logger.debug('batch finalised by another node', { batch: batch.id });
      // Every line has ended either way: the budget hold this node took when the batch was created is settled.
      const hold = this.holds.get(batch.id);
      if (hold) {
        this.holds.delete(batch.id);
        hold.settle(jobs.filter((job) => job.provider_batch_id !== null).reduce((sum, job) => sum + Number(job.cost_nano_cny), 0));
      }
    }
  }

  async report(since: number, until: number) {
    return buildSchedulingReport(since, until, await deferredReport(this.database, since, until), await priorityReport(this.database, since, until));
  }
}

/** Rolls a finalisation back: another node finalised the batch first. */
class AlreadyFinalized extends Error {}

/** OpenAI's batch object, plus where forwarded lines went. */
export type BatchView = ReturnType<typeof batchObject> & { provider_batches?: Array<ReturnType<typeof providerBatchView>> };

/** A provider batch as shown on the client's batch object (`provider_batches`, a Tidegate extension). */
function providerBatchView(row: ProviderBatchRow) {
  return { provider: row.provider, id: row.upstream_batch_id, status: row.upstream_status ?? row.status, lines: row.lines, settled: row.status === 'settled', error: row.error };
}
