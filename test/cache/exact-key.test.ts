import { describe, expect, it } from 'vitest';
import { exactCacheKey, isDeterministic, type KeyParts } from '../../src/cache/exact/key.js';
import { isStorable, parseCacheDirective } from '../../src/cache/exact-cache.js';
import type { ChatRequest } from '../../src/canonical/chat.js';
import type { ModelConfig, ProviderConfig } from '../../src/config/types.js';

const model = { id: 'deepseek-v4-flash', provider: 'deepseek', upstream: 'deepseek-v4-flash' } as ModelConfig;
const provider = { id: 'deepseek', preset: 'deepseek', baseUrl: 'https://api.deepseek.com' } as ProviderConfig;
const request: ChatRequest = {
  model: 'deepseek-v4-flash',
  temperature: 0,
  messages: [{ role: 'system', content: 'You are a careful assistant.' }, { role: 'user', content: '北京的人口是多少？' }],
};
const base: KeyParts = { tenant: 'key:a', endpoint: 'chat', model, provider, request };
const key = (change: Partial<KeyParts> = {}, body: Partial<ChatRequest> = {}) => exactCacheKey({ ...base, ...change, request: { ...request, ...body } });

describe('exact cache key', () => {
  it('is the same for the same request, whatever the key order, stream mode or telemetry', () => {
    const reordered = JSON.parse(JSON.stringify({ temperature: 0, messages: request.messages, model: request.model })) as ChatRequest;
    expect(exactCacheKey({ ...base, request: reordered })).toBe(key());
    expect(key({}, { stream: true, stream_options: { include_usage: true }, user: 'u-42' })).toBe(key());
  });

  const differences: Array<[string, Partial<KeyParts>, Partial<ChatRequest>]> = [
    ['tenant', { tenant: 'key:b' }, {}],
    ['endpoint', { endpoint: 'messages' }, {}],
    ['served model', { model: { ...model, id: 'qwen-plus', upstream: 'qwen-plus' } }, {}],
    ['upstream deployment', { model: { ...model, upstream: 'deepseek-v4-flash-0601' } }, {}],
    ['provider base URL', { provider: { ...provider, baseUrl: 'https://other.example.com' } }, {}],
    ['system prompt', {}, { messages: [{ role: 'system', content: 'You are a poet.' }, request.messages[1]!] }],
    ['a message', {}, { messages: [request.messages[0]!, { role: 'user', content: '上海的人口是多少？' }] }],
    ['an earlier turn', {}, { messages: [request.messages[0]!, { role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }, request.messages[1]!] }],
    ['tools', {}, { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] }],
    ['tool_choice', {}, { tool_choice: 'none' }],
    ['response_format', {}, { response_format: { type: 'json_object' } }],
    ['temperature', {}, { temperature: 0.2 }],
    ['top_p', {}, { top_p: 0.5 }],
    ['max_tokens', {}, { max_tokens: 16 }],
    ['stop', {}, { stop: ['\n'] }],
    ['seed', {}, { seed: 7 }],
    ['n', {}, { n: 2 }],
    ['a provider-specific parameter', {}, { enable_thinking: true }],
  ];
  it.each(differences)('differs when the %s differs', (_name, parts, body) => {
    expect(key(parts, body)).not.toBe(key());
  });
});

describe('cache policy', () => {
  it('calls a request deterministic only at temperature 0 or with a seed', () => {
    expect(isDeterministic({ ...request, temperature: 0 })).toBe(true);
    expect(isDeterministic({ ...request, temperature: 0.7, seed: 1 })).toBe(true);
    expect(isDeterministic({ ...request, temperature: undefined })).toBe(false);
    expect(isDeterministic({ ...request, temperature: 0.7 })).toBe(false);
  });

  it('stores only answers that finished on their own', () => {
    const with_ = (...reasons: string[]) => ({ response: { id: 'x', object: 'chat.completion' as const, created: 0, model: 'm', choices: reasons.map((finish_reason, index) => ({ index, message: { role: 'assistant' as const, content: 'a' }, finish_reason })) } });
    expect(isStorable(with_('stop'))).toBe(true);
    expect(isStorable(with_('tool_calls'))).toBe(true);
    expect(isStorable(with_('length'))).toBe(false);
    expect(isStorable(with_('content_filter'))).toBe(false);
    expect(isStorable(with_('sensitive'))).toBe(false);
    expect(isStorable(with_('stop', 'length'))).toBe(false);
    expect(isStorable(with_())).toBe(false);
  });

  it('reads the x-tidegate-cache directive and refuses unknown values', () => {
    expect(parseCacheDirective(undefined)).toBe('default');
    expect(parseCacheDirective('BYPASS')).toBe('bypass');
    expect(parseCacheDirective('force')).toBe('force');
    expect(() => parseCacheDirective('sometimes')).toThrow(/bypass.*force/);
  });
});
