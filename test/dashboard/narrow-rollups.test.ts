import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUsageReport } from '../../src/reports/usage.js';
import { spendByKeyAndDay } from '../../src/rollups/key-spend.js';
import { reliabilityReport } from '../../src/rollups/reliability.js';
import { COMPACT_TABLE, ERRORS_TABLE, KEYS_TABLE, ROLLUP_TABLE, ROLLUP_TABLES, ROUTES_TABLE, WATERMARK_TABLE } from '../../src/rollups/rollup-columns.js';
import { refillRollupTable } from '../../src/rollups/rollup-fill.js';
import { HOUR_MS, RollupJob } from '../../src/rollups/rollup-job.js';
import { routingMix } from '../../src/rollups/routing-mix.js';
import { dayIn } from '../../src/rollups/time-zone.js';
import { usageRowsFromRollups } from '../../src/rollups/usage-rows.js';
import { migrate, migrationNames, openDatabase, usageReport, type Database, type RequestLogRow, type UsageGroup } from '../../src/storage/index.js';
import { makeRow, targets, writeLogRows, type Target } from '../storage/storage-targets.js';
import { lcg } from '../fixtures/lcg.js';

/**
 * The narrower rollups of migration 0016 (by key, by route and scenario, by error) answer exactly what a scan of
 * request_log answers, with or without a roll-up, over ranges with ragged edges; and the migration back-fills them
 * for hours rolled up before it.
 */

const DAY0 = Date.parse('2026-06-01T00:00:00+08:00');
const DAY_MS = 86_400_000;

function mixedRows(count: number, seed: number, idPrefix: string): RequestLogRow[] {
  const next = lcg(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const cache = pick(['miss', 'miss', 'hit', 'semantic-hit', 'bypass'] as const);
    const error = pick([null, null, null, null, { status: 429, code: 'rate_limited' }, { status: 502, code: 'upstream_unavailable' }, { status: 400, code: null }] as const);
    const route = pick(['auto', 'math', 'qwen-max']);
    return makeRow({
      id: `${idPrefix}${i}`,
      createdAt: DAY0 + Math.floor(next() * 3 * DAY_MS),
      apiKeyId: pick(['key_a', 'key_b', 'key_c', null]),
      modelRequested: route,
      modelServed: error?.status === 400 ? null : pick(['deepseek-chat', 'qwen-max']),
      provider: error?.status === 400 ? null : pick(['deepseek', 'qwen']),
      scenario: pick(['research', 'support', null]),
      status: error?.status ?? 200,
      errorCode: error?.code ?? null,
      attempts: pick([1, 1, 1, 2, 3]),
      fallbackUsed: next() < 0.1,
      tier: pick(['light', 'flagship', null]),
      routeReason: route === 'math' ? pick(['math: cascade: ok -> accepted', 'math: cascade: failed check -> escalated to flagship', null]) : 'auto: router',
      usage: { inputUncached: Math.floor(next() * 5000), cacheRead: Math.floor(next() * 900), cacheWrite: 3, output: Math.floor(next() * 700), reasoning: 0, imageTokens: 0, estimated: false },
      costNanoCny: cache === 'hit' || cache === 'semantic-hit' ? 0 : Math.floor(next() * 9_999_999_999),
      flagshipCostNanoCny: Math.floor(next() * 19_999_999_999),
      cacheStatus: cache,
      cacheSavedNanoCny: cache === 'hit' || cache === 'semantic-hit' ? 333_333_333 : 0,
      providerCacheSavedNanoCny: Math.floor(next() * 1_000_000) - 100_000,
    });
  });
}

const rowsOf = async (database: Database, query: ReturnType<typeof sql>) =>
  ((await (query as ReturnType<typeof sql<Record<string, unknown>>>).execute(database.db)).rows).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v])));

const byGroup = <T extends { group: string }>(rows: readonly T[]) => [...rows].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));

