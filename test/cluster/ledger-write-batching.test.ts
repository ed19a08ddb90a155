import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestLogWriter, migrate, openDatabase, type Database } from '../../src/storage/index.js';
import { makeRow, targets } from '../storage/storage-targets.js';

/**
 * The ledger's write bound on PostgreSQL: under steady traffic each node commits at most one request-log
 * transaction per flush interval (plus the final flush at shutdown), whatever the request rate below the
 * batch size; rows arriving during a flush wait for the next one. Counts, not timings: the bound is the
 * number of flush intervals that elapsed, measured.
 */

/** Counts the transactions a writer opens on this handle, independently of the writer's own stats. */
function countTransactions(database: Database): { database: Database; count: () => number } {
  let opened = 0;
  const db = new Proxy(database.db, {
    get(target, property) {
      if (property === 'transaction') {
        return () => {
          opened += 1;
          return target.transaction();
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { database: { ...database, db }, count: () => opened };
}

const postgres = targets.find((target) => target.name === 'postgres')!;
let store: ReturnType<typeof postgres.fresh>;
let nodes: Database[] = [];

beforeAll(async () => {
  store = postgres.fresh();
  nodes = [await openDatabase(store.url), await openDatabase(store.url)];
  await migrate(nodes[0]!);
});

afterAll(async () => {
  for (const database of nodes) await database.close();
  await store?.cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('request-log writes in batches on PostgreSQL, two nodes', () => {
  it('commits at most one transaction per flush interval per node, and loses nothing at close', async () => {
    const flushIntervalMs = 200;
    const runs = nodes.map((database) => {
      const counted = countTransactions(database);
      const writer = new RequestLogWriter(counted.database, { batchSize: 10_000, flushIntervalMs, queueLimit: 50_000 });
      return { transactions: counted.count, writer, rows: 0 };
    });
    const started = Date.now();
    // About 1,000 rows per second per node for 1.2 s, a few at a time as requests finish.
    while (Date.now() - started < 1_200) {
      for (const run of runs) {
        for (let i = 0; i < 4; i += 1) run.writer.write(makeRow({ createdAt: Date.now() }));
        run.rows += 4;
      }
      await sleep(4);
    }
    const elapsed = Date.now() - started;
    for (const run of runs) await run.writer.close();

    const intervals = Math.floor(elapsed / flushIntervalMs);
    for (const run of runs) {
      // One transaction per timer tick at most, plus the one that drained the queue at close.
      expect(run.transactions()).toBeLessThanOrEqual(intervals + 1);
      expect(run.transactions()).toBeGreaterThan(1); // the timer flushed during the run, not only close()
      expect(run.writer.stats().transactions).toBe(run.transactions());
      expect(run.writer.stats()).toMatchObject({ queued: 0, written: run.rows, failedFlushes: 0 });
    }
    const { n } = await nodes[0]!.db.selectFrom('request_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(runs[0]!.rows + runs[1]!.rows);
  });
});
