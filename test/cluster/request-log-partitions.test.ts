import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepExpired } from '../../src/flywheel/retention.js';
import {
  RequestLogWriter,
  ensureRequestLogPartitions,
  listRequestLogPartitions,
  migrate,
  openDatabase,
  queryRequestLog,
  type Database,
  type RequestLogRow,
} from '../../src/storage/index.js';
import { monthOf } from '../../src/storage/request-log-partitions.js';
import { makeRow, targets } from '../storage/storage-targets.js';

/** request_log on PostgreSQL: partitioned by month (migration 0011), kept ahead, retired a month at a time. */

const postgres = targets.find((target) => target.name === 'postgres')!;
const opened: Array<{ database: Database; cleanup(): Promise<void> }> = [];

const urls = new WeakMap<Database, string>();

async function freshStore(): Promise<Database> {
  const store = postgres.fresh();
  const database = await openDatabase(store.url);
  opened.push({ database, cleanup: store.cleanup });
  urls.set(database, store.url);
  return database;
}

afterEach(async () => {
  for (const { database, cleanup } of opened.splice(0)) {
    await database.close();
    await cleanup();
  }
});

const at = (iso: string) => Date.parse(iso);

async function write(database: Database, rows: RequestLogRow[]): Promise<void> {
  const writer = new RequestLogWriter(database, { batchSize: 100, flushIntervalMs: 60_000, queueLimit: 1_000 });
  rows.forEach((row) => writer.write(row));
  await writer.close();
}

/** Which table each row lives in, by id. */
async function homes(database: Database): Promise<Record<string, string>> {
  const { rows } = await sql<{ id: string; home: string }>`select id, tableoid::regclass::text as home from request_log`.execute(database.db);
  return Object.fromEntries(rows.map((row) => [row.id, row.home]));
}

async function plan(database: Database, query: string): Promise<string> {
  return database.db.transaction().execute(async (trx) => {
    // Tiny test partitions would be read sequentially anyway; forbid that to see which index a lookup can use.
    await sql`set local enable_seqscan = off`.execute(trx);
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${sql.raw(query)}`.execute(trx);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

describe('request_log partitioned by month on PostgreSQL', () => {
  it('converts a populated table, keeping every row, each in its month', async () => {
    const database = await freshStore();
    await migrate(database, { upTo: '0010_rollups' });
    const now = Date.now();
    const rows = [
      makeRow({ createdAt: at('2019-03-04T05:06:07Z') }), // beyond the 36 months backfilled: the default partition
      makeRow({ createdAt: at('2025-06-30T23:59:59.999Z'), apiKeyId: 'key_a' }),
      makeRow({ createdAt: at('2025-07-01T00:00:00Z'), apiKeyId: 'key_a' }),
      makeRow({ createdAt: now - 1_000, apiKeyId: 'key_b' }),
    ];
    await write(database, rows);
    const before = await queryRequestLog(database, { limit: 100 });

    expect((await migrate(database)).applied).toContain('0011_request_log_partitions');

    const { rows: kind } = await sql<{ relkind: string }>`select relkind from pg_class where oid = to_regclass('request_log')`.execute(database.db);
    expect(kind[0]?.relkind).toBe('p');
    expect(await queryRequestLog(database, { limit: 100 })).toEqual(before);
    const names = (await listRequestLogPartitions(database)).map((month) => month.name);
    expect(names).toContain('request_log_p2025_06');
    expect(names).toContain('request_log_p2025_07');
    expect(names).toContain(monthOf(now).name);
    expect(names).toContain(monthOf(now, 1).name); // the next month exists before its first row
    expect(await homes(database)).toEqual({
      [rows[0]!.id]: 'request_log_default',
      [rows[1]!.id]: 'request_log_p2025_06',
      [rows[2]!.id]: 'request_log_p2025_07',
      [rows[3]!.id]: monthOf(now).name,
    });
    // The same filters as before, answered from the partitioned table.
    expect((await queryRequestLog(database, { apiKeyId: 'key_a' })).map((row) => row.id)).toEqual([rows[2]!.id, rows[1]!.id]);
  });

  it('converts an empty table: the current and next months and a default partition, nothing else', async () => {
    const database = await freshStore();
    await migrate(database);
    const now = Date.now();
    expect((await listRequestLogPartitions(database)).map((month) => month.name)).toEqual([monthOf(now).name, monthOf(now, 1).name]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_class c join pg_namespace ns on ns.oid = c.relnamespace where c.relname = 'request_log_default' and ns.nspname = current_schema()`.execute(database.db);
    expect(rows[0]?.n).toBe(1);
    // The primary key includes the partition key; a retried row (same id and time) is still written once.
    const row = makeRow({ createdAt: now });
    await write(database, [row, { ...row, status: 500 }]);
    await write(database, [row]);
    expect(await queryRequestLog(database)).toEqual([row]);
  });

  it('never refuses a row for lack of a partition, and moves such rows when their month is created', async () => {
    const database = await freshStore();
    await migrate(database);
    const later = monthOf(Date.now(), 3);
    const early = makeRow({ createdAt: later.from + 60_000 });
    await write(database, [early]);
    expect((await homes(database))[early.id]).toBe('request_log_default');

    // Two nodes running the maintenance step at once: one creates the months, the other finds them made.
    const other = await openDatabase(urls.get(database)!);
    const results = await Promise.all([ensureRequestLogPartitions(database, later.from), ensureRequestLogPartitions(other, later.from)]);
    await other.close();
    expect(results.flat().sort()).toEqual([later.name, monthOf(later.from, 1).name].sort());
    expect((await homes(database))[early.id]).toBe(later.name);
    expect(await ensureRequestLogPartitions(database, later.from)).toEqual([]);
  });

  it('finds a row by id alone through the key index of each month, and prunes months with a time bound', async () => {
    const database = await freshStore();
    await migrate(database);
    const now = Date.now();
    const byId = await plan(database, `select * from request_log where id = 'req_x'`);
    expect(byId).not.toMatch(/Seq Scan/);
    expect(byId).toMatch(new RegExp(`Index.*on ${monthOf(now).name}`));
    const bounded = await plan(database, `select * from request_log where id = 'req_x' and created_at >= ${monthOf(now).from} and created_at < ${monthOf(now).until}`);
    expect(bounded).toContain(monthOf(now).name);
    expect(bounded).not.toContain(monthOf(now, 1).name);
    expect(bounded).not.toContain('request_log_default');
  });

  it('retention drops whole months and deletes only the rest', async () => {
    const database = await freshStore();
    await migrate(database, { upTo: '0010_rollups' });
    const now = Date.now();
    const old = [makeRow({ createdAt: monthOf(now, -3).from + 1 }), makeRow({ createdAt: monthOf(now, -3).from + 2 }), makeRow({ createdAt: monthOf(now, -2).from + 5 })];
    const kept = makeRow({ createdAt: now });
    await write(database, [...old, kept]);
    await migrate(database);
    expect((await listRequestLogPartitions(database)).map((month) => month.name)).toContain(monthOf(now, -3).name);

    // Everything before the start of two months ago has expired, plus the first 10 ms of that month.
    const cutoff = monthOf(now, -2).from + 10;
    const result = await sweepExpired(database, now, now - cutoff);
    expect(result.requestLog).toBe(3);
    const names = (await listRequestLogPartitions(database)).map((month) => month.name);
    expect(names).not.toContain(monthOf(now, -3).name); // dropped, not emptied
    expect(names).toContain(monthOf(now, -2).name); // straddles the cutoff: rows deleted one by one
    expect((await queryRequestLog(database)).map((row) => row.id)).toEqual([kept.id]);
  });
});
