import type { Database } from '../storage/database.js';
import { LATENCY_BOUNDS_MS, OVERHEAD_BOUNDS_MS } from './buckets.js';
import { LATENCY_BUCKET_COLUMNS, OVERHEAD_BUCKET_COLUMNS, TTFT_BUCKET_COLUMNS } from './rollup-columns.js';
import { groupRows, histogramsOf, hourlySums, percentilesOf, type Sums } from './hourly-sums.js';
import { dayIn, offsetMinutes, startOfDay } from './time-zone.js';

export interface PerformanceQuery {
  from: number;
  until: number;
  tz: string;
  interval: 'day' | 'hour';
  model?: string;
  provider?: string;
}

const PERFORMANCE_COLUMNS = ['requests', ...[...LATENCY_BUCKET_COLUMNS, ...TTFT_BUCKET_COLUMNS, ...OVERHEAD_BUCKET_COLUMNS].map(([name]) => name)];

const line = (sums: Sums) => ({ requests: sums.requests ?? 0, ...percentilesOf(sums) });

/** The local hour of an instant in tz, as "YYYY-MM-DD HH:00". */
export function hourLabel(tz: string, hour: number): string {
  return `${new Date(hour + offsetMinutes(tz, hour) * 60_000).toISOString().slice(0, 13).replace('T', ' ')}:00`;
}

/**
 * Latency, time to first token and gateway overhead percentiles over [from, until), in total, per model and
 * provider, and as a day or hour series in tz: every percentile is read from summed bucket counts.
 */
export async function performanceReport(database: Database, query: PerformanceQuery) {
  const filters = { ...(query.model !== undefined ? { model: query.model } : {}), ...(query.provider !== undefined ? { provider: query.provider } : {}) };
  const rows = await hourlySums(database, { from: query.from, until: query.until, dimensions: ['model', 'provider'], filters, columns: PERFORMANCE_COLUMNS });
  const total = groupRows(rows, () => 'total').get('total') ?? {};
  const byModel = groupRows(rows, (row) => `${row.keys.model}\u0000${row.keys.provider}`);
  const byProvider = groupRows(rows, (row) => row.keys.provider ?? '');
  const sorted = [...rows].sort((a, b) => a.hour - b.hour);
  const series = groupRows(sorted, (row) => (query.interval === 'day' ? dayIn(query.tz, row.hour) : String(row.hour)));
  return {
    from: new Date(query.from).toISOString(),
    to: new Date(query.until).toISOString(),
    tz: query.tz,
    interval: query.interval,
    buckets: { latency_bounds_ms: LATENCY_BOUNDS_MS, overhead_bounds_ms: OVERHEAD_BOUNDS_MS },
    total: { ...line(total), histograms: histogramsOf(total) },
    by_model: [...byModel]
      .map(([key, sums]) => {
        const [model, provider] = key.split('\u0000') as [string, string];
        return { model: model || '(none)', provider: provider || '(none)', ...line(sums) };
      })
      .sort((a, b) => b.requests - a.requests),
    by_provider: [...byProvider].map(([provider, sums]) => ({ provider: provider || '(none)', ...line(sums) })).sort((a, b) => b.requests - a.requests),
    series: [...series].map(([key, sums]) => {
      const start = query.interval === 'day' ? startOfDay(query.tz, key) : Number(key);
      return { start: new Date(start).toISOString(), label: query.interval === 'day' ? key : hourLabel(query.tz, start), ...line(sums) };
    }),
  };
}
