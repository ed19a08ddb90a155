/**
 * Dashboard overview benchmark (issue #11, goal D1): seeds 1,000,000 request-log rows over 30 days into a
 * fresh SQLite store (test/dashboard/bench-rows.ts, shared with test/dashboard/pages-bench.ts), builds the hourly rollups from scratch, then
 * times the 30-day overview (`GET /admin/dashboard/overview`'s query) and checks its totals against
 * `tidegate usage` over the same range. Target: overview < 2 s.
 *
 *   npx vite-node bench/dashboard-overview.ts [rows] [keys]      (defaults 1000000 and 200)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildUsageReport } from '../src/reports/usage.js';
import { dashboardOverview } from '../src/rollups/overview.js';
import { HOUR_MS, RollupJob } from '../src/rollups/rollup-job.js';
import { migrate, openDatabase, usageReport } from '../src/storage/index.js';
import { insertBenchRequestLog } from '../test/dashboard/bench-rows.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const KEYS = Number(process.argv[3] ?? 200);
const DAYS = 30;

const dir = mkdtempSync(join(tmpdir(), 'tidegate-dashboard-bench-'));
const database = await openDatabase(`sqlite:${join(dir, 'bench.db')}`);
try {
  await migrate(database);
  const sqlite = database.sqlite!;
  let t = performance.now();
  const { start: START, end: END } = insertBenchRequestLog(database, { rows: ROWS, keys: KEYS, days: DAYS });
  const seedMs = performance.now() - t;

  t = performance.now();
  const watermark = await new RollupJob(database, { settleMs: 0 }).run(END);
  const rollupMs = performance.now() - t;
  const rollupRows = (sqlite.prepare('select count(*) as n from request_rollup_hourly').get() as { n: number }).n;
  const compactRows = (sqlite.prepare('select count(*) as n from request_rollup_hourly_compact').get() as { n: number }).n;
  // One steady-state run: the two reopened hours and the newest one, as the gateway does every minute.
  t = performance.now();
  await new RollupJob(database, { settleMs: 0 }).run(END + HOUR_MS);
  const steadyMs = performance.now() - t;

  const times: number[] = [];
  let overview;
  for (let i = 0; i < 5; i += 1) {
    t = performance.now();
    overview = await dashboardOverview(database, { from: START, until: END, tz: 'Asia/Shanghai' });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  // The same range ending mid-hour, 3 hours past the watermark: edges and the tail come from request_log.
  t = performance.now();
  await dashboardOverview(database, { from: START + 17 * 60_000, until: END - 3 * HOUR_MS - 7 * 60_000, tz: 'Asia/Shanghai' });
  const edgesMs = performance.now() - t;

  t = performance.now();
  const usage = buildUsageReport('day', START, END, await usageReport(database, { group: 'day', since: START, until: END }));
  const usageMs = performance.now() - t;
  const same = overview!.total.spend_cny === usage.total.spend_cny && overview!.total.requests === usage.total.requests && overview!.total.savings_cny === usage.total.savings_cny;

  console.log(JSON.stringify({
    rows: ROWS, keys: KEYS, days: DAYS, seed_ms: Math.round(seedMs), rollup_build_ms: Math.round(rollupMs), rollup_rows: rollupRows, compact_rollup_rows: compactRows, rollup_steady_run_ms: Math.round(steadyMs),
    watermark: new Date(watermark).toISOString(),
    overview_30d_ms: { min: Math.round(times[0]!), median: Math.round(times[2]!), max: Math.round(times[4]!) },
    overview_30d_unaligned_ms: Math.round(edgesMs),
    usage_report_raw_scan_ms: Math.round(usageMs),
    totals_equal_usage: same,
    total: { requests: overview!.total.requests, spend_cny: overview!.total.spend_cny, latency_ms: overview!.total.latency_ms, ttft_ms: overview!.total.ttft_ms },
  }, null, 2));
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
