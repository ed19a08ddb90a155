import { rmSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { Simulator } from '../../src/simulator/index.js';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

/**
 * /v1/batches forwarded to providers' own batch APIs (half price): DashScope's OpenAI-compatible Files + Batches and
 * Anthropic's Message Batches, both simulated with their real wire shapes and real delays.
 */
const config = (simulator: Simulator) => `
scheduling: { pollIntervalMs: 20, providerBatchPollMs: 20 }
providers:${simulatedProvider(simulator, 'qwen', '\n    batch: { mode: auto }')}${simulatedProvider(simulator, 'anthropic', '\n    batch: { mode: provider }')}${simulatedProvider(simulator, 'glm', '\n    batch: { mode: auto }')}
models:
  - { id: plus, provider: qwen, upstream: qwen-plus }
  - { id: flash-here, provider: qwen, upstream: qwen-flash, batch: { mode: gateway } }
  - { id: haiku, provider: anthropic, upstream: claude-haiku-4-5 }
  - { id: glm-plus, provider: glm, upstream: glm-4-plus }
  - { id: plus-strict, provider: qwen, upstream: qwen-plus, batch: { mode: provider } }
`;

const line = (customId: string, model: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: `Summarise ${customId}` }], ...extra } });

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, seen?: (value: T) => void): Promise<T> {
  for (let i = 0; i < 1_500; i++) {
    const value = await read();
    seen?.(value);
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition never met');
}

async function submit(client: OpenAI, lines: string[], window = '24h') {
  const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'input.jsonl'), purpose: 'batch' });
  return client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: window as '24h' });
}

const jsonl = async (client: OpenAI, id: string | null | undefined) => (id ? (await (await client.files.content(id)).text()).trim().split('\n').map((text) => JSON.parse(text)) : []);
type View = OpenAI.Batches.Batch & { provider_batches?: Array<{ provider: string; id: string | null; status: string; lines: number; settled: boolean }> };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack((simulator) => config(simulator));
});
afterAll(async () => stack?.close());
beforeEach(() => stack.simulator.reset());

