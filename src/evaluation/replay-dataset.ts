import { readFileSync } from 'node:fs';
import type { EvalMessage } from './evaluators/types.js';

/** One item of a replay: the prompt to send, and the reference answer (the last assistant message) if any. */
export interface ReplayItem {
  /** The line's `id` field when it has one, else "line N". */
  readonly id: string;
  readonly line: number;
  readonly prompt: readonly EvalMessage[];
  readonly reference: string | undefined;
}

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.map((part) => (typeof part === 'object' && part !== null && (part as { type?: unknown }).type === 'text' ? (part as { text?: unknown }).text : undefined));
  return texts.every((text) => typeof text === 'string') ? texts.join('') : undefined;
}

/**
 * Items of an OpenAI fine-tuning (SFT) JSONL file, `{"messages": [...]}` per line, as `tidegate dataset
 * export --format openai` writes them: the last assistant message is the reference answer and everything
 * before it is the prompt. A line ending in a user message has no reference (fine for a judge or a regex).
 */
export function parseReplayDataset(text: string, source = 'dataset'): ReplayItem[] {
  const items: ReplayItem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const where = `${source} line ${line}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new DatasetError(`${where}: not JSON (${(error as Error).message})`);
    }
    const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    const messages = record['messages'];
    if (!Array.isArray(messages) || messages.length === 0) throw new DatasetError(`${where}: expected {"messages": [...]} with at least one message`);
    const parsed = messages.map((message, position) => {
      const role = (message as { role?: unknown } | null)?.role;
      const content = textOf((message as { content?: unknown } | null)?.content);
      if (typeof role !== 'string' || !ROLES.has(role)) throw new DatasetError(`${where}: messages[${position}].role must be system, user, assistant or tool`);
      if (content === undefined) throw new DatasetError(`${where}: messages[${position}].content must be text (a string or text parts)`);
      return { role, content };
    });
    const last = parsed.at(-1)!;
    const reference = last.role === 'assistant' ? last.content : undefined;
    const prompt = reference === undefined ? parsed : parsed.slice(0, -1);
    if (!prompt.some((message) => message.role === 'user')) throw new DatasetError(`${where}: no user message before the reference answer`);
    const id = typeof record['id'] === 'string' || typeof record['id'] === 'number' ? String(record['id']) : `line ${line}`;
    items.push({ id, line, prompt, reference });
  });
  if (items.length === 0) throw new DatasetError(`${source}: no items (one {"messages": [...]} object per line)`);
  return items;
}

export function readReplayDataset(path: string): ReplayItem[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DatasetError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseReplayDataset(text, path);
}
