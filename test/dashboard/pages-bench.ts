/**
 * Times every dashboard page over 30 days of a large SQLite store (test/dashboard/bench-rows.ts, the 1 M-row shape
 * of bench/dashboard-overview.ts) after the rollups are built: first each page's query function, then each page's
 * data endpoint through a running gateway (GET /admin/dashboard/*, wall time of the request on 127.0.0.1, median
 * of 3). Not a test: a measurement to run by hand (about a minute on 1 M rows):
 *   npx vite-node test/dashboard/pages-bench.ts [rows]        (default 1000000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfigText } from '../../src/config/index.js';
import { startGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/logging/logger.js';
import { cacheReport } from '../../src/rollups/cache-report.js';
import { spendByKeyAndDay } from '../../src/rollups/key-spend.js';
import { dashboardOverview } from '../../src/rollups/overview.js';
import { performanceReport } from '../../src/rollups/performance.js';
import { reliabilityReport } from '../../src/rollups/reliability.js';
import { searchRequests } from '../../src/rollups/request-search.js';
import { ROLLUP_TABLES } from '../../src/rollups/rollup-columns.js';
import { RollupJob } from '../../src/rollups/rollup-job.js';
import { routingMix } from '../../src/rollups/routing-mix.js';
import { usageRowsFromRollups } from '../../src/rollups/usage-rows.js';
import { migrate, openDatabase, usageReport } from '../../src/storage/index.js';
import { insertBenchRequestLog } from './bench-rows.js';
import { seedConfigYaml } from './seed.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const DAYS = 30;
const ADMIN_KEY = 'tg-admin-pages-bench';

const dir = mkdtempSync(join(tmpdir(), 'tidegate-dashboard-pages-'));
const url = `sqlite:${join(dir, 'bench.db')}`;
const database = await openDatabase(url);
try {
  await migrate(database);
  const { start: START, end: END } = insertBenchRequestLog(database, { rows: ROWS, days: DAYS });
  let t = performance.now();
  await new RollupJob(database, { settleMs: 0 }).run(END);
  const rollupMs = Math.round(performance.now() - t);
  const rollupRows = Object.fromEntries(ROLLUP_TABLES.map((table) => [table.name, (database.sqlite!.prepare(`select count(*) as n from ${table.name}`).get() as { n: number }).n]));

  const range = { from: START, until: END, tz: 'Asia/Shanghai' };
  const timed = async (name: string, run: () => Promise<unknown>): Promise<[string, number]> => {
    const started = performance.now();
    await run();
    return [name, Math.round(performance.now() - started)];
  };
  const queries = [
    await timed('overview', () => dashboardOverview(database, range)),
  ];
  for (const group of ['key', 'model', 'provider', 'scenario', 'day'] as const) {
    queries.push(await timed(`usage by ${group} from rollups`, () => usageRowsFromRollups(database, { group, since: START, until: END, tz: range.tz })));
    queries.push(await timed(`usage by ${group}, CLI SQL over request_log (reference)`, () => usageReport(database, { group, since: START, until: END })));
  }
  queries.push(
    await timed('usage by model for one key (key_0) from rollups', () => usageRowsFromRollups(database, { group: 'model', since: START, until: END, tz: range.tz, apiKeyId: 'key_0' })),
    await timed('performance (day series)', () => performanceReport(database, { ...range, interval: 'day' })),
    await timed('cache', () => cacheReport(database, range)),
    await timed('reliability', () => reliabilityReport(database, range)),
    await timed('routing mix', () => routingMix(database, START, END)),
    await timed('requests, first page filtered', () => searchRequests(database, { from: START, until: END, model: 'qwen-max', statusClass: '5xx', limit: 50 })),
    await timed('keys: month spend by key and day', () => spendByKeyAndDay(database, START, END)),
  );

  // The endpoints, through a gateway on the same store. Roll up to now first, so the gateway's own start-up run of
  // the roll-up job finds nothing to do and does not compete with the timed requests.
  await new RollupJob(database).run(Date.now());
  const config = parseConfigText(seedConfigYaml(url, { deepseek: 'sk-bench-deepseek', qwen: 'sk-bench-qwen', admin: ADMIN_KEY }), 'pages-bench.yaml', {});
  const gateway = await startGateway(config, { logger: silentLogger, cwd: dir });
  const endpoints: Array<[string, number, number]> = [];
  try {
    const span = `from=${encodeURIComponent(new Date(START).toISOString())}&to=${encodeURIComponent(new Date(END).toISOString())}`;
    const month = new Date(END - 1 + 8 * 3_600_000).toISOString().slice(0, 7); // the Beijing month the data end in
    const pages = ['overview', 'usage', `usage?key=key_0`, 'routing', 'performance', 'reliability', 'cache', 'requests', 'requests?model=qwen-max&status_class=5xx', `keys?month=${month}`, 'batches', 'settings'];
    for (const page of pages) {
      const path = `/admin/dashboard/${page}${page.startsWith('keys') || page === 'batches' || page === 'settings' ? '' : `${page.includes('?') ? '&' : '?'}${span}`}`;
      const times: number[] = [];
      let status = 0;
      for (let i = 0; i < 3; i += 1) {
        const started = performance.now();
        const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
        await response.arrayBuffer();
        times.push(performance.now() - started);
        status = response.status;
      }
      endpoints.push([`GET /admin/dashboard/${page}`, status, Math.round(times.sort((a, b) => a - b)[1]!)]);
    }
  } finally {
    await gateway.close(1_000);
  }
  process.stdout.write(`${JSON.stringify({
    rows: ROWS,
    days: DAYS,
    rollup_build_ms: rollupMs,
    rollup_rows: rollupRows,
    query_ms: Object.fromEntries(queries),
    endpoint_ms: Object.fromEntries(endpoints.map(([name, status, ms]) => [name, status === 200 ? ms : `HTTP ${status}`])),
  }, null, 2)}\n`);
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
