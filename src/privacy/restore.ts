/**
 * Restoring placeholders in answers: whole texts, whole responses, and streams. A stream restorer holds
 * back only a suffix that could still become a known placeholder, and emits everything else at once.
 */
import type { ChatChunk, ChatResponse, ChunkChoice, ContentPart } from '../canonical/chat.js';
import { placeholderShape } from './placeholders.js';

export class Restorer {
  private readonly values: ReadonlyMap<string, string>;
  private readonly prefixes = new Set<string>();
  private readonly longest: number;

  /** `values`: placeholder → original text, as issued for this request. */
  constructor(values: ReadonlyMap<string, string>) {
    this.values = new Map(values);
    let longest = 0;
    for (const placeholder of this.values.keys()) {
      longest = Math.max(longest, placeholder.length);
      for (let n = 1; n < placeholder.length; n++) this.prefixes.add(placeholder.slice(0, n));
    }
    this.longest = longest;
  }

  static readonly empty = new Restorer(new Map());

  get size(): number {
    return this.values.size;
  }

  /** Placeholders this request issued, e.g. for a system hint asking the model to copy them verbatim. */
  placeholders(): string[] {
    return [...this.values.keys()];
  }

  /** Replaces every known placeholder; in `json` mode values are escaped for a JSON string (tool arguments). */
  restoreText(text: string, json = false): string {
    if (this.values.size === 0 || !text.includes('[')) return text;
    return text.replace(placeholderShape, (token) => {
      const value = this.values.get(token);
      if (value === undefined) return token;
      return json ? JSON.stringify(value).slice(1, -1) : value;
    });
  }

  /** Index from which `text` must be held back: the start of a proper prefix of a known placeholder at its end. */
  holdFrom(text: string): number {
    if (this.longest === 0) return text.length;
    const open = text.lastIndexOf('[');
    if (open === -1 || text.length - open >= this.longest) return text.length;
    return this.prefixes.has(text.slice(open)) ? open : text.length;
  }

  textStream(json = false): TextStreamRestorer {
    return new TextStreamRestorer(this, json);
  }

  chunkStream(): ChunkStreamRestorer {
    return new ChunkStreamRestorer(this);
  }

  /** A restored copy of a whole (non-streamed) answer: content, text parts, reasoning, tool-call arguments. */
  restoreResponse(response: ChatResponse): ChatResponse {
    if (this.values.size === 0) return response;
    const copy = structuredClone(response);
    for (const choice of copy.choices) {
      const message = choice.message;
      if (typeof message.content === 'string') message.content = this.restoreText(message.content);
      else if (Array.isArray(message.content)) message.content = message.content.map((part) => this.restorePart(part));
      if (typeof message.reasoning_content === 'string') message.reasoning_content = this.restoreText(message.reasoning_content);
      for (const call of message.tool_calls ?? []) call.function.arguments = this.restoreText(call.function.arguments, true);
      const legacy = message.function_call as { arguments?: unknown } | undefined;
      if (legacy !== undefined && typeof legacy.arguments === 'string') legacy.arguments = this.restoreText(legacy.arguments, true);
    }
    return copy;
  }

  private restorePart(part: ContentPart): ContentPart {
    return part.type === 'text' && typeof part.text === 'string' ? { ...part, text: this.restoreText(part.text) } : part;
  }
}

/** One text channel of a stream (a choice's content, or one tool call's arguments). */
export class TextStreamRestorer {
  private carry = '';

  constructor(private readonly restorer: Restorer, private readonly json: boolean) {}

  get pending(): boolean {
    return this.carry.length > 0;
  }

  push(text: string): string {
    const buffer = this.carry + text;
    const hold = this.restorer.holdFrom(buffer);
    this.carry = buffer.slice(hold);
    return this.restorer.restoreText(buffer.slice(0, hold), this.json);
  }

  /** What is held back at the end: an unfinished placeholder prefix, emitted as it is. */
  end(): string {
    const rest = this.carry;
    this.carry = '';
    return this.restorer.restoreText(rest, this.json);
  }
}

