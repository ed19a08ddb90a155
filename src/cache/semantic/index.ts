export {
  createSemanticCache,
  DEFAULT_SEMANTIC_MAX_ENTRIES,
  DEFAULT_SEMANTIC_MAX_QUERY_CHARS,
  DEFAULT_SEMANTIC_THRESHOLD,
  DEFAULT_SEMANTIC_TTL_MS,
} from './semantic-cache.js';
export type { SemanticCache, SemanticCacheOptions, SemanticHit, SemanticLookupEvent } from './semantic-cache.js';
export type { Conversation, ConversationMessage } from './conversation.js';
export type { Embedder } from './vectors.js';
export { guardsConflict } from './guards.js';
export { evaluateSemanticPairs, loadSemanticPairs } from './calibration.js';
export type { LabelledPair, SemanticEvaluation, SplitMetrics } from './calibration.js';
