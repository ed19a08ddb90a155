import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { openDatabase, queryRequestLog } from '../../src/storage/index.js';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

/**
 * A provider (or a proxy in front of one) that answers with broken or hostile bytes, and clients whose requests
 * the gateway cannot translate: the gateway answers with a catalogue error, keeps running, logs every request,
 * and neither the provider's URL nor its credentials reach the client.
 */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
circuitBreaker: { failureThreshold: 3, cooldownMs: 60000 }
providers:${simulatedProvider(simulator, 'anthropic')}
  - id: openai-compatible
    preset: openai-compatible
    baseUrl: ${simulator.baseUrlFor('openai-compatible')}
    retry: { maxAttempts: 1 }
  - id: secret
    preset: openai-compatible
    baseUrl: http://admin:s3cretPW@127.0.0.1:9/v1?token=abc123
    retry: { maxAttempts: 1 }
    timeouts: { connectMs: 500, firstByteMs: 500, idleMs: 500 }
models:
  - { id: local, provider: openai-compatible, upstream: llama, price: { input: 1, output: 1 } }
${['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((n) => `  - { id: local-${n}, provider: openai-compatible, upstream: llama-${n} }`).join('\n')}
  - { id: claude, provider: anthropic, upstream: claude-sonnet-4-5 }
  - { id: dead, provider: secret }
`);
});
afterAll(async () => stack?.close());
beforeEach(() => stack.simulator.reset());

const ask = (model: string, stream = false) => raw(stack, '/v1/chat/completions', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }], ...(stream ? { stream: true } : {}) }),
});
const answer = (usage: unknown, message: unknown = { role: 'assistant', content: 'ok' }) =>
  JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'llama', choices: [{ index: 0, message, finish_reason: 'stop' }], usage });

async function logRow(id: string | null) {
  await new Promise((resolve) => setTimeout(resolve, 80)); // the writer flushes every 10 ms in these tests
  const database = await openDatabase(`sqlite:${stack.dir}/tidegate.db`);
  try {
    return (await queryRequestLog(database, { limit: 100 })).find((row) => row.id === id);
  } finally {
    await database.close();
  }
}

describe('a provider that answers with garbage', () => {
  it('ignores an absurd usage count, counts the tokens itself, and logs the request', async () => {
    stack.simulator.script('openai-compatible', [{ kind: 'raw', body: answer({ prompt_tokens: 1e13, completion_tokens: 3, completion_tokens_details: { reasoning_tokens: 1e17 } }) }]);
    const { status, json, headers } = await ask('local');
    expect(status).toBe(200);
    expect(json.usage.estimated).toBe(true);
    expect(json.usage.prompt_tokens).toBeLessThan(100);
    const row = await logRow(headers.get('x-tidegate-request-id'));
    expect(row?.usage.estimated).toBe(true);
    expect(row?.costNanoCny).toBeLessThan(1_000_000);
    expect((await ask('local')).status).toBe(200); // still serving
  });

  it.each([
    ['an empty choice', '{"id":"x","choices":[{}]}', 'local-a'],
    ['a null message', answer({ prompt_tokens: 1, completion_tokens: 1 }, null), 'local-b'],
    ['a tool call that is null', answer({ prompt_tokens: 1, completion_tokens: 1 }, { role: 'assistant', content: null, tool_calls: [null] }), 'local-c'],
    ['content that is a number', answer({ prompt_tokens: 1, completion_tokens: 1 }, { role: 'assistant', content: 42 }), 'local-d'],
  ])('answers %s with 502 upstream_unavailable naming what was malformed', async (_name, body, model) => {
    stack.simulator.script('openai-compatible', [{ kind: 'raw', body }]);
    const { status, json, headers } = await ask(model); // a model (circuit) of its own: these failures are the provider's
    expect(status).toBe(502);
    expect([headers.get('x-tidegate-model'), headers.get('x-tidegate-provider')]).toEqual([model, 'openai-compatible']); // who failed
    expect(json.error.code).toBe('upstream_unavailable');
    expect(json.error.message).toContain('malformed response');
  });

  it('repairs tool-call arguments sent as a JSON object into the string clients expect', async () => {
    const call = { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: { city: '杭州' } } };
    stack.simulator.script('openai-compatible', [{ kind: 'raw', body: answer({ prompt_tokens: 5, completion_tokens: 5 }, { role: 'assistant', content: null, tool_calls: [call] }) }]);
    const client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'local-g', messages: [{ role: 'user', content: 'weather?' }] });
    const toolCall = completion.choices[0]!.message.tool_calls![0]!;
    expect(toolCall.type === 'function' && JSON.parse(toolCall.function.arguments)).toEqual({ city: '杭州' });
  });

  it('refuses a stream whose chunks are malformed, or that carries nothing before [DONE], before the client sees a byte', async () => {
    const sse = (...lines: string[]) => ({ kind: 'raw' as const, contentType: 'text/event-stream', body: `${lines.map((line) => `data: ${line}\n\n`).join('')}data: [DONE]\n\n` });
    stack.simulator.script('openai-compatible', [sse('{"id":"c","choices":[null]}')]);
    let reply = await ask('local-e', true);
    expect(reply.status).toBe(502);
    expect(reply.json.error.message).toContain('malformed response');
    stack.simulator.script('openai-compatible', [sse('{"id":"c","choices":[{"index":0,"delta":')]);
    reply = await ask('local-f', true);
    expect(reply.status).toBe(502);
    expect(reply.json.error.message).toContain('no answer');
  });

  it('never shows the provider URL or its credentials to the client', async () => {
    const { status, json } = await ask('dead');
    expect(status).toBe(502);
    const text = JSON.stringify(json);
    expect(text).toContain('provider secret');
    for (const secret of ['s3cretPW', 'token=abc123', '127.0.0.1:9', 'admin:']) expect(text).not.toContain(secret);
  });
});

describe('requests the gateway cannot translate for a provider', () => {
  it('are the client\'s fault: they never open the circuit for everyone else', async () => {
    const audio = { model: 'claude', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] };
    for (let i = 0; i < 5; i += 1) {
      const { status, json } = await raw(stack, '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(audio) });
      expect(status).toBe(400);
      expect(json.error.code).toBe('unsupported_capability');
    }
    expect((await ask('claude')).status).toBe(200);
  });
});

describe('clients that leave or knock on the wrong door', () => {
  it('logs a client that left before the provider answered as 499, blaming no one', async () => {
    stack.simulator.script('openai-compatible', [{ kind: 'delay', ms: 1500, then: { kind: 'ok' } }]);
    const aborter = new AbortController();
    const sent = fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, signal: aborter.signal,
      body: JSON.stringify({ model: 'local', messages: [{ role: 'user', content: 'slow one' }] }),
    });
    setTimeout(() => aborter.abort(), 200);
    await expect(sent).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const database = await openDatabase(`sqlite:${stack.dir}/tidegate.db`);
    try {
      const row = (await queryRequestLog(database, { limit: 100 })).find((candidate) => candidate.modelRequested === 'local' && candidate.status !== 200); // the only one: the others here answered
      expect(row?.status).toBe(499);
      expect(row?.errorCode).toBeNull();
    } finally {
      await database.close();
    }
  });

  it('answers a wrong method on /v1/messages in Anthropic\'s envelope, with Allow', async () => {
    const { status, json, headers } = await raw(stack, '/v1/messages');
    expect(status).toBe(405);
    expect(json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(headers.get('allow')).toContain('POST');
  });
});
