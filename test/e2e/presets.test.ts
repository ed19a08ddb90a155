import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presets } from '../../src/providers/registry.js';
import { simulatedProvider, startStack, type Stack } from './harness.js';

// The capability matrix: every preset, through the official openai client, against its simulated
// upstream speaking that provider's real wire format.
const upstreamFor = (preset: string): string =>
  presets.get(preset)!.models.find((model) => model.kind === 'chat')?.id ?? 'llama-3.1-8b-instruct';

const allPresets = [...presets.keys()];
let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
providers:${allPresets.map((preset) => simulatedProvider(simulator, preset)).join('')}
models:
${allPresets.map((preset) => `  - { id: ${preset}-chat, provider: ${preset}, upstream: ${upstreamFor(preset)}, vision: true, tools: true${preset === 'openai-compatible' ? ', price: { input: 0.5, output: 1 }' : ''} }`).join('\n')}
`);
});
afterAll(async () => stack?.close());

describe.each(allPresets)('preset %s', (preset) => {
  const model = `${preset}-chat`;

  it('answers a plain chat with usage, cost and the x-tidegate headers', async () => {
    const { data, response } = await stack.openai.chat.completions
      .create({ model, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `Hello ${preset}, what is 2+2?` }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(`Simulated ${preset} answer to: Hello ${preset}, what is 2+2?`.slice(0, `Simulated ${preset} answer to: `.length + 40));
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-tidegate-model')).toBe(model);
    expect(response.headers.get('x-tidegate-provider')).toBe(preset);
    expect(response.headers.get('x-tidegate-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-tidegate-cache')).toBe('bypass'); // the cache is off unless configured
    expect(response.headers.get('x-tidegate-route-reason')).toBeTruthy();
    const cost = response.headers.get('x-tidegate-cost-cny');
    expect(cost).toMatch(/^\d+(\.\d+)?$/);
    expect((data.usage as unknown as { cost_cny: string }).cost_cny).toBe(cost);
  });

  it('streams the same answer and ends with usage and cost_cny before [DONE]', async () => {
    const stream = await stack.openai.chat.completions.create({
      model, stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: `Stream for ${preset}, 你好世界` }],
    });
    let text = '';
    let last: any;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      last = chunk;
    }
    expect(text).toBe(`Simulated ${preset} answer to: Stream for ${preset}, 你好世界`);
    expect(last.choices).toEqual([]);
    expect(last.usage.completion_tokens).toBeGreaterThan(0);
    expect(last.usage.cost_cny).toMatch(/^\d+(\.\d+)?$/);
  });

  it('calls tools', async () => {
    const completion = await stack.openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'What is the weather in Beijing?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0] as { function: { name: string; arguments: string } };
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Beijing' });
  });

  it('streams tool calls', async () => {
    const stream = await stack.openai.chat.completions.create({
      model, stream: true,
      messages: [{ role: 'user', content: 'weather please' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    let args = '';
    let name = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      name += call?.function?.name ?? '';
      args += call?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ city: 'Beijing' });
    expect(finish).toBe('tool_calls');
  });

  it('passes vision content parts through', async () => {
    const completion = await stack.openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: [
        { type: 'text', text: 'Describe this picture' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
      ] }],
    });
    expect(completion.choices[0]?.message.content).toContain('Describe this picture [1 image(s)]');
  });

  it('honours response_format json_object', async () => {
    const { data: completion, response } = await stack.openai.chat.completions.create({
      model, response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'Reply in JSON' }],
    }).withResponse();
    // Anthropic has no response_format: the answer is forced through one tool and comes back as JSON content.
    if (preset === 'anthropic') expect(stack.simulator.requests.at(-1)?.body).toMatchObject({ tool_choice: { type: 'tool' } });
    expect(response.headers.get('x-tidegate-warning') ?? '').not.toContain('response_format');
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toHaveProperty('answer');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
  });
});

describe('GET /v1/models', () => {
  it('lists the configured models with their provider', async () => {
    const list = await stack.openai.models.list();
    const ids = list.data.map((model) => model.id);
    expect(ids).toEqual(allPresets.map((preset) => `${preset}-chat`));
    expect(list.data[0]?.owned_by).toBe(allPresets[0]);
  });

  it('retrieves one model as the SDK asks for it, and names an unknown one', async () => {
    const model = await stack.openai.models.retrieve(`${allPresets[0]}-chat`);
    expect(model).toMatchObject({ id: `${allPresets[0]}-chat`, object: 'model', owned_by: allPresets[0] });
    await expect(stack.openai.models.retrieve('no-such-model')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });
});
