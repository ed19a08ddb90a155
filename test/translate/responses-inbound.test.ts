import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChunkDelta } from '../../src/canonical/chat.js';
import type { NormalizedUsage } from '../../src/canonical/usage.js';
import { GatewayError } from '../../src/errors/catalogue.js';
import type { StreamEvent } from '../../src/providers/adapter.js';
import { SseParser } from '../../src/providers/sse-parser.js';
import { chatResponseToResponse, responsesRequestToChat } from '../../src/translate/responses-inbound.js';
import { ResponsesStreamEncoder } from '../../src/translate/responses-inbound-stream.js';
import { ResponseItemStore } from '../../src/translate/responses-items.js';
import type { OutputItem } from '../../src/translate/responses-types.js';

const usage: NormalizedUsage = { inputUncached: 7, cacheRead: 3, cacheWrite: 0, output: 12, reasoning: 4, imageTokens: 0, estimated: false };

function chunk(delta: ChunkDelta, finish: string | null = null): StreamEvent {
  const value: ChatChunk = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'up', choices: [{ index: 0, delta, finish_reason: finish }] };
  return { type: 'chunk', chunk: value };
}

function encoder() {
  const { echo } = responsesRequestToChat({ model: 'm', input: 'hi' });
  return new ResponsesStreamEncoder({ requestId: '01a2-b3', createdAt: 1_700_000_000, echo });
}

function events(sse: string): Array<{ type: string; sequence_number: number; [key: string]: any }> {
  const parser = new SseParser();
  return [...parser.push(sse), ...parser.end()].map((event) => {
    const data = JSON.parse(event.data);
    expect(data.type).toBe(event.event);
    return data;
  });
}

/** The SSE text served to the official SDK's stream helper, which accumulates it and checks its consistency. */
async function sdkFinal(sse: string) {
  const bytes = new TextEncoder().encode(sse);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 11) controller.enqueue(bytes.slice(i, i + 11));
      controller.close();
    },
  });
  const client = new OpenAI({ apiKey: 'test', maxRetries: 0, fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }) });
  return client.responses.stream({ model: 'm', input: 'hi' }).finalResponse();
}

