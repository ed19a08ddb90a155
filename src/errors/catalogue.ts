/**
 * The one catalogue of error codes Tidegate returns. Every error a client can see is one of these,
 * rendered in OpenAI's error shape: {"error":{"message","type","param","code"}}.
 * `retryable` says whether the pipeline may retry the same model or fall back to another one.
 */
export const errorCatalogue = {
  // Client mistakes (never retried)
  invalid_json: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'The request body is not valid JSON.' },
  invalid_request: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'A field is missing or has the wrong type.' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', retryable: false, summary: 'Send the body as application/json.' },
  body_too_large: { status: 413, type: 'invalid_request_error', retryable: false, summary: 'The request body is larger than the configured limit.' },
  model_not_found: { status: 404, type: 'invalid_request_error', retryable: false, summary: 'No configured model has this name.' },
  context_length_exceeded: { status: 400, type: 'invalid_request_error', retryable: false, summary: "The prompt (plus max_tokens) is longer than the model's context window." },
  headers_too_large: { status: 431, type: 'invalid_request_error', retryable: false, summary: 'The request headers are larger than the server accepts.' },
  unsupported_capability: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'The model does not support a feature the request uses.' },
  not_found: { status: 404, type: 'invalid_request_error', retryable: false, summary: 'No such route.' },
  method_not_allowed: { status: 405, type: 'invalid_request_error', retryable: false, summary: 'The route does not accept this HTTP method.' },
  missing_api_key: { status: 401, type: 'authentication_error', retryable: false, summary: 'Send an API key as "Authorization: Bearer <key>" or "x-api-key".' },
  invalid_api_key: { status: 401, type: 'authentication_error', retryable: false, summary: 'The API key is unknown or revoked.' },
  budget_exceeded: { status: 429, type: 'insufficient_quota', retryable: false, summary: 'A daily or monthly budget of the key or its team is spent; the error says when it resets.' },
  rate_limited: { status: 429, type: 'rate_limit_error', retryable: false, summary: 'The key or its team sent more requests per minute than allowed; Retry-After says when to retry.' },
  budget_store_unavailable: { status: 503, type: 'server_error', retryable: false, summary: 'The budget is fail-closed and the shared budget store (Redis) is unreachable; retry shortly.' },
  admin_key_required: { status: 403, type: 'permission_error', retryable: false, summary: 'This route needs the admin key.' },
  pii_blocked: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'The request contains personal data of a type the policy blocks; the message names the types, never the values.' },
  pii_requires_on_premises: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'The request contains personal data that may only go to on-premises models, and none serves this model or route.' },
  model_not_filed: { status: 403, type: 'permission_error', retryable: false, summary: 'requireFiled is set and the model (or every candidate of the route) has no filing or registration number (备案号 / 上线编号) in the catalogue or config.' },
  privacy_scan_failed: { status: 500, type: 'server_error', retryable: false, summary: 'The personal-data check failed, so nothing was sent (fail closed).' },
  invalid_priority: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'x-tidegate-priority must be interactive, standard or deferrable.' },
  invalid_deadline: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'x-tidegate-deadline must be an ISO-8601 instant or a duration such as 8h or 90m, in the future.' },
  queue_full: { status: 429, type: 'rate_limit_error', retryable: false, summary: "The model's admission queue for this priority is full; Retry-After is computed from measured service times." },
  queue_timeout: { status: 429, type: 'rate_limit_error', retryable: false, summary: 'The request waited in the admission queue longer than its class allows; Retry-After says when to retry.' },
  deadline_unreachable: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'Deferred work cannot finish before its deadline.' },
  job_not_found: { status: 404, type: 'invalid_request_error', retryable: false, summary: 'No deferred job with this id for this key.' },
  batch_not_found: { status: 404, type: 'invalid_request_error', retryable: false, summary: 'No batch with this id for this key.' },
  file_not_found: { status: 404, type: 'invalid_request_error', retryable: false, summary: 'No file with this id for this key.' },
  invalid_episode_id: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'x-tidegate-episode-id (or episode_id) must be a UUID, such as an x-tidegate-episode-id the gateway returned.' },
  inference_not_found: { status: 404, type: 'invalid_request_error', retryable: false, summary: 'No captured inference with this id for this key (capture is opt-in per route, scenario or key; content expires).' },
  request_not_found: { status: 404, type: 'invalid_request_error', retryable: false, summary: 'No request-log row has this request id (rows older than the metadata retention are purged).' },
  episode_not_found: { status: 404, type: 'invalid_request_error', retryable: false, summary: 'No captured inference in this episode for this key.' },
  unknown_metric: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'The metric is not declared under metrics: in the config (comment and demonstration are built in).' },
  invalid_feedback_value: { status: 400, type: 'invalid_request_error', retryable: false, summary: "The value does not fit the metric's type: boolean, a finite number, or text for comment and demonstration." },
  feedback_level_mismatch: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'The metric scores inferences but an episode_id was given, or the other way round.' },
  idempotency_key_reused: { status: 409, type: 'invalid_request_error', retryable: false, summary: 'This idempotency key was already used for different feedback.' },

  // Upstream outcomes, classified from each provider's own codes
  upstream_rate_limited: { status: 429, type: 'rate_limit_error', retryable: true, summary: 'The provider is rate limiting or overloaded.' },
  upstream_insufficient_balance: { status: 402, type: 'insufficient_quota', retryable: false, summary: 'The provider account is out of balance or quota.' },
  upstream_content_rejected: { status: 400, type: 'content_filter_error', retryable: false, summary: 'The provider rejected the content (moderation).' },
  upstream_auth_failed: { status: 502, type: 'upstream_error', retryable: false, summary: 'The provider rejected the gateway credentials for it.' },
  upstream_bad_request: { status: 400, type: 'invalid_request_error', retryable: false, summary: 'The provider rejected the request as invalid.' },
  upstream_unavailable: { status: 502, type: 'upstream_error', retryable: true, summary: 'The provider failed or returned something unusable.' },
  upstream_timeout: { status: 504, type: 'timeout_error', retryable: true, summary: 'The provider did not answer in time.' },
  interrupted_unknown_outcome: { status: 502, type: 'upstream_error', retryable: false, summary: 'A deferred job or batch line was sent to the provider, but the node running it stopped before the answer came back. The provider may have run it (and may bill for it); it was not retried, so that it does not run twice (batch.retryInterrupted: true retries such lines instead).' },
  circuit_open: { status: 503, type: 'upstream_error', retryable: true, summary: 'The model was skipped because its circuit is open after repeated failures.' },

  // Gateway itself
  internal_error: { status: 500, type: 'server_error', retryable: false, summary: 'An unexpected gateway error; the request id is in the logs.' },
  shutting_down: { status: 503, type: 'server_error', retryable: true, summary: 'The gateway is shutting down.' },
} as const satisfies Record<string, { status: number; type: string; retryable: boolean; summary: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface GatewayErrorOptions {
  param?: string | null;
  /** Provider-side detail kept for logs and for the error message. */
  upstreamStatus?: number;
  upstreamCode?: string;
  /** Milliseconds the provider asked us to wait (Retry-After), if any. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly retryable: boolean;
  readonly param: string | null;
  readonly upstreamStatus: number | undefined;
  readonly upstreamCode: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const entry = errorCatalogue[code];
    this.name = 'GatewayError';
    this.code = code;
    this.status = entry.status;
    this.type = entry.type;
    this.retryable = entry.retryable;
    this.param = options.param ?? null;
    this.upstreamStatus = options.upstreamStatus;
    this.upstreamCode = options.upstreamCode;
    this.retryAfterMs = options.retryAfterMs;
  }

  toJSON(): { error: { message: string; type: string; param: string | null; code: ErrorCode } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** Any thrown value as a GatewayError; unknown failures become internal_error without leaking a stack. */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError('internal_error', 'Internal gateway error.', { cause: error });
}
