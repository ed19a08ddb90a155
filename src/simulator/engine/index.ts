/** The simulated inference engine: paged KV with prefix caching, a batching step loop, vLLM metrics, OpenAI protocol. */
export { ScaledClock, VirtualClock, type Clock } from './clock.js';
export { DEFAULT_ENGINE_CONFIG, EngineCore, type EngineConfig, type EngineCounters, type EngineJob, type EngineResult } from './core.js';
export { KvCache, type Allocation } from './kv-cache.js';
export { Histogram, renderMetrics } from './metrics.js';
export { startEngineServer, type EngineServer, type EngineServerOptions } from './server.js';
export { answerSeed, appendText, applyChatTemplate, blockHashes, outputText, outputToken, tokenize, type EngineMessage } from './tokenizer.js';
