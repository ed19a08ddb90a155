import { formatNanoCny } from '../pricing/cost.js';
import type { Database } from '../storage/database.js';
import { addSums, hourlySums, type HourlyRow, type Sums } from './hourly-sums.js';
import { dayIn } from './time-zone.js';

const rate = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

/** One line of the cache page from sums per cache result (hit, semantic-hit, miss, bypass). */
function cacheLine(byStatus: Map<string, Sums>) {
  const get = (status: string, name: string) => byStatus.get(status)?.[name] ?? 0;
  const all = (name: string) => [...byStatus.values()].reduce((sum, sums) => sum + (sums[name] ?? 0), 0);
  const input = (status: string) => get(status, 'input_uncached_tokens') + get(status, 'cache_read_tokens') + get(status, 'cache_write_tokens');
  const eligible = get('hit', 'requests') + get('semantic-hit', 'requests') + get('miss', 'requests');
  const responseCache = (status: string) => ({
    hits: get(status, 'requests'),
    hit_rate: rate(get(status, 'requests'), eligible),
    tokens: input(status) + get(status, 'output_tokens'),
    saved_cny: formatNanoCny(get(status, 'cache_saved_nano_cny')),
  });
  // Providers' context caches only see requests that reached a provider (not answered by a response cache).
  const reached = [...byStatus.keys()].filter((status) => status !== 'hit' && status !== 'semantic-hit');
  const reachedSum = (name: string) => reached.reduce((sum, status) => sum + get(status, name), 0);
  const reachedInput = reached.reduce((sum, status) => sum + input(status), 0);
  return {
    requests: all('requests'),
    eligible,
    exact: responseCache('hit'),
    semantic: responseCache('semantic-hit'),
    provider: {
      cached_tokens: reachedSum('cache_read_tokens'),
      input_tokens: reachedInput,
      token_hit_rate: rate(reachedSum('cache_read_tokens'), reachedInput),
      cache_write_tokens: reachedSum('cache_write_tokens'),
      saved_cny: formatNanoCny(all('provider_cache_saved_nano_cny')),
    },
  };
}

function split(rows: readonly HourlyRow[], keyOf: (row: HourlyRow) => string): Map<string, Map<string, Sums>> {
  const groups = new Map<string, Map<string, Sums>>();
  for (const row of rows) {
    const key = keyOf(row);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = new Map()));
    const status = row.keys.cache_status ?? '';
    const into = group.get(status);
    if (into) addSums(into, row.sums);
    else group.set(status, { ...row.sums });
  }
  return groups;
}

/** The exact, semantic and provider caches apart, in total, per day in tz and per model, over [from, until). */
export async function cacheReport(database: Database, query: { from: number; until: number; tz: string }) {
  const rows = await hourlySums(database, { from: query.from, until: query.until, dimensions: ['model', 'cache_status'],
    columns: ['requests', 'input_uncached_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens', 'cache_saved_nano_cny', 'provider_cache_saved_nano_cny'],
  });
  const sorted = [...rows].sort((a, b) => a.hour - b.hour);
  const total = split(rows, () => 'total').get('total') ?? new Map<string, Sums>();
  return {
    from: new Date(query.from).toISOString(),
    to: new Date(query.until).toISOString(),
    tz: query.tz,
    total: cacheLine(total),
    days: [...split(sorted, (row) => dayIn(query.tz, row.hour))].map(([day, byStatus]) => ({ day, ...cacheLine(byStatus) })),
    by_model: [...split(rows, (row) => row.keys.model ?? '')].map(([model, byStatus]) => ({ model: model || '(none)', ...cacheLine(byStatus) })).sort((a, b) => b.requests - a.requests),
  };
}
