import { PostgresAdapter, sql, type Kysely, type QueryExecutorProvider } from 'kysely';
import type { Database } from './database.js';

/*
 * PostgreSQL keeps request_log as a table partitioned by month (declarative RANGE partitioning on created_at,
 * epoch milliseconds, UTC months): retention drops whole months instead of deleting row by row, and queries
 * bounded in time read only the months they cover. SQLite keeps one plain table.
 *
 * Partitions are named request_log_pYYYY_MM and hold [first ms of the month, first ms of the next). A DEFAULT
 * partition (request_log_default) takes any row no month partition covers, so an insert never fails for lack
 * of a partition; the maintenance step (ensureRequestLogPartitions) creates the current and next months
 * ahead of time, and moves rows the default partition holds for a month it creates.
 *
 * The primary key is (id, created_at): a partitioned table's unique constraints must include the partition
 * key. Request ids are unique per request, and every write of a row repeats its created_at, so a retried
 * insert still hits the key (ON CONFLICT DO NOTHING). A lookup by id alone uses the key's index in each
 * partition (id leads it).
 */

const TABLE = 'request_log';
const DEFAULT_PARTITION = `${TABLE}_default`;
const PARTITION_NAME = /^request_log_p(\d{4})_(\d{2})$/;
/** Months of existing rows the migration gives partitions of their own (older rows go to the default one). */
const MAX_BACKFILL_MONTHS = 36;
/** Serialises partition maintenance across nodes (pg_advisory_xact_lock key; "tgpart" in ASCII). */
const MAINTENANCE_LOCK = 0x746770617274;

export interface MonthRange {
  name: string;
  /** Inclusive lower bound, epoch ms (first instant of the UTC month). */
  from: number;
  /** Exclusive upper bound, epoch ms (first instant of the next UTC month). */
  until: number;
}

/** The UTC month holding `at` (epoch ms), shifted by `offset` months. */
export function monthOf(at: number, offset = 0): MonthRange {
  const date = new Date(at);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + offset;
  const from = Date.UTC(year, month, 1);
  const until = Date.UTC(year, month + 1, 1);
  const start = new Date(from);
  const name = `${TABLE}_p${start.getUTCFullYear()}_${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
  return { name, from, until };
}

function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * Migration 0011 (never edit it once released). PostgreSQL only: turns request_log into a table partitioned
 * by month, keeping every row. Runs in the migration's transaction, so a failure leaves the old table.
 */
export async function partitionRequestLog(db: Kysely<unknown>, now = Date.now()): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`alter table request_log rename to request_log_unpartitioned`.execute(db);
  // LIKE copies the columns in order, their types, NOT NULLs and defaults (not the key or indexes).
  await sql`create table request_log (like request_log_unpartitioned including defaults) partition by range (created_at)`.execute(db);
  const { rows } = await sql<{ first: number | string | null; last: number | string | null }>`
    select min(created_at) as first, max(created_at) as last from request_log_unpartitioned`.execute(db);
  const first = rows[0]?.first === null || rows[0]?.first === undefined ? now : Math.min(Number(rows[0].first), now);
  const last = rows[0]?.last === null || rows[0]?.last === undefined ? now : Math.max(Number(rows[0].last), now);
  // Months with rows get partitions, up to MAX_BACKFILL_MONTHS back; anything older stays in the default one.
  const start = Math.max(first, monthOf(last, -MAX_BACKFILL_MONTHS).from);
  for (let month = monthOf(start); month.from <= last; month = monthOf(month.from, 1)) await createMonth(db, month);
  await createMonth(db, monthOf(last, 1));
  await sql`create table ${sql.id(DEFAULT_PARTITION)} partition of request_log default`.execute(db);
  await sql`insert into request_log select * from request_log_unpartitioned`.execute(db);
  await sql`drop table request_log_unpartitioned`.execute(db);
  // Built once the rows are in: partitioned indexes, one per partition, kept on partitions created later.
  await sql`alter table request_log add constraint request_log_pkey primary key (id, created_at)`.execute(db);
  await sql`create index request_log_created_at_idx on request_log (created_at)`.execute(db);
  await sql`create index request_log_api_key_id_idx on request_log (api_key_id)`.execute(db);
  await sql`create index request_log_key_time_idx on request_log (api_key_id, created_at)`.execute(db);
}

async function createMonth(db: Kysely<unknown>, month: MonthRange): Promise<void> {
  await sql`create table if not exists ${sql.id(month.name)} partition of request_log for values from (${sql.lit(month.from)}) to (${sql.lit(month.until)})`.execute(db);
}

/** The month partitions that exist, oldest first (PostgreSQL; none on SQLite). */
export async function listRequestLogPartitions(database: Database): Promise<MonthRange[]> {
  if (database.dialect !== 'postgres') return [];
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_class p on p.oid = i.inhparent
     where p.oid = to_regclass('request_log')`.execute(database.db);
  return rows
    .map((row) => PARTITION_NAME.exec(row.name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => monthOf(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1)))
    .sort((a, b) => a.from - b.from);
}

