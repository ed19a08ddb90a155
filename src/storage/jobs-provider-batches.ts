import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database } from './database.js';
import type { BatchesTable, ProviderBatchesTable } from './jobs-schema.js';
import { inTransaction, type JobOutcome, type NewJob } from './jobs.js';
import { toRecord, type RequestLogRow } from './request-log.js';

/** Batch lines forwarded to a provider's batch API: one provider_batches row per (client batch, provider). */
export type ProviderBatchRow = Selectable<ProviderBatchesTable>;
export type NewProviderBatch = Insertable<ProviderBatchesTable>;

/**
 * Migration 0008 (registered in migrations.ts; never edit it once released): provider batches and the link from
 * each forwarded line (jobs.provider_batch_id). Portable DDL for SQLite and PostgreSQL.
 */
export async function createProviderBatchTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('provider_batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lines', 'integer', (c) => c.notNull())
    .addColumn('upstream_input_file_id', 'text')
    .addColumn('upstream_batch_id', 'text')
    .addColumn('upstream_status', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('submitted_at', 'bigint')
    .addColumn('polled_at', 'bigint')
    .addColumn('settled_at', 'bigint')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('provider_batches_status_idx').on('provider_batches').columns(['status']).execute();
  await db.schema.createIndex('provider_batches_batch_idx').on('provider_batches').columns(['batch_id']).execute();
  await db.schema.alterTable('jobs').addColumn('provider_batch_id', 'text').execute();
  await db.schema.createIndex('jobs_provider_batch_idx').on('jobs').columns(['provider_batch_id']).execute();
}

/**
 * A client batch, its provider batches and its lines in one transaction: the forwarder never sees a provider batch
 * without its lines, and a crash leaves either the whole batch or nothing.
 */
export async function insertBatchWithLines(database: Database, batch: Insertable<BatchesTable>, providerBatches: readonly NewProviderBatch[], jobs: readonly NewJob[]): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    await trx.insertInto('batches').values(batch).execute();
    if (providerBatches.length > 0) await trx.insertInto('provider_batches').values([...providerBatches]).execute();
    for (let i = 0; i < jobs.length; i += 200) await trx.insertInto('jobs').values(jobs.slice(i, i + 200)).execute();
  });
}

/** Provider batches not yet settled (pending submission or submitted and being polled), oldest first. */
export async function openProviderBatches(database: Database): Promise<ProviderBatchRow[]> {
  return database.db.selectFrom('provider_batches').selectAll().where('status', 'in', ['pending', 'submitted']).orderBy('created_at', 'asc').execute();
}

export async function providerBatchesOf(database: Database, batchId: string): Promise<ProviderBatchRow[]> {
  return database.db.selectFrom('provider_batches').selectAll().where('batch_id', '=', batchId).orderBy('id', 'asc').execute();
}

/** Updates a provider batch while it is in one of `from` states; returns whether it changed. */
export async function updateProviderBatch(database: Database, id: string, from: readonly string[], changes: Updateable<ProviderBatchesTable>): Promise<boolean> {
  const result = await database.db.updateTable('provider_batches').set(changes).where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** The lines of a provider batch still waiting for the provider's answer. */
export async function forwardedLines(database: Database, providerBatchId: string) {
  return database.db.selectFrom('jobs').selectAll().where('provider_batch_id', '=', providerBatchId).where('status', '=', 'upstream').orderBy('line_no', 'asc').execute();
}

/** How a forwarded line ended: the provider's answer or error, billed at the batch tariff (statusCode 0: no HTTP status, e.g. expired). */
export type ForwardedOutcome = Omit<JobOutcome, 'status' | 'requeueAt'> & { status: 'succeeded' | 'failed' | 'cancelled'; requestId: string | null };

/**
 * Ends one forwarded line and bills it in one transaction, only while it is still waiting for the provider
 * (status upstream): settling the same provider batch again after a crash skips lines already billed.
 */
export async function settleForwardedLine(database: Database, jobId: string, outcome: ForwardedOutcome, logRow: RequestLogRow | undefined): Promise<boolean> {
  return inTransaction(database, async (trx) => {
    const updated = await trx
      .updateTable('jobs')
      .set({
        status: outcome.status,
        status_code: outcome.statusCode === 0 ? null : outcome.statusCode,
        result: outcome.result ?? null,
        error: outcome.error ?? null,
        input_tokens: outcome.inputTokens,
        output_tokens: outcome.outputTokens,
        cost_nano_cny: outcome.costNanoCny,
        on_demand_nano_cny: outcome.onDemandNanoCny,
        tariff: outcome.tariff,
        finished_at: outcome.finishedAt,
        request_id: outcome.requestId,
        attempt: 1,
      })
      .where('id', '=', jobId)
      .where('status', '=', 'upstream')
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) return false;
    if (logRow) await trx.insertInto('request_log').values(toRecord(logRow)).onConflict((oc) => oc.doNothing()).execute();
    return true;
  });
}

/** Hands forwarded lines back to Tidegate's own runner (the provider refused them and their mode is auto). */
export async function requeueForwardedLines(database: Database, jobIds: readonly string[], notBefore: number, plan: string): Promise<number> {
  if (jobIds.length === 0) return 0;
  const result = await database.db
    .updateTable('jobs')
    .set({ status: 'queued', provider_batch_id: null, not_before: notBefore, plan })
    .where('id', 'in', [...jobIds])
    .where('status', '=', 'upstream')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
