/**
 * Prompt → router tokens → chained block hashes.
 *
 * The router usually has no tokenizer for a self-hosted model, so text is tokenised cheaply and
 * deterministically: the UTF-8 bytes are cut into 4-byte words (≈ 4 characters of English, or 1–2 CJK
 * characters, per "token"), each word read as one 32-bit token id. Real token ids may be passed instead.
 * The block boundaries therefore do not line up with the engine's blocks; only prefix equality matters.
 *
 * Block i's hash covers block i's tokens and block i−1's hash (hash_0 is seeded with a namespace such as
 * the model name), so a block matches only when the entire prefix up to it matches. Only full blocks are
 * hashed, as engines cache only full blocks.
 */

/** One chat message as the router sees it: role and text content (parts of other types are ignored). */
export interface PromptMessage {
  role: string;
  content?: string | null | ReadonlyArray<{ type?: string; text?: string }>;
}

/** A prompt: raw text, token ids, or chat messages (rendered to a stable text with roles and tools). */
export type PromptInput = string | readonly number[] | Uint32Array | { messages: readonly PromptMessage[]; tools?: unknown };

const encoder = new TextEncoder();

/** Renders chat messages (and tools, first) to one byte-stable text; roles are part of the prefix. */
export function renderPrompt(messages: readonly PromptMessage[], tools?: unknown): string {
  let text = tools === undefined ? '' : `\u0002tools\u0003${JSON.stringify(tools)}\u0004`;
  for (const message of messages) {
    const content = typeof message.content === 'string'
      ? message.content
      : Array.isArray(message.content)
        ? message.content.map((part) => (typeof part.text === 'string' ? part.text : '')).join('')
        : '';
    text += `\u0002${message.role}\u0003${content}\u0004`;
  }
  return text;
}

/** Cheap deterministic tokenisation: UTF-8 bytes packed 4 per token (the last word zero-padded). */
export function textToTokens(text: string): Uint32Array {
  const bytes = encoder.encode(text);
  const tokens = new Uint32Array(Math.ceil(bytes.length / 4));
  for (let i = 0, t = 0; i < bytes.length; i += 4, t++) {
    tokens[t] = ((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0;
  }
  return tokens;
}

/**
 * The prompt followed by the model's answer: what the next turn of the conversation starts with. Chat
 * messages get an assistant message (rendered as the next turn will render it), text gets the text
 * appended; token ids cannot be extended from text and are returned unchanged.
 */
export function withAnswer(prompt: PromptInput, answer: string): PromptInput {
  if (typeof prompt === 'string') return prompt + answer;
  if ('messages' in prompt) return { ...prompt, messages: [...prompt.messages, { role: 'assistant', content: answer }] };
  return prompt;
}

/** Token ids for any prompt input. */
export function promptTokens(prompt: PromptInput): ArrayLike<number> {
  if (typeof prompt === 'string') return textToTokens(prompt);
  if ('messages' in prompt) return textToTokens(renderPrompt(prompt.messages, prompt.tools));
  return prompt;
}

const TWO_32 = 4294967296;

/** A 53-bit hash (cyrb53 mixing) of `tokens[start, end)` seeded by the parent hash. */
export function hashBlock(parent: number, tokens: ArrayLike<number>, start: number, end: number): number {
  let h1 = 0xdeadbeef ^ (parent >>> 0);
  let h2 = 0x41c6ce57 ^ (Math.floor(parent / TWO_32) >>> 0);
  for (let i = start; i < end; i++) {
    const token = (tokens[i] ?? 0) >>> 0;
    h1 = Math.imul(h1 ^ token, 2654435761);
    h2 = Math.imul(h2 ^ token, 1597334677);
  }
  h1 = Math.imul(h1 ^ (end - start), 2246822507);
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return TWO_32 * (2097151 & h2) + (h1 >>> 0);
}

/** The seed hash for a namespace (for example the model name), so different models never match. */
export function namespaceHash(namespace: string): number {
  return hashBlock(0, textToTokens(namespace), 0, Math.ceil(encoder.encode(namespace).length / 4));
}

/** Chained hashes of the full blocks of `tokens`, at most `maxBlocks` of them. */
export function chainedBlockHashes(tokens: ArrayLike<number>, blockSize: number, seed = 0, maxBlocks = Infinity): number[] {
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new RangeError('blockSize must be a positive integer');
  const count = Math.min(Math.floor(tokens.length / blockSize), maxBlocks);
  const hashes = new Array<number>(count);
  let parent = seed;
  for (let b = 0; b < count; b++) {
    parent = hashBlock(parent, tokens, b * blockSize, (b + 1) * blockSize);
    hashes[b] = parent;
  }
  return hashes;
}
