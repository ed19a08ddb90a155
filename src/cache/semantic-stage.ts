import type { ChatMessage, ChatRequest } from '../canonical/chat.js';
import type { GatewayConfig, RouteConfig } from '../config/types.js';
import type { Principal } from '../http/auth.js';
import type { Target } from '../pipeline/targets.js';
import { messageText } from '../tokens/estimate.js';
import type { CacheDirective } from './exact-cache.js';
import { isStorable } from './exact-cache.js';
import { exactCacheKey, isDeterministic } from './exact/key.js';
import type { CachedAnswer } from './exact/store.js';
import { createSemanticCache, type Conversation, type SemanticCache, type SemanticLookupEvent } from './semantic/index.js';
import { tenantOf } from './tenant.js';

export interface SemanticPlan {
  readonly tenant: string;
  /** Everything but the messages must match exactly: deployment, endpoint, tools, sampling, response_format. */
  readonly scope: string;
  readonly conversation: Conversation;
  readonly model: string;
}

type SemanticConfig = GatewayConfig['cache']['semantic'];

/**
 * The semantic cache stage: opt-in per route, model or scenario; the same determinism rule and directive as
 * the exact cache; the whole context must match (cache/semantic/), guards refuse near-misses. Text-only
 * conversations with one answer; anything with images, tool calls or n > 1 is left to the exact cache.
 */
export class SemanticStage {
  private readonly cache: SemanticCache<CachedAnswer> | undefined;

  constructor(
    private readonly config: SemanticConfig,
    wanted: boolean,
    onLookup: (event: SemanticLookupEvent) => void = () => {},
  ) {
    this.cache = wanted
      ? createSemanticCache<CachedAnswer>({ threshold: config.threshold, maxEntries: config.maxEntries, ttlMs: config.ttlSeconds * 1000, onLookup })
      : undefined;
  }

  plan(principal: Principal, endpoint: string, request: ChatRequest, primary: Target | undefined, route: RouteConfig | undefined, scenario: string | undefined, directive: CacheDirective, cascade: boolean): SemanticPlan | undefined {
    if (!this.cache || !primary || directive === 'bypass' || cascade) return undefined;
    const override = route?.cache?.semantic ?? primary.model.cache?.semantic;
    const enabled = override?.enabled ?? (this.config.enabled || (scenario !== undefined && this.config.scenarios.includes(scenario)));
    if (!enabled) return undefined;
    if (directive !== 'force' && !isDeterministic(request)) return undefined;
    if ((request.n ?? 1) !== 1) return undefined;
    const conversation = toConversation(request.messages);
    if (!conversation) return undefined;
    const tenant = tenantOf(principal, this.config.scope);
    const scope = exactCacheKey({ tenant, endpoint, model: primary.model, provider: primary.provider, request: { ...request, messages: [] } });
    return { tenant, scope, conversation, model: primary.model.id };
  }

  async lookup(plan: SemanticPlan): Promise<{ answer: CachedAnswer; similarity: number } | undefined> {
    const hit = await this.cache!.lookup(plan.tenant, plan.scope, plan.conversation);
    return hit && hit.value.model === plan.model ? { answer: hit.value, similarity: hit.similarity } : undefined;
  }

  store(plan: SemanticPlan, answer: CachedAnswer): void {
    if (answer.model !== plan.model || !isStorable(answer)) return;
    void this.cache!.store(plan.tenant, plan.scope, plan.conversation, answer);
  }
}

/** Text-only turns (no images, tool calls or tool results), the system prompt apart; undefined when not eligible. */
function toConversation(messages: readonly ChatMessage[]): Conversation | undefined {
  const system: string[] = [];
  const turns: Conversation['messages'] = [];
  for (const message of messages) {
    if (message.tool_calls || message.role === 'tool' || message.role === 'function') return undefined;
    if (Array.isArray(message.content) && message.content.some((part) => part.type !== 'text')) return undefined;
    const text = messageText(message);
    if (message.role === 'system' || message.role === 'developer') system.push(text);
    else turns.push({ role: message.role, text });
  }
  return turns.length > 0 && turns.at(-1)!.role === 'user' ? { system: system.join('\n'), messages: turns } : undefined;
}

/** Whether any setting turns the semantic cache on, so an index is needed. */
export function semanticCacheWanted(config: GatewayConfig): boolean {
  const { semantic } = config.cache;
  return semantic.enabled || semantic.scenarios.length > 0 || config.models.some((model) => model.cache?.semantic?.enabled === true) || config.routes.some((route) => route.cache?.semantic?.enabled === true);
}
