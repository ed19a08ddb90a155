import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

const adminKey = 'admin-secret-for-cache-tests';
let stack: Stack;
let alice: OpenAI;
let bob: OpenAI;
let carol: OpenAI; // same team as alice

async function createKey(name: string, team?: string): Promise<string> {
  const created = await raw(stack, '/admin/keys', { method: 'POST', headers: { authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ name, ...(team ? { team } : {}) }) });
  expect(created.status).toBe(201);
  return created.json.key as string;
}

beforeAll(async () => {
  stack = await startStack((simulator) => `
admin: { key: ${adminKey} }
cache:
  exact: { enabled: true, ttlSeconds: 600 }
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'qwen')}
models:
  - { id: deepseek-flash, provider: deepseek, tier: light }
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
  - { id: qwen-plus, provider: qwen, cache: { exact: { enabled: false } } }
`);
  const client = (key: string) => new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: key, maxRetries: 0 });
  alice = client(await createKey('alice', 'research'));
  bob = client(await createKey('bob'));
  carol = client(await createKey('carol', 'research'));
});
afterAll(async () => stack?.close());

let counter = 0;
/** A fresh question per test, so tests never see each other's entries. */
const ask = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'deepseek-flash',
  temperature: 0,
  messages: [{ role: 'system' as const, content: 'Answer briefly.' }, { role: 'user' as const, content: `${text} #${++counter}` }],
  ...extra,
});
const upstreamCalls = () => stack.simulator.requests.filter((request) => request.path.endsWith('/chat/completions')).length;

