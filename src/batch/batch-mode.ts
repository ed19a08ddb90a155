import type { ModelConfig, ProviderConfig } from '../config/types.js';
import { GatewayError } from '../errors/catalogue.js';
import type { BatchApiDefinition, PresetDefinition } from '../providers/preset.js';
import { priceAt } from '../pricing/price-book.js';
import type { BatchMode } from '../scheduling/config-schema.js';

/** Where one batch line runs: forwarded to its provider's batch API, or executed by Tidegate, and why. */
export type LinePlacement =
  | { readonly forward: true; readonly api: BatchApiDefinition; readonly reason: string }
  | { readonly forward: false; readonly reason: string };

export interface PlacementInput {
  /** The line's model; undefined when the line names a route (routing decides per request, so Tidegate runs it). */
  readonly model: ModelConfig | undefined;
  readonly provider: ProviderConfig | undefined;
  readonly preset: PresetDefinition | undefined;
  /** The client's completion window in hours. */
  readonly windowHours: number;
  /** Personal-data protection is on: lines must pass the privacy stage, which only Tidegate's own runner applies. */
  readonly privacy: boolean;
  /** The moment the batch is created (for the price version in force). */
  readonly at: Date;
}

/** The configured mode: the model's, else its provider's, else gateway. */
export function batchModeOf(model: ModelConfig | undefined, provider: ProviderConfig | undefined): BatchMode {
  return model?.batch?.mode ?? provider?.batch?.mode ?? 'gateway';
}

/**
 * Pure placement policy for a /v1/batches line. `provider` mode forwards or refuses with a reason the client can
 * act on (never silently runs elsewhere); `auto` forwards only when the provider has a batch API, its window fits
 * inside the client's, and its batch price is below the list price; `gateway` always runs the line here.
 */
export function placeLine(input: PlacementInput): LinePlacement {
  const mode = batchModeOf(input.model, input.provider);
  if (mode === 'gateway' || !input.model) return { forward: false, reason: input.model ? 'batch mode gateway' : 'a route picks a model per request' };
  const api = input.preset?.batchApi;
  const refuse = (why: string): LinePlacement => {
    if (mode === 'auto') return { forward: false, reason: `run by Tidegate: ${why}` };
    throw new GatewayError('invalid_request', `model ${input.model!.id} has batch mode "provider", but ${why}.`, { param: 'completion_window' });
  };
  if (!api) return refuse(`${input.preset?.displayName ?? input.model.provider} has no batch API Tidegate can forward to`);
  if (input.privacy) return refuse('personal-data protection is on and only Tidegate applies it to each line');
  if (input.windowHours < api.windowHours) return refuse(`the completion window ${input.windowHours}h is shorter than the provider's ${api.windowHours}h`);
  const multiplier = priceAt(input.model.prices, input.at)?.batch;
  if (mode === 'auto' && !(multiplier !== undefined && multiplier < 1)) return refuse('the price catalogue has no batch discount for this model');
  const discount = multiplier === undefined ? 'batch price unknown' : `×${multiplier}`;
  return { forward: true, api, reason: `${input.provider?.id ?? input.model.provider} batch API ${discount}` };
}
