import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRequestLog, openDatabase } from '../../src/storage/index.js';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
circuitBreaker: { failureThreshold: 3, cooldownMs: 400 }
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'qwen')}${simulatedProvider(simulator, 'glm')}
  - id: slow
    preset: openai-compatible
    baseUrl: ${simulator.baseUrlFor('openai-compatible')}
    retry: { maxAttempts: 1 }
    timeouts: { connectMs: 1000, firstByteMs: 300, idleMs: 300 }
models:
  - { id: deepseek-v4-pro, provider: deepseek, fallbacks: [qwen-max] }
  - { id: deepseek-flash, provider: deepseek, fallbacks: [qwen-max] }
  - { id: qwen-max, provider: qwen }
  - { id: glm-4-flash, provider: glm }
  - { id: local, provider: slow, upstream: llama, fallbacks: [qwen-max] }
  - { id: local-alone, provider: slow, upstream: llama }
`);
});
afterAll(async () => stack?.close());
beforeEach(() => stack.simulator.reset());

const ask = (model: string, content = 'hi') =>
  stack.openai.chat.completions.create({ model, messages: [{ role: 'user', content }] }).withResponse();

async function logRows() {
  await new Promise((resolve) => setTimeout(resolve, 60)); // the writer flushes every 10 ms in these tests
  const database = await openDatabase(`sqlite:${stack.dir}/tidegate.db`);
  try {
    return await queryRequestLog(database, { limit: 50 });
  } finally {
    await database.close();
  }
}

describe('retries, fallbacks and circuits', () => {
  it('retries a 429 after the Retry-After delay and bills only the successful attempt', async () => {
    stack.simulator.script('deepseek', [{ kind: 'error', status: 429, error: 'rate_limit', retryAfter: '1' }]);
    const started = Date.now();
    const { data, response } = await ask('deepseek-v4-pro', 'retry me');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(response.headers.get('x-tidegate-attempts')).toBe('2');
    expect(response.headers.get('x-tidegate-model')).toBe('deepseek-v4-pro');
    expect(stack.simulator.requests.filter((request) => request.preset === 'deepseek')).toHaveLength(2);
    const id = response.headers.get('x-tidegate-request-id');
    const row = (await logRows()).find((candidate) => candidate.id === id)!;
    expect(row.attempts).toBe(2);
    expect(row.costNanoCny).toBeGreaterThan(0);
    // One row per request, and its tokens are the successful answer's only.
    expect(row.usage.output).toBe(data.usage?.completion_tokens);
  });

  it('falls back to the next model when one keeps failing, and says so', async () => {
    stack.simulator.script('deepseek', Array.from({ length: 3 }, () => ({ kind: 'error' as const, status: 500, error: 'server_error' as const })));
    const { data, response } = await ask('deepseek-v4-pro', 'fallback please');
    expect(response.headers.get('x-tidegate-model')).toBe('qwen-max');
    expect(response.headers.get('x-tidegate-provider')).toBe('qwen');
    expect(response.headers.get('x-tidegate-route-reason')).toContain('fell back to qwen-max');
    expect(data.choices[0]?.message.content).toContain('Simulated qwen answer');
  });

  it('falls back at once on insufficient balance (no pointless retries)', async () => {
    stack.simulator.script('deepseek', [{ kind: 'error', status: 402, error: 'insufficient_balance' }]);
    const { response } = await ask('deepseek-flash');
    expect(response.headers.get('x-tidegate-model')).toBe('qwen-max');
    expect(stack.simulator.requests.filter((request) => request.preset === 'deepseek')).toHaveLength(1);
  });

  it('does not retry or fall back on moderation, and returns a stable code', async () => {
    stack.simulator.script('deepseek', [{ kind: 'error', status: 400, error: 'content_rejected' }]);
    const result = await raw(stack, '/v1/chat/completions', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(result.status).toBe(400);
    expect(result.json.error.code).toBe('upstream_content_rejected');
    expect(result.headers.get('x-tidegate-request-id')).toBeTruthy();
    expect(stack.simulator.requests).toHaveLength(1);
  });

  it('opens the circuit after repeated failures, skips the model, then probes it again', async () => {
    const failures = Array.from({ length: 3 }, () => ({ kind: 'error' as const, status: 503, error: 'server_error' as const }));
    stack.simulator.script('glm', failures);
    const first = await raw(stack, '/v1/chat/completions', {
      method: 'POST', body: JSON.stringify({ model: 'glm-4-flash', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(first.status).toBe(502);
    expect(first.json.error.code).toBe('upstream_unavailable');
    expect(stack.simulator.requests).toHaveLength(3);

    const skipped = await raw(stack, '/v1/chat/completions', {
      method: 'POST', body: JSON.stringify({ model: 'glm-4-flash', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(skipped.status).toBe(503);
    expect(skipped.json.error.code).toBe('circuit_open');
    expect(stack.simulator.requests).toHaveLength(3); // nothing was sent

    await new Promise((resolve) => setTimeout(resolve, 450));
    const { response } = await ask('glm-4-flash', 'probe');
    expect(response.headers.get('x-tidegate-model')).toBe('glm-4-flash');
    expect(stack.simulator.requests).toHaveLength(4);
  });

  it('times out a provider that does not answer and falls back', async () => {
    stack.simulator.script('openai-compatible', [{ kind: 'delay', ms: 1500 }]);
    const { response } = await ask('local', 'slow');
    expect(response.headers.get('x-tidegate-model')).toBe('qwen-max');
  });

  it('answers 504 upstream_timeout when there is nothing to fall back to', async () => {
    stack.simulator.script('openai-compatible', [{ kind: 'delay', ms: 1500 }]);
    const result = await raw(stack, '/v1/chat/completions', {
      method: 'POST', body: JSON.stringify({ model: 'local-alone', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(result.status).toBe(504);
    expect(result.json.error.code).toBe('upstream_timeout');
  });

  it('retries a stream that fails before its first byte, invisibly to the client', async () => {
    stack.simulator.script('qwen', [{ kind: 'error', status: 429, error: 'rate_limit', retryAfter: '0' }]);
    const stream = await stack.openai.chat.completions.create({ model: 'qwen-max', stream: true, messages: [{ role: 'user', content: 'stream' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Simulated qwen answer to: stream');
  });
});

describe('streams that end badly', () => {
  it('a moderation cut-off mid-stream ends cleanly with what was produced and its usage', async () => {
    stack.simulator.script('qwen', [{ kind: 'moderated-mid-stream' }]);
    const stream = await stack.openai.chat.completions.create({ model: 'qwen-max', stream: true, messages: [{ role: 'user', content: 'tell me something long' }] });
    let text = '';
    let finish: string | null | undefined;
    let usage: any;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe('content_filter');
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.cost_cny).toBeDefined();
  });

  it('GLM "sensitive" finish is reported as content_filter', async () => {
    stack.simulator.script('glm', [{ kind: 'moderated-mid-stream' }]);
    const stream = await stack.openai.chat.completions.create({ model: 'glm-4-flash', stream: true, messages: [{ role: 'user', content: 'x' }] });
    let finish: string | null | undefined;
    for await (const chunk of stream) finish = chunk.choices[0]?.finish_reason ?? finish;
    expect(finish).toBe('content_filter');
  });

  it('a connection cut mid-stream surfaces an error to the client and bills what was produced', async () => {
    stack.simulator.script('qwen', [{ kind: 'cut-mid-stream' }]);
    const stream = await stack.openai.chat.completions.create({ model: 'qwen-max', stream: true, messages: [{ role: 'user', content: 'cut' }] });
    await expect(async () => {
      for await (const _chunk of stream) { /* drain */ }
    }).rejects.toThrow();
    const row = (await logRows()).find((candidate) => candidate.modelRequested === 'qwen-max' && candidate.errorCode === 'upstream_unavailable');
    expect(row?.usage.estimated).toBe(true);
  });

  it('skips a malformed chunk and keeps streaming', async () => {
    stack.simulator.script('deepseek', [{ kind: 'malformed-chunk' }]);
    const stream = await stack.openai.chat.completions.create({ model: 'deepseek-v4-pro', stream: true, messages: [{ role: 'user', content: 'abc' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toContain('Simulated deepseek answer');
  });
});

describe('clients that leave', () => {
  it('a client that disconnects mid-stream is logged as 499 and billed for what was produced', async () => {
    stack.simulator.script('qwen', [{ kind: 'stall-after-first-chunk', ms: 1500 }]);
    const aborter = new AbortController();
    const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST', signal: aborter.signal,
      body: JSON.stringify({ model: 'qwen-max', stream: true, messages: [{ role: 'user', content: 'leave early' }] }),
    });
    const id = response.headers.get('x-tidegate-request-id');
    const reader = response.body!.getReader();
    await reader.read();
    aborter.abort();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const row = (await logRows()).find((candidate) => candidate.id === id);
    expect(row?.status).toBe(499);
    expect(row?.usage.estimated).toBe(true);
  });
});
