import { describe, expect, it } from 'vitest';
import { validateChatRequest } from '../../src/api/validate-chat.js';
import type { GatewayError } from '../../src/errors/catalogue.js';
import { gatewayErrorOf } from '../fixtures/gateway-error.js';

const base = { model: 'deepseek-flash', messages: [{ role: 'user', content: 'hi' }] };
const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } };

const rejection = (body: object, options?: { maxStop?: number }): GatewayError =>
  gatewayErrorOf(() => validateChatRequest({ ...base, ...body }, options), JSON.stringify(body));

describe('validateChatRequest refuses what OpenAI refuses, naming the field', () => {
  it.each<[string, object, string]>([
    ['an unknown tool_choice string', { tool_choice: 'bogus' }, 'tool_choice'],
    ['a tool_choice naming an undeclared function', { tools: [weather], tool_choice: { type: 'function', function: { name: 'get_time' } } }, 'tool_choice'],
    ['a named tool_choice with no tools', { tool_choice: { type: 'function', function: { name: 'get_weather' } } }, 'tool_choice'],
    ['tool_choice "required" with no tools', { tool_choice: 'required' }, 'tool_choice'],
    ['a tool_choice of another type', { tools: [weather], tool_choice: { type: 'tool', name: 'get_weather' } }, 'tool_choice.type'],
    ['a tool_choice without a function name', { tools: [weather], tool_choice: { type: 'function', function: {} } }, 'tool_choice.function.name'],
    ['stop as a number', { stop: 5 }, 'stop'],
    ['stop with a non-string', { stop: ['a', 1] }, 'stop'],
    ['five stop strings', { stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
    ['user as a number', { user: 5 }, 'user'],
    ['parallel_tool_calls as a string', { parallel_tool_calls: 'x' }, 'parallel_tool_calls'],
    ['stream_options without stream', { stream_options: { include_usage: true } }, 'stream_options'],
    ['stream_options with stream false', { stream: false, stream_options: { include_usage: true } }, 'stream_options'],
    ['stream_options that is not an object', { stream: true, stream_options: 'yes' }, 'stream_options'],
    ['an unknown response_format type', { response_format: { type: 'xml' } }, 'response_format.type'],
    ['json_schema without its object', { response_format: { type: 'json_schema' } }, 'response_format.json_schema'],
    ['json_schema without a name', { response_format: { type: 'json_schema', json_schema: { schema: { type: 'object' } } } }, 'response_format.json_schema.name'],
  ])('%s', (_, body, param) => {
    const error = rejection(body);
    expect(error).toMatchObject({ code: 'invalid_request', status: 400, type: 'invalid_request_error', param });
    expect(error.message.length).toBeGreaterThan(param.length + 5);
  });

  it('says why in OpenAI\'s words', () => {
    expect(rejection({ stream_options: { include_usage: true } }).message).toBe("The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    expect(rejection({ stop: 5 }).message).toBe('stop: expected a string or an array of strings, but got an integer instead');
    expect(rejection({ tool_choice: 'bogus' }).message).toContain('"none", "auto", "required"');
    expect(rejection({ response_format: { type: 'xml' } }).message).toContain('"text", "json_object", "json_schema"');
  });

  it('takes a caller\'s own stop limit (Anthropic\'s stop_sequences are not capped at 4)', () => {
    const stop = ['a', 'b', 'c', 'd', 'e'];
    expect(() => validateChatRequest({ ...base, stop }, { maxStop: Number.POSITIVE_INFINITY })).not.toThrow();
    expect(rejection({ stop: [...stop, 'f', 'g'] }, { maxStop: 6 }).param).toBe('stop');
  });
});

describe('validateChatRequest accepts what real clients send', () => {
  it.each<[string, object]>([
    ['nulls for every optional field (the SDKs and LangChain)', {
      stop: null, user: null, tool_choice: null, parallel_tool_calls: null, stream: null, stream_options: null, response_format: null, tools: null,
      n: null, logprobs: null, top_logprobs: null, seed: null, temperature: null, max_tokens: null, max_completion_tokens: null,
    }],
    ['undefined fields', { stop: undefined, user: undefined, stream_options: undefined }],
    ['stream_options: null without stream', { stream_options: null }],
    ['stream_options with stream', { stream: true, stream_options: { include_usage: true } }],
    ['a stop string and four stops', { stop: 'END' }],
    ['four stop strings', { stop: ['a', 'b', 'c', 'd'] }],
    ['an empty stop array', { stop: [] }],
    ['every tool_choice keyword with tools', { tools: [weather], tool_choice: 'required', parallel_tool_calls: false }],
    ['none and auto without tools', { tool_choice: 'none' }],
    ['auto without tools', { tool_choice: 'auto' }],
    ['a named declared function', { tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } }],
    ['allowed_tools', { tools: [weather], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'get_weather' } }] } } }],
    ['response_format text', { response_format: { type: 'text' } }],
    ['response_format json_object', { response_format: { type: 'json_object' } }],
    ['response_format json_schema (zodResponseFormat)', { response_format: { type: 'json_schema', json_schema: { name: 'reply', strict: true, schema: { type: 'object' } } } }],
    ['a user string', { user: 'user-1234' }],
    ['newer OpenAI fields', {
      n: 1, logprobs: true, top_logprobs: 2, seed: 7, service_tier: 'auto', store: false, metadata: { a: 'b' }, modalities: ['text'],
      prediction: { type: 'content', content: 'x' }, reasoning_effort: 'low', max_completion_tokens: 10, verbosity: 'low', web_search_options: {},
    }],
  ])('%s', (_, body) => {
    expect(() => validateChatRequest({ ...base, ...body })).not.toThrow();
  });
});
