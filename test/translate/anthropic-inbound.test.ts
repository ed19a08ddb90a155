import { describe, expect, it } from 'vitest';
import type { MessageCreateParams } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ChatResponse } from '../../src/canonical/chat.js';
import type { NormalizedUsage } from '../../src/canonical/usage.js';
import { GatewayError } from '../../src/errors/catalogue.js';
import { chatResponseToMessage, messagesRequestToChat } from '../../src/translate/anthropic-inbound.js';
import { TOOL_ERROR_PREFIX } from '../../src/translate/anthropic-types.js';

function expectInvalid(body: unknown, param: string): GatewayError {
  try {
    messagesRequestToChat(body);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError.code).toBe('invalid_request');
    expect(gatewayError.param).toBe(param);
    expect(gatewayError.message.length).toBeGreaterThan(5);
    return gatewayError;
  }
  throw new Error('expected messagesRequestToChat to throw');
}

const base = { model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] } as const;

describe('messagesRequestToChat', () => {
  it('maps a minimal request', () => {
    const body: MessageCreateParams = { model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
    const { request, warnings } = messagesRequestToChat(body);
    expect(request).toEqual({ model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(warnings).toEqual([]);
  });

  it('maps system text blocks, sampling, stop, metadata and stream', () => {
    const { request, warnings } = messagesRequestToChat({
      ...base,
      system: [{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Answer in French.' }],
      temperature: 0.3, top_p: 0.9, stop_sequences: ['END'], metadata: { user_id: 'u-1' }, stream: true,
    });
    expect(request.messages[0]).toEqual({ role: 'system', content: 'You are terse.\nAnswer in French.' });
    expect(request).toMatchObject({ temperature: 0.3, top_p: 0.9, stop: ['END'], user: 'u-1', stream: true, stream_options: { include_usage: true } });
    expect(warnings).toEqual([]);
  });

  it('accepts a string system prompt and leaves stream_options off when not streaming', () => {
    const { request } = messagesRequestToChat({ ...base, system: 'Be nice', stream: false });
    expect(request.messages[0]).toEqual({ role: 'system', content: 'Be nice' });
    expect(request.stream).toBeUndefined();
    expect(request.stream_options).toBeUndefined();
  });

  it('maps images (base64 and url) into image_url parts', () => {
    const { request } = messagesRequestToChat({
      ...base,
      messages: [{ role: 'user', content: [
        { type: 'text', text: 'What is this?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      ] }],
    });
    expect(request.messages).toEqual([{ role: 'user', content: [
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
    ] }]);
  });

  it('maps a tool conversation: tool_use → tool_calls, tool_result → tool messages before remaining text', () => {
    const body: MessageCreateParams = {
      model: 'claude-x', max_tokens: 100,
      tools: [{ name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { role: 'assistant', content: [
          { type: 'thinking', thinking: 'Two cities.', signature: 'sig' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
        ] },
        { role: 'user', content: [
          { type: 'text', text: 'Also, be brief.' },
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: 'city' }, { type: 'text', text: 'not found' }], is_error: true },
        ] },
      ],
    };
    const { request, warnings } = messagesRequestToChat(body);
    expect(warnings).toEqual([]);
    expect(request.tools).toEqual([{ type: 'function', function: {
      name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } },
    } }]);
    expect(request.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      { role: 'assistant', content: 'Checking.', reasoning_content: 'Two cities.', tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
      ] },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
      { role: 'tool', tool_call_id: 'toolu_2', content: `${TOOL_ERROR_PREFIX}city\nnot found` },
      { role: 'user', content: 'Also, be brief.' },
    ]);
  });

  it('gives a tool-only assistant turn null content and emits no empty user message after tool results', () => {
    const { request } = messagesRequestToChat({ ...base, messages: [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1' }] },
    ] });
    expect(request.messages[1]).toMatchObject({ role: 'assistant', content: null });
    expect(request.messages.slice(2)).toEqual([{ role: 'tool', tool_call_id: 't1', content: '' }]);
  });

  it('maps every tool_choice and disable_parallel_tool_use', () => {
    const tools = [{ name: 'f', input_schema: { type: 'object' } }];
    const choice = (tool_choice: unknown) => messagesRequestToChat({ ...base, tools, tool_choice }).request;
    expect(choice({ type: 'auto' }).tool_choice).toBe('auto');
    expect(choice({ type: 'any' }).tool_choice).toBe('required');
    expect(choice({ type: 'none' }).tool_choice).toBe('none');
    expect(choice({ type: 'auto', disable_parallel_tool_use: true }).parallel_tool_calls).toBe(false);
    expectInvalid({ ...base, tools, tool_choice: { type: 'sometimes' } }, 'tool_choice.type');
    expectInvalid({ ...base, tools, tool_choice: { type: 'tool' } }, 'tool_choice.name');
  });

  it('warns (never silently drops) top_k, cache_control, thinking, redacted_thinking and unknown fields', () => {
    const { request, warnings } = messagesRequestToChat({
      ...base, top_k: 5, thinking: { type: 'enabled', budget_tokens: 1024 }, service_tier: 'auto',
      system: [{ type: 'text', text: 'S', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q', cache_control: { type: 'ephemeral' } }] },
        { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'xx' }, { type: 'text', text: 'a' }] },
      ],
    });
    expect(request).not.toHaveProperty('top_k');
    expect(request).not.toHaveProperty('service_tier');
    const text = warnings.join('\n');
    expect(text).toMatch(/top_k/);
    expect(text).toMatch(/cache_control/);
    expect(warnings.filter((w) => w.includes('cache_control'))).toHaveLength(1);
    expect(text).toMatch(/thinking/);
    expect(text).toMatch(/redacted_thinking/);
    expect(text).toMatch(/service_tier/);
  });

  it('moves images inside tool_result into the following user message with a warning', () => {
    const { request, warnings } = messagesRequestToChat({ ...base, messages: [
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [
        { type: 'text', text: 'screenshot' },
        { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
      ] }] },
    ] });
    expect(request.messages).toEqual([
      { role: 'tool', tool_call_id: 't', content: 'screenshot' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
    ]);
    expect(warnings.join()).toMatch(/image inside tool_result/);
  });

  it.each([
    [null, 'body'],
    [[], 'body'],
    [{ max_tokens: 1, messages: [{ role: 'user', content: 'x' }] }, 'model'],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens'],
    [{ model: 'm', max_tokens: 0, messages: [{ role: 'user', content: 'x' }] }, 'max_tokens'],
    [{ model: 'm', max_tokens: '10', messages: [{ role: 'user', content: 'x' }] }, 'max_tokens'],
    [{ model: 'm', max_tokens: 1 }, 'messages'],
    [{ model: 'm', max_tokens: 1, messages: [] }, 'messages'],
    [{ ...base, messages: ['hi'] }, 'messages[0]'],
    [{ ...base, messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role'],
    [{ ...base, messages: [{ role: 'user', content: 5 }] }, 'messages[0].content'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages[0].content[0].text'],
    [{ ...base, messages: [{ role: 'user', content: [{ text: 'no type' }] }] }, 'messages[0].content[0]'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, 'messages[0].content[0].type'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] }, 'messages[0].content[0].source.type'],
    [{ ...base, messages: [{ role: 'user', content: [{ type: 'tool_result' }] }] }, 'messages[0].content[0].tool_use_id'],
    [{ ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', input: {} }] }] }, 'messages[0].content[0].name'],
    [{ ...base, system: 42 }, 'system'],
    [{ ...base, system: [{ type: 'image' }] }, 'system[0]'],
    [{ ...base, temperature: 'hot' }, 'temperature'],
    [{ ...base, stop_sequences: 'END' }, 'stop_sequences'],
    [{ ...base, tools: {} }, 'tools'],
    [{ ...base, tools: [{ name: 'f' }] }, 'tools[0].input_schema'],
    [{ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'tools[0].type'],
    [{ ...base, metadata: { user_id: 7 } }, 'metadata.user_id'],
    [{ ...base, stream: 'yes' }, 'stream'],
  ])('rejects invalid input %# with param %s', (body, param) => {
    expectInvalid(body, param);
  });
});

const usage: NormalizedUsage = { inputUncached: 100, cacheRead: 400, cacheWrite: 50, output: 30, reasoning: 10, imageTokens: 0, estimated: false };

function response(message: ChatResponse['choices'][number]['message'], finish: string | null): ChatResponse {
  return { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'upstream-x', choices: [{ index: 0, message, finish_reason: finish }] };
}

describe('chatResponseToMessage', () => {
  it('maps thinking, text and tool_use blocks, stop reason and usage', () => {
    const message = chatResponseToMessage(response({
      role: 'assistant', content: 'Let me check.', reasoning_content: 'hmm',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
    }, 'tool_calls'), usage, 'claude-x');
    expect(message).toEqual({
      id: 'msg_chatcmpl-1', type: 'message', role: 'assistant', model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: '' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
      ],
      stop_reason: 'tool_use', stop_sequence: null,
      usage: { input_tokens: 100, cache_read_input_tokens: 400, cache_creation_input_tokens: 50, output_tokens: 30, output_tokens_details: { thinking_tokens: 10 } },
    });
  });

  it.each([
    ['stop', 'end_turn'], ['length', 'max_tokens'], ['tool_calls', 'tool_use'], ['content_filter', 'refusal'], [null, 'end_turn'], ['weird', 'end_turn'],
  ])('maps finish_reason %s to stop_reason %s', (finish, stop) => {
    expect(chatResponseToMessage(response({ role: 'assistant', content: 'x' }, finish), usage, 'm').stop_reason).toBe(stop);
  });

  it('keeps invalid tool arguments under _raw and empty arguments as {}', () => {
    const message = chatResponseToMessage(response({ role: 'assistant', content: null, tool_calls: [
      { id: 'a', type: 'function', function: { name: 'f', arguments: '{"broken' } },
      { id: 'b', type: 'function', function: { name: 'g', arguments: '' } },
      { id: 'c', type: 'function', function: { name: 'h', arguments: '[1,2]' } },
    ] }, 'tool_calls'), usage, 'm');
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'a', name: 'f', input: { _raw: '{"broken' } },
      { type: 'tool_use', id: 'b', name: 'g', input: {} },
      { type: 'tool_use', id: 'c', name: 'h', input: { _raw: '[1,2]' } },
    ]);
  });

  it('joins array text content and omits empty text; no output_tokens_details without reasoning', () => {
    const message = chatResponseToMessage(response({ role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }, 'stop'),
      { ...usage, reasoning: 0 }, 'm');
    expect(message.content).toEqual([{ type: 'text', text: 'ab' }]);
    expect(message.usage).not.toHaveProperty('output_tokens_details');
    expect(chatResponseToMessage(response({ role: 'assistant', content: '' }, 'stop'), usage, 'm').content).toEqual([]);
  });
});
