/**
 * The response shape of GET /admin/dashboard/overview (rollups/overview.ts, rollups/quality.ts). Types only, and
 * type-only imports of other such files: the dashboard (ui/src/types.ts) imports them type-only, so the browser
 * bundle and the UI's type check never pull in server code.
 */
import type { SpendTotals } from '../reports/usage-response.js';

export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface OverviewLine extends SpendTotals {
  /** Savings by source, as `tidegate usage` computes them (routing = flagship equivalent − spend − cache savings). */
  savings_by_source_cny: { routing: string; cache: string; semantic_cache: string; provider_cache: string; off_peak: string; batch: string };
  latency_ms: Percentiles;
  ttft_ms: Percentiles;
  overhead_ms: Percentiles;
}

export interface QualityKept {
  /** Quality kept against always-flagship (0–1), its 95% interval, and the verdicts it rests on. */
  value: number | null;
  low: number | null;
  high: number | null;
  level: 0.95;
  sample_size: number;
  /** Share of tiered requests served by a light model, and the share of judged light answers as good as the flagship's. */
  light_share: number | null;
  light_kept: number | null;
  method: 'shadow_verdict';
}

export interface Overview {
  from: string;
  to: string;
  tz: string;
  /** Hours before this instant were read from the rollup; the rest from request_log. */
  rolled_up_until: string | null;
  days: Array<{ day: string } & OverviewLine>;
  total: OverviewLine;
  /** Quality kept against always-flagship, from shadow verdicts in the range (rollups/quality.ts). */
  quality_kept: QualityKept;
}
