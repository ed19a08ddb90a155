/**
 * Anthropic Messages SSE → canonical stream events (OpenAI chunk shape), plus one `usage` event at
 * message_stop that combines message_start's input/cache figures with message_delta's output.
 */
import type { ChatChunk, ChunkDelta, FinishReason } from '../canonical/chat.js';
import { plausibleUsage, type NormalizedUsage } from '../canonical/usage.js';
import { GatewayError } from '../errors/catalogue.js';
import type { StreamEvent } from '../providers/adapter.js';
import { isRecord, STRUCTURED_OUTPUT_TOOL } from './anthropic-types.js';

/** Anthropic stop_reason → canonical finish_reason. */
export function stopReasonToFinishReason(reason: unknown): FinishReason {
  switch (reason) {
    case 'max_tokens': case 'model_context_window_exceeded': return 'length';
    case 'tool_use': return 'tool_calls';
    case 'refusal': return 'content_filter';
    default: return 'stop'; // end_turn, stop_sequence, pause_turn, null
  }
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/**
 * Anthropic usage → NormalizedUsage. Anthropic's input_tokens already excludes cache reads and
 * writes. Returns undefined when there is no usable usage object (or an implausible one: plausibleUsage).
 */
export function normaliseAnthropicUsage(usage: unknown): NormalizedUsage | undefined {
  if (!isRecord(usage) || typeof usage.input_tokens !== 'number' || typeof usage.output_tokens !== 'number') return undefined;
  const details = isRecord(usage.output_tokens_details) ? usage.output_tokens_details : {};
  return plausibleUsage({
    inputUncached: count(usage.input_tokens),
    cacheRead: count(usage.cache_read_input_tokens),
    cacheWrite: count(usage.cache_creation_input_tokens),
    output: count(usage.output_tokens),
    reasoning: count(details.thinking_tokens),
    imageTokens: 0,
    estimated: false,
  });
}

function streamError(data: unknown): GatewayError {
  const error = isRecord(data) && isRecord(data.error) ? data.error : {};
  const type = typeof error.type === 'string' ? error.type : 'api_error';
  const message = typeof error.message === 'string' ? error.message : 'stream error';
  const code = type === 'overloaded_error' || type === 'rate_limit_error' ? 'upstream_rate_limited' : 'upstream_unavailable';
  return new GatewayError(code, `Anthropic: ${message}`, { upstreamCode: type });
}

export class AnthropicStreamDecoder {
  private id = 'msg_unknown';
  private readonly usage = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0 };
  /** Anthropic block index → canonical tool-call index, for tool_use blocks. */
  private readonly toolIndexes = new Map<number, number>();
  /** Block indexes of the forced structured-output tool: its input streams out as the answer's content. */
  private readonly structuredBlocks = new Set<number>();
  private usageSent = false;

  constructor(private readonly requestedModel: string, private readonly now: () => number = Date.now) {}

  /** One SSE event (its `event:` name and parsed `data`) → canonical events. Throws on `error`. */
  accept(eventName: string, data: unknown): StreamEvent[] {
    const type = isRecord(data) && typeof data.type === 'string' ? data.type : eventName;
    if (type === 'error') throw streamError(data);
    if (!isRecord(data)) return [];
    switch (type) {
      case 'message_start': {
        const message = isRecord(data.message) ? data.message : {};
        if (typeof message.id === 'string') this.id = message.id;
        this.takeUsage(message.usage);
        return [this.chunk({ role: 'assistant', content: '' })];
      }
      case 'content_block_start': return this.blockStart(data);
      case 'content_block_delta': return this.blockDelta(data);
      case 'message_delta': {
        this.takeUsage(data.usage);
        const delta = isRecord(data.delta) ? data.delta : {};
        // Only the forced structured-output tool was used: for the client the answer simply stopped.
        const forced = delta.stop_reason === 'tool_use' && this.toolIndexes.size === 0 && this.structuredBlocks.size > 0;
        return [this.chunk({}, forced ? 'stop' : stopReasonToFinishReason(delta.stop_reason))];
      }
      case 'message_stop': {
        if (this.usageSent) return [];
        this.usageSent = true;
        const u = this.usage;
        const usage = plausibleUsage({
          inputUncached: u.input, cacheRead: u.cacheRead, cacheWrite: u.cacheWrite, output: u.output,
          reasoning: u.reasoning, imageTokens: 0, estimated: false,
        });
        return usage ? [{ type: 'usage', usage }] : []; // none: the pipeline counts the tokens itself
      }
      default: return []; // ping, content_block_stop, unknown future events
    }
  }

  private blockStart(data: Record<string, unknown>): StreamEvent[] {
    const block = isRecord(data.content_block) ? data.content_block : {};
    const index = typeof data.index === 'number' ? data.index : -1;
    if (block.type === 'tool_use' && block.name === STRUCTURED_OUTPUT_TOOL) {
      this.structuredBlocks.add(index);
      return [];
    }
    if (block.type === 'tool_use') {
      const toolIndex = this.toolIndexes.size;
      this.toolIndexes.set(index, toolIndex);
      const name = typeof block.name === 'string' ? block.name : '';
      const id = typeof block.id === 'string' ? block.id : `call_${toolIndex}`;
      return [this.chunk({ tool_calls: [{ index: toolIndex, id, type: 'function', function: { name, arguments: '' } }] })];
    }
    if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') return [this.chunk({ content: block.text })];
    if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking !== '') {
      return [this.chunk({ reasoning_content: block.thinking })];
    }
    return [];
  }

  private blockDelta(data: Record<string, unknown>): StreamEvent[] {
    const delta = isRecord(data.delta) ? data.delta : {};
    if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '') return [this.chunk({ content: delta.text })];
    if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string' && delta.thinking !== '') {
      return [this.chunk({ reasoning_content: delta.thinking })];
    }
    if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string' && delta.partial_json !== '') {
      if (this.structuredBlocks.has(typeof data.index === 'number' ? data.index : -1)) return [this.chunk({ content: delta.partial_json })];
      const toolIndex = this.toolIndexes.get(typeof data.index === 'number' ? data.index : -1);
      if (toolIndex === undefined) return [];
      return [this.chunk({ tool_calls: [{ index: toolIndex, function: { arguments: delta.partial_json } }] })];
    }
    return []; // signature_delta, citations_delta
  }

  /** message_start carries input and cache figures; message_delta carries output (and may repeat the rest). */
  private takeUsage(usage: unknown): void {
    if (!isRecord(usage)) return;
    if (typeof usage.input_tokens === 'number') this.usage.input = count(usage.input_tokens);
    if (typeof usage.cache_read_input_tokens === 'number') this.usage.cacheRead = count(usage.cache_read_input_tokens);
    if (typeof usage.cache_creation_input_tokens === 'number') this.usage.cacheWrite = count(usage.cache_creation_input_tokens);
    if (typeof usage.output_tokens === 'number') this.usage.output = count(usage.output_tokens);
    const details = usage.output_tokens_details;
    if (isRecord(details) && typeof details.thinking_tokens === 'number') this.usage.reasoning = count(details.thinking_tokens);
  }

  private chunk(delta: ChunkDelta, finishReason: FinishReason | null = null): StreamEvent {
    const chunk: ChatChunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: Math.floor(this.now() / 1000),
      model: this.requestedModel,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    };
    return { type: 'chunk', chunk };
  }
}
