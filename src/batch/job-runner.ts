import type { ChatResponse } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import { validateChatRequest } from '../api/validate-chat.js';
import { GatewayError, asGatewayError } from '../errors/catalogue.js';
import type { Principal } from '../http/auth.js';
import { runChat, type ChatSink } from '../pipeline/chat-pipeline.js';
import { uuidv7 } from '../pipeline/ids.js';
import { toLogRow } from '../pipeline/log-row.js';
import { RequestContext } from '../pipeline/request-context.js';
import type { Services } from '../pipeline/services.js';
import type { Leadership } from '../cluster/job-leases.js';
import { LeaseLostError } from '../cluster/leader-lease.js';
import type { Permit } from '../scheduling/admission-controller.js';
import { markPreAdmitted, usedTokens } from '../scheduling/scheduling-stage.js';
import { latestStart, planWindow } from '../scheduling/window-planner.js';
import type { ProviderAdapter } from '../providers/adapter.js';
import type { Target } from '../pipeline/targets.js';
import { claimJob, completeJob, dueJobs, failQueuedJobs, markJobSent, recoverInterrupted, rescheduleJob, type ApiKeySummary, type Database, type InterruptedRecovery, type JobRow } from '../storage/index.js';

export interface RunnerOptions {
  readonly now: () => number;
  readonly concurrency: number;
  readonly pollIntervalMs: number;
  /** Called after a job ends (batches are finalised here). */
  readonly onSettled: () => Promise<void>;
  /** Only the leader runs jobs (one node of a cluster; always the node itself on SQLite). */
  readonly leadership: Leadership;
}

const RETRY_DELAY_MS = 30_000;

/** Collects a non-streamed answer instead of writing HTTP. */
function collectingSink(): ChatSink & { response?: ChatResponse; usage?: NormalizedUsage } {
  const sink: ChatSink & { response?: ChatResponse; usage?: NormalizedUsage } = {
    json(response, usage) {
      sink.response = response;
      sink.usage = usage;
    },
    open: () => undefined,
    event: () => undefined,
    close: () => undefined,
    failMidStream: () => undefined,
  };
  return sink;
}

/**
 * Runs deferred jobs through the normal chat pipeline (routing, caches, pricing) when their window opens:
 * while the model is in a valley (tryValley), or in the standard queue once the deadline is near. Each
 * attempt claims the job with a fresh request id and commits its outcome together with its bill.
 *
 * In a cluster only the node holding the runner's lease runs jobs, and no line runs twice, at the provider
 * included. A running line is in one of two phases, each entered by a write fenced by the lease epoch:
 * - claimed (queued → running with a fresh request id): a deposed leader cannot start a line;
 * - sent (jobs.sent_at, written just before the upstream call, for the attempt that holds the line): a deposed
 *   leader, or an attempt whose line was taken back, never makes the call.
 * An outcome commits only for the attempt that holds the line (its request id), so a deposed leader's late
 * result is refused once the new leader has taken the line back, and kept if it has not (the line then ran once).
 *
 * A new leader, before its first claim, settles every line still marked running (their attempts died with the
 * old leader, SIGKILL, or were aborted when it lost the lease), after the old lease expired:
 * - claimed but never sent: queued again; the provider never saw it, so it runs once;
 * - sent: the provider may have run it, and its answer is lost. By default it ends as failed with
 *   interrupted_unknown_outcome (in the batch's error file like any failed line), so it is never sent twice;
 *   `batch.retryInterrupted: true` queues it again instead (an answer, at the risk of a second run upstream).
 * Neither is billed for the lost attempt (its outcome never committed). SQLite's restart recovery follows the
 * same rules (deferred-work.ts).
 */
export class JobRunner {
  private readonly running = new Set<Promise<void>>();
  /** Aborts of the attempts in flight: used when this node loses the lease, or at the shutdown deadline. */
  private readonly attempts = new Set<AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = true;
  /** The lease epoch whose takeover recovery has run (lines left running by earlier leaders). */
  private recoveredEpoch: number | null = null;

