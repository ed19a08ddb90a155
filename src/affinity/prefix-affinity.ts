/**
 * Prefix-affinity replica picker (the SGLang cache-aware rule on a GIE-style chained-hash index).
 *
 *   1. A sticky session goes back to its replica while that replica is healthy.
 *   2. If the fleet is imbalanced — max load − min load > absThreshold and max > ratio × min — the
 *      least-loaded replica wins (ties: longest match). Load is running + waiting from /metrics when
 *      fresh, else the gateway's in-flight count (see load.ts).
 *   3. Otherwise the replica with the longest matched prefix wins (ties: least loaded) when the match
 *      covers at least `minMatchRatio` of the prompt's blocks; else the least-loaded replica.
 * The chosen replica's index is updated with the prompt's chain at dispatch (optimistic, no engine
 * feedback), and with the chain of prompt + answer when the answer is known (`onAnswer`): engines cache
 * the blocks their output fills (vLLM V1, SGLang's radix tree inserts the generated tokens), and the next
 * turn of a conversation starts with them. Each index is bounded to the replica's KV capacity, LRU.
 */
import { chainedBlockHashes, namespaceHash, promptTokens, withAnswer } from './block-hash.js';
import { BlockIndex } from './block-index.js';
import { BasePicker, type BasePickerOptions, type PickRequest, type PickResult } from './picker.js';

export interface BalanceOptions {
  /** Imbalanced when max − min load exceeds this (SGLang default 64; a few for small fleets). */
  absThreshold: number;
  /** ... and max load exceeds ratio × min load (SGLang default 1.5). */
  ratio: number;
}

export interface PrefixAffinityOptions extends BasePickerOptions {
  /** Router tokens per block (default 16). */
  blockSize?: number;
  /** Blocks each replica's index holds: the replica's KV capacity expressed in router blocks. */
  capacityBlocks: number;
  balance?: BalanceOptions;
  /** Minimum matched fraction of the prompt's blocks to follow affinity (SGLang cache_threshold, default 0.3). */
  minMatchRatio?: number;
  /** At most this many leading blocks are hashed (default 4096). */
  maxBlocks?: number;
  /** Seeds hash_0 (for example the model name), default ''. */
  namespace?: string;
}

export class PrefixAffinityPicker extends BasePicker {
  readonly name = 'prefix-affinity';
  private readonly blockSize: number;
  private readonly balance: BalanceOptions;
  private readonly minMatchRatio: number;
  private readonly maxBlocks: number;
  private readonly seed: number;
  private readonly indexes = new Map<string, BlockIndex>();

  constructor(options: PrefixAffinityOptions) {
    super(options);
    this.blockSize = options.blockSize ?? 16;
    this.balance = options.balance ?? { absThreshold: 8, ratio: 1.5 };
    this.minMatchRatio = options.minMatchRatio ?? 0.3;
    this.maxBlocks = options.maxBlocks ?? 4096;
    this.seed = namespaceHash(options.namespace ?? '');
    for (const replica of this.replicas) this.indexes.set(replica, new BlockIndex(options.capacityBlocks));
  }

  /** The chained block hashes the picker computes for a prompt. */
  hashes(request: PickRequest): number[] {
    return chainedBlockHashes(promptTokens(request.prompt), this.blockSize, this.seed, this.maxBlocks);
  }

  pick(request: PickRequest): PickResult {
    const hashes = this.hashes(request);
    const total = hashes.length;
    const matchOf = (replica: string) => this.indexes.get(replica)!.matchLength(hashes);
    const choose = (replica: string, reason: PickResult['reason']): PickResult => {
      const matchedBlocks = matchOf(replica);
      this.indexes.get(replica)!.insert(hashes);
      this.bindSession(request.sessionId, replica);
      return { replica, matchedBlocks, totalBlocks: total, reason };
    };

    const sticky = this.stickyReplica(request.sessionId);
    if (sticky !== undefined) return choose(sticky, 'session');

    const healthy = this.healthy();
    if (this.imbalanced(healthy)) return choose(this.leastLoaded(healthy, matchOf), 'balance');

    let best: string | undefined;
    let bestMatch = 0;
    for (const replica of healthy) {
      const match = matchOf(replica);
      if (match > bestMatch || (match === bestMatch && match > 0 && best !== undefined && this.load.load(replica) < this.load.load(best))) {
        best = replica;
        bestMatch = match;
      }
    }
    if (best !== undefined && total > 0 && bestMatch / total >= this.minMatchRatio) return choose(best, 'prefix');
    return choose(this.leastLoaded(healthy), 'least-loaded');
  }

  onAnswer(replica: string, request: PickRequest, answer: string): void {
    const index = this.indexes.get(replica);
    if (index === undefined || answer === '' || !this.isHealthy(replica)) return;
    index.insert(this.hashes({ prompt: withAnswer(request.prompt, answer) }));
  }

  /** SGLang's imbalance test over the healthy replicas. */
  imbalanced(replicas: readonly string[] = this.replicas): boolean {
    let max = -Infinity;
    let min = Infinity;
    for (const replica of replicas) {
      const load = this.load.load(replica);
      max = Math.max(max, load);
      min = Math.min(min, load);
    }
    return max - min > this.balance.absThreshold && max > this.balance.ratio * min;
  }

  /** Blocks the router believes a replica holds. */
  indexSize(replica: string): number {
    return this.indexes.get(replica)?.size ?? 0;
  }

  /** Forgets a replica's cached blocks (restart or cache reset). */
  resetReplica(replica: string): void {
    this.indexes.get(replica)?.clear();
    this.load.resetMetrics(replica);
  }

  override setHealthy(replica: string, healthy: boolean): void {
    if (!healthy) this.indexes.get(replica)?.clear();
    super.setHealthy(replica, healthy);
  }
}
