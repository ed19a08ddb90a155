import type { Principal } from '../http/auth.js';

/** Who owns cached state: one API key, or its team when scope is "team". Open and admin callers are their own tenants. */
export function tenantOf(principal: Principal, scope: 'key' | 'team' = 'key'): string {
  if (principal.kind !== 'key') return principal.kind;
  return scope === 'team' && principal.limits.team ? `team:${principal.limits.team}` : `key:${principal.keyId}`;
}
