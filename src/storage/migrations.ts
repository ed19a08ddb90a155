import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import { createSchedulingTables } from './scheduling-migration.js';
import { createProviderBatchTables } from './jobs-provider-batches.js';
import { createFlywheelTables } from './flywheel-migration.js';
import { createPrivacyAuditTable } from './privacy-audit-migration.js';
import { createClusterTables } from './cluster-migration.js';
import { partitionRequestLog } from './request-log-partitions.js';
import { createRollupTables } from '../rollups/rollup-migration.js';
import { createNarrowRollupTables } from '../rollups/rollup-dimensions-migration.js';
import { createExperimentTables } from '../experiments/experiment-migration.js';
import { addJobSentAt } from './job-sent-migration.js';

/*
 * Ordered migrations, defined in code so the published package needs no migration files on disk.
 * Never edit a migration that has shipped; add the next one. The DDL is portable: BIGINT is an INTEGER
 * in SQLite, and booleans are integers 0/1 in both dialects.
 */

const migrations: Record<string, Migration> = {
  '0001_request_log': {
    async up(db) {
      await db.schema
        .createTable('request_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('api_key_id', 'text')
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('model_requested', 'text', (c) => c.notNull())
        .addColumn('model_served', 'text')
        .addColumn('provider', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('stream', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('fallback_used', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('first_byte_ms', 'integer')
        .addColumn('upstream_ms', 'integer')
        .addColumn('input_uncached_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cache_read_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cache_write_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('output_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('reasoning_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('image_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('usage_estimated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cost_nano_cny', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('route_reason', 'text')
        .addColumn('config_hash', 'text', (c) => c.notNull())
        .addColumn('client_ip', 'text')
        .execute();
      await db.schema.createIndex('request_log_created_at_idx').on('request_log').column('created_at').execute();
      await db.schema.createIndex('request_log_api_key_id_idx').on('request_log').column('api_key_id').execute();
    },
  },
  '0002_api_keys': {
    async up(db) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute();
      await db.schema.createIndex('api_keys_prefix_idx').on('api_keys').column('prefix').execute();
    },
  },
  '0003_pricing_and_budgets': {
    async up(db) {
      // How each call was priced, and what always-flagship would have cost (the savings report).
      const columns: Array<[string, 'text' | 'bigint' | 'double precision']> = [
        ['price_version', 'text'], ['tariff', 'text'], ['usd_to_cny', 'double precision'], ['tier', 'text'],
        ['scenario', 'text'], ['flagship_model', 'text'],
      ];
      for (const [name, type] of columns) await db.schema.alterTable('request_log').addColumn(name, type).execute();
      await db.schema.alterTable('request_log').addColumn('flagship_cost_nano_cny', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.createIndex('request_log_key_time_idx').on('request_log').columns(['api_key_id', 'created_at']).execute();
      // Budgets and rate limits per key, and keys grouped into teams with budgets of their own.
      for (const name of ['team', 'daily_budget_nano', 'monthly_budget_nano', 'rpm']) {
        await db.schema.alterTable('api_keys').addColumn(name, name === 'team' ? 'text' : 'bigint').execute();
      }
      await db.schema
        .createTable('teams')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('daily_budget_nano', 'bigint')
        .addColumn('monthly_budget_nano', 'bigint')
        .addColumn('rpm', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '0004_response_cache': {
    async up(db) {
      // Whether the exact cache answered, and what a hit avoided paying (savings by source).
      await db.schema.alterTable('request_log').addColumn('cache_status', 'text').execute();
      await db.schema.alterTable('request_log').addColumn('cache_saved_nano_cny', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      // What providers' own context caches saved (cached input tokens at their discount).
      await db.schema.alterTable('request_log').addColumn('provider_cache_saved_nano_cny', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    },
  },
  '0005_scheduling_and_batches': {
    async up(db) {
      await createSchedulingTables(db);
    },
  },
  '0006_privacy_audit': {
    async up(db) {
      await createPrivacyAuditTable(db);
    },
  },
  '0007_flywheel': {
    async up(db) {
      await createFlywheelTables(db);
    },
  },
  '0008_provider_batches': {
    async up(db) {
      await createProviderBatchTables(db);
    },
  },
  '0009_cluster': {
    async up(db) {
      await createClusterTables(db);
    },
  },
  '0010_rollups': {
    async up(db) {
      await createRollupTables(db);
    },
  },
  '0011_request_log_partitions': {
    async up(db) {
      await partitionRequestLog(db);
    },
  },
  '0014_experiments': {
    async up(db) {
      await createExperimentTables(db);
    },
  },
  '0015_job_sent_at': {
    async up(db) {
      await addJobSentAt(db);
    },
  },
  '0016_rollup_dimensions': {
    async up(db) {
      await createNarrowRollupTables(db);
    },
  },
};

/** The names of every migration, in order. */
export const migrationNames: readonly string[] = Object.keys(migrations).sort();

const provider: MigrationProvider = { getMigrations: async () => migrations };

export const MIGRATION_TABLE = 'tidegate_migration';
export const MIGRATION_LOCK_TABLE = 'tidegate_migration_lock';

/**
 * Applies every pending migration and returns the names applied by this call (none when up to date).
 * Safe to run concurrently from several processes: Postgres holds an advisory lock, SQLite an immediate
 * write transaction, and the loser finds nothing left to do.
 */
export async function migrate(database: Database, options: { upTo?: string } = {}): Promise<{ applied: string[] }> {
  const migrator = new Migrator({
    db: database.db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    // Kysely looks for its tables in every schema unless told which one; name the one in use so a
    // sibling schema (another tenant or test run) holding the same table names is never mistaken for ours.
    ...(database.dialect === 'postgres' ? { migrationTableSchema: await currentSchema(database) } : {}),
  });
  // upTo (tests of a migration on an older schema): stop after that migration.
  const { error, results } = options.upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(options.upTo);
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Storage migration ${failed ?? '(setup)'} failed: ${message}`, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

async function currentSchema(database: Database): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(database.db);
  const schema = rows[0]?.schema;
  if (schema === null || schema === undefined) {
    throw new Error('PostgreSQL has no current schema: the search_path names no existing schema.');
  }
  return schema;
}
