import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
providers:${simulatedProvider(simulator, 'qwen')}${simulatedProvider(simulator, 'openai')}
models:
  - { id: text-embedding-v3, provider: qwen }
  - { id: text-embedding-3-small, provider: openai }
  - { id: qwen-plus, provider: qwen }
`);
});
afterAll(async () => stack?.close());

describe('POST /v1/embeddings', () => {
  it.each(['text-embedding-v3', 'text-embedding-3-small'])('%s returns vectors, usage and cost', async (model) => {
    const { data, response } = await stack.openai.embeddings.create({ model, input: ['first text', '第二段文字'] }).withResponse();
    expect(data.data).toHaveLength(2);
    expect(data.data[0]?.embedding.length).toBe(8);
    expect(data.usage.prompt_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-tidegate-model')).toBe(model);
    expect(response.headers.get('x-tidegate-cost-cny')).toMatch(/^\d+(\.\d+)?$/);
  });

  it('refuses a chat model for embeddings and an empty input', async () => {
    const wrongKind = await raw(stack, '/v1/embeddings', { method: 'POST', body: JSON.stringify({ model: 'qwen-plus', input: 'x' }) });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.json.error.code).toBe('unsupported_capability');
    const empty = await raw(stack, '/v1/embeddings', { method: 'POST', body: JSON.stringify({ model: 'text-embedding-v3', input: [] }) });
    expect(empty.status).toBe(400);
    expect(empty.json.error.code).toBe('invalid_request');
  });
});

describe('GET /healthz', () => {
  it('is public and reports the config hash', async () => {
    const health = await raw(stack, '/healthz');
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: 'ok', models: 3 });
    expect(health.json.config_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
