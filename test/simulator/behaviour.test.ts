import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/simulator/cli.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

let sim: Simulator;
beforeAll(async () => { sim = await startSimulator(); });
afterAll(async () => { await sim.close(); });
beforeEach(() => sim.reset());

const auth = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };
type Reply = Omit<Response, 'json'> & { json(): Promise<any> };
const post = (url: string, body: unknown, headers: Record<string, string> = auth): Promise<Reply> =>
  fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
const chat = (preset: string, body: Record<string, unknown>) => post(`${sim.baseUrlFor(preset)}/chat/completions`, body);
const user = (content: unknown, extra: Record<string, unknown> = {}) => ({ model: 'm', messages: [{ role: 'user', content }], ...extra });
const dataEvents = (raw: string): Array<Record<string, any>> =>
  raw.split('\n').filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]').map((line) => JSON.parse(line.slice(6)));

describe('default answers', () => {
  it('echoes the last user text, counts images and tokens deterministically', async () => {
    const body = await (await chat('openai', user([
      { type: 'text', text: 'What is in this picture, described in great detail please?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
    ]))).json();
    const question = 'What is in this picture, described in great detail please?';
    const content = 'Simulated openai answer to: What is in this picture, described in gr [1 image(s)]';
    expect(body.choices[0].message.content).toBe(content);
    expect(body.usage.prompt_tokens).toBe(Math.ceil(question.length / 4) + 85);
    expect(body.usage.completion_tokens).toBe(Math.ceil(content.length / 4));
  });

  it('calls the first tool for a weather question, and honours tool_choice none', async () => {
    const tools = [{ type: 'function', function: { name: 'get_weather', parameters: {} } }];
    const body = await (await chat('qwen', user('What is the weather in Beijing?', { tools }))).json();
    expect(body.choices[0].finish_reason).toBe('tool_calls');
    expect(body.choices[0].message.tool_calls[0].function).toEqual({ name: 'get_weather', arguments: '{"city":"Beijing"}' });
    const none = await (await chat('qwen', user('What is the weather?', { tools, tool_choice: 'none' }))).json();
    expect(none.choices[0].finish_reason).toBe('stop');
  });

  it('answers JSON for response_format and reasoning for reasoner models', async () => {
    const json = await (await chat('deepseek', user('hi, in json', { response_format: { type: 'json_object' } }))).json();
    expect(JSON.parse(json.choices[0].message.content)).toEqual({ answer: 'Simulated deepseek answer to: hi, in json' });
    const reasoner = await (await chat('deepseek', user('hi', { model: 'deepseek-reasoner' }))).json();
    expect(reasoner.choices[0].message.reasoning_content).toBeTypeOf('string');
    expect(reasoner.usage.completion_tokens_details.reasoning_tokens).toBeGreaterThan(0);
  });

  it('refuses, as DeepSeek does, json_schema output and json_object without "json" in the prompt', async () => {
    const schema = await chat('deepseek', user('hi', { response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' } } } }));
    expect(schema.status).toBe(400);
    expect((await schema.json()).error.message).toMatch(/response_format type is unavailable/);
    const noWord = await chat('deepseek', user('hi', { response_format: { type: 'json_object' } }));
    expect(noWord.status).toBe(400);
    expect((await noWord.json()).error.message).toMatch(/must contain the word 'json'/);
    const qwen = await chat('qwen', user('hi', { response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' } } } }));
    expect(qwen.status).toBe(200);
  });

  it('streams multi-byte text intact and reasoning in delta.reasoning_content', async () => {
    const text = '请用中文介绍一下长城的历史和它的意义，谢谢你的帮助🙂';
    const events = dataEvents(await (await chat('kimi', user(text, { model: 'kimi-k3', stream: true }))).text());
    const content = events.map((event) => event.choices[0]?.delta?.content ?? '').join('');
    expect(content).toBe(`Simulated kimi answer to: ${Array.from(text).slice(0, 40).join('')}`);
    expect(events.filter((event) => event.choices[0]?.delta?.content).length).toBeGreaterThan(2);
    expect(events.some((event) => event.choices[0]?.delta?.reasoning_content)).toBe(true);
  });

  it('returns deterministic embeddings', async () => {
    const url = `${sim.baseUrlFor('openai')}/embeddings`;
    const a = await (await post(url, { model: 'e', input: ['abc', 'defgh'] })).json();
    const b = await (await post(url, { model: 'e', input: 'abc' })).json();
    expect(a.data).toHaveLength(2);
    expect(a.data[0].embedding).toHaveLength(8);
    expect(b.data[0].embedding).toEqual(a.data[0].embedding);
    expect(a.usage.prompt_tokens).toBe(3);
  });
});

describe('scripts', () => {
  it('plays steps FIFO per preset with Retry-After, then falls back to success; records requests', async () => {
    sim.script('openai', [
      { kind: 'error', status: 429, retryAfter: '2', error: 'rate_limit' },
      { kind: 'error', status: 429, error: 'insufficient_balance' },
      { kind: 'ok', content: 'scripted', usage: { prompt: 7, completion: 3 } },
    ]);
    const first = await chat('openai', user('a'));
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    expect((await first.json()).error.code).toBe('rate_limit_exceeded');
    expect((await chat('qwen', user('other preset'))).status).toBe(200);
    const second = await chat('openai', user('b'));
    expect(second.headers.get('retry-after')).toBeNull();
    expect((await second.json()).error.code).toBe('insufficient_quota');
    const third = await (await chat('openai', user('c'))).json();
    expect(third.choices[0].message.content).toBe('scripted');
    expect(third.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    expect((await (await chat('openai', user('d'))).json()).choices[0].message.content).toContain('answer to: d');
    expect(sim.requests.map((r) => r.preset)).toEqual(['openai', 'qwen', 'openai', 'openai', 'openai']);
    expect(sim.requests[0]).toMatchObject({ method: 'POST', path: '/openai/v1/chat/completions', body: user('a') });
  });

  it('delays headers for a delay step', async () => {
    sim.script('stepfun', [{ kind: 'delay', ms: 150, then: { kind: 'error', status: 402, error: 'insufficient_balance' } }]);
    const started = Date.now();
    const response = await chat('stepfun', user('x'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(response.status).toBe(402);
  });

  it('stalls after the first chunk', async () => {
    sim.script('openai', [{ kind: 'stall-after-first-chunk', ms: 200 }]);
    const response = await chat('openai', user('x', { stream: true }));
    const reader = response.body!.getReader();
    const started = Date.now();
    await reader.read();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(rest.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('sends one malformed data line then continues', async () => {
    sim.script('openai', [{ kind: 'malformed-chunk' }]);
    const raw = await (await chat('openai', user('x', { stream: true }))).text();
    const lines = raw.split('\n').filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]');
    const bad = lines.filter((line) => { try { JSON.parse(line.slice(6)); return false; } catch { return true; } });
    expect(bad).toHaveLength(1);
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('cut-mid-stream destroys the socket without [DONE]', async () => {
    sim.script('deepseek', [{ kind: 'cut-mid-stream' }]);
    const { text, error } = await new Promise<{ text: string; error: string | undefined }>((resolve) => {
      const req = request(`${sim.baseUrlFor('deepseek')}/chat/completions`, { method: 'POST', headers: auth }, (res) => {
        let text = '';
        res.on('data', (part: Buffer) => { text += part.toString(); });
        res.on('error', (err) => resolve({ text, error: err.message }));
        res.on('close', () => resolve({ text, error: res.complete ? undefined : 'incomplete' }));
      });
      req.end(JSON.stringify(user('x', { stream: true })));
    });
    expect(error).toBeDefined();
    expect(text).toContain('data: {');
    expect(text).not.toContain('[DONE]');
  });
});

describe('anthropic', () => {
  const url = () => `${sim.baseUrlFor('anthropic')}/messages`;
  const headers = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
  const body = (extra: Record<string, unknown> = {}) => ({ model: 'claude-haiku-4-5', max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello Claude' }], ...extra });

  it('requires x-api-key and anthropic-version', async () => {
    const response = await post(url(), body(), { 'content-type': 'application/json' });
    expect(response.status).toBe(401);
    expect((await response.json())).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('answers the real message shape with input_tokens excluding cache reads', async () => {
    await post(url(), body(), headers);
    const message = await (await post(url(), body(), headers)).json();
    expect(message).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', content: [{ type: 'text', text: 'Simulated anthropic answer to: Hello Claude' }] });
    expect(message.id).toMatch(/^msg_/);
    const total = Math.ceil('Be brief.Hello Claude'.length / 4);
    expect(message.usage.cache_read_input_tokens).toBe(Math.floor(total * 0.5));
    expect(message.usage.input_tokens + message.usage.cache_read_input_tokens).toBe(total);
  });

  it('streams events in the real order', async () => {
    const raw = await (await post(url(), body({ stream: true }), headers)).text();
    const names = raw.split('\n').filter((line) => line.startsWith('event: ')).map((line) => line.slice(7));
    expect(names.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(names.filter((name) => name === 'content_block_delta').length).toBeGreaterThan(1);
    expect(raw).not.toContain('[DONE]');
    const delta = dataEvents(raw).find((event) => event.type === 'message_delta')!;
    expect(delta.delta.stop_reason).toBe('end_turn');
    expect(delta.usage.output_tokens).toBeGreaterThan(0);
  });

  it('ends a moderated stream with stop_reason refusal and closes the open block', async () => {
    sim.script('anthropic', [{ kind: 'moderated-mid-stream' }]);
    const events = dataEvents(await (await post(url(), body({ stream: true }), headers)).text());
    expect(events.map((event) => event.type).slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(events.find((event) => event.type === 'message_delta')!.delta.stop_reason).toBe('refusal');
  });

  it('uses Anthropic error envelopes: 529 overloaded and credit balance', async () => {
    sim.script('anthropic', [{ kind: 'error', status: 529, error: 'overloaded' }, { kind: 'error', status: 400, error: 'insufficient_balance' }]);
    const overloaded = await post(url(), body(), headers);
    expect(overloaded.status).toBe(529);
    expect((await overloaded.json()).error.type).toBe('overloaded_error');
    expect((await (await post(url(), body(), headers)).json()).error.message).toContain('credit balance is too low');
  });
});

describe('cli', () => {
  it('parses its flags', () => {
    expect(parseArgs(['--port', '0', '--latency-ms', '5', '--token-delay-ms', '2', '--host', '127.0.0.1']))
      .toEqual({ port: 0, latencyMs: 5, tokenDelayMs: 2, host: '127.0.0.1' });
    expect(() => parseArgs(['--bogus'])).toThrow();
  });
});