async function ledger(requestId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const rows = await raw(stack, '/admin/requests?limit=200', { headers: { authorization: `Bearer ${adminKey}` } });
    const row = (rows.json.data as Array<Record<string, unknown>>).find((entry) => entry.id === requestId);
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ledger row for ${requestId}`);
}

describe('exact response cache', () => {
  it('answers a repeated deterministic request from the cache: same answer, marked hit, billed 0, savings recorded', async () => {
    const body = ask('What is the capital of France?');
    const before = upstreamCalls();
    const first = await alice.chat.completions.create(body).withResponse();
    expect(first.response.headers.get('x-tidegate-cache')).toBe('miss');
    const second = await alice.chat.completions.create(body).withResponse();
    expect(upstreamCalls() - before).toBe(1);
    expect(second.response.headers.get('x-tidegate-cache')).toBe('hit');
    expect(second.response.headers.get('x-tidegate-cost-cny')).toBe('0');
    expect(second.response.headers.get('x-tidegate-model')).toBe('deepseek-flash');
    expect(second.response.headers.get('x-tidegate-cache-age')).toMatch(/^\d+$/);
    expect(second.data.choices).toEqual(first.data.choices);
    expect(second.data.usage?.completion_tokens).toBe(first.data.usage?.completion_tokens);

    const missRow = await ledger(first.response.headers.get('x-tidegate-request-id')!);
    const hitRow = await ledger(second.response.headers.get('x-tidegate-request-id')!);
    expect(missRow).toMatchObject({ cacheStatus: 'miss', cacheSavedNanoCny: 0 });
    expect(missRow.costNanoCny).toBeGreaterThan(0);
    expect(hitRow).toMatchObject({ cacheStatus: 'hit', costNanoCny: 0, cacheSavedNanoCny: missRow.costNanoCny });
    expect(hitRow.usage).toMatchObject({ inputUncached: 0, output: 0 }); // nothing was used upstream
  });

  it('replays a stored answer as a valid stream ending in [DONE], and a streamed answer as JSON', async () => {
    const plain = ask('Name three rivers.');
    const stored = await alice.chat.completions.create(plain);
    const before = upstreamCalls();
    const stream = await alice.chat.completions.create({ ...plain, stream: true, stream_options: { include_usage: true } }).withResponse();
    expect(stream.response.headers.get('x-tidegate-cache')).toBe('hit');
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream.data) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(stored.choices[0]!.message.content);
    expect((usage as unknown as { cost_cny: string }).cost_cny).toBe('0');

    const streamedFirst = ask('Name three mountains.');
    let streamedText = '';
    for await (const chunk of await alice.chat.completions.create({ ...streamedFirst, stream: true })) streamedText += chunk.choices[0]?.delta.content ?? '';
    const replay = await alice.chat.completions.create(streamedFirst).withResponse();
    expect(replay.response.headers.get('x-tidegate-cache')).toBe('hit');
    expect(replay.data.choices[0]!.message.content).toBe(streamedText);
    expect(replay.data.choices[0]!.finish_reason).toBe('stop');
    expect(upstreamCalls() - before).toBe(1);
  });

  it('never shares an entry across keys (with the default key scope, not even within a team)', async () => {
    const body = ask('Tenant isolation check');
    await alice.chat.completions.create(body);
    const fromBob = await bob.chat.completions.create(body).withResponse();
    expect(fromBob.response.headers.get('x-tidegate-cache')).toBe('miss');
    const fromCarol = await carol.chat.completions.create(body).withResponse();
    expect(fromCarol.response.headers.get('x-tidegate-cache')).toBe('miss'); // default scope is the key, not the team
  });

  it('keeps apart requests that differ in system prompt, tools, model, sampling or response_format', async () => {
    const body = ask('One question, many variants');
    await alice.chat.completions.create(body);
    const variants = [
      { ...body, messages: [{ role: 'system' as const, content: 'Answer at length.' }, body.messages[1]!] },
      { ...body, tools: [{ type: 'function' as const, function: { name: 'search', parameters: { type: 'object', properties: {} } } }] },
      { ...body, model: 'deepseek-v4-pro' },
      { ...body, top_p: 0.5 },
      { ...body, max_tokens: 50 },
      { ...body, response_format: { type: 'json_object' as const } },
    ];
    for (const variant of variants) {
      const result = await alice.chat.completions.create(variant).withResponse();
      expect(result.response.headers.get('x-tidegate-cache')).toBe('miss');
    }
  });

  it('bypasses non-deterministic requests unless forced, and honours x-tidegate-cache: bypass', async () => {
    const warm = ask('Write a haiku', { temperature: 0.9 });
    await alice.chat.completions.create(warm);
    const again = await alice.chat.completions.create(warm).withResponse();
    expect(again.response.headers.get('x-tidegate-cache')).toBe('bypass');

    const forced = { headers: { 'x-tidegate-cache': 'force' } };
    expect((await alice.chat.completions.create(warm, forced).withResponse()).response.headers.get('x-tidegate-cache')).toBe('miss');
    expect((await alice.chat.completions.create(warm, forced).withResponse()).response.headers.get('x-tidegate-cache')).toBe('hit');

    const seeded = ask('Pick a number', { temperature: 1, seed: 42 });
    await alice.chat.completions.create(seeded);
    expect((await alice.chat.completions.create(seeded).withResponse()).response.headers.get('x-tidegate-cache')).toBe('hit');
    expect((await alice.chat.completions.create(seeded, { headers: { 'x-tidegate-cache': 'bypass' } }).withResponse()).response.headers.get('x-tidegate-cache')).toBe('bypass');
  });

  it('is off for a model whose config turns it off', async () => {
    const body = { ...ask('Per-model switch'), model: 'qwen-plus' };
    await alice.chat.completions.create(body);
    expect((await alice.chat.completions.create(body).withResponse()).response.headers.get('x-tidegate-cache')).toBe('bypass');
  });

  it('never stores errors, truncated answers, moderated answers or streams that did not finish', async () => {
    const cases: Array<[string, Parameters<Stack['simulator']['script']>[1], boolean]> = [
      ['an upstream error', [{ kind: 'error', status: 400, error: 'bad_request' }], false],
      ['an answer cut at max_tokens', [{ kind: 'ok', finishReason: 'length' }], false],
      ['a moderated stream', [{ kind: 'moderated-mid-stream' }], true],
      ['a stream cut mid-way', [{ kind: 'cut-mid-stream' }, { kind: 'cut-mid-stream' }, { kind: 'cut-mid-stream' }], true],
    ];
    for (const [name, steps, stream] of cases) {
      const body = ask(`Never cache ${name}`);
      stack.simulator.script('deepseek', steps);
      try {
        if (stream) for await (const _chunk of await alice.chat.completions.create({ ...body, stream: true })) void _chunk;
        else await alice.chat.completions.create(body);
      } catch {
        // the failure itself is what is being cached or not
      }
      const retry = await alice.chat.completions.create(body).withResponse();
      expect(retry.response.headers.get('x-tidegate-cache'), name).toBe('miss');
    }
  });

  it('replays through the Anthropic Messages endpoint as its own entry', async () => {
    const anthropic = new (await import('@anthropic-ai/sdk')).default({ baseURL: stack.gateway.url, apiKey: 'x', maxRetries: 0, defaultHeaders: { authorization: `Bearer ${adminKey}` } });
    const body = { model: 'deepseek-flash', max_tokens: 100, temperature: 0, messages: [{ role: 'user' as const, content: `Anthropic replay #${++counter}` }] };
    const first = await anthropic.messages.create(body);
    const second = await anthropic.messages.create(body).withResponse();
    expect(second.response.headers.get('x-tidegate-cache')).toBe('hit');
    expect(second.data.content).toEqual(first.content);
    const stream = anthropic.messages.stream(body);
    const final = await stream.finalMessage();
    expect(final.content).toEqual(first.content);
  });

  it('rejects an unknown x-tidegate-cache value with a clear error', async () => {
    const response = await raw(stack, '/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', 'x-tidegate-cache': 'sometimes' },
      body: JSON.stringify(ask('bad header')),
    });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatchObject({ code: 'invalid_request', param: 'x-tidegate-cache' });
  });

  it('reports cache hits and cache savings apart in the usage report', async () => {
    const response = await raw(stack, '/admin/usage?group=model', { headers: { authorization: `Bearer ${adminKey}` } });
    expect(response.status).toBe(200);
    const total = response.json.total;
    expect(total.cache_hits).toBeGreaterThanOrEqual(5);
    expect(Number(total.cache_savings_cny)).toBeGreaterThan(0);
    expect(Number(total.routing_savings_cny) + Number(total.cache_savings_cny)).toBeCloseTo(Number(total.savings_cny), 9);
  });
});
