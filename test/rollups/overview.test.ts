import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUsageReport } from '../../src/reports/usage.js';
import { dashboardOverview } from '../../src/rollups/overview.js';
import { HOUR_MS, RollupJob, readWatermark } from '../../src/rollups/rollup-job.js';
import { migrate, openDatabase, usageReport, type Database, type RequestLogRow } from '../../src/storage/index.js';
import { makeRow, targets, writeLogRows, type Target } from '../storage/storage-targets.js';
import { lcg } from '../fixtures/lcg.js';

/** 2026-06-01 00:00 Beijing time (16:00 UTC the day before). */
const DAY0 = Date.parse('2026-06-01T00:00:00+08:00');
const DAY_MS = 86_400_000;

function mixedRows(count: number, seed: number, idPrefix: string): RequestLogRow[] {
  const next = lcg(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const cache = pick(['miss', 'miss', 'hit', 'semantic-hit', 'bypass'] as const);
    const status = pick([200, 200, 200, 429, 502]);
    const latency = Math.floor(next() * 9000);
    return makeRow({
      id: `${idPrefix}${i}`,
      createdAt: DAY0 + Math.floor(next() * 3 * DAY_MS),
      apiKeyId: pick(['key_a', 'key_b', null]),
      modelServed: pick(['deepseek-chat', 'qwen-max']),
      provider: pick(['deepseek', 'qwen']),
      modelRequested: pick(['auto', 'deepseek-chat']),
      scenario: pick(['research', null]),
      status,
      tier: pick(['light', 'flagship', null]),
      latencyMs: latency,
      firstByteMs: next() < 0.5 ? Math.floor(latency / 3) : null,
      upstreamMs: next() < 0.8 ? Math.max(0, latency - Math.floor(next() * 40)) : null,
      usage: { inputUncached: Math.floor(next() * 5000), cacheRead: Math.floor(next() * 900), cacheWrite: 3, output: Math.floor(next() * 700), reasoning: 0, imageTokens: 0, estimated: false },
      costNanoCny: cache === 'hit' || cache === 'semantic-hit' ? 0 : Math.floor(next() * 9_999_999_999),
      flagshipCostNanoCny: Math.floor(next() * 19_999_999_999),
      cacheStatus: cache,
      cacheSavedNanoCny: cache === 'hit' || cache === 'semantic-hit' ? 333_333_333 : 0,
      providerCacheSavedNanoCny: Math.floor(next() * 1_000_000) - 100_000,
    });
  });
}

