import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { priceAt } from '../pricing/price-book.js';

const REDACTED = '[redacted]';
/** Field names whose values are secrets wherever they appear (apiKey, admin.key, signingKey, privacy secret, …). */
const SECRET_NAME = /^key$|key$|secret|token$|password|passwd|authorization|credential|cookie/i;

/** Credentials inside a URL (postgres://user:password@host, redis://:password@host) are replaced. */
function redactUrl(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.password) url.password = 'redacted';
    else if (url.username) url.username = 'redacted';
    return url.toString();
  } catch {
    return REDACTED;
  }
}

/** Every secret value in the config, to catch one repeated in an unexpected place (a base URL, a header). */
function collectSecrets(value: unknown, name: string, into: Set<string>): void {
  if (typeof value === 'string') {
    if (SECRET_NAME.test(name) && value.length >= 6) into.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectSecrets(item, name, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) collectSecrets(item, key, into);
  }
}

function redact(value: unknown, name: string, secrets: ReadonlySet<string>, inHeaders: boolean): unknown {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return value ?? null;
  if (typeof value === 'string') {
    if (inHeaders || SECRET_NAME.test(name)) return REDACTED;
    for (const secret of secrets) if (value.includes(secret)) return REDACTED;
    return redactUrl(value);
  }
  if (typeof value === 'function' || typeof value === 'bigint' || typeof value === 'symbol') return null;
  if (value instanceof Uint8Array) return REDACTED;
  if (value instanceof RegExp) return String(value);
  if (value instanceof Map) return redact(Object.fromEntries(value), name, secrets, inHeaders);
  if (value instanceof Set) return redact([...value], name, secrets, inHeaders);
  if (Array.isArray(value)) return value.map((item) => redact(item, name, secrets, inHeaders));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // Header values often carry credentials (Authorization, x-api-key, cookies): all of them are hidden.
    out[key] = redact(item, key, secrets, inHeaders || /headers$/i.test(key));
  }
  return out;
}

/** The loaded config with every secret replaced by "[redacted]" (exported for tests). */
export function redactedConfig(config: Services['config']): Record<string, unknown> {
  const secrets = new Set<string>();
  collectSecrets(config, '', secrets);
  const { hash: _hash, ...rest } = config;
  return redact(rest, '', secrets, false) as Record<string, unknown>;
}

/** GET /admin/dashboard/settings: the config read-only (secrets redacted) and the dated price catalogue. */
export function settingsPage(services: Services, exchange: Exchange): void {
  const now = new Date();
  sendJson(exchange.response, 200, {
    config_hash: services.config.hash,
    config: redactedConfig(services.config),
    prices: services.config.models.map((model) => ({
      model: model.id,
      provider: model.provider,
      tier: model.tier,
      kind: model.kind,
      upstream: model.upstream,
      unit: 'per 1M tokens',
      in_force: priceAt(model.prices, now)?.since ?? null,
      versions: model.prices.map((price) => ({
        since: price.since,
        currency: price.currency,
        input: price.input,
        cache_read: price.cacheRead ?? null,
        cache_write: price.cacheWrite ?? null,
        output: price.output,
        reasoning: price.reasoning ?? null,
        tariff: price.tariff ?? null,
        batch: price.batch ?? null,
        source: price.source,
      })),
    })),
  });
}
