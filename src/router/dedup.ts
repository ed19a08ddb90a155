import type { RoutingRecord } from './datasets.js';

/** Lower-cased, punctuation-free, single-spaced text: what "the same prompt" means across datasets that re-wrap
 * MMLU/GSM8K items with different whitespace, quotes or answer-option punctuation. */
export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

const HASHES = 32;
const BANDS = 8; // 8 bands x 4 rows: pairs at Jaccard 0.9 collide in some band with probability > 0.999
const ROWS = HASHES / BANDS;
const SEEDS = Array.from({ length: HASHES }, (_, i) => (Math.imul(i + 1, 0x9e3779b1) ^ 0x5bd1e995) >>> 0);

function shingles(text: string): Set<number> {
  const out = new Set<number>();
  if (text.length < 5) { out.add(fnv(text, 0, text.length)); return out; }
  for (let i = 0; i + 5 <= text.length; i++) out.add(fnv(text, i, i + 5));
  return out;
}

function fnv(s: string, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function mix(x: number, seed: number): number {
  let h = Math.imul(x ^ seed, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function jaccard(a: Set<number>, b: Set<number>): number {
  let inter = 0;
  const [small, big] = a.size < b.size ? [a, b] : [b, a];
  for (const x of small) if (big.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

export interface DedupResult {
  /** Record id → group id; records in one group are exact or near (char 5-gram Jaccard ≥ threshold) duplicates. */
  group: Map<string, number>;
  exactPairs: number;
  nearPairs: number;
}

/** Groups duplicates: exact matches after normalise(), then MinHash-LSH candidates verified by true Jaccard. */
export function findDuplicates(records: readonly RoutingRecord[], threshold = 0.9): DedupResult {
  const parent = records.map((_, i) => i);
  const find = (i: number): number => { while (parent[i] !== i) { parent[i] = parent[parent[i]!]!; i = parent[i]!; } return i; };
  const union = (a: number, b: number): boolean => { const ra = find(a), rb = find(b); if (ra === rb) return false; parent[Math.max(ra, rb)] = Math.min(ra, rb); return true; };
  const norm = records.map((r) => normalise(r.prompt));
  let exactPairs = 0;
  let nearPairs = 0;
  const byText = new Map<string, number>();
  norm.forEach((t, i) => { const j = byText.get(t); if (j === undefined) byText.set(t, i); else if (union(i, j)) exactPairs++; });
  const sets = norm.map(shingles);
  const buckets = new Map<string, number[]>();
  sets.forEach((set, i) => {
    if (byText.get(norm[i]!) !== i) return; // exact copies already joined; only one representative enters LSH
    const sig = new Uint32Array(HASHES).fill(0xffffffff);
    for (const x of set) for (let k = 0; k < HASHES; k++) { const h = mix(x, SEEDS[k]!); if (h < sig[k]!) sig[k] = h; }
    for (let b = 0; b < BANDS; b++) {
      const key = `${b}:${Array.from(sig.subarray(b * ROWS, (b + 1) * ROWS)).join(',')}`;
      const list = buckets.get(key);
      if (list) list.push(i); else buckets.set(key, [i]);
    }
  });
  for (const list of buckets.values()) {
    for (let a = 0; a < list.length; a++) for (let b = a + 1; b < list.length; b++) {
      const i = list[a]!, j = list[b]!;
      if (find(i) !== find(j) && jaccard(sets[i]!, sets[j]!) >= threshold && union(i, j)) nearPairs++;
    }
  }
  const group = new Map<string, number>();
  records.forEach((r, i) => group.set(r.id, find(i)));
  return { group, exactPairs, nearPairs };
}

/** Training records that share no duplicate group with any test record. */
export function withoutOverlap(train: readonly RoutingRecord[], test: readonly RoutingRecord[], dedup: DedupResult): RoutingRecord[] {
  const testGroups = new Set(test.map((r) => dedup.group.get(r.id)));
  return train.filter((r) => !testGroups.has(dedup.group.get(r.id)));
}
