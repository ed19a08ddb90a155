import type { Database } from '../../src/storage/index.js';
import { lcg } from '../fixtures/lcg.js';

/**
 * The large synthetic request log the dashboard benchmarks seed (bench/dashboard-overview.ts, test/dashboard/pages-bench.ts):
 * `rows` requests spread evenly over `days` days ending at `end`, one prepared INSERT in 50,000-row transactions on
 * SQLite. Deterministic (a fixed LCG): four models on two providers, 60 % through the `auto` route, a skewed key
 * population, ~10 % exact and ~3 % semantic cache hits, ~2 % 502 and ~3 % 429, 5 % retried, 2 % fallbacks, 10 %
 * cascade-accepted route reasons.
 */

export interface BenchLogOptions {
  rows: number;
  /** Distinct API keys (skewed: low ids get most traffic); default 200. */
  keys?: number;
  /** Days of history; default 30. */
  days?: number;
  /** The history ends just before this instant; default 2026-11-01T00:00+08:00. */
  end?: number;
}

export const BENCH_END = Date.parse('2026-11-01T00:00:00+08:00');
const DAY_MS = 86_400_000;
const MODELS = [['deepseek-v4-pro', 'deepseek', 'flagship'], ['deepseek-flash', 'deepseek', 'light'], ['qwen-max', 'qwen', 'flagship'], ['qwen-flash', 'qwen', 'light']] as const;
const COLUMNS = ['id', 'created_at', 'api_key_id', 'endpoint', 'model_requested', 'model_served', 'provider', 'status', 'error_code', 'attempts', 'fallback_used', 'latency_ms', 'first_byte_ms', 'upstream_ms',
  'input_uncached_tokens', 'cache_read_tokens', 'output_tokens', 'cost_nano_cny', 'config_hash', 'tier', 'scenario', 'flagship_cost_nano_cny', 'cache_status', 'cache_saved_nano_cny', 'provider_cache_saved_nano_cny', 'route_reason'];

/** Writes the rows into a migrated SQLite store; returns the range they fall in, [start, end). */
export function insertBenchRequestLog(database: Database, options: BenchLogOptions): { start: number; end: number } {
  const sqlite = database.sqlite;
  if (!sqlite) throw new Error('the dashboard benchmarks seed a SQLite store');
  const { rows } = options;
  const keys = options.keys ?? 200;
  const days = options.days ?? 30;
  const end = options.end ?? BENCH_END;
  const start = end - days * DAY_MS;
  const next = lcg(42);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const insert = sqlite.prepare(`insert into request_log (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`);
  const insertMany = sqlite.transaction((count: number, offset: number) => {
    for (let i = 0; i < count; i += 1) {
      const n = offset + i;
      const [model, provider, tier] = pick(MODELS);
      const cache = next() < 0.1 ? 'hit' : next() < 0.03 ? 'semantic-hit' : 'miss';
      const status = next() < 0.02 ? 502 : next() < 0.03 ? 429 : 200;
      const latency = Math.floor(200 + next() * next() * 20_000);
      insert.run(`req_${n}`, start + Math.floor((n / rows) * days * DAY_MS), `key_${Math.floor(next() * next() * keys)}`, 'chat', next() < 0.6 ? 'auto' : model, model, provider, status,
        status === 200 ? null : status === 502 ? 'upstream_unavailable' : 'rate_limited', next() < 0.05 ? 2 : 1, next() < 0.02 ? 1 : 0, latency, next() < 0.7 ? Math.floor(latency / 4) : null,
        latency - Math.floor(next() * 30), Math.floor(next() * 4000), Math.floor(next() * 1000), Math.floor(next() * 800), cache === 'miss' ? Math.floor(next() * 20_000_000) : 0, 'bench', tier,
        pick(['chat', 'research', null]), 40_000_000, cache, cache === 'miss' ? 0 : 40_000_000, Math.floor(next() * 100_000), next() < 0.1 ? 'math: cascade: ok -> accepted' : 'auto: router');
    }
  });
  for (let offset = 0; offset < rows; offset += 50_000) insertMany(Math.min(50_000, rows - offset), offset);
  return { start, end };
}
