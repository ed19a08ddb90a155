/**
 * The approximate per-replica index of block hashes: what the router believes each replica holds.
 *
 * Updated optimistically when a request is dispatched (the engine will compute and cache its prompt
 * blocks), bounded to the replica's KV capacity in blocks and evicted LRU like the engine's free-block
 * queue. A chain is touched tail first so that its head is the most recent entry: like vLLM, which frees
 * a finished request's blocks in reverse order, the tail of a prefix is forgotten before its head.
 * Sizing rule (GIE): as close as possible to the engine's KV blocks — too small gives false misses,
 * too large false hits.
 *
 * Keys are the low 30 bits of the 53-bit chained hashes, so V8 stores them unboxed (small integers):
 * no per-entry heap number to allocate and collect. A false match needs a collision at the exact next
 * position of a chain (about capacity / 2^30 per lookup, 3·10⁻⁵ at 31,250 blocks): it only misroutes.
 */
const key = (hash: number) => hash % 0x40000000;
export class BlockIndex {
  /** hash → stamp of its last touch. */
  private readonly stamps = new Map<number, number>();
  /** Touches in order (a ring of hash/stamp pairs in typed arrays); entries whose stamp is stale are skipped. */
  private queueHash: Float64Array;
  private queueStamp: Float64Array;
  private head = 0;
  private tail = 0;
  private stamp = 0;

  constructor(readonly capacityBlocks: number) {
    if (!Number.isInteger(capacityBlocks) || capacityBlocks < 1) throw new RangeError('capacityBlocks must be a positive integer');
    const initial = Math.min(2 * capacityBlocks + 16, 1 << 16);
    this.queueHash = new Float64Array(initial);
    this.queueStamp = new Float64Array(initial);
  }

  get size(): number {
    return this.stamps.size;
  }

  has(hash: number): boolean {
    return this.stamps.has(key(hash));
  }

  /** How many leading hashes of the chain this replica holds (does not refresh recency). */
  matchLength(hashes: readonly number[]): number {
    let n = 0;
    while (n < hashes.length && this.stamps.has(key(hashes[n]!))) n++;
    return n;
  }

  /** Records a chain as resident (most recent), evicting least-recently-used blocks beyond capacity. */
  insert(hashes: readonly number[]): void {
    for (let i = Math.min(hashes.length, this.capacityBlocks) - 1; i >= 0; i--) {
      const hash = key(hashes[i]!);
      const stamp = ++this.stamp;
      this.stamps.set(hash, stamp);
      this.push(hash, stamp);
    }
    while (this.stamps.size > this.capacityBlocks) {
      const hash = this.queueHash[this.head]!;
      const stamp = this.queueStamp[this.head]!;
      this.head++;
      if (this.stamps.get(hash) === stamp) this.stamps.delete(hash);
    }
  }

  /** Forgets everything (replica restarted, or its cache was reset). */
  clear(): void {
    this.stamps.clear();
    this.head = 0;
    this.tail = 0;
  }

  private push(hash: number, stamp: number): void {
    if (this.tail === this.queueHash.length) this.compact();
    this.queueHash[this.tail] = hash;
    this.queueStamp[this.tail] = stamp;
    this.tail++;
  }

  /** Drops stale queue entries; grows the arrays when the live ones fill most of them. */
  private compact(): void {
    let out = 0;
    for (let i = this.head; i < this.tail; i++) {
      const hash = this.queueHash[i]!;
      const stamp = this.queueStamp[i]!;
      if (this.stamps.get(hash) !== stamp) continue;
      this.queueHash[out] = hash;
      this.queueStamp[out] = stamp;
      out++;
    }
    this.head = 0;
    this.tail = out;
    if (out > this.queueHash.length * 0.75) {
      const hashes = new Float64Array(this.queueHash.length * 2);
      const stamps = new Float64Array(this.queueHash.length * 2);
      hashes.set(this.queueHash.subarray(0, out));
      stamps.set(this.queueStamp.subarray(0, out));
      this.queueHash = hashes;
      this.queueStamp = stamps;
    }
  }
}
