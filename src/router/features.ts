/**
 * Cheap, deterministic request features: a few dense "shape" signals (length, maths, code, multiple choice, CJK)
 * plus hashed word and character n-grams. Everything is O(length) with the n-gram part capped, so a 10k-token
 * prompt costs the same as a 1k-token one for the expensive part.
 */

export interface ChatMessage { role: string; content?: unknown }

/** What the router reads of a request: the system prompt, the last user turn, and the turn count. */
export interface RouterInput { system: string; user: string; turns: number; task?: string }

export const HASH_BITS = 15;
export const HASH_SIZE = 1 << HASH_BITS;
/** Only this many characters of the user turn feed the n-grams (head and tail): keeps scoring well under 1 ms. */
const NGRAM_HEAD = 3000;
const NGRAM_TAIL = 1000;

export const DENSE_NAMES = [
  'log_chars', 'log_words', 'log_lines', 'log_system_chars', 'log_turns', 'digit_share', 'math_share', 'log_numbers',
  'latex', 'code_markers', 'code_fence', 'question_words', 'imperative', 'mc_options', 'upper_share',
  'mean_word_len', 'ends_answer', 'has_question_mark', 'log_sentences',
] as const;
export const DENSE = DENSE_NAMES.length;
export const FEATURE_SIZE = DENSE + HASH_SIZE;
/** Standardised dense values are clipped to ±this many standard deviations, so a value far outside what training saw
 * (a 100k-character prompt, a script training never had) cannot dominate the score. */
export const DENSE_CLIP = 4;
/**
 * Language parity. The training data is English only, so every length-like feature counts text in "English
 * equivalents": one Han/kana/hangul character ≈ CJK_CHARS English characters and CJK_WORDS English words (medians
 * over hand-translated zh/en pairs: 3.4 and 0.57; Chinese averages ~1.7 characters a word). The script itself is
 * never a feature, and features that only exist in Latin script (capital letters, word length) are "missing" (NaN,
 * scored as the training mean) when a prompt has too few Latin words to measure them.
 */
export const CJK_CHARS = 3.4;
export const CJK_WORDS = 0.6;
const MIN_LATIN_WORDS = 3;

/** (value − mean) / std, clipped to ±DENSE_CLIP; `inv` is 1/std, or 0 for a constant feature; NaN (missing) → 0,
 * i.e. the training mean. Training and scoring share it. */
export function standardise(value: number, mean: number, inv: number): number {
  if (value !== value) return 0;
  const z = (value - mean) * inv;
  return z > DENSE_CLIP ? DENSE_CLIP : z < -DENSE_CLIP ? -DENSE_CLIP : z;
}

/** Text of a message content: a string, or the text parts of an OpenAI/Anthropic-style part list. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('\n');
  return '';
}

export function inputFromMessages(messages: ReadonlyArray<ChatMessage>): RouterInput {
  let system = '';
  let user = '';
  let turns = 0;
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'developer') system += (system ? '\n' : '') + contentText(m.content);
    else if (m.role === 'user') { user = contentText(m.content); turns++; }
  }
  return { system, user, turns: Math.max(turns, 1) };
}

export const inputFromPrompt = (prompt: string, task?: string): RouterInput => ({ system: '', user: prompt, turns: 1, ...(task ? { task } : {}) });

/** FNV-1a, 32-bit, over s[from, to), continuing from `h` (so a prefix's hash can seed it without concatenation). */
function fnv(s: string, from = 0, to = s.length, h = 0x811c9dc5): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
const FNV_CHAR_PREFIX = fnv('c:'), FNV_WORD_PREFIX = fnv('w:'), FNV_BIGRAM_PREFIX = fnv('b:');

/** Han, kana, hangul (U+3040–30FF, 3400–4DBF, 4E00–9FFF, AC00–D7AF, F900–FAFF), tested by code unit. */
const isCjkCode = (c: number): boolean =>
  (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x3040 && c <= 0x30ff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff);

/** The last CJK_BUCKETS hashed slots hold only n-grams containing CJK text, so with English-only training data
 * their weights stay exactly 0 (model.ts scores an untrained slot as an average one) instead of colliding with
 * English n-gram weights; Chinese labels from the gateway (train --labels) can fill them. */