describe.each(targets)('narrow hourly rollups against request_log: $name', (target) => {
  let database: Database;
  let store: ReturnType<Target['fresh']>;

  const write = (rows: readonly RequestLogRow[]) => writeLogRows(database, rows);

  /** Every page query the narrow tables serve, checked against SQL over request_log for [since, until). */
  const expectExact = async (since: number, until: number) => {
    const range = sql`created_at >= ${since} and created_at < ${until}`;
    for (const group of ['key', 'scenario', 'model', 'provider', 'day'] as Exclude<UsageGroup, 'tier'>[]) {
      const cli = await usageReport(database, { group, since, until });
      const rolled = await usageRowsFromRollups(database, { group, since, until, tz: 'Asia/Shanghai' });
      expect(byGroup(rolled)).toEqual(byGroup(cli));
      // D2: the groups add up to the KPI, to the nano-yuan.
      expect(buildUsageReport(group, since, until, rolled).total).toEqual(buildUsageReport('day', since, until, await usageReport(database, { group: 'day', since, until })).total);
      for (const key of ['key_a', 'key_c']) {
        if (group === 'day') continue;
        expect(byGroup(await usageRowsFromRollups(database, { group, since, until, tz: 'Asia/Shanghai', apiKeyId: key }))).toEqual(byGroup(await usageReport(database, { group, since, until, apiKeyId: key })));
      }
    }

    const mix = await routingMix(database, since, until);
    const rawMix = await rowsOf(database, sql`select model_requested as route, coalesce(scenario, '(none)') as scenario, count(*) as requests,
      sum(case when tier = 'light' then 1 else 0 end) as light, sum(case when tier = 'flagship' then 1 else 0 end) as flagship,
      sum(case when route_reason like '%cascade:%-> accepted' then 1 else 0 end) as cascade_accepted,
      sum(case when route_reason like '%cascade:%-> escalated to flagship' then 1 else 0 end) as escalated
      from request_log where ${range} group by model_requested, coalesce(scenario, '(none)')`);
    const order = (a: Record<string, unknown>, b: Record<string, unknown>) => `${a.route}/${a.scenario}`.localeCompare(`${b.route}/${b.scenario}`);
    expect(mix.map(({ light_share: _, ...line }) => line).sort(order)).toEqual(rawMix.sort(order));
    expect(mix.some((line) => line.escalated > 0 && line.cascade_accepted > 0)).toBe(true);

    const report = await reliabilityReport(database, { from: since, until, tz: 'Asia/Shanghai' });
    const codes = await rowsOf(database, sql`select coalesce(error_code, '(none)') as code, status, count(*) as count from request_log
      where ${range} and status >= 400 group by coalesce(error_code, '(none)'), status`);
    expect(report.errors_by_code).toEqual(codes.sort((a, b) => Number(b.count) - Number(a.count) || String(a.code).localeCompare(String(b.code))));
    const [totals] = await rowsOf(database, sql`select count(*) as requests, sum(case when status >= 400 then 1 else 0 end) as errors, sum(fallback_used) as fallbacks,
      sum(case when attempts > 1 then attempts - 1 else 0 end) as retries, sum(case when attempts > 1 then 1 else 0 end) as retried_requests from request_log where ${range}`);
    expect({ ...report.total, error_rate: undefined }).toEqual({ ...totals, error_rate: undefined });
    expect(report.by_model.reduce((sum, line) => sum + line.requests, 0)).toBe(totals!.requests);
    const perDay = await rowsOf(database, sql`select created_at, status, fallback_used from request_log where ${range}`);
    const days = new Map<string, { requests: number; errors_4xx: number; errors_5xx: number; fallbacks: number }>();
    for (const row of perDay) {
      const day = dayIn('Asia/Shanghai', Number(row.created_at));
      const into = days.get(day) ?? { requests: 0, errors_4xx: 0, errors_5xx: 0, fallbacks: 0 };
      into.requests += 1;
      into.errors_4xx += Number(row.status) >= 400 && Number(row.status) < 500 ? 1 : 0;
      into.errors_5xx += Number(row.status) >= 500 ? 1 : 0;
      into.fallbacks += Number(row.fallback_used);
      days.set(day, into);
    }
    expect(report.series.map(({ retries: _, ...line }) => line)).toEqual([...days].sort().map(([day, line]) => ({ day, ...line })));
    const qwen = await reliabilityReport(database, { from: since, until, tz: 'UTC', model: 'qwen-max', provider: 'qwen' });
    const [qwenRaw] = await rowsOf(database, sql`select count(*) as n from request_log where ${range} and coalesce(model_served, model_requested) = 'qwen-max' and provider = 'qwen'`);
    expect(qwen.total.requests).toBe(qwenRaw!.n);

    const spend = await spendByKeyAndDay(database, since, until);
    const rawSpend = await rowsOf(database, sql`select coalesce(api_key_id, '') as key, created_at, cost_nano_cny from request_log where ${range}`);
    const expected = new Map<string, Map<string, number>>();
    for (const row of rawSpend) {
      const days_ = expected.get(String(row.key)) ?? new Map<string, number>();
      const day = new Date(Number(row.created_at) + 8 * HOUR_MS).toISOString().slice(0, 10);
      days_.set(day, (days_.get(day) ?? 0) + Number(row.cost_nano_cny));
      expected.set(String(row.key), days_);
    }
    const sorted = (map: Map<string, Map<string, number>>) => [...map].map(([key, d]) => [key, [...d].sort()] as const).sort();
    expect(sorted(spend)).toEqual(sorted(expected));
  };

  beforeAll(async () => {
    store = target.fresh();
    database = await openDatabase(store.url);
    await migrate(database);
    await write(mixedRows(2500, 11, 'narrow_'));
  });

  afterAll(async () => {
    if (database === undefined) return;
    await database.close();
    await store.cleanup();
  });

  it('answers from request_log before any roll-up', async () => {
    await expectExact(DAY0, DAY0 + 3 * DAY_MS);
  });

  it('answers the same from the rollups, over whole hours, ragged edges and hours not yet rolled up', async () => {
    await new RollupJob(database, { settleMs: 0 }).run(DAY0 + 2 * DAY_MS + 7 * HOUR_MS);
    await expectExact(DAY0, DAY0 + 3 * DAY_MS);
    await expectExact(DAY0 + 17 * 60_000 + 123, DAY0 + 2 * DAY_MS + 9 * HOUR_MS + 59 * 60_000);
    await new RollupJob(database, { settleMs: 0 }).run(DAY0 + 4 * DAY_MS);
    await expectExact(DAY0, DAY0 + 3 * DAY_MS);
    await expectExact(DAY0 + HOUR_MS + 1, DAY0 + HOUR_MS + 30 * 60_000);
  });
});

