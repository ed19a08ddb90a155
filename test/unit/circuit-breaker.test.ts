import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/stability/backoff.js';
import { CircuitBreakers } from '../../src/stability/circuit-breaker.js';

describe('CircuitBreakers', () => {
  it('opens after the threshold, lets exactly one probe through after the cooldown, closes on its success', () => {
    let now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 3, cooldownMs: 1000 }, () => now);
    for (let i = 0; i < 3; i += 1) {
      expect(breakers.tryAcquire('m')).toBe(true);
      breakers.failure('m', 'upstream_unavailable');
    }
    expect(breakers.state('m')).toBe('open');
    expect(breakers.tryAcquire('m')).toBe(false);
    expect(breakers.retryAfterMs('m')).toBe(1000); // what a 503 circuit_open says in Retry-After
    now = 1000;
    expect(breakers.tryAcquire('m')).toBe(true); // the probe
    expect(breakers.tryAcquire('m')).toBe(false); // only one
    breakers.success('m');
    expect(breakers.state('m')).toBe('closed');
    expect(breakers.tryAcquire('m')).toBe(true);
  });

  it('re-opens when the probe fails', () => {
    let now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 1, cooldownMs: 100 }, () => now);
    breakers.failure('m', 'upstream_timeout');
    now = 100;
    expect(breakers.tryAcquire('m')).toBe(true);
    breakers.failure('m', 'upstream_timeout');
    expect(breakers.tryAcquire('m')).toBe(false);
    now = 199;
    expect(breakers.tryAcquire('m')).toBe(false);
    now = 200;
    expect(breakers.tryAcquire('m')).toBe(true);
  });

  it('does not count the caller\'s bad requests or moderation against the provider', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 1, cooldownMs: 100 });
    breakers.failure('m', 'upstream_bad_request');
    breakers.failure('m', 'upstream_content_rejected');
    expect(breakers.state('m')).toBe('closed');
  });

  it('does not count what the gateway refused before or while calling (a request it cannot translate, a bug of its own)', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 2, cooldownMs: 100 });
    for (const code of ['unsupported_capability', 'invalid_request', 'context_length_exceeded', 'queue_full', 'internal_error'] as const) {
      breakers.failure('m', code);
      breakers.failure('m', code);
    }
    expect(breakers.state('m')).toBe('closed');
    breakers.failure('m', 'upstream_unavailable');
    breakers.failure('m', 'upstream_timeout');
    expect(breakers.state('m')).toBe('open');
  });
});

describe('retryDelayMs', () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
  it('uses Retry-After exactly, and refuses to wait longer than the limit', () => {
    expect(retryDelayMs(1, options, 1200)).toBe(1200);
    expect(retryDelayMs(1, options, 6000)).toBeUndefined();
  });
  it('backs off exponentially with full jitter under a ceiling', () => {
    expect(retryDelayMs(1, options, undefined, () => 1)).toBe(100);
    expect(retryDelayMs(3, options, undefined, () => 1)).toBe(400);
    expect(retryDelayMs(10, options, undefined, () => 1)).toBe(1000);
    expect(retryDelayMs(3, options, undefined, () => 0.5)).toBe(200);
  });
});
