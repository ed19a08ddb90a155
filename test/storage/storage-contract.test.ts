import { sql, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  RequestLogWriter,
  migrate,
  migrationNames,
  openDatabase,
  queryRequestLog,
  type Database,
} from '../../src/storage/index.js';
import { SQLITE_ROWS_PER_SLICE } from '../../src/storage/request-log.js';
import { makeRow, targets, type Target } from './storage-targets.js';

/** One contract, two dialects (see storage-targets.ts); Postgres failing to open fails these tests. */

/** Counts INSERT statements, to check that rows travel in batches. */
class InsertCounter implements KyselyPlugin {
  inserts = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    if (args.node.kind === 'InsertQueryNode') this.inserts += 1;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    return args.result;
  }
}

/** SQLite writes the request log through one prepared statement in one transaction per batch: count those transactions. */
function countSqliteBatches(sqlite: NonNullable<Database['sqlite']>, counter: InsertCounter): NonNullable<Database['sqlite']> {
  return new Proxy(sqlite, {
    get(target, property) {
      if (property === 'transaction') {
        return (fn: (...args: never[]) => unknown) => {
          const run = target.transaction(fn);
          return (...args: never[]) => {
            counter.inserts += 1;
            return run(...args);
          };
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function countRows(database: Database): Promise<number> {
  const row = await database.db.selectFrom('request_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

const hideTable = (d: Database) => sql`alter table request_log rename to request_log_away`.execute(d.db);
const restoreTable = (d: Database) => sql`alter table request_log_away rename to request_log`.execute(d.db);

describe.each(targets)('storage contract: $name', (target) => {
  let database: Database;
  let store: ReturnType<Target['fresh']>;

  beforeAll(async () => {
    store = target.fresh();
    database = await openDatabase(store.url);
  });

  afterAll(async () => {
    if (database === undefined) return; // opening failed, and that failure is already reported
    await database.close();
    await store.cleanup();
  });

  describe('migrations', () => {
    it('apply every migration in order, then nothing on a second run', async () => {
      expect(database.dialect).toBe(target.name);
      expect(await migrate(database)).toEqual({ applied: ['0001_request_log', '0002_api_keys', '0003_pricing_and_budgets', '0004_response_cache', '0005_scheduling_and_batches', '0006_privacy_audit', '0007_flywheel', '0008_provider_batches', '0009_cluster', '0010_rollups', '0011_request_log_partitions', '0014_experiments', '0015_job_sent_at', '0016_rollup_dimensions'] });
      expect(migrationNames).toEqual(['0001_request_log', '0002_api_keys', '0003_pricing_and_budgets', '0004_response_cache', '0005_scheduling_and_batches', '0006_privacy_audit', '0007_flywheel', '0008_provider_batches', '0009_cluster', '0010_rollups', '0011_request_log_partitions', '0014_experiments', '0015_job_sent_at', '0016_rollup_dimensions']);
      expect(await migrate(database)).toEqual({ applied: [] });
      expect(await countRows(database)).toBe(0);
    });

    it('run once when two handles migrate the same store at the same time', async () => {
      const other = target.fresh();
      const [a, b] = [await openDatabase(other.url), await openDatabase(other.url)];
      try {
        // better-sqlite3 is synchronous, so two handles in one process cannot truly race; run them in turn there.
        const results =
          target.name === 'postgres' ? await Promise.all([migrate(a), migrate(b)]) : [await migrate(a), await migrate(b)];
        expect(results.flatMap((r) => r.applied).sort()).toEqual([...migrationNames]);
        expect(await migrate(b)).toEqual({ applied: [] });
      } finally {
        await a.close();
        await b.close();
        await other.cleanup();
      }
    });
  });

  describe('request log', () => {
    beforeEach(async () => {
      await migrate(database);
      await database.db.deleteFrom('request_log').execute();
    });

    it('round-trips every field exactly, including a cost above 2^31, newest first', async () => {
      const full = makeRow({
        apiKeyId: 'key_abcdefghijkl',
        endpoint: 'messages',
        modelServed: 'qwen-max',
        provider: 'dashscope',
        status: 502,
        errorCode: 'upstream_error',
        stream: true,
        attempts: 3,
        fallbackUsed: true,
        latencyMs: 45_001,
        firstByteMs: 950,
        upstreamMs: 44_000,
        usage: { inputUncached: 123_456, cacheRead: 2_048, cacheWrite: 512, output: 9_999, reasoning: 4_000, imageTokens: 765, estimated: true },
        costNanoCny: 2 ** 31 * 3 + 7,
        routeReason: 'fallback:rate_limited',
        clientIp: '203.0.113.7',
      });
      const sparse = makeRow({ endpoint: 'embeddings', modelServed: null, provider: null, costNanoCny: 0 });
      const writer = new RequestLogWriter(database, { batchSize: 10, flushIntervalMs: 60_000, queueLimit: 100 });
      writer.write(full);
      writer.write(sparse);
      await writer.close();
      expect(await queryRequestLog(database)).toEqual([sparse, full]);
      expect(await queryRequestLog(database, { apiKeyId: 'key_abcdefghijkl' })).toEqual([full]);
      expect(await queryRequestLog(database, { since: sparse.createdAt })).toEqual([sparse]);
      expect(await queryRequestLog(database, { limit: 1 })).toEqual([sparse]);
    });

    it('writes 1,000 rows in batches, never on the caller stack', async () => {
      const counter = new InsertCounter();
      const counted: Database = { ...database, db: database.db.withPlugin(counter), ...(database.sqlite ? { sqlite: countSqliteBatches(database.sqlite, counter) } : {}) };
      const writer = new RequestLogWriter(counted, { batchSize: 100, flushIntervalMs: 50, queueLimit: 5_000 });
      for (let i = 0; i < 1_000; i += 1) expect(writer.write(makeRow())).toBeUndefined();
      expect(counter.inserts).toBe(0);
      await writer.flush();
      expect(await countRows(database)).toBe(1_000);
      // SQLite commits in slices, yielding to the event loop between them (request-log.ts).
      const transactions = Math.ceil(1_000 / (target.name === 'sqlite' ? Math.min(100, SQLITE_ROWS_PER_SLICE) : 100));
      expect(counter.inserts).toBeGreaterThanOrEqual(transactions);
      expect(counter.inserts).toBeLessThanOrEqual(transactions + 2);
      expect(writer.stats()).toMatchObject({ queued: 0, written: 1_000, failedFlushes: 0 });
      await writer.close();
    });

    it('flushes on the timer when a batch never fills', async () => {
      const writer = new RequestLogWriter(database, { batchSize: 100, flushIntervalMs: 20, queueLimit: 100 });
      writer.write(makeRow());
      await vi.waitFor(() => expect(writer.stats().written).toBe(1), { timeout: 2_000 });
      expect(await countRows(database)).toBe(1);
      await writer.close();
    });

    it('applies backpressure over queueLimit and releases it once the rows are written', async () => {
      const onError = vi.fn();
      const writer = new RequestLogWriter(database, { batchSize: 100, flushIntervalMs: 60_000, queueLimit: 10, onError });
      await hideTable(database);
      try {
        for (let i = 0; i < 10; i += 1) expect(writer.write(makeRow())).toBeUndefined();
        const waiting = writer.write(makeRow());
        expect(waiting).toBeInstanceOf(Promise);
        let released = false;
        void waiting?.then(() => (released = true));
        await vi.waitFor(() => expect(writer.stats().failedFlushes).toBe(1), { timeout: 2_000 });
        expect(writer.write(makeRow())).toBeInstanceOf(Promise);
        await expect(writer.flush()).rejects.toThrow();
        expect(released).toBe(false);
        expect(onError).toHaveBeenCalledTimes(1);
        expect(writer.stats()).toMatchObject({ queued: 12, written: 0 });
      } finally {
        await restoreTable(database);
      }
      await writer.flush();
      await vi.waitFor(() => expect(writer.stats()).toMatchObject({ queued: 0, written: 12 }));
      expect(await countRows(database)).toBe(12);
      await writer.close();
    });

    it('keeps rows after a failed insert and retries them on the next timer flush', async () => {
      const onError = vi.fn();
      const writer = new RequestLogWriter(database, { batchSize: 100, flushIntervalMs: 20, queueLimit: 100, onError });
      const rows = [makeRow(), makeRow(), makeRow()];
      await hideTable(database);
      try {
        rows.forEach((row) => writer.write(row));
        await vi.waitFor(() => expect(writer.stats().failedFlushes).toBeGreaterThanOrEqual(2), { timeout: 2_000 });
        expect(onError).toHaveBeenCalledTimes(1);
        expect(writer.stats()).toMatchObject({ queued: 3, written: 0 });
      } finally {
        await restoreTable(database);
      }
      await vi.waitFor(() => expect(writer.stats()).toMatchObject({ queued: 0, written: 3 }), { timeout: 2_000 });
      expect((await queryRequestLog(database)).map((r) => r.id)).toEqual(rows.map((r) => r.id).reverse());
      await writer.close();
    });

    it('close() drains the queue and then refuses writes', async () => {
      const writer = new RequestLogWriter(database, { batchSize: 100, flushIntervalMs: 60_000, queueLimit: 1_000 });
      for (let i = 0; i < 37; i += 1) writer.write(makeRow());
      await writer.close();
      expect(await countRows(database)).toBe(37);
      expect(() => writer.write(makeRow())).toThrow(/closed/);
    });

    it('rejects a malformed row on the caller stack and keeps the first row for a repeated id', async () => {
      const writer = new RequestLogWriter(database, { batchSize: 100, flushIntervalMs: 60_000, queueLimit: 1_000 });
      expect(() => writer.write(makeRow({ costNanoCny: 1.5 }))).toThrow(TypeError);
      const first = makeRow({ status: 200 });
      writer.write(first);
      writer.write({ ...first, status: 500 });
      await writer.close();
      expect(await queryRequestLog(database)).toEqual([first]);
    });
  });
});
