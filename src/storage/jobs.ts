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
    .set({ status: 'running', attempt: job.attempt + 1, request_id: requestId, started_at: now })
    .where('id', '=', job.id)
    .where('status', '=', 'queued')
    .where('attempt', '=', job.attempt)
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
        ...(outcome.status === 'queued' ? { request_id: null, not_before: outcome.requeueAt ?? outcome.finishedAt } : {}),
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

/**
 * After a crash (kill -9): attempts still marked running died with the process. Their outcome was never
 * committed (it commits with the bill), so they are queued again for a new attempt with a new request id.
 */
export async function recoverInterruptedJobs(database: Database): Promise<number> {
  const result = await database.db.updateTable('jobs').set({ status: 'queued', request_id: null }).where('status', '=', 'running').executeTakeFirst();
  return Number(result.numUpdatedRows);
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