describe('batches forwarded to a provider batch API', () => {
  it('DashScope (auto): lines go up with upstream model ids, the batch moves validating → in_progress → completed, answers and errors come back by custom_id, billed once at 50%', async () => {
    stack.simulator.batches.configure({ validatingMs: 100, inProgressMs: 400 });
    const created = (await submit(stack.openai, [line('a', 'plus'), line('b', 'plus'), line('too-long', 'plus', { max_tokens: 10_000 }), line('here', 'flash-here')])) as View;
    expect(created.provider_batches).toEqual([expect.objectContaining({ provider: 'qwen', lines: 3, settled: false })]);

    const upstream = stack.simulator.batches.batches;
    expect(upstream).toHaveLength(1);
    expect(upstream[0]!.lines.map((sent) => [sent.custom_id, (sent.body as { model: string }).model, sent.url])).toEqual([
      ['a', 'qwen-plus', '/v1/chat/completions'], ['b', 'qwen-plus', '/v1/chat/completions'], ['too-long', 'qwen-plus', '/v1/chat/completions'],
    ]);

    const statuses = new Set<string>();
    const done = (await until(() => stack.openai.batches.retrieve(created.id), (b) => b.status === 'completed', (b) => statuses.add((b as View).provider_batches![0]!.status))) as View;
    expect([...statuses]).toEqual(expect.arrayContaining(['validating', 'in_progress', 'completed']));
    expect(done.request_counts).toEqual({ total: 4, completed: 3, failed: 1 });

    const output = await jsonl(stack.openai, done.output_file_id);
    expect(output.map((entry) => entry.custom_id).sort()).toEqual(['a', 'b', 'here']);
    for (const entry of output) expect(entry.response).toMatchObject({ status_code: 200, body: { object: 'chat.completion', choices: [expect.objectContaining({ message: expect.objectContaining({ role: 'assistant' }) })] } });
    expect(output.find((entry) => entry.custom_id === 'a').response.body.model).toBe('plus');
    const errors = await jsonl(stack.openai, done.error_file_id);
    expect(errors).toEqual([expect.objectContaining({ custom_id: 'too-long', response: expect.objectContaining({ status_code: 400, body: { error: expect.objectContaining({ code: 'upstream_bad_request', message: expect.stringContaining('max_tokens') }) } }) })]);

    // The gateway-mode line ran here (one chat call upstream); the forwarded ones never did.
    const chatCalls = stack.simulator.requests.filter((request) => request.path.endsWith('/chat/completions'));
    expect(chatCalls.map((request) => (request.body as { model: string }).model)).toEqual(['qwen-flash']);

    const services = stack.gateway.services;
    const rows = (await services.requestLog.recent({ limit: 100 })) as Array<{ tariff: string; modelServed: string; costNanoCny: number; usage: never; createdAt: number }>;
    const batchRows = rows.filter((row) => row.tariff === 'batch');
    expect(batchRows.map((row) => row.modelServed)).toEqual(['plus', 'plus']);
    for (const row of batchRows) {
      const onDemand = services.pricer.cost(services.models.get('plus')!, row.usage, new Date(row.createdAt)).nanoCny;
      expect(row.costNanoCny).toBeGreaterThan(0);
      expect(Math.abs(row.costNanoCny * 2 - onDemand)).toBeLessThanOrEqual(1); // qwen-plus batch = 50% of real time
    }
  }, 30_000);

  it('an expired provider batch returns what it answered and batch_expired for the rest; the client batch ends expired', async () => {
    stack.simulator.batches.configure({ validatingMs: 20, inProgressMs: 40, expireAfterLines: 1 });
    const created = await submit(stack.openai, [line('x1', 'plus'), line('x2', 'plus'), line('x3', 'plus')]);
    const done = await until(() => stack.openai.batches.retrieve(created.id), (b) => !['in_progress', 'validating'].includes(b.status));
    expect(done.status).toBe('expired');
    expect(done.request_counts).toEqual({ total: 3, completed: 1, failed: 2 });
    expect((await jsonl(stack.openai, done.output_file_id)).map((entry) => entry.custom_id)).toEqual(['x1']);
    const errors = await jsonl(stack.openai, done.error_file_id);
    expect(errors.map((entry) => [entry.custom_id, entry.error?.code])).toEqual([['x2', 'batch_expired'], ['x3', 'batch_expired']]);
  }, 30_000);

  it('cancel propagates to the provider; the batch ends cancelled once the provider has cancelled', async () => {
    stack.simulator.batches.configure({ validatingMs: 50, inProgressMs: 60_000 });
    const created = (await submit(stack.openai, [line('c1', 'plus'), line('c2', 'plus')])) as View;
    expect(created.provider_batches![0]!.id).toMatch(/^batch_/);
    const cancelling = await stack.openai.batches.cancel(created.id);
    expect(cancelling.status).toBe('cancelling');
    expect(stack.simulator.batches.batches[0]!.cancelledAt).toBeDefined();
    const done = await until(() => stack.openai.batches.retrieve(created.id), (b) => b.status === 'cancelled');
    expect(done.request_counts).toEqual({ total: 2, completed: 0, failed: 2 });
    expect((await jsonl(stack.openai, done.error_file_id)).map((entry) => entry.error.code)).toEqual(['batch_cancelled', 'batch_cancelled']);
    expect(stack.simulator.batches.batches[0]!.status).toBe('cancelled');
  }, 30_000);

  it('Anthropic Message Batches (provider mode): Messages params upstream, chat.completion answers back, batch tariff', async () => {
    stack.simulator.batches.configure({ validatingMs: 30, inProgressMs: 60 });
    const created = await submit(stack.openai, [line('m1', 'haiku'), line('m2', 'haiku', { max_tokens: 64 })]);
    const sent = stack.simulator.batches.batches[0]!;
    expect(sent.preset).toBe('anthropic');
    expect(sent.lines.map((request) => [request.custom_id, (request.params as { model: string; max_tokens: number }).model, (request.params as { max_tokens: number }).max_tokens]))
      .toEqual([['m1', 'claude-haiku-4-5', 4096], ['m2', 'claude-haiku-4-5', 64]]);
    const done = await until(() => stack.openai.batches.retrieve(created.id), (b) => b.status === 'completed');
    const output = await jsonl(stack.openai, done.output_file_id);
    expect(output.map((entry) => entry.custom_id).sort()).toEqual(['m1', 'm2']);
    expect(output[0].response.body).toMatchObject({ object: 'chat.completion', model: 'haiku', choices: [{ message: { role: 'assistant', content: expect.any(String) }, finish_reason: 'stop' }] });
    const rows = (await stack.gateway.services.requestLog.recent({ limit: 100 })) as Array<{ tariff: string; modelServed: string }>;
    expect(rows.filter((row) => row.modelServed === 'haiku').map((row) => row.tariff)).toEqual(['batch', 'batch']);
  }, 30_000);

  it('Zhipu (auto): the same OpenAI shape under /api/paas/v4, with its own line url /v4/chat/completions; one batch per provider', async () => {
    stack.simulator.batches.configure({ validatingMs: 20, inProgressMs: 40 });
    const created = (await submit(stack.openai, [line('z1', 'glm-plus'), line('q1', 'plus')])) as View;
    expect(created.provider_batches!.map((entry) => [entry.provider, entry.lines]).sort()).toEqual([['glm', 1], ['qwen', 1]]);
    const zhipu = stack.simulator.batches.batches.find((entry) => entry.preset === 'glm')!;
    expect(zhipu.endpoint).toBe('/v4/chat/completions');
    expect(zhipu.lines).toEqual([expect.objectContaining({ custom_id: 'z1', url: '/v4/chat/completions', body: expect.objectContaining({ model: 'glm-4-plus' }) })]);
    expect(stack.simulator.requests.some((request) => request.path === '/glm/api/paas/v4/files')).toBe(true);
    const done = await until(() => stack.openai.batches.retrieve(created.id), (b) => b.status === 'completed');
    expect((await jsonl(stack.openai, done.output_file_id)).map((entry) => [entry.custom_id, entry.response.body.model]).sort()).toEqual([['q1', 'plus'], ['z1', 'glm-plus']]);
  }, 30_000);

  it('the provider refuses the batch in validation: auto lines run here instead, provider-mode lines fail with its reason', async () => {
    stack.simulator.batches.configure({ validatingMs: 20, inProgressMs: 40, failValidation: 'The model qwen-plus does not support batch in this region.' });
    const created = await submit(stack.openai, [line('auto-1', 'plus'), line('strict-1', 'plus-strict')]);
    const done = await until(() => stack.openai.batches.retrieve(created.id), (b) => b.status === 'completed');
    expect(done.request_counts).toEqual({ total: 2, completed: 1, failed: 1 });
    expect((await jsonl(stack.openai, done.output_file_id)).map((entry) => entry.custom_id)).toEqual(['auto-1']);
    const errors = await jsonl(stack.openai, done.error_file_id);
    expect(errors).toEqual([expect.objectContaining({ custom_id: 'strict-1', error: expect.objectContaining({ message: expect.stringContaining('does not support batch') }) })]);
    expect(stack.simulator.requests.filter((request) => request.path.endsWith('/chat/completions')).map((request) => (request.body as { model: string }).model)).toEqual(['qwen-plus']);
  }, 30_000);

  it('a completion window shorter than the provider’s: auto runs the lines here, provider mode refuses with a reason', async () => {
    const created = await submit(stack.openai, [line('s1', 'plus')], '8h');
    expect((created as View).provider_batches).toBeUndefined();
    await until(() => stack.openai.batches.retrieve(created.id), (b) => b.status === 'completed');
    expect(stack.simulator.batches.batches).toHaveLength(0);
    await expect(submit(stack.openai, [line('s2', 'haiku')], '8h')).rejects.toMatchObject({ status: 400, code: 'invalid_request', message: expect.stringContaining("shorter than the provider's 24h") });
  }, 30_000);
});

