import type { Database } from '../storage/database.js';
import { hourlySums, type HourlyRow } from './hourly-sums.js';
import { dayIn } from './time-zone.js';

export interface ReliabilityQuery {
  from: number;
  until: number;
  tz: string;
  model?: string;
  provider?: string;
}

const rate = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

type Counters = { requests: number; errors: number; errors_4xx: number; errors_5xx: number; fallbacks: number; retries: number; retried_requests: number };
const NAMES = ['requests', 'errors', 'errors_4xx', 'errors_5xx', 'fallbacks', 'retries', 'retried_requests'] as const;

const empty = (): Counters => ({ requests: 0, errors: 0, errors_4xx: 0, errors_5xx: 0, fallbacks: 0, retries: 0, retried_requests: 0 });

/** Adds one rollup row (one status code) into counters. */
function addRow(into: Counters, row: HourlyRow): void {
  const status = Number(row.keys.status);
  const requests = row.sums.requests ?? 0;
  into.requests += requests;
  if (status >= 400) into.errors += requests;
  if (status >= 400 && status < 500) into.errors_4xx += requests;
  if (status >= 500) into.errors_5xx += requests;
  into.fallbacks += row.sums.fallbacks ?? 0;
  into.retries += row.sums.retries ?? 0;
  into.retried_requests += row.sums.retried_requests ?? 0;
}

function tally<K>(rows: readonly HourlyRow[], keyOf: (row: HourlyRow) => K): Map<K, Counters> {
  const out = new Map<K, Counters>();
  for (const row of rows) {
    const key = keyOf(row);
    let into = out.get(key);
    if (!into) out.set(key, (into = empty()));
    addRow(into, row);
  }
  return out;
}

/**
 * Errors by catalogue code, fallbacks and retries over [from, until), from the errors rollup (model × provider ×
 * status × error code, whole hours up to the watermark) plus request_log for the edges and the hours not yet
 * rolled up: callers bound the range (93 days).
 */
export async function reliabilityReport(database: Database, query: ReliabilityQuery) {
  const filters = { ...(query.model !== undefined ? { model: query.model } : {}), ...(query.provider !== undefined ? { provider: query.provider } : {}) };
  const rows = await hourlySums(database, {
    from: query.from,
    until: query.until,
    dimensions: ['model', 'provider', 'status', 'error_code'],
    filters,
    columns: ['requests', 'fallbacks', 'retries', 'retried_requests'],
  });
  const codes = new Map<string, { code: string; status: number; count: number }>();
  for (const row of rows) {
    const status = Number(row.keys.status);
    if (status < 400) continue;
    const code = row.keys.error_code || '(none)';
    const line = codes.get(`${code}\u0000${status}`) ?? { code, status, count: 0 };
    line.count += row.sums.requests ?? 0;
    codes.set(`${code}\u0000${status}`, line);
  }
  const models = tally(rows, (row) => `${row.keys.model}\u0000${row.keys.provider}`);
  const hours = tally(rows, (row) => row.hour);
  const total = empty();
  const byModel = [...models].map(([key, line]) => {
    const [model, provider] = key.split('\u0000') as [string, string];
    for (const name of NAMES) total[name] += line[name];
    return { model: model || '(none)', provider: provider || '(none)', requests: line.requests, errors: line.errors, error_rate: rate(line.errors, line.requests), fallbacks: line.fallbacks, retries: line.retries };
  });
  const days = new Map<string, Counters>();
  for (const [hour, line] of [...hours].sort((a, b) => a[0] - b[0])) {
    const day = dayIn(query.tz, hour);
    const into = days.get(day);
    if (!into) days.set(day, line);
    else for (const name of NAMES) into[name] += line[name];
  }
  return {
    from: new Date(query.from).toISOString(),
    to: new Date(query.until).toISOString(),
    tz: query.tz,
    total: { requests: total.requests, errors: total.errors, error_rate: rate(total.errors, total.requests), fallbacks: total.fallbacks, retried_requests: total.retried_requests, retries: total.retries },
    errors_by_code: [...codes.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    by_model: byModel.sort((a, b) => b.requests - a.requests),
    series: [...days].map(([day, line]) => ({ day, requests: line.requests, errors_4xx: line.errors_4xx, errors_5xx: line.errors_5xx, fallbacks: line.fallbacks, retries: line.retries })),
  };
}
