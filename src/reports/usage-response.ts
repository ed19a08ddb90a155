/**
 * The response shape of the savings report (reports/usage.ts: `tidegate usage`, GET /admin/usage, and each grouping
 * of GET /admin/dashboard/usage). Types only and no imports: the dashboard (ui/src/types.ts) imports them type-only,
 * so the browser bundle and the UI's type check never pull in server code.
 */

/** Counts and money every spend report line carries (this report's lines, the dashboard overview's). */
export interface SpendTotals {
  requests: number;
  errors: number;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  spend_cny: string;
  flagship_equivalent_cny: string;
  savings_cny: string;
}

export interface UsageReportLine extends SpendTotals {
  group: string;
  /** Savings by source: the exact cache's hits, and routing (the rest: light models instead of the flagship). */
  cache_hits: number;
  semantic_cache_hits: number;
  cache_savings_cny: string;
  routing_savings_cny: string;
  /** Saved by providers' own context caches (cached_tokens at their discount), on top of the savings above. */
  provider_cache_savings_cny: string;
  /** Savings as a share of flagship-equivalent spend, 0–1 (null when nothing was priced). */
  savings_share: number | null;
  light_share: number | null;
}

/** A report grouped one way (`Group`: the grouping names the caller allows). */
export interface UsageReportOf<Group extends string> {
  group: Group;
  since: string;
  until: string;
  rows: UsageReportLine[];
  total: UsageReportLine;
}