describe.each(targets)('dashboard overview over hourly rollups: $name', (target) => {
  let database: Database;
  let store: ReturnType<Target['fresh']>;

  const write = (rows: readonly RequestLogRow[]) => writeLogRows(database, rows);

  /** What `tidegate usage --group day` reports over the same range. */
  const usageTotal = async (since: number, until: number) => buildUsageReport('day', since, until, await usageReport(database, { group: 'day', since, until }));

  const expectSameTotals = async (since: number, until: number) => {
    const overview = await dashboardOverview(database, { from: since, until, tz: 'Asia/Shanghai' });
    const usage = await usageTotal(since, until);
    const { total } = overview;
    expect(total.requests).toBe(usage.total.requests);
    expect(total.errors).toBe(usage.total.errors);
    expect([total.input_tokens, total.cached_tokens, total.output_tokens]).toEqual([usage.total.input_tokens, usage.total.cached_tokens, usage.total.output_tokens]);
    expect(total.spend_cny).toBe(usage.total.spend_cny);
    expect(total.flagship_equivalent_cny).toBe(usage.total.flagship_equivalent_cny);
    expect(total.savings_cny).toBe(usage.total.savings_cny);
    expect(total.savings_by_source_cny.routing).toBe(usage.total.routing_savings_cny);
    expect(total.savings_by_source_cny.provider_cache).toBe(usage.total.provider_cache_savings_cny);
    // The usage report's cache savings are the exact and the semantic cache together.
    const nano = (cny: string) => BigInt(cny.replace('.', '').padEnd(cny.indexOf('.') < 0 ? cny.length : cny.indexOf('.') + 10, '0'));
    expect(nano(total.savings_by_source_cny.cache) + nano(total.savings_by_source_cny.semantic_cache)).toBe(nano(usage.total.cache_savings_cny));
    return { overview, usage };
  };

  beforeAll(async () => {
    store = target.fresh();
    database = await openDatabase(store.url);
    await migrate(database);
    await write(mixedRows(3000, 7, 'mix_'));
  });

  afterAll(async () => {
    if (database === undefined) return;
    await database.close();
    await store.cleanup();
  });

  it('answers before any roll-up, from the request log, with the same totals as tidegate usage', async () => {
    expect(await readWatermark(database)).toBeNull();
    const { overview } = await expectSameTotals(DAY0, DAY0 + 3 * DAY_MS);
    expect(overview.total.requests).toBe(3000);
  });

  it('gives per-day lines equal to the usage report grouped by Beijing day, to the fen, after a roll-up', async () => {
    const job = new RollupJob(database, { settleMs: 0 });
    expect(await job.run(DAY0 + 4 * DAY_MS)).toBe(DAY0 + 4 * DAY_MS);
    const { overview, usage } = await expectSameTotals(DAY0, DAY0 + 3 * DAY_MS);
    expect(overview.rolled_up_until).toBe(new Date(DAY0 + 4 * DAY_MS).toISOString());
    expect(overview.days.map((day) => [day.day, day.requests, day.spend_cny, day.flagship_equivalent_cny])).toEqual(
      usage.rows.map((row) => [row.group, row.requests, row.spend_cny, row.flagship_equivalent_cny]),
    );
    expect(overview.days.map((day) => day.day)).toEqual(['2026-06-01', '2026-06-02', '2026-06-03']);
  });

  it('keeps spend per API key in the detailed rollup, equal to tidegate usage --group key', async () => {
    const { rows } = await sql<{ key: string; cost: number | string; requests: number | string }>`select api_key_id as key, sum(cost_nano_cny) as cost, sum(requests) as requests
      from request_rollup_hourly where hour_start >= ${DAY0} and hour_start < ${DAY0 + 3 * DAY_MS} group by api_key_id order by api_key_id`.execute(database.db);
    const usage = await usageReport(database, { group: 'key', since: DAY0, until: DAY0 + 3 * DAY_MS });
    expect(rows.map((row) => [row.key || '(open)', Number(row.cost), Number(row.requests)]).sort()).toEqual(usage.map((row) => [row.group, row.costNanoCny, row.requests]).sort());
  });

  it('keeps totals exact over ranges that start and end inside an hour', async () => {
    await expectSameTotals(DAY0 + 17 * 60_000 + 123, DAY0 + 2 * DAY_MS + 5 * HOUR_MS + 59 * 60_000);
    await expectSameTotals(DAY0 + HOUR_MS + 1, DAY0 + HOUR_MS + 30 * 60_000);
  });

  it('never counts a row twice when the roll-up runs again, is rebuilt, or takes in a late row', async () => {
    const job = new RollupJob(database, { settleMs: 0, reopenHours: 2 });
    await job.run(DAY0 + 4 * DAY_MS);
    await job.rebuild(DAY0, DAY0 + 4 * DAY_MS);
    // A row that reached the log late, in an hour already rolled up but within the reopened window.
    await write([makeRow({ id: 'late_1', createdAt: DAY0 + 4 * DAY_MS - 30 * 60_000, costNanoCny: 1_000_000_001 })]);
    await job.run(DAY0 + 4 * DAY_MS);
    const { overview } = await expectSameTotals(DAY0, DAY0 + 5 * DAY_MS);
    expect(overview.total.requests).toBe(3001);
  });
});

describe('percentiles from merged buckets', () => {
  it('reads p99 from the merged buckets of all hours, not an average of hourly percentiles', async () => {
    const target = targets[0]!;
    const store = target.fresh();
    const database = await openDatabase(store.url);
    try {
      await migrate(database);
      // Hour 1: 100 fast calls (40 ms). Hour 2: 100 slow ones (3 s). Averaging the hourly p99s would give ~2 s.
      await writeLogRows(database, [
        ...Array.from({ length: 100 }, (_, i) => makeRow({ id: `fast_${i}`, createdAt: DAY0 + i, latencyMs: 40, firstByteMs: 20 })),
        ...Array.from({ length: 100 }, (_, i) => makeRow({ id: `slow_${i}`, createdAt: DAY0 + HOUR_MS + i, latencyMs: 3000, firstByteMs: 900 })),
      ]);
      await new RollupJob(database, { settleMs: 0 }).run(DAY0 + DAY_MS);
      const { total } = await dashboardOverview(database, { from: DAY0, until: DAY0 + DAY_MS, tz: 'Asia/Shanghai' });
      expect(total.latency_ms.p50).not.toBeNull();
      expect(total.latency_ms.p50!).toBeLessThanOrEqual(50);
      expect(total.latency_ms.p99!).toBeGreaterThan(2000);
      expect(total.latency_ms.p99!).toBeLessThanOrEqual(4000);
      expect(total.ttft_ms.p90!).toBeGreaterThan(500);
      expect(total.ttft_ms.p90!).toBeLessThanOrEqual(1000);
    } finally {
      await database.close();
      await store.cleanup();
    }
  });
});
