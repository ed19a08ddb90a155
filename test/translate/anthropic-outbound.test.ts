import { describe, expect, it } from 'vitest';
import type { Message } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ChatRequest } from '../../src/canonical/chat.js';
import { GatewayError } from '../../src/errors/catalogue.js';
import { chatRequestToMessages, DEFAULT_MAX_TOKENS, messageToChatResponse } from '../../src/translate/anthropic-outbound.js';
import { STRUCTURED_OUTPUT_TOOL, TOOL_ERROR_PREFIX } from '../../src/translate/anthropic-types.js';

function req(partial: Partial<ChatRequest>): ChatRequest {
  return { model: 'tidegate-name', messages: [{ role: 'user', content: 'hi' }], max_tokens: 50, ...partial };
}

function thrown(fn: () => unknown): GatewayError {
  try { fn(); } catch (error) { expect(error).toBeInstanceOf(GatewayError); return error as GatewayError; }
  throw new Error('expected a throw');
}

describe('chatRequestToMessages', () => {
  it('hoists system/developer messages and uses the upstream model name', () => {
    const { body, warnings } = chatRequestToMessages(req({ messages: [
      { role: 'system', content: 'Be terse.' },
      { role: 'developer', content: [{ type: 'text', text: 'Use French.' }] },
      { role: 'user', content: 'hi' },
    ] }), 'claude-sonnet-4-5');
    expect(body).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 50, system: 'Be terse.\n\nUse French.', messages: [{ role: 'user', content: 'hi' }] });
    expect(warnings).toEqual([]);
  });

  it('warns when a system message appears mid-conversation', () => {
    const { body, warnings } = chatRequestToMessages(req({ messages: [{ role: 'user', content: 'a' }, { role: 'system', content: 'late' }] }), 'c');
    expect(body.system).toBe('late');
    expect(warnings.join()).toMatch(/moved into "system"/);
  });

  it('merges consecutive same-role messages and skips empty ones', () => {
    const { body, warnings } = chatRequestToMessages(req({ messages: [
      { role: 'user', content: 'one' }, { role: 'user', content: 'two' },
      { role: 'assistant', content: 'a' }, { role: 'assistant', content: '' }, { role: 'assistant', content: 'b' },
    ] }), 'c');
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
    ]);
    expect(warnings.join()).toMatch(/empty assistant message/);
  });

  it('maps tool calls and tool results (results first in their user turn, is_error restored)', () => {
    const { body, warnings } = chatRequestToMessages(req({
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, reasoning_content: 'thinking', tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'w', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'w', arguments: 'not json' } },
        ] },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
        { role: 'tool', tool_call_id: 'call_2', content: `${TOOL_ERROR_PREFIX}bad city` },
        { role: 'user', content: 'thanks' },
      ],
      tools: [{ type: 'function', function: { name: 'w', description: 'weather', parameters: { type: 'object', properties: {} } } }, { type: 'function', function: { name: 'bare' } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
    }), 'c');
    expect(body.messages).toEqual([
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: [
        { type: 'tool_use', id: 'call_1', name: 'w', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'w', input: { _raw: 'not json' } },
      ] },
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: '18C' },
        { type: 'tool_result', tool_use_id: 'call_2', content: 'bad city', is_error: true },
        { type: 'text', text: 'thanks' },
      ] },
    ]);
    expect(body.tools).toEqual([
      { name: 'w', description: 'weather', input_schema: { type: 'object', properties: {} } },
      { name: 'bare', input_schema: { type: 'object', properties: {} } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(warnings.join('\n')).toMatch(/reasoning_content/);
    expect(warnings.join('\n')).toMatch(/tool_calls\[1\]\.function\.arguments/);
  });

  it('orders tool_result blocks first even when text was merged before them', () => {
    const { body } = chatRequestToMessages(req({ messages: [
      { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'user', content: 'note' },
      { role: 'tool', tool_call_id: 't', content: 'ok' },
    ] }), 'c');
    expect(body.messages[1]).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }, { type: 'text', text: 'note' }] });
  });

  it.each([
    ['auto', { type: 'auto' }], ['none', { type: 'none' }], [{ type: 'function', function: { name: 'f' } }, { type: 'tool', name: 'f' }],
  ])('maps tool_choice %j', (choice, expected) => {
    const tools = [{ type: 'function' as const, function: { name: 'f' } }];
    expect(chatRequestToMessages(req({ tools, tool_choice: choice }), 'c').body.tool_choice).toEqual(expected);
  });

  it('maps images: data URLs to base64 sources, http URLs to url sources', () => {
    const { body } = chatRequestToMessages(req({ messages: [{ role: 'user', content: [
      { type: 'text', text: 'look' },
      { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
      { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
    ] }] }), 'c');
    expect(body.messages[0]!.content).toEqual([
      { type: 'text', text: 'look' },
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
    ]);
  });

  it('rejects unsupported parts and roles with param', () => {
    let error = thrown(() => chatRequestToMessages(req({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }] }), 'c'));
    expect(error).toMatchObject({ code: 'unsupported_capability', param: 'messages[0].content[0]' });
    error = thrown(() => chatRequestToMessages(req({ messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }), 'c'));
    expect(error).toMatchObject({ code: 'unsupported_capability', param: 'messages[0].content[0].type' });
    error = thrown(() => chatRequestToMessages(req({ messages: [{ role: 'function', name: 'f', content: 'x' }] }), 'c'));
    expect(error).toMatchObject({ code: 'unsupported_capability', param: 'messages[0].role' });
    error = thrown(() => chatRequestToMessages(req({ messages: [{ role: 'tool', content: 'x' }] }), 'c'));
    expect(error).toMatchObject({ code: 'invalid_request', param: 'messages[0].tool_call_id' });
    error = thrown(() => chatRequestToMessages(req({ messages: [{ role: 'system', content: 'only system' }] }), 'c'));
    expect(error).toMatchObject({ code: 'invalid_request', param: 'messages' });
  });

  it('defaults max_tokens with a warning, and prefers max_tokens over max_completion_tokens', () => {
    const defaulted = chatRequestToMessages(req({ max_tokens: undefined }), 'c');
    expect(defaulted.body.max_tokens).toBe(DEFAULT_MAX_TOKENS);
    expect(defaulted.warnings.join()).toMatch(/max_tokens/);
    expect(chatRequestToMessages(req({ max_tokens: undefined, max_completion_tokens: 77 }), 'c').body.max_tokens).toBe(77);
    expect(chatRequestToMessages(req({ max_tokens: 10, max_completion_tokens: 77 }), 'c').body.max_tokens).toBe(10);
  });

  it('maps stop, sampling, user, stream and warns for n, high temperature and unknown fields', () => {
    const { body, warnings } = chatRequestToMessages(req({
      stop: 'END', temperature: 1.5, top_p: 0.8, user: 'u1', stream: true, stream_options: { include_usage: true },
      n: 2, seed: 7,
    }), 'c');
    expect(body).toMatchObject({ stop_sequences: ['END'], temperature: 1, top_p: 0.8, metadata: { user_id: 'u1' }, stream: true });
    expect(body).not.toHaveProperty('stream_options');
    expect(body).not.toHaveProperty('seed');
    const text = warnings.join('\n');
    for (const word of ['n=2', 'temperature', 'seed']) expect(text).toContain(word);
    expect(chatRequestToMessages(req({ stop: ['a', 'b'], response_format: { type: 'text' } }), 'c')).toMatchObject({ body: { stop_sequences: ['a', 'b'] }, warnings: [] });
  });

  it('forces structured output through one tool whose input schema is the requested schema', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const { body, warnings } = chatRequestToMessages(req({ response_format: { type: 'json_schema', json_schema: { name: 'place', schema } } }), 'c');
    expect(body.tools).toEqual([{ name: STRUCTURED_OUTPUT_TOOL, description: expect.stringContaining('"place"'), input_schema: schema }]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: STRUCTURED_OUTPUT_TOOL });
    expect(warnings).toEqual([]);
    expect(chatRequestToMessages(req({ response_format: { type: 'json_object' } }), 'c').body.tools?.[0]?.input_schema).toEqual({ type: 'object' });
    // With the client's own tools the answer cannot be forced: said, not hidden.
    const own = chatRequestToMessages(req({ response_format: { type: 'json_object' }, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] }), 'c');
    expect(own.body.tools?.map((tool) => tool.name)).toEqual(['f']);
    expect(own.warnings.join()).toContain('response_format');
  });

  it('returns the forced tool\'s input as the answer\'s JSON content, finished with stop', () => {
    const message = { id: 'msg_2', type: 'message', role: 'assistant', model: 'c', stop_reason: 'tool_use', content: [{ type: 'tool_use', id: 'toolu_1', name: STRUCTURED_OUTPUT_TOOL, input: { city: '杭州' } }], usage: { input_tokens: 10, output_tokens: 5 } };
    const { response } = messageToChatResponse(message, 'tidegate-name');
    expect(JSON.parse(response.choices[0]!.message.content as string)).toEqual({ city: '杭州' });
    expect(response.choices[0]!.message.tool_calls).toBeUndefined();
    expect(response.choices[0]!.finish_reason).toBe('stop');
  });
});

