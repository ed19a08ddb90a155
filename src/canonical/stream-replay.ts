import type { ChatChoice, ChatChunk, ChatResponse } from './chat.js';
import type { StreamEvent } from '../providers/adapter.js';

/** A finished answer replayed as stream events (cascade answers, cache hits): one content chunk and one finish chunk per choice. */
export function responseAsEvents(response: ChatResponse): StreamEvent[] {
  const base = { id: response.id, object: 'chat.completion.chunk' as const, created: response.created, model: response.model };
  return response.choices.flatMap((choice) => {
    const { message } = choice;
    const delta = {
      role: 'assistant' as const,
      ...(message.reasoning_content ? { reasoning_content: message.reasoning_content } : {}),
      content: typeof message.content === 'string' ? message.content : message.content === null || message.content === undefined ? null : textOf(message.content),
      ...(message.tool_calls ? { tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) } : {}),
    };
    return [
      { type: 'chunk' as const, chunk: { ...base, choices: [{ index: choice.index, delta, finish_reason: null }] } },
      { type: 'chunk' as const, chunk: { ...base, choices: [{ index: choice.index, delta: {}, finish_reason: choice.finish_reason ?? 'stop' }] } },
    ];
  });
}

function textOf(content: unknown): string {
  return Array.isArray(content) ? content.map((part) => (typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '')).join('') : String(content);
}

interface ToolCallDraft { id?: string; type: 'function'; function: { name: string; arguments: string } }
interface ChoiceDraft { content: string; hasContent: boolean; reasoning: string; toolCalls: ToolCallDraft[]; finish: string | null; refusal?: string }

/**
 * Rebuilds the finished answer from a stream's chunks (content, reasoning, tool-call fragments by index),
 * so a streamed answer can be stored once and replayed later as JSON or as a stream.
 */
export class StreamRecorder {
  private readonly choices = new Map<number, ChoiceDraft>();
  private head: Pick<ChatChunk, 'id' | 'created' | 'model'> | undefined;
  private fingerprint: string | null | undefined;

  add(chunk: ChatChunk): void {
    this.head ??= { id: chunk.id, created: chunk.created, model: chunk.model };
    if (typeof chunk.system_fingerprint === 'string') this.fingerprint = chunk.system_fingerprint;
    for (const choice of chunk.choices) {
      let draft = this.choices.get(choice.index);
      if (!draft) {
        draft = { content: '', hasContent: false, reasoning: '', toolCalls: [], finish: null };
        this.choices.set(choice.index, draft);
      }
      const { delta } = choice;
      if (typeof delta.content === 'string') {
        draft.content += delta.content;
        draft.hasContent = true;
      }
      if (typeof delta.reasoning_content === 'string') draft.reasoning += delta.reasoning_content;
      if (typeof delta.refusal === 'string') draft.refusal = (draft.refusal ?? '') + delta.refusal;
      for (const call of delta.tool_calls ?? []) {
        const slot = (draft.toolCalls[call.index] ??= { type: 'function', function: { name: '', arguments: '' } });
        if (call.id) slot.id = call.id;
        if (call.function?.name) slot.function.name += call.function.name;
        if (call.function?.arguments) slot.function.arguments += call.function.arguments;
      }
      if (choice.finish_reason) draft.finish = choice.finish_reason;
    }
  }

  /** Every choice ended with a finish_reason (a cut stream never does). */
  get finished(): boolean {
    return this.choices.size > 0 && [...this.choices.values()].every((draft) => draft.finish !== null);
  }

  response(): ChatResponse | undefined {
    if (!this.head) return undefined;
    const choices: ChatChoice[] = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, draft]) => ({
        index,
        message: {
          role: 'assistant',
          content: draft.hasContent || draft.toolCalls.length === 0 ? draft.content : null,
          ...(draft.reasoning ? { reasoning_content: draft.reasoning } : {}),
          ...(draft.refusal !== undefined ? { refusal: draft.refusal } : {}),
          ...(draft.toolCalls.length > 0 ? { tool_calls: draft.toolCalls.filter(Boolean).map((call) => ({ id: call.id ?? '', type: call.type, function: call.function })) } : {}),
        },
        finish_reason: draft.finish ?? 'stop',
      }));
    return { id: this.head.id, object: 'chat.completion', created: this.head.created, model: this.head.model, choices, ...(this.fingerprint !== undefined ? { system_fingerprint: this.fingerprint } : {}) };
  }
}