  constructor(private readonly database: Database, private readonly services: () => Services, private readonly options: RunnerOptions) {
    options.leadership.onLost((epoch) => {
      if (this.attempts.size > 0) this.services().logger.warn('job runner lease lost; aborting the attempts in flight (the new leader queues again those not yet sent)', { epoch, attempts: this.attempts.size });
      for (const attempt of this.attempts) attempt.abort();
    });
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * Claims nothing more, then lets the attempts in flight finish for up to `deadlineMs` (unbounded when not
   * given). Attempts still running then are aborted without an outcome: they stay marked running and the next
   * leader (or this node's next start, on SQLite) settles them: queued again if never sent, else failed with
   * interrupted_unknown_outcome (or queued again with batch.retryInterrupted).
   */
  async stop(deadlineMs?: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    if (deadlineMs === undefined) return void (await Promise.all([...this.running]));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([Promise.all([...this.running]), deadline]);
    clearTimeout(timer);
    for (const attempt of this.attempts) attempt.abort();
    await Promise.all([...this.running]);
  }

  /** One pass: fail what can no longer finish, move jobs to a cheaper window, start what may run. */
  tick(): Promise<void> {
    this.ticking ??= this.pass().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  /** Resolves when nothing is running (tests). */
  async idle(): Promise<void> {
    await this.ticking;
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.tick()
        .catch((error: unknown) => this.services().logger.error('deferred runner failed', { error: String(error) }))
        .finally(() => this.schedule(this.options.pollIntervalMs));
    }, ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    try {
      await this.leaderPass();
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error; // deposed mid-pass: the new leader carries on
    }
  }

  private async leaderPass(): Promise<void> {
    const { leadership } = this.options;
    if (this.stopped || !leadership.isLeader()) return;
    if (!leadership.sole && this.recoveredEpoch !== leadership.epoch) {
      const retryInterrupted = this.services().config.batch?.retryInterrupted === true;
      const now = this.options.now();
      const { epoch, recovered } = await leadership.fenced(async (database, epoch) => ({ epoch, recovered: await recoverInterrupted(database, { retryInterrupted, now }) }));
      this.recoveredEpoch = epoch;
      await reportRecovery(this.services(), recovered, { epoch }, this.options.onSettled);
    }
    const services = this.services();
    const now = this.options.now();
    const free = this.options.concurrency - this.running.size;
    if (free <= 0) return;
    const due = await dueJobs(this.database, now, free * 4);
    const skipModels = new Set<string>();
    for (const job of due) {
      if (this.running.size >= this.options.concurrency) break;
      // A job already waiting for its slot (the urgent path waits in the standard queue) is not judged again:
      // failing it here, past its latest start, threw away work the runner was about to start.
      if (this.handling.has(job.id)) continue;
      const model = services.models.get(job.model);
      const serviceMs = services.scheduler?.serviceMs(job.model) ?? 30_000;
      if (latestStart(job.deadline_at, serviceMs) < now) {
        const message = `could not start before the deadline ${new Date(job.deadline_at).toISOString()} with the measured service time (${Math.round(serviceMs / 1000)} s); failed early, not dropped`;
        await leadership.fenced((database) => failQueuedJobs(database, [job.id], 'failed', JSON.stringify({ error: { code: 'deadline_unreachable', message } }), now));
        continue;
      }
      const plan = planWindow(model, now, job.deadline_at, serviceMs);
      if (plan.startAt > now) {
        await leadership.fenced((database) => rescheduleJob(database, job.id, plan.startAt, plan.reason)); // its window passed; the next cheap one
        continue;
      }
      if (skipModels.has(job.model)) continue;
      const permit = this.slot(job, serviceMs, now);
      if (!permit) {
        skipModels.add(job.model);
        continue;
      }
      this.handling.add(job.id);
      const run = Promise.resolve(permit)
        .then((granted) => (granted ? this.run(job, granted) : undefined))
        .finally(() => {
          this.handling.delete(job.id);
          this.running.delete(run);
          void this.options.onSettled().then(() => this.schedule(0));
        });
      this.running.add(run);
    }
  }

  /** Jobs between slot and outcome, so a later pass never starts one twice while it waits for a slot. */
  private readonly handling = new Set<string>();

  /**
   * Valley filling: a slot now, or none while the model is busy. A job whose deadline is near waits in the
   * standard queue instead (a promise), so it is not starved by interactive load.
   */
  private slot(job: JobRow, serviceMs: number, now: number): Permit | Promise<Permit | undefined> | undefined {
    const scheduler = this.services().scheduler;
    const tokens = 1_024;
    if (!scheduler) return { queueMs: 0, release: () => undefined };
    // Urgent from a margin before the latest start: several of the runner's passes, or a few service times.
    const latest = latestStart(job.deadline_at, serviceMs);
    const margin = Math.max(4 * serviceMs, 5 * this.options.pollIntervalMs);
    if (now < latest - margin) return scheduler.tryValley(job.model, tokens);
    // It may wait for a slot until the deadline less one service time, not only until its latest start.
    const maxWaitMs = Math.max(1, job.deadline_at - serviceMs - now);
    return scheduler.acquireUrgent(job.model, tokens, maxWaitMs).catch(() => undefined);
  }

  /** The key a job was submitted with, so its budgets apply when it runs; a revoked key's work fails. */
  private async principalOf(keyId: string | null): Promise<Principal> {
    if (keyId === null) return { kind: 'open' };
    if (keyId === 'admin') return { kind: 'admin' };
    const now = this.options.now();
    if (!this.keys || this.keys.at < now - 10_000) this.keys = { at: now, list: await this.services().keys.list() };
    const key = this.keys.list.find((candidate) => candidate.id === keyId && candidate.revokedAt === null);
    if (!key) throw new GatewayError('invalid_api_key', 'The API key this work was submitted with is revoked.');
    return { kind: 'key', keyId: key.id, name: key.name, limits: { team: key.team, dailyBudgetNano: key.dailyBudgetNano, monthlyBudgetNano: key.monthlyBudgetNano, rpm: key.rpm, maxPriority: key.maxPriority } };
  }

  private keys: { at: number; list: ApiKeySummary[] } | undefined;

  private async run(job: JobRow, permit: Permit): Promise<void> {
    const now = this.options.now();
    const requestId = uuidv7();
    const claimed = !this.stopped && (await this.options.leadership.fenced((database) => claimJob(database, job, requestId, now)).catch((error: unknown) => {
      if (error instanceof LeaseLostError) return false;
      throw error;
    }));
    if (!claimed) {
      permit.release(0);
      return;
    }
    const attempt = new AbortController();
    this.attempts.add(attempt);
    try {
      await this.attempt(job, permit, requestId, now, attempt);
    } finally {
      this.attempts.delete(attempt);
    }
  }

  /**
   * The sent phase: fenced, just before the first upstream call of the attempt (retries and fallbacks of the same
   * attempt follow a call that failed, and need no new write). When the line is no longer this attempt's (taken
   * back) or the lease is lost, the attempt is aborted and the call never made.
   */
  private beforeSend(job: JobRow, requestId: string, attempt: AbortController): () => Promise<void> {
    let sent: Promise<void> | undefined;
    return () => {
      sent ??= this.options.leadership
        .fenced((database) => markJobSent(database, job.id, requestId, this.options.now()))
        .catch((error: unknown) => {
          if (error instanceof LeaseLostError) return false;
          // The store failed: nothing sent. queue_timeout is not the provider's fault (no circuit trips) and the
          // runner queues the line again while its deadline allows (a retry of the same attempt writes again).
          sent = undefined;
          throw new GatewayError('queue_timeout', `Could not record that the line is being sent (${(error as Error).message}); not sent, retried later.`, { cause: error });
        })
        .then((marked) => {
          if (marked) return;
          attempt.abort();
          throw new GatewayError('shutting_down', 'The line was taken back by another runner before it was sent; not sent.');
        });
      return sent;
    };
  }

  private async attempt(job: JobRow, permit: Permit, requestId: string, now: number, controller: AbortController): Promise<void> {
    const signal = controller.signal;
    const services = withBeforeSend(this.services(), this.beforeSend(job, requestId, controller));
    const context = new RequestContext('chat', job.api_key_id ?? undefined, undefined, { id: requestId, startedAt: now });
    context.scenario = job.scenario ?? undefined;
    context.priority = 'deferrable';
    context.queueMs = Math.max(0, now - job.created_at);
    markPreAdmitted(context);
    const sink = collectingSink();
    const base = { finishedAt: now, inputTokens: 0, outputTokens: 0, costNanoCny: 0, onDemandNanoCny: 0, tariff: null as string | null };
    let outcome: Parameters<typeof completeJob>[3];
    try {
      context.principal = await this.principalOf(job.api_key_id);
      const { request, needs } = validateChatRequest({ ...(JSON.parse(job.body) as object), stream: false });
      await runChat(services, context, request, needs, sink, signal);
      const usage = sink.usage ?? context.usage;
      const served = context.served?.model;
      const onDemand = served && usage ? services.pricer.cost(served, usage, new Date(job.created_at)).nanoCny : 0;
      outcome = {
        ...base,
        status: 'succeeded',
        statusCode: 200,
        result: JSON.stringify(sink.response ?? null),
        inputTokens: usage ? usage.inputUncached + usage.cacheRead + usage.cacheWrite : 0,
        outputTokens: usage?.output ?? 0,
        costNanoCny: context.cost?.nanoCny ?? 0,
        onDemandNanoCny: onDemand,
        tariff: context.cost?.tariff ?? null,
      };
    } catch (thrown) {
      const error = asGatewayError(thrown);
      context.status = error.status;
      context.errorCode = error.code;
      const retryAt = now + RETRY_DELAY_MS;
      const transient = error.retryable || error.code === 'rate_limited' || error.code === 'queue_full' || error.code === 'queue_timeout';
      const retry = transient && retryAt < latestStart(job.deadline_at, services.scheduler?.serviceMs(job.model) ?? 30_000);
      outcome = retry
        ? { ...base, status: 'queued', requeueAt: retryAt, statusCode: error.status, error: JSON.stringify(error.toJSON()), costNanoCny: context.cost?.nanoCny ?? 0 }
        : { ...base, status: 'failed', statusCode: error.status, error: JSON.stringify(error.toJSON()), costNanoCny: context.cost?.nanoCny ?? 0 };
    } finally {
      permit.release(usedTokens(context));
      context.reservation?.settle(context.cost?.nanoCny ?? 0); // the key's budget hold, as the HTTP layer does
    }
    // Aborted (lease lost, or the shutdown deadline): no outcome. The line stays running until a leader queues it again.
    if (signal.aborted) return;
    outcome.finishedAt = this.options.now();
    const row = toLogRow(context, services.config.hash);
    const logRow = services.config.requestLog.enabled ? row : undefined;
    // The row is committed with the job, not by the ledger: /metrics and telemetry are told here, once committed.
    if (await completeJob(this.database, job.id, requestId, outcome, logRow)) services.ledger.observe?.(context, row);
  }
}

/** Services whose targets call `beforeSend` (and wait for it) right before each upstream call. */
function withBeforeSend(services: Services, beforeSend: () => Promise<void>): Services {
  const targets = new Map<string, Target>();
  for (const [id, target] of services.targets) {
    const inner = target.adapter;
    const adapter: ProviderAdapter = {
      chat: async (call) => {
        await beforeSend();
        return inner.chat(call);
      },
      chatStream: (call) => ({
        async *[Symbol.asyncIterator]() {
          await beforeSend();
          yield* inner.chatStream(call);
        },
      }),
      embeddings: async (call) => {
        await beforeSend();
        return inner.embeddings(call);
      },
    };
    targets.set(id, { ...target, adapter });
  }
  return Object.assign(Object.create(Object.getPrototypeOf(services) as object | null) as Services, services, { targets });
}

/** Logs what a recovery did; lines it failed may end their batch, which is finalised now. */
export async function reportRecovery(services: Services, recovered: InterruptedRecovery, fields: Record<string, unknown>, onSettled: () => Promise<void>): Promise<void> {
  if (recovered.requeued + recovered.retried > 0) {
    services.logger.warn('deferred jobs interrupted before an answer are queued again', { ...fields, neverSent: recovered.requeued, sentAndRetried: recovered.retried });
  }
  if (recovered.failed > 0) {
    services.logger.warn('deferred jobs interrupted after they were sent are failed (interrupted_unknown_outcome), not sent twice; batch.retryInterrupted: true retries them', { ...fields, failed: recovered.failed });
    await onSettled();
  }
}
