/**
 * Semantic response cache. A hit needs, in this order: the same tenant (hard partition), the same scope (model,
 * route, parameters; computed by the caller), the same system prompt and earlier turns (exact, after width and
 * whitespace normalisation), a last message at least `threshold` similar, and no guard conflict (guards.ts).
 */
import { contextKey, lastText, normaliseWhitespace, type Conversation } from './conversation.js';
import { featuresConflict } from './guards.js';
import { lexicalVector } from './lexical-embedder.js';
import { extractFeatures, type QueryFeatures } from './query-features.js';
import { VectorIndex } from './vector-index.js';
import { normaliseDense, type Embedder, type EmbeddingVector } from './vectors.js';

/**
 * Calibrated for the built-in lexical similarity on test/fixtures/semantic-pairs (calibration split). Recompute
 * after changing the lexicon, the embedder or the pairs: `npx vite-node bench/semantic-calibrate.ts`.
 */
export const DEFAULT_SEMANTIC_THRESHOLD = 0.546;
export const DEFAULT_SEMANTIC_TTL_MS = 60 * 60 * 1000;
export const DEFAULT_SEMANTIC_MAX_ENTRIES = 10_000;
/** Longer last messages are neither looked up nor stored: feature extraction is linear (~5 ms per 2k chars). */
export const DEFAULT_SEMANTIC_MAX_QUERY_CHARS = 2000;

export interface SemanticCacheOptions {
  /** Cosine similarity a hit needs. Required with `embed`: the default is calibrated for the lexical similarity only. */
  threshold?: number;
  maxEntries?: number;
  maxEntriesPerTenant?: number;
  ttlMs?: number;
  embed?: Embedder;
  /** Last messages longer than this (after normalisation) bypass the semantic cache. */
  maxQueryChars?: number;
  /** How many nearest candidates are checked against the guards before giving up. */
  candidates?: number;
  /** Called on every lookup with the nearest neighbour's similarity, for tuning and logging. */
  onLookup?: (event: SemanticLookupEvent) => void;
}

export interface SemanticLookupEvent {
  tenant: string;
  scope: string;
  hit: boolean;
  /** Similarity of the nearest live entry in the partition, if any. */
  nearest?: number;
  /** Why the nearest candidate above the threshold was refused. */
  rejected?: string;
}

export interface SemanticHit<T> {
  value: T;
  similarity: number;
}

export interface SemanticCache<T> {
  lookup(tenant: string, scope: string, conversation: Conversation, now?: number): Promise<SemanticHit<T> | undefined>;
  store(tenant: string, scope: string, conversation: Conversation, value: T, now?: number): Promise<void>;
  readonly size: number;
  sizeOf(tenant: string): number;
  clear(): void;
}

interface Payload<T> {
  text: string;
  features: QueryFeatures;
  value: T;
}

export type Vectoriser = (texts: string[]) => Promise<EmbeddingVector[]>;

export function vectoriserFor(embed?: Embedder): Vectoriser {
  if (embed === undefined) return async (texts) => texts.map(lexicalVector);
  return async (texts) => {
    const vectors = await embed(texts);
    if (vectors.length !== texts.length) throw new Error(`embedder returned ${vectors.length} vectors for ${texts.length} texts`);
    return vectors.map(normaliseDense);
  };
}

const partitionOf = (scope: string, conversation: Conversation): string => `${scope}\u0000${contextKey(conversation)}`;

export function createSemanticCache<T>(options: SemanticCacheOptions = {}): SemanticCache<T> {
  if (options.embed !== undefined && options.threshold === undefined) {
    throw new Error('semantic cache: a threshold calibrated for this embedder is required (see evaluateSemanticPairs)');
  }
  const threshold = options.threshold ?? DEFAULT_SEMANTIC_THRESHOLD;
  const ttlMs = options.ttlMs ?? DEFAULT_SEMANTIC_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_SEMANTIC_MAX_ENTRIES;
  const candidates = options.candidates ?? 4;
  const maxQueryChars = options.maxQueryChars ?? DEFAULT_SEMANTIC_MAX_QUERY_CHARS;
  const queryOf = (conversation: Conversation): string | undefined => {
    const text = normaliseWhitespace(lastText(conversation));
    return text === '' || text.length > maxQueryChars ? undefined : text;
  };
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`semantic cache: threshold must be in (0, 1], got ${threshold}`);
  const vectorise = vectoriserFor(options.embed);
  const index = new VectorIndex<Payload<T>>({ maxEntries, maxEntriesPerTenant: options.maxEntriesPerTenant ?? maxEntries });

  return {
    async lookup(tenant, scope, conversation, now = Date.now()) {
      const text = queryOf(conversation);
      if (text === undefined) return undefined;
      const [vector] = await vectorise([text]);
      if (vector === undefined) return undefined;
      const partition = partitionOf(scope, conversation);
      const scored = index.search(tenant, partition, vector, now, -Infinity, candidates);
      const nearest = scored[0]?.similarity;
      const found = scored.filter((s) => s.similarity >= threshold);
      let rejected: string | undefined;
      if (found.length > 0) {
        const features = extractFeatures(text);
        for (const { entry, similarity } of found) {
          const reason = featuresConflict(entry.payload.features, features);
          if (reason !== undefined) {
            rejected ??= reason;
            continue;
          }
          index.touch(entry);
          options.onLookup?.({ tenant, scope, hit: true, nearest: scored[0]?.similarity ?? similarity });
          return { value: entry.payload.value, similarity };
        }
      }
      options.onLookup?.({ tenant, scope, hit: false, ...(nearest === undefined ? {} : { nearest }), ...(rejected === undefined ? {} : { rejected }) });
      return undefined;
    },

    async store(tenant, scope, conversation, value, now = Date.now()) {
      const text = queryOf(conversation);
      if (text === undefined) return;
      const [vector] = await vectorise([text]);
      if (vector === undefined) return;
      const partition = partitionOf(scope, conversation);
      index.add(tenant, partition, `${partition}\u0000${text}`, vector, { text, features: extractFeatures(text), value }, now + ttlMs);
    },

    get size() {
      return index.size;
    },
    sizeOf: (tenant) => index.sizeOf(tenant),
    clear: () => index.clear(),
  };
}
