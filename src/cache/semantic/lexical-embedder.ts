/**
 * Built-in similarity when no embedding model is configured: hashed character 1–3-grams (no word segmentation,
 * so Chinese works) plus English word unigrams, sublinear term frequency, lower weight for function words.
 */
import { EN_STOPWORDS, isCjk, ZH_STOPWORDS } from './lexicon.js';
import { SPARSE_DIMENSIONS, sparseFromMap, type SparseVector } from './vectors.js';

const ZH_STOP_CHARS = new Set(ZH_STOPWORDS.filter((w) => w.length === 1));
const NGRAM_WEIGHT = [0, 0.25, 1, 1.25];

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & (SPARSE_DIMENSIONS - 1);
}

/** Lower case, full-width folded, punctuation dropped, whitespace collapsed. */
export const lexicalForm = (text: string): string =>
  text.normalize('NFKC').toLowerCase().replace(/[’‘]/g, "'").replace(/[^\p{L}\p{N}'%$€£¥]+/gu, ' ').replace(/\s+/g, ' ').trim();

export function lexicalVector(text: string): SparseVector {
  const form = lexicalForm(text);
  const chars = [...form];
  const counts = new Map<string, { tf: number; weight: number }>();
  const add = (key: string, weight: number) => {
    const seen = counts.get(key);
    if (seen === undefined) counts.set(key, { tf: 1, weight });
    else seen.tf++;
  };
  for (let n = 1; n <= 3; n++) {
    for (let i = 0; i + n <= chars.length; i++) {
      const gram = chars.slice(i, i + n);
      if (gram.every((c) => c === ' ')) continue;
      const cjk = gram.some(isCjk);
      if (n === 1 && !cjk) continue;
      const functionOnly = gram.every((c) => c === ' ' || ZH_STOP_CHARS.has(c));
      add(`${n}:${gram.join('')}`, (n === 1 ? 1 : NGRAM_WEIGHT[n] ?? 1) * (functionOnly ? 0.3 : 1));
    }
  }
  for (const word of form.split(' ')) {
    if (/^[a-z']+$/.test(word)) add(`w:${word}`, EN_STOPWORDS.has(word) ? 0.3 : 1.5);
  }
  const weights = new Map<number, number>();
  for (const [key, { tf, weight }] of counts) {
    const index = hash(key);
    weights.set(index, (weights.get(index) ?? 0) + weight * (1 + Math.log(tf)));
  }
  return sparseFromMap(weights);
}
