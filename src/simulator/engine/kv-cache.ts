/**
 * Paged KV cache with prefix caching, after vLLM: `numBlocks` blocks of `blockSize` tokens. A request's
 * full prompt blocks are content-addressed by chained hash and shared (ref-counted); its partial last
 * block and its output blocks are private while it runs. When a request ends, its shared blocks whose count
 * drops to zero, and the blocks its output filled, stay cached in an LRU free queue (tail first, so heads
 * outlive tails) and are evicted only when space is needed. The hit is computed here, when the scheduler
 * admits the request: the longest run of resident leading blocks (never the whole prompt: the last token
 * is always recomputed).
 */

export interface Allocation {
  /** Chained hashes of the request's full prompt blocks, all referenced while it runs. */
  hashes: readonly string[];
  privateBlocks: number;
  cachedTokens: number;
}

export class KvCache {
  /** Resident content-addressed blocks and their reference counts. */
  private readonly refs = new Map<string, number>();
  /** Resident blocks with no reference, least recently freed first (eviction order). */
  private readonly free = new Map<string, true>();
  private privateTotal = 0;
  evictions = 0;

  constructor(readonly numBlocks: number, readonly blockSize: number, readonly prefixCaching = true) {}

  /** Blocks a request needs in total (prompt plus output), ignoring sharing. */
  blocksFor(promptTokens: number, maxTokens: number): number {
    return Math.ceil((promptTokens + maxTokens) / this.blockSize);
  }

  /** Blocks in use by running requests (cached-but-free blocks count as free, as in vLLM). */
  get usedBlocks(): number {
    return this.refs.size - this.free.size + this.privateTotal;
  }

  get usage(): number {
    return this.usedBlocks / this.numBlocks;
  }

  get cachedBlocks(): number {
    return this.refs.size;
  }

  /** Admits a request if its blocks fit (evicting free cached blocks LRU); undefined when they do not. */
  allocate(hashes: readonly string[], promptTokens: number, maxTokens: number): Allocation | undefined {
    const shared = this.prefixCaching ? hashes : [];
    let hit = 0;
    while (hit < shared.length && this.refs.has(shared[hit]!)) hit++;
    if (hit * this.blockSize >= promptTokens) hit = Math.max(0, hit - 1);
    const privateBlocks = this.blocksFor(promptTokens, maxTokens) - shared.length;
    let newShared = 0;
    let freedByRef = 0;
    for (const hash of shared) {
      if (!this.refs.has(hash)) newShared++;
      else if (this.free.has(hash)) freedByRef++;
    }
    const needed = newShared + privateBlocks;
    const available = this.numBlocks - this.refs.size - this.privateTotal + (this.free.size - freedByRef);
    if (needed > available) return undefined;
    for (const hash of shared) {
      const count = this.refs.get(hash);
      if (count !== undefined) {
        if (count === 0) this.free.delete(hash);
        this.refs.set(hash, count + 1);
      }
    }
    this.evictBeyond(needed);
    for (const hash of shared) if (!this.refs.has(hash)) this.refs.set(hash, 1);
    this.privateTotal += privateBlocks;
    return { hashes: shared, privateBlocks, cachedTokens: hit * this.blockSize };
  }

  /**
   * Releases a finished or aborted request's blocks; its prompt blocks stay cached until evicted.
   * `sequence` (optional) is the chain of the prompt followed by the generated tokens: its full blocks
   * beyond the prompt's were filled by decoding and stay cached too (vLLM V1 hashes a block once it is
   * full, output included; SGLang inserts prompt + output into its radix tree), so the next turn of a
   * conversation can reuse the answer. They replace the request's private blocks (evicting older free
   * blocks if the answer re-tokenizes longer) and go first in the eviction order.
   */
  release(allocation: Allocation, sequence: readonly string[] = []): void {
    this.privateTotal -= allocation.privateBlocks;
    if (this.prefixCaching) {
      let from = 0;
      while (from < allocation.hashes.length && from < sequence.length && sequence[from] === allocation.hashes[from]) from++;
      for (let i = sequence.length - 1; i >= from; i--) {
        const hash = sequence[i]!;
        const count = this.refs.get(hash);
        if (count === undefined) {
          this.refs.set(hash, 0);
          this.free.set(hash, true);
        } else if (count === 0) {
          this.free.delete(hash);
          this.free.set(hash, true);
        }
      }
    }
    for (let i = allocation.hashes.length - 1; i >= 0; i--) {
      const hash = allocation.hashes[i]!;
      const count = this.refs.get(hash);
      if (count === undefined) continue;
      if (count <= 1) {
        this.refs.set(hash, 0);
        this.free.set(hash, true);
      } else this.refs.set(hash, count - 1);
    }
    this.evictBeyond(0);
  }

  /** Evicts free cached blocks, least recently freed first, until `needed` blocks are unused. */
  private evictBeyond(needed: number): void {
    while (this.numBlocks - this.refs.size - this.privateTotal < needed && this.free.size > 0) {
      const oldest = this.free.keys().next().value as string;
      this.free.delete(oldest);
      this.refs.delete(oldest);
      this.evictions++;
    }
  }

  /** Drops every unreferenced cached block (vLLM's /reset_prefix_cache). */
  resetPrefixCache(): void {
    for (const hash of this.free.keys()) this.refs.delete(hash);
    this.free.clear();
  }
}
