import { createHash } from 'node:crypto';
import type { ChatRequest } from '../../canonical/chat.js';
import { stableStringify } from '../../canonical/stable-json.js';
import type { ModelConfig, ProviderConfig } from '../../config/types.js';

/**
 * Request fields that never change the answer, so they stay out of the key: the transport mode (a hit
 * is replayed as JSON or SSE, whichever is asked) and end-user telemetry. Everything else, including
 * fields Tidegate does not know, is part of the key: an unknown parameter may change the answer.
 */
const VOLATILE_FIELDS: ReadonlySet<string> = new Set(['stream', 'stream_options', 'user']);

/** Whose answers an entry may serve. Entries never cross tenants. */
export type Tenant = string;

export interface KeyParts {
  readonly tenant: Tenant;
  /** chat or messages: the same request through the Anthropic endpoint is its own entry. */
  readonly endpoint: string;
  /** The deployment that would answer: model, provider, base URL and upstream model name. */
  readonly model: ModelConfig;
  readonly provider: ProviderConfig;
  readonly request: ChatRequest;
}

/** KEY_VERSION changes whenever the key recipe changes, so old entries are never read with a new meaning. */
const KEY_VERSION = 1;

/** SHA-256 over canonical JSON (sorted keys) of everything that can change the answer. */
export function exactCacheKey(parts: KeyParts): string {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parts.request)) if (!VOLATILE_FIELDS.has(name)) body[name] = value;
  const material = {
    v: KEY_VERSION,
    tenant: parts.tenant,
    endpoint: parts.endpoint,
    deployment: {
      model: parts.model.id,
      upstream: parts.model.upstream,
      provider: parts.provider.id,
      preset: parts.provider.preset,
      baseUrl: parts.provider.baseUrl,
    },
    body,
  };
  return createHash('sha256').update(stableStringify(material)).digest('hex');
}

/** Cached by default only when the answer is reproducible: temperature 0, or a seed. */
export function isDeterministic(request: ChatRequest): boolean {
  return request.temperature === 0 || (typeof request.seed === 'number' && Number.isFinite(request.seed));
}