describe.each(targets)('migration 0016 back-fills the narrow rollups from stored rows: $name', (target) => {
  it('fills every hour before the watermark from request_log, leaves later hours to the roll-up job', async () => {
    const store = target.fresh();
    const database = await openDatabase(store.url);
    try {
      // Up to the migration before this one.
      await migrate(database, { upTo: migrationNames[migrationNames.indexOf('0016_rollup_dimensions') - 1]! });
      await writeLogRows(database, mixedRows(1200, 5, 'old_'));
      // What the roll-up did before 0016: the detailed and compact tables, and the watermark.
      const watermark = DAY0 + 2 * DAY_MS;
      for (const table of ROLLUP_TABLES.filter((spec) => spec.name === ROLLUP_TABLE || spec.name === COMPACT_TABLE)) await refillRollupTable(database.db, table, 0, watermark);
      await sql`insert into ${sql.table(WATERMARK_TABLE)} (name, watermark) values ('request_rollup_hourly', ${watermark})`.execute(database.db);

      await migrate(database);
      const before = sql`created_at < ${watermark}`;
      const [keys] = await rowsOf(database, sql`select sum(cost_nano_cny) as cost, sum(requests) as requests from ${sql.table(KEYS_TABLE)}`);
      const [raw] = await rowsOf(database, sql`select sum(cost_nano_cny) as cost, count(*) as requests, sum(fallback_used) as fallbacks,
        sum(case when route_reason like '%-> escalated to flagship' then 1 else 0 end) as escalated from request_log where ${before}`);
      expect(keys).toEqual({ cost: raw!.cost, requests: raw!.requests });
      const [routes] = await rowsOf(database, sql`select sum(requests) as requests, sum(escalated) as escalated from ${sql.table(ROUTES_TABLE)}`);
      expect(routes).toEqual({ requests: raw!.requests, escalated: raw!.escalated });
      const [errors] = await rowsOf(database, sql`select sum(requests) as requests, sum(fallbacks) as fallbacks, max(hour_start) as last from ${sql.table(ERRORS_TABLE)}`);
      expect(errors).toMatchObject({ requests: raw!.requests, fallbacks: raw!.fallbacks });
      expect(Number(errors!.last)).toBeLessThan(watermark);

      // The reports over the whole range (rolled-up hours from the back-filled tables, the rest from the log) equal the log.
      const until = DAY0 + 3 * DAY_MS;
      const mix = await routingMix(database, DAY0, until);
      const [all] = await rowsOf(database, sql`select count(*) as n, sum(case when route_reason like '%-> escalated to flagship' then 1 else 0 end) as escalated from request_log`);
      expect(mix.reduce((sum, line) => sum + line.requests, 0)).toBe(all!.n);
      expect(mix.reduce((sum, line) => sum + line.escalated, 0)).toBe(all!.escalated);
      const byKey = await usageRowsFromRollups(database, { group: 'key', since: DAY0, until, tz: 'Asia/Shanghai' });
      expect(byGroup(byKey)).toEqual(byGroup(await usageReport(database, { group: 'key', since: DAY0, until })));
    } finally {
      await database.close();
      await store.cleanup();
    }
  });
});

