import { createHash, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors/catalogue.js';
import type { KeyLimits } from '../storage/index.js';

export type Principal =
  | { readonly kind: 'open' }
  | { readonly kind: 'admin' }
  | { readonly kind: 'key'; readonly keyId: string; readonly name: string; readonly limits: KeyLimits };

export interface KeyStore {
  verify(key: string): Promise<({ id: string; name: string } & KeyLimits) | null>;
  countActive(): Promise<number>;
}

const cacheLimit = 10_000;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Virtual-key authentication. With no admin key and no active virtual key the gateway is open (and
 * the server binds to loopback only). Verified keys are cached briefly by hash, bounded; a revocation
 * through the admin API clears the cache at once; on other nodes (and after the CLI) a change notice
 * drops the key (forgetKey, src/cluster/notices.ts), and without one it takes effect within `ttlMs`.
 */
export class Authenticator {
  private readonly cache = new Map<string, { principal: Principal | null; expires: number }>();
  private openMode: boolean;
  /** Grows at every forget or refresh, so a lookup in flight across one is not cached. */
  private generation = 0;

  constructor(
    private readonly store: KeyStore,
    private readonly adminKey: string | undefined,
    activeKeys: number,
    private readonly ttlMs = 10_000,
    private readonly now: () => number = Date.now,
    /** Told of every authenticated virtual key, for batched last-used updates. */
    private readonly onUse: (keyId: string) => void = () => undefined,
  ) {
    this.openMode = adminKey === undefined && activeKeys === 0;
  }

  get isOpen(): boolean {
    return this.openMode;
  }

  /** Re-read whether any key exists (a key created by the CLI closes an open gateway). */
  async refresh(): Promise<void> {
    this.generation += 1;
    if (this.adminKey === undefined) this.openMode = (await this.store.countActive()) === 0;
    this.cache.clear();
  }

  /** Drops every cached verification of this key (revoked, or its limits changed); the next use reads the store. */
  forgetKey(keyId: string): void {
    this.generation += 1;
    for (const [hash, entry] of this.cache) {
      if (entry.principal?.kind === 'key' && entry.principal.keyId === keyId) this.cache.delete(hash);
    }
  }

  async authenticate(presented: string | undefined): Promise<Principal> {
    if (this.openMode) return { kind: 'open' };
    if (!presented) throw new GatewayError('missing_api_key', 'No API key: send "Authorization: Bearer <key>" or "x-api-key: <key>".');
    if (this.adminKey !== undefined && safeEqual(presented, this.adminKey)) return { kind: 'admin' };
    const hash = sha256(presented);
    const cached = this.cache.get(hash);
    let principal: Principal | null;
    if (cached && cached.expires > this.now()) principal = cached.principal;
    else {
      const started = this.generation;
      const found = await this.store.verify(presented);
      principal = found
        ? { kind: 'key', keyId: found.id, name: found.name, limits: { team: found.team, dailyBudgetNano: found.dailyBudgetNano, monthlyBudgetNano: found.monthlyBudgetNano, rpm: found.rpm, maxPriority: found.maxPriority } }
        : null;
      // A lookup that raced a forgetKey() or refresh() may have read the old row: use it once, do not keep it.
      if (started === this.generation) {
        if (this.cache.size >= cacheLimit) this.cache.delete(this.cache.keys().next().value as string);
        this.cache.set(hash, { principal, expires: this.now() + this.ttlMs });
      }
    }
    if (!principal) throw new GatewayError('invalid_api_key', 'The API key is unknown or revoked.');
    if (principal.kind === 'key') this.onUse(principal.keyId);
    return principal;
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(sha256(a));
  const right = Buffer.from(sha256(b));
  return timingSafeEqual(left, right);
}

/** The key a client presented: OpenAI SDKs send a Bearer token, Anthropic SDKs x-api-key. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1];
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey : undefined;
}
