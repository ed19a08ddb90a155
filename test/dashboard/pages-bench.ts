/**
 * Times every dashboard page's query over 30 days of a large SQLite store (the 1 M-row shape of
 * bench/dashboard-overview.ts), after the rollups are built. Not a test: a measurement to run by hand:
 *   npx vite-node test/dashboard/pages-bench.ts [rows]        (default 1000000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cacheReport } from '../../src/rollups/cache-report.js';
import { spendByKeyAndDay } from '../../src/rollups/key-spend.js';
import { dashboardOverview } from '../../src/rollups/overview.js';
import { performanceReport } from '../../src/rollups/performance.js';
import { reliabilityReport } from '../../src/rollups/reliability.js';
import { searchRequests } from '../../src/rollups/request-search.js';
import { RollupJob } from '../../src/rollups/rollup-job.js';
import { routingMix } from '../../src/rollups/routing-mix.js';
import { usageRowsFromRollups } from '../../src/rollups/usage-rows.js';
import { migrate, openDatabase, usageReport } from '../../src/storage/index.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const DAYS = 30;
const END = Date.parse('2026-11-01T00:00:00+08:00');
const START = END - DAYS * 86_400_000;
let state = 42;
const next = () => ((state = (state * 1_664_525 + 1_013_904_223) >>> 0) / 2 ** 32);
const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
const models = [['deepseek-v4-pro', 'deepseek', 'flagship'], ['deepseek-flash', 'deepseek', 'light'], ['qwen-max', 'qwen', 'flagship'], ['qwen-flash', 'qwen', 'light']] as const;

const dir = mkdtempSync(join(tmpdir(), 'tidegate-dashboard-pages-'));
const database = await openDatabase(`sqlite:${join(dir, 'bench.db')}`);
try {
  await migrate(database);
  const columns = ['id', 'created_at', 'api_key_id', 'endpoint', 'model_requested', 'model_served', 'provider', 'status', 'error_code', 'attempts', 'fallback_used', 'latency_ms', 'first_byte_ms', 'upstream_ms',
    'input_uncached_tokens', 'cache_read_tokens', 'output_tokens', 'cost_nano_cny', 'config_hash', 'tier', 'scenario', 'flagship_cost_nano_cny', 'cache_status', 'cache_saved_nano_cny', 'provider_cache_saved_nano_cny', 'route_reason'];
  const insert = database.sqlite!.prepare(`insert into request_log (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
  const insertMany = database.sqlite!.transaction((count: number, offset: number) => {
    for (let i = 0; i < count; i += 1) {
      const n = offset + i;
      const [model, provider, tier] = pick(models);
      const cache = next() < 0.1 ? 'hit' : next() < 0.03 ? 'semantic-hit' : 'miss';
      const status = next() < 0.02 ? 502 : next() < 0.03 ? 429 : 200;
      const latency = Math.floor(200 + next() * next() * 20_000);
      insert.run(`req_${n}`, START + Math.floor((n / ROWS) * DAYS * 86_400_000), `key_${Math.floor(next() * next() * 200)}`, 'chat', next() < 0.6 ? 'auto' : model, model, provider, status,
        status === 200 ? null : status === 502 ? 'upstream_unavailable' : 'rate_limited', next() < 0.05 ? 2 : 1, next() < 0.02 ? 1 : 0, latency, next() < 0.7 ? Math.floor(latency / 4) : null,
        latency - Math.floor(next() * 30), Math.floor(next() * 4000), Math.floor(next() * 1000), Math.floor(next() * 800), cache === 'miss' ? Math.floor(next() * 20_000_000) : 0, 'bench', tier,
        pick(['chat', 'research', null]), 40_000_000, cache, cache === 'miss' ? 0 : 40_000_000, Math.floor(next() * 100_000), next() < 0.1 ? 'math: cascade: ok -> accepted' : 'auto: router');
    }
  });
  for (let offset = 0; offset < ROWS; offset += 50_000) insertMany(Math.min(50_000, ROWS - offset), offset);
  await new RollupJob(database, { settleMs: 0 }).run(END);

  const range = { from: START, until: END, tz: 'Asia/Shanghai' };
  const timed = async (name: string, run: () => Promise<unknown>): Promise<[string, number]> => {
    const t = performance.now();
    await run();
    return [name, Math.round(performance.now() - t)];
  };
  const results = [
    await timed('overview', () => dashboardOverview(database, range)),
  ];
  for (const group of ['key', 'model', 'provider', 'scenario', 'day'] as const) {
    results.push(await timed(`usage by ${group} from rollups`, () => usageRowsFromRollups(database, { group, since: START, until: END, tz: range.tz })));
    results.push(await timed(`usage by ${group}, CLI SQL over request_log`, () => usageReport(database, { group, since: START, until: END })));
  }
  results.push(
    await timed('performance (day series)', () => performanceReport(database, { ...range, interval: 'day' })),
    await timed('cache', () => cacheReport(database, range)),
    await timed('reliability (raw log)', () => reliabilityReport(database, range)),
    await timed('routing mix (raw log)', () => routingMix(database, START, END)),
    await timed('requests, first page filtered', () => searchRequests(database, { from: START, until: END, model: 'qwen-max', statusClass: '5xx', limit: 50 })),
    await timed('keys: month spend by key and day', () => spendByKeyAndDay(database, START, END)),
  );
  process.stdout.write(`${JSON.stringify({ rows: ROWS, days: DAYS, ms: Object.fromEntries(results) }, null, 2)}\n`);
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
