import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../storage/database.js';
import { KEY_SOURCES } from './rollup-columns.js';
import { dayIn } from './time-zone.js';

export interface ReliabilityQuery {
  from: number;
  until: number;
  tz: string;
  model?: string;
  provider?: string;
}

const rate = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

/** Per-row counters summed by every query below (fallbacks, attempts beyond the first). */
const COUNTERS = sql.raw(`count(*) as requests,
  sum(case when status >= 400 then 1 else 0 end) as errors,
  sum(case when status >= 400 and status < 500 then 1 else 0 end) as errors_4xx,
  sum(case when status >= 500 then 1 else 0 end) as errors_5xx,
  sum(fallback_used) as fallbacks,
  sum(case when attempts > 1 then attempts - 1 else 0 end) as retries,
  sum(case when attempts > 1 then 1 else 0 end) as retried_requests`);

type Counters = { requests: number; errors: number; errors_4xx: number; errors_5xx: number; fallbacks: number; retries: number; retried_requests: number };
const NAMES = ['requests', 'errors', 'errors_4xx', 'errors_5xx', 'fallbacks', 'retries', 'retried_requests'] as const;

function counters(row: Record<string, unknown>): Counters {
  const out = {} as Counters;
  for (const name of NAMES) out[name] = Number(row[name] ?? 0);
  return out;
}

function filters(query: ReliabilityQuery): RawBuilder<unknown>[] {
  const out = [sql`created_at >= ${query.from}`, sql`created_at < ${query.until}`];
  if (query.model !== undefined) out.push(sql`${sql.raw(KEY_SOURCES.model)} = ${query.model}`);
  if (query.provider !== undefined) out.push(sql`${sql.raw(KEY_SOURCES.provider)} = ${query.provider}`);
  return out;
}

/**
 * Errors by catalogue code, fallbacks and retries over [from, until), from the request log itself (error codes and
 * attempts are not in the rollup): callers bound the range (93 days).
 */
export async function reliabilityReport(database: Database, query: ReliabilityQuery) {
  const where = sql.join(filters(query), sql` and `);
  const model = sql.raw(KEY_SOURCES.model);
  const provider = sql.raw(KEY_SOURCES.provider);
  const hour = sql.raw(KEY_SOURCES.hour_start);
  const [codes, models, hours] = await Promise.all([
    sql<Record<string, unknown>>`select coalesce(error_code, '(none)') as code, status, count(*) as count from request_log
      where ${where} and status >= 400 group by coalesce(error_code, '(none)'), status`.execute(database.db),
    sql<Record<string, unknown>>`select ${model} as model, ${provider} as provider, ${COUNTERS} from request_log
      where ${where} group by ${model}, ${provider}`.execute(database.db),
    sql<Record<string, unknown>>`select ${hour} as hour_start, ${COUNTERS} from request_log where ${where} group by ${hour}`.execute(database.db),
  ]);
  const total = counters({});
  const byModel = models.rows.map((row) => {
    const line = counters(row);
    for (const name of NAMES) total[name] += line[name];
    return { model: String(row.model) || '(none)', provider: String(row.provider) || '(none)', requests: line.requests, errors: line.errors, error_rate: rate(line.errors, line.requests), fallbacks: line.fallbacks, retries: line.retries };
  });
  const days = new Map<string, Counters>();
  for (const row of [...hours.rows].sort((a, b) => Number(a.hour_start) - Number(b.hour_start))) {
    const day = dayIn(query.tz, Number(row.hour_start));
    const line = counters(row);
    const into = days.get(day);
    if (!into) days.set(day, line);
    else for (const name of NAMES) into[name] += line[name];
  }
  return {
    from: new Date(query.from).toISOString(),
    to: new Date(query.until).toISOString(),
    tz: query.tz,
    total: { requests: total.requests, errors: total.errors, error_rate: rate(total.errors, total.requests), fallbacks: total.fallbacks, retried_requests: total.retried_requests, retries: total.retries },
    errors_by_code: codes.rows
      .map((row) => ({ code: String(row.code), status: Number(row.status), count: Number(row.count) }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    by_model: byModel.sort((a, b) => b.requests - a.requests),
    series: [...days].map(([day, line]) => ({ day, requests: line.requests, errors_4xx: line.errors_4xx, errors_5xx: line.errors_5xx, fallbacks: line.fallbacks, retries: line.retries })),
  };
}
