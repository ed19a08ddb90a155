/**
 * In-process vector index: one hard partition per tenant, then per partition key (scope + context), a linear
 * scan inside it. Bounded in total and per tenant, least recently used first out; entries expire at a fixed time.
 */
import { QueryScorer, type EmbeddingVector } from './vectors.js';

export interface IndexEntry<T> {
  readonly id: number;
  readonly tenant: string;
  readonly partition: string;
  readonly vector: EmbeddingVector;
  /** Identity within the tenant (partition + exact text): storing the same key again replaces the entry. */
  readonly key: string;
  expiresAt: number;
  payload: T;
  /** Position in its partition's array (swap-remove). */
  slot: number;
}

export interface IndexLimits {
  maxEntries: number;
  maxEntriesPerTenant: number;
}

export interface Scored<T> {
  entry: IndexEntry<T>;
  similarity: number;
}

interface TenantShard<T> {
  partitions: Map<string, IndexEntry<T>[]>;
  byKey: Map<string, IndexEntry<T>>;
  /** Insertion order = least recently used first. */
  recency: Map<number, IndexEntry<T>>;
}

export class VectorIndex<T> {
  private readonly tenants = new Map<string, TenantShard<T>>();
  private readonly recency = new Map<number, IndexEntry<T>>();
  private nextId = 1;

  constructor(private readonly limits: IndexLimits) {
    if (!(limits.maxEntries >= 1 && limits.maxEntriesPerTenant >= 1)) throw new Error('semantic cache bounds must be at least 1');
  }

  get size(): number {
    return this.recency.size;
  }

  sizeOf(tenant: string): number {
    return this.tenants.get(tenant)?.recency.size ?? 0;
  }

  add(tenant: string, partition: string, key: string, vector: EmbeddingVector, payload: T, expiresAt: number): IndexEntry<T> {
    const previous = this.tenants.get(tenant)?.byKey.get(key);
    if (previous !== undefined) this.remove(previous);
    let shard = this.tenants.get(tenant);
    if (shard === undefined) {
      shard = { partitions: new Map(), byKey: new Map(), recency: new Map() };
      this.tenants.set(tenant, shard);
    }
    while (shard.recency.size >= this.limits.maxEntriesPerTenant) this.evictOldest(shard.recency);
    while (this.recency.size >= this.limits.maxEntries) this.evictOldest(this.recency);
    let list = shard.partitions.get(partition);
    if (list === undefined) {
      list = [];
      shard.partitions.set(partition, list);
    }
    const entry: IndexEntry<T> = { id: this.nextId++, tenant, partition, key, vector, expiresAt, payload, slot: list.length };
    list.push(entry);
    shard.byKey.set(key, entry);
    shard.recency.set(entry.id, entry);
    this.recency.set(entry.id, entry);
    return entry;
  }

  /** Live entries of one tenant's partition with similarity ≥ minSimilarity, best first, at most `limit`. */
  search(tenant: string, partition: string, query: EmbeddingVector, now: number, minSimilarity: number, limit: number): Scored<T>[] {
    const list = this.tenants.get(tenant)?.partitions.get(partition);
    if (list === undefined) return [];
    const scorer = new QueryScorer(query);
    const best: Scored<T>[] = [];
    const expired: IndexEntry<T>[] = [];
    try {
      for (const entry of list) {
        if (entry.expiresAt <= now) {
          expired.push(entry);
          continue;
        }
        const similarity = scorer.score(entry.vector);
        if (similarity < minSimilarity) continue;
        if (best.length === limit && similarity <= (best.at(-1)?.similarity ?? -Infinity)) continue;
        best.push({ entry, similarity });
        best.sort((a, b) => b.similarity - a.similarity);
        if (best.length > limit) best.pop();
      }
    } finally {
      scorer.release();
    }
    for (const entry of expired) this.remove(entry);
    return best;
  }

  /** Marks an entry as just used (LRU). */
  touch(entry: IndexEntry<T>): void {
    const shard = this.tenants.get(entry.tenant);
    if (shard === undefined || !shard.recency.has(entry.id)) return;
    shard.recency.delete(entry.id);
    shard.recency.set(entry.id, entry);
    this.recency.delete(entry.id);
    this.recency.set(entry.id, entry);
  }

  remove(entry: IndexEntry<T>): void {
    const shard = this.tenants.get(entry.tenant);
    const list = shard?.partitions.get(entry.partition);
    if (shard === undefined || list === undefined || list[entry.slot] !== entry) return;
    const last = list.pop();
    if (last !== undefined && last !== entry) {
      list[entry.slot] = last;
      last.slot = entry.slot;
    }
    if (list.length === 0) shard.partitions.delete(entry.partition);
    shard.byKey.delete(entry.key);
    shard.recency.delete(entry.id);
    this.recency.delete(entry.id);
    if (shard.recency.size === 0) this.tenants.delete(entry.tenant);
  }

  clear(): void {
    this.tenants.clear();
    this.recency.clear();
  }

  private evictOldest(recency: Map<number, IndexEntry<T>>): void {
    const oldest = recency.values().next().value;
    if (oldest !== undefined) this.remove(oldest);
  }
}
