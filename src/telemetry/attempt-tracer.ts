import type { RequestContext } from '../pipeline/request-context.js';
import type { Target } from '../pipeline/targets.js';
import type { ProviderAdapter } from '../providers/adapter.js';

/** The hook at the upstream attempt (pipeline/execute.ts, pipeline/targets.ts); set on targets only when telemetry traces. */
export interface AttemptTracer {
  /** Runs one attempt (retry or fallback) inside its own CLIENT span, a sibling of the request's other attempts. */
  attempt<T>(context: RequestContext, target: Target, run: () => Promise<T>): Promise<T>;
  /** Wraps a provider adapter so the attempt's span learns the response id, model, finish reasons and usage. */
  wrap(adapter: ProviderAdapter): ProviderAdapter;
}
