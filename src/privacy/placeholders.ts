/**
 * Placeholders: `[TYPE_SUFFIX]`, deterministic per tenant, conversation and value, so the same value gets the
 * same placeholder in every turn and a placeholder reveals nothing about its value.
 *
 * - `hash` style (default, stateless): the suffix is 8 consonants taken from
 *   HMAC-SHA256(secret, tenant ‖ conversation ‖ type ‖ value), e.g. `[PHONE_KXMBTQRD]`.
 * - `counter` style: `[PHONE_1]`, `[PHONE_2]`… numbered by a PlaceholderStore that only ever sees HMAC
 *   digests (of the scope and of the value), never tenants, conversations or values.
 */
import { createHmac } from 'node:crypto';

export interface PlaceholderStore {
  /** The number of `digest` within `scope` and `type`, assigning the next free one the first time. */
  assign(scope: string, type: string, digest: string): Promise<number> | number;
}

export type PlaceholderStyle = { readonly style: 'hash' } | { readonly style: 'counter'; readonly store: PlaceholderStore };

export interface PlaceholderScope {
  readonly tenant: string;
  readonly conversation: string;
}

const alphabet = 'BCDFGHJKLMNPQRSTVWXZ';
const sep = '\u0000';

export class PlaceholderIssuer {
  private readonly secret: Buffer;

  constructor(secret: string | Uint8Array, private readonly style: PlaceholderStyle = { style: 'hash' }) {
    this.secret = Buffer.from(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
    if (this.secret.length < 16) throw new Error('privacy: the placeholder secret must be at least 16 bytes');
  }

  private digest(...parts: string[]): Buffer {
    return createHmac('sha256', this.secret).update(parts.join(sep)).digest();
  }

  /** The placeholder of `value` (its canonical form) of `type` in this tenant's conversation. */
  async placeholder(scope: PlaceholderScope, type: string, value: string): Promise<string> {
    const digest = this.digest('v1', scope.tenant, scope.conversation, type, value);
    if (this.style.style === 'hash') {
      let suffix = '';
      for (let i = 0; i < 8; i++) suffix += alphabet[digest[i]! % alphabet.length];
      return `[${type}_${suffix}]`;
    }
    const scopeKey = this.digest('scope', scope.tenant, scope.conversation).toString('base64url');
    const n = await this.style.store.assign(scopeKey, type, digest.toString('base64url'));
    if (!Number.isSafeInteger(n) || n < 1) throw new Error('privacy: placeholder store returned an invalid number');
    return `[${type}_${n}]`;
  }

  /** A stable conversation id derived from the conversation's first message, for callers without one. */
  conversationId(firstMessage: string): string {
    return this.digest('conversation', firstMessage).toString('base64url').slice(0, 22);
  }
}

/** In-process store for the `counter` style: scopes expire after `ttlMs` idle; the oldest go beyond `maxScopes`. */
export class MemoryPlaceholderStore implements PlaceholderStore {
  private readonly scopes = new Map<string, { byDigest: Map<string, number>; next: Map<string, number>; touched: number }>();

  constructor(private readonly ttlMs = 24 * 3600_000, private readonly maxScopes = 100_000, private readonly now = Date.now) {}

  assign(scope: string, type: string, digest: string): number {
    const time = this.now();
    let entry = this.scopes.get(scope);
    if (entry !== undefined && time - entry.touched > this.ttlMs) {
      this.scopes.delete(scope);
      entry = undefined;
    }
    if (entry === undefined) {
      entry = { byDigest: new Map(), next: new Map(), touched: time };
      if (this.scopes.size >= this.maxScopes) this.scopes.delete(this.scopes.keys().next().value!);
    } else {
      this.scopes.delete(scope); // re-insert to keep Map order = least recently used first
    }
    entry.touched = time;
    this.scopes.set(scope, entry);
    const key = `${type}${sep}${digest}`;
    const known = entry.byDigest.get(key);
    if (known !== undefined) return known;
    const n = (entry.next.get(type) ?? 0) + 1;
    entry.next.set(type, n);
    entry.byDigest.set(key, n);
    return n;
  }
}

/** Matches anything shaped like a placeholder; only ones this request issued are ever restored. */
export const placeholderShape = /\[[A-Z][A-Z0-9_]*_(?:\d{1,9}|[B-DF-HJ-NP-TV-XZ]{8})\]/g;