export const CJK_BUCKETS = 1 << (HASH_BITS - 3);
const slot = (h: number, cjk: boolean): number => DENSE + (cjk ? HASH_SIZE - CJK_BUCKETS + (h & (CJK_BUCKETS - 1)) : h % (HASH_SIZE - CJK_BUCKETS));
const bucket = (key: string, cjk: boolean): number => slot(fnv(key), cjk);

/** The slot of the benchmark-task indicator (in-domain training only; train.ts puts the task prior there). */
export const taskBucket = (task: string): number => bucket(`task:${task}`, false);

const count = (text: string, re: RegExp): number => { let n = 0; re.lastIndex = 0; while (re.exec(text)) n++; return n; };
const RE_DIGIT = /\d/g;
const RE_MATH = /[+\-*/=^<>%√∑∫π×÷≤≥]/g;
const RE_NUMBER = /\d+(?:\.\d+)?/g;
const RE_LATEX = /\\(?:frac|sqrt|sum|int|cdot|times|le|ge|pi|alpha|beta|theta)|\$[^$\n]{1,80}\$/g;
const RE_CODE = /\b(?:def|return|function|const|let|var|class|import|#include|public|void|print|elif|lambda)\b|[{};]|=>|==|!=/g;
/** Question and task words, English and Chinese (Chinese has no word boundaries, so those alternatives stand alone). */
const RE_QWORD = /\b(?:what|why|how|which|who|whom|when|where|whose|explain|prove|calculate|compute|find|determine|solve|evaluate)\b|什么|为什么|为何|怎么|怎样|如何|哪|谁|何时|多少|几|解释|证明|计算|求|确定|解方程|评估/gi;
/** An instruction opening, after an optional "please" (请 opens most polite Chinese requests, so it is skipped, not counted). */
const RE_IMPERATIVE = /^(?:(?:please|kindly)\s+|请|麻烦)?(?:write|compose|draft|create|generate|describe|imagine|pretend|act|rewrite|summari[sz]e|translate|give|list|suggest|help|写|撰写|起草|创建|创作|生成|描述|想象|假装|扮演|改写|重写|总结|概括|翻译|给|列出|列举|建议|帮)/i;
const RE_MC = /(?:^|\n)\s*[(（]?[A-Ja-j](?:[、．）：]\s*|[.):]\s+)\S/g;
const RE_LATIN_WORD = /[A-Za-z]+/g;
const RE_UPPER = /[A-Z]/g;
const RE_SENT = /[.!?](?:\s|$)|[。！？]/g;
const RE_ANSWER = /(?:answer:?|答案?[:：]?)\s*$/i;
const RE_TOKEN = /[\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]|[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

const seenAt = new Uint32Array(DENSE + HASH_SIZE);
const touched: number[] = [];
let stampCounter = 0;
/** A fresh stamp for seenAt; on wrap-around the array is cleared once. */
function nextStamp(): number {
  if (++stampCounter > 0xfffffff0) { seenAt.fill(0); stampCounter = 1; }
  return stampCounter;
}

/** Sparse feature vector: dense part first (indices < DENSE), then hashed buckets; duplicates summed by the scorer. */
export interface SparseVector { index: number[]; value: number[] }

/** Length of a text in English characters and words (CJK characters converted, see CJK_CHARS). */
function englishEquivalent(text: string): { chars: number; words: number; cjk: number } {
  let cjk = 0, words = 0, inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isCjkCode(c)) { cjk++; inWord = false; } else if (c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000) inWord = false;
    else if (!inWord) { words++; inWord = true; }
  }
  return { chars: text.length - cjk + cjk * CJK_CHARS, words: words + cjk * CJK_WORDS, cjk };
}