const upstream: Message = {
  id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', container: null, diagnostics: null, stop_details: null,
  content: [
    { type: 'thinking', thinking: 'Let me think.', signature: 'sig' },
    { type: 'text', text: 'Sure, ', citations: null },
    { type: 'text', text: 'checking.', citations: null },
    { type: 'tool_use', id: 'toolu_1', name: 'w', input: { city: 'Paris' }, caller: { type: 'direct' } } as Message['content'][number],
  ],
  stop_reason: 'tool_use', stop_sequence: null,
  usage: {
    input_tokens: 20, output_tokens: 70, cache_creation_input_tokens: 300, cache_read_input_tokens: 1000, cache_creation: null,
    inference_geo: null, output_tokens_details: { thinking_tokens: 25 }, server_tool_use: null, service_tier: 'standard', speed: null,
  },
};

describe('messageToChatResponse', () => {
  it('maps content, finish reason and normalises usage with cache fields', () => {
    const { response, usage } = messageToChatResponse(upstream, 'tidegate-name', 1_700_000_000_000);
    expect(usage).toEqual({ inputUncached: 20, cacheRead: 1000, cacheWrite: 300, output: 70, reasoning: 25, imageTokens: 0, estimated: false });
    expect(response).toEqual({
      id: 'msg_01', object: 'chat.completion', created: 1_700_000_000, model: 'tidegate-name',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: {
        role: 'assistant', content: 'Sure, checking.', reasoning_content: 'Let me think.',
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'w', arguments: '{"city":"Paris"}' } }],
      } }],
      usage: { prompt_tokens: 1320, completion_tokens: 70, total_tokens: 1390, prompt_tokens_details: { cached_tokens: 1000 }, completion_tokens_details: { reasoning_tokens: 25 } },
    });
  });

  it.each([
    ['end_turn', 'stop'], ['stop_sequence', 'stop'], ['max_tokens', 'length'], ['tool_use', 'tool_calls'], ['refusal', 'content_filter'],
    ['pause_turn', 'stop'], ['model_context_window_exceeded', 'length'], [null, 'stop'],
  ])('maps stop_reason %s to %s', (stop, finish) => {
    const { response } = messageToChatResponse({ ...upstream, content: [], stop_reason: stop }, 'm');
    expect(response.choices[0]!.finish_reason).toBe(finish);
    expect(response.choices[0]!.message.content).toBe('');
  });

  it('treats null cache fields as zero', () => {
    const { usage } = messageToChatResponse({ ...upstream, usage: { input_tokens: 5, output_tokens: 6, cache_read_input_tokens: null, cache_creation_input_tokens: null } }, 'm');
    expect(usage).toMatchObject({ inputUncached: 5, cacheRead: 0, cacheWrite: 0, output: 6, reasoning: 0 });
  });

  it.each([
    ['null', null], ['a string', 'oops'], ['wrong type', { ...upstream, type: 'error' }], ['no content', { ...upstream, content: undefined }],
    ['no usage', { ...upstream, usage: undefined }], ['bad usage', { ...upstream, usage: { input_tokens: '1', output_tokens: 2 } }],
    ['bad block', { ...upstream, content: [42] }], ['tool_use without id', { ...upstream, content: [{ type: 'tool_use', name: 'f', input: {} }] }],
  ])('throws upstream_unavailable on garbage (%s)', (_name, value) => {
    expect(thrown(() => messageToChatResponse(value, 'm')).code).toBe('upstream_unavailable');
  });
});
