import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startFleet, type Fleet } from './cluster-harness.js';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet(2);
}, 60_000);
afterAll(async () => fleet?.close());

const weather: OpenAI.Responses.FunctionTool = { type: 'function', name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } };

describe('/v1/responses item references across nodes (cluster mode)', () => {
  it('a function call answered by node A is resolved by reference on node B, for the same key only', async () => {
    const [a, b] = fleet.nodes;
    const { key } = await createKey(a!, { name: 'agent' });
    const clientA = new OpenAI({ baseURL: `${a!.url}/v1`, apiKey: key, maxRetries: 0 });
    const clientB = new OpenAI({ baseURL: `${b!.url}/v1`, apiKey: key, maxRetries: 0 });
    const first = await clientA.responses.create({ model: 'deepseek-flash', input: 'weather in Beijing?', tools: [weather] });
    const call = first.output.find((item) => item.type === 'function_call') as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call?.id).toMatch(/^fc_/);

    const second = await clientB.responses.create({
      model: 'deepseek-flash', tools: [weather],
      input: [{ role: 'user', content: 'weather in Beijing?' }, { type: 'item_reference', id: call.id! }, { type: 'function_call_output', call_id: call.call_id, output: 'Sunny' }],
    });
    expect(second.status).toBe('completed');
    const upstream = fleet.simulator.requests.at(-1)!.body as { messages: Array<{ role: string; tool_calls?: unknown }> };
    expect(upstream.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(upstream.messages[1]?.tool_calls).toEqual([{ id: call.call_id, type: 'function', function: { name: 'get_weather', arguments: call.arguments } }]);

    const other = await createKey(b!, { name: 'someone-else' });
    const stranger = new OpenAI({ baseURL: `${b!.url}/v1`, apiKey: other.key, maxRetries: 0 });
    const refused = await stranger.responses.create({ model: 'deepseek-flash', input: [{ type: 'item_reference', id: call.id! }] }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, code: 'invalid_request', param: 'input[0].id' });
  });

  it('an id no node produced is still a 400 that names the reference', async () => {
    const { key } = await createKey(fleet.nodes[0]!, { name: 'probe' });
    const response = await fetch(`${fleet.nodes[1]!.url}/v1/responses`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'deepseek-flash', input: [{ type: 'item_reference', id: 'fc_unknown' }] }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('input[0].id');
  });
});
