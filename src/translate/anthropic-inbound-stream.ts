/**
 * Canonical stream events → Anthropic Messages SSE, in the exact order Anthropic sends it:
 * message_start, then per block content_block_start / content_block_delta… / content_block_stop,
 * then message_delta (stop_reason and usage) and message_stop. Pure: every method returns the SSE
 * text to write and performs no I/O.
 */
import type { ChatChunk } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import type { GatewayError } from '../errors/catalogue.js';
import type { StreamEvent } from '../providers/adapter.js';
import { anthropicErrorBody, anthropicUsage, finishReasonToStopReason, type AnthropicStopReason } from './anthropic-types.js';

export interface MessagesStreamEncoderOptions {
  /** The model name the client asked for; echoed in message_start. */
  model: string;
  /** Message id; defaults to `msg_` + the first chunk's id. */
  id?: string;
  /** Input tokens for message_start when known before the answer (else 0; message_delta carries the real figure). */
  inputTokens?: number;
}

type OpenBlock =
  | { kind: 'thinking' | 'text'; index: number }
  | { kind: 'tool'; index: number; toolIndex: number };

export function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class MessagesStreamEncoder {
  private started = false;
  private ended = false;
  private open: OpenBlock | undefined;
  private nextIndex = 0;
  /** Canonical tool-call index → Anthropic block index, for every tool block opened so far. */
  private readonly toolBlocks = new Map<number, number>();
  private stopReason: AnthropicStopReason | undefined;
  private id: string | undefined;

  constructor(private readonly options: MessagesStreamEncoderOptions) {
    this.id = options.id;
  }

  /** SSE text for one canonical event ('' when it produces nothing, e.g. a usage event). */
  push(event: StreamEvent): string {
    if (this.ended) return '';
    if (event.type === 'usage') return '';
    if (event.type === 'moderated') {
      // The provider cut the answer off: close what is open and report a refusal at the end.
      this.stopReason = 'refusal';
      return this.start() + this.close();
    }
    return this.chunk(event.chunk);
  }

  /** Close the open block and end the message with stop_reason and final usage. */
  finish(usage: NormalizedUsage, extra: { costCny?: string } = {}): string {
    if (this.ended) return '';
    let out = this.start() + this.close();
    this.ended = true;
    const wireUsage: Record<string, unknown> = { ...anthropicUsage(usage) };
    if (extra.costCny !== undefined) wireUsage.cost_cny = extra.costCny;
    out += sseEvent('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: this.stopReason ?? 'end_turn', stop_sequence: null },
      usage: wireUsage,
    });
    return out + sseEvent('message_stop', { type: 'message_stop' });
  }

  /** An `error` event; the stream is over after it (Anthropic sends no message_stop after an error). */
  error(err: GatewayError): string {
    if (this.ended) return '';
    this.ended = true;
    return sseEvent('error', anthropicErrorBody(err));
  }

  private chunk(chunk: ChatChunk): string {
    this.id ??= chunk.id.startsWith('msg_') ? chunk.id : `msg_${chunk.id}`;
    let out = this.start();
    const choice = chunk.choices.find((candidate) => candidate.index === 0) ?? chunk.choices[0];
    if (!choice) return out;
    const delta = choice.delta ?? {};
    if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') {
      out += this.ensure('thinking') + this.delta({ type: 'thinking_delta', thinking: delta.reasoning_content });
    }
    if (typeof delta.content === 'string' && delta.content !== '') {
      out += this.ensure('text') + this.delta({ type: 'text_delta', text: delta.content });
    }
    for (const call of delta.tool_calls ?? []) out += this.toolFragment(call);
    if (choice.finish_reason) this.stopReason = finishReasonToStopReason(choice.finish_reason);
    return out;
  }

  private toolFragment(call: NonNullable<ChatChunk['choices'][number]['delta']['tool_calls']>[number]): string {
    const toolIndex = typeof call.index === 'number' ? call.index : 0;
    const args = call.function?.arguments ?? '';
    const known = this.toolBlocks.get(toolIndex);
    let out = '';
    if (known === undefined) {
      out += this.close();
      const index = this.nextIndex++;
      this.toolBlocks.set(toolIndex, index);
      this.open = { kind: 'tool', index, toolIndex };
      out += sseEvent('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: call.id ?? `toolu_${index}`, name: call.function?.name ?? '', input: {} },
      });
    }
    if (args === '') return out;
    // A late fragment for an already closed tool block still goes to that block's own index.
    const index = known ?? this.toolBlocks.get(toolIndex)!;
    return out + sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args } });
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    return sseEvent('message_start', {
      type: 'message_start',
      message: {
        id: this.id ?? 'msg_tidegate',
        type: 'message',
        role: 'assistant',
        model: this.options.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.options.inputTokens ?? 0, output_tokens: 0, cache_creation_input_tokens: null, cache_read_input_tokens: null },
      },
    });
  }

  /** Make sure a thinking or text block is the open one, closing any other. */
  private ensure(kind: 'thinking' | 'text'): string {
    if (this.open?.kind === kind) return '';
    const out = this.close();
    const index = this.nextIndex++;
    this.open = { kind, index };
    const block = kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
    return out + sseEvent('content_block_start', { type: 'content_block_start', index, content_block: block });
  }

  private delta(delta: Record<string, unknown>): string {
    return sseEvent('content_block_delta', { type: 'content_block_delta', index: this.open!.index, delta });
  }

  private close(): string {
    if (!this.open) return '';
    const index = this.open.index;
    this.open = undefined;
    return sseEvent('content_block_stop', { type: 'content_block_stop', index });
  }
}
