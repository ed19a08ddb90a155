import { describe, expect, it } from 'vitest';
import { classifyUpstreamError, parseRetryAfter } from '../../src/providers/error-classifier.js';
import { getPreset } from '../../src/providers/registry.js';

const preset = (id: string) => getPreset(id)!;

describe('classifyUpstreamError', () => {
  it.each([
    ['deepseek', 402, { error: { message: 'Insufficient Balance', type: 'unknown_error' } }, 'upstream_insufficient_balance'],
    ['deepseek', 400, { error: { message: 'Content Exists Risk', type: 'invalid_request_error', code: 'invalid_request_error' } }, 'upstream_content_rejected'],
    ['deepseek', 429, { error: { message: 'Rate Limit Reached' } }, 'upstream_rate_limited'],
    ['qwen', 400, { error: { code: 'Arrearage', message: 'Access denied, please make sure your account is in good standing.' } }, 'upstream_insufficient_balance'],
    ['qwen', 400, { error: { code: 'data_inspection_failed', message: 'Input data may contain inappropriate content.' } }, 'upstream_content_rejected'],
    ['doubao', 403, { error: { code: 'AccountOverdueError', message: 'overdue' } }, 'upstream_insufficient_balance'],
    ['doubao', 400, { error: { code: 'OutputTextRiskDetection', message: 'risk' } }, 'upstream_content_rejected'],
    ['glm', 429, { error: { code: '1113', message: '您的账户已欠费' } }, 'upstream_insufficient_balance'],
    ['glm', 429, { error: { code: '1302', message: '并发数过高' } }, 'upstream_rate_limited'],
    ['kimi', 429, { error: { type: 'exceeded_current_quota_error', message: 'quota' } }, 'upstream_insufficient_balance'],
    ['minimax', 200, { base_resp: { status_code: 1008, status_msg: 'insufficient balance' } }, 'upstream_insufficient_balance'],
    ['minimax', 200, { base_resp: { status_code: 1027, status_msg: 'output new_sensitive' } }, 'upstream_content_rejected'],
    ['anthropic', 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'upstream_rate_limited'],
    ['anthropic', 400, { type: 'error', error: { type: 'invalid_request_error', message: 'Your credit balance is too low to access the Anthropic API.' } }, 'upstream_insufficient_balance'],
    ['stepfun', 402, { error: { message: 'no money' } }, 'upstream_insufficient_balance'],
    ['openai', 500, 'upstream exploded', 'upstream_unavailable'],
    ['openai', 401, { error: { code: 'invalid_api_key' } }, 'upstream_auth_failed'],
  ] as const)('%s %i → %s', (id, status, body, expected) => {
    expect(classifyUpstreamError(preset(id), status, body).code).toBe(expected);
  });

  it('keeps Retry-After as milliseconds', () => {
    expect(classifyUpstreamError(preset('openai'), 429, {}, '2').retryAfterMs).toBe(2000);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