describe('Responses request → chat request', () => {
  it('maps instructions, roles, content parts, tools, tool choice, format and limits', () => {
    const { request, echo, warnings } = responsesRequestToChat({
      model: 'm',
      instructions: 'Be brief.',
      input: [
        { role: 'developer', content: 'House rules.' },
        { role: 'user', content: [{ type: 'input_text', text: 'Look: ' }, { type: 'input_image', image_url: 'https://x/cat.png', detail: 'low' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"北京"}' },
        { type: 'function_call', call_id: 'call_2', name: 'get_time', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'Sunny' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: '09:00' }] },
      ],
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true }],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
      max_output_tokens: 64,
      reasoning: { effort: 'high' },
      safety_identifier: 'user-9',
      metadata: { team: 'a' },
      stream: true,
    });
    expect(request.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'system', content: 'House rules.' },
      { role: 'user', content: [{ type: 'text', text: 'Look: ' }, { type: 'image_url', image_url: { url: 'https://x/cat.png', detail: 'low' } }] },
      {
        role: 'assistant', content: 'Checking.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
      { role: 'tool', tool_call_id: 'call_2', content: '09:00' },
    ]);
    expect(request).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', strict: true } }],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      max_tokens: 64,
      reasoning_effort: 'high',
      user: 'user-9',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(echo).toMatchObject({ instructions: 'Be brief.', max_output_tokens: 64, parallel_tool_calls: false, metadata: { team: 'a' }, text: { format: { type: 'json_schema', name: 'answer' } } });
    expect(warnings).toEqual([]);
  });

  it('passes reasoning back on the assistant turn that follows it, and reports what it ignores', () => {
    const { request, warnings } = responsesRequestToChat({
      model: 'm',
      input: [
        { role: 'user', content: 'q' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thought' }] },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
      ],
      store: true,
      top_logprobs: 2,
    });
    expect(request.messages[1]).toEqual({ role: 'assistant', content: null, reasoning_content: 'thought', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] });
    expect(warnings).toHaveLength(1);
    expect(warnings.join(' ')).toMatch(/top_logprobs/);
  });

  it('resolves item references through the resolver, and refuses unknown ones', () => {
    const known: OutputItem = { type: 'function_call', id: 'fc_1', status: 'completed', call_id: 'call_1', name: 'f', arguments: '{"a":1}' };
    const resolve = (id: string) => (id === 'fc_1' ? known : undefined);
    const { request } = responsesRequestToChat({ model: 'm', input: [{ role: 'user', content: 'q' }, { type: 'item_reference', id: 'fc_1' }, { type: 'function_call_output', call_id: 'call_1', output: 'ok' }] }, resolve);
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(() => responsesRequestToChat({ model: 'm', input: [{ type: 'item_reference', id: 'fc_2' }] }, resolve)).toThrow(expect.objectContaining({ code: 'invalid_request', param: 'input[0].id' }));
  });

  it('refuses state it does not keep and tools it cannot run, naming the parameter', () => {
    const refuse = (body: Record<string, unknown>, param: string) => expect(() => responsesRequestToChat({ model: 'm', input: 'x', ...body })).toThrow(expect.objectContaining({ code: 'invalid_request', param }));
    refuse({ previous_response_id: 'resp_1' }, 'previous_response_id'); // not kept: the caller found no conversation
    refuse({ conversation: 'conv_1' }, 'conversation');
    refuse({ background: true }, 'background');
    refuse({ tools: [{ type: 'file_search', vector_store_ids: ['v'] }] }, 'tools[0].type');
    refuse({ tool_choice: { type: 'web_search_preview' } }, 'tool_choice');
    refuse({ input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, 'input[0].content[0].type');
    refuse({ input: [{ type: 'computer_call', id: 'x' }] }, 'input[0].type');
    refuse({ text: { format: { type: 'yaml' } } }, 'text.format.type');
    refuse({ temperature: 'hot' }, 'temperature');
  });
});

describe('previous_response_id', () => {
  it('puts the earlier conversation after the new instructions and before the new input; only the input is new', () => {
    const previous = [{ role: 'user' as const, content: 'q1' }, { role: 'assistant' as const, content: 'a1' }];
    const { request, conversation, echo } = responsesRequestToChat({ model: 'm', instructions: 'Now brief.', previous_response_id: 'resp_9', input: 'q2' }, undefined, previous);
    expect(request.messages).toEqual([{ role: 'system', content: 'Now brief.' }, ...previous, { role: 'user', content: 'q2' }]);
    expect(conversation).toEqual([...previous, { role: 'user', content: 'q2' }]);
    expect(echo.previous_response_id).toBe('resp_9');
  });
});

describe('chat answer → response object', () => {
  it('orders reasoning, message and function calls; usage counts cached input and reasoning', () => {
    const { echo } = responsesRequestToChat({ model: 'auto', input: 'hi' });
    const response = chatResponseToResponse(
      {
        id: 'x', object: 'chat.completion', created: 1, model: 'up',
        choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: 'Let me look.', reasoning_content: 'need weather', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] } }],
      },
      usage, echo, { requestId: '01a2-b3', createdAt: 5 }, '0.0012',
    );
    expect(response).toMatchObject({ id: 'resp_01a2b3', object: 'response', created_at: 5, status: 'completed', model: 'auto', store: true });
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(new Set(response.output.map((item) => item.id)).size).toBe(3);
    expect(response.usage).toEqual({ input_tokens: 10, input_tokens_details: { cached_tokens: 3 }, output_tokens: 12, output_tokens_details: { reasoning_tokens: 4 }, total_tokens: 22, cost_cny: '0.0012' });
  });
});

