import type { GatewayConfig } from '../config/types.js';
import type { ModelLimits } from './admission-controller.js';

/**
 * Default limits by preset where a provider publishes a fixed per-account figure. Most providers here tie
 * limits to the account tier or adjust them dynamically (DeepSeek publishes none: "dynamic, by load"), so
 * the table is deliberately short; `models[].limits` in the config is the way to state your account's limits.
 */
const publishedDefaults: Readonly<Record<string, Partial<ModelLimits>>> = {
  // Zhipu: concurrency-based limits, 5–30 concurrent calls for the lowest paid tiers (docs.bigmodel.cn rate-limit).
  glm: { concurrency: 5 },
};

/** The admission limits of a model: its config, else the preset's published default, else scheduling.defaultConcurrency. */
export function modelLimitsFor(config: GatewayConfig, modelId: string): ModelLimits {
  const model = config.models.find((candidate) => candidate.id === modelId);
  const provider = model ? config.providers.find((candidate) => candidate.id === model.provider) : undefined;
  const published = provider ? publishedDefaults[provider.preset] : undefined;
  return {
    concurrency: model?.limits?.concurrency ?? published?.concurrency ?? config.scheduling.defaultConcurrency,
    tokensPerMinute: model?.limits?.tokensPerMinute ?? published?.tokensPerMinute,
  };
}