describe('restart while a provider batch runs', () => {
  it('polling resumes from the stored upstream ids after the gateway stops: nothing is submitted or billed twice', async () => {
    const own = await startStack((simulator) => config(simulator));
    try {
      own.simulator.batches.configure({ validatingMs: 20, inProgressMs: 800 });
      const created = (await submit(own.openai, [line('r1', 'plus'), line('r2', 'plus')])) as View;
      expect(created.provider_batches![0]!.id).toMatch(/^batch_/);
      await own.gateway.close(); // the provider keeps working while the gateway is down

      const second = await startGateway(own.config, { logger: silentLogger, cwd: own.dir });
      try {
        const client = new OpenAI({ baseURL: `${second.url}/v1`, apiKey: 'unused', maxRetries: 0 });
        const done = await until(() => client.batches.retrieve(created.id), (b) => b.status === 'completed');
        expect(done.request_counts).toEqual({ total: 2, completed: 2, failed: 0 });
        expect(own.simulator.batches.batches).toHaveLength(1);
        expect(own.simulator.requests.filter((request) => request.method === 'POST' && /\/batches$/.test(request.path))).toHaveLength(1);
        const rows = (await second.services.requestLog.recent({ limit: 100 })) as Array<{ tariff: string }>;
        expect(rows.filter((row) => row.tariff === 'batch')).toHaveLength(2);
      } finally {
        await second.close();
      }
    } finally {
      await own.simulator.close();
      rmSync(own.dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('budgets of forwarded lines', () => {
  it('the key must afford the worst case of its forwarded lines at the batch price; the hold becomes the real spend when the batch ends', async () => {
    const own = await startStack((simulator) => `admin: { key: admin-secret }\n${config(simulator)}`);
    try {
      own.simulator.batches.configure({ validatingMs: 20, inProgressMs: 300 });
      const admin = { authorization: 'Bearer admin-secret', 'content-type': 'application/json' };
      const key = async (name: string, budget: string) => (await raw(own, '/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify({ name, daily_budget_cny: budget }) })).json;
      const view = async (id: string) => (await raw(own, '/admin/keys', { headers: admin })).json.data.find((entry: { id: string }) => entry.id === id);
      const client = (secret: string) => new OpenAI({ baseURL: `${own.gateway.url}/v1`, apiKey: secret, maxRetries: 0 });

      const poor = await key('poor', '0.001');
      await expect(submit(client(poor.key), [line('b1', 'plus'), line('b2', 'plus')])).rejects.toMatchObject({ status: 429, code: 'budget_exceeded' });
      expect(own.simulator.batches.batches).toHaveLength(0);

      const rich = await key('rich', '10');
      const created = await submit(client(rich.key), [line('b3', 'plus'), line('b4', 'plus')]);
      expect(Number((await view(rich.id)).reserved_cny)).toBeGreaterThan(0); // held while the provider works
      await until(() => client(rich.key).batches.retrieve(created.id), (b) => b.status === 'completed');
      const after = await view(rich.id);
      expect(after.reserved_cny).toBe('0');
      const rows = (await own.gateway.services.requestLog.recent({ limit: 10 })) as Array<{ tariff: string; costNanoCny: number }>;
      const billed = rows.filter((row) => row.tariff === 'batch').reduce((sum, row) => sum + Number(row.costNanoCny), 0);
      expect(billed).toBeGreaterThan(0);
      expect(Math.round(Number(after.spent_today_cny) * 1e9)).toBe(billed);
    } finally {
      await own.close();
    }
  }, 30_000);
});
