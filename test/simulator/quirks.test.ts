import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

let sim: Simulator;
beforeAll(async () => { sim = await startSimulator(); });
afterAll(async () => { await sim.close(); });
beforeEach(() => sim.reset());

const auth = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };

type Reply = Omit<Response, 'json'> & { json(): Promise<any> };
function chat(preset: string, body: Record<string, unknown>, headers: Record<string, string> = auth): Promise<Reply> {
  return fetch(`${sim.baseUrlFor(preset)}/chat/completions`, { method: 'POST', headers, body: JSON.stringify(body) });
}

const hello = (extra: Record<string, unknown> = {}) => ({ model: 'm', messages: [{ role: 'user', content: 'Hello there' }], ...extra });

/** The JSON payloads of `data:` lines, [DONE] excluded. */
function dataEvents(raw: string): Array<Record<string, any>> {
  return raw.split('\n').filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]').map((line) => JSON.parse(line.slice(6)));
}

describe('deepseek', () => {
  it('sends keep-alive comments and blank lines before the first chunk', async () => {
    const raw = await (await chat('deepseek', hello({ stream: true, stream_options: { include_usage: true } }))).text();
    expect(raw.startsWith(': keep-alive\n\n\n')).toBe(true);
    expect(raw.indexOf(': keep-alive')).toBeLessThan(raw.indexOf('data: '));
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
    const last = dataEvents(raw).at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage.prompt_cache_hit_tokens + last.usage.prompt_cache_miss_tokens).toBe(last.usage.prompt_tokens);
  });

  it('reports hit/miss tokens summing to prompt_tokens, and cached_tokens, with a prefix cache', async () => {
    const first = await (await chat('deepseek', hello())).json();
    expect(first.usage.prompt_cache_hit_tokens).toBe(0);
    expect(first.usage.prompt_cache_miss_tokens).toBe(first.usage.prompt_tokens);
    const second = await (await chat('deepseek', hello())).json();
    const usage = second.usage;
    expect(usage.prompt_cache_hit_tokens).toBe(Math.floor(usage.prompt_tokens * 0.5));
    expect(usage.prompt_cache_hit_tokens + usage.prompt_cache_miss_tokens).toBe(usage.prompt_tokens);
    expect(usage.prompt_tokens_details.cached_tokens).toBe(usage.prompt_cache_hit_tokens);
    expect(usage.completion_tokens_details.reasoning_tokens).toBe(0);
  });

  it('answers errors in its real envelope', async () => {
    sim.script('deepseek', [{ kind: 'error', status: 402, error: 'insufficient_balance' }, { kind: 'error', status: 400, error: 'content_rejected' }]);
    const balance = await chat('deepseek', hello());
    expect(balance.status).toBe(402);
    expect((await balance.json()).error.message).toBe('Insufficient Balance');
    const risk = await chat('deepseek', hello());
    expect(await risk.json()).toEqual({ error: { message: 'Content Exists Risk', type: 'invalid_request_error', param: null, code: 'invalid_request_error' } });
  });
});

describe('qwen', () => {
  it('streams usage in a final chunk with empty choices only when include_usage is set', async () => {
    const withUsage = dataEvents(await (await chat('qwen', hello({ stream: true, stream_options: { include_usage: true } }))).text());
    const last = withUsage.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage.prompt_tokens).toBeGreaterThan(0);
    expect(withUsage.slice(0, -1).every((event) => event.usage === undefined)).toBe(true);
    const without = dataEvents(await (await chat('qwen', hello({ stream: true }))).text());
    expect(without.some((event) => event.usage !== undefined)).toBe(false);
  });

  it('cuts a moderated stream with a data_inspection_failed error event', async () => {
    sim.script('qwen', [{ kind: 'moderated-mid-stream' }]);
    const raw = await (await chat('qwen', hello({ stream: true }))).text();
    const events = dataEvents(raw);
    expect(events.at(-1)!.error.code).toBe('data_inspection_failed');
    expect(events.at(-1)!.request_id).toBeTypeOf('string');
    expect(raw.includes('[DONE]')).toBe(false);
  });
});

