import type { ModelConfig, RouteConfig } from '../config/types.js';
import { GatewayError } from '../errors/catalogue.js';
import type { ModelKind, ModelTier } from '../providers/preset.js';

/** What a request needs from the model that serves it. */
export interface RequestNeeds {
  readonly kind: ModelKind;
  readonly vision: boolean;
  readonly tools: boolean;
  /** Estimated prompt tokens, to skip models whose context window is too small (0 when unknown). */
  readonly promptTokens?: number;
}

/** The learned router's view of one request: its score and the threshold for a quality target. */
export interface RouterSignal {
  readonly version: string;
  readonly score: number;
  thresholdFor(qualityTarget: number): number;
}

export interface RouteDecision {
  /** Models to try in order: the chosen one, then its fallbacks. */
  readonly candidates: readonly ModelConfig[];
  readonly reason: string;
  /** Set when a route (e.g. "auto") chose the tier. */
  readonly route?: { readonly id: string; readonly tier: ModelTier; readonly score: number; readonly threshold: number; readonly qualityTarget: number };
}

export interface RoutingTables {
  readonly models: ReadonlyMap<string, ModelConfig>;
  readonly routes: ReadonlyMap<string, RouteConfig>;
}

/** Why a model cannot serve the request whatever its length (kind, images, tools), if it cannot. */
function lacksCapability(model: ModelConfig, needs: RequestNeeds): string | undefined {
  if (model.kind !== needs.kind) return `is a ${model.kind} model (set kind: ${needs.kind} on it in the config if it is one)`;
  if (needs.vision && !model.vision) return 'does not accept images';
  if (needs.tools && !model.tools) return 'does not support tools';
  return undefined;
}

function tooLong(model: ModelConfig, needs: RequestNeeds): string | undefined {
  if (needs.promptTokens && model.contextWindow !== undefined && needs.promptTokens > model.contextWindow) {
    return `has a ${model.contextWindow}-token context, the prompt needs about ${needs.promptTokens}`;
  }
  return undefined;
}

interface Usable {
  readonly candidates: ModelConfig[];
  readonly skipped: string[];
  /** Every skipped model could serve the request but for its context window. */
  readonly onlyTooLong: boolean;
}

function usable(chain: readonly ModelConfig[], needs: RequestNeeds): Usable {
  const skipped: string[] = [];
  let onlyTooLong = true;
  const candidates = chain.filter((candidate) => {
    const lacking = lacksCapability(candidate, needs);
    const why = lacking ?? tooLong(candidate, needs);
    if (lacking) onlyTooLong = false;
    if (why) skipped.push(`${candidate.id} ${why}`);
    return why === undefined;
  });
  return { candidates, skipped, onlyTooLong: onlyTooLong && skipped.length > 0 };
}

/** OpenAI's context_length_exceeded when length is the only obstacle: clients look for that code to trim and retry. */
function noModel(...groups: readonly Usable[]): GatewayError {
  const skipped = groups.flatMap((group) => group.skipped);
  const tooLongOnly = groups.some((group) => group.onlyTooLong) && groups.every((group) => group.onlyTooLong || group.skipped.length === 0);
  const message = `No model can serve this request: ${skipped.join('; ')}.`;
  return tooLongOnly ? new GatewayError('context_length_exceeded', message, { param: 'messages' }) : new GatewayError('unsupported_capability', message, { param: 'model' });
}

/**
 * Pure routing policy: request + configured models and routes (+ the router's signal for routes) →
 * ordered candidates and the reason (ASCII, as it travels in a header). A model name gives that model then its fallbacks; a route name
 * gives the tier the router chose (flagship when score ≥ the threshold calibrated for the quality
 * target), then the other tier as fallback. Models that cannot serve the request are left out and named.
 */
export function decideRoute(
  tables: RoutingTables,
  requested: string,
  needs: RequestNeeds,
  options: { scenario?: string; signal?: () => RouterSignal } = {},
): RouteDecision {
  const route = tables.routes.get(requested);
  if (route) return decideForRoute(tables, route, needs, options);
  const model = tables.models.get(requested);
  if (!model) {
    throw new GatewayError('model_not_found', `The model "${requested}" is not configured. GET /v1/models lists the available ones.`, { param: 'model' });
  }
  const chain = [model, ...model.fallbacks.map((id) => tables.models.get(id)).filter((m): m is ModelConfig => m !== undefined)];
  const found = usable(chain, needs);
  const { candidates, skipped } = found;
  if (candidates.length === 0) throw noModel(found);
  const first = candidates[0]!;
  const reason = first === model ? 'requested model' : `requested model skipped (${skipped.join('; ')}); using fallback ${first.id}`;
  return { candidates, reason };
}

function decideForRoute(tables: RoutingTables, route: RouteConfig, needs: RequestNeeds, options: { scenario?: string; signal?: () => RouterSignal }): RouteDecision {
  const qualityTarget = (options.scenario !== undefined ? route.scenarios[options.scenario]?.qualityTarget : undefined) ?? route.qualityTarget;
  const resolve = (ids: readonly string[]) => ids.map((id) => tables.models.get(id)).filter((m): m is ModelConfig => m !== undefined);
  const light = usable(resolve(route.light), needs);
  const flagship = usable(resolve(route.flagship), needs);
  if (light.candidates.length === 0 && flagship.candidates.length === 0) throw noModel(light, flagship);

  const signal = options.signal?.();
  const score = signal?.score ?? Number.POSITIVE_INFINITY;
  const threshold = signal ? signal.thresholdFor(qualityTarget) : 0;
  let tier: ModelTier = score >= threshold ? 'flagship' : 'light';
  const target = `${Math.round(qualityTarget * 1000) / 10}% target${options.scenario && route.scenarios[options.scenario] ? ` (scenario ${options.scenario})` : ''}`;
  let reason = signal
    ? `${route.id}: router ${signal.version} score ${signal.score.toFixed(3)} ${tier === 'flagship' ? '>=' : '<'} threshold ${threshold.toFixed(3)} for ${target} -> ${tier}`
    : `${route.id}: no router loaded -> flagship`;
  const chosen = tier === 'light' ? light : flagship;
  if (chosen.candidates.length === 0) {
    tier = tier === 'light' ? 'flagship' : 'light';
    reason += `; no ${tier === 'light' ? 'flagship' : 'light'} model can serve it (${chosen.skipped.join('; ')}) -> ${tier}`;
  } else if (chosen.skipped.length > 0) {
    reason += `; skipped ${chosen.skipped.join('; ')}`;
  }
  const first = tier === 'light' ? light.candidates : flagship.candidates;
  const second = tier === 'light' ? flagship.candidates : light.candidates;
  return {
    candidates: [...first, ...second],
    reason,
    route: { id: route.id, tier, score: signal?.score ?? Number.NaN, threshold, qualityTarget },
  };
}
