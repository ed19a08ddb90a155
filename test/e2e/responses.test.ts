import { createOpenAI } from '@ai-sdk/openai';
import { Agent, OpenAIProvider, run, setTracingDisabled, tool as agentTool } from '@openai/agents';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek, tier: light }
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
  - { id: deepseek-reasoner, provider: deepseek }
routes:
  - { id: auto, light: [deepseek-flash], flagship: [deepseek-v4-pro], qualityTarget: 0.95 }
`);
});
afterAll(async () => stack?.close());

const weather: OpenAI.Responses.FunctionTool = {
  type: 'function', name: 'get_weather', description: 'Weather by city', strict: true,
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};
const lastUpstream = () => stack.simulator.requests.at(-1)!.body as { messages: Array<{ role: string; content: unknown; tool_call_id?: string; tool_calls?: unknown[]; reasoning_content?: string }>; [key: string]: unknown };

describe('the official openai SDK against /v1/responses, served by a chat provider', () => {
  it('answers with a response object: output text, usage, cost, and the instructions sent as the system turn', async () => {
    const { data, response } = await stack.openai.responses
      .create({ model: 'deepseek-v4-pro', instructions: 'Be brief.', input: '你好', max_output_tokens: 200, temperature: 0.3 })
      .withResponse();
    expect(data.object).toBe('response');
    expect(data.id).toMatch(/^resp_/);
    expect(data.status).toBe('completed');
    expect(data.output_text).toBe('Simulated deepseek answer to: 你好');
    expect(data.usage?.input_tokens).toBeGreaterThan(0);
    expect(data.usage?.total_tokens).toBe((data.usage?.input_tokens ?? 0) + (data.usage?.output_tokens ?? 0));
    expect((data.usage as unknown as { cost_cny: string }).cost_cny).toBe(response.headers.get('x-tidegate-cost-cny'));
    expect(data).toMatchObject({ model: 'deepseek-v4-pro', instructions: 'Be brief.', max_output_tokens: 200, temperature: 0.3, store: true, previous_response_id: null });
    const upstream = lastUpstream();
    expect(upstream.messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '你好' }]);
    expect(upstream.max_tokens).toBe(200);
    const id = response.headers.get('x-tidegate-request-id');
    let row: unknown;
    for (let i = 0; i < 50 && !row; i += 1) {
      row = ((await stack.gateway.services.requestLog.recent({ limit: 20 })) as Array<{ id: string }>).find((r) => r.id === id);
      if (!row) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(row).toMatchObject({ id, endpoint: 'responses', status: 200, modelServed: 'deepseek-v4-pro' });
  });

  it('streams reasoning and text as Responses events the SDK assembles, ending with usage', async () => {
    const stream = stack.openai.responses.stream({ model: 'deepseek-reasoner', input: [{ role: 'user', content: 'think first' }] });
    const types: string[] = [];
    const deltas: string[] = [];
    const sequence: number[] = [];
    stream.on('event', (event) => {
      types.push(event.type);
      sequence.push(event.sequence_number);
    });
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(sequence).toEqual(sequence.map((_, index) => index));
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.output_text).toBe('Simulated deepseek answer to: think first');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    const reasoning = final.output[0] as OpenAI.Responses.ResponseReasoningItem;
    expect(reasoning.summary[0]?.text).toMatch(/\S/);
    expect(final.usage?.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
  });

  it('runs a tool loop: function_call out, function_call_output back in, as chat tool turns upstream', async () => {
    const first = await stack.openai.responses.create({ model: 'deepseek-v4-pro', input: 'What is the weather in Beijing?', tools: [weather] });
    const call = first.output.find((item) => item.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ name: 'get_weather', status: 'completed' });
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Beijing' });
    const upstreamTools = lastUpstream().tools as Array<{ type: string; function: { name: string; strict?: boolean } }>;
    expect(upstreamTools[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', strict: true } });

    const second = await stack.openai.responses.create({
      model: 'deepseek-v4-pro', tools: [weather],
      input: [{ role: 'user', content: 'What is the weather in Beijing?' }, call, { type: 'function_call_output', call_id: call.call_id, output: 'Sunny, 21°C' }],
    });
    expect(second.status).toBe('completed');
    const upstream = lastUpstream();
    expect(upstream.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(upstream.messages[1]?.tool_calls).toEqual([{ id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: call.arguments } }]);
    expect(upstream.messages[2]).toMatchObject({ tool_call_id: call.call_id, content: 'Sunny, 21°C' });
  });

  it('resolves item references to its own recent output items; an unknown one is a 400 that says what to send instead', async () => {
    const first = await stack.openai.responses.create({ model: 'deepseek-v4-pro', input: 'weather?', tools: [weather] });
    const call = first.output.find((item) => item.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    await stack.openai.responses.create({
      model: 'deepseek-v4-pro', tools: [weather],
      input: [{ role: 'user', content: 'weather?' }, { type: 'item_reference', id: call.id! }, { type: 'function_call_output', call_id: call.call_id, output: 'Rain' }],
    });
    expect(lastUpstream().messages[1]?.tool_calls).toEqual([{ id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: call.arguments } }]);

    const unknown = await raw(stack, '/v1/responses', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'deepseek-v4-pro', input: [{ type: 'item_reference', id: 'fc_never_made' }] }) });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ code: 'invalid_request', param: 'input[0].id' });
    expect(unknown.json.error.message).toMatch(/store: false/);
  });

  it('continues a conversation with previous_response_id, and serves GET and DELETE for kept responses', async () => {
    const first = await stack.openai.responses.create({ model: 'deepseek-v4-pro', instructions: 'Answer in Chinese.', input: '北京有多少人口？' });
    const second = await stack.openai.responses.create({ model: 'deepseek-v4-pro', instructions: 'Be brief.', previous_response_id: first.id, input: '上海呢？' });
    expect(second.previous_response_id).toBe(first.id);
    // the earlier turns come back; the earlier instructions do not (as on OpenAI)
    expect(lastUpstream().messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: '北京有多少人口？' },
      { role: 'assistant', content: first.output_text },
      { role: 'user', content: '上海呢？' },
    ]);
    const third = await stack.openai.responses.create({ model: 'deepseek-v4-pro', previous_response_id: second.id, input: [{ role: 'user', content: '广州呢？' }], stream: true });
    for await (const _event of third) { /* drain */ }
    expect(lastUpstream().messages.map((message) => message.content)).toEqual(['北京有多少人口？', first.output_text, '上海呢？', second.output_text, '广州呢？']);

    const fetched = await stack.openai.responses.retrieve(first.id);
    expect(fetched).toMatchObject({ id: first.id, status: 'completed', output: first.output });
    await expect(stack.openai.responses.delete(first.id)).resolves.toMatchObject({ id: first.id, deleted: true });
    await expect(stack.openai.responses.retrieve(first.id)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    const stale = await stack.openai.responses.create({ model: 'deepseek-v4-pro', previous_response_id: first.id, input: 'x' }).catch((error: unknown) => error);
    expect(stale).toMatchObject({ status: 400, code: 'invalid_request', param: 'previous_response_id' });
  });

  it('keeps nothing for store: false', async () => {
    const unkept = await stack.openai.responses.create({ model: 'deepseek-v4-pro', input: 'secret', store: false });
    expect((unkept as unknown as { store: boolean }).store).toBe(false);
    await expect(stack.openai.responses.retrieve(unkept.id)).rejects.toMatchObject({ status: 404 });
    const refused = await stack.openai.responses.create({ model: 'deepseek-v4-pro', previous_response_id: unkept.id, input: 'x' }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, param: 'previous_response_id' });
  });

  it('routes model "auto" and says why', async () => {
    const { data, response } = await stack.openai.responses.create({ model: 'auto', input: 'What is 2+2?' }).withResponse();
    expect(data.status).toBe('completed');
    expect(response.headers.get('x-tidegate-route-reason')).toMatch(/^auto: router/);
    expect(['deepseek-flash', 'deepseek-v4-pro']).toContain(response.headers.get('x-tidegate-model'));
  });

  it('marks an answer cut at max_output_tokens incomplete, in JSON and in a stream', async () => {
    stack.simulator.script('deepseek', [{ kind: 'ok', content: 'cut short', finishReason: 'length' }, { kind: 'ok', content: 'cut short', finishReason: 'length' }]);
    const json = await stack.openai.responses.create({ model: 'deepseek-v4-pro', input: 'long essay', max_output_tokens: 5 });
    expect(json).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
    const stream = await stack.openai.responses.create({ model: 'deepseek-v4-pro', input: 'long essay', max_output_tokens: 5, stream: true });
    let last: OpenAI.Responses.ResponseStreamEvent | undefined;
    for await (const event of stream) last = event;
    expect(last).toMatchObject({ type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } });
  });

  it('ends a stream that fails midway with an error event and response.failed', async () => {
    stack.simulator.script('deepseek', [{ kind: 'cut-mid-stream' }]);
    const response = await fetch(`${stack.gateway.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'deepseek-v4-pro', input: 'hello', stream: true }) });
    const text = await response.text();
    const events = text.split('\n\n').filter(Boolean).map((block) => JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice(6)) as { type: string; response?: { status: string; error: unknown } });
    expect(events.at(-2)?.type).toBe('error');
    expect(events.at(-1)).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: expect.any(String) } } });
  });

  it('refuses what it cannot serve with a stable code and the parameter', async () => {
    const post = (body: unknown) => raw(stack, '/v1/responses', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const cases: Array<[unknown, string]> = [
      [{ model: 'deepseek-v4-pro' }, 'input'],
      [{ model: 'deepseek-v4-pro', input: [] }, 'input'],
      [{ model: 'deepseek-v4-pro', input: 'x', previous_response_id: 'resp_1' }, 'previous_response_id'],
      [{ model: 'deepseek-v4-pro', input: 'x', conversation: 'conv_1' }, 'conversation'],
      [{ model: 'deepseek-v4-pro', input: 'x', tools: [{ type: 'web_search' }] }, 'tools[0].type'],
      [{ model: 'deepseek-v4-pro', input: [{ role: 'robot', content: 'x' }] }, 'input[0].role'],
      [{ model: 'deepseek-v4-pro', input: 'x', max_output_tokens: 0 }, 'max_output_tokens'],
      [{ model: 'deepseek-v4-pro', input: 'x', text: { format: { type: 'json_schema', name: 'x' } } }, 'text.format.schema'],
    ];
    for (const [body, param] of cases) {
      const result = await post(body);
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(result.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', param });
    }
    const missing = await stack.openai.responses.retrieve('resp_123').catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('the AI SDK (@ai-sdk/openai, Responses API by default) through /v1/responses', () => {
  const provider = () => createOpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'unused-in-open-mode' });
  const getWeather = tool({ description: 'Weather by city', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `Sunny in ${city}` });

  it('generates text with usage', async () => {
    const result = await generateText({ model: provider()('deepseek-v4-pro'), prompt: 'hello' });
    expect(result.text).toBe('Simulated deepseek answer to: hello');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
  });

  it('streams reasoning and text', async () => {
    const result = streamText({ model: provider()('deepseek-reasoner'), prompt: 'think' });
    let text = '';
    let reasoning = '';
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') text += part.text;
      if (part.type === 'reasoning-delta') reasoning += part.text;
    }
    expect(text).toBe('Simulated deepseek answer to: think');
    expect(reasoning).toMatch(/\S/);
  });

  it('runs a multi-step tool loop with its default store: true (earlier items sent by reference)', async () => {
    const before = stack.simulator.requests.length;
    const result = await generateText({ model: provider()('deepseek-v4-pro'), prompt: 'weather in Beijing?', tools: { get_weather: getWeather }, stopWhen: stepCountIs(3) });
    expect(result.steps.map((step) => step.finishReason)).toEqual(['tool-calls', 'stop']);
    const upstream = stack.simulator.requests.slice(before).at(-1)!.body as { messages: Array<{ role: string; content: unknown }> };
    expect(upstream.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(String(upstream.messages[2]?.content)).toContain('Sunny in Beijing');
  });
});

describe('the OpenAI Agents SDK (@openai/agents, Responses model) through /v1/responses', () => {
  it('runs an agent with a tool, streams it, and continues it with previousResponseId', async () => {
    setTracingDisabled(true);
    const provider = new OpenAIProvider({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'unused-in-open-mode', useResponses: true });
    const calls: string[] = [];
    const weather = agentTool({ name: 'get_weather', description: 'Weather by city', parameters: z.object({ city: z.string() }), execute: async ({ city }) => { calls.push(city); return `Sunny in ${city}`; } });
    const agent = new Agent({ name: 'forecaster', instructions: 'Be brief.', model: await provider.getModel('deepseek-v4-pro'), tools: [weather] });
    const first = await run(agent, 'What is the weather in Beijing?');
    expect(calls).toEqual(['Beijing']);
    expect(first.finalOutput).toBe('Simulated deepseek answer to: What is the weather in Beijing?');
    const streamed = await run(agent, 'Anything else?', { stream: true });
    let text = '';
    for await (const chunk of streamed.toTextStream()) text += chunk;
    await streamed.completed;
    expect(text).toBe('Simulated deepseek answer to: Anything else?');
    const next = await run(agent, 'And tomorrow?', { previousResponseId: first.lastResponseId });
    expect(next.finalOutput).toBe('Simulated deepseek answer to: And tomorrow?');
    // the continued turn carried the whole earlier exchange, tool call and result included
    const roles = lastUpstream().messages.map((message) => message.role);
    expect(roles).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
  });
});

describe('responses.keepMs: 0 (an operator who keeps no content)', () => {
  it('keeps nothing, says so, and refuses continuations with the way out', async () => {
    const own = await startStack((simulator) => `
responses: { keepMs: 0 }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-v4-pro, provider: deepseek }
`);
    try {
      const { data, response } = await own.openai.responses.create({ model: 'deepseek-v4-pro', input: '你好' }).withResponse();
      expect((data as unknown as { store: boolean }).store).toBe(false);
      expect(decodeURIComponent(response.headers.get('x-tidegate-warning') ?? '')).toMatch(/keepMs is 0/);
      await expect(own.openai.responses.retrieve(data.id)).rejects.toMatchObject({ status: 404 });
      const refused = await own.openai.responses.create({ model: 'deepseek-v4-pro', previous_response_id: data.id, input: 'x' }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ status: 400, param: 'previous_response_id' });
    } finally {
      await own.close();
    }
  });
});