describe('Responses stream encoder', () => {
  it('emits a consistent event sequence the official SDK accumulates into the same answer', async () => {
    const enc = encoder();
    let sse = enc.start();
    sse += enc.push(chunk({ role: 'assistant', reasoning_content: 'think ' }));
    sse += enc.push(chunk({ reasoning_content: 'more' }));
    sse += enc.push(chunk({ content: '你好' }));
    sse += enc.push(chunk({ content: '，世界' }));
    sse += enc.push(chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '{"x"' } }] }));
    sse += enc.push(chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'g', arguments: '' } }] }));
    sse += enc.push(chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }));
    sse += enc.push(chunk({}, 'tool_calls'));
    sse += enc.finish(usage, '0.5');
    const list = events(sse);
    expect(list.map((event) => event.sequence_number)).toEqual(list.map((_, index) => index));
    expect(list[0]!.type).toBe('response.created');
    expect(list.at(-1)!.type).toBe('response.completed');
    // every delta names an item that was added before it and not yet done
    const open = new Set<string>();
    for (const event of list) {
      if (event.type === 'response.output_item.added') open.add(event.item.id);
      else if (event.type === 'response.output_item.done') expect(open.delete(event.item.id)).toBe(true);
      else if (event.item_id) expect(open.has(event.item_id)).toBe(true);
    }
    expect(open.size).toBe(0);
    const final = await sdkFinal(sse);
    expect(final.output_text).toBe('你好，世界');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call', 'function_call']);
    expect(final.output[2]).toMatchObject({ call_id: 'call_a', name: 'f', arguments: '{"x":1}' });
    expect(final.output[3]).toMatchObject({ call_id: 'call_b', name: 'g', arguments: '' });
    expect(final.usage?.total_tokens).toBe(22);
    expect(enc.output()).toEqual(list.at(-1)!.response.output);
  });

  it('ends incomplete on moderation, and failed (error event first) on a mid-stream failure', () => {
    const cut = encoder();
    const moderated = events(cut.start() + cut.push(chunk({ content: 'part' })) + cut.push({ type: 'moderated', message: 'sensitive' }) + cut.finish(usage));
    expect(moderated.at(-1)).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'content_filter' } } });
    expect(moderated.find((event) => event.type === 'response.output_item.done')!.item.status).toBe('incomplete');

    const broken = encoder();
    const failed = events(broken.push(chunk({ content: 'part' })) + broken.error(new GatewayError('upstream_unavailable', 'provider went away'), usage));
    expect(failed[0]!.type).toBe('response.created');
    expect(failed.at(-2)).toMatchObject({ type: 'error', code: 'upstream_unavailable', message: 'provider went away' });
    expect(failed.at(-1)).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'upstream_unavailable' } } });
    expect(broken.finish(usage)).toBe('');
  });
});

describe('ResponseItemStore', () => {
  const item = (id: string, args = '{}'): OutputItem => ({ type: 'function_call', id, status: 'completed', call_id: `c_${id}`, name: 'f', arguments: args });

  it('gives an item back to its owner only, until it expires', () => {
    let now = 0;
    const store = new ResponseItemStore({ maxBytes: 1_000_000, ttlMs: 1_000, now: () => now });
    store.put('key-a', [item('fc_1')]);
    expect(store.get('key-a', 'fc_1')).toMatchObject({ call_id: 'c_fc_1' });
    expect(store.get('key-b', 'fc_1')).toBeUndefined();
    now = 1_000;
    expect(store.get('key-a', 'fc_1')).toBeUndefined();
    expect(store.stats()).toEqual({ entries: 0, bytes: 0 });
  });

  it('stays within its byte bound, dropping the least recently used first', () => {
    const store = new ResponseItemStore({ maxBytes: 2_000, ttlMs: 60_000 });
    for (let i = 0; i < 50; i += 1) {
      store.put('k', [item(`fc_${i}`, 'x'.repeat(100))]);
      store.get('k', 'fc_0'); // kept warm
    }
    expect(store.stats().bytes).toBeLessThanOrEqual(2_000);
    expect(store.get('k', 'fc_0')).toBeDefined();
    expect(store.get('k', 'fc_49')).toBeDefined();
    expect(store.get('k', 'fc_1')).toBeUndefined();
    store.put('k', [item('fc_huge', 'x'.repeat(5_000))]);
    expect(store.get('k', 'fc_huge')).toBeUndefined();
  });
});
