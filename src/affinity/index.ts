/** Prefix-affinity routing for self-hosted replicas: the picker, its index, load signals and baselines. */
export { chainedBlockHashes, hashBlock, namespaceHash, promptTokens, renderPrompt, textToTokens, withAnswer, type PromptInput, type PromptMessage } from './block-hash.js';
export { BlockIndex } from './block-index.js';
export { LoadTracker, type LoadTrackerOptions } from './load.js';
export { parsePrometheusText, parseVllmMetrics, type PromSample, type ReplicaMetrics } from './metrics.js';
export { BasePicker, NoHealthyReplicaError, type BasePickerOptions, type PickReason, type PickRequest, type PickResult, type ReplicaPicker } from './picker.js';
export { PrefixAffinityPicker, type BalanceOptions, type PrefixAffinityOptions } from './prefix-affinity.js';
export { ConsistentHashPicker, LeastLoadedPicker, RoundRobinPicker, type ConsistentHashOptions } from './baselines.js';