describe('D1: no dashboard query over more than an hour reads request_log once the hours are rolled up (SQLite query log)', () => {
  it('reads only rollup tables over whole rolled-up hours, and request_log only for edge hours', async () => {
    const store = targets[0]!.fresh();
    const database = await openDatabase(store.url);
    try {
      await migrate(database);
      await writeLogRows(database, mixedRows(1500, 3, 'logged_'));
      await new RollupJob(database, { settleMs: 0 }).run(DAY0 + 4 * DAY_MS);

      // Every statement Kysely prepares on the SQLite handle, with its parameters.
      const statements: Array<{ sql: string; params: unknown[] }> = [];
      const sqlite = database.sqlite!;
      const prepare = sqlite.prepare.bind(sqlite);
      sqlite.prepare = ((source: string) => {
        const statement = prepare(source);
        const all = statement.all.bind(statement);
        (statement as { all: unknown }).all = (...params: unknown[]) => {
          statements.push({ sql: source, params });
          return all(...params);
        };
        return statement;
      }) as typeof sqlite.prepare;

      const pages = async (since: number, until: number) => {
        for (const group of ['key', 'scenario', 'model', 'provider', 'day'] as const) {
          await usageRowsFromRollups(database, { group, since, until, tz: 'Asia/Shanghai' });
          await usageRowsFromRollups(database, { group, since, until, tz: 'Asia/Shanghai', apiKeyId: 'key_b' });
        }
        await routingMix(database, since, until);
        await reliabilityReport(database, { from: since, until, tz: 'Asia/Shanghai' });
        await reliabilityReport(database, { from: since, until, tz: 'Asia/Shanghai', model: 'qwen-max' });
        await spendByKeyAndDay(database, since, until);
      };
      const readsLog = () => statements.filter((statement) => /\bfrom request_log\b/i.test(statement.sql));

      await pages(DAY0, DAY0 + 3 * DAY_MS);
      expect(statements.length).toBeGreaterThan(20);
      expect(readsLog()).toEqual([]);
      for (const table of [KEYS_TABLE, ROUTES_TABLE, ERRORS_TABLE]) expect(statements.some((statement) => statement.sql.includes(table))).toBe(true);

      statements.length = 0;
      await pages(DAY0 + 17 * 60_000, DAY0 + 3 * DAY_MS - 25 * 60_000);
      expect(readsLog().length).toBeGreaterThan(0);
      for (const statement of readsLog()) {
        expect(statement.sql).toMatch(/where created_at >= \? and created_at < \?/);
        const [from, until] = statement.params.flat() as [number, number];
        expect(until - from).toBeLessThanOrEqual(HOUR_MS);
      }
    } finally {
      await database.close();
      await store.cleanup();
    }
  });
});
