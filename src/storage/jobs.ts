import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from './database.js';
import type { Schema } from './schema.js';
import type { JobsTable } from './jobs-schema.js';
import { toRecord, type RequestLogRow } from './request-log.js';

/** Durable deferred work: one row per deferred chat request or batch line (migration 0005). */
export type JobRow = Selectable<JobsTable>;
export type NewJob = Insertable<JobsTable>;
/** upstream: forwarded to a provider's batch API, waiting for its answer (never picked by the runner). */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'upstream';

const ROWS_PER_STATEMENT = 200;

/**
 * Runs `work` in a transaction, or in the one `database` is already inside (a write fenced by a lease runs in
 * the lease's transaction, src/cluster/job-leases.ts).
 */
export function inTransaction<T>(database: Database, work: (db: Kysely<Schema>) => Promise<T>): Promise<T> {
  return database.db.isTransaction ? work(database.db) : database.db.transaction().execute(work);
}

export async function insertJobs(database: Database, jobs: readonly NewJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < jobs.length; i += ROWS_PER_STATEMENT) await trx.insertInto('jobs').values(jobs.slice(i, i + ROWS_PER_STATEMENT)).execute();
  });
}

export async function getJob(database: Database, id: string): Promise<JobRow | undefined> {
  return database.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Queued jobs whose window has opened, most urgent deadline first. */
export async function dueJobs(database: Database, now: number, limit: number): Promise<JobRow[]> {
  return database.db
    .selectFrom('jobs')
    .selectAll()
    .where('status', '=', 'queued')
    .where('not_before', '<=', now)
    .orderBy('deadline_at', 'asc')
    .orderBy('created_at', 'asc')
    .orderBy('line_no', 'asc')
    .limit(limit)
    .execute();
}

/** The earliest not_before among queued jobs (the runner sleeps until then), or undefined. */
export async function nextWindow(database: Database): Promise<number | undefined> {
  const row = await database.db.selectFrom('jobs').select((eb) => eb.fn.min('not_before').as('next')).where('status', '=', 'queued').executeTakeFirst();
  return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
}

/**
 * Starts a new attempt: queued → running with a fresh request id, only if nobody else claimed it first
 * (compare-and-set on status and attempt). Returns false when another runner won.
 */
export async function claimJob(database: Database, job: JobRow, requestId: string, now: number): Promise<boolean> {
  const result = await database.db
    .updateTable('jobs')
    .set({ status: 'running', attempt: job.attempt + 1, request_id: requestId, started_at: now, sent_at: null })
    .where('id', '=', job.id)
    .where('status', '=', 'queued')
    .where('attempt', '=', job.attempt)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * The second phase of an attempt: the line is about to be sent to the provider. Written (fenced by the runner's
 * lease in a cluster) just before the upstream call, only while this attempt still holds the line; returns false
 * when it does not (the line was taken back), and the call must then not be made. Until this commits, a crash
 * leaves the line claimed-not-sent, which a takeover queues again; after it, the provider may have run the line.
 */
export async function markJobSent(database: Database, jobId: string, requestId: string, now: number): Promise<boolean> {
  const result = await database.db
    .updateTable('jobs')
    .set({ sent_at: now })
    .where('id', '=', jobId)
    .where('request_id', '=', requestId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export interface JobOutcome {
  /** queued: a retryable failure with time left; the job waits until `requeueAt` for a new attempt. */
  status: 'succeeded' | 'failed' | 'queued';
  requeueAt?: number;
  statusCode: number;
  result?: string | null;
  error?: string | null;
  inputTokens: number;
  outputTokens: number;
  costNanoCny: number;
  onDemandNanoCny: number;
  tariff: string | null;
  finishedAt: number;
}

/**
 * Ends an attempt and bills it in one transaction: the job's outcome and its request-log row commit together
 * or not at all, and only for the attempt that holds the job (request id), so a line is billed at most once
 * per attempt even when two runners or a restart race. Returns false when the attempt no longer holds the job.
 */
export async function completeJob(database: Database, jobId: string, requestId: string, outcome: JobOutcome, logRow: RequestLogRow | undefined): Promise<boolean> {
  return inTransaction(database, async (trx) => {
    const updated = await trx
      .updateTable('jobs')
      .set({
        status: outcome.status,
        status_code: outcome.statusCode,
        result: outcome.result ?? null,
        error: outcome.error ?? null,
        input_tokens: outcome.inputTokens,
        output_tokens: outcome.outputTokens,
        cost_nano_cny: outcome.costNanoCny,
        on_demand_nano_cny: outcome.onDemandNanoCny,
        tariff: outcome.tariff,
        finished_at: outcome.status === 'queued' ? null : outcome.finishedAt,
        ...(outcome.status === 'queued' ? { request_id: null, sent_at: null, not_before: outcome.requeueAt ?? outcome.finishedAt } : {}),
      })
      .where('id', '=', jobId)
      .where('request_id', '=', requestId)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) return false;
    if (logRow) await trx.insertInto('request_log').values(toRecord(logRow)).onConflict((oc) => oc.doNothing()).execute();
    return true;
  });
}

/** Fails queued jobs without running them (deadline unreachable, cancelled batch). */
export async function failQueuedJobs(database: Database, ids: readonly string[], status: 'failed' | 'cancelled', error: string, now: number): Promise<number> {
  let count = 0;
  for (let i = 0; i < ids.length; i += ROWS_PER_STATEMENT) {
    const result = await database.db
      .updateTable('jobs')
      .set({ status, error, status_code: null, finished_at: now })
      .where('id', 'in', ids.slice(i, i + ROWS_PER_STATEMENT))
      .where('status', '=', 'queued')
      .executeTakeFirst();
    count += Number(result.numUpdatedRows);
  }
  return count;
}

/** Moves a queued job's window (the planner found a cheaper or a later-feasible moment). */
export async function rescheduleJob(database: Database, id: string, notBefore: number, plan: string): Promise<void> {
  await database.db.updateTable('jobs').set({ not_before: notBefore, plan }).where('id', '=', id).where('status', '=', 'queued').execute();
}

/** The error of a line that was sent but whose answer was lost with its node (catalogue code interrupted_unknown_outcome). */
export const INTERRUPTED_UNKNOWN_OUTCOME = JSON.stringify({
  error: {
    message: 'This line was sent to the provider, but the gateway node running it stopped before the answer came back. The provider may have run it (and may bill for it); it was not retried, so that it does not run twice. Set batch.retryInterrupted: true to retry such lines instead.',
    type: 'upstream_error',
    param: null,
    code: 'interrupted_unknown_outcome',
  },
});

export interface InterruptedRecovery {
  /** Claimed but never sent: queued again (the provider never saw them). */
  requeued: number;
  /** Sent, outcome unknown, queued again because batch.retryInterrupted is on. */
  retried: number;
  /** Sent, outcome unknown, ended as failed (interrupted_unknown_outcome): the default, at most once upstream. */
  failed: number;
}

/**
 * After a crash (kill -9) or a takeover: attempts still marked running died with their node; their outcome was
 * never committed (it commits with the bill). A line claimed but not yet sent is queued again for a new attempt
 * with a new request id. A line already sent may have run at the provider: by default it ends as failed with
 * interrupted_unknown_outcome (no line runs twice); with `retryInterrupted` it is queued again too.
 */
export async function recoverInterrupted(database: Database, options: { retryInterrupted?: boolean; now?: number } = {}): Promise<InterruptedRecovery> {
  return inTransaction(database, async (trx) => {
    const unsent = await trx.updateTable('jobs').set({ status: 'queued', request_id: null }).where('status', '=', 'running').where('sent_at', 'is', null).executeTakeFirst();
    const sent = options.retryInterrupted
      ? await trx.updateTable('jobs').set({ status: 'queued', request_id: null, sent_at: null }).where('status', '=', 'running').executeTakeFirst()
      : await trx
          .updateTable('jobs')
          .set({ status: 'failed', status_code: null, result: null, error: INTERRUPTED_UNKNOWN_OUTCOME, finished_at: options.now ?? Date.now() })
          .where('status', '=', 'running')
          .executeTakeFirst();
    const moved = Number(sent.numUpdatedRows);
    return { requeued: Number(unsent.numUpdatedRows), retried: options.retryInterrupted ? moved : 0, failed: options.retryInterrupted ? 0 : moved };
  });
}

/** recoverInterrupted, as one count of the lines it moved (queued again or failed). */
export async function recoverInterruptedJobs(database: Database, options: { retryInterrupted?: boolean; now?: number } = {}): Promise<number> {
  const { requeued, retried, failed } = await recoverInterrupted(database, options);
  return requeued + retried + failed;
}

export async function jobsOfBatch(database: Database, batchId: string): Promise<JobRow[]> {
  return database.db.selectFrom('jobs').selectAll().where('batch_id', '=', batchId).orderBy('line_no', 'asc').execute();
}

export async function batchCounts(database: Database, batchId: string): Promise<Record<JobStatus, number>> {
  const rows = await database.db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll<number | string>().as('count')])
    .where('batch_id', '=', batchId)
    .groupBy('status')
    .execute();
  const counts: Record<JobStatus, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, upstream: 0 };
  for (const row of rows) counts[row.status as JobStatus] = Number(row.count);
  return counts;
}

