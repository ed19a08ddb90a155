import { GatewayError, type ErrorCode } from '../errors/catalogue.js';
import type { PresetDefinition } from './preset.js';

/** Fields an upstream error body may carry, across every provider's envelope. */
function errorFields(body: unknown): { code?: string; type?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const nested = typeof record.error === 'object' && record.error !== null ? (record.error as Record<string, unknown>) : undefined;
  const baseResp = typeof record.base_resp === 'object' && record.base_resp !== null ? (record.base_resp as Record<string, unknown>) : undefined;
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
  return {
    code: text(nested?.code) ?? text(baseResp?.status_code) ?? text(record.code),
    type: text(nested?.type) ?? text(record.type),
    message: text(nested?.message) ?? text(baseResp?.status_msg) ?? text(record.message) ?? (typeof record.error === 'string' ? record.error : undefined),
  };
}

function codeForStatus(status: number): ErrorCode {
  if (status === 429 || status === 529) return 'upstream_rate_limited';
  if (status === 402) return 'upstream_insufficient_balance';
  if (status === 401 || status === 403) return 'upstream_auth_failed';
  if (status === 408) return 'upstream_timeout';
  if (status === 400 || status === 404 || status === 413 || status === 422) return 'upstream_bad_request';
  return 'upstream_unavailable';
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Classify an upstream failure into the catalogue. Preset rules see the provider's own codes first
 * (MiniMax's HTTP-200 base_resp codes, Zhipu's 1113 arrears under HTTP 429, …); then the HTTP status decides.
 */
export function classifyUpstreamError(
  preset: PresetDefinition,
  status: number,
  body: unknown,
  retryAfter?: string | string[],
): GatewayError {
  const fields = errorFields(body);
  const haystack = [fields.code, fields.type, fields.message].filter(Boolean).join(' ').toLowerCase();
  const rule = preset.errorRules.find(
    (candidate) => (candidate.status === undefined || candidate.status === status) && haystack.includes(candidate.match.toLowerCase()),
  );
  const code = rule?.code ?? codeForStatus(status);
  const detail = fields.message ?? (typeof body === 'string' && body.length > 0 ? body.slice(0, 200) : `HTTP ${status}`);
  return new GatewayError(code, `${preset.displayName}: ${detail}`, {
    upstreamStatus: status,
    upstreamCode: fields.code ?? fields.type,
    retryAfterMs: parseRetryAfter(retryAfter),
  });
}

/** MiniMax and Spark can answer HTTP 200 with a failure code in the body. */
export function bodyReportsFailure(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const record = body as Record<string, unknown>;
  const baseResp = record.base_resp as Record<string, unknown> | undefined;
  if (baseResp && typeof baseResp.status_code === 'number' && baseResp.status_code !== 0) return true;
  if (record.error !== undefined && record.error !== null && record.choices === undefined) return true;
  return typeof record.code === 'number' && record.code !== 0 && record.choices === undefined;
}
