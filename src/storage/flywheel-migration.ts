import type { Kysely } from 'kysely';

/**
 * Migration 0007 (shipped as part of migrations.ts; never edit it once released): captured inferences
 * (masked content with an expiry), typed feedback, and datasets as lists of inference references (so a
 * purge or an expiry also removes a row from every dataset).
 */
export async function createFlywheelTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inferences')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('episode_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('api_key_id', 'text')
    .addColumn('scenario', 'text')
    .addColumn('model_requested', 'text', (c) => c.notNull())
    .addColumn('model_served', 'text')
    .addColumn('provider', 'text')
    .addColumn('tier', 'text')
    .addColumn('stream', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('finish_reason', 'text')
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('output', 'text', (c) => c.notNull())
    .addColumn('prompt_hash', 'text', (c) => c.notNull())
    .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_nano_cny', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('config_hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inferences_scenario_time_idx').on('inferences').columns(['scenario', 'created_at']).execute();
  await db.schema.createIndex('inferences_episode_idx').on('inferences').column('episode_id').execute();
  await db.schema.createIndex('inferences_key_idx').on('inferences').column('api_key_id').execute();
  await db.schema.createIndex('inferences_expires_idx').on('inferences').column('expires_at').execute();

  await db.schema
    .createTable('feedback')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value_number', 'double precision')
    .addColumn('value_text', 'text')
    .addColumn('api_key_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload_hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('feedback_target_idx').on('feedback').columns(['target_id', 'metric']).execute();
  await db.schema.createIndex('feedback_key_idx').on('feedback').column('api_key_id').execute();
  await db.schema.createIndex('feedback_expires_idx').on('feedback').column('expires_at').execute();

  await db.schema
    .createTable('datasets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('report', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('dataset_rows')
    .addColumn('dataset', 'text', (c) => c.notNull())
    .addColumn('inference_id', 'text', (c) => c.notNull())
    .addColumn('split', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('prompt_hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('dataset_rows_pk', ['dataset', 'inference_id'])
    .execute();
  await db.schema.createIndex('dataset_rows_inference_idx').on('dataset_rows').column('inference_id').execute();
}