describe('kimi', () => {
  it('puts cached_tokens at the top level of usage', async () => {
    await chat('kimi', hello());
    const body = await (await chat('kimi', hello())).json();
    expect(body.usage.cached_tokens).toBe(Math.floor(body.usage.prompt_tokens * 0.5));
    expect(body.usage.prompt_tokens_details).toBeUndefined();
  });

  it('streams usage inside choices[0].usage of the finish chunk', async () => {
    const events = dataEvents(await (await chat('kimi', hello({ stream: true, stream_options: { include_usage: true } }))).text());
    const finish = events.at(-1)!;
    expect(finish.choices[0].finish_reason).toBe('stop');
    expect(finish.choices[0].usage.total_tokens).toBeGreaterThan(0);
    expect(events.every((event) => event.usage === undefined)).toBe(true);
  });
});

describe('minimax', () => {
  it('carries base_resp on success and fails with HTTP 200 + base_resp codes', async () => {
    expect((await (await chat('minimax', hello())).json()).base_resp).toEqual({ status_code: 0, status_msg: 'success' });
    sim.script('minimax', [{ kind: 'ok-200-error' }, { kind: 'error', status: 429, error: 'rate_limit', retryAfter: '3' }]);
    const balance = await chat('minimax', hello());
    expect(balance.status).toBe(200);
    expect((await balance.json()).base_resp.status_code).toBe(1008);
    const rate = await chat('minimax', hello());
    expect(rate.status).toBe(200);
    expect(rate.headers.get('retry-after')).toBe('3');
    expect((await rate.json()).base_resp.status_code).toBe(1002);
  });
});

describe('glm, spark, doubao', () => {
  it('glm ends a moderated stream with finish_reason "sensitive" and usage on the finish chunk', async () => {
    sim.script('glm', [{ kind: 'moderated-mid-stream' }]);
    const raw = await (await chat('glm', hello({ stream: true }))).text();
    const finish = dataEvents(raw).at(-1)!;
    expect(finish.choices[0].finish_reason).toBe('sensitive');
    expect(finish.usage.prompt_tokens).toBeGreaterThan(0);
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('glm errors use business codes under HTTP 429', async () => {
    sim.script('glm', [{ kind: 'error', status: 429, error: 'insufficient_balance' }]);
    const response = await chat('glm', hello());
    expect(response.status).toBe(429);
    expect((await response.json()).error.code).toBe('1113');
  });

  it('spark adds code/message/sid and sends usage on the last chunk regardless of stream_options', async () => {
    const body = await (await chat('spark', hello())).json();
    expect(body).toMatchObject({ code: 0, message: 'Success' });
    expect(body.sid).toBeTypeOf('string');
    const events = dataEvents(await (await chat('spark', hello({ stream: true }))).text());
    expect(events.at(-1)!.usage.total_tokens).toBeGreaterThan(0);
    expect(events.at(-1)!.choices[0].finish_reason).toBe('stop');
  });

  it('doubao reports 403 AccountOverdueError and checks the bearer token', async () => {
    sim.script('doubao', [{ kind: 'error', status: 403, error: 'insufficient_balance' }]);
    const response = await chat('doubao', hello());
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe('AccountOverdueError');
    const unauth = await chat('doubao', hello(), { 'content-type': 'application/json' });
    expect(unauth.status).toBe(401);
    expect((await unauth.json()).error.code).toBe('AuthenticationError');
    expect((await chat('openai-compatible', hello(), { 'content-type': 'application/json' })).status).toBe(200);
  });
});

describe('base URLs', () => {
  it('mirrors each preset path style', () => {
    expect(sim.baseUrlFor('qwen')).toBe(`${sim.url}/qwen/compatible-mode/v1`);
    expect(sim.baseUrlFor('deepseek')).toBe(`${sim.url}/deepseek`);
    expect(sim.baseUrlFor('glm')).toBe(`${sim.url}/glm/api/paas/v4`);
    expect(sim.baseUrlFor('anthropic')).toBe(`${sim.url}/anthropic/v1`);
    expect(sim.baseUrlFor('my-vllm')).toBe(`${sim.url}/my-vllm/v1`);
  });
});