/**
 * The periodic maintenance step (PostgreSQL; a no-op on SQLite): makes sure the month of `now` and the
 * `monthsAhead` months after it have partitions. A month whose rows went to the default partition (no
 * partition existed when they were written) gets them moved into its new partition in the same
 * transaction. Safe on several nodes at once: one advisory lock serialises them. Returns the months created.
 */
export async function ensureRequestLogPartitions(database: Database, now = Date.now(), monthsAhead = 1): Promise<string[]> {
  if (database.dialect !== 'postgres') return [];
  const wanted = Array.from({ length: monthsAhead + 1 }, (_, i) => monthOf(now, i));
  const existing = new Set((await listRequestLogPartitions(database)).map((month) => month.name));
  const missing = wanted.filter((month) => !existing.has(month.name));
  if (missing.length === 0) return [];
  return database.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MAINTENANCE_LOCK})`.execute(trx);
    const present = new Set((await listRequestLogPartitions({ ...database, db: trx })).map((month) => month.name));
    const created: string[] = [];
    for (const month of missing) {
      if (present.has(month.name)) continue; // another node made it while we waited for the lock
      await createMonthFromDefault(trx, month);
      created.push(month.name);
    }
    return created;
  });
}

/** Creates a month partition; rows of that month already in the default partition move into it. */
async function createMonthFromDefault(db: QueryExecutorProvider, month: MonthRange): Promise<void> {
  const name = sql.id(month.name);
  const range = sql`created_at >= ${sql.lit(month.from)} and created_at < ${sql.lit(month.until)}`;
  // Attaching a partition checks the default partition holds none of its rows, so move them out first.
  await sql`create table ${name} (like request_log including defaults)`.execute(db);
  await sql`with moved as (delete from ${sql.id(DEFAULT_PARTITION)} where ${range} returning *) insert into ${name} select * from moved`.execute(db);
  // The constraint lets ATTACH skip scanning the new table.
  await sql`alter table ${name} add constraint ${sql.id(`${month.name}_range`)} check (${range})`.execute(db);
  await sql`alter table request_log attach partition ${name} for values from (${sql.lit(month.from)}) to (${sql.lit(month.until)})`.execute(db);
  await sql`alter table ${name} drop constraint ${sql.id(`${month.name}_range`)}`.execute(db);
}

/**
 * Retention by partition (PostgreSQL): drops every month partition that ends at or before `cutoff` and
 * returns how many rows they held. Rows older than the cutoff in a month that straddles it (or in the
 * default partition) are left for the caller's DELETE.
 */
export async function dropRequestLogPartitionsBefore(database: Database, cutoff: number): Promise<number> {
  if (database.dialect !== 'postgres') return 0;
  const old = (await listRequestLogPartitions(database)).filter((month) => month.until <= cutoff);
  let rows = 0;
  for (const month of old) {
    await database.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${MAINTENANCE_LOCK})`.execute(trx);
      const still = await sql<{ name: string | null }>`select to_regclass(${month.name})::text as name`.execute(trx);
      if (still.rows[0]?.name == null) return; // another node dropped it first
      const found = await sql<{ n: number | string }>`select count(*) as n from ${sql.id(month.name)}`.execute(trx);
      rows += Number(found.rows[0]?.n ?? 0);
      await sql`drop table ${sql.id(month.name)}`.execute(trx);
    });
  }
  return rows;
}