export interface DeferredReport {
  jobs: number;
  succeeded: number;
  failed: number;
  queued: number;
  deadlineMisses: number;
  inputTokens: number;
  outputTokens: number;
  costNanoCny: number;
  onDemandNanoCny: number;
}

/** Deferred work created in [since, until): tokens, cost against the on-demand price, deadline misses. */
export async function deferredReport(database: Database, since: number, until: number): Promise<DeferredReport> {
  const rows = await database.db
    .selectFrom('jobs')
    .select((eb) => [
      'status',
      eb.fn.countAll<number | string>().as('jobs'),
      eb.fn.sum<number | string>('input_tokens').as('input'),
      eb.fn.sum<number | string>('output_tokens').as('output'),
      eb.fn.sum<number | string>('cost_nano_cny').as('cost'),
      eb.fn.sum<number | string>('on_demand_nano_cny').as('on_demand'),
      eb.fn.sum<number | string>(eb.case().when('finished_at', '>', eb.ref('deadline_at')).then(1).when('error', 'like', '%deadline%').then(1).else(0).end()).as('misses'),
    ])
    .where('created_at', '>=', since)
    .where('created_at', '<', until)
    .groupBy('status')
    .execute();
  const report: DeferredReport = { jobs: 0, succeeded: 0, failed: 0, queued: 0, deadlineMisses: 0, inputTokens: 0, outputTokens: 0, costNanoCny: 0, onDemandNanoCny: 0 };
  for (const row of rows) {
    const jobs = Number(row.jobs);
    report.jobs += jobs;
    if (row.status === 'succeeded') report.succeeded += jobs;
    else if (row.status === 'failed') report.failed += jobs;
    else if (row.status === 'queued' || row.status === 'running' || row.status === 'upstream') report.queued += jobs;
    report.deadlineMisses += Number(row.misses ?? 0);
    report.inputTokens += Number(row.input ?? 0);
    report.outputTokens += Number(row.output ?? 0);
    report.costNanoCny += Number(row.cost ?? 0);
    report.onDemandNanoCny += Number(row.on_demand ?? 0);
  }
  return report;
}
