/**
 * The implicit label: GB 45438-2025 Annex E metadata, a JSON object under a name containing "AIGC" with
 * seven string elements. Tidegate relays generated text, so it fills the propagator's elements as well:
 * ContentPropagator is the gateway operator, PropagateID this response's request id.
 */
import { createHmac } from 'node:crypto';
import type { AigcConfig } from './config.js';

export interface AigcMetadata {
  /** "1": the content is AI-generated (2 = possibly, 3 = suspected); ours is always "1", an upstream's is kept. */
  readonly Label: '1' | '2' | '3';
  readonly ContentProducer: string;
  readonly ProduceID: string;
  readonly ReservedCode1: string;
  readonly ContentPropagator: string;
  readonly PropagateID: string;
  readonly ReservedCode2: string;
}

/** Values keep to printable ASCII without quotes, backslashes or spaces, so they fit headers and file metadata. */
function asCode(value: string): string {
  return value.replace(/[^\x21-\x7e]|["\\]/g, '_').slice(0, 128);
}

export interface Production {
  /** The provider id that generated the answer (a cache hit names the model that originally answered). */
  readonly provider: string;
  /** The producer's id for the content: the upstream response id when it sent one. */
  readonly produceId: string | undefined;
  /** This gateway's id for the response (x-tidegate-request-id). */
  readonly requestId: string;
}

/**
 * The producer's elements of metadata an upstream sent (an `AIGC` field on its answer), when it is
 * well-formed: a relay keeps them as they are (标识办法 Art. 10) and adds only its propagator elements.
 */
export function upstreamProducer(value: unknown): Pick<AigcMetadata, 'Label' | 'ContentProducer' | 'ProduceID' | 'ReservedCode1'> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!['1', '2', '3'].includes(v.Label as string) || typeof v.ContentProducer !== 'string' || typeof v.ProduceID !== 'string') return undefined;
  return { Label: v.Label as AigcMetadata['Label'], ContentProducer: v.ContentProducer, ProduceID: v.ProduceID, ReservedCode1: typeof v.ReservedCode1 === 'string' ? v.ReservedCode1 : '' };
}

export function aigcMetadata(config: AigcConfig, production: Production, upstream?: unknown): AigcMetadata {
  const base = {
    ...(upstreamProducer(upstream) ?? {
      Label: '1' as const,
      ContentProducer: asCode(config.producers[production.provider] ?? production.provider),
      ProduceID: asCode(production.produceId || production.requestId),
      // Integrity information is the producer's to give; upstream providers send none today.
      ReservedCode1: '',
    }),
    ContentPropagator: asCode(config.propagator),
    PropagateID: asCode(production.requestId),
  };
  const signed = config.signingKey ? createHmac('sha256', config.signingKey).update(JSON.stringify(base)).digest('hex') : '';
  return { ...base, ReservedCode2: signed };
}

/** The metadata as a header value: JSON with anything outside printable ASCII written as \\u escapes. */
export function aigcHeaderValue(metadata: AigcMetadata): string {
  return JSON.stringify(metadata).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Checks ReservedCode2 against the signing key (for downstream consumers and tests). */
export function verifyAigcMetadata(metadata: AigcMetadata, signingKey: string): boolean {
  const { ReservedCode2, ...base } = metadata;
  return ReservedCode2 === createHmac('sha256', signingKey).update(JSON.stringify(base)).digest('hex');
}
