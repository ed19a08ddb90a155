import type { Generated } from 'kysely';
import type { BatchesTable, FilesTable, JobsTable, ProviderBatchesTable } from './jobs-schema.js';

/**
 * Kysely table interfaces, shared by SQLite and PostgreSQL. Booleans are stored as integers 0/1 and
 * epoch-millisecond timestamps as BIGINT in both dialects, so a row reads back identically from either
 * (the Postgres pool parses int8 to number; see database.ts).
 */
export interface RequestLogTable {
  /** The request id. */
  id: string;
  created_at: number;
  api_key_id: string | null;
  endpoint: string;
  model_requested: string;
  model_served: string | null;
  provider: string | null;
  status: number;
  error_code: string | null;
  stream: number;
  attempts: number;
  fallback_used: number;
  latency_ms: number;
  first_byte_ms: number | null;
  upstream_ms: number | null;
  input_uncached_tokens: Generated<number>;
  cache_read_tokens: Generated<number>;
  cache_write_tokens: Generated<number>;
  output_tokens: Generated<number>;
  reasoning_tokens: Generated<number>;
  image_tokens: Generated<number>;
  usage_estimated: Generated<number>;
  /** Cost in 1e-9 CNY, an integer. */
  cost_nano_cny: Generated<number>;
  route_reason: string | null;
  config_hash: string;
  client_ip: string | null;
  /** "<model>@<since>" of the price version used. */
  price_version: string | null;
  /** standard | peak | off-peak | night | batch */
  tariff: string | null;
  usd_to_cny: number | null;
  tier: string | null;
  scenario: string | null;
  flagship_model: string | null;
  flagship_cost_nano_cny: Generated<number>;
  cache_status: string | null;
  cache_saved_nano_cny: Generated<number>;
  provider_cache_saved_nano_cny: Generated<number>;
  /** interactive | standard | deferrable; the class asked for when the key's cap lowered it; admission wait. */
  priority: string | null;
  priority_requested: string | null;
  queue_ms: number | null;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  /** The first 8 characters after `tg-`, safe to show in lists. */
  prefix: string;
  /** sha256 hex of the full key; the key itself is never stored. */
  hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  team: string | null;
  /** Budgets in 1e-9 CNY; null means no limit. */
  daily_budget_nano: number | null;
  monthly_budget_nano: number | null;
  /** Requests per minute; null means no limit. */
  rpm: number | null;
  /** The most urgent priority class the key may use (interactive | standard | deferrable); null: any. */
  max_priority: string | null;
}

export interface TeamsTable {
  name: string;
  daily_budget_nano: number | null;
  monthly_budget_nano: number | null;
  rpm: number | null;
  updated_at: number;
}

export interface Schema {
  request_log: RequestLogTable;
  api_keys: ApiKeysTable;
  teams: TeamsTable;
  jobs: JobsTable;
  batches: BatchesTable;
  files: FilesTable;
  provider_batches: ProviderBatchesTable;
}
