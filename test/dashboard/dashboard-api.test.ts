import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodsAt } from '../../src/budgets/periods.js';
import { formatNanoCny } from '../../src/pricing/cost.js';
import { buildUsageReport } from '../../src/reports/usage.js';
import { bucketIndex, LATENCY_BOUNDS_MS, OVERHEAD_BOUNDS_MS, quantileFromBuckets } from '../../src/rollups/buckets.js';
import { usageReport, type UsageGroup } from '../../src/storage/index.js';
import { targets } from '../storage/storage-targets.js';
import { ADMIN_KEY, rangeOf, SECRETS, startSeededGateway, type SeededGateway } from './dashboard-harness.js';

const sortedRows = <T extends { rows: Array<{ group: string }> }>(report: T): T => ({ ...report, rows: [...report.rows].sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0)) });

describe.each(targets)('dashboard data API on a seeded store: $name', (target) => {
  let seeded: SeededGateway;
  let range: string;

  /** One row of a raw SQL query over the seeded store, numbers as numbers. */
  const one = async (query: ReturnType<typeof sql>): Promise<Record<string, number>> => {
    const { rows } = await (query as ReturnType<typeof sql<Record<string, unknown>>>).execute(seeded.database.db);
    return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([key, value]) => [key, Number(value ?? 0)]));
  };
  const inRange = () => sql`created_at >= ${seeded.summary.from} and created_at < ${seeded.summary.to}`;

  beforeAll(async () => {
    seeded = await startSeededGateway(target);
    range = rangeOf(seeded.summary);
  }, 120_000);
  afterAll(async () => seeded?.close());

  it('overview: spend, flagship equivalent, savings by source and quality kept equal the seeded store', async () => {
    const { status, json } = await seeded.get(`/admin/dashboard/overview?${range}`);
    expect(status).toBe(200);
    const { summary } = seeded;
    expect(json.total.requests).toBe(summary.requests);
    expect(json.total.errors).toBe(summary.totals.errors);
    expect(json.total.spend_cny).toBe(formatNanoCny(summary.totals.costNano));
    expect(json.total.flagship_equivalent_cny).toBe(formatNanoCny(summary.totals.flagshipCostNano));
    const jobs = await one(sql`select sum(case when tariff = 'batch' then on_demand_nano_cny - cost_nano_cny else 0 end) as batch,
      sum(case when tariff = 'batch' then 0 else on_demand_nano_cny - cost_nano_cny end) as off_peak from jobs where status = 'succeeded'`);
    expect(jobs.batch).toBeGreaterThan(0);
    expect(jobs.off_peak).toBeGreaterThan(0);
    expect(json.total.savings_by_source_cny.batch).toBe(formatNanoCny(jobs.batch!));
    expect(json.total.savings_by_source_cny.off_peak).toBe(formatNanoCny(jobs.off_peak!));
    const verdicts = await one(sql`select count(*) as n, sum(case when value_number >= 0 then 1 else 0 end) as kept from feedback where metric = 'shadow_verdict'`);
    expect(json.quality_kept.sample_size).toBe(summary.shadowVerdicts);
    expect(json.quality_kept.sample_size).toBe(verdicts.n);
    expect(json.quality_kept.light_kept).toBeCloseTo(verdicts.kept! / verdicts.n!, 4);
    expect(json.quality_kept.low).toBeLessThanOrEqual(json.quality_kept.value);
    expect(json.quality_kept.high).toBeGreaterThanOrEqual(json.quality_kept.value);
    expect(json.days.reduce((sum: number, day: { requests: number }) => sum + day.requests, 0)).toBe(summary.requests);
  });

  it('usage: every grouping equals `tidegate usage` (buildUsageReport) over the same range, to the fen', async () => {
    const { json } = await seeded.get(`/admin/dashboard/usage?${range}`);
    const { from, to } = seeded.summary;
    for (const group of ['key', 'model', 'provider', 'scenario', 'day'] as UsageGroup[]) {
      const cli = buildUsageReport(group, from, to, await usageReport(seeded.database, { group, since: from, until: to }));
      // Row order is the database's collation in the CLI (PostgreSQL's locale may differ from binary order).
      expect(sortedRows(json[`by_${group}`])).toEqual(sortedRows(cli));
      expect(json[`by_${group}`].total).toEqual(cli.total);
    }
    expect(json.total.spend_cny).toBe(formatNanoCny(seeded.summary.totals.costNano));
    expect(Object.values(json.keys).map((key: any) => key.name)).toContain('essay-service');
  });

  it('usage by Beijing day equals GET /admin/usage for the same days, and a key filter narrows every grouping', async () => {
    const days = [periodsAt(seeded.summary.from).day, periodsAt(seeded.summary.to).day];
    const { json } = await seeded.get(`/admin/dashboard/usage?from=${days[0]}&to=${days[1]}`);
    const admin = await seeded.get(`/admin/usage?group=day&since=${days[0]}&until=${days[1]}`);
    expect(json.by_day.total).toEqual(admin.json.total);
    expect(json.by_day.rows).toEqual(admin.json.rows);
    const utc = await seeded.get(`/admin/dashboard/usage?${range}&tz=UTC`);
    expect(utc.json.total.requests).toBe(seeded.summary.requests);
    expect(utc.json.by_day.total).toEqual(utc.json.total);
    const firstUtcDay = new Date(seeded.summary.from).toISOString().slice(0, 10);
    expect(utc.json.by_day.rows[0].group).toBe(firstUtcDay);
    const essay = seeded.summary.keys.find((key) => key.name === 'essay-service')!;
    const filtered = await seeded.get(`/admin/dashboard/usage?${range}&key=${essay.id}`);
    const spent = await one(sql`select sum(cost_nano_cny) as cost from request_log where api_key_id = ${essay.id} and ${inRange()}`);
    expect(filtered.json.total.spend_cny).toBe(formatNanoCny(spent.cost!));
    expect(filtered.json.by_key.rows.map((row: { group: string }) => row.group)).toEqual([essay.id]);
  });

  it('performance: percentiles come from summed bucket counts, in total, per model and per day', async () => {
    const { json } = await seeded.get(`/admin/dashboard/performance?${range}`);
    const { rows } = await sql<{ latency_ms: number; first_byte_ms: number | null; upstream_ms: number | null }>`select latency_ms, first_byte_ms, upstream_ms from request_log where ${inRange()}`.execute(seeded.database.db);
    const counts = (bounds: readonly number[], values: Array<number | null>) => {
      const out = new Array<number>(bounds.length + 1).fill(0);
      for (const value of values) if (value !== null) out[bucketIndex(bounds, Number(value))]! += 1;
      return out;
    };
    const latency = counts(LATENCY_BOUNDS_MS, rows.map((row) => row.latency_ms));
    const ttft = counts(LATENCY_BOUNDS_MS, rows.map((row) => row.first_byte_ms));
    const overhead = counts(OVERHEAD_BOUNDS_MS, rows.map((row) => (row.upstream_ms === null ? null : row.latency_ms - row.upstream_ms)));
    expect(json.total.histograms).toEqual({ latency, ttft, overhead });
    for (const q of [0.5, 0.9, 0.99] as const) {
      const name = `p${Math.round(q * 100)}`;
      expect(json.total.latency_ms[name]).toBe(quantileFromBuckets(LATENCY_BOUNDS_MS, latency, q));
      expect(json.total.ttft_ms[name]).toBe(quantileFromBuckets(LATENCY_BOUNDS_MS, ttft, q));
      expect(json.total.overhead_ms[name]).toBe(quantileFromBuckets(OVERHEAD_BOUNDS_MS, overhead, q));
    }
    expect(json.total.requests).toBe(seeded.summary.requests);
    expect(json.by_model.reduce((sum: number, line: { requests: number }) => sum + line.requests, 0)).toBe(seeded.summary.requests);
    expect(json.series.reduce((sum: number, line: { requests: number }) => sum + line.requests, 0)).toBe(seeded.summary.requests);

    const qwen = await seeded.get(`/admin/dashboard/performance?${range}&model=qwen-max`);
    const qwenRows = await one(sql`select count(*) as n from request_log where coalesce(model_served, model_requested) = 'qwen-max' and ${inRange()}`);
    expect(qwen.json.total.requests).toBe(qwenRows.n);
    expect([...new Set(qwen.json.by_model.map((line: { model: string }) => line.model))]).toEqual(['qwen-max']);
    const hourly = await seeded.get(`/admin/dashboard/performance?from=${encodeURIComponent(new Date(seeded.summary.to - 2 * 86_400_000).toISOString())}&to=${encodeURIComponent(new Date(seeded.summary.to).toISOString())}&interval=hour`);
    expect(hourly.status).toBe(200);
    expect(hourly.json.series.every((line: { label: string }) => /^\d{4}-\d{2}-\d{2} \d{2}:00$/.test(line.label))).toBe(true);
  });

  it('reliability: errors by catalogue code, fallbacks and retries as stored; circuits now', async () => {
    const { json } = await seeded.get(`/admin/dashboard/reliability?${range}`);
    const { rows } = await sql<{ code: string; status: number; n: number | string }>`select error_code as code, status, count(*) as n from request_log
      where status >= 400 and ${inRange()} group by error_code, status`.execute(seeded.database.db);
    const expected = rows.map((row) => ({ code: row.code, status: Number(row.status), count: Number(row.n) })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
    expect(json.errors_by_code).toEqual(expected);
    const totals = await one(sql`select sum(fallback_used) as fallbacks, sum(case when attempts > 1 then attempts - 1 else 0 end) as retries from request_log where ${inRange()}`);
    expect(json.total.fallbacks).toBe(totals.fallbacks);
    expect(json.total.retries).toBe(totals.retries);
    expect(json.total.errors).toBe(seeded.summary.totals.errors);
    expect(Array.isArray(json.circuits)).toBe(true);
  });

  it('cache: exact, semantic and provider caches apart, with hits, tokens and CNY saved', async () => {
    const { json } = await seeded.get(`/admin/dashboard/cache?${range}`);
    const sums = await one(sql`select sum(case when cache_status = 'hit' then 1 else 0 end) as exact,
      sum(case when cache_status = 'semantic-hit' then 1 else 0 end) as semantic,
      sum(case when cache_status = 'hit' then cache_saved_nano_cny else 0 end) as exact_saved,
      sum(case when cache_status = 'semantic-hit' then cache_saved_nano_cny else 0 end) as semantic_saved,
      sum(case when cache_status in ('hit', 'semantic-hit') then 0 else cache_read_tokens end) as cached_tokens,
      sum(provider_cache_saved_nano_cny) as provider_saved,
      sum(case when cache_status in ('hit', 'semantic-hit', 'miss') then 1 else 0 end) as eligible from request_log where ${inRange()}`);
    expect(sums.exact).toBeGreaterThan(0);
    expect(sums.semantic).toBeGreaterThan(0);
    expect(json.total.exact.hits).toBe(sums.exact);
    expect(json.total.semantic.hits).toBe(sums.semantic);
    expect(json.total.exact.saved_cny).toBe(formatNanoCny(sums.exact_saved!));
    expect(json.total.semantic.saved_cny).toBe(formatNanoCny(sums.semantic_saved!));
    expect(json.total.provider.cached_tokens).toBe(sums.cached_tokens);
    expect(json.total.provider.saved_cny).toBe(formatNanoCny(sums.provider_saved!));
    expect(json.total.exact.hit_rate).toBeCloseTo(sums.exact! / sums.eligible!, 4);
    expect(json.days.reduce((sum: number, day: { exact: { hits: number } }) => sum + day.exact.hits, 0)).toBe(sums.exact);
  });

  it('routing: tier mix and cascade escalations per route, quality per scenario against its bar, the frontier', async () => {
    const { json } = await seeded.get(`/admin/dashboard/routing?${range}`);
    const math = json.routes.find((route: { route: string }) => route.route === 'math');
    const escalations = await one(sql`select sum(case when route_reason like '%-> escalated to flagship' then 1 else 0 end) as escalated,
      sum(case when route_reason like '%cascade:%-> accepted' then 1 else 0 end) as accepted from request_log where model_requested = 'math' and ${inRange()}`);
    expect(math.cascade.escalated).toBe(escalations.escalated);
    expect(math.cascade.accepted).toBe(escalations.accepted);
    expect(math.cascade.escalated).toBeGreaterThan(0);
    const support = json.scenarios.find((line: { scenario: string }) => line.scenario === 'support');
    const helpful = await one(sql`select count(*) as n, sum(value_number) as yes from feedback where metric = 'helpful'`);
    expect(support.quality).toMatchObject({ metric: 'helpful', target: 0.9, optimize: 'max', sample_size: helpful.n });
    expect(support.quality.value).toBeCloseTo(helpful.yes! / helpful.n!, 4);
    expect(support.quality.met).toBe(support.quality.value >= 0.9);
    const essay = json.scenarios.find((line: { scenario: string }) => line.scenario === 'essay-grading');
    expect(essay.quality.metric).toBe('grade_error');
    expect(essay.quality.sample_size).toBeGreaterThan(0);
    const auto = json.frontier.find((line: { route: string }) => line.route === 'auto');
    expect(auto.points.length).toBeGreaterThan(10);
    expect(auto.current.quality_target).toBe(0.95);
    expect(json.quality_kept.sample_size).toBe(seeded.summary.shadowVerdicts);
  });

  it('requests: server-side filters, cursor paging over every match, and lookup with the full decision', async () => {
    const support = seeded.summary.keys.find((key) => key.name === 'support-bot')!;
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { json: any } = await seeded.get(`/admin/dashboard/requests?${range}&key=${support.id}&status_class=2xx&limit=40${cursor ? `&cursor=${cursor}` : ''}`);
      for (const row of page.json.data) {
        expect(row.key_id).toBe(support.id);
        expect(row.key_name).toBe('support-bot');
        expect(row.status_class).toBe('2xx');
        seen.add(row.id);
      }
      cursor = page.json.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 100);
    const count = await one(sql`select count(*) as n from request_log where api_key_id = ${support.id} and status < 300 and ${inRange()}`);
    expect(seen.size).toBe(count.n);
    expect(pages).toBeGreaterThan(1);

    const filtered = await seeded.get(`/admin/dashboard/requests?${range}&model=qwen-max&cache=hit&limit=200`);
    expect(filtered.json.data.length).toBeGreaterThan(0);
    expect(filtered.json.data.every((row: any) => row.model === 'qwen-max' && row.cache === 'hit' && row.cost_cny === '0')).toBe(true);
    const errors = await seeded.get(`/admin/dashboard/requests?${range}&error_code=upstream_timeout&limit=200`);
    expect(errors.json.data.every((row: any) => row.error_code === 'upstream_timeout' && row.status === 504)).toBe(true);

    const detail = await seeded.get(`/admin/dashboard/requests/${seeded.summary.sample.escalated}`);
    expect(detail.status).toBe(200);
    expect(detail.json.routing).toMatchObject({ requested: 'math', served: 'deepseek-v4-pro', tier: 'flagship' });
    expect(detail.json.routing.reason).toContain('escalated to flagship');
    const row = await one(sql`select cost_nano_cny, input_uncached_tokens, latency_ms from request_log where id = ${seeded.summary.sample.escalated}`);
    expect(detail.json.cost.cost_cny).toBe(formatNanoCny(row.cost_nano_cny!));
    expect(detail.json.tokens.input_uncached).toBe(row.input_uncached_tokens);
    expect(detail.json.timings.latency_ms).toBe(row.latency_ms);
    const fallback = await seeded.get(`/admin/dashboard/requests/${seeded.summary.sample.fallback}`);
    expect(fallback.json.routing.fallback_used).toBe(true);
  });

  it('keys and budgets: month spend from the request log, holds in flight now, burn-down', async () => {
    const { json } = await seeded.get('/admin/dashboard/keys');
    const { monthStart, day } = periodsAt(Date.now());
    for (const key of seeded.summary.keys) {
      const line = json.keys.find((candidate: { id: string }) => candidate.id === key.id);
      const spent = await one(sql`select count(*) as n, sum(cost_nano_cny) as cost from request_log where api_key_id = ${key.id} and created_at >= ${monthStart}`);
      // A revoked key is listed only when it spent this month (early in a month the seeded history lies before it).
      if (key.revoked && spent.n === 0) {
        expect(line).toBeUndefined();
        continue;
      }
      expect(line.revoked).toBe(key.revoked);
      expect(line.spent_month_cny).toBe(formatNanoCny(spent.cost ?? 0));
      expect(line.burn_down.at(-1).cumulative_cny).toBe(line.spent_month_cny);
      expect(line.burn_down.at(-1).day).toBe(day);
    }
    const byName = (name: string) => json.keys.find((line: { name: string }) => line.name === name);
    expect(byName('essay-service').reserved_cny).toBe('0.8');
    expect(byName('support-bot').reserved_cny).toBe('0.37');
    expect(byName('essay-service').monthly_budget_cny).toBe('3000');
    const cs = json.teams.find((team: { name: string }) => team.name === 'cs');
    expect(cs.reserved_cny).toBe('0.37');
    expect(cs.monthly_budget_cny).toBe('4000');
  });

  it('batch jobs: every key, lines by status, deadlines and provider-batch forwarding', async () => {
    const { json } = await seeded.get('/admin/dashboard/batches');
    expect(json.counts.batches).toEqual({ completed: 1, in_progress: 1 });
    const live = json.data.find((batch: { id: string }) => batch.id === 'batch_seed_live');
    expect(live.lines).toEqual({ queued: 5, upstream: 10 });
    expect(live.key_name).toBe('essay-service');
    expect(live.provider_batches[0]).toMatchObject({ provider: 'qwen', status: 'submitted', upstream_batch_id: 'batch-up-2' });
    const done = json.data.find((batch: { id: string }) => batch.id === 'batch_seed_done');
    expect(done.lines).toEqual({ succeeded: 11, failed: 1 });
    const saved = await one(sql`select sum(on_demand_nano_cny - cost_nano_cny) as saved from jobs where batch_id = 'batch_seed_done'`);
    expect(done.saved_cny).toBe(formatNanoCny(saved.saved!));
    const filtered = await seeded.get('/admin/dashboard/batches?status=completed');
    expect(filtered.json.data.map((batch: { id: string }) => batch.id)).toEqual(['batch_seed_done']);
  });

  it('settings: the config read-only with no secret in it, and the dated price catalogue', async () => {
    const { json } = await seeded.get('/admin/dashboard/settings');
    const text = JSON.stringify(json);
    for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
    for (const key of seeded.summary.keys) expect(text).not.toContain(key.key);
    expect(json.config.providers[0].apiKey).toBe('[redacted]');
    expect(json.config.admin.key).toBe('[redacted]');
    expect(json.config.routes.map((route: { id: string }) => route.id)).toEqual(['auto', 'math']);
    const pro = json.prices.find((line: { model: string }) => line.model === 'deepseek-v4-pro');
    expect(pro.versions.length).toBeGreaterThan(0);
    expect(pro.versions.every((version: { since: string }) => /^\d{4}-\d{2}-\d{2}$/.test(version.since))).toBe(true);
    expect(pro.in_force).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('bad params give invalid_request naming the param, never a 500; unknown ids and non-admin keys are refused', async () => {
    const cases: Array<[string, string]> = [
      ['/admin/dashboard/overview?from=yesterday', 'from'],
      ['/admin/dashboard/usage?from=2026-11-10&to=2026-11-01', 'from'],
      ['/admin/dashboard/routing?from=2025-01-01&to=2026-01-01', 'from'],
      ['/admin/dashboard/cache?tz=Mars/Olympus', 'tz'],
      ['/admin/dashboard/performance?tz=Asia/Kolkata', 'tz'],
      ['/admin/dashboard/performance?interval=week', 'interval'],
      ['/admin/dashboard/performance?interval=hour&from=2026-10-01&to=2026-11-01', 'interval'],
      ['/admin/dashboard/requests?limit=0', 'limit'],
      ['/admin/dashboard/requests?limit=5000', 'limit'],
      ['/admin/dashboard/requests?cursor=not-a-cursor', 'cursor'],
      ['/admin/dashboard/requests?status_class=6xx', 'status_class'],
      ['/admin/dashboard/requests?cache=maybe', 'cache'],
      ['/admin/dashboard/keys?month=2026-13', 'month'],
      ['/admin/dashboard/batches?status=sleeping', 'status'],
      ['/admin/dashboard/reliability?to=2026-02-30', 'to'],
    ];
    for (const [path, param] of cases) {
      const { status, json } = await seeded.get(path);
      expect({ path, status, code: json.error?.code, param: json.error?.param }).toEqual({ path, status: 400, code: 'invalid_request', param });
    }
    const missing = await seeded.get('/admin/dashboard/requests/req_does_not_exist');
    expect([missing.status, missing.json.error.code]).toEqual([404, 'request_not_found']);
    const client = seeded.summary.keys.find((key) => !key.revoked)!;
    const refused = await seeded.get('/admin/dashboard/overview', client.key);
    expect([refused.status, refused.json.error.code]).toEqual([403, 'admin_key_required']);
    expect((await seeded.get('/admin/dashboard/overview', ADMIN_KEY)).status).toBe(200);
  });
});
