import type { Kysely } from 'kysely';

/**
 * Migration 0005 (shipped as part of migrations.ts; never edit it once released): priority classes and
 * queue waits on the request log, a key's priority cap, and durable deferred work: jobs (one deferred chat
 * request or one batch line each), batches and uploaded files.
 */
export async function createSchedulingTables(db: Kysely<unknown>): Promise<void> {
  for (const name of ['priority', 'priority_requested']) await db.schema.alterTable('request_log').addColumn(name, 'text').execute();
  await db.schema.alterTable('request_log').addColumn('queue_ms', 'integer').execute();
  await db.schema.alterTable('api_keys').addColumn('max_priority', 'text').execute();

  await db.schema
    .createTable('files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('api_key_id', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('api_key_id', 'text')
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('input_file_id', 'text', (c) => c.notNull())
    .addColumn('completion_window', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('metadata', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('in_progress_at', 'bigint')
    .addColumn('finalizing_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addColumn('cancelled_at', 'bigint')
    .addColumn('expired_at', 'bigint')
    .addColumn('output_file_id', 'text')
    .addColumn('error_file_id', 'text')
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('batch_id', 'text')
    .addColumn('custom_id', 'text')
    .addColumn('line_no', 'integer')
    .addColumn('api_key_id', 'text')
    .addColumn('scenario', 'text')
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('request_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('not_before', 'bigint', (c) => c.notNull())
    .addColumn('deadline_at', 'bigint', (c) => c.notNull())
    .addColumn('plan', 'text')
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('status_code', 'integer')
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_nano_cny', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('on_demand_nano_cny', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('tariff', 'text')
    .execute();
  await db.schema.createIndex('jobs_due_idx').on('jobs').columns(['status', 'not_before']).execute();
  await db.schema.createIndex('jobs_batch_idx').on('jobs').columns(['batch_id', 'line_no']).execute();
}
