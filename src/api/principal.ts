import type { Principal } from '../http/auth.js';

export function keyIdOf(principal: Principal): string | undefined {
  return principal.kind === 'key' ? principal.keyId : principal.kind === 'admin' ? 'admin' : undefined;
}
