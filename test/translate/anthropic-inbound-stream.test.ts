import { describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import type { ChatChunk, ChunkDelta } from '../../src/canonical/chat.js';
import type { NormalizedUsage } from '../../src/canonical/usage.js';
import { GatewayError } from '../../src/errors/catalogue.js';
import type { StreamEvent } from '../../src/providers/adapter.js';
import { SseParser } from '../../src/providers/sse-parser.js';
import { MessagesStreamEncoder } from '../../src/translate/anthropic-inbound-stream.js';

function chunk(delta: ChunkDelta, finish: string | null = null): StreamEvent {
  const value: ChatChunk = { id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [{ index: 0, delta, finish_reason: finish }] };
  return { type: 'chunk', chunk: value };
}

function parse(sse: string): Array<{ event: string | undefined; data: any }> {
  const parser = new SseParser();
  return [...parser.push(sse), ...parser.end()].map((e) => {
    const data = JSON.parse(e.data);
    expect(data.type).toBe(e.event); // Anthropic repeats the event name as data.type
    return { event: e.event, data };
  });
}

/** Serve the SSE text to the official SDK through a fake fetch and return its accumulated final message. */
async function sdkFinalMessage(sse: string, pieceSize = 7) {
  const bytes = new TextEncoder().encode(sse);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += pieceSize) controller.enqueue(bytes.slice(i, i + pieceSize));
      controller.close();
    },
  });
  const client = new Anthropic({
    apiKey: 'test', maxRetries: 0,
    fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
  const stream = client.messages.stream({ model: 'claude-x', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  return stream.finalMessage();
}

const usage: NormalizedUsage = { inputUncached: 12, cacheRead: 100, cacheWrite: 5, output: 40, reasoning: 0, imageTokens: 0, estimated: false };

function toolScenario(): string {
  const encoder = new MessagesStreamEncoder({ model: 'claude-x', inputTokens: 117 });
  let sse = '';
  const events: StreamEvent[] = [
    chunk({ role: 'assistant', content: '' }),
    chunk({ reasoning_content: 'Think' }),
    chunk({ reasoning_content: 'ing…' }),
    chunk({ content: 'Calling ' }),
    chunk({ content: 'tools.' }),
    chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Par' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] }),
    chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } }] }),
    chunk({ tool_calls: [{ index: 1, function: { arguments: '"CET"}' } }] }),
    chunk({}, 'tool_calls'),
    { type: 'usage', usage },
  ];
  for (const event of events) sse += encoder.push(event);
  return sse + encoder.finish(usage, { costCny: '0.0123' });
}