export function extract(input: RouterInput): SparseVector {
  const user = input.user;
  // every scan reads at most head+tail of the user turn (and of the system prompt); only lengths see the whole text
  const cap = (t: string): string => (t.length > NGRAM_HEAD + NGRAM_TAIL ? `${t.slice(0, NGRAM_HEAD)}\n${t.slice(-NGRAM_TAIL)}` : t);
  const text = cap(user);
  const scale = user.length / Math.max(text.length, 1);
  const full = input.system ? `${cap(input.system)}\n${text}` : text;
  const eqText = englishEquivalent(text), eqFull = input.system ? englishEquivalent(full) : eqText;
  const n = Math.max(eqFull.chars, 1);
  const systemChars = input.system ? englishEquivalent(cap(input.system)).chars * (input.system.length / cap(input.system).length) : 0;
  // Latin-script-only signals: measured on the Latin words, missing (NaN → training mean) when there are too few
  const latin = text.match(RE_LATIN_WORD) ?? [];
  const latinLetters = latin.reduce((a, w) => a + w.length, 0);
  // measurable: Latin-script prompts, and mixed ones whose Latin part is at least as long as the CJK part (a Chinese
  // sentence quoting 'Python' or 'LRU' says nothing about English capitalisation or word length)
  const measurable = eqText.cjk === 0 || (latin.length >= MIN_LATIN_WORDS && latinLetters >= eqText.cjk * CJK_CHARS);
  const upperShare = measurable ? count(text, RE_UPPER) / Math.max(latinLetters, 1) : NaN;
  const meanWordLen = measurable ? (latin.length ? Math.min(latinLetters / latin.length, 20) / 10 : 0) : NaN;
  const mc = count(text, RE_MC);
  const dense = [
    Math.log1p(systemChars + eqText.chars * scale), Math.log1p(eqText.words * scale), Math.log1p(count(text, /\n/g) * scale), Math.log1p(systemChars), Math.log(input.turns),
    count(full, RE_DIGIT) / n, count(full, RE_MATH) / n, Math.log1p(count(text, RE_NUMBER)), Math.log1p(count(text, RE_LATEX)),
    Math.log1p(count(text, RE_CODE)), user.includes('```') ? 1 : 0, Math.log1p(count(text, RE_QWORD)), RE_IMPERATIVE.test(user.trimStart()) ? 1 : 0,
    mc >= 2 ? 1 : 0, upperShare, meanWordLen,
    RE_ANSWER.test(user) ? 1 : 0, user.includes('?') || user.includes('？') ? 1 : 0, Math.log1p(count(text, RE_SENT)),
  ];
  const index: number[] = [];
  const value: number[] = [];
  dense.forEach((v, i) => { index.push(i); value.push(v); });
  // hashed n-grams: word unigrams and bigrams (a CJK character counts as a word, so CJK bigrams are character
  // bigrams), char 4-grams of the lower-cased text
  // Distinct slots are collected in a module-level scratch array (stamped per call, so never cleared): no Map and no
  // key strings on the hot path; keys are hashed by FNV streamed over the prefix and the text, the same value as
  // hashing the concatenated key ("w:tok", "b:tok1 tok2", "c:abcd").
  const stamp = nextStamp();
  touched.length = 0;
  const add = (h: number, cjk: boolean): void => { const j = slot(h, cjk); if (seenAt[j] !== stamp) { seenAt[j] = stamp; touched.push(j); } };
  const lower = text.toLowerCase();
  const tokens = lower.match(RE_TOKEN) ?? [];
  const anyCjk = eqText.cjk > 0;
  let prevCjk = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // a CJK token is a single character (RE_TOKEN); without CJK in the text no test is needed
    const cjk = anyCjk && t.length === 1 && isCjkCode(t.charCodeAt(0));
    add(fnv(t, 0, t.length, FNV_WORD_PREFIX), cjk);
    if (i > 0) { const p = tokens[i - 1]!; add(fnv(t, 0, t.length, fnv(' ', 0, 1, fnv(p, 0, p.length, FNV_BIGRAM_PREFIX))), cjk || prevCjk); }
    prevCjk = cjk;
  }
  // char 4-grams, hashed in place; `run` counts the CJK characters in the window
  const squeezed = lower.replace(/\s+/g, ' ');
  let run = 0;
  for (let i = 0; i < squeezed.length; i++) {
    if (anyCjk && isCjkCode(squeezed.charCodeAt(i))) run++;
    if (i >= 4 && anyCjk && isCjkCode(squeezed.charCodeAt(i - 4))) run--;
    if (i >= 3) add(fnv(squeezed, i - 3, i + 1, FNV_CHAR_PREFIX), run > 0);
  }
  // presence weighted by 1/sqrt(#distinct buckets): long prompts do not get larger logits just for being long
  const norm = 1 / Math.sqrt(Math.max(touched.length, 1));
  const keys = Int32Array.from(touched).sort();
  for (const k of keys) { index.push(k); value.push(norm); }
  // the benchmark's subject/task (in-domain training only; the gateway never has one) as a full-strength indicator
  if (input.task) { index.push(taskBucket(input.task)); value.push(1); }
  return { index, value };
}
