import type { Generated } from 'kysely';

/** Durable deferred work (migration 0005): one deferred chat request or one batch line per row. */
export interface JobsTable {
  id: string;
  batch_id: string | null;
  custom_id: string | null;
  line_no: number | null;
  api_key_id: string | null;
  scenario: string | null;
  model: string;
  /** The chat request as JSON. */
  body: string;
  /** queued | running | succeeded | failed | cancelled */
  status: string;
  /** Attempts started; each attempt has its own request id, so a line is billed at most once per attempt. */
  attempt: Generated<number>;
  request_id: string | null;
  created_at: number;
  /** Not started before this instant (the cheapest window the planner chose). */
  not_before: number;
  deadline_at: number;
  /** Why it was scheduled when it was (tariff window, multiplier). */
  plan: string | null;
  started_at: number | null;
  finished_at: number | null;
  status_code: number | null;
  /** The response body as JSON (succeeded) and the error as JSON (failed). */
  result: string | null;
  error: string | null;
  input_tokens: Generated<number>;
  output_tokens: Generated<number>;
  cost_nano_cny: Generated<number>;
  /** What the same usage would have cost at submission time (the on-demand price). */
  on_demand_nano_cny: Generated<number>;
  tariff: string | null;
  /** The provider batch this line was forwarded to (migration 0008); null when Tidegate runs it. */
  provider_batch_id: string | null;
  /**
   * While running: null when the line is claimed but not yet sent (safe to queue again after a crash), else when
   * it was sent to the provider (migration 0015; written just before the upstream call, fenced by the lease).
   */
  sent_at: number | null;
}

/**
 * A part of a client batch forwarded to one provider's batch API (migration 0008). The upstream ids are stored
 * as soon as the provider returns them, so polling survives a restart and nothing is submitted twice.
 */
export interface ProviderBatchesTable {
  id: string;
  batch_id: string;
  /** The configured provider id. */
  provider: string;
  /** pending (not yet accepted upstream) | submitted | settled */
  status: string;
  lines: number;
  upstream_input_file_id: string | null;
  upstream_batch_id: string | null;
  /** The provider's own status, as last polled (validating, in_progress, ended, completed, expired, …). */
  upstream_status: string | null;
  /** 1 once the client cancelled: the cancel is sent upstream until the provider acknowledges it. */
  cancel_requested: number;
  created_at: number;
  submitted_at: number | null;
  polled_at: number | null;
  settled_at: number | null;
  /** The last submission or polling error, as text. */
  error: string | null;
}

export interface BatchesTable {
  id: string;
  api_key_id: string | null;
  endpoint: string;
  input_file_id: string;
  completion_window: string;
  /** validating | in_progress | finalizing | completed | failed | expired | cancelling | cancelled */
  status: string;
  total: number;
  metadata: string | null;
  created_at: number;
  expires_at: number;
  in_progress_at: number | null;
  finalizing_at: number | null;
  completed_at: number | null;
  cancelled_at: number | null;
  expired_at: number | null;
  output_file_id: string | null;
  error_file_id: string | null;
}

export interface FilesTable {
  id: string;
  api_key_id: string | null;
  /** batch | batch_output */
  purpose: string;
  filename: string;
  bytes: number;
  created_at: number;
  content: string;
}
