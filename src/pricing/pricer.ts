import type { NormalizedUsage } from '../canonical/usage.js';
import type { GatewayConfig, ModelConfig } from '../config/types.js';
import { costOf, type Cost } from './cost.js';

/** What the same usage would have cost on the flagship model the request is compared against. */
export interface FlagshipEquivalent {
  readonly model: string;
  readonly cost: Cost;
}

/**
 * The one pricing service: the gateway bills with it, `tidegate cost` quotes with it, and the savings
 * report compares against its flagship equivalent. Built once from the frozen config.
 */
export class Pricer {
  private readonly models: ReadonlyMap<string, ModelConfig>;

  constructor(private readonly config: GatewayConfig) {
    this.models = new Map(config.models.map((model) => [model.id, model]));
  }

  cost(model: ModelConfig, usage: NormalizedUsage, at: Date, batch = false): Cost {
    return costOf(model.prices, usage, { at, usdToCny: this.config.pricing.usdToCny, batch });
  }

  /**
   * The flagship a request is measured against: its route's flagship, the configured reference, else the served model when it
   * is itself a flagship, else the first flagship of the same kind on the same provider, else anywhere.
   */
  flagshipFor(served: ModelConfig, routeFlagship?: string): ModelConfig {
    const fromRoute = routeFlagship ? this.models.get(routeFlagship) : undefined;
    if (fromRoute) return fromRoute;
    const reference = this.config.pricing.flagshipReference;
    const configured = reference ? this.models.get(reference) : undefined;
    if (configured && configured.kind === served.kind) return configured;
    if (served.tier === 'flagship') return served;
    const flagships = this.config.models.filter((model) => model.tier === 'flagship' && model.kind === served.kind && model.prices.length > 0);
    return flagships.find((model) => model.provider === served.provider) ?? flagships[0] ?? served;
  }

  flagshipEquivalent(served: ModelConfig, usage: NormalizedUsage, at: Date, routeFlagship?: string): FlagshipEquivalent {
    const flagship = this.flagshipFor(served, routeFlagship);
    return { model: flagship.id, cost: this.cost(flagship, usage, at) };
  }
}