describe('MessagesStreamEncoder', () => {
  it('produces the exact Anthropic event sequence with correct block indexes', () => {
    const events = parse(toolScenario());
    expect(events.map((e) => (e.data.index === undefined ? e.event : `${e.event}:${e.data.index}`))).toEqual([
      'message_start',
      'content_block_start:0', 'content_block_delta:0', 'content_block_delta:0', 'content_block_stop:0',
      'content_block_start:1', 'content_block_delta:1', 'content_block_delta:1', 'content_block_stop:1',
      'content_block_start:2', 'content_block_delta:2', 'content_block_delta:2', 'content_block_delta:2', 'content_block_stop:2',
      'content_block_start:3', 'content_block_delta:3', 'content_block_delta:3', 'content_block_stop:3',
      'message_delta', 'message_stop',
    ]);
    expect(events[0]!.data.message).toMatchObject({ id: 'msg_chatcmpl-9', role: 'assistant', model: 'claude-x', content: [], usage: { input_tokens: 117, output_tokens: 0 } });
    expect(events[1]!.data.content_block).toEqual({ type: 'thinking', thinking: '', signature: '' });
    expect(events[2]!.data.delta).toEqual({ type: 'thinking_delta', thinking: 'Think' });
    expect(events[5]!.data.content_block).toEqual({ type: 'text', text: '' });
    expect(events[6]!.data.delta).toEqual({ type: 'text_delta', text: 'Calling ' });
    expect(events[9]!.data.content_block).toEqual({ type: 'tool_use', id: 'call_a', name: 'get_weather', input: {} });
    expect(events[10]!.data.delta).toEqual({ type: 'input_json_delta', partial_json: '{"ci' });
    expect(events[18]!.data).toEqual({
      type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 12, cache_read_input_tokens: 100, cache_creation_input_tokens: 5, output_tokens: 40, cost_cny: '0.0123' },
    });
  });

  it('is accepted by the official SDK stream accumulator (tool calls in pieces, reasoning then text)', async () => {
    const message = await sdkFinalMessage(toolScenario());
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Thinking…', signature: '' },
      { type: 'text', text: 'Calling tools.' },
      { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_b', name: 'get_time', input: { tz: 'CET' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 12, cache_read_input_tokens: 100, cache_creation_input_tokens: 5, output_tokens: 40 });
  });

  it('streams plain text with multi-byte characters split across network pieces', async () => {
    const encoder = new MessagesStreamEncoder({ model: 'claude-x' });
    const sse = encoder.push(chunk({ role: 'assistant' })) + encoder.push(chunk({ content: '你好，' })) + encoder.push(chunk({ content: '世界 🌊' }))
      + encoder.push(chunk({}, 'length')) + encoder.finish({ ...usage, cacheRead: 0, cacheWrite: 0 });
    const message = await sdkFinalMessage(sse, 3);
    expect(message.content).toEqual([{ type: 'text', text: '你好，世界 🌊' }]);
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.input_tokens).toBe(12);
  });

  it('produces a valid empty message when finished without any chunk', async () => {
    const encoder = new MessagesStreamEncoder({ model: 'claude-x', id: 'msg_fixed' });
    const sse = encoder.finish(usage);
    expect(parse(sse).map((e) => e.event)).toEqual(['message_start', 'message_delta', 'message_stop']);
    const message = await sdkFinalMessage(sse);
    expect(message).toMatchObject({ id: 'msg_fixed', content: [], stop_reason: 'end_turn' });
    expect(encoder.finish(usage)).toBe('');
    expect(encoder.push(chunk({ content: 'late' }))).toBe('');
  });

  it('switches back from text to reasoning by opening a new block', () => {
    const encoder = new MessagesStreamEncoder({ model: 'm' });
    const sse = encoder.push(chunk({ reasoning_content: 'a' })) + encoder.push(chunk({ content: 'b' })) + encoder.push(chunk({ reasoning_content: 'c' }))
      + encoder.finish(usage);
    const starts = parse(sse).filter((e) => e.event === 'content_block_start').map((e) => `${e.data.index}:${e.data.content_block.type}`);
    expect(starts).toEqual(['0:thinking', '1:text', '2:thinking']);
  });

  it('maps a moderation cut-off to stop_reason refusal', async () => {
    const encoder = new MessagesStreamEncoder({ model: 'm' });
    const sse = encoder.push(chunk({ content: 'partial' })) + encoder.push({ type: 'moderated', message: 'blocked' }) + encoder.finish(usage);
    const message = await sdkFinalMessage(sse);
    expect(message.stop_reason).toBe('refusal');
    expect(message.content).toEqual([{ type: 'text', text: 'partial' }]);
  });

  it('emits an Anthropic error event and nothing after it', async () => {
    const encoder = new MessagesStreamEncoder({ model: 'm' });
    const start = encoder.push(chunk({ content: 'x' }));
    const sse = encoder.error(new GatewayError('upstream_rate_limited', 'Slow down'));
    expect(parse(sse)).toEqual([{ event: 'error', data: { type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } } }]);
    expect(encoder.finish(usage)).toBe('');
    await expect(sdkFinalMessage(start + sse)).rejects.toThrow(/Slow down/);
  });
});
