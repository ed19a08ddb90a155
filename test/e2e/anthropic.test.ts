import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTextTokens } from '../../src/tokens/tokenizers.js';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'anthropic')}
models:
  - { id: deepseek-v4-pro, provider: deepseek }
  - { id: claude-haiku-4-5, provider: anthropic }
`);
});
afterAll(async () => stack?.close());

const tools: Anthropic.Tool[] = [{ name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];

describe('@anthropic-ai/sdk against /v1/messages, served by an OpenAI-dialect provider', () => {
  it('answers a message with Anthropic usage fields', async () => {
    const { data, response } = await stack.anthropic.messages
      .create({ model: 'deepseek-v4-pro', max_tokens: 256, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello from Anthropic SDK' }] })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.role).toBe('assistant');
    expect(data.content[0]).toMatchObject({ type: 'text', text: 'Simulated deepseek answer to: Hello from Anthropic SDK' });
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-tidegate-provider')).toBe('deepseek');
    expect(response.headers.get('x-tidegate-cost-cny')).toMatch(/^\d+(\.\d+)?$/);
  });

  it('streams, and the SDK assembles the final message', async () => {
    const stream = stack.anthropic.messages.stream({ model: 'deepseek-v4-pro', max_tokens: 256, messages: [{ role: 'user', content: '流式 hello' }] });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    expect(texts.length).toBeGreaterThan(1);
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Simulated deepseek answer to: 流式 hello' });
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(message.stop_reason).toBe('end_turn');
  });

  it('uses tools and takes the tool result back', async () => {
    const first = await stack.anthropic.messages.create({
      model: 'deepseek-v4-pro', max_tokens: 256, tools, messages: [{ role: 'user', content: 'What is the weather in Beijing?' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((block) => block.type === 'tool_use') as Anthropic.ToolUseBlock;
    expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Beijing' } });
    const second = await stack.anthropic.messages.create({
      model: 'deepseek-v4-pro', max_tokens: 256, tools,
      messages: [
        { role: 'user', content: 'What is the weather in Beijing?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Sunny, 21°C' }, { type: 'text', text: 'Summarise it' }] },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    const upstream = stack.simulator.requests.at(-1)!.body as { messages: Array<{ role: string; tool_call_id?: string }> };
    expect(upstream.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'user']);
    expect(upstream.messages[2]?.tool_call_id).toBe(use.id);
  });

  it('streams tool use', async () => {
    const message = await stack.anthropic.messages
      .stream({ model: 'deepseek-v4-pro', max_tokens: 256, tools, messages: [{ role: 'user', content: 'weather?' }] })
      .finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.find((block) => block.type === 'tool_use')).toMatchObject({ input: { city: 'Beijing' } });
  });

  it('counts input tokens with the served model family\'s tokenizer, sending nothing upstream', async () => {
    const before = stack.simulator.requests.length;
    const short = await stack.anthropic.messages.countTokens({ model: 'deepseek-v4-pro', messages: [{ role: 'user', content: '你好' }] });
    const long = await stack.anthropic.messages.countTokens({ model: 'deepseek-v4-pro', system: 'Answer in one short sentence, in Chinese.', tools, messages: [{ role: 'user', content: '北京今天的天气怎么样？请告诉我温度和湿度。' }] });
    expect(short.input_tokens).toBeGreaterThan(0);
    expect(long.input_tokens).toBeGreaterThan(short.input_tokens + 20);
    expect(stack.simulator.requests.length).toBe(before);
    // the text itself is counted by DeepSeek's own tokenizer; the rest is the chat template's framing
    const essay = '长江是中国最长的河流，流经十一个省级行政区，最终注入东海。'.repeat(20);
    const counted = await stack.anthropic.messages.countTokens({ model: 'deepseek-v4-pro', messages: [{ role: 'user', content: essay }] });
    const own = countTextTokens('deepseek', essay);
    expect(counted.input_tokens).toBeGreaterThanOrEqual(own);
    expect(counted.input_tokens).toBeLessThanOrEqual(own + 12);
    await expect(stack.anthropic.messages.countTokens({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404 });
  });

  it('errors come back in a shape the SDK reads, with the stable code alongside', async () => {
    await expect(stack.anthropic.messages.create({ model: 'nope', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }))
      .rejects.toMatchObject({ status: 404 });
    const result = await raw(stack, '/v1/messages', { method: 'POST', body: JSON.stringify({ model: 'deepseek-v4-pro', messages: [] }) });
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', code: 'invalid_request' } });
  });
});

describe('Anthropic as a provider (Messages API outbound)', () => {
  it('serves an OpenAI client, with cache reads and writes counted apart', async () => {
    const messages = [{ role: 'system' as const, content: 'A long, stable system prompt.' }, { role: 'user' as const, content: 'first' }];
    await stack.openai.chat.completions.create({ model: 'claude-haiku-4-5', messages });
    const second = await stack.openai.chat.completions.create({ model: 'claude-haiku-4-5', messages });
    const upstream = stack.simulator.requests.at(-1)!;
    expect(upstream.path).toMatch(/\/messages$/);
    expect(upstream.headers['x-api-key']).toBe('sk-simulated-anthropic');
    expect(upstream.headers['anthropic-version']).toBe('2023-06-01');
    expect(second.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    expect(second.choices[0]?.message.content).toBe('Simulated anthropic answer to: first');
  });

  it('streams through the Anthropic decoder to OpenAI chunks', async () => {
    const stream = await stack.openai.chat.completions.create({ model: 'claude-haiku-4-5', stream: true, messages: [{ role: 'user', content: 'stream it' }] });
    let text = '';
    let usage: any;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Simulated anthropic answer to: stream it');
    expect(usage.cost_cny).toMatch(/^\d/);
  });

  it('the Anthropic SDK talks to an Anthropic provider through the gateway', async () => {
    const message = await stack.anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'round trip' }] });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Simulated anthropic answer to: round trip' });
  });
});
