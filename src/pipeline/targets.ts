import type { GatewayConfig, ModelConfig, ProviderConfig } from '../config/types.js';
import type { ProviderAdapter } from '../providers/adapter.js';
import { adapterFor } from '../providers/adapters.js';
import type { PresetDefinition } from '../providers/preset.js';
import { getPreset } from '../providers/registry.js';
import { ReplicaSet } from '../affinity/replica-set.js';
import type { AttemptTracer } from '../telemetry/attempt-tracer.js';

/** A configured model bound to its provider, preset and adapter: everything needed to call it. */
export interface Target {
  readonly model: ModelConfig;
  readonly provider: ProviderConfig;
  readonly preset: PresetDefinition;
  readonly adapter: ProviderAdapter;
  /** Circuit breakers are per provider model. */
  readonly circuitKey: string;
  /** The provider's replicas, when it lists several (one set per provider, shared by its models). */
  readonly replicas: ReplicaSet | undefined;
  /** OpenTelemetry: a CLIENT span per attempt on this target (src/telemetry/); undefined when traces are off. */
  readonly tracer?: AttemptTracer;
}

export function buildTargets(config: GatewayConfig, tracer?: AttemptTracer): Map<string, Target> {
  const providers = new Map(config.providers.map((provider) => [provider.id, provider]));
  const targets = new Map<string, Target>();
  const replicaSets = new Map<string, ReplicaSet>();
  for (const provider of config.providers) {
    if (provider.replicas.length > 0) replicaSets.set(provider.id, new ReplicaSet(provider, provider.replicas, provider.affinity));
  }
  for (const model of config.models) {
    const provider = providers.get(model.provider);
    const preset = provider ? getPreset(provider.preset) : undefined;
    if (!provider || !preset) throw new Error(`model ${model.id}: provider ${model.provider} is not configured`);
    targets.set(model.id, {
      model,
      provider,
      preset,
      adapter: tracer ? tracer.wrap(adapterFor(preset.dialect)) : adapterFor(preset.dialect),
      circuitKey: `${provider.id}/${model.upstream}`,
      replicas: replicaSets.get(provider.id),
      tracer,
    });
  }
  return targets;
}
