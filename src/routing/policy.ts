import type { ModelConfig } from '../config/types.js';
import { GatewayError } from '../errors/catalogue.js';
import type { ModelKind } from '../providers/preset.js';

/** What a request needs from the model that serves it. */
export interface RequestNeeds {
  readonly kind: ModelKind;
  readonly vision: boolean;
  readonly tools: boolean;
}

export interface RouteDecision {
  /** Models to try in order: the chosen one, then its fallbacks. */
  readonly candidates: readonly ModelConfig[];
  readonly reason: string;
}

function lacks(model: ModelConfig, needs: RequestNeeds): string | undefined {
  if (model.kind !== needs.kind) return `is a ${model.kind} model`;
  if (needs.vision && !model.vision) return 'does not accept images';
  if (needs.tools && !model.tools) return 'does not support tools';
  return undefined;
}

/**
 * Pure routing policy: request + configured models → ordered candidates and the reason.
 * Candidates that cannot serve the request (no vision for images, no tools) are left out and named.
 */
export function decideRoute(models: ReadonlyMap<string, ModelConfig>, requested: string, needs: RequestNeeds): RouteDecision {
  const model = models.get(requested);
  if (!model) {
    throw new GatewayError('model_not_found', `The model "${requested}" is not configured. GET /v1/models lists the available ones.`, { param: 'model' });
  }
  const chain = [model, ...model.fallbacks.map((id) => models.get(id)).filter((m): m is ModelConfig => m !== undefined)];
  const skipped: string[] = [];
  const candidates = chain.filter((candidate) => {
    const why = lacks(candidate, needs);
    if (why) skipped.push(`${candidate.id} ${why}`);
    return why === undefined;
  });
  if (candidates.length === 0) {
    throw new GatewayError('unsupported_capability', `No model can serve this request: ${skipped.join('; ')}.`, { param: 'model' });
  }
  const first = candidates[0]!;
  const reason = first === model ? 'requested model' : `requested model skipped (${skipped.join('; ')}); using fallback ${first.id}`;
  return { candidates, reason };
}
