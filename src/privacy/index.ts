/** Public API of the privacy module (issue 8): detection, masking, restoration, log masking. */
export { createPrivacyEngine, assertTargetAllowed, defaultProviderPolicy, placeholderSystemHint, type PrivacyConfig, type PrivacyEngine, type MaskRequest } from './engine.js';
export type { MaskOutcome, FindingSummary } from './mask.js';
export { Restorer, TextStreamRestorer, ChunkStreamRestorer } from './restore.js';
export { restoreStreamEvents, SseRestorer } from './sse.js';
export { createScanner, type Scanner } from './scanner.js';
export { MemoryPlaceholderStore, type PlaceholderStore, type PlaceholderStyle, type PlaceholderScope } from './placeholders.js';
export { defaultLogPolicy, withheldForLog } from './log.js';
export {
  validResidentId18, validResidentId15, validUscc, validOrgCode, luhnValid, idCheckChar, usccCheckChar, luhnCheckDigit,
} from './checksums.js';
export * from './types.js';
