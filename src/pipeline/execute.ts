import { GatewayError, asGatewayError, type ErrorCode } from '../errors/catalogue.js';
import type { RouteDecision } from '../routing/policy.js';
import { retryDelayMs, sleep } from '../stability/backoff.js';
import type { CircuitBreakers } from '../stability/circuit-breaker.js';
import type { RequestContext } from './request-context.js';
import type { Target } from './targets.js';

/** Errors that condemn the channel, not the request: another model may well succeed. */
const worthFallingBack: ReadonlySet<ErrorCode> = new Set(['upstream_insufficient_balance', 'upstream_auth_failed']);

export interface Executed<T> {
  readonly target: Target;
  readonly result: T;
}

/**
 * Try the decision's candidates in order. Each model is retried while its error is retryable, after the
 * provider's Retry-After or an exponential backoff with jitter; models whose circuit is open are skipped.
 * `run` must do everything up to the first byte the client will see (for streams: the first event), so a
 * retry never repeats output. Only the attempt that succeeds produces usage, so nothing is billed twice.
 */
export async function executeWithFallbacks<T>(
  context: RequestContext,
  decision: RouteDecision,
  targets: ReadonlyMap<string, Target>,
  breakers: CircuitBreakers,
  signal: AbortSignal,
  run: (target: Target) => Promise<T>,
): Promise<Executed<T>> {
  let lastError: GatewayError | undefined;
  for (const [index, model] of decision.candidates.entries()) {
    const target = targets.get(model.id);
    if (!target) continue;
    const { retry } = target.provider;
    for (let attempt = 1; attempt <= retry.maxAttempts; attempt += 1) {
      if (!breakers.tryAcquire(target.circuitKey)) {
        context.attempts.push({ model: model.id, provider: target.provider.id, outcome: 'circuit_open', ms: 0 });
        lastError ??= new GatewayError('circuit_open', `${model.id} is failing repeatedly; its circuit is open.`, { retryAfterMs: breakers.retryAfterMs(target.circuitKey) });
        break;
      }
      const started = performance.now();
      try {
        const result = await (target.tracer ? target.tracer.attempt(context, target, () => run(target)) : run(target));
        breakers.success(target.circuitKey);
        context.attempts.push({ model: model.id, provider: target.provider.id, outcome: 'ok', ms: Math.round(performance.now() - started) });
        if (index > 0) context.routeReason = `${decision.reason}; fell back to ${model.id} after ${describeFailures(context)}`;
        return { target, result };
      } catch (thrown) {
        const error = asGatewayError(thrown);
        context.attempts.push({ model: model.id, provider: target.provider.id, outcome: error.code, ms: Math.round(performance.now() - started) });
        if (signal.aborted) {
          breakers.release(target.circuitKey);
          throw error;
        }
        breakers.failure(target.circuitKey, error.code);
        lastError = error;
        if (!error.retryable) {
          if (worthFallingBack.has(error.code)) break;
          throw error;
        }
        if (attempt === retry.maxAttempts) break;
        const delay = retryDelayMs(attempt, retry, error.retryAfterMs);
        if (delay === undefined) break;
        await sleep(delay, signal);
      }
    }
  }
  throw lastError ?? new GatewayError('upstream_unavailable', 'No configured target could serve the request.');
}

function describeFailures(context: RequestContext): string {
  return context.attempts
    .filter((attempt) => attempt.outcome !== 'ok')
    .map((attempt) => `${attempt.model}: ${attempt.outcome}`)
    .join(', ');
}
