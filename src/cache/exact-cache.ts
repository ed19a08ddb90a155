import type { ChatRequest } from '../canonical/chat.js';
import type { GatewayConfig, ModelConfig, RouteConfig } from '../config/types.js';
import { GatewayError } from '../errors/catalogue.js';
import type { Principal } from '../http/auth.js';
import type { Target } from '../pipeline/targets.js';
import { exactCacheKey, isDeterministic } from './exact/key.js';
import { tenantOf } from './tenant.js';
import type { CachedAnswer, ResponseStore } from './exact/store.js';

export type CacheStatus = 'hit' | 'miss' | 'bypass';
/** x-tidegate-cache on a request: skip the cache, or cache even a non-deterministic request. */
export type CacheDirective = 'default' | 'bypass' | 'force';

/** What the exact cache decided for one request before any call: look up (and later store) under a key, or not at all. */
export type CachePlan =
  | { readonly status: 'bypass'; readonly reason: string }
  | { readonly status: 'lookup'; readonly key: string; readonly ttlMs: number; readonly model: string };

export function parseCacheDirective(value: string | string[] | undefined): CacheDirective {
  if (value === undefined || value === '') return 'default';
  const text = Array.isArray(value) ? value.join(',') : value;
  const directive = text.trim().toLowerCase();
  if (directive === 'bypass' || directive === 'force') return directive;
  throw new GatewayError('invalid_request', `x-tidegate-cache: expected "bypass" or "force", got ${JSON.stringify(text.slice(0, 40))}.`, { param: 'x-tidegate-cache' });
}

/** The answer is complete and safe to replay: every choice stopped on its own (no length cut, no content filter). */
export function isStorable(answer: Pick<CachedAnswer, 'response'>): boolean {
  const { choices } = answer.response;
  return choices.length > 0 && choices.every((choice) => choice.finish_reason === 'stop' || choice.finish_reason === 'tool_calls' || choice.finish_reason === 'function_call');
}

/**
 * The exact response cache: decides per request whether to look up (config for the route or model,
 * determinism, the client's directive), names the tenant, and talks to the store. A store failure is a
 * miss, never a failed request.
 */
export class ExactCache {
  constructor(
    private readonly config: GatewayConfig['cache']['exact'],
    readonly store: ResponseStore | undefined,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  plan(principal: Principal, endpoint: string, request: ChatRequest, primary: Target | undefined, route: RouteConfig | undefined, directive: CacheDirective, cascade: boolean): CachePlan {
    if (directive === 'bypass') return { status: 'bypass', reason: 'client asked to bypass' };
    if (!this.store || !primary) return { status: 'bypass', reason: 'cache off' };
    const settings = this.settingsFor(primary.model, route);
    if (!settings.enabled) return { status: 'bypass', reason: 'cache off' };
    if (cascade) return { status: 'bypass', reason: 'cascade route' };
    if (directive !== 'force' && !isDeterministic(request)) return { status: 'bypass', reason: 'not deterministic (temperature is not 0 and no seed)' };
    const key = exactCacheKey({ tenant: tenantOf(principal, this.config.scope), endpoint, model: primary.model, provider: primary.provider, request });
    return { status: 'lookup', key, ttlMs: settings.ttlSeconds * 1000, model: primary.model.id };
  }

  async get(plan: Extract<CachePlan, { status: 'lookup' }>): Promise<CachedAnswer | undefined> {
    try {
      const answer = await this.store!.get(plan.key);
      return answer?.model === plan.model ? answer : undefined;
    } catch (error) {
      this.onError(error);
      return undefined;
    }
  }

  /** Stores a finished answer in the background; only complete answers from the planned model are kept. */
  put(plan: Extract<CachePlan, { status: 'lookup' }>, answer: CachedAnswer): void {
    if (answer.model !== plan.model || !isStorable(answer)) return;
    this.store!.set(plan.key, answer, plan.ttlMs).catch(this.onError);
  }

  async close(): Promise<void> {
    await this.store?.close();
  }

  private settingsFor(model: ModelConfig, route: RouteConfig | undefined): { enabled: boolean; ttlSeconds: number } {
    const override = route?.cache?.exact ?? model.cache?.exact;
    return { enabled: override?.enabled ?? this.config.enabled, ttlSeconds: override?.ttlSeconds ?? this.config.ttlSeconds };
  }
}

/** Whether any model or route (or the global setting) turns the exact cache on, so a store is needed. */
export function exactCacheWanted(config: GatewayConfig): boolean {
  return config.cache.exact.enabled || config.models.some((model) => model.cache?.exact?.enabled === true) || config.routes.some((route) => route.cache?.exact?.enabled === true);
}
