import { describe, expect, it } from 'vitest';
import Anthropic from '@anthropic-ai/sdk';
import type { ChatChunk } from '../../src/canonical/chat.js';
import { GatewayError } from '../../src/errors/catalogue.js';
import type { StreamEvent } from '../../src/providers/adapter.js';
import { MessagesStreamEncoder } from '../../src/translate/anthropic-inbound-stream.js';
import { AnthropicStreamDecoder } from '../../src/translate/anthropic-outbound-stream.js';
import { STRUCTURED_OUTPUT_TOOL } from '../../src/translate/anthropic-types.js';

/** A realistic Anthropic stream: thinking, text, then a tool call whose JSON arrives in pieces. */
const upstream = [
  { type: 'message_start', message: {
    id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, stop_sequence: null,
    usage: { input_tokens: 25, output_tokens: 1, cache_creation_input_tokens: 200, cache_read_input_tokens: 800 },
  } },
  { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
  { type: 'ping' },
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Need the ' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'weather.' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Checking' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: '…' } },
  { type: 'content_block_stop', index: 1 },
  { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: {} } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": "Pa' } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: 'ris"}' } },
  { type: 'content_block_stop', index: 2 },
  { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 88 } },
  { type: 'message_stop' },
];

function decodeAll(events: Array<Record<string, unknown>>): StreamEvent[] {
  const decoder = new AnthropicStreamDecoder('tidegate-name', () => 1_700_000_000_000);
  return events.flatMap((event) => decoder.accept(String(event.type), event));
}

const chunks = (events: StreamEvent[]): ChatChunk[] => events.flatMap((e) => (e.type === 'chunk' ? [e.chunk] : []));

describe('AnthropicStreamDecoder', () => {
  it('streams the forced structured-output tool\'s input as content, finished with stop', () => {
    const decoder = new AnthropicStreamDecoder('m', () => 0);
    const events = [
      ['message_start', { type: 'message_start', message: { id: 'msg_1', usage: { input_tokens: 5, output_tokens: 0 } } }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_1', name: STRUCTURED_OUTPUT_TOOL, input: {} } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city":' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"杭州"}' } }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 7 } }],
      ['message_stop', { type: 'message_stop' }],
    ] as const;
    const out = events.flatMap(([name, data]) => decoder.accept(name, data));
    const chunks = out.flatMap((event) => (event.type === 'chunk' ? [event.chunk] : []));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('{"city":"杭州"}');
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('turns Anthropic events into OpenAI chunks and one final usage event', () => {
    const events = decodeAll(upstream);
    const deltas = chunks(events).map((c) => [c.choices[0]!.delta, c.choices[0]!.finish_reason]);
    expect(deltas).toEqual([
      [{ role: 'assistant', content: '' }, null],
      [{ reasoning_content: 'Need the ' }, null],
      [{ reasoning_content: 'weather.' }, null],
      [{ content: 'Checking' }, null],
      [{ content: '…' }, null],
      [{ tool_calls: [{ index: 0, id: 'toolu_9', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: '{"city": "Pa' } }] }, null],
      [{ tool_calls: [{ index: 0, function: { arguments: 'ris"}' } }] }, null],
      [{}, 'tool_calls'],
    ]);
    for (const chunk of chunks(events)) expect(chunk).toMatchObject({ id: 'msg_up', object: 'chat.completion.chunk', model: 'tidegate-name', created: 1_700_000_000 });
    const usage = events.filter((e) => e.type === 'usage');
    expect(usage).toEqual([{ type: 'usage', usage: { inputUncached: 25, cacheRead: 800, cacheWrite: 200, output: 88, reasoning: 0, imageTokens: 0, estimated: false } }]);
    expect(events.at(-1)!.type).toBe('usage');
  });

  it('numbers parallel tool calls 0, 1, … independent of block indexes', () => {
    const events = decodeAll([
      upstream[0]!,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'a', name: 'f', input: {} } },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'b', name: 'g', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } },
    ]);
    const calls = chunks(events).flatMap((c) => c.choices[0]!.delta.tool_calls ?? []);
    expect(calls.map((c) => [c.index, c.id])).toEqual([[0, 'a'], [1, 'b'], [1, undefined]]);
  });

  it('maps refusal to content_filter and lets message_delta override cache figures', () => {
    const events = decodeAll([
      upstream[0]!,
      { type: 'message_delta', delta: { stop_reason: 'refusal', stop_sequence: null }, usage: { output_tokens: 3, input_tokens: 30, cache_read_input_tokens: 0 } },
      { type: 'message_stop' },
    ]);
    expect(chunks(events).at(-1)!.choices[0]!.finish_reason).toBe('content_filter');
    expect(events.at(-1)).toMatchObject({ type: 'usage', usage: { inputUncached: 30, cacheRead: 0, cacheWrite: 200, output: 3 } });
  });

  it('uses the event name when data has no type, and ignores unknown events', () => {
    const decoder = new AnthropicStreamDecoder('m');
    expect(decoder.accept('ping', {})).toEqual([]);
    expect(decoder.accept('something_new', { type: 'something_new' })).toEqual([]);
    expect(decoder.accept('content_block_delta', { index: 5, delta: { type: 'input_json_delta', partial_json: '{' } })).toEqual([]);
  });

  it.each([
    ['overloaded_error', 'upstream_rate_limited'], ['rate_limit_error', 'upstream_rate_limited'], ['api_error', 'upstream_unavailable'],
  ])('throws on an error event (%s → %s)', (type, code) => {
    const decoder = new AnthropicStreamDecoder('m');
    try {
      decoder.accept('error', { type: 'error', error: { type, message: 'Overloaded' } });
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ code, upstreamCode: type, message: 'Anthropic: Overloaded' });
    }
  });

  it('round trips: Anthropic SSE → canonical → Anthropic SSE parses to the same message in the SDK', async () => {
    const events = decodeAll(upstream);
    const encoder = new MessagesStreamEncoder({ model: 'tidegate-name' });
    let sse = '';
    for (const event of events) sse += encoder.push(event);
    const usage = events.find((e) => e.type === 'usage');
    if (usage?.type !== 'usage') throw new Error('no usage');
    sse += encoder.finish(usage.usage);

    const client = new Anthropic({
      apiKey: 'test', maxRetries: 0,
      fetch: async () => new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    });
    const message = await client.messages.stream({ model: 'tidegate-name', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
    expect(message).toMatchObject({
      id: 'msg_up', model: 'tidegate-name', stop_reason: 'tool_use',
      content: [
        { type: 'thinking', thinking: 'Need the weather.' },
        { type: 'text', text: 'Checking…' },
        { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: { city: 'Paris' } },
      ],
      usage: { input_tokens: 25, cache_creation_input_tokens: 200, cache_read_input_tokens: 800, output_tokens: 88 },
    });
  });
});
