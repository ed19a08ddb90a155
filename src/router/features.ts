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
  'latex', 'code_markers', 'code_fence', 'question_words', 'imperative', 'mc_options', 'cjk_share', 'upper_share',
  'mean_word_len', 'ends_answer', 'has_question_mark', 'log_sentences',
] as const;
export const DENSE = DENSE_NAMES.length;
export const FEATURE_SIZE = DENSE + HASH_SIZE;
/** Standardised dense values are clipped to ±this many standard deviations, so a signal that was rare in the
 * training data (Chinese text: cjk_share has std 0.0002 there) cannot dominate a prompt it sees in full. */
export const DENSE_CLIP = 4;

/** (value − mean) / std, clipped to ±DENSE_CLIP; `inv` is 1/std, or 0 for a constant feature. Training and scoring share it. */
export function standardise(value: number, mean: number, inv: number): number {
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

/** FNV-1a over a string, 32-bit. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const count = (text: string, re: RegExp): number => { let n = 0; re.lastIndex = 0; while (re.exec(text)) n++; return n; };
const RE_DIGIT = /\d/g;
const RE_MATH = /[+\-*/=^<>%√∑∫π×÷≤≥]/g;
const RE_NUMBER = /\d+(?:\.\d+)?/g;
const RE_LATEX = /\\(?:frac|sqrt|sum|int|cdot|times|le|ge|pi|alpha|beta|theta)|\$[^$\n]{1,80}\$/g;
const RE_CODE = /\b(?:def|return|function|const|let|var|class|import|#include|public|void|print|elif|lambda)\b|[{};]|=>|==|!=/g;
const RE_QWORD = /\b(?:what|why|how|which|who|whom|when|where|whose|explain|prove|calculate|compute|find|determine|solve|evaluate)\b|[什为怎哪谁何几多][么什样个时处少]/gi;
const RE_IMPERATIVE = /^(?:write|compose|draft|create|generate|describe|imagine|pretend|act|rewrite|summari[sz]e|translate|give|list|suggest|help|please)\b/i;
const RE_MC = /(?:^|\n)\s*\(?[A-Ja-j][.):]\s+\S/g;
const RE_CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/g;
const RE_UPPER = /[A-Z]/g;
const RE_SENT = /[.!?。！？](?:\s|$)/g;
const RE_TOKEN = /[\u3400-\u4dbf\u4e00-\u9fff\u3040-\u30ff\uac00-\ud7af]|[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

/** Sparse feature vector: dense part first (indices < DENSE), then hashed buckets; duplicates summed by the scorer. */
export interface SparseVector { index: number[]; value: number[] }

export function extract(input: RouterInput): SparseVector {
  const user = input.user;
  // every scan reads at most head+tail of the user turn (and of the system prompt); only lengths see the whole text
  const cap = (t: string): string => (t.length > NGRAM_HEAD + NGRAM_TAIL ? `${t.slice(0, NGRAM_HEAD)}\n${t.slice(-NGRAM_TAIL)}` : t);
  const text = cap(user);
  const scale = user.length / Math.max(text.length, 1);
  const full = input.system ? `${cap(input.system)}\n${text}` : text;
  const n = Math.max(full.length, 1);
  const words = { length: Math.round(text.split(/\s+/).filter(Boolean).length * scale) };
  const meanWordLen = (() => { const ws = text.split(/\s+/).filter(Boolean); return ws.length ? Math.min(ws.reduce((a, w) => a + w.length, 0) / ws.length, 20) / 10 : 0; })();
  const mc = count(text, RE_MC);
  const dense = [
    Math.log1p(input.system.length + user.length), Math.log1p(words.length), Math.log1p(count(text, /\n/g) * scale), Math.log1p(input.system.length), Math.log(input.turns),
    count(full, RE_DIGIT) / n, count(full, RE_MATH) / n, Math.log1p(count(text, RE_NUMBER)), Math.log1p(count(text, RE_LATEX)),
    Math.log1p(count(text, RE_CODE)), user.includes('```') ? 1 : 0, Math.log1p(count(text, RE_QWORD)), RE_IMPERATIVE.test(user.trimStart()) ? 1 : 0,
    mc >= 2 ? 1 : 0, count(full, RE_CJK) / n, count(text, RE_UPPER) / Math.max(text.length, 1),
    meanWordLen,
    /answer:?\s*$/i.test(user) ? 1 : 0, user.includes('?') || user.includes('？') ? 1 : 0, Math.log1p(count(text, RE_SENT)),
  ];
  const index: number[] = [];
  const value: number[] = [];
  dense.forEach((v, i) => { index.push(i); value.push(v); });
  // hashed n-grams: word unigrams and bigrams (a CJK character counts as a word), char 4-grams of the lower-cased text
  const buckets = new Map<number, number>();
  const add = (key: string): void => { const h = DENSE + (fnv(key) & (HASH_SIZE - 1)); buckets.set(h, (buckets.get(h) ?? 0) + 1); };
  const lower = text.toLowerCase();
  const tokens = lower.match(RE_TOKEN) ?? [];
  for (let i = 0; i < tokens.length; i++) { add(`w:${tokens[i]}`); if (i > 0) add(`b:${tokens[i - 1]} ${tokens[i]}`); }
  const squeezed = lower.replace(/\s+/g, ' ');
  for (let i = 0; i + 4 <= squeezed.length; i += 1) add(`c:${squeezed.slice(i, i + 4)}`);
  // presence weighted by 1/sqrt(#distinct buckets): long prompts do not get larger logits just for being long
  const norm = 1 / Math.sqrt(Math.max(buckets.size, 1));
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  for (const k of keys) { index.push(k); value.push(norm); }
  // the benchmark's subject/task (in-domain training only; the gateway never has one) as a full-strength indicator
  if (input.task) { index.push(DENSE + (fnv(`task:${input.task}`) & (HASH_SIZE - 1))); value.push(1); }
  return { index, value };
}