type ToolDelta = NonNullable<ChunkChoice['delta']['tool_calls']>[number];

/**
 * Restores OpenAI-shaped chunks: per choice `content`, `reasoning_content` and each tool call's
 * `function.arguments`. Held-back text is released in the chunk that carries the choice's finish_reason,
 * or by `flush()` when the stream ends without one.
 */
export class ChunkStreamRestorer {
  private readonly channels = new Map<string, { choice: number; field: 'content' | 'reasoning_content' | number; stream: TextStreamRestorer }>();
  private last: ChatChunk | undefined;

  constructor(private readonly restorer: Restorer) {}

  private channel(choice: number, field: 'content' | 'reasoning_content' | number): TextStreamRestorer {
    const key = `${choice}:${field}`;
    let entry = this.channels.get(key);
    if (entry === undefined) {
      entry = { choice, field, stream: this.restorer.textStream(typeof field === 'number') };
      this.channels.set(key, entry);
    }
    return entry.stream;
  }

  /** The chunk itself when nothing changed (so a raw copy can still be forwarded), else a restored copy. */
  restoreChunk(chunk: ChatChunk): ChatChunk {
    this.last = chunk;
    if (this.restorer.size === 0 || !Array.isArray(chunk.choices)) return chunk;
    let changed = false;
    const choices = chunk.choices.map((choice) => {
      const delta = { ...choice.delta };
      for (const field of ['content', 'reasoning_content'] as const) {
        const text = delta[field];
        if (typeof text !== 'string') continue;
        delta[field] = this.channel(choice.index, field).push(text);
      }
      if (Array.isArray(delta.tool_calls)) {
        delta.tool_calls = delta.tool_calls.map((call): ToolDelta => {
          const args = call.function?.arguments;
          if (typeof args !== 'string') return call;
          return { ...call, function: { ...call.function, arguments: this.channel(choice.index, call.index).push(args) } };
        });
      }
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) this.release(choice.index, delta);
      if (!sameDelta(choice.delta, delta)) changed = true;
      return { ...choice, delta };
    });
    return changed ? { ...chunk, choices } : chunk;
  }

  /** A chunk with whatever is still held back, or null; call at the end of the stream (before usage). */
  flush(): ChatChunk | null {
    const indexes = new Set([...this.channels.values()].filter((c) => c.stream.pending).map((c) => c.choice));
    if (indexes.size === 0) return null;
    const base = this.last;
    const choices: ChunkChoice[] = [...indexes].map((index) => {
      const delta: ChunkChoice['delta'] = {};
      this.release(index, delta);
      return { index, delta, finish_reason: null };
    });
    return { id: base?.id ?? 'privacy-flush', object: 'chat.completion.chunk', created: base?.created ?? Math.floor(Date.now() / 1000), model: base?.model ?? '', choices };
  }

  private release(choice: number, delta: ChunkChoice['delta']): void {
    for (const entry of this.channels.values()) {
      if (entry.choice !== choice || !entry.stream.pending) continue;
      const rest = entry.stream.end();
      if (typeof entry.field === 'string') {
        delta[entry.field] = (typeof delta[entry.field] === 'string' ? delta[entry.field] as string : '') + rest;
        continue;
      }
      const calls = delta.tool_calls = [...(delta.tool_calls ?? [])];
      const at = calls.findIndex((c) => c.index === entry.field);
      if (at === -1) calls.push({ index: entry.field, function: { arguments: rest } });
      else calls[at] = { ...calls[at]!, function: { ...calls[at]!.function, arguments: (calls[at]!.function?.arguments ?? '') + rest } };
    }
  }
}

function sameDelta(a: ChunkChoice['delta'], b: ChunkChoice['delta']): boolean {
  if (a.content !== b.content || a.reasoning_content !== b.reasoning_content) return false;
  const ta = a.tool_calls ?? [];
  const tb = b.tool_calls ?? [];
  return ta.length === tb.length && ta.every((call, i) => call.function?.arguments === tb[i]!.function?.arguments);
}
