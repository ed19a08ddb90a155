import type { GatewayConfig, ModelConfig } from '../config/types.js';
import type { ModelLimits } from './admission-controller.js';

/** A limit a provider publishes for every account (not one tied to a paid tier), with where it is published. */
export interface PublishedLimit {
  readonly concurrency?: number;
  readonly tokensPerMinute?: number;
  readonly source: string;
}

/**
 * Published per-account limits by preset, per upstream model or for every model of the preset ('*'). Only figures
 * a provider publishes as fixed numbers are here (shared/reference/providers.md §1c, §5); limits that depend on
 * the account's tier or are "dynamic, by load" are not guessed: those models stay at scheduling.defaultConcurrency
 * and no token limit until `models[].limits` states the account's own.
 */
export const PUBLISHED_LIMITS: Readonly<Record<string, Readonly<Record<string, PublishedLimit>>>> = {
  deepseek: {
    'deepseek-flash': { concurrency: 2_500, source: 'api-docs.deepseek.com quick_start/error_codes (2026): account concurrency cap 2,500 for Flash' },
    'deepseek-v4-pro': { concurrency: 500, source: 'api-docs.deepseek.com quick_start/error_codes (2026): account concurrency cap 500 for Pro' },
  },
  glm: {
    '*': { concurrency: 5, source: 'docs.bigmodel.cn/cn/api/rate-limit: concurrency-based limits, 5 concurrent calls at the entry tier' },
  },
};

/** Where a model's admission limits come from. */
export type LimitSource = 'config' | 'published' | 'default';

export interface ResolvedLimits extends ModelLimits {
  readonly concurrencySource: LimitSource;
  readonly tokensPerMinuteSource: LimitSource | undefined;
  /** The publication, when a published figure applies. */
  readonly published: PublishedLimit | undefined;
}

export function publishedLimitFor(preset: string | undefined, upstream: string): PublishedLimit | undefined {
  const table = preset ? PUBLISHED_LIMITS[preset] : undefined;
  return table?.[upstream] ?? table?.['*'];
}

/** A model's limits with their provenance: its config, else the provider's published figure, else the default (unlimited tokens). */
export function resolveModelLimits(config: GatewayConfig, model: ModelConfig | undefined): ResolvedLimits {
  const provider = model ? config.providers.find((candidate) => candidate.id === model.provider) : undefined;
  const published = model ? publishedLimitFor(provider?.preset, model.upstream) : undefined;
  const concurrency = model?.limits?.concurrency;
  const tokens = model?.limits?.tokensPerMinute;
  return {
    concurrency: concurrency ?? published?.concurrency ?? config.scheduling.defaultConcurrency,
    concurrencySource: concurrency !== undefined ? 'config' : published?.concurrency !== undefined ? 'published' : 'default',
    tokensPerMinute: tokens ?? published?.tokensPerMinute,
    tokensPerMinuteSource: tokens !== undefined ? 'config' : published?.tokensPerMinute !== undefined ? 'published' : undefined,
    published: (concurrency === undefined && published?.concurrency !== undefined) || (tokens === undefined && published?.tokensPerMinute !== undefined) ? published : undefined,
  };
}

/** The admission limits of a model: its config, else the preset's published default, else scheduling.defaultConcurrency. */
export function modelLimitsFor(config: GatewayConfig, modelId: string): ModelLimits {
  const { concurrency, tokensPerMinute } = resolveModelLimits(config, config.models.find((candidate) => candidate.id === modelId));
  return { concurrency, tokensPerMinute };
}
