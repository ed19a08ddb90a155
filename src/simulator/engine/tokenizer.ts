/**
 * The engine's own chat template, tokenizer and block hashes — deliberately independent of the router's
 * (src/affinity): the engine is the black box that owns the truth about cache hits.
 *
 * Template: ChatML (`<|im_start|>role\ncontent<|im_end|>\n`, then the generation prompt). Tokenizer:
 * UTF-8 bytes, 4 per token (a stand-in with a realistic ≈4 characters per token for English).
 */

export interface EngineMessage {
  role: string;
  content?: unknown;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((part: unknown) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '')).join('');
  }
  return '';
}

export function applyChatTemplate(messages: readonly EngineMessage[], tools?: unknown): string {
  let text = tools === undefined ? '' : `<|im_start|>system\n# Tools\n${JSON.stringify(tools)}<|im_end|>\n`;
  for (const message of messages) text += `<|im_start|>${message.role}\n${contentText(message.content)}<|im_end|>\n`;
  return `${text}<|im_start|>assistant\n`;
}

const encoder = new TextEncoder();

export function tokenize(text: string): Uint32Array {
  const bytes = encoder.encode(text);
  const out = new Uint32Array(Math.ceil(bytes.length / 4));
  for (let i = 0; i < out.length; i++) {
    const b = i * 4;
    out[i] = ((bytes[b] ?? 0) + (bytes[b + 1] ?? 0) * 256 + (bytes[b + 2] ?? 0) * 65536 + (bytes[b + 3] ?? 0) * 16777216) >>> 0;
  }
  return out;
}

/** The token ids of `tokens` followed by `text`, re-tokenized (the prompt's zero-padded last word is refilled). */
export function appendText(tokens: ArrayLike<number>, text: string): Uint32Array {
  const tail = encoder.encode(text);
  const bytes = new Uint8Array(tokens.length * 4 + tail.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? 0;
    bytes[i * 4] = t & 0xff;
    bytes[i * 4 + 1] = (t >>> 8) & 0xff;
    bytes[i * 4 + 2] = (t >>> 16) & 0xff;
    bytes[i * 4 + 3] = (t >>> 24) & 0xff;
  }
  let length = tokens.length * 4;
  while (length > 0 && bytes[length - 1] === 0) length--; // padding: text never holds NUL bytes
  bytes.set(tail, length);
  const all = bytes.subarray(0, length + tail.length);
  const out = new Uint32Array(Math.ceil(all.length / 4));
  for (let i = 0; i < out.length; i++) {
    const b = i * 4;
    out[i] = ((all[b] ?? 0) + (all[b + 1] ?? 0) * 256 + (all[b + 2] ?? 0) * 65536 + (all[b + 3] ?? 0) * 16777216) >>> 0;
  }
  return out;
}

/**
 * vLLM-style chained block hashes: hash(parent, block tokens) over full blocks only, as strings of two
 * 32-bit FNV-1a variants (collisions are negligible at simulation sizes). With `fromBlock` > 0 the chain
 * resumes after block fromBlock − 1, whose hash is `parent` (the string holds the whole hash state).
 */
export function blockHashes(tokens: ArrayLike<number>, blockSize: number, fromBlock = 0, parent?: string): string[] {
  const count = Math.floor(tokens.length / blockSize);
  const out: string[] = [];
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  if (fromBlock > 0) {
    const [high, low] = (parent ?? '').split('.');
    if (high === undefined || low === undefined) throw new RangeError('resuming a chain needs the parent block hash');
    a = parseInt(high, 36) | 0;
    b = parseInt(low, 36) | 0;
  }
  for (let blk = fromBlock; blk < count; blk++) {
    for (let i = blk * blockSize; i < (blk + 1) * blockSize; i++) {
      const t = tokens[i] ?? 0;
      for (let s = 0; s < 32; s += 8) {
        const byte = (t >>> s) & 0xff;
        a = Math.imul(a ^ byte, 0x01000193);
        b = Math.imul(b ^ byte, 0x01000193) ^ (b >>> 15);
      }
    }
    out.push(`${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}`);
  }
  return out;
}

const WORDS = ['the', 'cache', 'holds', 'a', 'prefix', 'of', 'blocks', 'and', 'every', 'replica', 'answers', 'in', 'time', 'with', 'tokens', 'that'];

/** Deterministic output text for a request: token i of request `seed` (one word per token). */
export function outputToken(seed: number, index: number): string {
  return `${index === 0 ? '' : ' '}${WORDS[(seed * 7 + index * 3) % WORDS.length]!}`;
}

/** The first `count` output tokens of request `seed`, as text. */
export function outputText(seed: number, count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += outputToken(seed, i);
  return text;
}

/** A deterministic seed for a prompt's answer (so the same conversation gets the same reply). */
export function answerSeed(tokens: ArrayLike<number>): number {
  let h = tokens.length;
  for (let i = Math.max(0, tokens.length - 8); i < tokens.length; i++) h = (Math.imul(h, 31) + (tokens[i] ?? 0)) >>> 0;
  return h % 1000003;
}
