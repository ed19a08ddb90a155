/** Unit-length vectors: dense from an embedding model, sparse (hashed n-grams) from the lexical embedder. */

export interface SparseVector {
  /** Sorted, distinct. */
  indices: Uint32Array;
  values: Float32Array;
}
export type EmbeddingVector = Float32Array | SparseVector;

/** Texts to vectors; the one configured embedding model or the built-in lexical one. */
export type Embedder = (texts: string[]) => Promise<number[][]>;

/** Hashed n-gram space: small enough that the scratch array (256 KiB) stays in cache during a scan. */
export const SPARSE_DIMENSIONS = 1 << 16;

export function normaliseDense(values: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(values);
  let norm = 0;
  for (const v of out) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) / norm;
  return out;
}

export function sparseFromMap(weights: Map<number, number>): SparseVector {
  const indices = Uint32Array.from([...weights.keys()].sort((a, b) => a - b));
  const values = new Float32Array(indices.length);
  let norm = 0;
  for (const w of weights.values()) norm += w * w;
  norm = Math.sqrt(norm) || 1;
  indices.forEach((index, i) => {
    values[i] = (weights.get(index) ?? 0) / norm;
  });
  return { indices, values };
}

/**
 * Scores many stored vectors against one query. A sparse query is scattered once into a dense scratch array,
 * so each stored vector costs one gather per non-zero.
 */
export class QueryScorer {
  private static scratch: Float32Array | undefined;
  private readonly dense: Float32Array;
  private readonly sparse: SparseVector | undefined;

  constructor(query: EmbeddingVector) {
    if (query instanceof Float32Array) {
      this.dense = query;
      this.sparse = undefined;
    } else {
      QueryScorer.scratch ??= new Float32Array(SPARSE_DIMENSIONS);
      this.dense = QueryScorer.scratch;
      this.sparse = query;
      query.indices.forEach((index, i) => {
        this.dense[index] = query.values[i] ?? 0;
      });
    }
  }

  // The hot loop of every lookup: indices are in range by construction, so the `!`s only silence
  // noUncheckedIndexedAccess (a `?? 0` per element costs about half the speed).
  score(stored: EmbeddingVector): number {
    const q = this.dense;
    let sum = 0;
    if (stored instanceof Float32Array) {
      if (this.sparse !== undefined || stored.length !== q.length) return 0;
      let [s1, s2, s3] = [0, 0, 0];
      const n = q.length - (q.length % 4);
      for (let i = 0; i < n; i += 4) {
        sum += q[i]! * stored[i]!;
        s1 += q[i + 1]! * stored[i + 1]!;
        s2 += q[i + 2]! * stored[i + 2]!;
        s3 += q[i + 3]! * stored[i + 3]!;
      }
      for (let i = n; i < q.length; i++) sum += q[i]! * stored[i]!;
      return sum + s1 + s2 + s3;
    }
    if (this.sparse === undefined) return 0;
    const { indices, values } = stored;
    for (let i = 0; i < indices.length; i++) sum += q[indices[i]!]! * values[i]!;
    return sum;
  }

  /** Clears the shared scratch array; call once scoring is done. */
  release(): void {
    if (this.sparse !== undefined) for (const index of this.sparse.indices) this.dense[index] = 0;
  }
}
