/**
 * Answers of the dashboard data API (docs/dashboard-api.md). Money is a decimal CNY string. The overview's and the
 * usage report's shapes are the server's own (type-only imports of files with no imports of their own, so no server
 * code reaches the bundle or this project's type check); the rest are declared here.
 */
import type { UsageReportLine, UsageReportOf } from '../../src/reports/usage-response.js';
import type { Overview, OverviewLine, Percentiles, QualityKept } from '../../src/rollups/overview-response.js';

export type { Overview, OverviewLine, Percentiles, QualityKept };

export interface FrontierPoint {
  quality_target: number;
  threshold: number | null;
  flagship_share: number | null;
  quality_kept: number | null;
  relative_cost: number | null;
}

export interface TrafficLine {
  requests: number;
  light: number;
  flagship: number;
  light_share: number | null;
  escalated?: number;
}

export interface Routing {
  router: { version: string } | null;
  frontier: Array<{ route: string; quality_target: number; points: FrontierPoint[]; current: FrontierPoint | null }>;
  routes: Array<TrafficLine & { route: string; cascade: { requests: number; accepted: number; escalated: number; escalation_rate: number | null } | null; scenarios: Array<TrafficLine & { scenario: string }> }>;
  scenarios: Array<TrafficLine & {
    scenario: string;
    quality: { metric: string; optimize: string; target: number; value: number | null; low: number | null; high: number | null; sample_size: number; met: boolean | null } | null;
  }>;
  quality_kept?: QualityKept;
}

export type UsageLine = UsageReportLine;
export type UsageReport = UsageReportOf<string>;

export type UsageGroup = 'key' | 'model' | 'provider' | 'scenario' | 'day';

export interface Usage {
  total: UsageLine;
  by_key: UsageReport;
  by_model: UsageReport;
  by_provider: UsageReport;
  by_scenario: UsageReport;
  by_day: UsageReport;
  keys: Record<string, { name: string; prefix: string; team: string | null }>;
}

export interface PerformanceLine {
  requests: number;
  latency_ms: Percentiles;
  ttft_ms: Percentiles;
  overhead_ms: Percentiles;
}

export interface Performance {
  interval: 'day' | 'hour';
  total: PerformanceLine;
  by_model: Array<PerformanceLine & { model: string; provider: string | null }>;
  by_provider: Array<PerformanceLine & { provider: string }>;
  series: Array<PerformanceLine & { start: string; label: string }>;
}

export interface Reliability {
  total: { requests: number; errors: number; error_rate: number | null; fallbacks: number; retried_requests: number; retries: number };
  errors_by_code: Array<{ code: string; status: number; count: number }>;
  by_model: Array<{ model: string; provider: string | null; requests: number; errors: number; error_rate: number | null; fallbacks: number; retries: number }>;
  series: Array<{ day: string; requests: number; errors_4xx: number; errors_5xx: number; fallbacks: number; retries: number }>;
  circuits: Array<{ key: string; state: string; consecutive_failures: number }>;
}

export interface CacheLine {
  requests: number;
  eligible: number;
  exact: { hits: number; hit_rate: number | null; tokens: number; saved_cny: string };
  semantic: { hits: number; hit_rate: number | null; tokens: number; saved_cny: string };
  provider: { cached_tokens: number; input_tokens: number; token_hit_rate: number | null; cache_write_tokens: number; saved_cny: string };
}

export interface Cache {
  total: CacheLine;
  days: Array<CacheLine & { day: string }>;
  by_model: Array<CacheLine & { model: string }>;
}

export interface RequestSummary {
  id: string;
  created_at: string;
  key_id: string | null;
  key_name: string | null;
  endpoint: string;
  route: string;
  model: string | null;
  provider: string | null;
  tier: string | null;
  scenario: string | null;
  status: number;
  status_class: string;
  error_code: string | null;
  cache: string;
  cost_cny: string;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  ttft_ms: number | null;
  fallback_used: boolean;
  attempts: number;
}

export interface RequestList {
  data: RequestSummary[];
  limit: number;
  next_cursor: string | null;
}

export interface RequestDetail {
  id: string;
  created_at: string;
  key_id: string | null;
  key_name: string | null;
  endpoint: string;
  status: number;
  error_code: string | null;
  stream: boolean;
  cache: string;
  scenario: string | null;
  priority: string | null;
  routing: { requested: string; served: string | null; provider: string | null; tier: string | null; reason: string | null; flagship_model: string | null; fallback_used: boolean; attempts: number };
  cost: { cost_cny: string; flagship_equivalent_cny: string; cache_saved_cny: string; provider_cache_saved_cny: string; price_version: string | null; tariff: string | null };
  tokens: { input_uncached: number; cache_read: number; cache_write: number; output: number; reasoning: number; image: number; estimated: boolean };
  timings: { latency_ms: number; ttft_ms: number | null; upstream_ms: number | null; overhead_ms: number | null; queue_ms: number | null };
  config_hash: string;
}

export interface BurnDownDay {
  day: string;
  spent_cny: string;
  cumulative_cny: string;
  remaining_cny: string | null;
}

export interface BudgetHolder {
  daily_budget_cny: string | null;
  monthly_budget_cny: string | null;
  spent_today_cny: string;
  spent_month_cny: string;
  reserved_cny: string;
  remaining_month_cny: string | null;
  burn_down: BurnDownDay[];
}

export interface Keys {
  month: string;
  days: string[];
  keys: Array<BudgetHolder & { id: string; name: string; prefix: string; team: string | null; revoked: boolean }>;
  teams: Array<BudgetHolder & { name: string; keys: string[] }>;
}

export interface Batches {
  counts: { batches: Record<string, number>; jobs: Record<string, number> };
  data: Array<{
    id: string;
    key_id: string | null;
    key_name: string | null;
    endpoint: string;
    status: string;
    completion_window: string;
    created_at: string;
    deadline: string | null;
    completed_at: string | null;
    total: number;
    lines: Record<string, number>;
    cost_cny: string;
    on_demand_cost_cny: string;
    saved_cny: string;
    provider_batches: Array<{ id: string; provider: string; status: string; lines: number; upstream_status: string | null }>;
  }>;
  deferred: { counts: Record<string, number>; next_deadline: string | null; overdue: number };
  limit: number;
  next_cursor: string | null;
}

export interface PriceVersion {
  since: string;
  currency: string;
  input: number;
  cache_read: number | null;
  cache_write: number | null;
  output: number;
  reasoning: number | null;
}

export interface Settings {
  config_hash: string;
  config: Record<string, unknown>;
  prices: Array<{ model: string; provider: string; tier: string | null; kind: string; upstream: string; unit: string; in_force: string | null; versions: PriceVersion[] }>;
}
