/**
 * Combining provider policies. A key's own policy can only tighten what the route (or the global policy)
 * allows: for every type the stricter action wins, so giving a key a policy never loosens protection.
 */
import type { ProviderAction, ProviderPolicy } from './types.js';

/**
 * Strictness, least to most: the less of the value any model sees, the stricter. `onPremises` keeps the
 * value but only for self-hosted models; `redact` lets no model see it; `block` sends nothing at all.
 */
const strictness: Readonly<Record<ProviderAction, number>> = { allow: 0, mask: 1, onPremises: 2, redact: 3, block: 4 };

export function stricterAction(a: ProviderAction, b: ProviderAction): ProviderAction {
  return strictness[b] > strictness[a] ? b : a;
}

const defaultMinConfidence = 0.5;

/** The policy that is at least as strict as both, type by type. */
export function stricterPolicy(base: ProviderPolicy, extra: ProviderPolicy | undefined): ProviderPolicy {
  if (!extra) return base;
  const types = new Set([...Object.keys(base.types ?? {}), ...Object.keys(extra.types ?? {})]);
  const of = (policy: ProviderPolicy, type: string): ProviderAction => policy.types?.[type] ?? policy.default;
  const merged: Record<string, ProviderAction> = {};
  for (const type of types) merged[type] = stricterAction(of(base, type), of(extra, type));
  const minConfidence = Math.min(base.minConfidence ?? defaultMinConfidence, extra.minConfidence ?? defaultMinConfidence);
  // A detector fault may go on-premises only when both policies allow it; otherwise it is refused.
  const onError = base.onError === 'onPremises' && extra.onError === 'onPremises' ? 'onPremises' : 'refuse';
  return { default: stricterAction(base.default, extra.default), ...(types.size > 0 ? { types: merged } : {}), minConfidence, onError };
}
