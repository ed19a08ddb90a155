import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

const adminKey = 'tg-admin-test-key-0123456789';
let stack: Stack;
let clientKey: string;

beforeAll(async () => {
  stack = await startStack((simulator) => `
server: { port: 0, bodyLimitBytes: 4096 }
admin: { key: ${adminKey} }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek }
  - { id: deepseek-v4-pro, provider: deepseek }
`);
  const created = await raw(stack, '/admin/keys', {
    method: 'POST', headers: { authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ name: 'e2e' }),
  });
  expect(created.status).toBe(201);
  clientKey = created.json.key;
});
afterAll(async () => stack?.close());

const post = (body: string | object, headers: Record<string, string> = {}) =>
  raw(stack, '/v1/chat/completions', {
    method: 'POST',
    headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

function expectError(result: { status: number; json: any }, status: number, code: string) {
  expect(result.status).toBe(status);
  expect(result.json).toMatchObject({ error: { code, message: expect.any(String), type: expect.any(String) } });
  expect(JSON.stringify(result.json)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack traces
}

describe('bad input gets a clear 4xx with a stable code', () => {
  it('malformed JSON', async () => expectError(await post('{"model": "deepseek-flash", "messages": ['), 400, 'invalid_json'));
  it('empty body', async () => expectError(await post(''), 400, 'invalid_json'));
  it('a JSON array instead of an object', async () => expectError(await post('[1,2]'), 400, 'invalid_request'));
  it('messages of the wrong type', async () => {
    const result = await post({ model: 'deepseek-flash', messages: 'hello' });
    expectError(result, 400, 'invalid_request');
    expect(result.json.error.param).toBe('messages');
  });
  it('a message without a valid role', async () => {
    const result = await post({ model: 'deepseek-flash', messages: [{ role: 'wizard', content: 'x' }] });
    expectError(result, 400, 'invalid_request');
    expect(result.json.error.param).toBe('messages[0].role');
  });
  it('an assistant turn whose tool calls lack an id, a name or string arguments', async () => {
    const turn = (call: unknown) => ({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: 'c1', content: 'ok' }] });
    const cases: Array<[unknown, string]> = [
      [{}, 'messages[1].tool_calls[0].id'],
      [{ id: 'c1', type: 'function' }, 'messages[1].tool_calls[0].function.name'],
      [{ id: 'c1', type: 'function', function: { name: 'f', arguments: { city: 'x' } } }, 'messages[1].tool_calls[0].function.arguments'],
      ['call', 'messages[1].tool_calls[0]'],
    ];
    for (const [call, param] of cases) {
      const result = await post(turn(call));
      expectError(result, 400, 'invalid_request');
      expect(result.json.error.param).toBe(param);
    }
  });
  it('temperature as a string', async () => expectError(await post({ model: 'deepseek-flash', temperature: 'hot', messages: [{ role: 'user', content: 'x' }] }), 400, 'invalid_request'));
  it('max_tokens that is not a positive integer', async () => expectError(await post({ model: 'deepseek-flash', max_tokens: -3, messages: [{ role: 'user', content: 'x' }] }), 400, 'invalid_request'));
  it('an unknown model', async () => {
    const result = await post({ model: 'gpt-nonexistent', messages: [{ role: 'user', content: 'x' }] });
    expectError(result, 404, 'model_not_found');
    expect(result.json.error.message).toContain('gpt-nonexistent');
  });
  it('an oversized body', async () => expectError(await post({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }), 413, 'body_too_large'));
  it('a non-JSON content type', async () => expectError(await post('a=b', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type'));
  it('images sent to a model without vision', async () => {
    const result = await post({ model: 'deepseek-v4-pro', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] });
    expectError(result, 400, 'unsupported_capability');
  });
  it('a missing key', async () => expectError(await post({ model: 'deepseek-flash', messages: [] }, { authorization: '' }), 401, 'missing_api_key'));
  it('an invalid key', async () => expectError(await post({ model: 'deepseek-flash', messages: [] }, { authorization: 'Bearer tg-not-a-real-key' }), 401, 'invalid_api_key'));
  it('a client key on an admin route', async () => {
    expectError(await raw(stack, '/admin/keys', { headers: { authorization: `Bearer ${clientKey}` } }), 403, 'admin_key_required');
  });
  it('an unknown route and a wrong method', async () => {
    expectError(await raw(stack, '/v1/nothing', { headers: { authorization: `Bearer ${clientKey}` } }), 404, 'not_found');
    expectError(await raw(stack, '/v1/chat/completions', { headers: { authorization: `Bearer ${clientKey}` } }), 405, 'method_not_allowed');
  });
  it('a malformed %-escape in a path parameter', async () => {
    expectError(await raw(stack, '/admin/keys/%E0%A4%A', { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}` } }), 400, 'invalid_request');
  });
  it('the openai client surfaces the codes as typed errors', async () => {
    const client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'tg-wrong', maxRetries: 0 });
    await expect(client.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});

describe('keys', () => {
  it('a valid key works; a revoked key stops working at once', async () => {
    const created = await raw(stack, '/admin/keys', { method: 'POST', headers: { authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ name: 'short-lived' }) });
    const key = created.json.key as string;
    const ok = await post({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'x' }] }, { authorization: `Bearer ${key}` });
    expect(ok.status).toBe(200);
    const revoked = await raw(stack, `/admin/keys/${created.json.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}` } });
    expect(revoked.status).toBe(200);
    expectError(await post({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'x' }] }, { authorization: `Bearer ${key}` }), 401, 'invalid_api_key');
  });

  it('lists keys without their secrets', async () => {
    const listed = await raw(stack, '/admin/keys', { headers: { authorization: `Bearer ${adminKey}` } });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.json)).not.toContain(clientKey);
    expect(listed.json.data.length).toBeGreaterThanOrEqual(1);
  });

  it('the request log records who called, without prompts', async () => {
    await post({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'secret prompt text' }] });
    await new Promise((resolve) => setTimeout(resolve, 60));
    const log = await raw(stack, '/admin/requests?limit=5', { headers: { authorization: `Bearer ${adminKey}` } });
    expect(log.status).toBe(200);
    expect(log.json.data[0]).toMatchObject({ modelRequested: 'deepseek-flash', status: 200, provider: 'deepseek' });
    expect(JSON.stringify(log.json)).not.toContain('secret prompt text');
  });
});
